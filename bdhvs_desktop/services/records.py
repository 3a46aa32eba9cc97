"""Read models of the records for lists and trees: plain rows, never live ORM objects.

The people list is read with one SQL statement into tuples, so 50,000 rows load fast."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from bdhvs_desktop.storage.engine import Database

# Rows are NamedTuples: immutable like frozen dataclasses and several milliseconds cheaper to
# define at start-up. SQLAlchemy is imported inside the functions: at start-up the window reads these lists
# through LazyDatabase.quick_rows (plain sqlite3) before SQLAlchemy is loaded.


class UnitRow(NamedTuple):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    is_party_org: bool
    households: int | None
    adult_residents: int | None
    people: int
    party_members: int
    active: bool


# Column order of PersonRow tuples, shared by the GUI table model and exports.
PERSON_COLUMNS = (
    "id", "full_name", "search_key", "birth_date", "sex", "cccd", "unit_id", "unit_name", "position",
    "is_party_member", "is_public_servant", "vneid_proficient_on", "vneid_verified_by", "can_guide",
    "people_guided", "under_discipline",
)


class PersonRow(NamedTuple):
    id: int
    full_name: str
    search_key: str
    birth_date: dt.date | None
    sex: str | None
    cccd: str | None
    unit_id: int | None
    unit_name: str | None
    position: str | None
    is_party_member: bool
    is_public_servant: bool
    vneid_proficient_on: dt.date | None
    vneid_verified_by: str | None
    can_guide: bool
    people_guided: int
    under_discipline: bool


_QUICK_UNITS = """
SELECT u.id, u.code, u.name, u.kind, u.parent_id, u.is_party_org, u.households, u.adult_residents,
       (SELECT count(*) FROM person p WHERE p.unit_id = u.id),
       (SELECT count(*) FROM person p WHERE p.unit_id = u.id AND p.is_party_member),
       u.active
FROM unit u {where} ORDER BY u.code
"""

_QUICK_PEOPLE = """
SELECT p.id, p.full_name, p.search_key, p.birth_date, p.sex, p.cccd, p.unit_id, u.name, p.position,
       p.is_party_member, p.is_public_servant, p.vneid_proficient_on, p.vneid_verified_by, p.can_guide,
       p.people_guided, p.under_discipline
FROM person p LEFT OUTER JOIN unit u ON u.id = p.unit_id ORDER BY p.id
"""


def _day(value):
    return dt.date.fromisoformat(value) if value else None


def list_units(db: Database, *, include_inactive: bool = False) -> list[UnitRow]:
    quick = getattr(db, "quick_rows", None)
    rows = quick(_QUICK_UNITS.format(where="" if include_inactive else "WHERE u.active")) if quick else None
    if rows is not None:
        return [UnitRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8], r[9], bool(r[10])) for r in rows]
    from sqlalchemy import func, select  # lazy: start-up

    from bdhvs_desktop.storage.models import Person, Unit  # lazy: start-up

    with db.read() as s:
        counts = dict(
            s.execute(select(Person.unit_id, func.count()).group_by(Person.unit_id)).all()
        )
        party = dict(
            s.execute(
                select(Person.unit_id, func.count()).where(Person.is_party_member.is_(True)).group_by(Person.unit_id)
            ).all()
        )
        query = select(Unit).order_by(Unit.code)
        if not include_inactive:
            query = query.where(Unit.active.is_(True))
        rows = []
        for u in s.scalars(query):
            rows.append(UnitRow(u.id, u.code, u.name, u.kind, u.parent_id, u.is_party_org, u.households,
                                u.adult_residents, counts.get(u.id, 0), party.get(u.id, 0), u.active))
        return rows


def list_people(db: Database) -> list[PersonRow]:
    quick = getattr(db, "quick_rows", None)
    rows = quick(_QUICK_PEOPLE) if quick else None
    if rows is not None:
        return [PersonRow(r[0], r[1], r[2], _day(r[3]), r[4], r[5], r[6], r[7], r[8], bool(r[9]), bool(r[10]),
                          _day(r[11]), r[12], bool(r[13]), r[14] or 0, bool(r[15])) for r in rows]
    from sqlalchemy import select  # lazy: start-up

    from bdhvs_desktop.storage.models import Person, Unit  # lazy: start-up

    with db.read() as s:
        query = (
            select(Person.id, Person.full_name, Person.search_key, Person.birth_date, Person.sex, Person.cccd,
                   Person.unit_id, Unit.name, Person.position, Person.is_party_member, Person.is_public_servant,
                   Person.vneid_proficient_on, Person.vneid_verified_by, Person.can_guide, Person.people_guided,
                   Person.under_discipline)
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .order_by(Person.id)
        )
        return [PersonRow(*row) for row in s.execute(query)]
