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
from pathlib import Path
from typing import Callable

from bdhvs_desktop.domain.vocab import TARGET_STATUS_LABELS, TargetStatus

from . import vn_format
from .report_data import Heading, ProgressReport, ScoreGroup, ScoreSheet, TargetLine

FONT = "BDHVS-Serif"
FONT_BOLD = "BDHVS-Serif-Bold"
FONT_ITALIC = "BDHVS-Serif-Italic"
FONT_BOLD_ITALIC = "BDHVS-Serif-BoldItalic"
_FONT_FILES = {FONT: "LiberationSerif-Regular.ttf", FONT_BOLD: "LiberationSerif-Bold.ttf",
               FONT_ITALIC: "LiberationSerif-Italic.ttf", FONT_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf"}
#: Left and right padding of every table cell (points); the cell width minus both is what text may use.
CELL_PAD = 3

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
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

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
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)


# ----------------------------------------------------------------------- formatting


def fmt_value(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return vn_format.vn_percent(value, 1).replace(",0%", "%")
    return vn_format.vn_number(value)


def _styles():
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=15.5, alignment=TA_JUSTIFY)
    cell = ParagraphStyle("cell", parent=base, fontSize=10, leading=12, alignment=0)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9.5, leading=11),
        "cell": cell,
        "cellc": ParagraphStyle("cellc", parent=cell, alignment=TA_CENTER),
        "cellr": ParagraphStyle("cellr", parent=cell, alignment=TA_RIGHT),
        "cellb": ParagraphStyle("cellb", parent=cell, fontName=FONT_BOLD),
        "headcell": ParagraphStyle("headcell", parent=cell, fontName=FONT_BOLD, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontSize=13, leading=16, alignment=TA_CENTER),
        "headb": ParagraphStyle("headb", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16,
                                alignment=TA_CENTER),
        "placedate": ParagraphStyle("placedate", parent=base, fontName=FONT_ITALIC, fontSize=13, leading=16,
                                    alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                                alignment=TA_CENTER, spaceBefore=14, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=FONT_ITALIC, fontSize=13, leading=16,
                                   alignment=TA_CENTER, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, keepWithNext=1, fontName=FONT_BOLD, fontSize=12.5, leading=16,
                             spaceBefore=10, spaceAfter=4, alignment=0),
        "h3": ParagraphStyle("h3", parent=base, keepWithNext=1, fontName=FONT_BOLD, fontSize=11.5, leading=14,
                             spaceBefore=6, spaceAfter=2, alignment=0),
        "recipients_title": ParagraphStyle("rt", parent=base, fontSize=12, leading=14, alignment=0),
        "recipients": ParagraphStyle("rc", parent=base, fontSize=11, leading=13, alignment=0),
        "sign": ParagraphStyle("sign", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16,
                               alignment=TA_CENTER),
    }


def _esc(text: object) -> str:
    from xml.sax.saxutils import escape

    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _table(rows, widths, *, header_rows: int = 1, align_right: tuple[int, ...] = (), zebra: bool = True,
           font_size: float = 10):
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    table = LongTable(rows, colWidths=widths, repeatRows=header_rows)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("FONT", (0, 0), (-1, header_rows - 1), FONT_BOLD, font_size),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for col in align_right:
        style.append(("ALIGN", (col, header_rows), (col, -1), "RIGHT"))
    if zebra:
        for i in range(header_rows + 1, len(rows), 2):
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f5f5f5")))
    table.setStyle(TableStyle(style))
    table.bdhvs_font_size = font_size
    return table


def _footer(title: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        width = doc.pagesize[0]
        canvas.drawRightString(width - doc.rightMargin, 10 * 2.835, f"Trang {doc.page}")
        canvas.restoreState()

    return draw


# ------------------------------------------------------------------------- charts

_STATUS_COLORS = {TARGET_STATUS_LABELS[TargetStatus.MET]: "#3a7d44", TARGET_STATUS_LABELS[TargetStatus.AT_RISK]: "#d9a21b",
                  TARGET_STATUS_LABELS[TargetStatus.MISSED]: "#c0392b"}
_CHART_FONT_SIZE = 8


def _fit(text: str, width: float, font: str = FONT, size: float = _CHART_FONT_SIZE) -> str:
    """The text shortened with "…" to fit `width` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = " ".join(str(text).split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def unit_bar_chart(target: TargetLine, width: float):
    """Horizontal bars, one per unit (lowest first, at most MAX_BARS), with the target line.

    Every label has its own place so none collides: unit names left of the plot, values in a
    column right of it, the target's legend above it, the scale below it."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    units = [u for u in target.per_unit if u.value is not None]
    units.sort(key=lambda u: (u.value, u.unit))
    shown = units[:MAX_BARS]
    shown.reverse()  # reportlab draws the first category at the bottom
    n = max(len(shown), 1)
    bar_h = 13
    label_w = 175.0
    value_w = 42.0
    height = n * bar_h + 40
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x = label_w + 4
    chart.y = 18
    chart.width = width - chart.x - value_w - 8
    chart.height = n * bar_h
    chart.data = [[u.value for u in shown] or [0]]
    chart.categoryAxis.categoryNames = [_fit(u.unit, label_w - 6) for u in shown] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = _CHART_FONT_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = _CHART_FONT_SIZE
    top = max([target.target] + [u.value for u in shown]) if shown else max(target.target, 1)
    chart.valueAxis.valueMin = 0
    if target.value_kind == "percent":
        chart.valueAxis.valueMax = 100
        chart.valueAxis.valueStep = 20
        chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"
    else:
        vmax = max(top * 1.1, 1)
        step = max(1, round(vmax / 5))
        chart.valueAxis.valueMax = step * -(-vmax // step)
        chart.valueAxis.valueStep = step
        chart.valueAxis.labelTextFormat = lambda v: vn_format.vn_number(v)
    chart.bars.strokeWidth = 0
    chart.barSpacing = 0
    chart.groupSpacing = 3
    for i, u in enumerate(shown):
        chart.bars[(0, i)].fillColor = colors.HexColor(_STATUS_COLORS.get(u.status, "#4a78b0"))
    d.add(chart)
    # values in their own column right of the plot
    right = chart.x + chart.width + value_w + 4
    for i, u in enumerate(shown):
        y = chart.y + (i + 0.5) * bar_h - _CHART_FONT_SIZE * 0.35
        d.add(String(right, y, fmt_value(u.value, target.value_kind), fontName=FONT, fontSize=_CHART_FONT_SIZE,
                     textAnchor="end"))
    d.add(String(right, chart.y + chart.height + 6, "Kết quả", fontName=FONT_BOLD, fontSize=_CHART_FONT_SIZE,
                 textAnchor="end"))
    vmax = chart.valueAxis.valueMax or 1
    x = chart.x + chart.width * min(target.target / vmax, 1.0)
    line_color = colors.HexColor("#222222")
    d.add(Line(x, chart.y, x, chart.y + chart.height + 2, strokeColor=line_color, strokeDashArray=[3, 2],
               strokeWidth=0.9))
    # the legend of the dashed line, above the plot at its left
    legend_y = chart.y + chart.height + 6
    d.add(Line(chart.x, legend_y + 3, chart.x + 16, legend_y + 3, strokeColor=line_color, strokeDashArray=[3, 2],
               strokeWidth=0.9))
    legend = f"Mục tiêu: {fmt_value(target.target, target.value_kind)}"
    d.add(String(chart.x + 20, legend_y, legend, fontName=FONT, fontSize=_CHART_FONT_SIZE))
    return d


def line_chart(series, width: float, height: float = 180):
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    d = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x = 40
    chart.y = 40
    chart.width = width - 60
    chart.height = height - 50
    chart.data = [[p.percent for p in series] or [0]]
    # as many date labels as fit side by side (rotated 45°, each needs about 1.6 times its height)
    slot = chart.width / max(len(series), 1)
    step = max(1, int(-(-(_CHART_FONT_SIZE * 1.6) // slot)), -(-len(series) // 14))
    last = len(series) - 1
    names = []
    for i, p in enumerate(series):
        show = (i % step == 0 and last - i >= step) or i == last
        names.append(p.day.strftime("%d/%m/%y") if show else "")
    chart.categoryAxis.categoryNames = names or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = _CHART_FONT_SIZE
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dy = -6  # clear of the value axis' "0%"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = _CHART_FONT_SIZE
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.lines[0].strokeColor = colors.HexColor("#1f5fa8")
    chart.lines[0].strokeWidth = 1.6
    d.add(chart)
    return d


# ------------------------------------------------------------------ heading and signature


def _heading(story, st, heading: Heading | None, issuer_name: str, title: str, subtitle: str,
             width: float) -> None:
    """The heading block of the .docx forms: issuing body (parent level above it, "*" under it in
    the party format, a short rule in the state format) and number at the left; the party name
    or the national motto and the place and date at the right; then the title."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    h = heading or Heading("party" if issuer_name.upper().startswith("ĐẢNG") else "state", issuer_name)
    left = []
    if h.parent_name:
        left.append(Paragraph(_esc(h.parent_name), st["head"]))
    left.append(Paragraph(f"<b>{_esc(h.name)}</b>", st["headb"]))
    left.append(Paragraph("*" if h.format == "party" else "<u>\u2003\u2003\u2003\u2003\u2003</u>", st["head"]))
    if h.number:  # the blank left for the number keeps its width (the clerk writes it in)
        left.append(Paragraph(_esc(h.number).replace(" ", "\u00a0"), st["head"]))
    if h.format == "party":
        right = [Paragraph("<u><b>ĐẢNG CỘNG SẢN VIỆT NAM</b></u>", st["headb"])]
    else:
        right = [Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", st["headb"]),
                 Paragraph("<u><b>Độc lập - Tự do - Hạnh phúc</b></u>", st["headb"])]
    if h.place_date:
        from reportlab.platypus import Spacer

        right += [Spacer(1, 8 if h.format == "party" else 4), Paragraph(_esc(h.place_date), st["placedate"])]
    t = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(t)
    # "BÁO CÁO" / "BẢNG ..." on its own line, what it is about under it, as on the forms
    kind, sep, about = title.partition(" ")
    if title.startswith("BÁO CÁO "):
        kind, sep, about = "BÁO CÁO", " ", title[len("BÁO CÁO "):]
    story.append(Paragraph(_esc(kind) + ("<br/>" + _esc(about) if kind == "BÁO CÁO" and about else
                                         _esc(sep + about)), st["title"]))
    if subtitle:
        story.append(Paragraph(_esc(subtitle), st["subtitle"]))


def _signature(st, heading: Heading | None, width: float) -> list:
    """"Nơi nhận" at the left and the signature(s) at the right (one table: never split), to be
    kept together with what precedes it so that it never stands alone on a page."""
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    if heading is None or not (heading.signers or heading.recipients):
        return []

    def block(authority: str, title: str, name: str) -> list:
        lines = [Paragraph(_esc(authority), st["sign"])] if authority else []
        lines.append(Paragraph(_esc(title), st["sign"]))
        lines.append(Spacer(1, 58))
        lines.append(Paragraph(_esc(name) if name else "." * 40, st["sign"]))
        return lines

    signers = list(heading.signers)
    if heading.recipients:
        # Hướng dẫn 36: "Nơi nhận" underlined; Decree 30/2020: bold italic
        title = "<u>Nơi nhận:</u>" if heading.format == "party" else "<b><i>Nơi nhận:</i></b>"
        left = [Paragraph(title, st["recipients_title"])] + [
            Paragraph("- " + _esc(r), st["recipients"]) for r in heading.recipients]
        cells = [left] + [block(*sg) for sg in signers]
        widths = [width * 0.45] + [width * 0.55 / max(len(signers), 1)] * len(signers)
    else:
        cells = [block(*sg) for sg in signers]
        widths = [width / len(signers)] * len(signers)
    t = Table([cells], colWidths=widths)
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(1, 12), t]


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
        rows.append([str(i), Paragraph(_esc(tl.name), st["cell"]), fmt_value(tl.target, tl.value_kind),
                     fmt_value(tl.value, tl.value_kind), vn_format.vn_short_date(tl.deadline) if tl.deadline else "",
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
            rows = [[Paragraph(h, st["headcell"]) for h in ("STT", "Đơn vị", "Kết quả", "Mục tiêu")]]
            for i, lu in enumerate(units[:MAX_LAGGING_ROWS], 1):
                value = fmt_value(lu.value, lu.value_kind) + (f" ({lu.detail})" if lu.detail else "")
                rows.append([str(i), Paragraph(_esc(lu.unit), st["cell"]), value,
                             fmt_value(lu.target_value, lu.value_kind)])
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
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

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
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    st = st or _sheet_styles()
    cell, cellc, cellr = st["scell"], st["scellc"], st["scellr"]
    crit = list(group.columns)
    head = ["Hạng", "Tên ứng viên", "Hình thức đề nghị"] + [f"TC{i}" for i in range(1, len(crit) + 1)] + \
        ["Tổng điểm", "Tiêu chí bắt buộc", "Phiếu", "Kết quả"]
    rows = [[Paragraph(_esc(h), st["sheadcell"]) for h in head]]
    for r in group.rows:
        gate = "Đạt" if r.gates_passed else "Không đạt"
        rows.append([Paragraph("–" if r.rank is None else str(r.rank), cellc), Paragraph(_esc(r.name), st["scellb"]),
                     Paragraph(_esc(r.award), cell)]
                    + [Paragraph(_esc(r.cells.get(c.code, "")), cellc if c.type == "gate" else cellr) for c in crit]
                    + [Paragraph(fmt_value(r.total, "count"), cellr), Paragraph(gate, cellc),
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
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

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
                " (bắt buộc)" if c.type == "gate" else f" (tối đa {fmt_value(c.max_points, 'count')} điểm)")
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
    from .atomic import atomic_write_bytes

    return atomic_write_bytes(Path(path), data)


def today_stamp() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
