"""The Hồ sơ and Báo cáo pages, offscreen: editing Form 08 text, generating in the
background, the files offered for opening and printing."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from dossier_setup import add_council_round, clear_council_round
from gui_wait import settle


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
    settle(qtbot)
    assert page.table.rowCount() == 4
    assert page.form_set.currentData() == "decree-98-2023"
    assert not page.save_text_btn.isEnabled()

    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    row = names.index("Võ Thu Oanh")
    page.table.selectRow(row)
    settle(qtbot)
    assert "Võ Thu Oanh" in page.editing_label.text()
    # Approved by the council: her report text is part of the locked result (issue #15).
    assert "khóa" in page.editing_label.text() and not page.save_text_btn.isEnabled()
    assert not page.editors["lessons"].isEnabled()
    # The text is written while the council reviews her (reopened here), then she is approved again.
    from bdhvs_desktop.services import council as cs

    cs.reopen(demo_db, ids["individual"], "Bổ sung báo cáo thành tích")
    page.draft.setChecked(True)
    settle(qtbot)
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    page.table.selectRow(names.index("Võ Thu Oanh"))
    settle(qtbot)
    assert page.save_text_btn.isEnabled()
    assert not page.editors["structure"].isEnabled()  # collectives only
    page.editors["lessons"].setPlainText("Kiên trì & gần dân\n<đi từng nhà>")
    page.summary.setText("Hướng dẫn hơn 40 người dân")
    assert page.save_text()
    cs.set_status(demo_db, ids["individual"], "approved", at=dt.date(2026, 11, 10))  # the vote passed: 6 for
    page.draft.setChecked(False)
    settle(qtbot)
    saved = {i.id: i for i in svc.list_dossier_candidates(demo_db)}[ids["individual"]]
    assert saved.report_text["lessons"] == "Kiên trì & gần dân\n<đi từng nhà>"
    assert saved.summary == "Hướng dẫn hơn 40 người dân"

    page.issuer_format.setCurrentIndex(page.issuer_format.findData("auto"))
    page.number.setText("15")
    page.save_settings()
    settle(qtbot)
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

    settle(qtbot)
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
    settle(qtbot)
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


def test_dossier_page_drafts_narrative_saves_with_conflict_check_and_names_missing_fields(
        ctx, demo_db, qtbot, tmp_path, monkeypatch):
    """Issue 11: the narrative is drafted from the records in the editor, edited, saved with
    the candidate (a colleague's newer save is not overwritten); a final dossier with an empty
    required field is refused, naming the candidate and the field."""
    from PySide6.QtWidgets import QMessageBox
    from sqlalchemy import select

    from bdhvs_desktop.gui.pages.dossier import DossierPage
    from bdhvs_desktop.services import dossier as svc
    from bdhvs_desktop.storage import models as m

    ids = add_council_round(demo_db)
    from bdhvs_desktop.services import council as cs

    # Her text is written while the council reviews her (issue #15: an approved result is locked).
    cs.reopen(demo_db, ids["individual"], "Viết báo cáo thành tích")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    page = DossierPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.draft.setChecked(True)  # the reviewed candidates too
    settle(qtbot)
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    page.table.selectRow(names.index("Đoàn Thanh niên phường (mô phỏng)"))
    settle(qtbot)
    measures = page.editors["measures"].toPlainText()
    assert measures.startswith("- ") and "Thanh niên chung tay phổ cập kỹ năng số" in measures  # drafted
    assert page.editors["functions"].toPlainText()
    assert "điểm" not in page.summary.text() and page.summary.text()
    assert "soạn tự động" in page.draft_note.text()
    assert not page.fields["occupation"].isEnabled()  # individuals only
    page.editors["measures"].setPlainText("")
    page.redraft()
    settle(qtbot)
    assert page.editors["measures"].toPlainText() == measures

    page.table.selectRow(names.index("Võ Thu Oanh"))

    settle(qtbot)
    assert page.fields["occupation"].isEnabled() and page.fields["occupation"].text() == "Cán bộ, công chức"
    page.fields["political_theory"].setText("Trung cấp")
    page.editors["lessons"].setPlainText("Gần dân & kiên trì")
    # A colleague saves first: this page's save is refused, nothing of it written.
    other = svc.narrative(demo_db, ids["individual"])
    svc.save_narrative(demo_db, ids["individual"], {"lessons": "Của đồng nghiệp"}, other.version)
    assert not page.save_text()
    assert shown and "người khác" in shown[-1]
    assert svc.narrative(demo_db, ids["individual"]).texts["lessons"] == "Của đồng nghiệp"
    page._load_candidates()
    settle(qtbot)
    names = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    page.table.selectRow(names.index("Võ Thu Oanh"))
    settle(qtbot)
    page.fields["political_theory"].setText("Trung cấp")
    ok = page.save_text()
    assert ok, shown
    saved = svc.narrative(demo_db, ids["individual"])
    assert saved.texts["political_theory"] == "Trung cấp" and "political_theory" not in saved.drafted
    cs.set_status(demo_db, ids["individual"], "approved", at=dt.date(2026, 11, 10))  # the vote passed: 6 for
    page.draft.setChecked(False)
    settle(qtbot)

    with demo_db.session() as s:
        s.scalar(select(m.Person).where(m.Person.full_name == "Võ Thu Oanh")).residence = None
    page.out_dir.setText(str(tmp_path / "hs"))
    page.out_dir.setProperty("auto", False)
    page.generate()
    qtbot.waitUntil(lambda: page._task is None, timeout=60000)
    assert "Võ Thu Oanh: nơi thường trú" in page.last_error
    assert shown and "Võ Thu Oanh: nơi thường trú" in shown[-1]
    assert not (tmp_path / "hs").exists()
