"""The status screens filled from the demo ward: Tổng quan, Kế hoạch và tiến độ, Hoạt động, Mô hình."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_wait import settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.services import activities as act
from bdhvs_desktop.services.status import compute_status

D = dt.date


@pytest.fixture
def ctx(demo_db):
    context = AppContext(demo_db)
    context.set_as_of(D(2026, 6, 20))
    return context


def _show(qtbot, page):
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot)
    return page


def test_overview_cards_and_lagging_units(qtbot, ctx):
    from bdhvs_desktop.gui.pages.overview import OverviewPage, TargetCard, progress_percent

    page = _show(qtbot, OverviewPage(ctx))
    report = compute_status(ctx.db, ctx.as_of)
    cards = page.findChildren(TargetCard)
    assert [c.target.code for c in cards] == [t.code for t in report.targets]
    assert "Giai đoạn 2" in page.phase_label.text() and "còn 10 ngày" in page.phase_label.text()
    weekly = next(c for c in cards if c.target.code == "HUONG_DAN_TUAN")
    assert "#c62828" in weekly.styleSheet()  # red: missed
    assert "Tổ dân phố 5" in weekly.toolTip()
    met = next(c for c in cards if c.target.code == "NHAN_BIET_PT")
    assert "#2e7d32" in met.styleSheet()
    assert progress_percent(next(t for t in report.targets if t.code == "MO_HINH_XS_DUUBND")) == 0
    names = [page.behind.item(r, 0).text() for r in range(page.behind.rowCount())]
    assert "Chi bộ Khu phố 3 (mô phỏng)" in names
    assert "Tổ dân phố 5 (mô phỏng)" in names


def test_overview_date_picker_moves_every_page(qtbot, ctx):
    from bdhvs_desktop.gui.forms import to_qdate
    from bdhvs_desktop.gui.pages.overview import OverviewPage, TargetCard

    page = _show(qtbot, OverviewPage(ctx))
    with qtbot.waitSignal(ctx.as_of_changed):
        page.as_of_edit.setDate(to_qdate(D(2026, 2, 15)))
    settle(qtbot)
    assert ctx.as_of == D(2026, 2, 15)
    assert "Giai đoạn 1" in page.phase_label.text()
    qtbot.waitUntil(lambda: any(c.isVisible() for c in page.findChildren(TargetCard)))
    weekly = next(c for c in page.findChildren(TargetCard) if c.target.code == "HUONG_DAN_TUAN" and c.isVisible())
    assert weekly.target.status == "not_due" and "Chưa đến hạn" in "".join(
        lbl.text() for lbl in weekly.findChildren(QLabel))


def test_plan_timeline_and_task_editing(qtbot, ctx, monkeypatch):
    from bdhvs_desktop.gui.pages.plan import PlanPage, TaskDialog

    page = _show(qtbot, PlanPage(ctx))
    report = page.report
    page.timeline.grab()  # markers are placed when the timeline paints
    assert len(page.timeline._markers) == sum(1 for t in report.tasks if t.due)
    assert page.model.rowCount() == len(report.tasks)
    page.show_filter.setCurrentIndex(page.show_filter.findData("late"))
    late = [page.model.row_at(r) for r in range(page.model.rowCount())]
    assert late and all(t.status == "late" for t in late)
    page.show_filter.setCurrentIndex(0)
    page.unit_filter.setCurrentIndex(page.unit_filter.findData("Chi bộ Công an phường (Lãnh đạo Công an phường)"))
    assert page.model.rowCount() == 2
    assert all(page.model.row_at(r).unit.startswith("Chi bộ Công an") for r in range(page.model.rowCount()))
    page.unit_filter.setCurrentIndex(0)
    # clicking a marker selects its task in the list
    centre, task = page.timeline._markers[0]
    page.show_filter.setCurrentIndex(0)
    qtbot.mouseClick(page.timeline, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert page.current_task() is not None and page.current_task().id == task.id
    # the task dialog refuses "done" without evidence, then saves it
    target = late[0]
    dialog = TaskDialog(ctx.db, target, page)
    qtbot.addWidget(dialog)
    dialog.status.setCurrentIndex(dialog.status.findData("done"))
    dialog._on_save()
    settle(qtbot)
    assert not dialog.errors.isHidden() and "Minh chứng" in dialog.errors.text()
    dialog.done_date.set_value(D(2026, 6, 1))
    dialog.evidence.setPlainText("Báo cáo số 05-BC/ĐU ngày 01/06/2026")
    dialog._on_save()
    settle(qtbot)
    assert dialog.result() == dialog.DialogCode.Accepted
    ctx.notify("tasks")
    settle(qtbot)
    assert next(t for t in compute_status(ctx.db, ctx.as_of).tasks if t.id == target.id).status == "done"


def test_activities_list_grid_and_dialog(qtbot, ctx):
    from bdhvs_desktop.gui.pages.activities import ActivitiesPage, ActivityDialog

    page = _show(qtbot, ActivitiesPage(ctx))
    expected = len(act.list_activities(ctx.db, start=D(2025, 12, 1), end=ctx.as_of))
    assert page.model.rowCount() == expected
    page.kind_filter.setCurrentIndex(page.kind_filter.findData("broadcast"))
    settle(qtbot)
    assert all(page.model.row_at(r).kind == "broadcast" for r in range(page.model.rowCount()))
    page.tabs.setCurrentIndex(1)
    grid = page.grid.table
    rows = {grid.verticalHeaderItem(r).text(): r for r in range(grid.rowCount())}
    last = 0  # the first column counts the weeks without a session
    assert grid.item(rows["Tổ dân phố 5 (mô phỏng)"], last).text() == "10"  # weeks 15-24 are over by Saturday 20/06
    assert grid.item(rows["Tổ dân phố 4 (mô phỏng)"], last).text() == "1"
    assert grid.item(rows["Tổ dân phố 3 (mô phỏng)"], last).text() == "0"
    assert rows["Tổ dân phố 5 (mô phỏng)"] == 0  # the group furthest behind comes first
    # a guidance session without a unit is refused, with the reason shown in the dialog
    dialog = ActivityDialog(ctx.db, page.units, None, D(2026, 6, 18), page)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("guidance"))
    dialog.unit.setCurrentIndex(0)
    dialog._on_save()
    settle(qtbot)
    assert "phải ghi đơn vị tổ chức" in dialog.errors.text()
    dialog.unit.setCurrentIndex(dialog.unit.findData(next(u.id for u in page.units if u.code == "TDP-05")))
    dialog.skill_boxes[2].setChecked(True)
    dialog.participants.setValue(12)
    dialog._on_save()
    settle(qtbot)
    assert dialog.result() == dialog.DialogCode.Accepted
    ctx.notify("activities")
    settle(qtbot)
    assert grid.item(rows["Tổ dân phố 5 (mô phỏng)"], last).text() == "10"  # the new session is in week 25
    tdp5 = compute_status(ctx.db, D(2026, 6, 22)).target("HUONG_DAN_TUAN")
    assert tdp5.per_unit[-1].unit_code == "TDP-05" and tdp5.per_unit[-1].numerator == 1


def test_models_page(qtbot, ctx):
    from bdhvs_desktop.gui.pages.models import AdvanceDialog, ModelsPage

    page = _show(qtbot, ModelsPage(ctx))
    assert page.models.rowCount() == 6
    assert [page.models.row_at(r).code for r in range(6)] == [f"MH-0{i}" for i in range(1, 7)]
    assert page.solutions.rowCount() == 13
    assert page.figures.rowCount() == 5
    # "Đại sứ số": four mentors, one of them with only three mentees
    assert sorted(page.mentors.row_at(r).mentees for r in range(4)) == [3, 5, 6, 7]
    page.mentors_table.selectRow(0)
    assert page.mentees.rowCount() == page.mentors.row_at(0).mentees
    page.models_table.selectRow(2)  # MH-03, implementing
    row = page.models.row_at(2)
    assert "Tổ công nghệ số cộng đồng" in page.model_detail.text()
    dialog = AdvanceDialog(ctx.db, row, page)
    qtbot.addWidget(dialog)
    dialog._on_save()  # evaluation needs a rating and a quarter
    settle(qtbot)
    assert "Xếp loại" in dialog.errors.text() and "Quý đánh giá" in dialog.errors.text()
    dialog.rating.setCurrentText("Tốt")
    dialog.quarter.setText("Q2/2026")
    dialog._on_save()
    settle(qtbot)
    assert dialog.result() == dialog.DialogCode.Accepted
    ctx.notify("models")
    settle(qtbot)
    assert page.models.row_at(2).status == "evaluated"
