"""The "Chữ ký số" settings dialog (Cài đặt → Chữ ký số…, issue #14): how the office signs — its USB token (the PKCS#11
library, found among the known Vietnamese CAs' libraries or picked as a file; the tokens plugged in and the key
labels on them) or a .p12 file —, the seal image drawn in the visible stamp, and the CA certificates a province
office trusts on the wards' packages.

    SigningSettingsDialog(ctx, parent).exec()

Everything is read and saved through services/signing_settings.py. Listing the tokens (which loads the PKCS#11
library) and "Thử ký" (signing a test PDF in memory, services/signing_trial.py) run off the GUI thread through
gui/ops.py. The PIN is asked for "Thử ký" only and never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import RowsModel
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.signing_cas import SETTINGS_CHANGED, TrustedCAsTab, coloured, selected_row, table, vn_day

OK_COLOUR, BAD_COLOUR, WARN_COLOUR = "#1b5e20", "#b00020", "#8a5300"
#: Errors whose Vietnamese message says what to fix: shown in the dialog itself, not as an unexpected error.
SHOWN_HERE = {"SigningError", "SigningSettingsError"}


def add_menu_action(window) -> QAction:
    """Cài đặt → Chữ ký số… in the main window's menu bar (after the Tệp menu)."""
    menu = getattr(window, "settings_menu", None)
    if menu is None:
        menu = window.settings_menu = window.menuBar().addMenu(tr("&Cài đặt"))
    action = QAction(tr("Chữ ký số…"), window)
    action.setStatusTip(tr("USB token hoặc tệp chứng thư số, ảnh con dấu, chứng thư CA tin cậy"))
    action.triggered.connect(lambda: SigningSettingsDialog(window.ctx, window).exec())
    menu.addAction(action)
    window.signing_action = action
    return action


def known_libraries_text() -> str:
    """The known token libraries by issuer: "VNPT-CA: vnptca_p11_v10.dll, …"."""
    from bdhvs_desktop.services.pkcs11_libraries import KNOWN_PKCS11_LIBRARIES  # lazy: start-up

    by_issuer: dict[str, list[str]] = {}
    for issuer, name in KNOWN_PKCS11_LIBRARIES:
        by_issuer.setdefault(issuer, []).append(name)
    return "; ".join(f"{issuer}: {', '.join(names)}" for issuer, names in by_issuer.items())


class SigningSettingsDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Chữ ký số của cơ quan"))
        self.setMinimumSize(760, 560)
        self.saved = None
        self.trial = None  # the last "Thử ký" result (its signed PDF can be saved)
        self.last_message = ""
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._signer_tab(), tr("Cách ký"))
        self.tabs.addTab(self._seal_tab(), tr("Ảnh con dấu"))
        self.cas = TrustedCAsTab(self)
        self.tabs.addTab(self.cas, tr("CA tin cậy"))
        layout.addWidget(self.tabs, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton(tr("Lưu cách ký"))
        self.save_button.setToolTip(tr("Lưu thư viện, nhãn token và nhãn khóa (hoặc tệp .p12); mã PIN không được lưu"))
        self.save_button.clicked.connect(self.save_signer)
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.reject)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.reload()

    # ------------------------------------------------------------------ building

    def _signer_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        kinds = QHBoxLayout()
        self.token_radio = QRadioButton(tr("USB token (PKCS#11)"))
        self.p12_radio = QRadioButton(tr("Tệp chứng thư số (.p12, .pfx)"))
        self.kind_group = QButtonGroup(self)
        for button in (self.token_radio, self.p12_radio):
            self.kind_group.addButton(button)
            kinds.addWidget(button)
        kinds.addStretch(1)
        layout.addLayout(kinds)

        self.token_box = QGroupBox(tr("USB token"))
        tf = QFormLayout(self.token_box)
        self.lib = QComboBox()
        self.lib.setEditable(True)
        self.lib.setMinimumContentsLength(40)
        self.lib.lineEdit().setPlaceholderText(tr("ví dụ C:\\Windows\\System32\\vnptca_p11_v10.dll"))
        lib_row = QHBoxLayout()
        lib_row.addWidget(self.lib, 1)
        pick = QPushButton(tr("Chọn tệp…"))
        pick.clicked.connect(self._pick_lib)
        lib_row.addWidget(pick)
        lib_field = QVBoxLayout()  # the library, what was found, and the search: one field (no gaps between)
        lib_field.addLayout(lib_row)
        tf.addRow(tr("Thư viện PKCS#11"), lib_field)
        self.lib_hint = QLabel()
        self.lib_hint.setWordWrap(True)
        self.lib_hint.setToolTip(tr("Các thư viện quen biết: {names}").format(names=known_libraries_text()))
        lib_field.addWidget(self.lib_hint)
        find_row = QHBoxLayout()
        self.find_button = QPushButton(tr("Tìm token đang cắm"))
        self.find_button.setToolTip(tr("Đọc các USB token đang cắm qua thư viện đã chọn và các khóa trên đó "
                                       "(không cần mã PIN)"))
        self.find_button.clicked.connect(self.find_tokens)
        find_row.addWidget(self.find_button)
        self.tokens_note = QLabel()
        self.tokens_note.setWordWrap(True)
        find_row.addWidget(self.tokens_note, 1)
        lib_field.addLayout(find_row)
        self.keys_model = RowsModel([
            (tr("Token"), lambda k: k[0].label, lambda k: k[0].label, False),
            (tr("Nhãn khóa"), lambda k: k[1].label, lambda k: k[1].label, False),
            (tr("Chủ thể chứng thư"), lambda k: k[1].subject, lambda k: k[1].subject, False),
            (tr("Hết hạn"), lambda k: vn_day(k[1].not_after) + (tr(" (đã hết hạn)") if k[1].not_after and
             k[1].not_after.date() < dt.date.today() else ""), lambda k: k[1].not_after or 0, False),
            (tr("Nhà sản xuất"), lambda k: k[0].manufacturer, lambda k: k[0].manufacturer, False),
        ])
        self.keys_view = table(self.keys_model)
        self.keys_view.setMinimumHeight(120)
        self.keys_view.resizeColumnsToContents()  # the headers readable before any token is listed
        self.keys_view.selectionModel().selectionChanged.connect(lambda *_: self._key_chosen())
        tf.addRow(tr("Khóa trên token"), self.keys_view)
        self.token = QLineEdit()
        tf.addRow(tr("Nhãn token"), self.token)
        self.key = QLineEdit()
        tf.addRow(tr("Nhãn khóa ký"), self.key)
        layout.addWidget(self.token_box)

        self.p12_box = QGroupBox(tr("Tệp chứng thư số"))
        pf = QFormLayout(self.p12_box)
        self.p12 = QLineEdit()
        p12_row = QHBoxLayout()
        p12_row.addWidget(self.p12, 1)
        pick = QPushButton(tr("Chọn tệp…"))
        pick.clicked.connect(self._pick_p12)
        p12_row.addWidget(pick)
        pf.addRow(tr("Tệp .p12/.pfx"), p12_row)
        layout.addWidget(self.p12_box)

        trial_row = QHBoxLayout()
        self.trial_button = QPushButton(tr("Thử ký…"))
        self.trial_button.setToolTip(tr("Hỏi mã PIN rồi ký một văn bản thử trong bộ nhớ để kiểm tra token, mã PIN "
                                        "và ảnh con dấu; không ghi gì"))
        self.trial_button.clicked.connect(self.try_signing)
        trial_row.addWidget(self.trial_button)
        self.save_trial_button = QPushButton(tr("Lưu bản ký thử…"))
        self.save_trial_button.setToolTip(tr("Lưu văn bản vừa ký thử (PDF) để xem dấu chữ ký số"))
        self.save_trial_button.setEnabled(False)
        self.save_trial_button.clicked.connect(self.save_trial)
        trial_row.addWidget(self.save_trial_button)
        trial_row.addStretch(1)
        layout.addLayout(trial_row)
        self.trial_result = QLabel(tr("Mã PIN không bao giờ được lưu: chương trình hỏi mỗi lần ký."))
        self.trial_result.setWordWrap(True)
        self.trial_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.trial_result)
        layout.addStretch(1)
        self.token_radio.toggled.connect(self._show_kind)
        return tab

    def _seal_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        intro = QLabel(tr("Ảnh con dấu của cơ quan (PNG, nền trong suốt, màu đỏ) được đặt trên dấu chữ ký số, trùm "
                          "lên khoảng một phần ba bên trái chữ ký của người có thẩm quyền (Nghị định 30/2020/NĐ-CP). "
                          "Không có ảnh thì dấu chữ ký số là khung chữ đỏ. Thay đổi ở thẻ này được lưu ngay."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.seal_preview = QLabel()
        self.seal_preview.setFixedSize(240, 240)
        self.seal_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal_preview.setStyleSheet("QLabel { background: white; border: 1px solid #b0b4ba; }")
        row.addWidget(self.seal_preview)
        side = QVBoxLayout()
        self.seal_info = QLabel()
        self.seal_info.setWordWrap(True)
        side.addWidget(self.seal_info)
        seal_buttons = QHBoxLayout()
        choose = QPushButton(tr("Chọn ảnh PNG…"))
        choose.clicked.connect(self._pick_seal)
        seal_buttons.addWidget(choose)
        self.remove_seal_button = QPushButton(tr("Bỏ ảnh con dấu"))
        self.remove_seal_button.clicked.connect(lambda: self.set_seal(None))
        seal_buttons.addWidget(self.remove_seal_button)
        seal_buttons.addStretch(1)
        side.addLayout(seal_buttons)
        side.addStretch(1)
        row.addLayout(side, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        return tab

    # ------------------------------------------------------------------ showing

    def reload(self) -> None:
        from bdhvs_desktop.services import pkcs11_libraries  # lazy: start-up
        from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

        # Synchronous: one settings row, and a directory listing of the system folder for the known libraries.
        self.saved = ss.load(self.ctx.db)
        found = pkcs11_libraries.find_pkcs11_libraries()
        self.show_settings(self.saved, found)

    def show_settings(self, saved, found) -> None:
        current = saved.pkcs11_lib
        self.lib.clear()
        for issuer, path in found:
            self.lib.addItem(path)
            self.lib.setItemData(self.lib.count() - 1, issuer, Qt.ItemDataRole.ToolTipRole)
        self.lib.setEditText(current or (found[0][1] if found else ""))
        if found:
            self.lib_hint.setText(tr("Tìm thấy trên máy: {libs}.").format(
                libs=", ".join(f"{Path(p).name} ({issuer})" for issuer, p in found)))
        else:
            self.lib_hint.setText(tr("Không tìm thấy thư viện của token quen biết nào trong thư mục hệ thống (VNPT-CA, "
                                     "Viettel-CA, BKAV-CA, FPT-CA, CA2…): cài phần mềm đi kèm USB token hoặc chọn "
                                     "tệp thư viện (.dll) mà tổ chức chứng thực hướng dẫn."))
        self.token.setText(saved.token_label)
        self.key.setText(saved.key_label)
        self.p12.setText(saved.pkcs12_path)
        (self.p12_radio if saved.kind == "pkcs12" else self.token_radio).setChecked(True)
        self._show_kind()
        self._show_seal(saved.seal_png)
        self.cas.show_cas(saved)

    def _show_kind(self) -> None:
        token = self.token_radio.isChecked()
        self.token_box.setVisible(token)
        self.p12_box.setVisible(not token)

    def _show_seal(self, png: bytes | None) -> None:
        self.remove_seal_button.setEnabled(bool(png))
        if not png:
            self.seal_preview.setPixmap(QPixmap())
            self.seal_preview.setText(tr("(chưa có ảnh con dấu)"))
            self.seal_info.setText(tr("Chưa có ảnh con dấu: dấu chữ ký số là khung chữ đỏ."))
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.seal_preview.setPixmap(pixmap.scaled(self.seal_preview.size().shrunkBy(
            self.seal_preview.contentsMargins()) * 0.95, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        self.seal_info.setText(tr("Ảnh con dấu {w} × {h} điểm ảnh, {kb} KB.").format(
            w=pixmap.width(), h=pixmap.height(), kb=max(1, round(len(png) / 1000))))

    def say(self, text: str, colour: str = OK_COLOUR) -> None:
        self.last_message = text
        self.status.setText(coloured(text, colour))

    # ------------------------------------------------------------------ the signer

    def form_settings(self):
        """The settings as the form shows them (not saved yet): the saved ones with this tab's fields."""
        return replace(self.saved, kind="pkcs12" if self.p12_radio.isChecked() else "pkcs11",
                       pkcs11_lib=self.lib.currentText().strip(), token_label=self.token.text().strip(),
                       key_label=self.key.text().strip(), pkcs12_path=self.p12.text().strip())

    def signer_changed(self) -> bool:
        form, saved = self.form_settings(), self.saved
        return (form.kind, form.pkcs11_lib, form.token_label, form.key_label, form.pkcs12_path) != (
            saved.kind, saved.pkcs11_lib, saved.token_label, saved.key_label, saved.pkcs12_path)

    def refused_here(self, exc: BaseException) -> bool:
        """A settings or signing error: its Vietnamese message in the status line and a warning."""
        if not {c.__name__ for c in type(exc).__mro__} & SHOWN_HERE:
            return False
        self.say(str(exc), BAD_COLOUR)
        ops.refuse(self, str(exc))
        return True

    def save_signer(self) -> ops.Op:
        from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

        form = self.form_settings()

        def work(db):
            return ss.save_signer(db, kind=form.kind, pkcs11_lib=form.pkcs11_lib, token_label=form.token_label,
                                  key_label=form.key_label, pkcs12_path=form.pkcs12_path)

        def saved(settings) -> None:
            self.saved = settings
            self.say(tr("Đã lưu cách ký: {how}. Mã PIN sẽ được hỏi mỗi lần ký.").format(
                how=tr("USB token “{t}”, khóa “{k}”").format(t=settings.token_label, k=settings.key_label)
                if settings.kind == "pkcs11" else tr("tệp {f}").format(f=settings.pkcs12_path)))

        return ops.run(self, work, changes=SETTINGS_CHANGED, success=saved, failure=self.refused_here,
                       title=tr("Đang lưu cài đặt chữ ký số"))

    def find_tokens(self) -> ops.Op | None:
        lib = self.lib.currentText().strip()
        if not lib:
            ops.refuse(self, tr("Chọn thư viện PKCS#11 của USB token trước (nút “Chọn tệp…”)."))
            return None
        from bdhvs_desktop.documents import signing  # lazy: start-up

        self.find_button.setEnabled(False)
        self.tokens_note.setText(tr("Đang đọc USB token…"))

        def listed(tokens) -> None:
            rows = [(t, k) for t in tokens for k in t.keys]
            self.keys_model.set_rows(rows)
            self.keys_view.resizeColumnsToContents()
            if not tokens:
                self.tokens_note.setText(coloured(tr("Không có USB token nào đang cắm (qua thư viện này)."),
                                                   WARN_COLOUR))
            elif not rows:
                self.tokens_note.setText(coloured(tr("Token đang cắm nhưng chưa có chứng thư số nào trên đó."),
                                                   WARN_COLOUR))
            else:
                self.tokens_note.setText(tr("{t} token, {k} khóa: chọn một dòng để điền nhãn.").format(
                    t=len(tokens), k=len(rows)))
                match = [i for i, (t, k) in enumerate(rows) if (t.label, k.label) == (self.token.text().strip(),
                                                                                     self.key.text().strip())]
                if match or len(rows) == 1:
                    self.keys_view.selectRow(match[0] if match else 0)

        def failed(exc) -> bool:
            if {c.__name__ for c in type(exc).__mro__} & SHOWN_HERE:
                self.tokens_note.setText(coloured(str(exc), BAD_COLOUR))
                self.last_message = str(exc)
                return True
            return False

        return ops.run(self, lambda _db: signing.list_tokens(lib), success=listed, failure=failed,
                       finished=lambda: self.find_button.setEnabled(True), title=tr("Đang đọc USB token"))

    def _key_chosen(self) -> None:
        row = selected_row(self.keys_view, self.keys_model)
        if row is not None:
            self.token.setText(row[0].label)
            self.key.setText(row[1].label)

    def try_signing(self) -> ops.Op | None:
        """Ask the PIN (or the file's password), sign the test PDF off the GUI thread, show the verdict."""
        form = self.form_settings()
        if not form.configured:
            missing = (tr("tệp .p12") if form.kind == "pkcs12" else ", ".join(
                label for label, value in ((tr("thư viện PKCS#11"), form.pkcs11_lib), (tr("nhãn token"),
                                           form.token_label), (tr("nhãn khóa ký"), form.key_label)) if not value))
            ops.refuse(self, tr("Để thử ký cần: {what}.").format(what=missing))
            return None
        token = form.kind == "pkcs11"
        secret, ok = QInputDialog.getText(self, tr("Thử ký"), tr("Mã PIN của USB token:") if token else
                                          tr("Mật khẩu tệp chứng thư số:"), QLineEdit.EchoMode.Password)
        if not ok:
            return None
        pin = secret if token else None
        passphrase = None if token else secret.encode("utf-8")
        del secret
        from bdhvs_desktop.services.signing_trial import try_signing  # lazy: start-up

        self.trial = None
        self.save_trial_button.setEnabled(False)
        self.trial_button.setEnabled(False)
        self.trial_result.setText(tr("Đang ký thử…"))

        def failed(exc) -> bool:
            if not {c.__name__ for c in type(exc).__mro__} & SHOWN_HERE:
                return False
            self.last_message = tr("Ký thử không thành công: {e}").format(e=exc)
            self.trial_result.setText(coloured(self.last_message, BAD_COLOUR))
            return True

        return ops.run(self, lambda _db: try_signing(form, pin=pin, passphrase=passphrase), success=self._tried,
                       failure=failed, finished=lambda: self.trial_button.setEnabled(True),
                       title=tr("Đang ký thử"))

    def _tried(self, trial) -> None:
        self.trial = trial
        self.save_trial_button.setEnabled(True)
        when = f"{trial.signing_time:%d/%m/%Y %H:%M:%S}" if trial.signing_time else ""
        text = tr("Ký thử thành công: chữ ký của “{who}” lúc {when}, khớp nội dung.").format(who=trial.signer,
                                                                                             when=when)
        if not trial.intact:
            colour, text = BAD_COLOUR, tr("Đã ký nhưng chữ ký không kiểm tra lại được: {p}").format(p=trial.problem)
        elif trial.trusted:
            colour, text = OK_COLOUR, text + " " + tr("Chứng thư do một CA tin cậy cấp.")
        elif not trial.trust_roots:
            colour, text = OK_COLOUR, text + " " + tr("(Chưa có CA tin cậy nào để đối chiếu chứng thư.)")
        else:
            colour, text = WARN_COLOUR, text + " " + trial.problem
        self.last_message = text
        self.trial_result.setText(coloured(text, colour))

    def save_trial(self) -> None:
        if self.trial is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, tr("Lưu bản ký thử"), str(Path.home() / "ky-thu.pdf"),
                                              tr("PDF (*.pdf)"))
        if not name:
            return
        from bdhvs_desktop.documents.atomic import atomic_write_bytes  # lazy: start-up

        data = self.trial.pdf
        ops.run(self, lambda _db: atomic_write_bytes(Path(name), data),
                success=lambda _r: self.say(tr("Đã lưu bản ký thử: {f}").format(f=name)), title=tr("Đang lưu"))

    def _pick_lib(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Thư viện PKCS#11 của USB token"), self.lib.currentText(),
                                              tr("Thư viện (*.dll *.so *.dylib);;Mọi tệp (*)"))
        if name:
            self.lib.setEditText(name)

    def _pick_p12(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Tệp chứng thư số"), self.p12.text(),
                                              tr("PKCS#12 (*.p12 *.pfx)"))
        if name:
            self.p12.setText(name)

    # ------------------------------------------------------------------ seal and CAs

    def _pick_seal(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("Ảnh con dấu"), "", tr("Ảnh PNG (*.png)"))
        if name:
            self.set_seal(Path(name))

    def set_seal(self, path: Path | None) -> ops.Op:
        from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

        def work(db):
            data = path.read_bytes() if path is not None else None
            return ss.set_seal_image(db, data, path.name if path is not None else tr("ảnh con dấu"))

        def done(settings) -> None:
            self.saved = settings
            self._show_seal(settings.seal_png)
            self.say(tr("Đã lưu ảnh con dấu.") if settings.seal_png else tr("Đã bỏ ảnh con dấu."))

        return ops.run(self, work, changes=SETTINGS_CHANGED, success=done, failure=self.refused_here,
                       title=tr("Đang lưu ảnh con dấu"))

    # ------------------------------------------------------------------ closing

    def reject(self) -> None:
        if self.saved is not None and self.signer_changed():
            answer = QMessageBox.question(
                self, self.windowTitle(), tr("Cách ký đã sửa nhưng chưa lưu. Lưu trước khi đóng?"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save_signer().wait():
                return
        super().reject()
