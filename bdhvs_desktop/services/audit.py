"""The audit log: who changed what, when, from which value to which.

Entries about council decisions (votes, approvals, reopenings, locks) are chained: each
chained entry's hash covers its own content and the previous chained entry's hash, so a
later edit or deletion anywhere in the chain is detected by verify_chain()."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.storage.models import AuditEntry, utcnow


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def entry_digest(entry: AuditEntry, prev_hash: str | None) -> str:
    payload = json.dumps(
        [entry.at.isoformat(timespec="microseconds"), entry.user, entry.action, entry.entity, entry.entity_id,
         entry.field, entry.old_value, entry.new_value, entry.note, prev_hash],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, *, user: str | None, action: str, entity: str, entity_id: int | None = None,
           field: str | None = None, old: Any = None, new: Any = None, note: str | None = None,
           chained: bool = False) -> AuditEntry:
    """Add one audit entry in the caller's transaction (so it commits or rolls back with the change)."""
    entry = AuditEntry(at=utcnow(), user=user, action=action, entity=entity, entity_id=entity_id, field=field,
                       old_value=_text(old), new_value=_text(new), note=note, chained=chained)
    if chained:
        last = session.scalar(
            select(AuditEntry.hash).where(AuditEntry.chained.is_(True)).order_by(AuditEntry.id.desc()).limit(1)
        )
        entry.prev_hash = last
        entry.hash = entry_digest(entry, last)
    session.add(entry)
    return entry


def record_changes(session: Session, *, user: str | None, entity: str, entity_id: int | None,
                   changes: dict[str, tuple[Any, Any]], action: str = "update", chained: bool = False) -> None:
    """One entry per changed field: changes = {field: (old, new)}; unchanged fields are skipped."""
    for field, (old, new) in changes.items():
        if old != new:
            record(session, user=user, action=action, entity=entity, entity_id=entity_id, field=field,
                   old=old, new=new, chained=chained)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    message: str  # Vietnamese


def verify_chain(session: Session) -> list[ChainProblem]:
    """Recompute the chain of decision entries; every mismatch is a later edit or deletion."""
    problems: list[ChainProblem] = []
    prev: str | None = None
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.chained.is_(True)).order_by(AuditEntry.id)):
        if entry.prev_hash != prev:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: liên kết với mục trước bị sai "
                                                   "(một mục đã bị xóa hoặc chèn thêm)."))
        if entry.hash != entry_digest(entry, entry.prev_hash):
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: nội dung đã bị sửa sau khi ghi."))
        prev = entry.hash
    return problems


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    user: str | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None


def history(session: Session, entity: str, entity_id: int) -> list[HistoryRow]:
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
    )
    return [HistoryRow(r.at, r.user, r.action, r.field, r.old_value, r.new_value, r.note) for r in rows]
