"""Automatic backups: their settings (retention, the shortest interval), the backup on exit when
something changed, a backup on demand and the list of copies (storage/backup.py does the copying)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import event, select

from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.services.upkeep import backup
from bdhvs_desktop.storage import backup as store
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.models import Setting

log = logging.getLogger(__name__)

SETTING_DEFAULTS = {
    "backup.keep_daily": 7,
    "backup.keep_weekly": 5,
    "backup.keep_monthly": 12,
    "backup.min_interval_minutes": 30,
}



def backup_settings(db: Database) -> tuple[store.Retention, dt.timedelta]:
    """How many daily/weekly/monthly automatic copies to keep, and the minimum interval
    between automatic copies (settings `backup.*`, with defaults 7/5/12 and 30 minutes)."""
    values = dict(SETTING_DEFAULTS)
    with db.read() as s:
        for row in s.scalars(select(Setting).where(Setting.key.in_(list(SETTING_DEFAULTS)))):
            try:
                number = int(row.value)
            except (TypeError, ValueError):
                log.warning("setting %s has a bad value %r; using the default", row.key, row.value)
                continue
            if number >= 0:
                values[row.key] = number
    retention = store.Retention(values["backup.keep_daily"], values["backup.keep_weekly"],
                                values["backup.keep_monthly"])
    return retention, dt.timedelta(minutes=values["backup.min_interval_minutes"])


# --------------------------------------------------------------------------- backup on exit


class ChangeTracker:
    """Notices whether the data changed while the program ran: the file's size and time
    (every commit, by this program or another, changes the database or its write-ahead
    log), plus every INSERT/UPDATE/DELETE this program sends once its engine is loaded.

    `start` is a fingerprint taken earlier (storage.backup.fingerprint), so the window can
    take it at start-up without loading SQLAlchemy."""

    def __init__(self, db: Database, start: tuple | None = None):
        self.db = db
        self.writes = 0
        path = db.path
        self._start = start if start is not None else (store.fingerprint(path) if path is not None else None)
        self._engine = None
        if getattr(db, "loaded", True):  # a lazily opened database has no engine yet: do not load it here
            self._engine = db.engine
            event.listen(self._engine, "after_cursor_execute", self._after_execute)

    def _after_execute(self, conn, cursor, statement, parameters, context, executemany):
        head = statement.lstrip()[:7].upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")) and (cursor.rowcount or 0) != 0:
            self.writes += 1

    @property
    def changed(self) -> bool:
        if self.writes:
            return True
        return self.db.path is not None and store.fingerprint(self.db.path) != self._start

    def mark_saved(self) -> None:
        self.writes = 0
        if self.db.path is not None:
            self._start = store.fingerprint(self.db.path)

    def close(self) -> None:
        if self._engine is not None and event.contains(self._engine, "after_cursor_execute", self._after_execute):
            event.remove(self._engine, "after_cursor_execute", self._after_execute)
        self._engine = None


def track_changes(db: Database, start: tuple | None = None) -> ChangeTracker:
    return ChangeTracker(db, start)


def backup_on_exit(db: Database, tracker: ChangeTracker | None, *, now: dt.datetime | None = None,
                   folder: Path | None = None) -> Path | None:
    """The automatic copy made when the program closes: only for a SQLite file, only when
    the data changed, at most one per `backup.min_interval_minutes`; then old automatic
    copies are thinned. Returns the copy made, or None."""
    if not db.is_sqlite or db.path is None or not db.path.exists():
        return None
    if tracker is not None and not tracker.changed:
        return None

    retention, interval = backup_settings(db)
    dest = store.auto_backup(db.path, folder or backups_dir(), retention=retention, min_interval=interval, now=now)
    if dest is not None and tracker is not None:
        tracker.mark_saved()
    if dest is not None:
        log.info("automatic backup on exit: %s", dest)
    return dest


def backup_now(db: Database, out: Path | None = None) -> Path:
    """A copy made at the user's request (kept; never thinned)."""

    return backup(db, out)


def list_backups(db: Database, folder: Path | None = None) -> list[store.BackupInfo]:
    if db.path is None:
        return []
    return store.list_backups(folder or backups_dir(), db.path.stem)

