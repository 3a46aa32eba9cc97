"""One rule set for a record, whichever way it arrives: the person form (services/people.py),
the activity form (services/activities.py) and the Excel import (services/importer.py) all
ask these functions, so the same value is refused the same way with the same message.

Each check returns None when the value is acceptable, or a Vietnamese message."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from bdhvs_desktop.domain import values as V
from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.numbers import vn_number

MAX_NAME_LENGTH = 200
MAX_PARTICIPANTS = 100_000
MAX_AGE_YEARS = 120
# An Excel date serial before this day is not a date anyone enters for this campaign: it is a
# number typed into a date column (1985 reads as 07/06/1905).
EARLIEST_SERIAL_DATE = dt.date(1920, 1, 1)

# Characters that change how the text around them is displayed without being visible themselves:
# the bidirectional embeddings, overrides and isolates (a name can then print reversed or in a
# different order on an official document), and the zero-width characters (two names that look
# the same compare different, and a name can hide text).
_BIDI = {
    "\u061c": "ký tự đánh dấu chữ Ả Rập",
    "\u200e": "ký tự đánh dấu trái-sang-phải",
    "\u200f": "ký tự đánh dấu phải-sang-trái",
    "\u202a": "ký tự nhúng trái-sang-phải",
    "\u202b": "ký tự nhúng phải-sang-trái",
    "\u202c": "ký tự kết thúc nhúng/đảo chiều",
    "\u202d": "ký tự ép chiều trái-sang-phải",
    "\u202e": "ký tự đảo chiều phải-sang-trái",
    "\u2066": "ký tự cô lập trái-sang-phải",
    "\u2067": "ký tự cô lập phải-sang-trái",
    "\u2068": "ký tự cô lập theo nội dung",
    "\u2069": "ký tự kết thúc cô lập",
}
_ZERO_WIDTH = {
    "\u00ad": "dấu gạch nối ẩn",
    "\u180e": "dấu cách ẩn",
    "\u200b": "dấu cách không độ rộng",
    "\u200c": "ký tự không nối không độ rộng",
    "\u200d": "ký tự nối không độ rộng",
    "\u2060": "ký tự nối từ không độ rộng",
    "\u2061": "ký tự toán học ẩn",
    "\u2062": "ký tự toán học ẩn",
    "\u2063": "ký tự toán học ẩn",
    "\u2064": "ký tự toán học ẩn",
    "\ufeff": "dấu BOM (dấu cách không độ rộng)",
    # characters that print as nothing or as a blank while being letters or marks to the computer
    "\u034f": "ký tự nối tổ hợp ẩn",
    "\u115f": "ký tự lấp chỗ Hangul (ẩn)",
    "\u1160": "ký tự lấp chỗ Hangul (ẩn)",
    "\u17b4": "nguyên âm ẩn tiếng Khmer",
    "\u17b5": "nguyên âm ẩn tiếng Khmer",
    "\u2800": "ô chữ nổi trống (trông như dấu cách)",
    "\u3164": "ký tự lấp chỗ Hangul (ẩn)",
    "\uffa0": "ký tự lấp chỗ Hangul (ẩn)",
}
_HIDDEN = {**_BIDI, **_ZERO_WIDTH}
_FLATTENED = re.compile(r"[\t\n\r\u2028\u2029]|_x000[9ADad]_")


def hidden_character_problem(text: str | None) -> str | None:
    """A bidi control or zero-width character anywhere in the text -> a message naming it and
    where it is; None when there is none."""
    if not text:
        return None
    for index, ch in enumerate(text):
        what = _HIDDEN.get(ch)
        if what is None and unicodedata.category(ch) == "Cf":
            what = "ký tự định dạng ẩn"
        if what is not None:
            return (f"Có ký tự ẩn U+{ord(ch):04X} ({what}) ở vị trí {index + 1}: ký tự này không hiện ra nhưng có "
                    "thể làm chữ in ra trên văn bản bị đảo thứ tự hoặc khác với chữ nhìn thấy. Hãy gõ lại ô này "
                    "(không dán từ trang web hoặc tin nhắn).")
    return None


def flattened(raw: object) -> bool:
    """The raw text holds tabs or line breaks (also as Excel's _x000A_ escapes) that are stored
    as single spaces."""
    return isinstance(raw, str) and _FLATTENED.search(raw) is not None


FLATTENED_MESSAGE = ("Ô có dấu tab hoặc xuống dòng; đã thay bằng dấu cách (lưu thành một dòng). "
                     "Hãy kiểm tra lại nội dung ô.")


def person_name_problem(name: str | None) -> str | None:
    """The full name of a person, as stored (already cleaned)."""
    if not name or not name.strip():
        return "Hãy nhập họ và tên."
    if len(name) > MAX_NAME_LENGTH:
        return f"Họ và tên quá dài (tối đa {MAX_NAME_LENGTH} ký tự)."
    if any(ch.isdigit() for ch in name):
        return f"Họ và tên không được chứa chữ số (\"{name}\")."
    for index, ch in enumerate(name):  # emoji variation selectors: harmless in a note, never in a name
        if "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
            return (f"Có ký tự ẩn U+{ord(ch):04X} (bộ chọn biến thể) ở vị trí {index + 1}: ký tự này không hiện ra "
                    "nhưng làm tên khác với tên nhìn thấy. Hãy gõ lại họ và tên.")
    return hidden_character_problem(name)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29/02
        return day.replace(year=day.year - years, day=28)


def birth_date_problem(birth: dt.date | None, today: dt.date) -> str | None:
    if birth is None:
        return None
    if birth > today:
        return f"Ngày sinh {vn_date(birth)} ở tương lai (hôm nay là {vn_date(today)})."
    if birth.year < 1900:
        return f"Ngày sinh {vn_date(birth)} trước năm 1900: hãy kiểm tra lại."
    if birth < _years_before(today, MAX_AGE_YEARS):
        return (f"Ngày sinh {vn_date(birth)} nghĩa là người này đã hơn {MAX_AGE_YEARS} tuổi: hãy kiểm tra lại "
                "(ngày sinh ghi dạng dd/mm/yyyy).")
    return None


def vneid_date_problem(day: dt.date | None, birth: dt.date | None, today: dt.date) -> str | None:
    if day is None:
        return None
    if day > today:
        return f"Ngày thành thạo VNeID {vn_date(day)} ở tương lai."
    if birth is not None and day < birth:
        return "Ngày thành thạo VNeID trước ngày sinh."
    return None


def participants_problem(participants: int | None) -> str | None:
    if participants is None:
        return None
    if participants < 0:
        return "Số người tham gia không được âm."
    if participants > MAX_PARTICIPANTS:
        return f"Số người tham gia {participants} quá lớn (tối đa {vn_number(MAX_PARTICIPANTS)})."
    return None


def activity_date_problem(day: dt.date | None, span: tuple[dt.date, dt.date] | None) -> str | None:
    if day is None or span is None:
        return None
    if not span[0] <= day <= span[1]:
        return (f"Ngày tổ chức {vn_date(day)} nằm ngoài thời gian phong trào "
                f"({vn_date(span[0])} – {vn_date(span[1])}).")
    return None


def activity_unit_problem(kind: str | None, unit_name: str | None, is_party_org: bool | None) -> str | None:
    """A thematic party meeting (sinh hoạt chuyên đề) is held by a party organisation."""
    if kind == "thematic_meeting" and unit_name is not None and is_party_org is False:
        return f"Đơn vị: sinh hoạt chuyên đề do tổ chức đảng tổ chức; “{unit_name}” không phải tổ chức đảng."
    return None


def _bare_year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(value) and value == int(value):
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{4}(\.0)?\s*", value):
        number = int(float(value))
    else:
        return None
    return number if 1000 <= number <= 2999 else None


def date_cell(value: object, *, epoch: dt.datetime | None = None) -> dt.date | None:
    """A date as a cell or a form field gives it: what values.parse_date reads, except a bare
    year (1985 is not a date, and Excel would read it as 07/06/1905) and a serial number that
    falls before 1920 (a number typed into a date column). ValueError with a message."""
    year = _bare_year(value)
    if year is not None:
        return _refuse_year(value, year)
    day = V.parse_date(value, epoch=epoch)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and day is not None \
            and day < EARLIEST_SERIAL_DATE:
        raise ValueError(f"Số {V.show(value)} trong ô ngày được Excel hiểu là ngày {vn_date(day)}: không hợp lý. "
                         "Hãy ghi ngày đầy đủ dạng dd/mm/yyyy.")
    return day


def _refuse_year(value: object, year: int) -> dt.date:
    read_as = ""
    if not isinstance(value, str):
        read_as = f" (Excel hiểu số này là ngày {vn_date(V.parse_date(value))})"
    raise ValueError(f"\"{V.show(value)}\" chỉ là một năm ({year}), không phải một ngày{read_as}. "
                     f"Hãy ghi ngày đầy đủ dạng dd/mm/yyyy, ví dụ 07/06/{year}.")
