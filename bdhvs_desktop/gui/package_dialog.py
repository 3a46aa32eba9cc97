"""The "Xuất gói hồ sơ đề nghị tỉnh…" dialog of the Hồ sơ page (issue #14).

    PackageExportDialog(ctx, parent).exec()

Chooses the file, the date of the figures and how the office signs (none, its USB token through
PKCS#11, or a .p12 file), then runs services/package_export.py off the GUI thread with progress
and cancellation (gui/worker.py). The PIN and passphrase live only in the dialog's fields and the
signer configuration handed to the export; they are never saved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.documents.signing import SignerConfig
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import signing_settings
from bdhvs_desktop.services.package_export import export_package

SUFFIX = ".bdhvs-goi"


def _path_row(edit: QLineEdit, pick) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    button = QPushButton(tr("Chọn…"))
    button.clicked.connect(pick)
    row.addWidget(button)
    return box


class PackageExportDialog(QDialog):
    def __init__(self, ctx, parent=None, *, at: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Xuất gói hồ sơ đề nghị tỉnh"))
        self.setMinimumWidth(620)
        self._task = None
        self.outcome = None
        self.last_error = ""
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Một tệp gồm Tờ trình, Biên bản họp Hội đồng, Báo cáo thành tích (Mẫu 08) dạng .docx và PDF "
                          "cùng dữ liệu và bản kê mã SHA-256, gửi tỉnh. Chỉ gồm các tập thể, cá nhân được Hội đồng "
                          "thông qua đề nghị khen thưởng cấp tỉnh. Báo cáo thành tích do thủ trưởng đơn vị ký trên giấy."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        day = at or dt.date.today()
        self.out = QLineEdit(str(Path.home() / f"de-nghi-tinh-{day:%Y-%m-%d}{SUFFIX}"))
        form.addRow(tr("Tệp gói hồ sơ"), _path_row(self.out, self._pick_out))
        self.at = QDateEdit(QDate(day.year, day.month, day.day))
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("dd/MM/yyyy")
        form.addRow(tr("Số liệu tính đến ngày"), self.at)
        self.sign = QComboBox()
        self.sign.addItem(tr("Không ký số"), "none")
        self.sign.addItem(tr("Ký bằng USB token (PKCS#11)"), "pkcs11")
        self.sign.addItem(tr("Ký bằng tệp chứng thư số (.p12)"), "pkcs12")
        form.addRow(tr("Chữ ký số"), self.sign)
        layout.addLayout(form)

        self.sign_pages = QStackedWidget()
        self.sign_pages.addWidget(QWidget())
        token = QWidget()
        tf = QFormLayout(token)
        self.lib = QLineEdit()
        self.lib.setPlaceholderText(tr("ví dụ C:\\Windows\\System32\\vnpt-ca_csp11.dll"))
        tf.addRow(tr("Thư viện PKCS#11"), _path_row(self.lib, self._pick_lib))
        self.token = QLineEdit()
        tf.addRow(tr("Nhãn token"), self.token)
        self.key = QLineEdit()
        tf.addRow(tr("Nhãn khóa ký"), self.key)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        tf.addRow(tr("Mã PIN"), self.pin)
        self.sign_pages.addWidget(token)
        soft = QWidget()
        sf = QFormLayout(soft)
        self.p12 = QLineEdit()
        sf.addRow(tr("Tệp .p12"), _path_row(self.p12, self._pick_p12))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        sf.addRow(tr("Mật khẩu tệp"), self.passphrase)
        self.sign_pages.addWidget(soft)
        self.sign.currentIndexChanged.connect(self.sign_pages.setCurrentIndex)
        layout.addWidget(self.sign_pages)
        self.settings_note = QLabel()
        self.settings_note.setWordWrap(True)
        layout.addWidget(self.settings_note)

        self._prefill()
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_btn = QPushButton(tr("Xuất gói"))
        self.export_btn.setDefault(True)
        self.export_btn.clicked.connect(self.export)
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.reject)
        buttons.addWidget(self.export_btn)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def _prefill(self) -> None:
        """The office's saved signing settings (services/signing_settings.py): only the PIN is left to type."""

        saved = signing_settings.load(self.ctx.db)  # synchronous: one settings row
        self.seal_png = saved.seal_png  # the seal image of the settings goes into the visible stamp
        self.settings_note.setText(self._settings_note(saved))
        if not saved.configured:
            return
        self.lib.setText(saved.pkcs11_lib)
        self.token.setText(saved.token_label)
        self.key.setText(saved.key_label)
        self.p12.setText(saved.pkcs12_path)
        self.sign.setCurrentIndex(self.sign.findData(saved.kind))
        (self.pin if saved.kind == "pkcs11" else self.passphrase).setFocus()  # only the PIN is left to type

    @staticmethod
    def _settings_note(saved) -> str:
        if not saved.configured:
            return tr("Chưa cài đặt chữ ký số của cơ quan (Cài đặt → Chữ ký số…): nhập thông tin token hoặc tệp .p12 "
                      "dưới đây, hoặc cài đặt một lần để lần sau chỉ cần nhập mã PIN.")
        seal = tr("có ảnh con dấu") if saved.seal_png else tr("không có ảnh con dấu")
        return tr("Theo cài đặt Chữ ký số của cơ quan (Cài đặt → Chữ ký số…), dấu chữ ký số {seal}: chỉ cần nhập "
                  "{what}.").format(seal=seal, what=tr("mã PIN") if saved.kind == "pkcs11" else tr("mật khẩu tệp"))

    # ------------------------------------------------------------------ choosing

    def _pick_out(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, tr("Lưu gói hồ sơ"), self.out.text(),
                                              tr("Gói hồ sơ đề nghị (*.bdhvs-goi)"))
        if name:
            self.out.setText(name if name.endswith(SUFFIX) else name + SUFFIX)

    def _pick_lib(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Thư viện PKCS#11 của token"), self.lib.text(),
                                              tr("Thư viện (*.dll *.so *.dylib)"))
        if name:
            self.lib.setText(name)

    def _pick_p12(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Tệp chứng thư số"), self.p12.text(),
                                              tr("PKCS#12 (*.p12 *.pfx)"))
        if name:
            self.p12.setText(name)

    def _signer(self):
        """The signer configuration, or None; raises ValueError with a Vietnamese message."""
        kind = self.sign.currentData()
        if kind == "none":
            return None

        if kind == "pkcs11":
            missing = [label for label, edit in ((tr("thư viện PKCS#11"), self.lib), (tr("nhãn token"), self.token),
                                                 (tr("nhãn khóa ký"), self.key), (tr("mã PIN"), self.pin))
                       if not edit.text().strip()]
            if missing:
                raise ValueError(tr("Ký bằng USB token cần: {f}.").format(f=", ".join(missing)))
            return SignerConfig(kind="pkcs11", pkcs11_lib=self.lib.text().strip(), token_label=self.token.text().strip(),
                                key_label=self.key.text().strip(), pin=self.pin.text(), seal_png=self.seal_png)
        if not Path(self.p12.text().strip()).is_file():
            raise ValueError(tr("Hãy chọn tệp chứng thư số (.p12) có thật."))
        return SignerConfig(kind="pkcs12", pkcs12_path=self.p12.text().strip(),
                            pkcs12_passphrase=self.passphrase.text().encode("utf-8"), seal_png=self.seal_png)

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        if self._task is not None:
            return
        out = self.out.text().strip()
        if not out:
            ops.refuse(self, tr("Hãy chọn tệp gói hồ sơ."))
            return
        if not out.endswith(SUFFIX):
            out += SUFFIX
            self.out.setText(out)
        if Path(out).exists() and QMessageBox.question(
                self, self.windowTitle(), tr("Tệp “{f}” đã có. Ghi đè?").format(f=Path(out).name)) \
                != QMessageBox.StandardButton.Yes:
            return
        try:
            signer = self._signer()
        except ValueError as exc:
            ops.refuse(self, str(exc))
            return
        q = self.at.date()
        at = dt.date(q.year(), q.month(), q.day())

        def work(db, progress, cancelled):
            return export_package(db, Path(out), signer=signer, at=at, progress=progress, cancel=cancelled)

        self.last_error = ""
        self.status.setText(tr("Đang xuất gói hồ sơ…"))
        self.export_btn.setEnabled(False)
        self._task = ops.run(self, work, progress=True, cancellable=True, title=tr("Đang xuất gói hồ sơ đề nghị tỉnh"),
                             success=self._done, failure=self._failed, finished=self._ended)

    def _ended(self) -> None:
        self._task = None
        self.export_btn.setEnabled(True)

    def _done(self, outcome) -> None:
        self.outcome = outcome
        self.pin.clear()
        self.passphrase.clear()
        size = vn_number(outcome.size)
        text = tr("Đã xuất {n} hồ sơ, {d} tài liệu ({s} byte) vào “{f}”.").format(
            n=outcome.candidates, d=outcome.documents, s=size, f=outcome.path)
        text += "\n" + (tr("Đã ký số Tờ trình, Biên bản và bản kê.") if outcome.signed else tr("Gói chưa ký số."))
        text += "\n" + tr("Mã gói: {i}").format(i=outcome.package_id)
        self.status.setText(text)

    def _failed(self, exc: BaseException) -> bool:
        """The status line says so; the error is shown the one way for its kind (gui/ops.py)."""
        self.last_error = str(exc)
        if ops.error_kind(exc) is ops.ErrorKind.CANCELLED:
            self.status.setText(str(exc))
            return True
        self.status.setText(tr("Chưa xuất được gói hồ sơ."))
        return False
