"""The desktop program `bdhvs-desktop` (also `python -m bdhvs_desktop`)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Sequence

_T0 = time.perf_counter()
log = logging.getLogger("bdhvs.gui")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bdhvs-desktop", description="Bình dân học vụ số — Quản lý thi đua cấp phường")
    parser.add_argument("--db", help="cơ sở dữ liệu (tệp SQLite hoặc URL SQLAlchemy)")
    parser.add_argument("--smoke-test", action="store_true",
                        help="mở cửa sổ, mở cơ sở dữ liệu, hiện mọi trang một lần rồi thoát (mã 0 nếu ổn)")
    parser.add_argument("--page", default="people", help="trang mở đầu tiên")
    parser.add_argument("--startup-benchmark", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _show_error(title: str, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, title, message)
    box.exec()


def first_start(ctx, window) -> None:  # noqa: ANN001
    """A database with no campaign: offer the demo ward or an empty campaign from a plan preset
    (the dialog is the Qt Designer form ui/first_start.ui)."""
    from PySide6.QtWidgets import QDialogButtonBox

    from bdhvs_desktop.domain.presets import list_presets
    from bdhvs_desktop.gui.i18n import tr
    from bdhvs_desktop.gui.ui_loader import load_ui
    from bdhvs_desktop.paths import presets_dir

    dialog = load_ui("first_start.ui", window)
    dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Bắt đầu"))
    for info in list_presets(presets_dir()):
        if info.ok:
            dialog.presetCombo.addItem(f"{info.title} — {info.locality_full}", info.name)
    if not dialog.exec():
        return
    if dialog.demoRadio.isChecked():
        from bdhvs_desktop.services.demo import create_demo

        create_demo(ctx.db)
        ctx.notify("*")
    elif dialog.emptyRadio.isChecked() and dialog.presetCombo.currentData():
        from bdhvs_desktop.services.campaign import init_campaign

        init_campaign(ctx.db, dialog.presetCombo.currentData())
        ctx.notify("*")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Logging to its file starts right after the first paint (or at once on an error).
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("bdhvs-desktop")
    app.setOrganizationName("bdhvs")
    # The platform's own style (Windows 11 / Vista on Windows); creating another costs start-up time.
    from bdhvs_desktop.gui.i18n import install_translators, tr

    install_translators(app)
    install_error_hook()
    location = args.db or os.environ.get("BDHVS_DB")
    try:
        db = open_for_window(location)
    except Exception as exc:  # noqa: BLE001
        from bdhvs_desktop.logging_setup import setup_logging

        setup_logging(console=False)
        log.exception("cannot open database")
        if args.smoke_test:
            print(f"Lỗi: không mở được cơ sở dữ liệu: {exc}", file=sys.stderr or sys.__stderr__)
        else:
            _show_error(tr("Không mở được cơ sở dữ liệu"), str(exc))
        return 3
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow

    if not db.is_sqlite and not args.smoke_test:  # shared (server) mode: users log in
        from bdhvs_desktop.gui.login_dialog import ask_login

        if not ask_login(db):
            db.dispose()
            return 0
    ctx = AppContext(db)
    window = MainWindow(ctx, initial_page=args.page)
    if args.startup_benchmark:
        def painted() -> None:
            print(f"startup_seconds={time.perf_counter() - _T0:.4f}", flush=True)
            print(f"painted_at_epoch={time.time():.6f}", flush=True)
            print(f"people_rows={window.pages['people'].model.rowCount()}", flush=True)
            app.quit()

        watcher = FirstPaintWatcher(window.pages["people"].table.viewport(), painted)
        window.show()
        app.exec()
        del watcher
        return 0

    def after_first_paint() -> None:
        from bdhvs_desktop.logging_setup import setup_logging

        setup_logging(console=False)
        # Load the full database layer now that the user sees the window.
        window.update_status()
        if not args.smoke_test:
            from bdhvs_desktop.services.campaign import campaign_info

            if campaign_info(db) is None:
                first_start(ctx, window)

    watcher = FirstPaintWatcher(window, after_first_paint)
    window.show()
    if args.smoke_test:
        return smoke_test(app, window)
    code = app.exec()
    del watcher
    db.dispose()
    return code


def install_error_hook() -> None:
    """An error no page handled still reaches the user as a message, never as silence: a
    refused permission or a colleague's conflicting save in plain Vietnamese, anything else
    as "unexpected" with the details in the log file."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):  # noqa: ANN001
        from PySide6.QtWidgets import QApplication, QMessageBox

        from bdhvs_desktop.gui.i18n import tr

        if QApplication.instance() is None or not issubclass(exc_type, Exception):
            previous(exc_type, exc, tb)
            return
        parent = QApplication.activeWindow()
        from sqlalchemy.orm.exc import StaleDataError

        from bdhvs_desktop.services.auth import AuthError

        if isinstance(exc, StaleDataError):
            from bdhvs_desktop.gui.conflict import show_conflict

            show_conflict(parent, exc)
            return
        if isinstance(exc, AuthError):
            QMessageBox.warning(parent, tr("Không đủ quyền"), str(exc))
            return
        log.error("unhandled error", exc_info=(exc_type, exc, tb))
        QMessageBox.critical(parent, tr("Lỗi không mong đợi"),
                             tr("Đã xảy ra lỗi không mong đợi: {error}\nDữ liệu đã lưu không bị ảnh hưởng; chi tiết "
                                "được ghi vào tệp nhật ký.").format(error=exc))

    sys.excepthook = hook


def open_for_window(location: str | None):  # noqa: ANN201
    """The database for the window: a local SQLite file already at the current schema is
    opened lazily (its first table is read before SQLAlchemy loads); anything else —
    a new file, an older schema to upgrade, a server URL — is opened fully now."""
    from pathlib import Path

    from bdhvs_desktop import paths
    from bdhvs_desktop.storage.lazy import LazyDatabase
    from bdhvs_desktop.storage.location import NETWORK_SHARE_MESSAGE, network_share_reason

    target = location or str(paths.default_database_path())
    if "://" not in target:
        reason = network_share_reason(target)
        if reason:
            from bdhvs_desktop.storage.engine import DatabaseError

            raise DatabaseError(NETWORK_SHARE_MESSAGE.format(path=target, reason=reason))
        lazy = LazyDatabase.try_open(Path(target).expanduser().resolve())
        if lazy is not None:
            return lazy
    from bdhvs_desktop.storage.engine import open_database

    return open_database(target)


def FirstPaintWatcher(widget, callback):  # noqa: ANN001, ANN201, N802
    """Calls `callback` once, right after `widget` has painted for the first time."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802, ANN001
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                QTimer.singleShot(0, callback)
            return False

    watcher = Watcher(widget)
    widget.installEventFilter(watcher)
    return watcher


def smoke_test(app, window) -> int:  # noqa: ANN001
    from bdhvs_desktop.gui.pages import PAGES

    shown = 0
    for key, _title, _spec in PAGES:
        page = window.show_page(key)
        app.processEvents()
        if not page.isVisible():
            print(f"Lỗi: trang {key} không hiện được", file=sys.stderr or sys.__stderr__)
            return 1
        shown += 1
    window.close()
    app.processEvents()
    out = sys.stdout or sys.__stdout__
    if out is not None:
        print(f"Kiểm tra khởi động: đạt ({shown} trang, cơ sở dữ liệu {window.ctx.db.display_name}).", file=out)
    window.ctx.db.dispose()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
