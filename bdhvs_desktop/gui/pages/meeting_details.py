"""The meeting editor: start and end time (Vietnam's local time), place, number, what was
discussed (section II of the minutes) and, for a secret ballot, the counting committee."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import dialog_buttons
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.meeting import meeting_record
from bdhvs_desktop.services.meeting_edit import save_meeting_details


def _edit(value: dt.datetime | None) -> QDateTimeEdit:
    w = QDateTimeEdit(QDateTime(value.year, value.month, value.day, value.hour, value.minute, 0) if value
                      else QDateTime.currentDateTime())
    w.setDisplayFormat("HH:mm dd/MM/yyyy")
    w.setCalendarPopup(True)
    return w


def _minute(w: QDateTimeEdit) -> dt.datetime:
    return w.dateTime().toPython().replace(second=0, microsecond=0)


class MeetingDetailsDialog(QDialog):
    """Edit an open meeting's own record (services.meeting.save_meeting_details)."""

    def __init__(self, ctx, meeting_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.meeting_id = ctx, meeting_id
        # Synchronous: one meeting's record and its members, tens of rows (9-15 ms on the demo ward,
        # not growing with the ward's people); the reload after a conflict is an operation.
        self.record = rec = meeting_record(ctx.db, meeting_id)
        self.setWindowTitle(tr("Chi tiết phiên họp"))
        self.resize(560, 560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.start = _edit(rec.start)
        self.end = _edit(rec.end or rec.start + dt.timedelta(hours=2))
        self.has_end = QCheckBox(tr("Đã biết giờ kết thúc"))
        self.has_end.setChecked(rec.end is not None)
        self.end.setEnabled(rec.end is not None)
        self.has_end.toggled.connect(self.end.setEnabled)
        self.place = QLineEdit(rec.place or "")
        self.number = QLineEdit(rec.number or "")
        self.number.setPlaceholderText(tr("ví dụ: 01/BB-HĐTĐKT"))
        self.discussion = QPlainTextEdit(rec.discussion or "")
        self.discussion.setPlaceholderText(tr("Nội dung cuộc họp (mục II của biên bản): ai báo cáo gì, "
                                              "Hội đồng thảo luận những gì"))
        form.addRow(tr("Bắt đầu (giờ Việt Nam):"), self.start)
        form.addRow(self.has_end, self.end)
        form.addRow(tr("Địa điểm:"), self.place)
        form.addRow(tr("Số biên bản:"), self.number)
        form.addRow(tr("Nội dung cuộc họp:"), self.discussion)
        layout.addLayout(form)
        self.counting = QListWidget()
        self.head = QComboBox()
        self.secret = rec.voting_method == "secret_ballot"
        if self.secret:
            layout.addWidget(QLabel(tr("Ban kiểm phiếu (chọn trong số thành viên có mặt):")))
            for x in rec.members:
                if not x.present:
                    continue
                item = QListWidgetItem(x.full_name)
                item.setData(Qt.ItemDataRole.UserRole, x.member_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if x.counting_role else Qt.CheckState.Unchecked)
                self.counting.addItem(item)
                self.head.addItem(x.full_name, x.member_id)
            head = next((x.member_id for x in rec.members if x.counting_role == "head"), None)
            if head is not None:
                self.head.setCurrentIndex(max(self.head.findData(head), 0))
            layout.addWidget(self.counting)
            row = QFormLayout()
            row.addRow(tr("Trưởng ban kiểm phiếu:"), self.head)
            layout.addLayout(row)
        layout.addWidget(dialog_buttons(self, accept=self.save))

    def counting_ids(self) -> list[int]:
        return [self.counting.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.counting.count())
                if self.counting.item(i).checkState() == Qt.CheckState.Checked]

    def save(self) -> None:
        counting = None
        if self.secret:
            ids = self.counting_ids()
            counting = (ids, self.head.currentData() if ids else None)
        meeting_id, version = self.meeting_id, self.record.version
        values = dict(start=_minute(self.start), end=_minute(self.end) if self.has_end.isChecked() else None,
                      place=self.place.text(), number=self.number.text(), discussion=self.discussion.toPlainText(),
                      counting=counting)

        def reload() -> None:  # after a conflict, if the user asks: saving again is now deliberate
            # An operation: the meeting may be gone by now (said the one way for its kind).
            ops.run(self, lambda db: meeting_record(db, meeting_id), success=lambda rec: setattr(self, "record", rec),
                    title=tr("Đang tải lại phiên họp"))

        # A colleague's save since the editor opened is a conflict (what was typed stays in the editor).
        ops.run(self, lambda db: save_meeting_details(db, meeting_id, version=version, **values),
                changes=Changes.of(Change.COUNCIL), success=lambda _r: self.accept(), reload=reload,
                title=tr("Đang lưu chi tiết phiên họp"),
                labels={"held_at": tr("Bắt đầu"), "ended_at": tr("Kết thúc"), "place": tr("Địa điểm"),
                        "number": tr("Số biên bản"), "discussion": tr("Nội dung cuộc họp")})
