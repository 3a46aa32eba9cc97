"""Short lists for the record forms: the active units and people a record can name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class UnitChoice:
    id: int
    code: str
    name: str
    kind: str
    is_party_org: bool


def unit_choices(db: Database) -> list[UnitChoice]:
    with db.read() as s:
        return [UnitChoice(*r) for r in s.execute(
            select(m.Unit.id, m.Unit.code, m.Unit.name, m.Unit.kind, m.Unit.is_party_org)
            .where(m.Unit.active.is_not(False)).order_by(m.Unit.code)).all()]


@dataclass(frozen=True)
class PersonChoice:
    id: int
    full_name: str
    unit_name: str


def person_choices(db: Database, text: str = "", limit: int = 200) -> list[PersonChoice]:
    q = (select(m.Person.id, m.Person.full_name, m.Unit.name).outerjoin(m.Unit, m.Unit.id == m.Person.unit_id)
         .order_by(m.Person.full_name).limit(limit))
    if text.strip():
        q = q.where(m.Person.search_key.contains(fold(text)))
    with db.read() as s:
        return [PersonChoice(i, n, u or "") for i, n, u in s.execute(q).all()]
