"""The "Nhập từ Excel…" wizard: choose a file → preview with every problem highlighted in its
cell → confirm → progress → summary. Nothing is written before the confirmation, and then
the import is all or nothing (services/importer.py). Also the "Xuất Excel…" action."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.changes import EVERYTHING, NOTHING

ERROR_BG = QColor("#f8d7da")
WARNING_BG = QColor("#fff3cd")


class PreviewModel(QAbstractTableModel):
    """The rows of one sheet as read, with the problems of each cell (and row) highlighted."""

    def __init__(self, sheet, problems, parent=None):
        super().__init__(parent)
        self.headers = list(sheet.spec.headers)
        self.positions = sheet.positions
        self.rows = sheet.rows
        self.row_index = {row: i for i, (row, _v) in enumerate(self.rows)}
        self.cell_problems: dict[tuple[int, int], list[Any]] = {}
        self.row_problems: dict[int, list[Any]] = {}
        key_by_header = {c.header: c.key for c in sheet.spec.columns}
        self.col_of_key = {c.key: i for i, c in enumerate(sheet.spec.columns)}
        for p in problems:
            if p.row is None:
                continue
            key = key_by_header.get(p.column)
            if key is not None:
                self.cell_problems.setdefault((p.row, self.col_of_key[key]), []).append(p)
            else:
                self.row_problems.setdefault(p.row, []).append(p)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.headers):
                return self.headers[section]
            return None
        if not 0 <= section < len(self.rows):
            return None
        row = self.rows[section][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return tr("Dòng {n}").format(n=row)
        if role == Qt.ItemDataRole.BackgroundRole and row in self.row_problems:
            return QBrush(ERROR_BG if any(p.level == "error" for p in self.row_problems[row]) else WARNING_BG)
        if role == Qt.ItemDataRole.ToolTipRole and row in self.row_problems:
            return "\n".join(p.message for p in self.row_problems[row])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, values = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            key = next((k for k, c in self.col_of_key.items() if c == col), None)
            pos = self.positions.get(key) if key else None
            if pos is None or pos >= len(values) or values[pos] is None:
                return ""
            value = values[pos]
            if isinstance(value, dt.datetime):
                value = value.date() if value.time() == dt.time() else value
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return f"{value:%d/%m/%Y}"
            text = str(value)
            return text if len(text) <= 200 else text[:199] + "…"
        problems = self.cell_problems.get((row, col)) or self.row_problems.get(row)
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return QBrush(ERROR_BG if any(p.level == "error" for p in problems) else WARNING_BG)
        if role == Qt.ItemDataRole.ToolTipRole and problems:
            return "\n".join(p.message for p in problems)
        return None

    def view_row_of(self, excel_row: int) -> int | None:
        return self.row_index.get(excel_row)


class ImportWizard(QDialog):
    PAGE_FILE, PAGE_PREVIEW, PAGE_SUMMARY = range(3)

    def __init__(self, ctx, parent=None, path: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.analysis = None
        self.result = None
        self.setWindowTitle(tr("Nhập số liệu từ Excel"))
        self.resize(1000, 680)
        layout = QVBoxLayout(self)
        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.steps)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self._build_file_page()
        self._build_preview_page()
        self._build_summary_page()
        buttons = QHBoxLayout()
        self.back_button = QPushButton(tr("‹ Quay lại"))
        self.next_button = QPushButton(tr("Kiểm tra tệp ›"))
        self.close_button = QPushButton(tr("Hủy"))
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(lambda: self.go(self.PAGE_FILE))
        self.next_button.clicked.connect(self.next_step)
        self.close_button.clicked.connect(self.reject)
        if path:
            self.path_edit.setText(path)
        self.go(self.PAGE_FILE)

    # -- pages
    def _build_file_page(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        intro = QLabel(tr(
            "<p>Chọn tệp Excel (.xlsx) theo mẫu nhập liệu. Chương trình đọc và kiểm tra toàn bộ tệp, cho xem "
            "trước mọi lỗi và cảnh báo; <b>chưa ghi gì</b> cho đến khi bạn bấm \"Nhập vào cơ sở dữ liệu\".</p>"
            "<p>Có lỗi thì không ghi dòng nào. Nhập lại cùng một tệp không làm thay đổi dữ liệu.</p>"))
        intro.setWordWrap(True)
        v.addWidget(intro)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(tr("Đường dẫn tệp .xlsx"))
        browse = QPushButton(tr("Chọn tệp…"))
        browse.clicked.connect(self.browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        v.addLayout(row)
        self.file_error = QLabel()
        self.file_error.setStyleSheet("color: #b00020;")
        self.file_error.setWordWrap(True)
        v.addWidget(self.file_error)
        template = QPushButton(tr("Tạo tệp mẫu trống…"))
        template.clicked.connect(self.save_template)
        t_row = QHBoxLayout()
        t_row.addWidget(template)
        t_row.addStretch(1)
        v.addLayout(t_row)
        v.addStretch(1)
        self.stack.addWidget(page)

    def _build_preview_page(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.preview_status = QLabel()
        self.preview_status.setWordWrap(True)
        v.addWidget(self.preview_status)
        self.tabs = QTabWidget()
        v.addWidget(self.tabs, 3)
        legend = QLabel(tr("Ô tô đỏ: lỗi (phải sửa trong tệp). Ô tô vàng: cảnh báo (vẫn nhập được). "
                           "Rê chuột lên ô để xem giải thích; bấm một dòng trong danh sách dưới để tới ô đó."))
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555;")
        v.addWidget(legend)
        self.problem_table = QTableWidget(0, 5)
        self.problem_table.setHorizontalHeaderLabels([tr("Mức"), tr("Trang"), tr("Dòng"), tr("Cột"), tr("Giải thích")])
        self.problem_table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.problem_table.verticalHeader().hide()
        self.problem_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problem_table.setWordWrap(True)
        self.problem_table.cellClicked.connect(self.jump_to_problem)
        v.addWidget(self.problem_table, 2)
        self.stack.addWidget(page)

    def _build_summary_page(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        v.addWidget(self.summary)
        v.addStretch(1)
        self.stack.addWidget(page)

    def go(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        names = [tr("1. Chọn tệp"), tr("2. Xem trước và kiểm tra"), tr("3. Nhập và kết quả")]
        self.steps.setText("  ›  ".join(f"<b>{n}</b>" if i == page else f"<span style='color:#777'>{n}</span>"
                                        for i, n in enumerate(names)))
        self.back_button.setVisible(page == self.PAGE_PREVIEW)
        if page == self.PAGE_FILE:
            self.next_button.setText(tr("Kiểm tra tệp ›"))
            self.next_button.setEnabled(True)
            self.close_button.setText(tr("Hủy"))
        elif page == self.PAGE_PREVIEW:
            ok = self.analysis is not None and not self.analysis.errors and self.analysis.changes > 0
            self.next_button.setText(tr("Nhập vào cơ sở dữ liệu"))
            self.next_button.setEnabled(ok)
            self.close_button.setText(tr("Hủy"))
        else:
            self.next_button.setVisible(False)
            self.close_button.setText(tr("Đóng"))

    def next_step(self) -> None:
        if self.stack.currentIndex() == self.PAGE_FILE:
            self.analyse()
        elif self.stack.currentIndex() == self.PAGE_PREVIEW:
            self.confirm_and_import()

    # -- actions
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Chọn tệp Excel"), self.path_edit.text(),
                                              tr("Sổ làm việc Excel (*.xlsx)"))
        if path:
            self.path_edit.setText(path)

    def save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Lưu tệp mẫu"), "mau-nhap-lieu.xlsx",
                                              tr("Sổ làm việc Excel (*.xlsx)"))
        if not path:
            return
        from bdhvs_desktop.services.exporter import write_template

        ops.run(self, lambda _db: write_template(path), title=tr("Đang ghi tệp mẫu"),
                success=lambda _r: QMessageBox.information(self, tr("Đã tạo tệp mẫu"),
                                                           tr("Đã lưu tệp mẫu: {p}").format(p=path)))

    def analyse(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            self.file_error.setText(tr("Hãy chọn một tệp .xlsx."))
            return
        self.file_error.setText("")
        from bdhvs_desktop.services.importer import analyse_workbook

        as_of = dt.date.today()
        self.next_button.setEnabled(False)

        def work(db, progress, cancelled):
            return analyse_workbook(db, path, progress=progress, cancelled=cancelled, today=as_of)

        self.task = ops.run(self, work, progress=True, cancellable=True, title=tr("Đang đọc và kiểm tra tệp…"),
                            success=self.show_analysis, failure=self._analysis_failed)

    def _analysis_failed(self, exc: BaseException) -> bool:
        """A file that cannot be used is said next to the file name; anything else is shown the one
        way for its kind (gui/ops.py)."""
        self.next_button.setEnabled(True)
        if ops.error_kind(exc) is ops.ErrorKind.UNEXPECTED:
            self.file_error.setText(tr("Không đọc được tệp: {e}").format(e=exc))
            return False
        self.file_error.setText(str(exc))
        return True

    def show_analysis(self, result) -> None:
        self.next_button.setEnabled(True)
        if result.cancelled:
            self.file_error.setText(tr("Đã hủy việc đọc tệp."))
            return
        self.analysis = result
        lines = "<br>".join(result.summary_lines())
        color = "#b00020" if result.errors else "#1b5e20"
        self.preview_status.setText(f"<b style='color:{color}'>{result.status_line()}</b><br>{lines}")
        self.tabs.clear()
        self.models: dict[str, PreviewModel] = {}
        self.views: dict[str, QTableView] = {}
        if result.data is not None:
            for name, sheet in result.data.sheets.items():
                model = PreviewModel(sheet, [p for p in result.problems if p.sheet == name], self)
                view = QTableView()
                view.setModel(model)
                view.setAlternatingRowColors(False)
                view.verticalHeader().setDefaultSectionSize(22)
                view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
                view.resizeColumnsToContents()
                for c in range(model.columnCount()):
                    view.setColumnWidth(c, min(max(view.columnWidth(c), 70), 260))
                n_err = sum(1 for p in result.errors if p.sheet == name)
                n_warn = sum(1 for p in result.warnings if p.sheet == name)
                label = name + (tr(" ({n} lỗi)").format(n=n_err) if n_err else "") + (
                    tr(" ({n} cảnh báo)").format(n=n_warn) if n_warn and not n_err else "")
                self.tabs.addTab(view, label)
                self.models[name], self.views[name] = model, view
        problems = result.errors + result.warnings
        first = next((p.sheet for p in problems if p.sheet in self.views), None)
        if first is not None:
            self.tabs.setCurrentWidget(self.views[first])  # open where the first problem is
        self.problem_table.setRowCount(len(problems))
        for i, p in enumerate(problems):
            level = QTableWidgetItem(tr("Lỗi") if p.level == "error" else tr("Cảnh báo"))
            level.setBackground(QBrush(ERROR_BG if p.level == "error" else WARNING_BG))
            cells = [level, QTableWidgetItem(p.sheet or ""), QTableWidgetItem(str(p.row or "")),
                     QTableWidgetItem(p.column or ""), QTableWidgetItem(p.message)]
            for c, item in enumerate(cells):
                self.problem_table.setItem(i, c, item)
        self.problem_table.resizeColumnsToContents()
        self.problem_table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.problem_table.resizeRowsToContents()
        self.go(self.PAGE_PREVIEW)

    def jump_to_problem(self, row: int, _col: int) -> None:
        problems = self.analysis.errors + self.analysis.warnings
        p = problems[row]
        if p.sheet not in self.models:
            return
        self.tabs.setCurrentWidget(self.views[p.sheet])
        model = self.models[p.sheet]
        view_row = model.view_row_of(p.row) if p.row else None
        if view_row is None:
            return
        col = 0
        for c, h in enumerate(model.headers):
            if h == p.column:
                col = c
        index = model.index(view_row, col)
        self.views[p.sheet].setCurrentIndex(index)
        self.views[p.sheet].scrollTo(index)

    def confirm_and_import(self) -> None:
        result = self.analysis
        answer = QMessageBox.question(
            self, tr("Xác nhận nhập"),
            tr("Ghi {n} bản ghi mới hoặc cập nhật vào cơ sở dữ liệu?").format(n=result.changes)
            + ("\n" + tr("Có {w} cảnh báo; các dòng đó vẫn được nhập.").format(w=len(result.warnings))
               if result.warnings else ""))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.run_import()

    def run_import(self) -> None:
        from bdhvs_desktop.services.importer import import_previewed

        # the rows previewed, re-checked against the database: never the file read again (it may
        # have been saved in Excel since)
        preview, as_of = self.analysis, dt.date.today()
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)

        def work(db, progress, cancelled):
            return import_previewed(db, preview, progress=progress, cancelled=cancelled, today=as_of)

        # A workbook may hold every kind of record: what it wrote is published as everything.
        self.task = ops.run(self, work, progress=True, cancellable=True, title=tr("Đang nhập số liệu…"),
                            changes=lambda result: EVERYTHING if result.written and result.changes else NOTHING,
                            success=self.show_summary, failure=self._import_failed)

    def _import_failed(self, exc: BaseException) -> bool:
        """Nothing was written: the summary page says why (an unexpected error is also shown the
        one way, with its log)."""
        self.back_button.setEnabled(True)
        self.summary.setText(tr("<h3>Không nhập được</h3><p>{e}</p><p>Không có gì được ghi vào cơ sở dữ liệu.</p>")
                             .format(e=exc))
        self.go(self.PAGE_SUMMARY)
        return ops.error_kind(exc) is not ops.ErrorKind.UNEXPECTED

    def show_summary(self, result) -> None:
        self.result = result
        self.back_button.setEnabled(True)
        title = tr("Đã nhập xong") if result.written else tr("Chưa nhập")
        lines = "".join(f"<li>{line}</li>" for line in result.summary_lines())
        extra = ""
        if result.errors:
            items = "".join(f"<li>{p.text()}</li>" for p in result.errors[:20])
            extra = tr("<p>Dữ liệu đã thay đổi kể từ lúc xem trước:</p><ul>{items}</ul>").format(items=items)
        elif result.warnings:
            items = "".join(f"<li>{p.text()}</li>" for p in result.warnings[:30])
            more = len(result.warnings) - 30
            extra = tr("<p>Cảnh báo (đã nhập):</p><ul>{items}</ul>").format(items=items) + (
                tr("<p>… và {n} cảnh báo khác.</p>").format(n=more) if more > 0 else "")
        self.summary.setText(f"<h3>{title}</h3><p><b>{result.status_line()}</b></p><ul>{lines}</ul>{extra}"
                             f"<p style='color:#555'>{tr('Tệp')}: {Path(result.path).name}</p>")
        self.go(self.PAGE_SUMMARY)


# --------------------------------------------------------------------------- export



def confirm_personal_data(parent: QWidget | None) -> bool:
    """Exports with CCCD and birth dates say so and ask once per session (the shared question
    of gui/personal_data.py, so every export of the program asks the same way, once)."""
    from bdhvs_desktop.gui.personal_data import confirm_personal_export

    return confirm_personal_export(parent, tr("danh sách có số CCCD và ngày sinh"))


def export_to_excel(parent: QWidget, ctx, kind: str, default_name: str, *, path: str | None = None,
                    on_done=None, **filters) -> None:
    """Ask for a file (unless given) and write `kind` in the import layout in the background."""
    from bdhvs_desktop.services import exporter

    if kind in exporter.PERSONAL_KINDS and not confirm_personal_data(parent):
        return
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, tr("Xuất Excel"), default_name, tr("Sổ làm việc Excel (*.xlsx)"))
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"


    def done(counts) -> None:
        if on_done is not None:
            on_done(path, counts)
            return
        QMessageBox.information(parent, tr("Đã xuất"), tr("Đã xuất {n} dòng ra tệp:\n{p}").format(
            n=sum(counts.values()), p=path))

    ops.run(parent, lambda db: exporter.export(db, kind, path, **filters), ctx=ctx, success=done,
            title=tr("Đang xuất Excel…"))
