"""Nhân sự: everyone on record, searchable without diacritics, sorted and filtered in the model."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.people_model import PeopleTableModel
from bdhvs_desktop.services.changes import Change
from bdhvs_desktop.services.records import list_people, list_units


class PeoplePage(Page):
    title = tr("Nhân sự")
    depends_on = frozenset({Change.PEOPLE, Change.UNITS})

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Tìm theo tên (gõ có dấu hoặc không dấu) hoặc số CCCD…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.unit_filter = QComboBox()
        self.unit_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_filter.setMinimumContentsLength(14)
        self.party_only = QCheckBox(tr("Chỉ đảng viên"))
        self.vneid_filter = QComboBox()
        self.vneid_filter.addItem(tr("VNeID: tất cả"), "all")
        self.vneid_filter.addItem(tr("Đã thành thạo VNeID"), "proficient")
        self.vneid_filter.addItem(tr("Chưa thành thạo VNeID"), "not_proficient")
        self.reveal = QCheckBox(tr("Hiện CCCD và ngày sinh"))
        bar.addWidget(self.search, 3)
        bar.addWidget(self.unit_filter, 2)
        layout.addLayout(bar)
        bar2 = QHBoxLayout()
        bar2.addWidget(self.vneid_filter)
        bar2.addWidget(self.party_only)
        bar2.addWidget(self.reveal)
        bar2.addStretch(1)
        layout.addLayout(bar2)
        actions = QHBoxLayout()
        self.add_button = QPushButton(tr("Thêm…"))
        self.add_button.setToolTip(tr("Thêm một người"))
        self.edit_button = QPushButton(tr("Sửa…"))
        self.vneid_button = QPushButton(tr("Thành thạo VNeID…"))
        self.vneid_button.setToolTip(tr("Ghi nhận những người đang chọn thành thạo VNeID từ một ngày, do ai xác nhận"))
        self.history_button = QPushButton(tr("Lịch sử…"))
        self.history_button.setToolTip(tr("Ai đã sửa gì, khi nào, giá trị cũ và mới của người đang chọn"))
        self.awards_button = QPushButton(tr("Khen thưởng…"))
        self.awards_button.setToolTip(tr("Quá trình khen thưởng của người đang chọn (sổ theo dõi khen thưởng)"))
        self.import_button = QPushButton(tr("Nhập từ Excel…"))
        self.export_button = QPushButton(tr("Xuất Excel…"))
        self.export_button.setToolTip(tr("Xuất những người đang hiển thị (theo bộ lọc) theo mẫu nhập liệu"))
        for b in (self.add_button, self.edit_button, self.vneid_button, self.history_button, self.awards_button):
            actions.addWidget(b)
        actions.addStretch(1)
        # Excel buttons sit at the end of the search row, so the page fits a 1024-pixel screen.
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)
        layout.addLayout(actions)
        self.model = PeopleTableModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setModel(self.model.header_model(self))
        # Sorted by name from the first frame; the header's sort arrow (which needs Qt's
        # SortOrder enum, see gui/roles.py) comes right after the first paint.
        self.model.set_initial_sort(0)
        ctx.after_first_paint(self._enable_sorting)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Column widths from the header and the first rows only: measuring all 50,000 rows
        # would take seconds.
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self._sized = False
        layout.addWidget(self.table)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.search.textChanged.connect(self.apply_filter)
        self.unit_filter.currentIndexChanged.connect(self.apply_filter)
        self.party_only.toggled.connect(self.apply_filter)
        self.vneid_filter.currentIndexChanged.connect(self.apply_filter)
        self.reveal.toggled.connect(self.model.set_reveal_personal)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.model.modelReset.connect(self._update_actions)
        self.add_button.clicked.connect(self.add_person)
        self.edit_button.clicked.connect(self.edit_selected)
        self.history_button.clicked.connect(self.show_history)
        self.awards_button.clicked.connect(self.show_awards)
        self.vneid_button.clicked.connect(self.mark_vneid)
        self.import_button.clicked.connect(self.open_import)
        self.export_button.clicked.connect(self.export_shown)
        self._units = []
        self._update_actions()

    def _enable_sorting(self) -> None:
        from PySide6.QtCore import Qt  # lazy: start-up

        column, descending = self.model.sort_state() or (0, False)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.table.setSortingEnabled(True)  # sorts by the indicator: the order already shown

    def refresh(self) -> None:
        # Synchronous on purpose: the first frame shows this table before SQLAlchemy loads (start-up
        # rule, docs/architecture.md section 8; storage/lazy.py reads it through sqlite3). ~10 ms on
        # the demo ward, ~150 ms for 30,000 people: the one read kept on the GUI thread.
        units = list_units(self.ctx.db)
        self._units = units
        current = self.unit_filter.currentData()
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem(tr("Tất cả đơn vị"), None)
        for u in units:
            self.unit_filter.addItem(f"{u.name} ({u.code})", u.id)
        self._children = unit_tree.children_of((u.id, u.parent_id) for u in units)
        index = self.unit_filter.findData(current)
        self.unit_filter.setCurrentIndex(max(index, 0))
        self.unit_filter.blockSignals(False)
        self.model.set_rows(list_people(self.ctx.db))
        self.apply_filter()
        if self.model.rowCount() and not self._sized:
            self._sized = True
            self._size_columns()

    def _size_columns(self) -> None:
        """Column widths from the header and the first rows' text (cheaper than Qt's
        resizeColumnsToContents, which asks the model for every cell's size hint)."""
        advance = self.table.fontMetrics().horizontalAdvance
        header_advance = self.table.horizontalHeader().fontMetrics().horizontalAdvance
        sample = range(min(self.model.rowCount(), 30))  # about a screenful
        for col, title in enumerate(self.model.header_labels()):
            texts = {self.model.display_text(r, col) for r in sample}
            width = max([header_advance(title) + 28] + [advance(t) + 16 for t in texts])
            self.table.setColumnWidth(col, min(width, 320))

    def _with_descendants(self, unit_id: int) -> set[int]:
        return set(unit_tree.descendants(self._children, unit_id))

    def apply_filter(self) -> None:
        unit_id = self.unit_filter.currentData()
        self.model.set_filter(
            text=self.search.text(),
            unit_ids=self._with_descendants(unit_id) if unit_id else None,
            party_only=self.party_only.isChecked(),
            vneid=self.vneid_filter.currentData() or "all",
            as_of=self.ctx.as_of,
        )
        self.count.setText(tr("Hiển thị {shown} / {total} người").format(
            shown=self.model.rowCount(), total=self.model.total_count()))

    # -- editing
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r).id for r in rows]

    def _update_actions(self) -> None:
        n = len(self.selected_ids()) if self.table.selectionModel() else 0
        self.edit_button.setEnabled(n == 1)
        self.history_button.setEnabled(n == 1)
        self.awards_button.setEnabled(n == 1)
        self.vneid_button.setEnabled(n >= 1)
        self.vneid_button.setText(tr("Thành thạo VNeID ({n})…").format(n=n) if n > 1 else tr("Thành thạo VNeID…"))

    def add_person(self) -> None:
        from bdhvs_desktop.gui.person_dialog import PersonDialog  # lazy: start-up

        PersonDialog(self.ctx, self._units, None, self, default_unit_id=self.unit_filter.currentData()).exec()

    def edit_selected(self) -> None:
        from bdhvs_desktop.gui.person_dialog import PersonDialog  # lazy: start-up

        ids = self.selected_ids()
        if len(ids) != 1:
            return
        try:
            dialog = PersonDialog(self.ctx, self._units, ids[0], self)
        except LookupError as exc:  # deleted on another workstation since the list was read
            from bdhvs_desktop.gui import ops  # lazy: start-up

            ops.show_error(self, ops.Gone(str(exc)))
            return
        dialog.exec()

    def show_history(self) -> None:
        from bdhvs_desktop.gui.history_dialog import HistoryDialog  # lazy: start-up

        ids = self.selected_ids()
        if len(ids) == 1:
            HistoryDialog(self.ctx, "person", ids[0], parent=self).exec()

    def show_awards(self) -> None:
        from bdhvs_desktop.gui.awards_dialog import AwardHistoryDialog  # lazy: start-up

        ids = self.selected_ids()
        if len(ids) == 1:
            AwardHistoryDialog(self.ctx, "person", ids[0], self.model.row_at(
                self.table.selectionModel().selectedRows()[0].row()).full_name, self).exec()

    def mark_vneid(self) -> None:
        from bdhvs_desktop.gui.person_dialog import BulkVneidDialog  # lazy: start-up

        ids = self.selected_ids()
        if not ids:
            return
        dialog = BulkVneidDialog(self.ctx, ids, self)
        if dialog.exec() and dialog.result_info is not None:
            r = dialog.result_info
            self.count.setText(tr("Đã ghi nhận VNeID cho {c} người ({u} người không cần thay đổi).").format(
                c=r.changed, u=r.unchanged))

    def open_import(self) -> None:
        from bdhvs_desktop.gui.import_wizard import ImportWizard  # lazy: start-up

        ImportWizard(self.ctx, self).exec()

    def export_shown(self) -> None:
        from bdhvs_desktop.gui.import_wizard import export_to_excel  # lazy: start-up

        ids = {self.model.row_at(i).id for i in range(self.model.rowCount())}
        filters = {} if len(ids) == self.model.total_count() else {"person_ids": ids}
        export_to_excel(self, self.ctx, "people", "nhan-su.xlsx", **filters)
