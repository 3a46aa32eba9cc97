"""Yearly statistics (Circular 02/2023/TT-BNV forms 0601-0603 and the program's summary): the counts
for a year are exactly the register's awards of that year and the campaigns active in it; the
workbook has the layout's headers and no formula; the PDF shows the totals; a broken layout file
is named with its key."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from bdhvs_desktop.domain import statistics as stats
from bdhvs_desktop.services import awards as award_svc
from bdhvs_desktop.services import statistics as svc
from bdhvs_desktop.storage import models as m

YEAR = 2026


@pytest.fixture
def campaign_db(db):
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db, "la-gi-004")  # 01/12/2025 - 31/12/2026: 13 months, thematic, launched by the ward
    return db


def _campaign_id(db) -> int:
    with db.read() as s:
        return s.scalar(select(m.Campaign.id))


# (subject_type, name, award_name, level, kind, decision_date, campaign?)
_GK = "Giấy khen của Chủ tịch Ủy ban nhân dân phường"
_BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
REGISTER = [
    # 2026, ward level
    ("person", "Nguyễn Thị Hoà", _GK, "ward", "campaign", dt.date(2026, 12, 20), True),
    ("person", "Trần Văn Bình", _GK, "ward", "campaign", dt.date(2026, 12, 20), True),
    ("person", "Lê Thị Cúc", _GK, "ward", "campaign", dt.date(2026, 1, 1), True),
    ("unit", "Tổ dân phố 3", _GK, "ward", "campaign", dt.date(2026, 12, 20), True),
    ("unit", "Chi đoàn khu phố 1", "Giấy khen của Ban Thường vụ Đảng ủy phường", "ward", "thematic",
     dt.date(2026, 5, 19), False),
    ("person", "Phạm Văn Dũng", _GK, "ward", "ad_hoc", dt.date(2026, 8, 2), False),
    # 2026, province level: 0603
    ("person", "Hoàng Thị Én", _BK, "province", "campaign", dt.date(2026, 12, 31), True),
    ("unit", "Đoàn Thanh niên phường", _BK, "province", "merit", dt.date(2026, 3, 15), False),
    ("person", "Võ Văn Giang", "Chiến sĩ thi đua cấp tỉnh", "province", "merit", dt.date(2026, 4, 1), False),
    ("unit", "Trường Tiểu học số 1", "Cờ thi đua của Ủy ban nhân dân tỉnh", "province", "merit",
     dt.date(2026, 4, 1), False),
    ("person", "Đặng Thị Hạnh", "Kỷ niệm chương Vì sự nghiệp giáo dục", "province", "thematic",
     dt.date(2026, 9, 5), False),
    ("person", "Bùi Văn Ích", "Danh hiệu Lao động tiên tiến", "province", "merit", dt.date(2026, 6, 6), False),
    # 2026, state level: 0602
    ("person", "Ngô Thị Kim", "Huân chương Lao động hạng Ba", "central", "merit", dt.date(2026, 9, 2), False),
    ("unit", "Công an phường", "Bằng khen của Thủ tướng Chính phủ", "central", "merit", dt.date(2026, 7, 1), False),
    ("person", "Đỗ Văn Long", "Bằng khen của Thủ tướng Chính phủ", "central", "ad_hoc", dt.date(2026, 7, 1), False),
    ("unit", "Hội Phụ nữ phường", "Huân chương Lao động hạng Ba", "central", "merit", dt.date(2026, 9, 2), False),
    ("person", "Mai Thị Nga", "Kỷ niệm chương Vì sự nghiệp thi đua", "central", "thematic", dt.date(2026, 2, 2),
     False),
    # 2026, unit level (only in the summary)
    ("person", "Lý Văn Oanh", "Giấy khen của Thủ trưởng cơ quan", "unit", "merit", dt.date(2026, 11, 11), False),
    # other years: never counted for 2026
    ("person", "Nguyễn Thị Hoà", _GK, "ward", "merit", dt.date(2025, 12, 31), False),
    ("person", "Trần Văn Bình", _BK, "province", "merit", dt.date(2027, 1, 1), False),
    ("unit", "Tổ dân phố 3", "Huân chương Lao động hạng Ba", "central", "merit", dt.date(2024, 6, 1), False),
]


def _fill_register(db) -> None:
    cid = _campaign_id(db)
    for i, (subject, name, award, level, kind, day, campaign) in enumerate(REGISTER, 1):
        award_svc.add_award(db, award_svc.AwardData(
            subject_type=subject, subject_name=name, award_name=award, level=level, kind=kind,
            decision_number=f"{i}/QĐ-UBND", decision_date=day, campaign_id=cid if campaign else None,
            campaign_text=None if campaign else None))


def _rows(table: stats.StatTable) -> dict[str, tuple]:
    return {r.code: v for r, v in zip(table.layout.rows, table.values) if r.code}


def _by_code(report, code):
    return next(t for t in report.tables if t.layout.code == code)


# ------------------------------------------------------------------------- counting


def test_register_counts_exactly_the_year(campaign_db):
    _fill_register(campaign_db)
    report = svc.statistics_report(campaign_db, YEAR, "all", sign_date=dt.date(2026, 12, 10))
    assert [t.layout.code for t in report.tables] == ["0601", "0602", "0603", "TH"]
    in_year = sum(1 for r in REGISTER if r[5].year == YEAR)
    assert in_year == 18

    th = _by_code(report, "TH")
    assert th.in_year == th.counted == in_year
    assert th.warnings == ()
    # columns: total, collective, individual
    rows = _rows(th)
    assert rows["01"] == (18, 6, 12)
    assert rows["02"] == (5, 2, 3)
    assert rows["03"] == (6, 2, 4)
    assert rows["04"] == (0, 0, 0)
    assert rows["05"] == (6, 2, 4)
    assert rows["06"] == (1, 0, 1)
    assert rows["07"] == (5, 1, 4)
    assert rows["08"] == (3, 1, 2)
    assert rows["09"] == (2, 0, 2)
    assert rows["10"] == (8, 4, 4)
    # forms: Giấy khen 7 (6 ward + the unit's), Bằng khen 4, emulation titles 3, orders 2, other 2 (medals)
    assert rows["11"] == (7, 2, 5)
    assert rows["12"] == (4, 2, 2)
    assert rows["13"] == (3, 1, 2)
    assert rows["14"] == (2, 1, 1)
    assert rows["15"] == (2, 0, 2)
    assert set(rows) == {f"{i:02d}" for i in range(1, 16)}
    assert report.undated_awards == 0


def test_form_0602_and_0603_cells(campaign_db):
    _fill_register(campaign_db)
    report = svc.statistics_report(campaign_db, YEAR, "all")
    f2 = _by_code(report, "0602")
    assert f2.counted == 5 and f2.warnings == ()
    keys = [c.key for c in f2.layout.columns]
    assert keys == ["total", "huan_chuong_tt", "huan_chuong_cn", "huy_chuong_tt", "huy_chuong_cn", "gt_hcm", "gt_nn",
                    "dhvd_tt", "dhvd_cn", "co_cp", "bk_ttg_tt", "bk_ttg_cn", "cstd_tq", "khac_tt", "khac_cn"]
    rows = _rows(f2)
    #              tot HCtt HCcn HuyTT HuyCN HCM NN DHtt DHcn Co BKtt BKcn CSTD Ktt Kcn
    assert rows["1"] == (5, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1)
    assert rows["6"] == (2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0)
    assert rows["9"] == (3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1)
    assert rows["15"] == (3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0)  # merit: regular
    assert rows["16"] == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)  # thematic
    assert rows["17"] == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)  # ad hoc
    for untracked in ("2", "3", "7", "8", "10", "11", "12", "13", "14", "18", "19", "20", "21"):
        assert rows[untracked] == (None,) * 15, untracked

    f3 = _by_code(report, "0603")
    assert [c.key for c in f3.layout.columns] == ["total", "bang_khen", "cstd", "co_thi_dua", "huy_hieu", "khac"]
    rows = _rows(f3)
    assert f3.counted == 6 and f3.warnings == ()
    assert rows["01"] == (6, 2, 1, 1, 1, 1)
    assert rows["02"] == (2, 1, 0, 1, 0, 0)
    assert rows["05"] == (4, 1, 1, 0, 1, 1)
    # the province's campaign award takes the campaign's method (thematic), merit is regular
    assert rows["11"] == (4, 1, 1, 1, 0, 1)
    assert rows["12"] == (2, 1, 0, 0, 1, 0)
    assert rows["13"] == (0, 0, 0, 0, 0, 0)
    for untracked in ("03", "04", "06", "07", "08", "09", "10", "14", "15", "16", "17"):
        assert rows[untracked] == (None,) * 6, untracked


def test_form_0601_counts_campaigns_active_in_the_year(campaign_db):
    report = svc.statistics_report(campaign_db, YEAR, "0601")
    (f1,) = report.tables
    rows = _rows(f1)
    # total, central, ministry/province, unit: the ward's campaign, launched by the ward
    assert rows["01"] == (1, 0, 0, 1)
    assert rows["03"] == (1, 0, 0, 1)  # local scope
    for code in ("02", "04", "05", "06", "07", "09", "10", "12"):
        assert rows[code] == (0, 0, 0, 0), code
    assert rows["08"] == (1, 0, 0, 1)  # 13 months: over one year
    assert rows["11"] == (1, 0, 0, 1)  # thematic
    assert f1.warnings == ()
    # 2025: the campaign starts on 01/12/2025, so it is active; 2027: not.
    assert _rows(svc.statistics_report(campaign_db, 2025, "0601").tables[0])["01"] == (1, 0, 0, 1)
    assert _rows(svc.statistics_report(campaign_db, 2027, "0601").tables[0])["01"] == (0, 0, 0, 0)
    # A campaign classified in its details (regular, launched by the province) moves column and row.
    with campaign_db.session() as s:
        c = s.scalar(select(m.Campaign))
        c.details = {**(c.details or {}), "statistics": {"organizer": "ministry_province", "method": "regular"}}
    rows = _rows(svc.statistics_report(campaign_db, YEAR, "0601").tables[0])
    assert rows["01"] == (1, 0, 1, 0)
    assert rows["11"] == (0, 0, 0, 0)
    assert rows["12"] == (1, 0, 1, 0)


def test_duration_bands():
    d = dt.date
    assert stats.duration_class(d(2026, 3, 1), d(2026, 9, 30)) == "under_1y"
    assert stats.duration_class(d(2026, 1, 1), d(2026, 12, 31)) == "1y"
    assert stats.duration_class(d(2025, 12, 1), d(2026, 12, 31)) == "1_3y"
    assert stats.duration_class(d(2021, 1, 1), d(2025, 12, 31)) == "5y_plus"
    assert stats.duration_class(d(2023, 1, 1), d(2026, 6, 30)) == "3_5y"


def test_bad_year_and_form(campaign_db):
    with pytest.raises(svc.StatisticsError, match="Năm báo cáo"):
        svc.statistics_report(campaign_db, 20260, "all")
    with pytest.raises(svc.StatisticsError, match="Không có biểu thống kê “0699”"):
        svc.statistics_report(campaign_db, YEAR, "0699")


# ------------------------------------------------------------------------- documents


def test_xlsx_has_the_layout_headers_and_no_formula(campaign_db, tmp_path):
    from openpyxl import load_workbook

    _fill_register(campaign_db)
    # A reporting unit beginning with "=" stays text.
    with campaign_db.session() as s:
        c = s.scalar(select(m.Campaign))
        preset = dict((c.details or {}).get("preset") or {})
        preset["issuer_state"] = "=HYPERLINK(\"http://x\",\"UBND\")"
        c.details = {**(c.details or {}), "preset": preset}
    out = tmp_path / "thong-ke.xlsx"
    result = svc.write_statistics(campaign_db, YEAR, "all", out, sign_date=dt.date(2026, 12, 10))
    assert result.path == out and out.stat().st_size == result.size
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name
    wb = load_workbook(out)
    assert wb.sheetnames == ["Biểu 0601", "Biểu 0602", "Biểu 0603", "Biểu TH"]
    for table in result.report.tables:
        ws = wb[f"Biểu {table.layout.code}"]
        texts = set()
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    texts.add(cell.value)
        for col in table.layout.columns:
            assert col.header in texts and col.number in texts
            if col.group:
                assert col.group in texts
        for row in table.layout.rows:
            assert row.label in texts
        assert table.layout.title in texts and "Năm 2026 (từ ngày 01/01/2026 đến ngày 31/12/2026)" in texts
        assert "Đơn vị báo cáo: =HYPERLINK(\"http://x\",\"UBND\")" in texts
        assert any(t.startswith("La Gi, ngày 10 tháng 12 năm 2026") for t in texts)
        # the numbers are the computed cells, in the numbered grid under the three header rows
        fixed = 3 if table.layout.has_unit_column else 2
        for i, (row, values) in enumerate(zip(table.layout.rows, table.values)):
            got = [ws.cell(row=11 + i, column=fixed + 1 + j).value for j in range(len(values))]
            assert ws.cell(row=11 + i, column=1).value == row.label
            assert got == list(values)
    th = wb["Biểu TH"]
    assert th.cell(row=11, column=1).value == "Tổng số" and th.cell(row=11, column=3).value == 18 and th.cell(row=11, column=4).value == 6


def test_pdf_text_has_the_totals(campaign_db, tmp_path):
    from pypdf import PdfReader

    _fill_register(campaign_db)
    out = tmp_path / "thong-ke.pdf"
    result = svc.write_statistics(campaign_db, YEAR, "all", out, sign_date=dt.date(2026, 12, 10))
    reader = PdfReader(str(out))
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    for title in ("SỐ PHONG TRÀO THI ĐUA", "SỐ LƯỢNG KHEN THƯỞNG CẤP NHÀ NƯỚC",
                  "TỔNG HỢP KHEN THƯỞNG THEO CẤP, LOẠI VÀ HÌNH THỨC", "Biểu số: 0602.N/BNV-TĐKT",
                  "Người lập biểu", "Thủ trưởng đơn vị", "Năm 2026"):
        assert title in flat, title
    assert "ỦY BAN NHÂN DÂN PHƯỜNG LA GI" in flat
    # the totals row of each form: "Tổng số <code> <values…>"
    for table in result.report.tables:
        total = next(v for r, v in zip(table.layout.rows, table.values) if r.bold)
        line = " ".join(str(v) for v in total)
        code = next(r.code for r in table.layout.rows if r.bold)
        assert f"Tổng số {code} {line}" in flat, (table.layout.code, line)
    assert "Tổng số 01 18 6 12" in flat


# ------------------------------------------------------------------------- layout files


def _copy_layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    shutil.copytree(svc.layouts_dir(), folder)
    return folder


def test_shipped_layouts_load_and_say_they_are_unverified():
    layouts = svc.load_layouts()
    assert [x.code for x in layouts] == ["0601", "0602", "0603", "TH"]
    for lay in layouts[:3]:
        assert lay.verified is False
        assert any("chưa được đối chiếu" in n for n in lay.notes)


@pytest.mark.parametrize("edit, key, words", [
    (lambda t: t.replace('filter = { level = "central" }', 'filter = { level = "trung_uong" }'),
     "form.filter.level", "giá trị “trung_uong” không hợp lệ"),
    (lambda t: t.replace('header = "Tổng số"', 'heder = "Tổng số"', 1), "columns[1].header", "thiếu khóa bắt buộc"),
    (lambda t: t.replace("bold = true", "bol = true", 1), "rows[1].bol", "khóa không được hỗ trợ"),
    (lambda t: t.replace('sum_of = ["6", "9"]', 'sum_of = ["6", "99"]'), "rows[1].sum_of", "mã số “99”"),
    (lambda t: t.replace('code = "0602"', 'code = 602'), "form.code", "chuỗi chữ"),
    (lambda t: t.replace('filter = { name = ["Huân chương"], subject = "collective" }',
                         'filter = { ten = ["Huân chương"] }'), "columns[2].filter.ten", "không lọc được theo “ten”"),
    (lambda t: t.replace('title = "SỐ LƯỢNG', 'title = SỐ LƯỢNG'), None, "dòng"),
])
def test_broken_layout_file_is_named_with_its_key(tmp_path, edit, key, words):
    folder = _copy_layouts(tmp_path)
    path = folder / "tt02-2023-0602.toml"
    original = path.read_text(encoding="utf-8")
    changed = edit(original)
    assert changed != original
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(stats.LayoutError) as err:
        svc.load_layouts(folder)
    message = str(err.value)
    assert "Tệp bố cục thống kê “tt02-2023-0602.toml”" in message
    if key:
        assert f"khóa “{key}”" in message
    assert words in message


def test_layout_with_a_column_gap_warns_instead_of_hiding_awards(campaign_db, tmp_path):
    """An office that removes the 'other' column sees a warning that the parts no longer add up."""
    _fill_register(campaign_db)
    folder = _copy_layouts(tmp_path)
    path = folder / "tt02-2023-0603.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('sum_of = ["bang_khen", "cstd", "co_thi_dua", "huy_hieu", "khac"]',
                        'sum_of = ["bang_khen", "cstd", "co_thi_dua", "huy_hieu"]')
    path.write_text(text, encoding="utf-8")
    report = svc.statistics_report(campaign_db, YEAR, "0603", folder=folder)
    assert any("cột 1 là 6 nhưng tổng các cột 2, 3, 4, 5 là 5" in w for w in report.warnings)


# ------------------------------------------------------------------------- command line


def test_cli_stats_writes_and_reports_errors(campaign_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    _fill_register(campaign_db)
    db_path = str(tmp_path / "test.sqlite3")  # the `db` fixture's file
    assert Path(db_path).is_file()
    out = tmp_path / "tk.xlsx"
    assert main(["--db", db_path, "stats", "--year", "2026", "--form", "TH", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Biểu TH" in printed and "18" in printed
    assert out.is_file()
    assert main(["--db", db_path, "stats", "--year", "2026", "--form", "0699", "--out", str(out)]) == 2
    assert "Không có biểu thống kê" in capsys.readouterr().err
    assert main(["--db", db_path, "stats", "--year", "2026", "--out", str(tmp_path / "tk.docx")]) == 2
    assert ".xlsx hoặc .pdf" in capsys.readouterr().err


def test_a_hand_edited_register_row_is_reported_not_hidden(campaign_db):
    """A row edited in SQL to a level or subject the program does not know still counts in the total of
    the summary, and the summary says its parts no longer add up (it is in no level row / no column)."""
    from sqlalchemy import text

    _fill_register(campaign_db)
    with campaign_db.session() as s:
        s.execute(text("UPDATE award_record SET level = 'cap_xyz' WHERE decision_number = '1/QĐ-UBND'"))
        s.execute(text("UPDATE award_record SET subject_type = 'ho' WHERE decision_number = '2/QĐ-UBND'"))
    report = svc.statistics_report(campaign_db, YEAR, "TH")
    (th,) = report.tables
    rows = _rows(th)
    assert rows["01"] == (18, 6, 11)
    assert rows["05"] == (5, 2, 2)  # ward: one row moved to the unknown level, one has no subject
    assert any("dòng mã số 01 là 18 nhưng tổng các dòng mã số 02, 03, 04, 05, 06 là 17" in w for w in report.warnings)
    assert any("cột 1=(2+3) là 18 nhưng tổng các cột 2, 3 là 17" in w for w in report.warnings)


def test_twenty_thousand_awards_count_quickly():
    import time

    layouts = svc.load_layouts()
    levels = ["unit", "ward", "district", "province", "central"]
    kinds = ["campaign", "thematic", "ad_hoc", "merit"]
    names = ["Giấy khen của Chủ tịch UBND phường", "Bằng khen của Chủ tịch UBND tỉnh", "Huân chương Lao động hạng Ba",
             "Chiến sĩ thi đua cơ sở", "Kỷ niệm chương"]
    awards = [stats.AwardStat(id=i, subject_type="unit" if i % 3 else "person", award_name=names[i % 5],
                              level=levels[i % 5], kind=kinds[i % 4], decision_date=dt.date(2026, 1 + i % 12, 1))
              for i in range(20_000)]
    start = time.perf_counter()
    tables = [stats.compute(lay, YEAR, awards=awards) for lay in layouts]
    elapsed = time.perf_counter() - start
    th = next(t for t in tables if t.layout.code == "TH")
    assert th.values[0][0] == 20_000 and th.warnings == ()
    assert elapsed < 1.5, elapsed  # about 0.1 s on an idle PC


def test_a_viewer_may_export_statistics_and_a_stranger_may_not(campaign_db, tmp_path, monkeypatch):
    from bdhvs_desktop.services import auth
    from bdhvs_desktop.services.auth import PermissionDenied, UserInfo, role_label

    _fill_register(campaign_db)
    campaign_db.current_user = UserInfo(1, "xem", "Người xem", "viewer", role_label("viewer"), True, None)
    result = svc.write_statistics(campaign_db, YEAR, "TH", tmp_path / "tk.xlsx")
    assert result.report.tables[0].values[0][0] == 18  # read-only: nothing is written to the database
    campaign_db.current_user = None
    monkeypatch.setattr(auth, "login_required", lambda db: True)  # a server database, nobody logged in
    with pytest.raises(PermissionDenied):
        svc.statistics_report(campaign_db, YEAR, "TH")


def test_demo_ward_statistics_count_exactly_the_awards_issued(demo_db, tmp_path):
    """On the demo ward: the council decides, the decision is issued (number and date entered), and
    the 2026 statistics count exactly the awards the decision put in the register."""
    from pypdf import PdfReader

    from bdhvs_desktop.services import decision
    from tests.dossier_setup import add_council_round

    add_council_round(demo_db)
    with demo_db.read() as s:
        before = len(list(s.scalars(select(m.AwardRecord.id))))
    outcome = decision.issue_decision(demo_db, number="15", date=dt.date(2026, 12, 20), award_code="GK_CT_UBND",
                                      today=dt.date(2026, 12, 21))
    issued = award_svc.list_awards(demo_db, source="issued")
    assert len(issued) == len(outcome.candidate_ids) > 0
    units_ = sum(1 for a in issued if a.subject_type == "unit")
    people_ = len(issued) - units_
    report = svc.statistics_report(demo_db, 2026, "TH")
    rows = _rows(report.tables[0])
    assert before == 0
    assert rows["01"] == (len(issued), units_, people_)
    assert rows["05"] == (len(issued), units_, people_)  # the ward's Giấy khen
    assert rows["07"] == (len(issued), units_, people_)  # awards of the campaign
    assert rows["11"] == (len(issued), units_, people_)  # Giấy khen
    assert _rows(svc.statistics_report(demo_db, 2025, "TH").tables[0])["01"] == (0, 0, 0)
    out = tmp_path / "tk.pdf"
    svc.write_statistics(demo_db, 2026, "all", out)
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert f"Tổng số 01 {len(issued)} {units_} {people_}" in flat


def test_a_province_plan_is_counted_as_launched_by_the_province(db):
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db, "son-la-001")
    rows = _rows(svc.statistics_report(db, YEAR, "0601").tables[0])
    assert rows["01"] == (1, 0, 1, 0)
    assert rows["03"] == (1, 0, 1, 0)


def test_layout_folder_problems_are_explained(tmp_path):
    folder = _copy_layouts(tmp_path)
    path = folder / "tt02-2023-0603.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1258", errors="replace"))  # saved as ANSI
    with pytest.raises(stats.LayoutError, match="“tt02-2023-0603.toml”: tệp không được lưu với bảng mã UTF-8"):
        svc.load_layouts(folder)
    shutil.copy(svc.layouts_dir() / "tt02-2023-0603.toml", path)
    shutil.copy(path, folder / "ban-sao-0603.toml")  # a copy left beside the original
    with pytest.raises(stats.LayoutError, match="mã biểu “0603” trùng với tệp"):
        svc.load_layouts(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(svc.StatisticsError, match="Không tìm thấy tệp bố cục biểu thống kê"):
        svc.load_layouts(empty)
