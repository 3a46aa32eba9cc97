"""Where a database is: paths and URLs, and the refusal of SQLite files on network shares
(pitfalls #5). No SQLAlchemy here, so the window can check a location before loading it."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resolve_url(path_or_url: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for a file path or a URL given by the user."""
    text = os.fspath(path_or_url)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    return "sqlite:///" + path.as_posix()


def _windows_drive_is_remote(path: str) -> bool:
    try:
        import ctypes  # lazy: start-up

        drive = os.path.splitdrive(os.path.abspath(path))[0]
        if not drive:
            return False
        DRIVE_REMOTE = 4  # noqa: N806 - the Windows API constant keeps its name
        return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001  # pragma: no cover - best effort: no ctypes.windll, no drive type
        return False


_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "9p", "fuse.sshfs", "afs", "ncpfs"}


def _linux_mount_fstype(path: Path) -> str | None:
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, fstype = "", None
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) > len(best):
            best, fstype = mount_point, parts[2]
    return fstype


def network_share_reason(path: str | os.PathLike[str]) -> str | None:
    """Why this database file must not be used (it sits on a network share), or None."""
    text = os.fspath(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return "đường dẫn mạng (UNC)"
    if sys.platform == "win32" and _windows_drive_is_remote(text):
        return "ổ đĩa mạng đã ánh xạ"
    if sys.platform.startswith("linux"):
        fstype = _linux_mount_fstype(Path(text).parent if not Path(text).exists() else Path(text))
        if fstype in _NETWORK_FS:
            return f"hệ thống tệp mạng ({fstype})"
    return None


NETWORK_SHARE_MESSAGE = (
    "Không thể mở cơ sở dữ liệu {path}: tệp nằm trên {reason}. SQLite trên ổ mạng có thể "
    "làm hỏng dữ liệu khi nhiều máy cùng ghi. Hãy để tệp trên ổ đĩa của máy này, hoặc dùng "
    "chế độ văn phòng dùng chung với máy chủ PostgreSQL (--db postgresql+psycopg://...)."
)


def fingerprint(db_path: Path) -> tuple:
    """A cheap marker that changes whenever a transaction is committed to the file:
    size and modification time of the database and its write-ahead log."""
    parts: list[object] = []
    for p in (db_path, db_path.with_name(db_path.name + "-wal")):
        try:
            st = p.stat()
        except OSError:
            st = None
        # A missing and an empty log are the same state: opening a connection creates the
        # empty log without changing any data.
        parts.extend([st.st_size, st.st_mtime_ns] if st is not None and st.st_size else [0, None])
    return tuple(parts)
