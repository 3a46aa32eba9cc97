"""A second reader: LibreOffice converts every generated document to PDF, and the PDF
text (pypdf) holds the expected Vietnamese with its diacritics (pitfall 13).

Skipped with a clear reason when soffice is missing; CI installs
libreoffice-writer-nogui and fonts-liberation2 (metric-compatible Times New Roman)."""

from __future__ import annotations

import dataclasses
import subprocess
import unicodedata
from pathlib import Path

import pytest

from bdhvs_desktop.documents.dossier_writer import write_dossier
from bdhvs_desktop.documents.render import render_to_file

from . import sample_data as sd
from .conftest import SOFFICE, needs_soffice, norm

pytestmark = needs_soffice

NASTY = 'A & B <C> "kép" {{ x }} {% if %} – Thủy/Thuỷ Đặng'


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, fs98, fs152):
    root = tmp_path_factory.mktemp("pdf")
    docs = root / "docx"
    write_dossier(docs / "ho-so", fs98, sd.submission("party"), sd.minutes(secret=True),
                  sd.achievements())
    render_to_file(fs152, sd.submission("state", draft=True), docs / "extra" / "tt-state.docx")
    render_to_file(fs152, sd.minutes(secret=False), docs / "extra" / "bb-hands.docx")
    nasty = dataclasses.replace(sd.achievements()[3], name=NASTY, measures=NASTY)
    render_to_file(fs98, nasty, docs / "extra" / "nasty.docx")
    files = sorted(docs.rglob("*.docx"))
    out = root / "pdf"
    profile = (root / "lo-profile").as_uri()
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    produced = {p.stem: p for p in out.glob("*.pdf")}
    assert len(produced) == len(files), proc.stdout + proc.stderr
    return produced


def _text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return norm(unicodedata.normalize("NFC", text))


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def test_every_document_converts(pdfs):
    assert len(pdfs) == 9 + 3
    for path in pdfs.values():
        assert path.stat().st_size > 5000 and _pages(path) >= 1


def test_submission_pdf(pdfs):
    text = _text(pdfs["to-trinh-mau-01"])
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY PHƯỜNG LA GI", "Số 12-TTr/ĐU",
                     "La Gi, ngày 05 tháng 11 năm 2026", "TỜ TRÌNH",
                     "Kính gửi: Chủ tịch Ủy ban nhân dân phường La Gi",
                     "Căn cứ Luật Thi đua, khen thưởng ngày 15/6/2022;",
                     "DANH SÁCH", "I. TẬP THỂ", "II. CÁ NHÂN", "Nguyễn Thị Hồng Nhung",
                     "Trường Trung học cơ sở Nguyễn Du", "T/M BAN THƯỜNG VỤ", "Võ Minh Vương"):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_minutes_pdf(pdfs):
    text = _text(pdfs["bien-ban-hop-xet"])
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Số: 3/BB-HĐTĐKT", "BIÊN BẢN", "Ban kiểm phiếu gồm:", "Đỗ Thị Mai",
                     "đi học tập trung", "88,89%", "66,67%", "Lê Thị Thu Hà", "CHỦ TỊCH HỘI ĐỒNG",
                     "Châu Ngọc Ánh"):
        assert expected in text, expected


def test_reports_pdf(pdfs):
    text = _text(pdfs["bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3"])
    for expected in ("BÁO CÁO THÀNH TÍCH", "Chi bộ Khu phố 3", "35/35 đảng viên (100%)",
                     "Gia đình số", "Trần Văn Hùng", "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG"):
        assert expected in text, expected
    text = _text(pdfs["bao-cao-thanh-tich-mau-08-nguyen-thi-hong-nhung"])
    for expected in ("Nguyễn Thị Hồng Nhung", "Giới tính: Nữ", "02/08/1990", "1.245",
                     "NGƯỜI BÁO CÁO THÀNH TÍCH", "Tra cứu tiến độ hồ sơ bằng mã QR"):
        assert expected in text, expected


def test_state_draft_and_152_set_pdf(pdfs):
    text = _text(pdfs["tt-state"])
    for expected in ("DỰ THẢO", "ỦY BAN NHÂN DÂN", "Số: 12/TTr-UBND",
                     "Nghị định số 152/2025/NĐ-CP", "06/2022/QH15"):
        assert expected in text, expected
    text = _text(pdfs["bb-hands"])
    assert "biểu quyết giơ tay" in text and "Ban kiểm phiếu" not in text


def test_nasty_text_survives_to_pdf(pdfs):
    text = _text(pdfs["nasty"])
    assert norm(NASTY) in text
