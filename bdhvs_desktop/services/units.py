"""Editing the unit tree: add, rename/edit, move. Every change is audited. Merging two units is in
services/unit_merge.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.domain.text import clean
from bdhvs_desktop.domain.vocab import UnitKind
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import conflict_now, values_of
from bdhvs_desktop.services.people import STALE_MESSAGE, ConcurrentEdit, ValidationError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

__all__ = ["ValidationError", "ConcurrentEdit", "UnitData", "add_unit", "update_unit", "rename_unit",
           "move_unit", "get_unit", "validate_unit", "unit_ancestors"]


@dataclass
class UnitData:
    code: str = ""
    name: str = ""
    kind: str = UnitKind.OTHER.value
    parent_id: int | None = None
    is_party_org: bool = False
    households: int | None = None
    adult_residents: int | None = None


@dataclass(frozen=True)
class UnitRecord:
    id: int
    version: int
    active: bool
    data: UnitData


def get_unit(db: Database, unit_id: int) -> UnitRecord:
    with db.read() as s:
        u = s.get(m.Unit, unit_id)
        if u is None:
            raise LookupError(f"Không tìm thấy đơn vị có mã {unit_id}.")
        return UnitRecord(u.id, u.version, u.active, UnitData(u.code, u.name, u.kind, u.parent_id, u.is_party_org,
                                                             u.households, u.adult_residents))


def unit_ancestors(s: Session, unit_id: int | None) -> tuple[int, ...]:
    """The unit and the units above it, nearest first (a cycle in bad data ends the walk)."""
    return unit_tree.ancestors(dict(s.execute(select(m.Unit.id, m.Unit.parent_id)).all()), unit_id)


def _validate(s: Session, data: UnitData, unit_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    code, name = clean(data.code), clean(data.name)
    if not code:
        errors["code"] = "Hãy nhập mã đơn vị."
    elif len(code) > 64:
        errors["code"] = "Mã đơn vị tối đa 64 ký tự."
    elif "," in code or ";" in code:
        errors["code"] = "Mã đơn vị không được chứa dấu phẩy hoặc chấm phẩy."
    else:
        other = s.execute(select(m.Unit.id, m.Unit.name).where(m.Unit.code == code)).first()
        if other is not None and other.id != unit_id:
            errors["code"] = f"Mã \"{code}\" đã dùng cho {other.name}."
    if not name:
        errors["name"] = "Hãy nhập tên đơn vị."
    elif len(name) > 300:
        errors["name"] = "Tên đơn vị tối đa 300 ký tự."
    if data.kind not in UnitKind._value2member_map_:
        errors["kind"] = "Hãy chọn loại đơn vị."
    for key in ("households", "adult_residents"):
        value = getattr(data, key)
        if value is not None and value < 0:
            errors[key] = "Phải là số không âm."
    if data.parent_id is not None:
        parent = s.get(m.Unit, data.parent_id)
        if parent is None:
            errors["parent_id"] = "Đơn vị cấp trên không tồn tại."
        elif not parent.active:
            errors["parent_id"] = f"{parent.name} đã ngừng hoạt động (đã sáp nhập)."
        elif unit_id is not None and unit_id in unit_ancestors(s, data.parent_id):
            errors["parent_id"] = "Không thể chuyển đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó."
    return errors


def validate_unit(db: Database, data: UnitData, unit_id: int | None = None) -> dict[str, str]:
    """Field -> Vietnamese message for every problem of the unit form (empty when valid)."""
    with db.read() as s:
        return _validate(s, data, unit_id)


def add_unit(db: Database, data: UnitData, *, user: str | None = None) -> int:
    require_role(db, "secretary", action="sửa danh mục đơn vị")
    with db.session() as s:
        errors = _validate(s, data, None)
        if errors:
            raise ValidationError(errors)
        u = m.Unit(code=clean(data.code), name=clean(data.name), kind=data.kind, parent_id=data.parent_id,
                   is_party_org=bool(data.is_party_org), households=data.households,
                   adult_residents=data.adult_residents)
        s.add(u)
        s.flush()
        audit.record(s, user=user or db.user, action="create", entity="unit", entity_id=u.id,
                     note=f"Thêm đơn vị {u.code} - {u.name}")
        return u.id


def update_unit(db: Database, unit_id: int, data: UnitData, *, version: int | None = None,
                user: str | None = None) -> None:
    require_role(db, "secretary", action="sửa danh mục đơn vị")
    mine = {"code": clean(data.code), "name": clean(data.name), "kind": data.kind, "parent_id": data.parent_id,
            "is_party_org": bool(data.is_party_org), "households": data.households,
            "adult_residents": data.adult_residents}
    try:
        with db.session() as s:
            u = s.get(m.Unit, unit_id)
            if u is None or (version is not None and u.version != version):
                raise ConcurrentEdit(STALE_MESSAGE, entity="unit", entity_id=unit_id, mine=mine,
                                     theirs=None if u is None else values_of(u, mine),
                                     current_version=None if u is None else u.version)
            if not u.active:
                raise ValidationError({"code": "Đơn vị đã ngừng hoạt động (đã sáp nhập), không sửa được."})
            errors = _validate(s, data, unit_id)
            if errors:
                raise ValidationError(errors)
            changes = {k: (getattr(u, k), v) for k, v in mine.items() if getattr(u, k) != v}
            for k, (_old, v) in changes.items():
                setattr(u, k, v)
            audit.record_changes(s, user=user or db.user, entity="unit", entity_id=u.id, changes=changes)
    except StaleDataError as exc:
        raise conflict_now(db, m.Unit, unit_id, mine, entity="unit", message=STALE_MESSAGE) from exc


def rename_unit(db: Database, unit_id: int, name: str, *, user: str | None = None) -> None:
    require_role(db, "secretary", action="sửa danh mục đơn vị")
    record = get_unit(db, unit_id)
    record.data.name = name
    update_unit(db, unit_id, record.data, version=record.version, user=user)


def move_unit(db: Database, unit_id: int, new_parent_id: int | None, *, user: str | None = None) -> None:
    require_role(db, "secretary", action="sửa danh mục đơn vị")
    record = get_unit(db, unit_id)
    record.data.parent_id = new_parent_id
    try:
        update_unit(db, unit_id, record.data, version=record.version, user=user)
    except ValidationError as exc:
        raise ValidationError({"parent_id": exc.errors.get("parent_id", str(exc))}) from exc
