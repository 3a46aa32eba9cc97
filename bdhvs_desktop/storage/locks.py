"""Serialising writers that must not interleave (PostgreSQL; SQLite already serialises writers)."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_id(key: str) -> int:
    """A stable signed 64-bit advisory-lock number for `key`."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big", signed=True)


def serialize(session: Session, key: str) -> None:
    """Hold a transaction-level lock named `key` until the session's transaction ends.

    PostgreSQL: pg_advisory_xact_lock, so a second writer waits for the first to commit.
    SQLite: no-op (BEGIN IMMEDIATE already makes writers take turns)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id(key)})
