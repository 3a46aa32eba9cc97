"""Excel files in and out: the fixed import layout, guarded reading, streaming writing.

Reading refuses, before openpyxl sees the file, anything that is not an .xlsx workbook,
an encrypted (password-protected) file, a file over the size limit, and an archive that
expands like a zip bomb (pitfalls #8; XML bombs are stopped by defusedxml, which openpyxl
uses when it is installed). Workbooks are read in read-only mode and written in
write-only mode, so 20,000 rows stream through without building a model in memory.

This module knows the layout (sheets, headers, drop-down values) but not the database:
services/importer.py and services/exporter.py turn rows into records."""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bdhvs_desktop.documents.atomic import atomic_write
from bdhvs_desktop.documents.xlsx_safe import text_cells_only, write_only_row
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import clean, fold
from bdhvs_desktop.domain.vocab import (
    ACTIVITY_KIND_LABELS,
    MODEL_STATUS_LABELS,
    SEX_LABELS,
    UNIT_KIND_LABELS,
    Sex,
)

MAX_FILE_BYTES = 40 * 1024 * 1024  # a ward's workbook is a few MB at most
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_MEMBER_RATIO = 150  # real sheet XML compresses 5-30x; bombs compress 1000x
RATIO_CHECK_FROM = 2 * 1024 * 1024  # small members may compress well; ignore them
MAX_MEMBERS = 5000
MAX_CELL_CHARS = 32767  # Excel's own limit per cell

YES, NO = "Có", "Không"


class UnusableFile(Exception):
    """The file cannot be read as an import workbook; the message (Vietnamese) says why."""


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str  # text | int | number | date | bool | choice | sex | cccd | skills | codes
    required: bool = False
    choices: tuple[str, ...] = ()
    width: int = 16
    hint: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str  # what the sheet holds, for messages and the instructions
    columns: tuple[Column, ...]
    example: tuple[Any, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


_YN = (YES, NO)
_UNIT_KINDS = tuple(UNIT_KIND_LABELS.values())
_ACTIVITY_KINDS = tuple(ACTIVITY_KIND_LABELS.values())
_MODEL_STATUSES = tuple(MODEL_STATUS_LABELS.values())
_SEXES = tuple(SEX_LABELS.values())

UNITS = SheetSpec("DonVi", "đơn vị", (
    Column("Mã đơn vị", "code", "text", True, width=14, hint="mã duy nhất, ví dụ TDP-01", max_length=64),
    Column("Tên đơn vị", "name", "text", True, width=40, max_length=300),
    Column("Loại đơn vị", "kind", "choice", True, _UNIT_KINDS, width=16),
    Column("Mã đơn vị cấp trên", "parent_code", "text", width=16, hint="để trống nếu là đơn vị cao nhất",
           max_length=64),
    Column("Là tổ chức đảng", "is_party_org", "bool", choices=_YN, width=14),
    Column("Số hộ dân", "households", "int", width=12),
    Column("Số người dân trưởng thành", "adult_residents", "int", width=18),
), ("VD-01", "Chi bộ Khu phố Ví Dụ (dòng ví dụ, hãy xóa)", "Chi bộ", "", YES, None, None))

PEOPLE = SheetSpec("NhanSu", "nhân sự", (
    Column("Họ và tên", "full_name", "text", True, width=26, max_length=200),
    Column("Ngày sinh", "birth_date", "date", width=12, hint="dd/mm/yyyy"),
    Column("Giới tính", "sex", "sex", choices=_SEXES, width=9),
    Column("Số CCCD", "cccd", "cccd", width=15, hint="12 chữ số, nhập dạng văn bản để giữ số 0 ở đầu"),
    Column("Mã đơn vị", "unit_code", "text", True, width=12, max_length=64),
    Column("Chức vụ", "position", "text", width=20, max_length=200),
    Column("Đảng viên", "is_party_member", "bool", choices=_YN, width=10),
    Column("CBCCVC", "is_public_servant", "bool", choices=_YN, width=9),
    Column("Ngày thành thạo VNeID", "vneid_proficient_on", "date", width=14, hint="dd/mm/yyyy"),
    Column("Hướng dẫn được người dân", "can_guide", "bool", choices=_YN, width=14),
    Column("Số người đã hướng dẫn", "people_guided", "int", width=12),
    Column("Đang bị kỷ luật", "under_discipline", "bool", choices=_YN, width=10),
), ("Nguyễn Văn Ví Dụ", dt.date(1985, 5, 20), SEX_LABELS[Sex.MALE], "068085123456", "VD-01", "Đảng viên", YES, NO,
    dt.date(2026, 2, 15), YES, 5, NO))

ACTIVITIES = SheetSpec("HoatDong", "hoạt động", (
    Column("Ngày", "date", "date", True, width=12, hint="dd/mm/yyyy"),
    Column("Loại hoạt động", "kind", "choice", True, _ACTIVITY_KINDS, width=20),
    Column("Mã đơn vị", "unit_code", "text", True, width=12, max_length=64),
    Column("Nội dung", "content", "text", width=40, max_length=4000),
    Column("Kỹ năng", "skills", "skills", width=10, hint="các số 1-5 cách nhau bởi dấu phẩy, ví dụ 1,2"),
    Column("Số người tham gia", "participants", "int", width=12),
), (dt.date(2026, 4, 6), "Hướng dẫn trực tiếp", "VD-01", "Hướng dẫn cài đặt VNeID mức 2 (dòng ví dụ, hãy xóa)",
    "2", 25))

MODELS = SheetSpec("MoHinh", "mô hình", (
    Column("Mã mô hình", "code", "text", True, width=12, max_length=64),
    Column("Tên mô hình", "name", "text", True, width=36, max_length=300),
    Column("Mã đơn vị", "unit_code", "text", True, width=12, max_length=64),
    Column("Ngày đăng ký", "registered_on", "date", width=12, hint="dd/mm/yyyy"),
    Column("Trạng thái", "status", "choice", True, _MODEL_STATUSES, width=16),
    Column("Đánh giá hiệu quả", "evaluation", "text", width=36, max_length=4000),
    Column("Nhân rộng tới", "replicated_to", "codes", width=20, hint="mã đơn vị cách nhau bởi dấu phẩy"),
), ("VD-MH01", "Đại sứ số khu phố (dòng ví dụ, hãy xóa)", "VD-01", dt.date(2026, 1, 10), "Đăng ký", "", ""))

SOLUTIONS = SheetSpec("GiaiPhap", "giải pháp", (
    Column("Số CCCD", "cccd", "cccd", width=15),
    Column("Họ và tên", "full_name", "text", True, width=26, max_length=200),
    Column("Mã đơn vị", "unit_code", "text", True, width=12, max_length=64),
    Column("Tên giải pháp", "title", "text", True, width=40, max_length=500),
    Column("Đã áp dụng", "applied", "bool", choices=_YN, width=10),
    Column("Hiệu quả", "effect", "text", width=36, max_length=4000),
), ("068085123456", "Nguyễn Văn Ví Dụ", "VD-01", "Sổ theo dõi điện tử (dòng ví dụ, hãy xóa)", YES, ""))

FIGURES = SheetSpec("SoLieuChiTieu", "số liệu chỉ tiêu", (
    Column("Mã chỉ tiêu", "target_code", "text", True, width=16, max_length=64),
    Column("Mã đơn vị", "unit_code", "text", True, width=12, max_length=64),
    Column("Ngày số liệu", "as_of", "date", True, width=12, hint="dd/mm/yyyy"),
    Column("Đạt", "numerator", "number", True, width=10),
    Column("Tổng", "denominator", "number", width=10),
), ("VD-CT", "VD-01", dt.date(2026, 3, 31), 80, 100))

LAYOUT: tuple[SheetSpec, ...] = (UNITS, PEOPLE, ACTIVITIES, MODELS, SOLUTIONS, FIGURES)
SHEETS = {s.name: s for s in LAYOUT}
INSTRUCTIONS_SHEET = "HuongDan"


def header_key(text: object) -> str:
    """Headers match ignoring case, diacritics, spacing and a trailing "(Có/Không)" hint."""
    value = clean("" if text is None else str(text))
    value = re.sub(r"\(.*?\)\s*$", "", value)
    return fold(value).replace("*", "").strip()


def _example_key(values: Iterable[Any]) -> tuple[str, ...]:
    out = []
    for v in values:
        if isinstance(v, dt.datetime):
            v = v.date()
        if isinstance(v, float) and math.isfinite(v) and v == int(v):
            v = int(v)
        out.append(clean("" if v is None else str(v)))
    while out and out[-1] == "":
        out.pop()
    return tuple(out)


def is_example_row(spec: SheetSpec, values: Sequence[Any]) -> bool:
    """The example row the template ships with (left in by mistake): skipped on import."""
    return _example_key(values[: len(spec.columns)]) == _example_key(spec.example)


# --------------------------------------------------------------------------- guarded reading

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")


def _mb(n: int) -> str:
    return f"{vn_number(n / 1024 / 1024, places=1)} MB"


def check_file(path: str | os.PathLike[str]) -> None:
    """Raise UnusableFile unless `path` looks like a sane .xlsx workbook. Runs before any
    XML is parsed: size, container type, encryption, zip-bomb ratios."""
    p = Path(path)
    if not p.exists():
        raise UnusableFile(f"Không tìm thấy tệp {p}.")
    if not p.is_file():
        raise UnusableFile(f"{p} không phải là một tệp.")
    size = p.stat().st_size
    if size == 0:
        raise UnusableFile(f"Tệp {p.name} rỗng (0 byte).")
    if size > MAX_FILE_BYTES:
        raise UnusableFile(f"Tệp {p.name} quá lớn ({_mb(size)}; giới hạn {_mb(MAX_FILE_BYTES)}). "
                           "Hãy tách thành nhiều tệp nhỏ hơn.")
    with p.open("rb") as f:
        head = f.read(8)
        if head == _OLE_MAGIC:
            f.seek(0)
            blob = f.read(min(size, 4 * 1024 * 1024))
            if _ENCRYPTION_MARK in blob:
                raise UnusableFile(f"Tệp {p.name} được đặt mật khẩu (mã hóa), chương trình không đọc được. "
                                   "Hãy mở bằng Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại.")
            raise UnusableFile(f"Tệp {p.name} là định dạng Excel cũ (.xls) hoặc tệp Office khác, không phải .xlsx. "
                               "Hãy mở bằng Excel và lưu lại dạng \"Sổ làm việc Excel (*.xlsx)\".")
    if head[:4] != b"PK\x03\x04":
        raise UnusableFile(f"Tệp {p.name} không phải sổ làm việc Excel (.xlsx).")
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: a damaged header claiming a zip version or compression Python lacks
        raise UnusableFile(f"Tệp {p.name} bị hỏng hoặc không phải .xlsx ({exc}).") from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise UnusableFile(f"Tệp {p.name} là tệp nén nhưng không phải sổ làm việc Excel (.xlsx).")
    if len(infos) > MAX_MEMBERS:
        raise UnusableFile(f"Tệp {p.name} có {len(infos)} thành phần bên trong, bất thường cho một sổ làm việc.")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size >= RATIO_CHECK_FROM and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise UnusableFile(
                f"Tệp {p.name} bị từ chối: thành phần {info.filename} giải nén ra {_mb(info.file_size)} từ "
                f"{info.compress_size} byte (tỉ lệ bất thường, giống tệp \"bom nén\").")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnusableFile(f"Tệp {p.name} bị từ chối: giải nén ra {_mb(total)}, vượt giới hạn "
                           f"{_mb(MAX_UNCOMPRESSED_BYTES)}.")


def open_workbook(path: str | os.PathLike[str]):
    """The workbook in read-only, cached-values mode, after check_file()."""
    check_file(path)
    import openpyxl  # lazy: start-up

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except UnusableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means the file is unusable
        raise _unusable(exc, path) from None


def _unusable(exc: Exception, path: str | os.PathLike[str]) -> UnusableFile:
    name = Path(path).name
    chain, cur = [], exc
    while cur is not None and len(chain) < 10:  # openpyxl wraps the parser's exception
        chain.append(type(cur).__name__)
        cur = cur.__cause__ or cur.__context__
    if {"DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"} & set(chain):
        return UnusableFile(f"Tệp {name} bị từ chối: bên trong có khai báo XML nguy hiểm (thực thể/DTD, có thể là "
                            "\"bom XML\"). Excel không bao giờ tạo ra tệp như vậy.")
    return UnusableFile(f"Không đọc được tệp {name}: tệp bị hỏng hoặc không đúng định dạng .xlsx "
                        f"({type(exc).__name__}: {exc}).")


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def formula_cells_without_value(zf: zipfile.ZipFile, member: str) -> set[tuple[int, int]]:
    """(row, column) of formula cells with no cached value in one worksheet part. Such a cell
    reads as empty although the sheet shows a number: the file was saved by a program that
    did not compute formulas. A sheet without any formula costs one byte scan."""
    try:
        data = zf.read(member)
    except KeyError:
        return set()
    if not _FORMULA_TAG.search(data):
        return set()
    from openpyxl.utils.cell import coordinate_to_tuple  # lazy: start-up
    from openpyxl.xml.functions import iterparse  # lazy: start-up

    out: set[tuple[int, int]] = set()

    for _event, element in iterparse(io.BytesIO(data)):
        if element.tag.endswith("}c") or element.tag == "c":
            has_formula = has_value = False
            for child in element:
                local = child.tag.rsplit("}", 1)[-1]
                if local == "f":
                    has_formula = True
                elif local == "v" and child.text is not None:
                    has_value = True
                elif local == "is":
                    has_value = True
            if has_formula and not has_value and element.get("r"):
                try:
                    out.add(coordinate_to_tuple(element.get("r")))
                except (ValueError, TypeError):
                    pass
            element.clear()
    return out


@dataclass
class SheetData:
    spec: SheetSpec
    actual_name: str
    # key -> index in the row tuples; missing keys are columns the sheet does not have
    positions: dict[str, int]
    header_row: int
    missing: list[Column]
    unknown_headers: list[tuple[int, str]]  # (column number, header text)
    duplicate_headers: list[tuple[int, str]]
    rows: list[tuple[int, tuple[Any, ...]]]  # (row number in Excel, values)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    merged_ranges: list[str] = field(default_factory=list)


@dataclass
class WorkbookData:
    path: Path
    sheets: dict[str, SheetData]  # by layout name
    unknown_sheets: list[str]
    epoch: Any = None


def _match_sheet(name: str) -> SheetSpec | None:
    key = fold(clean(name)).replace(" ", "").replace("_", "")
    for spec in LAYOUT:
        if key == spec.name.lower():
            return spec
    return None


def read_workbook(path: str | os.PathLike[str], *, progress: Callable[[int, int, str], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> WorkbookData:
    """Every recognised sheet's header positions and non-empty rows (values as openpyxl
    reads them). Raises UnusableFile for a file that cannot be used at all."""
    wb = open_workbook(path)
    try:
        data = WorkbookData(Path(path), {}, [], getattr(wb, "epoch", None))
        zf = zipfile.ZipFile(path)
        try:
            for ws in wb.worksheets:
                if cancelled and cancelled():
                    break
                spec = _match_sheet(ws.title)
                if spec is None:
                    if ws.title != INSTRUCTIONS_SHEET:
                        data.unknown_sheets.append(ws.title)
                    continue
                if spec.name in data.sheets:
                    data.unknown_sheets.append(ws.title)
                    continue
                if getattr(ws, "_worksheet_path", None) is None:  # a chart sheet
                    data.unknown_sheets.append(ws.title)
                    continue
                data.sheets[spec.name] = _read_sheet(ws, spec, zf, progress, cancelled)
        finally:
            zf.close()
        return data
    except UnusableFile:
        raise
    except zipfile.BadZipFile as exc:
        raise UnusableFile(f"Tệp {Path(path).name} bị hỏng ({exc}).") from None
    except Exception as exc:  # noqa: BLE001 - malformed XML inside a sheet and the like
        raise _unusable(exc, path) from None
    finally:
        wb.close()


def _read_sheet(ws, spec: SheetSpec, zf: zipfile.ZipFile, progress, cancelled) -> SheetData:
    ws.reset_dimensions()  # a wrong <dimension> tag must not hide rows or columns
    wanted = {header_key(c.header): c for c in spec.columns}
    positions: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str]] = []
    rows: list[tuple[int, tuple[Any, ...]]] = []
    header_row = 0
    rows_iter = ws.iter_rows(values_only=True)
    row_number = 0
    # The header is the first non-empty row among the first 10 (a title row above it is allowed).
    for values in rows_iter:
        row_number += 1
        if any(v is not None and str(v).strip() for v in values):
            keys = [header_key(v) for v in values]
            if any(k in wanted for k in keys) or row_number >= 10:
                header_row = row_number
                for index, (k, v) in enumerate(zip(keys, values)):
                    if not k:
                        continue
                    column = wanted.get(k)
                    if column is None:
                        unknown.append((index + 1, clean(str(v))[:80]))
                    elif column.key in positions:
                        duplicates.append((index + 1, column.header))
                    else:
                        positions[column.key] = index
                break
        if row_number >= 10:
            break
    total = ws.max_row or 0
    if header_row:
        for values in rows_iter:
            row_number += 1
            if cancelled and row_number % 2000 == 0 and cancelled():
                break
            for v in values:
                if v is not None and (v.__class__ is not str or v.strip()):
                    rows.append((row_number, values))
                    break
            if progress and row_number % 2000 == 0:
                progress(row_number, total, f"Đang đọc trang {spec.name}: dòng {row_number}")
    missing = [c for c in spec.columns if c.key not in positions]
    formula_cells: set[tuple[int, int]] = set()
    member = getattr(ws, "_worksheet_path", None)
    if member:
        formula_cells = formula_cells_without_value(zf, member.lstrip("/"))
    merged = _merged_ranges(zf, member.lstrip("/")) if member else []
    return SheetData(spec, ws.title, positions, header_row, missing, unknown, duplicates, rows,
                     formula_cells, merged)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z0-9:]+)"')


def _merged_ranges(zf: zipfile.ZipFile, member: str) -> list[str]:
    """Merged ranges of a sheet (read-only mode does not expose them); scanned from the end
    of the part, where <mergeCells> lives."""
    try:
        with zf.open(member) as f:
            data = f.read()
    except KeyError:
        return []
    at = data.rfind(b"<mergeCells")
    if at < 0:
        at = data.rfind(b":mergeCells")
        if at < 0:
            return []
    return [m.decode() for m in _MERGE.findall(data, at)][:1000]


# --------------------------------------------------------------------------- writing


def _write_atomically(path: str | os.PathLike[str], save: Callable[[Any], None]) -> Path:
    return atomic_write(Path(path), save)


DATE_FORMAT = "DD/MM/YYYY"


def write_sheets(path: str | os.PathLike[str], sheets: Sequence[tuple[SheetSpec, Iterable[Sequence[Any]]]]) -> Path:
    """Write sheets in the import layout with openpyxl's write-only mode: a bold header,
    dates shown dd/mm/yyyy, CCCD kept as text. The file is replaced atomically."""
    from openpyxl import Workbook  # lazy: start-up
    from openpyxl.cell import WriteOnlyCell  # lazy: start-up
    from openpyxl.styles import Font, PatternFill  # lazy: start-up
    from openpyxl.utils import get_column_letter  # lazy: start-up

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for spec, rows in sheets:
        ws = wb.create_sheet(spec.name)
        for i, c in enumerate(spec.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.freeze_panes = "A2"
        header = []
        for h in spec.headers:
            cell = WriteOnlyCell(ws, h)
            cell.data_type = "s"
            cell.font = bold
            cell.fill = fill
            header.append(cell)
        ws.append(header)
        date_columns = [i for i, c in enumerate(spec.columns) if c.kind == "date"]
        for row in rows:
            if date_columns:
                row = list(row)
                for i in date_columns:
                    if row[i] is not None:
                        cell = WriteOnlyCell(ws, row[i])
                        cell.number_format = DATE_FORMAT
                        row[i] = cell
            # Every text is a string cell, never a formula (formula injection, xlsx_safe.py).
            ws.append(write_only_row(ws, row))
    return _write_atomically(path, wb.save)


def write_template(path: str | os.PathLike[str]) -> Path:
    """The blank import workbook: instructions, one example row per sheet, drop-down lists
    for fixed values, CCCD columns formatted as text."""
    from openpyxl import Workbook  # lazy: start-up
    from openpyxl.styles import Alignment, Font, PatternFill  # lazy: start-up
    from openpyxl.utils import get_column_letter  # lazy: start-up
    from openpyxl.worksheet.datavalidation import DataValidation  # lazy: start-up

    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS_SHEET
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 100
    guide.append(["HƯỚNG DẪN NHẬP SỐ LIỆU PHONG TRÀO \"BÌNH DÂN HỌC VỤ SỐ\""])
    guide["A1"].font = Font(bold=True, size=14)
    lines = [
        ("Cách dùng", "Mỗi trang (DonVi, NhanSu, HoatDong, MoHinh, GiaiPhap, SoLieuChiTieu) là một loại số liệu. "
                      "Giữ nguyên tên trang và dòng tiêu đề; nhập từ dòng 2. Trang nào không có số liệu thì để trống "
                      "hoặc xóa trang đó."),
        ("Dòng ví dụ", "Dòng 2 của mỗi trang là ví dụ (chữ nghiêng, màu xám): hãy xóa hoặc ghi đè. Nếu để nguyên, "
                       "chương trình sẽ bỏ qua dòng đó."),
        ("Ngày tháng", "Nhập dạng dd/mm/yyyy (ví dụ 05/11/2026) hoặc chọn kiểu ô Ngày. Không nhập ngày trong tương lai."),
        ("Có/Không", "Các cột Có/Không chọn trong danh sách; chữ hoa, chữ thường, có dấu hay không dấu đều được."),
        ("Số CCCD", "12 chữ số, định dạng ô là Văn bản để giữ các số 0 ở đầu. Số CCCD phải khớp năm sinh và "
                    "giới tính (chữ số thứ 4: 0 = Nam sinh 1900-1999, 1 = Nữ sinh 1900-1999, 2 = Nam sinh "
                    "2000-2099, 3 = Nữ sinh 2000-2099; chữ số 5-6 là hai số cuối năm sinh)."),
        ("Mã đơn vị", "Phải là mã có trong danh sách đơn vị của phường hoặc trong trang DonVi của chính tệp này."),
        ("Nhân sự", "Một người được nhận ra theo Số CCCD; nếu không có CCCD thì theo họ tên, ngày sinh và đơn vị. "
                    "Nhập lại cùng một tệp không làm thay đổi dữ liệu."),
        ("Kỹ năng", "Các số 1-5 cách nhau bởi dấu phẩy: 1 Dịch vụ công trực tuyến, 2 VNeID, 3 Thanh toán trực "
                    "tuyến (QR), 4 An toàn trên không gian mạng, 5 Mua sắm trực tuyến."),
        ("Ô để trống", "Với người hoặc đơn vị đã có trong dữ liệu, ô để trống không xóa giá trị đã ghi (ví dụ ngày "
                       "thành thạo VNeID). Muốn xóa một giá trị, hãy sửa trực tiếp trong chương trình."),
        ("Công thức", "Ô có công thức phải được Excel tính và lưu lại; ô công thức chưa có giá trị sẽ bị báo lỗi."),
        ("Kiểm tra trước", "Lệnh \"bdhvs import TỆP.xlsx --dry-run\" hoặc nút \"Nhập từ Excel…\" cho xem trước mọi "
                           "lỗi mà chưa ghi gì. Có lỗi thì không ghi dòng nào."),
    ]
    guide.append([])
    for title, text in lines:
        guide.append([title, text])
        r = guide.max_row
        guide.cell(r, 1).font = Font(bold=True)
        guide.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
        guide.cell(r, 1).alignment = Alignment(vertical="top")
    guide.append([])
    guide.append(["Các trang và cột", ""])
    guide.cell(guide.max_row, 1).font = Font(bold=True, size=12)
    for spec in LAYOUT:
        guide.append([spec.name, f"Số liệu {spec.title}"])
        guide.cell(guide.max_row, 1).font = Font(bold=True)
        for c in spec.columns:
            parts = ["bắt buộc" if c.required else "không bắt buộc"]
            if c.choices:
                parts.append("chọn: " + ", ".join(c.choices))
            if c.hint:
                parts.append(c.hint)
            guide.append([f"   {c.header}", "; ".join(parts)])
            guide.cell(guide.max_row, 2).alignment = Alignment(wrap_text=True)

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")
    for spec in LAYOUT:
        ws = wb.create_sheet(spec.name)
        ws.append(spec.headers)
        ws.append(list(spec.example))
        ws.freeze_panes = "A2"
        for i, c in enumerate(spec.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = c.width
            head = ws.cell(1, i)
            head.font = header_font
            head.fill = header_fill
            head.alignment = Alignment(wrap_text=True, vertical="center")
            example = ws.cell(2, i)
            example.font = example_font
            if c.kind == "date":
                example.number_format = DATE_FORMAT
                ws.column_dimensions[letter].number_format = DATE_FORMAT
            if c.kind == "cccd":
                example.number_format = "@"
                ws.column_dimensions[letter].number_format = "@"
            if c.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=not c.required,
                                    showErrorMessage=True, errorTitle="Giá trị không hợp lệ",
                                    error="Hãy chọn một giá trị trong danh sách: " + ", ".join(c.choices))
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}5000")
            if c.hint or c.required:
                from openpyxl.comments import Comment  # lazy: start-up

                note = ("Bắt buộc. " if c.required else "") + (c.hint or "")
                head.comment = Comment(note.strip(), "bdhvs")
        ws.row_dimensions[1].height = 32

    text_cells_only(wb)
    return _write_atomically(path, wb.save)
