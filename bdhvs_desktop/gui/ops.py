"""One way for every page and dialog to call the services (issue #12; modelled on Anki's
`aqt/operations` CollectionOp/QueryOp and calibre's typed database events).

    run(self, lambda db: council.decide(db, meeting_id, candidate_id),
        changes=Changes.of(Change.COUNCIL, Change.CANDIDATES), title=tr("Đang ghi quyết định"))

What `run` does, so no caller does it by hand:

* the call runs in Qt's thread pool (`gui/worker.py: Task`), never on the GUI thread: the window
  keeps painting and answering while the database works;
* a progress dialog appears only when the call takes longer than `PROGRESS_DELAY_MS` (modal to
  the window, so the same action cannot be started twice); with `progress=True` the call gets
  `(db, progress, cancelled)` and the dialog shows its steps and a Hủy button;
* every error is shown one way by its kind (`error_kind`, `show_error`): invalid input with its
  per-field problems, a conflict with what you typed and what is stored (`gui/conflict.py`), not
  found, permission denied, locked, cancelled (silent), unexpected (logged with the traceback);
  a caller may take an error first (`failure=`, e.g. a form shows problems next to the fields);
* after success the typed `Changes` are published through `AppContext.publish`, so each page
  reloads only if it shows what changed; then `success(result)` runs on the GUI thread.

A read (`changes` left empty) works the same way: it is Anki's QueryOp.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from bdhvs_desktop.gui import conflict
from bdhvs_desktop.gui.conflict import CONFLICT_TEXT
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.worker import Task
from bdhvs_desktop.services.changes import NOTHING, Changes

log = logging.getLogger("bdhvs.gui.ops")

PROGRESS_DELAY_MS = 400


class ErrorKind(enum.Enum):
    INVALID = "invalid"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    LOCKED = "locked"
    CANCELLED = "cancelled"
    UNEXPECTED = "unexpected"


# The services' exceptions by class name (the class or any base), so this module does not import
# every service (nor SQLAlchemy, whose StaleDataError the GUI must not see as a type). The one
# error family of issue #12 item 3 (services/errors.py) names its bases the same way.
_KIND_BY_NAME = {
    ErrorKind.CANCELLED: {"ImportCancelled", "StatisticsCancelled", "ReportCancelled", "DossierCancelled",
                          "CertificatesCancelled", "ExportCancelled", "Cancelled", "OperationCancelled"},
    ErrorKind.CONFLICT: {"EditConflict", "StaleDataError", "ConcurrentEdit", "StaleRecord", "StaleEditError",
                         "AwardConcurrentEdit", "Conflict", "ConflictError"},
    ErrorKind.NOT_FOUND: {"NotFound", "NotFoundError", "Gone"},
    ErrorKind.PERMISSION: {"PermissionDenied", "AuthError"},
    ErrorKind.LOCKED: {"LockedError", "Locked"},
    ErrorKind.INVALID: {"Refused", "ValidationError", "AwardValidationError", "MissingFieldsError", "Invalid", "InvalidError",
                        "CouncilActionError", "CouncilError", "AwardError", "DossierError", "ScoringError",
                        "DecisionError", "ReportInputError", "StatisticsError", "RestoreError", "CampaignExists",
                        "DemoExists", "UnusableFile", "FormSetError", "ServerSetupError", "ExcelError", "CertificateError", "ReportError", "LayoutError", "DocumentRenderError",
                        "PackageExportError", "PackageError", "ConversionError", "SigningError",
                        "DatabaseError", "PasswordRequired", "ServiceError"},
}


class Refused(Exception):
    """A refusal the window itself finds before calling a service ("choose a row first"): shown
    like invalid input."""


class Gone(LookupError):
    """A record the window was showing is no longer there: shown as not found."""


def refuse(parent: QWidget | None, message: str) -> None:
    """Show the window's own refusal the one way invalid input is shown."""
    show_error(parent, Refused(message))


def error_kind(exc: BaseException) -> ErrorKind:
    names = {cls.__name__ for cls in type(exc).__mro__}
    for kind in (ErrorKind.CANCELLED, ErrorKind.CONFLICT, ErrorKind.NOT_FOUND, ErrorKind.PERMISSION,
                 ErrorKind.LOCKED, ErrorKind.INVALID):
        if names & _KIND_BY_NAME[kind]:
            return kind
    if "OperationalError" in names and "locked" in str(exc).lower():
        return ErrorKind.LOCKED  # SQLite "database is locked" after busy_timeout (pitfalls #4)
    if isinstance(exc, PermissionError) or "FileInUseError" in names:
        return ErrorKind.LOCKED  # a file open in Word or held by antivirus (pitfalls #11)
    if isinstance(exc, OSError):
        return ErrorKind.INVALID  # a folder that does not exist, a full disk: the message says which
    return ErrorKind.UNEXPECTED


def problems_of(exc: BaseException) -> list[tuple[str, str]]:
    """Per-field problems (field, Vietnamese message) of an invalid-input error, if it has any."""
    problems = getattr(exc, "problems", None)
    if problems:
        return [(str(f), str(m)) for f, m in problems]
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict) and errors:
        return [(str(f), str(m)) for f, m in errors.items()]
    return []


def take_problems(exc: BaseException, show: Callable[[dict[str, str]], None]) -> bool:
    """For a `failure=` callback of a form: invalid input with per-field problems goes to
    `show({field: message})` (next to the fields) and counts as shown; anything else does not."""
    problems = dict(problems_of(exc))
    if not problems:
        return False
    show(problems)
    return True


_TITLES = {
    ErrorKind.INVALID: tr("Không thực hiện được"),
    ErrorKind.NOT_FOUND: tr("Không tìm thấy"),
    ErrorKind.PERMISSION: tr("Không đủ quyền"),
    ErrorKind.LOCKED: tr("Đang bị khóa"),
    ErrorKind.UNEXPECTED: tr("Lỗi không mong đợi"),
}


def error_text(exc: BaseException) -> str:
    """What the user reads for an error: its Vietnamese message, with the per-field problems of
    invalid input one per line."""
    kind = error_kind(exc)
    names = {c.__name__ for c in type(exc).__mro__}
    problems = problems_of(exc)
    if kind is ErrorKind.UNEXPECTED:
        return (tr("Đã xảy ra lỗi không mong đợi; chi tiết đã được ghi vào tệp nhật ký.") + "\n"
                + f"{type(exc).__name__}: {exc}")
    if problems:
        return tr("Chưa lưu được:") + "\n" + "\n".join(f"• {msg}" for _f, msg in problems)
    if kind is ErrorKind.LOCKED and isinstance(exc, PermissionError):
        return tr("Không ghi được tệp {name}: tệp đang được mở bằng chương trình khác (Word, Excel…). "
                  "Hãy đóng tệp rồi thử lại.").format(name=getattr(exc, "filename", None) or "")
    if kind is ErrorKind.LOCKED and "OperationalError" in names:
        return tr("Cơ sở dữ liệu đang bận (một máy khác đang ghi). Hãy thử lại sau ít phút.")
    if kind is ErrorKind.CONFLICT and "StaleDataError" in names:
        return CONFLICT_TEXT
    return str(exc)


class _Keep:
    def __repr__(self) -> str:
        return "ops.KEEP"


#: `reload=KEEP`: the editor keeps what the user typed (the dossier page's report sections, a form
#: that stays open), so a conflict offers no reload: a warning says what differs, nothing reloads.
KEEP: Any = _Keep()


def show_error(parent: QWidget | None, exc: BaseException, trace: str = "", *,
               labels: dict[str, str] | None = None, reload: Callable[[], None] | None = None) -> ErrorKind:
    """Show an error the one way for its kind; returns the kind.

    * invalid, not found, permission denied, locked: a warning titled by the kind, with the
      message (and invalid input's per-field problems, one a line);
    * conflict ("Xung đột khi lưu"), the one rule (docs/architecture.md 5.1): when the error
      carries what you typed and what is stored (services.errors.Conflict mine/theirs) and a
      reload is offered, the conflict box lists what differs and asks whether to reload (`reload`
      runs on "Tải lại"); with `reload=KEEP` (the editor keeps the user's text) a warning says the
      message and what differs, and nothing reloads; a conflict without mine/theirs is a warning
      with the message, then `reload` runs;
    * cancelled: nothing (the user asked for it);
    * unexpected: a critical box; the traceback goes to the log file.
    """
    kind = error_kind(exc)
    if kind is ErrorKind.CANCELLED:
        return kind
    if kind is ErrorKind.UNEXPECTED:
        log.error("unexpected error in an operation: %s\n%s", exc, trace)
        if unexpected_hook is not None and unexpected_hook(exc, trace):
            return kind
        QMessageBox.critical(parent, _TITLES[kind], error_text(exc))
        return kind
    if kind is ErrorKind.CONFLICT:
        offered = reload if reload is not KEEP else None
        if getattr(exc, "mine", None) is not None and hasattr(exc, "theirs") and reload is not KEEP:
            if conflict.show_conflict(parent, exc, labels) and offered is not None:
                offered()
            return kind
        QMessageBox.warning(parent, tr("Xung đột khi lưu"), conflict.conflict_text(error_text(exc), exc, labels))
        if offered is not None:
            offered()
        return kind
    QMessageBox.warning(parent, _TITLES[kind], error_text(exc))
    return kind


# ---------------------------------------------------------------------------------------- ops

_running: set[Op] = set()

#: Set by `bdhvs-desktop --smoke-test` (gui/app.py): takes an unexpected error instead of a
#: dialog, which would block the test. Returns True when it has dealt with it.
unexpected_hook: Callable[[BaseException, str], bool] | None = None


def idle() -> bool:
    """No operation is running (tests wait for this: `qtbot.waitUntil(ops.idle)`)."""
    return not _running


def running() -> int:
    return len(_running)


@dataclass(eq=False)
class Op:
    """One service call started from the window; see the module docstring. Built by `run`."""

    ctx: Any
    parent: QWidget | None
    fn: Callable[..., Any]
    changes: Changes | Callable[[Any], Changes] = NOTHING
    success: Callable[[Any], None] | None = None
    failure: Callable[[BaseException], bool] | None = None
    finished: Callable[[], None] | None = None
    title: str = ""
    progress: bool = False
    cancellable: bool = False
    show_progress: bool = True
    labels: dict[str, str] | None = None
    reload: Callable[[], None] | None = None
    task: Task | None = field(default=None, init=False)
    dialog: QProgressDialog | None = field(default=None, init=False)
    started: float = field(default=0.0, init=False)
    db: Any = None  # when there is no ctx (a dialog given only the database)
    succeeded: bool | None = field(default=None, init=False)  # None while running
    result: Any = field(default=None, init=False)  # what the call returned, once it succeeded
    _loop: QEventLoop | None = field(default=None, init=False)
    _last_progress: tuple[int, int, str] | None = field(default=None, init=False)

    def start(self) -> Op:
        db = self.ctx.db if self.ctx is not None else self.db
        fn, with_progress = self.fn, self.progress
        self.task = Task(lambda report, cancelled: fn(db, report, cancelled) if with_progress else fn(db))
        self.task.signals.finished.connect(self._done)
        self.task.signals.failed.connect(self._failed)
        if self.show_progress and self.parent is not None:
            self.task.signals.progress.connect(self._progress)
            QTimer.singleShot(PROGRESS_DELAY_MS, self._show_dialog)
        _running.add(self)
        self.started = time.perf_counter()
        QThreadPool.globalInstance().start(self.task)
        return self

    def wait(self) -> bool:
        """For a caller that needs the outcome: wait in a local event loop (the window keeps
        painting and answering, as during a dialog's exec()) until the operation has landed and its
        callbacks have run. True when it succeeded."""
        if self.succeeded is None:
            self._loop = QEventLoop()
            self._loop.exec()
            self._loop = None
        return bool(self.succeeded)

    @property
    def cancel_event(self):
        """The event the call's `cancelled()` reads (gui/worker.py: Task)."""
        return self.task.cancel_event

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel_event.set()

    def _alive(self) -> bool:
        if self.parent is None:
            return True
        return isValid(self.parent)

    def _show_dialog(self) -> None:
        if self not in _running or self.dialog is not None or not self._alive():
            return
        dialog = QProgressDialog(self.title or tr("Đang xử lý…"), tr("Hủy") if self.cancellable else "", 0, 0,
                                 self.parent)
        dialog.setWindowTitle(self.title or tr("Đang xử lý…"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self.cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        dialog.show()
        if self._last_progress is not None:
            self._progress(*self._last_progress)

    def _progress(self, done: int, total: int, message: str) -> None:
        self._last_progress = (done, total, message)  # shown when the dialog appears
        dialog = self.dialog  # setValue() of a modal progress dialog processes events: the op may end meanwhile
        if dialog is None:
            return
        if message:
            dialog.setLabelText(message)
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)

    def _end(self) -> bool:
        _running.discard(self)
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        return self._alive()

    def _finally(self, alive: bool) -> None:
        if self.finished is not None and alive:
            self.finished()
        if self._loop is not None:
            self._loop.quit()  # wait() returns once this slot is done

    def _done(self, result: Any) -> None:
        self.succeeded, self.result = True, result
        alive = self._end()
        try:
            changes = self.changes(result) if callable(self.changes) else self.changes
            publish = getattr(self.ctx, "publish", None)
            if changes and publish is not None:
                publish(changes)
            if alive and self.success is not None:
                self.success(result)
        finally:
            self._finally(alive)

    def _failed(self, exc: BaseException, trace: str) -> None:
        self.succeeded = False
        alive = self._end()
        try:
            if not alive:
                log.warning("operation failed after its window closed: %s", exc)
            elif self.failure is None or not self.failure(exc):
                self._show(exc, trace)
        finally:
            self._finally(alive)

    def _show(self, exc: BaseException, trace: str) -> None:
        # What the screen shows may be out of date: without a `reload` of its own, the op lets the
        # pages showing the record reload (publishes its changes). An op that would reload nothing
        # (a form given only the database, which stays open with what was typed) keeps the user's
        # text: a conflict is then said with what differs, no reload question (see show_error).
        changes = self.changes if isinstance(self.changes, Changes) else NOTHING
        publish = getattr(self.ctx, "publish", None)
        pages_reload = self.reload is None and bool(changes) and publish is not None
        reload = self.reload if self.reload is not None or pages_reload else KEEP
        kind = show_error(self.parent, exc, trace, labels=self.labels, reload=reload)
        if kind in (ErrorKind.CONFLICT, ErrorKind.NOT_FOUND) and pages_reload:
            publish(changes)


def run(owner, fn: Callable[..., Any], *, changes: Changes | Callable[[Any], Changes] = NOTHING,
        success: Callable[[Any], None] | None = None, failure: Callable[[BaseException], bool] | None = None,
        finished: Callable[[], None] | None = None, title: str = "", progress: bool = False,
        cancellable: bool = False, show_progress: bool = True, labels: dict[str, str] | None = None,
        reload: Callable[[], None] | None = None, ctx=None, db=None) -> Op:
    """Run `fn(db)` (or `fn(db, progress, cancelled)` with `progress=True`) off the GUI thread for
    `owner` (a page or dialog with `.ctx`, or pass `ctx=`); see the module docstring.

    A dialog without a context passes `ctx=None, db=...`: then nothing is published (its page
    publishes when the dialog is accepted). `failure(exc)` may take an error first and return True when it has shown it; `finished()`
    runs after success or failure (re-enable buttons); `labels` name the fields in a conflict;
    `reload` reloads the editor after a conflict if the user asks (`KEEP`: it keeps the user's text)."""
    if ctx is None and db is None:
        ctx = owner.ctx
    op = Op(ctx, owner, fn, changes or NOTHING, success, failure, finished, title, progress, cancellable,
            show_progress, labels, reload)
    op.db = db
    return op.start()
