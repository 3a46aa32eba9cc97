"""A PostgreSQL unique violation quotes the key's values (DETAIL: Key (cccd)=(...)) and
SQLAlchemy adds the statement's parameters (name, birth date): neither the message shown
to the user nor the log file may hold them (issue #15, point 13)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CCCD = "001185012345"
NAMES = ("Nguyễn Văn Bímật", "Trần Thị Kínđáo")
DATES = ("1985-03-12", "12/03/1985", "1990-07-21", "21/07/1990", "datetime.date(1985")

FORCE_DUPLICATE = textwrap.dedent(f"""
    import datetime as dt
    import sys

    from bdhvs_desktop.services import maintenance

    def duplicate(db):  # two workstations saved the same CCCD at once: the second hits the constraint
        from bdhvs_desktop.storage import models as m

        for name, born in (({NAMES[0]!r}, dt.date(1985, 3, 12)), ({NAMES[1]!r}, dt.date(1990, 7, 21))):
            with db.session() as s:
                s.add(m.Person(full_name=name, name_key=name.lower(), search_key=name.lower(), birth_date=born,
                               cccd={CCCD!r}))
        return []

    maintenance.check_database = duplicate
    from bdhvs_desktop.cli import main

    sys.exit(main(["--db", sys.argv[1], "check"]))
""")


def _assert_clean(text: str) -> None:
    assert CCCD not in text
    for secret in NAMES + DATES:
        assert secret not in text, secret


def test_unique_violation_leaks_nothing_to_the_screen_or_the_log(pg_url, tmp_path):
    from bdhvs_desktop.services import accounts
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(pg_url)  # the command line logs in on a shared database: a secretary's account
    try:
        accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", "Mat-khau-dai-01")
    finally:
        db.dispose()
    home = tmp_path / "home"
    env = dict(os.environ, PYTHONPATH=str(ROOT), BDHVS_HOME=str(home), BDHVS_USER="thuky",
               BDHVS_PASSWORD="Mat-khau-dai-01")
    proc = subprocess.run([sys.executable, "-c", FORCE_DUPLICATE, pg_url], capture_output=True, text=True,
                          env=env, timeout=120)
    shown = proc.stdout + proc.stderr
    assert proc.returncode == 1, shown
    assert "uq_person_cccd" in shown  # what failed is still said
    _assert_clean(shown)
    log = (home / "logs" / "bdhvs.log").read_text(encoding="utf-8")
    assert "UniqueViolation" in log and "uq_person_cccd" in log  # the log keeps the diagnosis...
    _assert_clean(log)  # ...without the person


def test_window_message_and_log_record_of_a_unique_violation_are_clean(pg_url, qtbot, monkeypatch):
    import logging

    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui import app as gui_app
    from bdhvs_desktop.logging_setup import RedactingFormatter
    from bdhvs_desktop.storage import models as m
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(pg_url)
    try:
        with db.session() as s:
            s.add(m.Person(full_name=NAMES[0], name_key="a", search_key="a", birth_date=dt.date(1985, 3, 12), cccd=CCCD))
        try:
            with db.session() as s:
                s.add(m.Person(full_name=NAMES[1], name_key="b", search_key="b", birth_date=dt.date(1990, 7, 21),
                               cccd=CCCD))
        except Exception as exc:  # noqa: BLE001
            error = exc
        else:
            raise AssertionError("the duplicate CCCD was accepted")
    finally:
        db.dispose()
    assert type(error.orig).__name__ == "UniqueViolation"
    # Any page that shows str(exc) shows no personal data either: the error's own text is clean.
    assert "uq_person_cccd" in str(error)
    _assert_clean(str(error))
    _assert_clean(str(error.orig))

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, message, *a, **k: shown.append(message))
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    keep = Keep()
    keep.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("bdhvs.gui").addHandler(keep)
    try:
        gui_app.install_error_hook()
        sys.excepthook(type(error), error, error.__traceback__)
    finally:
        logging.getLogger("bdhvs.gui").removeHandler(keep)
    assert shown and records
    assert "uq_person_cccd" in shown[0]
    _assert_clean(shown[0])
    _assert_clean("\n".join(records))
