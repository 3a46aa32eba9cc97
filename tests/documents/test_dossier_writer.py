"""The dossier folder: names, manifest, zip, progress, and all-or-nothing replacement."""

from __future__ import annotations

import hashlib
import json
import stat
import threading
import zipfile
from pathlib import Path

import pytest
from docx import Document

from bdhvs_desktop.documents import atomic, dossier_writer
from bdhvs_desktop.documents.atomic import FileInUseError
from bdhvs_desktop.documents.dossier_writer import (
    DossierCancelled,
    achievement_file_names,
    slugify,
    write_dossier,
)

from . import sample_data as sd

EXPECTED = [
    "to-trinh-mau-01.docx",
    "bien-ban-hop-xet.docx",
    "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3.docx",
    "bao-cao-thanh-tich-mau-08-cong-an-phuong-la-gi.docx",
    "bao-cao-thanh-tich-mau-08-truong-trung-hoc-co-so-nguyen-du.docx",
    "bao-cao-thanh-tich-mau-08-nguyen-thi-hong-nhung.docx",
    "bao-cao-thanh-tich-mau-08-tran-quoc-bao.docx",
    "bao-cao-thanh-tich-mau-08-le-thi-thu-ha.docx",
    "bao-cao-thanh-tich-mau-08-pham-duc-thang.docx",
]


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(atomic, "_sleep", lambda s: None)


def _write(fs, target, **kw):
    return write_dossier(target, fs, sd.submission(), sd.minutes(), sd.achievements(), **kw)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def _no_temporaries(parent: Path) -> None:
    assert [p.name for p in parent.iterdir() if p.name.startswith(".")] == []


# -------------------------------------------------------------------------- names


def test_slugify_vietnamese_names():
    assert slugify("Nguyễn Thị Hồng Nhung") == "nguyen-thi-hong-nhung"
    assert slugify("Đặng Văn Tú") == "dang-van-tu"
    assert slugify("Chi bộ Khu phố 3") == "chi-bo-khu-pho-3"
    assert slugify("Ngô Thị Kim Oanh") == slugify("Ngo\u0302 Thi\u0323 Kim Oanh")  # decomposed input
    assert slugify("Ðỗ (Ð look-alike)") == "do-d-look-alike"
    assert slugify("“???”") == "khong-ten"
    long = slugify("Trường Trung học cơ sở và Trung học phổ thông Nguyễn Bỉnh Khiêm phường La Gi tỉnh Lâm Đồng")
    assert len(long) <= 60 and not long.endswith("-")
    assert all(c.isascii() for c in long)


def test_file_names_are_unique():
    ach = sd.achievements()[3]
    names = achievement_file_names([ach, ach, ach])
    assert names == [
        "bao-cao-thanh-tich-mau-08-nguyen-thi-hong-nhung.docx",
        "bao-cao-thanh-tich-mau-08-nguyen-thi-hong-nhung-2.docx",
        "bao-cao-thanh-tich-mau-08-nguyen-thi-hong-nhung-3.docx",
    ]


# ------------------------------------------------------------------------ writing


def test_writes_the_whole_dossier(fs98, tmp_path):
    calls = []
    target = tmp_path / "Hồ sơ khen thưởng 2026"
    result = _write(fs98, target, make_zip=True, progress=lambda d, t, m: calls.append((d, t, m)))
    assert result.folder == target
    names = sorted(p.name for p in target.iterdir())
    zip_name = "ho-so-khen-thuong-2026.zip"
    assert names == sorted(EXPECTED + ["manifest.json", zip_name])
    assert [f.name for f in result.files] == EXPECTED
    assert [f.form for f in result.files][:3] == ["to_trinh", "bien_ban", "bao_cao_tap_the"]
    assert result.files[-1].form == "bao_cao_ca_nhan" and result.files[-1].subject == "Phạm Đức Thắng"

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["form_set"]["name"] == "decree-98-2023"
    assert manifest["generated_at"] == result.generated_at and "T" in manifest["generated_at"]
    assert manifest["zip"] == zip_name
    for entry in manifest["files"]:
        data = (target / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    with zipfile.ZipFile(result.zip_path) as zf:
        assert sorted(zf.namelist()) == sorted(EXPECTED + ["manifest.json"])
        assert zf.read("to-trinh-mau-01.docx") == (target / "to-trinh-mau-01.docx").read_bytes()
    # each file is a real document about its candidate
    doc = Document(target / "bao-cao-thanh-tich-mau-08-le-thi-thu-ha.docx")
    assert any(p.text.startswith("Lê Thị Thu Hà, Tổ trưởng") for p in doc.paragraphs)

    done = [d for d, _, _ in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1]
    assert all(isinstance(m, str) and m for _, _, m in calls)
    _no_temporaries(tmp_path)


def test_rewrite_replaces_generated_files_and_keeps_the_users_own(fs98, tmp_path):
    target = tmp_path / "ho-so"
    _write(fs98, target)
    (target / "bien-ban-da-ky.pdf").write_bytes(b"scanned signed minutes")
    (target / "anh").mkdir()
    (target / "anh" / "hoi-nghi.jpg").write_bytes(b"jpeg")
    fewer = sd.achievements()[:2]
    write_dossier(target, fs98, sd.submission(), sd.minutes(), fewer)
    names = sorted(p.name for p in target.iterdir())
    assert names == sorted(EXPECTED[:4] + ["manifest.json", "bien-ban-da-ky.pdf", "anh"])
    assert (target / "bien-ban-da-ky.pdf").read_bytes() == b"scanned signed minutes"
    assert (target / "anh" / "hoi-nghi.jpg").read_bytes() == b"jpeg"
    _no_temporaries(tmp_path)


# ------------------------------------------------------------------ all or nothing


def test_cancelled_batch_leaves_the_previous_dossier_intact(fs98, tmp_path):
    target = tmp_path / "ho-so"
    _write(fs98, target)
    before = _snapshot(target)
    seen = []

    def progress(done, total, message):
        seen.append(done)

    with pytest.raises(DossierCancelled) as err:
        write_dossier(target, fs98, sd.submission(draft=True), sd.minutes(), sd.achievements(),
                      progress=progress, cancel=lambda: len(seen) >= 4)
    assert "hủy" in str(err.value)
    assert _snapshot(target) == before
    _no_temporaries(tmp_path)


def test_cancel_with_an_event_before_anything_is_written(fs98, tmp_path):
    stop = threading.Event()
    stop.set()
    with pytest.raises(DossierCancelled):
        _write(fs98, tmp_path / "moi", cancel=stop)
    assert not (tmp_path / "moi").exists()
    _no_temporaries(tmp_path)


def test_failure_half_way_leaves_the_previous_dossier_intact(fs98, tmp_path, monkeypatch):
    target = tmp_path / "ho-so"
    _write(fs98, target)
    before = _snapshot(target)
    real = dossier_writer.render_document
    count = []

    def failing(*args, **kwargs):
        count.append(1)
        if len(count) == 5:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(dossier_writer, "render_document", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        _write(fs98, target, make_zip=True)
    assert _snapshot(target) == before
    _no_temporaries(tmp_path)


def test_document_open_in_word_is_reported_and_nothing_changes(fs98, tmp_path):
    target = tmp_path / "ho-so"
    _write(fs98, target)
    owner = target / "~$en-ban-hop-xet.docx"  # Word drops two letters of long names
    owner.write_bytes(b"owner")
    before = _snapshot(target)
    with pytest.raises(FileInUseError) as err:
        _write(fs98, target)
    assert "bien-ban-hop-xet.docx" in str(err.value) and "Word" in str(err.value)
    assert _snapshot(target) == before
    _no_temporaries(tmp_path)


def test_read_only_document_is_reported_and_nothing_changes(fs98, tmp_path):
    target = tmp_path / "ho-so"
    _write(fs98, target)
    locked = target / "to-trinh-mau-01.docx"
    locked.chmod(stat.S_IREAD)
    before = _snapshot(target)
    try:
        with pytest.raises(FileInUseError, match="to-trinh-mau-01.docx"):
            _write(fs98, target)
        assert _snapshot(target) == before
    finally:
        locked.chmod(stat.S_IREAD | stat.S_IWRITE)
    _no_temporaries(tmp_path)


def test_folder_that_cannot_be_swapped_is_rolled_back(fs98, tmp_path, monkeypatch):
    target = tmp_path / "ho-so"
    _write(fs98, target)
    before = _snapshot(target)
    real = dossier_writer.replace_with_retry
    calls = []

    def swap(src, dst, **kw):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # staging -> target: a file inside is held open (Windows)
            raise FileInUseError(Path(dst), "folder")
        return real(src, dst, **kw)

    monkeypatch.setattr(dossier_writer, "replace_with_retry", swap)
    with pytest.raises(FileInUseError, match="thư mục"):
        _write(fs98, target)
    assert _snapshot(target) == before
    _no_temporaries(tmp_path)


def test_target_that_is_a_file_is_refused(fs98, tmp_path):
    target = tmp_path / "ho-so"
    target.write_bytes(b"x")
    with pytest.raises(NotADirectoryError):
        _write(fs98, target)
    assert target.read_bytes() == b"x"
