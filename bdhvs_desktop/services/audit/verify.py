"""Verifying the audit chain: each chained entry's keyed hash and its link to the one before. The
decision tables are compared with the chain in decisions.py."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.storage import audit_chain as chain
from bdhvs_desktop.storage.models import AuditEntry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    message: str  # Vietnamese


def chained_entries(session: Session) -> list[AuditEntry]:
    """The chained entries, oldest first."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.chained.is_(True)).order_by(AuditEntry.id)))


def verify_chain(session: Session) -> list[ChainProblem]:
    """Recompute the keyed chain of decision entries: an edited entry, an entry removed or
    inserted in the middle, or a chain recomputed without the key are each a problem."""
    problems: list[ChainProblem] = []
    entries = chained_entries(session)
    if not entries:
        return problems
    key = chain.load_key(create=False)
    if key is None:
        return [ChainProblem(None, f"Không kiểm tra được chuỗi nhật ký: máy này không có tệp khóa của chuỗi "
                                   f"({chain.key_path()}). Hãy chép tệp khóa từ máy đã ghi các quyết định.")]
    foreign = {e.key_id for e in entries if e.key_id and e.key_id != key.key_id}
    prev: str | None = None
    for entry in entries:
        if entry.prev_hash != prev:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: liên kết với mục trước bị sai "
                                                   "(một mục đã bị xóa hoặc chèn thêm)."))
        if entry.key_id is None:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: không được ký bằng khóa của chuỗi "
                                                   "(được tính lại bằng SHA-256 thường, không có khóa)."))
        elif entry.key_id in foreign:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: ghi bằng một khóa khác (mã khóa "
                                                   f"{entry.key_id}) không có trên máy này; không xác minh được."))
        elif entry.hash != chain.keyed_digest(key, entry, entry.prev_hash):
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: nội dung đã bị sửa sau khi ghi (hoặc "
                                                   "chuỗi đã được tính lại không có khóa)."))
        elif entry.action == "rekey" and entry.state:
            legacy = (json.loads(entry.state).get("legacy") or {})
            if legacy.get("problems"):
                problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: khi chuyển sang chuỗi có khóa, chuỗi "
                                                       f"cũ ({legacy.get('entries')} mục) đã bị phá vỡ ở "
                                                       f"{legacy['problems']} chỗ."))
        prev = entry.hash
    return problems
