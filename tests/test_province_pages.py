"""The province office's pages (gui/pages/province_*.py) on a province database with three imported
wards: registered only for a province office, every list naming the ward scope, the import off the
GUI thread refusing a tampered package with a clear message, a document opened, the duplicates, the
ranking with the ward column and the province criteria's explanation.

With BDHVS_SCREENS=<folder> the pages are also saved there as PNG (widget.grab())."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from gui_wait import settle
from province_office import council_round, generated_packages, province_db
from PySide6.QtWidgets import QMessageBox

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.gui.main_window import MainWindow
from bdhvs_desktop.services.province import import_packages

WARD_SCOPES = ("Phường Bình Minh (BM)", "Phường Tân Hà (TH)", "Phường Hòa Đông (HD)")


@pytest.fixture
def office(tmp_path, qtbot):
    db = province_db(tmp_path / "tinh.sqlite3")
    packages, ca = generated_packages(tmp_path / "goi", n=8)
    from bdhvs_desktop.services.office import add_trust_root

    add_trust_root(db, ca)
    report = import_packages(db, packages)
    assert len(report.imported) == 3, report.summary_lines()
    council_round(db, reject=2)
    yield {"db": db, "packages": packages, "folder": tmp_path}
    db.dispose()


def _screens(widget, name: str) -> None:
    folder = os.environ.get("BDHVS_SCREENS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / f"{name}.png"))


def _cells(model) -> list[list[str]]:
    return [[model.columns[c][1](row) for c in range(len(model.columns))] for row in model.rows]


def _window(db, qtbot) -> MainWindow:
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.resize(1360, 820)
    window.show()
    window.ctx.first_paint_done()
    return window


def test_the_pages_are_there_only_for_a_province_office(office, demo_db, qtbot):
    window = _window(office["db"], qtbot)
    assert {"province_wards", "province_duplicates", "province_ranking"} <= set(window._keys)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert {"Hồ sơ các phường", "Trùng lặp", "Xếp hạng cấp tỉnh"} <= set(titles)
    ward = _window(demo_db, qtbot)
    assert not any(k.startswith("province") for k in ward._keys)


def test_wards_page_lists_each_ward_its_package_and_its_candidates(office, qtbot, monkeypatch):
    window = _window(office["db"], qtbot)
    page = window.show_page("province_wards")
    settle(qtbot)
    wards = _cells(page.wards_model)
    assert [w[0] for w in wards] == sorted(WARD_SCOPES, key=lambda s: s.replace("Hòa", "Hoa"))
    assert all("Nguyên vẹn · đã ký số · chứng thư tin cậy" == w[4] for w in wards)
    assert all(w[5] for w in wards)  # the signer
    page.wards_view.selectRow([w[0] for w in wards].index("Phường Tân Hà (TH)"))
    rows = _cells(page.cand_model)
    assert rows and {r[0] for r in rows} == {"Phường Tân Hà (TH)"}  # one ward's scope, never mixed
    assert "Phạm vi: <b>Phường Tân Hà (TH)</b>" in page.cand_title.text()
    assert page.fig_model.rows and page.doc_model.rows
    opened = []
    monkeypatch.setattr("bdhvs_desktop.gui.pages.province_common.open_file", lambda p: opened.append(p) or True)
    page.doc_view.selectRow(0)
    page.open_document()
    settle(qtbot)
    assert opened and opened[0].read_bytes()[:2] in (b"PK", b"%P")
    _screens(window, "province-wards")


def test_import_from_the_page_refuses_a_tampered_and_a_replayed_package(office, qtbot, monkeypatch):
    window = _window(office["db"], qtbot)
    page = window.show_page("province_wards")
    settle(qtbot)
    tampered = office["folder"] / "HD-sua.bdhvs-goi"
    data = bytearray(office["packages"][2].read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    replayed = office["folder"] / "BM-lan-2.bdhvs-goi"
    shutil.copy(office["packages"][0], replayed)
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda _p, title, text: shown.append(text))
    page.import_packages([str(tampered), str(replayed)])
    settle(qtbot)
    assert page.import_button.isEnabled()
    assert len(page.last_report.refused) == 2 and not page.last_report.imported
    text = shown[0]
    assert "HD-sua.bdhvs-goi" in text and "Phường Bình Minh" in text and "từ chối" in text
    assert len(_cells(page.wards_model)) == 3


def test_duplicates_page_shows_the_person_both_wards_proposed(office, qtbot):
    window = _window(office["db"], qtbot)
    page = window.show_page("province_duplicates")
    settle(qtbot)
    rows = _cells(page.model)
    shared = [r for r in rows if r[1] == "Âu Thị Ánh"]
    assert {r[2] for r in shared} == {"Phường Bình Minh (BM)", "Phường Tân Hà (TH)"}
    assert all(r[6] == "Cùng số CCCD" and "•" in r[3] for r in shared)  # the CCCD masked in the list
    assert "Âu Thị Ánh" not in page.status.text() or "Phường Bình Minh (BM)" in page.status.text()
    _screens(window, "province-duplicates")


def test_ranking_page_ranks_across_wards_with_the_ward_column_and_explains(office, qtbot):
    window = _window(office["db"], qtbot)
    page = window.show_page("province_ranking")
    settle(qtbot)
    rows = _cells(page.model)
    assert rows and {r[1] for r in rows} <= set(WARD_SCOPES) and len({r[1] for r in rows}) > 1
    ranks = [int(r[0]) for r in rows if r[0].isdigit()]
    assert ranks == sorted(ranks)
    page.view.selectRow(0)
    html = page.detail.toHtml()
    assert rows[0][2] in html and "Tiêu chí cấp tỉnh" in page.detail.toPlainText() + html
    _screens(window, "province-ranking")


def test_the_province_dossier_is_made_from_the_page(office, qtbot, monkeypatch):
    window = _window(office["db"], qtbot)
    page = window.show_page("province_wards")
    settle(qtbot)
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda _p, _t, text: shown.append(text))
    page.make_dossier(str(office["folder"] / "ho-so-tinh"))
    settle(qtbot)
    assert page.dossier_button.isEnabled()
    names = sorted(p.name for p in page.last_dossier.files)
    assert names[0].startswith("bien-ban") and any(n.startswith("to-trinh-tinh") for n in names)
    assert all(w in shown[0] for w in ("Phường Bình Minh", "Phường Tân Hà", "Phường Hòa Đông"))
    rows = _cells(page.cand_model)
    assert rows and all(r[6] == "Đã lập hồ sơ trình khen thưởng" for r in rows if r[6] != "Không được thông qua")


def test_a_lazily_opened_province_file_gets_its_pages_without_loading_the_database(tmp_path, qtbot):
    """The program opens a current SQLite file lazily (storage/lazy.py): the office level is read
    with sqlite3 after the first paint, the full database layer is not loaded for it."""
    from bdhvs_desktop.storage.lazy import LazyDatabase

    path = tmp_path / "tinh.sqlite3"
    province_db(path).dispose()
    lazy = LazyDatabase.try_open(path)
    assert lazy is not None and not lazy.loaded
    window = _window(lazy, qtbot)
    assert {"province_wards", "province_duplicates", "province_ranking"} <= set(window._keys)
    assert not lazy.loaded
    window.close()
    lazy.dispose()


def test_a_corrected_package_replaces_the_earlier_one_after_a_confirm(tmp_path, qtbot, monkeypatch):
    """The page imports a ward's corrected package: refused as re-sent, then (the secretary confirms)
    imported again as the replacement; the wards list shows the current package and what it replaced."""
    from province_packages import ward_package, write_ward_package

    db = province_db(tmp_path / "tinh-thay.sqlite3")
    try:
        data, docs = ward_package("P-LAGI", "Phường La Gi", n=3, seed=1, with_docs=False)
        assert import_packages(db, [write_ward_package(tmp_path / "a.bdhvs-goi", data, docs)],
                               trust_roots=()).imported
        for c in data["candidates"]:
            c["ward_score"]["points"] -= 5
        fixed = write_ward_package(tmp_path / "b.bdhvs-goi", data, docs)
        window = _window(db, qtbot)
        page = window.show_page("province_wards")
        settle(qtbot)
        asked = []
        monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *a: None)
        monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: None)
        monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.question",
                            lambda _p, title, text, *a: asked.append(text) or QMessageBox.Yes)
        page.import_packages([str(fixed)])
        settle(qtbot)
        qtbot.waitUntil(lambda: bool(page.last_report.imported), timeout=20000)
        settle(qtbot)
        assert asked and "Phường La Gi" in asked[0] and "b.bdhvs-goi" in asked[0]
        assert "thay thế" in page.last_report.imported[0].message
        [row] = _cells(page.wards_model)
        assert "b.bdhvs-goi (thay thế 1 gói trước)" in row and "3" in row, row
        page.wards_view.selectRow(0)
        flags = [cell for r in _cells(page.cand_model) for cell in r if cell.startswith("⚠ Khác dữ liệu")]
        assert len(flags) == 3, _cells(page.cand_model)  # the generated scores are not what the facts give
    finally:
        db.dispose()
