"""Issue #12 point 4, continued: the numbers in messages, screens and printed reports go through
the one Vietnamese formatter (domain/numbers.py: "." between thousands, "," before decimals), and
the subject and sex labels come only from domain/vocab.py. Each test shows a place that printed
on its own: ``:g`` wrote 1234567 as "1.23457e+06" and 12.5 as "12.5", ``:,`` wrote "1,234,567",
``:.0f`` wrote a 40,4 MB file as "40 MB" next to its 40 MB limit."""

from __future__ import annotations

import ast
import dataclasses
import io
import types
from pathlib import Path

import pytest

from bdhvs_desktop.documents import certificate_layout as cl
from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.numbers import vn_measure, vn_number
from bdhvs_desktop.domain.scoring import points_text

ROOT = Path(__file__).resolve().parents[1] / "bdhvs_desktop"


# ------------------------------------------------------------------ sizes


def test_package_too_large_message_groups_thousands_the_vietnamese_way(monkeypatch):
    monkeypatch.setattr(pf, "MAX_SIZE", 1000)
    with pytest.raises(pf.PackageError) as exc:
        pf._zip_bytes([("a.bin", b"\x00" * 1500)])
    text = str(exc.value)
    assert "tối đa 1.000 byte" in text and "1,000" not in text  # was "tối đa 1,000 byte"


def test_workbook_too_large_message_does_not_round_the_size_to_its_limit(tmp_path, monkeypatch):
    """A 1,4 MB file over a 1 MB limit said "quá lớn (1 MB; giới hạn 1 MB)"."""
    monkeypatch.setattr(xio, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "lon.xlsx"
    path.write_bytes(b"\x00" * int(1.4 * 1024 * 1024))
    with pytest.raises(xio.UnusableFile) as exc:
        xio.check_file(path)
    assert f"quá lớn ({vn_number(1.4, places=1)} MB; giới hạn 1 MB)" in str(exc.value)


# ------------------------------------------------------------------ certificate layouts


def _bad_layout(mutate) -> str:
    data = cl.builtin_layout("", "state").to_dict()
    mutate(data)
    with pytest.raises(cl.LayoutError) as info:
        cl.layout_from_dict(data, "GK_TEST")
    return str(info.value)


def test_layout_messages_write_numbers_the_vietnamese_way():
    msg = _bad_layout(lambda d: d["fields"]["name"].update(x=1234567))
    assert "“x” = 1.234.567 nằm ngoài khoảng cho phép 0–297" in msg  # was "1.23457e+06"
    msg = _bad_layout(lambda d: d["fields"]["unit"].update(x=200.5, width=150))
    assert "ô (200,5; " in msg and "vượt ra ngoài trang 297 × 210 mm" in msg  # was "(200.5; "
    msg = _bad_layout(lambda d: d["fields"]["decision"].update(font_size=8.5, min_font_size=12.5))
    assert "cỡ chữ nhỏ nhất (12,5) lớn hơn cỡ chữ lớn nhất (8,5)" in msg


def test_calibration_page_writes_box_positions_the_vietnamese_way():
    from pypdf import PdfReader

    from bdhvs_desktop.documents import certificates as cert

    layout = cl.builtin_layout("", "state")
    fields = dict(layout.fields)
    fields["name"] = dataclasses.replace(fields["name"], x=12.5)
    layout = dataclasses.replace(layout, fields=fields)
    text = " ".join((PdfReader(io.BytesIO(cert.calibration_pdf([layout]))).pages[0].extract_text() or "").split())
    assert "x 12,5," in text and "x 12.5," not in text


def test_layout_show_writes_numbers_the_vietnamese_way(demo_db, tmp_path):
    import contextlib
    import json

    from bdhvs_desktop.cli import main

    db_path = tmp_path / "demo.sqlite3"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["--db", str(db_path), "certificates", "layout", "export", "--award-form", "GK_CT_UBND",
                     "--out", str(tmp_path / "l.json")]) == 0
    data = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))
    data["fields"]["name"]["x"] = 12.5
    data["fields"]["name"]["min_font_size"] = 10.5
    (tmp_path / "l.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["--db", str(db_path), "certificates", "layout", "import", str(tmp_path / "l.json"),
                     "--award-form", "GK_CT_UBND"]) == 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["--db", str(db_path), "certificates", "layout", "show", "--award-form", "GK_CT_UBND"]) == 0
    shown = out.getvalue()
    assert "12,5" in shown and "chữ 10,5–" in shown and "12.5" not in shown and "10.5" not in shown


# ------------------------------------------------------------------ scores and figures


def test_manual_points_message_writes_points_as_the_scoring_screens(demo_db):
    from sqlalchemy import select

    from bdhvs_desktop.services import scoring as svc
    from bdhvs_desktop.storage import models as m

    with demo_db.read() as s:
        crit = s.scalar(select(m.Criterion).where(m.Criterion.code == "TT_D_HOI_DONG"))
        tdp = s.scalar(select(m.Unit.id).where(m.Unit.code == "TDP-01"))
    with pytest.raises(svc.ScoringError) as exc:
        svc.record_manual_result(demo_db, crit.id, "unit", tdp, points=1234567, evidence="x")
    assert f"không phải {points_text(1234567)}." in str(exc.value)  # was "1.23457e+06"
    with pytest.raises(svc.ScoringError) as exc:
        svc.record_manual_result(demo_db, crit.id, "unit", tdp, points=20.5, evidence="x")
    assert f"từ 0 đến {points_text(crit.max_points)}, không phải 20,5." in str(exc.value)


def test_imported_figure_message_groups_thousands(db, tmp_path):
    from bdhvs_desktop.services import importer
    from bdhvs_desktop.services.campaign import init_campaign
    from tests.records_helpers import write_book

    init_campaign(db, None)
    units = [["TDP-01", "Tổ dân phố 1", "Tổ dân phố", None, "Không", 120, 300]]
    path = write_book(tmp_path / "f.xlsx", {"DonVi": units,
                                            "SoLieuChiTieu": [["NHAN_BIET_PT", "TDP-01", "31/03/2026", 12345.5, 2000]]})
    result = importer.import_workbook(db, path)
    texts = [p.text() for p in result.problems]
    assert any("Số \"Đạt\" (12.345,5) lớn hơn \"Tổng\" (2.000)." in t for t in texts), texts


# ------------------------------------------------------------------ screens and printed reports


def test_province_pages_write_points_as_the_scoring_screens():
    from bdhvs_desktop.gui.pages import province_wards

    assert province_wards._points(1234.5, 2000.0) == "1.234,5/2.000"  # was "1234,5/2000"
    assert province_wards._points(12.5, None) == "12,5" and province_wards._points(None, 10.0) == ""


def test_ranking_page_writes_points_and_seconds_the_vietnamese_way(demo_db, qtbot):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.province_ranking import ProvinceRankingPage

    page = ProvinceRankingPage(AppContext(demo_db))
    qtbot.addWidget(page)
    page._loaded(types.SimpleNamespace(of_kind=lambda kind: [], seconds=1.25))
    assert "Xếp hạng mất 1,25 giây." in page.status.text()  # was "1.25 giây"
    points, maximum = page.model.columns[3][1], page.model.columns[4][1]
    row = types.SimpleNamespace(points=1234.5, max_points=2000.0)
    assert points(row) == points_text(1234.5) == "1.234,5" and maximum(row) == "2.000"  # was "1234,5", "2000"


def test_smoke_watchdog_message_writes_its_seconds_the_vietnamese_way(monkeypatch, capsys):
    import os
    import threading

    from bdhvs_desktop.gui import app as gui_app

    started = []

    class Timer:
        def __init__(self, seconds, fn):
            started.append(fn)

        def start(self):
            pass

    monkeypatch.setenv("BDHVS_SMOKE_TIMEOUT", "0.5")
    monkeypatch.setattr(threading, "Timer", Timer)
    monkeypatch.setattr(os, "_exit", lambda code: (_ for _ in ()).throw(SystemExit(code)))
    gui_app.start_smoke_watchdog()
    with pytest.raises(SystemExit):
        started[0]()
    assert "quá thời gian (0,5 giây)" in capsys.readouterr().err  # was "(0.5 giây)"


def test_printed_report_values_agree_with_the_screens():
    """The progress report printed a count target's value with two decimals (12,35) while the
    status screen and `bdhvs status` print one (12,3); the scoreboard printed points with two
    (12,13) where the scoring screens print three (12,125)."""
    from reportlab.graphics.shapes import String

    from bdhvs_desktop.documents import pdf_charts, pdf_reports
    from bdhvs_desktop.documents.report_data import CriterionColumn, ScoreGroup, ScoreRow, TargetLine, UnitValue

    pdf_reports.register_fonts()
    unit = UnitValue("Tổ dân phố 1", 12.345, "met")
    chart = pdf_charts.unit_bar_chart(TargetLine("X", "Chỉ tiêu thử", "count", 12.345, 12.345, "met",
                                                 per_unit=(unit,)), 400)
    texts = [c.text for c in chart.contents if isinstance(c, String)]
    assert f"Mục tiêu: {vn_measure(12.345)}" in texts and vn_measure(12.345) in texts, texts  # was 12,35
    crit = (CriterionColumn("P1", "Điểm thử", "points", 12.125),)
    row = ScoreRow(1, "Nguyễn Văn Thử", "Cá nhân", "Giấy khen", 12.125, {"P1": "12,125"}, True, "Được thông qua")
    table = pdf_reports.score_table(ScoreGroup("Nhóm thử", crit, (row,)), 700)
    cells = [getattr(p, "text", p) for p in table._cellvalues[1]]
    assert points_text(12.125) == "12,125" and cells[4] == "12,125", cells  # the total, was 12,13
    # the charts' percentage scale as well (f"{v:.0f}%" wrote 12.5 as "12%")
    axis = pdf_charts.line_chart([], 300).contents[0].valueAxis
    assert axis.labelTextFormat(12.5) == vn_measure(12.5, "percent") == "12,5%"
    assert axis.labelTextFormat(100) == "100%"


# ------------------------------------------------------------------ labels only from vocab


def _vocab_labels() -> set[str]:
    return {*vocab.SEX_LABELS.values(), *vocab.SUBJECT_KIND_LABELS.values(), *vocab.AWARD_SUBJECT_LABELS.values()}


@pytest.mark.parametrize("module", ["domain/statistics.py", "domain/cccd.py", "gui/history_dialog.py",
                                    "gui/awards_dialog.py", "gui/person_dialog.py", "documents/excel_io.py",
                                    "documents/ceremony.py"])
def test_sex_and_subject_labels_are_not_copied(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    copies = [(n.lineno, n.value) for n in ast.walk(tree)
              if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in _vocab_labels()]
    assert not copies, f"{module} writes vocabulary labels itself: {copies}"


def test_cccd_message_takes_the_sex_labels_from_vocab(monkeypatch):
    from bdhvs_desktop.domain import cccd

    monkeypatch.setitem(vocab.SEX_LABELS, vocab.Sex.MALE, "Nam (nhãn thử)")
    monkeypatch.setitem(vocab.SEX_LABELS, vocab.Sex.FEMALE, "Nữ (nhãn thử)")
    issues = cccd.check("001188456789", 1988, "M")  # the number encodes a woman
    assert any("giới tính Nữ (nhãn thử), khác giới tính đã ghi (Nam (nhãn thử))" in i.message for i in issues), issues


def test_statistics_subject_filter_names_the_vocab_kinds():
    from bdhvs_desktop.domain import statistics as stats

    assert stats.SUBJECT_LABELS == {str(k): vocab.SUBJECT_KIND_LABELS[k]
                                    for k in (vocab.SubjectKind.COLLECTIVE, vocab.SubjectKind.INDIVIDUAL)}
    assert stats.FILTER_VALUES["awards"]["subject"] == ("collective", "individual")


# ------------------------------------------------------------------ cell values


def test_cell_value_limits_group_thousands():
    """A prize over the register's limit said "20000000000 lớn hơn giá trị tối đa 10000000000"."""
    from bdhvs_desktop.domain import values

    with pytest.raises(ValueError) as exc:
        values.parse_int("20.000.000.000", minimum=0, maximum=10_000_000_000)
    assert str(exc.value) == "20.000.000.000 lớn hơn giá trị tối đa 10.000.000.000."
    with pytest.raises(ValueError) as exc:
        values.parse_int("-1200", minimum=1000)
    assert str(exc.value) == "-1.200 nhỏ hơn giá trị tối thiểu 1.000."
    with pytest.raises(ValueError) as exc:
        values.parse_number("0,25", minimum=0.5)
    assert str(exc.value) == "0,25 nhỏ hơn 0,5."  # was "nhỏ hơn 0.5"


def test_the_formatter_takes_any_size_of_number():
    """Found by test_records_values' fuzzing once parse_int's message went through vn_number:
    quantizing to two places overflowed the decimal context's 28 digits (InvalidOperation)."""
    assert vn_number(-10**26) == "-100.000.000.000.000.000.000.000.000"
    assert vn_number(1e26) == "100.000.000.000.000.000.000.000.000"
    assert vn_number(10**30 + 0.5) == vn_number(10**30)  # a float: 1e30 exactly
    assert vn_number(10**28 + 1, 2) == "10.000.000.000.000.000.000.000.000.001,00"
    with pytest.raises(ValueError):
        vn_number(float("inf"))
    with pytest.raises(ValueError):
        vn_number(float("nan"))
