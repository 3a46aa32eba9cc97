"""Reading one sheet of the import: its header row and each row's cells, parsed, checked against the
rules a record obeys however it arrives (domain/rules.py), with the problems reported cell by cell.
`RowReader` is the part of `core.Importer` that does it."""

from __future__ import annotations

import re
from typing import Any

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain import values as V
from bdhvs_desktop.domain.vocab import ACTIVITY_KIND_LABELS, MODEL_STATUS_LABELS, UNIT_KIND_LABELS

CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("DonVi", "kind"): {str(k): v for k, v in UNIT_KIND_LABELS.items()},
    ("HoatDong", "kind"): {str(k): v for k, v in ACTIVITY_KIND_LABELS.items()},
    ("MoHinh", "status"): {str(k): v for k, v in MODEL_STATUS_LABELS.items()},
}


class RowReader:
    """Checks a sheet's headers and parses its rows. Mixed into `core.Importer`, whose reporting
    (`error`, `warning`, `tick`), lookups (`unit_ref`, `campaign_span`) and `today` it uses."""

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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00[01][0-9A-Fa-f]_")


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
