"""Fixtures for the document layer: the built-in form sets and docx/zip helpers."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from bdhvs_desktop.documents.formsets import load_form_set

from .sample_data import BUILTIN_FORMS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

#: Tests that convert documents with LibreOffice; CI installs libreoffice-writer-nogui.
needs_soffice = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
    ),
]


@pytest.fixture(scope="session")
def builtin_dir() -> Path:
    return BUILTIN_FORMS


@pytest.fixture(scope="session")
def fs98():
    return load_form_set("decree-98-2023", BUILTIN_FORMS)


@pytest.fixture(scope="session")
def fs152():
    return load_form_set("decree-152-2025", BUILTIN_FORMS)


def patch_docx(src: Path, dst: Path, replacements: dict[str, str], part: str = "word/document.xml",
               count: int = 1) -> Path:
    """Copy a .docx replacing text in one part (each old string must be present)."""
    with zipfile.ZipFile(src) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == part:
                text = data.decode("utf-8")
                for old, new in replacements.items():
                    assert old in text, f"{old!r} not in {part} of {src.name}"
                    text = text.replace(old, new, count)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(out.getvalue())
    return dst


def all_texts(doc) -> list[str]:
    """Every paragraph text of a python-docx Document: body, tables (nested), headers,
    footers."""
    out: list[str] = []

    def walk(container):
        for p in container.paragraphs:
            out.append(p.text)
        for t in container.tables:
            for row in t.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    walk(cell)

    walk(doc)
    for section in doc.sections:
        for hf in (section.header, section.first_page_header, section.footer,
                   section.first_page_footer):
            if not hf.is_linked_to_previous:
                walk(hf)
    return out


def table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
    return rows


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
