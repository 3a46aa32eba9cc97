"""The main window, offscreen: pages, the people table model, geometry, the smoke test."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from gui_wait import settle
from PySide6.QtCore import QSortFilterProxyModel, Qt

from bdhvs_desktop.gui.people_model import PeopleTableModel, mask_cccd
from bdhvs_desktop.services.records import PersonRow


def _rows(n: int) -> list[PersonRow]:
    out = []
    for i in range(n):
        out.append(PersonRow(i, f"Nguyễn Văn {i}", f"nguyen van {i}", dt.date(1980, 1, 1) if i % 2 else None,
                             "M" if i % 3 else None, f"{i:012d}" if i % 4 else None, i % 5 or None,
                             None if i % 7 == 0 else f"Tổ {i % 5}", None, bool(i % 2), False,
                             dt.date(2026, 3, 31) if i % 3 == 0 else None, None, bool(i % 2), i, False))
    return out


def test_proxy_model_data_survives_thousands_of_none_returns(qapp):
    """Regression for pitfalls #1: PySide6 6.12.0 on Python 3.11 aborts with 'none_dealloc'
    after a few thousand data() calls that return None through a proxy."""
    model = PeopleTableModel(_rows(200))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    nones = 0
    for _ in range(30):
        for r in range(proxy.rowCount()):
            for c in range(proxy.columnCount()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole):
                    if proxy.data(proxy.index(r, c), role) is None:
                        nones += 1
        proxy.headerData(99, Qt.Orientation.Horizontal)
    assert nones > 5000


def test_people_model_sorts_and_filters_in_the_model(qapp):
    model = PeopleTableModel(_rows(50))
    model.sort(10, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 10)) == "49"
    model.set_filter(text="NGUYEN van 1")
    shown = {model.row_at(i).id for i in range(model.rowCount())}
    assert shown == {1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
    model.set_filter(vneid="proficient", as_of=dt.date(2026, 3, 31))
    assert all(model.row_at(i).id % 3 == 0 for i in range(model.rowCount()))
    model.set_filter(vneid="proficient", as_of=dt.date(2026, 3, 30))
    assert model.rowCount() == 0
    model.set_filter(party_only=True, unit_ids={1})
    assert {model.row_at(i).id % 5 for i in range(model.rowCount())} == {1}
    assert all(model.row_at(i).is_party_member for i in range(model.rowCount()))


def test_personal_data_masked_until_revealed(qapp):
    model = PeopleTableModel(_rows(5))
    model.sort(0)
    row = next(i for i in range(5) if model.row_at(i).cccd)
    assert "•" in model.data(model.index(row, 3))
    model.set_reveal_personal(True)
    assert model.data(model.index(row, 3)) == model.row_at(row).cccd
    assert mask_cccd("001188456789") == "001••••••789"


def test_main_window_shows_demo_people_and_units(qtbot, demo_db):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow
    from bdhvs_desktop.gui.pages import PAGES

    ctx = AppContext(demo_db)
    window = MainWindow(ctx, initial_page="people")
    qtbot.addWidget(window)
    window.show()
    people = window.pages["people"]
    assert people.model.rowCount() >= 150
    people.search.setText("nguyen")
    assert 0 < people.model.rowCount() < 150
    units = window.show_page("units")
    settle(qtbot)
    assert units.tree.topLevelItemCount() >= 1
    names = []
    stack = [units.tree.topLevelItem(i) for i in range(units.tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        names.append(item.text(0))
        stack.extend(item.child(i) for i in range(item.childCount()))
    assert "Chi bộ Khu phố 3 (mô phỏng)" in names and len(names) >= 8
    for key, _title, _spec in PAGES:
        assert window.show_page(key).isVisible()
    assert "giai đoạn" in window.phase_label.text().lower() or "phong trào" in window.phase_label.text().lower()
    assert str(demo_db.path) in window.db_label.text()


def test_geometry_is_remembered(qtbot, db):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow

    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.show()
    window.resize(760, 560)
    window.close()
    again = MainWindow(AppContext(db))
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (760, 560)


def test_smoke_test_command_on_fresh_database(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "bdhvs_desktop", "--db", str(tmp_path / "fresh.sqlite3"),
                             "--smoke-test"], capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert "Kiểm tra khởi động: đạt (10 trang" in result.stdout


def test_lazy_database_lists_match_the_orm_lists(demo_template):
    """The start-up read path (sqlite3, before SQLAlchemy loads) gives exactly the rows the
    SQLAlchemy path gives."""
    from bdhvs_desktop.services.records import list_people, list_units
    from bdhvs_desktop.storage.lazy import LazyDatabase

    lazy = LazyDatabase.try_open(demo_template)
    assert lazy is not None and not lazy.loaded
    quick_people, quick_units = list_people(lazy), list_units(lazy)
    lazy.real()
    assert lazy.loaded and lazy.quick_rows("SELECT 1") is None
    assert list_people(lazy) == quick_people and len(quick_people) >= 150
    assert list_units(lazy) == quick_units
    lazy.dispose()


def test_lazy_database_declines_old_or_missing_files(tmp_path):
    from bdhvs_desktop.storage.lazy import LazyDatabase

    assert LazyDatabase.try_open(tmp_path / "missing.sqlite3") is None
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database")
    assert LazyDatabase.try_open(tmp_path / "junk.sqlite3") is None


def test_first_start_form_creates_the_demo_ward(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from bdhvs_desktop.gui import app as gui_app
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow
    from bdhvs_desktop.services.campaign import campaign_info
    from bdhvs_desktop.services.records import list_people

    ctx = AppContext(db)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    seen = {}

    def fake_exec(self):  # the dialog from ui/first_start.ui, answered "demo ward"
        seen["presets"] = self.presetCombo.count()
        seen["title"] = self.windowTitle()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    gui_app.first_start(ctx, window)
    settle(qtbot, timeout=120000)
    assert seen["presets"] >= 4 and seen["title"] == "Bắt đầu"
    assert campaign_info(db) is not None
    assert len(list_people(db)) >= 150


def test_people_page_opens_the_history_of_a_vneid_change(qtbot, demo_db, monkeypatch):
    import datetime as dt

    from PySide6.QtWidgets import QDialog

    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.history_dialog import HistoryDialog
    from bdhvs_desktop.gui.main_window import MainWindow
    from bdhvs_desktop.services.people import mark_vneid_proficient

    window = MainWindow(AppContext(demo_db), initial_page="people")
    qtbot.addWidget(window)
    window.show()
    page = window.pages["people"]
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).vneid_proficient_on is None)
    page.table.selectRow(row)
    person_id = page.selected_ids()[0]
    mark_vneid_proficient(demo_db, [person_id], dt.date(2026, 2, 2), "Công an phường")
    assert page.history_button.isEnabled()
    opened = []

    def fake_exec(self):
        opened.append(self)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(HistoryDialog, "exec", fake_exec)
    page.show_history()
    assert len(opened) == 1
    dialog = opened[0]
    model = dialog.table.model()
    texts = [str(model.data(model.index(r, c))) for r in range(model.rowCount()) for c in range(model.columnCount())]
    assert any("02/02/2026" in t or "2026-02-02" in t for t in texts), texts
