"""Backups that cannot destroy data (issue #15, points 4 and 6):
- `bdhvs backup --out` never overwrites the live database (nor its -wal/-shm/-journal files,
  whatever path spelling or link leads there) and refuses any existing file unless
  `--overwrite` is given;
- a restore whose schema upgrade then fails puts the previous database back;
- a database whose upgrade fails is backed up once, not once per attempt to open it;
- a backup killed half-way (SIGKILL) leaves no temporary file behind once the next backup ran."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bdhvs_desktop.cli import main
from bdhvs_desktop.services import restore, safety
from bdhvs_desktop.storage import backup as store
from bdhvs_desktop.storage.engine import open_database
from bdhvs_desktop.storage.schema_version import SCHEMA_HEAD

ROOT = Path(__file__).resolve().parents[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _people(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT full_name FROM person ORDER BY id")]
    finally:
        conn.close()


# --------------------------------------------------------------------------- backup --out


def test_backup_out_refuses_the_live_database_in_every_spelling(demo_db, tmp_path, capsys):
    live = demo_db.path
    names_before = _people(live)
    demo_db.dispose()
    link = tmp_path / "link.sqlite3"
    link.symlink_to(live)
    spellings = [
        str(live),
        str(live.parent / "." / live.name),
        str(live.parent / "x" / ".." / live.name),  # "x" does not even exist
        str(link),
        str(live) + "-wal",
        str(live) + "-shm",
        str(live) + "-journal",
    ]
    for out in spellings:
        for extra in ([], ["--overwrite"]):
            code = main(["--db", str(live), "backup", "--out", out, *extra])
            err = capsys.readouterr().err
            assert code == 2, (out, extra)
            assert "cơ sở dữ liệu đang dùng" in err, err
    db = open_database(live)
    db.dispose()
    assert _people(live) == names_before


def test_backup_out_refuses_an_existing_file_unless_overwrite(demo_db, tmp_path, capsys):
    live = demo_db.path
    demo_db.dispose()
    report = tmp_path / "bao-cao.docx"
    report.write_bytes(b"PK\x03\x04 a Word file somebody needs")
    assert main(["--db", str(live), "backup", "--out", str(report)]) == 2
    err = capsys.readouterr().err
    assert "đã có" in err and "--overwrite" in err
    assert report.read_bytes().startswith(b"PK\x03\x04 a Word")
    # Asked for explicitly: replaced by a whole copy.
    assert main(["--db", str(live), "backup", "--out", str(report), "--overwrite"]) == 0
    capsys.readouterr()
    assert _people(report) == _people(live)
    # A folder: the copy gets the usual name inside it.
    folder = tmp_path / "usb"
    folder.mkdir()
    assert main(["--db", str(live), "backup", "--out", str(folder)]) == 0
    assert "Đã sao lưu vào" in capsys.readouterr().out
    made = list(folder.glob("demo-*.sqlite3"))
    assert len(made) == 1 and _people(made[0]) == _people(live)


def test_two_backups_in_one_second_do_not_overwrite_each_other(db, user_home):
    first = safety.backup_now(db)
    second = safety.backup_now(db)
    assert first != second and first.exists() and second.exists()


# --------------------------------------------------------------------------- failed upgrade


def _old_backup_whose_upgrade_fails(path: Path) -> Path:
    """A schema-0001 copy that passes every check but whose upgrade to the current schema
    fails: an index of the same name as the one migration 0002 creates was added by hand."""
    from bdhvs_desktop.storage.migrate import upgrade_to_head

    upgrade_to_head("sqlite:///" + path.as_posix(), target="0001")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO person (full_name, name_key, search_key, is_party_member, is_public_servant, "
                 "can_guide, people_guided, under_discipline, created_at, updated_at, version) "
                 "VALUES ('Người trong bản cũ', 'x', 'x', 0, 0, 0, 0, 0, '2026-01-01 00:00:00', "
                 "'2026-01-01 00:00:00', 1)")
    conn.execute("CREATE INDEX ix_person_search_key ON person (search_key)")
    conn.commit()
    conn.close()
    return path


def test_restore_whose_upgrade_fails_puts_the_previous_database_back(demo_db, tmp_path, user_home):
    live = demo_db.path
    before = _people(live)
    demo_db.dispose()
    old = _old_backup_whose_upgrade_fails(tmp_path / "cu.sqlite3")
    with pytest.raises(restore.RestoreError, match="Đã đặt lại cơ sở dữ liệu như trước"):
        restore.restore(live, old, folder=tmp_path / "bk")
    assert _people(live) == before
    db = open_database(live)  # the live database still opens, at the current schema
    try:
        from bdhvs_desktop.services.maintenance import schema_revision

        assert schema_revision(db) == SCHEMA_HEAD
    finally:
        db.dispose()


def test_cli_restore_whose_upgrade_fails_says_so_and_keeps_the_database(demo_db, tmp_path, capsys):
    live = demo_db.path
    before = _people(live)
    demo_db.dispose()
    old = _old_backup_whose_upgrade_fails(tmp_path / "cu.sqlite3")
    assert main(["--db", str(live), "restore", str(old)]) == 1
    err = capsys.readouterr().err
    assert "Đã đặt lại cơ sở dữ liệu như trước" in err
    assert main(["--db", str(live), "check"]) in (0, 1)
    assert "Phiên bản lược đồ: " + SCHEMA_HEAD in capsys.readouterr().out
    assert _people(live) == before


def test_a_database_that_cannot_be_upgraded_is_backed_up_once_not_at_every_open(tmp_path, user_home):
    from bdhvs_desktop.storage.engine import DatabaseError

    path = _old_backup_whose_upgrade_fails(tmp_path / "hong.sqlite3")
    digest = _digest(path)
    for _ in range(4):
        with pytest.raises(DatabaseError, match="nâng cấp"):
            open_database(path)
    copies = [b for b in store.list_backups(user_home / "backups", "hong") if b.kind == "pre_migration"]
    assert len(copies) == 1, [c.path.name for c in copies]
    assert _people(copies[0].path) == ["Người trong bản cũ"]
    assert _digest(path) == digest  # the failed upgrades changed nothing
    # Once the data changes, the next attempt backs up the new state.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE person SET full_name = 'Đã sửa'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError):
        open_database(path)
    copies = [b for b in store.list_backups(user_home / "backups", "hong") if b.kind == "pre_migration"]
    assert len(copies) == 2


# --------------------------------------------------------------------------- killed backup


def _temp_files(folder: Path, live_name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name != live_name and not p.name.endswith(".sqlite3")]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
def test_a_backup_killed_mid_copy_leaves_no_temporary_file(demo_db, tmp_path, user_home):
    live = demo_db.path
    demo_db.dispose()
    # ~40 MB, so the copy and its integrity check take long enough to be killed in the middle.
    conn = sqlite3.connect(live)
    conn.execute("CREATE TABLE padding (x BLOB)")
    conn.executemany("INSERT INTO padding VALUES (randomblob(100000))", [()] * 400)
    conn.commit()
    conn.close()
    folder = user_home / "backups"
    folder.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), BDHVS_HOME=str(user_home))
    killed_with_temp = 0
    for _attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "bdhvs_desktop.cli", "--db", str(live), "backup"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                written = sum(p.stat().st_size for p in _temp_files(folder, live.name))
            except FileNotFoundError:  # a journal came and went between listing and stat
                continue
            if written > 2_000_000:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
        proc.wait()
        if proc.returncode == -signal.SIGKILL:
            killed_with_temp += 1
            break
    assert killed_with_temp, "the backup finished before it could be killed mid-copy"
    left = _temp_files(folder, live.name)
    assert left, "the kill should have left a half-written temporary file"
    assert sum(p.stat().st_size for p in left) > 1_000_000
    # The next backup (a later one: another second, so another name) sweeps what the killed one left.
    time.sleep(1.1)
    assert main(["--db", str(live), "backup"]) == 0
    assert _temp_files(folder, live.name) == []
    # Every .sqlite3 in the folder is a whole copy.
    for copy in folder.glob("*.sqlite3"):
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


def test_sweep_keeps_the_temporary_file_of_a_backup_still_running(tmp_path):
    """Another process's copy in progress is not swept (its process is alive)."""
    alive = tmp_path / f".demo-x.sqlite3.{os.getpid()}.bdhvs-tmp"
    alive.write_bytes(b"x" * 10)
    dead_pid = _dead_pid()
    dead = tmp_path / f".demo-y.sqlite3.{dead_pid}.bdhvs-tmp"
    dead.write_bytes(b"x" * 10)
    dead_journal = tmp_path / f".demo-y.sqlite3.{dead_pid}.bdhvs-tmp-journal"
    dead_journal.write_bytes(b"x")
    unrelated = tmp_path / "ghi-chu.tmp"
    unrelated.write_bytes(b"x")
    removed = store.sweep_temporary_files(tmp_path)
    assert sorted(p.name for p in removed) == sorted([dead.name, dead_journal.name])
    assert alive.exists() and unrelated.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
