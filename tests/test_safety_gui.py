"""The data-safety screens: the File menu, backup on exit, the restore dialog, the history
panel, the conflict message, the personal-data export question and the login dialog."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from bdhvs_desktop.services import accounts, audit, auth, safety
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.backup import backup_file, list_backups


@pytest.fixture
def window(qtbot, demo_db):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow

    ctx = AppContext(demo_db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    return win


def _first_person(db) -> int:
    with db.read() as s:
        return s.query(m.Person.id).order_by(m.Person.id).first()[0]


def _autos(db, user_home):
    return [b for b in list_backups(user_home / "backups", db.path.stem) if b.kind == "auto"]


def test_file_menu_has_the_four_actions(window):
    titles = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert titles == ["Sao lưu ngay", "Khôi phục từ bản sao lưu…", "Kiểm tra cơ sở dữ liệu", "Thoát"]
    assert window.menuBar().actions()[0].text() == "&Tệp"
    assert all(a.isEnabled() for a in window.file_actions.values())


def test_backup_now_from_the_menu(window, user_home):
    window.file_actions["backup"].trigger()
    copies = list_backups(user_home / "backups", window.ctx.db.path.stem)
    assert [c.kind for c in copies] == ["manual"]
    assert "Đã sao lưu vào" in window.statusBar().currentMessage()


def test_close_backs_up_only_when_data_changed(qtbot, demo_db, user_home):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow

    win = MainWindow(AppContext(demo_db))
    win.close()
    assert _autos(demo_db, user_home) == []
    win = MainWindow(AppContext(demo_db))
    pid = _first_person(demo_db)
    safety.save_changes(demo_db, m.Person, pid, 1, {"phone": "0912345678"})
    win.close()
    autos = _autos(demo_db, user_home)
    assert len(autos) == 1
    conn = sqlite3.connect(autos[0].path)
    assert conn.execute("SELECT phone FROM person WHERE id = ?", (pid,)).fetchone()[0] == "0912345678"
    conn.close()
    win.close()  # a second close event does not back up again
    assert len(_autos(demo_db, user_home)) == 1


def test_check_dialog_runs_in_background(window, qtbot):
    window.file_actions  # noqa: B018
    from bdhvs_desktop.gui.safety_actions import check_database_dialog

    check_database_dialog(window, show=False)
    qtbot.waitUntil(lambda: getattr(window, "check_dialog", None) is not None, timeout=20000)
    dialog = window.check_dialog
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert dialog.errors == 0
    assert any("Kiểm tra toàn vẹn SQLite" in t for t in texts) and any("Chuỗi nhật ký" in t for t in texts)


def test_restore_dialog_checks_then_restores(window, qtbot, tmp_path, monkeypatch):
    from bdhvs_desktop.gui.restore_dialog import RestoreDialog

    db = window.ctx.db
    copy = backup_file(db.path, tmp_path / "copy.sqlite3")
    pid = _first_person(db)
    safety.save_changes(db, m.Person, pid, 1, {"phone": "0999999999"})
    changed = []
    window.ctx.data_changed.connect(changed.append)
    dialog = RestoreDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("không phải cơ sở dữ liệu")
    assert not dialog.select_file(bad)
    assert dialog.status.text().startswith("✗") and not dialog.restore_button.isEnabled()
    assert dialog.select_file(copy)
    assert "bản sao lưu hợp lệ" in dialog.status.text() and "156 người" in dialog.status.text()
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    assert dialog.restore_selected(confirm=False)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "Đã khôi phục từ copy.sqlite3" in shown[0] and "trước khi khôi phục" in shown[0]
    assert changed == ["*"]
    with db.read() as s:  # the program's own connection works again, on the restored data
        assert s.get(m.Person, pid).phone != "0999999999"


def test_restore_dialog_lists_backups_of_this_database(window, qtbot, user_home):
    from bdhvs_desktop.gui.restore_dialog import RestoreDialog

    window.file_actions["backup"].trigger()
    dialog = RestoreDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1
    assert dialog.model.data(dialog.model.index(0, 1)) == "Sao lưu thủ công"
    assert dialog.restore_button.isEnabled()  # the newest is selected and checked


def test_history_dialog_shows_who_when_old_and_new(window, qtbot):
    from bdhvs_desktop.gui.history_dialog import HistoryDialog

    db = window.ctx.db
    db.user = "thuky.phuong"
    pid = _first_person(db)
    safety.save_changes(db, m.Person, pid, 1, {"vneid_proficient_on": dt.date(2026, 3, 20)})
    with db.session() as s:
        audit.record(s, user="chu-tich", action="decide", entity="person", entity_id=pid, field="status",
                     old="proposed", new="approved", chained=True)
    dialog = HistoryDialog(window.ctx, "person", pid, "Nguyễn Văn A")
    qtbot.addWidget(dialog)
    rows = dialog.model.rows
    assert len(rows) == 2
    from bdhvs_desktop.domain.vocab import CANDIDATE_STATUS_LABELS, CandidateStatus

    assert rows[0][1:] == ("chu-tich", "◆ Quyết định", "Trạng thái", CANDIDATE_STATUS_LABELS[CandidateStatus.PROPOSED],
                           CANDIDATE_STATUS_LABELS[CandidateStatus.APPROVED], "")
    assert rows[1][1:4] == ("thuky.phuong", "Sửa", "Ngày thành thạo VNeID") and rows[1][5] == "20/03/2026"
    assert rows[1][0].count("/") == 2 and ":" in rows[1][0]  # dd/mm/yyyy hh:mm:ss, local time
    assert "chưa bị sửa" in dialog.chain_label.text()
    with db.session() as s:
        s.query(m.AuditEntry).filter(m.AuditEntry.chained.is_(True)).update({"new_value": "rejected"})
    dialog = HistoryDialog(window.ctx, "person", pid)
    qtbot.addWidget(dialog)
    assert "bị phá vỡ" in dialog.chain_label.text()


def test_conflict_message_keeps_the_users_values(demo_db, qtbot):
    from bdhvs_desktop.gui.conflict import conflict_box, is_conflict

    pid = _first_person(demo_db)
    safety.save_changes(demo_db, m.Person, pid, 1, {"position": "Tổ trưởng"})
    with pytest.raises(safety.EditConflict) as info:
        safety.save_changes(demo_db, m.Person, pid, 1, {"position": "Tổ phó"})
    assert is_conflict(info.value)
    from sqlalchemy.orm.exc import StaleDataError

    assert is_conflict(StaleDataError("x")) and not is_conflict(ValueError("x"))
    box = conflict_box(None, info.value, {"position": "Chức vụ"})
    qtbot.addWidget(box)
    assert box.text().startswith("Bản ghi này vừa được người khác sửa trên máy khác; dữ liệu của bạn chưa bị mất")
    assert "Chức vụ: bạn nhập «Tổ phó», hiện đang lưu «Tổ trưởng»" in box.informativeText()


def test_personal_export_asks_once_per_session(qtbot, monkeypatch):
    from bdhvs_desktop.gui import personal_data

    personal_data.reset_personal_export_consent()
    asked = []

    def answer(role):
        def fake_exec(box):
            asked.append(box.text())
            [b for b in box.buttons() if box.buttonRole(b) == role][0].click()
            return 0
        return fake_exec

    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.ButtonRole.RejectRole))
    assert not personal_data.confirm_personal_export(None, "danh sách nhân sự")
    assert "dữ liệu cá nhân (số CCCD, ngày sinh" in asked[0]
    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.ButtonRole.AcceptRole))
    assert personal_data.confirm_personal_export(None)
    assert personal_data.confirm_personal_export(None)  # not asked again
    assert len(asked) == 2
    personal_data.reset_personal_export_consent()


def test_login_dialog(db, qtbot):
    from bdhvs_desktop.gui.login_dialog import LoginDialog, ask_login

    assert ask_login(db)  # a SQLite file on this PC: no login
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled() and "users add" in dialog.message.text()
    accounts.add_user(db, "thuky", "Nguyễn Thị Hoà", "secretary", "Mat-khau-dai-01")
    dialog = LoginDialog(db, username="thuky")
    qtbot.addWidget(dialog)
    dialog.password.setText("sai-mat-khau")
    assert not dialog.try_login()
    assert dialog.message.text() == "Tên đăng nhập hoặc mật khẩu không đúng." and dialog.password.text() == ""
    dialog.password.setText("Mat-khau-dai-01")
    assert dialog.try_login()
    assert dialog.result() == QDialog.DialogCode.Accepted and db.user == "thuky"
    assert auth.current_user(db).role == "secretary"


def test_menu_restore_and_exit_backup_with_the_lazily_opened_database(demo_db, qtbot, tmp_path, monkeypatch,
                                                                       user_home):
    """The program opens a current SQLite file lazily (SQLAlchemy after the first paint):
    the File menu, the restore and the exit backup work on that object too."""
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow
    from bdhvs_desktop.gui.restore_dialog import RestoreDialog
    from bdhvs_desktop.storage.lazy import LazyDatabase

    path = demo_db.path
    copy = backup_file(path, tmp_path / "copy.sqlite3")
    demo_db.dispose()
    lazy = LazyDatabase.try_open(path)
    assert lazy is not None and not lazy.loaded
    win = MainWindow(AppContext(lazy))
    qtbot.addWidget(win)
    assert not lazy.loaded and win.file_actions["restore"].isEnabled()
    dialog = RestoreDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    assert dialog.select_file(copy)
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    assert dialog.restore_selected(confirm=False)
    with lazy.read() as s:  # loads now, on the restored file
        assert s.query(m.AuditEntry).filter(m.AuditEntry.action == "restore").count() == 1
    win.close()
    assert len(_autos(lazy, user_home)) == 1  # the restore changed the file: copied on exit
    lazy.dispose()
