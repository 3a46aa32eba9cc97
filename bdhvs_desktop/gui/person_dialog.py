"""The person form (add or edit one person) and the bulk "mark proficient with VNeID"
dialog. Every problem is shown in red right under its field; nothing is saved until the
whole form is valid."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain.vocab import SEX_LABELS, Sex
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import dialog_buttons
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import people as people_service
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.records import UnitRow

ERROR_STYLE = "color: #b00020;"
BAD_FIELD_STYLE = "border: 1px solid #b00020;"


class FieldError(QLabel):
    """A red message under a field; hidden when empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_message(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        # A word-wrapped label in a grid does not claim the height of its extra lines by
        # itself; without this a long message is cut off.
        height = self.heightForWidth(max(self.width(), 120)) if self.text() else 0
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)


def _with_error(widget: QWidget) -> tuple[QWidget, FieldError]:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    error = FieldError()
    layout.addWidget(error)
    return box, error


def parse_date_field(text: str) -> dt.date | None:
    """dd/mm/yyyy or empty; ValueError with a Vietnamese message otherwise."""
    return rules.date_cell(text.strip()) if text.strip() else None


def fill_unit_combo(combo: QComboBox, units: list[UnitRow], *, empty: str | None = None) -> None:
    combo.clear()
    if empty is not None:
        combo.addItem(empty, None)
    by_parent: dict[int | None, list[UnitRow]] = {}
    ids = {u.id for u in units}
    for u in units:
        by_parent.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)

    def add(parent: int | None, depth: int) -> None:
        for u in sorted(by_parent.get(parent, []), key=lambda x: x.code):
            combo.addItem("    " * depth + f"{u.name} ({u.code})", u.id)
            add(u.id, depth + 1)

    add(None, 0)


#: The fields the bulk mark writes, for a conflict's "what you typed / what is stored" list.
VNEID_LABELS = {"vneid_proficient_on": tr("Thành thạo VNeID từ ngày"), "vneid_verified_by": tr("Người/đơn vị xác nhận"),
                "can_guide": tr("Hướng dẫn được người dân")}


class PersonDialog(QDialog):
    """Add (person_id None) or edit a person."""

    def __init__(self, ctx, units: list[UnitRow], person_id: int | None = None, parent=None,
                 default_unit_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_id = person_id
        self.version: int | None = None
        self.saved_id: int | None = None
        self.setWindowTitle(tr("Sửa thông tin cá nhân") if person_id else tr("Thêm người"))
        self.setMinimumWidth(620)
        outer = QVBoxLayout(self)
        note = QLabel(tr("Các ô có dấu * là bắt buộc. Ngày nhập dạng dd/mm/yyyy."))
        note.setStyleSheet("color: #555;")
        outer.addWidget(note)

        self.errors: dict[str, FieldError] = {}
        self.inputs: dict[str, QWidget] = {}
        #: The fields by name, for a conflict's "what you typed / what is stored" list.
        self.labels: dict[str, str] = {**VNEID_LABELS, "people_guided": tr("Số người đã hướng dẫn"),
                                       "is_party_member": tr("Đảng viên"),
                                       "is_public_servant": tr("Cán bộ, công chức, viên chức"),
                                       "under_discipline": tr("Kỷ luật"), "discipline_note": tr("Ghi chú kỷ luật")}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)

        def field(key: str, label: str, widget: QWidget, row: int, col: int, span: int = 1) -> None:
            box, error = _with_error(widget)
            grid.addWidget(QLabel(label), row * 2, col)
            grid.addWidget(box, row * 2 + 1, col, 1, span)
            self.errors[key] = error
            self.inputs[key] = widget
            self.labels[key] = label.removesuffix(" *")

        self.full_name = QLineEdit()
        self.full_name.setMaxLength(200)
        field("full_name", tr("Họ và tên *"), self.full_name, 0, 0, 2)
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText("dd/mm/yyyy")
        field("birth_date", tr("Ngày sinh"), self.birth_date, 1, 0)
        self.sex = QComboBox()
        self.sex.addItem(tr("(chưa rõ)"), None)
        for sex in (Sex.MALE, Sex.FEMALE):
            self.sex.addItem(SEX_LABELS[sex], str(sex))
        field("sex", tr("Giới tính"), self.sex, 1, 1)
        self.cccd = QLineEdit()
        self.cccd.setMaxLength(12)
        self.cccd.setPlaceholderText(tr("12 chữ số"))
        field("cccd", tr("Số CCCD"), self.cccd, 2, 0)
        self.unit = QComboBox()
        fill_unit_combo(self.unit, units, empty=tr("(chọn đơn vị)"))
        field("unit_id", tr("Đơn vị *"), self.unit, 2, 1)
        self.position = QLineEdit()
        field("position", tr("Chức vụ"), self.position, 3, 0)
        self.phone = QLineEdit()
        field("phone", tr("Điện thoại"), self.phone, 3, 1)

        flags = QGroupBox(tr("Đảng viên, công chức và kỹ năng số"))
        fl = QGridLayout(flags)
        self.is_party_member = QCheckBox(tr("Đảng viên"))
        self.is_public_servant = QCheckBox(tr("Cán bộ, công chức, viên chức"))
        self.can_guide = QCheckBox(tr("Hướng dẫn được người dân"))
        fl.addWidget(self.is_party_member, 0, 0)
        fl.addWidget(self.is_public_servant, 0, 1)
        fl.addWidget(self.can_guide, 0, 2)
        self.vneid = QLineEdit()
        self.vneid.setPlaceholderText("dd/mm/yyyy")
        box, error = _with_error(self.vneid)
        self.errors["vneid_proficient_on"], self.inputs["vneid_proficient_on"] = error, self.vneid
        fl.addWidget(QLabel(tr("Thành thạo VNeID từ ngày")), 1, 0)
        fl.addWidget(box, 2, 0)
        self.verified_by = QLineEdit()
        box, error = _with_error(self.verified_by)
        self.errors["vneid_verified_by"], self.inputs["vneid_verified_by"] = error, self.verified_by
        fl.addWidget(QLabel(tr("Người/đơn vị xác nhận")), 1, 1)
        fl.addWidget(box, 2, 1)
        self.people_guided = QSpinBox()
        self.people_guided.setRange(0, 1_000_000)
        box, error = _with_error(self.people_guided)
        self.errors["people_guided"], self.inputs["people_guided"] = error, self.people_guided
        fl.addWidget(QLabel(tr("Số người đã hướng dẫn")), 1, 2)
        fl.addWidget(box, 2, 2)
        outer.addWidget(flags)

        discipline = QGroupBox(tr("Kỷ luật"))
        dl = QFormLayout(discipline)
        self.under_discipline = QCheckBox(tr("Đang bị kỷ luật hoặc đang bị xem xét kỷ luật"))
        self.discipline_note = QLineEdit()
        dl.addRow(self.under_discipline)
        dl.addRow(tr("Ghi chú"), self.discipline_note)
        outer.addWidget(discipline)

        self.general_error = FieldError()
        outer.addWidget(self.general_error)
        self.buttons = dialog_buttons(self, accept=self.save)
        outer.addWidget(self.buttons)
        self._extra: dict[str, object] = {}
        if person_id is not None:
            self.load(person_id)
        elif default_unit_id is not None:
            self.unit.setCurrentIndex(max(self.unit.findData(default_unit_id), 0))

    def load(self, person_id: int) -> None:
        # Synchronous: one row by its id (0.3 ms).
        record = people_service.get_person(self.ctx.db, person_id)
        d = record.data
        self.version = record.version
        self.full_name.setText(d.full_name)
        self.birth_date.setText(f"{d.birth_date:%d/%m/%Y}" if d.birth_date else "")
        self.sex.setCurrentIndex(max(self.sex.findData(d.sex), 0))
        self.cccd.setText(d.cccd or "")
        index = self.unit.findData(d.unit_id)
        self.unit.setCurrentIndex(max(index, 0))
        self.position.setText(d.position or "")
        self.phone.setText(d.phone or "")
        self.is_party_member.setChecked(d.is_party_member)
        self.is_public_servant.setChecked(d.is_public_servant)
        self.can_guide.setChecked(d.can_guide)
        self.vneid.setText(f"{d.vneid_proficient_on:%d/%m/%Y}" if d.vneid_proficient_on else "")
        self.verified_by.setText(d.vneid_verified_by or "")
        self.people_guided.setValue(d.people_guided or 0)
        self.under_discipline.setChecked(d.under_discipline)
        self.discipline_note.setText(d.discipline_note or "")
        # fields the form does not show are kept as they are
        self._extra = {"home_town": d.home_town, "residence": d.residence, "qualifications": d.qualifications}

    def collect(self) -> tuple[people_service.PersonData | None, dict[str, str]]:
        errors: dict[str, str] = {}
        dates: dict[str, dt.date | None] = {}
        for key, widget in (("birth_date", self.birth_date), ("vneid_proficient_on", self.vneid)):
            try:
                dates[key] = parse_date_field(widget.text())
            except ValueError as exc:
                errors[key] = str(exc)
                dates[key] = None
        cccd = self.cccd.text().strip().replace(" ", "")
        data = people_service.PersonData(
            full_name=self.full_name.text(), birth_date=dates["birth_date"], sex=self.sex.currentData(),
            cccd=cccd or None, unit_id=self.unit.currentData(), position=self.position.text(),
            is_party_member=self.is_party_member.isChecked(), is_public_servant=self.is_public_servant.isChecked(),
            vneid_proficient_on=dates["vneid_proficient_on"], vneid_verified_by=self.verified_by.text(),
            can_guide=self.can_guide.isChecked(), people_guided=self.people_guided.value(),
            under_discipline=self.under_discipline.isChecked(), discipline_note=self.discipline_note.text(),
            phone=self.phone.text(), **self._extra)
        if data.vneid_proficient_on and not data.vneid_verified_by.strip():
            errors.setdefault("vneid_verified_by", tr("Hãy ghi người hoặc đơn vị đã xác nhận thành thạo VNeID."))
        # every field's message at once: the service's checks, then the form's own (unreadable dates)
        # Synchronous: indexed look-ups of the CCCD and the unit (0.9 ms), every message at once.
        errors = {**people_service.validate_person(self.ctx.db, data, self.person_id), **errors}
        return data, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.show_message(errors.get(key))
            widget = self.inputs.get(key)
            if widget is not None:
                widget.setStyleSheet(BAD_FIELD_STYLE if key in errors else "")
        unknown = [m for k, m in errors.items() if k not in self.errors]
        self.general_error.show_message(" ".join(unknown))
        self.layout().activate()
        self.adjustSize()
        if errors:
            first = next((self.inputs[k] for k in self.inputs if k in errors), None)
            if first is not None:
                first.setFocus()

    def save(self) -> None:
        data, errors = self.collect()
        self.show_errors(errors)
        if errors:
            return
        person_id, version = self.person_id, self.version

        def saved(new_id: int) -> None:
            self.saved_id = new_id
            self.accept()

        ops.run(self, lambda db: people_service.save_person(db, data, person_id, version=version),
                changes=Changes.of(Change.PEOPLE), success=saved,
                failure=lambda exc: ops.take_problems(exc, self.show_errors), title=tr("Đang lưu"), labels=self.labels)


class BulkVneidDialog(QDialog):
    """Mark the selected people proficient with VNeID on a date, verified by whom."""

    def __init__(self, ctx, person_ids: list[int], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_ids = person_ids
        self.result_info: people_service.BulkResult | None = None
        self.setWindowTitle(tr("Đánh dấu thành thạo VNeID"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Đánh dấu {n} người đã chọn là thành thạo ứng dụng VNeID.").format(n=len(person_ids)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.on = QLineEdit(f"{dt.date.today():%d/%m/%Y}")
        self.on.setPlaceholderText("dd/mm/yyyy")
        box, self.on_error = _with_error(self.on)
        form.addRow(tr("Thành thạo từ ngày *"), box)
        self.verified_by = QLineEdit()
        self.verified_by.setPlaceholderText(tr("ví dụ: Công an phường"))
        box, self.by_error = _with_error(self.verified_by)
        form.addRow(tr("Người/đơn vị xác nhận *"), box)
        self.can_guide = QCheckBox(tr("Đồng thời ghi nhận: hướng dẫn được người dân"))
        form.addRow(self.can_guide)
        self.overwrite = QCheckBox(tr("Ghi đè cả người đã có ngày thành thạo sớm hơn"))
        form.addRow(self.overwrite)
        layout.addLayout(form)
        hint = QLabel(tr("Người đã thành thạo từ một ngày sớm hơn được giữ nguyên ngày đó (ngày sớm hơn mới là mốc "
                         "tính chỉ tiêu quý I), trừ khi chọn ghi đè."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        self.general_error = FieldError()
        layout.addWidget(self.general_error)
        layout.addWidget(dialog_buttons(self, tr("Ghi nhận"), self.apply))

    def apply(self) -> None:
        errors: dict[str, str] = {}
        try:
            on = parse_date_field(self.on.text())
        except ValueError as exc:
            on, errors["on"] = None, str(exc)
        if on is None and "on" not in errors:
            errors["on"] = tr("Hãy nhập ngày thành thạo (dd/mm/yyyy).")
        if not self.verified_by.text().strip():
            errors["verified_by"] = tr("Hãy ghi người hoặc đơn vị xác nhận (ví dụ: Công an phường).")
        self._show(errors)
        if errors:
            return
        ids, by = self.person_ids, self.verified_by.text()
        options = dict(can_guide=True if self.can_guide.isChecked() else None, overwrite=self.overwrite.isChecked())

        def done(info) -> None:
            self.result_info = info
            self.accept()

        def refused(exc: BaseException) -> bool:
            # Invalid input is said next to its field; a conflict goes by ops' one rule (the
            # question with what differs, then the people page reloads; this dialog stays open).
            if ops.error_kind(exc) is not ops.ErrorKind.INVALID:
                return False
            self._show(dict(ops.problems_of(exc)) or {"people": str(exc)})
            return True

        ops.run(self, lambda db: people_service.mark_vneid_proficient(db, ids, on, by, **options),
                changes=Changes.of(Change.PEOPLE), success=done, failure=refused, title=tr("Đang ghi nhận"),
                labels=VNEID_LABELS)

    def _show(self, errors: dict[str, str]) -> None:
        self.on_error.show_message(errors.get("on"))
        self.by_error.show_message(errors.get("verified_by"))
        self.general_error.show_message(errors.get("people"))
        self.layout().activate()
        self.adjustSize()


__all__ = ["PersonDialog", "BulkVneidDialog", "FieldError", "fill_unit_combo", "parse_date_field", "Qt"]
