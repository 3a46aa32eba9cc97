"""Editing the unit tree: add, rename/edit, move, merge. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
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
           "move_unit", "merge_units", "MergeResult", "get_unit", "validate_unit"]


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


def _ancestors(s: Session, unit_id: int | None) -> tuple[int, ...]:
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
        elif unit_id is not None and unit_id in _ancestors(s, data.parent_id):
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


@dataclass(frozen=True)
class MergeResult:
    people: int
    activities: int
    models: int
    replications: int
    children: int
    figures: int
    other: int  # tasks, council members, candidates

    def text(self) -> str:
        return (f"Đã chuyển {self.people} người, {self.activities} hoạt động, {self.models} mô hình, "
                f"{self.children} đơn vị cấp dưới, {self.figures} số liệu chỉ tiêu.")


def merge_units(db: Database, source_id: int, target_id: int, *, user: str | None = None) -> MergeResult:
    """Merge `source` into `target`: its people, activities, models (owned and replicated),
    child units, reported figures, tasks and council members move to the target; the
    source is marked inactive with merged_into_id. One transaction, audited."""
    require_role(db, "secretary", action="sửa danh mục đơn vị")
    if source_id == target_id:
        raise ValidationError({"target": "Hãy chọn một đơn vị khác để sáp nhập vào."})
    user = user or db.user
    with db.session() as s:
        src, dst = s.get(m.Unit, source_id), s.get(m.Unit, target_id)
        if src is None or dst is None:
            raise ValidationError({"target": "Đơn vị không tồn tại."})
        if not src.active:
            raise ValidationError({"source": f"{src.name} đã được sáp nhập trước đó."})
        if not dst.active:
            raise ValidationError({"target": f"{dst.name} đã ngừng hoạt động (đã sáp nhập)."})
        if source_id in _ancestors(s, target_id):
            raise ValidationError({"target": "Không thể sáp nhập đơn vị vào đơn vị cấp dưới của chính nó."})

        def move(model, column, extra=None) -> int:
            stmt = update(model).where(column == source_id).values({column.key: target_id})
            if extra is not None:
                stmt = stmt.where(extra)
            return s.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0

        people = move(m.Person, m.Person.unit_id)
        activities = move(m.Activity, m.Activity.unit_id)
        models = move(m.DigitalModel, m.DigitalModel.owner_unit_id)
        children = move(m.Unit, m.Unit.parent_id)
        # replications: a model replicated to both keeps one row
        replications = 0
        have = set(s.scalars(select(m.ModelReplication.model_id).where(m.ModelReplication.unit_id == target_id)))
        for rep in s.scalars(select(m.ModelReplication).where(m.ModelReplication.unit_id == source_id)).all():
            if rep.model_id in have:
                s.delete(rep)
            else:
                rep.unit_id = target_id
                replications += 1
        # reported figures: the same target and day are added together
        figures = 0
        existing = {(f.target_id, f.as_of): f for f in
                    s.scalars(select(m.ReportedFigure).where(m.ReportedFigure.unit_id == target_id))}
        for f in s.scalars(select(m.ReportedFigure).where(m.ReportedFigure.unit_id == source_id)).all():
            same = existing.get((f.target_id, f.as_of))
            if same is None:
                f.unit_id = target_id
            else:
                same.numerator += f.numerator
                if same.denominator is not None or f.denominator is not None:
                    same.denominator = (same.denominator or 0) + (f.denominator or 0)
                s.delete(f)
            figures += 1
        other = move(m.Task, m.Task.responsible_unit_id) + move(m.CouncilMember, m.CouncilMember.unit_id)
        other += move(m.Candidate, m.Candidate.unit_id, m.Candidate.subject_type == "person")
        s.flush()
        src.active = False
        src.merged_into_id = target_id
        result = MergeResult(people, activities, models, replications, children, figures, other)
        audit.record_changes(s, user=user, entity="unit", entity_id=src.id, action="merge",
                             changes={"active": (True, False), "merged_into_id": (None, target_id)})
        audit.record(s, user=user, action="merge", entity="unit", entity_id=dst.id,
                     note=f"Sáp nhập {src.code} - {src.name} vào {dst.code} - {dst.name}. {result.text()}")
        return result
