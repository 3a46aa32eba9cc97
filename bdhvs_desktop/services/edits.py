"""Saving a form's changes over the version it read (a colleague's newer save is refused with
EditConflict, never overwritten) and the history of one record from the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.audit import verify_chain
from bdhvs_desktop.services.errors import Conflict
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.models import AuditEntry


class EditConflict(Conflict):
    """Another workstation saved the record since it was loaded (services.errors.Conflict, with
    the positional signature its callers use). Nothing was written; `mine` holds the values this
    user wanted to save (so nothing is lost), `theirs` the values now stored ({} when deleted)
    and `current_version` the version to retry against after review."""

    def __init__(self, entity: str, entity_id: int, mine: dict, theirs: dict | None, current_version: int | None):
        super().__init__(entity=entity, entity_id=entity_id, mine=mine, theirs=theirs,
                         current_version=current_version, deleted=theirs is None)


def save_changes(db: Database, model: type, record_id: int, expected_version: int, changes: dict, *,
                 entity: str | None = None, audit_log: bool = True, chained: bool = False) -> int:
    """Apply `changes` ({attribute: new value}) to one versioned record loaded at
    `expected_version`, in one transaction, with one audit entry per changed field.
    Returns the new version. Raises EditConflict (nothing written) when another
    workstation saved or deleted the record meanwhile: also when the check passes but the
    UPDATE itself finds a newer version (SQLAlchemy's StaleDataError)."""

    entity = entity or model.__tablename__
    for key in changes:
        if key in ("id", "version") or not hasattr(model, key):
            raise ValueError(f"{model.__name__} has no editable attribute {key!r}")
    try:
        with db.session() as s:
            obj = s.get(model, record_id)
            if obj is None:
                raise EditConflict(entity, record_id, changes, None, None)
            if obj.version != expected_version:
                raise EditConflict(entity, record_id, changes, {k: getattr(obj, k) for k in changes}, obj.version)
            # Tell SQLAlchemy which version we loaded, so the UPDATE checks it too.
            old = {k: getattr(obj, k) for k in changes}
            for key, value in changes.items():
                setattr(obj, key, value)
            if audit_log:
                audit.record_changes(s, user=db.user, entity=entity, entity_id=record_id,
                                     changes={k: (old[k], changes[k]) for k in changes}, chained=chained)
            s.flush()
            return obj.version
    except StaleDataError:
        with db.read() as s:
            obj = s.get(model, record_id)
            theirs = None if obj is None else {k: getattr(obj, k) for k in changes}
            version = None if obj is None else obj.version
        raise EditConflict(entity, record_id, changes, theirs, version) from None


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime  # UTC, naive (as stored)
    user: str | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None
    chained: bool


@dataclass(frozen=True)
class RecordHistory:
    entity: str
    entity_id: int
    entries: list[HistoryEntry]
    chain_problems: list[str]  # empty when the chain of council decisions is intact


def record_history(db: Database, entity: str, entity_id: int) -> RecordHistory:
    """The audit entries of one record, newest first, and whether the decision chain holds."""

    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
                         .order_by(AuditEntry.id.desc())).all()
        entries = [HistoryEntry(r.at, r.user, r.action, r.field, r.old_value, r.new_value, r.note, bool(r.chained))
                   for r in rows]
        problems = [p.message for p in verify_chain(s)] if any(e.chained for e in entries) else []
    return RecordHistory(entity, entity_id, entries, problems)
