"""Where the campaign stands on a date: pure computations over plain data (no Qt, no SQL).

The services layer loads aggregates from the database (counts per unit, per ISO week, per
day) and these functions turn them into values, statuses and shortfalls.

Rules (the plan's wording, made exact):
- A deadline day counts as inside: something done on the deadline counts, the day after does not.
  A measure is taken at min(as_of, deadline).
- Weeks are ISO weeks, Monday to Sunday, wholly inside the target's window. A week is required
  once its Sunday has passed (a Sunday session counts); the week in progress is not yet a miss.
- A day is required once it has passed; the as-of day itself is not yet a miss.
- A party organisation (or any unit) covers its own people and everything under it (descendant
  units): its party members, its models.
- Status: before the start -> not_due; value >= target -> met; after the deadline -> missed;
  before it, a gap of at most `at_risk_margin` (or any gap when no margin is set) -> at_risk,
  a larger gap -> missed ("chưa đạt").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.domain.dates import iso_week_start, vn_date, week_label
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import MODEL_STATUS_ORDER, ModelStatus

MET, AT_RISK, MISSED, NOT_DUE = "met", "at_risk", "missed", "not_due"
STATUS_ORDER = {MISSED: 0, AT_RISK: 1, NOT_DUE: 2, MET: 3}
EPS = 1e-9

#: The VNeID measures over people, one definition for status and scoring: measure -> who is in the
#: population (from party member, public servant) and the Vietnamese word for them.
VNEID_POPULATION = {
    "vneid_party_members": lambda pm, ps: bool(pm),
    "vneid_public_servants": lambda pm, ps: bool(ps),
    "vneid_cadres": lambda pm, ps: bool(pm) or bool(ps),
}
VNEID_POPULATION_LABEL = {
    "vneid_party_members": "đảng viên",
    "vneid_public_servants": "công chức, viên chức",
    "vneid_cadres": "cán bộ, đảng viên, công chức, viên chức",
}


def vneid_proficient(vneid_on: dt.date | None, can_guide: bool, day: dt.date, require_guide: bool) -> bool:
    """Counted as proficient on `day`: proficient on or before it, and able to guide citizens
    when the target requires it."""
    return vneid_on is not None and vneid_on <= day and (can_guide or not require_guide)


# --------------------------------------------------------------------------- dates and status


def measure_day(as_of: dt.date, deadline: dt.date | None) -> dt.date:
    """The day a cumulative measure is taken: the as-of day, or the deadline once it has passed."""
    return as_of if deadline is None or as_of <= deadline else deadline


def target_status(value: float | None, target: float, as_of: dt.date, start: dt.date | None,
                  deadline: dt.date | None, margin: float | None, best_possible: float | None = None) -> str:
    """`best_possible`: the highest value still reachable by the deadline (a missed day or week of a
    100% target can never be made up); when it is below the target the target is already missed."""
    if start is not None and as_of < start:
        return NOT_DUE
    if value is None:
        return NOT_DUE if deadline is None or as_of <= deadline else MISSED
    if value + EPS >= target:
        return MET
    if deadline is not None and as_of > deadline:
        return MISSED
    if best_possible is not None and best_possible + EPS < target:
        return MISSED
    if margin is None or target - value <= margin + EPS:
        return AT_RISK
    return MISSED


def percent(numerator: float, denominator: float) -> float | None:
    return None if not denominator else 100.0 * numerator / denominator


def task_status(stored: str, due: dt.date | None, done_date: dt.date | None, as_of: dt.date) -> str:
    """not_started | in_progress | done | late, as of a date (a task done after as_of was not done yet)."""
    if stored == "done" and (done_date is None or done_date <= as_of):
        return "done"
    if due is not None and as_of > due:
        return "late"
    if stored == "done":  # done later than as_of: it was in progress then
        return "in_progress"
    return stored if stored in ("not_started", "in_progress") else "not_started"


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    is_party_org: bool
    active: bool = True


class UnitTree:
    """Units with their ancestors, for "the unit or any unit under it"."""

    def __init__(self, units: Iterable[UnitRow]):
        self.units: dict[int, UnitRow] = {u.id: u for u in units}
        self.by_code: dict[str, UnitRow] = {u.code: u for u in self.units.values()}
        self._parents: dict[int, int | None] = {u.id: u.parent_id for u in self.units.values()}
        self._chain: dict[int, tuple[int, ...]] = {}

    def chain(self, unit_id: int | None) -> tuple[int, ...]:
        """The unit and its ancestors (guarding against cycles)."""
        if unit_id is None or unit_id not in self.units:
            return ()
        cached = self._chain.get(unit_id)
        if cached is None:
            cached = self._chain[unit_id] = unit_tree.ancestors(self._parents, unit_id)
        return cached

    def is_under(self, unit_id: int | None, root_id: int) -> bool:
        return root_id in self.chain(unit_id)

    def party_orgs(self, under: int | None = None) -> list[UnitRow]:
        return self._pick(lambda u: u.is_party_org, under)

    def residential_groups(self, under: int | None = None) -> list[UnitRow]:
        return self._pick(lambda u: u.kind == "to_dan_pho", under)

    def all_units(self, under: int | None = None) -> list[UnitRow]:
        return self._pick(lambda u: True, under)

    def _pick(self, keep, under: int | None) -> list[UnitRow]:
        rows = [u for u in self.units.values() if u.active and keep(u) and (under is None or self.is_under(u.id, under))]
        return sorted(rows, key=lambda u: u.code)

    def label(self, unit_id: int | None) -> str:
        u = self.units.get(unit_id) if unit_id is not None else None
        return u.name if u else "(không thuộc đơn vị nào)"


def roll_up(counts: Mapping[int | None, float], tree: UnitTree, roots: Iterable[int]) -> dict[int, float]:
    """Sum per-unit counts into each root over its subtree."""
    wanted = set(roots)
    out = {r: 0.0 for r in wanted}
    for unit_id, value in counts.items():
        for ancestor in tree.chain(unit_id):
            if ancestor in wanted:
                out[ancestor] += value
    return out


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class UnitMeasure:
    unit_id: int
    value: float | None
    numerator: float | None
    denominator: float | None
    shortfall: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    """A computed value with the units behind it; status is applied by the caller."""

    value: float | None
    numerator: float | None
    denominator: float | None
    shortfall: tuple[str, ...] = ()
    per_unit: tuple[UnitMeasure, ...] = ()
    details: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- VNeID shares


@dataclass(frozen=True)
class PersonCount:
    """People of one unit in the population of a measure, split by proficient by the day."""

    unit_id: int | None
    total: int
    proficient: int


def vneid_share(counts: Iterable[PersonCount], lagging: Iterable[tuple], tree: UnitTree,
                orgs: list[UnitRow], restrict_to: int | None = None) -> Measure:
    """Share proficient ward-wide (or under `restrict_to`) and per party organisation.

    `lagging` is (unit_id, "Name — why") of everyone in the population not proficient by the day,
    or (unit_id, "Name — why", name_sort_key(name)[, "Name (Unit) — why"]) already in name order. The names behind a
    shortfall are listed unit by unit (units in name order), people in Vietnamese name order."""
    counts = [c for c in counts if restrict_to is None or tree.is_under(c.unit_id, restrict_to)]
    lagging = [x for x in lagging if restrict_to is None or tree.is_under(x[0], restrict_to)]
    if any(len(x) < 3 for x in lagging):
        lagging = sorted(((x[0], x[1], _name_sort(x[1])) for x in lagging), key=lambda x: x[2])
    total = sum(c.total for c in counts)
    ok = sum(c.proficient for c in counts)
    groups: dict[int | None, list[str]] = {}
    shown: dict[int | None, list[str]] = {}  # "Name (Unit) — why", when the caller made them once
    for x in lagging:
        groups.setdefault(x[0], []).append(x[1])
        if len(x) > 3:
            shown.setdefault(x[0], []).append(x[3])
    units = sorted(groups, key=lambda u: (tree.label(u), u or 0))
    names_by_org: dict[int, list[str]] = {o.id: [] for o in orgs}
    for unit_id in units:  # a unit's people count for it and every organisation above it
        for ancestor in tree.chain(unit_id):
            if ancestor in names_by_org:
                names_by_org[ancestor].extend(groups[unit_id])
    org_ids = [o.id for o in orgs]
    totals = roll_up({c.unit_id: c.total for c in counts}, tree, org_ids)
    oks = roll_up({c.unit_id: c.proficient for c in counts}, tree, org_ids)
    per_unit = []
    for org in orgs:
        if restrict_to is not None and not tree.is_under(org.id, restrict_to):
            continue
        den = totals[org.id]
        per_unit.append(UnitMeasure(org.id, percent(oks[org.id], den), oks[org.id], den, tuple(names_by_org[org.id])))
    shortfall = []
    for unit_id in units:
        if unit_id in shown:
            shortfall.extend(shown[unit_id])
        else:
            label = tree.label(unit_id)
            shortfall.extend(_with_unit(name, label) for name in groups[unit_id])
    return Measure(percent(ok, total), ok, total, tuple(shortfall), tuple(per_unit))


def with_unit(entry: str, unit: str) -> str:
    return _with_unit(entry, unit)


def _with_unit(entry: str, unit: str) -> str:
    """"Name — reason" -> "Name (Unit) — reason"."""
    name, sep, why = entry.partition(" — ")
    return f"{name} ({unit}){sep}{why}"


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in ((0xC0, 0x250), (0x300, 0x370), (0x1E00, 0x1F00)):
        for cp in range(lo, hi):
            folded = fold(chr(cp)) if not 0x300 <= cp < 0x370 else ""
            if folded != chr(cp).lower():
                table[cp] = folded
    return table


_FOLD = _fold_table()


def name_sort_key(name: str) -> tuple[str, str]:
    return _name_sort(name)


def _name_sort(name: str) -> tuple[str, str]:
    """Vietnamese order: by given name (the last word), then the whole name, without diacritics
    (a translate table: this runs for every lagging person, so it must be cheap)."""
    name = name.partition(" — ")[0].lower().translate(_FOLD)
    parts = name.split()
    return (parts[-1] if parts else "", name)


# --------------------------------------------------------------------------- weeks and days


def window_weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of the ISO weeks (Monday to Sunday) lying wholly inside [start, end]. A window that
    starts mid-week (phase 2 starts on Wednesday 01/04/2026) requires its first week from the
    next Monday; a partial week at either end is shown but not required."""
    out = []
    monday = iso_week_start(start)
    if monday < start:
        monday += dt.timedelta(days=7)
    while monday + dt.timedelta(days=6) <= end:
        out.append(monday)
        monday += dt.timedelta(days=7)
    return out


def weeks_span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The days to read sessions from for the weeks of [start, end] (Monday of the first, Sunday of the last)."""
    weeks = window_weeks(start, end)
    if not weeks:
        return start, start - dt.timedelta(days=1)
    return weeks[0], weeks[-1] + dt.timedelta(days=6)


def weekly_sessions(sessions: Mapping[tuple[int, dt.date], int], units: list[UnitRow], tree: UnitTree,
                    start: dt.date, end: dt.date, as_of: dt.date, min_per_week: int) -> Measure:
    """sessions: (unit_id, Monday of the ISO week) -> number of sessions that week.

    Sessions of a unit's sub-units count for it. Every unit needs `min_per_week` sessions in every
    week of the window that has ended by as_of (Sunday included); the week in progress counts only
    once it has its sessions. The value is the share of (unit, week) pairs that had enough."""
    wanted = {u.id for u in units}
    per: dict[tuple[int, dt.date], int] = {}
    for (unit_id, monday), n in sessions.items():
        for ancestor in tree.chain(unit_id):
            if ancestor in wanted:
                per[(ancestor, monday)] = per.get((ancestor, monday), 0) + n
    all_weeks = window_weeks(start, end)
    per_unit = []
    shortfall: list[str] = []
    num = den = 0
    for u in units:
        missing = []
        done = required = 0
        for monday in all_weeks:
            enough = per.get((u.id, monday), 0) >= min_per_week
            if monday + dt.timedelta(days=6) <= as_of:
                required += 1
                done += enough
                if not enough:
                    missing.append(week_label(monday))
            elif enough and monday <= as_of:
                required += 1
                done += 1
        num += done
        den += required
        per_unit.append(UnitMeasure(u.id, percent(done, required), done, required, tuple(missing)))
        shortfall.extend(f"{u.name}: {w}" for w in missing)
    best = 100.0 * (len(all_weeks) * len(units) - len(shortfall)) / (len(all_weeks) * len(units)) \
        if all_weeks and units else None
    return Measure(percent(num, den), num, den, tuple(shortfall), tuple(per_unit),
                   {"weeks": all_weeks, "best_possible": best})


def week_grid(sessions: Mapping[tuple[int, dt.date], int], units: list[UnitRow], tree: UnitTree,
              start: dt.date, end: dt.date) -> tuple[list[dt.date], dict[int, list[int]]]:
    """For the week-by-week screen: Mondays of [start, end] and, per unit, sessions in each week."""
    mondays = []
    monday = iso_week_start(start)
    while monday <= end:
        mondays.append(monday)
        monday += dt.timedelta(days=7)
    index = {m: i for i, m in enumerate(mondays)}
    wanted = {u.id for u in units}
    grid = {u.id: [0] * len(mondays) for u in units}
    for (unit_id, monday), n in sessions.items():
        i = index.get(monday)
        if i is None:
            continue
        for ancestor in tree.chain(unit_id):
            if ancestor in wanted:
                grid[ancestor][i] += n
    return mondays, grid


def daily_events(per_day: Mapping[dt.date, int], start: dt.date, end: dt.date, as_of: dt.date,
                 min_per_day: int) -> Measure:
    """per_day: date -> number of broadcasts. Every past day of [start, end] needs `min_per_day`.

    The as-of day is required only if it already has its broadcasts or the window has ended."""
    last = min(end, as_of)
    num = den = 0
    missed = []
    day = start
    while day <= last:
        n = per_day.get(day, 0)
        if day == as_of and n < min_per_day and as_of <= end:
            break  # the day is not over yet
        den += 1
        if n >= min_per_day:
            num += 1
        else:
            missed.append(vn_date(day))
        day += dt.timedelta(days=1)
    total_days = (end - start).days + 1
    best = 100.0 * (total_days - len(missed)) / total_days if total_days > 0 else None
    return Measure(percent(num, den), num, den, tuple(missed), (), {"best_possible": best})


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class ModelRow:
    id: int
    code: str
    name: str
    owner_unit_id: int | None
    status: str
    registered_on: dt.date | None = None
    implementing_on: dt.date | None = None
    evaluated_on: dt.date | None = None
    excellent_on: dt.date | None = None
    first_replicated_on: dt.date | None = None


def model_status_at(model: ModelRow, day: dt.date) -> str | None:
    """The furthest lifecycle stage a model had reached on `day` (None: not registered yet).

    A stage counts when its date is on or before the day; a stage the model has reached but
    whose date was never entered counts from the date of the stage before it."""
    dates = [model.registered_on, model.implementing_on, model.evaluated_on, model.excellent_on,
             model.first_replicated_on]
    reached = MODEL_STATUS_ORDER.index(ModelStatus(model.status))
    result = None
    known: dt.date | None = None
    for rank in range(reached + 1):
        when = dates[rank] or known
        if when is not None and when > day:
            break
        known = when
        result = MODEL_STATUS_ORDER[rank].value
    return result


def models_by_unit(models: Iterable[ModelRow], units: list[UnitRow], tree: UnitTree, day: dt.date,
                   min_status: str) -> dict[int, list[ModelRow]]:
    """Models owned by each unit or a unit under it that had reached `min_status` on `day`."""
    need = MODEL_STATUS_ORDER.index(ModelStatus(min_status))
    wanted = {u.id for u in units}
    out: dict[int, list[ModelRow]] = {u.id: [] for u in units}
    for model in models:
        stage = model_status_at(model, day)
        if stage is None or MODEL_STATUS_ORDER.index(ModelStatus(stage)) < need:
            continue
        for ancestor in tree.chain(model.owner_unit_id):
            if ancestor in wanted:
                out[ancestor].append(model)
    return out


def unit_counts(counts: Mapping[int, int], units: list[UnitRow], min_count: int, value_kind: str,
                what: str) -> Measure:
    """Units reaching `min_count` (models, meetings, ...): percent of units, or number of units."""
    per_unit = []
    short = []
    met = 0
    for u in units:
        n = counts.get(u.id, 0)
        ok = n >= min_count
        met += ok
        lack = () if ok else (f"có {n}/{min_count} {what}",)
        per_unit.append(UnitMeasure(u.id, float(n), float(n), float(min_count), lack))
        if not ok:
            short.append(f"{u.name} ({n}/{min_count} {what})")
    value = float(met) if value_kind == "count" else percent(met, len(units))
    return Measure(value, float(met), float(len(units)), tuple(short), tuple(per_unit))


# --------------------------------------------------------------------------- mentors


@dataclass(frozen=True)
class MentorRow:
    person_id: int
    name: str
    unit_id: int | None
    mentees: int


def ambassadors(mentors: Iterable[MentorRow], min_mentees: int, value_kind: str, tree: UnitTree,
                units: list[UnitRow], restrict_to: int | None = None) -> Measure:
    """"Đại sứ số": mentors guiding at least `min_mentees` people. percent/ratio: share of mentors
    who do; count: how many do. Per unit: its mentors (and those of units under it)."""
    rows = [r for r in mentors if restrict_to is None or tree.is_under(r.unit_id, restrict_to)]
    good = [r for r in rows if r.mentees >= min_mentees]
    short = tuple(f"{r.name} ({tree.label(r.unit_id)}): {r.mentees}/{min_mentees} người"
                  for r in sorted(rows, key=lambda r: _name_sort(r.name)) if r.mentees < min_mentees)

    def value_of(n_good: int, n_all: int) -> float | None:
        if value_kind == "count":
            return float(n_good)
        share = percent(n_good, n_all)
        return share if value_kind == "percent" or share is None else share / 100.0

    wanted = {u.id for u in units}
    mine: dict[int, list[MentorRow]] = {}
    for r in rows:  # each mentor counts for their unit and every unit above it
        for ancestor in tree.chain(r.unit_id):
            if ancestor in wanted:
                mine.setdefault(ancestor, []).append(r)
    per_unit = []
    for u in units:
        group = mine.get(u.id)
        if not group:
            continue
        ok = sum(1 for r in group if r.mentees >= min_mentees)
        per_unit.append(UnitMeasure(u.id, value_of(ok, len(group)), float(ok), float(len(group)),
                                    tuple(f"{r.name}: {r.mentees}/{min_mentees}" for r in group if r.mentees < min_mentees)))
    return Measure(value_of(len(good), len(rows)), float(len(good)), float(len(rows)), short, tuple(per_unit))


# --------------------------------------------------------------------------- reported figures


@dataclass(frozen=True)
class FigureRow:
    unit_id: int
    as_of: dt.date
    numerator: float
    denominator: float | None


def latest_figures(figures: Iterable[FigureRow], day: dt.date) -> dict[int, FigureRow]:
    """Per unit, the latest figure dated on or before `day`."""
    out: dict[int, FigureRow] = {}
    for f in figures:
        if f.as_of > day:
            continue
        cur = out.get(f.unit_id)
        if cur is None or f.as_of > cur.as_of:
            out[f.unit_id] = f
    return out


def reported_value(figures: Mapping[int, FigureRow], value_kind: str, target: float,
                   tree: UnitTree) -> Measure:
    """Pooled over the units that reported: percent = 100·Σnum/Σden, ratio = Σnum/Σden, count = Σnum."""

    def value_of(num: float, den: float | None) -> float | None:
        if value_kind == "count":
            return num
        if not den:
            return None
        return 100.0 * num / den if value_kind == "percent" else num / den

    per_unit = []
    short = []
    num_total = 0.0
    den_total = 0.0
    for unit_id in sorted(figures, key=lambda i: tree.units[i].code if i in tree.units else str(i)):
        f = figures[unit_id]
        v = value_of(f.numerator, f.denominator)
        num_total += f.numerator
        den_total += f.denominator or 0.0
        lack: tuple[str, ...] = ()
        if v is not None and v + EPS < target:
            lack = (f"{_fmt(v)} (số liệu ngày {vn_date(f.as_of)})",)
            short.append(f"{tree.label(unit_id)}: {_fmt(v)}{'%' if value_kind == 'percent' else ''}")
        per_unit.append(UnitMeasure(unit_id, v, f.numerator, f.denominator, lack))
    if not figures:
        return Measure(None, None, None, ("Chưa có đơn vị nào báo cáo số liệu",), ())
    return Measure(value_of(num_total, den_total), num_total, den_total or None, tuple(short), tuple(per_unit))


def _fmt(value: float) -> str:
    return vn_number(value, places=1)
