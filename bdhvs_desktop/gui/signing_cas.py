"""The "CA tin cậy" tab of the Chữ ký số dialog (gui/signing_dialog.py): the certificate authorities whose
certificates a province office trusts on the wards' packages, each with its subject, validity and SHA-256
fingerprint; importing .cer/.pem/.crt files (a certificate that is not a CA's is refused with its message) and
removing one. Every change is saved at once through services/signing_settings.py, off the GUI thread (gui/ops.py).
Also the small table helpers the dialog shares."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import RowsModel
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.changes import Change, Changes

SETTINGS_CHANGED = Changes.of(Change.SETTINGS)


def table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def selected_row(view: QTableView, model: RowsModel):
    rows = view.selectionModel().selectedRows()
    return model.row_at(rows[0].row()) if rows else None


def vn_day(value: dt.datetime | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def coloured(text: str, colour: str) -> str:
    return f"<span style='color:{colour}'>{html.escape(text)}</span>"


class TrustedCAsTab(QWidget):
    """The tab; `dialog` is the SigningSettingsDialog (its `saved` settings, `say`, `refused_here`, `tabs`)."""

    def __init__(self, dialog):
        super().__init__()
        self.dialog = dialog
        self.ctx = dialog.ctx
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Văn phòng cấp tỉnh chỉ tin cậy gói hồ sơ của phường có chữ ký số do một trong các tổ "
                          "chức chứng thực (CA) dưới đây cấp. Chưa có CA nào thì gói nhập vào được ghi là “chưa tin "
                          "cậy”. Nhập tệp chứng thư của CA (.cer, .crt, .pem) do tổ chức chứng thực cung cấp. Thay "
                          "đổi ở thẻ này được lưu ngay."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = RowsModel([
            (tr("Tên CA"), lambda c: c.name, lambda c: c.name, False),
            (tr("Hiệu lực từ"), lambda c: vn_day(c.not_before), lambda c: c.not_before or 0, False),
            (tr("Đến"), lambda c: vn_day(c.not_after) + ("" if c.valid_on(dt.date.today()) else tr(" (hết hiệu lực)")),
             lambda c: c.not_after or 0, False),
            (tr("Chủ thể"), lambda c: c.subject, lambda c: c.subject, False),
            (tr("Vân tay SHA-256"), lambda c: c.fingerprint, lambda c: c.sha256, False),
        ])
        self.model.tooltip = lambda c, _col: f"{c.subject}\nSHA-256 {c.fingerprint}"
        self.view = table(self.model)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.show_detail())
        layout.addWidget(self.view, 1)
        self.detail = QLabel()  # the selected CA whole: to compare the fingerprint with the CA's own
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        add = QPushButton(tr("Thêm chứng thư CA…"))
        add.clicked.connect(self._pick)
        row.addWidget(add)
        self.remove_button = QPushButton(tr("Bỏ tin cậy"))
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)

    def show_cas(self, saved) -> None:
        from bdhvs_desktop.services.trusted_cas import ca_details  # lazy: start-up

        self.model.set_rows([ca_details(ca) for ca in saved.trusted_cas])
        self.view.resizeColumnsToContents()
        for column, cap in ((0, 220), (3, 260)):
            if self.view.columnWidth(column) > cap:
                self.view.setColumnWidth(column, cap)
        self.remove_button.setEnabled(bool(saved.trusted_cas))
        if saved.trusted_cas:
            self.view.selectRow(0)
        self.show_detail()
        tabs = self.dialog.tabs
        tabs.setTabText(tabs.indexOf(self), tr("CA tin cậy ({n})").format(n=len(saved.trusted_cas)))

    def show_detail(self) -> None:
        ca = selected_row(self.view, self.model)
        self.detail.setText("" if ca is None else tr("Chủ thể: {s}\nVân tay SHA-256: {f}").format(
            s=ca.subject, f=ca.fingerprint))

    def _pick(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, tr("Chứng thư của tổ chức chứng thực (CA)"), "",
                                                tr("Chứng thư số (*.cer *.crt *.pem *.der);;Mọi tệp (*)"))
        if names:
            self.add_cas([Path(n) for n in names])

    def add_cas(self, paths: list[Path]) -> ops.Op:
        """Trust each file's CA: every file is checked first, so a file that is not a CA's certificate stops the
        whole choice before any is added."""
        from bdhvs_desktop.services import trusted_cas  # lazy: start-up

        def work(db):
            found = [trusted_cas.parse_ca_certificate(p.read_bytes(), p.name) for p in paths]
            for ca in found:
                trusted_cas.add_trusted_ca(db, ca.der, ca.name)
            return found

        def done(found) -> None:
            self.reload()
            self.dialog.say(tr("Đã tin cậy: {names}.").format(names=", ".join(ca.name for ca in found)))

        return ops.run(self.dialog, work, changes=SETTINGS_CHANGED, success=done, failure=self.dialog.refused_here,
                       title=tr("Đang thêm chứng thư CA"))

    def reload(self) -> None:
        from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

        self.dialog.saved = ss.load(self.ctx.db)  # synchronous: one settings row
        self.show_cas(self.dialog.saved)

    def remove_selected(self) -> ops.Op | None:
        ca = selected_row(self.view, self.model)
        if ca is None:
            ops.refuse(self.dialog, tr("Chọn một chứng thư CA trong danh sách trước."))
            return None
        if QMessageBox.question(self, tr("Bỏ tin cậy"), tr("Không tin cậy “{n}” nữa? Gói hồ sơ ký bằng chứng thư do "
                                                         "CA này cấp sẽ bị từ chối khi nhập.").format(n=ca.name)) \
                != QMessageBox.StandardButton.Yes:
            return None
        from bdhvs_desktop.services import trusted_cas  # lazy: start-up

        def done(settings) -> None:
            self.dialog.saved = settings
            self.show_cas(settings)
            self.dialog.say(tr("Đã bỏ tin cậy “{n}”.").format(n=ca.name))

        return ops.run(self.dialog, lambda db: trusted_cas.remove_trusted_cas(db, [ca.sha256]), changes=SETTINGS_CHANGED,
                       success=done, failure=self.dialog.refused_here, title=tr("Đang bỏ tin cậy chứng thư CA"))
