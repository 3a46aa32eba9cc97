"""The progress report's figures for the standing committee (plain dataclasses of
documents/report_data.py): each target with its value per unit and the units behind, the VNeID
series, the activities and the plan's tasks on a day.

    data = progress_data(db, as_of)            # ProgressReport

Target figures come from services.status.compute_status when that service is installed;
otherwise the VNeID and reported-figure targets are computed here from the records."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from bdhvs_desktop.documents.report_data import (
    ActivityLine,
    LaggingUnit,
    ProgressReport,
    SeriesPoint,
    TargetLine,
    TaskSummary,
    UnitValue,
)
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.numbers import fraction
from bdhvs_desktop.services import status as status_mod
from bdhvs_desktop.services.campaign import campaign_info, phase_at
from bdhvs_desktop.services.report_heading import (
    ReportInputError,
    dossier_settings,
    first_campaign,
    issuer_name_of,
    ward_heading,
)
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


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
                                              fraction(f.numerator, f.denominator or 0)))
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
                detail = fraction(obj.numerator, obj.denominator)
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


def progress_data(db: Database, as_of: dt.date) -> ProgressReport:
    info = campaign_info(db)
    settings = dossier_settings(db)
    with db.read() as s:
        c = first_campaign(s)
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
        heading = ward_heading(settings, c, as_of, "BC")
        return ProgressReport(
            title="BÁO CÁO TIẾN ĐỘ THỰC HIỆN PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”",
            campaign_name=c.name, locality=c.locality_full or c.locality or "",
            issuer_name=issuer_name_of(c), as_of=as_of,
            phase_number=phase.number if phase else None, phase_name=phase.name if phase else "",
            phase_start=phase.start if phase else None, phase_end=phase.end if phase else None,
            targets=tuple(targets), vneid_series=tuple(series),
            vneid_label="Tỷ lệ đảng viên và cán bộ, công chức, viên chức sử dụng thành thạo ứng dụng VNeID "
                        "(cộng dồn theo ngày được xác nhận).",
            lagging=tuple(lagging), activities=tuple(acts), tasks=summary, unit_count=len(units),
            generated_at=dt.datetime.now().replace(microsecond=0), heading=heading)
