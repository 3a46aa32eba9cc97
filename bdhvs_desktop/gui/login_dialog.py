"""Login for the shared office (a PostgreSQL server): shown at start when the database is
not a SQLite file on this PC. Wrong passwords stay in the dialog with a message."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.accounts import login, user_count
from bdhvs_desktop.services.auth import AuthError


class LoginDialog(QDialog):
    def __init__(self, db, parent: QWidget | None = None, *, username: str = ""):
        super().__init__(parent)

        self.db = db
        self.user = None
        self.setWindowTitle(tr("Đăng nhập — Bình dân học vụ số"))
        layout = QVBoxLayout(self)
        heading = QLabel(tr("<b>Cơ sở dữ liệu dùng chung</b><br>{name}").format(name=db.display_name))
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(heading)
        self.has_users = user_count(db) > 0  # synchronous: one count of a small table
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setPlaceholderText(tr("ví dụ: thuky.phuong"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Tên đăng nhập:"), self.username)
        form.addRow(tr("Mật khẩu:"), self.password)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Đăng nhập"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Thoát"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if not self.has_users:
            self.message.setText(tr(
                "Chưa có tài khoản nào trên máy chủ này. Người quản trị hãy tạo tài khoản thư ký trên máy chủ, với URL "
                "của chủ sở hữu cơ sở dữ liệu (không phải URL của máy trạm):\n"
                "bdhvs --db URL_CHỦ_SỞ_HỮU users add TÊN --name \"Họ và tên\" --role secretary\n"
                "(xem thêm: bdhvs server setup --help)"))
            self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.ok_button.setEnabled(False)
        (self.password if username else self.username).setFocus()
        self.setMinimumWidth(460)

    def try_login(self) -> bool:
        if not self.username.text().strip():
            self.message.setText(tr("Hãy nhập tên đăng nhập."))
            self.username.setFocus()
            return False

        def refused(exc: BaseException) -> bool:
            if not isinstance(exc, AuthError):
                return False
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return True

        # Checking the password is deliberately slow (Argon2): an operation, waited for in a local
        # event loop because the dialog answers with the outcome.
        name, password = self.username.text(), self.password.text()
        op = ops.run(self, lambda db: login(db, name, password), db=self.db, failure=refused,
                     title=tr("Đang đăng nhập…"))
        if not op.wait():
            return False
        self.user = op.result
        self.accept()
        return True


def ask_login(db, parent: QWidget | None = None) -> bool:
    """Show the login dialog when the database needs one; False when the user gave up."""
    if db.is_sqlite:  # a file on this PC: no login (and no SQLAlchemy import at start-up)
        return True
    dialog = LoginDialog(db, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted and dialog.user is not None
