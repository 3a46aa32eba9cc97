"""The window in shared-office mode, on a real PostgreSQL server: login first, backup and
restore left to the server's tools, no file backup on exit."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from bdhvs_desktop.services import accounts, auth, safety
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database


def test_login_then_window_on_postgresql(pg_url, qtbot, user_home):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.login_dialog import LoginDialog
    from bdhvs_desktop.gui.main_window import MainWindow

    db = open_database(pg_url)
    try:
        assert auth.login_required(db)
        accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", "mat-khau-tk")  # the first account: no login
        accounts.login(db, "thuky", "mat-khau-tk")
        accounts.add_user(db, "hoidong", "Lê Văn Cường", "council_member", "mat-khau-hd")
        accounts.logout(db)
        dialog = LoginDialog(db)
        qtbot.addWidget(dialog)
        assert "postgresql" in db.display_name and dialog.ok_button.isEnabled()
        dialog.username.setText("hoidong")
        dialog.password.setText("mat-khau-hd")
        assert dialog.try_login() and dialog.result() == QDialog.DialogCode.Accepted
        with db.session() as s:
            s.add(m.Unit(code="U", name="Tổ 1", kind="to_dan_pho"))
        win = MainWindow(AppContext(db))
        qtbot.addWidget(win)
        assert not win.file_actions["backup"].isEnabled() and not win.file_actions["restore"].isEnabled()
        assert "pg_dump" in win.file_actions["backup"].toolTip()
        assert win.file_actions["check"].isEnabled()
        assert "Lê Văn Cường (Thành viên Hội đồng)" in win.user_label.text()
        win.close()
        assert not (user_home / "backups").exists() or not any((user_home / "backups").iterdir())
        assert safety.backup_on_exit(db, None) is None
    finally:
        db.dispose()


def test_giving_up_the_login_closes_the_program(pg_url, qtbot, monkeypatch):
    from bdhvs_desktop.gui import login_dialog

    db = open_database(pg_url)
    try:
        monkeypatch.setattr(login_dialog.LoginDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
        assert not login_dialog.ask_login(db)

        def accept(self):
            self.username.setText("thuky")
            self.password.setText("mat-khau-tk")
            return QDialog.DialogCode.Accepted if self.try_login() else QDialog.DialogCode.Rejected

        accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", "mat-khau-tk")
        monkeypatch.setattr(login_dialog.LoginDialog, "exec", accept)
        assert login_dialog.ask_login(db) and db.user == "thuky"
    finally:
        db.dispose()
