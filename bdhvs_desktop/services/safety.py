"""Keeping the data safe: a damaged database (recognising it, advising which backup to restore) and
restoring from a backup. The backups themselves are in services/backups.py, the consistency checks
of `bdhvs check` in services/consistency.py, saving over a read version and a record's history in
services/edits.py; their names are re-exported here."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.services import audit
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
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.services.upkeep import Finding
from bdhvs_desktop.storage import backup as store
from bdhvs_desktop.storage.engine import DatabaseError, network_share_reason, open_database

__all__ = ["SETTING_DEFAULTS", "ChangeTracker", "EditConflict", "HistoryEntry", "RecordHistory", "RestoreError",
           "RestoreResult", "backup_now", "backup_on_exit", "backup_settings", "chain_findings", "check_backup_file",
           "consistency_findings", "corruption_findings", "describe_problems", "is_corruption", "list_backups",
           "newest_good_backup", "record_history", "restore", "restore_advice", "save_changes", "sqlite_file_problems",
           "track_changes"]

log = logging.getLogger(__name__)


class RestoreError(ServiceError):
    """A restore was refused or failed; the current database is unchanged (Vietnamese message)."""


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

    known = _known_revisions()
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


# --------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    restored_from: Path
    previous_copy: Path | None  # the database as it was before, kept in the backups folder
    revision: str
    counts: dict[str, int] = field(default_factory=dict)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory  # lazy: start-up

    from bdhvs_desktop.storage.migrate import alembic_config  # lazy: start-up

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_backup_file(path: Path) -> store.FileCheck:
    """Is `path` a whole bdhvs database this program can use? Raises RestoreError saying why not."""
    try:
        return store.inspect_database_file(Path(path), _known_revisions())
    except store.BackupError as exc:
        raise RestoreError(str(exc)) from exc


def restore(database: str | Path, source: str | Path, *, user: str = "thu-ky",
            folder: Path | None = None) -> RestoreResult:
    """Replace the SQLite database at `database` with the backup `source`, all or nothing.

    Before: `source` must be a whole bdhvs database (integrity check, known schema,
    foreign keys). The current database is copied to the backups folder first. The copy
    into place is one SQLite transaction. After: the result is checked again (integrity,
    same schema and row counts as the backup); if that fails the previous copy is put back.
    The database must not be open elsewhere (close the program's own engine first).
    Finally the restore is written to the audit log (and an older schema is upgraded)."""

    if "://" in str(database):
        raise RestoreError("Khôi phục trong chương trình chỉ dành cho cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng "
                           "pg_restore trên máy chủ.")
    target, source = Path(database), Path(source)
    if reason := network_share_reason(target):
        raise RestoreError(f"Không khôi phục vào {target}: tệp nằm trên {reason}.")
    try:
        same = target.exists() and source.exists() and target.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise RestoreError("Tệp sao lưu chính là cơ sở dữ liệu đang dùng; hãy chọn một tệp sao lưu khác.")
    check = check_backup_file(source)
    folder = folder or backups_dir()
    previous: Path | None = None
    damaged: Path | None = None  # the current file kept as it was, when it is too damaged to back up
    if target.exists():
        if target.stat().st_size and not _is_sqlite(target):
            raise RestoreError(f"Tệp {target} không phải cơ sở dữ liệu SQLite; không ghi đè lên nó.")
        try:
            previous = store.backup_file(
                target, store.unique_path(folder / f"{target.stem}-{store.PRE_RESTORE_TAG}-{store.timestamp()}.sqlite3"))
        except Exception as exc:
            if sqlite_file_problems(target) is None:
                raise RestoreError(f"Không sao lưu được cơ sở dữ liệu hiện tại trước khi khôi phục ({exc}); "
                                   "chưa thay đổi gì.") from exc
            # Damaged: exactly what restoring is for. Its bytes are kept (for a rescue) and the
            # file is replaced whole, since SQLite cannot write into the damaged one.
            try:
                damaged = store.copy_as_is(target, store.unique_path(
                    folder / f"{target.stem}-{store.DAMAGED_TAG}-{store.timestamp()}.sqlite3"))
            except OSError as copy_exc:
                raise RestoreError(f"Không giữ lại được tệp hỏng trước khi khôi phục ({copy_exc}); chưa thay đổi "
                                   "gì.") from copy_exc
            log.warning("restoring over a damaged database; kept as %s", damaged.name)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if damaged is not None:
            store.replace_file(source, target)
        else:
            store.copy_into(source, target)
    except Exception as exc:
        if damaged is not None:  # the damaged file's -wal may be gone already: its bytes go back
            _put_back(target, None, damaged)
        if isinstance(exc, store.BackupError):
            raise RestoreError(f"{exc} Chưa thay đổi gì.") from exc
        raise RestoreError(f"Khôi phục thất bại ({exc}); cơ sở dữ liệu hiện tại giữ nguyên.") from exc
    try:
        after = store.inspect_database_file(target, _known_revisions())
        if after.revision != check.revision or after.counts != check.counts:
            raise store.BackupError("dữ liệu sau khi khôi phục không khớp với bản sao lưu")
    except store.BackupError as exc:
        _put_back(target, previous, damaged)
        raise RestoreError(f"Kiểm tra sau khi khôi phục không đạt: {exc}. Đã đặt lại cơ sở dữ liệu như trước.") from exc
    # An older copy is upgraded to this program's schema now. If that (or the audit entry)
    # fails, the previous database goes back: the user is never left with a database that
    # this program cannot open.
    try:
        db = open_database(target)
        try:
            with db.session() as s:
                audit.record(s, user=user, action="restore", entity="database",
                             note=f"Khôi phục từ bản sao lưu {source.name}"
                                  + (f"; bản trước khi khôi phục: {previous.name}" if previous else ""),
                             chained=True)  # anchors taken before this point belong to the replaced data
        finally:
            db.dispose()
    except Exception as exc:  # any failure: put the previous database back (re-raised below)
        log.error("restore of %s failed after the copy (%s); putting the previous database back",
                  source.name, type(exc).__name__)
        _put_back(target, previous, damaged)
        reason = str(exc) if isinstance(exc, DatabaseError) else type(exc).__name__
        raise RestoreError(
            f"Bản sao lưu {source.name} (lược đồ {check.revision}) không dùng được với phiên bản chương trình này: "
            f"{reason} Đã đặt lại cơ sở dữ liệu như trước khi khôi phục"
            + (f" (bản sao trước khi khôi phục: {previous.name})" if previous else "") + "."
        ) from exc
    return RestoreResult(target, source, previous or damaged, check.revision, check.counts)


def _put_back(target: Path, previous: Path | None, damaged: Path | None = None) -> None:
    """Undo a restore: the copy taken before it goes back in place (one transaction), the
    damaged file's bytes when it was too damaged to copy otherwise, or the new file goes away
    when there was no database before."""
    if previous is not None:
        store.copy_into(previous, target)
        return
    if damaged is not None:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        store.copy_as_is(damaged, target)
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == store.SQLITE_HEADER
    except OSError:
        return False


