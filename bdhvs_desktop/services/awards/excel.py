"""Importing an older award register from Excel: all rows or none, each problem with its row
and column, a row already in the register skipped (so a file can be imported twice)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from bdhvs_desktop.domain import rules as record_rules
from bdhvs_desktop.domain import values as V
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import fold, name_key
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.awards.common import AwardData
from bdhvs_desktop.services.awards.writing import _normalise, _resolve_links, add_in_session, validate
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass
class ImportSummary:
    """What an import did (or would do with dry_run). Messages name the sheet, row and column."""

    added: int = 0
    skipped: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    def status_line(self) -> str:
        if self.errors:
            return (f"Có {len(self.errors)} lỗi, {len(self.warnings)} cảnh báo: KHÔNG ghi gì vào sổ khen thưởng. "
                    "Hãy sửa tệp rồi nhập lại.")
        if self.dry_run:
            return f"Kiểm tra xong (chưa ghi): {self.added} khen thưởng sẽ được thêm, {self.skipped} đã có sẵn."
        if not self.added:
            return "Không có khen thưởng mới nào để thêm (các dòng đã có trong sổ)."
        return f"Đã thêm {self.added} khen thưởng vào sổ ({self.skipped} đã có sẵn, {len(self.warnings)} cảnh báo)."


def _where(sheet: str, row: int | None, column: str | None) -> str:
    parts = [f"trang {sheet}"]
    if row:
        parts.append(f"dòng {row}")
    if column:
        parts.append(f"cột \"{column}\"")
    return ", ".join(parts)


def _parse_cell(c, raw, epoch):
    if c.kind == "text":
        value = V.parse_text(raw, max_length=c.max_length)
        problem = record_rules.hidden_character_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value
    if c.kind == "date":
        return record_rules.date_cell(raw, epoch=epoch)
    if c.kind == "int":
        return V.parse_int(raw, minimum=0, maximum=10_000_000_000)
    if c.kind == "cccd":
        return V.parse_cccd_digits(raw)
    if c.kind == "choice":
        labels = {"subject_type": vocab.AWARD_SUBJECT_LABELS, "level": vocab.AWARD_LEVEL_LABELS,
                  "kind": vocab.AWARD_KIND_LABELS}[c.key]
        return V.parse_choice(raw, labels)
    raise ValueError(f"kiểu cột không rõ: {c.kind}")  # pragma: no cover


def import_awards(db: Database, path, *, dry_run: bool = False, today: dt.date | None = None) -> ImportSummary:
    """Import older awards from the "KhenThuong" sheet: all rows or none. A row already in the
    register (same subject, award, decision number and date) is skipped with a warning, so a
    file can be imported twice. Raises excel_io.UnusableFile for an unusable file."""
    from bdhvs_desktop.documents import awards_excel as ax  # lazy: start-up
    from bdhvs_desktop.documents import excel_io as xio  # lazy: start-up

    if not dry_run:
        require_role(db, "secretary", action="nhập sổ khen thưởng từ Excel")
    today = today or dt.date.today()
    summary = ImportSummary(dry_run=dry_run)
    sheet, other, epoch = ax.read_awards_sheet(path)
    name = ax.AWARDS.name
    if sheet is None:
        summary.errors.append(f"Lỗi: tệp không có trang “{name}” (sổ khen thưởng). Các trang có trong tệp: "
                              f"{', '.join(other) or 'không có'}. Tạo tệp mẫu bằng “bdhvs awards template”.")
        return summary
    for title in other:
        summary.warnings.append(f"Cảnh báo: trang “{title}” không thuộc mẫu sổ khen thưởng nên được bỏ qua.")
    if not sheet.header_row:
        summary.errors.append(f"Lỗi ({_where(name, 1, None)}): không tìm thấy dòng tiêu đề. Các cột của trang này: "
                              + ", ".join(ax.AWARDS.headers) + ".")
        return summary
    for c in sheet.missing:
        if c.required:
            summary.errors.append(f"Lỗi ({_where(name, sheet.header_row, None)}): thiếu cột bắt buộc "
                                  f"\"{c.header}\".")
    for index, header in sheet.duplicate_headers:
        summary.errors.append(f"Lỗi ({_where(name, sheet.header_row, None)}): cột \"{header}\" xuất hiện hai lần "
                              f"(cột {index}).")
    for index, header in sheet.unknown_headers:
        summary.warnings.append(f"Cảnh báo ({_where(name, sheet.header_row, None)}): cột {index} (\"{header}\") "
                                "không thuộc mẫu nên được bỏ qua.")
    if summary.errors:
        return summary

    def err(row: int, key: str | None, message: str) -> None:
        col = ax.AWARDS.column(key).header if key and key in {c.key for c in ax.AWARDS.columns} else None
        summary.errors.append(f"Lỗi ({_where(name, row, col)}): {message}")

    column_of = {"subject_name": "subject_name", "cccd": "cccd", "award_name": "award_name", "level": "level",
                 "kind": "kind", "decision_number": "decision_number", "decision_date": "decision_date",
                 "campaign": "campaign_text", "prize_amount": "prize_amount", "subject_type": "subject_type",
                 "person_id": "cccd", "unit_id": "unit_code", "source": None}
    parsed: list[tuple[int, AwardData]] = []
    with db.read() as s:
        campaign = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
        campaign_keys = set()
        if campaign is not None:
            title = ((campaign.details or {}).get("dossier") or {}).get("campaign_title") or ""
            campaign_keys = {fold(x) for x in (campaign.name, campaign.code, title) if x}
        seen: dict[tuple, int] = {}
        for row, values in sheet.rows:
            if xio.is_example_row(ax.AWARDS, [values[sheet.positions[c.key]] if c.key in sheet.positions
                                                 and sheet.positions[c.key] < len(values) else None
                                                 for c in ax.AWARDS.columns]):
                summary.warnings.append(f"Cảnh báo ({_where(name, row, None)}): dòng ví dụ của tệp mẫu được bỏ qua.")
                continue
            summary.rows += 1
            cells: dict = {}
            ok = True
            for c in ax.AWARDS.columns:
                pos = sheet.positions.get(c.key)
                if pos is None:
                    continue
                raw = values[pos] if pos < len(values) else None
                if raw is None and (row, pos + 1) in sheet.formula_cells:
                    err(row, c.key, "ô có công thức nhưng chưa có giá trị đã tính; hãy mở tệp bằng Excel rồi lưu lại.")
                    ok = False
                    continue
                try:
                    value = _parse_cell(c, raw, epoch)
                except ValueError as exc:
                    err(row, c.key, str(exc))
                    ok = False
                    continue
                if value is None and c.required:
                    err(row, c.key, f"thiếu \"{c.header}\" (bắt buộc).")
                    ok = False
                    continue
                cells[c.key] = value
            if not ok:
                continue
            campaign_text = cells.get("campaign_text")
            campaign_id = None
            if campaign is not None and campaign_text and fold(campaign_text) in campaign_keys:
                campaign_id = campaign.id
            data = _normalise(AwardData(
                subject_type=cells["subject_type"], subject_name=cells["subject_name"],
                award_name=cells["award_name"], level=cells["level"], kind=cells["kind"],
                decision_number=str(cells["decision_number"]), decision_date=cells["decision_date"],
                cccd=cells.get("cccd"), unit_code=cells.get("unit_code"), unit_name=cells.get("unit_name"),
                position=cells.get("position"), award_code=cells.get("award_code"),
                granting_authority=cells.get("granting_authority"), campaign_id=campaign_id,
                campaign_text=campaign_text, achievement=cells.get("achievement"),
                prize_amount=cells.get("prize_amount"), source=vocab.AwardSource.IMPORTED.value))
            if data.subject_type == "person" and data.unit_code:
                # For a person the unit code is their unit, not the subject: keep it as text only.
                unit = s.scalar(select(m.Unit).where(m.Unit.code == data.unit_code))
                data = replace(data, unit_code=None, unit_name=data.unit_name or (unit.name if unit else data.unit_code))
            data = _resolve_links(s, data)
            problems = validate(s, data, today)
            if data.decision_date and data.decision_date > today:
                problems["decision_date"] = (f"ngày quyết định {data.decision_date:%d/%m/%Y} ở tương lai (hôm nay là "
                                             f"{today:%d/%m/%Y}).")
            if problems:
                for key, message in problems.items():
                    err(row, column_of.get(key, key), message)
                continue
            ident = (data.subject_type, data.cccd or name_key(data.subject_name), fold(data.award_name),
                     fold(data.decision_number or ""), data.decision_date)
            if ident in seen:
                err(row, None, f"trùng với dòng {seen[ident]} (cùng đối tượng, hình thức, số và ngày quyết định).")
                continue
            seen[ident] = row
            existing = s.scalar(select(m.AwardRecord.id).where(
                m.AwardRecord.subject_type == data.subject_type,
                m.AwardRecord.decision_number == data.decision_number,
                m.AwardRecord.decision_date == data.decision_date,
                (m.AwardRecord.cccd == data.cccd) if data.cccd else (m.AwardRecord.name_key == name_key(data.subject_name)),
            ).limit(1))
            if existing is not None:
                summary.skipped += 1
                summary.warnings.append(f"Cảnh báo ({_where(name, row, None)}): {data.subject_name} – "
                                        f"{data.award_name}, Quyết định số {data.decision_number} đã có trong sổ "
                                        f"(mục số {existing}); bỏ qua.")
                continue
            parsed.append((row, data))
    summary.added = len(parsed)
    if summary.errors or dry_run:
        if summary.errors:
            summary.added = 0
        return summary
    with db.session() as s:
        for _row, data in parsed:
            add_in_session(s, data, user=db.user, today=today,
                           note=f"Nhập sổ khen thưởng từ {Path(path).name}")
        audit.record(s, user=db.user, action="import", entity="award_record",
                     note=f"Nhập {len(parsed)} khen thưởng từ tệp {Path(path).name}")
    summary.written = True
    return summary
