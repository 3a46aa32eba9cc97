"""The same reports as Excel workbooks (openpyxl): one sheet per section, real numbers in
cells (percentages as numbers with a % format) so the office can sort and chart them."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from bdhvs_desktop.domain.vocab import GATE_LABELS

from . import vn_format
from .atomic import atomic_write_bytes
from .report_data import ProgressReport, ScoreSheet
from .xlsx_safe import text_cells_only

_PCT = '0.0"%"'


def _setup(ws, title: str, subtitle: str, headers: list[str], widths: list[int]) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = subtitle
    ws["A2"].font = Font(italic=True)
    thin = Side(style="thin", color="808080")
    for col, (head, width) in enumerate(zip(headers, widths), 1):
        cell = ws.cell(row=4, column=col, value=head)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A5"


def _num(ws, row: int, col: int, value, kind: str) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if value is not None and kind == "percent":
        cell.number_format = _PCT


def _save(wb) -> bytes:
    text_cells_only(wb)  # names and other text are never formulas (formula injection)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_progress_xlsx(report: ProgressReport) -> bytes:
    wb = Workbook()
    sub = f"{report.campaign_name} — tính đến {vn_format.vn_short_date(report.as_of)}"
    ws = wb.active
    ws.title = "Chỉ tiêu"
    _setup(ws, report.title, sub, ["STT", "Mã", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Hạn", "Đánh giá"],
           [6, 16, 60, 11, 11, 12, 22])
    phase = (f"Giai đoạn {report.phase_number}: {report.phase_name}" if report.phase_number is not None
             else "Ngoài thời gian các giai đoạn")
    ws["A3"] = phase
    for i, t in enumerate(report.targets, 1):
        r = 4 + i
        ws.cell(r, 1, i)
        ws.cell(r, 2, t.code)
        ws.cell(r, 3, t.name)
        _num(ws, r, 4, t.target, t.value_kind)
        _num(ws, r, 5, t.value, t.value_kind)
        if t.deadline:
            ws.cell(r, 6, t.deadline).number_format = "DD/MM/YYYY"
        ws.cell(r, 7, t.status)

    ws = wb.create_sheet("Theo đơn vị")
    _setup(ws, "Chỉ tiêu theo đơn vị", sub, ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", "Kết quả", "Số liệu", "Đánh giá"],
           [16, 50, 36, 11, 12, 20])
    r = 5
    for t in report.targets:
        for u in t.per_unit:
            ws.cell(r, 1, t.code)
            ws.cell(r, 2, t.name)
            ws.cell(r, 3, u.unit)
            _num(ws, r, 4, u.value, t.value_kind)
            ws.cell(r, 5, u.detail)
            ws.cell(r, 6, u.status)
            r += 1

    ws = wb.create_sheet("Tiến độ VNeID")
    _setup(ws, "Tiến độ sử dụng thành thạo VNeID", report.vneid_label, ["Ngày", "Thành thạo", "Tổng số", "Tỷ lệ"],
           [14, 12, 12, 10])
    for i, p in enumerate(report.vneid_series):
        r = 5 + i
        ws.cell(r, 1, p.day).number_format = "DD/MM/YYYY"
        ws.cell(r, 2, p.proficient)
        ws.cell(r, 3, p.total)
        _num(ws, r, 4, round(p.percent, 2), "percent")
    if report.vneid_series:
        chart = LineChart()
        chart.title = "Tỷ lệ thành thạo VNeID"
        chart.y_axis.title = "%"
        n = len(report.vneid_series)
        chart.add_data(Reference(ws, min_col=4, min_row=4, max_row=4 + n), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=5, max_row=4 + n))
        ws.add_chart(chart, "F4")

    ws = wb.create_sheet("Đơn vị chậm")
    _setup(ws, "Đơn vị chậm tiến độ", sub, ["STT", "Đơn vị", "Chỉ tiêu", "Kết quả", "Mục tiêu", "Số liệu"],
           [6, 36, 50, 11, 11, 12])
    for i, lu in enumerate(report.lagging, 1):
        r = 4 + i
        ws.cell(r, 1, i)
        ws.cell(r, 2, lu.unit)
        ws.cell(r, 3, lu.target)
        _num(ws, r, 4, lu.value, lu.value_kind)
        _num(ws, r, 5, lu.target_value, lu.value_kind)
        ws.cell(r, 6, lu.detail)

    ws = wb.create_sheet("Hoạt động")
    _setup(ws, "Hoạt động đã tổ chức", sub, ["Loại hoạt động", "Số lần", "Lượt người tham gia", "Số đơn vị"],
           [30, 10, 20, 12])
    for i, a in enumerate(report.activities):
        r = 5 + i
        ws.cell(r, 1, a.kind)
        ws.cell(r, 2, a.count)
        ws.cell(r, 3, a.participants)
        ws.cell(r, 4, a.units)
    return _save(wb)


def build_scoreboard_xlsx(sheet: ScoreSheet) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    sub = f"{sheet.campaign_name} — tính đến {vn_format.vn_short_date(sheet.as_of)}"
    if not sheet.groups:
        ws = wb.create_sheet("Bảng điểm")
        _setup(ws, sheet.title, sub, ["Ghi chú"], [60])
        ws.cell(5, 1, "Chưa có ứng viên nào được chấm điểm.")
    used: set[str] = set()
    for group in sheet.groups:
        name = group.title[:28]
        base, k = name, 2
        while name in used:
            name = f"{base[:25]} {k}"
            k += 1
        used.add(name)
        ws = wb.create_sheet(name.replace("/", "-").replace(":", " "))
        crit = list(group.columns)
        headers = ["Hạng", "Tên ứng viên", "Loại", "Hình thức đề nghị"] + [f"{c.code}: {c.name}" for c in crit] + \
            ["Tổng điểm", "Tiêu chí bắt buộc", "Phiếu", "Kết quả"]
        _setup(ws, f"{sheet.title} — {group.title}", sub, headers, [7, 34, 12, 34] + [14] * len(crit) + [11, 14, 9, 22])
        ws.row_dimensions[4].height = 60
        for i, row in enumerate(group.rows):
            r = 5 + i
            ws.cell(r, 1, row.rank)
            ws.cell(r, 2, row.name)
            ws.cell(r, 3, row.kind)
            ws.cell(r, 4, row.award)
            for j, c in enumerate(crit):
                raw = row.cells.get(c.code, "")
                value = raw
                if c.type == "points":
                    try:
                        value = float(raw.replace(".", "").replace(",", ".")) if raw else None
                    except ValueError:
                        value = raw
                ws.cell(r, 5 + j, value)
            ws.cell(r, 5 + len(crit), row.total)
            ws.cell(r, 6 + len(crit), GATE_LABELS[bool(row.gates_passed)])
            ws.cell(r, 7 + len(crit), row.votes)
            ws.cell(r, 8 + len(crit), row.status)
    return _save(wb)


def write_xlsx(path: Path, data: bytes) -> Path:
    return atomic_write_bytes(Path(path), data)
