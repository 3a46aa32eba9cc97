"""Small building blocks shared by the editing pages: dates, an optional date, a table model
over plain rows (sorted in the model, pitfalls #6), a dialog that shows validation problems
in Vietnamese and stays open until the data can be saved, and the wiring every dialog repeats
(its Lưu/Hủy buttons, a read-only list of rows, a row of actions with Đóng)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.numbers import vn_measure
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr

STATUS_COLOURS = {"met": "#2e7d32", "at_risk": "#ef8f00", "missed": "#c62828", "not_due": "#8a8f98"}
STATUS_BACKGROUNDS = {"met": "#e8f5e9", "at_risk": "#fff4e0", "missed": "#fdecea", "not_due": "#f1f3f5"}


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_date(qdate: QDate) -> dt.date:
    return dt.date(qdate.year(), qdate.month(), qdate.day())


def vn(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def num(value: float | None, kind: str = "count") -> str:
    return vn_measure(value, kind)


def date_edit(day: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setDate(to_qdate(day or dt.date.today()))
    return edit


class OptionalDate(QWidget):
    """A date that may be left empty: a tick box and a date field."""

    def __init__(self, day: dt.date | None = None, label: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(label)
        self.edit = date_edit(day)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.check.toggled.connect(self.edit.setEnabled)
        self.set_value(day)

    def set_value(self, day: dt.date | None) -> None:
        self.check.setChecked(day is not None)
        self.edit.setEnabled(day is not None)
        if day is not None:
            self.edit.setDate(to_qdate(day))

    def value(self) -> dt.date | None:
        return to_date(self.edit.date()) if self.check.isChecked() else None


class RowsModel(QAbstractTableModel):
    """Columns: (header, display(row) -> str, sort key(row), right-aligned?)."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[Any], str], Callable[[Any], Any], bool]],
                 parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.background: Callable[[Any, int], str | None] | None = None
        self.tooltip: Callable[[Any, int], str | None] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        if self._sort:
            self._apply_sort(*self._sort)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self.rows[row]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[col][1](row)
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[col][3]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.background is not None:
            colour = self.background(row, col)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.tooltip is not None:
                return self.tooltip(row, col)
            text = self.columns[col][1](row)
            return text if len(text) > 40 else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort(column, order)
        self.layoutChanged.emit()

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        key = self.columns[column][2]
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)


def dialog_buttons(dialog: QDialog, ok: str = "", accept: Callable[[], None] | None = None) -> QDialogButtonBox:
    """A dialog's "Lưu" (or `ok`, e.g. "Đề nghị") and "Hủy": the first runs `accept` (the dialog's
    own accept() unless given), "Hủy" rejects the dialog."""
    first = QDialogButtonBox.StandardButton.Ok if ok else QDialogButtonBox.StandardButton.Save
    buttons = QDialogButtonBox(first | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(first).setText(ok or tr("Lưu"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
    buttons.accepted.connect(accept or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def rows_table(headers: Sequence[str], *, single: bool = True) -> QTableWidget:
    """A read-only table whose rows are chosen whole (one at a time unless `single=False`), without
    row numbers."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    return table


def actions_row(dialog: QDialog, *buttons: QWidget) -> QHBoxLayout:
    """The dialog's actions on the left, "Đóng" (accepts the dialog) on the right."""
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    close = QPushButton(tr("Đóng"))
    close.clicked.connect(dialog.accept)
    row.addWidget(close)
    return row


class FormDialog(QDialog):
    """A form whose save() may raise the services' ValidationError: the problems are listed in
    red and the dialog stays open with what the user typed."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        self.errors = QLabel()
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet("color: #c62828;")
        self.errors.hide()
        outer.addWidget(self.errors)
        buttons = dialog_buttons(self, accept=self._on_save)
        outer.addWidget(buttons)
        self.buttons = buttons
        self.result_value: Any = None

    def save(self) -> Any:  # override
        """Read the fields (on the GUI thread) and return `fn(db)`, the service call that saves
        them; it runs as an operation (gui/ops.py). Raise the services' invalid-input error here
        for a problem found without the database."""
        raise NotImplementedError

    def _on_save(self) -> None:
        try:
            call = self.save()
        except Exception as exc:  # noqa: BLE001 - shown by its kind, the dialog stays open
            if not self._refused(exc):
                ops.show_error(self, exc)
            return
        if not callable(call):  # a dialog that saved by itself
            self.result_value = call
            self.accept()
            return
        self.buttons.setEnabled(False)

        def saved(result: Any) -> None:
            self.result_value = result
            self.accept()

        ops.run(self, call, ctx=getattr(self, "ctx", None), db=getattr(self, "db", None), changes=self.changes,
                success=saved, failure=self._refused, finished=lambda: self.buttons.setEnabled(True),
                title=tr("Đang lưu…"), labels=self.labels)

    #: What saving changes (published when the dialog has a `ctx`; otherwise the page publishes).
    changes: Any = None
    #: Field labels for a conflict's "what you typed / what is stored" list.
    labels: dict[str, str] | None = None

    def _refused(self, exc: BaseException) -> bool:
        """Invalid input: the problems are listed in red under the form, which stays open."""

        if ops.error_kind(exc) is not ops.ErrorKind.INVALID:
            return False
        problems = ops.problems_of(exc)
        self.show_problems([msg for _f, msg in problems] if problems else [str(exc)])
        return True

    def show_problems(self, problems: list[str]) -> None:
        self.errors.setText(tr("Chưa lưu được:") + "\n" + "\n".join(f"• {p}" for p in problems))
        self.errors.show()


def add_or_update(row: Any, data: Any, add: Callable[..., int], update: Callable[..., Any]) -> Callable[[Any], int]:
    """For FormDialog.save(): the service call that adds `data` as a new record (`row` None) or
    updates `row` at the version it was read; either way the dialog's result is the record's id."""
    if row is None:
        return lambda db: add(db, data)

    def run(db: Any) -> int:
        update(db, row.id, data, version=row.version)
        return row.id

    return run


def confirm(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(tr("Đồng ý"), QMessageBox.ButtonRole.YesRole)
    box.addButton(tr("Không"), QMessageBox.ButtonRole.NoRole)
    box.exec()
    return box.clickedButton() is yes


def report_error(parent: QWidget, exc: Exception) -> None:
    """Show an error the one way for its kind (gui/ops.py: show_error); a plain ValueError is the
    window's own refusal ("choose a row first")."""

    if type(exc) is ValueError:
        ops.refuse(parent, str(exc))
    else:
        ops.show_error(parent, exc)
