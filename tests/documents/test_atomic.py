"""Atomic writes and files open in Word (pitfall 11)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from bdhvs_desktop.documents import atomic
from bdhvs_desktop.documents.atomic import (
    FileInUseError,
    atomic_write,
    atomic_write_bytes,
    lock_files_for,
)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(atomic, "_sleep", lambda s: None)


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_writes_new_and_replaces_old(tmp_path):
    target = tmp_path / "sub" / "to-trinh-mau-01.docx"
    atomic_write_bytes(target, b"one")
    assert target.read_bytes() == b"one"
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert _leftovers(target.parent, {target.name}) == []


@pytest.mark.parametrize("owner", ["~$to-trinh-mau-01.docx", "~$-trinh-mau-01.docx",
                                   ".~lock.to-trinh-mau-01.docx#"])
def test_file_open_in_word_gives_a_clear_error_and_keeps_the_old_file(tmp_path, owner):
    target = tmp_path / "to-trinh-mau-01.docx"
    target.write_bytes(b"old")
    (tmp_path / owner).write_bytes(b"owner")
    with pytest.raises(FileInUseError) as err:
        atomic_write_bytes(target, b"new")
    message = str(err.value)
    assert "to-trinh-mau-01.docx" in message and "đang được mở trong Word" in message
    assert isinstance(err.value, PermissionError) and err.value.path == target
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, {target.name, owner}) == []


def test_read_only_target_gives_a_clear_error(tmp_path):
    target = tmp_path / "bien-ban-hop-xet.docx"
    target.write_bytes(b"old")
    target.chmod(stat.S_IREAD)
    try:
        with pytest.raises(FileInUseError) as err:
            atomic_write_bytes(target, b"new")
        assert "bien-ban-hop-xet.docx" in str(err.value) and "chỉ đọc" in str(err.value)
        assert target.read_bytes() == b"old"
        assert _leftovers(tmp_path, {target.name}) == []
    finally:
        target.chmod(stat.S_IREAD | stat.S_IWRITE)


def test_stale_owner_file_without_the_document_does_not_block(tmp_path):
    (tmp_path / "~$to-trinh-mau-01.docx").write_bytes(b"stale")
    atomic_write_bytes(tmp_path / "to-trinh-mau-01.docx", b"new")
    assert (tmp_path / "to-trinh-mau-01.docx").read_bytes() == b"new"


def test_transient_sharing_violation_is_retried(tmp_path, monkeypatch):
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(1)
        if len(calls) < 3:  # antivirus holds the file twice
            raise PermissionError(errno.EACCES, "WinError 32: used by another process")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and len(calls) == 3


def test_persistent_lock_ends_in_a_clear_error_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")

    def locked(src, dst):
        raise PermissionError(errno.EACCES, "WinError 5: Access is denied")

    monkeypatch.setattr(atomic.os, "replace", locked)
    with pytest.raises(FileInUseError, match="a.docx"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, {target.name}) == []


def test_writer_failure_leaves_nothing(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")

    def writer(fh):
        fh.write(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(target, writer)
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, {target.name}) == []


def test_lock_file_names():
    names = [p.name for p in lock_files_for(Path("bien-ban-hop-xet.docx"))]
    assert "~$bien-ban-hop-xet.docx" in names and "~$en-ban-hop-xet.docx" in names
    assert ".~lock.bien-ban-hop-xet.docx#" in names
