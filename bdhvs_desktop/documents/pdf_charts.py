"""Charts of the printed progress report (reportlab graphics): each target's units as bars, and a
measure over time as lines; labels cut to fit in the report's font."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from bdhvs_desktop.domain.numbers import vn_measure
from bdhvs_desktop.domain.vocab import TARGET_STATUS_LABELS, TargetStatus

from . import vn_format
from .pdf_base import FONT, FONT_BOLD, MAX_BARS
from .report_data import TargetLine

_STATUS_COLORS = {TARGET_STATUS_LABELS[TargetStatus.MET]: "#3a7d44", TARGET_STATUS_LABELS[TargetStatus.AT_RISK]: "#d9a21b",
                  TARGET_STATUS_LABELS[TargetStatus.MISSED]: "#c0392b"}
_CHART_FONT_SIZE = 8


def _fit(text: str, width: float, font: str = FONT, size: float = _CHART_FONT_SIZE) -> str:
    """The text shortened with "…" to fit `width` points."""

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
        chart.valueAxis.labelTextFormat = lambda v: vn_measure(v, "percent")
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
        d.add(String(right, y, vn_measure(u.value, target.value_kind), fontName=FONT, fontSize=_CHART_FONT_SIZE,
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
    legend = f"Mục tiêu: {vn_measure(target.target, target.value_kind)}"
    d.add(String(chart.x + 20, legend_y, legend, fontName=FONT, fontSize=_CHART_FONT_SIZE))
    return d


def line_chart(series, width: float, height: float = 180):
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
    chart.valueAxis.labelTextFormat = lambda v: vn_measure(v, "percent")
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.lines[0].strokeColor = colors.HexColor("#1f5fa8")
    chart.lines[0].strokeWidth = 1.6
    d.add(chart)
    return d

