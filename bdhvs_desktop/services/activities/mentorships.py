"""“Đại sứ số” mentorships: who guides whom (a person or just a name), per model, and each
mentor's summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.activities.common import RecordKind, _Check, _may_edit, _text
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def add_mentorship(db: Database, mentor_id: int, mentee_name: str, *, mentee_person_id: int | None = None,
                   model_id: int | None = None, started_on: dt.date | None = None, note: str | None = None) -> int:
    _may_edit(db, "ghi người được Đại sứ số hướng dẫn")
    with db.session() as s:
        check = _Check()
        if s.get(m.Person, mentor_id) is None:
            check.fail("mentor_id", f"Đại sứ số: không có người mã số {mentor_id}.")
        name = _text(mentee_name)
        if not name:
            check.fail("mentee_name", "Người được hướng dẫn: chưa nhập tên.")
        if mentee_person_id is not None and mentee_person_id == mentor_id:
            check.fail("mentee_person_id", "Người được hướng dẫn không thể là chính đại sứ số.")
        if model_id is not None and s.get(m.DigitalModel, model_id) is None:
            check.fail("model_id", f"Mô hình: không có mô hình mã số {model_id}.")
        check.done()
        obj = m.Mentorship(mentor_id=mentor_id, mentee_name=name, mentee_person_id=mentee_person_id,
                           model_id=model_id, started_on=started_on, note=_text(note))
        s.add(obj)
        s.flush()
        audit.record(s, user=db.user, action="create", entity="mentorship", entity_id=obj.id,
                     new={"mentor_id": mentor_id, "mentee_name": name, "started_on": started_on})
        return obj.id


#: What a deletion's audit entry keeps of a mentorship.
_MENTORSHIP = RecordKind(m.Mentorship, "mentorship", "người được hướng dẫn", ("mentor_id", "mentee_name"))


def delete_mentorship(db: Database, mentorship_id: int) -> None:
    _MENTORSHIP.delete(db, mentorship_id, None, action="xóa người được Đại sứ số hướng dẫn", note=None)


@dataclass(frozen=True)
class MentorshipRow:
    id: int
    mentor_id: int
    mentor_name: str
    mentor_unit: str
    mentee_name: str
    mentee_person_id: int | None
    model_id: int | None
    model_code: str
    started_on: dt.date | None
    note: str


@dataclass(frozen=True)
class MentorSummary:
    mentor_id: int
    mentor_name: str
    mentor_unit: str
    mentees: int
    first_started: dt.date | None


def list_mentorships(db: Database) -> list[MentorshipRow]:
    mentor = m.Person.__table__.alias("mentor")
    q = (select(m.Mentorship.id, m.Mentorship.mentor_id, mentor.c.full_name, m.Unit.name, m.Mentorship.mentee_name,
                m.Mentorship.mentee_person_id, m.Mentorship.model_id, m.DigitalModel.code, m.Mentorship.started_on,
                m.Mentorship.note)
         .join(mentor, mentor.c.id == m.Mentorship.mentor_id)
         .outerjoin(m.Unit, m.Unit.id == mentor.c.unit_id)
         .outerjoin(m.DigitalModel, m.DigitalModel.id == m.Mentorship.model_id)
         .order_by(mentor.c.full_name, m.Mentorship.id))
    with db.read() as s:
        return [MentorshipRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7] or "", r[8], r[9] or "")
                for r in s.execute(q).all()]


def mentor_summaries(db: Database) -> list[MentorSummary]:
    """One row per "Đại sứ số" mentor: how many people they guide."""
    out: dict[int, list[MentorshipRow]] = {}
    for row in list_mentorships(db):
        out.setdefault(row.mentor_id, []).append(row)
    result = []
    for rows in out.values():
        starts = [r.started_on for r in rows if r.started_on]
        result.append(MentorSummary(rows[0].mentor_id, rows[0].mentor_name, rows[0].mentor_unit, len(rows),
                                    min(starts) if starts else None))
    return result
