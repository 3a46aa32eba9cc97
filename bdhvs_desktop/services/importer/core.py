"""The shared part of an import: reading and checking one row's cells, what exists in the database
(one pre-loaded lookup), unit references, reporting problems and progress, and the bulk update with
its audit. Each sheet's planner (the *_sheet modules) uses it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain import values as V
from bdhvs_desktop.domain.text import fold, name_key
from bdhvs_desktop.domain.vocab import ACTIVITY_KIND_LABELS, MODEL_STATUS_LABELS, UNIT_KIND_LABELS
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.importer.result import ERROR, WARNING, ImportCancelled, ImportResult, Problem, Progress
from bdhvs_desktop.storage import models as m

CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("DonVi", "kind"): {str(k): v for k, v in UNIT_KIND_LABELS.items()},
    ("HoatDong", "kind"): {str(k): v for k, v in ACTIVITY_KIND_LABELS.items()},
    ("MoHinh", "status"): {str(k): v for k, v in MODEL_STATUS_LABELS.items()},
}

# The date a model's stage is reached; the import layout carries only the registration date.
KEPT_WITH_WARNING = {"birth_date", "vneid_proficient_on"}
STAGE_DATES = {"implementing": "implementing_on", "evaluated": "evaluated_on", "excellent": "excellent_on"}



@dataclass
class NewRef:
    """A record created by this import; its id is known only after the insert."""
    sheet: str
    row: int
    id: int | None = None
    name: str = ""  # a person's full name, to check a later row that cites the same CCCD


class Importer:
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

    # -- the whole run

    def check_headers(self, sheet: xio.SheetData) -> bool:
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
    def row_cells(self, sheet: xio.SheetData, row: int, values: tuple[Any, ...]) -> dict[str, Any] | None:
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
                self.unit_ref(sheet, row, "unit_code", out["unit_code"])
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

    def parsed_rows(self, sheet: xio.SheetData):
        """(row number, parsed dict) of the rows without errors; skips the template's example."""
        counts = self.result.counts[sheet.spec.name]
        message = f"Đang kiểm tra trang {sheet.spec.name}…"
        for row, values in sheet.rows:
            self.tick(1, message)
            if row == sheet.header_row + 1 and xio.is_example_row(sheet.spec, values):
                counts.skipped += 1
                self.warning(sheet, row, None, "Dòng ví dụ của tệp mẫu: đã bỏ qua.")
                continue
            cells = self.row_cells(sheet, row, values)
            if cells is not None:
                yield row, cells

    # -- what exists
    def load(self, s: Session) -> None:
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

    def unit_ref(self, sheet: xio.SheetData, row: int, key: str, code: str | None) -> str | None:
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

    def unit_party(self, code: str) -> tuple[str | None, bool | None]:
        """(name, is a party organisation) of a unit as it will be after this import."""
        unit = self.units.get(code) or {}
        name, party = self.file_unit_values.get(code, (None, None))
        name = name or unit.get("name")
        if party is None:
            party = unit.get("is_party_org")
            if party is None and code in self.file_units:
                party = False  # a new unit is not a party organisation unless the file says so
        return name, None if party is None else bool(party)

    def user_of(self, s: Session) -> str | None:
        return s.info.get("user")

    def unit_id(self, code: str | None) -> int | None:
        return None if code is None else self.units[code]["id"]


    def bulk_update(self, s: Session, model: type, entity: str, updates: list[tuple[int, dict[str, tuple[Any, Any]]]],
                     *, person: bool = False) -> None:
        """executemany UPDATE grouped by the set of changed columns; bumps version; audited."""
        table = model.__table__
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for rid, changes in updates:
            params = {"b_id": rid}
            for f, (_old, new) in changes.items():
                if f == "unit_id":
                    new = self.unit_id(new)
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
        user = self.user_of(s)
        for rid, changes in updates:
            audit.record_changes(s, user=user, entity=entity, entity_id=rid, changes=changes, action="import")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00[01][0-9A-Fa-f]_")


def cccd_owner_message(cccd: str, owner: str, written: str) -> str:
    return (f"Số CCCD {cccd} đã là của \"{owner}\", khác họ tên ghi ở dòng này (\"{written}\"). Dòng này không "
            f"được dùng để sửa \"{owner}\": nếu số CCCD bị gõ nhầm, hãy sửa lại; nếu người này đã đổi họ tên, hãy "
            "sửa họ tên ở cửa sổ Nhân sự.")


def queue_update(updates: list, counts: Any, key: Any, changes: dict[str, tuple[Any, Any]]) -> None:
    """Queue a record's changes for the write step, or count it unchanged."""
    if changes:
        updates.append((key, changes))
        counts.updated += 1
    else:
        counts.unchanged += 1


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (old, new)} of the values that differ; a blank cell never erases a stored value."""
    return {f: (old[f], v) for f, v in new.items() if old[f] != v and not (v is None and old[f] is not None)}


def _has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _merged_range_of(sheet: xio.SheetData, row: int, col: int) -> str | None:
    if not sheet.merged_ranges:
        return None
    from openpyxl.utils.cell import range_boundaries  # lazy: start-up

    for ref in sheet.merged_ranges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except ValueError:
            continue
        if min_row <= row <= max_row and min_col <= col <= max_col and (row, col) != (min_row, min_col):
            return ref
    return None
