"""Keeping the data safe: a damaged database (recognising it, advising which backup to restore).
Restoring from a backup is in services/restore.py. The backups themselves are in services/backups.py, the consistency checks
of `bdhvs check` in services/consistency.py, saving over a read version and a record's history in
services/edits.py; their names are re-exported here."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.services.backups import (  # re-exported: callers import them from here
    SETTING_DEFAULTS,
    ChangeTracker,
    backup_now,
    backup_on_exit,
    backup_settings,
    list_backups,
    track_changes,
)
from bdhvs_desktop.services.consistency import chain_findings, consistency_findings
from bdhvs_desktop.services.edits import EditConflict, HistoryEntry, RecordHistory, record_history, save_changes
from bdhvs_desktop.services.upkeep import Finding
from bdhvs_desktop.storage import backup as store

__all__ = ["SETTING_DEFAULTS", "ChangeTracker", "EditConflict", "HistoryEntry", "RecordHistory", "backup_now",
           "backup_on_exit", "backup_settings", "chain_findings", "consistency_findings", "corruption_findings",
           "describe_problems", "is_corruption", "known_revisions", "list_backups", "newest_good_backup",
           "record_history", "restore_advice", "save_changes", "sqlite_file_problems", "track_changes"]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- a damaged database

_CORRUPTION_WORDS = ("malformed", "file is not a database", "database corrupt", "disk image", "btreeinitpage")


def is_corruption(exc: BaseException | None) -> bool:
    """Whether `exc` (or an exception it wraps) is SQLite saying the file is damaged."""

    seen = 0
    while exc is not None and seen < 10:
        orig = getattr(exc, "orig", None)
        for candidate in (exc, orig):
            if isinstance(candidate, sqlite3.DatabaseError) and not isinstance(candidate, sqlite3.IntegrityError):
                text = str(candidate).lower()
                if any(w in text for w in _CORRUPTION_WORDS):
                    return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def newest_good_backup(db_path: Path, folder: Path | None = None) -> store.BackupInfo | None:
    """The newest copy of `db_path` in the backups folder that is itself whole: SQLite's
    integrity check passes and this program knows its schema. Damaged copies are skipped."""

    known = known_revisions()
    for info in store.list_backups(folder or backups_dir(), Path(db_path).stem):
        try:
            store.inspect_database_file(info.path, known)
        except store.BackupError as exc:
            log.warning("backup %s is not usable: %s", info.path.name, exc)
            continue
        return info
    return None


def restore_advice(db_path: Path, folder: Path | None = None) -> str:
    """How to get a damaged database back, naming the newest backup that is whole."""

    folder = folder or backups_dir()
    good = newest_good_backup(db_path, folder)
    if good is None:
        return (f"Chưa có bản sao lưu nào còn tốt của cơ sở dữ liệu này trong {folder}. Đừng xóa hay ghi đè tệp "
                f"{db_path}; hãy sao chép nó sang nơi an toàn và liên hệ người hỗ trợ kỹ thuật (có thể cứu một phần dữ "
                "liệu bằng công cụ sqlite3, lệnh .recover).")
    return (f"Cách khắc phục: đóng chương trình trên mọi máy đang mở tệp này, rồi khôi phục từ bản sao lưu gần nhất còn "
            f"tốt (đã kiểm tra toàn vẹn): {good.path} (lúc {good.taken_at:%H:%M %d/%m/%Y}). "
            f"Lệnh: bdhvs restore \"{good.path}\" — hoặc trong chương trình: Tệp → Khôi phục từ bản sao lưu…. "
            "Những gì nhập sau thời điểm đó cần nhập lại; khi khôi phục, tệp hỏng hiện tại được giữ nguyên trong thư "
            f"mục sao lưu (tên có chữ «{store.DAMAGED_TAG}») để có thể cứu thêm dữ liệu.")


def describe_problems(details: list[str]) -> str:
    """SQLite's integrity report, shortened to its first lines for a message."""
    lines = [line.strip() for d in details for line in str(d).splitlines() if line.strip() and "***" not in line]
    shown = "; ".join(lines[:3])[:300] or "không rõ"
    if len(lines) > 3:
        shown += f" … và {len(lines) - 3} dòng khác"
    return shown


def corruption_findings(db_path: Path, details: list[str], folder: Path | None = None) -> list[Finding]:
    """What `bdhvs check` says about a damaged SQLite file: the damage, then how to restore."""
    shown = describe_problems(details)
    return [
        Finding("error", f"Cơ sở dữ liệu {db_path} bị hỏng: SQLite không đọc được một phần tệp (báo lỗi: {shown}). "
                         "Dữ liệu trong phần hỏng có thể đã mất; đừng tiếp tục nhập liệu vào tệp này."),
        Finding("error", restore_advice(db_path, folder)),
    ]


def sqlite_file_problems(path: Path, *, quick: bool = False) -> list[str] | None:
    """SQLite's integrity check of the file at `path`, read-only, without this program's
    engine: None when it is whole, else what SQLite reports (also when it cannot read it).
    `quick` uses PRAGMA quick_check (no index contents; several times faster)."""

    try:
        conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        rows = [r[0] for r in conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return None if rows == ["ok"] else rows


def known_revisions() -> set[str]:
    """The schema revisions this program knows (a backup with another one cannot be used)."""
    from alembic.script import ScriptDirectory  # lazy: start-up

    from bdhvs_desktop.storage.migrate import alembic_config  # lazy: start-up

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
