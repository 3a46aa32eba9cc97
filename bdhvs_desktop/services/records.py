"""Read models of the records for lists and trees: plain rows, never live ORM objects.

The people list is read with one SQL statement into tuples, so 50,000 rows load fast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.models import Person, Unit


@dataclass(frozen=True, slots=True)
class UnitRow:
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


@dataclass(frozen=True, slots=True)
class PersonRow:
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


def list_units(db: Database, *, include_inactive: bool = False) -> list[UnitRow]:
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
