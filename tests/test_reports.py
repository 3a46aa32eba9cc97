"""Printed reports: the progress report and the council score sheet, as PDF (text extracted
with pypdf, diacritics included, the Vietnamese font embedded) and as Excel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import reports
from bdhvs_desktop.storage import models as m

from dossier_setup import add_council_round


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages)


def embedded_fonts(path) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(str(path)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if desc is not None and "/FontFile2" in desc.get_object():
                names.add(str(font["/BaseFont"]))
    return names


def test_progress_report_pdf(demo_db, tmp_path):
    path = tmp_path / "tien-do.pdf"
    steps = []
    result = reports.write_report(demo_db, "progress", path, dt.date(2026, 5, 15),
                                  progress=lambda d, t, msg: steps.append(msg))
    assert result.path == path and path.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(path)
    assert "BÁO CÁO TIẾN ĐỘ THỰC HIỆN PHONG TRÀO" in text
    assert "Tính đến ngày 15 tháng 5 năm 2026" in text
    assert "giai đoạn 2: Cao điểm phổ cập kỹ năng số" in text
    assert "II. KẾT QUẢ THỰC HIỆN CHỈ TIÊU" in text and "III. CHỈ TIÊU THEO ĐƠN VỊ" in text
    assert "IV. TIẾN ĐỘ SỬ DỤNG THÀNH THẠO VNeID" in text
    assert "V. ĐƠN VỊ CHẬM TIẾN ĐỘ" in text and "VI. HOẠT ĐỘNG ĐÃ TỔ CHỨC" in text
    assert "Hướng dẫn trực tiếp" in text and "Phát thanh" in text  # activities held, by kind
    assert "Chi bộ Khu phố 3 (mô phỏng)" in text  # a lagging unit of the demo ward (2 members without VNeID)
    assert "Đảng ủy phường La Gi".upper() in text.upper()
    fonts = embedded_fonts(path)
    assert any(name.endswith("+DejaVuSans") for name in fonts) and any("DejaVuSans-Bold" in n for n in fonts)
    assert steps and "Hoạt động đã tổ chức" in steps
    with demo_db.read() as s:
        doc = s.scalar(select(m.GeneratedDocument).where(m.GeneratedDocument.kind == "report_progress"))
    assert doc is not None and doc.sha256 == result.sha256


def test_progress_data_figures(demo_db):
    data = reports.progress_data(demo_db, dt.date(2026, 5, 15))
    assert data.phase_number == 2
    vneid = next(t for t in data.targets if t.code == "VNEID_DV")
    assert vneid.value is not None and 0 < vneid.value < 100
    assert vneid.per_unit and all(u.detail for u in vneid.per_unit)
    series = data.vneid_series
    assert series[-1].day == dt.date(2026, 5, 15)
    assert [p.percent for p in series] == sorted(p.percent for p in series)  # cumulative
    lagging_units = {lu.unit for lu in data.lagging}
    assert "Chi bộ Khu phố 3 (mô phỏng)" in lagging_units
    assert sum(a.count for a in data.activities) > 0
    # Before the campaign nothing has happened yet.
    early = reports.progress_data(demo_db, dt.date(2025, 11, 1))
    assert sum(a.count for a in early.activities) == 0 and early.phase_number is None


def test_progress_report_xlsx(demo_db, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "tien-do.xlsx"
    reports.write_report(demo_db, "progress", path, dt.date(2026, 5, 15))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Chỉ tiêu", "Theo đơn vị", "Tiến độ VNeID", "Đơn vị chậm", "Hoạt động"]
    ws = wb["Chỉ tiêu"]
    assert ws["A1"].value.startswith("BÁO CÁO TIẾN ĐỘ")
    codes = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert "VNEID_DV" in codes
    row = 5 + codes.index("VNEID_DV")
    assert isinstance(ws.cell(row, 5).value, float)  # a number, not text
    assert ws.cell(row, 5).number_format.endswith('"%"')
    units = [wb["Đơn vị chậm"].cell(r, 2).value for r in range(5, wb["Đơn vị chậm"].max_row + 1)]
    assert "Chi bộ Khu phố 3 (mô phỏng)" in units


def test_scoreboard_pdf_and_xlsx(demo_db, tmp_path):
    from openpyxl import load_workbook

    add_council_round(demo_db)
    pdf = tmp_path / "diem.pdf"
    reports.write_report(demo_db, "scoreboard", pdf, dt.date(2026, 11, 10))
    text = pdf_text(pdf)
    assert "BẢNG TỔNG HỢP ĐIỂM XÉT KHEN THƯỞNG" in text
    assert "Võ Thu Oanh" in text and "Huỳnh Hoàng Hiếu" in text and "Bùi Mỹ Hà" in text
    assert "Không được thông qua" in text and "Được thông qua" in text
    assert "TCD_VNEID" in text and "(bắt buộc)" in text  # the criterion breakdown and its legend
    assert "Phiên họp Hội đồng: 14 giờ 00 phút, ngày 05 tháng 11 năm 2026" in text

    data = reports.scoreboard_data(demo_db, dt.date(2026, 11, 10))
    individuals = next(g for g in data.groups if any(r.name == "Võ Thu Oanh" for r in g.rows))
    rows = {r.name: r for r in individuals.rows}
    # Eligible candidates by total, those failing a hard condition after them.
    flags = [r.gates_passed for r in individuals.rows]
    assert flags == sorted(flags, reverse=True)
    assert not rows["Bùi Mỹ Hà"].gates_passed and rows["Bùi Mỹ Hà"].total == 82  # the locked result
    assert rows["Trần Văn Khánh"].cells  # not locked yet: scored on the day by the scoring service
    totals = [r.total for r in individuals.rows if r.gates_passed]
    assert totals == sorted(totals, reverse=True)
    assert individuals.rows[0].votes.endswith("/7")

    xlsx = tmp_path / "diem.xlsx"
    reports.write_report(demo_db, "scoreboard", xlsx, dt.date(2026, 11, 10))
    wb = load_workbook(xlsx)
    names = [c.value for ws in wb.worksheets for c in ws["B"][4:]]
    assert "Võ Thu Oanh" in names and "Chi bộ Khu phố 3 (mô phỏng)" in names


def test_report_errors(demo_db, db, tmp_path):
    with pytest.raises(reports.ReportInputError, match=".pdf hoặc .xlsx"):
        reports.write_report(demo_db, "progress", tmp_path / "x.doc")
    with pytest.raises(reports.ReportInputError, match="Không có loại báo cáo"):
        reports.write_report(demo_db, "khac", tmp_path / "x.pdf")
    with pytest.raises(reports.ReportInputError, match="Chưa có phong trào"):
        reports.write_report(db, "progress", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_report_file_open_elsewhere_keeps_old_file(demo_db, tmp_path):
    from bdhvs_desktop.documents.atomic import FileInUseError

    path = tmp_path / "tien-do.pdf"
    path.write_bytes(b"old")
    (tmp_path / ".~lock.tien-do.pdf#").write_text("lock")
    with pytest.raises(FileInUseError, match="tien-do.pdf"):
        reports.write_report(demo_db, "progress", path, dt.date(2026, 5, 15))
    assert path.read_bytes() == b"old"


def test_cli_report(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    demo_db.dispose()
    out = tmp_path / "bc.pdf"
    assert main(["report", "progress", "--db", db_path, "--out", str(out), "--at", "2026-05-15"]) == 0
    assert "Đã tạo báo cáo" in capsys.readouterr().out
    assert "Cao điểm phổ cập" in pdf_text(out)
    assert main(["report", "scoreboard", "--db", db_path, "--out", str(tmp_path / "d.xlsx")]) == 0
    assert main(["report", "progress", "--db", db_path, "--out", str(tmp_path / "bc.txt")]) == 2
    assert ".pdf hoặc .xlsx" in capsys.readouterr().err
