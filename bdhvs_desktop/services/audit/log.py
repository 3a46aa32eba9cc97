"""Recording the audit log: one entry per change (`record`, `record_changes`), the chained
entries of council decisions written under the chain lock when the transaction commits (and
dropped on rollback), and a record's history."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bdhvs_desktop.storage import audit_chain as chain
from bdhvs_desktop.storage.locks import serialize
from bdhvs_desktop.storage.models import AuditEntry, MeetingAttendance, utcnow

log = logging.getLogger(__name__)


CHAIN_LOCK = "bdhvs.audit_chain"


_PENDING = "bdhvs_audit_pending"


ANCHORS_FILE = "audit-anchors.jsonl"


#: Rows whose every change is a council decision: always chained, whatever the caller says.
ALWAYS_CHAINED = {
    ("candidate", "status"), ("candidate", "locked"), ("candidate", "votes"), ("candidate", "member_score"),
    ("meeting_attendance", "present"), ("meeting_attendance", "absence_reason"),
    ("council_meeting", "ballots_issued"), ("council_meeting", "ballots_returned"),
    ("council_meeting", "ballots_valid"), ("council_meeting", "status"),
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def record(session: Session, *, user: str | None, action: str, entity: str, entity_id: int | None = None,
           field: str | None = None, old: Any = None, new: Any = None, note: str | None = None,
           chained: bool = False) -> AuditEntry:
    """Add one audit entry in the caller's transaction (so it commits or rolls back with the change).

    A chained entry is written when the transaction commits, after the changes it describes,
    with the decision state of its rows as they are then."""
    chained = chained or (entity, field) in ALWAYS_CHAINED
    entry = AuditEntry(at=utcnow(), user=user, action=action, entity=entity, entity_id=entity_id, field=field,
                       old_value=_text(old), new_value=_text(new), note=note, chained=chained)
    if chained:
        session.info.setdefault(_PENDING, []).append(entry)
    else:
        session.add(entry)
    return entry


def record_changes(session: Session, *, user: str | None, entity: str, entity_id: int | None,
                   changes: dict[str, tuple[Any, Any]], action: str = "update", chained: bool = False) -> None:
    """One entry per changed field: changes = {field: (old, new)}; unchanged fields are skipped."""
    for field, (old, new) in changes.items():
        if old != new:
            record(session, user=user, action=action, entity=entity, entity_id=entity_id, field=field,
                   old=old, new=new, chained=chained)


def _subjects(session: Session, entries: list[AuditEntry]) -> dict[int, list[str]]:
    """The state keys each pending entry covers."""
    attendance = [e.entity_id for e in entries if e.entity == "meeting_attendance" and e.entity_id is not None]
    meeting_of = {}
    if attendance:

        meeting_of = dict(session.execute(select(MeetingAttendance.id, MeetingAttendance.meeting_id)
                                          .where(MeetingAttendance.id.in_(attendance))).all())
    out = {}
    for i, e in enumerate(entries):
        if e.entity == "candidate" and e.entity_id is not None:
            out[i] = [f"candidate:{e.entity_id}"]
        elif e.entity == "council_meeting" and e.entity_id is not None:
            out[i] = [f"council_meeting:{e.entity_id}"]
        elif e.entity == "meeting_attendance" and e.entity_id in meeting_of:
            out[i] = [f"council_meeting:{meeting_of[e.entity_id]}"]
        else:
            out[i] = []
    return out


def _last_link(session: Session) -> str | None:
    return session.scalar(select(AuditEntry.hash).where(AuditEntry.chained.is_(True))
                          .order_by(AuditEntry.id.desc()).limit(1))


def _signing_key(session: Session) -> chain.ChainKey:
    """This computer's key, refusing to sign a chain that another key started (a second
    workstation without the office's key file, a database moved without its key): the
    decision is not written, and the message says which file to copy."""
    last = session.scalar(select(AuditEntry.key_id).where(AuditEntry.chained.is_(True), AuditEntry.key_id.is_not(None))
                          .order_by(AuditEntry.id.desc()).limit(1))
    key = chain.load_key(create=last is None)
    if key is None or (last is not None and key.key_id != last):
        raise chain.AuditKeyError(
            f"Chuỗi nhật ký quyết định của cơ sở dữ liệu này được ký bằng khóa mã {last}, nhưng máy này "
            + ("chưa có tệp khóa" if key is None else f"có khóa khác (mã {key.key_id})")
            + f" ({chain.key_path()}). Hãy chép tệp audit.key từ máy đã ghi các quyết định vào đường dẫn đó "
              "(hoặc đặt biến môi trường BDHVS_AUDIT_KEY_FILE); quyết định này chưa được ghi.")
    return key


@event.listens_for(Session, "before_commit")
def _write_chained(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, None) or []
    if not pending:
        return
    session.flush()  # the changes the entries describe
    serialize(session, CHAIN_LOCK)  # until commit: no other writer links to the same head
    key = _signing_key(session)
    keys = _subjects(session, pending)
    wanted = {k for ks in keys.values() for k in ks}
    cands = [int(k.split(":")[1]) for k in wanted if k.startswith("candidate:")]
    meets = [int(k.split(":")[1]) for k in wanted if k.startswith("council_meeting:")]
    states = chain.collect_states(session.connection(), cands, meets) if wanted else {}
    prev = _last_link(session)
    for i, entry in enumerate(pending):
        entry.state = chain.canonical({"subjects": {k: states.get(k) for k in keys[i]}})
        entry.key_id = key.key_id
        entry.prev_hash = prev
        entry.hash = chain.keyed_digest(key, entry, prev)
        session.add(entry)
        session.flush()  # ids in chain order
        prev = entry.hash


def _discard_pending(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_rollback", _discard_pending)


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
