"""Import of the unit workbook (layout in documents/excel_io.py): all or nothing.

The file is read, every row is parsed and checked against the database and against the
rest of the file, and only when there is no error is anything written — in one
transaction, with bulk inserts and updates over a single pre-loaded lookup of what exists.
Re-importing the same file changes nothing: people are matched by CCCD, otherwise by
normalised name + birth date + unit; units and models by code; activities by date, kind,
unit and content; solutions by person and title; reported figures by target, unit, day.

Problems are errors (nothing is written) or warnings (written anyway), each with the
sheet, row, column and a Vietnamese explanation."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain import cccd as cccd_rules
from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain import values as V
from bdhvs_desktop.domain.text import fold, name_key
from bdhvs_desktop.domain.vocab import ACTIVITY_KIND_LABELS, MODEL_STATUS_LABELS, UNIT_KIND_LABELS, ModelStatus
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize

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


class _Abort(Exception):
    """Rolls the write transaction back (errors found, or a dry run)."""


CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("DonVi", "kind"): {str(k): v for k, v in UNIT_KIND_LABELS.items()},
    ("HoatDong", "kind"): {str(k): v for k, v in ACTIVITY_KIND_LABELS.items()},
    ("MoHinh", "status"): {str(k): v for k, v in MODEL_STATUS_LABELS.items()},
}

_MISSING = object()
# The date a model's stage is reached; the import layout carries only the registration date.
_KEPT_WITH_WARNING = {"birth_date", "vneid_proficient_on"}
_STAGE_DATES = {"implementing": "implementing_on", "evaluated": "evaluated_on", "excellent": "excellent_on"}


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
    importer = _Importer(result, data, today or dt.date.today(), progress, cancelled)
    if dry_run:
        with db.read() as s:
            s.info["user"] = user or db.user
            importer.run(s, write=False)
        return result
    try:
        with db.session() as s:
            # One import at a time on a shared PostgreSQL server too: the second waits, then
            # matches the first one's people instead of adding them again.
            serialize(s, IMPORT_LOCK)
            s.info["user"] = user or db.user
            importer.run(s, write=True)
            if result.errors or result.cancelled:
                raise _Abort
            if result.changes:
                audit.record(s, user=user or db.user, action="import", entity="workbook", note=(
                    f"Nhập tệp {path.name}: " + "; ".join(result.summary_lines())))
            result.written = True
    except _Abort:
        result.written = False
    except ImportCancelled:
        result.cancelled = True
        result.written = False
    return result


def analyse_workbook(db: Database, path: str | os.PathLike[str], **kwargs: Any) -> ImportResult:
    """The dry run: every problem and what would change, writing nothing."""
    return import_workbook(db, path, dry_run=True, **kwargs)


# --------------------------------------------------------------------------- the work


@dataclass
class _NewRef:
    """A record created by this import; its id is known only after the insert."""
    sheet: str
    row: int
    id: int | None = None
    name: str = ""  # a person's full name, to check a later row that cites the same CCCD


class _Importer:
    def __init__(self, result: ImportResult, data: xio.WorkbookData, today: dt.date,
                 progress: Progress | None, cancelled: Callable[[], bool] | None):
        self.result = result
        self.data = data
        self.today = today
        self.progress = progress
        self.cancelled = cancelled
        self.total_rows = sum(len(s.rows) for s in data.sheets.values()) or 1
        self.done_rows = 0

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

    # -- the whole run
    def run(self, s: Session, *, write: bool) -> None:
        data = self.data
        if data.unknown_sheets:
            for name in data.unknown_sheets:
                self.warning(None, None, None, f"Trang \"{name}\" không thuộc mẫu nhập liệu nên được bỏ qua "
                                               f"(các trang được nhận: {', '.join(xio.SHEETS)}).")
        if not data.sheets:
            self.error(None, None, None, "Tệp không có trang nào của mẫu nhập liệu (" + ", ".join(xio.SHEETS) +
                       "). Hãy dùng tệp mẫu tạo bằng lệnh \"bdhvs template\".")
            return
        usable = {name: sheet for name, sheet in data.sheets.items() if self._check_headers(sheet)}
        self._session = s
        self._load(s)
        plans = []
        for name, planner in (("DonVi", self._plan_units), ("NhanSu", self._plan_people),
                              ("HoatDong", self._plan_activities), ("MoHinh", self._plan_models),
                              ("GiaiPhap", self._plan_solutions), ("SoLieuChiTieu", self._plan_figures)):
            sheet = usable.get(name)
            if sheet is None:
                continue
            self.result.counts[name] = Counts()
            plans.append((name, planner(sheet)))
        self.check_cancel()
        if not write or self.result.errors:
            return
        for name, plan in plans:
            if self.progress:
                self.progress(self.total_rows, self.total_rows, f"Đang ghi {xio.SHEETS[name].title}…")
            self.check_cancel()
            plan(s)

    def _check_headers(self, sheet: xio.SheetData) -> bool:
        ok = True
        if not sheet.header_row:
            self.error(sheet, 1, None, "Không tìm thấy dòng tiêu đề. Dòng đầu tiên phải có các cột: "
                       + ", ".join(sheet.spec.headers) + ".")
            return False
        for c in sheet.missing:
            if c.required:
                self.error(sheet, sheet.header_row, None,
                           f"Thiếu cột bắt buộc \"{c.header}\". Các cột của trang này: {', '.join(sheet.spec.headers)}.")
                ok = False
            else:
                self.warning(sheet, sheet.header_row, None,
                             f"Không có cột \"{c.header}\": giá trị này của các bản ghi đã có được giữ nguyên.")
        for index, header in sheet.unknown_headers:
            self.warning(sheet, sheet.header_row, None,
                         f"Cột {index} (\"{header}\") không thuộc mẫu nên được bỏ qua.")
        for index, header in sheet.duplicate_headers:
            self.error(sheet, sheet.header_row, None,
                       f"Cột \"{header}\" xuất hiện hai lần (cột {index}); hãy xóa một cột.")
            ok = False
        for ref in sheet.merged_ranges:
            top = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()) or 0)
            if top > sheet.header_row:
                self.warning(sheet, top, None, f"Vùng ô gộp {ref}: chỉ ô đầu tiên có giá trị, các ô còn lại được "
                                               "coi là trống. Nên bỏ gộp ô và điền đủ từng dòng.")
        return ok

    # -- reading one row
    def _cells(self, sheet: xio.SheetData, row: int, values: tuple[Any, ...]) -> dict[str, Any] | None:
        """Parsed values of the columns present, or None when the row has an error."""
        out: dict[str, Any] = {}
        ok = True
        sheet_name = sheet.spec.name
        for c in sheet.spec.columns:
            pos = sheet.positions.get(c.key)
            if pos is None:
                continue
            raw = values[pos] if pos < len(values) else None
            if raw is None and sheet.formula_cells and (row, pos + 1) in sheet.formula_cells:
                self.error(sheet, row, c.key, "Ô có công thức nhưng chưa có giá trị đã tính (tệp được lưu bởi "
                                              "chương trình không tính công thức). Hãy mở tệp bằng Excel, để Excel "
                                              "tính rồi lưu lại, hoặc nhập giá trị thay cho công thức.")
                ok = False
                continue
            try:
                value = self._parse(c, raw, sheet_name)
            except ValueError as exc:
                self.error(sheet, row, c.key, str(exc))
                ok = False
                continue
            if value is None and c.required:
                merged = _merged_range_of(sheet, row, pos + 1)
                if merged:
                    self.error(sheet, row, c.key, f"Ô trống vì thuộc vùng ô gộp {merged}. Hãy bỏ gộp ô và điền "
                                                  f"\"{c.header}\" cho từng dòng.")
                else:
                    self.error(sheet, row, c.key, f"Thiếu \"{c.header}\" (bắt buộc).")
                ok = False
                continue
            if c.kind == "date" and value is not None:
                if value > self.today:
                    self.error(sheet, row, c.key, f"Ngày {value:%d/%m/%Y} ở tương lai (hôm nay là "
                                                  f"{self.today:%d/%m/%Y}).")
                    ok = False
                    continue
                if value.year < 1900:
                    self.error(sheet, row, c.key, f"Ngày {value:%d/%m/%Y} không hợp lệ (trước năm 1900).")
                    ok = False
                    continue
            problem = self._rule_problem(sheet_name, c, value)
            if problem is not None:
                self.error(sheet, row, c.key, problem)
                ok = False
                continue
            if c.kind == "text" and isinstance(raw, str) and value:
                unescaped = V.unescape_excel(raw)
                if _has_control(unescaped):
                    self.warning(sheet, row, c.key, "Đã bỏ các ký tự điều khiển không in được trong ô này.")
                if rules.flattened(unescaped):
                    self.warning(sheet, row, c.key, rules.FLATTENED_MESSAGE)
            out[c.key] = value
        if not ok:
            # report a wrong unit code of a row with other errors too: one pass shows all
            if out.get("unit_code") is not None:
                self._unit_ref(sheet, row, "unit_code", out["unit_code"])
            return None
        return out

    def _rule_problem(self, sheet_name: str, c: xio.Column, value: Any) -> str | None:
        """The rules a record obeys whichever way it arrives (domain/rules.py), per column."""
        if value is None:
            return None
        if c.key == "full_name":
            return rules.person_name_problem(value)
        if c.kind == "text":
            return rules.hidden_character_problem(value)
        if sheet_name == "NhanSu" and c.key == "birth_date":
            return rules.birth_date_problem(value, self.today)
        if sheet_name == "HoatDong" and c.key == "participants":
            return rules.participants_problem(value)
        if sheet_name == "HoatDong" and c.key == "date":
            return rules.activity_date_problem(value, self.campaign_span)
        return None

    def _parse(self, c: xio.Column, raw: Any, sheet_name: str) -> Any:
        kind = c.kind
        if kind == "text":
            if raw.__class__ is str and len(raw) > xio.MAX_CELL_CHARS:
                raise ValueError(f"Nội dung dài {len(raw)} ký tự, vượt giới hạn của Excel.")
            return V.parse_text(raw, max_length=c.max_length)
        if kind == "bool":
            if raw == "Có":
                return True
            if raw == "Không":
                return False
            return V.parse_bool(raw)
        if kind == "date":
            return rules.date_cell(raw, epoch=self.data.epoch)
        if kind == "int":
            return V.parse_int(raw, minimum=0, maximum=10_000_000)
        if kind == "number":
            return V.parse_number(raw, minimum=0)
        if kind == "choice":
            return V.parse_choice(raw, CHOICES[(sheet_name, c.key)])
        if kind == "sex":
            return V.parse_sex(raw)
        if kind == "cccd":
            return V.parse_cccd_digits(raw)
        if kind == "skills":
            return V.parse_skills(raw)
        if kind == "codes":
            return V.parse_code_list(raw)
        raise ValueError(f"kiểu cột không rõ: {kind}")  # pragma: no cover

    def _rows(self, sheet: xio.SheetData):
        """(row number, parsed dict) of the rows without errors; skips the template's example."""
        counts = self.result.counts[sheet.spec.name]
        message = f"Đang kiểm tra trang {sheet.spec.name}…"
        for row, values in sheet.rows:
            self.tick(1, message)
            if row == sheet.header_row + 1 and xio.is_example_row(sheet.spec, values):
                counts.skipped += 1
                self.warning(sheet, row, None, "Dòng ví dụ của tệp mẫu: đã bỏ qua.")
                continue
            cells = self._cells(sheet, row, values)
            if cells is not None:
                yield row, cells

    # -- what exists
    def _load(self, s: Session) -> None:
        span = s.execute(select(m.Campaign.start_date, m.Campaign.end_date).order_by(m.Campaign.id).limit(1)).first()
        self.campaign_span = (span[0], span[1]) if span else None
        self.units: dict[str, dict[str, Any]] = {}
        for u in s.execute(select(m.Unit.id, m.Unit.code, m.Unit.name, m.Unit.kind, m.Unit.parent_id,
                                  m.Unit.is_party_org, m.Unit.households, m.Unit.adult_residents,
                                  m.Unit.active, m.Unit.merged_into_id)):
            self.units[u.code] = dict(u._mapping)
        self.unit_code_by_id = {u["id"]: code for code, u in self.units.items()}
        self.file_units: dict[str, int] = {}  # code -> row, units created by this file
        self.file_unit_values: dict[str, tuple[str | None, Any]] = {}  # code -> (name, is party org) in the file
        self.person_fields = ("full_name", "birth_date", "sex", "cccd", "unit_id", "position", "is_party_member",
                              "is_public_servant", "vneid_proficient_on", "can_guide", "people_guided",
                              "under_discipline")
        cols = [m.Person.id, m.Person.name_key, m.Person.version] + [getattr(m.Person, f) for f in self.person_fields]
        self.people: dict[int, dict[str, Any]] = {}
        self.people_by_cccd: dict[str, int] = {}
        self.people_by_key: dict[tuple[str, dt.date | None, str | None], list[int]] = {}
        self.people_by_name_unit: dict[tuple[str, str | None], list[Any]] = {}
        for r in s.execute(select(*cols)):
            p = dict(r._mapping)
            self.people[p["id"]] = p
            unit_code = self.unit_code_by_id.get(p["unit_id"])
            if p["cccd"]:
                self.people_by_cccd[p["cccd"]] = p["id"]
            self.people_by_key.setdefault((p["name_key"], p["birth_date"], unit_code), []).append(p["id"])
            self.people_by_name_unit.setdefault((p["name_key"], unit_code), []).append(p["id"])

    # -- DonVi
    def _unit_ref(self, sheet: xio.SheetData, row: int, key: str, code: str | None) -> str | None:
        """The code of an existing active unit or one created by this file; None after an error."""
        if code is None:
            return None
        if code in self.file_units:
            return code
        unit = self.units.get(code)
        if unit is None:
            folded = {c.casefold(): c for c in self.units}
            hint = f" (có phải \"{folded[code.casefold()]}\"?)" if code.casefold() in folded else ""
            self.error(sheet, row, key, f"Mã đơn vị \"{code}\" không có trong danh sách đơn vị{hint}. Hãy thêm đơn vị "
                                        "ở trang DonVi hoặc sửa mã.")
            return None
        if not unit["active"]:
            target = self.unit_code_by_id.get(unit["merged_into_id"])
            extra = f" vào \"{target}\"; hãy dùng mã {target}" if target else ""
            self.error(sheet, row, key, f"Đơn vị \"{code}\" đã ngừng hoạt động (sáp nhập{extra}).")
            return None
        return code

    def _plan_units(self, sheet: xio.SheetData) -> Callable[[Session], None]:
        counts = self.result.counts["DonVi"]
        rows: dict[str, tuple[int, dict[str, Any]]] = {}
        for row, cells in self._rows(sheet):
            code = cells["code"]
            if code in rows:
                self.error(sheet, row, "code", f"Mã đơn vị \"{code}\" trùng với dòng {rows[code][0]}.")
                continue
            existing = self.units.get(code)
            if existing is not None and not existing["active"]:
                self.error(sheet, row, "code", f"Đơn vị \"{code}\" đã ngừng hoạt động (đã sáp nhập); không nhập lại "
                                               "được. Hãy dùng mã của đơn vị đang hoạt động.")
                continue
            rows[code] = (row, cells)
            self.file_unit_values[code] = (cells.get("name"), cells.get("is_party_org"))
            if existing is None:
                self.file_units[code] = row
        # parents: must exist (in the database or the file) and must not make a cycle
        parent_of: dict[str, str | None] = {c: self.unit_code_by_id.get(u["parent_id"]) for c, u in self.units.items()}
        valid: dict[str, tuple[int, dict[str, Any]]] = {}
        for code, (row, cells) in rows.items():
            if "parent_code" in cells and cells["parent_code"] is not None:
                parent = cells["parent_code"]
                if parent == code:
                    self.error(sheet, row, "parent_code", "Đơn vị không thể là cấp trên của chính nó.")
                    continue
                if self._unit_ref(sheet, row, "parent_code", parent) is None:
                    continue
            valid[code] = (row, cells)
            if cells.get("parent_code") is not None:
                parent_of[code] = cells["parent_code"]
        for code, (row, _cells) in list(valid.items()):
            seen, cur = {code}, parent_of.get(code)
            while cur is not None:
                if cur in seen:
                    self.error(sheet, row, "parent_code", f"Quan hệ cấp trên tạo thành vòng lặp qua \"{cur}\".")
                    valid.pop(code, None)
                    break
                seen.add(cur)
                cur = parent_of.get(cur)
        creates: list[tuple[str, dict[str, Any]]] = []
        updates: list[tuple[str, dict[str, tuple[Any, Any]]]] = []
        fields = ("name", "kind", "is_party_org", "households", "adult_residents")
        for code, (row, cells) in valid.items():
            values = {f: cells[f] for f in fields if f in cells}
            if "is_party_org" in values:
                values["is_party_org"] = None if values["is_party_org"] is None else bool(values["is_party_org"])
            existing = self.units.get(code)
            if existing is None:
                creates.append((code, {**values, "parent_code": cells.get("parent_code")}))
                counts.created += 1
                continue
            changes = {f: (existing[f], v) for f, v in values.items()
                       if existing[f] != v and not (v is None and existing[f] is not None)}
            if cells.get("parent_code") is not None:
                old_parent = self.unit_code_by_id.get(existing["parent_id"])
                if old_parent != cells["parent_code"]:
                    changes["parent_code"] = (old_parent, cells["parent_code"])
            elif "parent_code" in cells and existing["parent_id"] is not None:
                self.warning(sheet, row, "parent_code", "Ô trống: giữ nguyên đơn vị cấp trên hiện tại ("
                             f"{self.unit_code_by_id.get(existing['parent_id'])}). Muốn đổi cấp trên, hãy dùng trang "
                             "Đơn vị.")
            _queue_update(updates, counts, code, changes)

        def write(s: Session) -> None:
            by_code = {u.code: u for u in s.scalars(select(m.Unit))}
            for code, values in creates:
                unit = m.Unit(code=code, name=values["name"], kind=values["kind"],
                              is_party_org=bool(values.get("is_party_org")),
                              households=values.get("households"), adult_residents=values.get("adult_residents"))
                s.add(unit)
                by_code[code] = unit
            s.flush()
            for code, values in creates:
                if values.get("parent_code"):
                    by_code[code].parent_id = by_code[values["parent_code"]].id
                audit.record(s, user=self._user(s), action="import", entity="unit", entity_id=by_code[code].id,
                             note=f"Tạo đơn vị {code} từ tệp {self.result.path.name}")
            for code, changes in updates:
                unit = by_code[code]
                for f, (_old, new) in changes.items():
                    if f == "parent_code":
                        unit.parent_id = by_code[new].id if new else None
                    else:
                        setattr(unit, f, new)
                audit.record_changes(s, user=self._user(s), entity="unit", entity_id=unit.id, changes=changes,
                                     action="import")
            s.flush()
            for code, unit in by_code.items():
                self.units.setdefault(code, {"id": unit.id})
                self.units[code]["id"] = unit.id
        return write

    def _unit_party(self, code: str) -> tuple[str | None, bool | None]:
        """(name, is a party organisation) of a unit as it will be after this import."""
        unit = self.units.get(code) or {}
        name, party = self.file_unit_values.get(code, (None, None))
        name = name or unit.get("name")
        if party is None:
            party = unit.get("is_party_org")
            if party is None and code in self.file_units:
                party = False  # a new unit is not a party organisation unless the file says so
        return name, None if party is None else bool(party)

    def _user(self, s: Session) -> str | None:
        return s.info.get("user")

    def _unit_id(self, code: str | None) -> int | None:
        return None if code is None else self.units[code]["id"]

    # -- NhanSu
    def _plan_people(self, sheet: xio.SheetData) -> Callable[[Session], None]:
        counts = self.result.counts["NhanSu"]
        seen_cccd: dict[str, int] = {}
        seen_key: dict[tuple[str, dt.date | None, str], int] = {}
        matched: dict[int, int] = {}  # person id -> row
        creates: list[dict[str, Any]] = []
        create_refs: list[_NewRef] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        self.new_people: dict[tuple[str, str], list[_NewRef]] = {}  # (name_key, unit) -> refs, for GiaiPhap
        self.new_people_by_cccd: dict[str, _NewRef] = {}
        present = set(sheet.positions)
        for row, cells in self._rows(sheet):
            name = cells["full_name"]
            nk = name_key(name)
            unit_code = self._unit_ref(sheet, row, "unit_code", cells["unit_code"])
            if unit_code is None:
                continue
            birth = cells.get("birth_date")
            cccd = cells.get("cccd")
            if cccd is not None and not self._check_person_cccd(sheet, row, cells):
                continue
            cccd = cells.get("cccd")
            vneid = cells.get("vneid_proficient_on")
            if vneid is not None and birth is not None and vneid < birth:
                self.error(sheet, row, "vneid_proficient_on", "Ngày thành thạo VNeID trước ngày sinh.")
                continue
            key = (nk, birth, unit_code)
            if cccd is not None and cccd in seen_cccd:
                self.error(sheet, row, "cccd", f"Trùng người: số CCCD {cccd} đã có ở dòng {seen_cccd[cccd]}.")
                continue
            if key in seen_key:
                self.error(sheet, row, "full_name", f"Trùng người: \"{name}\", cùng ngày sinh và đơn vị, đã có ở dòng "
                                                    f"{seen_key[key]}. Nếu là hai người khác nhau, hãy ghi Số CCCD.")
                continue
            # match what exists
            pid = self.people_by_cccd.get(cccd) if cccd else None
            if pid is not None and name_key(self.people[pid]["full_name"]) != nk:
                # A CCCD typed wrong can be another person's: never overwrite that person.
                self.error(sheet, row, "cccd", _cccd_owner_message(cccd, self.people[pid]["full_name"], name))
                continue
            if pid is None:
                candidates = self.people_by_key.get(key, [])
                if cccd:
                    candidates = [c for c in candidates if self.people[c]["cccd"] in (None, cccd)]
                if len(candidates) > 1:
                    self.error(sheet, row, "full_name", f"Có {len(candidates)} người cùng tên, ngày sinh và đơn vị "
                                                        "trong dữ liệu; hãy ghi Số CCCD để phân biệt.")
                    continue
                pid = candidates[0] if candidates else None
                if pid is None and cccd and self.people_by_key.get(key):
                    other = self.people[self.people_by_key[key][0]]["cccd"]
                    self.warning(sheet, row, "cccd", f"Đã có người cùng tên, ngày sinh và đơn vị với số CCCD khác "
                                                     f"({other}); dòng này được nhập là một người khác.")
            if pid is not None and pid in matched:
                self.error(sheet, row, "full_name", f"Trùng người: dòng này và dòng {matched[pid]} cùng chỉ một người "
                                                    "đã có trong dữ liệu.")
                continue
            if cccd is not None:
                seen_cccd[cccd] = row
            seen_key[key] = row
            values = {f: cells[f] for f in ("full_name", "birth_date", "sex", "position", "is_party_member",
                                            "is_public_servant", "vneid_proficient_on", "can_guide",
                                            "people_guided", "under_discipline") if f in present}
            for f in ("is_party_member", "is_public_servant", "can_guide", "under_discipline"):
                if f in values:
                    values[f] = None if values[f] is None else bool(values[f])
            values["unit_code"] = unit_code
            values["name_key"] = nk
            if pid is None:
                values["cccd"] = cccd
                ref = _NewRef("NhanSu", row, name=name)
                creates.append(values)
                create_refs.append(ref)
                self.new_people.setdefault((nk, unit_code), []).append(ref)
                if cccd:
                    self.new_people_by_cccd[cccd] = ref
                counts.created += 1
                continue
            matched[pid] = row
            old = self.people[pid]
            changes: dict[str, tuple[Any, Any]] = {}
            for f, v in values.items():
                if f == "name_key":
                    continue
                if f == "unit_code":
                    old_code = self.unit_code_by_id.get(old["unit_id"])
                    if old_code != v:
                        changes["unit_id"] = (old_code, v)
                elif f == "full_name":
                    continue  # the same name (name_key) in another spelling: keep what is stored
                elif v is None and old[f] is not None:
                    # A blank cell never erases what is on record (a unit may send an older or partial
                    # sheet); clearing a value is done in the person form, where it is audited.
                    if f in _KEPT_WITH_WARNING:
                        shown = f"{old[f]:%d/%m/%Y}" if isinstance(old[f], dt.date) else str(old[f])
                        self.warning(sheet, row, f, f"Ô trống: giữ nguyên giá trị đã có ({shown}).")
                elif old[f] != v:
                    changes[f] = (old[f], v)
            if cccd and old["cccd"] != cccd:
                changes["cccd"] = (old["cccd"], cccd)
            _queue_update(updates, counts, pid, changes)

        def write(s: Session) -> None:
            if creates:
                rows = []
                for v in creates:
                    rows.append({
                        "full_name": v["full_name"], "name_key": v["name_key"],
                        "search_key": fold(v["full_name"]), "birth_date": v.get("birth_date"), "sex": v.get("sex"),
                        "cccd": v.get("cccd"), "unit_id": self._unit_id(v["unit_code"]), "position": v.get("position"),
                        "is_party_member": bool(v.get("is_party_member")),
                        "is_public_servant": bool(v.get("is_public_servant")),
                        "vneid_proficient_on": v.get("vneid_proficient_on"), "can_guide": bool(v.get("can_guide")),
                        "people_guided": v.get("people_guided") or 0,
                        "under_discipline": bool(v.get("under_discipline")),
                    })
                table = m.Person.__table__
                ids = s.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
                for ref, pid in zip(create_refs, ids):
                    ref.id = pid
            if updates:
                self._bulk_update(s, m.Person, "person", updates, person=True)
        return write

    def _check_person_cccd(self, sheet: xio.SheetData, row: int, cells: dict[str, Any]) -> bool:
        digits = cells["cccd"]
        birth, sex = cells.get("birth_date"), cells.get("sex")
        year = birth.year if birth else None
        if len(digits) < 12:
            restored = cccd_rules.restore_leading_zeros(digits, year, sex)
            if restored.value is None:
                self.error(sheet, row, "cccd", restored.message or "Số CCCD không hợp lệ.")
                return False
            other = self.people_by_cccd.get(restored.value)
            if other is not None and name_key(self.people[other]["full_name"]) != name_key(cells["full_name"]):
                self.error(sheet, row, "cccd", f"Số CCCD \"{digits}\" có thể đã mất số 0 ở đầu, nhưng "
                                               f"{restored.value} là của người khác ({self.people[other]['full_name']}). "
                                               "Hãy nhập lại số CCCD dạng văn bản.")
                return False
            self.warning(sheet, row, "cccd", restored.message or "")
            cells["cccd"] = digits = restored.value
        ok = True
        for issue in cccd_rules.check(digits, year, sex):
            self.problem(issue.level, sheet, row, "cccd", issue.message)
            ok = ok and issue.level != ERROR
        return ok

    def _bulk_update(self, s: Session, model: type, entity: str, updates: list[tuple[int, dict[str, tuple[Any, Any]]]],
                     *, person: bool = False) -> None:
        """executemany UPDATE grouped by the set of changed columns; bumps version; audited."""
        table = model.__table__
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for rid, changes in updates:
            params = {"b_id": rid}
            for f, (_old, new) in changes.items():
                if f == "unit_id":
                    new = self._unit_id(new)
                params["v_" + f] = new
                if person and f == "full_name":
                    params["v_name_key"] = name_key(new)
                    params["v_search_key"] = fold(new)
            groups.setdefault(tuple(sorted(k[2:] for k in params if k.startswith("v_"))), []).append(params)
        for cols, params in groups.items():
            values = {c: bindparam("v_" + c) for c in cols}
            values["version"] = table.c.version + 1
            if person:
                values["updated_at"] = m.utcnow()
            s.execute(update(table).where(table.c.id == bindparam("b_id")).values(values)
                      .execution_options(synchronize_session=False), params)
        user = self._user(s)
        for rid, changes in updates:
            audit.record_changes(s, user=user, entity=entity, entity_id=rid, changes=changes, action="import")

    # -- HoatDong
    def _plan_activities(self, sheet: xio.SheetData) -> Callable[[Session], None]:
        counts = self.result.counts["HoatDong"]
        existing: dict[tuple, dict[str, Any]] = {}
        # only the activities of units the file mentions need loading
        codes: set[str] = set()
        pos = sheet.positions.get("unit_code")
        for _row, v in sheet.rows:
            if pos is not None and pos < len(v):
                try:
                    code = V.parse_text(v[pos])
                except ValueError:
                    continue
                if code:
                    codes.add(code)
        unit_ids = [self.units[c]["id"] for c in codes if c in self.units and self.units[c].get("id")]
        self._activity_session_rows = []
        if unit_ids:
            for a in self._session.execute(select(m.Activity.id, m.Activity.date, m.Activity.kind, m.Activity.unit_id,
                                                  m.Activity.content, m.Activity.skills, m.Activity.participants)
                                           .where(m.Activity.unit_id.in_(unit_ids))):
                key = (a.date, a.kind, self.unit_code_by_id.get(a.unit_id), fold(a.content or ""))
                existing.setdefault(key, dict(a._mapping))
        seen: dict[tuple, int] = {}
        creates: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        for row, cells in self._rows(sheet):
            unit_code = self._unit_ref(sheet, row, "unit_code", cells["unit_code"])
            if unit_code is None:
                continue
            unit_name, party_org = self._unit_party(unit_code)
            problem = rules.activity_unit_problem(cells["kind"], unit_name, party_org)
            if problem:
                self.error(sheet, row, "unit_code", problem)
                continue
            key = (cells["date"], cells["kind"], unit_code, fold(cells.get("content") or ""))
            if key in seen:
                self.error(sheet, row, "content", f"Trùng hoạt động với dòng {seen[key]} (cùng ngày, loại, đơn vị, nội "
                                                  "dung). Nếu là hai buổi khác nhau, hãy ghi nội dung khác nhau.")
                continue
            seen[key] = row
            old = existing.get(key)
            new = {f: cells[f] for f in ("skills", "participants") if f in cells}
            if old is None:
                creates.append({"date": cells["date"], "kind": cells["kind"], "unit_code": unit_code,
                                "content": cells.get("content"), "skills": new.get("skills"),
                                "participants": new.get("participants") or 0})
                counts.created += 1
                continue
            _queue_update(updates, counts, old["id"], _changes(old, new))

        def write(s: Session) -> None:
            if creates:
                rows = [{"date": c["date"], "kind": c["kind"], "unit_id": self._unit_id(c["unit_code"]),
                         "content": c["content"], "skills": c["skills"], "participants": c["participants"]}
                        for c in creates]
                s.execute(insert(m.Activity.__table__), rows)
            if updates:
                self._bulk_update(s, m.Activity, "activity", updates)
        return write

    # -- MoHinh
    def _plan_models(self, sheet: xio.SheetData) -> Callable[[Session], None]:
        counts = self.result.counts["MoHinh"]
        existing = {dm.code: dm for dm in self._session.scalars(select(m.DigitalModel))}
        replicated = {}
        for model_id, unit_id in self._session.execute(select(m.ModelReplication.model_id, m.ModelReplication.unit_id)):
            replicated.setdefault(model_id, set()).add(self.unit_code_by_id.get(unit_id))
        seen: dict[str, int] = {}
        plans: list[tuple[str, dict[str, Any], list[str]]] = []
        for row, cells in self._rows(sheet):
            code = cells["code"]
            if code in seen:
                self.error(sheet, row, "code", f"Mã mô hình \"{code}\" trùng với dòng {seen[code]}.")
                continue
            unit_code = self._unit_ref(sheet, row, "unit_code", cells["unit_code"])
            targets = []
            bad = False
            for t in cells.get("replicated_to") or []:
                if self._unit_ref(sheet, row, "replicated_to", t) is None:
                    bad = True
                targets.append(t)
            if unit_code is None or bad:
                continue
            seen[code] = row
            values = {f: cells[f] for f in ("name", "registered_on", "status", "evaluation") if f in cells}
            values["unit_code"] = unit_code
            dm = existing.get(code)
            status = values.get("status")
            stage_date = _STAGE_DATES.get(status or "")
            if status and (dm is None or dm.status != status) and stage_date and (
                    dm is None or getattr(dm, stage_date) is None):
                self.warning(sheet, row, "status", f"Trạng thái \"{MODEL_STATUS_LABELS[ModelStatus(status)]}\" chưa có "
                                                   "ngày tương ứng (tệp nhập không có cột ngày này); hãy ghi ngày ở "
                                                   "trang Mô hình để việc chấm điểm tính đúng mốc thời gian.")
            if dm is None:
                counts.created += 1
                plans.append((code, values, targets))
                continue
            old = {"name": dm.name, "registered_on": dm.registered_on, "status": dm.status,
                   "evaluation": dm.evaluation, "unit_code": self.unit_code_by_id.get(dm.owner_unit_id)}
            changes = _changes(old, values)
            missing = [t for t in targets if t not in replicated.get(dm.id, set())]
            if changes or missing:
                counts.updated += 1
                plans.append((code, changes, missing))
            else:
                counts.unchanged += 1

        def write(s: Session) -> None:
            user = self._user(s)
            for code, values, targets in plans:
                dm = existing.get(code)
                if dm is None:
                    dm = m.DigitalModel(code=code, name=values["name"], owner_unit_id=self._unit_id(values["unit_code"]),
                                        status=values["status"], registered_on=values.get("registered_on"),
                                        evaluation=values.get("evaluation"))
                    s.add(dm)
                    s.flush()
                    audit.record(s, user=user, action="import", entity="digital_model", entity_id=dm.id,
                                 note=f"Tạo mô hình {code} từ tệp {self.result.path.name}")
                else:
                    for f, (_old, new) in values.items():
                        if f == "unit_code":
                            dm.owner_unit_id = self._unit_id(new)
                        else:
                            setattr(dm, f, new)
                    audit.record_changes(s, user=user, entity="digital_model", entity_id=dm.id, changes=values,
                                         action="import")
                for t in targets:
                    s.add(m.ModelReplication(model_id=dm.id, unit_id=self._unit_id(t)))
                    audit.record(s, user=user, action="import", entity="digital_model", entity_id=dm.id,
                                 field="replicated_to", new=t)
                if values.get("status") == ModelStatus.REPLICATED and targets and dm.status != ModelStatus.REPLICATED:
                    dm.status = ModelStatus.REPLICATED
            s.flush()
        return write

    # -- GiaiPhap
    def _find_person(self, sheet: xio.SheetData, row: int, cells: dict[str, Any], unit_code: str) -> Any:
        """The person id (int) or _NewRef a solution belongs to; None after an error."""
        cccd = cells.get("cccd")
        if cccd:
            candidates = [cccd] if len(cccd) == 12 else ([cccd.zfill(12)] if 10 <= len(cccd) < 12 else [])
            for c in candidates:
                if c in self.new_people_by_cccd:
                    ref = self.new_people_by_cccd[c]
                    if name_key(ref.name) != name_key(cells["full_name"]):
                        self.error(sheet, row, "cccd", _cccd_owner_message(c, ref.name, cells["full_name"]))
                        return None
                    return ref
                pid = self.people_by_cccd.get(c)
                if pid is not None:
                    if name_key(self.people[pid]["full_name"]) != name_key(cells["full_name"]):
                        self.error(sheet, row, "cccd", _cccd_owner_message(c, self.people[pid]["full_name"],
                                                                           cells["full_name"]))
                        return None
                    if c != cccd:
                        self.warning(sheet, row, "cccd", f"Số CCCD \"{cccd}\" đã mất số 0 ở đầu; đã nhận ra là {c}.")
                    return pid
            self.error(sheet, row, "cccd", f"Không tìm thấy người có số CCCD {cccd} (trong dữ liệu hoặc trang NhanSu).")
            return None
        nk = name_key(cells["full_name"])
        found: list[Any] = list(self.people_by_name_unit.get((nk, unit_code), []))
        found += self.new_people.get((nk, unit_code), [])
        if not found:
            self.error(sheet, row, "full_name", f"Không tìm thấy \"{cells['full_name']}\" trong đơn vị {unit_code}. "
                                                "Hãy ghi Số CCCD hoặc thêm người này ở trang NhanSu.")
            return None
        if len(found) > 1:
            self.error(sheet, row, "full_name", f"Có {len(found)} người tên \"{cells['full_name']}\" trong đơn vị "
                                                f"{unit_code}; hãy ghi Số CCCD để phân biệt.")
            return None
        return found[0]

    def _plan_solutions(self, sheet: xio.SheetData) -> Callable[[Session], None]:
        counts = self.result.counts["GiaiPhap"]
        if not hasattr(self, "new_people"):
            self.new_people, self.new_people_by_cccd = {}, {}
        existing: dict[tuple[int, str], dict[str, Any]] = {}
        for sol in self._session.execute(select(m.Solution.id, m.Solution.person_id, m.Solution.title,
                                                m.Solution.applied, m.Solution.effect)):
            existing.setdefault((sol.person_id, name_key(sol.title)), dict(sol._mapping))
        seen: dict[tuple, int] = {}
        creates: list[tuple[Any, dict[str, Any]]] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        for row, cells in self._rows(sheet):
            unit_code = self._unit_ref(sheet, row, "unit_code", cells["unit_code"])
            if unit_code is None:
                continue
            person = self._find_person(sheet, row, cells, unit_code)
            if person is None:
                continue
            tkey = (id(person) if isinstance(person, _NewRef) else person, name_key(cells["title"]))
            if tkey in seen:
                self.error(sheet, row, "title", f"Trùng giải pháp với dòng {seen[tkey]} (cùng người, cùng tên).")
                continue
            seen[tkey] = row
            new = {f: cells[f] for f in ("applied", "effect") if f in cells}
            if "applied" in new:
                new["applied"] = None if new["applied"] is None else bool(new["applied"])
            old = existing.get(tkey) if not isinstance(person, _NewRef) else None
            if old is None:
                creates.append((person, {"title": cells["title"], **new}))
                counts.created += 1
                continue
            _queue_update(updates, counts, old["id"], _changes(old, new))

        def write(s: Session) -> None:
            if creates:
                rows = [{"person_id": p.id if isinstance(p, _NewRef) else p, "title": v["title"],
                         "applied": bool(v.get("applied")), "effect": v.get("effect")} for p, v in creates]
                s.execute(insert(m.Solution.__table__), rows)
            if updates:
                self._bulk_update(s, m.Solution, "solution", updates)
        return write

    # -- SoLieuChiTieu
    def _plan_figures(self, sheet: xio.SheetData) -> Callable[[Session], None]:
        counts = self.result.counts["SoLieuChiTieu"]
        campaign_id = self._session.scalar(select(m.Campaign.id).order_by(m.Campaign.id.desc()).limit(1))
        targets = {}
        if campaign_id is not None:
            targets = dict(self._session.execute(select(m.Target.code, m.Target.id)
                                                 .where(m.Target.campaign_id == campaign_id)).all())
        existing = {}
        for f in self._session.execute(select(m.ReportedFigure.id, m.ReportedFigure.target_id, m.ReportedFigure.unit_id,
                                              m.ReportedFigure.as_of, m.ReportedFigure.numerator,
                                              m.ReportedFigure.denominator)):
            existing[(f.target_id, self.unit_code_by_id.get(f.unit_id), f.as_of)] = dict(f._mapping)
        seen: dict[tuple, int] = {}
        creates: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        for row, cells in self._rows(sheet):
            target_id = targets.get(cells["target_code"])
            if target_id is None:
                known = ", ".join(sorted(targets)) or "chưa có chỉ tiêu nào; hãy tạo phong trào trước"
                self.error(sheet, row, "target_code", f"Mã chỉ tiêu \"{cells['target_code']}\" không có trong kế hoạch "
                                                      f"({known}).")
                continue
            unit_code = self._unit_ref(sheet, row, "unit_code", cells["unit_code"])
            if unit_code is None:
                continue
            num, den = cells["numerator"], cells.get("denominator")
            if den is not None and num > den:
                self.error(sheet, row, "numerator", f"Số \"Đạt\" ({num:g}) lớn hơn \"Tổng\" ({den:g}).")
                continue
            key = (target_id, unit_code, cells["as_of"])
            if key in seen:
                self.error(sheet, row, "as_of", f"Trùng số liệu với dòng {seen[key]} (cùng chỉ tiêu, đơn vị, ngày).")
                continue
            seen[key] = row
            old = existing.get(key)
            new = {"numerator": num}
            if "denominator" in cells:
                new["denominator"] = den
            if old is None:
                creates.append({"target_id": target_id, "unit_code": unit_code, "as_of": cells["as_of"], **new})
                counts.created += 1
                continue
            _queue_update(updates, counts, old["id"], _changes(old, new))

        def write(s: Session) -> None:
            if creates:
                rows = [{"target_id": c["target_id"], "unit_id": self._unit_id(c["unit_code"]), "as_of": c["as_of"],
                         "numerator": c["numerator"], "denominator": c.get("denominator"),
                         "note": f"Nhập từ tệp {self.result.path.name}"} for c in creates]
                s.execute(insert(m.ReportedFigure.__table__), rows)
            if updates:
                self._bulk_update(s, m.ReportedFigure, "reported_figure", updates)
        return write


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00[01][0-9A-Fa-f]_")


def _cccd_owner_message(cccd: str, owner: str, written: str) -> str:
    return (f"Số CCCD {cccd} đã là của \"{owner}\", khác họ tên ghi ở dòng này (\"{written}\"). Dòng này không "
            f"được dùng để sửa \"{owner}\": nếu số CCCD bị gõ nhầm, hãy sửa lại; nếu người này đã đổi họ tên, hãy "
            "sửa họ tên ở cửa sổ Nhân sự.")


def _queue_update(updates: list, counts: Any, key: Any, changes: dict[str, tuple[Any, Any]]) -> None:
    """Queue a record's changes for the write step, or count it unchanged."""
    if changes:
        updates.append((key, changes))
        counts.updated += 1
    else:
        counts.unchanged += 1


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (old, new)} of the values that differ; a blank cell never erases a stored value."""
    return {f: (old[f], v) for f, v in new.items() if old[f] != v and not (v is None and old[f] is not None)}


def _has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _merged_range_of(sheet: xio.SheetData, row: int, col: int) -> str | None:
    if not sheet.merged_ranges:
        return None
    from openpyxl.utils.cell import range_boundaries

    for ref in sheet.merged_ranges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except ValueError:
            continue
        if min_row <= row <= max_row and min_col <= col <= max_col and (row, col) != (min_row, min_col):
            return ref
    return None
