"""Vietnamese formatting for official documents: dates, times, numbers, percentages.

Pure functions, no third-party imports, usable from templates (they are exposed as
template globals by :mod:`bdhvs_desktop.documents.render`) and from the UI.

Date rule (Decree 30/2020/NĐ-CP, Appendix I, and Hướng dẫn 36-HD/VPTW): the day is
written with a leading zero when it is below 10, the month only when it is 1 or 2::

    >>> vn_date(datetime.date(2026, 11, 5), "La Gi")
    'La Gi, ngày 05 tháng 11 năm 2026'
    >>> vn_date(datetime.date(2026, 3, 31))
    'ngày 31 tháng 3 năm 2026'
    >>> vn_date(datetime.date(2026, 2, 1))
    'ngày 01 tháng 02 năm 2026'

Numbers use "." between thousands and "," before decimals (``1.234.567,5``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from numbers import Number

from bdhvs_desktop.domain.numbers import to_decimal as _to_decimal
from bdhvs_desktop.domain.numbers import vn_number

__all__ = [
    "BLANK_DATE",
    "BLANK_FIELD",
    "or_blank",
    "vn_quarter",
    "document_number",
    "document_symbol",
    "percent_of",
    "vn_count",
    "vn_date",
    "vn_datetime",
    "vn_number",
    "vn_percent",
    "vn_short_date",
    "vn_time",
]

#: What is printed for a date the clerk will write in by hand.
BLANK_DATE = "ngày      tháng      năm        "
#: What is printed for a field with no data: a dotted line to fill in by hand.
BLANK_FIELD = "…………………………………"

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _day(d: datetime.date) -> str:
    return f"{d.day:02d}" if d.day < 10 else str(d.day)


def _month(d: datetime.date) -> str:
    return f"{d.month:02d}" if d.month < 3 else str(d.month)


def vn_date(d: datetime.date | None, place: str = "") -> str:
    """``"La Gi, ngày 05 tháng 11 năm 2026"``; without *place* just ``"ngày 05 ..."``.

    ``None`` gives blanks to be filled in by hand (``"ngày      tháng      năm ..."``).
    """
    if d is None:
        text = BLANK_DATE
    else:
        if isinstance(d, datetime.datetime):
            d = d.date()
        text = f"ngày {_day(d)} tháng {_month(d)} năm {d.year}"
    place = (place or "").strip()
    return f"{place}, {text}" if place else text


def vn_short_date(d: datetime.date | None) -> str:
    """``"05/11/2026"`` as used inside citations ("Kế hoạch số 08-KH/ĐU, ngày 30/10/2025")."""
    if d is None:
        return "..../..../........"
    if isinstance(d, datetime.datetime):
        d = d.date()
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def vn_time(t: datetime.time | datetime.datetime | None) -> str:
    """``"14 giờ 00 phút"``; ``None`` gives blanks."""
    if t is None:
        return "     giờ      phút"
    return f"{t.hour:02d} giờ {t.minute:02d} phút"


def vn_datetime(dt: datetime.datetime | None) -> str:
    """``"14 giờ 00 phút, ngày 05 tháng 11 năm 2026"``."""
    if dt is None:
        return f"{vn_time(None)}, {BLANK_DATE}"
    return f"{vn_time(dt)}, {vn_date(dt.date())}"


def percent_of(part: Number | None, whole: Number | None) -> Decimal | None:
    """``part / whole * 100`` as a Decimal, or ``None`` when it is undefined."""
    if part is None or whole is None:
        return None
    whole_d = _to_decimal(whole)
    if whole_d == 0:
        return None
    return _to_decimal(part) * 100 / whole_d


def vn_percent(value: Number | None, decimals: int | None = None) -> str:
    """A percentage value (``85.714``) as ``"85,71%"``; ``100`` as ``"100%"``.

    ``None`` gives ``""``. See :func:`vn_number` for *decimals*.
    """
    if value is None:
        return ""
    return vn_number(value, decimals) + "%"


def vn_count(n: int | None) -> str:
    """Counts the way offices write them: ``3`` -> ``"03"`` (one to nine get a zero), larger
    ones like every other number (``12345`` -> ``"12.345"``)."""
    if n is None:
        return ""
    n = int(n)
    return f"{n:02d}" if 0 < n < 10 else vn_number(n)


def document_symbol(
    number: int | str | None, kind: str, abbreviation: str, fmt: str
) -> str:
    """The number and symbol without "Số": ``"12-TTr/ĐU"`` (party), ``"12/TTr-UBND"`` (state).

    ``None`` or ``""`` leaves room for the number to be written in by the clerk.
    """
    num = "" if number is None else str(number).strip()
    if fmt == "party":
        return f"{num or '      '}-{kind}/{abbreviation}"
    if fmt == "state":
        return f"{num or '      '}/{kind}-{abbreviation}"
    raise ValueError(f"thể thức không hợp lệ: {fmt!r} (phải là 'party' hoặc 'state')")


def document_number(
    number: int | str | None, kind: str, abbreviation: str, fmt: str
) -> str:
    """Number and symbol of a document as printed under the issuing body.

    * party format (Hướng dẫn 36-HD/VPTW): ``"Số 12-TTr/ĐU"`` -- no colon;
    * state format (Decree 30/2020): ``"Số: 12/TTr-UBND"``.
    """
    symbol = document_symbol(number, kind, abbreviation, fmt)
    return f"Số {symbol}" if fmt == "party" else f"Số: {symbol}"


def or_blank(text: str | None) -> str:
    """The text, or a dotted line to fill in by hand when there is none."""
    text = (text or "").strip()
    return text or BLANK_FIELD


def vn_quarter(text: str | None) -> str:
    """A quarter as offices write it: ``"Q3/2026"`` -> ``"quý III/2026"``; ``"quý II/2026"``
    is kept; anything else is returned unchanged."""

    raw = (text or "").strip()
    m = re.fullmatch(r"(?i)(?:q|quý|quy)\s*([1-4]|i{1,3}|iv)\s*[/.-]\s*(\d{4})", raw)
    if not m:
        return raw
    q = m.group(1).upper()
    roman = _ROMAN[int(q)] if q.isdigit() else q
    return f"quý {roman}/{m.group(2)}"
