"""Hoạt động: the list of activities with add/edit/delete, and the week-by-week grid of guidance
sessions per residential group (weeks with and without a session)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.dates import week_label
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.vocab import ACTIVITY_KIND_LABELS, SKILL_LABELS, ActivityKind
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import (
    FormDialog,
    RowsModel,
    add_or_update,
    confirm,
    date_edit,
    report_error,
    to_date,
    to_qdate,
    vn,
)
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services import activities as act
from bdhvs_desktop.services.campaign import campaign_info
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.week_grid import week_grid

LIST_LIMIT = 5_000  # newest first; the filters narrow it down


def unit_combo(units: list[act.UnitChoice], *, allow_none: str | None = None, only=None) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if allow_none is not None:
        combo.addItem(allow_none, None)
    for u in units:
        if only is None or only(u):
            combo.addItem(f"{u.name} ({u.code})", u.id)
    combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    combo.completer().setCompletionMode(combo.completer().CompletionMode.PopupCompletion)
    return combo


def select_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)


class PersonPicker(QWidget):
    """Type part of a name, pick the person from the matches."""

    def __init__(self, db, person_id: int | None = None, current_name: str = "", parent=None):
        super().__init__(parent)
        self.db = db
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("gõ một phần họ tên để tìm"))
        self.combo = QComboBox()
        self.combo.setMinimumWidth(260)
        layout.addWidget(self.search, 1)
        layout.addWidget(self.combo, 2)
        self.search.textChanged.connect(self._find)
        self.combo.addItem(tr("(không chọn)"), None)
        if person_id is not None:
            self.combo.addItem(current_name or str(person_id), person_id)
            self.combo.setCurrentIndex(1)

    def _find(self, text: str) -> None:
        current = self.combo.currentData()
        self._seq = getattr(self, "_seq", 0) + 1
        seq = self._seq
        self.combo.clear()
        self.combo.addItem(tr("(không chọn)"), None)
        if len(text.strip()) < 2:
            return

        def found(people) -> None:  # the answer to the newest search only
            if seq != self._seq:
                return
            for p in people:
                self.combo.addItem(f"{p.full_name} — {p.unit_name}" if p.unit_name else p.full_name, p.id)
            select_data(self.combo, current)

        # A name search over every person of the ward: an operation (the typing stays fluid).
        ops.run(self, lambda db: act.person_choices(db, text, limit=100), db=self.db, success=found,
                show_progress=False)
        if self.combo.count() > 1 and self.combo.currentIndex() == 0:
            self.combo.setCurrentIndex(1)

    def value(self) -> int | None:
        return self.combo.currentData()


class ActivityDialog(FormDialog):
    def __init__(self, db, units: list[act.UnitChoice], row: act.ActivityRow | None = None,
                 default_day: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(tr("Sửa hoạt động") if row else tr("Thêm hoạt động"), parent)
        self.setMinimumWidth(620)
        self.db = db
        self.row = row
        self.day = date_edit(row.date if row else default_day)
        self.form.addRow(tr("Ngày tổ chức"), self.day)
        self.kind = QComboBox()
        for kind in ActivityKind:
            self.kind.addItem(ACTIVITY_KIND_LABELS[kind], kind.value)
        select_data(self.kind, row.kind if row else ActivityKind.GUIDANCE.value)
        self.form.addRow(tr("Loại hoạt động"), self.kind)
        self.unit = unit_combo(units, allow_none=tr("(không ghi đơn vị)"))
        select_data(self.unit, row.unit_id if row else None)
        self.form.addRow(tr("Đơn vị tổ chức"), self.unit)
        self.content = QPlainTextEdit(row.content if row else "")
        self.content.setFixedHeight(70)
        self.form.addRow(tr("Nội dung"), self.content)
        skills = QWidget()
        grid = QGridLayout(skills)
        grid.setContentsMargins(0, 0, 0, 0)
        self.skill_boxes: dict[int, QCheckBox] = {}
        for i, (n, label) in enumerate(SKILL_LABELS.items()):
            box = QCheckBox(f"({n}) {label}")
            box.setChecked(bool(row) and n in row.skills)
            grid.addWidget(box, i, 0)
            self.skill_boxes[n] = box
        self.form.addRow(tr("Kỹ năng số"), skills)
        self.participants = QSpinBox()
        self.participants.setRange(0, act.MAX_PARTICIPANTS)
        self.participants.setValue(row.participants if row else 0)
        self.form.addRow(tr("Số người tham gia"), self.participants)
        self.host = PersonPicker(db, row.host_person_id if row else None, row.host_name if row else "")
        self.form.addRow(tr("Người chủ trì / hướng dẫn"), self.host)

    def save(self):
        data = act.ActivityInput(
            date=to_date(self.day.date()), kind=self.kind.currentData(), unit_id=self.unit.currentData(),
            content=self.content.toPlainText(), skills=[n for n, b in self.skill_boxes.items() if b.isChecked()],
            participants=self.participants.value(), host_person_id=self.host.value())
        return add_or_update(self.row, data, act.add_activity, act.update_activity)


class WeekGridWidget(QWidget):
    """Residential groups down, ISO weeks across: green with the number of sessions, red for a
    finished week with none, grey for weeks not over yet."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Từ ngày")))
        self.start = date_edit(dt.date(2026, 4, 1))
        top.addWidget(self.start)
        top.addWidget(QLabel(tr("Loại buổi")))
        self.kinds = QComboBox()
        self.kinds.addItem(tr("Hướng dẫn trực tiếp"), ["guidance"])
        self.kinds.addItem(tr("Hướng dẫn trực tiếp và lớp học"), ["guidance", "class"])
        top.addWidget(self.kinds)
        top.addStretch(1)
        legend = QLabel(tr("<span style='background:#c8e6c9'>&nbsp;số buổi&nbsp;</span> có buổi hướng dẫn &nbsp; "
                           "<span style='background:#ffcdd2'>&nbsp;0&nbsp;</span> tuần không có buổi nào &nbsp; "
                           "<span style='background:#eceff1'>&nbsp;&nbsp;&nbsp;</span> tuần chưa kết thúc"))
        top.addWidget(legend)
        layout.addLayout(top)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setDefaultSectionSize(44)
        self.table.horizontalHeader().setMinimumSectionSize(30)
        layout.addWidget(self.table, 1)
        self.start.dateChanged.connect(lambda _d: self.refresh())
        self.kinds.currentIndexChanged.connect(lambda _i: self.refresh())

    def set_default_start(self, day: dt.date) -> None:
        self.start.blockSignals(True)
        self.start.setDate(to_qdate(day))
        self.start.blockSignals(False)

    def refresh(self) -> None:
        as_of = self.ctx.as_of
        start = to_date(self.start.date())
        end = max(as_of, start)
        # Synchronous: sessions counted per group and week in SQL (12 ms on the demo ward).
        grid = week_grid(self.ctx.db, start, end, self.kinds.currentData())
        # A week counts once it is over (Sunday included) and lies wholly after the start date.
        required = [monday + dt.timedelta(days=6) <= as_of and monday >= start for monday in grid.mondays]
        rows = []
        for unit_id, _code, name in grid.units:
            counts = grid.counts[unit_id]
            missing = sum(1 for n, req in zip(counts, required) if req and not n)
            rows.append((missing, name, counts))
        rows.sort(key=lambda r: (-r[0], r[1]))  # the groups with most weeks missing first
        self.table.clear()
        self.table.setRowCount(len(rows))
        self.table.setColumnCount(len(grid.mondays) + 1)
        headers = [tr("Tuần\nthiếu")] + [f"{m.isocalendar()[1]:02d}\n{m:%d/%m}" for m in grid.mondays]
        self.table.setHorizontalHeaderLabels(headers)
        self.table.horizontalHeaderItem(0).setToolTip(tr("Số tuần đã kết thúc mà không có buổi nào"))
        for col, monday in enumerate(grid.mondays, start=1):
            self.table.horizontalHeaderItem(col).setToolTip(week_label(monday))
        self.table.setVerticalHeaderLabels([name for _, name, _ in rows])
        for row, (missing, name, counts) in enumerate(rows):
            first = QTableWidgetItem(str(missing))
            first.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if missing:
                first.setForeground(QColor("#c62828"))
                font = first.font()
                font.setBold(True)
                first.setFont(font)
            self.table.setItem(row, 0, first)
            for col, monday in enumerate(grid.mondays):
                n = counts[col]
                finished = monday + dt.timedelta(days=6) <= as_of
                item = QTableWidgetItem(str(n) if n or finished else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if n:
                    item.setBackground(QColor("#c8e6c9"))
                elif required[col]:
                    item.setBackground(QColor("#ffcdd2"))
                else:
                    item.setBackground(QColor("#eceff1"))
                item.setToolTip(f"{name}\n{week_label(monday)}: " + tr("{n} buổi").format(n=n))
                self.table.setItem(row, col + 1, item)
        self.table.resizeRowsToContents()
        total_missing = sum(r[0] for r in rows)
        groups_missing = sum(1 for r in rows if r[0])
        self.summary.setText(
            tr("{g} tổ dân phố, {w} tuần từ {s} đến {e}: {m} tổ có tuần không có buổi nào ({t} tuần thiếu).").format(
                g=len(rows), w=len(grid.mondays), s=vn(start), e=vn(end), m=groups_missing, t=total_missing)
            if rows else tr("Chưa có tổ dân phố nào."))


class ActivitiesPage(Page):
    depends_on = frozenset({Change.ACTIVITIES, Change.UNITS, Change.PEOPLE, Change.CAMPAIGN, Change.AS_OF})
    title = tr("Hoạt động")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.units: list[act.UnitChoice] = []
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs)
        # list tab
        page = QWidget()
        layout = QVBoxLayout(page)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("Loại")))
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(tr("Tất cả"), None)
        for kind in ActivityKind:
            self.kind_filter.addItem(ACTIVITY_KIND_LABELS[kind], kind.value)
        filters.addWidget(self.kind_filter)
        filters.addWidget(QLabel(tr("Đơn vị")))
        self.unit_filter = QComboBox()
        self.unit_filter.setMinimumWidth(240)
        filters.addWidget(self.unit_filter, 1)
        filters.addWidget(QLabel(tr("Từ")))
        self.from_date = date_edit(dt.date(2025, 12, 1))
        filters.addWidget(self.from_date)
        filters.addWidget(QLabel(tr("đến")))
        self.to_date = date_edit(ctx.as_of)
        filters.addWidget(self.to_date)
        layout.addLayout(filters)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        self.model = RowsModel([
            (tr("Ngày"), lambda r: vn(r.date), lambda r: (r.date, r.id), False),
            (tr("Loại"), lambda r: r.kind_label, lambda r: r.kind_label, False),
            (tr("Đơn vị"), lambda r: r.unit_name, lambda r: r.unit_name, False),
            (tr("Nội dung"), lambda r: r.content, lambda r: r.content, False),
            (tr("Kỹ năng"), lambda r: r.skills_label, lambda r: r.skills, False),
            (tr("Số người"), lambda r: str(r.participants), lambda r: r.participants, True),
            (tr("Người chủ trì"), lambda r: r.host_name, lambda r: r.host_name, False),
        ])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Fixed widths: sizing columns to their contents measures every row (slow on thousands).
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 90), (1, 140), (2, 230), (4, 90), (5, 70), (6, 170)):
            header.resizeSection(col, width)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for text, slot in ((tr("Thêm hoạt động…"), self.add), (tr("Sửa…"), self.edit), (tr("Xóa"), self.remove)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.tabs.addTab(page, tr("Danh sách hoạt động"))
        self.grid = WeekGridWidget(ctx)
        self.tabs.addTab(self.grid, tr("Hướng dẫn theo tuần ở tổ dân phố"))
        self.tabs.currentChanged.connect(lambda _i: self._refresh_tab())
        self.kind_filter.currentIndexChanged.connect(lambda _i: self._load_list())
        self.unit_filter.currentIndexChanged.connect(lambda _i: self._load_list())
        self.from_date.dateChanged.connect(lambda _d: self._load_list())
        self.to_date.dateChanged.connect(lambda _d: self._load_list())
        self._phase2_start: dt.date | None = None

    def refresh(self) -> None:
        # Synchronous: the unit list and one campaign row; the week grid counts sessions per group and
        # week in SQL (12 ms on the demo ward). The activity list itself loads as an operation.
        self.units = act.unit_choices(self.ctx.db)
        current = self.unit_filter.currentData()
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem(tr("Tất cả đơn vị"), None)
        for u in self.units:
            self.unit_filter.addItem(f"{u.name} ({u.code})", u.id)
        select_data(self.unit_filter, current)
        self.unit_filter.blockSignals(False)
        self.to_date.blockSignals(True)
        self.to_date.setDate(to_qdate(self.ctx.as_of))
        self.to_date.blockSignals(False)
        if self._phase2_start is None:
            # Synchronous: the one campaign row and its phases, once per page (0.5 ms on the demo ward,
            # 1.2 ms on a ward of 30,000 people); None, not an error, without a campaign.
            info = campaign_info(self.ctx.db)
            phase2 = next((p for p in info.phases if p.number == 2), None) if info else None
            if phase2 is not None:
                self._phase2_start = phase2.start
                self.grid.set_default_start(phase2.start)
        self._load_list()
        self.grid.refresh()

    def _refresh_tab(self) -> None:
        if self.tabs.currentIndex() == 1:
            self.grid.refresh()

    def _load_list(self) -> None:
        # Up to LIST_LIMIT rows (5,000): an operation; the newest filter's answer is the one shown.
        query = dict(kind=self.kind_filter.currentData(), unit_id=self.unit_filter.currentData(),
                     start=to_date(self.from_date.date()), end=to_date(self.to_date.date()), limit=LIST_LIMIT + 1)
        self.load(lambda db: act.list_activities(db, **query), self._show_list)

    def _show_list(self, rows: list) -> None:
        more = len(rows) > LIST_LIMIT
        self.model.set_rows(rows[:LIST_LIMIT])
        total_people = sum(r.participants for r in rows[:LIST_LIMIT])
        text = tr("{n} hoạt động, {p} lượt người tham gia.").format(n=vn_number(min(len(rows), LIST_LIMIT)),
                                                                    p=vn_number(total_people))
        if more:
            text = tr("Hiện {n} hoạt động mới nhất (còn nữa; thu hẹp bộ lọc theo loại, đơn vị hoặc ngày để xem hết), "
                      "{p} lượt người tham gia.").format(n=vn_number(LIST_LIMIT), p=vn_number(total_people))
        self.count_label.setText(text)

    def _current(self) -> act.ActivityRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def add(self) -> None:
        if ActivityDialog(self.ctx.db, self.units, None, self.ctx.as_of, self).exec():
            self.ctx.publish(Changes.of(Change.ACTIVITIES))

    def edit(self) -> None:
        row = self._current()
        if row is None:
            report_error(self, ValueError(tr("Chọn một hoạt động trong danh sách trước.")))
            return
        if ActivityDialog(self.ctx.db, self.units, row, parent=self).exec():
            self.ctx.publish(Changes.of(Change.ACTIVITIES))

    def remove(self) -> None:
        row = self._current()
        if row is None:
            report_error(self, ValueError(tr("Chọn một hoạt động trong danh sách trước.")))
            return
        if not confirm(self, tr("Xóa hoạt động"), tr("Xóa hoạt động “{k}” ngày {d} của {u}?").format(
                k=row.kind_label, d=vn(row.date), u=row.unit_name or tr("(không ghi đơn vị)"))):
            return
        ops.run(self, lambda db: act.delete_activity(db, row.id, version=row.version),
                changes=Changes.of(Change.ACTIVITIES), title=tr("Đang xóa hoạt động"))
