"""Measuring one target of the plan on a date: its value, status and shortfall for the ward and per
unit, from a few aggregate queries through the shared fact loader (services/facts.py), with the
arithmetic in bdhvs_desktop.domain.targets. The ward's status (services/status.py) measures every
target with it; scoring's `target_met` criteria read the per-unit results (`unit_target_facts`).

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
from bdhvs_desktop.services.fact_loader import FactLoader, load_units, weekly_session_counts
from bdhvs_desktop.services.facts import TargetSpec
from bdhvs_desktop.storage import models as m


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


def _measure(loader: FactLoader, target: Any, as_of: dt.date) -> tuple[tg.Measure, list[tg.UnitRow], float]:
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


def target_result(loader: FactLoader, target: Any, as_of: dt.date) -> TargetResult:
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
        for u in target_result(loader, target, at).per_unit:
            out.setdefault(u.unit_id, {})[target.code] = sc.TargetFact(target.code, spec.name, u.value,
                                                                       float(u.target), u.status, spec.value_kind)
    return out
