"""The award register's Excel sheet ("KhenThuong"): layout, guarded reading, the template.

Reading goes through the same guards as the records import (documents/excel_io.py: not an
.xlsx, encrypted, too big, zip bomb) and the same header matching (case, diacritics, order)."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain.vocab import (
    AWARD_KIND_LABELS,
    AWARD_LEVEL_LABELS,
    AWARD_SUBJECT_LABELS,
    AwardKind,
    AwardLevel,
    AwardSubject,
)

#: The "Đối tượng" column's choices: code -> label, from the vocabulary.
SUBJECT_LABELS = {k.value: v for k, v in AWARD_SUBJECT_LABELS.items()}

AWARDS = xio.SheetSpec("KhenThuong", "khen thưởng", (
    xio.Column("Đối tượng", "subject_type", "choice", True, tuple(SUBJECT_LABELS.values()), width=10),
    xio.Column("Tên tập thể, cá nhân", "subject_name", "text", True, width=28, max_length=300),
    xio.Column("Số CCCD", "cccd", "cccd", width=15, hint="cá nhân: 12 chữ số, nhập dạng văn bản"),
    xio.Column("Mã đơn vị", "unit_code", "text", width=12, max_length=64,
               hint="tập thể: mã của chính đơn vị; cá nhân: đơn vị công tác"),
    xio.Column("Đơn vị", "unit_name", "text", width=24, max_length=300),
    xio.Column("Chức vụ", "position", "text", width=18, max_length=200),
    xio.Column("Hình thức khen thưởng", "award_name", "text", True, width=32, max_length=300),
    xio.Column("Mã hình thức", "award_code", "text", width=14, max_length=64),
    xio.Column("Cấp khen thưởng", "level", "choice", True, tuple(AWARD_LEVEL_LABELS.values()), width=16),
    xio.Column("Cơ quan, người khen thưởng", "granting_authority", "text", width=28, max_length=300),
    xio.Column("Số quyết định", "decision_number", "text", True, width=14, max_length=60),
    xio.Column("Ngày quyết định", "decision_date", "date", True, width=12, hint="dd/mm/yyyy"),
    xio.Column("Loại khen thưởng", "kind", "choice", True, tuple(AWARD_KIND_LABELS.values()), width=20),
    xio.Column("Phong trào, chuyên đề", "campaign_text", "text", width=30, max_length=500),
    xio.Column("Thành tích", "achievement", "text", width=36, max_length=4000),
    xio.Column("Tiền thưởng (đồng)", "prize_amount", "int", width=12),
), (AWARD_SUBJECT_LABELS[AwardSubject.PERSON], "Nguyễn Văn Ví Dụ (dòng ví dụ, hãy xóa)", "068085123456", "VD-01",
    "Chi bộ Khu phố Ví Dụ", "Bí thư Chi bộ", "Giấy khen của Chủ tịch Ủy ban nhân dân phường", "",
    AWARD_LEVEL_LABELS[AwardLevel.WARD], "Chủ tịch Ủy ban nhân dân phường", "12/QĐ-UBND", dt.date(2025, 12, 20),
    AWARD_KIND_LABELS[AwardKind.CAMPAIGN],
    "Phong trào thi đua năm 2025", "Hoàn thành xuất sắc nhiệm vụ", None))


def read_awards_sheet(path: str | os.PathLike[str]) -> tuple[xio.SheetData | None, list[str], object]:
    """(the KhenThuong sheet or None, names of the other sheets, the workbook's date epoch).
    Raises excel_io.UnusableFile for a file that cannot be used at all."""
    wb = xio.open_workbook(path)
    try:
        other: list[str] = []
        found: xio.SheetData | None = None
        zf = zipfile.ZipFile(path)
        try:
            for ws in wb.worksheets:
                key = xio.fold(xio.clean(ws.title)).replace(" ", "").replace("_", "")
                if key != AWARDS.name.lower() or found is not None or getattr(ws, "_worksheet_path", None) is None:
                    if ws.title != xio.INSTRUCTIONS_SHEET:
                        other.append(ws.title)
                    continue
                found = xio._read_sheet(ws, AWARDS, zf, None, None)
        finally:
            zf.close()
        return found, other, getattr(wb, "epoch", None)
    except xio.UnusableFile:
        raise
    except zipfile.BadZipFile as exc:
        raise xio.UnusableFile(f"Tệp {Path(path).name} bị hỏng ({exc}).") from None
    except Exception as exc:  # noqa: BLE001 - malformed XML inside a sheet and the like
        raise xio._unusable(exc, path) from None
    finally:
        wb.close()


def write_awards_template(path: str | os.PathLike[str]) -> Path:
    """The blank register sheet with one example row (the import skips it)."""
    return xio.write_sheets(path, [(AWARDS, [AWARDS.example])])


def write_awards(path: str | os.PathLike[str], rows) -> Path:
    """Export register rows (tuples in the AWARDS column order)."""
    return xio.write_sheets(path, [(AWARDS, rows)])
