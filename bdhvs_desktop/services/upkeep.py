"""What the database checks and the backups share: a check's `Finding` and the copy a user asks
for (`bdhvs backup`). Lower than services/maintenance.py (`bdhvs check`, which also reports
services/safety.py's consistency findings) and services/safety.py (backups on exit, restore),
which both use it, so neither imports the other back (issue #12, cycles)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.storage.backup import backup_file, timestamp, unique_path
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class Finding:
    level: str  # ok | warning | error
    message: str  # Vietnamese


def backup(db: Database, out: Path | None = None, *, overwrite: bool = False) -> Path:
    """A consistent copy of the SQLite database (online backup API). `out` may be a file or
    a folder (the copy gets its usual name there). Never the live database itself; an
    existing file only with `overwrite` (storage.backup.TargetExists otherwise)."""

    if not db.is_sqlite or db.path is None:
        raise ValueError(
            "Sao lưu trong chương trình chỉ dành cho cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng pg_dump "
            "trên máy chủ."
        )
    name = f"{db.path.stem}-{timestamp()}.sqlite3"
    if out is None:
        dest = unique_path(backups_dir() / name)
    elif Path(out).is_dir():
        dest = unique_path(Path(out) / name)
    else:
        dest = Path(out)
    return backup_file(db.path, dest, overwrite=overwrite)
