"""Editing people: one person through a validated form, and bulk actions on a selection.

Every change is audited field by field (services/audit.py) in the same transaction, and a
stale save (someone else changed the person meanwhile) is refused, not overwritten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import cccd as cccd_rules
from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain.text import clean, fold, name_key
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import Conflict, Invalid, conflict_now, values_of
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

#: Field -> Vietnamese message (`exc.errors`); the GUI shows each next to its field.
ValidationError = Invalid
#: The record was changed by someone else since it was opened: a Conflict with mine/theirs.
ConcurrentEdit = Conflict


STALE_MESSAGE = ("Bản ghi này vừa được người khác sửa (hoặc đã bị xóa) sau khi bạn mở. Hãy đóng cửa sổ, tải lại "
                 "và nhập lại thay đổi của bạn.")


@dataclass
class PersonData:
    full_name: str = ""
    birth_date: dt.date | None = None
    sex: str | None = None
    cccd: str | None = None
    unit_id: int | None = None
    position: str | None = None
    is_party_member: bool = False
    is_public_servant: bool = False
    vneid_proficient_on: dt.date | None = None
    vneid_verified_by: str | None = None
    can_guide: bool = False
    people_guided: int = 0
    under_discipline: bool = False
    discipline_note: str | None = None
    home_town: str | None = None
    residence: str | None = None
    qualifications: str | None = None
    phone: str | None = None


FIELD_LABELS = {
    "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính", "cccd": "Số CCCD", "unit_id": "Đơn vị",
    "position": "Chức vụ", "is_party_member": "Đảng viên", "is_public_servant": "CBCCVC",
    "vneid_proficient_on": "Ngày thành thạo VNeID", "vneid_verified_by": "Người xác nhận VNeID",
    "can_guide": "Hướng dẫn được người dân", "people_guided": "Số người đã hướng dẫn",
    "under_discipline": "Đang bị kỷ luật", "discipline_note": "Ghi chú kỷ luật", "home_town": "Quê quán",
    "residence": "Nơi ở", "qualifications": "Trình độ", "phone": "Điện thoại",
}
_FIELDS = [f.name for f in fields(PersonData)]
_TEXT_FIELDS = ("full_name", "position", "vneid_verified_by", "discipline_note", "home_town", "residence",
                "qualifications", "phone")


@dataclass(frozen=True)
class PersonRecord:
    id: int
    version: int
    data: PersonData


def get_person(db: Database, person_id: int) -> PersonRecord:
    with db.read() as s:
        p = s.get(m.Person, person_id)
        if p is None:
            raise LookupError(f"Không tìm thấy người có mã {person_id}.")
        return PersonRecord(p.id, p.version, PersonData(**{f: getattr(p, f) for f in _FIELDS}))


def validate_person(db: Database, data: PersonData, person_id: int | None = None,
                    today: dt.date | None = None) -> dict[str, str]:
    """Field -> Vietnamese message for every problem of the form (empty when valid)."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    # the rules the import obeys too (domain/rules.py)
    problem = rules.person_name_problem(clean(data.full_name))
    if problem:
        errors["full_name"] = problem
    problem = rules.birth_date_problem(data.birth_date, today)
    if problem:
        errors["birth_date"] = problem
    for key in _TEXT_FIELDS:
        problem = rules.hidden_character_problem(clean(getattr(data, key)))
        if problem and key != "full_name":
            errors[key] = f"{FIELD_LABELS[key]}: {problem}"
    if data.sex not in (None, "M", "F"):
        errors["sex"] = "Giới tính phải là Nam hoặc Nữ."
    if data.cccd:
        digits = data.cccd.strip()
        issues = cccd_rules.check(digits, data.birth_date.year if data.birth_date else None, data.sex)
        bad = [i.message for i in issues if i.level == "error"]
        if bad:
            errors["cccd"] = " ".join(bad)
    problem = rules.vneid_date_problem(data.vneid_proficient_on, data.birth_date, today)
    if problem:
        errors["vneid_proficient_on"] = problem
    if data.people_guided is None or data.people_guided < 0:
        errors["people_guided"] = "Số người đã hướng dẫn phải là số không âm."
    if data.unit_id is None:
        errors["unit_id"] = "Hãy chọn đơn vị."
    with db.read() as s:
        if data.unit_id is not None:
            unit = s.get(m.Unit, data.unit_id)
            if unit is None:
                errors["unit_id"] = "Đơn vị không tồn tại."
            elif not unit.active:
                errors["unit_id"] = f"Đơn vị {unit.name} đã ngừng hoạt động (đã sáp nhập)."
        if data.cccd and "cccd" not in errors:
            other = s.execute(select(m.Person.id, m.Person.full_name).where(m.Person.cccd == data.cccd.strip())).first()
            if other is not None and other.id != person_id:
                errors["cccd"] = f"Số CCCD này đã thuộc về {other.full_name}."
    return errors


def save_person(db: Database, data: PersonData, person_id: int | None = None, *, version: int | None = None,
                user: str | None = None) -> int:
    """Create (person_id None) or update a person; returns the id. Raises ValidationError
    or ConcurrentEdit; nothing is written then."""
    require_role(db, "secretary", action="sửa hồ sơ nhân sự")
    errors = validate_person(db, data, person_id)
    if errors:
        raise ValidationError(errors)
    values = asdict(data)
    for key in ("full_name", "position", "vneid_verified_by", "discipline_note", "home_town", "residence",
                "qualifications", "phone", "cccd"):
        values[key] = clean(values[key]) or None
    values["full_name"] = values["full_name"] or ""
    values["people_guided"] = int(values["people_guided"] or 0)
    user = user or db.user
    try:
        with db.session() as s:
            if person_id is None:
                p = m.Person(**values, name_key=name_key(values["full_name"]), search_key=fold(values["full_name"]))
                s.add(p)
                s.flush()
                audit.record(s, user=user, action="create", entity="person", entity_id=p.id,
                             note=f"Thêm {p.full_name}")
                return p.id
            p = s.get(m.Person, person_id)
            if p is None or (version is not None and p.version != version):
                raise ConcurrentEdit(STALE_MESSAGE, entity="person", entity_id=person_id, mine=values,
                                     theirs=None if p is None else values_of(p, values),
                                     current_version=None if p is None else p.version)
            changes = {k: (getattr(p, k), v) for k, v in values.items() if getattr(p, k) != v}
            for k, (_old, new) in changes.items():
                setattr(p, k, new)
            if "full_name" in changes:
                p.name_key, p.search_key = name_key(p.full_name), fold(p.full_name)
            audit.record_changes(s, user=user, entity="person", entity_id=p.id, changes=changes)
            return p.id
    except StaleDataError as exc:
        raise conflict_now(db, m.Person, person_id, values, entity="person", message=STALE_MESSAGE) from exc


def _bulk_conflict(db: Database, read_versions: dict[int, int], mine: dict[str, Any]) -> Conflict:
    """The conflict of a bulk change: the first selected person saved by someone else since
    the change read them (their values now as `theirs`)."""
    with db.read() as s:
        now = {p.id: p.version for p in s.scalars(select(m.Person).where(m.Person.id.in_(read_versions)))}
    moved = next((pid for pid, v in read_versions.items() if now.get(pid) != v), None)
    return conflict_now(db, m.Person, moved, mine, entity="person", message=STALE_MESSAGE)


@dataclass(frozen=True)
class BulkResult:
    changed: int
    unchanged: int
    missing: int


def mark_vneid_proficient(db: Database, person_ids: Iterable[int], on: dt.date, verified_by: str, *,
                          can_guide: bool | None = None, overwrite: bool = False, user: str | None = None,
                          today: dt.date | None = None) -> BulkResult:
    """Mark the selected people proficient with VNeID on `on`, verified by `verified_by`.

    A person already proficient on an earlier day keeps that day unless overwrite=True (an
    earlier date is the fact that counts for the Q1 deadline). Audited per field."""
    require_role(db, "secretary", action="cập nhật trạng thái VNeID")
    today = today or dt.date.today()
    errors = {}
    if on is None:
        errors["on"] = "Hãy chọn ngày thành thạo."
    elif on > today:
        errors["on"] = "Ngày thành thạo VNeID ở tương lai."
    if not clean(verified_by):
        errors["verified_by"] = "Hãy ghi người hoặc đơn vị xác nhận (ví dụ: Công an phường)."
    ids = sorted(set(person_ids))
    if not ids:
        errors["people"] = "Chưa chọn người nào."
    if errors:
        raise ValidationError(errors)
    verified_by = clean(verified_by)
    user = user or db.user
    changed = unchanged = 0
    mine: dict[str, Any] = {"vneid_proficient_on": on, "vneid_verified_by": verified_by}
    if can_guide is not None:
        mine["can_guide"] = can_guide
    read_versions: dict[int, int] = {}
    try:
        with db.session() as s:
            found = {p.id: p for p in s.scalars(select(m.Person).where(m.Person.id.in_(ids)))}
            read_versions = {pid: p.version for pid, p in found.items()}
            for pid in ids:
                p = found.get(pid)
                if p is None:
                    continue
                new: dict[str, Any] = {}
                if p.vneid_proficient_on is None or overwrite or p.vneid_proficient_on > on:
                    new["vneid_proficient_on"] = on
                    new["vneid_verified_by"] = verified_by
                elif not p.vneid_verified_by:
                    new["vneid_verified_by"] = verified_by
                if can_guide is not None:
                    new["can_guide"] = can_guide
                changes = {k: (getattr(p, k), v) for k, v in new.items() if getattr(p, k) != v}
                if not changes:
                    unchanged += 1
                    continue
                if p.birth_date and "vneid_proficient_on" in changes and on < p.birth_date:
                    raise ValidationError({"on": f"Ngày thành thạo trước ngày sinh của {p.full_name}."})
                for k, (_old, v) in changes.items():
                    setattr(p, k, v)
                audit.record_changes(s, user=user, entity="person", entity_id=p.id, changes=changes)
                changed += 1
    except StaleDataError as exc:
        raise _bulk_conflict(db, read_versions, mine) from exc
    return BulkResult(changed, unchanged, len(ids) - changed - unchanged)
