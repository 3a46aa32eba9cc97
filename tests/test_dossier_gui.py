"""The Hồ sơ and Báo cáo pages, offscreen: editing Form 08 text, generating in the
background, the files offered for opening and printing."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from dossier_setup import add_council_round, clear_council_round  # noqa: E402


@pytest.fixture
def ctx(demo_db, qapp):
    from bdhvs_desktop.gui.context import AppContext

    context = AppContext(demo_db)
    context.set_as_of(dt.date(2026, 11, 10))
    return context


def test_dossier_page_edit_and_generate(ctx, demo_db, qtbot, tmp_path):
    from bdhvs_desktop.gui.pages.dossier import DossierPage
    from bdhvs_desktop.services import dossier as svc

    ids = add_council_round(demo_db)
    page = DossierPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 860)
    page.show()
    qtbot.waitExposed(page)
    assert page.table.rowCount() == 4
    assert page.form_set.currentData() == "decree-98-2023"
    assert not page.save_text_btn.isEnabled()

    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    row = names.index("Võ Thu Oanh")
    page.table.selectRow(row)
    assert "Võ Thu Oanh" in page.editing_label.text()
    assert not page.editors["structure"].isEnabled()  # collectives only
    page.editors["lessons"].setPlainText("Kiên trì & gần dân\n<đi từng nhà>")
    page.summary.setText("Hướng dẫn hơn 40 người dân")
    assert page.save_text()
    saved = {i.id: i for i in svc.list_dossier_candidates(demo_db)}[ids["individual"]]
    assert saved.report_text["lessons"] == "Kiên trì & gần dân\n<đi từng nhà>"
    assert saved.summary == "Hướng dẫn hơn 40 người dân"

    page.issuer_format.setCurrentIndex(page.issuer_format.findData("auto"))
    page.number.setText("15")
    page.save_settings()
    assert svc.load_settings(demo_db).issuer_format == "auto"

    page.out_dir.setText(str(tmp_path / "hs"))
    page.out_dir.setProperty("auto", False)
    page.generate()
    qtbot.waitUntil(lambda: page._task is None, timeout=60000)
    assert page.last_error == ""
    assert page.files.count() == 7  # a Tờ trình for each of the two authorities
    assert page.open_doc_btn.isEnabled() and page.print_doc_btn.isEnabled()
    from test_dossier import TT_STATE

    assert (tmp_path / "hs" / TT_STATE).exists()
    assert "4 ứng viên" in page.status.text()
    from test_dossier import doc_text

    assert "Số: 15/TTr-HĐTĐKT" in doc_text(tmp_path / "hs" / TT_STATE)
    assert "Kiên trì & gần dân" in doc_text(tmp_path / "hs" / "bao-cao-thanh-tich-mau-08-vo-thu-oanh.docx")
    page.grab().save(str(tmp_path / "dossier-page.png"))

    page.draft.setChecked(True)
    assert page.table.rowCount() == 5  # the proposed candidate too


def test_dossier_page_reports_errors(ctx, demo_db, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui.pages.dossier import DossierPage

    clear_council_round(demo_db)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    page = DossierPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    assert page.table.rowCount() == 0
    assert "Chưa có ứng viên nào" in page.empty_label.text()
    page.out_dir.setText(str(tmp_path / "hs"))
    page.out_dir.setProperty("auto", False)
    page.generate()
    qtbot.waitUntil(lambda: page._task is None, timeout=60000)
    assert shown and "Chưa có ứng viên nào được Hội đồng thông qua" in shown[0]
    assert not (tmp_path / "hs").exists()


def test_reports_page_generates_pdf_and_xlsx(ctx, demo_db, qtbot, tmp_path):
    from bdhvs_desktop.gui.pages.reports import ReportsPage

    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    assert page.path.text().endswith("bao-cao-tien-do-2026-11-10.pdf")
    assert not page.open_btn.isEnabled()
    page.path.setText(str(tmp_path / "bc.pdf"))
    page.path.setProperty("auto", False)
    page.generate()
    qtbot.waitUntil(lambda: page._task is None, timeout=60000)
    assert page.last_error == ""
    assert (tmp_path / "bc.pdf").read_bytes()[:5] == b"%PDF-"
    assert page.open_btn.isEnabled()

    page.kind.setCurrentIndex(page.kind.findData("scoreboard"))
    page.fmt.setCurrentIndex(page.fmt.findData(".xlsx"))
    page.path.setText(str(tmp_path / "diem.pdf"))  # the suffix follows the chosen format
    page.generate()
    qtbot.waitUntil(lambda: page._task is None, timeout=60000)
    assert (tmp_path / "diem.xlsx").exists()
    assert page.last_path == tmp_path / "diem.xlsx"
