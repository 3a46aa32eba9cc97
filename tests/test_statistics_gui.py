"""The yearly statistics section of the Báo cáo page, offscreen: year and form chosen, the
workbook written in the background, the counts shown; a broken layout file is named."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6")


@pytest.fixture
def ctx(db, qapp):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db, "la-gi-004")
    context = AppContext(db)
    context.set_as_of(dt.date(2026, 12, 10))
    return context


def test_reports_page_exports_statistics(ctx, db, qtbot, tmp_path):
    from openpyxl import load_workbook
    from test_statistics import _fill_register

    from bdhvs_desktop.gui.pages.reports import ReportsPage

    _fill_register(db)
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    assert page.stats_year.value() == 2026
    codes = [page.stats_form.itemData(i) for i in range(page.stats_form.count())]
    assert codes == ["all", "0601", "0602", "0603", "TH"]
    assert page.stats_path.text().endswith("thong-ke-tat-ca-2026.xlsx")
    assert not page.stats_open_btn.isEnabled()
    page.stats_form.setCurrentIndex(codes.index("TH"))
    page.stats_path.setText(str(tmp_path / "tk.pdf"))  # the suffix follows the chosen format (.xlsx)
    page.stats_path.setProperty("auto", False)
    page.export_statistics()
    qtbot.waitUntil(lambda: page._stats_task is None, timeout=60000)
    assert page.stats_last_error == ""
    out = tmp_path / "tk.xlsx"
    assert page.stats_last_path == out
    assert load_workbook(out).sheetnames == ["Biểu TH"]
    assert "Biểu TH: tổng số 18" in page.stats_status.text()
    assert page.stats_open_btn.isEnabled()


def test_reports_page_names_a_broken_layout(ctx, qtbot, tmp_path, monkeypatch):
    import shutil

    from bdhvs_desktop.gui.pages.reports import ReportsPage
    from bdhvs_desktop.services import statistics as svc

    folder = tmp_path / "layouts"
    shutil.copytree(svc.layouts_dir(), folder)
    bad = folder / "tt02-2023-0601.toml"
    bad.write_text(bad.read_text(encoding="utf-8").replace('scope = "local"', 'scope = "phuong"'), encoding="utf-8")
    monkeypatch.setattr(svc, "layouts_dir", lambda: folder)
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert "tt02-2023-0601.toml" in page.stats_status.text()
    assert "defaults.scope" in page.stats_status.text()
    assert not page.stats_btn.isEnabled()
