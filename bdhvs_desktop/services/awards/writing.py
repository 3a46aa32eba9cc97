"""Adding, changing and deleting an award register entry: normalised and checked first
(AwardValidationError, nothing written), linked to the ward's person or unit, audited in the
same transaction; a stale version is refused with mine/theirs (AwardConcurrentEdit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import clean, name_key
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.awards.common import (
    STALE_MESSAGE,
    AwardConcurrentEdit,
    AwardData,
    AwardError,
    AwardValidationError,
    _info,
)
from bdhvs_desktop.services.errors import conflict_now, values_of
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


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
