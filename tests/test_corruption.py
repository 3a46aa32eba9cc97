"""A damaged database file (issue #15, point 13): `bdhvs check` reports it in Vietnamese and
names the newest backup that is itself whole (checked with PRAGMA integrity_check); the
window's smoke test ends with a message instead of hanging; the window's error message
does not claim that the data is unaffected; the log file is readable by its owner only and
holds no personal data."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bdhvs_desktop.cli import main
from bdhvs_desktop.services import safety
from bdhvs_desktop.storage import backup as store

ROOT = Path(__file__).resolve().parents[1]


def _damage(path: Path, fraction: float = 0.75) -> None:
    """Overwrite the middle of one page, as a failing disk or a bad copy would."""
    size = path.stat().st_size
    offset = int(size * fraction)
    offset -= offset % 4096
    with open(path, "r+b") as fh:
        fh.seek(offset + 100)
        fh.write(b"\xff" * 3000)


def _integrity_ok(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


@pytest.fixture
def damaged(demo_db, user_home):
    """The demo ward with three backups: an old good one, a newer good one and, newest, a copy
    that was damaged afterwards (so the newest file is not the one to recommend); then the
    database itself is damaged."""
    live = demo_db.path
    demo_db.dispose()
    folder = user_home / "backups"
    older = store.backup_file(live, folder / "demo-20261101-080000.sqlite3")
    good = store.backup_file(live, folder / "demo-20261115-080000.sqlite3")
    bad = store.backup_file(live, folder / "demo-tu-dong-20261120-170000.sqlite3")
    _damage(bad)
    _damage(live)
    assert not _integrity_ok(live) and not _integrity_ok(bad) and _integrity_ok(good)
    return live, good, bad, older


def test_check_reports_damage_in_vietnamese_and_names_the_newest_good_backup(damaged, capsys):
    live, good, bad, _older = damaged
    code = main(["--db", str(live), "check"])
    out, err = capsys.readouterr()
    text = out + err
    assert code == 1, text
    assert "Lỗi không mong đợi" not in text
    assert "bị hỏng" in text
    assert str(good) in text  # named, with the command to restore it
    assert f'bdhvs restore "{good}"' in text or f"bdhvs restore {good}" in text
    assert f'bdhvs restore "{bad}"' not in text and f"bdhvs restore {bad}" not in text  # the damaged copy is not offered


def test_newest_good_backup_skips_damaged_copies(damaged, user_home):
    live, good, bad, older = damaged
    found = safety.newest_good_backup(live)
    assert found is not None and found.path == good


def test_check_without_any_good_backup_says_so(demo_db, user_home, capsys):
    live = demo_db.path
    demo_db.dispose()
    _damage(live)
    assert main(["--db", str(live), "check"]) == 1
    out = capsys.readouterr().out
    assert "bị hỏng" in out and "Chưa có bản sao lưu nào còn tốt" in out


def _smoke(db: Path, home: Path, timeout: float = 60, extra_env: dict | None = None) -> tuple[int, str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), BDHVS_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env.update(extra_env or {})
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bdhvs_desktop", "--db", str(db), "--smoke-test"],
                          capture_output=True, text=True, timeout=timeout, env=env)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def test_smoke_test_on_a_damaged_database_ends_with_a_message(damaged, user_home):
    live, good, _bad, _older = damaged
    code, output, took = _smoke(live, user_home, timeout=90)
    assert code != 0, output
    assert took < 60
    assert "bị hỏng" in output and str(good) in output


def test_smoke_test_has_a_timeout(tmp_path, demo_template, user_home):
    db = store.backup_file(demo_template, tmp_path / "demo.sqlite3")
    code, output, took = _smoke(db, user_home, timeout=90, extra_env={"BDHVS_SMOKE_TIMEOUT": "0.01"})
    assert code == 4, output
    assert "quá thời gian" in output


def test_window_error_message_is_truthful_for_a_damaged_database(damaged, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from sqlalchemy import text

    from bdhvs_desktop.gui import app as gui_app
    from bdhvs_desktop.storage.engine import open_database

    live, good, _bad, _older = damaged
    # Damage the person table's root page too, so that the window's first read meets it.
    conn = sqlite3.connect(live)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'person'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(live, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 64)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, message, *a, **k: shown.append(message))
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    gui_app.install_error_hook(database=lambda: live)
    db = open_database(live)
    try:
        with db.read() as s:
            s.execute(text("SELECT * FROM person")).all()
        raise AssertionError("the damaged person table was read without an error")
    except Exception as exc:
        if isinstance(exc, AssertionError):
            raise
        sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        db.dispose()
    assert shown, "the error was not shown"
    message = shown[0]
    assert "không bị ảnh hưởng" not in message
    assert "bị hỏng" in message and good.name in message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions; %LOCALAPPDATA% is private to the user")
def test_log_file_is_readable_by_its_owner_only(tmp_path):
    home = tmp_path / "home"
    env = dict(os.environ, PYTHONPATH=str(ROOT), BDHVS_HOME=str(home))
    script = ("import logging, os; os.umask(0o022);"
              "from bdhvs_desktop.logging_setup import setup_logging; f = setup_logging();"
              "logging.getLogger('x').warning('hello'); print(f)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    log_file = Path(out.stdout.strip())
    assert log_file.exists()
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    # A log file made by an older version (world-readable) is tightened too.
    os.chmod(log_file, 0o644)
    subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_log_and_messages_mask_personal_data_from_the_database_driver():
    from bdhvs_desktop.logging_setup import redact

    pg = ('(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint "uq_person_cccd"\n'
          'DETAIL:  Key (cccd)=(001188456789) already exists.\n'
          "[SQL: INSERT INTO person (full_name, birth_date, cccd) VALUES (%(full_name)s, %(birth_date)s, %(cccd)s)]\n"
          "[parameters: {'full_name': 'Nguyễn Văn An', 'birth_date': datetime.date(1985, 3, 12), "
          "'cccd': '001188456789'}]")
    out = redact(pg)
    for secret in ("001188456789", "Nguyễn Văn An", "1985", "12/03/1985"):
        assert secret not in out
    assert "uq_person_cccd" in out  # what went wrong stays readable
    row = 'null value in column "unit_id" violates not-null constraint\nDETAIL:  Failing row contains (5, Trần Thị B, 1990-01-02).'
    assert "Trần Thị B" not in redact(row) and "1990-01-02" not in redact(row)


def test_restore_dialog_offers_the_newest_good_backup_first(damaged, qtbot):
    from types import SimpleNamespace

    from bdhvs_desktop.gui.restore_dialog import RestoreDialog
    from bdhvs_desktop.storage.lazy import LazyDatabase

    live, good, bad, _older = damaged
    dialog = RestoreDialog(SimpleNamespace(db=LazyDatabase(live)))
    qtbot.addWidget(dialog)
    assert dialog.model.backups[0].path == bad  # the newest file is the damaged one...
    assert dialog.selected == good  # ...so the one offered is the newest whole copy
    assert dialog.restore_button.isEnabled()


def test_the_advised_restore_works_on_the_damaged_database_and_keeps_its_bytes(damaged, capsys, user_home):
    import hashlib

    live, good, _bad, _older = damaged
    damaged_digest = hashlib.sha256(live.read_bytes()).hexdigest()
    assert main(["--db", str(live), "check"]) == 1
    capsys.readouterr()
    assert main(["--db", str(live), "restore", str(good)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Đã khôi phục" in out
    assert _integrity_ok(live)
    conn = sqlite3.connect(good)
    expected = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    conn.close()
    conn = sqlite3.connect(live)
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == expected
    conn.close()
    kept = list((user_home / "backups").glob("demo-bi-hong-*.sqlite3"))
    assert len(kept) == 1 and hashlib.sha256(kept[0].read_bytes()).hexdigest() == damaged_digest
    assert str(kept[0]) in out
    assert main(["--db", str(live), "check"]) in (0, 1)
    assert "bị hỏng" not in capsys.readouterr().out


def test_check_on_a_database_too_damaged_to_open(demo_db, user_home, capsys):
    """The schema page itself is damaged: opening fails, and check still says what to do."""
    live = demo_db.path
    demo_db.dispose()
    good = store.backup_file(live, user_home / "backups" / "demo-20261115-080000.sqlite3")
    with open(live, "r+b") as fh:
        fh.seek(4000)  # the end of page 1, where sqlite_master's rows are
        fh.write(b"\xff" * 96)
    assert main(["--db", str(live), "check"]) == 1
    out, err = capsys.readouterr()
    assert "Lỗi không mong đợi" not in out + err
    assert "bị hỏng" in out and str(good) in out
