"""Crash safety, proved: a writer process is killed (SIGKILL) at random points, over and
over, while it imports Excel workbooks with the real importer (services/importer.py),
writes batches of records, edits records and recomputes scores, each in one transaction. After every kill the database must be intact (PRAGMA integrity_check),
every change the writer reported as committed must be there, and no batch may be
half-applied.

The writer reports a commit on a pipe only after the commit returned, so every reported
change was durable before the kill; a commit that happened just before the kill but was
not yet reported may or may not be visible, and the invariants must hold either way.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

KILLS = int(os.environ.get("BDHVS_CRASH_KILLS", "200"))
BATCH = 25  # people in one imported batch
SEED_PEOPLE = 8
CANDIDATES = 12

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and forkserver are POSIX-only")


# --------------------------------------------------------------------------- the writer (child process)


def writer(db_path: str, iteration: int, conn) -> None:
    """Runs until killed: random transactions, each reported after it committed."""
    from sqlalchemy import func, select

    from bdhvs_desktop.services import audit
    from bdhvs_desktop.services.safety import EditConflict, save_changes
    from bdhvs_desktop.storage import models as m
    from bdhvs_desktop.storage.engine import open_database

    rng = random.Random(iteration)
    db = open_database(db_path, migrate=False)
    db.user = f"tien-trinh-{iteration}"
    batch_no = 0
    books = 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        kind = rng.choice("BBEESII")
        if kind == "I":  # a real Excel import (services/importer.py): one workbook, all or nothing
            books += 1
            if books >= 40:
                continue
            from bdhvs_desktop.services.importer import import_workbook

            tag = f"{iteration}-{books}"
            path = make_workbook(Path(db_path).parent / f"IMP-{tag}.xlsx", tag, iteration * 40 + books)
            result = import_workbook(db, path, today=dt.date(2026, 11, 20))
            if not result.written or result.errors:
                conn.send_bytes(f"X {[p.text() for p in result.problems][:3]}".encode())
                raise SystemExit(3)
            conn.send_bytes(f"I {tag}".encode())
            continue
        if kind == "B":  # an import: a batch of people and its audit entry, all or nothing
            batch_no += 1
            tag = f"{iteration}-{batch_no}"
            with db.session() as s:
                for n in range(BATCH):
                    s.add(m.Person(full_name=f"Người nhập {tag} số {n}", name_key=f"nguoi nhap {tag} {n}",
                                   search_key=f"nguoi nhap {tag} {n}", position=f"lô {tag}",
                                   birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n)))
                audit.record(s, user=db.user, action="import", entity="batch", note=tag, new=BATCH)
            conn.send_bytes(f"B {tag}".encode())
        elif kind == "E":  # an edit of one record with its audit entry
            pid = rng.randint(1, SEED_PEOPLE)
            with db.read() as s:
                p = s.get(m.Person, pid)
                version, value = p.version, p.people_guided
            try:
                save_changes(db, m.Person, pid, version, {"people_guided": value + 1})
            except EditConflict:  # pragma: no cover - a single writer
                continue
            conn.send_bytes(f"E {pid} {value + 1}".encode())
        else:  # a score recomputation: every candidate's snapshot rewritten in one transaction
            with db.session() as s:
                gen = (s.scalar(select(func.max(m.Candidate.score_as_of))) or dt.date(2026, 1, 1)) + dt.timedelta(days=1)
                for cand in s.scalars(select(m.Candidate)):
                    cand.score_as_of = gen
                    cand.score_snapshot = {"as_of": gen.isoformat(), "total": rng.randint(0, 100)}
            conn.send_bytes(f"S {gen.isoformat()}".encode())


GIVEN_NAMES = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Khánh", "Lan",
               "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phúc"]


def make_workbook(path: Path, tag: str, seq: int) -> Path:
    """A unit's workbook in the import layout: the unit IMP-<tag> and its people."""
    from openpyxl import Workbook

    from bdhvs_desktop.documents import excel_io as xio

    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("DonVi")
    ws.append(xio.SHEETS["DonVi"].headers)
    ws.append([f"IMP-{tag}", f"Tổ nhập {tag}", "Tổ dân phố", None, "Không", 100, 200])
    ws = wb.create_sheet("NhanSu")
    ws.append(xio.SHEETS["NhanSu"].headers)
    for i, given in enumerate(GIVEN_NAMES):
        birth = dt.date(1990, 1, 1) + dt.timedelta(days=i)
        ws.append([f"Nguyễn Văn {given}", f"{birth:%d/%m/%Y}", "Nam", f"068090{seq:04d}{i:02d}", f"IMP-{tag}",
                   "Người dân", "Không", "Không", "15/02/2026", "Có", 3, "Không"])
    wb.save(path)
    return path


# --------------------------------------------------------------------------- the checks (parent)


def _seed(path) -> None:
    from bdhvs_desktop.storage import models as m
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(path)
    with db.session() as s:
        camp = m.Campaign(code="C", name="Phong trào", start_date=dt.date(2025, 12, 1), end_date=dt.date(2026, 12, 31))
        s.add(camp)
        s.flush()
        people = [m.Person(full_name=f"Cán bộ {i}", name_key=f"can bo {i}", search_key=f"can bo {i}")
                  for i in range(1, SEED_PEOPLE + 1)]
        s.add_all(people)
        s.flush()
        for i in range(CANDIDATES):
            s.add(m.Candidate(campaign_id=camp.id, subject_type="person", person_id=people[i % SEED_PEOPLE].id,
                              subject_kind="ca_nhan", score_as_of=dt.date(2026, 1, 1), score_snapshot={}))
    db.dispose()


def _verify(path, reported: dict) -> None:
    conn = sqlite3.connect(path, timeout=10)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # Imports: every batch whole, and every reported batch present.
        sizes = dict(conn.execute("SELECT position, count(*) FROM person WHERE position LIKE 'lô %' GROUP BY position"))
        logged = {row[0] for row in conn.execute("SELECT note FROM audit_log WHERE entity = 'batch'")}
        assert all(n == BATCH for n in sizes.values()), {k: v for k, v in sizes.items() if v != BATCH}
        assert {k[3:] for k in sizes} == logged, "a batch without its audit entry, or the reverse"
        missing = reported["B"] - logged
        assert not missing, f"reported imports lost: {sorted(missing)[:5]}"
        # Workbook imports: each unit with all its people and the import's audit entry, or nothing.
        units = dict(conn.execute("SELECT u.code, count(p.id) FROM unit u LEFT JOIN person p ON p.unit_id = u.id "
                                  "WHERE u.code LIKE 'IMP-%' GROUP BY u.code"))
        assert all(n == len(GIVEN_NAMES) for n in units.values()), {k: v for k, v in units.items() if v != 20}
        notes = [row[0] for row in conn.execute("SELECT note FROM audit_log WHERE entity = 'workbook'")]
        imported = {note.split()[2].removesuffix(".xlsx:").removeprefix("IMP-") for note in notes}
        assert {k.removeprefix("IMP-") for k in units} == imported, "an imported unit without its audit entry"
        missing = reported["I"] - imported
        assert not missing, f"reported workbook imports lost: {sorted(missing)[:5]}"
        # Edits: each value at least the last reported one, and matched by its audit entries.
        for pid, value in conn.execute(f"SELECT id, people_guided FROM person WHERE id <= {SEED_PEOPLE}"):
            assert value >= reported["E"].get(pid, 0), f"person {pid}: reported {reported['E'][pid]}, found {value}"
            entries = conn.execute("SELECT count(*) FROM audit_log WHERE entity = 'person' AND entity_id = ? "
                                   "AND field = 'people_guided'", (pid,)).fetchone()[0]
            assert entries == value, f"person {pid}: {value} edits but {entries} audit entries"
        # Score recomputation: all candidates from the same run, at least the last reported one.
        gens = {row[0] for row in conn.execute("SELECT score_as_of FROM candidate")}
        assert len(gens) == 1, f"half-applied recomputation: {gens}"
        if reported["S"]:
            assert next(iter(gens)) >= max(reported["S"])
    finally:
        conn.close()


def test_sigkill_at_random_points_never_loses_or_half_applies(tmp_path, capsys):
    path = tmp_path / "crash.sqlite3"
    _seed(path)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["sqlalchemy.orm", "openpyxl", "bdhvs_desktop.storage.engine",
                                "bdhvs_desktop.storage.models", "bdhvs_desktop.services.safety",
                                "bdhvs_desktop.services.importer"])
    rng = random.Random(20261122)
    reported: dict = {"B": set(), "I": set(), "E": defaultdict(int), "S": []}
    commits = 0
    kills_mid_run = 0
    started = time.monotonic()
    for iteration in range(1, KILLS + 1):
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=writer, args=(str(path), iteration, sender), daemon=True)
        proc.start()
        sender.close()
        # Wait for the first report half of the time, so kills land both during start-up
        # (opening the database, recovering the previous kill's log) and mid-stream.
        if rng.random() < 0.5:
            receiver.poll(5)
        time.sleep(rng.uniform(0.0, 0.2))
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGKILL)
            kills_mid_run += 1
        proc.join(10)
        while True:
            try:
                message = receiver.recv_bytes().decode()
            except (EOFError, OSError):
                break
            commits += 1
            kind, *rest = message.split()
            if kind == "X":
                pytest.fail(f"the import was refused: {message}")
            if kind == "B":
                reported["B"].add(rest[0])
            elif kind == "I":
                reported["I"].add(rest[0])
            elif kind == "E":
                reported["E"][int(rest[0])] = max(reported["E"][int(rest[0])], int(rest[1]))
            else:
                reported["S"].append(dt.date.fromisoformat(rest[0]).isoformat())
        receiver.close()
        assert proc.exitcode == -signal.SIGKILL, f"writer ended by itself (exit {proc.exitcode}) in run {iteration}"
        _verify(path, reported)
    elapsed = time.monotonic() - started
    assert kills_mid_run == KILLS
    # Half of the kills wait for a first commit, so there are at least KILLS // 2 of them.
    assert commits >= KILLS // 2, "the writer hardly committed anything: the test would prove nothing"
    assert reported["B"] and reported["I"] and reported["E"] and reported["S"]
    with capsys.disabled():
        print(f"\nAn toàn khi mất điện: {KILLS} lần ngắt tiến trình ghi (SIGKILL), {commits} giao dịch đã báo "
              f"đều còn nguyên ({len(reported['I'])} tệp Excel nhập, {len(reported['B'])} lô ghi hàng loạt, "
              f"{sum(1 for _ in reported['E'])} người được sửa, "
              f"{len(reported['S'])} lần tính lại điểm); không lô nào dở dang; {elapsed:.0f} s.")


def test_the_checks_detect_a_half_applied_batch_and_a_lost_commit(tmp_path):
    """The verifier is not a test that cannot fail: damage a database the way a broken
    writer would, and it must object."""
    path = tmp_path / "v.sqlite3"
    _seed(path)
    ctx = multiprocessing.get_context("forkserver")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_one_batch, args=(str(path), sender))
    proc.start()
    sender.close()
    proc.join(60)
    assert receiver.recv_bytes().decode() == "B 0-1"
    reported = {"B": {"0-1"}, "I": set(), "E": defaultdict(int), "S": []}
    _verify(path, reported)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM person WHERE id = (SELECT max(id) FROM person)")
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError, match="BATCH|25|lô"):
        _verify(path, reported)
    with pytest.raises(AssertionError, match="lost"):
        _verify(_fresh(tmp_path), reported)


def _fresh(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    _seed(path)
    return path


def _one_batch(db_path: str, conn) -> None:
    import itertools

    from bdhvs_desktop.services import audit
    from bdhvs_desktop.storage import models as m
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(db_path, migrate=False)
    with db.session() as s:
        for n in itertools.islice(itertools.count(), BATCH):
            s.add(m.Person(full_name=f"N {n}", name_key=f"n {n}", search_key=f"n {n}", position="lô 0-1"))
        audit.record(s, user="t", action="import", entity="batch", note="0-1", new=BATCH)
    db.dispose()
    conn.send_bytes(b"B 0-1")
