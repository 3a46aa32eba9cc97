"""Import of the unit workbook (layout in documents/excel_io.py): all or nothing.

The file is read, every row is parsed and checked against the database and against the
rest of the file, and only when there is no error is anything written — in one
transaction, with bulk inserts and updates over a single pre-loaded lookup of what exists.
Re-importing the same file changes nothing: people are matched by CCCD, otherwise by
normalised name + birth date + unit; units and models by code; activities by date, kind,
unit and content; solutions by person and title; reported figures by target, unit, day.

Problems are errors (nothing is written) or warnings (written anyway), each with the
sheet, row, column and a Vietnamese explanation.

This module is the orchestrator: one planner per sheet (`*_sheet.py`, each `plan(ctx, sheet)`
returning its write step), the run they share in `core.py` (reading the rows in `cells.py`, what
exists in the database in `known.py`), the result in `result.py`. The wizard previews with
`analyse_workbook` and imports with `import_previewed`: the rows it showed, re-checked against the
database, never the file read a second time."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.importer import (
    activities_sheet,
    figures_sheet,
    models_sheet,
    people_sheet,
    solutions_sheet,
    units_sheet,
)
from bdhvs_desktop.services.importer.cells import CHOICES
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.result import (
    ERROR,
    IMPORT_LOCK,
    WARNING,
    Counts,
    ImportCancelled,
    ImportResult,
    Problem,
    Progress,
    UnusableFile,
)
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize

__all__ = ["CHOICES", "ERROR", "IMPORT_LOCK", "WARNING", "Counts", "ImportCancelled", "ImportResult", "Problem",
           "Progress", "UnusableFile", "analyse_workbook", "import_previewed", "import_workbook"]

# The sheets in the order they are planned and written: units first (the others cite them), people
# before solutions (a solution may belong to a person this file adds).
PLANNERS = (("DonVi", units_sheet), ("NhanSu", people_sheet), ("HoatDong", activities_sheet),
            ("MoHinh", models_sheet), ("GiaiPhap", solutions_sheet), ("SoLieuChiTieu", figures_sheet))


class _Abort(Exception):
    """Rolls the write transaction back (errors found, or a dry run)."""


def import_workbook(db: Database, path: str | os.PathLike[str], *, dry_run: bool = False,
                    progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                    today: dt.date | None = None, user: str | None = None) -> ImportResult:
    """Read, check and (unless dry_run or any error) write a workbook. Raises UnusableFile
    for a file that is not a usable workbook; returns the result otherwise."""
    if not dry_run:
        require_role(db, "secretary", action="nhập dữ liệu từ Excel")
    path = Path(path)
    result = ImportResult(path=path, dry_run=dry_run)
    data = xio.read_workbook(path, progress=progress, cancelled=cancelled)
    result.data = data
    if cancelled and cancelled():
        result.cancelled = True
        return result
    importer = Importer(result, data, today or dt.date.today(), progress, cancelled)
    if dry_run:
        with db.read() as s:
            s.info["user"] = user or db.user
            run(importer, s, write=False)
        return result
    return _write(db, importer, user)


def analyse_workbook(db: Database, path: str | os.PathLike[str], **kwargs: Any) -> ImportResult:
    """The dry run: every problem and what would change, writing nothing."""
    return import_workbook(db, path, dry_run=True, **kwargs)


def import_previewed(db: Database, preview: ImportResult, *, progress: Progress | None = None,
                     cancelled: Callable[[], bool] | None = None, today: dt.date | None = None,
                     user: str | None = None) -> ImportResult:
    """Write the rows a preview (analyse_workbook) read, not the file as it is now: a file saved
    again between the preview and the import is not what the user saw. The rows are checked
    again against the database inside the write transaction; when the database no longer gives
    the plan the preview showed (a person added, a unit deleted, a record edited meanwhile),
    nothing is written and the result says which sheets changed. ValueError for a result that is
    not a clean preview."""
    if not preview.dry_run or preview.data is None or not preview.ok:
        raise ValueError("Chỉ nhập được kết quả kiểm tra tệp không có lỗi: tệp này chưa kiểm tra hoặc có lỗi.")
    require_role(db, "secretary", action="nhập dữ liệu từ Excel")
    result = ImportResult(path=preview.path, dry_run=False, data=preview.data)
    importer = Importer(result, preview.data, today or dt.date.today(), progress, cancelled)
    return _write(db, importer, user, preview=preview)


def _write(db: Database, importer: Importer, user: str | None, *, preview: ImportResult | None = None) -> ImportResult:
    result = importer.result
    try:
        with db.session() as s:
            # One import at a time on a shared PostgreSQL server too: the second waits, then
            # matches the first one's people instead of adding them again.
            serialize(s, IMPORT_LOCK)
            s.info["user"] = user or db.user
            run(importer, s, write=True, expected=preview)
            if result.errors or result.cancelled:
                raise _Abort
            if result.changes:
                audit.record(s, user=user or db.user, action="import", entity="workbook", note=(
                    f"Nhập tệp {result.path.name}: " + "; ".join(result.summary_lines())))
            result.written = True
    except _Abort:
        result.written = False
    except ImportCancelled:
        result.cancelled = True
        result.written = False
    return result


def run(ctx: Importer, s: Session, *, write: bool, expected: ImportResult | None = None) -> None:
    """Check the headers, load what exists, plan every sheet; then, when writing and nothing is
    wrong (and the plan is still the `expected` preview's), run the sheets' write steps in order."""
    data = ctx.data
    if data.unknown_sheets:
        for name in data.unknown_sheets:
            ctx.warning(None, None, None, f"Trang \"{name}\" không thuộc mẫu nhập liệu nên được bỏ qua "
                                          f"(các trang được nhận: {', '.join(xio.SHEETS)}).")
    if not data.sheets:
        ctx.error(None, None, None, "Tệp không có trang nào của mẫu nhập liệu (" + ", ".join(xio.SHEETS) +
                  "). Hãy dùng tệp mẫu tạo bằng lệnh \"bdhvs template\".")
        return
    usable = {name: sheet for name, sheet in data.sheets.items() if ctx.check_headers(sheet)}
    ctx.session = s
    ctx.load(s)
    plans = []
    for name, planner in PLANNERS:
        sheet = usable.get(name)
        if sheet is None:
            continue
        ctx.result.counts[name] = Counts()
        plans.append((name, planner.plan(ctx, sheet)))
    ctx.check_cancel()
    if expected is not None:
        _compare_with_preview(ctx, expected)
    if not write or ctx.result.errors:
        return
    for name, plan in plans:
        if ctx.progress:
            ctx.progress(ctx.total_rows, ctx.total_rows, f"Đang ghi {xio.SHEETS[name].title}…")
        ctx.check_cancel()
        plan(s)


def _compare_with_preview(ctx: Importer, preview: ImportResult) -> None:
    """An error naming the sheets whose plan differs from the preview's (counts then and now)."""
    result = ctx.result
    sheets = [name for name, _ in PLANNERS
              if result.plan_digests.get(name) != preview.plan_digests.get(name)
              or (name in result.counts) != (name in preview.counts)]
    if not sheets and not result.errors:
        return

    def counts(r: ImportResult, name: str) -> str:
        c = r.counts.get(name)
        return f"{c.created} mới, {c.updated} cập nhật, {c.unchanged} không đổi" if c else "không kiểm tra được"

    details = "; ".join(f"trang {name}: lúc kiểm tra {counts(preview, name)}, bây giờ {counts(result, name)}"
                        for name in sheets)
    ctx.error(None, None, None, "Dữ liệu trong chương trình đã thay đổi kể từ lúc kiểm tra tệp"
              + (f" ({details})" if details else "") + ". Không ghi gì; hãy kiểm tra lại tệp rồi nhập.")
