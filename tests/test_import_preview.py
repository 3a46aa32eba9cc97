"""The import writes what was previewed: the wizard (and import_previewed) apply the rows read at
the preview, re-checked against the database at import time, never a second reading of the file
(a file saved in Excel between the preview and the import is not what the user saw)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import importer
from bdhvs_desktop.services.campaign import init_campaign
from bdhvs_desktop.storage import models as m
from tests.records_helpers import snapshot, write_book

TODAY = dt.date(2026, 11, 20)
UNITS = [["TDP-01", "Tổ dân phố 1", "Tổ dân phố", "DU-PHUONG", "Không", 120, 300]]


def person(name, birth, cccd, unit="TDP-01"):
    return [name, birth, "Nữ", cccd, unit, None, "Không", "Không", None, "Không", 0, "Không"]


def names(db) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(m.Person.full_name)))


@pytest.fixture
def ward(db):
    init_campaign(db, None)
    first = importer.import_workbook(db, write_book(db.path.parent / "units.xlsx", {"DonVi": UNITS}), today=TODAY)
    assert first.written
    return db


def test_the_previewed_rows_are_imported_not_the_file_saved_since(ward, tmp_path):
    path = tmp_path / "book.xlsx"
    write_book(path, {"NhanSu": [person("Lý Thị Hạnh", "12/03/1991", "068191000321")]})
    preview = importer.analyse_workbook(ward, path, today=TODAY)
    assert preview.ok and preview.counts["NhanSu"].created == 1
    # saved again in Excel meanwhile, with other rows
    write_book(path, {"NhanSu": [person("Phan Thị Khoa", "01/02/1985", "068185000111"),
                                 person("Đỗ Thị Lan", "03/04/1979", "068179000222")]})
    result = importer.import_previewed(ward, preview, today=TODAY)
    assert result.written and result.counts["NhanSu"].created == 1, [p.text() for p in result.problems]
    assert "Lý Thị Hạnh" in names(ward)
    assert not {"Phan Thị Khoa", "Đỗ Thị Lan"} & names(ward)


def test_a_person_added_since_the_preview_stops_the_import_with_a_message(ward, tmp_path):
    path = write_book(tmp_path / "book.xlsx", {"NhanSu": [person("Lý Thị Hạnh", "12/03/1991", "068191000321"),
                                                          person("Phan Thị Khoa", "01/02/1985", "068185000111")]})
    preview = importer.analyse_workbook(ward, path, today=TODAY)
    assert preview.ok and preview.counts["NhanSu"].created == 2
    # a colleague imports one of the two people between the preview and the import
    other = write_book(tmp_path / "other.xlsx", {"NhanSu": [person("Lý Thị Hạnh", "12/03/1991", "068191000321")]})
    assert importer.import_workbook(ward, other, today=TODAY).written
    before = snapshot(ward)
    result = importer.import_previewed(ward, preview, today=TODAY)
    assert not result.written and result.errors
    message = " ".join(p.text() for p in result.errors)
    assert "đã thay đổi kể từ lúc kiểm tra" in message and "NhanSu" in message
    assert snapshot(ward) == before  # nothing half-written
    assert "Phan Thị Khoa" not in names(ward)


def test_a_unit_deleted_since_the_preview_stops_the_import(ward, tmp_path):
    path = write_book(tmp_path / "book.xlsx", {"NhanSu": [person("Lý Thị Hạnh", "12/03/1991", "068191000321")]})
    preview = importer.analyse_workbook(ward, path, today=TODAY)
    assert preview.ok
    with ward.session() as s:
        s.delete(s.scalar(select(m.Unit).where(m.Unit.code == "TDP-01")))
    before = snapshot(ward)
    result = importer.import_previewed(ward, preview, today=TODAY)
    assert not result.written
    message = " ".join(p.text() for p in result.errors)
    assert "TDP-01" in message and "đã thay đổi kể từ lúc kiểm tra" in message
    assert snapshot(ward) == before


def test_a_preview_with_errors_or_a_real_import_cannot_be_applied(ward, tmp_path):
    path = write_book(tmp_path / "book.xlsx", {"NhanSu": [person("Lý Thị Hạnh", "12/03/1991", "068191000321",
                                                                 unit="KHONG-CO")]})
    preview = importer.analyse_workbook(ward, path, today=TODAY)
    assert preview.errors
    with pytest.raises(ValueError, match="chưa kiểm tra|có lỗi"):
        importer.import_previewed(ward, preview, today=TODAY)
    written = importer.import_workbook(ward, write_book(tmp_path / "ok.xlsx", {"DonVi": UNITS}), today=TODAY)
    with pytest.raises(ValueError, match="chưa kiểm tra|có lỗi"):
        importer.import_previewed(ward, written, today=TODAY)


def test_the_wizard_imports_what_it_previewed(demo_db, qapp, qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.import_wizard import ImportWizard

    ctx = AppContext(demo_db)
    path = tmp_path / "book.xlsx"
    write_book(path, {"DonVi": [["TDP-77", "Tổ dân phố 77", "Tổ dân phố", "DU-PHUONG", "Không", 90, 200]],
                      "NhanSu": [person("Lý Thị Hạnh", "12/03/1991", "068191000321", unit="TDP-77")]})
    wizard = ImportWizard(ctx, None, str(path))
    qtbot.addWidget(wizard)
    wizard.next_step()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == wizard.PAGE_PREVIEW, timeout=15000)
    assert not wizard.analysis.errors
    write_book(path, {"NhanSu": [person("Phan Thị Khoa", "01/02/1985", "068185000111", unit="DU-PHUONG")]})
    wizard.run_import()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == wizard.PAGE_SUMMARY, timeout=15000)
    assert wizard.result.written, wizard.summary.text()
    with demo_db.read() as s:
        assert s.scalar(select(m.Person.unit_id).where(m.Person.full_name == "Lý Thị Hạnh")) is not None
        assert s.scalar(select(m.Person.id).where(m.Person.full_name == "Phan Thị Khoa")) is None
