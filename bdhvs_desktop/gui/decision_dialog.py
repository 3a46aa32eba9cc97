"""The award decision dialog (Quyết định khen thưởng): choose the award form (the granting
authority), print a draft, or issue the decision with its number and date (the candidates become
issued and enter the award register). Both run as operations (gui/ops.py)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import to_date, to_qdate
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import council, decision, decision_candidates, decision_document
from bdhvs_desktop.services.changes import Change, Changes


class DecisionDialog(QDialog):
    """The award decision: choose the award form (the granting authority), print a draft, or
    enter the number and date to issue it (candidates "issued", the register written)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)

        self.ctx = ctx
        self.setWindowTitle(tr("Quyết định khen thưởng"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.award = QComboBox()
        # Synchronous: the award forms table (~20 rows, 0.3 ms).
        for f in council.list_award_forms(ctx.db):
            self.award.addItem(f.name, f.code)
        self.number = QLineEdit()
        self.number.setPlaceholderText(tr("số thứ tự, ví dụ 15"))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(to_qdate(dt.date.today()))
        self.signer = QLineEdit()
        self.out_dir = QLineEdit()
        browse = QPushButton(tr("Chọn…"))
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(browse)
        form.addRow(tr("Hình thức khen thưởng"), self.award)
        form.addRow(tr("Số quyết định"), self.number)
        form.addRow(tr("Ngày ký"), self.date)
        form.addRow(tr("Người ký"), self.signer)
        form.addRow(tr("Thư mục"), out_row)
        layout.addLayout(form)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        layout.addWidget(self.plan)
        row = QHBoxLayout()
        self.draft_button = QPushButton(tr("In dự thảo"))
        self.issue_button = QPushButton(tr("Ban hành (ghi số, ngày và vào sổ)"))
        close = QPushButton(tr("Đóng"))
        for b in (self.draft_button, self.issue_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.award.currentIndexChanged.connect(lambda _i: self.show_plan())
        self.draft_button.clicked.connect(self.draft)
        self.issue_button.clicked.connect(self.issue)
        close.clicked.connect(self.accept)
        self.show_plan()
        self.resize(640, 360)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Thư mục ghi quyết định"))
        if path:
            self.out_dir.setText(path)

    def show_plan(self) -> None:
        try:  # synchronous: the approved candidates of one authority, tens of rows
            plan = decision_candidates.decision_plan(self.ctx.db, award_code=self.award.currentData())
        except decision.DecisionError as exc:
            self.plan.setText(str(exc))
            self.issue_button.setEnabled(False)
            self.draft_button.setEnabled(False)
            return
        self.issue_button.setEnabled(True)
        self.draft_button.setEnabled(True)
        self.plan.setText(tr("{authority}: {c} tập thể, {i} cá nhân đã được Hội đồng thông qua và khóa, chưa có "
                             "quyết định khen thưởng:\n{names}").format(
            authority=plan.authority, c=len(plan.collectives), i=len(plan.individuals),
            names=", ".join(x.name for x in plan.candidates)))

    def _folder(self) -> str | None:
        folder = self.out_dir.text().strip()
        if not folder:
            ops.refuse(self, tr("Hãy chọn thư mục ghi tệp quyết định."))
            return None
        return folder

    def draft(self) -> None:
        folder = self._folder()
        if folder is None:
            return
        award, signer = self.award.currentData(), self.signer.text().strip()
        ops.run(self, lambda db: decision_document.draft_decision(db, folder, award_code=award, signer_name=signer),
                title=tr("Đang in dự thảo quyết định"),
                success=lambda path: QMessageBox.information(self, tr("Dự thảo"), tr("Đã ghi: {path}").format(
                    path=path)))

    def issue(self) -> None:
        folder = self._folder()
        if folder is None:
            return
        day = to_date(self.date.date())
        if QMessageBox.question(self, tr("Ban hành quyết định"), tr(
                "Ban hành Quyết định số {n} ngày {d}? Các hồ sơ chuyển sang “đã ban hành” và được ghi vào sổ khen "
                "thưởng; việc này không hoàn tác được.").format(n=self.number.text(), d=f"{day:%d/%m/%Y}")) \
                != QMessageBox.StandardButton.Yes:
            return
        number, award, signer = self.number.text(), self.award.currentData(), self.signer.text().strip()

        def issued(outcome) -> None:
            QMessageBox.information(self, tr("Đã ban hành"), tr("Quyết định số {s}: {n} tập thể, cá nhân đã vào sổ "
                                                                "khen thưởng.\n{path}").format(
                s=outcome.symbol, n=len(outcome.candidate_ids), path=outcome.path))
            self.show_plan()

        ops.run(self, lambda db: decision.issue_decision(db, number=number, date=day, out_dir=folder,
                                                         award_code=award, signer_name=signer),
                changes=Changes.of(Change.CANDIDATES, Change.AWARDS, Change.DOSSIER, Change.COUNCIL),
                title=tr("Đang ban hành quyết định"), success=issued)
