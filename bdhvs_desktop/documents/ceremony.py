"""The list the MC reads from at the award conference (.docx): the awardees in the order they
are called, grouped by collective/individual and award form, with optional row and seat
numbers, and the counts per award form.

Written with python-docx (no template: user text only ever goes into runs, as data, so
"&", "<" and braces print as typed) and saved through documents.atomic.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind

from .atomic import atomic_write_bytes
from .certificates import Awardee


class CeremonyError(Exception):
    """The list cannot be written; the message is Vietnamese."""


ROMAN = ("I", "II")


def seat_of(index: int, seats_per_row: int, first_row: int = 1) -> tuple[int, int]:
    """(row, seat) of the index-th person called (0-based), filling rows in calling order."""
    return first_row + index // seats_per_row, index % seats_per_row + 1


def _set_cell(cell, text: str, *, bold: bool = False, center: bool = False, size: float = 12) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _para(doc, text: str, *, bold: bool = False, italic: bool = False, center: bool = False, size: float = 13,
          space_after: float = 4):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space_after)
    return p


def ceremony_docx(awardees: Sequence[Awardee], *, campaign_title: str, locality: str, seats: bool,
                  seats_per_row: int = 10, first_row: int = 1) -> bytes:
    if not awardees:
        raise CeremonyError("Danh sách xướng danh trống: chưa có tập thể, cá nhân nào được khen thưởng.")
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    if fonts is not None:
        for attr in ("eastAsia", "cs"):
            fonts.set(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{attr}", "Times New Roman")

    _para(doc, "DANH SÁCH XƯỚNG DANH", bold=True, center=True, size=14, space_after=0)
    _para(doc, "TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG", bold=True, center=True, size=14, space_after=0)
    sub = f"tại Hội nghị tổng kết, khen thưởng {campaign_title}".strip()
    if locality:
        sub += f" trên địa bàn {locality}"
    _para(doc, f"({sub})", italic=True, center=True, size=13, space_after=10)
    if seats:
        _para(doc, f"Số hàng, số ghế xếp theo thứ tự xướng danh, {seats_per_row} ghế mỗi hàng, bắt đầu từ hàng "
                   f"{first_row}.", italic=True, size=12)

    headers = ["STT"] + (["Hàng", "Ghế"] if seats else []) + ["Tên tập thể, họ và tên", "Chức vụ, đơn vị"]
    widths = [Cm(1.2)] + ([Cm(1.5), Cm(1.5)] if seats else []) + ([Cm(6.1), Cm(6.7)] if seats else [Cm(7.3), Cm(8.5)])
    index = 0
    part = -1
    group_no = 0
    table = None
    previous: tuple[bool, str] | None = None
    for a in awardees:
        if previous is None or previous[0] != a.collective:
            part += 1
            group_no = 0
            label = "TẬP THỂ" if a.collective else "CÁ NHÂN"
            part_head = _para(doc, f"{ROMAN[part] if part < len(ROMAN) else part + 1}. {label}", bold=True,
                              space_after=2)
            part_head.paragraph_format.keep_with_next = True
        if previous != (a.collective, a.award_code):
            group_no += 1
            n = sum(1 for x in awardees if x.collective == a.collective and x.award_code == a.award_code)
            unit = "tập thể" if a.collective else "cá nhân"
            group_head = _para(doc, f"{group_no}. {a.award_name or a.award_code} ({n:02d} {unit})", bold=True,
                               italic=True, size=13, space_after=2)
            group_head.paragraph_format.keep_with_next = True
            table = doc.add_table(rows=1, cols=len(headers))
            table.style = "Table Grid"
            _grid(table, widths)
            for i, h in enumerate(headers):
                _set_cell(table.rows[0].cells[i], h, bold=True, center=True)
                table.rows[0].cells[i].width = widths[i]
            in_group = 0
        previous = (a.collective, a.award_code)
        in_group += 1
        row = table.add_row().cells
        values = [str(in_group)]
        if seats:
            r, s = seat_of(index, seats_per_row, first_row)
            values += [str(r), str(s)]
        values += [a.display_name, a.unit_line]
        for i, v in enumerate(values):
            _set_cell(row[i], v, center=i < (3 if seats else 1), bold=(i == len(values) - 2))
            row[i].width = widths[i]
        index += 1

    _para(doc, "", space_after=2)
    heading = _para(doc, "TỔNG HỢP THEO HÌNH THỨC KHEN THƯỞNG", bold=True, center=True, size=13, space_after=4)
    heading.paragraph_format.keep_with_next = True  # never alone at the foot of a page
    names: dict[str, str] = {}
    counts: Counter[tuple[str, bool]] = Counter()
    for a in awardees:
        names.setdefault(a.award_code, a.award_name or a.award_code)
        counts[(a.award_code, a.collective)] += 1
    summary = doc.add_table(rows=1, cols=5)
    summary.style = "Table Grid"
    _grid(summary, [Cm(1.2), Cm(8.8), Cm(2.3), Cm(2.3), Cm(2.3)])
    for i, h in enumerate(("STT", "Hình thức khen thưởng", SUBJECT_KIND_LABELS[SubjectKind.COLLECTIVE],
                           SUBJECT_KIND_LABELS[SubjectKind.INDIVIDUAL], "Cộng")):
        _set_cell(summary.rows[0].cells[i], h, bold=True, center=True)
    for n, (code, name) in enumerate(names.items(), 1):
        coll, ind = counts[(code, True)], counts[(code, False)]
        cells = summary.add_row().cells
        for i, v in enumerate((str(n), name, str(coll), str(ind), str(coll + ind))):
            _set_cell(cells[i], v, center=i != 1)
    total_c = sum(v for (code, coll), v in counts.items() if coll)
    total_i = sum(v for (code, coll), v in counts.items() if not coll)
    cells = summary.add_row().cells
    for i, v in enumerate(("", "Tổng cộng", str(total_c), str(total_i), str(total_c + total_i))):
        _set_cell(cells[i], v, bold=True, center=i != 1)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _grid(table, widths) -> None:
    """Column widths in the table's grid too: LibreOffice and Word lay the table out from
    w:tblGrid, not from the cells' own widths."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths):
        cell.width = width


def write_ceremony(path: Path, awardees: Sequence[Awardee], **kwargs) -> Path:
    return atomic_write_bytes(Path(path), ceremony_docx(awardees, **kwargs))
