"""Safe file output on Windows (pitfall 11).

* Write to a temporary file in the **same folder**, flush and fsync, then
  ``os.replace`` it over the target: a reader sees the old file or the new one, never
  half of one.
* ``os.replace`` is retried briefly: antivirus scanners and the search indexer hold
  new files for a moment (``WinError 5`` / ``WinError 32``).
* A document open in Word cannot be replaced. Word leaves an owner file
  ``~$name.docx`` beside it (LibreOffice ``.~lock.name.docx#``); that, a read-only
  target, or a replace that keeps failing raises :class:`FileInUseError` with a
  Vietnamese message naming the file -- and the target is left as it was.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "FileInUseError",
    "atomic_write",
    "atomic_write_bytes",
    "ensure_replaceable",
    "lock_files_for",
    "replace_with_retry",
]

#: Windows error codes worth retrying: access denied, sharing violation, lock violation.
_RETRY_WINERRORS = {5, 32, 33}

_sleep = time.sleep  # replaced in tests


class FileInUseError(PermissionError):
    """The target cannot be replaced now: open in Word, read-only, or locked."""

    def __init__(self, path: Path, reason: str = "open", lock_file: Path | None = None):
        self.path = Path(path)
        self.reason = reason
        self.lock_file = lock_file
        name = self.path.name
        if reason == "read-only":
            text = (
                f"Không thể ghi đè tệp “{name}”: tệp đang ở chế độ chỉ đọc hoặc đang được "
                "mở trong Word. Hãy đóng tệp (hoặc bỏ thuộc tính chỉ đọc) rồi thử lại."
            )
        elif reason == "folder":
            text = (
                f"Không thể thay thế thư mục “{name}”: có tệp trong thư mục đang được mở "
                "trong Word, Excel hoặc chương trình khác. Hãy đóng các tệp đó rồi thử lại."
            )
        else:
            text = (
                f"Không thể ghi đè tệp “{name}” vì tệp đang được mở trong Word (hoặc "
                "chương trình khác). Hãy đóng tệp rồi thử lại."
            )
        super().__init__(f"{text}\n(Đường dẫn: {self.path})")


def lock_files_for(path: Path) -> list[Path]:
    """Owner/lock files that Word or LibreOffice keep beside *path* while it is open.

    Word names its owner file ``~$`` + the name, dropping the first one or two
    characters of longer names; all three spellings are checked.
    """
    path = Path(path)
    name = path.name
    names = ["~$" + name, "~$" + name[1:], "~$" + name[2:], f".~lock.{name}#"]
    return [path.with_name(n) for n in dict.fromkeys(names) if n not in ("~$", "~$.")]


def _is_read_only(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    return stat.S_ISREG(mode) and not mode & stat.S_IWRITE


def ensure_replaceable(path: Path) -> None:
    """Raise :class:`FileInUseError` if *path* exists and is open in Word or read-only."""
    path = Path(path)
    if not path.exists():
        return  # nothing to overwrite; an owner file without its document is stale
    for lock in lock_files_for(path):
        if lock.exists():
            raise FileInUseError(path, "open", lock)
    if _is_read_only(path):
        raise FileInUseError(path, "read-only")


def _retryable(exc: OSError) -> bool:
    if isinstance(exc, PermissionError):
        return True
    return getattr(exc, "winerror", None) in _RETRY_WINERRORS


def replace_with_retry(
    src: Path, dst: Path, *, attempts: int = 6, delay: float = 0.05, folder: bool = False
) -> None:
    """``os.replace(src, dst)``, retried on transient Windows sharing errors.

    After the last attempt raises :class:`FileInUseError` for *dst*.
    """
    wait = delay
    for attempt in range(attempts):
        try:
            os.replace(src, dst)
            return
        except OSError as exc:
            if not _retryable(exc):
                raise
            if attempt == attempts - 1:
                raise FileInUseError(Path(dst), "folder" if folder else "open") from exc
            _sleep(wait)
            wait = min(wait * 2, 0.5)


def atomic_write(
    path: Path,
    writer: Callable[[BinaryIO], None],
    *,
    attempts: int = 6,
    delay: float = 0.05,
) -> Path:
    """Write *path* by calling ``writer(fileobj)`` on a temporary file, then replace.

    If anything fails the temporary file is removed and *path* is untouched.
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    ensure_replaceable(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        replace_with_retry(tmp, path, attempts=attempts, delay=delay)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return path


def atomic_write_bytes(path: Path, data: bytes, **kwargs) -> Path:
    """Write *data* to *path* atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda fh: fh.write(data), **kwargs)
