"""Reading a certificate PDF back: every text line with its position, font and size (pypdf), and
every word's box as poppler computes it (pdftotext -bbox-layout), to check each field's text
lies inside its layout box."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bdhvs_desktop.documents import pdf_reports
from bdhvs_desktop.documents.certificate_layout import MM, FieldBox

_FONTS = {
    "LiberationSerif": pdf_reports.FONT,
    "LiberationSerif-Bold": pdf_reports.FONT_BOLD,
    "LiberationSerif-Italic": pdf_reports.FONT_ITALIC,
    "LiberationSerif-BoldItalic": pdf_reports.FONT_BOLD_ITALIC,
}


@dataclass(frozen=True)
class Line:
    text: str
    font: str  # registered reportlab name
    size: float
    x0: float
    x1: float
    bottom: float  # lowest ink (font bounding box), PDF points from the page bottom
    top: float
    baseline: float


def lines_of(pdf: Path) -> list[list[Line]]:
    """Per page, every text line drawn, with the box its glyphs can occupy."""
    from pypdf import PdfReader
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from bdhvs_desktop.documents.certificates import font_extents

    pdf_reports.register_fonts()
    pages = []
    for page in PdfReader(str(pdf)).pages:
        found: list[Line] = []

        def visit(text, cm, tm, font_dict, font_size, found=found):
            text = text.replace("\n", "")
            if not text.strip():
                return
            base = str((font_dict or {}).get("/BaseFont", "")).split("+")[-1]
            font = _FONTS[base]
            scale_x = tm[0] * cm[0]
            size = font_size * scale_x
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            above, below = font_extents(font)
            width = stringWidth(text, font, size)
            found.append(Line(text, font, size, x, x + width, y - below * size, y + above * size, y))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def inside(line: Line, box: FieldBox, page_h: float, tol: float = 0.01) -> bool:
    left, right = box.x * MM, box.right * MM
    top, bottom = page_h - box.y * MM, page_h - box.bottom * MM
    return (line.x0 >= left - tol and line.x1 <= right + tol and line.bottom >= bottom - tol
            and line.top <= top + tol)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the page top (poppler's coordinates)
    x1: float
    y1: float


def poppler_words(pdf: Path) -> list[list[Word]]:
    """Per page, each word's box from `pdftotext -bbox-layout` (an independent reader)."""
    import html

    if not shutil.which("pdftotext"):
        import pytest

        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        words = [Word(html.unescape(m.group(5)), float(m.group(1)), float(m.group(2)), float(m.group(3)),
                      float(m.group(4)))
                 for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                                      r"(.*?)</word>", page)]
        pages.append(words)
    return pages


def word_inside(word: Word, box: FieldBox, tol: float = 0.05) -> bool:
    return (word.x0 >= box.x * MM - tol and word.x1 <= box.right * MM + tol and word.y0 >= box.y * MM - tol
            and word.y1 <= box.bottom * MM + tol)
