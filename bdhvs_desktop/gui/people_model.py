"""The people table: a QAbstractTableModel over plain rows, sorted and filtered in the model
(a QSortFilterProxyModel takes ~2.3 s to sort 50,000 rows; this takes milliseconds,
pitfalls #6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex

from bdhvs_desktop.domain import cccd as cccd_rules
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import SEX_LABELS
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.roles import ALIGN_RIGHT_VCENTER, DISPLAY_ROLE, TEXT_ALIGNMENT_ROLE, TOOLTIP_ROLE
from bdhvs_desktop.services.records import PersonRow


def mask_cccd(cccd: str | None) -> str:
    """The one CCCD mask (domain/cccd.mask), kept under its older name for the screens."""
    return cccd_rules.mask(cccd)


def _date(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


class PeopleTableModel(QAbstractTableModel):
    COLUMNS: Sequence[tuple[str, Callable[[PersonRow], Any]]] = (
        # Vietnamese lists sort by the given name (the last word), then by the whole name.
        (tr("Họ và tên"), lambda r: (r.search_key.rsplit(" ", 1)[-1], r.search_key)),
        (tr("Ngày sinh"), lambda r: r.birth_date or dt.date.min),
        (tr("Giới tính"), lambda r: r.sex or ""),
        (tr("Số CCCD"), lambda r: r.cccd or ""),
        (tr("Đơn vị"), lambda r: fold(r.unit_name)),
        (tr("Chức vụ"), lambda r: fold(r.position)),
        (tr("Đảng viên"), lambda r: r.is_party_member),
        (tr("CBCCVC"), lambda r: r.is_public_servant),
        (tr("Thành thạo VNeID từ"), lambda r: r.vneid_proficient_on or dt.date.max),
        (tr("Hướng dẫn được"), lambda r: r.can_guide),
        (tr("Số người đã HD"), lambda r: r.people_guided),
    )

    def __init__(self, rows: Sequence[PersonRow] = (), parent=None):
        super().__init__(parent)
        self._rows: list[PersonRow] = list(rows)
        self._view: list[int] = list(range(len(self._rows)))
        self._sort: tuple[int, bool] | None = None  # (column, descending)
        self._filter: dict[str, Any] = {}
        self._key_cache: dict[int, list[int]] = {}
        self.reveal_personal = False

    # -- data
    def set_rows(self, rows: Sequence[PersonRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._key_cache = {}
        self._view = self._filtered_indices()
        self._apply_sort()
        self.endResetModel()

    def row_at(self, view_row: int) -> PersonRow:
        return self._rows[self._view[view_row]]

    def total_count(self) -> int:
        return len(self._rows)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    # No headerData() override: PySide6 would build its whole `Qt` namespace (~20 ms) to pass
    # the orientation to Python when the header first paints. The column titles reach the view
    # through header_model() instead, and the row numbers are Qt's default.
    @classmethod
    def header_labels(cls) -> list[str]:
        return [title for title, _key in cls.COLUMNS]

    def header_model(self, parent=None):
        """A model holding only the column titles, for the table's horizontal header
        (`view.horizontalHeader().setModel(model.header_model())`)."""
        from PySide6.QtGui import QStandardItemModel  # lazy: start-up

        model = QStandardItemModel(0, len(self.COLUMNS), parent or self)
        model.setHorizontalHeaderLabels(self.header_labels())
        return model

    def data(self, index: QModelIndex, role: int = DISPLAY_ROLE):
        if not index.isValid():
            return None
        row = self._rows[self._view[index.row()]]
        col = index.column()
        if role == DISPLAY_ROLE:
            return self._display(row, col)
        if role == TOOLTIP_ROLE and col == 8 and row.vneid_verified_by:
            return tr("Xác nhận bởi: ") + row.vneid_verified_by
        if role == TEXT_ALIGNMENT_ROLE and col in (1, 10):
            return ALIGN_RIGHT_VCENTER
        return None

    def display_text(self, view_row: int, col: int) -> str:
        """What the cell shows (data() for the display role, without a QModelIndex)."""
        return self._display(self._rows[self._view[view_row]], col)

    def _display(self, row: PersonRow, col: int) -> str:
        if col == 0:
            return row.full_name
        if col == 1:
            if row.birth_date is None:
                return ""
            return _date(row.birth_date) if self.reveal_personal else f"••/••/{row.birth_date.year}"
        if col == 2:
            return SEX_LABELS.get(row.sex, "") if row.sex else ""
        if col == 3:
            return (row.cccd or "") if self.reveal_personal else mask_cccd(row.cccd)
        if col == 4:
            return row.unit_name or ""
        if col == 5:
            return row.position or ""
        if col == 6:
            return tr("Có") if row.is_party_member else ""
        if col == 7:
            return tr("Có") if row.is_public_servant else ""
        if col == 8:
            return _date(row.vneid_proficient_on)
        if col == 9:
            return tr("Có") if row.can_guide else ""
        if col == 10:
            return str(row.people_guided or 0)
        return ""

    def set_reveal_personal(self, reveal: bool) -> None:
        self.reveal_personal = reveal
        if self._view:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._view) - 1, 3))

    # -- sorting and filtering, in the model
    def sort(self, column: int, order=None) -> None:
        """Qt's sort (order: a Qt.SortOrder; None means ascending)."""
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order is not None and getattr(order, "value", order) == 1)  # 1: DescendingOrder
        self._apply_sort()
        self.layoutChanged.emit()

    def set_initial_sort(self, column: int, descending: bool = False) -> None:
        """The order rows take from the next set_rows(), without Qt's SortOrder (for the
        first paint; the view's sort arrow is set afterwards)."""
        self._sort = (column, descending)

    def sort_state(self) -> tuple[int, bool] | None:
        """(column, descending) of the current order, or None when unsorted."""
        return self._sort

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, descending = self._sort
        full = self._sorted_order(column)
        if len(self._view) == len(self._rows):
            view = list(full)
        else:
            shown = bytearray(len(self._rows))
            for i in self._view:
                shown[i] = 1
            view = [i for i in full if shown[i]]
        if descending:
            view.reverse()
        self._view = view

    def _sorted_order(self, column: int) -> list[int]:
        """All rows in the order of `column`, computed once per set_rows and column; sorting
        a (filtered) view is then a linear pass."""
        order = self._key_cache.get(column)
        if order is None:
            key = self.COLUMNS[column][1]
            keys = [key(r) for r in self._rows]
            order = sorted(range(len(keys)), key=keys.__getitem__)
            self._key_cache[column] = order
        return order

    def set_filter(self, *, text: str = "", unit_ids: set[int] | None = None, party_only: bool = False,
                   vneid: str = "all", as_of: dt.date | None = None) -> None:
        """vneid: all | proficient | not_proficient (as of `as_of`, default today)."""
        self._filter = {"text": fold(text).strip(), "unit_ids": unit_ids, "party_only": party_only,
                        "vneid": vneid, "as_of": as_of or dt.date.today()}
        self.beginResetModel()
        self._view = self._filtered_indices()
        self._apply_sort()
        self.endResetModel()

    def _filtered_indices(self) -> list[int]:
        f = self._filter
        if not f or (not f["text"] and f["unit_ids"] is None and not f["party_only"] and f["vneid"] == "all"):
            return list(range(len(self._rows)))
        text, unit_ids, party_only, vneid, as_of = f["text"], f["unit_ids"], f["party_only"], f["vneid"], f["as_of"]
        digits = text.replace(" ", "") if text.replace(" ", "").isdigit() else None
        out = []
        for i, r in enumerate(self._rows):
            if text:
                if digits is not None:
                    if not (r.cccd and digits in r.cccd):
                        continue
                elif text not in r.search_key:
                    continue
            if unit_ids is not None and r.unit_id not in unit_ids:
                continue
            if party_only and not r.is_party_member:
                continue
            if vneid != "all":
                ok = r.vneid_proficient_on is not None and r.vneid_proficient_on <= as_of
                if (vneid == "proficient") != ok:
                    continue
            out.append(i)
        return out
