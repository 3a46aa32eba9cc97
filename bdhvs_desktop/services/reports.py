"""Reports for print: the progress report for the standing committee and the council's
score sheet, as PDF (reportlab) or Excel (openpyxl).

    data = progress_data(db, as_of)            # ProgressReport (plain dataclasses)
    write_report(db, "progress", path, as_of)  # .pdf or .xlsx by the file's suffix
    write_report(db, "scoreboard", path, as_of)

Target figures come from services.status.compute_status when that service is installed;
otherwise the VNeID and reported-figure targets are computed here from the records.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.documents.pdf_base import ReportCancelled
from bdhvs_desktop.documents.report_data import (
    ActivityLine,
    CriterionColumn,
    Heading,
    LaggingUnit,
    ProgressReport,
    ScoreGroup,
    ScoreRow,
    ScoreSheet,
    SeriesPoint,
    TargetLine,
    TaskSummary,
    UnitValue,
)
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services import status as status_mod
from bdhvs_desktop.services.campaign import campaign_info, phase_at
from bdhvs_desktop.services.dossier import load_settings
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

REPORT_KINDS = {"progress": "Báo cáo tiến độ", "scoreboard": "Bảng tổng hợp điểm"}
FORMATS = (".pdf", ".xlsx")

Progress = Callable[[int, int, str], None]


class ReportInputError(ServiceError):
    """Bad input for a report (unknown kind, suffix); the message is Vietnamese."""


@dataclass(frozen=True)
class ReportResult:
    path: Path
    kind: str
    sha256: str
    size: int


# ------------------------------------------------------------------------ helpers


def _campaign(s) -> m.Campaign | None:
    return s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))


def _issuer_name(c: m.Campaign | None) -> str:
    header = (c.details or {}).get("preset", {}) if c else {}
    return header.get("issuer_party") or header.get("issuer_state") or (c.locality_full or "").upper() if c else ""


def _dossier_settings(db: Database):
    return load_settings(db)


def _ward_heading(st, c: m.Campaign, as_of: dt.date, kind: str) -> Heading:
    """The ward's heading in the format the dossier settings `st` choose (party or state), with a
    number left blank for the clerk, place and date, and the signer the dossier settings name."""

    header = (c.details or {}).get("preset") or {}
    dossier = (c.details or {}).get("dossier") or {}
    place = c.locality or ""
    locality = c.locality_full or place
    if st.issuer_format == "state":
        name = header.get("issuer_state") or f"ỦY BAN NHÂN DÂN {locality.upper()}"
        return Heading("state", name, "", vn_format.document_number(None, kind, "UBND", "state"),
                       vn_format.vn_date(as_of, place),
                       (("TM. ỦY BAN NHÂN DÂN", st.signer_title or "CHỦ TỊCH", st.signer_name),),
                       ("Thường trực Đảng ủy phường (để báo cáo);", "Các cơ quan, đơn vị trực thuộc;", "Lưu: VT."))
    name = header.get("issuer_party") or f"ĐẢNG ỦY {locality.upper()}"
    symbol = dossier.get("doc_symbol") or ""
    abbreviation = symbol.split("/", 1)[1] if "/" in symbol and symbol.split("/", 1)[1] else "ĐU"
    return Heading("party", name, header.get("issuer_party_parent") or "",
                   vn_format.document_number(None, kind, abbreviation, "party"), vn_format.vn_date(as_of, place),
                   ((dossier.get("signing_authority") or "T/M BAN THƯỜNG VỤ", st.signer_title or "PHÓ BÍ THƯ",
                     st.signer_name),),
                   ("Thường trực Đảng ủy (để báo cáo);", "Các chi bộ, đảng bộ trực thuộc;", "Lưu Văn phòng Đảng ủy."))


def _pct(num: float, den: float) -> float | None:
    return num * 100.0 / den if den else None


def _status_label(code: str | None) -> str:
    if not code:
        return ""
    try:
        return vocab.TARGET_STATUS_LABELS[vocab.TargetStatus(code)]
    except ValueError:
        return str(code)


_VNEID_POPULATION = {
    "vneid_party_members": lambda p: p.is_party_member,
    "vneid_public_servants": lambda p: p.is_public_servant,
    "vneid_cadres": lambda p: p.is_party_member or p.is_public_servant,
}


def _proficient(p, by: dt.date, require_guide: bool) -> bool:
    return p.vneid_proficient_on is not None and p.vneid_proficient_on <= by and (p.can_guide or not require_guide)


def _judge(value: float | None, target: float, deadline: dt.date | None, as_of: dt.date) -> str:
    if value is None:
        return vocab.TargetStatus.NOT_DUE if deadline and as_of < deadline else vocab.TargetStatus.MISSED
    if value >= target - 1e-9:
        return vocab.TargetStatus.MET
    if deadline and as_of < deadline:
        return vocab.TargetStatus.AT_RISK
    return vocab.TargetStatus.MISSED


def _own_targets(s, c: m.Campaign, as_of: dt.date, units: dict[int, m.Unit],
                 people: list) -> list[TargetLine]:
    """Target figures computed here (used when services.status is not installed)."""
    out = []
    for t in s.scalars(select(m.Target).where(m.Target.campaign_id == c.id).order_by(m.Target.sort_order)):
        per_unit: list[UnitValue] = []
        value = None
        by = min(as_of, t.deadline) if t.deadline else as_of
        if t.measure in _VNEID_POPULATION:
            select_fn = _VNEID_POPULATION[t.measure]
            need_guide = bool((t.params or {}).get("require_guide"))
            counts: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
            for p in people:
                if select_fn(p):
                    row = counts[p.unit_id]
                    row[1] += 1
                    row[0] += _proficient(p, by, need_guide)
            num = sum(v[0] for v in counts.values())
            den = sum(v[1] for v in counts.values())
            value = _pct(num, den)
            for uid, (n, d) in counts.items():
                if uid is None or uid not in units:
                    continue
                uv = _pct(n, d)
                per_unit.append(UnitValue(units[uid].name, uv, _status_label(_judge(uv, t.target_value, t.deadline,
                                                                                     as_of)), f"{n}/{d}"))
        elif t.measure == "reported":
            latest: dict[int, m.ReportedFigure] = {}
            for f in s.scalars(select(m.ReportedFigure).where(m.ReportedFigure.target_id == t.id,
                                                              m.ReportedFigure.as_of <= as_of)
                               .order_by(m.ReportedFigure.as_of)):
                latest[f.unit_id] = f
            num = sum(f.numerator for f in latest.values())
            den = sum(f.denominator or 0 for f in latest.values())
            value = _pct(num, den) if t.value_kind == "percent" else (num if latest else None)
            for uid, f in latest.items():
                if uid in units:
                    uv = _pct(f.numerator, f.denominator or 0) if t.value_kind == "percent" else f.numerator
                    per_unit.append(UnitValue(units[uid].name, uv,
                                              _status_label(_judge(uv, t.target_value, t.deadline, as_of)),
                                              f"{f.numerator:g}/{(f.denominator or 0):g}"))
        status = _judge(value, t.target_value, t.deadline, as_of) if value is not None else None
        out.append(TargetLine(code=t.code, name=t.name, value_kind=t.value_kind, target=t.target_value, value=value,
                              status=_status_label(status) if status else "Chưa có số liệu", deadline=t.deadline,
                              shortfall=(t.target_value - value) if value is not None and value < t.target_value
                              else None, per_unit=tuple(sorted(per_unit, key=lambda u: u.unit))))
    return out


def _from_status_service(db: Database, as_of: dt.date, units: dict[int, m.Unit]) -> list[TargetLine] | None:
    compute = getattr(status_mod, "compute_status", None)
    if compute is None:
        return None
    report = compute(db, as_of)
    names = {u.id: u.name for u in units.values()}
    out = []
    for t in getattr(report, "targets", ()):
        kind = getattr(t, "value_kind", "percent")
        per = []
        raw = getattr(t, "per_unit", ()) or ()
        items = raw.items() if isinstance(raw, dict) else raw
        for item in items:
            if isinstance(item, tuple) and len(item) == 2 and not hasattr(item[1], "value"):
                unit, val = item
                per.append(UnitValue(names.get(unit, str(unit)), val))
                continue
            obj = item[1] if isinstance(item, tuple) else item
            uname = getattr(obj, "unit_name", None) or getattr(obj, "name", None) or names.get(
                getattr(obj, "unit_id", None), str(getattr(obj, "unit", "")))
            detail = ""
            if getattr(obj, "numerator", None) is not None and getattr(obj, "denominator", None):
                detail = f"{obj.numerator:g}/{obj.denominator:g}"
            own = _number(getattr(obj, "target", None))
            per.append(UnitValue(uname, getattr(obj, "value", None), _status_label(getattr(obj, "status", "")), detail,
                                 own if own is not None and abs(own - float(t.target)) > 1e-9 else None))
        out.append(TargetLine(code=t.code, name=t.name, value_kind=kind, target=float(t.target), value=t.value,
                              status=_status_label(getattr(t, "status", "")), deadline=getattr(t, "deadline", None),
                              shortfall=_number(getattr(t, "shortfall", None)), per_unit=tuple(per)))
    tasks = getattr(report, "tasks", None)
    if tasks is not None:
        counts = {"done": 0, "in_progress": 0, "not_started": 0, "late": 0}
        for task in tasks:
            key = getattr(task, "status", "not_started")
            counts[key if key in counts else "not_started"] += 1
        _TASKS_FROM_STATUS[id(out)] = TaskSummary(**counts)
    return out


_TASKS_FROM_STATUS: dict[int, TaskSummary] = {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _vneid_series(c: m.Campaign, people: list, as_of: dt.date) -> list[SeriesPoint]:
    pop = [p for p in people if p.is_party_member or p.is_public_servant]
    if not pop:
        return []
    dates = sorted(p.vneid_proficient_on for p in pop if p.vneid_proficient_on)
    start = min([c.start_date] + dates[:1])
    points: list[dt.date] = []
    day = start
    while day < as_of:
        points.append(day)
        day += dt.timedelta(days=14)
    points.append(as_of)
    out = []

    for d in points:
        n = bisect.bisect_right(dates, d)
        out.append(SeriesPoint(d, n * 100.0 / len(pop), n, len(pop)))
    return out


# ------------------------------------------------------------------- progress data


def progress_data(db: Database, as_of: dt.date) -> ProgressReport:
    info = campaign_info(db)
    settings = _dossier_settings(db)
    with db.read() as s:
        c = _campaign(s)
        if c is None:
            raise ReportInputError("Chưa có phong trào trong cơ sở dữ liệu (chạy 'bdhvs init' hoặc 'bdhvs demo').")
        units = {u.id: u for u in s.scalars(select(m.Unit).where(m.Unit.active.is_(True)))}
        # Plain rows, not ORM objects: a ward of 30,000 people loads in a fraction of the time.
        people = s.execute(select(m.Person.unit_id, m.Person.is_party_member, m.Person.is_public_servant,
                                  m.Person.vneid_proficient_on, m.Person.can_guide)).all()
        targets = _from_status_service(db, as_of, units)
        status_tasks = _TASKS_FROM_STATUS.pop(id(targets), None) if targets is not None else None
        if targets is None:
            targets = _own_targets(s, c, as_of, units, people)
        series = _vneid_series(c, people, as_of)
        lagging = []
        behind = (vocab.TARGET_STATUS_LABELS[vocab.TargetStatus.AT_RISK], vocab.TARGET_STATUS_LABELS[vocab.TargetStatus.MISSED])
        for t in targets:
            for u in t.per_unit:
                late = u.status in behind if u.status else (
                    u.value is not None and u.value < t.target - 1e-9 and (t.deadline is None or as_of >= t.deadline))
                if late:
                    if u.unit_target is not None:  # the unit's own scale (e.g. a count)
                        lagging.append(LaggingUnit(u.unit, t.name, u.value, u.unit_target, "count", u.detail))
                    else:
                        lagging.append(LaggingUnit(u.unit, t.name, u.value, t.target, t.value_kind, u.detail))
        lagging.sort(key=lambda x: (x.target, x.value if x.value is not None else -1, x.unit))
        acts = []
        rows = s.execute(select(m.Activity.kind, func.count(m.Activity.id), func.coalesce(func.sum(
            m.Activity.participants), 0), func.count(func.distinct(m.Activity.unit_id)))
            .where(m.Activity.date <= as_of, m.Activity.date >= c.start_date).group_by(m.Activity.kind)).all()
        order = list(vocab.ActivityKind)
        for kind, count, participants, nunits in sorted(rows, key=lambda r: order.index(r[0]) if r[0] in order
                                                        else 99):
            label = vocab.ACTIVITY_KIND_LABELS.get(kind, kind) if kind in set(order) else kind
            acts.append(ActivityLine(label, int(count), int(participants or 0), int(nunits)))
        tasks = {"done": 0, "in_progress": 0, "not_started": 0, "late": 0}
        for status, due, done_date in s.execute(select(m.Task.status, m.Task.due_date, m.Task.done_date)
                                                .where(m.Task.campaign_id == c.id)):
            finished = status == "done" and (done_date is None or done_date <= as_of)
            if finished:
                tasks["done"] += 1
            elif due is not None and due < as_of:
                tasks["late"] += 1
            elif status == "in_progress":
                tasks["in_progress"] += 1
            else:
                tasks["not_started"] += 1
        summary = status_tasks or TaskSummary(**tasks)
        phase = phase_at(info.phases, as_of) if info else None
        heading = _ward_heading(settings, c, as_of, "BC")
        return ProgressReport(
            title="BÁO CÁO TIẾN ĐỘ THỰC HIỆN PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”",
            campaign_name=c.name, locality=c.locality_full or c.locality or "",
            issuer_name=_issuer_name(c), as_of=as_of,
            phase_number=phase.number if phase else None, phase_name=phase.name if phase else "",
            phase_start=phase.start if phase else None, phase_end=phase.end if phase else None,
            targets=tuple(targets), vneid_series=tuple(series),
            vneid_label="Tỷ lệ đảng viên và cán bộ, công chức, viên chức sử dụng thành thạo ứng dụng VNeID "
                        "(cộng dồn theo ngày được xác nhận).",
            lagging=tuple(lagging), activities=tuple(acts), tasks=summary, unit_count=len(units),
            generated_at=dt.datetime.now().replace(microsecond=0), heading=heading)


# ----------------------------------------------------------------- score sheet data


def _fmt_points(v: Any) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "Đạt" if v else "Không đạt"
    try:
        return vn_format.vn_number(float(v))
    except (TypeError, ValueError):
        return str(v)


def _snapshot_cells(snap: dict) -> tuple[dict[str, Any], float | None, bool | None]:
    """Read a candidate's score snapshot: {criterion code: points or pass}, total, gates passed.

    Accepts {"criteria": [{"code", "points", "passed"}...], "total", "gates_passed"} or
    {"criteria": {code: {...}}} as written by the scoring service."""
    cells: dict[str, Any] = {}
    crit = snap.get("criteria") or snap.get("results") or []
    items = crit.items() if isinstance(crit, dict) else ((c.get("code"), c) for c in crit if isinstance(c, dict))
    gates_ok = True
    for code, c in items:
        if not isinstance(c, dict):
            cells[code] = c
            continue
        if c.get("type") == "gate" or ("passed" in c and c.get("points") is None):
            cells[code] = bool(c.get("passed"))
            gates_ok = gates_ok and bool(c.get("passed"))
        else:
            cells[code] = c.get("points")
    total = snap.get("points", snap.get("total"))
    gp = snap.get("gates_passed", snap.get("eligible"))
    return cells, (float(total) if isinstance(total, (int, float)) else None), (gp if gp is not None else
                                                                               (gates_ok if cells else None))


def _live_scores(db: Database, as_of: dt.date) -> dict[tuple[str, int], sc.SubjectScore]:
    """Scores on the day (services.scoring): the result of candidates not locked yet, and for
    every candidate the tie-break of `bdhvs score` (a woman, a collective ≥70% women, first)."""
    board = scoring_service.compute_scores(db, as_of)
    return {(score.subject, score.subject_id): score for score in board.scores}


def scoreboard_data(db: Database, as_of: dt.date) -> ScoreSheet:
    with db.read() as s:
        any_candidate = s.scalar(select(func.count(m.Candidate.id)).where(m.Candidate.status != "draft"))
    live = _live_scores(db, as_of) if any_candidate else {}
    settings = _dossier_settings(db)
    with db.read() as s:
        c = _campaign(s)
        if c is None:
            raise ReportInputError("Chưa có phong trào trong cơ sở dữ liệu (chạy 'bdhvs init' hoặc 'bdhvs demo').")
        sets = list(s.scalars(select(m.CriteriaSet).where(m.CriteriaSet.campaign_id == c.id)
                              .order_by(m.CriteriaSet.id)))
        cands = list(s.scalars(select(m.Candidate).where(m.Candidate.campaign_id == c.id)
                               .where(m.Candidate.status != vocab.CandidateStatus.DRAFT)
                               .order_by(m.Candidate.id)))
        votes = {v.candidate_id: v for v in s.scalars(select(m.Vote))}
        meeting = s.scalar(select(m.CouncilMeeting).where(m.CouncilMeeting.campaign_id == c.id)
                           .order_by(m.CouncilMeeting.held_at.desc()).limit(1))
        members = s.scalar(select(func.count(m.CouncilMember.id)).where(m.CouncilMember.campaign_id == c.id,
                                                                         m.CouncilMember.active.is_(True))) or 0
        groups = []
        by_kind: dict[str, list[m.Candidate]] = defaultdict(list)
        for cand in cands:
            by_kind[cand.subject_kind].append(cand)
        for cs in sets:
            group = by_kind.pop(cs.subject_kind, [])
            if not group:
                continue
            groups.append(_score_group(cs.name, list(cs.criteria), group, votes, members, live))
        for kind, group in by_kind.items():  # candidates with no criteria set of their kind
            groups.append(_score_group(vocab.SUBJECT_KIND_LABELS.get(kind, kind), [], group, votes, members, live))
        meeting_text = ""
        if meeting is not None:
            number = f" số {meeting.number}" if meeting.number else ""
            meeting_text = (f"(Kèm theo Biên bản họp Hội đồng Thi đua - Khen thưởng{number}, "
                            f"phiên họp {vn_format.vn_datetime(meeting.held_at)}"
                            + (f", tại {meeting.place}" if meeting.place else "") + ")")
        return ScoreSheet(title="BẢNG TỔNG HỢP ĐIỂM XÉT KHEN THƯỞNG", campaign_name=c.name,
                          issuer_name=_issuer_name(c), locality=c.locality_full or "", as_of=as_of,
                          meeting=meeting_text, groups=tuple(groups),
                          generated_at=dt.datetime.now().replace(microsecond=0),
                          heading=_council_heading(settings, s, c, meeting, as_of))


def _council_heading(st, s, c: m.Campaign, meeting: m.CouncilMeeting | None,
                     as_of: dt.date) -> Heading:
    """The council's heading under the ward's, signed by its secretary and its chair (of the
    meeting when there is one, otherwise the council's chair and secretary)."""
    ward = _ward_heading(st, c, as_of, "BC")
    roster = list(s.scalars(select(m.CouncilMember).where(m.CouncilMember.campaign_id == c.id)
                            .order_by(m.CouncilMember.sort_order, m.CouncilMember.id)))
    by_id = {mem.id: mem for mem in roster}

    def who(member_id: int | None, role: str) -> str:
        member = by_id.get(member_id) if member_id else None
        if member is None:
            member = next((mem for mem in roster if mem.role == role and mem.active), None)
        return member.full_name if member else ""

    chair = who(meeting.chair_id if meeting else None, "chair")
    secretary = who(meeting.secretary_id if meeting else None, "secretary")
    day = meeting.held_at.date() if meeting is not None and meeting.held_at else as_of

    return Heading(ward.format, "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", ward.name, "",
                   vn_format.vn_date(day, c.locality or ""),
                   (("", "THƯ KÝ HỘI ĐỒNG", secretary), ("", "CHỦ TỊCH HỘI ĐỒNG", chair)))


def _score_group(title: str, criteria: list[m.Criterion], cands: list[m.Candidate], votes: dict,
                 members: int, live: dict[tuple[str, int], sc.SubjectScore]) -> ScoreGroup:
    cols = tuple(CriterionColumn(cr.code, cr.name, cr.type, cr.max_points) for cr in criteria)
    scored: list[tuple[sc.SubjectScore, dict]] = []
    for cand in cands:
        key = (cand.subject_type, cand.unit_id if cand.subject_type == "unit" else cand.person_id)
        now = live.get(key)
        # A locked result is the council's record; otherwise the score on the day.
        snap = cand.score_snapshot if cand.locked and cand.score_snapshot else (
            (now.as_json() if now is not None else None) or cand.score_snapshot or {})
        cells, total, gates = _snapshot_cells(snap)
        if total is None and cells:
            total = sum(float(v) for v in cells.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
        gates = gates if gates is not None else True
        eligible = snap.get("eligible")
        eligible = bool(gates) if eligible is None else bool(eligible)
        name = cand.unit.name if cand.subject_type == "unit" and cand.unit else (
            cand.person.full_name if cand.person else "")
        if now is not None:
            tie_first = now.tie_break_first
        else:
            tie_first = cand.subject_type == "person" and cand.person is not None and cand.person.sex == "F"
        v = votes.get(cand.id)
        # The same ranking as `bdhvs score` (domain.scoring.rank_scores), among the candidates.
        subject = sc.SubjectScore(subject=cand.subject_type, subject_id=key[1] or 0, id=str(cand.id), name=name,
                                  kind=cand.subject_kind, eligible=eligible, points=float(total or 0.0),
                                  max_points=0.0, criteria=[], tie_break_first=tie_first)
        scored.append((subject, {"cand": cand, "cells": cells, "total": total, "gates": bool(gates),
                                 "votes": f"{v.votes_for}/{members}" if v and members else ""}))
    extra = {id(subject): info for subject, info in scored}
    rows = []
    for subject in sc.rank_scores([subject for subject, _info in scored]):
        info = extra[id(subject)]
        cand = info["cand"]
        try:
            status = vocab.CANDIDATE_STATUS_LABELS[vocab.CandidateStatus(cand.status)]
        except ValueError:
            status = cand.status
        rows.append(ScoreRow(rank=subject.rank, name=subject.name,
                             kind=vocab.SUBJECT_KIND_LABELS.get(cand.subject_kind, cand.subject_kind),
                             award=cand.award_form.name if cand.award_form else "", total=info["total"],
                             cells={k: _fmt_points(v) for k, v in info["cells"].items()},
                             gates_passed=info["gates"], status=status, votes=info["votes"],
                             eligible=subject.eligible))
    return ScoreGroup(title, cols, tuple(rows))


# ------------------------------------------------------------------------- writing


def render_report(data: ProgressReport | ScoreSheet, suffix: str, *, progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None) -> bytes:
    from bdhvs_desktop.documents import pdf_reports, xlsx_reports  # lazy: start-up (reportlab, openpyxl)

    if suffix == ".pdf":
        if isinstance(data, ProgressReport):
            return pdf_reports.build_progress_pdf(data, progress=progress, cancelled=cancelled)
        return pdf_reports.build_scoreboard_pdf(data, progress=progress, cancelled=cancelled)
    if isinstance(data, ProgressReport):
        return xlsx_reports.build_progress_xlsx(data)
    return xlsx_reports.build_scoreboard_xlsx(data)


def write_report(db: Database, kind: str, path: Path | str, as_of: dt.date | None = None, *,
                 progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ReportResult:
    """Build report *kind* ("progress" | "scoreboard") as of a date and write it to *path*
    (.pdf or .xlsx), atomically; the file is recorded in GeneratedDocument."""

    path = Path(path)
    if kind not in REPORT_KINDS:
        raise ReportInputError(f"Không có loại báo cáo “{kind}” (chọn: {', '.join(REPORT_KINDS)}).")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportInputError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {path.name}")
    as_of = as_of or dt.date.today()
    if progress:
        progress(0, 1, "Đang đọc số liệu")
    data = progress_data(db, as_of) if kind == "progress" else scoreboard_data(db, as_of)
    blob = render_report(data, suffix, progress=progress, cancelled=cancelled)
    if cancelled is not None and cancelled():
        raise ReportCancelled("Đã hủy tạo báo cáo.")
    atomic_write_bytes(path, blob)
    digest = hashlib.sha256(blob).hexdigest()
    with db.session() as s:
        s.add(m.GeneratedDocument(kind=f"report_{kind}", path=str(path.resolve()), sha256=digest,
                                  draft=False, created_by=db.user))
    return ReportResult(path=path, kind=kind, sha256=digest, size=len(blob))
