"""Reading the award register: one entry, a filtered list, a subject's history (by link,
CCCD or normalised name), one query for a whole council, and the rules "one achievement, one
award" and which awards count toward a later merit award."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain.text import clean, name_key
from bdhvs_desktop.services.awards.common import AlreadyAwarded, AwardError, AwardInfo, _info, _sort_key
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def get_award(db: Database, award_id: int) -> AwardInfo:
    with db.read() as s:
        rec = s.get(m.AwardRecord, award_id)
        if rec is None:
            raise AwardError(f"Không có mục số {award_id} trong sổ khen thưởng.")
        return _info(rec)


def list_awards(db: Database, *, cccd: str | None = None, unit_code: str | None = None,
                campaign_id: int | None = None, year: int | None = None, source: str | None = None,
                text: str | None = None, limit: int | None = None) -> list[AwardInfo]:
    """The register, newest decision first; filters combine. *cccd* / *unit_code* give the same
    history as history() for a subject of the database (by link, CCCD or name)."""
    if cccd:
        return history(db, cccd=cccd)
    if unit_code:
        return history(db, unit_code=unit_code)
    with db.read() as s:
        q = select(m.AwardRecord)
        if campaign_id is not None:
            q = q.where(m.AwardRecord.campaign_id == campaign_id)
        if year is not None:
            q = q.where(m.AwardRecord.decision_date >= dt.date(year, 1, 1),
                        m.AwardRecord.decision_date <= dt.date(year, 12, 31))
        if source:
            q = q.where(m.AwardRecord.source == source)
        if text:
            q = q.where(or_(m.AwardRecord.name_key.like(f"%{name_key(text)}%"),
                            m.AwardRecord.cccd == clean(text), m.AwardRecord.decision_number.like(f"%{clean(text)}%"),
                            m.AwardRecord.subject_name.like(f"%{clean(text)}%")))
        q = q.order_by(m.AwardRecord.decision_date.desc(), m.AwardRecord.id.desc())
        if limit:
            q = q.limit(limit)
        return [_info(r) for r in s.scalars(q)]


@dataclass(frozen=True)
class SubjectRef:
    """A subject to look up: a person or unit of the database, or only text (name / CCCD / unit code)."""

    subject_type: str  # unit | person
    id: int | None = None
    cccd: str | None = None
    name: str | None = None
    unit_code: str | None = None

    @property
    def key(self) -> tuple:
        return (self.subject_type, self.id, self.cccd, name_key(self.name) if self.name else None, self.unit_code)


def _refs_from_db(s: Session, refs: Sequence[SubjectRef]) -> list[SubjectRef]:
    """Fill CCCD / name / unit code of subjects given by id (two queries for the whole list)."""
    pids = [r.id for r in refs if r.subject_type == "person" and r.id is not None]
    uids = [r.id for r in refs if r.subject_type == "unit" and r.id is not None]
    people = {p.id: p for p in s.execute(select(m.Person.id, m.Person.cccd, m.Person.full_name)
                                         .where(m.Person.id.in_(pids)))} if pids else {}
    units = {u.id: u for u in s.execute(select(m.Unit.id, m.Unit.code, m.Unit.name).where(m.Unit.id.in_(uids)))} \
        if uids else {}
    out = []
    for r in refs:
        if r.subject_type == "person" and r.id in people:
            p = people[r.id]
            r = replace(r, cccd=r.cccd or p.cccd, name=r.name or p.full_name)
        elif r.subject_type == "unit" and r.id in units:
            u = units[r.id]
            r = replace(r, unit_code=r.unit_code or u.code, name=r.name or u.name)
        out.append(r)
    return out


def _chunks(items: list, size: int = 400) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def lookup_in_session(s: Session, refs: Sequence[SubjectRef]) -> dict[tuple, list[AwardInfo]]:
    """Every register entry of each subject, keyed by SubjectRef.key: linked by id, or with the same
    CCCD / unit code, or (no CCCD on one side) with the same normalised name. A few indexed queries
    for the whole list, whatever its length."""
    full = _refs_from_db(s, refs)
    pids = {r.id for r in full if r.subject_type == "person" and r.id is not None}
    uids = {r.id for r in full if r.subject_type == "unit" and r.id is not None}
    cccds = {r.cccd for r in full if r.subject_type == "person" and r.cccd}
    codes = {r.unit_code for r in full if r.subject_type == "unit" and r.unit_code}
    names = {name_key(r.name) for r in full if r.name}
    rows: dict[int, m.AwardRecord] = {}
    for column, values in ((m.AwardRecord.person_id, pids), (m.AwardRecord.unit_id, uids),
                           (m.AwardRecord.cccd, cccds), (m.AwardRecord.unit_code, codes),
                           (m.AwardRecord.name_key, names)):
        for chunk in _chunks(sorted(values)):
            for rec in s.scalars(select(m.AwardRecord).where(column.in_(chunk))):
                rows[rec.id] = rec
    by_pid: dict[int, list[m.AwardRecord]] = {}
    by_uid: dict[int, list[m.AwardRecord]] = {}
    by_cccd: dict[str, list[m.AwardRecord]] = {}
    by_code: dict[str, list[m.AwardRecord]] = {}
    by_name: dict[tuple[str, str], list[m.AwardRecord]] = {}
    for rec in rows.values():
        if rec.person_id is not None:
            by_pid.setdefault(rec.person_id, []).append(rec)
        if rec.unit_id is not None:
            by_uid.setdefault(rec.unit_id, []).append(rec)
        if rec.cccd:
            by_cccd.setdefault(rec.cccd, []).append(rec)
        if rec.unit_code:
            by_code.setdefault(rec.unit_code, []).append(rec)
        by_name.setdefault((rec.subject_type, rec.name_key), []).append(rec)
    out: dict[tuple, list[AwardInfo]] = {}
    for orig, r in zip(refs, full):
        found: dict[int, str] = {}
        if r.id is not None:
            for rec in (by_pid if r.subject_type == "person" else by_uid).get(r.id, ()):
                if rec.subject_type == r.subject_type:
                    found.setdefault(rec.id, "link")
        if r.subject_type == "person" and r.cccd:
            for rec in by_cccd.get(r.cccd, ()):
                if rec.subject_type == "person" and (rec.person_id is None or rec.person_id == r.id):
                    found.setdefault(rec.id, "cccd")
        if r.subject_type == "unit" and r.unit_code:
            for rec in by_code.get(r.unit_code, ()):
                if rec.subject_type == "unit" and (rec.unit_id is None or rec.unit_id == r.id):
                    found.setdefault(rec.id, "cccd")
        if r.name:
            for rec in by_name.get((r.subject_type, name_key(r.name)), ()):
                # A name matches only an entry that is not already someone else's (link or CCCD).
                linked_elsewhere = (rec.person_id if r.subject_type == "person" else rec.unit_id) not in (None, r.id)
                other_id = (r.subject_type == "person" and rec.cccd and r.cccd and rec.cccd != r.cccd) or (
                    r.subject_type == "unit" and rec.unit_code and r.unit_code and rec.unit_code != r.unit_code)
                if not linked_elsewhere and not other_id:
                    found.setdefault(rec.id, "name")
        out[orig.key] = sorted((_info(rows[i], how) for i, how in found.items()), key=_sort_key, reverse=True)
    return out


def lookup_many(db: Database, refs: Sequence[SubjectRef]) -> dict[tuple, list[AwardInfo]]:
    with db.read() as s:
        return lookup_in_session(s, refs)


def history(db: Database, *, person_id: int | None = None, unit_id: int | None = None, cccd: str | None = None,
            unit_code: str | None = None, name: str | None = None) -> list[AwardInfo]:
    """One subject's awards, newest first. A CCCD or unit code of the database stands for that
    person or unit (so its linked entries are found too)."""
    with db.read() as s:
        if cccd and person_id is None:
            person_id = s.scalar(select(m.Person.id).where(m.Person.cccd == rules.normal_cccd(cccd)))
        if unit_code and unit_id is None:
            unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == clean(unit_code)))
        if person_id is not None or cccd:
            ref = SubjectRef("person", id=person_id, cccd=rules.normal_cccd(cccd), name=name)
        elif unit_id is not None or unit_code:
            ref = SubjectRef("unit", id=unit_id, unit_code=clean(unit_code) or None, name=name)
        elif name:
            ref = SubjectRef("person", name=name)
        else:
            raise AwardError("Cần cho biết cá nhân (CCCD) hoặc đơn vị (mã) cần xem.")
        return lookup_in_session(s, [ref])[ref.key]


def merit_award_count(db: Database, *, person_id: int | None = None, unit_id: int | None = None,
                      since: dt.date | None = None, min_level: str | None = None) -> int:
    """The subject's awards that count toward a merit proposal (thematic and ad hoc ones do not;
    Decree 152/2025, Art. 4)."""
    found = history(db, person_id=person_id, unit_id=unit_id)
    return rules.count_merit_awards([a.fact() for a in found], since=since, min_level=min_level)


def check_not_awarded(s: Session, *, subject_type: str, subject_id: int, campaign_id: int, level: str,
                      subject_name: str) -> None:
    """Raise AlreadyAwarded if the subject already has this campaign's award at *level* or higher.
    Only entries linked to the subject or carrying its CCCD / unit code count: a namesake's award
    (matched by name only) is shown in the history but never refuses a proposal."""
    ref = SubjectRef(subject_type, id=subject_id)
    found = [a for a in lookup_in_session(s, [ref])[ref.key] if a.match != "name"]
    blocking = rules.blocking_award([a.fact() for a in found], campaign_id, level)
    if blocking is not None:
        raise AlreadyAwarded(rules.one_award_message(subject_name, blocking), blocking.id)


def carried_award(s: Session, *, subject_type: str, subject_id: int, campaign_id: int,
                  level: str) -> AwardInfo | None:
    """The same campaign's lower-level award a proposal at *level* carries (e.g. the ward's Giấy khen
    under a province-level proposal), or None."""
    ref = SubjectRef(subject_type, id=subject_id)
    found = [a for a in lookup_in_session(s, [ref])[ref.key] if a.match != "name"]  # never a namesake's
    fact = rules.carried_award([a.fact() for a in found], campaign_id, level)
    return next((a for a in found if fact is not None and a.id == fact.id), None)
