"""A SQLite database opened in two steps, so the window paints before SQLAlchemy loads.

Importing SQLAlchemy and mapping the models costs ~0.4 s, three times a bare PySide6
window. At start-up the main window reads its first table through the standard sqlite3
module (read-only); the full `Database` is created on first use of anything else, and the
window triggers that right after its first paint."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from bdhvs_desktop.storage.schema_version import SCHEMA_HEAD


class LazyDatabase:
    is_sqlite = True

    def __init__(self, path: Path, user: str = "thu-ky"):
        self.path = Path(path)
        self._user = user
        self._db = None
        self._lock = threading.RLock()

    @classmethod
    def try_open(cls, path: Path) -> LazyDatabase | None:
        """A lazy database when the file exists at the current schema; None otherwise (the
        caller then opens it fully, which creates or upgrades it)."""
        if not path.is_file():
            return None
        try:
            con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
            try:
                (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                con.close()
        except (sqlite3.Error, TypeError):
            return None
        return cls(path) if revision == SCHEMA_HEAD else None

    @property
    def user(self) -> str:
        return self._db.user if self._db is not None else self._user

    @user.setter
    def user(self, value: str) -> None:
        self._user = value
        if self._db is not None:
            self._db.user = value

    @property
    def loaded(self) -> bool:
        return self._db is not None

    @property
    def display_name(self) -> str:
        return str(self.path)

    def quick_rows(self, sql: str, params: tuple = ()) -> list[tuple] | None:
        """Rows through sqlite3 while the full database is not loaded yet; None once it is."""
        if self._db is not None:
            return None
        con = sqlite3.connect(f"file:{self.path.as_posix()}?mode=ro", uri=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def real(self):
        with self._lock:  # the first use may come from an operation's pool thread (gui/ops.py)
            if self._db is None:
                from bdhvs_desktop.storage.engine import open_database  # lazy: start-up

                db = open_database(self.path)
                db.user = self._user
                self._db = db
        return self._db

    def dispose(self) -> None:
        if self._db is not None:
            self._db.dispose()

    def __getattr__(self, name: str) -> Any:
        # session(), read(), engine, url, ...: everything else needs the full database.
        return getattr(self.real(), name)
