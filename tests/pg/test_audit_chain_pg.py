"""Chained audit writes from two processes at once (two workstations on one PostgreSQL
database): the chain must stay one chain, with no fork and no false "tampered" finding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.maintenance import check_database
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database

ROOT = Path(__file__).resolve().parents[2]

WORKER = r"""
import random, sys, time
from bdhvs_desktop.services import audit
from bdhvs_desktop.storage.engine import open_database

url, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = open_database(url, migrate=False)
db.user = name
for n in range(rounds):
    with db.session() as s:
        audit.record(s, user=name, action="vote", entity="candidate", entity_id=None, field="note",
                     new=f"{name} {n}a", chained=True)
        s.flush()
        time.sleep(random.random() * 0.01)  # the other workstation commits meanwhile
        audit.record(s, user=name, action="vote", entity="candidate", entity_id=None, field="note",
                     new=f"{name} {n}b", chained=True)
db.dispose()
"""


def _run_two(url: str, rounds: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, f"may-{i}", str(rounds)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (1, 2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]


def test_chained_writes_from_two_processes_keep_one_chain(backend_url):
    rounds = 25
    _run_two(backend_url, rounds)
    db = open_database(backend_url)
    try:
        with db.read() as s:
            count = s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.chained.is_(True)))
            problems = audit.verify_chain(s)
            heads = s.execute(select(m.AuditEntry.prev_hash, func.count()).where(m.AuditEntry.chained.is_(True))
                              .group_by(m.AuditEntry.prev_hash).having(func.count() > 1)).all()
        assert count == 2 * 2 * rounds
        assert heads == [], f"the chain forked at {heads}"
        assert problems == [], [p.message for p in problems]
        assert not [f for f in check_database(db) if f.level == "error"]
    finally:
        db.dispose()


def test_demo_decisions_check_clean_then_a_sql_edit_is_named(pg_url):
    """On PostgreSQL too the recorded decision state equals what is read back (JSON, booleans,
    dates), and a vote edited directly in SQL is reported with the candidate's name."""
    from sqlalchemy import text

    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.services.demo import create_demo

    db = open_database(pg_url)
    try:
        act_as_administrator(db)  # as `bdhvs demo` does on a shared database
        create_demo(db)
        assert [f.message for f in check_database(db) if f.level == "error"] == []
        with db.session() as s:
            cid, name = s.execute(text(
                "SELECT c.id, p.full_name FROM candidate c JOIN person p ON p.id = c.person_id "
                "WHERE c.status = 'rejected' ORDER BY c.id LIMIT 1")).one()
            s.execute(text("UPDATE vote SET votes_for = votes_for + 5, votes_against = 0 WHERE candidate_id = :c"),
                      {"c": cid})
        found = [f.message for f in check_database(db) if f.level == "error"]
        assert any(name in e and "kết quả biểu quyết" in e for e in found), found
    finally:
        db.dispose()
