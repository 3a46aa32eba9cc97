"""What an import reports: each problem (sheet, row, column, Vietnamese message), the counts per
sheet, and the whole result with its status line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_desktop.documents import excel_io as xio

ERROR, WARNING = "error", "warning"
UnusableFile = xio.UnusableFile

Progress = Callable[[int, int, str], None]

IMPORT_LOCK = "import"  # storage/locks.py: imports of workbooks happen one after another


@dataclass(frozen=True)
class Problem:
    level: str  # error | warning
    sheet: str | None
    row: int | None
    column: str | None  # the header as in the layout
    message: str  # Vietnamese
    col_index: int | None = None  # 1-based column in the sheet, when known

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"trang {self.sheet}")
        if self.row:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột \"{self.column}\"")
        return ", ".join(parts)

    def text(self) -> str:
        label = "Lỗi" if self.level == ERROR else "Cảnh báo"
        where = self.where()
        return f"{label} ({where}): {self.message}" if where else f"{label}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class ImportResult:
    path: Path
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    written: bool = False
    cancelled: bool = False
    data: xio.WorkbookData | None = None  # the rows read, for a preview
    # per sheet, a digest of what its planner found to write (core.Importer.record_plan): the import of
    # a preview (import_previewed) writes only when the database still gives the same plan
    plan_digests: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.cancelled

    @property
    def changes(self) -> int:
        return sum(c.changed for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        lines = []
        for spec in xio.LAYOUT:
            c = self.counts.get(spec.name)
            if c is None:
                continue
            line = (f"{spec.name} ({spec.title}): {c.created} mới, {c.updated} cập nhật, "
                    f"{c.unchanged} không đổi")
            if c.skipped:
                line += f", {c.skipped} bỏ qua"
            lines.append(line)
        return lines

    def status_line(self) -> str:
        if self.cancelled:
            return "Đã hủy: không ghi gì vào cơ sở dữ liệu."
        if self.errors:
            return (f"Có {len(self.errors)} lỗi, {len(self.warnings)} cảnh báo: KHÔNG ghi gì vào cơ sở dữ liệu. "
                    "Hãy sửa tệp rồi nhập lại.")
        if self.dry_run:
            return (f"Kiểm tra xong (chưa ghi): {self.changes} bản ghi sẽ thay đổi, "
                    f"{len(self.warnings)} cảnh báo.")
        if not any(c.changed or c.unchanged for c in self.counts.values()):
            return "Tệp không có dòng số liệu nào để nhập: không có gì thay đổi."
        if not self.changes:
            return "Dữ liệu trong tệp đã có sẵn: không có gì thay đổi."
        return f"Đã ghi {self.changes} bản ghi ({len(self.warnings)} cảnh báo)."


class ImportCancelled(Exception):
    pass
