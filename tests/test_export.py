"""Exports in the import layout: an export re-imports with no change (round trip)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from bdhvs_desktop.cli import main
from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services import exporter, importer
from bdhvs_desktop.services.campaign import init_campaign
from bdhvs_desktop.storage import models as m
from tests.records_helpers import snapshot

TODAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize("kind", exporter.KINDS)
def test_each_export_reimports_with_no_change(demo_db, tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    counts = exporter.export(demo_db, kind, path)
    assert sum(counts.values()) > 0
    wb = openpyxl.load_workbook(path, read_only=True)
    spec = dict(zip(exporter.KINDS, [xio.UNITS, xio.PEOPLE, xio.ACTIVITIES, xio.MODELS, xio.SOLUTIONS,
                                      xio.FIGURES]))[kind]
    assert wb.sheetnames == [spec.name]
    assert [c for c in next(wb[spec.name].iter_rows(values_only=True))] == spec.headers
    wb.close()
    before = snapshot(demo_db)
    result = importer.import_workbook(demo_db, path, today=TODAY)
    assert not result.problems, [p.text() for p in result.problems][:5]
    assert result.changes == 0 and result.counts[spec.name].unchanged == sum(counts.values())
    assert snapshot(demo_db) == before


def test_full_export_rebuilds_an_empty_ward_identically(demo_db, db, tmp_path):
    everything = tmp_path / "all.xlsx"
    exporter.export(demo_db, list(exporter.KINDS), everything)
    init_campaign(db, None)
    result = importer.import_workbook(db, everything, today=TODAY)
    assert result.written and not result.errors, [p.text() for p in result.errors][:5]
    again = tmp_path / "again.xlsx"
    exporter.export(db, list(exporter.KINDS), again)

    def rows(path):
        wb = openpyxl.load_workbook(path, read_only=True)
        out = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
        wb.close()
        return out

    assert rows(everything) == rows(again)


def test_cccd_kept_as_text_and_dates_shown_day_first(demo_db, tmp_path):
    path = tmp_path / "p.xlsx"
    exporter.export(demo_db, "people", path)
    wb = openpyxl.load_workbook(path)
    ws = wb["NhanSu"]
    assert ws.cell(2, 4).data_type == "s" and len(ws.cell(2, 4).value) == 12
    assert ws.cell(2, 2).number_format == "DD/MM/YYYY"


def test_template_has_instructions_examples_and_dropdowns(tmp_path):
    path = xio.write_template(tmp_path / "mau.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [xio.INSTRUCTIONS_SHEET] + [s.name for s in xio.LAYOUT]
    guide = " ".join(str(c.value) for row in wb[xio.INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "HƯỚNG DẪN" in guide and "Số CCCD" in guide and "dd/mm/yyyy" in guide
    for spec in xio.LAYOUT:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]] == spec.headers
        assert ws.max_row == 2  # one example row
        lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
        for c in spec.columns:
            if c.choices:
                assert '"' + ",".join(c.choices) + '"' in lists
    assert any("Chi bộ" in f for f in {dv.formula1 for dv in wb["DonVi"].data_validations.dataValidation})


def test_cli_template_import_export_and_exit_codes(demo_db, tmp_path, capsys):
    dbp = str(demo_db.path)
    assert main(["--db", dbp, "template", str(tmp_path / "mau.xlsx")]) == 0
    out = tmp_path / "people.xlsx"
    assert main(["export", "people", str(out), "--db", dbp]) == 0
    assert "dữ liệu cá nhân" in capsys.readouterr().err
    assert main(["import", str(out), "--dry-run", "--db", dbp]) == 0
    assert "không đổi" in capsys.readouterr().out
    # an error: nothing written, exit 1
    wb = openpyxl.load_workbook(out)
    wb["NhanSu"]["E2"] = "KHONG-CO"
    wb["NhanSu"]["A3"] = "Tên Đã Sửa"
    wb.save(out)
    before = snapshot(demo_db)
    assert main(["import", str(out), "--db", dbp]) == 1
    captured = capsys.readouterr().out
    assert "trang NhanSu, dòng 2, cột \"Mã đơn vị\"" in captured and "KHÔNG ghi" in captured
    assert snapshot(demo_db) == before
    # an unusable file: exit 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["import", str(bad), "--db", dbp]) == 2
    assert "không phải sổ làm việc" in capsys.readouterr().err
    # a warning only: written, exit 0
    for kind in ("units", "activities", "models", "solutions"):
        assert main(["export", kind, str(tmp_path / f"{kind}.xlsx"), "--db", dbp]) == 0


def test_cli_import_writes_with_warnings(db, tmp_path, capsys):
    from tests.records_helpers import write_book

    init_campaign(db, None)
    path = write_book(tmp_path / "w.xlsx", {
        "DonVi": [["TDP-01", "Tổ dân phố 1", "Tổ dân phố", "DU-PHUONG", "Không", None, None]],
        "NhanSu": [["Nguyễn Thị Hòa", "20/05/1988", "Nữ", 1188456789, "TDP-01", None, "Không", "Không", None,
                    "Không", 0, "Không"]],
        "GhiChu": [["x"]]})
    assert main(["import", str(path), "--db", str(db.path)]) == 0
    out = capsys.readouterr().out
    assert "Cảnh báo" in out and "001188456789" in out and "Đã ghi" in out
    with db.read() as s:
        assert s.scalar(select(m.Person.cccd)) == "001188456789"
