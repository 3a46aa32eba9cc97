"""Báo cáo: the progress report for the standing committee and the council's score sheet,
as PDF or Excel, generated in the background, then opened or printed; and the yearly
emulation and award statistics (Circular 02/2023/TT-BNV forms 0601-0603, due 15 December)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from bdhvs_desktop import paths
from bdhvs_desktop.domain.statistics import LayoutError
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.opening import open_path, print_path
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services.changes import Change
from bdhvs_desktop.services.reports import write_report
from bdhvs_desktop.services.statistics import StatisticsError, available_forms, write_statistics

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
    depends_on = frozenset({Change.AS_OF, Change.SETTINGS})  # the date and the statistics forms shown

    def __init__(self, ctx, parent=None):
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
        root.addWidget(self._stats_box())
        root.addStretch(1)
        self.path.setProperty("auto", True)
        self._update_buttons()

    def refresh(self) -> None:
        day = self.ctx.as_of
        self.at.setDate(QDate(day.year, day.month, day.day))
        self._suggest_path()
        self._load_stat_forms()
        if self.stats_year.property("auto") is not False:
            self.stats_year.setValue(day.year)
            self.stats_year.setProperty("auto", True)
        self._suggest_stats_path()

    # ------------------------------------------------------------------ yearly statistics

    def _stats_box(self) -> QGroupBox:
        self._stats_task = None
        self._stats_broken = False
        self.stats_last_path: Path | None = None
        self.stats_last_error = ""
        box = QGroupBox(tr("Thống kê thi đua, khen thưởng hằng năm (Thông tư 02/2023/TT-BNV, hạn nộp 15/12)"))
        form = QFormLayout(box)
        self.stats_year = QSpinBox()
        self.stats_year.setRange(1945, 2100)
        self.stats_year.setValue(dt.date.today().year)
        self.stats_year.valueChanged.connect(self._suggest_stats_path)
        self.stats_year.editingFinished.connect(lambda: self.stats_year.setProperty("auto", False))
        form.addRow(tr("Năm báo cáo:"), self.stats_year)
        self.stats_form = QComboBox()
        self.stats_form.currentIndexChanged.connect(self._suggest_stats_path)
        form.addRow(tr("Biểu:"), self.stats_form)
        self.stats_fmt = QComboBox()
        for code, label in [(".xlsx", tr("Excel (.xlsx)")), (".pdf", tr("PDF (để in)"))]:
            self.stats_fmt.addItem(label, code)
        self.stats_fmt.currentIndexChanged.connect(self._suggest_stats_path)
        form.addRow(tr("Định dạng:"), self.stats_fmt)
        row = QHBoxLayout()
        self.stats_path = QLineEdit()
        self.stats_path.setProperty("auto", True)
        self.stats_path.textEdited.connect(lambda _t: self.stats_path.setProperty("auto", False))
        row.addWidget(self.stats_path, 1)
        browse = QPushButton(tr("Chọn…"))
        browse.clicked.connect(self._browse_stats)
        row.addWidget(browse)
        form.addRow(tr("Lưu vào tệp:"), row)
        note = QLabel(tr("Khen thưởng được tính vào năm có ngày ký quyết định; phong trào được tính khi có thời gian "
                         "thực hiện trong năm. Bố cục các biểu nằm trong thư mục resources/statistics (chưa đối chiếu "
                         "với văn bản gốc của Thông tư; văn phòng sửa được)."))
        note.setWordWrap(True)
        form.addRow("", note)
        buttons = QHBoxLayout()
        self.stats_btn = QPushButton(tr("Xuất thống kê"))
        self.stats_btn.clicked.connect(self.export_statistics)
        self.stats_open_btn = QPushButton(tr("Mở"))
        self.stats_open_btn.clicked.connect(self._open_stats)
        buttons.addWidget(self.stats_btn)
        buttons.addWidget(self.stats_open_btn)
        buttons.addStretch(1)
        form.addRow("", buttons)
        self.stats_status = QLabel()
        self.stats_status.setWordWrap(True)
        self.stats_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("", self.stats_status)
        self._update_stats_buttons()
        return box

    def _load_stat_forms(self) -> None:
        if self.stats_form.count():
            return

        try:
            # Synchronous: the statistics layouts' files, read once per page (5-11 ms, not growing with
            # the ward); a broken layout is said on the page's own line below.
            forms = available_forms()
        except (LayoutError, StatisticsError) as exc:
            self.stats_status.setText(str(exc))
            self._stats_broken = True
            self._update_stats_buttons()
            return
        self._stats_broken = False
        self.stats_form.addItem(tr("Tất cả các biểu"), "all")
        for code, title in forms:
            self.stats_form.addItem(tr("Biểu {c}: {t}").format(c=code, t=title.capitalize()), code)

    def _suggest_stats_path(self, *_args) -> None:
        if self.stats_path.property("auto") is False:
            return

        code = self.stats_form.currentData() or "all"
        name = f"thong-ke-{'tat-ca' if code == 'all' else code}-{self.stats_year.value()}{self.stats_fmt.currentData()}"
        self.stats_path.setText(str(paths.user_data_dir() / "bao-cao" / name))
        self.stats_path.setProperty("auto", True)

    def _browse_stats(self) -> None:
        suffix = self.stats_fmt.currentData()
        name, _ = QFileDialog.getSaveFileName(self, tr("Lưu thống kê"), self.stats_path.text(),
                                              f"{self.stats_fmt.currentText()} (*{suffix})")
        if name:
            if not name.lower().endswith(suffix):
                name += suffix
            self.stats_path.setText(name)
            self.stats_path.setProperty("auto", False)

    def export_statistics(self) -> None:
        if self._stats_task is not None:
            return
        if not self.stats_path.text().strip():
            ops.refuse(self, tr("Hãy chọn tệp để lưu thống kê."))
            return
        target = Path(self.stats_path.text().strip())
        if target.suffix.lower() != self.stats_fmt.currentData():
            target = target.with_suffix(self.stats_fmt.currentData())
            self.stats_path.setText(str(target))
        year = self.stats_year.value()
        form = self.stats_form.currentData() or "all"
        sign_date = self.ctx.as_of
        self.stats_last_error = ""
        self.stats_status.setText(tr("Đang xuất thống kê…"))

        def work(db, progress, cancelled):
            return write_statistics(db, year, form, target, sign_date=sign_date, progress=progress,
                                    cancelled=cancelled)

        self._stats_task = ops.run(self, work, progress=True, cancellable=True, title=tr("Đang xuất thống kê"),
                                   success=self._stats_done, failure=self._stats_failed,
                                   finished=self._stats_ended)
        self._update_stats_buttons()

    def _stats_ended(self) -> None:
        self._stats_task = None
        self._update_stats_buttons()

    def _stats_done(self, result) -> None:
        self.stats_last_path = result.path
        lines = [tr("Đã xuất thống kê năm {y}: {p}").format(y=result.report.year, p=result.path)]
        for table in result.report.tables:
            total = next((v[0] for r, v in zip(table.layout.rows, table.values) if r.has_values), None)
            lines.append(tr("Biểu {c}: tổng số {n}").format(c=table.layout.code, n=total))
        lines += [tr("Cảnh báo: {w}").format(w=w) for w in result.report.warnings]
        self.stats_status.setText("\n".join(lines))

    def _stats_failed(self, exc: BaseException) -> bool:
        """The status line says so; the error is shown the one way for its kind (gui/ops.py)."""
        self.stats_last_error = str(exc)
        if ops.error_kind(exc) is ops.ErrorKind.CANCELLED:
            self.stats_status.setText(str(exc))
            return True
        self.stats_status.setText(tr("Chưa xuất được thống kê."))
        return False

    def _update_stats_buttons(self) -> None:
        self.stats_btn.setEnabled(self._stats_task is None and not self._stats_broken)
        self.stats_open_btn.setEnabled(self.stats_last_path is not None and self.stats_last_path.exists())

    def _open_stats(self) -> None:
        if self.stats_last_path is not None:
            open_path(self.stats_last_path)

    def _at(self) -> dt.date:
        q = self.at.date()
        return dt.date(q.year(), q.month(), q.day())

    def _suggest_path(self, *_args) -> None:
        code = self.kind.currentData()
        self.description.setText(next(d for c, _l, d in KINDS if c == code))
        if self.path.property("auto") is not False:
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
            ops.refuse(self, tr("Hãy chọn tệp để lưu báo cáo."))
            return
        if target.suffix.lower() != self.fmt.currentData():
            target = target.with_suffix(self.fmt.currentData())
            self.path.setText(str(target))
        kind = self.kind.currentData()
        at = self._at()
        self.last_error = ""
        self.status.setText(tr("Đang tạo báo cáo…"))

        def work(db, progress, cancelled):
            return write_report(db, kind, target, at, progress=progress, cancelled=cancelled)

        self._task = ops.run(self, work, progress=True, cancellable=True, title=tr("Đang tạo báo cáo"),
                             success=self._done, failure=self._failed, finished=self._ended)
        self._update_buttons()

    def _ended(self) -> None:
        self._task = None
        self._update_buttons()

    def _done(self, result) -> None:
        self.last_path = result.path
        self.status.setText(tr("Đã tạo báo cáo: {p}").format(p=result.path))

    def _failed(self, exc: BaseException) -> bool:
        """The status line says so; the error is shown the one way for its kind (gui/ops.py)."""
        self.last_error = str(exc)
        if ops.error_kind(exc) is ops.ErrorKind.CANCELLED:
            self.status.setText(str(exc))
            return True
        self.status.setText(tr("Chưa tạo được báo cáo."))
        return False

    def _update_buttons(self) -> None:
        self.generate_btn.setEnabled(self._task is None)
        ok = self.last_path is not None and self.last_path.exists()
        self.open_btn.setEnabled(ok)
        self.print_btn.setEnabled(ok)

    def open_report(self) -> None:
        if self.last_path is not None:
            open_path(self.last_path)

    def print_report(self) -> None:
        if self.last_path is None:
            return
        try:
            self.status.setText(print_path(self.last_path))
        except OSError as exc:
            ops.refuse(self, tr("Không in được “{n}”: {e}").format(n=self.last_path.name, e=exc))
