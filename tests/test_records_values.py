"""Pure rules: CCCD structure against birth year and sex, and cell value parsing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdhvs_desktop.domain import cccd, values


def test_cccd_structure_matches_birth_year_and_sex():
    assert cccd.check("001188456789", 1988, "F") == []
    assert cccd.check("068085123456", 1985, "M") == []
    assert cccd.check("079303000001", 2003, "F") == []
    assert cccd.decode("079303000001") == ("079", 2003, "F")
    msgs = [i.message for i in cccd.check("001188456789", 1989, "F")]
    assert any("năm sinh 1988" in m and "1989" in m for m in msgs)
    msgs = [i.message for i in cccd.check("001188456789", 1988, "M")]
    assert any("giới tính Nữ" in m for m in msgs)
    assert cccd.check("00118845678")[0].level == "error"
    assert "12 chữ số" in cccd.check("00118845678")[0].message
    assert cccd.check("0011884567a9")[0].level == "error"
    # an unknown province code is only a warning
    assert [i.level for i in cccd.check("000188456789", 1988, "F")] == ["warning"]
    assert cccd.century_digit(1999, "F") == 1 and cccd.century_digit(2000, "M") == 2


def test_leading_zeros_restored_only_when_unambiguous():
    r = cccd.restore_leading_zeros("1188456789", 1988, "F")
    assert r.value == "001188456789" and r.restored and "khôi phục" in r.message
    assert cccd.restore_leading_zeros("68085123456", 1985, "M").value == "068085123456"
    # cannot confirm without birth year and sex
    assert cccd.restore_leading_zeros("1188456789", None, None).value is None
    # padding does not agree with the birth year
    r = cccd.restore_leading_zeros("1188456789", 1990, "F")
    assert r.value is None and "không" in r.message
    # too short to be a lost zero
    assert cccd.restore_leading_zeros("188456789", 1988, "F").value is None


@pytest.mark.parametrize("text,expected", [
    ("Có", True), ("có", True), ("CÓ", True), ("co", True), ("CO", True), ("x", True), ("1", True),
    ("Không", False), ("không", False), ("KHONG", False), ("khong", False), ("k", False), ("0", False),
    ("Co\u0301", True), ("Kho\u0302ng", False), (None, None), ("  ", None), (True, True), (0, False),
])
def test_yes_no_in_any_spelling(text, expected):
    assert values.parse_bool(text) is expected


def test_yes_no_rejects_other_words():
    with pytest.raises(ValueError, match="Có hoặc Không"):
        values.parse_bool("có lẽ")


def test_dates_from_cells_serials_and_text():
    assert values.parse_date(dt.datetime(2026, 3, 31, 0, 0)) == dt.date(2026, 3, 31)
    assert values.parse_date(46112) == dt.date(2026, 3, 31)
    assert values.parse_date(46112.0) == dt.date(2026, 3, 31)
    assert values.parse_date(61) == dt.date(1900, 3, 1)  # after Excel's phantom 29/02/1900
    assert values.parse_date("31/03/2026") == dt.date(2026, 3, 31)
    assert values.parse_date("1/4/2026") == dt.date(2026, 4, 1)
    assert values.parse_date("2026-03-31") == dt.date(2026, 3, 31)
    assert values.parse_date("31/03/2026 00:00:00") == dt.date(2026, 3, 31)
    for bad in ("31/02/2026", "hôm qua", "31/03/26", -5, 10**9, True):
        with pytest.raises(ValueError):
            values.parse_date(bad)


def test_numbers_cccd_digits_and_skills():
    assert values.parse_int("1.200") == 1200 and values.parse_int(12.0) == 12 and values.parse_int(" 7 ") == 7
    with pytest.raises(ValueError):
        values.parse_int(1.5)
    with pytest.raises(ValueError):
        values.parse_int(-1)
    assert values.parse_cccd_digits(1188456789) == "1188456789"
    assert values.parse_cccd_digits("001 188 456 789") == "001188456789"
    with pytest.raises(ValueError, match="số mũ"):
        values.parse_cccd_digits("1.18846E+11")
    assert values.parse_skills("2, 1,2") == "1,2" and values.parse_skills(3.0) == "3"
    with pytest.raises(ValueError):
        values.parse_skills("1,6")
    assert values.parse_choice("chi bo", {"chi_bo": "Chi bộ"}) == "chi_bo"
    assert values.parse_sex("nữ") == "F" and values.parse_sex("NAM") == "M"


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50),
                 st.dates().map(lambda d: d), st.datetimes()))
def test_parsers_return_or_raise_value_error_only(value):
    for parser in (values.parse_bool, values.parse_date, values.parse_int, values.parse_number, values.parse_text,
                   values.parse_sex, values.parse_cccd_digits, values.parse_skills, values.parse_code_list):
        try:
            parser(value)
        except ValueError as exc:
            assert str(exc)
