"""The Excel import: all or nothing, idempotent, tolerant of what real files contain, and
precise about every problem."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from sqlalchemy import select

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services import importer
from bdhvs_desktop.services.campaign import init_campaign
from bdhvs_desktop.storage import models as m
from tests.records_helpers import count, snapshot, write_book

TODAY = dt.date(2026, 11, 20)

UNITS = [
    ["TDP-01", "Tổ dân phố 1", "Tổ dân phố", "DU-PHUONG", "Không", 120, 300],
    ["CB-01", "Chi bộ Khu phố 1", "chi bo", "DU-PHUONG", "co", None, None],
]


def person(name="Nguyễn Thị Hòa", birth="20/05/1988", sex="Nữ", cccd="001188456789", unit="CB-01", **kw):
    row = [name, birth, sex, cccd, unit, kw.get("position", "Đảng viên"), kw.get("party", "Có"),
           kw.get("servant", "Không"), kw.get("vneid", "15/02/2026"), kw.get("guide", "Có"), kw.get("guided", 5),
           kw.get("discipline", "Không")]
    return row


@pytest.fixture
def ward(db):
    init_campaign(db, None)
    return db


def run(db, path, **kw):
    kw.setdefault("today", TODAY)
    return importer.import_workbook(db, path, **kw)


def texts(result, level=None):
    return [p.text() for p in result.problems if level is None or p.level == level]


def test_import_creates_then_reimport_changes_nothing(ward, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"DonVi": UNITS, "NhanSu": [person(), person("Trần Văn An", "01/01/1990",
                                                                                       "Nam", "068090000123")]})
    result = run(ward, path)
    assert result.written and not result.errors, texts(result)
    assert result.counts["DonVi"].created == 2 and result.counts["NhanSu"].created == 2
    with ward.read() as s:
        p = s.scalar(select(m.Person).where(m.Person.cccd == "001188456789"))
        assert p.full_name == "Nguyễn Thị Hòa" and p.birth_date == dt.date(1988, 5, 20) and p.sex == "F"
        assert p.is_party_member and p.can_guide and p.vneid_proficient_on == dt.date(2026, 2, 15)
        assert p.unit.code == "CB-01" and p.unit.parent.code == "DU-PHUONG" and p.unit.is_party_org
    before = snapshot(ward)
    again = run(ward, path)
    assert again.written and again.changes == 0 and not again.problems
    assert snapshot(ward) == before  # not even an audit entry


def test_errors_write_nothing_and_name_sheet_row_column(ward, tmp_path):
    rows = [person(), person("Lê Văn Bình", "01/01/1970", "Nam", "068070000001", unit="KHONG-CO")]
    path = write_book(tmp_path / "e.xlsx", {"DonVi": UNITS, "NhanSu": rows})
    before = snapshot(ward)
    result = run(ward, path)
    assert not result.written and result.errors
    assert snapshot(ward) == before
    err = result.errors[0]
    assert (err.sheet, err.row, err.column) == ("NhanSu", 3, "Mã đơn vị")
    assert "KHONG-CO" in err.message and "không có trong danh sách" in err.message
    assert err.col_index == 5
    assert err.text().startswith("Lỗi (trang NhanSu, dòng 3, cột \"Mã đơn vị\")")


def test_dry_run_reports_without_writing(ward, tmp_path):
    path = write_book(tmp_path / "d.xlsx", {"DonVi": UNITS, "NhanSu": [person()]})
    before = snapshot(ward)
    result = run(ward, path, dry_run=True)
    assert result.dry_run and not result.written and not result.errors
    assert result.counts["NhanSu"].created == 1
    assert snapshot(ward) == before
    assert "chưa ghi" in result.status_line()


@pytest.mark.parametrize("cells,column,fragment", [
    ({"cccd": "00118845678"}, "Số CCCD", "cũng không khớp"),  # 11 digits, padding disagrees
    ({"cccd": "001188456789", "birth": "20/05/1989"}, "Số CCCD", "năm sinh 1988"),
    ({"cccd": "001188456789", "sex": "Nam"}, "Số CCCD", "giới tính Nữ"),
    ({"cccd": "0011884567890"}, "Số CCCD", "12 chữ số"),
    ({"birth": "20/05/2030"}, "Ngày sinh", "tương lai"),
    ({"vneid": "01/12/2026"}, "Ngày thành thạo VNeID", "tương lai"),
    ({"party": "có lẽ"}, "Đảng viên", "Có hoặc Không"),
    ({"guided": "nhiều"}, "Số người đã hướng dẫn", "số nguyên"),
    ({"name": ""}, "Họ và tên", "bắt buộc"),
])
def test_each_kind_of_error(ward, tmp_path, cells, column, fragment):
    kw = {"name": "Nguyễn Thị Hòa", "birth": "20/05/1988", "sex": "Nữ", "cccd": "001188456789"}
    kw.update({k: v for k, v in cells.items() if k in kw})
    extra = {k: v for k, v in cells.items() if k not in kw}
    if "cccd" in cells and cells["cccd"] == "00118845678":
        kw["birth"] = "20/05/1990"
    path = write_book(tmp_path / "k.xlsx", {"DonVi": UNITS, "NhanSu": [person(kw["name"], kw["birth"], kw["sex"],
                                                                             kw["cccd"], **extra)]})
    result = run(ward, path)
    assert not result.written
    assert any(p.column == column and fragment in p.message and p.row == 2 for p in result.errors), texts(result)
    assert count(ward, m.Person) == 0 and count(ward, m.Unit) == count(ward, m.Unit)


def test_cccd_that_lost_its_leading_zeros_is_restored_with_a_warning(ward, tmp_path):
    path = write_book(tmp_path / "z.xlsx", {"DonVi": UNITS, "NhanSu": [person(cccd=1188456789)]})
    result = run(ward, path)
    assert result.written and not result.errors
    warning = [p for p in result.warnings if p.column == "Số CCCD"]
    assert warning and "001188456789" in warning[0].message and warning[0].row == 2
    with ward.read() as s:
        assert s.scalar(select(m.Person.cccd)) == "001188456789"
    # the same number again matches the same person: no change
    assert run(ward, path).changes == 0


def test_lost_zero_without_birth_data_is_an_error(ward, tmp_path):
    path = write_book(tmp_path / "z.xlsx", {"DonVi": UNITS, "NhanSu": [person(birth=None, sex=None, cccd=1188456789)]})
    result = run(ward, path)
    assert not result.written
    assert "xác nhận" in result.errors[0].message


def test_same_person_twice_is_an_error(ward, tmp_path):
    rows = [person(), person(name="Nguyễn Thị Hoà", cccd=None)]  # other tone placement, same birth and unit
    path = write_book(tmp_path / "t.xlsx", {"DonVi": UNITS, "NhanSu": rows})
    result = run(ward, path)
    assert not result.written
    assert any("Trùng người" in p.message and "dòng 2" in p.message and p.row == 3 for p in result.errors)
    rows = [person(), person(name="Phạm Văn Cường", birth="02/02/1988", sex="Nữ")]  # same CCCD
    path = write_book(tmp_path / "t2.xlsx", {"DonVi": UNITS, "NhanSu": rows})
    result = run(ward, path)
    assert any("001188456789" in p.message and p.row == 3 for p in result.errors)


def test_names_match_across_spellings_and_keep_what_was_stored(ward, tmp_path):
    first = write_book(tmp_path / "1.xlsx", {"DonVi": UNITS, "NhanSu": [person(cccd=None)]})
    assert run(ward, first).written
    # decomposed diacritics (Windows keyboard) and the other tone placement, lower case
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Hoa\u0300".lower()
    second = write_book(tmp_path / "2.xlsx", {"NhanSu": [person(decomposed, cccd=None, guided=9)]})
    result = run(ward, second)
    assert result.written and result.counts["NhanSu"].updated == 1 and result.counts["NhanSu"].created == 0
    with ward.read() as s:
        p = s.scalar(select(m.Person))
        assert p.full_name == "Nguyễn Thị Hòa" and p.people_guided == 9


def test_values_in_every_real_form(ward, tmp_path):
    rows = [person("Võ Văn Dũng", dt.datetime(1975, 7, 1), "nam", "068075000777", party="KHONG", servant="co",
                   vneid=46080, guide="x", guided=3.0, discipline="khong")]
    path = write_book(tmp_path / "v.xlsx", {"DonVi": UNITS, "NhanSu": rows})
    result = run(ward, path)
    assert result.written, texts(result)
    with ward.read() as s:
        p = s.scalar(select(m.Person))
    assert (p.is_party_member, p.is_public_servant, p.can_guide, p.under_discipline) == (False, True, True, False)
    assert p.vneid_proficient_on == dt.date(2026, 2, 27) and p.people_guided == 3


def test_formula_without_cached_value_is_an_error(ward, tmp_path):
    rows = [person(guided="=2+3")]  # openpyxl saves formulas without a computed value
    path = write_book(tmp_path / "f.xlsx", {"DonVi": UNITS, "NhanSu": rows})
    result = run(ward, path)
    assert not result.written
    err = [p for p in result.errors if p.column == "Số người đã hướng dẫn"]
    assert err and "công thức" in err[0].message and err[0].row == 2


def test_other_sheets_round_out(ward, tmp_path):
    sheets = {
        "DonVi": UNITS,
        "NhanSu": [person()],
        "HoatDong": [["06/04/2026", "Hướng dẫn trực tiếp", "TDP-01", "Cài VNeID", "2, 1", 25],
                     [dt.date(2026, 4, 13), "lop hoc", "TDP-01", None, 3, "30"]],
        "MoHinh": [["MH-X", "Đại sứ số", "CB-01", "10/01/2026", "Đang triển khai", None, "TDP-01"]],
        "GiaiPhap": [["001188456789", "Nguyễn Thị Hòa", "CB-01", "Sổ tay số", "Có", "Tiết kiệm giấy"],
                     [None, "nguyễn thị hoà", "CB-01", "Bản đồ số", "không", None]],
        "SoLieuChiTieu": [["NHAN_BIET_PT", "TDP-01", "31/03/2026", 250, 300]],
    }
    path = write_book(tmp_path / "o.xlsx", sheets)
    result = run(ward, path)
    assert result.written, texts(result)
    assert {k: c.created for k, c in result.counts.items()} == {
        "DonVi": 2, "NhanSu": 1, "HoatDong": 2, "MoHinh": 1, "GiaiPhap": 2, "SoLieuChiTieu": 1}
    with ward.read() as s:
        acts = s.execute(select(m.Activity.skills, m.Activity.participants).order_by(m.Activity.date)).all()
        assert acts == [("1,2", 25), ("3", 30)]
        dm = s.scalar(select(m.DigitalModel))
        assert dm.status == "implementing" and [r.unit.code for r in dm.replications] == ["TDP-01"]
        fig = s.scalar(select(m.ReportedFigure))
        assert (fig.numerator, fig.denominator) == (250, 300)
    assert run(ward, path).changes == 0


def test_unknown_sheets_and_columns_are_warnings_missing_required_column_an_error(ward, tmp_path):
    path = write_book(tmp_path / "w.xlsx", {"Sheet1": [["x"]], "DonVi": UNITS})
    result = run(ward, path)
    assert result.written and any("Sheet1" in w for w in texts(result, "warning"))
    path = write_book(tmp_path / "h.xlsx", {"NhanSu": [["Họ và tên", "Ngày sinh"], ["A", "01/01/1990"]]},
                      headers=False)
    result = run(ward, path)
    assert not result.written and any("Thiếu cột bắt buộc \"Mã đơn vị\"" in e for e in texts(result, "error"))
    path = write_book(tmp_path / "n.xlsx", {"Trang tính 1": [["a", "b"]]})
    result = run(ward, path)
    assert not result.written and "không có trang nào" in result.errors[0].message


def test_merged_cells_and_empty_rows_are_named(ward, tmp_path):
    rows = [person(), [None] * 12, [None] * 12, person("Trần Văn An", "01/01/1990", "Nam", "068090000123", unit=None)]
    path = write_book(tmp_path / "mg.xlsx", {"DonVi": UNITS, "NhanSu": rows}, merges={"NhanSu": ["E2:E5"]})
    result = run(ward, path)
    assert not result.written
    err = [p for p in result.errors if p.row == 5]
    assert err and "ô gộp E2:E5" in err[0].message


def test_example_row_of_the_template_is_skipped(ward, tmp_path):
    path = xio.write_template(tmp_path / "mau.xlsx")
    result = run(ward, path)
    assert not result.errors and result.changes == 0
    assert any("Dòng ví dụ" in w for w in texts(result, "warning"))
    assert "không có dòng số liệu" in result.status_line()


# ---------------------------------------------------------------- unusable files


def test_not_a_workbook(ward, tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_text("Họ và tên;Ngày sinh\n", encoding="utf-8")
    with pytest.raises(importer.UnusableFile, match="không phải sổ làm việc"):
        run(ward, p)
    z = tmp_path / "z.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(importer.UnusableFile, match="không phải sổ làm việc"):
        run(ward, z)
    with pytest.raises(importer.UnusableFile, match="Không tìm thấy"):
        run(ward, tmp_path / "missing.xlsx")


def test_encrypted_and_legacy_files(ward, tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    enc = tmp_path / "enc.xlsx"
    enc.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1024)
    with pytest.raises(importer.UnusableFile, match="mật khẩu"):
        run(ward, enc)
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(ole + b"\0" * 1024)
    with pytest.raises(importer.UnusableFile, match=r"\.xls"):
        run(ward, xls)


def test_zip_bomb_and_size_limit(ward, tmp_path, monkeypatch):
    good = write_book(tmp_path / "g.xlsx", {"DonVi": UNITS})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/pad.bin", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(importer.UnusableFile, match="bom nén"):
        run(ward, bomb)
    monkeypatch.setattr(xio, "MAX_FILE_BYTES", 1000)
    with pytest.raises(importer.UnusableFile, match="quá lớn"):
        run(ward, good)


def test_damaged_sheet_xml_is_unusable(ward, tmp_path):
    good = write_book(tmp_path / "g.xlsx", {"DonVi": UNITS})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(importer.UnusableFile):
        run(ward, bad)


# ---------------------------------------------------------------- progress and cancel


def test_progress_and_cancel(ward, tmp_path):
    rows = [person(f"Người Số {i}", "01/01/1980", "Nam", None, "TDP-01", party="Không") for i in range(1200)]
    rows = [[f"Người Thứ {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{chr(65 + i // 676)}"] + r[1:]
            for i, r in enumerate(rows)]
    path = write_book(tmp_path / "p.xlsx", {"DonVi": UNITS, "NhanSu": rows})
    seen = []
    result = run(ward, path, progress=lambda d, t, msg: seen.append((d, t, msg)))
    assert result.written and result.counts["NhanSu"].created == 1200, texts(result)[:3]
    assert seen and seen[-1][0] >= 1200 and all(isinstance(x[2], str) for x in seen)
    before = snapshot(ward)
    calls = {"n": 0}

    def cancel_midway():
        calls["n"] += 1
        return calls["n"] > 2

    rows2 = [[r[0] + " B"] + r[1:] for r in rows]
    path2 = write_book(tmp_path / "p2.xlsx", {"NhanSu": rows2})
    result = run(ward, path2, cancelled=cancel_midway)
    assert result.cancelled and not result.written
    assert snapshot(ward) == before


def test_numeric_unit_codes_match_on_reimport(ward, tmp_path):
    sheets = {"DonVi": [[12, "Tổ 12", "Tổ dân phố", None, "Không", None, None]],
              "HoatDong": [["06/04/2026", "Phát thanh", 12.0, "Bản tin", "1", 0]]}
    path = write_book(tmp_path / "n.xlsx", sheets)
    assert run(ward, path).written
    again = run(ward, path)
    assert again.changes == 0 and again.counts["HoatDong"].unchanged == 1


def test_failure_while_writing_rolls_back_everything(ward, tmp_path, monkeypatch):
    """Units are written before people: a failure in the middle leaves no unit behind."""
    path = write_book(tmp_path / "r.xlsx", {"DonVi": UNITS, "NhanSu": [person()]})
    before = snapshot(ward)

    def boom(*_a, **_k):
        raise OSError("đĩa đầy (giả lập)")

    monkeypatch.setattr(importer.people_sheet, "plan", lambda ctx, sheet: boom)
    with pytest.raises(OSError):
        run(ward, path)
    assert snapshot(ward) == before


def test_xml_entity_bomb_is_refused(ward, tmp_path):
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # openpyxl guards against XML bombs only with defusedxml installed
    good = write_book(tmp_path / "g.xlsx", {"DonVi": UNITS})
    bomb = tmp_path / "laughs.xlsx"
    doctype = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
               b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = doctype + data.replace(b"TDP-01", b"&lol3;", 1)
            dst.writestr(info, data)
    before = snapshot(ward)
    with pytest.raises(importer.UnusableFile, match="XML nguy hiểm"):
        run(ward, bomb)
    assert snapshot(ward) == before


def test_blank_cells_never_erase_what_is_on_record(ward, tmp_path):
    first = write_book(tmp_path / "1.xlsx", {"DonVi": UNITS, "NhanSu": [person()]})
    assert run(ward, first).written
    blank = person(birth=None, vneid=None, party=None, guided=None)
    blank[5] = None  # position
    second = write_book(tmp_path / "2.xlsx", {
        "DonVi": [["CB-01", "Chi bộ Khu phố 1", "Chi bộ", None, None, None, None]], "NhanSu": [blank]})
    result = run(ward, second)
    assert result.written and result.changes == 0, texts(result)
    kept = {p.column for p in result.warnings}
    assert {"Ngày thành thạo VNeID", "Ngày sinh", "Mã đơn vị cấp trên"} <= kept
    with ward.read() as s:
        p = s.scalar(select(m.Person))
        assert (p.birth_date, p.vneid_proficient_on, p.is_party_member, p.people_guided, p.position) == (
            dt.date(1988, 5, 20), dt.date(2026, 2, 15), True, 5, "Đảng viên")
        assert s.scalar(select(m.Unit).where(m.Unit.code == "CB-01")).parent.code == "DU-PHUONG"
    # an explicit value still changes it
    changed = person(party="Không", guided=7)
    result = run(ward, write_book(tmp_path / "3.xlsx", {"NhanSu": [changed]}))
    assert result.counts["NhanSu"].updated == 1
