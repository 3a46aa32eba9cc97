"""Restoring the SQLite database from a backup, all or nothing: the backup is checked first (whole,
a schema this program knows), the current database is kept in the backups folder, and the result
is checked again, the previous database put back when it is not right."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.services.safety import known_revisions, sqlite_file_problems
from bdhvs_desktop.storage import backup as store
from bdhvs_desktop.storage.engine import DatabaseError, network_share_reason, open_database

log = logging.getLogger(__name__)


class RestoreError(ServiceError):
    """A restore was refused or failed; the current database is unchanged (Vietnamese message)."""



@dataclass(frozen=True)
class RestoreResult:
    database: Path
    restored_from: Path
    previous_copy: Path | None  # the database as it was before, kept in the backups folder
    revision: str
    counts: dict[str, int] = field(default_factory=dict)


def check_backup_file(path: Path) -> store.FileCheck:
    """Is `path` a whole bdhvs database this program can use? Raises RestoreError saying why not."""
    try:
        return store.inspect_database_file(Path(path), known_revisions())
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
        after = store.inspect_database_file(target, known_revisions())
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
