"""What every record kind of the campaign shares: the errors (ValidationError with per-field
problems, StaleRecord, NotFound), the secretary-only check, loading a record at the version a form
read, and the audit helpers. The record kinds live in the sibling modules of this package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import rules
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import Conflict, Invalid, NotFound, values_of
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

MAX_TEXT = 4000
MAX_PARTICIPANTS = rules.MAX_PARTICIPANTS  # one limit for the form and the import


#: Input that cannot be saved; `problems` lists (field, Vietnamese message) Problems.
ValidationError = Invalid


class StaleRecord(Conflict, RuntimeError):
    """The record was changed or deleted by someone else since it was read (a Conflict with
    mine/theirs; still a RuntimeError for older callers)."""


def _may_edit(db: Database, action: str) -> None:
    """Changing the campaign's records is the secretary's work (roles matter on a shared database);
    PermissionDenied (re-exported by the package for the screens) otherwise."""
    require_role(db, "secretary", action=action)


class _Check:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, field_name: str, message: str) -> None:
        self.problems.append((field_name, message))

    def done(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    return text or None


def _load(s: Session, model, record_id: int, version: int | None, what: str, mine: Any = None):
    """The record read at `version`; a StaleRecord carrying `mine` (the input the user typed, a
    dataclass or dict; for a delete, the version read) and what is stored now when it moved on."""
    obj = s.get(model, record_id)
    if obj is None:
        raise NotFound(f"Không tìm thấy {what} (mã số {record_id}); có thể đã bị xóa.")
    if version is not None and getattr(obj, "version", version) != version:
        typed = asdict(mine) if is_dataclass(mine) else dict(mine or {"version": version})
        raise StaleRecord(f"{what[0].upper()}{what[1:]} này vừa được người khác sửa. "
                          "Hãy tải lại rồi nhập lại thay đổi của bạn.", entity=model.__tablename__,
                          entity_id=record_id, mine=typed, theirs=values_of(obj, typed), current_version=obj.version)
    return obj


def _campaign_range(s: Session) -> tuple[dt.date, dt.date] | None:
    row = s.execute(select(m.Campaign.start_date, m.Campaign.end_date).order_by(m.Campaign.id).limit(1)).first()
    return (row[0], row[1]) if row else None


def _unit(s: Session, unit_id: int | None, check: _Check, field_name: str = "unit_id",
          label: str = "Đơn vị") -> m.Unit | None:
    if unit_id is None:
        return None
    unit = s.get(m.Unit, unit_id)
    if unit is None:
        check.fail(field_name, f"{label}: không có đơn vị mã số {unit_id}.")
    elif not unit.active:
        check.fail(field_name, f"{label}: đơn vị “{unit.name}” đã ngừng hoạt động.")
    return unit


def _fields(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def _audit_create(s: Session, db: Database, entity: str, obj: Any, names: Iterable[str], note: str) -> None:
    audit.record(s, user=db.user, action="create", entity=entity, entity_id=obj.id,
                 new={k: v for k, v in _fields(obj, names).items() if v not in (None, "")}, note=note)


def _audit_update(s: Session, db: Database, entity: str, obj: Any, before: dict[str, Any]) -> bool:
    changes = {k: (v, getattr(obj, k)) for k, v in before.items() if v != getattr(obj, k)}
    audit.record_changes(s, user=db.user, entity=entity, entity_id=obj.id, changes=changes)
    return bool(changes)


def _audit_delete(s: Session, db: Database, entity: str, obj: Any, names: Iterable[str], note: str | None) -> None:
    audit.record(s, user=db.user, action="delete", entity=entity, entity_id=obj.id,
                 old={k: v for k, v in _fields(obj, names).items() if v not in (None, "")}, note=note)


def _set_fields(s: Session, db: Database, entity: str, obj: Any, names: Iterable[str], values: dict[str, Any]) -> None:
    """Write checked values onto a loaded record and audit what changed."""
    before = _fields(obj, names)
    for k, v in values.items():
        setattr(obj, k, v)
    _audit_update(s, db, entity, obj, before)


@dataclass(frozen=True)
class RecordKind:
    """One kind of campaign record as the add / update / delete of every kind share it: the
    secretary-only check, one transaction, the version the form read, the audit entries. The
    kind's own rules stay in its module, passed in as `values` (check the input, return the
    columns to write, raise ValidationError before anything is written)."""

    model: type
    entity: str  # the audit log's name of the table: "activity"
    what: str  # the record in messages: "hoạt động"
    fields: tuple[str, ...]  # the audited columns

    def add(self, db: Database, values: Callable[[Session], dict[str, Any]], *, action: str,
            note: str | Callable[[Any], str]) -> int:
        """Check and insert a record with its "create" audit entry; its id."""
        _may_edit(db, action)
        with db.session() as s:
            obj = self.model(**values(s))
            s.add(obj)
            s.flush()
            _audit_create(s, db, self.entity, obj, self.fields, note(obj) if callable(note) else note)
            return obj.id

    def update(self, db: Database, record_id: int, version: int | None, mine: Any,
               values: Callable[[Session], dict[str, Any]], *, action: str) -> None:
        """Load the record at the version the form read (StaleRecord carrying `mine` otherwise),
        check, write and audit what changed."""
        _may_edit(db, action)
        with db.session() as s:
            obj = _load(s, self.model, record_id, version, self.what, mine)
            _set_fields(s, db, self.entity, obj, self.fields, values(s))

    def delete(self, db: Database, record_id: int, version: int | None, *, action: str,
               note: str | Callable[[Any], str] | None) -> None:
        """Delete a record at the version the form read, with its audit entry (`note` may be made
        from the record)."""
        _may_edit(db, action)
        with db.session() as s:
            obj = _load(s, self.model, record_id, version, self.what)
            _audit_delete(s, db, self.entity, obj, self.fields, note(obj) if callable(note) else note)
            s.delete(obj)
