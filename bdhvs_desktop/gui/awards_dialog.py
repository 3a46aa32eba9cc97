"""The award register in the window: the register (list, search, add/edit/delete, Excel import),
one subject's award history (person, unit, council candidate), and the award decision
(draft, issue with its number and date).

    AwardRegisterDialog(ctx, parent).exec()
    AwardHistoryDialog(ctx, "person", person_id, title, parent).exec()
    DecisionDialog(ctx, parent).exec()
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.documents.awards_excel import write_awards_template
from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.decision_dialog import DecisionDialog
from bdhvs_desktop.gui.forms import actions_row, dialog_buttons
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import awards, council
from bdhvs_desktop.services.changes import Change, Changes

COLUMNS = [tr("Ngày QĐ"), tr("Số quyết định"), tr("Tập thể, cá nhân"), tr("CCCD / mã"), tr("Hình thức khen thưởng"),
           tr("Cấp"), tr("Loại"), tr("Tính cho khen thưởng sau"), tr("Nguồn")]


def _to_qdate(day: dt.date | None) -> QDate:
    day = day or dt.date.today()
    return QDate(day.year, day.month, day.day)


def _from_qdate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class AwardsModel(QAbstractTableModel):
    """Plain rows of AwardInfo (pitfall 6: no QStandardItemModel, no proxy sorting)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list = []
        self.rows: list[tuple[str, ...]] = []

    def set_items(self, items) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.rows = [(
            f"{a.decision_date:%d/%m/%Y}" if a.decision_date else "",
            a.decision_number or "",
            a.subject_name + (f" — {a.unit_name}" if a.unit_name and a.subject_type == "person" else ""),
            a.cccd or a.unit_code or "",
            a.award_name,
            tr(a.level_label),
            tr(a.kind_label),
            tr("Có") if a.counts_toward_merit else tr("Không (chuyên đề, đột xuất)"),
            tr(a.source_label) + (tr(" (khớp theo tên)") if a.match == "name" else ""),
        ) for a in self.items]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
                a = self.items[index.row()]
                return a.decision_ref + (f"\n{a.achievement}" if a.achievement else "")
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


def _table(model) -> QTableView:
    t = QTableView()
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    header = t.horizontalHeader()
    # Short columns fit their contents and header; the name and the award form share the rest.
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for wide in (2, 4):
        header.setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)
    return t


class AwardFormDialog(QDialog):
    """Add or edit one register entry. *subject* pre-fills a new entry: dict(subject_type=…,
    subject_name=…, cccd=…, unit_code=…, person_id=…, unit_id=…)."""

    def __init__(self, ctx, award_id: int | None = None, subject: dict | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)

        self.ctx = ctx
        self.award_id = award_id
        self.version: int | None = None
        self.subject = dict(subject or {})
        self.setWindowTitle(tr("Sửa khen thưởng") if award_id else tr("Thêm khen thưởng vào sổ"))
        form = QFormLayout()
        self.subject_type = QComboBox()
        for subject in (vocab.AwardSubject.PERSON, vocab.AwardSubject.UNIT):
            self.subject_type.addItem(vocab.AWARD_SUBJECT_LABELS[subject], str(subject))
        self.name = QLineEdit()
        self.cccd = QLineEdit()
        self.cccd.setPlaceholderText(tr("12 chữ số (cá nhân)"))
        self.unit_name = QLineEdit()
        self.award = QComboBox()
        self.award.setEditable(True)
        # Synchronous: the award forms table (~20 rows, 0.3 ms).
        self._forms = {f.name: f for f in council.list_award_forms(ctx.db)}
        for f in self._forms.values():
            self.award.addItem(f.name, f.code)
        self.level = QComboBox()
        for k, label in vocab.AWARD_LEVEL_LABELS.items():
            self.level.addItem(tr(label), k.value)
        self.level.setCurrentIndex(1)
        self.kind = QComboBox()
        for k, label in vocab.AWARD_KIND_LABELS.items():
            self.kind.addItem(tr(label), k.value)
        self.number = QLineEdit()
        self.number.setPlaceholderText(tr("ví dụ 15/QĐ-UBND"))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(_to_qdate(None))
        self.authority = QLineEdit()
        self.campaign = QLineEdit()
        self.achievement = QPlainTextEdit()
        self.achievement.setFixedHeight(70)
        self.prize = QLineEdit()
        self.prize.setPlaceholderText(tr("số đồng, ví dụ 500000 (để trống nếu không có)"))
        for label, w in ((tr("Đối tượng"), self.subject_type), (tr("Tên tập thể, cá nhân"), self.name),
                         (tr("Số CCCD"), self.cccd), (tr("Đơn vị"), self.unit_name),
                         (tr("Hình thức khen thưởng"), self.award), (tr("Cấp khen thưởng"), self.level),
                         (tr("Loại khen thưởng"), self.kind), (tr("Số quyết định"), self.number),
                         (tr("Ngày quyết định"), self.date), (tr("Cơ quan, người khen thưởng"), self.authority),
                         (tr("Phong trào, chuyên đề"), self.campaign), (tr("Thành tích"), self.achievement),
                         (tr("Tiền thưởng"), self.prize)):
            form.addRow(label, w)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        buttons = dialog_buttons(self, accept=self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.award.currentIndexChanged.connect(self._award_chosen)
        if award_id is not None:
            # Synchronous: one row by its id.
            self._load(awards.get_award(ctx.db, award_id))
        elif self.subject:
            self.subject_type.setCurrentIndex(0 if self.subject.get("subject_type", "person") == "person" else 1)
            self.name.setText(self.subject.get("subject_name") or "")
            self.cccd.setText(self.subject.get("cccd") or "")
            self.unit_name.setText(self.subject.get("unit_name") or "")
            for w in (self.subject_type, self.name, self.cccd):
                w.setEnabled(False)
        self.resize(560, 560)

    def _award_chosen(self, _index: int) -> None:
        f = self._forms.get(self.award.currentText())
        if f is None:
            return
        i = self.level.findData(f.level or "ward")
        if i >= 0:
            self.level.setCurrentIndex(i)

    def _load(self, a) -> None:
        self.version = a.version
        self.subject = {"person_id": a.person_id, "unit_id": a.unit_id, "unit_code": a.unit_code}
        self.subject_type.setCurrentIndex(0 if a.subject_type == "person" else 1)
        self.name.setText(a.subject_name)
        self.cccd.setText(a.cccd or "")
        self.unit_name.setText(a.unit_name or "")
        self.award.setEditText(a.award_name)
        self.level.setCurrentIndex(max(0, self.level.findData(a.level)))
        self.kind.setCurrentIndex(max(0, self.kind.findData(a.kind)))
        self.number.setText(a.decision_number or "")
        self.date.setDate(_to_qdate(a.decision_date))
        self.authority.setText(a.granting_authority or "")
        self.campaign.setText(a.campaign_text or "")
        self.achievement.setPlainText(a.achievement or "")
        self.prize.setText(str(a.prize_amount) if a.prize_amount else "")
        self._campaign_id = a.campaign_id
        if a.source == "issued":
            for w in (self.subject_type, self.name, self.cccd, self.award, self.level, self.kind, self.number,
                      self.date):
                w.setEnabled(False)

    def data(self):
        try:
            prize = rules.parse_prize(self.prize.text())
        except ValueError as exc:
            raise awards.AwardValidationError({"prize_amount": tr("Tiền thưởng: ") + str(exc)}) from exc
        f = self._forms.get(self.award.currentText())
        return awards.AwardData(
            subject_type=self.subject_type.currentData(), subject_name=self.name.text(),
            award_name=self.award.currentText(), award_code=f.code if f else None, level=self.level.currentData(),
            kind=self.kind.currentData(), decision_number=self.number.text(),
            decision_date=_from_qdate(self.date.date()), cccd=self.cccd.text() or None,
            unit_name=self.unit_name.text() or None, unit_code=self.subject.get("unit_code"),
            granting_authority=self.authority.text() or None, campaign_id=getattr(self, "_campaign_id", None),
            campaign_text=self.campaign.text() or None, achievement=self.achievement.toPlainText() or None,
            prize_amount=prize, person_id=self.subject.get("person_id"), unit_id=self.subject.get("unit_id"))

    def save(self) -> None:
        try:
            data = self.data()
        except awards.AwardValidationError as exc:
            self._refused(exc)
            return
        award_id, version = self.award_id, self.version or 0

        def write(db):
            if award_id is None:
                return awards.add_award(db, data), None
            return award_id, awards.update_award(db, award_id, data, version)

        def saved(result) -> None:
            self.award_id, new_version = result
            if new_version is not None:
                self.version = new_version
            self.accept()

        ops.run(self, write, changes=Changes.of(Change.AWARDS), success=saved, failure=self._refused,
                title=tr("Đang lưu khen thưởng"))

    def _refused(self, exc: BaseException) -> bool:
        """Invalid input: the problems under the form, which stays open."""
        return ops.take_problems(exc, lambda problems: self.error.setText("\n".join(problems.values())))


class AwardHistoryDialog(QDialog):
    """One subject's awards (person or unit), newest first, with "Thêm…" to type an older one."""

    def __init__(self, ctx, subject_type: str, subject_id: int, title: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.subject_type = subject_type
        self.subject_id = subject_id
        self.title = title
        self.setWindowTitle(tr("Khen thưởng — {what}").format(what=title))
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.model = AwardsModel(self)
        self.table = _table(self.model)
        layout.addWidget(self.table, 1)
        self.add_button = QPushButton(tr("Thêm khen thưởng trước đây…"))
        self.add_button.clicked.connect(self.add)
        layout.addLayout(actions_row(self, self.add_button))
        self.refresh()
        self.resize(1000, 380)

    def refresh(self) -> None:
        if self.subject_type == "person":
            # Synchronous (both branches): one subject's awards, an indexed read of a few rows.
            items = awards.history(self.ctx.db, person_id=self.subject_id)
        else:
            items = awards.history(self.ctx.db, unit_id=self.subject_id)
        self.model.set_items(items)
        merit = sum(1 for a in items if a.counts_toward_merit)
        self.heading.setText(
            tr("<b>{what}</b>: {n} khen thưởng; {m} được tính cho đề nghị khen thưởng thành tích sau này "
               "(khen thưởng chuyên đề, đột xuất không tính).").format(what=self.title, n=len(items), m=merit)
            if items else tr("<b>{what}</b>: chưa có khen thưởng nào trong sổ.").format(what=self.title))

    def subject_defaults(self) -> dict:
        from bdhvs_desktop.services import lookup  # lazy: start-up

        # Synchronous: one person or unit by its id (0.4 ms on the demo ward, 0.8 ms on a ward of
        # 30,000 people); {} when the record is gone, not an error.
        defaults = lookup.register_subject(self.ctx.db, self.subject_type, self.subject_id)
        defaults.pop("position", None)  # the history dialog leaves the position to be typed
        return defaults

    def add(self) -> None:
        if AwardFormDialog(self.ctx, None, self.subject_defaults(), self).exec():
            self.refresh()


class AwardRegisterDialog(QDialog):
    """The whole register: search, add, edit, delete, import from Excel, blank template."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Sổ theo dõi khen thưởng"))
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Tìm theo tên, CCCD hoặc số quyết định"))
        bar.addWidget(self.search, 1)
        self.add_button = QPushButton(tr("Thêm…"))
        self.edit_button = QPushButton(tr("Sửa…"))
        self.delete_button = QPushButton(tr("Xóa"))
        self.import_button = QPushButton(tr("Nhập từ Excel…"))
        self.template_button = QPushButton(tr("Tệp mẫu Excel…"))
        for b in (self.add_button, self.edit_button, self.delete_button, self.import_button, self.template_button):
            bar.addWidget(b)
        layout.addLayout(bar)
        self.model = AwardsModel(self)
        self.table = _table(self.model)
        layout.addWidget(self.table, 1)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.import_button.clicked.connect(self.import_file)
        self.template_button.clicked.connect(self.save_template)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.refresh()
        self.resize(1150, 560)

    def refresh(self) -> None:
        # Synchronous: filtered in SQL and limited; a ward registers tens of awards a year (0.5 ms on the demo).
        items = awards.list_awards(self.ctx.db, text=self.search.text().strip() or None, limit=5000)
        self.model.set_items(items)
        self.count.setText(tr("{n} khen thưởng").format(n=len(items)))

    def current(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.items[rows[0].row()] if rows else None

    def add(self) -> None:
        if AwardFormDialog(self.ctx, None, None, self).exec():
            self.refresh()

    def edit(self) -> None:
        a = self.current()
        if a is not None and AwardFormDialog(self.ctx, a.id, None, self).exec():
            self.refresh()

    def delete(self) -> None:
        a = self.current()
        if a is None:
            return
        if QMessageBox.question(self, tr("Xóa khỏi sổ"), tr("Xóa khen thưởng của {name} ({ref})?").format(
                name=a.subject_name, ref=a.decision_ref)) != QMessageBox.StandardButton.Yes:
            return
        ops.run(self, lambda db: awards.delete_award(db, a.id, a.version), changes=Changes.of(Change.AWARDS),
                finished=self.refresh, title=tr("Đang xóa khỏi sổ"))

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Nhập sổ khen thưởng"), "", tr("Excel (*.xlsx)"))
        if not path:
            return

        def checked(dry) -> None:
            details = "\n".join((dry.errors + dry.warnings)[:30])
            if dry.errors:
                ops.refuse(self, dry.status_line() + "\n\n" + details)
                return
            if QMessageBox.question(self, tr("Nhập sổ khen thưởng"), dry.status_line() + "\n\n" + details +
                                    "\n\n" + tr("Ghi vào sổ?")) != QMessageBox.StandardButton.Yes:
                return
            ops.run(self, lambda db: awards.import_awards(db, path), changes=Changes.of(Change.AWARDS),
                    title=tr("Đang nhập sổ khen thưởng"), finished=self.refresh,
                    success=lambda result: QMessageBox.information(self, tr("Nhập sổ khen thưởng"),
                                                                   result.status_line()))

        # Reading the workbook can take a while; an unusable file is shown as invalid input.
        ops.run(self, lambda db: awards.import_awards(db, path, dry_run=True), success=checked,
                title=tr("Đang đọc tệp…"))

    def save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Tệp mẫu sổ khen thưởng"), "so-khen-thuong.xlsx",
                                              tr("Excel (*.xlsx)"))
        if path:
            write_awards_template(path)

__all__ = ["COLUMNS", "AwardFormDialog", "AwardHistoryDialog", "AwardRegisterDialog", "AwardsModel", "DecisionDialog"]
