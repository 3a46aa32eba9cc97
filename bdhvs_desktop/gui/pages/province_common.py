"""What the province office's pages share: the table view they use, the ward scope as every list
shows it, and opening a ward's document (read from the stored package, checked, written to a
temporary file and handed to the system's viewer)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from bdhvs_desktop.gui.forms import RowsModel
from bdhvs_desktop.gui.i18n import tr


def scope(ward_name: str, ward_code: str) -> str:
    """The ward scope of a row: "Phường Bình Minh (BM)"."""
    return f"{ward_name} ({ward_code})"


def vn_date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        return f"{day:%d/%m/%Y %H:%M}"
    return f"{day:%d/%m/%Y}"


def table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Qt's header starts descending
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)  # one line a row, long text elided (the tooltip and the detail show it all)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def fit_columns(view: QTableView, cap: int = 260) -> None:
    """Columns as wide as their contents, none wider than *cap* pixels (long text is elided and
    shown whole in the tooltip), so every column of the row stays in view."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for column in range(header.count()):
        if header.sectionSize(column) > cap:
            header.resizeSection(column, cap)


def selected_row(view: QTableView, model: RowsModel):
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return model.row_at(rows[0].row()) if rows else None


def package_status(signer: str | None, trusted: bool) -> str:
    """A package is intact once imported (any changed byte is refused); then signed, trusted."""
    parts = [tr("Nguyên vẹn")]
    parts.append(tr("đã ký số") if signer else tr("chưa ký số"))
    if signer:
        parts.append(tr("chứng thư tin cậy") if trusted else tr("chưa xác minh người ký"))
    return " · ".join(parts)


def save_for_viewer(ward_code: str, member: str, data: bytes) -> Path:
    """Write a document's bytes where the system's viewer can open it."""
    folder = Path(tempfile.mkdtemp(prefix=f"bdhvs-{ward_code}-"))
    path = folder / Path(member).name
    path.write_bytes(data)
    return path


def open_file(path: Path) -> bool:
    """Hand a file to the system's viewer (Word, a PDF reader); tests replace this."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
