"""Cell values as real workbooks contain them: Có/Không in any spelling, dates as dates,
Excel serial numbers or dd/mm/yyyy text, whole numbers typed as 12.0 or "1 200".

Each parser returns the value or raises ValueError with a Vietnamese message."""

from __future__ import annotations

import datetime as dt
import math
import re

from bdhvs_desktop.domain.dates import parse_vn_date
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import clean, fold

_TRUE = {"co", "c", "x", "yes", "y", "true", "dung", "1", "da co"}
_FALSE = {"khong", "k", "ko", "no", "n", "false", "sai", "0", "chua"}

# Excel serial numbers of 01/01/1900 .. 31/12/9999.
_SERIAL_MIN, _SERIAL_MAX = 1, 2958465


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if value.__class__ is not str:
        return False
    stripped = value.strip()
    if not stripped:
        return True
    return not stripped.isprintable() and not clean(stripped)


def parse_bool(value: object) -> bool | None:
    """Có/Không, có/không, CO, khong, x, 1/0, TRUE/FALSE -> bool; blank -> None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = fold(str(value)).replace(".", "").strip()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"\"{_show(value)}\" không phải Có hoặc Không.")


def parse_date(value: object, *, epoch: dt.datetime | None = None) -> dt.date | None:
    """A date cell, an Excel serial number (1900 date system, with its leap-year bug) or
    text dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd); blank -> None."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"\"{_show(value)}\" không phải ngày.")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not _SERIAL_MIN <= value <= _SERIAL_MAX:
            raise ValueError(f"Số {_show(value)} không phải một ngày hợp lệ (cần dạng dd/mm/yyyy).")
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel  # lazy: start-up

        converted = from_excel(value, epoch or CALENDAR_WINDOWS_1900)
        return converted.date() if isinstance(converted, dt.datetime) else converted
    text = clean(str(value))
    # "05/11/2026 00:00:00" as some programs write it.
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)
    try:
        return parse_vn_date(text)
    except ValueError:
        raise ValueError(f"\"{_show(value)}\" không phải ngày hợp lệ (cần dạng dd/mm/yyyy).") from None


def parse_int(value: object, *, minimum: int | None = 0, maximum: int | None = None) -> int | None:
    """A whole number: 12, 12.0, "12", "1 200", "1.200"; blank -> None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"\"{_show(value)}\" không phải số nguyên.")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"\"{_show(value)}\" không phải số nguyên.")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = clean(str(value)).replace(" ", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
            text = re.sub(r"[.,]", "", text)
        if text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(r"-?\d{1,15}", text):
            raise ValueError(f"\"{_show(value)}\" không phải số nguyên.")
        number = int(text)
    if minimum is not None and number < minimum:
        raise ValueError(f"{vn_number(number)} nhỏ hơn giá trị tối thiểu {vn_number(minimum)}.")
    if maximum is not None and number > maximum:
        raise ValueError(f"{vn_number(number)} lớn hơn giá trị tối đa {vn_number(maximum)}.")
    return number


def parse_number(value: object, *, minimum: float | None = 0) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"\"{_show(value)}\" không phải số.")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = clean(str(value)).replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"\"{_show(value)}\" không phải số.") from None
    if not math.isfinite(number):
        raise ValueError(f"\"{_show(value)}\" không phải số.")
    if minimum is not None and number < minimum:
        raise ValueError(f"{_show(value)} nhỏ hơn {vn_number(minimum)}.")
    return number


def parse_text(value: object, *, max_length: int | None = None) -> str | None:
    """Text as stored: NFC, control characters removed, spaces collapsed; blank -> None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = f"{value:%d/%m/%Y}"
    text = clean(unescape_excel(str(value)))
    if not text:
        return None
    if max_length is not None and len(text) > max_length:
        raise ValueError(f"Nội dung dài {len(text)} ký tự, vượt quá giới hạn {max_length} ký tự.")
    return text


_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_excel(text: str) -> str:
    """Excel stores characters XML cannot hold (control characters) as _xHHHH_; openpyxl
    leaves them escaped."""
    if "_x" not in text:
        return text
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def parse_choice(value: object, labels: dict[str, str]) -> str | None:
    """A code from its Vietnamese label (any case, with or without diacritics) or the code
    itself; labels = {code: label}; blank -> None."""
    if is_blank(value):
        return None
    key = fold(str(value))
    for code, label in labels.items():
        if key in (fold(label), fold(code)):
            return str(code)
    allowed = ", ".join(labels.values())
    raise ValueError(f"\"{_show(value)}\" không phải một trong các giá trị: {allowed}.")


def parse_sex(value: object) -> str | None:
    if is_blank(value):
        return None
    key = fold(str(value))
    if key in ("nam", "m", "male", "trai"):
        return "M"
    if key in ("nu", "f", "female", "gai"):
        return "F"
    raise ValueError(f"\"{_show(value)}\" không phải Nam hoặc Nữ.")


def parse_cccd_digits(value: object) -> str | None:
    """The digits of a CCCD cell: text kept as typed (spaces and dots removed); a number
    cell becomes its digits (leading zeros are gone; see cccd.restore_leading_zeros)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"\"{_show(value)}\" không phải số CCCD.")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value) or value >= 1e12:
            raise ValueError(f"Số CCCD \"{_show(value)}\" đã bị Excel làm tròn hoặc sai; hãy nhập lại dạng văn bản.")
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"\"{value}\" không phải số CCCD.")
        return str(value)
    text = clean(str(value)).replace(" ", "").replace(".", "").replace("-", "").lstrip("'")
    if re.fullmatch(r"\d+([.,]\d+)?[eE]\+?\d+", clean(str(value))):
        raise ValueError(f"Số CCCD \"{_show(value)}\" bị Excel hiển thị dạng số mũ và đã mất chữ số; hãy nhập lại dạng văn bản.")
    if not text.isdigit():
        raise ValueError(f"Số CCCD \"{_show(value)}\" chỉ được gồm chữ số.")
    return text


def parse_skills(value: object) -> str | None:
    """"1, 2,5" or 3 -> "1,2,5" (sorted, no repeats); each must be 1-5."""
    if is_blank(value):
        return None
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    parts = [p for p in re.split(r"[,;\s]+", clean(str(value))) if p]
    numbers = set()
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= 5:
            raise ValueError(f"Kỹ năng \"{_show(value)}\" phải là các số từ 1 đến 5, cách nhau bởi dấu phẩy.")
        numbers.add(int(p))
    return ",".join(str(n) for n in sorted(numbers)) or None


def parse_code_list(value: object) -> list[str]:
    """"TDP-01, TDP-02" -> ["TDP-01", "TDP-02"]."""
    if is_blank(value):
        return []
    return [c for c in (clean(p) for p in re.split(r"[,;\n]+", str(value))) if c]


def show(value: object, limit: int = 40) -> str:
    """A cell's value shortened for a message."""
    return _show(value, limit)


def _show(value: object, limit: int = 40) -> str:
    text = clean(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
