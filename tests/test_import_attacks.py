"""The import attacked as a careless user or a hostile cell would (issue #15 points 1 and 5,
issue #12's rule disagreements): a CCCD typo never overwrites another person, a bare year is
not a birth date, and a record is held to the same rules whether it arrives through the
person form or through a workbook."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import importer, people
from bdhvs_desktop.services.campaign import init_campaign
from bdhvs_desktop.storage import models as m
from tests.records_helpers import count, snapshot, write_book
from tests.test_import import UNITS, person, texts

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def ward(db):
    init_campaign(db, None)
    return db


def run(db, path, **kw):
    kw.setdefault("today", TODAY)
    return importer.import_workbook(db, path, **kw)


def _errors_at(result, row, column):
    return [p for p in result.errors if p.sheet == "NhanSu" and p.row == row and p.column == column]


# --------------------------------------------------------------------------- point 1: CCCD typo


def test_cccd_typo_matching_another_person_is_an_error_not_an_overwrite(ward, tmp_path):
    # Two people of the same birth year and sex: the second one's CCCD differs in the last digits only.
    first = write_book(tmp_path / "1.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Nguyễn Thị Hòa", "20/05/1988", "Nữ", "001188456789", unit="CB-01", position="Bí thư"),
        person("Trần Thị Lan", "03/09/1988", "Nữ", "001188456790", unit="TDP-01", position="Tổ trưởng"),
    ]})
    assert run(ward, first).written
    before = snapshot(ward)
    # A unit sends Lan's row again with Hòa's CCCD typed by mistake.
    typo = write_book(tmp_path / "2.xlsx", {"NhanSu": [
        person("Trần Thị Lan", "03/09/1988", "Nữ", "001188456789", unit="TDP-01", position="Tổ trưởng"),
    ]})
    result = run(ward, typo)
    assert not result.written and not result.ok
    errs = _errors_at(result, 2, "Số CCCD")
    assert errs, texts(result)
    assert "Nguyễn Thị Hòa" in errs[0].message and "Trần Thị Lan" in errs[0].message
    assert errs[0].text().startswith("Lỗi (trang NhanSu, dòng 2, cột \"Số CCCD\")")
    assert snapshot(ward) == before  # Hòa keeps her name, birth date, unit and position
    with ward.read() as s:
        hoa = s.scalar(select(m.Person).where(m.Person.cccd == "001188456789"))
        assert (hoa.full_name, hoa.birth_date, hoa.unit.code, hoa.position) == (
            "Nguyễn Thị Hòa", dt.date(1988, 5, 20), "CB-01", "Bí thư")


def test_cccd_match_with_the_same_name_in_another_spelling_still_updates(ward, tmp_path):
    first = write_book(tmp_path / "1.xlsx", {"DonVi": UNITS, "NhanSu": [person(guided=5)]})
    assert run(ward, first).written
    # decomposed input, old tone placement, look-alike Ð: the same name (pitfalls #9)
    again = write_book(tmp_path / "2.xlsx", {"NhanSu": [person("NGUYE\u0302\u0303N THI\u0323 HOÀ", guided=7)]})
    result = run(ward, again)
    assert result.written and result.counts["NhanSu"].updated == 1, texts(result)
    with ward.read() as s:
        p = s.scalar(select(m.Person))
        assert p.full_name == "Nguyễn Thị Hòa" and p.people_guided == 7


def test_solution_row_whose_cccd_is_someone_else_is_an_error(ward, tmp_path):
    first = write_book(tmp_path / "1.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Nguyễn Thị Hòa", "20/05/1988", "Nữ", "001188456789"),
        person("Trần Thị Lan", "03/09/1988", "Nữ", "001188456790", unit="TDP-01")]})
    assert run(ward, first).written
    book = write_book(tmp_path / "2.xlsx", {"GiaiPhap": [
        ["001188456789", "Trần Thị Lan", "TDP-01", "Sổ tay số", "Có", None]]})
    result = run(ward, book)
    assert not result.written
    errs = [p for p in result.errors if p.sheet == "GiaiPhap" and p.row == 2]
    assert errs and "Nguyễn Thị Hòa" in errs[0].message and "Trần Thị Lan" in errs[0].message, texts(result)
    assert count(ward, m.Solution) == 0


# --------------------------------------------------------------------------- point 5: dates


@pytest.mark.parametrize("cell", [1985, 1985.0, "1985"])
def test_birth_year_alone_is_not_a_birth_date(ward, tmp_path, cell):
    book = write_book(tmp_path / "y.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Lê Văn Tâm", cell, "Nam", None, unit="TDP-01")]})
    result = run(ward, book)
    assert not result.written
    errs = _errors_at(result, 2, "Ngày sinh")
    assert errs, texts(result)
    assert "1985" in errs[0].message and "năm" in errs[0].message and "dd/mm/yyyy" in errs[0].message
    assert count(ward, m.Person) == 0


@pytest.mark.parametrize("serial", [61, 366, 3000])
def test_implausible_date_serials_are_refused(ward, tmp_path, serial):
    book = write_book(tmp_path / "s.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Lê Văn Tâm", serial, "Nam", None, unit="TDP-01")]})
    result = run(ward, book)
    assert not result.written
    errs = _errors_at(result, 2, "Ngày sinh")
    assert errs and "không hợp lý" in errs[0].message, texts(result)


def test_a_real_serial_date_is_still_read(ward, tmp_path):
    book = write_book(tmp_path / "r.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Lê Văn Tâm", 31189, "Nam", None, unit="TDP-01")]})  # 01/05/1985
    result = run(ward, book)
    assert result.written, texts(result)
    with ward.read() as s:
        assert s.scalar(select(m.Person.birth_date)) == dt.date(1985, 5, 22)


def test_birth_date_more_than_120_years_ago_is_refused_by_form_and_import(ward, tmp_path):
    book = write_book(tmp_path / "o.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Lê Văn Tâm", "01/01/1901", "Nam", None, unit="TDP-01")]})
    result = run(ward, book)
    errs = _errors_at(result, 2, "Ngày sinh")
    assert not result.written and errs and "120" in errs[0].message, texts(result)
    data = people.PersonData(full_name="Lê Văn Tâm", birth_date=dt.date(1901, 1, 1), unit_id=1)
    assert "120" in people.validate_person(ward, data, today=TODAY)["birth_date"]


# --------------------------------------------------------------------------- point 5: names


HOSTILE_NAMES = {
    "digits": ("Nguyễn Văn 3", "chữ số"),
    "bidi override": ("Nguyễn \u202eVăn An", "U+202E"),
    "bidi isolate": ("Nguyễn \u2067Văn\u2069 An", "U+2067"),
    "zero width space": ("Nguyễn\u200b Văn An", "U+200B"),
    "zero width joiner": ("Nguyễn Văn\u200d An", "U+200D"),
    "byte order mark": ("\ufeffNguyễn Văn An", "U+FEFF"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_NAMES))
def test_import_refuses_what_the_person_form_refuses(ward, tmp_path, kind):
    name, fragment = HOSTILE_NAMES[kind]
    book = write_book(tmp_path / "n.xlsx", {"DonVi": UNITS, "NhanSu": [
        person(name, "01/01/1970", "Nam", "068070000001", unit="TDP-01")]})
    result = run(ward, book)
    assert not result.written, texts(result)
    errs = _errors_at(result, 2, "Họ và tên")
    assert errs and fragment in errs[0].message, texts(result)
    assert count(ward, m.Person) == 0
    # the form says the same thing about the same name
    with ward.read() as s:
        unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == "DU-PHUONG"))
    form = people.validate_person(ward, people.PersonData(full_name=name, unit_id=unit_id), today=TODAY)
    assert fragment in form.get("full_name", ""), form
    with pytest.raises(people.ValidationError):
        people.save_person(ward, people.PersonData(full_name=name, unit_id=unit_id))


def test_bidi_controls_are_refused_in_every_text_cell(ward, tmp_path):
    book = write_book(tmp_path / "b.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Lê Văn Tâm", "01/01/1970", "Nam", None, unit="TDP-01", position="Tổ trưởng\u202e gnuhp")]})
    result = run(ward, book)
    errs = _errors_at(result, 2, "Chức vụ")
    assert not result.written and errs and "U+202E" in errs[0].message, texts(result)


def test_person_form_refuses_hidden_characters_in_its_other_text_fields(ward):
    with ward.read() as s:
        unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == "DU-PHUONG"))
    data = people.PersonData(full_name="Lê Văn Tâm", unit_id=unit_id, position="Bí\u200b thư")
    errors = people.validate_person(ward, data, today=TODAY)
    assert "U+200B" in errors.get("position", ""), errors


def test_tabs_and_newlines_flattened_are_reported_by_cell(ward, tmp_path):
    book = write_book(tmp_path / "t.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Lê\tVăn\nTâm", "01/01/1970", "Nam", None, unit="TDP-01", position="Tổ\r\ntrưởng")]})
    result = run(ward, book)
    assert result.written, texts(result)
    flat = [p for p in result.warnings if p.row == 2 and "xuống dòng" in p.message]
    assert {p.column for p in flat} == {"Họ và tên", "Chức vụ"}, texts(result)
    with ward.read() as s:
        assert s.scalar(select(m.Person.full_name)) == "Lê Văn Tâm"


# --------------------------------------------------------------------------- issue #12: one rule set


def test_participants_limit_is_the_forms(ward, tmp_path):
    book = write_book(tmp_path / "p.xlsx", {"DonVi": UNITS, "HoatDong": [
        ["06/04/2026", "Hướng dẫn trực tiếp", "TDP-01", "Cài VNeID", "1", 5_000_000]]})
    result = run(ward, book)
    errs = [p for p in result.errors if p.sheet == "HoatDong" and p.column == "Số người tham gia"]
    assert not result.written and errs and "100.000" in errs[0].message, texts(result)


def test_activity_date_must_be_inside_the_campaign_as_in_the_form(ward, tmp_path):
    book = write_book(tmp_path / "d.xlsx", {"DonVi": UNITS, "HoatDong": [
        ["06/04/2024", "Hướng dẫn trực tiếp", "TDP-01", "Cài VNeID", "1", 5]]})
    result = run(ward, book)
    errs = [p for p in result.errors if p.sheet == "HoatDong" and p.column == "Ngày"]
    assert not result.written and errs and "ngoài thời gian phong trào" in errs[0].message, texts(result)


def test_solution_row_citing_a_new_persons_cccd_under_another_name_is_an_error(ward, tmp_path):
    book = write_book(tmp_path / "n.xlsx", {"DonVi": UNITS, "NhanSu": [
        person("Nguyễn Thị Hòa", "20/05/1988", "Nữ", "001188456789")],
        "GiaiPhap": [["001188456789", "Trần Thị Lan", "TDP-01", "Sổ tay số", "Có", None]]})
    result = run(ward, book)
    errs = [p for p in result.errors if p.sheet == "GiaiPhap" and p.row == 2 and p.column == "Số CCCD"]
    assert not result.written and errs and "Nguyễn Thị Hòa" in errs[0].message, texts(result)
    assert count(ward, m.Person) == 0


def test_thematic_meeting_of_a_unit_that_is_no_party_organisation_is_refused_as_in_the_form(ward, tmp_path):
    book = write_book(tmp_path / "t.xlsx", {"DonVi": UNITS, "HoatDong": [
        ["06/04/2026", "Sinh hoạt chuyên đề", "TDP-01", "Đảng viên tiên phong", "1", 20],
        ["07/04/2026", "Sinh hoạt chuyên đề", "CB-01", "Đảng viên tiên phong", "1", 20]]})
    result = run(ward, book)
    errs = [p for p in result.errors if p.sheet == "HoatDong"]
    assert not result.written and [(p.row, p.column) for p in errs] == [(2, "Mã đơn vị")], texts(result)
    assert "không phải tổ chức đảng" in errs[0].message


def test_a_damaged_zip_version_is_an_unusable_file_not_a_crash(ward, tmp_path):
    """Found by the fuzz test: one byte of the central directory set to 64 ("zip file version
    6.4") made zipfile raise NotImplementedError out of the import."""
    good = write_book(tmp_path / "g.xlsx", {"DonVi": UNITS}).read_bytes()
    at = good.index(b"PK\x01\x02") + 6  # "version needed to extract" of the first entry
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(good[:at] + bytes([64]) + good[at + 1:])
    before = snapshot(ward)
    with pytest.raises(importer.UnusableFile, match="bị hỏng"):
        run(ward, bad, dry_run=True)
    assert snapshot(ward) == before
