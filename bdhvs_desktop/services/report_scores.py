"""The council's score sheet (Bảng tổng hợp điểm): each candidate's points per criterion, grouped by
criteria set, from the council's locked record or the score on the day, with the votes, under
the council's heading signed by its secretary and chair.

    sheet = scoreboard_data(db, as_of)         # ScoreSheet"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.report_data import (
    CriterionColumn,
    Heading,
    ScoreGroup,
    ScoreRow,
    ScoreSheet,
)
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.report_heading import (
    ReportInputError,
    dossier_settings,
    first_campaign,
    issuer_name_of,
    ward_heading,
)
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def _fmt_points(v: Any) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return vocab.GATE_LABELS[v]
    try:
        return sc.points_text(float(v))
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
    settings = dossier_settings(db)
    with db.read() as s:
        c = first_campaign(s)
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
                          issuer_name=issuer_name_of(c), locality=c.locality_full or "", as_of=as_of,
                          meeting=meeting_text, groups=tuple(groups),
                          generated_at=dt.datetime.now().replace(microsecond=0),
                          heading=_council_heading(settings, s, c, meeting, as_of))


def _council_heading(st, s, c: m.Campaign, meeting: m.CouncilMeeting | None,
                     as_of: dt.date) -> Heading:
    """The council's heading under the ward's, signed by its secretary and its chair (of the
    meeting when there is one, otherwise the council's chair and secretary)."""
    ward = ward_heading(st, c, as_of, "BC")
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
