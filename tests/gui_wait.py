"""For GUI tests: wait until the operations a page or dialog started have landed (gui/ops.py
runs service calls off the GUI thread, so a test that checks the database after an action waits
first; the checks themselves stay as they were)."""

from __future__ import annotations

from bdhvs_desktop.gui import ops


def settle(qtbot=None, timeout: int = 20000) -> None:
    """Wait (processing events) until no operation is running; without qtbot, by hand."""
    if qtbot is not None:
        qtbot.waitUntil(ops.idle, timeout=timeout)
        return
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout / 1000
    while not ops.idle():
        if time.monotonic() > end:
            raise TimeoutError("operations still running")
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()
