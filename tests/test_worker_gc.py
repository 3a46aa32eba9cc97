"""The cyclic garbage collector is off while a background task runs and back on after it
(docs/pitfalls.md #16): a collection in the GUI thread must not free a running task's objects."""

from __future__ import annotations

import gc

from PySide6.QtCore import QThreadPool

from bdhvs_desktop.gui import worker


def _run(qtbot, fn):
    task = worker.Task(fn)
    outcome: list = []
    task.signals.finished.connect(lambda result: outcome.append(("ok", result)))
    task.signals.failed.connect(lambda exc, trace: outcome.append(("failed", exc)))
    QThreadPool.globalInstance().start(task)
    qtbot.waitUntil(lambda: bool(outcome), timeout=10000)
    return outcome[0]


def test_the_collector_is_off_during_a_task_and_on_after_it(qtbot):
    assert gc.isenabled()
    kind, seen = _run(qtbot, lambda progress, cancelled: (gc.isenabled(), worker.tasks_active()))
    assert (kind, seen) == ("ok", (False, 1))
    assert gc.isenabled() and worker.tasks_active() == 0


def test_a_failing_task_turns_the_collector_back_on(qtbot):
    def boom(progress, cancelled):
        assert not gc.isenabled()
        raise ValueError("hỏng")

    kind, exc = _run(qtbot, boom)
    assert kind == "failed" and isinstance(exc, ValueError)
    assert gc.isenabled() and worker.tasks_active() == 0
