"""Property-based tests: malformed workbooks (missing sheets and headers, wrong types, huge
strings, control characters, merged cells, empty rows in the middle, formulas, damaged
bytes). The importer never crashes, never writes part of a file, always names the problem,
and whatever it accepts re-imports with no change."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services import importer
from bdhvs_desktop.services.campaign import init_campaign
from tests.records_helpers import snapshot

TODAY = dt.date(2026, 11, 20)
FUZZ_EXAMPLES = 250
BYTES_EXAMPLES = 150
RAN = {"workbooks": 0, "bytes": 0}

_plausible = {
    "text": st.sampled_from(["Nguyễn Thị Hòa", "Nguye\u0302\u0303n Va\u0306n A", "Chi bộ 1", "TDP-01", "DU-PHUONG",
                             "CB-CA", "  ", "Hoà", "Ðặng Văn Ðức"]),
    "bool": st.sampled_from(["Có", "Không", "co", "KHONG", "x", "có lẽ", 1, 0, True]),
    "date": st.one_of(st.sampled_from(["31/03/2026", "29/02/2026", "01/01/2099", "1/4/2026", "2026-03-31", "hôm qua"]),
                      st.integers(-10, 3_000_000), st.dates(dt.date(1890, 1, 1), dt.date(2100, 1, 1))),
    "cccd": st.one_of(st.sampled_from(["001188456789", "068085123456", "1188456789", "0011884567", "abc"]),
                      st.integers(0, 10**13), st.text("0123456789", min_size=9, max_size=13)),
    "choice": st.sampled_from(["Chi bộ", "tổ dân phố", "Lớp học", "Xuất sắc", "Đăng ký", "Khác", "???"]),
}

_CONTROL_TEXT = st.text(alphabet=st.sampled_from(list("aăâbcdđ ÀÁẢÃẠ\t\n\r_x0001_\u200b\u00a0\ufeff\u0301Ð,;")),
                        max_size=40)

cell = st.one_of(
    st.none(),
    st.none(),
    _plausible["text"], _plausible["bool"], _plausible["date"], _plausible["cccd"], _plausible["choice"],
    st.integers(-10**15, 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 1, 1)),
    _CONTROL_TEXT,
    st.text(min_size=0, max_size=30).map(lambda s: "".join(ch for ch in s if ch.isprintable())),
    st.integers(200, 6000).map(lambda n: "Đ" * n),  # huge strings
    st.just("Lê_x0007_Văn_x001F_ Tám"),  # control characters as Excel escapes them
    st.just("=1+1"),  # a formula with no cached value
    st.just("=A1"),
)


@st.composite
def workbooks(draw):
    names = draw(st.lists(st.sampled_from(list(xio.SHEETS) + ["Sheet1", "nhansu", "HuongDan"]), min_size=0,
                          max_size=4, unique=True))
    sheets = []
    for name in names:
        spec = xio.SHEETS.get(name) or xio.SHEETS.get("NhanSu")
        headers = list(spec.headers)
        mode = draw(st.sampled_from(["full", "full", "drop", "shuffle", "junk", "none", "dup"]))
        if mode == "drop":
            headers = draw(st.lists(st.sampled_from(spec.headers), unique=True, max_size=len(spec.headers)))
        elif mode == "shuffle":
            headers = draw(st.permutations(spec.headers))
        elif mode == "junk":
            headers = headers + ["".join(ch for ch in draw(st.text(max_size=10)) if ch.isprintable())]
        elif mode == "dup":
            headers = headers + [headers[0]]
        elif mode == "none":
            headers = []
        width = max(len(headers), 1) + draw(st.integers(0, 2))
        rows = draw(st.lists(st.lists(cell, min_size=0, max_size=width), min_size=0, max_size=8))
        gap = draw(st.integers(0, 3))  # empty rows in the middle
        if rows and gap:
            at = draw(st.integers(0, len(rows)))
            rows = rows[:at] + [[None] * width] * gap + rows[at:]
        merges = []
        if rows and draw(st.booleans()):
            r0 = draw(st.integers(2, len(rows) + 1))
            c0 = draw(st.integers(1, width))
            merges.append((r0, c0, r0 + draw(st.integers(0, 2)), c0 + draw(st.integers(0, 1))))
        sheets.append((name, headers, rows, merges))
    return sheets


def _save(sheets) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    if not sheets:
        wb.create_sheet("Trống")
    for name, headers, rows, merges in sheets:
        ws = wb.create_sheet(name)
        if headers:
            ws.append(headers)
        for row in rows:
            ws.append(row)
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3")
    init_campaign(db, None)
    yield db
    db.dispose()


@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(sheets=workbooks())
def test_malformed_workbooks_never_crash_nor_half_write(fuzz_db, tmp_path_factory, sheets):
    RAN["workbooks"] += 1
    path = tmp_path_factory.mktemp("wb") / "f.xlsx"
    path.write_bytes(_save(sheets))
    before = snapshot(fuzz_db)
    try:
        result = importer.import_workbook(fuzz_db, path, today=TODAY)
    except importer.UnusableFile as exc:
        assert str(exc)
        assert snapshot(fuzz_db) == before
        return
    for p in result.problems:
        assert p.level in ("error", "warning") and p.message.strip()
        if p.row is not None:
            assert p.sheet in xio.SHEETS and p.row >= 1
    if result.errors:
        # nothing of the file is written
        assert not result.written
        assert snapshot(fuzz_db) == before
    else:
        assert result.written
        # no sheet recognised, nothing to do, or data written: each is said
        assert result.status_line()
        after = snapshot(fuzz_db)
        again = importer.import_workbook(fuzz_db, path, today=TODAY)
        assert not again.errors, [p.text() for p in again.errors]
        assert again.changes == 0 and snapshot(fuzz_db) == after
    # a workbook without any known sheet is always named as such
    if not any(name in xio.SHEETS or name.lower() == "nhansu" for name, *_ in sheets):
        assert any("không có trang nào" in p.message for p in result.errors)


@pytest.fixture(scope="module")
def good_bytes():
    import tempfile
    from pathlib import Path

    from tests.records_helpers import write_book

    with tempfile.TemporaryDirectory() as d:
        p = write_book(Path(d) / "g.xlsx", {
            "DonVi": [["TDP-09", "Tổ 9", "Tổ dân phố", None, "Không", 10, 20]],
            "NhanSu": [["Lê Thị Mai", "01/02/1990", "Nữ", "068190000001", "TDP-09", None, "Có", "Có", None, "Không",
                        0, "Không"]]})
        return p.read_bytes()


@settings(max_examples=BYTES_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_bytes_are_refused_or_reported(fuzz_db, tmp_path_factory, good_bytes, data):
    RAN["bytes"] += 1
    blob = bytearray(good_bytes)
    how = data.draw(st.sampled_from(["flip", "truncate", "member"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 20))):
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] = data.draw(st.integers(0, 255))
    elif how == "truncate":
        blob = blob[: data.draw(st.integers(0, len(blob) - 1))]
    else:
        # rewrite one member of the archive with garbage or a slice of itself
        src = zipfile.ZipFile(io.BytesIO(bytes(blob)))
        names = src.namelist()
        victim = data.draw(st.sampled_from(names))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for n in names:
                content = src.read(n)
                if n == victim:
                    content = data.draw(st.sampled_from([b"", content[: len(content) // 3], b"<x>" * 50,
                                                         content.replace(b"<", b"&lt;", 3)]))
                dst.writestr(n, content)
        blob = bytearray(out.getvalue())
    path = tmp_path_factory.mktemp("bytes") / "b.xlsx"
    path.write_bytes(bytes(blob))
    before = snapshot(fuzz_db)
    try:
        result = importer.import_workbook(fuzz_db, path, today=TODAY, dry_run=True)
    except importer.UnusableFile as exc:
        assert str(exc).strip()
    else:
        assert all(p.message for p in result.problems)
    assert snapshot(fuzz_db) == before


def test_zz_report_how_many_cases_ran():
    """Runs last in this file: the number of generated cases, for the record."""
    print(f"\nhypothesis: {RAN['workbooks']} malformed workbooks, {RAN['bytes']} damaged files")
    if RAN["workbooks"]:
        assert RAN["workbooks"] >= FUZZ_EXAMPLES // 2
