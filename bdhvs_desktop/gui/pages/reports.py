"""Báo cáo: the progress report for the standing committee and the council's score sheet,
as PDF or Excel, generated in the background, then opened or printed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page

KINDS = [
    ("progress", tr("Báo cáo tiến độ (cho Ban Thường vụ)"),
     tr("Giai đoạn, kết quả chỉ tiêu, biểu đồ theo đơn vị, tiến độ VNeID, đơn vị chậm tiến độ, hoạt động đã tổ chức.")),
    ("scoreboard", tr("Bảng tổng hợp điểm (cho Hội đồng)"),
     tr("Các ứng viên xếp hạng theo tổng điểm, điểm từng tiêu chí, tiêu chí bắt buộc và số phiếu.")),
]
FORMATS = [(".pdf", tr("PDF (để in)")), (".xlsx", tr("Excel (.xlsx)"))]
_FILE_STEM = {"progress": "bao-cao-tien-do", "scoreboard": "bang-tong-hop-diem"}


class ReportsPage(Page):
    title = tr("Báo cáo")

    def __init__(self, ctx, parent=None):  # noqa: ANN001
        super().__init__(ctx, parent)
        self._task = None
        self.last_path: Path | None = None
        self.last_error = ""
        root = QVBoxLayout(self)
        root.addWidget(QLabel(tr("<h2>Báo cáo</h2>")))
        form = QFormLayout()
        self.kind = QComboBox()
        for code, label, _desc in KINDS:
            self.kind.addItem(label, code)
        self.kind.currentIndexChanged.connect(self._suggest_path)
        form.addRow(tr("Loại báo cáo:"), self.kind)
        self.description = QLabel()
        self.description.setWordWrap(True)
        form.addRow("", self.description)
        self.at = QDateEdit()
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("dd/MM/yyyy")
        self.at.dateChanged.connect(self._suggest_path)
        form.addRow(tr("Tính đến ngày:"), self.at)
        self.fmt = QComboBox()
        for code, label in FORMATS:
            self.fmt.addItem(label, code)
        self.fmt.currentIndexChanged.connect(self._suggest_path)
        form.addRow(tr("Định dạng:"), self.fmt)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.textEdited.connect(lambda _t: self.path.setProperty("auto", False))
        row.addWidget(self.path, 1)
        browse = QPushButton(tr("Chọn…"))
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        form.addRow(tr("Lưu vào tệp:"), row)
        root.addLayout(form)
        buttons = QHBoxLayout()
        self.generate_btn = QPushButton(tr("Tạo báo cáo"))
        self.generate_btn.setDefault(True)
        self.generate_btn.clicked.connect(self.generate)
        self.open_btn = QPushButton(tr("Mở"))
        self.open_btn.clicked.connect(self.open_report)
        self.print_btn = QPushButton(tr("In"))
        self.print_btn.clicked.connect(self.print_report)
        for b in (self.generate_btn, self.open_btn, self.print_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        root.addLayout(buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.status)
        root.addStretch(1)
        self.path.setProperty("auto", True)
        self._update_buttons()

    def refresh(self) -> None:
        day = self.ctx.as_of
        self.at.setDate(QDate(day.year, day.month, day.day))
        self._suggest_path()

    def _at(self) -> dt.date:
        q = self.at.date()
        return dt.date(q.year(), q.month(), q.day())

    def _suggest_path(self, *_args) -> None:  # noqa: ANN002
        code = self.kind.currentData()
        self.description.setText(next(d for c, _l, d in KINDS if c == code))
        if self.path.property("auto") is not False:
            from bdhvs_desktop import paths

            folder = paths.user_data_dir() / "bao-cao"
            self.path.setText(str(folder / f"{_FILE_STEM[code]}-{self._at().isoformat()}{self.fmt.currentData()}"))
            self.path.setProperty("auto", True)

    def _browse(self) -> None:
        suffix = self.fmt.currentData()
        name, _ = QFileDialog.getSaveFileName(self, tr("Lưu báo cáo"), self.path.text(),
                                              f"{self.fmt.currentText()} (*{suffix})")
        if name:
            if not name.lower().endswith(suffix):
                name += suffix
            self.path.setText(name)
            self.path.setProperty("auto", False)

    def generate(self) -> None:
        if self._task is not None:
            return
        target = Path(self.path.text().strip())
        if not self.path.text().strip():
            QMessageBox.warning(self, tr("Tạo báo cáo"), tr("Hãy chọn tệp để lưu báo cáo."))
            return
        if target.suffix.lower() != self.fmt.currentData():
            target = target.with_suffix(self.fmt.currentData())
            self.path.setText(str(target))
        kind = self.kind.currentData()
        at = self._at()
        db = self.ctx.db
        self.last_error = ""
        self.status.setText(tr("Đang tạo báo cáo…"))

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            from bdhvs_desktop.services.reports import write_report

            return write_report(db, kind, target, at, progress=progress, cancelled=cancelled)

        from bdhvs_desktop.gui.worker import run_in_background

        self._task = run_in_background(self, tr("Đang tạo báo cáo"), work, self._done, self._failed)
        self._update_buttons()

    def _done(self, result) -> None:  # noqa: ANN001
        self._task = None
        self.last_path = result.path
        self.status.setText(tr("Đã tạo báo cáo: {p}").format(p=result.path))
        self._update_buttons()

    def _failed(self, exc: BaseException, trace: str) -> None:
        self._task = None
        self.last_error = str(exc)
        self._update_buttons()
        from bdhvs_desktop.documents.pdf_reports import ReportCancelled, ReportError
        from bdhvs_desktop.services.reports import ReportInputError

        if isinstance(exc, ReportCancelled):
            self.status.setText(str(exc))
            return
        if isinstance(exc, (ReportError, ReportInputError, OSError)):
            message = str(exc)
        else:
            import logging

            logging.getLogger("bdhvs").error("report failed:\n%s", trace)
            message = tr("Lỗi không mong đợi: {e}").format(e=exc)
        self.status.setText(tr("Chưa tạo được báo cáo."))
        QMessageBox.warning(self, tr("Tạo báo cáo"), message)

    def _update_buttons(self) -> None:
        self.generate_btn.setEnabled(self._task is None)
        ok = self.last_path is not None and self.last_path.exists()
        self.open_btn.setEnabled(ok)
        self.print_btn.setEnabled(ok)

    def open_report(self) -> None:
        from bdhvs_desktop.gui.opening import open_path

        if self.last_path is not None:
            open_path(self.last_path)

    def print_report(self) -> None:
        from bdhvs_desktop.gui.opening import print_path

        if self.last_path is None:
            return
        try:
            self.status.setText(print_path(self.last_path))
        except OSError as exc:
            QMessageBox.warning(self, tr("In báo cáo"), tr("Không in được “{n}”: {e}").format(
                n=self.last_path.name, e=exc))
