"""Mô hình: models through their lifecycle (registered → implementing → evaluated → excellent →
replicated) with their replications; individuals' solutions; and the figures units report for
the reported targets."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import MODEL_STATUS_LABELS, MODEL_STATUS_ORDER, ModelStatus
from bdhvs_desktop.gui.forms import (
    FormDialog,
    OptionalDate,
    RowsModel,
    confirm,
    date_edit,
    num,
    report_error,
    to_date,
    vn,
)
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.activities import PersonPicker, select_data, unit_combo
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services import activities as act

MIN_MENTEES = 5  # plan 004: each "Đại sứ số" guides at least five people
STAGE_COLOURS = {"registered": "#eceff1", "implementing": "#e3f2fd", "evaluated": "#fff8e1", "excellent": "#e8f5e9",
                 "replicated": "#c8e6c9"}


def _table(model: RowsModel, stretch: int) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The name column keeps a readable width even when the other columns fill the window (a
    # Stretch column would be squeezed to a few pixels); the table scrolls sideways instead.
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Interactive)
    table.setColumnWidth(stretch, 300)
    header.setStretchLastSection(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return table


def _current(table: QTableView, model: RowsModel):
    index = table.currentIndex()
    return model.row_at(index.row()) if index.isValid() else None


def _buttons(*items: tuple[str, object]) -> QHBoxLayout:
    row = QHBoxLayout()
    for text, slot in items:
        b = QPushButton(text)
        b.clicked.connect(slot)
        row.addWidget(b)
    row.addStretch(1)
    return row


class ModelDialog(FormDialog):
    def __init__(self, db, units, row: act.ModelRow | None = None, parent=None):
        super().__init__(tr("Sửa mô hình") if row else tr("Thêm mô hình"), parent)
        self.db = db
        self.row = row
        self.code = QLineEdit(row.code if row else "")
        self.code.setPlaceholderText(tr("ví dụ MH-07"))
        self.form.addRow(tr("Mã mô hình"), self.code)
        self.name = QLineEdit(row.name if row else "")
        self.form.addRow(tr("Tên mô hình"), self.name)
        self.owner = unit_combo(units, allow_none=tr("(chọn đơn vị)"))
        select_data(self.owner, row.owner_unit_id if row else None)
        self.form.addRow(tr("Đơn vị xây dựng"), self.owner)
        self.model_type = QComboBox()
        self.model_type.setEditable(True)
        for name in ("", tr("Đại sứ số"), tr("Gia đình số"), tr("Chợ số - Nông thôn số"), tr("Mỗi công dân - Một danh tính số"),
                     tr("Tổ công nghệ số cộng đồng"), tr("Thanh niên chung tay phổ cập kỹ năng số"), tr("Cán bộ ... với AI")):
            self.model_type.addItem(name)
        self.model_type.setCurrentText(row.model_type if row else "")
        self.form.addRow(tr("Loại mô hình"), self.model_type)
        self.status = QComboBox()
        for st in ModelStatus:
            self.status.addItem(MODEL_STATUS_LABELS[st], st.value)
        select_data(self.status, row.status if row else "registered")
        self.form.addRow(tr("Trạng thái"), self.status)
        self.registered = OptionalDate(row.registered_on if row else dt.date.today(), tr("có"))
        self.implementing = OptionalDate(row.implementing_on if row else None, tr("có"))
        self.evaluated = OptionalDate(row.evaluated_on if row else None, tr("có"))
        self.excellent = OptionalDate(row.excellent_on if row else None, tr("có"))
        self.form.addRow(tr("Ngày đăng ký"), self.registered)
        self.form.addRow(tr("Ngày triển khai"), self.implementing)
        self.form.addRow(tr("Ngày đánh giá"), self.evaluated)
        self.form.addRow(tr("Ngày công nhận xuất sắc"), self.excellent)
        self.rating = QComboBox()
        self.rating.setEditable(True)
        for name in ("", tr("Xuất sắc"), tr("Tốt"), tr("Khá"), tr("Đạt"), tr("Chưa đạt")):
            self.rating.addItem(name)
        self.rating.setCurrentText(row.rating if row else "")
        self.form.addRow(tr("Xếp loại"), self.rating)
        self.quarter = QLineEdit(row.evaluation_quarter if row else "")
        self.quarter.setPlaceholderText(tr("ví dụ Q2/2026"))
        self.form.addRow(tr("Quý đánh giá"), self.quarter)
        self.evaluation = QPlainTextEdit(row.evaluation if row else "")
        self.evaluation.setFixedHeight(60)
        self.form.addRow(tr("Đánh giá hiệu quả"), self.evaluation)
        self.description = QPlainTextEdit(row.description if row else "")
        self.description.setFixedHeight(60)
        self.form.addRow(tr("Mô tả"), self.description)

    def save(self) -> int:
        data = act.ModelInput(
            code=self.code.text(), name=self.name.text(), owner_unit_id=self.owner.currentData(),
            status=self.status.currentData(), model_type=self.model_type.currentText(),
            registered_on=self.registered.value(), implementing_on=self.implementing.value(),
            evaluated_on=self.evaluated.value(), excellent_on=self.excellent.value(),
            rating=self.rating.currentText(), evaluation_quarter=self.quarter.text(),
            evaluation=self.evaluation.toPlainText(), description=self.description.toPlainText())
        if self.row is None:
            return act.add_model(self.db, data)
        act.update_model(self.db, self.row.id, data, version=self.row.version)
        return self.row.id


class AdvanceDialog(FormDialog):
    """Move a model to its next stage: the date, and for an evaluation its rating and quarter."""

    def __init__(self, db, row: act.ModelRow, parent=None):
        super().__init__(tr("Chuyển bước mô hình"), parent)
        self.db = db
        self.row = row
        self.form.addRow(QLabel(f"<b>{row.code} — {row.name}</b><br>{tr('Hiện tại')}: {row.status_label}"))
        rank = MODEL_STATUS_ORDER.index(ModelStatus(row.status))
        self.status = QComboBox()
        for st in MODEL_STATUS_ORDER[rank + 1:]:
            if st != ModelStatus.REPLICATED:
                self.status.addItem(MODEL_STATUS_LABELS[st], st.value)
        self.form.addRow(tr("Chuyển sang"), self.status)
        self.day = date_edit()
        self.form.addRow(tr("Ngày"), self.day)
        self.rating = QComboBox()
        self.rating.setEditable(True)
        for name in ("", tr("Xuất sắc"), tr("Tốt"), tr("Khá"), tr("Đạt")):
            self.rating.addItem(name)
        self.rating.setCurrentText(row.rating)
        self.form.addRow(tr("Xếp loại"), self.rating)
        self.quarter = QLineEdit(row.evaluation_quarter)
        self.quarter.setPlaceholderText(tr("ví dụ Q2/2026"))
        self.form.addRow(tr("Quý đánh giá"), self.quarter)
        self.evaluation = QPlainTextEdit(row.evaluation)
        self.evaluation.setFixedHeight(60)
        self.form.addRow(tr("Đánh giá hiệu quả"), self.evaluation)
        hint = QLabel(tr("Muốn ghi nhân rộng: dùng nút “Nhân rộng tới đơn vị…”."))
        hint.setStyleSheet("color:#5f6670")
        self.form.addRow(hint)

    def save(self) -> None:
        if self.status.count() == 0:
            raise act.ValidationError([("status", tr("Mô hình đã ở bước cuối; dùng “Nhân rộng tới đơn vị…”."))])
        act.advance_model(self.db, self.row.id, self.status.currentData(), to_date(self.day.date()),
                          rating=self.rating.currentText() or None, quarter=self.quarter.text() or None,
                          evaluation=self.evaluation.toPlainText() or None, version=self.row.version)


class ReplicationDialog(FormDialog):
    def __init__(self, db, units, row: act.ModelRow, parent=None):
        super().__init__(tr("Nhân rộng mô hình"), parent)
        self.db = db
        self.row = row
        self.form.addRow(QLabel(f"<b>{row.code} — {row.name}</b>"))
        self.unit = unit_combo(units, allow_none=tr("(chọn đơn vị)"))
        self.form.addRow(tr("Nhân rộng tới"), self.unit)
        self.day = date_edit()
        self.form.addRow(tr("Ngày nhân rộng"), self.day)

    def save(self) -> int:
        unit = self.unit.currentData()
        if unit is None:
            raise act.ValidationError([("unit_id", tr("Đơn vị nhân rộng: chưa chọn."))])
        return act.add_replication(self.db, self.row.id, unit, to_date(self.day.date()))


class SolutionDialog(FormDialog):
    def __init__(self, db, row: act.SolutionRow | None = None, parent=None):
        super().__init__(tr("Sửa giải pháp") if row else tr("Thêm giải pháp, sáng kiến"), parent)
        self.db = db
        self.row = row
        self.person = PersonPicker(db, row.person_id if row else None, row.person_name if row else "")
        self.form.addRow(tr("Người có giải pháp"), self.person)
        self.title_edit = QLineEdit(row.title if row else "")
        self.form.addRow(tr("Tên giải pháp"), self.title_edit)
        self.description = QPlainTextEdit(row.description if row else "")
        self.description.setFixedHeight(60)
        self.form.addRow(tr("Mô tả"), self.description)
        self.applied = QCheckBox(tr("Đã áp dụng vào thực tế"))
        self.applied.setChecked(bool(row and row.applied))
        self.form.addRow("", self.applied)
        self.applied_on = date_edit(row.applied_on if row and row.applied_on else None)
        self.form.addRow(tr("Ngày áp dụng"), self.applied_on)
        self.effect = QPlainTextEdit(row.effect if row else "")
        self.effect.setPlaceholderText(tr("Hiệu quả thực tế: số liệu, kết quả đo được"))
        self.effect.setFixedHeight(70)
        self.form.addRow(tr("Hiệu quả"), self.effect)
        self.applied.toggled.connect(self.applied_on.setEnabled)
        self.applied_on.setEnabled(self.applied.isChecked())

    def save(self) -> int:
        data = act.SolutionInput(self.person.value(), self.title_edit.text(), self.description.toPlainText(),
                                 self.applied.isChecked(),
                                 to_date(self.applied_on.date()) if self.applied.isChecked() else None,
                                 self.effect.toPlainText())
        if self.row is None:
            return act.add_solution(self.db, data)
        act.update_solution(self.db, self.row.id, data, version=self.row.version)
        return self.row.id


class FigureDialog(FormDialog):
    def __init__(self, db, units, target: act.ReportedTarget, row: act.FigureRow | None = None,
                 default_day: dt.date | None = None, parent=None):
        super().__init__(tr("Sửa số liệu báo cáo") if row else tr("Nhập số liệu báo cáo"), parent)
        self.db = db
        self.row = row
        self.target = target
        head = QLabel(f"<b>{target.code}</b> — {target.name}"
                      + (f"<br>{tr('Mẫu số')}: {target.population}" if target.population else ""))
        head.setWordWrap(True)
        self.form.addRow(head)
        self.unit = unit_combo(units, allow_none=tr("(chọn đơn vị)"))
        select_data(self.unit, row.unit_id if row else None)
        self.form.addRow(tr("Đơn vị báo cáo"), self.unit)
        self.day = date_edit(row.as_of if row else default_day)
        self.form.addRow(tr("Số liệu tính đến ngày"), self.day)
        self.numerator = QDoubleSpinBox()
        self.numerator.setRange(0, 1e9)
        self.numerator.setDecimals(0 if target.value_kind == "percent" else 2)
        self.numerator.setValue(row.numerator if row else 0)
        self.form.addRow(tr("Tử số (số đạt)"), self.numerator)
        self.denominator = QDoubleSpinBox()
        self.denominator.setRange(0, 1e9)
        self.denominator.setDecimals(0)
        self.denominator.setValue(row.denominator or 0 if row else 0)
        self.form.addRow(tr("Mẫu số (tổng số)"), self.denominator)
        self.note = QLineEdit(row.note if row else "")
        self.form.addRow(tr("Ghi chú, nguồn số liệu"), self.note)

    def save(self) -> int:
        den = self.denominator.value()
        data = act.FigureInput(self.target.id, self.unit.currentData(), to_date(self.day.date()),
                               self.numerator.value(), den if den or self.target.value_kind == "count" else None,
                               self.note.text())
        if self.row is None:
            return act.add_figure(self.db, data)
        act.update_figure(self.db, self.row.id, data, version=self.row.version)
        return self.row.id


class MenteeDialog(FormDialog):
    """Add one person a "Đại sứ số" mentor guides."""

    def __init__(self, db, models: list[act.ModelRow], mentor_id: int | None = None, mentor_name: str = "",
                 default_day: dt.date | None = None, parent=None):
        super().__init__(tr("Thêm người được Đại sứ số hướng dẫn"), parent)
        self.db = db
        self.mentor = PersonPicker(db, mentor_id, mentor_name)
        self.form.addRow(tr("Đại sứ số"), self.mentor)
        self.mentee = PersonPicker(db)
        self.form.addRow(tr("Người được hướng dẫn (nếu có trong danh sách)"), self.mentee)
        self.mentee_name = QLineEdit()
        self.mentee_name.setPlaceholderText(tr("họ và tên; để trống nếu đã chọn ở trên"))
        self.form.addRow(tr("Họ và tên người được hướng dẫn"), self.mentee_name)
        self.model = QComboBox()
        self.model.addItem(tr("(không gắn mô hình)"), None)
        for mrow in models:
            self.model.addItem(f"{mrow.code} — {mrow.name}", mrow.id)
        self.form.addRow(tr("Thuộc mô hình"), self.model)
        self.day = date_edit(default_day)
        self.form.addRow(tr("Bắt đầu hướng dẫn"), self.day)

    def save(self) -> int:
        mentor = self.mentor.value()
        if mentor is None:
            raise act.ValidationError([("mentor_id", tr("Đại sứ số: chưa chọn người."))])
        mentee_id = self.mentee.value()
        name = self.mentee_name.text().strip()
        if not name and mentee_id is not None:
            name = self.mentee.combo.currentText().split(" — ")[0]
        return act.add_mentorship(self.db, mentor, name, mentee_person_id=mentee_id, model_id=self.model.currentData(),
                                  started_on=to_date(self.day.date()))


class ModelsPage(Page):
    title = tr("Mô hình")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.units: list[act.UnitChoice] = []
        self.targets: list[act.ReportedTarget] = []
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs)

        # models
        page = QWidget()
        layout = QVBoxLayout(page)
        self.models_summary = QLabel()
        layout.addWidget(self.models_summary)
        self.models = RowsModel([
            (tr("Mã"), lambda r: r.code, lambda r: r.code, False),
            (tr("Tên mô hình"), lambda r: r.name, lambda r: r.name, False),
            (tr("Đơn vị xây dựng"), lambda r: r.owner_name, lambda r: r.owner_name, False),
            (tr("Trạng thái"), lambda r: r.status_label, lambda r: MODEL_STATUS_ORDER.index(ModelStatus(r.status)), False),
            (tr("Đăng ký"), lambda r: vn(r.registered_on), lambda r: r.registered_on or dt.date.max, False),
            (tr("Đánh giá"), lambda r: vn(r.evaluated_on), lambda r: r.evaluated_on or dt.date.max, False),
            (tr("Xếp loại"), lambda r: r.rating, lambda r: r.rating, False),
            (tr("Quý"), lambda r: r.evaluation_quarter, lambda r: r.evaluation_quarter, False),
            (tr("Xuất sắc"), lambda r: vn(r.excellent_on), lambda r: r.excellent_on or dt.date.max, False),
            (tr("Nhân rộng"), lambda r: str(len(r.replications)) if r.replications else "", lambda r: len(r.replications), True),
        ])
        self.models.background = lambda r, col: STAGE_COLOURS.get(r.status) if col == 3 else None
        split = QSplitter(Qt.Orientation.Vertical)
        self.models_table = _table(self.models, 1)
        self.models_table.doubleClicked.connect(lambda _i: self.edit_model())
        self.models_table.selectionModel().currentRowChanged.connect(lambda *_: self._show_model())
        split.addWidget(self.models_table)
        self.model_detail = QLabel()
        self.model_detail.setWordWrap(True)
        self.model_detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.model_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model_detail.setStyleSheet("background:white; padding:8px; border:1px solid #d0d4da;")
        split.addWidget(self.model_detail)
        split.setSizes([520, 130])
        layout.addWidget(split, 1)
        layout.addLayout(_buttons((tr("Thêm mô hình…"), self.add_model), (tr("Sửa…"), self.edit_model),
                                  (tr("Chuyển bước…"), self.advance_model),
                                  (tr("Nhân rộng tới đơn vị…"), self.replicate),
                                  (tr("Bỏ lần nhân rộng cuối"), self.remove_replication), (tr("Xóa"), self.delete_model)))
        self.tabs.addTab(page, tr("Mô hình"))

        # solutions
        page = QWidget()
        layout = QVBoxLayout(page)
        self.solutions_summary = QLabel()
        layout.addWidget(self.solutions_summary)
        self.solutions = RowsModel([
            (tr("Người có giải pháp"), lambda r: r.person_name, lambda r: (fold(r.person_name).split()[-1:], fold(r.person_name)), False),
            (tr("Đơn vị"), lambda r: r.unit_name, lambda r: r.unit_name, False),
            (tr("Giải pháp"), lambda r: r.title, lambda r: r.title, False),
            (tr("Đã áp dụng"), lambda r: tr("Có") if r.applied else tr("Chưa"), lambda r: r.applied, False),
            (tr("Ngày áp dụng"), lambda r: vn(r.applied_on), lambda r: r.applied_on or dt.date.max, False),
            (tr("Hiệu quả"), lambda r: r.effect, lambda r: r.effect, False),
        ])
        self.solutions.background = lambda r, col: ("#e8f5e9" if r.applied else "#fff4e0") if col == 3 else None
        self.solutions_table = _table(self.solutions, 5)
        self.solutions_table.doubleClicked.connect(lambda _i: self.edit_solution())
        layout.addWidget(self.solutions_table, 1)
        layout.addLayout(_buttons((tr("Thêm giải pháp…"), self.add_solution), (tr("Sửa…"), self.edit_solution),
                                  (tr("Xóa"), self.delete_solution)))
        self.tabs.addTab(page, tr("Giải pháp, sáng kiến"))

        # reported figures
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Chỉ tiêu báo cáo")))
        self.target_combo = QComboBox()
        self.target_combo.currentIndexChanged.connect(lambda _i: self._load_figures())
        row.addWidget(self.target_combo, 1)
        layout.addLayout(row)
        self.figures_summary = QLabel()
        self.figures_summary.setWordWrap(True)
        layout.addWidget(self.figures_summary)
        self.figures = RowsModel([
            (tr("Đơn vị"), lambda r: r.unit_name, lambda r: r.unit_code, False),
            (tr("Tính đến ngày"), lambda r: vn(r.as_of), lambda r: r.as_of, False),
            (tr("Tử số"), lambda r: num(r.numerator), lambda r: r.numerator, True),
            (tr("Mẫu số"), lambda r: num(r.denominator), lambda r: r.denominator or 0, True),
            (tr("Tỷ lệ"), lambda r: num(100 * r.numerator / r.denominator, "percent") if r.denominator else "",
             lambda r: r.numerator / r.denominator if r.denominator else 0, True),
            (tr("Ghi chú"), lambda r: r.note, lambda r: r.note, False),
            (tr("Người nhập"), lambda r: r.entered_by, lambda r: r.entered_by, False),
        ])
        self.figures_table = _table(self.figures, 5)
        self.figures_table.doubleClicked.connect(lambda _i: self.edit_figure())
        layout.addWidget(self.figures_table, 1)
        layout.addLayout(_buttons((tr("Nhập số liệu…"), self.add_figure), (tr("Sửa…"), self.edit_figure),
                                  (tr("Xóa"), self.delete_figure)))
        self.tabs.addTab(page, tr("Số liệu đơn vị báo cáo"))

        # "Đại sứ số" mentors
        page = QWidget()
        layout = QVBoxLayout(page)
        self.mentors_summary = QLabel()
        self.mentors_summary.setWordWrap(True)
        layout.addWidget(self.mentors_summary)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.mentors = RowsModel([
            (tr("Đại sứ số"), lambda r: r.mentor_name, lambda r: (fold(r.mentor_name).split()[-1:], fold(r.mentor_name)), False),
            (tr("Đơn vị"), lambda r: r.mentor_unit, lambda r: r.mentor_unit, False),
            (tr("Số người hướng dẫn"), lambda r: str(r.mentees), lambda r: r.mentees, True),
            (tr("Từ ngày"), lambda r: vn(r.first_started), lambda r: r.first_started or dt.date.max, False),
        ])
        self.mentors.background = lambda r, col: ("#e8f5e9" if r.mentees >= MIN_MENTEES else "#fff4e0") if col == 2 else None
        self.mentors_table = _table(self.mentors, 1)
        self.mentors_table.selectionModel().currentRowChanged.connect(lambda *_: self._load_mentees())
        split.addWidget(self.mentors_table)
        self.mentees = RowsModel([
            (tr("Người được hướng dẫn"), lambda r: r.mentee_name, lambda r: fold(r.mentee_name), False),
            (tr("Từ ngày"), lambda r: vn(r.started_on), lambda r: r.started_on or dt.date.max, False),
            (tr("Mô hình"), lambda r: r.model_code, lambda r: r.model_code, False),
        ])
        self.mentees_table = _table(self.mentees, 0)
        split.addWidget(self.mentees_table)
        layout.addWidget(split, 1)
        layout.addLayout(_buttons((tr("Thêm người được hướng dẫn…"), self.add_mentee),
                                  (tr("Bỏ người được hướng dẫn"), self.delete_mentee)))
        self.tabs.addTab(page, tr("Đại sứ số"))
        self._mentorships: list[act.MentorshipRow] = []

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        db = self.ctx.db
        self.units = act.unit_choices(db)
        rows = act.list_models(db)
        self.models.set_rows(rows)
        counts = {st: sum(1 for r in rows if r.status == st.value) for st in ModelStatus}
        self.models_summary.setText(tr("{n} mô hình: ").format(n=len(rows)) + ", ".join(
            f"{counts[st]} {MODEL_STATUS_LABELS[st].lower()}" for st in ModelStatus))
        self._show_model()
        sols = act.list_solutions(db)
        self.solutions.set_rows(sols)
        applied = sum(1 for s in sols if s.applied)
        self.solutions_summary.setText(tr("{n} giải pháp, {a} đã áp dụng vào thực tế.").format(n=len(sols), a=applied))
        current = self.target_combo.currentData()
        self.targets = act.reported_targets(db)
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        for t in self.targets:
            self.target_combo.addItem(f"{t.code} — {t.name}", t.id)
        select_data(self.target_combo, current)
        self.target_combo.blockSignals(False)
        self._load_figures()
        self._mentorships = act.list_mentorships(db)
        summaries = act.mentor_summaries(db)
        self.mentors.set_rows(summaries)
        good = sum(1 for x in summaries if x.mentees >= MIN_MENTEES)
        self.mentors_summary.setText(tr("{n} Đại sứ số, {g} người hướng dẫn được từ {k} người trở lên "
                                        "(mô hình “Đại sứ số”: mỗi đại sứ hướng dẫn ít nhất {k} người).").format(
            n=len(summaries), g=good, k=MIN_MENTEES))
        self._load_mentees()

    def _load_mentees(self) -> None:
        mentor = _current(self.mentors_table, self.mentors)
        self.mentees.set_rows([r for r in self._mentorships if mentor is not None and r.mentor_id == mentor.mentor_id])

    def add_mentee(self) -> None:
        mentor = _current(self.mentors_table, self.mentors)
        dialog = MenteeDialog(self.ctx.db, self.models.rows, mentor.mentor_id if mentor else None,
                              mentor.mentor_name if mentor else "", self.ctx.as_of, self)
        if dialog.exec():
            self._after("mentorships")

    def delete_mentee(self) -> None:
        row = _current(self.mentees_table, self.mentees)
        if self._need(row, tr("người được hướng dẫn")) and confirm(self, tr("Bỏ người được hướng dẫn"), tr(
                "Bỏ “{m}” khỏi danh sách người được {d} hướng dẫn?").format(m=row.mentee_name, d=row.mentor_name)):
            try:
                act.delete_mentorship(self.ctx.db, row.id)
            except (act.NotFound, act.PermissionDenied) as exc:
                report_error(self, exc)
            self._after("mentorships")

    def _show_model(self) -> None:
        row = _current(self.models_table, self.models)
        if row is None:
            self.model_detail.setText(tr("Chọn một mô hình để xem chi tiết."))
            return
        reps = "; ".join(f"{r.unit_name} ({vn(r.replicated_on)})" for r in row.replications) or tr("chưa nhân rộng")
        steps = " → ".join(
            f"{MODEL_STATUS_LABELS[st]} {vn(d)}" for st, d in (
                (ModelStatus.REGISTERED, row.registered_on), (ModelStatus.IMPLEMENTING, row.implementing_on),
                (ModelStatus.EVALUATED, row.evaluated_on), (ModelStatus.EXCELLENT, row.excellent_on)) if d)
        self.model_detail.setText(
            f"<b>{row.code} — {row.name}</b> ({row.model_type or tr('chưa ghi loại')})<br>"
            f"{tr('Đơn vị xây dựng')}: {row.owner_name}<br>{tr('Các bước')}: {steps or '—'}<br>"
            f"{tr('Xếp loại')}: {row.rating or '—'} {row.evaluation_quarter}<br>"
            f"{tr('Đánh giá hiệu quả')}: {row.evaluation or '—'}<br>{tr('Nhân rộng tới')}: {reps}"
            + (f"<br>{tr('Người được hướng dẫn (Đại sứ số)')}: {row.mentorships}" if row.mentorships else ""))

    def _target(self) -> act.ReportedTarget | None:
        tid = self.target_combo.currentData()
        return next((t for t in self.targets if t.id == tid), None)

    def _load_figures(self) -> None:
        target = self._target()
        if target is None:
            self.figures.set_rows([])
            self.figures_summary.setText(tr("Kế hoạch không có chỉ tiêu nào do đơn vị báo cáo."))
            return
        rows = act.list_figures(self.ctx.db, target.id)
        self.figures.set_rows(rows)
        self.figures_summary.setText(
            tr("Chỉ tiêu {v}, hạn {d}. Khi tính chỉ tiêu, mỗi đơn vị lấy số liệu mới nhất tính đến ngày xem; "
               "{n} số liệu của {u} đơn vị.").format(v=num(target.target, target.value_kind), d=vn(target.deadline),
                                                    n=len(rows), u=len({r.unit_id for r in rows})))

    # ------------------------------------------------------------------ actions

    def _after(self, what: str) -> None:
        self.ctx.notify(what)

    def _need(self, row, what: str) -> bool:
        if row is None:
            report_error(self, ValueError(tr("Chọn một {w} trong danh sách trước.").format(w=what)))
            return False
        return True

    def add_model(self) -> None:
        if ModelDialog(self.ctx.db, self.units, None, self).exec():
            self._after("models")

    def edit_model(self) -> None:
        row = _current(self.models_table, self.models)
        if self._need(row, tr("mô hình")) and ModelDialog(self.ctx.db, self.units, row, self).exec():
            self._after("models")

    def advance_model(self) -> None:
        row = _current(self.models_table, self.models)
        if self._need(row, tr("mô hình")) and AdvanceDialog(self.ctx.db, row, self).exec():
            self._after("models")

    def replicate(self) -> None:
        row = _current(self.models_table, self.models)
        if self._need(row, tr("mô hình")) and ReplicationDialog(self.ctx.db, self.units, row, self).exec():
            self._after("models")

    def remove_replication(self) -> None:
        row = _current(self.models_table, self.models)
        if not self._need(row, tr("mô hình")):
            return
        if not row.replications:
            report_error(self, ValueError(tr("Mô hình này chưa được nhân rộng.")))
            return
        last = row.replications[-1]
        if confirm(self, tr("Bỏ lần nhân rộng"), tr("Bỏ lần nhân rộng mô hình {c} tới “{u}”?").format(
                c=row.code, u=last.unit_name)):
            try:
                act.delete_replication(self.ctx.db, last.id)
            except (act.NotFound, act.PermissionDenied) as exc:
                report_error(self, exc)
            self._after("models")

    def delete_model(self) -> None:
        row = _current(self.models_table, self.models)
        if self._need(row, tr("mô hình")) and confirm(self, tr("Xóa mô hình"), tr(
                "Xóa mô hình {c} — {n}? Các lần nhân rộng của mô hình cũng bị xóa.").format(c=row.code, n=row.name)):
            try:
                act.delete_model(self.ctx.db, row.id, version=row.version)
            except (act.StaleRecord, act.NotFound, act.PermissionDenied) as exc:
                report_error(self, exc)
            self._after("models")

    def add_solution(self) -> None:
        if SolutionDialog(self.ctx.db, None, self).exec():
            self._after("solutions")

    def edit_solution(self) -> None:
        row = _current(self.solutions_table, self.solutions)
        if self._need(row, tr("giải pháp")) and SolutionDialog(self.ctx.db, row, self).exec():
            self._after("solutions")

    def delete_solution(self) -> None:
        row = _current(self.solutions_table, self.solutions)
        if self._need(row, tr("giải pháp")) and confirm(self, tr("Xóa giải pháp"),
                                                        tr("Xóa giải pháp “{t}”?").format(t=row.title)):
            try:
                act.delete_solution(self.ctx.db, row.id, version=row.version)
            except (act.StaleRecord, act.NotFound, act.PermissionDenied) as exc:
                report_error(self, exc)
            self._after("solutions")

    def add_figure(self) -> None:
        target = self._target()
        if target is None:
            report_error(self, ValueError(tr("Kế hoạch không có chỉ tiêu nào do đơn vị báo cáo.")))
            return
        if FigureDialog(self.ctx.db, self.units, target, None, self.ctx.as_of, self).exec():
            self._after("figures")

    def edit_figure(self) -> None:
        row = _current(self.figures_table, self.figures)
        target = self._target()
        if self._need(row, tr("số liệu")) and target and FigureDialog(self.ctx.db, self.units, target, row,
                                                                       parent=self).exec():
            self._after("figures")

    def delete_figure(self) -> None:
        row = _current(self.figures_table, self.figures)
        if self._need(row, tr("số liệu")) and confirm(self, tr("Xóa số liệu"), tr(
                "Xóa số liệu của {u} ngày {d}?").format(u=row.unit_name, d=vn(row.as_of))):
            try:
                act.delete_figure(self.ctx.db, row.id, version=row.version)
            except (act.StaleRecord, act.NotFound, act.PermissionDenied) as exc:
                report_error(self, exc)
            self._after("figures")
