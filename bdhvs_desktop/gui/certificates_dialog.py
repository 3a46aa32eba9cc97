"""Giấy khen and the ceremony from the window: print every certificate of the award decision into
one PDF (in the background, with progress and cancel), on the blanks or on plain paper; the
MC's list for the award conference; the layouts (CertificateLayoutDialog)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop import paths
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.certificate_layout_dialog import CertificateLayoutDialog
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import certificate_layouts
from bdhvs_desktop.services import certificates as svc


def default_path(name: str) -> Path:
    return paths.user_data_dir() / "giay-khen" / name


class CertificatesDialog(QDialog):
    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)

        self.db = db
        self.svc = svc
        self._task = None
        self.last_outcome = None
        self.last_error = ""
        self.setWindowTitle(tr("Giấy khen và Hội nghị khen thưởng"))
        root = QVBoxLayout(self)
        intro = QLabel(tr("In giấy khen cho các tập thể, cá nhân được khen thưởng (đã được Hội đồng thông qua hoặc đã có "
                          "quyết định) thành một tệp PDF, và lập danh sách xướng danh cho Hội nghị khen thưởng."))
        intro.setWordWrap(True)
        root.addWidget(intro)
        form = QFormLayout()
        self.decision = QLineEdit()
        self.decision.setPlaceholderText(tr("ví dụ 123 hoặc 123/QĐ-UBND"))
        form.addRow(tr("Số quyết định:"), self.decision)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(QDate.currentDate())
        form.addRow(tr("Ngày quyết định:"), self.date)
        self.award_form = QComboBox()
        self.award_form.addItem(tr("Mọi hình thức"), "")
        # Synchronous: the award forms table (~20 rows, 0.3 ms).
        for f in certificate_layouts.list_award_forms(db):
            self.award_form.addItem(f"{f.name} ({f.code})", f.code)
        form.addRow(tr("Hình thức khen thưởng:"), self.award_form)
        self.plain = QCheckBox(tr("In trên giấy trắng (có viền, tiêu đề, chữ GIẤY KHEN) thay vì trên phôi in sẵn"))
        form.addRow("", self.plain)
        out_row = QHBoxLayout()
        self.out = QLineEdit(str(default_path(f"giay-khen-{dt.date.today().isoformat()}.pdf")))
        browse = QPushButton(tr("Chọn…"))
        browse.clicked.connect(self._browse)
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form.addRow(tr("Tệp PDF:"), out_row)
        seats = QHBoxLayout()
        self.seats = QCheckBox(tr("Kèm số hàng, số ghế"))
        self.per_row = QSpinBox()
        self.per_row.setRange(1, 200)
        self.per_row.setValue(10)
        seats.addWidget(self.seats)
        seats.addWidget(QLabel(tr("Số ghế mỗi hàng:")))
        seats.addWidget(self.per_row)
        seats.addStretch(1)
        form.addRow(tr("Xướng danh:"), seats)
        root.addLayout(form)
        buttons = QHBoxLayout()
        self.print_btn = QPushButton(tr("In giấy khen"))
        self.print_btn.setDefault(True)
        self.print_btn.clicked.connect(self.print_certificates)
        self.ceremony_btn = QPushButton(tr("Danh sách xướng danh…"))
        self.ceremony_btn.clicked.connect(self.write_ceremony)
        self.layout_btn = QPushButton(tr("Mẫu in giấy khen…"))
        self.layout_btn.clicked.connect(self.edit_layouts)
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.accept)
        for b in (self.print_btn, self.ceremony_btn, self.layout_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        root.addLayout(buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        root.addWidget(self.status)

    def _date(self) -> dt.date:
        q = self.date.date()
        return dt.date(q.year(), q.month(), q.day())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Lưu giấy khen"), self.out.text(), tr("PDF (*.pdf)"))
        if path:
            self.out.setText(path)

    def print_certificates(self) -> None:
        if self._task is not None:
            return
        out = Path(self.out.text().strip())
        if out.suffix.lower() != ".pdf":
            ops.refuse(self, tr("Hãy chọn một tệp .pdf để lưu giấy khen."))
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        svc = self.svc
        plain, form, decision, date = (self.plain.isChecked(), self.award_form.currentData() or None,
                                       self.decision.text().strip() or None, self._date())
        self.last_error = ""
        self.status.setText(tr("Đang in giấy khen…"))

        def work(db, progress, cancelled):
            return svc.print_certificates(db, out, plain=plain, award_form=form, decision=decision,
                                          decision_date=date, progress=progress, cancel=cancelled)

        self.print_btn.setEnabled(False)
        self._task = ops.run(self, work, db=self.db, progress=True, cancellable=True, title=tr("Đang in giấy khen"),
                             success=self._done, failure=self._failed, finished=self._printed)

    def _printed(self) -> None:
        self._task = None
        self.print_btn.setEnabled(True)

    def _done(self, outcome) -> None:
        self.last_outcome = outcome
        counts = "; ".join(f"{name}: {n}" for name, n in outcome.per_form)
        self.status.setText(tr("Đã tạo {n} giấy khen trong {p} ({c}).").format(n=outcome.count, p=outcome.path,
                                                                           c=counts))

    def _failed(self, exc: BaseException) -> bool:
        """The status line says what happened; the error is shown the one way for its kind."""
        self.last_error = str(exc)
        self.status.setText(str(exc) if ops.error_kind(exc) is not ops.ErrorKind.UNEXPECTED
                            else tr("Lỗi không mong đợi: {e}").format(e=exc))
        return ops.error_kind(exc) is ops.ErrorKind.CANCELLED

    def write_ceremony(self, path: str | None = None) -> Path | None:
        if not path:
            suggested = str(default_path(f"xuong-danh-{dt.date.today().isoformat()}.docx"))
            path, _ = QFileDialog.getSaveFileName(self, tr("Lưu danh sách xướng danh"), suggested,
                                                  tr("Word (*.docx)"))
        if not path:
            return None
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        svc, target = self.svc, Path(path)
        options = dict(seats=self.seats.isChecked(), seats_per_row=self.per_row.value(),
                       decision=self.decision.text().strip() or None, decision_date=self._date())
        written: list[Path] = []

        def done(out: Path) -> None:
            written.append(out)
            self.status.setText(tr("Đã tạo danh sách xướng danh: {p}").format(p=out))

        def failed(exc: BaseException) -> bool:
            self.last_error = str(exc)
            return False  # shown the one way for its kind

        # The caller gets the file written: wait for the operation in a local event loop.
        ops.run(self, lambda db: svc.ceremony(db, target, **options), db=self.db, success=done, failure=failed,
                title=tr("Đang tạo danh sách xướng danh")).wait()
        return written[0] if written else None

    def edit_layouts(self) -> None:
        dialog = CertificateLayoutDialog(self.db, self.award_form.currentData() or None, self)
        dialog.exec()
