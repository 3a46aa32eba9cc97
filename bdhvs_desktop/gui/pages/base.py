"""The base of every page of the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.changes import EVERYTHING, Change, Changes


class Page(QWidget):
    """A page reloads from the database in refresh(). It declares what it shows in
    `depends_on` (a set of services.changes.Change); a published change set that touches it
    reloads the page if it is visible, or marks it stale so it reloads when next shown. A change
    it does not show does nothing."""

    title = ""
    depends_on: frozenset[Change] = EVERYTHING.kinds  # override with what the page shows

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        self.loads = 0  # how many loads the page started (tests check what does not reload it)
        self._load_seq = 0
        ctx.data_changed.connect(self._on_data_changed)

    def refresh(self) -> None:  # override
        """Reload what the page shows from the database."""

    def load(self, fn, show, failure=None) -> None:
        """Read `fn(db)` as an operation (gui/ops.py) and `show(result)` when it lands; when
        loads overlap, only the newest one is shown. `failure(exc)` may take an error first (the
        page says it on its own line) and return True when it has shown it."""
        from bdhvs_desktop.gui import ops  # lazy: not needed for the first paint

        self.loads += 1
        self._load_seq += 1
        seq = self._load_seq

        def landed(result) -> None:
            if seq == self._load_seq:
                show(result)

        ops.run(self, fn, success=landed, failure=failure, show_progress=False)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def _on_data_changed(self, changes: Changes | str) -> None:
        if not Changes.parse(changes).touches(self.depends_on):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True


class PlaceholderPage(Page):
    """Shown for an area whose module is not installed."""

    depends_on = frozenset()

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = title
        layout = QVBoxLayout(self)
        label = QLabel(tr("<h2>{title}</h2><p>Khu vực này chưa có trong bản cài đặt này.</p>").format(title=title))
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addStretch(1)
