"""The status report as an Excel workbook (targets by unit, the summary, the tasks), written
atomically. Split out of services/status.py, which still exports these names; the report is read
by attribute only (no import of services/status, which imports this module)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bdhvs_desktop.documents.xlsx_safe import text_cells_only
from bdhvs_desktop.domain.vocab import TARGET_STATUS_LABELS, TASK_STATUS_LABELS

STATUS_LABELS = {k.value: v for k, v in TARGET_STATUS_LABELS.items()}
TASK_LABELS = {k.value: v for k, v in TASK_STATUS_LABELS.items()}
SCOPE_LABELS = {"ward": "Toàn phường", "party_org": "Từng tổ chức đảng", "residential_group": "Từng tổ dân phố",
                "unit": "Từng đơn vị", "responsible_body": "Cơ quan được giao"}
_FILLS = {"met": "C6EFCE", "at_risk": "FFEB9C", "missed": "FFC7CE", "not_due": "EDEDED"}


def write_status_xlsx(report: Any, path) -> Any:  # report: services.status.StatusReport
    """Write the targets by unit (and the summary and tasks) to an Excel file, atomically:
    a temporary file in the same folder replaces the target only once it is complete."""

    from openpyxl import Workbook  # lazy: start-up
    from openpyxl.styles import Alignment, Font, PatternFill  # lazy: start-up
    from openpyxl.utils import get_column_letter  # lazy: start-up

    path = Path(path)
    wb = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(ws, title: str, headers: list[str], widths: list[int]) -> None:
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"Tính đến ngày {report.as_of:%d/%m/%Y}" + (f" — Giai đoạn {report.phase.number}: "
                                                                 f"{report.phase.name}" if report.phase else "")])
        ws.append([])
        ws.append(headers)
        for cell in ws[4]:
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="D9E1F2")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A5"

    def status_cell(ws, row: int, col: int, status: str) -> None:
        cell = ws.cell(row=row, column=col)
        cell.fill = PatternFill("solid", fgColor=_FILLS.get(status, "FFFFFF"))

    def number(value: float | None, kind: str) -> Any:
        if value is None:
            return None
        return round(value / 100.0, 4) if kind == "percent" else value

    ws = wb.active
    ws.title = "Theo đơn vị"
    sheet(ws, "CHỈ TIÊU THEO TỪNG ĐƠN VỊ", ["Mã chỉ tiêu", "Chỉ tiêu", "Hạn", "Mã đơn vị", "Đơn vị", "Kết quả",
                                            "Mức phải đạt", "Tử số", "Mẫu số", "Trạng thái", "Còn thiếu"],
          [18, 50, 12, 14, 40, 11, 12, 9, 9, 20, 60])
    for t in report.targets:
        rows = [("", "Toàn phường" if t.scope == "ward" else SCOPE_LABELS.get(t.scope, t.scope), t.value, t.target,
                 t.numerator, t.denominator, t.status, t.shortfall)]
        rows += [(u.unit_code, u.unit_name, u.value, u.target, u.numerator, u.denominator, u.status, u.shortfall)
                 for u in t.per_unit]
        for code, name, value, target, num, den, status, short in rows:
            kind = t.value_kind if (code == "" or target == t.target) else "count"
            ws.append([t.code, t.name, t.deadline, code, name, number(value, kind), number(target, kind), num, den,
                       STATUS_LABELS.get(status, status), "; ".join(short)])
            r = ws.max_row
            ws.cell(r, 3).number_format = "DD/MM/YYYY"
            for c in (6, 7):
                ws.cell(r, c).number_format = "0.0%" if kind == "percent" else "0.##"
            if code == "":
                for c in range(1, 12):
                    ws.cell(r, c).font = bold
            status_cell(ws, r, 10, status)
            ws.cell(r, 11).alignment = wrap
    ws.auto_filter.ref = f"A4:K{ws.max_row}"

    ws2 = wb.create_sheet("Tổng hợp")
    sheet(ws2, "TỔNG HỢP CHỈ TIÊU", ["Mã chỉ tiêu", "Chỉ tiêu", "Bắt đầu", "Hạn", "Kết quả", "Mức phải đạt",
                                      "Trạng thái", "Còn thiếu"], [18, 60, 12, 12, 11, 12, 20, 80])
    for t in report.targets:
        ws2.append([t.code, t.name, t.start, t.deadline, number(t.value, t.value_kind), number(t.target, t.value_kind),
                    STATUS_LABELS.get(t.status, t.status), "\n".join(t.shortfall)])
        r = ws2.max_row
        for c in (3, 4):
            ws2.cell(r, c).number_format = "DD/MM/YYYY"
        for c in (5, 6):
            ws2.cell(r, c).number_format = "0.0%" if t.value_kind == "percent" else "0.##"
        status_cell(ws2, r, 7, t.status)
        for c in (2, 8):
            ws2.cell(r, c).alignment = wrap

    ws3 = wb.create_sheet("Nhiệm vụ")
    sheet(ws3, "NHIỆM VỤ", ["Giai đoạn", "Nhiệm vụ", "Đơn vị chịu trách nhiệm", "Hạn", "Trạng thái", "Ngày hoàn thành",
                            "Minh chứng"], [10, 60, 40, 12, 18, 14, 40])
    for t in report.tasks:
        ws3.append([t.phase_number, t.title, t.unit, t.due, TASK_LABELS.get(t.status, t.status), t.done_date,
                    t.evidence])
        r = ws3.max_row
        for c in (4, 6):
            ws3.cell(r, c).number_format = "DD/MM/YYYY"
        status_cell(ws3, r, 5, {"done": "met", "late": "missed"}.get(t.status, "not_due"))
        ws3.cell(r, 2).alignment = wrap

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        text_cells_only(wb)  # unit names and other text are never formulas (formula injection)
        wb.save(tmp_name)
        for attempt in range(6):
            try:
                os.replace(tmp_name, path)
                break
            except PermissionError:
                if attempt == 5:
                    raise
                time.sleep(0.1 * (attempt + 1))
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return path
