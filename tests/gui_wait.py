"""For GUI tests: wait until the operations a page or dialog started have landed (gui/ops.py
runs service calls off the GUI thread, so a test that checks the database after an action waits
first; the checks themselves stay as they were)."""

from __future__ import annotations

from bdhvs_desktop.gui import ops


def settle(qtbot, timeout: int = 20000) -> None:
    qtbot.waitUntil(ops.idle, timeout=timeout)
