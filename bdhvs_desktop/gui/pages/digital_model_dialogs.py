"""The dialogs of the digital models page (Mô hình): a digital model, its next stage, a
replication, a solution, a reported figure and a mentee of a Đại sứ số. Each one's save() returns
the service call that the form runs as an operation (gui/forms.py, gui/ops.py)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)

from bdhvs_desktop.domain.vocab import MODEL_STATUS_LABELS, MODEL_STATUS_ORDER, ModelStatus
from bdhvs_desktop.gui.forms import (
    FormDialog,
    OptionalDate,
    add_or_update,
    date_edit,
    to_date,
)
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.activities import PersonPicker, select_data, unit_combo
from bdhvs_desktop.services import activities as act


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

    def save(self):
        data = act.ModelInput(
            code=self.code.text(), name=self.name.text(), owner_unit_id=self.owner.currentData(),
            status=self.status.currentData(), model_type=self.model_type.currentText(),
            registered_on=self.registered.value(), implementing_on=self.implementing.value(),
            evaluated_on=self.evaluated.value(), excellent_on=self.excellent.value(),
            rating=self.rating.currentText(), evaluation_quarter=self.quarter.text(),
            evaluation=self.evaluation.toPlainText(), description=self.description.toPlainText())
        return add_or_update(self.row, data, act.add_model, act.update_model)


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

    def save(self):
        if self.status.count() == 0:
            raise act.ValidationError([("status", tr("Mô hình đã ở bước cuối; dùng “Nhân rộng tới đơn vị…”."))])
        row, status, day = self.row, self.status.currentData(), to_date(self.day.date())
        extra = dict(rating=self.rating.currentText() or None, quarter=self.quarter.text() or None,
                     evaluation=self.evaluation.toPlainText() or None, version=row.version)
        return lambda db: act.advance_model(db, row.id, status, day, **extra)


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

    def save(self):
        unit = self.unit.currentData()
        if unit is None:
            raise act.ValidationError([("unit_id", tr("Đơn vị nhân rộng: chưa chọn."))])
        model_id, day = self.row.id, to_date(self.day.date())
        return lambda db: act.add_replication(db, model_id, unit, day)


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

    def save(self):
        data = act.SolutionInput(self.person.value(), self.title_edit.text(), self.description.toPlainText(),
                                 self.applied.isChecked(),
                                 to_date(self.applied_on.date()) if self.applied.isChecked() else None,
                                 self.effect.toPlainText())
        return add_or_update(self.row, data, act.add_solution, act.update_solution)


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

    def save(self):
        den = self.denominator.value()
        data = act.FigureInput(self.target.id, self.unit.currentData(), to_date(self.day.date()),
                               self.numerator.value(), den if den or self.target.value_kind == "count" else None,
                               self.note.text())
        return add_or_update(self.row, data, act.add_figure, act.update_figure)


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

    def save(self):
        mentor = self.mentor.value()
        if mentor is None:
            raise act.ValidationError([("mentor_id", tr("Đại sứ số: chưa chọn người."))])
        mentee_id = self.mentee.value()
        name = self.mentee_name.text().strip()
        if not name and mentee_id is not None:
            name = self.mentee.combo.currentText().split(" — ")[0]
        model_id, day = self.model.currentData(), to_date(self.day.date())
        return lambda db: act.add_mentorship(db, mentor, name, mentee_person_id=mentee_id, model_id=model_id,
                                             started_on=day)
