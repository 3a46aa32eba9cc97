"""Copies of a SQLite database made with SQLite's online backup API (consistent even while
the program writes), and restoring from them."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path


def backup_file(src: Path, dest: Path) -> Path:
    """A consistent copy of the SQLite database `src` at `dest` (written whole, then moved)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    source = sqlite3.connect(f"file:{src.as_posix()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            (result,) = target.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise RuntimeError(f"bản sao lưu không toàn vẹn: {result}")
        finally:
            target.close()
    finally:
        source.close()
    tmp.replace(dest)
    return dest


def timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_before_migration(db_path: Path, revision: str) -> Path:
    from bdhvs_desktop.paths import backups_dir

    dest = backups_dir() / f"{db_path.stem}-truoc-nang-cap-{revision}-{timestamp()}.sqlite3"
    return backup_file(db_path, dest)
