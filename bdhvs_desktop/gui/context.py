"""What every page shares: the open database, the as-of date, and change notifications."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal


class AppContext(QObject):
    data_changed = Signal(str)  # what changed: "people", "units", "activities", "*", ...
    as_of_changed = Signal(object)  # datetime.date

    def __init__(self, db, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.db = db
        self._as_of = dt.date.today()

    @property
    def as_of(self) -> dt.date:
        return self._as_of

    def set_as_of(self, day: dt.date) -> None:
        if day != self._as_of:
            self._as_of = day
            self.as_of_changed.emit(day)

    def notify(self, what: str = "*") -> None:
        self.data_changed.emit(what)
