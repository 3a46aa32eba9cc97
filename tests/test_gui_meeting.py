"""The council page's meeting editor (offscreen): times, discussion, counting committee."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_wait import settle
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import meeting as ms
from bdhvs_desktop.services import meeting_edit


@pytest.fixture
def ctx(demo_db, qtbot):
    context = AppContext(demo_db)
    context.set_as_of(dt.date(2026, 11, 15))
    return context


def test_meeting_editor_saves_times_discussion_and_counting_committee(ctx, qtbot, monkeypatch, tmp_path):
    from bdhvs_desktop.gui.pages import meeting_details as md
    from bdhvs_desktop.gui.pages.council import CouncilPage

    page = CouncilPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    settle(qtbot)
    mid = page.view.id
    assert page.details_button.isEnabled()
    dialog = md.MeetingDetailsDialog(ctx, mid, page)
    qtbot.addWidget(dialog)
    dialog.grab().save(str(tmp_path / "meeting-details.png"))
    dialog.start.setDateTime(QDateTime(2026, 11, 12, 8, 30, 0))
    dialog.has_end.setChecked(True)
    dialog.end.setDateTime(QDateTime(2026, 11, 12, 11, 5, 0))
    dialog.discussion.setPlainText("Hội đồng nghe báo cáo & thảo luận.")
    for i in range(dialog.counting.count()):
        dialog.counting.item(i).setCheckState(Qt.CheckState.Checked if i < 2 else Qt.CheckState.Unchecked)
    dialog.head.setCurrentIndex(1)
    dialog.save()
    settle(qtbot)
    assert dialog.result() == QDialog.DialogCode.Accepted
    rec = ms.meeting_record(ctx.db, mid)
    assert rec.start == dt.datetime(2026, 11, 12, 8, 30) and rec.end == dt.datetime(2026, 11, 12, 11, 5)
    assert rec.discussion == "Hội đồng nghe báo cáo & thảo luận."
    assert len(rec.counting_committee) == 2 and rec.counting_committee[0].counting_role == "head"
    assert rec.counting_committee[0].member_id == dialog.head.itemData(1)
    # an end before the start is refused, with the reason, and nothing is saved
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    bad = md.MeetingDetailsDialog(ctx, mid, page)
    qtbot.addWidget(bad)
    bad.end.setDateTime(QDateTime(2026, 11, 12, 7, 0, 0))
    bad.discussion.setPlainText("không được lưu")
    bad.save()
    settle(qtbot)
    assert warnings and "phải sau giờ bắt đầu" in warnings[0]
    assert ms.meeting_record(ctx.db, mid).discussion == "Hội đồng nghe báo cáo & thảo luận."


def test_new_meeting_dialog_takes_end_and_discussion(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages import council as council_mod

    page = council_mod.CouncilPage(ctx)
    qtbot.addWidget(page)

    def fill(dialog):
        dialog.when.setDateTime(QDateTime(2026, 12, 1, 14, 0, 0))
        dialog.has_end.setChecked(True)
        dialog.end.setDateTime(QDateTime(2026, 12, 1, 16, 15, 0))
        dialog.discussion.setPlainText("Xét bổ sung.")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(council_mod.MeetingDialog, "exec", fill)
    before = {x[0] for x in cs.list_meetings(ctx.db)}
    page.new_meeting()
    settle(qtbot)
    new = ({x[0] for x in cs.list_meetings(ctx.db)} - before).pop()
    rec = ms.meeting_record(ctx.db, new)
    assert rec.start == dt.datetime(2026, 12, 1, 14, 0) and rec.end == dt.datetime(2026, 12, 1, 16, 15)
    assert rec.discussion == "Xét bổ sung."


def test_the_meeting_editor_reloads_after_a_conflict_as_an_operation(ctx, qtbot, monkeypatch):
    """Issue #12: after a colleague's save the editor's "Tải lại" reads the meeting again through
    ops (off the GUI thread); the reloaded version is the one the next save sends, and a meeting
    gone meanwhile is said the one way for its kind (not an error escaping the window)."""
    from bdhvs_desktop.gui import conflict
    from bdhvs_desktop.gui.pages import meeting_details as md
    from bdhvs_desktop.gui.pages.council import CouncilPage
    from bdhvs_desktop.services.council import CouncilActionError

    page = CouncilPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    settle(qtbot)
    mid = page.view.id
    asked, warnings = [], []
    monkeypatch.setattr(conflict, "show_conflict", lambda _p, exc, labels=None: asked.append(exc) or True)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: warnings.append((title, text)))

    dialog = md.MeetingDetailsDialog(ctx, mid, page)
    qtbot.addWidget(dialog)
    meeting_edit.save_meeting_details(ctx.db, mid, place="Phòng họp B", version=dialog.record.version)  # a colleague
    stored = ms.meeting_record(ctx.db, mid).version
    dialog.place.setText("Hội trường")
    dialog.save()
    settle(qtbot)
    assert len(asked) == 1 and dialog.record.version == stored  # reloaded: saving again is deliberate

    meeting_edit.save_meeting_details(ctx.db, mid, place="Phòng họp C", version=stored)  # again, then the meeting goes

    def gone(_db, meeting_id):
        raise CouncilActionError(f"Không tìm thấy phiên họp số {meeting_id}.")

    monkeypatch.setattr(md, "meeting_record", gone)
    dialog.save()
    settle(qtbot)
    assert len(asked) == 2
    assert warnings == [("Không thực hiện được", f"Không tìm thấy phiên họp số {mid}.")]
    assert dialog.record.version == stored and dialog.place.text() == "Hội trường"
