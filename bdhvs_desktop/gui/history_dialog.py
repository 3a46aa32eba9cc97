"""The history of one record: every audit entry (who, when, old and new value), newest
first. Any page opens it with `HistoryDialog(ctx, "person", person_id).exec()`."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain import vocab
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.safety import record_history

ACTION_LABELS = {
    "create": tr("Tạo mới"), "update": tr("Sửa"), "delete": tr("Xóa"), "import": tr("Nhập từ tệp"), "decide": tr("Quyết định"),
    "approve": tr("Thông qua"), "reject": tr("Không thông qua"), "reopen": tr("Mở lại"), "lock": tr("Khóa hồ sơ"),
    "vote": tr("Biểu quyết"), "score": tr("Chấm điểm"), "restore": tr("Khôi phục"), "merge": tr("Sáp nhập"), "login": tr("Đăng nhập"),
    "status": tr("Đổi trạng thái"), "generate": tr("Lập hồ sơ"), "close": tr("Kết thúc"), "propose": tr("Đề nghị"),
    "decision": tr("Ban hành quyết định"),
}

FIELD_LABELS = {
    "full_name": tr("Họ và tên"), "birth_date": tr("Ngày sinh"), "sex": tr("Giới tính"), "cccd": tr("Số CCCD"), "unit_id": tr("Đơn vị"),
    "position": tr("Chức vụ"), "is_party_member": tr("Đảng viên"), "is_public_servant": "CBCCVC",
    "vneid_proficient_on": tr("Ngày thành thạo VNeID"), "vneid_verified_by": tr("Người xác nhận VNeID"),
    "can_guide": tr("Hướng dẫn được người dân"), "people_guided": tr("Số người đã hướng dẫn"),
    "under_discipline": tr("Đang bị kỷ luật"), "phone": tr("Điện thoại"), "status": tr("Trạng thái"), "passed": tr("Đạt"),
    "points": tr("Điểm"), "evidence": tr("Minh chứng"), "votes_for": tr("Phiếu đồng ý"), "votes_against": tr("Phiếu không đồng ý"),
    "votes_abstain": tr("Phiếu không biểu quyết"), "name": tr("Tên"), "active": tr("Đang hoạt động"), "password": tr("Mật khẩu"),
    "summary": tr("Tóm tắt thành tích"), "decision_reason": tr("Lý do"), "locked": tr("Đã khóa"), "role": tr("Vai trò"),
    "award_form_id": tr("Hình thức khen thưởng"), "score_snapshot": tr("Kết quả chấm điểm"),
}

ENTITY_LABELS = {
    "person": tr("người"), "unit": tr("đơn vị"), "candidate": tr("hồ sơ đề nghị"), "vote": tr("phiếu biểu quyết"),
    "manual_result": tr("kết quả tiêu chí"), "council_meeting": tr("cuộc họp"), "app_user": tr("tài khoản"),
    "database": tr("cơ sở dữ liệu"), "digital_model": tr("mô hình"), "activity": tr("hoạt động"), "criterion": tr("tiêu chí"),
    "council_member": tr("thành viên Hội đồng"), "meeting_attendance": tr("điểm danh"), "mentorship": tr("kèm cặp Đại sứ số"),
    "model_replication": tr("nhân rộng mô hình"), "dossier": tr("hồ sơ khen thưởng"), "setting": tr("cài đặt"),
    "solution": tr("giải pháp"), "workbook": tr("tệp Excel"), "award_record": tr("sổ khen thưởng"),
    "decision": tr("quyết định khen thưởng"),
}

COLUMNS = [tr("Thời điểm"), tr("Người thực hiện"), tr("Thao tác"), tr("Nội dung"), tr("Giá trị cũ"), tr("Giá trị mới"), tr("Ghi chú")]


def _local(at: dt.datetime) -> dt.datetime:
    """Stored times are UTC; show the PC's local time."""
    return at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def _code_labels() -> dict[str | None, dict[str, str]]:
    return {"status": {str(k): v for k, v in vocab.CANDIDATE_STATUS_LABELS.items()},
            "role": {str(k): v for k, v in vocab.USER_ROLE_LABELS.items()},
            "sex": {str(k): v for k, v in vocab.SEX_LABELS.items()}}


def _value(field: str | None, value: str | None) -> str:
    if value is None:
        return "—"
    if field == "password":
        return "••••••"
    labels = _code_labels().get(field)
    if labels and value in labels:
        return tr(labels[value])
    if value in ("True", "False"):
        return tr("Có") if value == "True" else tr("Không")
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        pass
    return value


class HistoryModel(QAbstractTableModel):
    def __init__(self, entries, parent=None):
        super().__init__(parent)
        self.rows = [
            (
                _local(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                e.user or "—",
                ("◆ " if e.chained else "") + tr(ACTION_LABELS.get(e.action, e.action)),
                tr(FIELD_LABELS.get(e.field, e.field)) if e.field else "",
                _value(e.field, e.old_value),
                _value(e.field, e.new_value),
                e.note or "",
            )
            for e in entries
        ]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None if role != Qt.ItemDataRole.ForegroundRole or index.column() != 4 else QColor("#7a7a7a")

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section])
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class HistoryDialog(QDialog):
    def __init__(self, ctx, entity: str, entity_id: int, title: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)

        self.ctx = ctx
        # Synchronous: one record's audit entries, an indexed read (tens of rows).
        self.history = record_history(ctx.db, entity, entity_id)
        what = title or f"{tr(ENTITY_LABELS.get(entity, entity))} #{entity_id}"
        self.setWindowTitle(tr("Lịch sử thay đổi — {what}").format(what=what))
        layout = QVBoxLayout(self)
        n = len(self.history.entries)
        heading = QLabel(tr("<b>Lịch sử thay đổi của {what}</b>: {n} mục, mới nhất ở trên.").format(what=what, n=n)
                         if n else tr("<b>{what}</b>: chưa có thay đổi nào được ghi lại.").format(what=what))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.chain_label = QLabel()
        self.chain_label.setWordWrap(True)
        if any(e.chained for e in self.history.entries):
            if self.history.chain_problems:
                self.chain_label.setText(tr("⚠ Chuỗi nhật ký các quyết định của Hội đồng bị phá vỡ: nhật ký đã bị sửa "
                                            "hoặc xóa ngoài chương trình. ") + self.history.chain_problems[0])
                self.chain_label.setStyleSheet("color: #b00020; font-weight: bold;")
            else:
                self.chain_label.setText(tr("◆ Các mục quyết định của Hội đồng được nối bằng chuỗi mã băm: "
                                            "kiểm tra lại lúc mở, chưa bị sửa."))
                self.chain_label.setStyleSheet("color: #1b5e20;")
            layout.addWidget(self.chain_label)
        self.model = HistoryModel(self.history.entries, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(980, 460)
