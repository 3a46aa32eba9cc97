"""Nhân sự: everyone on record, searchable without diacritics, sorted and filtered in the model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
)

from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.people_model import PeopleTableModel
from bdhvs_desktop.services.records import list_people, list_units


class PeoplePage(Page):
    title = tr("Nhân sự")

    def __init__(self, ctx, parent=None):  # noqa: ANN001
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
        self.model = PeopleTableModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
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

    def refresh(self) -> None:
        units = list_units(self.ctx.db)
        current = self.unit_filter.currentData()
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem(tr("Tất cả đơn vị"), None)
        self._children: dict[int, list[int]] = {}
        for u in units:
            self.unit_filter.addItem(f"{u.name} ({u.code})", u.id)
            if u.parent_id:
                self._children.setdefault(u.parent_id, []).append(u.id)
        index = self.unit_filter.findData(current)
        self.unit_filter.setCurrentIndex(max(index, 0))
        self.unit_filter.blockSignals(False)
        self.model.set_rows(list_people(self.ctx.db))
        self.apply_filter()
        if self.model.rowCount() and not self._sized:
            self._sized = True
            self.table.resizeColumnsToContents()

    def _with_descendants(self, unit_id: int) -> set[int]:
        out, stack = set(), [unit_id]
        while stack:
            uid = stack.pop()
            if uid not in out:
                out.add(uid)
                stack.extend(self._children.get(uid, []))
        return out

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
