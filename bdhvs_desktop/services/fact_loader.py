"""The records of a ward read in bulk inside the caller's read session, as plain rows, for measuring
the targets of the plan: the unit tree, sessions per unit and ISO week, and `FactLoader`, which
caches the aggregates the targets are measured from (people counted per unit, the models'
lifecycle dates). services/target_measure.py measures targets with it, for the status and for the
scoring of the same user action in the same session (one read per user action)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, or_, select

from bdhvs_desktop.domain import targets as tg
from bdhvs_desktop.domain.dates import iso_week_start
from bdhvs_desktop.storage import models as m


def load_units(session) -> tg.UnitTree:
    rows = session.execute(select(m.Unit.id, m.Unit.code, m.Unit.name, m.Unit.kind, m.Unit.parent_id,
                                  m.Unit.is_party_org, m.Unit.active)).all()
    return tg.UnitTree(tg.UnitRow(r.id, r.code, r.name, r.kind, r.parent_id, bool(r.is_party_org),
                                  bool(r.active) if r.active is not None else True) for r in rows)


def _week_index(session, column, monday0: dt.date):
    """SQL for the number of whole weeks between monday0 and a date column (the ISO week index)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast((func.julianday(column) - func.julianday(monday0.isoformat())) / 7, Integer)
    return cast(func.floor((column - monday0) / 7.0), Integer)


def weekly_session_counts(session, kinds: list[str], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], int]:
    """(unit_id, Monday) -> sessions of these kinds in [start, end], grouped in SQL by unit and ISO week."""
    monday0 = iso_week_start(start)
    week = _week_index(session, m.Activity.date, monday0).label("week")
    rows = session.execute(
        select(m.Activity.unit_id, week, func.count())
        .where(m.Activity.kind.in_(kinds), m.Activity.date >= start, m.Activity.date <= end,
               m.Activity.unit_id.is_not(None))
        .group_by(m.Activity.unit_id, week)
    ).all()
    return {(unit_id, monday0 + dt.timedelta(days=7 * int(w))): int(n) for unit_id, w, n in rows}


class FactLoader:
    """The aggregate queries over one read session, each run once and shared: by the targets of
    the status (services/status.py) and by the scoring of the same user action."""

    def __init__(self, session, tree: tg.UnitTree):
        self.s = session
        self.tree = tree
        self._people: dict[dt.date, list[Any]] = {}
        self._lagging: dict[dt.date, list[Any]] = {}
        self._models: list[tg.ModelRow] | None = None
        self._reasons: dict[tuple[dt.date, bool], list[tuple[Any, bool, bool, str, Any, str]]] = {}

    def people(self, day: dt.date) -> list[tuple[Any, bool, bool, bool, int, int]]:
        """(unit_id, party member, public servant, can guide, proficient by the day, count)."""
        if day not in self._people:
            self._scan_people(day)
        return self._people[day]

    def lagging(self, day: dt.date) -> list[tuple[Any, str, bool, bool, bool, dt.date | None]]:
        """(unit_id, full name, party member, public servant, can guide, proficient on) of those
        not proficient by the day or unable to guide citizens."""
        if day not in self._lagging:
            self._scan_people(day)
        return self._lagging[day]

    def _scan_people(self, day: dt.date) -> None:
        # One pass over the party members and public servants (a plain table scan: grouping in
        # SQL makes SQLite walk the unit index and fetch rows in random order, much slower on a
        # large ward); the name and date come back only for those who lag.
        p = m.Person
        ok = and_(p.vneid_proficient_on.is_not(None), p.vneid_proficient_on <= day)
        lag = or_(p.vneid_proficient_on.is_(None), p.vneid_proficient_on > day, p.can_guide.is_not(True))
        rows = self.s.execute(
            select(p.unit_id, p.is_party_member, p.is_public_servant, p.can_guide,
                   case((ok, 1), else_=0), case((lag, p.full_name), else_=None),
                   case((lag, p.vneid_proficient_on), else_=None).label("on"))
            .where(or_(p.is_party_member.is_(True), p.is_public_servant.is_(True)))
        ).all()
        counts: dict[tuple[Any, bool, bool, bool, int], int] = {}
        lagging = []
        for unit_id, pm, ps, guide, is_ok, name, on in rows:
            key = (unit_id, bool(pm), bool(ps), bool(guide), is_ok)
            counts[key] = counts.get(key, 0) + 1
            if name is not None:
                lagging.append((unit_id, name, bool(pm), bool(ps), bool(guide), on))
        self._people[day] = [(*k, n) for k, n in counts.items()]
        self._lagging[day] = lagging

    def lagging_reasons(self, day: dt.date, require_guide: bool) -> list[tuple[Any, bool, bool, str, Any, str]]:
        """(unit_id, party member, public servant, "Name — why") of everyone not proficient by the day."""
        key = (day, require_guide)
        if key not in self._reasons:
            out = []
            late = f"sau ngày {day:%d/%m/%Y}"
            labels: dict[Any, str] = {}
            for unit_id, full_name, pm, ps, can_guide, on in self.lagging(day):
                if on is None:
                    why = "chưa thành thạo VNeID"
                elif on > day:
                    why = f"thành thạo VNeID ngày {on.day:02d}/{on.month:02d}/{on.year}, {late}"
                elif require_guide and not can_guide:
                    why = "chưa hướng dẫn được người dân sử dụng VNeID"
                else:
                    continue
                label = labels.get(unit_id)
                if label is None:
                    label = labels[unit_id] = self.tree.label(unit_id)
                out.append((unit_id, pm, ps, f"{full_name} — {why}", tg.name_sort_key(full_name),
                            f"{full_name} ({label}) — {why}"))
            out.sort(key=lambda x: x[4])  # once, so each target's list is already in name order
            self._reasons[key] = out
        return self._reasons[key]

    def models(self) -> list[tg.ModelRow]:
        if self._models is None:
            first_rep = (select(m.ModelReplication.model_id, func.min(m.ModelReplication.replicated_on).label("rep"))
                         .group_by(m.ModelReplication.model_id).subquery())
            rows = self.s.execute(
                select(m.DigitalModel.id, m.DigitalModel.code, m.DigitalModel.name, m.DigitalModel.owner_unit_id,
                       m.DigitalModel.status, m.DigitalModel.registered_on, m.DigitalModel.implementing_on,
                       m.DigitalModel.evaluated_on, m.DigitalModel.excellent_on, first_rep.c.rep)
                .outerjoin(first_rep, first_rep.c.model_id == m.DigitalModel.id)
            ).all()
            self._models = [tg.ModelRow(*r) for r in rows]
        return self._models
