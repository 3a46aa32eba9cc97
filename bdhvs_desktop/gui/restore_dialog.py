"""Tệp → Khôi phục từ bản sao lưu…: pick a copy (from the backups folder or any file), see
whether it is a whole bdhvs database and what it holds, then restore all or nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.paths import backups_dir
from bdhvs_desktop.services.changes import EVERYTHING
from bdhvs_desktop.services.restore import RestoreError, check_backup_file, restore
from bdhvs_desktop.services.safety import list_backups

KIND_LABELS = {"auto": tr("Tự động khi thoát"), "manual": tr("Sao lưu thủ công"), "pre_migration": tr("Trước khi nâng cấp"),
               "pre_restore": tr("Trước khi khôi phục")}
COLUMNS = [tr("Thời điểm"), tr("Loại"), tr("Dung lượng"), tr("Tệp")]


class BackupsModel(QAbstractTableModel):
    def __init__(self, backups, parent=None):
        super().__init__(parent)
        self.backups = list(backups)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.backups)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if role == Qt.ItemDataRole.DisplayRole else None
        b = self.backups[index.row()]
        values = (f"{b.taken_at:%d/%m/%Y %H:%M}", tr(KIND_LABELS.get(b.kind, b.kind)),
                  f"{vn_number(max(1, round(b.size / 1024)))} KB", b.path.name)
        return str(b.path) if role == Qt.ItemDataRole.ToolTipRole else values[index.column()]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section])
        return None


class RestoreDialog(QDialog):
    """Restores into the open SQLite database of `ctx`; on success `self.result_info` holds
    the services.restore.RestoreResult and the pages are told to reload."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)

        self.ctx = ctx
        self.result_info = None
        self.selected: Path | None = None
        self.setWindowTitle(tr("Khôi phục từ bản sao lưu"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr(
            "Chọn bản sao lưu để thay cho dữ liệu hiện tại. Trước khi thay, chương trình kiểm tra bản sao lưu và tự "
            "sao lưu dữ liệu hiện tại (loại «Trước khi khôi phục»), nên có thể quay lại nếu chọn nhầm. "
            "Hãy đóng chương trình trên các máy khác đang mở cùng tệp dữ liệu."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = BackupsModel(list_backups(ctx.db), self)  # synchronous: a folder listing
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        layout.addWidget(self.table, 1)
        if not self.model.backups:
            empty = QLabel(tr("Thư mục sao lưu chưa có bản nào của cơ sở dữ liệu này; dùng «Chọn tệp khác…»."))
            empty.setWordWrap(True)
            layout.addWidget(empty)
        self.status = QLabel(tr("Chưa chọn bản sao lưu."))
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(44)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.browse_button = QPushButton(tr("Chọn tệp khác…"))
        self.browse_button.clicked.connect(self.browse)
        self.restore_button = QPushButton(tr("Khôi phục"))
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_selected)
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.reject)
        row.addWidget(self.browse_button)
        row.addStretch(1)
        row.addWidget(self.restore_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(760, 440)
        if self.model.backups:
            self.select_newest_good()

    def select_newest_good(self, limit: int = 10) -> bool:
        """Select the newest copy that passes the checks (a damaged newer copy is skipped, so
        the copy offered first is one that can be restored). False when none of the newest
        `limit` copies can; the newest stays selected with the reason shown."""
        for row in range(min(limit, len(self.model.backups))):
            self.table.selectRow(row)  # checks it (see _on_selection)
            if self.selected is not None:
                return True
        self.table.selectRow(0)
        return False

    def _on_selection(self, *_args) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.select_file(self.model.backups[rows[0].row()].path)

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Chọn tệp sao lưu"), str(backups_dir()),
                                              tr("Cơ sở dữ liệu (*.sqlite3 *.db *.sqlite);;Mọi tệp (*)"))
        if name:
            self.table.clearSelection()
            self.select_file(Path(name))

    def select_file(self, path: Path) -> bool:
        """Check `path` and say what it holds; True when it can be restored."""

        self.selected = None
        self.restore_button.setEnabled(False)
        checked: list = []

        def refused(exc: BaseException) -> bool:
            if not isinstance(exc, RestoreError):
                return False
            self.status.setText("✗ " + str(exc))
            self.status.setStyleSheet("color: #b00020;")
            return True

        # The integrity check reads the whole copy: an operation, waited for in a local event loop
        # (the window keeps painting) because the answer decides what this dialog offers.
        ops.run(self, lambda _db: check_backup_file(path), success=checked.append, failure=refused,
                show_progress=False).wait()
        if not checked:
            return False
        info = checked[0]
        counts = info.counts
        self.status.setText(tr("✓ {name}: bản sao lưu hợp lệ (kiểm tra toàn vẹn đạt, lược đồ {rev}) — {units} đơn vị, "
                               "{people} người, {cands} hồ sơ đề nghị, {audit} mục nhật ký.").format(
            name=path.name, rev=info.revision, units=counts.get("unit", 0), people=counts.get("person", 0),
            cands=counts.get("candidate", 0), audit=counts.get("audit_log", 0)))
        self.status.setStyleSheet("color: #1b5e20;")
        self.selected = path
        self.restore_button.setEnabled(True)
        return True

    def confirm(self, path: Path) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(tr("Xác nhận khôi phục"))
        box.setText(tr("Thay toàn bộ dữ liệu hiện tại bằng bản sao lưu {name}?").format(name=path.name))
        box.setInformativeText(tr("Dữ liệu hiện tại sẽ được sao lưu trước (loại «Trước khi khôi phục»)."))
        yes = box.addButton(tr("Khôi phục"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(tr("Hủy"), QMessageBox.ButtonRole.RejectRole))
        box.exec()
        return box.clickedButton() is yes

    def restore_selected(self, *, confirm: bool = True) -> bool:
        if self.selected is None or (confirm and not self.confirm(self.selected)):
            return False
        return self.do_restore(self.selected)

    def do_restore(self, path: Path) -> bool:
        def work(db):
            db.dispose()  # the program's own connections are closed; it reconnects on next use
            return restore(db.path, path, user=db.user)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, RestoreError):
                self.status.setText("✗ " + str(exc))
                self.status.setStyleSheet("color: #b00020;")
            return False  # shown the one way for its kind

        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:  # every page reloads after a restore; the dialog waits to say how it went
            op = ops.run(self, work, changes=EVERYTHING, failure=failed, title=tr("Đang khôi phục…"))
            if not op.wait():
                return False
        finally:
            if QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()
        self.result_info = info = op.result
        message = tr("Đã khôi phục từ {name}. Dữ liệu đã được kiểm tra lại sau khi khôi phục.").format(name=path.name)
        if info.previous_copy is not None:
            message += "\n" + tr("Dữ liệu trước khi khôi phục được giữ ở:\n{p}").format(p=info.previous_copy)
        QMessageBox.information(self, tr("Đã khôi phục"), message)
        self.accept()
        return True
