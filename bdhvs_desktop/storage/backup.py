"""Copies of a SQLite database made with SQLite's online backup API (consistent even while
the program writes), automatic copies and their thinning, and restoring from a copy.

Kinds of copies in the backups folder, told apart by their names:
- `<tên>-tu-dong-<thời điểm>.sqlite3`: automatic, on exit when data changed (thinned);
- `<tên>-truoc-nang-cap-<rev>-<thời điểm>.sqlite3`: before a schema upgrade (kept);
- `<tên>-truoc-khoi-phuc-<thời điểm>.sqlite3`: the database as it was before a restore (kept);
- `<tên>-<thời điểm>.sqlite3`: made by the user ("Sao lưu ngay", `bdhvs backup`; kept).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.storage.location import fingerprint  # noqa: F401 - kept here for callers

SQLITE_HEADER = b"SQLite format 3\x00"
AUTO_TAG = "tu-dong"
PRE_RESTORE_TAG = "truoc-khoi-phuc"
PRE_MIGRATION_TAG = "truoc-nang-cap"
_TS_RE = re.compile(r"(\d{8}-\d{6})(?:-\d+)?\.sqlite3$")

# Tables every bdhvs database has; a file without them is not one of ours.
REQUIRED_TABLES = ("alembic_version", "campaign", "unit", "person", "audit_log", "setting")


class BackupError(Exception):
    """A backup or restore cannot be done; the message is for the user (Vietnamese)."""


class TargetExists(BackupError):
    """The chosen backup file already exists and overwriting it was not asked for."""


# A copy is written to a temporary file beside its destination, then moved into place. The
# temporary name carries the writer's process id, so a copy killed half-way (SIGKILL, a
# power cut: no clean-up code runs) is recognised and swept by the next backup or start.
TEMP_SUFFIX = ".bdhvs-tmp"
_TEMP_RE = re.compile(r"^\.(?P<base>.+)\.(?P<pid>\d+)" + re.escape(TEMP_SUFFIX) + r"(?:-journal|-wal|-shm)?$")
# Names used by versions before the sweep existed (`<copy>.sqlite3.tmp`); no process id to ask.
_LEGACY_TEMP_RE = re.compile(r"^.+\.sqlite3\.tmp(?:-journal)?$")
STALE_AFTER_SECONDS = 24 * 3600  # even a live process id is someone else's after a day (ids are reused)
LEGACY_STALE_AFTER_SECONDS = 3600
_SIBLINGS = ("", "-wal", "-shm", "-journal")


def temporary_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{os.getpid()}{TEMP_SUFFIX}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def sweep_temporary_files(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete what killed backups left in `folder`: temporary copies whose process is gone
    (or older than a day), and old-style `.sqlite3.tmp` files older than an hour. A copy
    another program is writing right now is left alone. Returns what was deleted."""

    folder = Path(folder)
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        match = _TEMP_RE.match(name)
        try:
            if match:
                age = now - entry.stat().st_mtime
                if _pid_alive(int(match.group("pid"))) and age < STALE_AFTER_SECONDS:
                    continue
            elif _LEGACY_TEMP_RE.match(name):
                if now - entry.stat().st_mtime < LEGACY_STALE_AFTER_SECONDS:
                    continue
            else:
                continue
            if not entry.is_file():
                continue
            entry.unlink()
            removed.append(entry)
        except OSError:  # gone meanwhile, or held by an antivirus: next time
            continue
    return removed


def _canonical(path: Path) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def refers_to_database(dest: Path, database: Path) -> bool:
    """Whether writing `dest` would write the SQLite database `database` or one of the files
    SQLite keeps beside it (-wal, -shm, -journal), however the path is spelt: relative,
    with "..", through a symbolic link, in another letter case on Windows, or a hard link."""
    dest, database = Path(dest), Path(database)
    target = _canonical(dest)
    base = _canonical(database)
    if any(target == base + suffix for suffix in _SIBLINGS):
        return True
    if dest.exists():
        for suffix in _SIBLINGS:
            sibling = Path(str(database) + suffix)
            try:
                if sibling.exists() and os.path.samefile(dest, sibling):
                    return True
            except OSError:
                continue
    return False


def backup_file(src: Path, dest: Path, *, overwrite: bool = False) -> Path:
    """A consistent copy of the SQLite database `src` at `dest` (written whole beside it, then
    moved into place). Never onto `src` itself or its -wal/-shm/-journal files; an existing
    `dest` only with `overwrite=True` (raises TargetExists otherwise)."""
    src, dest = Path(src), Path(dest)
    if refers_to_database(dest, src):
        raise BackupError(f"Không sao lưu vào {dest}: đó là cơ sở dữ liệu đang dùng (hoặc tệp đi kèm của nó); "
                          "ghi vào đó sẽ làm mất dữ liệu. Hãy chọn một tệp khác.")
    if dest.is_dir():
        raise BackupError(f"{dest} là một thư mục; hãy chọn tên tệp sao lưu.")
    if dest.exists() and not overwrite:
        raise TargetExists(f"Tệp {dest} đã có; chương trình không ghi đè lên nó. Hãy chọn tên tệp khác.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    sweep_temporary_files(dest.parent)
    tmp = temporary_path(dest)
    for suffix in _SIBLINGS:
        Path(str(tmp) + suffix).unlink(missing_ok=True)
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
    except BaseException:
        for suffix in _SIBLINGS:
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        raise
    finally:
        source.close()
    _fsync_file(tmp)
    if dest.exists() and not overwrite:  # appeared meanwhile (another program)
        tmp.unlink(missing_ok=True)
        raise TargetExists(f"Tệp {dest} đã có; chương trình không ghi đè lên nó. Hãy chọn tên tệp khác.")
    _replace_with_retry(tmp, dest)
    return dest


DAMAGED_TAG = "bi-hong"  # `<tên>-bi-hong-<thời điểm>.sqlite3`: a damaged database kept as it was (not offered)


def copy_as_is(src: Path, dest: Path) -> Path:
    """A byte-for-byte copy of the SQLite file `src` and the files SQLite keeps beside it
    (-wal, -journal), for a database too damaged for the backup API: kept for a rescue
    (sqlite3 .recover) before the file is replaced. Returns `dest`."""

    src, dest = Path(src), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal"):
        part = Path(str(src) + suffix)
        if not part.exists():
            continue
        final = Path(str(dest) + suffix)
        tmp = temporary_path(final)
        try:
            shutil.copyfile(part, tmp)
            _fsync_file(tmp)
            _replace_with_retry(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return dest


def replace_file(src: Path, target: Path) -> None:
    """Put a whole copy of the database `src` in place of the file `target` (written beside
    it, then moved), removing `target`'s -wal/-shm/-journal first: used only when `target` is
    damaged and has been kept with copy_as_is."""
    target = Path(target)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    backup_file(src, target, overwrite=True)


def _replace_with_retry(tmp: Path, dest: Path, attempts: int = 10, pause: float = 0.2) -> None:
    """os.replace, retried briefly: on Windows an antivirus or indexer holding the new file
    makes it fail for a moment with WinError 5/32 (pitfalls #11)."""

    for attempt in range(attempts):
        try:
            tmp.replace(dest)
            return
        except PermissionError:
            if attempt == attempts - 1:
                tmp.unlink(missing_ok=True)
                raise
            time.sleep(pause)


def _fsync_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def timestamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def unique_path(dest: Path) -> Path:
    """`dest`, or `dest` with -2, -3 … before the suffix when that name is taken."""
    if not dest.exists():
        return dest
    n = 2
    while True:
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


SOURCE_DIGEST_SUFFIX = ".nguon-sha256"  # beside a pre-upgrade copy: the digest of what it copied


def content_digest(db_path: Path) -> str:
    """SHA-256 of the database file and its write-ahead log: equal digests, equal data."""

    digest = hashlib.sha256()
    for part in (db_path, db_path.with_name(db_path.name + "-wal")):
        try:
            with open(part, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except FileNotFoundError:
            pass
        digest.update(b"\x00--\x00")
    return digest.hexdigest()


def backup_before_migration(db_path: Path, revision: str) -> Path:
    """The copy made before upgrading `db_path` from `revision`. One copy per state of the
    data: when an upgrade fails and the program is started again (and again), the copy made
    the first time is reused instead of writing another full copy at every attempt."""

    folder = backups_dir()
    digest = content_digest(db_path)
    marker = f"-{PRE_MIGRATION_TAG}-{revision}-"
    for info in list_backups(folder, db_path.stem):
        if info.kind != "pre_migration" or marker not in info.path.name:
            continue
        side = info.path.with_name(info.path.name + SOURCE_DIGEST_SUFFIX)
        try:
            if side.read_text(encoding="ascii").strip() == digest:
                return info.path
        except (OSError, UnicodeDecodeError):
            continue
    dest = backup_file(db_path, unique_path(folder / f"{db_path.stem}{marker}{timestamp()}.sqlite3"))
    try:
        dest.with_name(dest.name + SOURCE_DIGEST_SUFFIX).write_text(digest + "\n", encoding="ascii")
    except OSError:  # without the marker the next attempt makes another copy: safe, only larger
        pass
    return dest


# --------------------------------------------------------------------------- automatic copies


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # auto | pre_migration | pre_restore | manual
    taken_at: dt.datetime
    size: int


def _kind_of(stem: str, name: str) -> str | None:
    if not name.startswith(stem + "-") or not name.endswith(".sqlite3"):
        return None
    rest = name[len(stem) + 1:]
    if rest.startswith(AUTO_TAG + "-"):
        return "auto"
    if rest.startswith(PRE_MIGRATION_TAG + "-"):
        return "pre_migration"
    if rest.startswith(PRE_RESTORE_TAG + "-"):
        return "pre_restore"
    if re.fullmatch(r"\d{8}-\d{6}(?:-\d+)?\.sqlite3", rest):
        return "manual"
    return None


def list_backups(folder: Path, db_stem: str) -> list[BackupInfo]:
    """The copies of database `db_stem` in `folder`, newest first."""
    found: list[BackupInfo] = []
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        kind = _kind_of(db_stem, entry.name)
        if kind is None or not entry.is_file():
            continue
        match = _TS_RE.search(entry.name)
        try:
            taken = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S") if match else None
        except ValueError:
            taken = None
        stat = entry.stat()
        found.append(BackupInfo(entry, kind, taken or dt.datetime.fromtimestamp(stat.st_mtime), stat.st_size))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


@dataclass(frozen=True)
class Retention:
    daily: int = 7
    weekly: int = 5
    monthly: int = 12


def backups_to_keep(taken: list[dt.datetime], retention: Retention) -> set[int]:
    """Indexes (into `taken`) of the copies to keep: the newest copy of each of the last
    `daily` days, `weekly` ISO weeks and `monthly` months that have a copy (grandfather-
    father-son). The newest copy overall is always kept."""
    order = sorted(range(len(taken)), key=lambda i: taken[i], reverse=True)
    keep: set[int] = set()
    if order:
        keep.add(order[0])
    for count, bucket in ((retention.daily, lambda t: t.date()),
                          (retention.weekly, lambda t: tuple(t.isocalendar())[:2]),
                          (retention.monthly, lambda t: (t.year, t.month))):
        seen: list[object] = []
        for i in order:
            key = bucket(taken[i])
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(i)
    return keep


def thin_backups(folder: Path, db_stem: str, retention: Retention) -> list[Path]:
    """Delete the automatic copies that the retention does not keep; returns what was deleted.
    Copies made by the user, before upgrades and before restores are never deleted."""
    autos = [b for b in list_backups(folder, db_stem) if b.kind == "auto"]
    keep = backups_to_keep([b.taken_at for b in autos], retention)
    deleted = []
    for i, info in enumerate(autos):
        if i not in keep:
            try:
                info.path.unlink()
                deleted.append(info.path)
            except OSError:  # in use (antivirus, indexer): try again next time
                continue
    return deleted


def auto_backup(db_path: Path, folder: Path, *, retention: Retention, min_interval: dt.timedelta,
                now: dt.datetime | None = None) -> Path | None:
    """An automatic copy of `db_path` unless the newest automatic copy is younger than
    `min_interval`; then thin. Returns the new copy, or None when skipped."""
    now = now or dt.datetime.now()
    autos = [b for b in list_backups(folder, db_path.stem) if b.kind == "auto"]
    if autos and now - autos[0].taken_at < min_interval and autos[0].taken_at <= now:
        return None
    dest = unique_path(folder / f"{db_path.stem}-{AUTO_TAG}-{timestamp(now)}.sqlite3")
    backup_file(db_path, dest)
    thin_backups(folder, db_path.stem, retention)
    return dest


# --------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class FileCheck:
    revision: str
    counts: dict[str, int]


def inspect_database_file(path: Path, known_revisions: set[str]) -> FileCheck:
    """Check that `path` is a whole, valid bdhvs database; raises BackupError saying why not."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp {path}.")
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != SQLITE_HEADER:
        raise BackupError(f"Tệp {path.name} không phải cơ sở dữ liệu SQLite (có thể bị hỏng hoặc là loại tệp khác).")
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"Không mở được tệp {path.name}: {exc}.") from exc
    try:
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Tệp {path.name} bị hỏng: {exc}.") from exc
        if rows != ["ok"]:
            raise BackupError(f"Tệp {path.name} không toàn vẹn (PRAGMA integrity_check): " + "; ".join(rows[:3]))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupError(f"Tệp {path.name} không phải cơ sở dữ liệu của bdhvs-desktop (thiếu bảng "
                              + ", ".join(missing) + ").")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if not revision:
            raise BackupError(f"Tệp {path.name} không có thông tin phiên bản lược đồ.")
        if revision[0] not in known_revisions:
            raise BackupError(f"Tệp {path.name} được tạo bởi phiên bản mới hơn của chương trình (lược đồ "
                              f"{revision[0]}). Hãy cài phiên bản mới nhất của bdhvs-desktop trước khi khôi phục.")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            raise BackupError(f"Tệp {path.name} có {len(fk)} dòng vi phạm khóa ngoại (ví dụ bảng {fk[0][0]}).")
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                  for t in sorted(tables) if not t.startswith("sqlite_")}
        return FileCheck(revision[0], counts)
    finally:
        conn.close()


def copy_into(src: Path, dest: Path) -> None:
    """Replace the contents of the SQLite database `dest` with those of `src`, in ONE write
    transaction on `dest` (SQLite's backup API with all pages in one step): if anything
    fails or the machine stops half-way, `dest` keeps its old contents. Needs exclusive use
    of `dest` (no other program may have it open)."""
    source = sqlite3.connect(f"file:{Path(src).as_posix()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(dest, timeout=5, isolation_level=None)
        try:
            target.execute("PRAGMA synchronous = FULL")
            try:
                # Leaving WAL needs exclusive access: it fails if another program has the file open.
                mode = target.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            except sqlite3.OperationalError as exc:
                raise BackupError("Cơ sở dữ liệu đang được mở ở chương trình hoặc máy khác; hãy đóng nó "
                                  "rồi khôi phục lại.") from exc
            if str(mode).lower() != "delete":
                raise BackupError("Cơ sở dữ liệu đang được mở ở chương trình hoặc máy khác; hãy đóng nó "
                                  "rồi khôi phục lại.")
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
    finally:
        source.close()
