"""The File menu (Tệp: Sao lưu ngay, Khôi phục…, Kiểm tra cơ sở dữ liệu, Thoát) and the
automatic backup when the main window closes. main_window.py calls install_file_menu()
once and on_close() from closeEvent. It is built right after the first paint, so the modules
behind its actions (services, SQLAlchemy, the restore dialog) load when an action is chosen."""

from __future__ import annotations

import logging

from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.storage.location import fingerprint  # no SQLAlchemy: the database may still be opened lazily

log = logging.getLogger(__name__)

LEVEL_STYLE = {"ok": ("✓", "#1b5e20"), "warning": ("!", "#8a5300"), "error": ("✗", "#b00020")}


def install_file_menu(window: QMainWindow) -> None:
    """Fill the Tệp menu of `window` (which has .ctx; its `file_menu` if it made one, else a new
    one) and start noticing data changes for the backup on exit."""
    ctx = window.ctx
    path = ctx.db.path if ctx.db.is_sqlite else None
    window.change_start = fingerprint(path) if path is not None else None
    window.closed_once = False
    menu = getattr(window, "file_menu", None) or window.menuBar().addMenu(tr("&Tệp"))
    sqlite = ctx.db.is_sqlite and ctx.db.path is not None
    server_hint = tr("Cơ sở dữ liệu dùng chung trên máy chủ PostgreSQL: sao lưu và khôi phục bằng pg_dump / "
                     "pg_restore trên máy chủ.")

    backup = QAction(tr("Sao lưu ngay"), window)
    backup.setShortcut(QKeySequence("Ctrl+Shift+S"))
    backup.triggered.connect(lambda: backup_now(window))
    restore = QAction(tr("Khôi phục từ bản sao lưu…"), window)
    restore.triggered.connect(lambda: open_restore(window))
    for action in (backup, restore):
        action.setEnabled(sqlite)
        if not sqlite:
            action.setStatusTip(server_hint)
            action.setToolTip(server_hint)
    check = QAction(tr("Kiểm tra cơ sở dữ liệu"), window)
    check.triggered.connect(lambda: check_database_dialog(window))
    quit_action = QAction(tr("Thoát"), window)
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.triggered.connect(window.close)
    menu.addAction(backup)
    menu.addAction(restore)
    menu.addSeparator()
    menu.addAction(check)
    menu.addSeparator()
    menu.addAction(quit_action)
    menu.setToolTipsVisible(True)
    window.file_menu = menu
    window.file_actions = {"backup": backup, "restore": restore, "check": check, "quit": quit_action}
    user = vars(ctx.db).get("current_user")  # set by services.accounts.login; vars() keeps a lazy database lazy
    if user is not None:
        label = QLabel(tr("Người dùng: {name} ({role})").format(name=user.full_name, role=user.role_label))
        window.statusBar().addPermanentWidget(label)
        window.user_label = label


def backup_now(window: QMainWindow) -> object | None:
    from bdhvs_desktop.gui import ops  # lazy: the menu is built right after the first paint
    from bdhvs_desktop.services.safety import backup_now as do_backup  # lazy: start-up

    done: list = []

    def saved(path) -> None:
        done.append(path)
        window.statusBar().showMessage(tr("Đã sao lưu vào {p}").format(p=path), 10000)

    # The copy is an operation; the menu action waits for it in a local event loop (the window
    # keeps painting) so that it can answer with the copy's path.
    ops.run(window, do_backup, success=saved, title=tr("Đang sao lưu…")).wait()
    return done[0] if done else None


def open_restore(window: QMainWindow) -> bool:
    from bdhvs_desktop.gui.restore_dialog import RestoreDialog  # lazy: start-up

    dialog = RestoreDialog(window.ctx, window)
    return dialog.exec() == QDialog.DialogCode.Accepted


class CheckDialog(QDialog):
    def __init__(self, findings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Kiểm tra cơ sở dữ liệu"))
        layout = QVBoxLayout(self)
        errors = sum(1 for f in findings if f.level == "error")
        warnings = sum(1 for f in findings if f.level == "warning")
        if errors:
            text = tr("<b>Phát hiện {e} lỗi và {w} cảnh báo.</b> Lỗi toàn vẹn SQLite: hãy khôi phục từ bản sao lưu "
                      "(Tệp → Khôi phục…). Các lỗi khác: sửa những bản ghi được nêu.").format(e=errors, w=warnings)
        elif warnings:
            text = tr("<b>Không có lỗi; {w} cảnh báo</b> cần xem lại.").format(w=warnings)
        else:
            text = tr("<b>Cơ sở dữ liệu tốt:</b> không có lỗi, không có cảnh báo.")
        summary = QLabel(text)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        order = {"error": 0, "warning": 1, "ok": 2}
        for f in sorted(findings, key=lambda f: order[f.level]):
            mark, color = LEVEL_STYLE[f.level]
            item = QListWidgetItem(f"{mark}  {f.message}")
            item.setForeground(QBrush(QColor(color)))
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Đóng"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.errors, self.warnings = errors, warnings
        self.resize(760, 420)


def check_database_dialog(window: QMainWindow, *, show: bool = True):
    """Run `bdhvs check`'s checks off the GUI thread, then show what they found."""
    from bdhvs_desktop.gui import ops  # lazy: the menu is built right after the first paint
    from bdhvs_desktop.services.maintenance import check_database  # lazy: start-up

    def done(findings) -> None:
        window.check_dialog = CheckDialog(findings, window)
        if show:
            window.check_dialog.open()

    return ops.run(window, check_database, success=done, title=tr("Đang kiểm tra cơ sở dữ liệu…"))


def on_close(window: QMainWindow) -> object | None:
    """The automatic backup on exit (only if data changed; at most one per interval).
    Never stops the window from closing: a failure is logged."""
    if getattr(window, "closed_once", True):  # not installed, or already closed once
        return None
    window.closed_once = True
    db = window.ctx.db
    if not db.is_sqlite or db.path is None:
        return None
    if fingerprint(db.path) == window.change_start and not getattr(db, "loaded", True):
        return None  # never loaded, nothing written: keep closing instant
    from bdhvs_desktop.services.safety import backup_on_exit, track_changes  # lazy: start-up

    # Synchronous on purpose: the window is closing, there is nothing left to keep answering.
    tracker = track_changes(db, window.change_start)
    try:
        return backup_on_exit(db, tracker)
    except Exception:
        log.exception("automatic backup on exit failed")
        return None
    finally:
        tracker.close()


__all__ = ["install_file_menu", "on_close", "backup_now", "open_restore", "check_database_dialog", "CheckDialog"]
