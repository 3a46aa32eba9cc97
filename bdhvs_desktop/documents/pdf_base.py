"""What every printed PDF of the program shares (reportlab): the embedded Liberation Serif fonts
(metric-compatible with Times New Roman, covering Vietnamese), number formats, paragraph styles,
tables, the page footer, the official heading and the signature block, and the errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from bdhvs_desktop import paths

from .report_data import Heading

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
    return paths.resources_dir() / "fonts"


def register_fonts(folder: Path | None = None) -> None:
    from reportlab import rl_config  # lazy: start-up
    from reportlab.lib.fonts import addMapping  # lazy: start-up
    from reportlab.pdfbase import pdfmetrics  # lazy: start-up
    from reportlab.pdfbase.ttfonts import TTFont  # lazy: start-up

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


def _styles():
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT  # lazy: start-up
    from reportlab.lib.styles import ParagraphStyle  # lazy: start-up

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
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _table(rows, widths, *, header_rows: int = 1, align_right: tuple[int, ...] = (), zebra: bool = True,
           font_size: float = 10):
    from reportlab.lib import colors  # lazy: start-up
    from reportlab.platypus import LongTable, TableStyle  # lazy: start-up

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



# ------------------------------------------------------------------ heading and signature


def _heading(story, st, heading: Heading | None, issuer_name: str, title: str, subtitle: str,
             width: float) -> None:
    """The heading block of the .docx forms: issuing body (parent level above it, "*" under it in
    the party format, a short rule in the state format) and number at the left; the party name
    or the national motto and the place and date at the right; then the title."""
    from reportlab.platypus import Paragraph, Table, TableStyle  # lazy: start-up

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
        from reportlab.platypus import Spacer  # lazy: start-up

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
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle  # lazy: start-up

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

