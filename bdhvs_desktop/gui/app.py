"""The desktop program `bdhvs-desktop` (also `python -m bdhvs_desktop`)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

# Light modules the first frame needs anyway (none imports Qt or SQLAlchemy).
from bdhvs_desktop import paths
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.services.changes import EVERYTHING
from bdhvs_desktop.storage.lazy import LazyDatabase
from bdhvs_desktop.storage.location import NETWORK_SHARE_MESSAGE, network_share_reason

_T0 = time.perf_counter()
log = logging.getLogger("bdhvs.gui")


_VALUE_OPTIONS = {"--db": "db", "--page": "page"}
_FLAG_OPTIONS = {"--smoke-test": "smoke_test", "--startup-benchmark": "startup_benchmark"}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The options of `bdhvs-desktop`. The usual command lines are read directly (argparse
    plus gettext's message lookup cost ~5 ms of start-up); anything else (--help, a mistake)
    goes through argparse, which gives the messages. tests/test_startup.py checks both agree."""
    values: dict[str, object] = {"db": None, "page": "people", "smoke_test": False, "startup_benchmark": False}
    items = list(argv)
    while items:
        item = items.pop(0)
        name, eq, value = item.partition("=")
        if name in _VALUE_OPTIONS and (eq or items) and not (eq and not value):
            value = value if eq else items.pop(0)
            if value.startswith("-"):
                return _parse_args_fully(argv)
            values[_VALUE_OPTIONS[name]] = value
        elif item in _FLAG_OPTIONS:
            values[_FLAG_OPTIONS[item]] = True
        else:
            return _parse_args_fully(argv)
    return argparse.Namespace(**values)


def _parse_args_fully(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bdhvs-desktop", description="Bình dân học vụ số — Quản lý thi đua cấp phường")
    parser.add_argument("--db", help="cơ sở dữ liệu (tệp SQLite hoặc URL SQLAlchemy)")
    parser.add_argument("--smoke-test", action="store_true",
                        help="mở cửa sổ, mở cơ sở dữ liệu, hiện mọi trang một lần rồi thoát (mã 0 nếu ổn)")
    parser.add_argument("--page", default="people", help="trang mở đầu tiên")
    parser.add_argument("--startup-benchmark", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _show_error(title: str, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox  # lazy: start-up

    box = QMessageBox(QMessageBox.Icon.Critical, title, message)
    box.exec()


def first_start(ctx, window) -> None:
    """A database with no campaign: offer the demo ward or an empty campaign from a plan preset
    (the dialog is the Qt Designer form ui/first_start.ui)."""
    from PySide6.QtWidgets import QDialogButtonBox  # lazy: start-up

    from bdhvs_desktop.domain.presets import list_presets  # lazy: start-up
    from bdhvs_desktop.gui.i18n import tr  # lazy: start-up
    from bdhvs_desktop.gui.ui_loader import load_ui  # lazy: start-up

    dialog = load_ui("first_start.ui", window)
    dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Bắt đầu"))
    for info in list_presets(paths.presets_dir()):
        if info.ok:
            dialog.presetCombo.addItem(f"{info.title} — {info.locality_full}", info.name)
    if not dialog.exec():
        return
    from bdhvs_desktop.gui import ops  # lazy: start-up

    if dialog.demoRadio.isChecked():
        from bdhvs_desktop.services.demo import create_demo  # lazy: start-up

        ops.run(window, create_demo, ctx=ctx, changes=EVERYTHING, title=tr("Đang tạo phường mẫu…"))
    elif dialog.emptyRadio.isChecked() and dialog.presetCombo.currentData():
        from bdhvs_desktop.services.campaign import init_campaign  # lazy: start-up

        preset = dialog.presetCombo.currentData()
        ops.run(window, lambda db: init_campaign(db, preset), ctx=ctx, changes=EVERYTHING,
                title=tr("Đang tạo phong trào…"))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Logging to its file starts right after the first paint (or at once on an error).
    # The database is opened before Qt is imported: PySide6 reads the source of every module
    # imported after it (shibokensupport.feature checks it for "PySide6"), so the database
    # modules load faster first.
    if args.smoke_test:
        start_smoke_watchdog()
    location = args.db or os.environ.get("BDHVS_DB")
    if args.db and "://" in args.db and (sys.stderr or sys.__stderr__):
        from bdhvs_desktop.storage.engine import argv_password_warning  # lazy: start-up

        if warning := argv_password_warning(args.db):
            print(warning, file=sys.stderr or sys.__stderr__)
    db, open_error = None, None
    try:
        db = open_for_window(location)
    except Exception as exc:  # noqa: BLE001
        open_error = exc
    from PySide6.QtWidgets import QApplication  # lazy: start-up

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("bdhvs-desktop")
    app.setOrganizationName("bdhvs")
    # The platform's own style (Windows 11 / Vista on Windows); creating another costs start-up time.
    from bdhvs_desktop.gui.i18n import install_translators, tr  # lazy: start-up

    install_error_hook(database=lambda: getattr(db, "path", None), smoke=args.smoke_test)
    if db is None:
        from bdhvs_desktop.logging_setup import redact, setup_logging  # lazy: start-up

        install_translators(app)
        setup_logging(console=False)
        log.error("cannot open database", exc_info=open_error)
        message = redact(str(open_error))
        advice = _damage_advice(location, open_error)
        if advice:
            message += "\n" + advice
        if args.smoke_test:
            print(f"Lỗi: không mở được cơ sở dữ liệu: {message}", file=sys.stderr or sys.__stderr__)
        else:
            _show_error(tr("Không mở được cơ sở dữ liệu"), message)
        return 3
    if args.smoke_test and getattr(db, "path", None) is not None:
        # A damaged page may sit where no page of the window reads it: ask SQLite.
        from bdhvs_desktop.services.safety import (  # lazy: start-up
            describe_problems,
            restore_advice,
            sqlite_file_problems,
        )

        problems = sqlite_file_problems(db.path, quick=True)
        if problems is not None:
            print(f"Lỗi: cơ sở dữ liệu {db.path} bị hỏng ({describe_problems(problems)}).\n{restore_advice(db.path)}",
                  file=sys.stderr or sys.__stderr__)
            db.dispose()
            return 1
    from bdhvs_desktop.gui.context import AppContext  # lazy: start-up
    from bdhvs_desktop.gui.main_window import MainWindow  # lazy: start-up

    lazy = not getattr(db, "loaded", True)
    if not lazy:  # a dialog may come before the window (login, upgrade): Qt's own buttons in Vietnamese
        install_translators(app)
    if not db.is_sqlite and not args.smoke_test:  # shared (server) mode: users log in
        from bdhvs_desktop.gui.login_dialog import ask_login  # lazy: start-up

        if not ask_login(db):
            db.dispose()
            return 0
    # With a lazily opened database everything the first frame does not show waits for it.
    ctx = AppContext(db, defer_until_painted=lazy)
    window = MainWindow(ctx, initial_page=args.page)

    def finish_start() -> None:  # right after the first paint
        if lazy:
            install_translators(app)
        install_window_icon(app)
        ctx.first_paint_done()  # the Tệp menu, the table's sort arrow, ...

    if args.startup_benchmark:
        def painted() -> None:
            import PySide6.QtCore  # lazy: start-up

            print(f"startup_seconds={time.perf_counter() - _T0:.4f}", flush=True)
            print(f"painted_at_epoch={time.time():.6f}", flush=True)
            print(f"cpu_at_paint={time.process_time():.6f}", flush=True)
            print(f"people_rows={window.pages['people'].model.rowCount()}", flush=True)
            # gui/roles.py: PySide6 builds the Qt namespace on first use, ~20 ms.
            print(f"qt_namespace_before_paint={int('Qt' in vars(PySide6.QtCore))}", flush=True)
            print(f"sqlalchemy_before_paint={int('sqlalchemy' in sys.modules)}", flush=True)
            finish_start()
            print(f"file_menu_actions={len(window.file_menu.actions())}", flush=True)
            app.quit()

        # The window's first paint pass paints the visible people table too (the callback runs
        # after the pass; tests/test_startup.py checks it). Watching the table's viewport would
        # cost the run ~5 ms: converting it to Python makes PySide6 set up every QWidget subclass.
        watcher = FirstPaintWatcher(window, painted)
        window.show()
        app.exec()
        del watcher
        return 0

    def after_first_paint() -> None:
        from bdhvs_desktop.logging_setup import setup_logging  # lazy: start-up

        setup_logging(console=False)
        finish_start()
        sweep_backup_leftovers()
        # Load the full database layer now that the user sees the window.
        window.update_status()
        if not args.smoke_test:
            from bdhvs_desktop.services.campaign import campaign_info  # lazy: start-up

            if campaign_info(db) is None:  # synchronous: one row
                first_start(ctx, window)

    watcher = FirstPaintWatcher(window, after_first_paint)
    window.show()
    if args.smoke_test:
        return smoke_test(app, window)
    code = app.exec()
    del watcher
    db.dispose()
    return code


def sweep_backup_leftovers() -> None:
    """Temporary copies left in the backups folder by a backup that was killed (power cut,
    Task Manager) are deleted at start; one still being written by a running program is kept."""
    try:
        from bdhvs_desktop.storage.backup import sweep_temporary_files  # lazy: start-up

        for path in sweep_temporary_files(paths.backups_dir()):
            log.info("removed a temporary file left by an interrupted backup: %s", path.name)
    except Exception:  # never stop the start for this
        log.warning("could not sweep the backups folder", exc_info=True)


def install_window_icon(app) -> None:
    """The program's icon (resources/icons, drawn by build_icon.py) on every window; the
    Windows executable and installer carry the .ico of the same picture."""
    from PySide6.QtGui import QIcon  # lazy: start-up


    icon = paths.resources_dir() / "icons" / "bdhvs-desktop.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))


_SMOKE_ERRORS: list[str] = []  # errors met during --smoke-test (no dialog may block it)


def start_smoke_watchdog() -> None:
    """--smoke-test never hangs: after BDHVS_SMOKE_TIMEOUT seconds (default 120) it prints
    why and ends the process with code 4, whatever the window is waiting for."""

    try:
        seconds = float(os.environ.get("BDHVS_SMOKE_TIMEOUT", "120"))
    except ValueError:
        seconds = 120.0

    def expire() -> None:
        stream = sys.stderr or sys.__stderr__
        if stream is not None:
            print(f"Lỗi: kiểm tra khởi động quá thời gian ({vn_number(seconds)} giây): chương trình bị treo hoặc quá chậm.",
                  file=stream, flush=True)
        os._exit(4)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def _damage_advice(location, exc: BaseException | None) -> str:
    """For a damaged SQLite file: what to do, naming the newest whole backup; else ""."""
    try:
        from bdhvs_desktop.services.safety import is_corruption, restore_advice  # lazy: start-up

        if not is_corruption(exc):
            return ""
        target = location or str(paths.default_database_path())
        if "://" in str(target):
            return ""
        return restore_advice(Path(target))
    except Exception:  # advice is a bonus; never fail the error message itself
        log.warning("could not look for a good backup", exc_info=True)
        return ""


def install_error_hook(*, database=None, smoke: bool = False) -> None:
    """An error no page handled still reaches the user as a message, never as silence: a
    refused permission or a colleague's conflicting save in plain Vietnamese, a damaged
    database file as such (with the newest good backup to restore), anything else as
    "unexpected" with the details in the log file. `database()` gives the open file's path.
    With `smoke`, errors are printed and counted instead (a dialog would block the test)."""
    previous = sys.excepthook
    if smoke:  # an operation's unexpected error counts too (lazy: ops is not needed for a normal start)
        from bdhvs_desktop.gui import ops  # lazy: start-up

        def take(exc: BaseException, _trace: str) -> bool:
            _SMOKE_ERRORS.append(str(exc))
            print(f"Lỗi: {exc}", file=sys.stderr or sys.__stderr__)
            return True

        ops.unexpected_hook = take

    def hook(exc_type, exc, tb):
        from PySide6.QtWidgets import QApplication, QMessageBox  # lazy: start-up

        from bdhvs_desktop.gui.i18n import tr  # lazy: start-up
        from bdhvs_desktop.logging_setup import redact  # lazy: start-up

        if QApplication.instance() is None or not issubclass(exc_type, Exception):
            previous(exc_type, exc, tb)
            return
        if smoke:
            log.error("error during the smoke test", exc_info=(exc_type, exc, tb))
            _SMOKE_ERRORS.append(redact(str(exc)))
            print(f"Lỗi: {_SMOKE_ERRORS[-1]}", file=sys.stderr or sys.__stderr__)
            return
        parent = QApplication.activeWindow()
        from bdhvs_desktop.services.auth import AuthError  # lazy: start-up
        from bdhvs_desktop.services.errors import is_conflict  # lazy: start-up

        if is_conflict(exc):
            from bdhvs_desktop.gui.conflict import show_conflict  # lazy: start-up

            show_conflict(parent, exc)
            return
        if isinstance(exc, AuthError):
            QMessageBox.warning(parent, tr("Không đủ quyền"), str(exc))
            return
        log.error("unhandled error", exc_info=(exc_type, exc, tb))
        from bdhvs_desktop.services.errors import is_database_error  # lazy: start-up
        from bdhvs_desktop.services.safety import is_corruption  # lazy: start-up

        error = redact(str(exc))
        if is_corruption(exc):
            path = database() if database is not None else None
            advice = _damage_advice(str(path), exc) if path is not None else ""
            QMessageBox.critical(parent, tr("Cơ sở dữ liệu bị hỏng"),
                                 tr("Tệp cơ sở dữ liệu bị hỏng: SQLite không đọc được một phần tệp ({error}). Dữ liệu "
                                    "trong phần hỏng có thể đã mất; đừng tiếp tục nhập liệu.").format(
                                     error=redact(str(getattr(exc, "orig", None) or exc)))
                                 + ("\n\n" + advice if advice else ""))
            return
        if is_database_error(exc):
            QMessageBox.critical(parent, tr("Lỗi cơ sở dữ liệu"),
                                 tr("Lỗi cơ sở dữ liệu: {error}\nViệc vừa làm chưa được lưu (mỗi lần lưu là trọn vẹn hoặc "
                                    "không có gì); chi tiết được ghi vào tệp nhật ký.").format(error=error))
            return
        QMessageBox.critical(parent, tr("Lỗi không mong đợi"),
                             tr("Đã xảy ra lỗi không mong đợi: {error}\nViệc vừa làm có thể chưa hoàn tất; những gì đã "
                                "lưu trước đó vẫn giữ nguyên. Chi tiết được ghi vào tệp nhật ký.").format(error=error))

    sys.excepthook = hook


def open_for_window(location: str | None):
    """The database for the window: a local SQLite file already at the current schema is
    opened lazily (its first table is read before SQLAlchemy loads); anything else —
    a new file, an older schema to upgrade, a server URL — is opened fully now."""
    target = location or str(paths.default_database_path())
    if "://" not in target:
        reason = network_share_reason(target)
        if reason:
            from bdhvs_desktop.storage.engine import DatabaseError  # lazy: start-up

            raise DatabaseError(NETWORK_SHARE_MESSAGE.format(path=target, reason=reason))
        lazy = LazyDatabase.try_open(Path(target).expanduser().resolve())
        if lazy is not None:
            return lazy
    from bdhvs_desktop.storage.engine import open_database  # lazy: start-up

    return open_database(target)


def FirstPaintWatcher(widget, callback):  # noqa: N802
    """Calls `callback` once, right after `widget` has painted for the first time."""
    from PySide6.QtCore import QEvent, QObject, QTimer  # lazy: start-up

    class Watcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                QTimer.singleShot(0, callback)
            return False

    watcher = Watcher(widget)
    widget.installEventFilter(watcher)
    return watcher


def smoke_test(app, window) -> int:
    from bdhvs_desktop.gui import ops  # lazy: start-up
    from bdhvs_desktop.gui.pages import PAGES  # lazy: start-up

    shown = 0
    for key, _title, _spec in PAGES:
        page = window.show_page(key)
        app.processEvents()
        deadline = time.perf_counter() + 60
        while not ops.idle() and time.perf_counter() < deadline:  # the page's loads land (or fail)
            app.processEvents()
            time.sleep(0.005)
        if _SMOKE_ERRORS:
            print(f"Lỗi: trang {key} gặp lỗi khi hiện ({_SMOKE_ERRORS[0]})", file=sys.stderr or sys.__stderr__)
            return 1
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
