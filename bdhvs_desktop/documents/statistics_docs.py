"""The yearly statistics forms (Circular 02/2023/TT-BNV, 0601 to 0603, and the program's summary)
as an Excel workbook (one sheet per form) and as PDF (one form after another), in the layout
the form's TOML file describes: title block, reporting unit, reporting period, two rows of
column headers and a numbering row, the rows with their codes, notes, and the signature block.

Every text cell of the workbook is a string cell, never a formula (a unit name or a label
beginning with "=" stays text); numbers are numbers."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import vn_format
from .pdf_base import FONT, FONT_BOLD, FONT_ITALIC, _footer, register_fonts
from .xlsx_safe import text_cells_only

if TYPE_CHECKING:  # pragma: no cover
    from bdhvs_desktop.domain.statistics import Layout, StatTable

#: The report these functions write is services.statistics.StatsReport (year, reporting_unit, place,
#: sign_date, tables); documents/ sits below services/, so it is not imported here.
StatsReport = Any

DOTS = "……………………"


def period_text(year: int) -> str:
    return f"Năm {year} (từ ngày 01/01/{year} đến ngày 31/12/{year})"


def _header_cells(layout: Layout) -> tuple[list[str], list[str], list[str]]:
    """The fixed columns' headers and numbering letters: label, code, (unit)."""
    heads = [layout.label_header, "Mã số"]
    letters = ["A", "B"]
    widths = ["label", "code"]
    if layout.has_unit_column:
        heads.append("Đơn vị tính")
        letters.append("C")
        widths.append("unit")
    return heads, letters, widths


def _groups(layout: Layout) -> list[tuple[int, int, str]]:
    """(first, last, group) runs of neighbouring value columns sharing a group header."""
    runs: list[tuple[int, int, str]] = []
    for i, col in enumerate(layout.columns):
        if col.group and runs and runs[-1][2] == col.group and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i, col.group)
        elif col.group:
            runs.append((i, i, col.group))
    return runs


def _signature_place(report: StatsReport) -> str:
    return vn_format.vn_date(report.sign_date, report.place)


# --------------------------------------------------------------------------- xlsx


def _text(ws, row: int, col: int, value: str, *, bold: bool = False, italic: bool = False,
          align: str = "left", wrap: bool = True, border: bool = False, size: float | None = None) -> Any:
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):  # covered by a merge: only its border is drawn
        if border:
            thin = Side(style="thin", color="000000")
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        return cell
    cell.value = value
    cell.data_type = "s"  # text stays text: "=..." is never a formula
    cell.font = Font(name="Times New Roman", bold=bold, italic=italic, size=size or 11)
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
    if border:
        thin = Side(style="thin", color="000000")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    return cell


def _number(ws, row: int, col: int, value: int | None, *, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    cell.font = Font(name="Times New Roman", bold=bold, size=11)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    thin = Side(style="thin", color="000000")
    cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def _sheet(wb, report: StatsReport, table: StatTable) -> None:
    layout = table.layout
    ws = wb.create_sheet(f"Biểu {layout.code}"[:31])
    heads, letters, kinds = _header_cells(layout)
    fixed = len(heads)
    ncols = fixed + len(layout.columns)
    widths = {"label": 46, "code": 8, "unit": 12}
    for i, kind in enumerate(kinds, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths[kind]
    value_width = 12 if len(layout.columns) <= 8 else 10
    for i in range(fixed + 1, ncols + 1):
        ws.column_dimensions[get_column_letter(i)].width = value_width
    last = get_column_letter(ncols)
    page_chars = (sum(widths[k] for k in kinds) + value_width * len(layout.columns)) * 1.15
    split = max(2, ncols - max(2, ncols // 3))  # right-hand block of the title area

    def right(row: int, text: str, **kw: Any) -> None:
        ws.merge_cells(start_row=row, start_column=split + 1, end_row=row, end_column=ncols)
        _text(ws, row, split + 1, text, align="center", **kw)

    def left(row: int, text: str, **kw: Any) -> None:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=split)
        _text(ws, row, 1, text, **kw)

    left(1, layout.symbol, bold=True)
    right(1, f"Đơn vị báo cáo: {report.reporting_unit or DOTS}")
    left(2, layout.basis, italic=True)
    right(2, f"Đơn vị nhận báo cáo: {layout.receiver or DOTS}")
    left(3, layout.receive_date)
    for r in (1, 2):
        ws.row_dimensions[r].height = 30
    ws.merge_cells(f"A5:{last}5")
    _text(ws, 5, 1, layout.title, bold=True, align="center", size=13)
    ws.row_dimensions[5].height = 36
    ws.merge_cells(f"A6:{last}6")
    _text(ws, 6, 1, period_text(table.year), italic=True, align="center")
    if layout.measure_unit:
        ws.merge_cells(start_row=7, start_column=max(1, ncols - 2), end_row=7, end_column=ncols)
        _text(ws, 7, max(1, ncols - 2), layout.measure_unit, italic=True, align="right")

    h1, h2, num = 8, 9, 10
    for i, head in enumerate(heads, 1):
        ws.merge_cells(start_row=h1, start_column=i, end_row=h2, end_column=i)
        _text(ws, h1, i, head, bold=True, align="center", border=True)
        _text(ws, h2, i, "", border=True)
        _text(ws, num, i, letters[i - 1], bold=True, align="center", border=True)
    grouped = set()
    for first, lastc, group in _groups(layout):
        c0, c1 = fixed + 1 + first, fixed + 1 + lastc
        if c1 > c0:
            ws.merge_cells(start_row=h1, start_column=c0, end_row=h1, end_column=c1)
        _text(ws, h1, c0, group, bold=True, align="center", border=True)
        for c in range(c0 + 1, c1 + 1):
            _text(ws, h1, c, "", border=True)
        grouped.update(range(first, lastc + 1))
    for i, col in enumerate(layout.columns):
        c = fixed + 1 + i
        if i in grouped:
            _text(ws, h2, c, col.header, bold=True, align="center", border=True)
        else:
            ws.merge_cells(start_row=h1, start_column=c, end_row=h2, end_column=c)
            _text(ws, h1, c, col.header, bold=True, align="center", border=True)
            _text(ws, h2, c, "", border=True)
        _text(ws, num, c, col.number, bold=True, align="center", border=True)
    # Header heights from the wrapped header texts (bold text: about one character per column unit).
    per = max(4, int(value_width * 0.95))
    group_lines = [_lines(g, per * (b - a + 1)) for a, b, g in _groups(layout)] or [1]
    sub_lines = [_lines(c.header, per) for i, c in enumerate(layout.columns) if i in grouped] or [1]
    whole_lines = [_lines(c.header, per) for i, c in enumerate(layout.columns) if i not in grouped] or [1]
    top, bottom = max(group_lines), max(sub_lines)
    if grouped:
        bottom = max(bottom, max(whole_lines) - top)
    else:
        top, bottom = 1, max(whole_lines) - 1
    ws.row_dimensions[h1].height = 15 * max(top, 1) + 4
    ws.row_dimensions[h2].height = 15 * max(bottom, 1) + 4
    r = num + 1
    label_chars = int(widths["label"] * 1.15)
    for row, values in zip(layout.rows, table.values):
        bold = row.bold or row.heading
        _text(ws, r, 1, row.label, bold=bold, border=True)
        ws.row_dimensions[r].height = 15 * _lines(row.label, label_chars)
        _text(ws, r, 2, row.code, align="center", border=True)
        if layout.has_unit_column:
            _text(ws, r, 3, row.unit, align="center", border=True)
        for i, v in enumerate(values):
            _number(ws, r, fixed + 1 + i, v, bold=row.bold)
        r += 1
    ws.freeze_panes = ws.cell(row=num + 1, column=fixed + 1)
    r += 1
    if layout.notes or table.warnings:
        _text(ws, r, 1, "Ghi chú:", bold=True, italic=True, wrap=False)
        r += 1
        for note in list(layout.notes) + [f"Cảnh báo: {w}" for w in table.warnings]:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
            _text(ws, r, 1, f"- {note}", italic=True)
            ws.row_dimensions[r].height = 15 * _lines(note, int(page_chars))
            r += 1
    r += 1
    n = len(layout.signers)
    blocks = _signer_spans(ncols, n)
    ws.merge_cells(start_row=r, start_column=blocks[-1][0], end_row=r, end_column=blocks[-1][1])
    _text(ws, r, blocks[-1][0], _signature_place(report), italic=True, align="center")
    r += 1
    for (c0, c1), (title, hint) in zip(blocks, layout.signers):
        for rr, text, kw in ((r, title, {"bold": True}), (r + 1, hint, {"italic": True})):
            if c1 > c0:
                ws.merge_cells(start_row=rr, start_column=c0, end_row=rr, end_column=c1)
            _text(ws, rr, c0, text, align="center", **kw)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _lines(text: str, chars_per_line: int) -> int:
    """Lines a wrapped text needs in a cell about *chars_per_line* characters wide (Excel does not
    grow a row for wrapped text it did not lay out itself)."""
    return max(1, -(-len(text) // max(10, chars_per_line)))


def _signer_spans(ncols: int, n: int) -> list[tuple[int, int]]:
    """Column spans for n signature blocks: the first over the label column, the last at the right."""
    if n <= 1:
        return [(max(1, ncols - 3), ncols)]
    rest = list(range(2, ncols + 1))
    spans = [(1, 1)]
    per = max(1, len(rest) // (n - 1))
    for i in range(n - 1):
        start = rest[0] + i * per
        end = ncols if i == n - 2 else min(ncols, start + per - 1)
        spans.append((start, max(start, end)))
    return spans


def build_xlsx(report: StatsReport) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for table in report.tables:
        _sheet(wb, report, table)

    text_cells_only(wb)  # labels, unit and place names from the office's files are text, never formulas
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- pdf


def _esc(text: object) -> str:
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _pdf_styles(font_size: float) -> dict:
    base = ParagraphStyle("st", fontName=FONT, fontSize=11, leading=13.5)
    cell = ParagraphStyle("stcell", parent=base, fontSize=font_size, leading=font_size * 1.15)
    return {
        "left": ParagraphStyle("stl", parent=base, alignment=TA_LEFT),
        "leftb": ParagraphStyle("stlb", parent=base, fontName=FONT_BOLD, alignment=TA_LEFT),
        "lefti": ParagraphStyle("stli", parent=base, fontName=FONT_ITALIC, alignment=TA_LEFT),
        "center": ParagraphStyle("stc", parent=base, alignment=TA_CENTER),
        "title": ParagraphStyle("stt", parent=base, fontName=FONT_BOLD, fontSize=13.5, leading=16,
                                alignment=TA_CENTER, spaceBefore=4),
        "period": ParagraphStyle("stp", parent=base, fontName=FONT_ITALIC, alignment=TA_CENTER, spaceAfter=2),
        "unit": ParagraphStyle("stu", parent=base, fontName=FONT_ITALIC, alignment=TA_RIGHT, spaceAfter=3),
        "cell": cell,
        "cellb": ParagraphStyle("stcb", parent=cell, fontName=FONT_BOLD),
        "cellc": ParagraphStyle("stcc", parent=cell, alignment=TA_CENTER),
        "head": ParagraphStyle("sth", parent=cell, fontName=FONT_BOLD, alignment=TA_CENTER),
        "note": ParagraphStyle("stn", parent=base, fontName=FONT_ITALIC, fontSize=8.5, leading=10),
        "signt": ParagraphStyle("stst", parent=base, fontName=FONT_BOLD, fontSize=12, alignment=TA_CENTER),
        "signh": ParagraphStyle("stsh", parent=base, fontName=FONT_ITALIC, fontSize=10.5, alignment=TA_CENTER),
        "place": ParagraphStyle("stpl", parent=base, fontName=FONT_ITALIC, fontSize=11.5, alignment=TA_CENTER),
    }


def _pdf_form(story: list, report: StatsReport, table: StatTable, width: float) -> None:
    layout = table.layout
    many = len(layout.columns) > 8
    st = _pdf_styles(7.5 if many else 9)
    P = Paragraph  # noqa: N806
    top = Table([[P(f"<b>{_esc(layout.symbol)}</b>", st["left"]),
                  P(_esc(f"Đơn vị báo cáo: {report.reporting_unit or DOTS}"), st["center"])],
                 [P(f"<i>{_esc(layout.basis)}</i>", st["left"]),
                  P(_esc(f"Đơn vị nhận báo cáo: {layout.receiver or DOTS}"), st["center"])],
                 [P(_esc(layout.receive_date), st["left"]), ""]],
                colWidths=[width * 0.55, width * 0.45])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [top, P(_esc(layout.title), st["title"]), P(_esc(period_text(table.year)), st["period"])]
    if layout.measure_unit:
        story.append(P(_esc(layout.measure_unit), st["unit"]))

    heads, letters, kinds = _header_cells(layout)
    fixed = len(heads)
    # Value columns up to 30 mm wide, the label column takes the rest but never less than its minimum.
    fixed_w = {"code": 11 * mm, "unit": 17 * mm}
    others = sum(fixed_w[k] for k in kinds if k != "label")
    label_min = 72 * mm if many else 85 * mm
    value_w = min(30 * mm, (width - others - label_min) / len(layout.columns))
    fixed_w["label"] = width - others - value_w * len(layout.columns)
    widths = [fixed_w[k] for k in kinds] + [value_w] * len(layout.columns)

    row1: list = [P(_esc(h), st["head"]) for h in heads]
    row2: list = [""] * fixed
    spans = [("SPAN", (i, 0), (i, 1)) for i in range(fixed)]
    grouped: set[int] = set()
    row1 += [""] * len(layout.columns)
    row2 += [""] * len(layout.columns)
    for first, last, group in _groups(layout):
        row1[fixed + first] = P(_esc(group), st["head"])
        spans.append(("SPAN", (fixed + first, 0), (fixed + last, 0)))
        grouped.update(range(first, last + 1))
    for i, col in enumerate(layout.columns):
        if i in grouped:
            row2[fixed + i] = P(_esc(col.header), st["head"])
        else:
            row1[fixed + i] = P(_esc(col.header), st["head"])
            spans.append(("SPAN", (fixed + i, 0), (fixed + i, 1)))
    numbering = [P(x, st["head"]) for x in letters] + [P(_esc(c.number), st["head"]) for c in layout.columns]
    rows = [row1, row2, numbering]
    bold_rows = []
    for ri, (row, values) in enumerate(zip(layout.rows, table.values), 3):
        label_style = st["cellb"] if (row.bold or row.heading) else st["cell"]
        line = [P(_esc(row.label), label_style), P(_esc(row.code), st["cellc"])]
        if layout.has_unit_column:
            line.append(P(_esc(row.unit), st["cellc"]))
        line += ["" if v is None else str(v) for v in values]
        rows.append(line)
        if row.bold:
            bold_rows.append(ri)
    grid = LongTable(rows, colWidths=widths, repeatRows=3)
    style = [("FONT", (0, 0), (-1, -1), FONT, st["cell"].fontSize),
             ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (fixed, 3), (-1, -1), "CENTER"),
             ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
             ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)] + spans

    for ri in bold_rows:
        style.append(("FONT", (fixed, ri), (-1, ri), FONT_BOLD, st["cell"].fontSize))
    grid.setStyle(TableStyle(style))
    story.append(grid)

    notes = list(layout.notes) + [f"Cảnh báo: {w}" for w in table.warnings]
    tail: list = []
    if notes:  # the notes may flow onto the next page; the last one stays with the signatures
        story.append(Spacer(1, 4))
        lines = [P("<b><i>Ghi chú:</i></b>", st["note"])] + [P(_esc(f"- {n}"), st["note"]) for n in notes]
        story.extend(lines[:-1])
        tail.append(lines[-1])
    tail.append(Spacer(1, 3))
    n = len(layout.signers)
    sign_w = width / max(n, 1)
    place_row = [""] * (n - 1) + [P(_esc(_signature_place(report)), st["place"])]
    title_row = [P(_esc(t), st["signt"]) for t, _h in layout.signers]
    hint_row = [P(_esc(h), st["signh"]) for _t, h in layout.signers]
    signs = Table([place_row, title_row, hint_row, [""] * n], colWidths=[sign_w] * n,
                  rowHeights=[None, None, None, 12 * mm])
    signs.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    tail.append(signs)
    story.append(KeepTogether(tail))


def build_pdf(report: StatsReport) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    title = f"Thống kê thi đua, khen thưởng năm {report.year}"
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=12 * mm,
                            topMargin=10 * mm, bottomMargin=12 * mm, title=title, author=report.reporting_unit)
    story: list = []
    for i, table in enumerate(report.tables):
        if i:
            story.append(PageBreak())
        _pdf_form(story, report, table, doc.width)
    doc.build(story, onFirstPage=_footer(title), onLaterPages=_footer(title))
    return buf.getvalue()
