"""One run of an import: the rows read, the problems found and the progress. Each sheet's planner
(the *_sheet modules) gets the `Importer`, which also reads the rows (`cells.RowReader`) and knows
what exists in the database (`known.KnownRecords`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services.importer.cells import RowReader
from bdhvs_desktop.services.importer.known import KnownRecords, NewRef
from bdhvs_desktop.services.importer.result import ERROR, WARNING, ImportCancelled, ImportResult, Problem, Progress


class Importer(RowReader, KnownRecords):
    """One run of an import over the rows read: the lookups of what exists, the problems found and
    the progress. The planners of the sheets read and extend it."""

    def __init__(self, result: ImportResult, data: xio.WorkbookData, today: dt.date,
                 progress: Progress | None, cancelled: Callable[[], bool] | None):
        self.result = result
        self.data = data
        self.today = today
        self.progress = progress
        self.cancelled = cancelled
        self.total_rows = sum(len(s.rows) for s in data.sheets.values()) or 1
        self.done_rows = 0
        self.session: Session | None = None  # the import's session while planning
        # the people this file adds, for GiaiPhap: (name_key, unit) -> refs, and by CCCD
        self.new_people: dict[tuple[str, str], list[NewRef]] = {}
        self.new_people_by_cccd: dict[str, NewRef] = {}

    def record_plan(self, sheet_name: str, *planned: Any) -> None:
        """Remember a digest of what a sheet's planner will write (records to create, changes with
        their old values): the import of a preview re-plans against the database and compares."""
        digest = hashlib.sha256(repr(planned).encode("utf-8", "backslashreplace")).hexdigest()
        self.result.plan_digests[sheet_name] = digest

    # -- reporting
    def problem(self, level: str, sheet: xio.SheetData | None, row: int | None, key: str | None,
                message: str) -> None:
        column = col_index = None
        if sheet is not None and key is not None:
            try:
                column = sheet.spec.column(key).header
            except KeyError:
                column = key
            pos = sheet.positions.get(key)
            col_index = pos + 1 if pos is not None else None
        self.result.problems.append(Problem(level, sheet.spec.name if sheet else None, row, column, message,
                                            col_index))

    def error(self, sheet, row, key, message) -> None:
        self.problem(ERROR, sheet, row, key, message)

    def warning(self, sheet, row, key, message) -> None:
        self.problem(WARNING, sheet, row, key, message)

    def check_cancel(self) -> None:
        if self.cancelled and self.cancelled():
            raise ImportCancelled

    def tick(self, n: int = 1, message: str = "") -> None:
        self.done_rows += n
        if self.progress and (self.done_rows % 1000 == 0 or n > 1):
            self.progress(self.done_rows, self.total_rows, message)
        if self.done_rows % 1000 == 0:
            self.check_cancel()
