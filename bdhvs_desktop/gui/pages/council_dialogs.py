"""The Hội đồng page's dialogs: member scores, a new meeting, the candidates' lifecycle, the council's
members and its quorum and passing rules; and the small table helpers the page shares."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import (
    COUNCIL_ROLE_LABELS,
    SUBJECT_KIND_LABELS,
    VOTING_METHOD_LABELS,
    CouncilRole,
    SubjectKind,
)
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import actions_row, dialog_buttons, rows_table
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.council import (
    add_member,
    list_candidates,
    list_members,
    set_member_active,
    set_status,
    update_candidate,
    withdraw,
)
from bdhvs_desktop.services.records import list_units

AMBER = QColor("#8a5a00")
KIND_ORDER = {"party_org": 0, "collective": 1, "individual": 2}


_pts = points_text


def _item(text: str, color: QColor | None = None, tip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color is not None:
        item.setForeground(color)
    if tip:
        item.setToolTip(tip)
    return item


class MemberScoresDialog(QDialog):
    """Each present member's score for one candidate; a conflicted member cannot score it."""

    def __init__(self, view, row, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Điểm của thành viên Hội đồng"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Hồ sơ: <b>{name}</b> (điểm tối đa {m})").format(
            name=html.escape(row.candidate.name), m=_pts(row.max_points))))
        form = QFormLayout()
        self.boxes: list[tuple[int, QSpinBox]] = []
        conflicted = " ".join(row.conflicts)
        for a in view.attendance:
            if not a.present:
                continue
            box = QSpinBox()
            box.setRange(0, int(row.max_points or 100))
            box.setSpecialValueText(tr("(không chấm)"))
            if a.full_name in conflicted:
                box.setEnabled(False)
                box.setToolTip(tr("Xung đột lợi ích: không chấm hồ sơ này"))
                form.addRow(a.full_name + tr(" ⚠"), box)
                continue
            form.addRow(a.full_name, box)
            self.boxes.append((a.member_id, box))
        layout.addLayout(form)
        note = QLabel(tr("Ô để trống (0) là thành viên không chấm. Trung bình và trung vị được tính ngay trên trang."))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(dialog_buttons(self))

    def values(self) -> list[tuple[int, float]]:
        return [(mid, float(box.value())) for mid, box in self.boxes if box.value() > 0]


class MeetingDialog(QDialog):
    def __init__(self, members, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Phiên họp mới"))
        form = QFormLayout(self)
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setDisplayFormat("HH:mm dd/MM/yyyy")
        self.when.setCalendarPopup(True)
        self.place = QLineEdit()
        self.place.setPlaceholderText(tr("ví dụ: Hội trường Đảng ủy phường"))
        self.chair, self.secretary = QComboBox(), QComboBox()
        for combo, role in ((self.chair, "chair"), (self.secretary, "secretary")):
            for m in members:
                combo.addItem(f"{m.full_name} — {COUNCIL_ROLE_LABELS[CouncilRole(m.role)]}", m.id)
            combo.setCurrentIndex(next((i for i, m in enumerate(members) if m.role == role), 0))
        self.method = QComboBox()
        for method, label in VOTING_METHOD_LABELS.items():
            self.method.addItem(label, method.value)
        self.has_end = QCheckBox(tr("Giờ kết thúc:"))
        self.end = QDateTimeEdit(QDateTime.currentDateTime().addSecs(2 * 3600))
        self.end.setDisplayFormat("HH:mm dd/MM/yyyy")
        self.end.setCalendarPopup(True)
        self.end.setEnabled(False)
        self.has_end.toggled.connect(self.end.setEnabled)
        self.discussion = QPlainTextEdit()
        self.discussion.setPlaceholderText(tr("Nội dung cuộc họp (mục II của biên bản); có thể ghi sau"))
        self.discussion.setFixedHeight(90)
        form.addRow(tr("Bắt đầu (giờ Việt Nam):"), self.when)
        form.addRow(self.has_end, self.end)
        form.addRow(tr("Địa điểm:"), self.place)
        form.addRow(tr("Chủ trì:"), self.chair)
        form.addRow(tr("Thư ký:"), self.secretary)
        form.addRow(tr("Hình thức biểu quyết:"), self.method)
        form.addRow(tr("Nội dung cuộc họp:"), self.discussion)
        note = QLabel(tr("Mọi thành viên được ghi có mặt; ghi vắng (kèm lý do) ở bảng điểm danh. "
                         "Các hồ sơ đã đề nghị được đưa vào phiên họp."))
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(dialog_buttons(self, tr("Mở phiên họp")))

    def values(self) -> tuple[dt.datetime, str | None, int | None, int | None, str, dt.datetime | None, str | None]:
        when = self.when.dateTime().toPython()
        end = self.end.dateTime().toPython().replace(second=0, microsecond=0) if self.has_end.isChecked() else None
        return (when.replace(second=0, microsecond=0), self.place.text().strip() or None, self.chair.currentData(),
                self.secretary.currentData(), self.method.currentData(), end,
                self.discussion.toPlainText().strip() or None)


class CandidatesDialog(QDialog):
    """Every candidate with its lifecycle: move a draft to proposed (or back), withdraw, rewrite
    the summary, or record "not approved" with its reason. Decided results change only by
    reopening them on the meeting page."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.changed = False
        self.setWindowTitle(tr("Hồ sơ đề nghị khen thưởng"))
        layout = QVBoxLayout(self)
        self.table = rows_table([tr("Đối tượng"), tr("Loại"), tr("Hình thức khen thưởng"), tr("Trạng thái"),
                                 tr("Tóm tắt thành tích")])
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.propose_button = QPushButton(tr("Đề nghị"))
        self.draft_button = QPushButton(tr("Trả về nháp"))
        self.summary_button = QPushButton(tr("Sửa tóm tắt…"))
        self.reject_button = QPushButton(tr("Không thông qua…"))
        self.withdraw_button = QPushButton(tr("Rút hồ sơ"))
        layout.addLayout(actions_row(self, self.propose_button, self.draft_button, self.summary_button,
                                     self.reject_button, self.withdraw_button))
        self.propose_button.clicked.connect(lambda: self._status("proposed"))
        self.draft_button.clicked.connect(lambda: self._status("draft"))
        self.summary_button.clicked.connect(self.edit_summary)
        self.reject_button.clicked.connect(self.reject_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.table.itemSelectionChanged.connect(self._update)
        self.resize(1100, 520)
        self.reload()

    def reload(self) -> None:
        # Synchronous: the candidates of the campaign (tens, 2.7 ms on the demo ward), no scoring.
        self.rows = sorted(list_candidates(self.ctx.db), key=lambda c: (KIND_ORDER.get(c.kind, 9), c.name))
        self.table.setRowCount(len(self.rows))
        for r, c in enumerate(self.rows):
            status = c.status_label + (tr(" — đã khóa") if c.locked else "")
            for col, text in enumerate((c.name, SUBJECT_KIND_LABELS[SubjectKind(c.kind)], c.award_name or "",
                                        status, c.summary or "")):
                self.table.setItem(r, col, _item(text, tip=c.decision_reason if col == 3 else text))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 320))
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 300))
        self._update()

    def current(self):
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update(self) -> None:
        c = self.current()
        status = c.status if c else None
        self.propose_button.setEnabled(status == "draft")
        self.draft_button.setEnabled(status == "proposed")
        self.summary_button.setEnabled(c is not None and not c.locked)
        self.reject_button.setEnabled(status == "reviewed")
        self.withdraw_button.setEnabled(status in ("draft", "proposed"))

    def _do(self, fn, title: str, labels: dict[str, str] | None = None) -> None:
        """fn(db) as an operation; the list reloads after it, whether it worked or not."""
        def done(_result) -> None:
            self.changed = True

        ops.run(self, fn, changes=Changes.of(Change.CANDIDATES), success=done, finished=self.reload, title=title,
                labels=labels, reload=self.reload)

    def _status(self, status: str) -> None:
        c = self.current()
        if c is not None:
            self._do(lambda db: set_status(db, c.id, status), tr("Đang chuyển trạng thái hồ sơ"))

    def edit_summary(self) -> None:
        c = self.current()
        if c is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, tr("Tóm tắt thành tích"), c.name, c.summary or "")
        if ok:  # a conflict shows what was typed and what is stored (gui/ops.py), nothing is lost
            self._do(lambda db: update_candidate(db, c.id, summary=text, version=c.version),
                     tr("Đang lưu tóm tắt thành tích"), {"summary": tr("Tóm tắt thành tích")})

    def reject_selected(self) -> None:
        c = self.current()
        if c is None:
            return
        reason, ok = QInputDialog.getText(self, tr("Không thông qua"), tr("Lý do không thông qua {name}:")
                                          .format(name=c.name))
        if ok:
            self._do(lambda db: set_status(db, c.id, "rejected", reason), tr("Đang ghi không thông qua"))

    def withdraw_selected(self) -> None:
        c = self.current()
        if c is not None and QMessageBox.question(self, tr("Rút hồ sơ"), tr("Rút hồ sơ đề nghị của {name}?")
                                                  .format(name=c.name)) == QMessageBox.StandardButton.Yes:
            self._do(lambda db: withdraw(db, c.id), tr("Đang rút hồ sơ"))


class MembersDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Thành viên Hội đồng Thi đua - Khen thưởng"))
        layout = QVBoxLayout(self)
        self.table = rows_table([tr("Họ và tên"), tr("Chức vụ"), tr("Vai trò"), tr("Đơn vị công tác")], single=False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        form = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("Họ và tên"))
        self.position = QLineEdit()
        self.position.setPlaceholderText(tr("Chức vụ"))
        self.role = QComboBox()
        for role, label in COUNCIL_ROLE_LABELS.items():
            self.role.addItem(label, role.value)
        self.role.setCurrentIndex(self.role.findData("member"))
        self.unit = QComboBox()
        self.unit.addItem(tr("(đơn vị công tác)"), None)

        # Synchronous: the unit list (tens of units, 1-3 ms).
        for u in list_units(ctx.db):
            self.unit.addItem(u.name, u.code)
        add = QPushButton(tr("Thêm"))
        for w in (self.name, self.position, self.role, self.unit, add):
            form.addWidget(w)
        layout.addLayout(form)
        remove = QPushButton(tr("Thôi làm thành viên"))
        layout.addLayout(actions_row(self, remove))
        add.clicked.connect(self.add)
        remove.clicked.connect(self.remove)
        self.resize(900, 420)
        self.reload()

    def reload(self) -> None:
        # Synchronous: the council's members, a dozen rows.
        self.members = list_members(self.ctx.db)
        self.table.setRowCount(len(self.members))
        for r, m in enumerate(self.members):
            for col, text in enumerate((m.full_name, m.position or "", COUNCIL_ROLE_LABELS[CouncilRole(m.role)],
                                        m.unit_name or "")):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def add(self) -> None:
        name, position, role, unit = (self.name.text(), self.position.text(), self.role.currentData(),
                                      self.unit.currentData())

        def added(_member_id) -> None:
            self.name.clear()
            self.position.clear()
            self.reload()

        ops.run(self, lambda db: add_member(db, name, position=position, role=role, unit_code=unit),
                changes=Changes.of(Change.COUNCIL), success=added, title=tr("Đang thêm thành viên"))

    def remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            member_id = self.members[rows[0].row()].id
            ops.run(self, lambda db: set_member_active(db, member_id, False), changes=Changes.of(Change.COUNCIL),
                    success=lambda _r: self.reload(), title=tr("Đang cập nhật thành viên"))


class RulesDialog(QDialog):
    def __init__(self, rules: dc.CouncilRules, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Túc số và tỷ lệ thông qua"))
        form = QFormLayout(self)
        self.qn, self.qd, self.pn, self.pd = QSpinBox(), QSpinBox(), QSpinBox(), QSpinBox()
        for w, v in ((self.qn, rules.quorum_num), (self.qd, rules.quorum_den), (self.pn, rules.pass_num),
                     (self.pd, rules.pass_den)):
            w.setRange(0, 100)
            w.setValue(v)
        quorum = QHBoxLayout()
        quorum.addWidget(self.qn)
        quorum.addWidget(QLabel("/"))
        quorum.addWidget(self.qd)
        quorum.addWidget(QLabel(tr("tổng số thành viên trở lên")))
        form.addRow(tr("Túc số: có mặt từ"), quorum)
        self.strict = QComboBox()
        self.strict.addItem(tr("trên"), True)
        self.strict.addItem(tr("từ (bằng hoặc hơn)"), False)
        self.strict.setCurrentIndex(0 if rules.pass_strict else 1)
        self.base = QComboBox()
        self.base.addItem(tr("tổng số thành viên Hội đồng"), "all")
        self.base.addItem(tr("số thành viên có mặt"), "present")
        self.base.setCurrentIndex(0 if rules.pass_base == "all" else 1)
        passing = QHBoxLayout()
        passing.addWidget(self.strict)
        passing.addWidget(self.pn)
        passing.addWidget(QLabel("/"))
        passing.addWidget(self.pd)
        passing.addWidget(self.base)
        form.addRow(tr("Thông qua khi số phiếu tán thành"), passing)
        self.spread = QSpinBox()
        self.spread.setRange(0, 100)
        self.spread.setValue(int(rules.spread_threshold))
        form.addRow(tr("Cảnh báo khi điểm các thành viên chênh nhau trên"), self.spread)
        form.addRow(dialog_buttons(self))

    def value(self) -> dc.CouncilRules:
        return dc.CouncilRules(self.qn.value(), self.qd.value(), self.pn.value(), self.pd.value(),
                               self.strict.currentData(), self.base.currentData(), float(self.spread.value()))
