"""Reports for print: the progress report for the standing committee and the council's
score sheet, written as PDF (reportlab) or Excel (openpyxl).

    write_report(db, "progress", path, as_of)  # .pdf or .xlsx by the file's suffix
    write_report(db, "scoreboard", path, as_of)

Their figures: services/report_progress.py and services/report_scores.py; the heading both
carry: services/report_heading.py."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.documents.pdf_base import ReportCancelled
from bdhvs_desktop.documents.report_data import (
    ProgressReport,
    ScoreSheet,
)
from bdhvs_desktop.services.report_heading import ReportInputError
from bdhvs_desktop.services.report_progress import progress_data
from bdhvs_desktop.services.report_scores import scoreboard_data
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

REPORT_KINDS = {"progress": "Báo cáo tiến độ", "scoreboard": "Bảng tổng hợp điểm"}


FORMATS = (".pdf", ".xlsx")


Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    kind: str
    sha256: str
    size: int


def render_report(data: ProgressReport | ScoreSheet, suffix: str, *, progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None) -> bytes:
    from bdhvs_desktop.documents import pdf_reports, xlsx_reports  # lazy: start-up (reportlab, openpyxl)

    if suffix == ".pdf":
        if isinstance(data, ProgressReport):
            return pdf_reports.build_progress_pdf(data, progress=progress, cancelled=cancelled)
        return pdf_reports.build_scoreboard_pdf(data, progress=progress, cancelled=cancelled)
    if isinstance(data, ProgressReport):
        return xlsx_reports.build_progress_xlsx(data)
    return xlsx_reports.build_scoreboard_xlsx(data)


def write_report(db: Database, kind: str, path: Path | str, as_of: dt.date | None = None, *,
                 progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> ReportResult:
    """Build report *kind* ("progress" | "scoreboard") as of a date and write it to *path*
    (.pdf or .xlsx), atomically; the file is recorded in GeneratedDocument."""

    path = Path(path)
    if kind not in REPORT_KINDS:
        raise ReportInputError(f"Không có loại báo cáo “{kind}” (chọn: {', '.join(REPORT_KINDS)}).")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportInputError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {path.name}")
    as_of = as_of or dt.date.today()
    if progress:
        progress(0, 1, "Đang đọc số liệu")
    data = progress_data(db, as_of) if kind == "progress" else scoreboard_data(db, as_of)
    blob = render_report(data, suffix, progress=progress, cancelled=cancelled)
    if cancelled is not None and cancelled():
        raise ReportCancelled("Đã hủy tạo báo cáo.")
    atomic_write_bytes(path, blob)
    digest = hashlib.sha256(blob).hexdigest()
    with db.session() as s:
        s.add(m.GeneratedDocument(kind=f"report_{kind}", path=str(path.resolve()), sha256=digest,
                                  draft=False, created_by=db.user))
    return ReportResult(path=path, kind=kind, sha256=digest, size=len(blob))
