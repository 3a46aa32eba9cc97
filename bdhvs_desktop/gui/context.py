"""What every page shares: the open database, the as-of date, and the typed change sets that
operations publish (`services/changes.py`, `gui/ops.py`)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal

from bdhvs_desktop.services.changes import Change, Changes


class AppContext(QObject):
    data_changed = Signal(object)  # Changes: what an operation changed (pages check Page.depends_on)
    as_of_changed = Signal(object)  # datetime.date

    def __init__(self, db, parent=None, *, defer_until_painted: bool = False):
        super().__init__(parent)
        self.db = db
        self._as_of = dt.date.today()
        # Work that the first frame does not need (menus, translations of Qt's own dialogs, the
        # table's sort arrow) waits until the window has painted; gui/app.py then calls
        # first_paint_done(). Without the flag (tests, dialogs) it runs at once.
        self._after_paint: list | None = [] if defer_until_painted else None

    def after_first_paint(self, job) -> None:
        """Run `job()` once the main window has painted (at once when it already has)."""
        if self._after_paint is None:
            job()
        else:
            self._after_paint.append(job)

    def first_paint_done(self) -> None:
        jobs, self._after_paint = self._after_paint or [], None
        for job in jobs:
            job()

    @property
    def as_of(self) -> dt.date:
        return self._as_of

    def set_as_of(self, day: dt.date) -> None:
        if day != self._as_of:
            self._as_of = day
            self.as_of_changed.emit(day)
            self.data_changed.emit(Changes.of(Change.AS_OF))

    def publish(self, changes: Changes) -> None:
        """Tell the pages what an operation changed (gui/ops.py calls this after success)."""
        if changes:
            self.data_changed.emit(changes)

    def notify(self, what: str | Change | Changes = "*") -> None:
        """Older form of publish(): a key such as "people" or "*" (everything), or Changes."""
        self.publish(Changes.parse(what))
