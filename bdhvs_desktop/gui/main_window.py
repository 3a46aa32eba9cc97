"""The main window: navigation on the left, one page per area, a status bar saying which
database is open and which phase the campaign is in today."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget, QWidget

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages import PAGES, page_class
from bdhvs_desktop.gui.pages.base import Page, PlaceholderPage
from bdhvs_desktop.gui.roles import USER_ROLE
from bdhvs_desktop.services.changes import Change, Changes


def app_settings() -> QSettings:
    from bdhvs_desktop.paths import user_data_dir

    return QSettings(str(user_data_dir() / "settings.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, *, initial_page: str = "people"):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(tr("Bình dân học vụ số — Quản lý thi đua cấp phường"))
        self.nav = QListWidget()
        self.nav.setFixedWidth(180)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        self._specs = {key: (title, spec) for key, title, spec in PAGES}
        self._keys = [key for key, _t, _s in PAGES]
        for key, title, _spec in PAGES:
            item = QListWidgetItem(title)
            item.setData(USER_ROLE, key)
            item.setSizeHint(QSize(0, 34))  # the list's own width: no horizontal scroll bar
            self.nav.addItem(item)
            self.stack.addWidget(QLabel())  # replaced by the page on first visit
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.show_index)
        self.db_label = QLabel()
        self.phase_label = QLabel()
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.phase_label)
        ctx.data_changed.connect(self._on_changes)
        # The phase needs the full database layer; the app fills it in after the first paint.
        self.db_label.setText(tr("Cơ sở dữ liệu: ") + self.ctx.db.display_name)
        self.phase_label.setText(tr("Đang tải…"))
        if getattr(ctx.db, "loaded", True):
            self.update_status()
        # The Tệp menu's title is in the first frame; its actions follow the first paint.
        self.file_menu = self.menuBar().addMenu(tr("&Tệp"))
        ctx.after_first_paint(self.build_file_menu)
        ctx.after_first_paint(self.add_office_pages)
        self.restore_geometry()
        self.nav.setCurrentRow(self._keys.index(initial_page) if initial_page in self._keys else 0)

    # -- pages are built on first visit, so start-up only pays for the first one
    def page(self, key: str) -> Page:
        if key not in self.pages:
            title, spec = self._specs[key]
            cls = page_class(spec)
            page = cls(self.ctx) if cls is not None else PlaceholderPage(self.ctx, title)
            index = self._keys.index(key)
            old = self.stack.widget(index)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(index, page)
            self.pages[key] = page
        return self.pages[key]

    def add_office_pages(self) -> None:
        """A province office's database gets the province's pages (after the first paint: knowing
        the office needs the full database layer)."""
        from bdhvs_desktop.gui.pages import PROVINCE_PAGES
        from bdhvs_desktop.services.office import is_province_office

        # Synchronous: one setting by its key (office.level), after the first paint.
        if not is_province_office(self.ctx.db) or "province_wards" in self._specs:
            return
        self.setWindowTitle(tr("Bình dân học vụ số — Văn phòng thi đua cấp tỉnh"))
        for key, title, spec in PROVINCE_PAGES:
            self._specs[key] = (title, spec)
            self._keys.append(key)
            item = QListWidgetItem(title)
            item.setData(USER_ROLE, key)
            item.setSizeHint(QSize(0, 34))
            self.nav.addItem(item)
            self.stack.addWidget(QLabel())

    def show_index(self, index: int) -> None:
        if index < 0:
            return
        page = self.page(self._keys[index])
        self.stack.setCurrentWidget(page)

    def show_page(self, key: str) -> Page:
        self.nav.setCurrentRow(self._keys.index(key))
        return self.pages[key]

    #: The status bar shows the database and today's phase of the campaign: only that reloads it.
    STATUS_DEPENDS_ON = frozenset({Change.CAMPAIGN})

    def _on_changes(self, changes) -> None:
        if Changes.parse(changes).touches(self.STATUS_DEPENDS_ON):
            self.update_status()

    def update_status(self) -> None:
        # Synchronous: the campaign row and its phases (0.7 ms on the demo ward, the same on any ward).
        from bdhvs_desktop.services.campaign import campaign_info, phase_at

        self.db_label.setText(tr("Cơ sở dữ liệu: ") + self.ctx.db.display_name)
        info = campaign_info(self.ctx.db)
        today = dt.date.today()
        if info is None:
            self.phase_label.setText(tr("Chưa có phong trào"))
            return
        phase = phase_at(info.phases, today)
        if phase is not None:
            text = tr("Hôm nay {d}: giai đoạn {n} — {name}").format(d=f"{today:%d/%m/%Y}", n=phase.number, name=phase.name)
        elif today < info.start:
            text = tr("Phong trào chưa bắt đầu (từ {d})").format(d=f"{info.start:%d/%m/%Y}")
        else:
            text = tr("Phong trào đã kết thúc ({d})").format(d=f"{info.end:%d/%m/%Y}")
        self.phase_label.setText(text)

    # -- geometry remembered between sessions
    def restore_geometry(self) -> None:
        settings = app_settings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = settings.value("main_window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_geometry(self) -> None:
        settings = app_settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        settings.sync()

    def build_file_menu(self) -> None:
        """Tệp: Sao lưu ngay, Khôi phục…, Kiểm tra cơ sở dữ liệu, Thoát (gui/safety_actions.py)."""
        from bdhvs_desktop.gui.safety_actions import install_file_menu

        install_file_menu(self)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.save_geometry()
        from bdhvs_desktop.gui.safety_actions import on_close

        on_close(self)  # the automatic backup when data changed
        super().closeEvent(event)
