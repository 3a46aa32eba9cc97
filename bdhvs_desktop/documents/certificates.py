"""Certificates (Giấy khen) as one PDF for a whole batch, printed onto the office's pre-printed
blanks by a layout (documents.certificate_layout) or on plain paper with a border, heading
and title; and the calibration page to check a layout on a blank.

Every field goes through :func:`fit_text`: the largest size is tried first, the text wraps at
word boundaries (measured with reportlab's stringWidth), the size comes down to the field's
minimum and, if the text still does not fit, further below it with a warning in the log. The
text never leaves its box: vertical room is reserved from the font's bounding box (which
covers stacked Vietnamese diacritics on capitals), horizontal room from the advance widths.

Liberation Serif (shipped in resources/fonts) is embedded; output goes through
documents.atomic, so a PDF open in a viewer gets a clear message and the old file stays.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bdhvs_desktop.domain.numbers import vn_number

from . import vn_format
from .atomic import atomic_write_bytes
from .certificate_layout import FIELDS, MM, FieldBox, Layout
from .pdf_base import FONT, FONT_BOLD, FONT_BOLD_ITALIC, FONT_ITALIC, register_fonts

log = logging.getLogger("bdhvs")

Progress = Callable[[int, int, str], None]

#: Line spacing as a multiple of the font size.
LEADING = 1.15
#: Room kept inside every box on the left and right (points), for italic overhang.
SIDE_PAD = 0.6
#: Sizes below the field's minimum are tried down to this one before a forced single-line fit.
FLOOR_SIZE = 2.0


class CertificateError(Exception):
    """The certificates cannot be made; the message is Vietnamese."""


class CertificatesCancelled(CertificateError):
    """The user cancelled the batch; nothing was written."""


@dataclass(frozen=True)
class Awardee:
    """One certificate: who is awarded, for what, by which decision. Built by
    services.certificates from the records (the candidates or the award register)."""

    key: str
    name: str
    #: "Ông" / "Bà" for an individual, "" for a collective.
    honorific: str
    #: Position and unit ("Bí thư Chi bộ khu phố 3, phường La Gi") or the collective's parent.
    unit_line: str
    #: "Đã có thành tích xuất sắc trong ..." (the achievement line printed).
    achievement_line: str
    award_code: str
    award_name: str
    #: "ward" | "province" | "" -- higher levels are called first at the ceremony.
    award_level: str
    #: The body that grants the award, as printed above "TẶNG" on plain paper.
    award_issuer: str
    decision_number: str
    decision_date: dt.date | None
    collective: bool
    sort_key: tuple = ()

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    @property
    def decision_text(self) -> str:
        number = self.decision_number.strip() or "........"
        return f"Quyết định số {number} ngày {vn_format.vn_short_date(self.decision_date)}"


@dataclass(frozen=True)
class Fitted:
    size: float
    leading: float
    lines: tuple[str, ...]
    #: The text only fitted below the field's minimum size.
    below_min: bool


# ---------------------------------------------------------------------------- fitting


_FONT_EXTENTS: dict[str, tuple[float, float]] = {}


def font_for(box: FieldBox) -> str:
    if box.bold and box.italic:
        return FONT_BOLD_ITALIC
    if box.bold:
        return FONT_BOLD
    return FONT_ITALIC if box.italic else FONT


def font_extents(font: str) -> tuple[float, float]:
    """(above, below) the baseline per point of size: the font's bounding box, the tallest
    glyph (a capital with a stacked diacritic) and the deepest descender."""
    if font not in _FONT_EXTENTS:
        from reportlab.pdfbase import pdfmetrics  # lazy: start-up

        face = pdfmetrics.getFont(font).face
        _FONT_EXTENTS[font] = (max(face.bbox[3], face.ascent) / 1000.0,
                               max(-face.bbox[1], -face.descent) / 1000.0)
    return _FONT_EXTENTS[font]


def block_height(n_lines: int, size: float, font: str) -> float:
    above, below = font_extents(font)
    return (above + below) * size + max(n_lines - 1, 0) * LEADING * size


def wrap_words(text: str, font: str, size: float, width: float) -> list[str] | None:
    """Greedy word wrap; None when one word alone is wider than *width*."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # lazy: start-up

    space = stringWidth(" ", font, size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            continue
        current, current_w = "", 0.0
        for word in words:
            ww = stringWidth(word, font, size)
            if ww > width:
                return None
            if not current:
                current, current_w = word, ww
            elif current_w + space + ww <= width:
                current, current_w = f"{current} {word}", current_w + space + ww
            else:
                lines.append(current)
                current, current_w = word, ww
        lines.append(current)
    return lines


def _fits(text: str, font: str, size: float, width: float, height: float) -> list[str] | None:
    lines = wrap_words(text, font, size, width)
    if lines is None or block_height(len(lines), size, font) > height:
        return None
    return lines


def fit_text(text: str, font: str, width: float, height: float, max_size: float, min_size: float,
             *, label: str = "") -> Fitted:
    """The largest size (steps of 0.5 pt) at which *text* wrapped at word boundaries fits in
    width x height points; below *min_size* only with a logged warning; never larger than the box."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # lazy: start-up

    text = "\n".join(" ".join(p.split()) for p in (text or "").split("\n") if p.strip())
    if not text:
        return Fitted(max_size, LEADING * max_size, (), False)
    width = max(width - 2 * SIDE_PAD, 0.1)
    size = max_size
    while size >= min_size - 1e-9:
        lines = _fits(text, font, size, width, height)
        if lines is not None:
            return Fitted(size, LEADING * size, tuple(lines), False)
        size = round(size - 0.5, 3)
    size = min(min_size, max_size) * 0.95
    while size >= FLOOR_SIZE:
        lines = _fits(text, font, size, width, height)
        if lines is not None:
            break
        size *= 0.95
    else:
        # Nothing wraps into the box: one line, sized to the box exactly.
        flat = " ".join(text.split())
        above, below = font_extents(font)
        size = min(width / max(stringWidth(flat, font, 1.0), 1e-6), height / (above + below))
        lines = [flat]
    log.warning("certificate field %s: text shrunk to %.2f pt (minimum %.1f pt) to fit its box: %r",
                label or "?", size, min_size, text[:80])
    return Fitted(size, LEADING * size, tuple(lines), True)


def draw_fitted(canvas, fitted: Fitted, font: str, box: FieldBox, page_h: float,
                color: tuple[float, float, float] = (0, 0, 0)) -> None:
    """Draw the lines inside *box* (mm from the top-left) on a reportlab canvas."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # lazy: start-up

    if not fitted.lines:
        return
    left, width = box.x * MM + SIDE_PAD, box.width * MM - 2 * SIDE_PAD
    top, height = page_h - box.y * MM, box.height * MM
    above, _below = font_extents(font)
    total = block_height(len(fitted.lines), fitted.size, font)
    if box.valign == "top":
        block_top = top
    elif box.valign == "bottom":
        block_top = top - (height - total)
    else:
        block_top = top - (height - total) / 2
    canvas.setFillColorRGB(*color)
    canvas.setFont(font, fitted.size)
    baseline = block_top - above * fitted.size
    for line in fitted.lines:
        line_w = stringWidth(line, font, fitted.size)
        if box.align == "left":
            x = left
        elif box.align == "right":
            x = left + width - line_w
        else:
            x = left + (width - line_w) / 2
        canvas.drawString(x, baseline, line)
        baseline -= fitted.leading


def draw_field(canvas, text: str, box: FieldBox, page_h: float, *, label: str = "",
               color: tuple[float, float, float] = (0, 0, 0)) -> Fitted:
    font = font_for(box)
    fitted = fit_text(text, font, box.width * MM, box.height * MM, box.font_size, box.min_font_size,
                      label=label)
    draw_fitted(canvas, fitted, font, box, page_h, color)
    return fitted


# ------------------------------------------------------------------------ the texts


def field_texts(a: Awardee, layout: Layout, place: str) -> dict[str, str]:
    """What each field prints for one awardee."""
    return {
        "name": a.display_name,
        "unit": a.unit_line,
        "achievement": a.achievement_line,
        "decision": a.decision_text,
        "place_date": vn_format.vn_date(a.decision_date, place),
        "signer_title": layout.signer_title,
        "signer_name": layout.signer_name,
    }


def _box(x: float, y: float, w: float, h: float, size: float, *, bold: bool = False, italic: bool = False,
         min_size: float | None = None) -> FieldBox:
    return FieldBox(x=x, y=y, width=w, height=h, font_size=size, min_font_size=min_size or size * 0.6,
                    bold=bold, italic=italic)


def draw_plain_frame(canvas, layout: Layout, issuer: str) -> None:
    """What a pre-printed blank carries, for plain paper: a border, the heading by format,
    the granting body, "TẶNG" and the title "GIẤY KHEN"."""
    page_w_mm, page_h_mm = layout.page_mm
    page_h = page_h_mm * MM
    k = page_h_mm / 210.0  # sizes are designed for A4 landscape and scale with the page
    # Border: an outer thick frame, an inner thin one, and small corner squares.
    canvas.setStrokeColorRGB(0.62, 0.11, 0.11)
    for inset, width in ((7 * k, 2.4 * k), (10 * k, 0.8 * k)):
        canvas.setLineWidth(width)
        canvas.rect(inset * MM, inset * MM, (page_w_mm - 2 * inset) * MM, (page_h_mm - 2 * inset) * MM)
    canvas.setFillColorRGB(0.62, 0.11, 0.11)
    s = 4 * k
    for cx, cy in ((7 * k, 7 * k), (page_w_mm - 7 * k, 7 * k), (7 * k, page_h_mm - 7 * k),
                   (page_w_mm - 7 * k, page_h_mm - 7 * k)):
        canvas.rect((cx - s / 2) * MM, (page_h_mm - cy - s / 2) * MM, s * MM, s * MM, stroke=0, fill=1)
    width = page_w_mm - 40 * k
    x0 = 20 * k
    black = (0, 0, 0)
    red = (0.75, 0.05, 0.05)
    if layout.format == "party":
        head = draw_field(canvas, "ĐẢNG CỘNG SẢN VIỆT NAM", _box(x0, 15 * k, width, 9 * k, 14 * k, bold=True),
                          page_h, label="heading", color=black)
        rule_y = 24.5 * k
    else:
        draw_field(canvas, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                   _box(x0, 14 * k, width, 8 * k, 13 * k, bold=True), page_h, label="heading", color=black)
        head = draw_field(canvas, "Độc lập - Tự do - Hạnh phúc", _box(x0, 21.5 * k, width, 8 * k, 13.5 * k, bold=True),
                          page_h, label="motto", color=black)
        rule_y = 29.5 * k
    from reportlab.pdfbase.pdfmetrics import stringWidth  # lazy: start-up

    rule = min(stringWidth("Độc lập - Tự do - Hạnh phúc", FONT_BOLD, head.size) / MM, width)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.6 * k)
    canvas.line((page_w_mm - rule) / 2 * MM, page_h - rule_y * MM, (page_w_mm + rule) / 2 * MM, page_h - rule_y * MM)
    draw_field(canvas, issuer.upper(), _box(x0, 34 * k, width, 13 * k, 15 * k, bold=True), page_h,
               label="issuer", color=black)
    draw_field(canvas, "TẶNG", _box(x0, 48 * k, width, 8 * k, 14 * k, bold=True), page_h, label="tang",
               color=black)
    draw_field(canvas, "GIẤY KHEN", _box(x0, 56 * k, width, 24 * k, 46 * k, bold=True), page_h,
               label="title", color=red)


# ------------------------------------------------------------------------- the batch


def _check_cancel(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise CertificatesCancelled("Đã hủy in giấy khen; không có tệp nào được ghi.")


def certificates_pdf(awardees: Sequence[Awardee], layout_for: Callable[[str], Layout], *, place: str,
                     plain: bool = False, progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None) -> bytes:
    """One PDF with a page per awardee, each laid out by ``layout_for(award_code)``."""
    from reportlab.pdfgen.canvas import Canvas  # lazy: start-up

    if not awardees:
        raise CertificateError("Không có tập thể, cá nhân nào để in giấy khen.")
    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pageCompression=1)
    canvas.setTitle("Giấy khen" if plain else "Giấy khen (in trên phôi)")
    canvas.setAuthor("bdhvs-desktop")
    total = len(awardees)
    layouts: dict[str, Layout] = {}
    for i, a in enumerate(awardees):
        if i % 10 == 0:
            _check_cancel(cancel)
            if progress:
                progress(i, total, f"Giấy khen {i + 1}/{total}: {a.display_name[:60]}")
        layout = layouts.get(a.award_code)
        if layout is None:
            layout = layouts[a.award_code] = layout_for(a.award_code)
        page_w, page_h = layout.page_points
        canvas.setPageSize((page_w, page_h))
        if plain:
            draw_plain_frame(canvas, layout, a.award_issuer)
        texts = field_texts(a, layout, place)
        for key in FIELDS:
            box = layout.fields[key]
            if box.show:
                draw_field(canvas, texts[key], box, page_h, label=f"{key} ({a.display_name[:40]})")
        canvas.showPage()
    _check_cancel(cancel)
    canvas.save()
    if progress:
        progress(total, total, "Đã tạo giấy khen.")
    return buf.getvalue()


def calibration_pdf(layouts: Iterable[Layout], *, sample: Awardee | None = None, place: str = "") -> bytes:
    """A calibration page per layout: a millimetre grid, every field's box outlined and labelled,
    crop marks in the corners and a 100 mm scale bar to check the printer does not resize."""
    from reportlab.pdfgen.canvas import Canvas  # lazy: start-up

    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pageCompression=1)
    canvas.setTitle("Trang căn chỉnh giấy khen")
    any_page = False
    for layout in layouts:
        any_page = True
        w_mm, h_mm = layout.page_mm
        page_w, page_h = layout.page_points
        canvas.setPageSize((page_w, page_h))
        # grid: 5 mm thin, 10 mm darker, numbered every 10 mm along the top and left edges
        for step, grey, lw in ((5, 0.85, 0.2), (10, 0.65, 0.35)):
            canvas.setStrokeColorRGB(grey, grey, grey)
            canvas.setLineWidth(lw)
            x = step
            while x < w_mm:
                canvas.line(x * MM, 0, x * MM, page_h)
                x += step
            y = step
            while y < h_mm:
                canvas.line(0, page_h - y * MM, page_w, page_h - y * MM)
                y += step
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        canvas.setFont(FONT, 6)
        for x in range(10, int(w_mm), 10):
            canvas.drawCentredString(x * MM, page_h - 3.2 * MM, str(x))
        for y in range(10, int(h_mm), 10):
            canvas.drawString(1.0 * MM, page_h - y * MM - 2, str(y))
        # crop marks: 8 mm strokes at the corners, 3 mm off the edges
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.5)
        for cx, cy, dx, dy in ((3, 3, 1, 1), (w_mm - 3, 3, -1, 1), (3, h_mm - 3, 1, -1), (w_mm - 3, h_mm - 3, -1, -1)):
            canvas.line(cx * MM, page_h - cy * MM, (cx + 8 * dx) * MM, page_h - cy * MM)
            canvas.line(cx * MM, page_h - cy * MM, cx * MM, page_h - (cy + 8 * dy) * MM)
        # 100 mm scale bar
        bar_y = h_mm - 8
        canvas.setLineWidth(0.8)
        canvas.line(20 * MM, page_h - bar_y * MM, 120 * MM, page_h - bar_y * MM)
        for t in range(0, 101, 10):
            canvas.line((20 + t) * MM, page_h - bar_y * MM, (20 + t) * MM, page_h - (bar_y - (2 if t % 50 else 3)) * MM)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(FONT, 7)
        canvas.drawString(122 * MM, page_h - bar_y * MM - 2, "100 mm: đo lại trên bản in để kiểm tra máy in không thu phóng")
        canvas.setFont(FONT_BOLD, 9)
        title = f"Trang căn chỉnh: {layout.title} ({vn_number(w_mm)} × {vn_number(h_mm)} mm)"
        canvas.drawString(20 * MM, page_h - 9 * MM, title[:150])
        # the field boxes
        texts = field_texts(sample, layout, place) if sample else {}
        for key, label in FIELDS.items():
            box = layout.fields[key]
            canvas.setStrokeColorRGB(0.8, 0.1, 0.1) if box.show else canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
            canvas.setLineWidth(0.7)
            canvas.setDash(3, 2) if not box.show else canvas.setDash()
            canvas.rect(box.x * MM, page_h - box.bottom * MM, box.width * MM, box.height * MM)
            canvas.setDash()
            canvas.setFillColorRGB(0.8, 0.1, 0.1)
            canvas.setFont(FONT, 6.5)
            canvas.drawString(box.x * MM + 1, page_h - box.y * MM + 1.5,
                              f"{label} — x {vn_number(box.x)}, y {vn_number(box.y)}, {vn_number(box.width)} × {vn_number(box.height)} mm"
                              + ("" if box.show else " (không in)"))
            if texts and box.show:
                draw_field(canvas, texts[key], box, page_h, label=key, color=(0.2, 0.2, 0.2))
        canvas.showPage()
    if not any_page:
        raise CertificateError("Không có mẫu in nào để tạo trang căn chỉnh.")
    canvas.save()
    return buf.getvalue()


def write_pdf(path: Path, data: bytes) -> Path:
    return atomic_write_bytes(Path(path), data)
