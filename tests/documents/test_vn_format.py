"""Vietnamese formatting: the Decree 30/2020 date rule, separators, document numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bdhvs_desktop.documents import vn_format as vf


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 5), "ngày 05 tháng 11 năm 2026"),  # day < 10: zero
        (dt.date(2026, 3, 31), "ngày 31 tháng 3 năm 2026"),  # month 3..12: no zero
        (dt.date(2026, 2, 15), "ngày 15 tháng 02 năm 2026"),  # month 1, 2: zero
        (dt.date(2026, 1, 1), "ngày 01 tháng 01 năm 2026"),
        (dt.date(2026, 9, 9), "ngày 09 tháng 9 năm 2026"),
        (dt.date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
        (dt.date(2026, 12, 25), "ngày 25 tháng 12 năm 2026"),
    ],
)
def test_date_leading_zero_rule(day, expected):
    assert vf.vn_date(day) == expected


def test_date_with_place_and_datetime():
    assert vf.vn_date(dt.date(2026, 11, 5), "La Gi") == "La Gi, ngày 05 tháng 11 năm 2026"
    assert vf.vn_date(dt.datetime(2026, 2, 3, 14, 30), "La Gi") == "La Gi, ngày 03 tháng 02 năm 2026"


def test_blank_date_is_left_for_the_clerk():
    text = vf.vn_date(None, "La Gi")
    assert text.startswith("La Gi, ngày ") and "tháng" in text and "năm" in text
    assert not any(ch.isdigit() for ch in text)


def test_short_date_time_and_datetime():
    assert vf.vn_short_date(dt.date(2026, 3, 5)) == "05/03/2026"
    assert vf.vn_time(dt.time(8, 5)) == "08 giờ 05 phút"
    assert vf.vn_datetime(dt.datetime(2026, 11, 3, 14, 0)) == "14 giờ 00 phút, ngày 03 tháng 11 năm 2026"


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1234567, {}, "1.234.567"),
        (0, {}, "0"),
        (-1234, {}, "-1.234"),
        (1234.5, {}, "1.234,5"),
        (Decimal("1234.567"), {}, "1.234,57"),
        (12.0, {}, "12"),
        (2.5, {"decimals": 2}, "2,50"),
        (0.125, {"decimals": 2}, "0,13"),  # half up, not banker's rounding
        (-0.001, {}, "0"),
        (None, {}, ""),
    ],
)
def test_numbers(value, kwargs, expected):
    assert vf.vn_number(value, **kwargs) == expected


def test_percent():
    assert vf.vn_percent(vf.percent_of(6, 7)) == "85,71%"
    assert vf.vn_percent(vf.percent_of(9, 9)) == "100%"
    assert vf.vn_percent(vf.percent_of(8, 9)) == "88,89%"
    assert vf.vn_percent(66.666, 1) == "66,7%"
    assert vf.percent_of(1, 0) is None and vf.vn_percent(None) == ""


def test_count_like_offices_write_it():
    assert [vf.vn_count(n) for n in (0, 1, 9, 10, 123)] == ["0", "01", "09", "10", "123"]


def test_document_numbers_per_format():
    assert vf.document_number(12, "TTr", "ĐU", "party") == "Số 12-TTr/ĐU"
    assert vf.document_number(12, "TTr", "UBND", "state") == "Số: 12/TTr-UBND"
    assert vf.document_symbol(3, "BB", "HĐTĐKT", "state") == "3/BB-HĐTĐKT"
    blank = vf.document_number(None, "TTr", "UBND", "state")
    assert blank.startswith("Số: ") and blank.endswith("/TTr-UBND") and not any(c.isdigit() for c in blank)
    with pytest.raises(ValueError):
        vf.document_number(1, "TTr", "X", "other")
