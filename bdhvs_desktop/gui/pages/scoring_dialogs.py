"""The Chấm điểm page's dialogs: a manual criterion's result with its evidence, proposing one subject,
the criteria sets and one criterion."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.scoring import points_text as pts
from bdhvs_desktop.domain.vocab import GATE_LABELS, SUBJECT_KIND_LABELS, SubjectKind
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import actions_row, dialog_buttons, rows_table
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.council import summary_from_score
from bdhvs_desktop.services.scoring import CriterionInput, delete_criterion, list_criteria_sets, save_criterion


class ManualResultDialog(QDialog):
    """The result of one manual criterion for one subject, with its evidence."""

    def __init__(self, subject: sc.SubjectScore, c: sc.CriterionScore, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Kết quả tiêu chí thủ công"))
        self.criterion = c
        form = QFormLayout(self)
        who = QLabel(f"<b>{html.escape(subject.name)}</b>")
        form.addRow(tr("Đối tượng:"), who)
        name = QLabel(c.name)
        name.setWordWrap(True)
        form.addRow(tr("Tiêu chí:"), name)
        self.passed = QRadioButton(GATE_LABELS[True])
        self.failed = QRadioButton(GATE_LABELS[False])
        self.points = QDoubleSpinBox()
        if c.type == "gate":
            row = QHBoxLayout()
            row.addWidget(self.passed)
            row.addWidget(self.failed)
            row.addStretch(1)
            form.addRow(tr("Kết quả:"), row)
            (self.passed if c.passed or c.recorded_at is None else self.failed).setChecked(True)
        else:
            self.points.setRange(0, c.max_points)
            self.points.setDecimals(1)
            self.points.setSingleStep(0.5)
            self.points.setValue(c.points)
            self.points.setSuffix(tr(" / {m} điểm").format(m=pts(c.max_points)))
            form.addRow(tr("Điểm:"), self.points)
        self.evidence = QPlainTextEdit(c.evidence or "")
        self.evidence.setPlaceholderText(tr("Căn cứ, minh chứng: số và ngày của báo cáo, biên bản kiểm tra…"))
        self.evidence.setMinimumHeight(80)
        form.addRow(tr("Căn cứ:"), self.evidence)
        note = QLabel(tr("Người ghi và thời điểm ghi được lưu cùng kết quả và vào nhật ký."))
        note.setStyleSheet("color: #555")
        form.addRow(note)
        form.addRow(dialog_buttons(self, accept=self._accept))
        self.resize(520, 300)

    def _accept(self) -> None:
        if not self.evidence.toPlainText().strip():
            ops.refuse(self, tr("Hãy ghi căn cứ (minh chứng) cho kết quả."))
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        if self.criterion.type == "gate":
            return {"passed": self.passed.isChecked(), "evidence": self.evidence.toPlainText()}
        return {"points": self.points.value(), "evidence": self.evidence.toPlainText()}


class ProposeDialog(QDialog):
    def __init__(self, subject: sc.SubjectScore, forms, parent: QWidget | None = None):
        super().__init__(parent)

        self.setWindowTitle(tr("Đề nghị khen thưởng"))
        form = QFormLayout(self)
        form.addRow(tr("Đối tượng:"), QLabel(f"<b>{html.escape(subject.name)}</b>"))
        if not subject.eligible:
            warn = QLabel(tr("Chú ý: đối tượng chưa đủ điều kiện theo bộ tiêu chí; Hội đồng sẽ xem xét."))
            warn.setStyleSheet("color: #b71c1c")
            warn.setWordWrap(True)
            form.addRow(warn)
        self.award = QComboBox()
        for f in forms:
            if not f.subject_kinds or subject.kind in f.subject_kinds:
                self.award.addItem(f.name, f.code)
        form.addRow(tr("Hình thức khen thưởng:"), self.award)
        self.summary = QPlainTextEdit(summary_from_score(subject) if subject.eligible else "")
        self.summary.setPlaceholderText(tr("Tóm tắt thành tích"))
        form.addRow(tr("Tóm tắt thành tích:"), self.summary)
        form.addRow(dialog_buttons(self, tr("Đề nghị")))
        self.resize(560, 280)

    def values(self) -> tuple[str | None, str]:
        return self.award.currentData(), self.summary.toPlainText()


class CriteriaSetDialog(QDialog):
    """The criteria sets as data: each criterion a gate or points, automatic (a rule of the
    library with parameters) or manual. Every change is audited."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.changed = False
        self.setWindowTitle(tr("Bộ tiêu chí chấm điểm"))
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Bộ tiêu chí:")))
        self.sets = QComboBox()
        top.addWidget(self.sets, 1)
        self.total = QLabel()
        top.addWidget(self.total)
        layout.addLayout(top)
        self.table = rows_table([tr("Mã"), tr("Tên tiêu chí"), tr("Loại"), tr("Điểm tối đa"), tr("Cách chấm"),
                                 tr("Quy tắc và tham số")])
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 2, 3, 4):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(5, 260)
        layout.addWidget(self.table, 1)
        self.add_button = QPushButton(tr("Thêm tiêu chí…"))
        self.edit_button = QPushButton(tr("Sửa…"))
        self.delete_button = QPushButton(tr("Xóa"))
        layout.addLayout(actions_row(self, self.add_button, self.edit_button, self.delete_button))
        self.sets.currentIndexChanged.connect(lambda _i: self._show())
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.resize(1000, 560)
        self.reload()

    def reload(self) -> None:
        current = self.sets.currentData()
        # Synchronous: the criteria sets, three sets of about ten criteria (1.6 ms).
        self._sets = {s.id: s for s in list_criteria_sets(self.ctx.db, level=None)}  # the ward's, then the province's
        self.sets.blockSignals(True)
        self.sets.clear()
        for s in self._sets.values():
            self.sets.addItem(f"{s.name} ({SUBJECT_KIND_LABELS.get(SubjectKind(s.subject_kind), s.subject_kind)}, "
                              f"{sc.LEVEL_LABELS.get(s.level, s.level)})", s.id)
        index = self.sets.findData(current)
        self.sets.setCurrentIndex(max(index, 0))
        self.sets.blockSignals(False)
        self._show()

    def _current_set(self):
        return self._sets.get(self.sets.currentData())

    def _show(self) -> None:
        cs = self._current_set()
        self.table.setRowCount(0)
        if cs is None:
            return
        self.total.setText(tr("Tổng điểm tối đa: {m}").format(m=pts(cs.max_points)))
        self.table.setRowCount(len(cs.criteria))
        for r, c in enumerate(cs.criteria):
            rule = sc.RULES.get(c.rule or "")
            params = ", ".join(f"{k}={v}" for k, v in c.params.items())
            values = (c.code, c.name, tr("Điều kiện") if c.type == "gate" else tr("Điểm"),
                      pts(c.max_points) if c.type == "points" else "",
                      tr("Tự động") if c.method == "auto" else tr("Thủ công"),
                      f"{rule.label} ({params})" if rule else "")
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(c.description or c.name)
                self.table.setItem(r, col, item)

    def _selected(self):
        cs = self._current_set()
        rows = self.table.selectionModel().selectedRows()
        if cs is None or not rows:
            return None
        return cs.criteria[rows[0].row()]

    def add(self) -> None:
        self._edit(None)

    def edit(self) -> None:
        c = self._selected()
        if c is not None:
            self._edit(c)

    def _edit(self, c, dialog: QDialog | None = None) -> None:
        cs = self._current_set()
        if cs is None:
            return
        dialog = dialog or CriterionDialog(cs.subject_kind, c, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            value = dialog.value()
        except Exception as exc:  # noqa: BLE001 - shown by its kind; the dialog opens again
            if ops.show_error(self, exc) is ops.ErrorKind.INVALID:
                self._edit(c, dialog)
            return

        def refused(exc: BaseException) -> bool:
            if ops.error_kind(exc) is not ops.ErrorKind.INVALID:
                return False
            ops.show_error(self, exc)
            self._edit(c, dialog)  # again, with what was typed
            return True

        def saved(_result) -> None:
            self.changed = True
            self.reload()

        ops.run(self, lambda db: save_criterion(db, cs.id, value, c.id if c else None, c.version if c else None),
                changes=Changes.of(Change.CRITERIA), success=saved, failure=refused, reload=self.reload,
                title=tr("Đang lưu tiêu chí"))

    def delete(self) -> None:
        c = self._selected()
        if c is None:
            return
        if QMessageBox.question(self, tr("Xóa tiêu chí"), tr("Xóa tiêu chí {code} — {name}?")
                                .format(code=c.code, name=c.name)) != QMessageBox.StandardButton.Yes:
            return

        def deleted(_result) -> None:
            self.changed = True
            self.reload()

        ops.run(self, lambda db: delete_criterion(db, c.id), changes=Changes.of(Change.CRITERIA), success=deleted,
                title=tr("Đang xóa tiêu chí"))


class CriterionDialog(QDialog):
    def __init__(self, subject_kind: str, c=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Sửa tiêu chí") if c else tr("Thêm tiêu chí"))
        self.subject = "person" if subject_kind == SubjectKind.INDIVIDUAL.value else "unit"
        form = QFormLayout(self)
        self.code = QLineEdit(c.code if c else "")
        self.name = QPlainTextEdit(c.name if c else "")
        self.name.setMaximumHeight(60)
        self.type = QComboBox()
        self.type.addItem(tr("Điều kiện bắt buộc (đạt / không đạt)"), "gate")
        self.type.addItem(tr("Điểm xếp hạng"), "points")
        self.max_points = QDoubleSpinBox()
        self.max_points.setRange(0, 1000)
        self.max_points.setDecimals(1)
        self.method = QComboBox()
        self.method.addItem(tr("Tự động từ hồ sơ"), "auto")
        self.method.addItem(tr("Thủ công (Thư ký / Hội đồng ghi kết quả)"), "manual")
        self.rule = QComboBox()
        for spec in sc.RULES.values():
            if self.subject in spec.subjects:
                self.rule.addItem(spec.label, spec.code)
        self.params = QLineEdit()
        self.params.setPlaceholderText(tr("ví dụ: n=2, status=evaluated"))
        self.param_help = QLabel()
        self.param_help.setWordWrap(True)
        self.param_help.setStyleSheet("color: #555")
        self.description = QPlainTextEdit(c.description if c and c.description else "")
        self.description.setMaximumHeight(60)
        form.addRow(tr("Mã:"), self.code)
        form.addRow(tr("Tên tiêu chí:"), self.name)
        form.addRow(tr("Loại:"), self.type)
        form.addRow(tr("Điểm tối đa:"), self.max_points)
        form.addRow(tr("Cách chấm:"), self.method)
        form.addRow(tr("Quy tắc:"), self.rule)
        form.addRow(tr("Tham số:"), self.params)
        form.addRow("", self.param_help)
        form.addRow(tr("Mô tả:"), self.description)
        form.addRow(dialog_buttons(self))
        if c:
            self.type.setCurrentIndex(self.type.findData(c.type))
            self.max_points.setValue(c.max_points)
            self.method.setCurrentIndex(self.method.findData(c.method))
            if c.rule:
                self.rule.setCurrentIndex(max(0, self.rule.findData(c.rule)))
            self.params.setText(", ".join(f"{k}={v}" for k, v in c.params.items()))
        self.type.currentIndexChanged.connect(lambda _i: self._sync())
        self.method.currentIndexChanged.connect(lambda _i: self._sync())
        self.rule.currentIndexChanged.connect(lambda _i: self._sync())
        self._sync()
        self.resize(620, 460)

    def _sync(self) -> None:
        self.max_points.setEnabled(self.type.currentData() == "points")
        auto = self.method.currentData() == "auto"
        self.rule.setEnabled(auto)
        self.params.setEnabled(auto)
        spec = sc.RULES.get(self.rule.currentData())
        if spec and auto:
            self.param_help.setText(tr("Tham số: ") + "; ".join(
                f"{p.name} — {p.label}" + (tr(" (bắt buộc)") if p.required else "") for p in spec.params)
                + tr(". Thêm partial=true để cho điểm theo tỷ lệ đạt."))
        else:
            self.param_help.setText("")

    def value(self):
        params: dict[str, Any] = {}
        for part in self.params.text().split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                params[k.strip()] = v.strip()
        if "partial" in params:
            params["partial"] = params["partial"].lower() in ("1", "true", "có", "yes")  # not-ui: parsed input
        auto = self.method.currentData() == "auto"
        return CriterionInput(self.code.text().strip(), self.name.toPlainText().strip(), self.type.currentData(),
                              self.method.currentData(), self.max_points.value(),
                              self.rule.currentData() if auto else None, params if auto else {},
                              self.description.toPlainText().strip() or None)
