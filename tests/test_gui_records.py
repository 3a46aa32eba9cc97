"""The records screens offscreen: person form and bulk VNeID dialog with messages next to
the fields, unit tree editing, the import wizard (nothing written before confirmation) and
the Excel export buttons."""

from __future__ import annotations

import datetime as dt
import os

import pytest

pytest.importorskip("PySide6")

from gui_wait import settle
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.storage import models as m
from tests.records_helpers import snapshot, write_book

SHOTS = os.environ.get("BDHVS_SHOTS")  # a folder: save screenshots there


def shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        os.makedirs(SHOTS, exist_ok=True)
        widget.grab().save(os.path.join(SHOTS, name + ".png"))


@pytest.fixture
def ctx(demo_db, qapp):
    return AppContext(demo_db)


def _select_rows(page, rows):
    sel = page.table.selectionModel()
    sel.clearSelection()
    for r in rows:
        sel.select(page.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select |
                   QItemSelectionModel.SelectionFlag.Rows)


def test_people_page_bulk_vneid_and_person_form(ctx, qtbot):
    from bdhvs_desktop.gui.pages.people import PeoplePage
    from bdhvs_desktop.gui.person_dialog import BulkVneidDialog, PersonDialog

    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    page.vneid_filter.setCurrentIndex(page.vneid_filter.findData("not_proficient"))
    assert page.model.rowCount() > 3
    _select_rows(page, [0, 1, 2])
    assert page.vneid_button.isEnabled() and not page.edit_button.isEnabled()
    ids = page.selected_ids()
    shot(page, "people_page")
    dialog = BulkVneidDialog(ctx, ids, page)
    qtbot.addWidget(dialog)
    dialog.on.setText("31/02/2026")
    dialog.verified_by.setText("")
    dialog.apply()
    settle(qtbot)
    assert dialog.on_error.isVisibleTo(dialog) and "ngày" in dialog.on_error.text()
    assert dialog.by_error.isVisibleTo(dialog) and dialog.by_error.text()
    shot(dialog, "bulk_vneid_errors")
    dialog.on.setText("20/03/2026")
    dialog.verified_by.setText("Công an phường")
    dialog.apply()
    settle(qtbot)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.result_info.changed == 3
    with ctx.db.read() as s:
        days = {s.get(m.Person, i).vneid_proficient_on for i in ids}
    assert days == {dt.date(2026, 3, 20)}

    # the person form: messages next to the fields, nothing saved until valid
    before = snapshot(ctx.db)
    form = PersonDialog(ctx, page._units, ids[0], page)
    qtbot.addWidget(form)
    form.full_name.setText("")
    form.birth_date.setText("99/99/1990")
    form.cccd.setText("12345")
    form.save()
    settle(qtbot)
    assert form.errors["full_name"].text() and form.errors["birth_date"].text()
    assert form.result() != form.DialogCode.Accepted
    form.show()
    shot(form, "person_form_errors")
    assert snapshot(ctx.db) == before
    form.full_name.setText("Nguyễn Văn Sửa")
    form.birth_date.setText("")
    form.cccd.setText("")
    form.save()
    settle(qtbot)
    assert not form.errors["full_name"].text()
    assert form.result() == form.DialogCode.Accepted
    with ctx.db.read() as s:
        assert s.get(m.Person, ids[0]).full_name == "Nguyễn Văn Sửa"


def test_units_page_validates_moves_and_edits(ctx, qtbot):
    from bdhvs_desktop.gui.pages.units import UnitDialog, UnitsPage

    page = UnitsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    settle(qtbot)
    by_code = {u.code: u for u in page.units}
    # moving a unit under its own child is refused with a message
    assert not page.move_to(by_code["DU-PHUONG"].id, by_code["CB-KP3"].id)
    assert "cấp dưới" in page.message.text()
    assert page.move_to(by_code["TDP-05"].id, by_code["CB-KP3"].id)
    page.refresh()
    settle(qtbot)
    assert {u.code: u for u in page.units}["TDP-05"].parent_id == by_code["CB-KP3"].id
    shot(page, "units_page")
    dialog = UnitDialog(ctx, page.units, None, page)
    qtbot.addWidget(dialog)
    dialog.code.setText("TDP-01")
    dialog.name.setText("")
    dialog.households.setText("nhiều")
    dialog.save()
    settle(qtbot)
    assert "TDP-01" in dialog.errors["code"].text() and dialog.errors["name"].text()
    assert dialog.errors["households"].text()
    dialog.show()
    shot(dialog, "unit_form_errors")
    dialog.code.setText("TDP-09")
    dialog.name.setText("Tổ dân phố 9")
    dialog.households.setText("120")
    dialog.save()
    settle(qtbot)
    assert dialog.result() == dialog.DialogCode.Accepted
    page.refresh()
    settle(qtbot)
    assert any(u.code == "TDP-09" and u.households == 120 for u in page.units)


def test_units_tree_drop_moves_through_the_validated_service(ctx, qtbot):
    """Dropping a unit onto another makes it that unit's child; dropping it between two
    units makes it their sibling; a refused move (under its own descendant) leaves the tree as
    it was and says why. The tree itself never moves items: it is rebuilt from the database.
    (A real drag cannot run offscreen, so the test delivers the drop event the drag would end
    with, and sets the indicator that the drag's last move would have left.)"""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDropEvent
    from PySide6.QtWidgets import QAbstractItemView

    from bdhvs_desktop.gui.pages.units import UnitsPage

    page = UnitsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    settle(qtbot)
    tree = page.tree

    def item_of(code):
        uid = {u.code: u.id for u in page.units}[code]
        found = [it for it in _tree_items(tree) if it.data(0, Qt.ItemDataRole.UserRole) == uid]
        assert len(found) == 1
        return found[0]

    def drop(source_code, target_code, indicator):
        source, target = item_of(source_code), item_of(target_code)
        tree.scrollToItem(target)
        tree.setCurrentItem(source)
        tree.dropIndicatorPosition = lambda: indicator  # what the drag's last move left
        point = QPointF(tree.visualItemRect(target).center())
        event = QDropEvent(point, Qt.DropAction.MoveAction, tree.model().mimeData([tree.indexFromItem(source)]),
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        tree.dropEvent(event)
        del tree.dropIndicatorPosition
        page.refresh()
        settle(qtbot)
        return {u.code: u for u in page.units}

    before = {u.code: u for u in page.units}
    units = drop("TDP-05", "CB-KP3", QAbstractItemView.DropIndicatorPosition.OnItem)
    assert units["TDP-05"].parent_id == before["CB-KP3"].id
    assert "Đã chuyển" in page.message.text()
    with ctx.db.read() as s:
        assert s.get(m.Unit, before["TDP-05"].id).parent_id == before["CB-KP3"].id
    units = drop("TDP-05", "TDP-01", QAbstractItemView.DropIndicatorPosition.BelowItem)
    assert units["TDP-05"].parent_id == units["TDP-01"].parent_id  # beside TDP-01, under its parent
    units = drop("DU-PHUONG", "CB-KP3", QAbstractItemView.DropIndicatorPosition.OnItem)
    assert "cấp dưới" in page.message.text()
    assert units["DU-PHUONG"].parent_id == before["DU-PHUONG"].parent_id


def _tree_items(tree):
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))


def test_import_wizard_previews_then_imports_on_confirmation(ctx, qtbot, tmp_path):
    from bdhvs_desktop.gui.import_wizard import ImportWizard

    bad = write_book(tmp_path / "bad.xlsx", {
        "DonVi": [["TDP-07", "Tổ dân phố 7", "Tổ dân phố", "DU-PHUONG", "Không", 90, 200]],
        "NhanSu": [["Lý Thị Hạnh", "12/03/1991", "Nữ", "068191000321", "TDP-07", None, "Không", "Không", None,
                    "Không", 0, "Không"],
                   ["Hồ Văn Tâm", "05/06/1980", "Nam", "068080000999", "KHONG-CO", None, "có lẽ", "Không", None,
                    "Không", 0, "Không"]]})
    before = snapshot(ctx.db)
    wizard = ImportWizard(ctx, None, str(bad))
    qtbot.addWidget(wizard)
    wizard.show()
    shot(wizard, "import_1_file")
    wizard.next_step()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == wizard.PAGE_PREVIEW, timeout=15000)
    assert not wizard.next_button.isEnabled()  # errors: cannot import
    model = wizard.models["NhanSu"]
    unit_col = model.headers.index("Mã đơn vị")
    index = model.index(1, unit_col)
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert "KHONG-CO" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, unit_col), Qt.ItemDataRole.BackgroundRole) is None
    assert wizard.problem_table.rowCount() == 2
    wizard.jump_to_problem(0, 0)
    shot(wizard, "import_2_preview_errors")
    assert snapshot(ctx.db) == before  # nothing written by the preview

    good = write_book(tmp_path / "good.xlsx", {
        "DonVi": [["TDP-07", "Tổ dân phố 7", "Tổ dân phố", "DU-PHUONG", "Không", 90, 200]],
        "NhanSu": [["Lý Thị Hạnh", "12/03/1991", "Nữ", 68191000321, "TDP-07", None, "Không", "Không", None,
                    "Không", 0, "Không"]]})
    wizard.go(wizard.PAGE_FILE)
    wizard.path_edit.setText(str(good))
    wizard.next_step()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == wizard.PAGE_PREVIEW and wizard.analysis.path == good,
                    timeout=15000)
    assert wizard.next_button.isEnabled() and not wizard.analysis.errors and wizard.analysis.warnings
    shot(wizard, "import_2_preview_ok")
    assert snapshot(ctx.db) == before
    wizard.run_import()  # what the confirmation answers "Có" to
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == wizard.PAGE_SUMMARY, timeout=15000)
    assert wizard.result.written and "Đã ghi" in wizard.summary.text()
    shot(wizard, "import_3_summary")
    with ctx.db.read() as s:
        assert s.scalar(select(m.Person.cccd).where(m.Person.full_name == "Lý Thị Hạnh")) == "068191000321"


def test_unusable_file_is_explained_on_the_first_page(ctx, qtbot, tmp_path):
    from bdhvs_desktop.gui.import_wizard import ImportWizard

    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"plain text")
    wizard = ImportWizard(ctx, None, str(bad))
    qtbot.addWidget(wizard)
    wizard.next_step()
    qtbot.waitUntil(lambda: bool(wizard.file_error.text()), timeout=15000)
    assert "không phải sổ làm việc" in wizard.file_error.text()
    assert wizard.stack.currentIndex() == wizard.PAGE_FILE


def test_export_asks_once_about_personal_data(ctx, qtbot, tmp_path, monkeypatch):
    from bdhvs_desktop.gui import import_wizard, personal_data

    asked = []
    personal_data.reset_personal_export_consent()
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or 0)
    monkeypatch.setattr(QMessageBox, "buttonRole", lambda self, button: QMessageBox.ButtonRole.AcceptRole)
    done = []
    for name in ("a.xlsx", "b.xlsx"):
        import_wizard.export_to_excel(None, ctx, "people", name, path=str(tmp_path / name),
                                      on_done=lambda p, c: done.append((p, c)), person_ids={1, 2, 3})
    qtbot.waitUntil(lambda: len(done) == 2, timeout=15000)
    assert len(asked) == 1
    assert done[0][1] == {"NhanSu": 3}
    import_wizard.export_to_excel(None, ctx, "units", "u.xlsx", path=str(tmp_path / "u.xlsx"),
                                  on_done=lambda p, c: done.append((p, c)))
    qtbot.waitUntil(lambda: len(done) == 3, timeout=15000)
    assert len(asked) == 1 and (tmp_path / "u.xlsx").exists()
