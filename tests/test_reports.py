"""Printed reports: the progress report and the council score sheet, as PDF (text extracted
with pypdf, diacritics included, the Vietnamese font embedded) and as Excel."""

from __future__ import annotations

import datetime as dt

import pytest
from dossier_setup import add_council_round
from sqlalchemy import select

from bdhvs_desktop.services import report_progress, report_scores, reports
from bdhvs_desktop.storage import models as m


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
    # a Times-metric serif (Liberation Serif), embedded (issue #11)
    assert any(name.endswith("+LiberationSerif") for name in fonts) and any("LiberationSerif-Bold" in n for n in fonts)
    assert steps and "Hoạt động đã tổ chức" in steps
    with demo_db.read() as s:
        doc = s.scalar(select(m.GeneratedDocument).where(m.GeneratedDocument.kind == "report_progress"))
    assert doc is not None and doc.sha256 == result.sha256


def test_progress_data_figures(demo_db):
    data = report_progress.progress_data(demo_db, dt.date(2026, 5, 15))
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
    early = report_progress.progress_data(demo_db, dt.date(2025, 11, 1))
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
    assert "TCD_VNEID" not in text and "(bắt buộc)" in text  # the legend names criteria, never by code
    assert "phiên họp 14 giờ 00 phút, ngày 05 tháng 11 năm 2026" in text

    data = report_scores.scoreboard_data(demo_db, dt.date(2026, 11, 10))
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


# --------------------------------------------------------------------------- issue #11: the printed page


def test_reports_carry_the_official_heading_and_signature(demo_db, tmp_path):
    from bdhvs_desktop.services.dossier import save_settings

    save_settings(demo_db, signer_name="Nguyễn Văn Tâm")
    path = tmp_path / "tien-do.pdf"
    reports.write_report(demo_db, "progress", path, dt.date(2026, 5, 15))
    from pypdf import PdfReader

    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages]
    first, last = pages[0], pages[-1]
    for line in ("ĐẢNG BỘ TỈNH LÂM ĐỒNG", "ĐẢNG ỦY PHƯỜNG LA GI", "ĐẢNG CỘNG SẢN VIỆT NAM", "-BC/ĐU",
                 "La Gi, ngày 15 tháng 5 năm 2026", "BÁO CÁO"):
        assert line in first, line
    for line in ("Nơi nhận:", "Lưu Văn phòng Đảng ủy", "T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Nguyễn Văn Tâm"):
        assert line in last, line
    # the state format follows the dossier setting
    save_settings(demo_db, issuer_format="state")
    reports.write_report(demo_db, "progress", path, dt.date(2026, 5, 15))
    text = pdf_text(path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "/BC-UBND" in text and "TM. ỦY BAN NHÂN DÂN" in text

    add_council_round(demo_db)
    sheet = tmp_path / "diem.pdf"
    reports.write_report(demo_db, "scoreboard", sheet, dt.date(2026, 11, 10))
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(sheet)).pages]
    assert "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG" in pages[0] and "La Gi, ngày 05 tháng 11 năm 2026" in pages[0]
    assert "Biên bản họp Hội đồng Thi đua - Khen thưởng số 05" in pages[0]
    with demo_db.read() as s:
        meeting = s.scalar(select(m.CouncilMeeting))
        chair = s.get(m.CouncilMember, meeting.chair_id).full_name
        secretary = s.get(m.CouncilMember, meeting.secretary_id).full_name
    assert "CHỦ TỊCH HỘI ĐỒNG" in pages[-1] and chair in pages[-1]
    assert "THƯ KÝ HỘI ĐỒNG" in pages[-1] and secretary in pages[-1]
    # the signatures never stand alone on their page: a candidate table is printed with them
    assert "Tên ứng viên" in pages[-1]


def test_no_internal_code_on_the_score_sheet(demo_db, tmp_path):
    import re

    add_council_round(demo_db)
    path = tmp_path / "diem.pdf"
    reports.write_report(demo_db, "scoreboard", path, dt.date(2026, 11, 10))
    text = pdf_text(path)
    with demo_db.read() as s:
        codes = set(s.scalars(select(m.Criterion.code))) | set(s.scalars(select(m.AwardForm.code)))
    assert codes and not [c for c in codes if c in text]
    assert not re.findall(r"\b[A-Z]{2,}_[A-Z0-9_]+\b", text)  # nothing that looks like a code either


def _unlock_all(db):
    from sqlalchemy import update

    with db.session() as s:
        s.execute(update(m.Candidate).values(locked=False))


def test_score_sheet_ranks_as_bdhvs_score(demo_db, tmp_path, capsys):
    """Unlocked candidates are scored on the day: their order on the sheet is the order of
    `bdhvs score --json` (points, then a woman first on a tie, then the name)."""
    import json

    from bdhvs_desktop.cli import main

    _unlock_all(demo_db)
    day = dt.date(2026, 11, 10)
    path = tmp_path / "diem.pdf"
    reports.write_report(demo_db, "scoreboard", path, day)
    data = report_scores.scoreboard_data(demo_db, day)
    db_path = str(demo_db.path)
    demo_db.dispose()
    assert main(["score", "--db", db_path, "--at", day.isoformat(), "--json"]) == 0
    board = json.loads(capsys.readouterr().out)
    text = pdf_text(path)
    compared = 0
    for group in data.groups:
        names = [r.name for r in group.rows]
        ranked = [s["name"] for s in board if s["name"] in names and s["rank"] is not None]
        assert [r.name for r in group.rows if r.rank is not None] == ranked
        assert [r.rank is None for r in group.rows] == sorted(r.rank is None for r in group.rows)
        positions = [text.index(n) for n in names]
        assert positions == sorted(positions)  # printed in that order
        compared += len(ranked)
    assert compared >= 3


def test_a_woman_goes_first_on_a_tie(demo_db, tmp_path):
    """Two locked individual results with equal points: the woman ranks first although the
    man's name comes first in the alphabet (Decree 152/2025, Art. 4, as `bdhvs score`)."""
    with demo_db.session() as s:
        cands = {c.person.full_name: c for c in s.scalars(select(m.Candidate).where(m.Candidate.person_id.is_not(None)))
                 if c.locked}
        woman, man = cands["Trương Thị Mai"], cands["Huỳnh Hoàng Hiếu"]
        assert woman.person.sex == "F" and man.person.sex == "M"
        for c in cands.values():
            snap = dict(c.score_snapshot)
            snap["points"] = 70.0 if c in (woman, man) else 10.0
            c.score_snapshot = snap
    data = report_scores.scoreboard_data(demo_db, dt.date(2026, 11, 10))
    rows = next(g for g in data.groups if any(r.name == "Trương Thị Mai" for r in g.rows)).rows
    order = [r.name for r in rows]
    assert order.index("Trương Thị Mai") < order.index("Huỳnh Hoàng Hiếu"), order
    ranks = {r.name: r.rank for r in rows}
    assert ranks["Trương Thị Mai"] == 1 and ranks["Huỳnh Hoàng Hiếu"] == 2
    path = tmp_path / "diem.pdf"
    reports.write_report(demo_db, "scoreboard", path, dt.date(2026, 11, 10))
    text = pdf_text(path)
    assert text.index("Trương Thị Mai") < text.index("Huỳnh Hoàng Hiếu")


def _cells_that_overflow(table) -> list[str]:
    """Cells whose text cannot fit inside the column: an unbreakable word (or a one-line text)
    wider than the column minus its padding."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    from bdhvs_desktop.documents import pdf_reports

    size = table.bdhvs_font_size
    out = []
    for r, row in enumerate(table._cellvalues):
        for c, value in enumerate(row):
            room = table._colWidths[c] - 2 * pdf_reports.CELL_PAD
            if isinstance(value, Paragraph):
                need, text = value.minWidth(), value.getPlainText()
            elif isinstance(value, str):
                need = stringWidth(value, pdf_reports.FONT_BOLD if r == 0 else pdf_reports.FONT, size)
                text = value
            else:
                continue
            if need > room + 0.01:
                out.append(f"row {r}, column {c}: {text!r} needs {need:.1f} pt, has {room:.1f}")
    return out


def test_score_sheet_text_stays_inside_its_cells(demo_db):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm

    from bdhvs_desktop.documents import pdf_reports
    from bdhvs_desktop.documents.report_data import CriterionColumn, ScoreGroup, ScoreRow

    pdf_reports.register_fonts()
    width = landscape(A4)[0] - 35 * mm  # the sheet's frame
    add_council_round(demo_db)
    data = report_scores.scoreboard_data(demo_db, dt.date(2026, 11, 10))
    groups = list(data.groups)
    # a hostile group: 14 hard conditions, all failed, and long names
    crit = tuple(CriterionColumn(f"G{i}", f"Điều kiện {i}", "gate", 0) for i in range(14))
    groups.append(ScoreGroup("Nhiều điều kiện", crit, (
        ScoreRow(None, "Nguyễn Thị Bích Ngọc Phương Thảo " * 3, "Cá nhân", "Bằng khen của Chủ tịch UBND tỉnh",
                 12.5, {c.code: "Không đạt" for c in crit}, False, "Không được thông qua", "3/7", False),)))
    for group in groups:
        table = pdf_reports.score_table(group, width)
        assert sum(table._colWidths) <= width + 0.5
        assert _cells_that_overflow(table) == [], group.title


def test_the_cell_measure_catches_what_main_printed():
    """The measure above fails on the table main drew: "Không đạt" in a 9 mm criterion column."""
    from reportlab.platypus import Table

    from bdhvs_desktop.documents import pdf_reports

    pdf_reports.register_fonts()
    t = Table([["TC1"], ["Không đạt"]], colWidths=[9 * 2.835])
    t.bdhvs_font_size = 8.5
    assert _cells_that_overflow(t)


def _label_boxes(drawing):
    """(text, x0, y0, x1, y1) of every string a drawing prints, rotated labels included."""
    from reportlab.graphics.shapes import Group, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def mul(a, b):
        return (a[0] * b[0] + a[2] * b[1], a[1] * b[0] + a[3] * b[1], a[0] * b[2] + a[2] * b[3],
                a[1] * b[2] + a[3] * b[3], a[0] * b[4] + a[2] * b[5] + a[4], a[1] * b[4] + a[3] * b[5] + a[5])

    out = []

    def walk(node, mat):
        if not isinstance(node, (Group, String)) and hasattr(node, "provideNode"):
            walk(node.provideNode(), mat)
        elif isinstance(node, Group):
            t = mul(mat, tuple(node.transform)) if getattr(node, "transform", None) else mat
            for child in node.contents:
                walk(child, t)
        elif isinstance(node, String) and node.text.strip():
            w = stringWidth(node.text, node.fontName, node.fontSize)
            x0 = {"start": node.x, "middle": node.x - w / 2, "end": node.x - w}.get(node.textAnchor, node.x)
            y0 = node.y - node.fontSize * 0.2
            corners = [(x0, y0), (x0 + w, y0), (x0, y0 + node.fontSize * 0.9), (x0 + w, y0 + node.fontSize * 0.9)]
            pts = [(mat[0] * x + mat[2] * y + mat[4], mat[1] * x + mat[3] * y + mat[5]) for x, y in corners]
            out.append((node.text, min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts),
                        max(p[1] for p in pts)))

    walk(drawing, (1, 0, 0, 1, 0, 0))
    return out


def _dashed_lines(drawing):
    from reportlab.graphics.shapes import Group, Line

    found = []

    def walk(node):
        if not isinstance(node, Group) and hasattr(node, "provideNode"):
            walk(node.provideNode())
        elif isinstance(node, Group):
            for child in node.contents:
                walk(child)
        elif isinstance(node, Line) and getattr(node, "strokeDashArray", None):
            found.append(node)

    walk(drawing)
    return found


def _label_problems(drawing) -> list[str]:
    import itertools

    boxes = _label_boxes(drawing)
    eps = 0.3
    out = [f"{a[0]!r} overlaps {b[0]!r}" for a, b in itertools.combinations(boxes, 2)
           if a[1] < b[3] - eps and b[1] < a[3] - eps and a[2] < b[4] - eps and b[2] < a[4] - eps]
    out += [f"{b[0]!r} outside the drawing" for b in boxes if b[1] < -eps or b[3] > drawing.width + eps]
    for text, x0, y0, x1, y1 in boxes:
        for ln in _dashed_lines(drawing):
            if abs(ln.x1 - ln.x2) < 0.01 and x0 + eps < ln.x1 < x1 - eps and min(ln.y1, ln.y2) < y1 \
                    and y0 < max(ln.y1, ln.y2):
                out.append(f"{text!r} crossed by the target line")
    return out


def test_chart_labels_do_not_collide(demo_db):
    from bdhvs_desktop.documents import pdf_reports
    from bdhvs_desktop.documents.report_data import SeriesPoint, TargetLine, UnitValue

    pdf_reports.register_fonts()
    width = 165 * 2.835  # the progress report's frame
    data = report_progress.progress_data(demo_db, dt.date(2026, 5, 15))
    targets = [t for t in data.targets if any(u.value is not None for u in t.per_unit)]
    # values just under the target, long unit names, a count target
    targets.append(TargetLine("X", "x", "percent", 100.0, 95.0, "Chưa đạt", per_unit=tuple(
        UnitValue(f"Chi bộ Phòng Văn hóa - Xã hội số {i} (mô phỏng)", v, "Chưa đạt")
        for i, v in enumerate([90, 94.4, 97, 99.5, 100, 100]))))
    targets.append(TargetLine("Y", "y", "count", 2, 0, "Chưa đạt", per_unit=(UnitValue("Đảng ủy UBND phường", 0),)))
    for t in targets:
        assert _label_problems(pdf_reports.unit_bar_chart(t, width)) == [], t.name
    assert _label_problems(pdf_reports.line_chart(data.vneid_series, width)) == []
    weekly = [SeriesPoint(dt.date(2025, 12, 1) + dt.timedelta(days=7 * i), i, i, 100) for i in range(60)]
    assert _label_problems(pdf_reports.line_chart(weekly, width)) == []
