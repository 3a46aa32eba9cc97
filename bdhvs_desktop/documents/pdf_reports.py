"""Printed reports as PDF (reportlab): the progress report for the standing committee and
the council's score sheet. A free Vietnamese-capable font (DejaVu Sans, shipped in
resources/fonts with its licence) is embedded, so every diacritic prints on any PC.

Output goes through documents.atomic: a PDF open in a viewer gets a clear message and the
old file stays as it was.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Callable

from . import vn_format
from .report_data import ProgressReport, ScoreSheet, TargetLine

FONT = "BDHVS-Sans"
FONT_BOLD = "BDHVS-Sans-Bold"
FONT_ITALIC = "BDHVS-Sans-Italic"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf", FONT_ITALIC: "DejaVuSans-Oblique.ttf"}

#: Bars drawn per chart; a ward of 300 units shows its lowest units (all are in the tables).
MAX_BARS = 25
#: Lagging units listed per target in the PDF (all of them are in the Excel report).
MAX_LAGGING_ROWS = 20

Progress = Callable[[int, int, str], None]


class ReportError(Exception):
    """A report could not be produced; the message is Vietnamese."""


def font_dir() -> Path:
    from bdhvs_desktop import paths

    return paths.resources_dir() / "fonts"


def register_fonts(folder: Path | None = None) -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from reportlab import rl_config

    # Attribute validation of chart widgets costs a third of the drawing time; our charts
    # are built by this module only.
    rl_config.shapeChecking = 0
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(folder) if folder else font_dir()
    for name, file in _FONT_FILES.items():
        path = folder / file
        if not path.is_file():
            raise ReportError(f"Thiếu phông chữ tiếng Việt “{file}” trong {folder}. Hãy cài đặt lại chương trình.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)


# ----------------------------------------------------------------------- formatting


def fmt_value(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return vn_format.vn_percent(value, 1).replace(",0%", "%")
    return vn_format.vn_number(value)


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cellb": ParagraphStyle("cellb", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
        "headcell": ParagraphStyle("headcell", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10,
                                   alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=10, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                                alignment=TA_CENTER, spaceBefore=6, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=FONT_ITALIC, fontSize=10,
                                   alignment=TA_CENTER, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, keepWithNext=1, fontName=FONT_BOLD, fontSize=11.5, leading=15,
                             spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, keepWithNext=1, fontName=FONT_BOLD, fontSize=10, spaceBefore=6, spaceAfter=2),
    }


def _esc(text: object) -> str:
    from xml.sax.saxutils import escape

    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _table(rows, widths, *, header_rows: int = 1, align_right: tuple[int, ...] = (), zebra: bool = True):
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    table = LongTable(rows, colWidths=widths, repeatRows=header_rows)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONT", (0, 0), (-1, header_rows - 1), FONT_BOLD, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#dce6f0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for col in align_right:
        style.append(("ALIGN", (col, header_rows), (col, -1), "RIGHT"))
    if zebra:
        for i in range(header_rows + 1, len(rows), 2):
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f4f6f8")))
    table.setStyle(TableStyle(style))
    return table


def _footer(title: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        width = doc.pagesize[0]
        canvas.drawString(doc.leftMargin, 10 * 2.835, title[:110])
        canvas.drawRightString(width - doc.rightMargin, 10 * 2.835, f"Trang {doc.page}")
        canvas.restoreState()

    return draw


# ------------------------------------------------------------------------- charts

_STATUS_COLORS = {"Đạt": "#3a7d44", "Có nguy cơ chưa đạt": "#d9a21b", "Chưa đạt": "#c0392b"}


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def unit_bar_chart(target: TargetLine, width: float):
    """Horizontal bars, one per unit (lowest first, at most MAX_BARS), with the target line."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    units = [u for u in target.per_unit if u.value is not None]
    units.sort(key=lambda u: (u.value, u.unit))
    shown = units[:MAX_BARS]
    shown.reverse()  # reportlab draws the first category at the bottom
    n = max(len(shown), 1)
    bar_h = 12
    height = n * bar_h + 34
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x = 150
    chart.y = 22
    chart.width = width - 190
    chart.height = n * bar_h
    chart.data = [[u.value for u in shown] or [0]]
    chart.categoryAxis.categoryNames = [_short(u.unit, 30) for u in shown] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    top = max([target.target] + [u.value for u in shown]) if shown else max(target.target, 1)
    chart.valueAxis.valueMin = 0
    if target.value_kind == "percent":
        chart.valueAxis.valueMax = 100
        chart.valueAxis.valueStep = 20
        chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"
    else:
        chart.valueAxis.valueMax = max(top * 1.1, 1)
        chart.valueAxis.valueStep = max(1, round(chart.valueAxis.valueMax / 5))
        chart.valueAxis.labelTextFormat = lambda v: vn_format.vn_number(v)
    chart.bars.strokeWidth = 0
    chart.barLabelFormat = lambda v: fmt_value(v, target.value_kind)
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    for i, u in enumerate(shown):
        chart.bars[(0, i)].fillColor = colors.HexColor(_STATUS_COLORS.get(u.status, "#4a78b0"))
    d.add(chart)
    vmax = chart.valueAxis.valueMax or 1
    x = chart.x + chart.width * min(target.target / vmax, 1.0)
    d.add(Line(x, chart.y - 3, x, chart.y + chart.height + 3, strokeColor=colors.HexColor("#222222"),
               strokeDashArray=[3, 2], strokeWidth=0.8))
    d.add(String(x + 2, chart.y + chart.height + 5, f"Mục tiêu {fmt_value(target.target, target.value_kind)}",
                 fontName=FONT, fontSize=7))
    return d


def line_chart(series, width: float, height: float = 170):
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    d = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x = 40
    chart.y = 30
    chart.width = width - 60
    chart.height = height - 45
    chart.data = [[p.percent for p in series] or [0]]
    step = max(1, len(series) // 12)
    chart.categoryAxis.categoryNames = [
        p.day.strftime("%d/%m/%y") if i % step == 0 or i == len(series) - 1 else "" for i, p in enumerate(series)
    ] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.lines[0].strokeColor = colors.HexColor("#1f5fa8")
    chart.lines[0].strokeWidth = 1.6
    d.add(chart)
    return d


# ------------------------------------------------------------------ progress report


def _heading(story, st, issuer_name: str, title: str, subtitle: str, width: float) -> None:
    from reportlab.platypus import Paragraph, Table, TableStyle

    left = Paragraph(f"<b>{_esc(issuer_name)}</b><br/>*", st["head"])
    right = Paragraph("<b>ĐẢNG CỘNG SẢN VIỆT NAM</b>", st["head"]) if issuer_name.upper().startswith("ĐẢNG") \
        else Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/>Độc lập - Tự do - Hạnh phúc", st["head"])
    t = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(t)
    story.append(Paragraph(_esc(title), st["title"]))
    story.append(Paragraph(_esc(subtitle), st["subtitle"]))


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise ReportCancelled("Đã hủy tạo báo cáo.")


class ReportCancelled(ReportError):
    pass


def build_progress_pdf(report: ProgressReport, *, progress: Progress | None = None,
                       cancelled: Callable[[], bool] | None = None) -> bytes:
    """The progress report as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    register_fonts()
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=report.title, author=report.issuer_name,
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

    _heading(story, st, report.issuer_name, report.title,
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
    rows = [["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Hạn", "Đánh giá"]]
    for i, tl in enumerate(report.targets, 1):
        rows.append([str(i), Paragraph(_esc(tl.name), st["cell"]), fmt_value(tl.target, tl.value_kind),
                     fmt_value(tl.value, tl.value_kind), vn_format.vn_short_date(tl.deadline) if tl.deadline else "",
                     Paragraph(_esc(tl.status), st["cell"])])
    if len(rows) == 1:
        rows.append(["", "Chưa có chỉ tiêu", "", "", "", ""])
    story.append(_table(rows, [10 * mm, width - 100 * mm, 18 * mm, 18 * mm, 20 * mm, 34 * mm], align_right=(2, 3)))

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
            f"({fmt_value(last.percent, 'percent')}).", st["body"]))
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
            rows = [["STT", "Đơn vị", "Kết quả", "Mục tiêu"]]
            for i, lu in enumerate(units[:MAX_LAGGING_ROWS], 1):
                value = fmt_value(lu.value, lu.value_kind) + (f" ({lu.detail})" if lu.detail else "")
                rows.append([str(i), Paragraph(_esc(lu.unit), st["cell"]), value,
                             fmt_value(lu.target_value, lu.value_kind)])
            if len(units) > MAX_LAGGING_ROWS:
                rows.append(["", f"… và {len(units) - MAX_LAGGING_ROWS} đơn vị khác (xem bản Excel)", "", ""])
            story.append(_table(rows, [10 * mm, width - 80 * mm, 40 * mm, 30 * mm], align_right=(2, 3)))
    else:
        story.append(Paragraph("Không có đơn vị nào chậm tiến độ.", st["body"]))

    # VI. Activities
    tick("Hoạt động đã tổ chức")
    story.append(Paragraph("VI. HOẠT ĐỘNG ĐÃ TỔ CHỨC", st["h2"]))
    rows = [["Loại hoạt động", "Số lần", "Lượt người tham gia", "Số đơn vị tổ chức"]]
    for a in report.activities:
        rows.append([a.kind, vn_format.vn_number(a.count), vn_format.vn_number(a.participants), str(a.units)])
    rows.append(["Tổng cộng", vn_format.vn_number(sum(a.count for a in report.activities)),
                 vn_format.vn_number(sum(a.participants for a in report.activities)), ""])
    tbl = _table(rows, [width - 105 * mm, 25 * mm, 40 * mm, 40 * mm], align_right=(1, 2, 3))
    story.append(tbl)

    doc.build(story, onFirstPage=_footer(report.title), onLaterPages=_footer(report.title))
    return buf.getvalue()


# ---------------------------------------------------------------------- score sheet


def build_scoreboard_pdf(sheet: ScoreSheet, *, progress: Progress | None = None,
                         cancelled: Callable[[], bool] | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    register_fonts()
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=16 * mm, title=sheet.title, author=sheet.issuer_name)
    width = doc.width
    story: list = []
    _heading(story, st, sheet.issuer_name, sheet.title, f"Tính đến {vn_format.vn_date(sheet.as_of)}", width)
    story.append(Paragraph(_esc(sheet.campaign_name), st["body"]))
    if sheet.meeting:
        story.append(Paragraph(_esc(sheet.meeting), st["body"]))
    if not sheet.groups:
        story.append(Spacer(1, 8))
        story.append(Paragraph("Chưa có ứng viên nào được chấm điểm.", st["body"]))
    for gi, group in enumerate(sheet.groups, 1):
        _check(cancelled)
        if progress:
            progress(gi, len(sheet.groups), group.title)
        story.append(Paragraph(f"{gi}. {_esc(group.title)}", st["h2"]))
        crit = list(group.columns)
        # Criteria are numbered (TC1, TC2 ...) in the header and named in the legend below.
        head = ["Hạng", "Tên ứng viên", "Hình thức đề nghị"] + [f"TC{i}" for i in range(1, len(crit) + 1)] + \
            ["Tổng điểm", "Tiêu chí bắt buộc", "Phiếu", "Kết quả"]
        rows = [[Paragraph(_esc(h), st["headcell"]) for h in head]]
        for r in group.rows:
            rows.append([str(r.rank), Paragraph(_esc(r.name), st["cellb"]), Paragraph(_esc(r.award), st["cell"])]
                        + [r.cells.get(c.code, "") for c in crit]
                        + [fmt_value(r.total, "count"), "Đạt" if r.gates_passed else "Không đạt", r.votes,
                           Paragraph(_esc(r.status), st["cell"])])
        fixed = 13 + 16 + 20 + 15 + 26
        crit_w = max(9.0, min(14.0, (width / mm - fixed - 95) / max(len(crit), 1)))
        rest = width / mm - fixed - crit_w * len(crit)
        widths = [13 * mm, rest * 0.58 * mm, rest * 0.42 * mm] + [crit_w * mm] * len(crit) + \
            [16 * mm, 20 * mm, 15 * mm, 26 * mm]
        story.append(_table(rows, widths, align_right=tuple(range(3, 4 + len(crit)))))
        legend = "; ".join(
            f"<b>TC{i}</b> ({_esc(c.code)}): {_esc(c.name)}" + (
                " (bắt buộc)" if c.type == "gate" else f" (tối đa {fmt_value(c.max_points, 'count')} điểm)")
            for i, c in enumerate(crit, 1))
        story.append(Spacer(1, 3))
        story.append(Paragraph("Tiêu chí: " + legend, st["small"]))
    doc.build(story, onFirstPage=_footer(sheet.title), onLaterPages=_footer(sheet.title))
    return buf.getvalue()


def write_pdf(path: Path, data: bytes) -> Path:
    from .atomic import atomic_write_bytes

    return atomic_write_bytes(Path(path), data)


def today_stamp() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
