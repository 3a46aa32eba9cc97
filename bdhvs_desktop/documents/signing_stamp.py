"""Where and how the visible signature stamp is drawn (documents/signing.py uses it).

Decree 30/2020/NĐ-CP, Phụ lục I (chữ ký số trên văn bản điện tử):
- the authorised person's signature image sits at the signer's block ("vị trí ký"), under the title line;
- the organisation's signature (its seal) covers about the left third of that signature image, and carries the
  organisation's name and the signing time (date; hour, minute, second; Vietnam's time zone, ISO 8601).

The PDFs are made by LibreOffice from the dossier .docx; the signer's block is found by its text (the title line
such as "CHỦ TỊCH", or the signer's name) with pypdf's text extraction and the positions it reports: no poppler at
run time (Windows). Text widths are measured with the metrics of Liberation Serif (the metric twin of Times New
Roman, which the templates use), shipped in resources/fonts.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from bdhvs_desktop.paths import resources_dir

#: The stamp's size in PDF points (1/72 inch): 57 × 21 mm, room for a wrapped organisation name and the time.
STAMP_WIDTH = 162
STAMP_HEIGHT = 60
#: Red, as a seal is (Decree 30/2020: the seal image is red).
SEAL_RED = (0.80, 0.0, 0.0)
#: The signer's signature, centred under the title line, is assumed this wide; the stamp covers its left third.
SIGNATURE_WIDTH = 120


@dataclass(frozen=True)
class Anchor:
    """Where the anchor text was found: page, its left/right x, baseline y and font size (PDF points)."""

    page_index: int
    x0: float
    x1: float
    baseline: float
    font_size: float


@dataclass(frozen=True)
class Placement:
    page_index: int
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in the page's user space
    anchor: Anchor


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip()


@cache
def _font_metrics(bold: bool) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    from fontTools.ttLib import TTFont

    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    font = TTFont(str(resources_dir() / "fonts" / name), lazy=True)
    return dict(font.getBestCmap()), dict(font["hmtx"].metrics), font["head"].unitsPerEm


def text_width(text: str, font_size: float, *, bold: bool) -> float:
    """The width of ``text`` set in Liberation Serif (Times New Roman's metrics) at ``font_size`` points."""
    cmap, hmtx, upem = _font_metrics(bold)
    units = 0
    for ch in unicodedata.normalize("NFC", text):
        glyph = cmap.get(ord(ch))
        units += hmtx[glyph][0] if glyph in hmtx else upem // 2
    return units * font_size / upem


def _fragments(page: Any) -> list[tuple[str, float, float, float, bool]]:
    """(text, x, baseline y, font size, bold) of each piece of text that pypdf reports on ``page``."""
    out: list[tuple[str, float, float, float, bool]] = []

    def visit(text: str, cm: list[float], tm: list[float], font_dict: Any, font_size: float) -> None:
        if not text or not text.strip():
            return
        # The text space origin mapped through the text matrix, then the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
        base_font = str(font_dict.get("/BaseFont", "")) if font_dict is not None else ""
        out.append((text, x, y, font_size * scale, "bold" in base_font.lower()))

    page.extract_text(visitor_text=visit)
    return out


def find_anchor(pdf: bytes, anchor: str) -> Anchor | None:
    """The last place (pages from the end) where the line containing ``anchor`` is; None if it is not there."""
    from pypdf import PdfReader

    want = _norm(anchor)
    if not want:
        return None
    reader = PdfReader(io.BytesIO(pdf))
    for page_index in range(len(reader.pages) - 1, -1, -1):
        lines: dict[int, list[tuple[str, float, float, float, bool]]] = {}
        for frag in _fragments(reader.pages[page_index]):
            lines.setdefault(round(frag[2]), []).append(frag)
        found = None
        for y_key in sorted(lines, reverse=True):  # top to bottom; keep the lowest match
            frags = sorted(lines[y_key], key=lambda f: f[1])
            hit = _match_in_line(frags, want)
            if hit is not None:
                found = Anchor(page_index, hit[0], hit[1], frags[0][2], hit[2])
        if found is not None:
            return found
    return None


def _match_in_line(frags: list[tuple[str, float, float, float, bool]], want: str) -> tuple[float, float, float] | None:
    """(x0, x1, font size) of ``want`` in a line made of ``frags`` (sorted by x), or None."""
    # Measure each character's x from its fragment's start, so a match that spans fragments is placed right.
    chars: list[tuple[str, float, float, float]] = []  # (char, x0, x1, size)
    for text, x, _y, size, bold in frags:
        if chars:
            chars.append((" ", chars[-1][2], x, size))  # fragments may or may not carry the space between them
        pos = x
        for ch in unicodedata.normalize("NFC", text):
            w = text_width(ch, size, bold=bold)
            chars.append((ch, pos, pos + w, size))
            pos += w
    # Normalise as _norm does, keeping each kept character's geometry.
    norm: list[tuple[str, float, float, float]] = []
    for ch, x0, x1, size in chars:
        c = " " if ch.isspace() else ch.casefold()
        if c == " " and (not norm or norm[-1][0] == " "):
            continue
        norm.extend((cc, x0, x1, size) for cc in c)
    line = "".join(c for c, *_ in norm)
    at = line.find(want)
    if at < 0:
        return None
    first, last = norm[at], norm[at + len(want) - 1]
    return first[1], last[2], first[3]


def find_placement(pdf: bytes, anchor: str) -> Placement | None:
    """The stamp's rectangle for the signer's block titled by ``anchor``, inside the page; None if not found."""
    from pypdf import PdfReader

    found = find_anchor(pdf, anchor)
    if found is None:
        return None
    page = PdfReader(io.BytesIO(pdf)).pages[found.page_index]
    box = page.cropbox
    left, bottom, right, top = float(box.left), float(box.bottom), float(box.right), float(box.top)
    centre = (found.x0 + found.x1) / 2
    # The signer's signature is centred under the title; the seal covers its left third, so the stamp's right
    # edge is at one third of the signature's width from its left edge.
    x2 = centre - SIGNATURE_WIDTH / 2 + SIGNATURE_WIDTH / 3
    x1 = x2 - STAMP_WIDTH
    y2 = found.baseline - found.font_size * 0.35  # just under the title line's descenders
    y1 = y2 - STAMP_HEIGHT
    # Keep it inside the page (a title near the right margin, or at the foot of a page).
    margin = 6.0
    if x1 < left + margin:
        x1, x2 = left + margin, left + margin + STAMP_WIDTH
    if x2 > right - margin:
        x1, x2 = right - margin - STAMP_WIDTH, right - margin
    if y1 < bottom + margin:
        y1, y2 = bottom + margin, bottom + margin + STAMP_HEIGHT
    if y2 > top - margin:
        y1, y2 = top - margin - STAMP_HEIGHT, top - margin
    return Placement(found.page_index, (round(x1), round(y1), round(x2), round(y2)), found)


def stamp_style() -> Any:
    """pyHanko's text stamp in Liberation Serif (it has Vietnamese), red text and border like a seal."""
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    # pyHanko's default font is a PDF standard font (WinAnsi): Vietnamese letters come out as blanks. An OpenType
    # font through GlyphAccumulatorFactory (needs pyHanko's [opentype] extra: fontTools + uharfbuzz) is embedded
    # as a subset with its own ToUnicode map.
    # The factory's font_size must equal the text box's: pyHanko advances lines with one and returns with the
    # other, so lines after the first drift sideways otherwise (pyHanko issue #733).
    font = _em_scaled_factory_class()(str(resources_dir() / "fonts" / "LiberationSerif-Regular.ttf"), font_size=9)
    return TextStampStyle(
        stamp_text="%(org)s\nKý số: %(thoi_gian)s",
        text_box_style=TextBoxStyle(font=font, font_size=9, leading=11, text_color=SEAL_RED),
        border_width=1,
        border_color=SEAL_RED,
        inner_content_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID,
                                                 margins=Margins(4, 4, 4, 4)),
    )


@cache
def _em_scaled_factory_class() -> type:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class EmScaledAccumulator(GlyphAccumulator):
        """pyHanko 0.38 writes the CID font's /W widths and the TJ kerning in the font's own units, which is
        right only for fonts with 1000 units per em (CFF .otf). Liberation Serif has 2048: every glyph then
        advances about twice its width (the text comes out letter-spaced and overflows the box). Shaping with
        HarfBuzz at a 1000-unit scale and writing widths in thousandths of an em puts both in PDF glyph space.
        The embedded font program keeps its own units (viewers scale outlines by its head table)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._em_scale = 1000 / self.units_per_em
            if self.units_per_em != 1000:
                self.hb_font.scale = (1000, 1000)
                self.units_per_em = 1000

        def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
            cached = self._glyphs.get(glyph_id)
            if cached is not None:
                return cached
            cid, width = super()._get_cid_and_width(glyph_id)
            self._glyphs[glyph_id] = result = (cid, round(width * self._em_scale))
            return result

    class EmScaledFontFactory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            # as GlyphAccumulatorFactory.create_font_engine, with the class above
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            with open(self.font_file, "rb") as fh:
                font_handle = io.BytesIO(fh.read())
            return EmScaledAccumulator(writer=writer, font_handle=font_handle, font_size=self.font_size,
                                       ot_script_tag=self.ot_script_tag, ot_language_tag=self.ot_language_tag,
                                       writing_direction=self.writing_direction,
                                       bcp47_lang_code=self.bcp47_lang_code, obj_stream=obj_stream)

    return EmScaledFontFactory


def wrap(text: str, width: int = 34) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (pyHanko's text box does not wrap)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines[:3])


def text_params(organisation: str, when: datetime) -> dict[str, str]:
    """The stamp text's values: the organisation (the certificate's name) and the signing time, +07:00."""
    # pyHanko sets %(ts)s itself, after the caller's parameters, from the computer's local time zone (so a
    # "ts" passed here is overwritten): the stamp uses its own key for the time in Vietnam's zone.
    return {"org": wrap(organisation) or "(không rõ tên)",
            "thoi_gian": when.strftime("%d/%m/%Y %H:%M:%S ") + when.isoformat()[-6:]}
