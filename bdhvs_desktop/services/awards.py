"""The award register (sổ theo dõi khen thưởng): every award issued by a decision made here,
imported from an older Excel book, or typed in.

    aid = add_award(db, AwardData(subject_type="person", subject_name="Nguyễn Thị Hoà", cccd="0681…",
                                  award_name="Giấy khen…", level="ward", kind="campaign", …))
    update_award(db, aid, data, version)            # optimistic: a colleague's newer save is kept
    delete_award(db, aid, version)
    list_awards(db, cccd="0681…") / list_awards(db, unit_code="DT-DTN")
    history(db, person_id=3) / history(db, unit_id=5)    # by link, CCCD or normalised name
    lookup_many(db, [SubjectRef(...), ...])              # one query for a whole council
    merit_award_count(db, person_id=3)                   # thematic and ad hoc awards not counted
    check_not_awarded(session, ...)                      # "one achievement, one award"

Every change is audited (services/audit.py) in the same transaction. Other modules
(certificates, ceremony, statistics) read the register through list_awards / AwardInfo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import clean, name_key
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import Conflict, Invalid, ServiceError, conflict_now, values_of
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

STALE_MESSAGE = ("Mục này trong sổ khen thưởng vừa được người khác sửa trên máy khác; dữ liệu của bạn chưa bị "
                 "mất. Hãy tải lại rồi sửa lại.")


class AwardError(ServiceError):
    """A register action the user must correct; the message is Vietnamese."""


class AwardValidationError(AwardError, Invalid):
    """{field: message} (`errors`) the register's form shows next to each field."""

    def __init__(self, errors: dict[str, str]):
        Invalid.__init__(self, errors)


class AwardConcurrentEdit(AwardError, Conflict):
    """Someone else changed the register entry since it was read (mine/theirs)."""


class AlreadyAwarded(AwardError):
    """One achievement, one award: the message names the earlier decision."""

    def __init__(self, message: str, award_id: int):
        self.award_id = award_id
        super().__init__(message)


@dataclass(frozen=True)
class AwardData:
    """One register entry as a form or an import row gives it."""

    subject_type: str  # unit | person
    subject_name: str
    award_name: str
    level: str  # vocab.AwardLevel
    kind: str  # vocab.AwardKind
    decision_number: str | None
    decision_date: dt.date | None
    cccd: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    position: str | None = None
    award_code: str | None = None
    granting_authority: str | None = None
    campaign_id: int | None = None
    campaign_text: str | None = None
    achievement: str | None = None
    prize_amount: int | None = None
    note: str | None = None
    source: str = vocab.AwardSource.TYPED.value
    # Links, when known; otherwise found from the CCCD / unit code.
    person_id: int | None = None
    unit_id: int | None = None
    candidate_id: int | None = None


@dataclass(frozen=True)
class AwardInfo:
    id: int
    version: int
    subject_type: str
    subject_name: str
    cccd: str | None
    unit_code: str | None
    unit_name: str | None
    position: str | None
    person_id: int | None
    unit_id: int | None
    award_code: str | None
    award_name: str
    level: str
    level_label: str
    granting_authority: str | None
    decision_number: str | None
    decision_date: dt.date | None
    kind: str
    kind_label: str
    campaign_id: int | None
    campaign_text: str | None
    achievement: str | None
    prize_amount: int | None
    source: str
    source_label: str
    candidate_id: int | None
    note: str | None
    #: How this entry was matched to the subject asked about: "link" | "cccd" | "name" | "".
    match: str = ""

    @property
    def decision_ref(self) -> str:
        return rules.decision_ref(self.decision_number, self.decision_date, self.granting_authority)

    @property
    def counts_toward_merit(self) -> bool:
        return self.kind in rules.MERIT_RELEVANT_KINDS

    def fact(self) -> rules.AwardFact:
        return rules.AwardFact(id=self.id, award_name=self.award_name, level=self.level, kind=self.kind,
                               campaign_id=self.campaign_id, decision_number=self.decision_number,
                               decision_date=self.decision_date, granting_authority=self.granting_authority)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["decision_date"] = self.decision_date.isoformat() if self.decision_date else None
        d["decision_ref"] = self.decision_ref
        d["counts_toward_merit"] = self.counts_toward_merit
        return d


def _label(mapping: dict, code: str) -> str:
    for k, v in mapping.items():
        if k.value == code:
            return v
    return code


def _info(r: m.AwardRecord, match: str = "") -> AwardInfo:
    return AwardInfo(
        id=r.id, version=r.version, subject_type=r.subject_type, subject_name=r.subject_name, cccd=r.cccd,
        unit_code=r.unit_code, unit_name=r.unit_name, position=r.position, person_id=r.person_id,
        unit_id=r.unit_id, award_code=r.award_code, award_name=r.award_name, level=r.level,
        level_label=_label(vocab.AWARD_LEVEL_LABELS, r.level), granting_authority=r.granting_authority,
        decision_number=r.decision_number, decision_date=r.decision_date, kind=r.kind,
        kind_label=_label(vocab.AWARD_KIND_LABELS, r.kind), campaign_id=r.campaign_id,
        campaign_text=r.campaign_text, achievement=r.achievement, prize_amount=r.prize_amount, source=r.source,
        source_label=_label(vocab.AWARD_SOURCE_LABELS, r.source), candidate_id=r.candidate_id, note=r.note,
        match=match)


def _sort_key(a: AwardInfo) -> tuple:
    return (a.decision_date or dt.date.min, a.id)


# --------------------------------------------------------------------------- writing


def _normalise(data: AwardData) -> AwardData:
    def txt(v: str | None) -> str | None:
        return clean(v) or None

    return replace(data, subject_name=clean(data.subject_name), award_name=clean(data.award_name),
                   cccd=rules.normal_cccd(data.cccd), unit_code=txt(data.unit_code), unit_name=txt(data.unit_name),
                   position=txt(data.position), award_code=txt(data.award_code),
                   granting_authority=txt(data.granting_authority), decision_number=txt(data.decision_number),
                   campaign_text=txt(data.campaign_text), achievement=(data.achievement or "").strip() or None,
                   note=(data.note or "").strip() or None, level=clean(data.level), kind=clean(data.kind))


def validate(s: Session, data: AwardData, today: dt.date | None = None) -> dict[str, str]:
    """Field -> Vietnamese message (empty when the entry can be saved)."""
    errors = rules.validate_award(
        subject_type=data.subject_type, subject_name=data.subject_name, cccd=data.cccd, award_name=data.award_name,
        level=data.level, kind=data.kind, decision_number=data.decision_number, decision_date=data.decision_date,
        campaign_id=data.campaign_id, campaign_text=data.campaign_text, prize_amount=data.prize_amount,
        today=today or dt.date.today())
    if data.source not in {x.value for x in vocab.AwardSource}:
        errors["source"] = f"Nguồn “{data.source}” không hợp lệ."
    if data.person_id is not None and s.get(m.Person, data.person_id) is None:
        errors["person_id"] = f"Không tìm thấy cá nhân số {data.person_id}."
    if data.unit_id is not None and s.get(m.Unit, data.unit_id) is None:
        errors["unit_id"] = f"Không tìm thấy đơn vị số {data.unit_id}."
    if data.campaign_id is not None and s.get(m.Campaign, data.campaign_id) is None:
        errors["campaign"] = f"Không tìm thấy phong trào số {data.campaign_id}."
    if data.subject_type == "person" and data.cccd and "cccd" not in errors:
        p = s.scalar(select(m.Person).where(m.Person.cccd == data.cccd))
        if p is not None and not rules.same_subject(cccd_a=None, name_a=p.full_name, cccd_b=None,
                                                    name_b=data.subject_name):
            errors["cccd"] = (f"Số CCCD {data.cccd} thuộc về {p.full_name} trong cơ sở dữ liệu, không phải "
                              f"“{data.subject_name}”; kiểm tra lại số CCCD hoặc họ tên.")
    if data.subject_type == "unit" and data.unit_code and "unit_code" not in errors:
        if s.scalar(select(m.Unit.id).where(m.Unit.code == data.unit_code)) is None and data.unit_id is None:
            # An older award may concern a unit that is not in the database: keep the text only.
            pass
    return errors


def _resolve_links(s: Session, data: AwardData) -> AwardData:
    """Link the entry to the person / unit of the database when the CCCD or unit code says who it is."""
    person_id, unit_id = data.person_id, data.unit_id
    if data.subject_type == "person" and person_id is None and data.cccd:
        person_id = s.scalar(select(m.Person.id).where(m.Person.cccd == data.cccd))
    if data.subject_type == "unit" and unit_id is None and data.unit_code:
        unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == data.unit_code))
    if data.subject_type == "unit" and unit_id is None and not data.unit_code:
        found = [u for u in s.scalars(select(m.Unit).where(m.Unit.name == data.subject_name))]
        if len(found) == 1:
            unit_id = found[0].id
    cccd, unit_code = data.cccd, data.unit_code
    if person_id is not None and not cccd:
        cccd = s.scalar(select(m.Person.cccd).where(m.Person.id == person_id))
    if unit_id is not None and not unit_code:
        unit_code = s.scalar(select(m.Unit.code).where(m.Unit.id == unit_id))
    return replace(data, person_id=person_id, unit_id=unit_id, cccd=cccd, unit_code=unit_code)


_COLUMNS = ("subject_type", "subject_name", "cccd", "unit_code", "unit_name", "position", "award_code",
            "award_name", "level", "granting_authority", "decision_number", "decision_date", "kind",
            "campaign_id", "campaign_text", "achievement", "prize_amount", "source", "note", "person_id",
            "unit_id", "candidate_id")


def _award_form_id(s: Session, code: str | None) -> int | None:
    if not code:
        return None
    return s.scalar(select(m.AwardForm.id).where(m.AwardForm.code == code))


def add_in_session(s: Session, data: AwardData, *, user: str | None, today: dt.date | None = None,
                   note: str | None = None) -> m.AwardRecord:
    """Add one entry in the caller's transaction (the decision uses this): validated, linked, audited."""
    data = _resolve_links(s, _normalise(data))
    errors = validate(s, data, today)
    if errors:
        raise AwardValidationError(errors)
    values = {k: getattr(data, k) for k in _COLUMNS}
    rec = m.AwardRecord(**values, name_key=name_key(data.subject_name), award_form_id=_award_form_id(s, data.award_code),
                        created_by=user)
    s.add(rec)
    s.flush()
    audit.record(s, user=user, action="create", entity="award_record", entity_id=rec.id,
                 new={k: values[k] for k in ("subject_name", "cccd", "unit_code", "award_name", "level", "kind",
                                             "decision_number", "decision_date", "source")},
                 note=note or f"Sổ khen thưởng: {data.subject_name} – {data.award_name}",
                 chained=data.source == vocab.AwardSource.ISSUED.value)
    return rec


def add_award(db: Database, data: AwardData) -> int:
    """Add one entry (typed in); returns its id. Raises AwardValidationError; nothing is written then."""
    require_role(db, "secretary", action="ghi sổ khen thưởng")
    with db.session() as s:
        return add_in_session(s, data, user=db.user).id


def update_award(db: Database, award_id: int, data: AwardData, version: int) -> int:
    """Change an entry; *version* is the one read. An entry recorded by a decision made here keeps
    its subject, award and decision (they are the decision's); returns the new version."""
    require_role(db, "secretary", action="sửa sổ khen thưởng")
    mine = {k: getattr(data, k) for k in _COLUMNS}
    try:
        with db.session() as s:
            rec = s.get(m.AwardRecord, award_id)
            if rec is None or rec.version != version:
                raise _conflict(rec, award_id, mine)
            data = _resolve_links(s, _normalise(replace(data, source=rec.source, candidate_id=rec.candidate_id)))
            errors = validate(s, data)
            if errors:
                raise AwardValidationError(errors)
            values = {k: getattr(data, k) for k in _COLUMNS}
            if rec.source == vocab.AwardSource.ISSUED.value:
                fixed = ("subject_type", "subject_name", "award_name", "level", "decision_number", "decision_date",
                         "kind", "campaign_id", "person_id", "unit_id")
                changed = [k for k in fixed if getattr(rec, k) != values[k]]
                if changed:
                    raise AwardError("Mục này ghi theo quyết định khen thưởng đã ban hành trong chương trình; "
                                     "không sửa được người, hình thức, cấp, số và ngày quyết định.")
            changes = {k: (getattr(rec, k), v) for k, v in values.items() if getattr(rec, k) != v}
            for k, (_old, new) in changes.items():
                setattr(rec, k, new)
            if "subject_name" in changes:
                rec.name_key = name_key(rec.subject_name)
            if "award_code" in changes:
                rec.award_form_id = _award_form_id(s, rec.award_code)
            audit.record_changes(s, user=db.user, entity="award_record", entity_id=rec.id, changes=changes)
            s.flush()
            return rec.version
    except StaleDataError as exc:
        raise conflict_now(db, m.AwardRecord, award_id, mine, message=STALE_MESSAGE,
                           conflict=AwardConcurrentEdit) from exc


def delete_award(db: Database, award_id: int, version: int) -> None:
    require_role(db, "secretary", action="xóa mục trong sổ khen thưởng")
    mine = {"version": version}  # a delete types nothing: the version this user read and meant to delete
    try:
        with db.session() as s:
            rec = s.get(m.AwardRecord, award_id)
            if rec is None or rec.version != version:
                raise _conflict(rec, award_id, mine)
            if rec.source == vocab.AwardSource.ISSUED.value:
                raise AwardError("Mục này ghi theo quyết định khen thưởng đã ban hành trong chương trình; "
                                 "không xóa được.")
            audit.record(s, user=db.user, action="delete", entity="award_record", entity_id=rec.id,
                         old=_info(rec).as_dict(), note=f"Xóa khỏi sổ khen thưởng: {rec.subject_name}")
            s.delete(rec)
    except StaleDataError as exc:
        raise conflict_now(db, m.AwardRecord, award_id, mine, message=STALE_MESSAGE,
                           conflict=AwardConcurrentEdit) from exc


def _conflict(rec: m.AwardRecord | None, award_id: int, mine: dict) -> AwardConcurrentEdit:
    """The entry was changed (or deleted) since it was read: what the user meant vs what is stored."""
    return AwardConcurrentEdit(STALE_MESSAGE, entity="award_record", entity_id=award_id, mine=mine,
                               theirs=None if rec is None else values_of(rec, mine),
                               current_version=None if rec is None else rec.version, deleted=rec is None)


# --------------------------------------------------------------------------- reading


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


# --------------------------------------------------------------------------- rules


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


# --------------------------------------------------------------------------- Excel


@dataclass
class ImportSummary:
    """What an import did (or would do with dry_run). Messages name the sheet, row and column."""

    added: int = 0
    skipped: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    def status_line(self) -> str:
        if self.errors:
            return (f"Có {len(self.errors)} lỗi, {len(self.warnings)} cảnh báo: KHÔNG ghi gì vào sổ khen thưởng. "
                    "Hãy sửa tệp rồi nhập lại.")
        if self.dry_run:
            return f"Kiểm tra xong (chưa ghi): {self.added} khen thưởng sẽ được thêm, {self.skipped} đã có sẵn."
        if not self.added:
            return "Không có khen thưởng mới nào để thêm (các dòng đã có trong sổ)."
        return f"Đã thêm {self.added} khen thưởng vào sổ ({self.skipped} đã có sẵn, {len(self.warnings)} cảnh báo)."


def _where(sheet: str, row: int | None, column: str | None) -> str:
    parts = [f"trang {sheet}"]
    if row:
        parts.append(f"dòng {row}")
    if column:
        parts.append(f"cột \"{column}\"")
    return ", ".join(parts)


def _parse_cell(c, raw, epoch):  # noqa: ANN001, ANN202
    from bdhvs_desktop.documents import awards_excel as ax
    from bdhvs_desktop.domain import rules as record_rules
    from bdhvs_desktop.domain import values as V

    if c.kind == "text":
        value = V.parse_text(raw, max_length=c.max_length)
        problem = record_rules.hidden_character_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value
    if c.kind == "date":
        return record_rules.date_cell(raw, epoch=epoch)
    if c.kind == "int":
        return V.parse_int(raw, minimum=0, maximum=10_000_000_000)
    if c.kind == "cccd":
        return V.parse_cccd_digits(raw)
    if c.kind == "choice":
        labels = {"subject_type": ax.SUBJECT_LABELS,
                  "level": {k.value: v for k, v in vocab.AWARD_LEVEL_LABELS.items()},
                  "kind": {k.value: v for k, v in vocab.AWARD_KIND_LABELS.items()}}[c.key]
        return V.parse_choice(raw, labels)
    raise ValueError(f"kiểu cột không rõ: {c.kind}")  # pragma: no cover


def import_awards(db: Database, path, *, dry_run: bool = False, today: dt.date | None = None) -> ImportSummary:  # noqa: ANN001
    """Import older awards from the "KhenThuong" sheet: all rows or none. A row already in the
    register (same subject, award, decision number and date) is skipped with a warning, so a
    file can be imported twice. Raises excel_io.UnusableFile for an unusable file."""
    from bdhvs_desktop.documents import awards_excel as ax
    from bdhvs_desktop.documents import excel_io as xio
    from bdhvs_desktop.domain.text import fold

    if not dry_run:
        require_role(db, "secretary", action="nhập sổ khen thưởng từ Excel")
    today = today or dt.date.today()
    summary = ImportSummary(dry_run=dry_run)
    sheet, other, epoch = ax.read_awards_sheet(path)
    name = ax.AWARDS.name
    if sheet is None:
        summary.errors.append(f"Lỗi: tệp không có trang “{name}” (sổ khen thưởng). Các trang có trong tệp: "
                              f"{', '.join(other) or 'không có'}. Tạo tệp mẫu bằng “bdhvs awards template”.")
        return summary
    for title in other:
        summary.warnings.append(f"Cảnh báo: trang “{title}” không thuộc mẫu sổ khen thưởng nên được bỏ qua.")
    if not sheet.header_row:
        summary.errors.append(f"Lỗi ({_where(name, 1, None)}): không tìm thấy dòng tiêu đề. Các cột của trang này: "
                              + ", ".join(ax.AWARDS.headers) + ".")
        return summary
    for c in sheet.missing:
        if c.required:
            summary.errors.append(f"Lỗi ({_where(name, sheet.header_row, None)}): thiếu cột bắt buộc "
                                  f"\"{c.header}\".")
    for index, header in sheet.duplicate_headers:
        summary.errors.append(f"Lỗi ({_where(name, sheet.header_row, None)}): cột \"{header}\" xuất hiện hai lần "
                              f"(cột {index}).")
    for index, header in sheet.unknown_headers:
        summary.warnings.append(f"Cảnh báo ({_where(name, sheet.header_row, None)}): cột {index} (\"{header}\") "
                                "không thuộc mẫu nên được bỏ qua.")
    if summary.errors:
        return summary

    def err(row: int, key: str | None, message: str) -> None:
        col = ax.AWARDS.column(key).header if key and key in {c.key for c in ax.AWARDS.columns} else None
        summary.errors.append(f"Lỗi ({_where(name, row, col)}): {message}")

    column_of = {"subject_name": "subject_name", "cccd": "cccd", "award_name": "award_name", "level": "level",
                 "kind": "kind", "decision_number": "decision_number", "decision_date": "decision_date",
                 "campaign": "campaign_text", "prize_amount": "prize_amount", "subject_type": "subject_type",
                 "person_id": "cccd", "unit_id": "unit_code", "source": None}
    parsed: list[tuple[int, AwardData]] = []
    with db.read() as s:
        campaign = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
        campaign_keys = set()
        if campaign is not None:
            title = ((campaign.details or {}).get("dossier") or {}).get("campaign_title") or ""
            campaign_keys = {fold(x) for x in (campaign.name, campaign.code, title) if x}
        seen: dict[tuple, int] = {}
        for row, values in sheet.rows:
            if xio.is_example_row(ax.AWARDS, [values[sheet.positions[c.key]] if c.key in sheet.positions
                                                 and sheet.positions[c.key] < len(values) else None
                                                 for c in ax.AWARDS.columns]):
                summary.warnings.append(f"Cảnh báo ({_where(name, row, None)}): dòng ví dụ của tệp mẫu được bỏ qua.")
                continue
            summary.rows += 1
            cells: dict = {}
            ok = True
            for c in ax.AWARDS.columns:
                pos = sheet.positions.get(c.key)
                if pos is None:
                    continue
                raw = values[pos] if pos < len(values) else None
                if raw is None and (row, pos + 1) in sheet.formula_cells:
                    err(row, c.key, "ô có công thức nhưng chưa có giá trị đã tính; hãy mở tệp bằng Excel rồi lưu lại.")
                    ok = False
                    continue
                try:
                    value = _parse_cell(c, raw, epoch)
                except ValueError as exc:
                    err(row, c.key, str(exc))
                    ok = False
                    continue
                if value is None and c.required:
                    err(row, c.key, f"thiếu \"{c.header}\" (bắt buộc).")
                    ok = False
                    continue
                cells[c.key] = value
            if not ok:
                continue
            campaign_text = cells.get("campaign_text")
            campaign_id = None
            if campaign is not None and campaign_text and fold(campaign_text) in campaign_keys:
                campaign_id = campaign.id
            data = _normalise(AwardData(
                subject_type=cells["subject_type"], subject_name=cells["subject_name"],
                award_name=cells["award_name"], level=cells["level"], kind=cells["kind"],
                decision_number=str(cells["decision_number"]), decision_date=cells["decision_date"],
                cccd=cells.get("cccd"), unit_code=cells.get("unit_code"), unit_name=cells.get("unit_name"),
                position=cells.get("position"), award_code=cells.get("award_code"),
                granting_authority=cells.get("granting_authority"), campaign_id=campaign_id,
                campaign_text=campaign_text, achievement=cells.get("achievement"),
                prize_amount=cells.get("prize_amount"), source=vocab.AwardSource.IMPORTED.value))
            if data.subject_type == "person" and data.unit_code:
                # For a person the unit code is their unit, not the subject: keep it as text only.
                unit = s.scalar(select(m.Unit).where(m.Unit.code == data.unit_code))
                data = replace(data, unit_code=None, unit_name=data.unit_name or (unit.name if unit else data.unit_code))
            data = _resolve_links(s, data)
            problems = validate(s, data, today)
            if data.decision_date and data.decision_date > today:
                problems["decision_date"] = (f"ngày quyết định {data.decision_date:%d/%m/%Y} ở tương lai (hôm nay là "
                                             f"{today:%d/%m/%Y}).")
            if problems:
                for key, message in problems.items():
                    err(row, column_of.get(key, key), message)
                continue
            ident = (data.subject_type, data.cccd or name_key(data.subject_name), fold(data.award_name),
                     fold(data.decision_number or ""), data.decision_date)
            if ident in seen:
                err(row, None, f"trùng với dòng {seen[ident]} (cùng đối tượng, hình thức, số và ngày quyết định).")
                continue
            seen[ident] = row
            existing = s.scalar(select(m.AwardRecord.id).where(
                m.AwardRecord.subject_type == data.subject_type,
                m.AwardRecord.decision_number == data.decision_number,
                m.AwardRecord.decision_date == data.decision_date,
                (m.AwardRecord.cccd == data.cccd) if data.cccd else (m.AwardRecord.name_key == name_key(data.subject_name)),
            ).limit(1))
            if existing is not None:
                summary.skipped += 1
                summary.warnings.append(f"Cảnh báo ({_where(name, row, None)}): {data.subject_name} – "
                                        f"{data.award_name}, Quyết định số {data.decision_number} đã có trong sổ "
                                        f"(mục số {existing}); bỏ qua.")
                continue
            parsed.append((row, data))
    summary.added = len(parsed)
    if summary.errors or dry_run:
        if summary.errors:
            summary.added = 0
        return summary
    with db.session() as s:
        for _row, data in parsed:
            add_in_session(s, data, user=db.user, today=today,
                           note=f"Nhập sổ khen thưởng từ {Path(path).name}")
        audit.record(s, user=db.user, action="import", entity="award_record",
                     note=f"Nhập {len(parsed)} khen thưởng từ tệp {Path(path).name}")
    summary.written = True
    return summary


def register_findings(db: Database) -> list[tuple[str, str]]:
    """`bdhvs check` on the register: (level, Vietnamese message) pairs.

    An entry "issued here" must belong to a candidate in the "issued" state (the decision sets
    both in one transaction); a candidate sent up by the final dossier while a decision for the
    same award form is already in the register is reported so the office enters its decision."""
    issued = vocab.AwardSource.ISSUED.value
    out: list[tuple[str, str]] = []
    with db.read() as s:
        records = list(s.scalars(select(m.AwardRecord).order_by(m.AwardRecord.id)))
        if not records:
            return out
        here = [r for r in records if r.source == issued]
        bad = 0
        for r in here:
            ref = f"mục số {r.id} ({r.subject_name}, Quyết định số {r.decision_number or '…'})"
            if r.candidate_id is None:
                out.append(("warning", (f"Sổ khen thưởng: {ref} ghi là quyết định lập tại đây nhưng không còn hồ sơ "
                                       "đề nghị nào gắn với mục này.")))
                bad += 1
                continue
            cand = s.get(m.Candidate, r.candidate_id)
            if cand is not None and cand.status != vocab.CandidateStatus.ISSUED:
                label = vocab.CANDIDATE_STATUS_LABELS.get(vocab.CandidateStatus(cand.status), cand.status) \
                    if cand.status in {x.value for x in vocab.CandidateStatus} else cand.status
                out.append(("error", (f"Sổ khen thưởng: {ref} là khen thưởng của hồ sơ đề nghị số {cand.id}, nhưng hồ "
                                     f"sơ này đang ở trạng thái “{label}”, không phải đã có quyết định khen thưởng.")))
                bad += 1
        decided_forms: dict[int, str] = {}
        for r in here:
            if r.award_form_id is not None and r.decision_number:
                decided_forms.setdefault(r.award_form_id, r.decision_number)
        in_register = {r.candidate_id for r in records if r.candidate_id is not None}
        waiting = [c for c in s.scalars(select(m.Candidate).where(m.Candidate.status == vocab.CandidateStatus.ISSUED)
                                        .order_by(m.Candidate.id))
                   if c.id not in in_register and c.award_form_id in decided_forms]
        for c in waiting:
            name = c.unit.name if c.subject_type == "unit" and c.unit else (c.person.full_name if c.person else "")
            out.append(("warning", (f"Hồ sơ đề nghị số {c.id} ({name}, {c.award_form.name}) đã lập hồ sơ trình khen "
                                   f"thưởng nhưng chưa có trong sổ khen thưởng, dù hình thức này đã có Quyết định số "
                                   f"{decided_forms[c.award_form_id]}: nhập số quyết định của hồ sơ này (bdhvs "
                                   "decision issue) hoặc kiểm tra lại.")))
        if not bad and not waiting:
            out.append(("ok", (f"Sổ khen thưởng: {len(records)} mục ({len(here)} do quyết định lập tại đây), khớp với "
                              "trạng thái các hồ sơ đề nghị.")))
    return out
