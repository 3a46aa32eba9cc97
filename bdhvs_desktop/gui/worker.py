"""Long work off the GUI thread: a function runs in Qt's thread pool, reports progress, can
be cancelled, and hands its result (or exception) back on the GUI thread.

`Task` is the machinery under `gui/ops.py`, which pages and dialogs use for every service call
(errors shown by kind, change sets published). `run_in_background` is the older, bare helper,
kept for code that has not moved to ops yet."""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from bdhvs_desktop.gui.i18n import tr


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object, str)


_tasks_lock = threading.Lock()
_tasks_active = 0


def _collector_paused(starting: bool) -> None:
    """The cyclic garbage collector stays off while any task runs (docs/pitfalls.md #16).

    A collection runs in whichever thread happens to allocate: the GUI thread collecting the cyclic
    garbage of a task's lxml trees (openpyxl, python-docx) while that pool thread parses with the
    same per-thread libxml2 dictionary crashed the process (a segmentation fault in CI, main thread
    "Garbage-collecting", pool thread inside openpyxl's stylesheet reader). With the collector off
    during tasks, garbage is collected once no task runs. Services that pause it themselves
    (scoring, status) restore what they found, so they keep it off inside a task."""
    global _tasks_active
    with _tasks_lock:
        if starting:
            _tasks_active += 1
            gc.disable()
        else:
            _tasks_active -= 1
            if _tasks_active == 0:
                gc.enable()


def tasks_active() -> int:
    return _tasks_active


class Task(QRunnable):
    """fn(progress, cancelled) -> result; progress(done, total, message); cancelled() -> bool."""

    def __init__(self, fn: Callable[..., Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.cancel_event = threading.Event()
        self.setAutoDelete(False)

    def run(self) -> None:  # runs in a pool thread
        _collector_paused(True)
        try:
            result = self.fn(self._progress, self.cancel_event.is_set)
        except BaseException as exc:  # noqa: BLE001
            _collector_paused(False)
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            _collector_paused(False)
            self.signals.finished.emit(result)

    def _progress(self, done: int, total: int, message: str = "") -> None:
        self.signals.progress.emit(int(done), int(total), message)


_running: set[Task] = set()


def run_in_background(parent: QWidget | None, title: str, fn: Callable[..., Any],
                      on_done: Callable[[Any], None], on_error: Callable[[BaseException, str], None],
                      *, cancellable: bool = True, show_dialog: bool = True) -> Task:
    task = Task(fn)
    _running.add(task)
    dialog = None
    if show_dialog:
        dialog = QProgressDialog(title, tr("Hủy") if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(task.cancel_event.set)

        def on_progress(done: int, total: int, message: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if message:
                dialog.setLabelText(message)

        task.signals.progress.connect(on_progress)

    def finish(result: Any) -> None:
        _running.discard(task)
        if dialog is not None:
            dialog.close()
        on_done(result)

    def fail(exc: BaseException, trace: str) -> None:
        _running.discard(task)
        if dialog is not None:
            dialog.close()
        on_error(exc, trace)

    task.signals.finished.connect(finish)
    task.signals.failed.connect(fail)
    QThreadPool.globalInstance().start(task)
    return task
