"""Finding a record by what a user types (a CCCD, a unit code, a criterion code, an award form
code) for the command line and the dialogs, so that neither names a SQLAlchemy query or an ORM
model (issue #12: no SQLAlchemy type crosses into gui/ or cli/). Each function reads in its own
session and returns plain values, or None when nothing matches: the caller words the message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def unit_id_by_code(db: Database, code: str | None) -> int | None:
    """The unit whose code is `code` (surrounding spaces ignored)."""
    text = (code or "").strip()
    if not text:
        return None
    with db.read() as s:
        return s.scalar(select(m.Unit.id).where(m.Unit.code == text))


def person_id_by_cccd(db: Database, cccd: str | None) -> int | None:
    """The person whose CCCD is `cccd` (surrounding spaces ignored)."""
    text = (cccd or "").strip()
    if not text:
        return None
    with db.read() as s:
        return s.scalar(select(m.Person.id).where(m.Person.cccd == text))


def person_id_by_reference(db: Database, text: str | None) -> int | None:
    """A person by CCCD, or by the "ID-<number>" the lists show for a person without one."""
    text = (text or "").strip()
    pid = person_id_by_cccd(db, text)
    if pid is None and text.upper().startswith("ID-") and text[3:].isdigit():
        with db.read() as s:
            pid = s.scalar(select(m.Person.id).where(m.Person.id == int(text[3:])))
    return pid


def criterion_by_code(db: Database, code: str, subject_kinds: tuple[str, ...]) -> tuple[int, str] | None:
    """(id, type) of the criterion `code` in a criteria set for one of `subject_kinds`."""
    with db.read() as s:
        row = s.execute(select(m.Criterion.id, m.Criterion.type).join(m.CriteriaSet)
                        .where(m.Criterion.code == code, m.CriteriaSet.subject_kind.in_(subject_kinds))).first()
    return None if row is None else (row[0], row[1])


def register_subject(db: Database, subject_type: str, subject_id: int) -> dict[str, Any]:
    """The fields an award register entry takes from a person or unit of the ward: name, CCCD,
    unit, position and the link ({} when the record is gone)."""
    with db.read() as s:
        if subject_type == "person":
            p = s.get(m.Person, subject_id)
            if p is None:
                return {}
            return {"subject_type": "person", "subject_name": p.full_name, "cccd": p.cccd, "person_id": p.id,
                    "unit_name": p.unit.name if p.unit else None, "position": p.position}
        u = s.get(m.Unit, subject_id)
        if u is None:
            return {}
        return {"subject_type": "unit", "subject_name": u.name, "unit_code": u.code, "unit_id": u.id,
                "unit_name": u.name}


def award_form(db: Database, code: str | None) -> dict[str, Any] | None:
    """{code, name, issuer, level} of the award form `code` in the catalogue."""
    if not code:
        return None
    with db.read() as s:
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == code))
        return None if form is None else {"code": form.code, "name": form.name, "issuer": form.issuer,
                                          "level": form.level}


def first_campaign(db: Database) -> dict[str, Any] | None:
    """{id, name} of the campaign this database records (the first one)."""
    with db.read() as s:
        c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
        return None if c is None else {"id": c.id, "name": c.name}
