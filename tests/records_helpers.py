"""Helpers shared by the records tests: build workbooks, snapshot the database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bdhvs_desktop.documents import excel_io as xio

TABLES = ("unit", "person", "activity", "digital_model", "model_replication", "solution", "reported_figure",
          "audit_log")


def write_book(path: Path, sheets: dict[str, Iterable[Iterable[Any]]], *, headers: bool = True,
               merges: dict[str, list[str]] | None = None) -> Path:
    """sheets: name -> rows; when headers is True the layout's header row is written first
    for known sheet names."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if headers and name in xio.SHEETS:
            ws.append(xio.SHEETS[name].headers)
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def snapshot(db) -> str:
    """A digest of every record the importer may touch (and the audit log)."""
    h = hashlib.sha256()
    with db.read() as s:
        for table in TABLES:
            for row in s.execute(text(f"SELECT * FROM {table} ORDER BY id")):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def count(db, model) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))
