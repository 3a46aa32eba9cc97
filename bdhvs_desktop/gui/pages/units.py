"""Đơn vị: the units as a tree, with their figures."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from bdhvs_desktop.domain.vocab import UNIT_KIND_LABELS, UnitKind
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services.records import UnitRow, list_units


class UnitsPage(Page):
    title = tr("Đơn vị")

    def __init__(self, ctx, parent=None):  # noqa: ANN001
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("Tên đơn vị"), tr("Mã"), tr("Loại"), tr("Tổ chức đảng"), tr("Nhân sự"),
                                   tr("Đảng viên"), tr("Số hộ"), tr("Người dân trưởng thành")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setAlternatingRowColors(True)
        layout.addWidget(self.tree)

    def refresh(self) -> None:
        units = list_units(self.ctx.db)
        self.populate(units)

    def populate(self, units: list[UnitRow]) -> None:
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for u in units:
            kind = UNIT_KIND_LABELS.get(UnitKind(u.kind), u.kind) if u.kind in UnitKind._value2member_map_ else u.kind
            item = QTreeWidgetItem([
                u.name, u.code, kind, tr("Có") if u.is_party_org else "", str(u.people), str(u.party_members),
                "" if u.households is None else str(u.households),
                "" if u.adult_residents is None else str(u.adult_residents),
            ])
            item.setData(0, Qt.ItemDataRole.UserRole, u.id)
            for col in range(4, 8):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items[u.id] = item
        for u in units:
            parent = items.get(u.parent_id) if u.parent_id else None
            (parent.addChild(items[u.id]) if parent else self.tree.addTopLevelItem(items[u.id]))
        self.tree.expandAll()
        for col in range(1, 8):
            self.tree.resizeColumnToContents(col)
        party = sum(1 for u in units if u.is_party_org)
        groups = sum(1 for u in units if u.kind == UnitKind.RESIDENTIAL_GROUP)
        self.summary.setText(
            tr("{n} đơn vị, trong đó {p} tổ chức đảng và {g} tổ dân phố.").format(n=len(units), p=party, g=groups)
            if units else tr("Chưa có đơn vị nào. Hãy tạo phường mẫu hoặc nhập dữ liệu từ tệp Excel.")
        )
