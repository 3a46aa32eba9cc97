"""Serialising writers that work "by batch" (imports, council decisions, proposals, chained
audit writes) across workstations.

SQLite already serialises every write transaction (BEGIN IMMEDIATE, storage/engine.py), so
`serialize` does nothing there. On PostgreSQL two such transactions would otherwise run side
by side under READ COMMITTED and both act on what they read before the other committed (two
imports of one file made every person twice). `serialize(session, key)` takes a
transaction-level advisory lock: call it FIRST in the write transaction, before reading what
the transaction decides on; a second transaction with the same key waits until the first has
committed or rolled back, then reads the committed state. The lock ends with the transaction.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_id(key: str) -> int:
    """A stable signed 64-bit id for a key (the same in every process, unlike hash())."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def serialize(session: Session, key: str) -> None:
    """Wait for, then hold until the end of this transaction, the advisory lock named `key`
    (PostgreSQL); nothing to do on SQLite, whose write transactions are already serial."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(key)})
