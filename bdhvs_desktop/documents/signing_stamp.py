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
#: With the office's seal image: the seal at about its real size (a ward's round seal is about 35 mm across),
#: the text beside it on the right.
SEAL_SIZE = 99
SEAL_TEXT_WIDTH = 150
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


@dataclass(frozen=True)
class _Segment:
    """A run of text on one line with no wide gap in it (one cell of a table, one column of the signer's block),
    with each character's x range."""

    chars: tuple[tuple[str, float, float], ...]  # (character, x0, x1)
    baseline: float
    font_size: float

    @property
    def text(self) -> str:
        return "".join(c for c, _a, _b in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0][1]

    @property
    def x1(self) -> float:
        return self.chars[-1][2]


def _segments(page: Any) -> list[_Segment]:
    """The page's text as segments: fragments on one baseline (within 1.5 pt), split where the gap between two
    fragments is wider than a font size (LibreOffice writes the columns of a table row on one baseline)."""
    frags = sorted(_fragments(page), key=lambda f: (-f[2], f[1]))
    lines: list[list[tuple[str, float, float, float, bool]]] = []
    for frag in frags:
        if lines and abs(lines[-1][0][2] - frag[2]) <= 1.5:
            lines[-1].append(frag)
        else:
            lines.append([frag])
    out: list[_Segment] = []
    for line in lines:
        chars: list[tuple[str, float, float]] = []
        size = line[0][3]
        for text, x, _y, fsize, bold in sorted(line, key=lambda f: f[1]):
            if chars and x - chars[-1][2] > max(fsize, size):
                out.append(_Segment(tuple(chars), line[0][2], size))
                chars = []
            if chars:  # fragments may or may not carry the space between them
                chars.append((" ", chars[-1][2], x))
            if not chars:
                size = fsize
            pos = x
            for ch in unicodedata.normalize("NFC", text):
                w = text_width(ch, fsize, bold=bold)
                chars.append((ch, pos, pos + w))
                pos += w
        if chars:
            out.append(_Segment(tuple(chars), line[0][2], size))
    return out


def _match(seg: _Segment, anchor: str) -> tuple[int, float, float] | None:
    """(rank, x0, x1) of ``anchor`` in ``seg``: rank 0 = the segment is the anchor, 1 = contains it with the same
    case, 2 = contains it ignoring case ("CHỦ TỊCH" is also in "Giấy khen của Chủ tịch ..."); None = absent."""
    # Collapse whitespace keeping each character's geometry.
    kept: list[tuple[str, float, float]] = []
    for ch, x0, x1 in seg.chars:
        c = " " if ch.isspace() else ch
        if c == " " and (not kept or kept[-1][0] == " "):
            continue
        kept.append((c, x0, x1))
    while kept and kept[-1][0] == " ":
        kept.pop()
    line = "".join(c for c, _a, _b in kept)
    want = re.sub(r"\s+", " ", unicodedata.normalize("NFC", anchor)).strip()
    for rank, hay, needle in ((0, line, want), (1, line, want), (2, line.casefold(), want.casefold())):
        at = hay.find(needle) if rank else (0 if hay == needle else -1)
        # casefold keeps the length of Vietnamese letters, so positions in ``hay`` are positions in ``kept``
        if at >= 0 and len(hay) == len(kept):
            return rank, kept[at][1], kept[at + len(needle) - 1][2]
    return None


def _locate(pdf: bytes, anchor: str) -> tuple[Anchor, list[_Segment], Any] | None:
    """The anchor, the segments of its page and that page (each page's text is extracted once)."""
    from pypdf import PdfReader

    if not _norm(anchor):
        return None
    reader = PdfReader(io.BytesIO(pdf))
    best: tuple[tuple[int, int, float], Anchor] | None = None
    pages: dict[int, list[_Segment]] = {}
    for page_index, page in enumerate(reader.pages):
        pages[page_index] = segments = _segments(page)
        for seg in segments:
            hit = _match(seg, anchor)
            if hit is None:
                continue
            key = (-hit[0], page_index, -seg.baseline)  # better rank, then later page, then lower on the page
            if best is None or key > best[0]:
                best = (key, Anchor(page_index, hit[1], hit[2], seg.baseline, seg.font_size))
    if best is None:
        return None
    found = best[1]
    return found, pages[found.page_index], reader.pages[found.page_index]


def find_anchor(pdf: bytes, anchor: str) -> Anchor | None:
    """Where ``anchor`` is: the best match (a segment that is exactly the anchor, then one containing it with the
    same case, then ignoring case), the last one in the document among equals; None if it is not there."""
    located = _locate(pdf, anchor)
    return located[0] if located else None


def find_placement(pdf: bytes, anchor: str, *, seal: bool = False) -> Placement | None:
    """The stamp's rectangle for the signer's block at ``anchor``, inside the page; None if it is not found.

    The anchor is the signer's title ("CHỦ TỊCH") or name: the stamp goes into the blank space of the block, below
    the anchor (a title) before above it (a name). ``seal``: the office's seal image is drawn, at its real size,
    on the left of the stamp and the text beside it."""
    located = _locate(pdf, anchor)
    if located is None:
        return None
    found, segments, page = located
    box = page.cropbox
    left, bottom, right, top = float(box.left), float(box.bottom), float(box.right), float(box.top)
    width, height = (SEAL_SIZE + SEAL_TEXT_WIDTH, SEAL_SIZE) if seal else (STAMP_WIDTH, STAMP_HEIGHT)
    covering = SEAL_SIZE if seal else STAMP_WIDTH  # the part that stands for the seal
    y1, y2 = _signature_space(segments, found, height)
    centre = (found.x0 + found.x1) / 2
    # The signer's signature is centred in the block; the seal covers its left third, so the seal's right edge
    # is one third of the signature's width from the signature's left edge.
    x1 = centre - SIGNATURE_WIDTH / 2 + SIGNATURE_WIDTH / 3 - covering
    # Not over the text left of the block at that height ("Nơi nhận: ..." beside the signer's block).
    beside = [seg.x1 for seg in segments
              if seg.x1 < found.x0 and seg.baseline - seg.font_size * 0.25 < y2 and seg.baseline + seg.font_size > y1]
    if beside and x1 < max(beside) + 4:
        x1 = max(beside) + 4
    # Keep it inside the page (a block near the right margin, or at the foot of a page).
    margin = 6.0
    x1 = max(left + margin, min(x1, right - margin - width))
    y1 = max(bottom + margin, min(y1, top - margin - height))
    return Placement(found.page_index, (round(x1), round(y1), round(x1 + width), round(y1 + height)), found)


def _signature_space(segments: list[_Segment], found: Anchor, height: float) -> tuple[float, float]:
    """(bottom, top) of the stamp: centred in the blank space of the signer's block nearest the anchor, below it
    (a title) before above it (a name); a space is the gap between two lines of the anchor's column that is at
    least 60% of the stamp's height. With no such gap, just under the anchor."""
    column = sorted((seg for seg in segments if seg.x1 >= found.x0 - 20 and seg.x0 <= found.x1 + 20),
                    key=lambda seg: -seg.baseline)
    best: tuple[float, float, float] | None = None  # (distance, bottom, top)
    for upper, lower in zip(column, column[1:]):
        gap_top = upper.baseline - upper.font_size * 0.25  # under the descenders
        gap_bottom = lower.baseline + lower.font_size * 0.75  # above the capitals
        if gap_top - gap_bottom < STAMP_HEIGHT * 0.6:  # the blank space for a signature, whatever is drawn
            continue
        if upper.baseline <= found.baseline + 1 and gap_top <= found.baseline:  # below the anchor
            distance = found.baseline - gap_top
        else:
            distance = gap_bottom - found.baseline + 40  # above: only if nothing is as near below
        if distance < 0 or distance > 160:
            continue
        if best is None or distance < best[0]:
            best = (distance, gap_bottom, gap_top)
    if best is None:
        top = found.baseline - found.font_size * 0.35
        return top - height, top
    mid = (best[1] + best[2]) / 2
    return mid - height / 2, mid + height / 2


def stamp_style(seal_png: bytes | None = None) -> Any:
    """pyHanko's text stamp in Liberation Serif (it has Vietnamese), red text; with ``seal_png`` the office's seal
    image on the left at its real size, else a red frame stands for the seal."""
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    # pyHanko's default font is a PDF standard font (WinAnsi): Vietnamese letters come out as blanks. An OpenType
    # font through GlyphAccumulatorFactory (needs pyHanko's [opentype] extra: fontTools + uharfbuzz) is embedded
    # as a subset with its own ToUnicode map.
    # The factory's font_size must equal the text box's: pyHanko advances lines with one and returns with the
    # other, so lines after the first drift sideways otherwise (pyHanko issue #733).
    font = _em_scaled_factory_class()(str(resources_dir() / "fonts" / "LiberationSerif-Regular.ttf"), font_size=10)
    text = dict(stamp_text="%(org)s\nThời gian ký: %(thoi_gian)s",
                text_box_style=TextBoxStyle(font=font, font_size=10, leading=12, text_color=SEAL_RED))
    if seal_png is None:
        return TextStampStyle(
            **text, border_width=1, border_color=SEAL_RED,
            inner_content_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID,
                                                     y_align=AxisAlignment.ALIGN_MID, margins=Margins(4, 4, 4, 4)))
    return TextStampStyle(
        **text, border_width=0, background=seal_image(seal_png), background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID,
                                              margins=Margins(0, 0, 0, 0)),
        inner_content_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID,
                                                 margins=Margins(SEAL_SIZE + 6, 2, 4, 4)))


def seal_image(seal_png: bytes) -> Any:
    """The seal image as pyHanko content, SEAL_SIZE points across (its transparency kept)."""
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.layout import BoxConstraints

    image = Image.open(io.BytesIO(seal_png))
    image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    ratio = image.height / image.width if image.width else 1
    size = (SEAL_SIZE, round(SEAL_SIZE * ratio)) if ratio <= 1 else (round(SEAL_SIZE / ratio), SEAL_SIZE)
    return PdfImage(image, box=BoxConstraints(*size))


@cache
def _stamp_font(path: str) -> bytes:
    """The stamp's font cut down, once per process, to what a stamp can hold (Latin letters, Vietnamese, combining
    marks, punctuation), without hinting. pyHanko subsets the font it is given again for every signature: on the
    whole of Liberation Serif that took about a third of a second a signature."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # fontTools cannot subset it and says so on every signature
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370),
                                 *range(0x1E00, 0x1F00), *range(0x2010, 0x2030), 0x20AB])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


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
            font_handle = io.BytesIO(_stamp_font(self.font_file))
            return EmScaledAccumulator(writer=writer, font_handle=font_handle, font_size=self.font_size,
                                       ot_script_tag=self.ot_script_tag, ot_language_tag=self.ot_language_tag,
                                       writing_direction=self.writing_direction,
                                       bcp47_lang_code=self.bcp47_lang_code, obj_stream=obj_stream)

    return EmScaledFontFactory


def wrap(text: str, width: int = 30) -> str:
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
            # date, hour:minute:second and the zone as the Decree asks; dd.mm.yyyy as the Government's signing
            # software shows it
            "thoi_gian": when.strftime("%d.%m.%Y %H:%M:%S ") + when.isoformat()[-6:]}
