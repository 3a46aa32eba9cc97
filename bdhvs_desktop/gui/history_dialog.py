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

from bdhvs_desktop.gui.i18n import tr

ACTION_LABELS = {
    "create": "Tạo mới", "update": "Sửa", "delete": "Xóa", "import": "Nhập từ tệp", "decide": "Quyết định",
    "approve": "Thông qua", "reject": "Không thông qua", "reopen": "Mở lại", "lock": "Khóa hồ sơ",
    "vote": "Biểu quyết", "score": "Chấm điểm", "restore": "Khôi phục", "merge": "Sáp nhập", "login": "Đăng nhập",
    "status": "Đổi trạng thái", "generate": "Lập hồ sơ", "close": "Kết thúc", "propose": "Đề nghị",
}

FIELD_LABELS = {
    "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính", "cccd": "Số CCCD", "unit_id": "Đơn vị",
    "position": "Chức vụ", "is_party_member": "Đảng viên", "is_public_servant": "CBCCVC",
    "vneid_proficient_on": "Ngày thành thạo VNeID", "vneid_verified_by": "Người xác nhận VNeID",
    "can_guide": "Hướng dẫn được người dân", "people_guided": "Số người đã hướng dẫn",
    "under_discipline": "Đang bị kỷ luật", "phone": "Điện thoại", "status": "Trạng thái", "passed": "Đạt",
    "points": "Điểm", "evidence": "Minh chứng", "votes_for": "Phiếu đồng ý", "votes_against": "Phiếu không đồng ý",
    "votes_abstain": "Phiếu không biểu quyết", "name": "Tên", "active": "Đang hoạt động", "password": "Mật khẩu",
    "summary": "Tóm tắt thành tích", "decision_reason": "Lý do", "locked": "Đã khóa", "role": "Vai trò",
    "award_form_id": "Hình thức khen thưởng", "score_snapshot": "Kết quả chấm điểm",
}

ENTITY_LABELS = {
    "person": "người", "unit": "đơn vị", "candidate": "hồ sơ đề nghị", "vote": "phiếu biểu quyết",
    "manual_result": "kết quả tiêu chí", "council_meeting": "cuộc họp", "app_user": "tài khoản",
    "database": "cơ sở dữ liệu", "digital_model": "mô hình", "activity": "hoạt động", "criterion": "tiêu chí",
    "council_member": "thành viên Hội đồng", "meeting_attendance": "điểm danh", "mentorship": "kèm cặp Đại sứ số",
    "model_replication": "nhân rộng mô hình", "dossier": "hồ sơ khen thưởng", "setting": "cài đặt",
    "solution": "giải pháp", "workbook": "tệp Excel",
}

COLUMNS = ["Thời điểm", "Người thực hiện", "Thao tác", "Nội dung", "Giá trị cũ", "Giá trị mới", "Ghi chú"]


def _local(at: dt.datetime) -> dt.datetime:
    """Stored times are UTC; show the PC's local time."""
    return at.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)


def _code_labels() -> dict[str | None, dict[str, str]]:
    from bdhvs_desktop.domain import vocab

    return {"status": {str(k): v for k, v in vocab.CANDIDATE_STATUS_LABELS.items()},
            "role": {str(k): v for k, v in vocab.USER_ROLE_LABELS.items()},
            "sex": {"M": "Nam", "F": "Nữ"}}


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
    def __init__(self, entries, parent=None):  # noqa: ANN001
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

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, ANN001, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, ANN001, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN201
        if not index.isValid():
            return ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None if role != Qt.ItemDataRole.ForegroundRole or index.column() != 4 else QColor("#7a7a7a")

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802, ANN001, ANN201
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section])
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class HistoryDialog(QDialog):
    def __init__(self, ctx, entity: str, entity_id: int, title: str | None = None,  # noqa: ANN001
                 parent: QWidget | None = None):
        super().__init__(parent)
        from bdhvs_desktop.services.safety import record_history

        self.ctx = ctx
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
