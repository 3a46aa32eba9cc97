"""Shared fixtures: every test gets its own user folder (BDHVS_HOME) and Qt runs offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One audit-chain key for the whole test session (the shared demo database is chained with it
# although every test has its own BDHVS_HOME); tests of the key itself set their own.
import tempfile

os.environ.setdefault("BDHVS_AUDIT_KEY_FILE", os.path.join(tempfile.mkdtemp(prefix="bdhvs-key-"), "audit.key"))

import pytest


@pytest.fixture(autouse=True)
def user_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BDHVS_HOME", str(home))
    monkeypatch.delenv("BDHVS_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def _operations_land():
    """An operation a GUI test started (gui/ops.py) lands before the test's database goes away."""
    yield
    import sys

    if "bdhvs_desktop.gui.ops" in sys.modules:
        from gui_wait import settle

        settle(timeout=60000)


@pytest.fixture
def db(tmp_path):
    """An empty, migrated SQLite database."""
    from bdhvs_desktop.storage.engine import open_database

    database = open_database(tmp_path / "test.sqlite3")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo ward, built once per test session; copy it with `demo_db`."""
    from bdhvs_desktop.services.demo import create_demo
    from bdhvs_desktop.storage.engine import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    os.environ.setdefault("BDHVS_HOME", str(path.parent / "home"))
    database = open_database(path)
    create_demo(database)
    database.dispose()
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path):
    """A private copy of the demo ward."""
    from bdhvs_desktop.storage.backup import backup_file
    from bdhvs_desktop.storage.engine import open_database

    path = backup_file(demo_template, tmp_path / "demo.sqlite3")
    database = open_database(path)
    yield database
    database.dispose()
