"""Where the ward stands on a date: every target's value, status and shortfall, and every task.

compute_status() reads what it needs with a few aggregate queries (counts per unit, per ISO
week, per day) and hands plain rows to bdhvs_desktop.domain.targets, which does the arithmetic.
Everything returned is a frozen dataclass; nothing here keeps an ORM object alive.

Scope of a target (Target.scope) and its `params.unit`:
- "ward": the whole ward; params.unit (set from the preset's responsible unit) names who is in
  charge and does not narrow the population. Per-unit rows are given where they make sense
  (party organisations for VNeID shares, residential groups for weekly guidance, ...).
- "party_org" / "residential_group" / "unit": one row per such unit (under params.unit if given).
- "responsible_body": the one unit named in params.unit, counting the units under it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import targets as tg
from bdhvs_desktop.services.campaign import PhaseInfo, phase_at
from bdhvs_desktop.services.facts import FactLoader, TargetSpec, load_units, weekly_session_counts
from bdhvs_desktop.services.status_export import (  # noqa: F401  (re-exported: their old home)
    SCOPE_LABELS,
    STATUS_LABELS,
    TASK_LABELS,
    write_status_xlsx,
)
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

__all__ = ["StatusReport", "TargetResult", "UnitTargetResult", "TaskResult", "PhaseInfo", "compute_status",
           "status_to_json", "load_units", "week_grid", "WeekGrid", "unit_target_facts", "write_status_xlsx"]

_Loader = FactLoader  # its old name here


@dataclass(frozen=True)
class UnitTargetResult:
    unit_id: int
    unit_code: str
    unit_name: str
    value: float | None
    target: float
    status: str
    shortfall: list[str]
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class TargetResult:
    code: str
    name: str
    measure: str
    value_kind: str
    value: float | None
    target: float
    status: str  # met | at_risk | missed | not_due
    shortfall: list[str]
    deadline: dt.date | None
    start: dt.date | None
    scope: str
    per_unit: list[UnitTargetResult]
    numerator: float | None = None
    denominator: float | None = None
    phase_number: int | None = None
    target_id: int | None = None
    measured_on: dt.date | None = None

    def unit(self, unit_id: int) -> UnitTargetResult | None:
        return next((u for u in self.per_unit if u.unit_id == unit_id), None)


@dataclass(frozen=True)
class TaskResult:
    id: int
    title: str
    unit: str | None
    due: dt.date | None
    status: str  # not_started | in_progress | done | late
    phase_number: int | None = None
    unit_id: int | None = None
    stored_status: str = "not_started"
    done_date: dt.date | None = None
    evidence: str | None = None
    version: int = 1


@dataclass(frozen=True)
class StatusReport:
    as_of: dt.date
    phase: PhaseInfo | None
    next_deadline: dt.date | None
    targets: list[TargetResult]
    tasks: list[TaskResult]
    phases: tuple[PhaseInfo, ...] = ()
    campaign_name: str | None = None

    def target(self, code: str) -> TargetResult | None:
        return next((t for t in self.targets if t.code == code), None)

    @property
    def days_to_next_deadline(self) -> int | None:
        return None if self.next_deadline is None else (self.next_deadline - self.as_of).days




# --------------------------------------------------------------------------- measures


_POPULATION = tg.VNEID_POPULATION
_COUNT_WORDS = {"models_per_unit": "mô hình", "thematic_meetings": "buổi sinh hoạt chuyên đề",
                "excellent_models_quota": "mô hình xuất sắc"}


def _scope_units(tree: tg.UnitTree, target: Any, restrict: int | None) -> list[tg.UnitRow]:
    scope = target.scope
    if scope == "responsible_body":
        return [tree.units[restrict]] if restrict is not None else []
    if scope == "party_org":
        return tree.party_orgs(restrict)
    if scope == "residential_group":
        return tree.residential_groups(restrict)
    if scope == "unit":
        return tree.all_units(restrict)
    # ward: the natural breakdown of the measure
    if target.measure == "weekly_guidance":
        return tree.residential_groups()
    if target.measure in ("daily_broadcast", "reported"):
        return []
    if target.measure == "digital_ambassadors":
        return tree.all_units()
    return tree.party_orgs()


def _measure(loader: _Loader, target: Any, as_of: dt.date) -> tuple[tg.Measure, list[tg.UnitRow], float]:
    """The measure of one target and the units of its breakdown; the per-unit target value."""
    tree = loader.tree
    params = dict(target.params or {})
    unit_code = params.get("unit")
    restrict = tree.by_code[unit_code].id if unit_code in tree.by_code else None
    narrow = restrict if target.scope != "ward" else None
    units = _scope_units(tree, target, narrow if target.scope != "responsible_body" else restrict)
    start = target.start_date
    deadline = target.deadline
    day = tg.measure_day(as_of, deadline)
    measure = target.measure
    if measure in _POPULATION:
        in_pop = _POPULATION[measure]
        require_guide = bool(params.get("require_guide"))
        counts: dict[int | None, list[int]] = {}
        for unit_id, pm, ps, guide, ok, n in loader.people(day):
            if not in_pop(pm, ps):
                continue
            c = counts.setdefault(unit_id, [0, 0])
            c[0] += n
            if ok and (guide or not require_guide):
                c[1] += n
        lagging = [(unit_id, text, key, shown) for unit_id, pm, ps, text, key, shown
                   in loader.lagging_reasons(day, require_guide) if in_pop(pm, ps)]
        rows = [tg.PersonCount(u, c[0], c[1]) for u, c in counts.items()]
        if target.scope != "ward":
            ids = {u.id for u in units}
            inside = lambda uid: any(a in ids for a in tree.chain(uid))  # noqa: E731
            rows = [r for r in rows if inside(r.unit_id)]
            lagging = [x for x in lagging if inside(x[0])]
        return tg.vneid_share(rows, lagging, tree, units), units, target.target_value
    if measure == "weekly_guidance":
        kinds = params.get("kinds") or ["guidance"]
        if start is None or deadline is None:
            return tg.Measure(None, None, None, ("Chỉ tiêu thiếu ngày bắt đầu hoặc hạn",)), units, target.target_value
        first, last = tg.weeks_span(start, deadline)
        sessions = weekly_session_counts(loader.s, kinds, first, min(last, as_of)) if as_of >= first else {}
        res = tg.weekly_sessions(sessions, units, tree, start, deadline, as_of, int(params.get("min_per_week", 1)))
        return res, units, target.target_value
    if measure == "daily_broadcast":
        kinds = params.get("kinds") or ["broadcast"]
        if start is None or deadline is None:
            return tg.Measure(None, None, None, ("Chỉ tiêu thiếu ngày bắt đầu hoặc hạn",)), units, target.target_value
        q = (select(m.Activity.date, func.count()).where(m.Activity.kind.in_(kinds), m.Activity.date >= start,
                                                          m.Activity.date <= day).group_by(m.Activity.date))
        if narrow is not None:
            q = q.where(m.Activity.unit_id.in_([u.id for u in tree.all_units(narrow)]))
        per_day = {d: int(n) for d, n in loader.s.execute(q).all()}
        return tg.daily_events(per_day, start, deadline, as_of, int(params.get("min_per_day", 1))), units, target.target_value
    if measure in ("models_per_unit", "excellent_models_quota"):
        default_status = "excellent" if measure == "excellent_models_quota" else "registered"
        status = params.get("status") or default_status
        min_count = int(params.get("min_count") or (target.target_value if measure == "excellent_models_quota" else 1))
        by_unit = tg.models_by_unit(loader.models(), units, tree, day, status)
        counts = {u: len(v) for u, v in by_unit.items()}
        res = tg.unit_counts(counts, units, min_count, target.value_kind, _COUNT_WORDS[measure])
        if measure == "excellent_models_quota":
            body = units[0] if units else None
            n = counts.get(body.id, 0) if body else 0
            names = [f"{x.code} {x.name}" for x in by_unit.get(body.id, [])] if body else []
            short = () if n >= min_count else (
                f"{body.name if body else unit_code}: có {n}/{min_count} mô hình xuất sắc"
                + (f" ({'; '.join(names)})" if names else ""),)
            res = tg.Measure(float(n), float(n), float(min_count), short, res.per_unit, {"models": names})
        return res, units, float(min_count) if measure == "models_per_unit" else target.target_value
    if measure == "thematic_meetings":
        kinds = params.get("kinds") or ["thematic_meeting"]
        min_count = int(params.get("min_count", 1))
        q = (select(m.Activity.unit_id, func.count()).where(m.Activity.kind.in_(kinds), m.Activity.date <= day,
                                                             m.Activity.unit_id.is_not(None)).group_by(m.Activity.unit_id))
        if start is not None:
            q = q.where(m.Activity.date >= start)
        raw = {u: int(n) for u, n in loader.s.execute(q).all()}
        counts = {int(k): int(v) for k, v in tg.roll_up(raw, tree, [u.id for u in units]).items()}
        return tg.unit_counts(counts, units, min_count, target.value_kind, _COUNT_WORDS[measure]), units, float(min_count)
    if measure == "digital_ambassadors":
        q = (select(m.Mentorship.mentor_id, m.Person.full_name, m.Person.unit_id, func.count())
             .join(m.Person, m.Person.id == m.Mentorship.mentor_id)
             .where(or_(m.Mentorship.started_on.is_(None), m.Mentorship.started_on <= day))
             .group_by(m.Mentorship.mentor_id, m.Person.full_name, m.Person.unit_id))
        mentors = [tg.MentorRow(pid, name, uid, int(n)) for pid, name, uid, n in loader.s.execute(q).all()]
        res = tg.ambassadors(mentors, int(params.get("min_mentees", 5)), target.value_kind, tree, units, narrow)
        return res, [tree.units[u.unit_id] for u in res.per_unit], target.target_value
    if measure == "reported":
        rows = loader.s.execute(select(m.ReportedFigure.unit_id, m.ReportedFigure.as_of, m.ReportedFigure.numerator,
                                       m.ReportedFigure.denominator)
                                .where(m.ReportedFigure.target_id == target.id)).all()
        figures = tg.latest_figures((tg.FigureRow(*r) for r in rows), day)
        if narrow is not None:
            figures = {u: f for u, f in figures.items() if tree.is_under(u, narrow)}
        res = tg.reported_value(figures, target.value_kind, target.target_value, tree)
        return res, [tree.units[u.unit_id] for u in res.per_unit if u.unit_id in tree.units], target.target_value
    return tg.Measure(None, None, None, (f"Cách đo chưa được hỗ trợ: {measure}",)), [], target.target_value


def _target_result(loader: _Loader, target: Any, as_of: dt.date) -> TargetResult:
    tree = loader.tree
    res, units, unit_target = _measure(loader, target, as_of)
    margin = target.at_risk_margin
    status = tg.target_status(res.value, target.target_value, as_of, target.start_date, target.deadline, margin,
                              res.details.get("best_possible"))
    per_unit = []
    by_id = {u.id: u for u in units}
    for um in res.per_unit:
        unit = by_id.get(um.unit_id) or tree.units.get(um.unit_id)
        if unit is None:
            continue
        if um.denominator == 0 and um.value is None:
            u_status = tg.NOT_DUE if target.start_date and as_of < target.start_date else tg.MET
        else:
            best = None
            if target.measure == "weekly_guidance" and res.details.get("weeks"):
                n_weeks = len(res.details["weeks"])
                best = 100.0 * (n_weeks - len(um.shortfall)) / n_weeks
            u_status = tg.target_status(um.value, unit_target, as_of, target.start_date, target.deadline,
                                        margin if unit_target == target.target_value else None, best)
        per_unit.append(UnitTargetResult(unit.id, unit.code, unit.name, _round(um.value), unit_target, u_status,
                                         list(um.shortfall) if u_status in (tg.AT_RISK, tg.MISSED) else [],
                                         um.numerator, um.denominator))
    shortfall = list(res.shortfall) if status in (tg.AT_RISK, tg.MISSED) else []
    value = None if status == tg.NOT_DUE and target.start_date and as_of < target.start_date else _round(res.value)
    return TargetResult(target.code, target.name, target.measure, target.value_kind, value,
                        float(target.target_value), status, shortfall, target.deadline, target.start_date,
                        target.scope, per_unit, res.numerator, res.denominator, target.phase_number, target.id,
                        tg.measure_day(as_of, target.deadline))


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def unit_target_facts(s: Session, at: dt.date, specs: dict[str, TargetSpec], loader: FactLoader | None = None
                      ) -> dict[int, dict[str, sc.TargetFact]]:
    """Per-unit results of the given targets on `at`, measured exactly as the status measures them,
    in the caller's read session (with its loader when it has one): what scoring's `target_met`
    criteria read, without a second session or the targets nobody asked for."""
    if not specs:
        return {}
    loader = loader or FactLoader(s, load_units(s))
    out: dict[int, dict[str, sc.TargetFact]] = {}
    for target in s.scalars(select(m.Target).where(m.Target.code.in_(list(specs)))
                            .order_by(m.Target.sort_order, m.Target.id)):
        spec = specs[target.code]
        for u in _target_result(loader, target, at).per_unit:
            out.setdefault(u.unit_id, {})[target.code] = sc.TargetFact(target.code, spec.name, u.value,
                                                                       float(u.target), u.status, spec.value_kind)
    return out


def compute_status(db: Database, as_of: dt.date | None = None) -> StatusReport:
    """Every target and task of the campaign as of a date (today by default).

    The cyclic garbage collector is paused meanwhile: the work allocates many short-lived rows
    and strings but no reference cycles, and on a large ward the collector's repeated full
    passes over everything loaded cost about a third of the time."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compute_status(db, as_of)
    finally:
        if was_enabled:
            gc.enable()


def _compute_status(db: Database, as_of: dt.date | None) -> StatusReport:
    as_of = as_of or dt.date.today()
    with db.read() as s:
        campaign = s.execute(select(m.Campaign.id, m.Campaign.name).order_by(m.Campaign.id).limit(1)).first()
        if campaign is None:
            return StatusReport(as_of, None, None, [], [])
        phases = tuple(PhaseInfo(p.number, p.name, p.start_date, p.end_date, p.version) for p in s.execute(
            select(m.Phase.number, m.Phase.name, m.Phase.start_date, m.Phase.end_date, m.Phase.version)
            .where(m.Phase.campaign_id == campaign.id).order_by(m.Phase.number)).all())
        tree = load_units(s)
        loader = _Loader(s, tree)
        targets = s.scalars(select(m.Target).where(m.Target.campaign_id == campaign.id)
                            .order_by(m.Target.sort_order, m.Target.id)).all()
        results = [_target_result(loader, t, as_of) for t in targets]
        task_rows = s.execute(
            select(m.Task.id, m.Task.title, m.Task.responsible_unit_id, m.Task.responsible_text, m.Task.due_date,
                   m.Task.status, m.Task.done_date, m.Task.evidence, m.Task.phase_number, m.Task.version)
            .where(m.Task.campaign_id == campaign.id).order_by(m.Task.due_date, m.Task.phase_number, m.Task.id)
        ).all()
    tasks = []
    for r in task_rows:
        unit = tree.units[r.responsible_unit_id].name if r.responsible_unit_id in tree.units else None
        tasks.append(TaskResult(r.id, r.title, r.responsible_text or unit, r.due_date,
                                tg.task_status(r.status, r.due_date, r.done_date, as_of), r.phase_number,
                                r.responsible_unit_id, r.status, r.done_date, r.evidence, r.version))
    upcoming = [t.deadline for t in results if t.deadline and t.deadline >= as_of]
    upcoming += [t.due for t in tasks if t.due and t.due >= as_of and t.status != "done"]
    upcoming += [p.end for p in phases if p.end and p.end >= as_of]
    return StatusReport(as_of, phase_at(phases, as_of), min(upcoming) if upcoming else None, results, tasks,
                        phases, campaign.name)


def status_to_json(report: StatusReport) -> dict[str, Any]:
    """The object `bdhvs status --json` prints (keys fixed by the issue; dates ISO)."""
    phase = report.phase
    return {
        "as_of": report.as_of.isoformat(),
        "phase": None if phase is None else {"number": phase.number, "name": phase.name,
                                             "start": phase.start.isoformat(),
                                             "end": phase.end.isoformat() if phase.end else None},
        "targets": [{"code": t.code, "name": t.name, "value": t.value, "target": t.target, "status": t.status,
                     "shortfall": list(t.shortfall)} for t in report.targets],
        "tasks": [{"title": t.title, "unit": t.unit, "due": t.due.isoformat() if t.due else None, "status": t.status}
                  for t in report.tasks],
    }


# --------------------------------------------------------------------------- the week-by-week grid


@dataclass(frozen=True)
class WeekGrid:
    mondays: list[dt.date]
    units: list[tuple[int, str, str]]  # id, code, name
    counts: dict[int, list[int]]  # unit id -> sessions per week
    as_of: dt.date


def week_grid(db: Database, start: dt.date, end: dt.date, kinds: list[str] | None = None) -> WeekGrid:
    """Sessions per residential group and ISO week between two dates (for the week-by-week screen)."""
    kinds = kinds or ["guidance"]
    with db.read() as s:
        tree = load_units(s)
        sessions = weekly_session_counts(s, kinds, start, end)
    groups = tree.residential_groups()
    mondays, grid = tg.week_grid(sessions, groups, tree, start, end)
    return WeekGrid(mondays, [(u.id, u.code, u.name) for u in groups], grid, end)
