"""Printed reports as PDF (reportlab): the progress report for the standing committee and
the council's score sheet, with the official heading (issuing body, motto, number, place and
date) and signature block of the .docx forms. Liberation Serif (metric-compatible with Times
New Roman, covers Vietnamese; SIL Open Font License, shipped in resources/fonts with its
licence) is embedded, so every diacritic prints the same on any PC.

Output goes through documents.atomic: a PDF open in a viewer gets a clear message and the
old file stays as it was.
"""


from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from bdhvs_desktop.domain.numbers import vn_measure
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import GATE_LABELS

from . import vn_format
from .atomic import atomic_write_bytes
from .pdf_base import (
    CELL_PAD,
    FONT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_ITALIC,
    MAX_BARS,
    MAX_LAGGING_ROWS,
    Progress,
    ReportCancelled,
    ReportError,
    _check,
    _esc,
    _footer,
    _heading,
    _signature,
    _styles,
    _table,
    font_dir,
    register_fonts,
)
from .pdf_charts import line_chart, unit_bar_chart
from .report_data import ProgressReport, ScoreGroup, ScoreSheet

__all__ = ["CELL_PAD", "FONT", "FONT_BOLD", "FONT_BOLD_ITALIC", "FONT_ITALIC", "ReportCancelled", "ReportError",
           "build_progress_pdf", "build_scoreboard_pdf", "font_dir", "line_chart", "register_fonts",
           "score_table", "today_stamp", "unit_bar_chart", "write_pdf"]


def build_progress_pdf(report: ProgressReport, *, progress: Progress | None = None,
                       cancelled: Callable[[], bool] | None = None) -> bytes:
    """The progress report as PDF bytes."""

    register_fonts()
    st = _styles()
    buf = io.BytesIO()
    # The official page of Decree 30/2020 and Hướng dẫn 36: A4, margins 20/20/30/15 mm.
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=report.title, author=report.issuer_name,
                            subject=report.campaign_name)
    width = doc.width
    story: list = []
    total_steps = 6
    step = 0

    def tick(msg: str) -> None:
        nonlocal step
        step += 1
        _check(cancelled)
        if progress:
            progress(step, total_steps, msg)

    _heading(story, st, report.heading, report.issuer_name, report.title,
             f"Tính đến {vn_format.vn_date(report.as_of)}", width)
    story.append(Paragraph(_esc(report.campaign_name), st["body"]))
    story.append(Spacer(1, 4))

    # I. Phase
    tick("Giai đoạn và nhiệm vụ")
    story.append(Paragraph("I. GIAI ĐOẠN THỰC HIỆN", st["h2"]))
    if report.phase_number is not None:
        span = f"từ {vn_format.vn_short_date(report.phase_start)}"
        if report.phase_end:
            span += f" đến {vn_format.vn_short_date(report.phase_end)}"
        story.append(Paragraph(f"Đang ở <b>giai đoạn {report.phase_number}: {_esc(report.phase_name)}</b> ({span}).",
                               st["body"]))
    else:
        story.append(Paragraph("Ngày báo cáo nằm ngoài thời gian các giai đoạn của kế hoạch.", st["body"]))
    t = report.tasks
    story.append(Paragraph(
        f"Nhiệm vụ: {t.done} đã hoàn thành; {t.in_progress} đang thực hiện; {t.not_started} chưa bắt đầu; "
        f"<b>{t.late} trễ hạn</b>. Số đơn vị theo dõi: {report.unit_count}.", st["body"]))

    # II. Targets
    tick("Kết quả chỉ tiêu")
    story.append(Paragraph("II. KẾT QUẢ THỰC HIỆN CHỈ TIÊU", st["h2"]))
    rows = [[Paragraph(h, st["headcell"]) for h in ("STT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Hạn", "Đánh giá")]]
    for i, tl in enumerate(report.targets, 1):
        rows.append([str(i), Paragraph(_esc(tl.name), st["cell"]), vn_measure(tl.target, tl.value_kind),
                     vn_measure(tl.value, tl.value_kind), vn_format.vn_short_date(tl.deadline) if tl.deadline else "",
                     Paragraph(_esc(tl.status), st["cell"])])
    if len(rows) == 1:
        rows.append(["", "Chưa có chỉ tiêu", "", "", "", ""])
    story.append(_table(rows, [10 * mm, width - 96 * mm, 17 * mm, 17 * mm, 20 * mm, 32 * mm], align_right=(2, 3)))

    # III. Targets by unit
    tick("Biểu đồ theo đơn vị")
    section = Paragraph("III. CHỈ TIÊU THEO ĐƠN VỊ", st["h2"])
    # Only targets whose units are measured on the ward's scale make a readable chart.
    charted = [tl for tl in report.targets if any(u.value is not None for u in tl.per_unit)
               and all(u.unit_target is None for u in tl.per_unit)]
    if not charted:
        story.append(section)
        story.append(Paragraph("Chưa có số liệu theo đơn vị.", st["body"]))
    for i, tl in enumerate(charted):
        _check(cancelled)
        n = sum(1 for u in tl.per_unit if u.value is not None)
        note = f" ({MAX_BARS} đơn vị thấp nhất trong {n})" if n > MAX_BARS else ""
        # The section heading travels with its first chart, never alone at the foot of a page.
        story.append(KeepTogether(([section] if i == 0 else [])
                                  + [Paragraph(_esc(tl.name) + note, st["h3"]), unit_bar_chart(tl, width)]))

    # IV. VNeID over time
    tick("Tiến độ VNeID")
    story.append(Paragraph("IV. TIẾN ĐỘ SỬ DỤNG THÀNH THẠO VNeID", st["h2"]))
    story.append(Paragraph(_esc(report.vneid_label), st["body"]))
    if report.vneid_series:
        last = report.vneid_series[-1]
        story.append(line_chart(report.vneid_series, width))
        story.append(Paragraph(
            f"Đến {vn_format.vn_short_date(last.day)}: {last.proficient}/{last.total} người "
            f"({vn_measure(last.percent, 'percent')}).", st["body"]))
    else:
        story.append(Paragraph("Chưa có số liệu.", st["body"]))

    # V. Lagging units
    tick("Đơn vị chậm tiến độ")
    story.append(Paragraph("V. ĐƠN VỊ CHẬM TIẾN ĐỘ", st["h2"]))
    if report.lagging:
        # One table per target, its furthest-behind units first; the Excel report lists them all.
        by_target: dict[str, list] = {}
        for lu in report.lagging:
            by_target.setdefault(lu.target, []).append(lu)
        for name, units in by_target.items():
            _check(cancelled)
            units = sorted(units, key=lambda x: (x.value if x.value is not None else -1, x.unit))
            story.append(Paragraph(f"{_esc(name)} — {len(units)} đơn vị", st["h3"]))
            rows = [[Paragraph(h, st["headcell"]) for h in ("STT", "Đơn vị", "Kết quả", "Mục tiêu")]]
            for i, lu in enumerate(units[:MAX_LAGGING_ROWS], 1):
                value = vn_measure(lu.value, lu.value_kind) + (f" ({lu.detail})" if lu.detail else "")
                rows.append([str(i), Paragraph(_esc(lu.unit), st["cell"]), value,
                             vn_measure(lu.target_value, lu.value_kind)])
            if len(units) > MAX_LAGGING_ROWS:
                rows.append(["", f"… và {len(units) - MAX_LAGGING_ROWS} đơn vị khác (xem bản Excel)", "", ""])
            story.append(_table(rows, [10 * mm, width - 75 * mm, 40 * mm, 25 * mm], align_right=(2, 3)))
    else:
        story.append(Paragraph("Không có đơn vị nào chậm tiến độ.", st["body"]))

    # VI. Activities
    tick("Hoạt động đã tổ chức")
    last = [Paragraph("VI. HOẠT ĐỘNG ĐÃ TỔ CHỨC", st["h2"])]
    rows = [[Paragraph(h, st["headcell"]) for h in ("Loại hoạt động", "Số lần", "Lượt người tham gia",
                                                     "Số đơn vị tổ chức")]]
    for a in report.activities:
        # a broadcast counts no participants: a dash, not "0"
        rows.append([a.kind, vn_format.vn_number(a.count), vn_format.vn_number(a.participants) if a.participants
                     else "—", str(a.units)])
    rows.append(["Tổng cộng", vn_format.vn_number(sum(a.count for a in report.activities)),
                 vn_format.vn_number(sum(a.participants for a in report.activities)), ""])
    last.append(_table(rows, [width - 100 * mm, 25 * mm, 40 * mm, 35 * mm], align_right=(1, 2, 3)))
    story.append(KeepTogether(last + _signature(st, report.heading, width)))

    doc.build(story, onFirstPage=_footer(report.title), onLaterPages=_footer(report.title))
    return buf.getvalue()


# ---------------------------------------------------------------------- score sheet


def _sheet_styles():
    """The styles plus the score sheet's smaller cells (a landscape page of up to 12 criteria)."""

    st = _styles()
    st["scell"] = ParagraphStyle("scell", parent=st["cell"], fontSize=9.5, leading=11.5)
    st["scellc"] = ParagraphStyle("scellc", parent=st["scell"], alignment=TA_CENTER)
    st["scellr"] = ParagraphStyle("scellr", parent=st["scell"], alignment=TA_RIGHT)
    st["scellb"] = ParagraphStyle("scellb", parent=st["scell"], fontName=FONT_BOLD)
    st["sheadcell"] = ParagraphStyle("sheadcell", parent=st["scell"], fontName=FONT_BOLD, alignment=TA_CENTER)
    return st


def score_table(group: ScoreGroup, width: float, st=None):
    """The table of one group of candidates: every cell a paragraph that wraps inside its column,
    each column at least as wide as its longest word (so "Không đạt" stays inside its cell)."""

    st = st or _sheet_styles()
    cell, cellc, cellr = st["scell"], st["scellc"], st["scellr"]
    crit = list(group.columns)
    head = ["Hạng", "Tên ứng viên", "Hình thức đề nghị"] + [f"TC{i}" for i in range(1, len(crit) + 1)] + \
        ["Tổng điểm", "Tiêu chí bắt buộc", "Phiếu", "Kết quả"]
    rows = [[Paragraph(_esc(h), st["sheadcell"]) for h in head]]
    for r in group.rows:
        gate = GATE_LABELS[bool(r.gates_passed)]
        rows.append([Paragraph("–" if r.rank is None else str(r.rank), cellc), Paragraph(_esc(r.name), st["scellb"]),
                     Paragraph(_esc(r.award), cell)]
                    + [Paragraph(_esc(r.cells.get(c.code, "")), cellc if c.type == "gate" else cellr) for c in crit]
                    + [Paragraph(points_text(r.total, "—"), cellr), Paragraph(gate, cellc),
                       Paragraph(_esc(r.votes), cellc), Paragraph(_esc(r.status), cell)])
    # the narrowest each column may be: its longest word plus the padding
    need = [max((row[c].minWidth() for row in rows), default=0) + 2 * CELL_PAD + 0.5 for c in range(len(head))]
    fixed = {0: 12 * mm, len(head) - 4: 15 * mm, len(head) - 3: 19 * mm, len(head) - 2: 14 * mm,
             len(head) - 1: 25 * mm}
    widths = [max(need[c], fixed.get(c, 0)) for c in range(len(head))]
    crit_cols = range(3, 3 + len(crit))
    for c in crit_cols:
        widths[c] = max(need[c], 9 * mm)
    rest = width - sum(w for c, w in enumerate(widths) if c not in (1, 2))
    name_w = max(need[1], rest * 0.56)
    award_w = max(need[2], rest - name_w)
    widths[1], widths[2] = name_w, award_w
    over = sum(widths) - width
    if over > 0.5:  # too many criteria for the page: give the wide columns' room back evenly
        flexible = [c for c in range(len(head)) if widths[c] > need[c] + 0.5]
        slack = sum(widths[c] - need[c] for c in flexible) or 1
        for c in flexible:
            widths[c] -= over * (widths[c] - need[c]) / slack
    return _table(rows, widths, font_size=st["scell"].fontSize)


def build_scoreboard_pdf(sheet: ScoreSheet, *, progress: Progress | None = None,
                         cancelled: Callable[[], bool] | None = None) -> bytes:
    register_fonts()
    st = _sheet_styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=20 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=sheet.title, author=sheet.issuer_name)
    width = doc.width
    story: list = []
    _heading(story, st, sheet.heading, sheet.issuer_name, sheet.title, f"Tính đến {vn_format.vn_date(sheet.as_of)}",
             width)
    if sheet.meeting:
        story.append(Paragraph(_esc(sheet.meeting), st["subtitle"]))
    story.append(Paragraph(_esc(sheet.campaign_name), st["body"]))
    if not sheet.groups:
        story.append(Spacer(1, 8))
        story.append(Paragraph("Chưa có ứng viên nào được chấm điểm.", st["body"]))
    for gi, group in enumerate(sheet.groups, 1):
        _check(cancelled)
        if progress:
            progress(gi, len(sheet.groups), group.title)
        parts = [Paragraph(f"{gi}. {_esc(group.title)}", st["h2"]), score_table(group, width, st)]
        crit = list(group.columns)
        # Criteria are numbered (TC1, TC2 ...) in the header and named here, never by internal code.
        legend = "; ".join(
            f"<b>TC{i}</b>: {_esc(c.name)}" + (
                " (bắt buộc)" if c.type == "gate" else f" (tối đa {points_text(c.max_points)} điểm)")
            for i, c in enumerate(crit, 1))
        if legend:
            parts += [Spacer(1, 3), Paragraph("<i>Tiêu chí:</i> " + legend, st["small"])]
        # the group's table and its legend on one page when they fit on one
        story.append(parts)
    note = Paragraph("<i>Xếp hạng:</i> theo tổng điểm trong số các ứng viên đủ điều kiện; bằng điểm thì ưu tiên "
                           "nữ (tập thể có từ 70% nữ trở lên); ứng viên chưa đạt tiêu chí bắt "
                           "buộc không xếp hạng (–).", st["small"])
    # the last group, the note and the signatures travel together: no signature alone on a page
    tail = (story.pop() if story and isinstance(story[-1], list) else []) + [note] + _signature(st, sheet.heading,
                                                                                                width)
    story = [KeepTogether(x) if isinstance(x, list) else x for x in story]
    story.append(KeepTogether(tail))
    doc.build(story, onFirstPage=_footer(sheet.title), onLaterPages=_footer(sheet.title))
    return buf.getvalue()


def write_pdf(path: Path, data: bytes) -> Path:
    return atomic_write_bytes(Path(path), data)


def today_stamp() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
