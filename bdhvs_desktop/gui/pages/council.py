"""Hội đồng: the meeting (attendance, quorum, ballots), the candidates with their scores, vote
entry with the result shown live, conflict-of-interest flags, deciding, locking and reopening."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
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
    VotingMethod,
)
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.pages.scoring import FAIL_COLOR as RED
from bdhvs_desktop.gui.pages.scoring import PASS_COLOR as GREEN

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


class CouncilPage(Page):
    title = tr("Hội đồng")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.view = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("Phiên họp:")))
        self.meetings = QComboBox()
        self.meetings.setMinimumContentsLength(30)
        bar.addWidget(self.meetings, 1)
        self.new_button = QPushButton(tr("Phiên họp mới…"))
        self.details_button = QPushButton(tr("Chi tiết phiên họp…"))
        self.details_button.setToolTip(tr("Giờ bắt đầu, kết thúc, nội dung cuộc họp, Ban kiểm phiếu"))
        self.members_button = QPushButton(tr("Thành viên Hội đồng…"))
        self.rules_button = QPushButton(tr("Túc số và tỷ lệ thông qua…"))
        self.candidates_button = QPushButton(tr("Hồ sơ đề nghị…"))
        self.candidates_button.setToolTip(tr("Mọi hồ sơ đề nghị khen thưởng: nháp, đề nghị, rút, sửa tóm tắt"))
        for b in (self.candidates_button, self.new_button, self.details_button, self.members_button,
                  self.rules_button):
            bar.addWidget(b)
        layout.addLayout(bar)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.info)

        split = QSplitter(Qt.Orientation.Horizontal)
        # Attendance and ballots.
        left = QGroupBox(tr("Điểm danh"))
        ll = QVBoxLayout(left)
        self.attendance = QTableWidget(0, 3)
        self.attendance.setHorizontalHeaderLabels([tr("Thành viên"), tr("Vai trò"), tr("Có mặt / lý do vắng")])
        self.attendance.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.attendance.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attendance.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attendance.verticalHeader().setVisible(False)
        self.attendance.horizontalHeader().setStretchLastSection(True)
        self.attendance.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.attendance.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.attendance.setWordWrap(True)
        ll.addWidget(self.attendance, 1)
        row = QHBoxLayout()
        self.present_button = QPushButton(tr("Có mặt"))
        self.absent_button = QPushButton(tr("Vắng mặt…"))
        row.addWidget(self.present_button)
        row.addWidget(self.absent_button)
        row.addStretch(1)
        ll.addLayout(row)
        self.ballot_box = QGroupBox(tr("Phiếu bầu (bỏ phiếu kín)"))
        bl = QFormLayout(self.ballot_box)
        self.issued, self.returned, self.valid = QSpinBox(), QSpinBox(), QSpinBox()
        for w, label in ((self.issued, tr("Phát ra:")), (self.returned, tr("Thu vào:")), (self.valid, tr("Hợp lệ:"))):
            w.setRange(0, 99)
            bl.addRow(label, w)
        self.ballot_button = QPushButton(tr("Lưu số phiếu"))
        bl.addRow(self.ballot_button)
        ll.addWidget(self.ballot_box)
        split.addWidget(left)

        # Candidates.
        mid = QGroupBox(tr("Hồ sơ đề nghị trong phiên họp"))
        ml = QVBoxLayout(mid)
        self.table = QTableWidget(0, 8)
        self.table.setHorizontalHeaderLabels([tr("Đối tượng"), tr("Loại"), tr("Điểm"), tr("Điều kiện"),
                                              tr("Phiếu (TT/KTT/KBQ)"), tr("Kết quả"), tr("Trạng thái"),
                                              tr("Xung đột lợi ích")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 8):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        ml.addWidget(self.table, 1)

        # Vote entry for the selected candidate, with the result computed as you type.
        self.vote_box = QGroupBox(tr("Biểu quyết"))
        vl = QVBoxLayout(self.vote_box)
        self.selected_label = QLabel()
        self.selected_label.setWordWrap(True)
        self.selected_label.setTextFormat(Qt.TextFormat.RichText)
        vl.addWidget(self.selected_label)
        counts = QHBoxLayout()
        self.votes_for, self.votes_against, self.votes_abstain = QSpinBox(), QSpinBox(), QSpinBox()
        for w, label in ((self.votes_for, tr("Tán thành:")), (self.votes_against, tr("Không tán thành:")),
                         (self.votes_abstain, tr("Không biểu quyết:"))):
            w.setRange(0, 99)
            counts.addWidget(QLabel(label))
            counts.addWidget(w)
        counts.addStretch(1)
        vl.addLayout(counts)
        self.live = QLabel()
        self.live.setWordWrap(True)
        self.live.setTextFormat(Qt.TextFormat.RichText)
        vl.addWidget(self.live)
        self.conflicts = QLabel()
        self.conflicts.setWordWrap(True)
        self.conflicts.setStyleSheet("color: #8a5a00")
        vl.addWidget(self.conflicts)
        self.scores = QLabel()
        self.scores.setWordWrap(True)
        vl.addWidget(self.scores)
        actions = QHBoxLayout()
        self.vote_button = QPushButton(tr("Ghi kết quả biểu quyết"))
        self.decide_button = QPushButton(tr("Quyết định và khóa"))
        self.decide_button.setToolTip(tr("Ghi quyết định của Hội đồng cho hồ sơ này: được thông qua thì khóa kết quả "
                                         "kèm bản chụp điểm; không được thông qua thì ghi lý do"))
        self.reopen_button = QPushButton(tr("Mở lại…"))
        self.reopen_button.setToolTip(tr("Mở lại kết quả đã khóa; phải ghi lý do, việc mở lại được ghi vào nhật ký"))
        self.history_button = QPushButton(tr("Lịch sử…"))
        self.awards_button = QPushButton(tr("Khen thưởng…"))
        self.awards_button.setToolTip(tr("Các khen thưởng đã có của tập thể, cá nhân này (sổ theo dõi khen thưởng)"))
        self.member_scores_button = QPushButton(tr("Điểm thành viên…"))
        self.member_scores_button.setToolTip(tr("Mỗi thành viên có mặt chấm điểm hồ sơ (tùy chọn); thành viên có xung "
                                                "đột lợi ích không chấm"))
        self.attach_button = QPushButton(tr("Đưa hồ sơ mới đề nghị vào phiên"))
        self.attach_button.setToolTip(tr("Các hồ sơ đã đề nghị sau khi mở phiên họp"))
        for b in (self.vote_button, self.decide_button, self.reopen_button, self.member_scores_button,
                  self.history_button, self.awards_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.attach_button)
        vl.addLayout(actions)
        ml.addWidget(self.vote_box)
        split.addWidget(mid)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([430, 970])
        layout.addWidget(split, 1)

        self.meetings.currentIndexChanged.connect(lambda _i: self._load_meeting())
        self.table.itemSelectionChanged.connect(self._selected)
        for w in (self.votes_for, self.votes_against, self.votes_abstain):
            w.valueChanged.connect(lambda _v: self._update_live())
        self.vote_button.clicked.connect(self.save_vote)
        self.decide_button.clicked.connect(self.decide_selected)
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.history_button.clicked.connect(self.show_history)
        self.awards_button.clicked.connect(self.show_awards)
        self.attach_button.clicked.connect(self.attach)
        self.member_scores_button.clicked.connect(self.enter_member_scores)
        self.present_button.clicked.connect(lambda: self.set_presence(True))
        self.absent_button.clicked.connect(lambda: self.set_presence(False))
        self.ballot_button.clicked.connect(self.save_ballots)
        self.new_button.clicked.connect(self.new_meeting)
        self.details_button.clicked.connect(self.edit_details)
        self.members_button.clicked.connect(self.edit_members)
        self.rules_button.clicked.connect(self.edit_rules)
        self.candidates_button.clicked.connect(self.edit_candidates)
        self._update_actions()

    # -- loading
    def refresh(self) -> None:
        from bdhvs_desktop.services.council import list_meetings

        current = self.meetings.currentData()
        self.meetings.blockSignals(True)
        self.meetings.clear()
        for mid, held_at, place, status in list_meetings(self.ctx.db):
            closed = tr(" — đã kết thúc") if status == "closed" else ""
            self.meetings.addItem(f"{held_at:%H:%M %d/%m/%Y} — {place or tr('(chưa ghi địa điểm)')}{closed}", mid)
        index = self.meetings.findData(current)
        self.meetings.setCurrentIndex(max(index, 0))
        self.meetings.blockSignals(False)
        self._load_meeting()

    def _load_meeting(self) -> None:
        from bdhvs_desktop.services.council import meeting_view

        mid = self.meetings.currentData()
        selected = self._current_row().candidate.id if self._current_row() else None
        self.view = meeting_view(self.ctx.db, mid) if mid is not None else None
        self._show_meeting()
        self._show_candidates(selected)

    def _show_meeting(self) -> None:
        v = self.view
        self.attendance.setRowCount(0)
        if v is None:
            self.info.setText(tr("Chưa có phiên họp nào. Bấm “Phiên họp mới…” để mở phiên họp xét khen thưởng; "
                                 "các hồ sơ đã đề nghị sẽ được đưa vào phiên."))
            self.ballot_box.setVisible(False)
            return
        quorum = (f"<b style='color:#1b5e20'>{tr('đủ túc số')}</b>" if v.quorum_met
                  else f"<b style='color:#b71c1c'>{tr('KHÔNG đủ túc số')}</b>")
        self.info.setText(
            tr("<b>Phiên họp {n}</b> lúc {t}, tại {p}. Chủ trì: {c}; thư ký: {s}; hình thức: {m}.<br>"
               "Có mặt <b>{pr}/{mem}</b> thành viên — {q}. {rules}")
            .format(n=html.escape(v.number or str(v.id)), t=f"{v.held_at:%H giờ %M, ngày %d/%m/%Y}",
                    p=html.escape(v.place or tr("(chưa ghi)")), c=html.escape(v.chair or "–"),
                    s=html.escape(v.secretary or "–"), m=VOTING_METHOD_LABELS[VotingMethod(v.voting_method)],
                    pr=v.present, mem=v.members, q=quorum, rules=html.escape(v.rules.describe())))
        self.attendance.setRowCount(len(v.attendance))
        for r, a in enumerate(v.attendance):
            self.attendance.setItem(r, 0, _item(a.full_name, tip=a.position))
            self.attendance.setItem(r, 1, _item(COUNCIL_ROLE_LABELS[CouncilRole(a.role)]))
            if a.present:
                self.attendance.setItem(r, 2, _item(tr("Có mặt"), GREEN))
            else:
                self.attendance.setItem(r, 2, _item(tr("Vắng: ") + (a.absence_reason or ""), RED, a.absence_reason))
        secret = v.voting_method == VotingMethod.SECRET_BALLOT.value
        self.ballot_box.setVisible(secret)
        if secret:
            for w, value in zip((self.issued, self.returned, self.valid), v.ballots):
                w.setValue(value or 0)

    def _show_candidates(self, select_id: int | None = None) -> None:
        rows = sorted(self.view.candidates, key=lambda r: (KIND_ORDER.get(r.candidate.kind, 9), r.rank or 999,
                                                           r.candidate.name)) if self.view else []
        self._rows = rows
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            c = r.candidate
            self.table.setItem(i, 0, _item(c.name, tip=c.summary or c.award_name))
            self.table.setItem(i, 1, _item(SUBJECT_KIND_LABELS[SubjectKind(c.kind)]))
            self.table.setItem(i, 2, _item(f"{_pts(r.points)}/{_pts(r.max_points)}" if r.points is not None else ""))
            if r.eligible is None:
                self.table.setItem(i, 3, _item(""))
            else:
                self.table.setItem(i, 3, _item(tr("Đủ") if r.eligible else tr("Chưa đủ"), GREEN if r.eligible else RED))
            tally = r.tally
            self.table.setItem(i, 4, _item(f"{tally.votes_for}/{tally.votes_against}/{tally.votes_abstain}"
                                           if tally else tr("chưa biểu quyết")))
            if tally is None:
                result = _item("")
            else:
                result = _item(tr("Thông qua") if r.decision.passed else tr("Không thông qua"),
                               GREEN if r.decision.passed else RED, r.decision.explanation)
            self.table.setItem(i, 5, result)
            self.table.setItem(i, 6, _item(c.status_label + (tr(" — đã khóa") if c.locked else ""),
                                           tip=c.decision_reason))
            self.table.setItem(i, 7, _item(tr("⚠ {n} thành viên").format(n=len(r.conflicts)) if r.conflicts else "",
                                           AMBER, "\n".join(r.conflicts)))
        self.table.blockSignals(False)
        target = next((i for i, r in enumerate(rows) if r.candidate.id == select_id), 0 if rows else None)
        if target is not None:
            self.table.selectRow(target)
        self._selected()

    def _current_row(self):
        if not getattr(self, "_rows", None):
            return None
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows else None

    def _selected(self) -> None:
        r = self._current_row()
        for w in (self.votes_for, self.votes_against, self.votes_abstain):
            w.blockSignals(True)
        if r is None:
            self.selected_label.setText(tr("Chọn một hồ sơ để nhập kết quả biểu quyết."))
            self.conflicts.setText("")
            self.scores.setText("")
            for w in (self.votes_for, self.votes_against, self.votes_abstain):
                w.setValue(0)
        else:
            c = r.candidate
            notes = []
            if r.eligible is False:
                notes.append(f"<span style='color:#b71c1c'>{tr('Chưa đủ điều kiện theo bộ tiêu chí (xem trang Chấm điểm).')}</span>")
            if c.decision_reason:
                notes.append(tr("Quyết định: ") + html.escape(c.decision_reason))
            self.selected_label.setText(
                f"<b>{html.escape(c.name)}</b> — {html.escape(c.award_name or tr('(chưa chọn hình thức)'))}<br>"
                + html.escape(c.summary or "") + "".join("<br>" + n for n in notes))
            t = r.tally
            self.votes_for.setValue(t.votes_for if t else 0)
            self.votes_against.setValue(t.votes_against if t else 0)
            self.votes_abstain.setValue(t.votes_abstain if t else 0)
            self.conflicts.setText("\n".join("⚠ " + tr("Xung đột lợi ích: ") + x + tr(" Không chấm điểm hồ sơ này.")
                                             for x in r.conflicts))
            summary = r.member_scores
            self.scores.setText(tr("Điểm của thành viên: ") + summary.explanation if summary.count or summary.excluded
                                else "")
            self.scores.setStyleSheet("color: #b71c1c" if summary.wide_spread else "")
        for w in (self.votes_for, self.votes_against, self.votes_abstain):
            w.blockSignals(False)
        self._update_live()
        self._update_actions()

    def _update_live(self) -> None:
        r = self._current_row()
        if r is None or self.view is None:
            self.live.setText("")
            return
        tally = dc.Tally(self.votes_for.value(), self.votes_against.value(), self.votes_abstain.value())
        problem = None
        try:
            dc.check_tally(tally, self.view.present,
                           secret_ballot=self.view.voting_method == VotingMethod.SECRET_BALLOT.value,
                           ballots_valid=self.view.ballots[2])
        except dc.CouncilError as exc:
            problem = str(exc)
        if problem:
            self.live.setText(f"<span style='color:#b71c1c'>{html.escape(problem)}</span>")
            return
        d = dc.decide(self.view.members, self.view.present, tally, self.view.rules)
        color = "#1b5e20" if d.passed else "#b71c1c"
        self.live.setText(f"<span style='color:{color}; font-size:12pt'><b>{html.escape(d.explanation)}</b></span>")

    def _update_actions(self) -> None:
        r = self._current_row()
        open_meeting = self.view is not None and self.view.status == "open"
        editable = r is not None and open_meeting and not r.candidate.locked and \
            r.candidate.status in ("proposed", "reviewed")
        for w in (self.votes_for, self.votes_against, self.votes_abstain, self.vote_button):
            w.setEnabled(editable)
        self.decide_button.setEnabled(editable and r.tally is not None)
        self.reopen_button.setEnabled(r is not None and r.candidate.locked and r.candidate.status == "approved")
        self.history_button.setEnabled(r is not None)
        self.awards_button.setEnabled(r is not None)
        self.member_scores_button.setEnabled(editable)
        for w in (self.present_button, self.absent_button, self.ballot_button, self.attach_button,
                  self.details_button):
            w.setEnabled(open_meeting)

    # -- actions
    def _run(self, fn, *args) -> bool:
        from bdhvs_desktop.services.council import CouncilActionError

        try:
            fn(*args)
        except CouncilActionError as exc:
            QMessageBox.warning(self, tr("Không thực hiện được"), str(exc))
            return False
        self.ctx.notify("council")
        if not self.isVisible():
            self._load_meeting()
        return True

    def save_vote(self) -> None:
        from bdhvs_desktop.services.council import record_vote

        r = self._current_row()
        if r is not None:
            self._run(record_vote, self.ctx.db, self.view.id, r.candidate.id, self.votes_for.value(),
                      self.votes_against.value(), self.votes_abstain.value())

    def decide_selected(self) -> None:
        from bdhvs_desktop.services.council import decide

        r = self._current_row()
        if r is None:
            return
        if QMessageBox.question(self, tr("Quyết định"), tr("Ghi quyết định của Hội đồng cho {name}? Hồ sơ được thông "
                                                           "qua sẽ bị khóa; muốn sửa phải mở lại và ghi lý do.")
                                .format(name=r.candidate.name)) != QMessageBox.StandardButton.Yes:
            return
        self._run(decide, self.ctx.db, self.view.id, r.candidate.id)

    def reopen_selected(self) -> None:
        from bdhvs_desktop.services.council import reopen

        r = self._current_row()
        if r is None:
            return
        reason, ok = QInputDialog.getText(self, tr("Mở lại kết quả đã khóa"),
                                          tr("Lý do mở lại (được ghi vào nhật ký):"))
        if ok:
            self._run(reopen, self.ctx.db, r.candidate.id, reason)

    def enter_member_scores(self) -> None:
        from bdhvs_desktop.services.council import CouncilActionError, record_member_score

        r = self._current_row()
        if r is None or self.view is None:
            return
        dialog = MemberScoresDialog(self.view, r, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            for member_id, points in dialog.values():
                record_member_score(self.ctx.db, self.view.id, r.candidate.id, member_id, points)
        except CouncilActionError as exc:
            QMessageBox.warning(self, tr("Không ghi được"), str(exc))
        self.ctx.notify("council")
        if not self.isVisible():
            self._load_meeting()

    def attach(self) -> None:
        from bdhvs_desktop.services.council import attach_candidates

        if self.view is not None:
            self._run(attach_candidates, self.ctx.db, self.view.id)

    def show_history(self) -> None:
        r = self._current_row()
        if r is None:
            return
        from bdhvs_desktop.gui.history_dialog import HistoryDialog

        HistoryDialog(self.ctx, "candidate", r.candidate.id, parent=self).exec()

    def show_awards(self) -> None:
        r = self._current_row()
        if r is None:
            return
        from bdhvs_desktop.gui.awards_dialog import AwardHistoryDialog

        c = r.candidate
        AwardHistoryDialog(self.ctx, c.subject, c.subject_id, c.name, self).exec()

    def _selected_member(self):
        rows = self.attendance.selectionModel().selectedRows()
        if not rows or self.view is None:
            return None
        return self.view.attendance[rows[0].row()]

    def set_presence(self, present: bool) -> None:
        from bdhvs_desktop.services.council import set_attendance

        a = self._selected_member()
        if a is None:
            QMessageBox.information(self, tr("Điểm danh"), tr("Chọn một thành viên trong bảng điểm danh."))
            return
        reason = None
        if not present:
            reason, ok = QInputDialog.getText(self, tr("Vắng mặt"), tr("Lý do vắng của {name}:").format(name=a.full_name))
            if not ok:
                return
        self._run(set_attendance, self.ctx.db, self.view.id, a.member_id, present, reason)

    def save_ballots(self) -> None:
        from bdhvs_desktop.services.council import set_ballots

        if self.view is not None:
            self._run(lambda: set_ballots(self.ctx.db, self.view.id, issued=self.issued.value(),
                                          returned=self.returned.value(), valid=self.valid.value()))

    def new_meeting(self) -> None:
        from bdhvs_desktop.services.council import list_members, new_meeting

        members = list_members(self.ctx.db)
        if not members:
            QMessageBox.information(self, tr("Phiên họp mới"), tr("Hội đồng chưa có thành viên; hãy thêm thành viên trước."))
            self.edit_members()
            return
        dialog = MeetingDialog(members, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            held_at, place, chair, secretary, method, ended_at, discussion = dialog.values()
            self._run(lambda: new_meeting(self.ctx.db, held_at, place=place, chair_id=chair, secretary_id=secretary,
                                          voting_method=method, ended_at=ended_at, discussion=discussion))
            self.refresh()
            self.meetings.setCurrentIndex(0)

    def edit_details(self) -> None:
        from bdhvs_desktop.gui.pages.meeting_details import MeetingDetailsDialog

        if self.view is not None and MeetingDetailsDialog(self.ctx, self.view.id, self).exec() == \
                QDialog.DialogCode.Accepted:
            self.ctx.notify("council")
            self._load_meeting()

    def edit_candidates(self) -> None:
        CandidatesDialog(self.ctx, self).exec()
        self.ctx.notify("candidates")

    def edit_members(self) -> None:
        MembersDialog(self.ctx, self).exec()
        self.ctx.notify("council")

    def edit_rules(self) -> None:
        from bdhvs_desktop.services.council import get_rules, set_rules

        dialog = RulesDialog(get_rules(self.ctx.db), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                rules = dialog.value()
            except dc.CouncilError as exc:
                QMessageBox.warning(self, tr("Không hợp lệ"), str(exc))
                return
            set_rules(self.ctx.db, rules)
            QMessageBox.information(self, tr("Đã lưu"), tr("Quy định mới áp dụng cho các phiên họp mở từ nay:\n")
                                    + rules.describe())


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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Lưu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Mở phiên họp"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

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
        self.setWindowTitle(tr("Hồ sơ đề nghị khen thưởng"))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("Đối tượng"), tr("Loại"), tr("Hình thức khen thưởng"),
                                              tr("Trạng thái"), tr("Tóm tắt thành tích")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.propose_button = QPushButton(tr("Đề nghị"))
        self.draft_button = QPushButton(tr("Trả về nháp"))
        self.summary_button = QPushButton(tr("Sửa tóm tắt…"))
        self.reject_button = QPushButton(tr("Không thông qua…"))
        self.withdraw_button = QPushButton(tr("Rút hồ sơ"))
        close = QPushButton(tr("Đóng"))
        for b in (self.propose_button, self.draft_button, self.summary_button, self.reject_button,
                  self.withdraw_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.propose_button.clicked.connect(lambda: self._status("proposed"))
        self.draft_button.clicked.connect(lambda: self._status("draft"))
        self.summary_button.clicked.connect(self.edit_summary)
        self.reject_button.clicked.connect(self.reject_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.table.itemSelectionChanged.connect(self._update)
        close.clicked.connect(self.accept)
        self.resize(1100, 520)
        self.reload()

    def reload(self) -> None:
        from bdhvs_desktop.services.council import list_candidates

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

    def _do(self, fn, *args) -> None:
        from bdhvs_desktop.services.council import CouncilActionError

        try:
            fn(*args)
        except CouncilActionError as exc:
            QMessageBox.warning(self, tr("Không thực hiện được"), str(exc))
        self.reload()

    def _status(self, status: str) -> None:
        from bdhvs_desktop.services.council import set_status

        c = self.current()
        if c is not None:
            self._do(set_status, self.ctx.db, c.id, status)

    def edit_summary(self) -> None:
        from bdhvs_desktop.services.council import update_candidate

        c = self.current()
        if c is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, tr("Tóm tắt thành tích"), c.name, c.summary or "")
        if not ok:
            return
        from bdhvs_desktop.gui.conflict import is_conflict, show_conflict

        try:
            self._do(lambda: update_candidate(self.ctx.db, c.id, summary=text, version=c.version))
        except Exception as exc:
            if not is_conflict(exc):
                raise
            show_conflict(self, exc, {"summary": tr("Tóm tắt thành tích")})  # what was typed is shown, not lost
            self.reload()

    def reject_selected(self) -> None:
        from bdhvs_desktop.services.council import set_status

        c = self.current()
        if c is None:
            return
        reason, ok = QInputDialog.getText(self, tr("Không thông qua"), tr("Lý do không thông qua {name}:")
                                          .format(name=c.name))
        if ok:
            self._do(set_status, self.ctx.db, c.id, "rejected", reason)

    def withdraw_selected(self) -> None:
        from bdhvs_desktop.services.council import withdraw

        c = self.current()
        if c is not None and QMessageBox.question(self, tr("Rút hồ sơ"), tr("Rút hồ sơ đề nghị của {name}?")
                                                  .format(name=c.name)) == QMessageBox.StandardButton.Yes:
            self._do(withdraw, self.ctx.db, c.id)


class MembersDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("Thành viên Hội đồng Thi đua - Khen thưởng"))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Họ và tên"), tr("Chức vụ"), tr("Vai trò"), tr("Đơn vị công tác")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
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
        from bdhvs_desktop.services.records import list_units

        for u in list_units(ctx.db):
            self.unit.addItem(u.name, u.code)
        add = QPushButton(tr("Thêm"))
        for w in (self.name, self.position, self.role, self.unit, add):
            form.addWidget(w)
        layout.addLayout(form)
        row = QHBoxLayout()
        remove = QPushButton(tr("Thôi làm thành viên"))
        close = QPushButton(tr("Đóng"))
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        add.clicked.connect(self.add)
        remove.clicked.connect(self.remove)
        close.clicked.connect(self.accept)
        self.resize(900, 420)
        self.reload()

    def reload(self) -> None:
        from bdhvs_desktop.services.council import list_members

        self.members = list_members(self.ctx.db)
        self.table.setRowCount(len(self.members))
        for r, m in enumerate(self.members):
            for col, text in enumerate((m.full_name, m.position or "", COUNCIL_ROLE_LABELS[CouncilRole(m.role)],
                                        m.unit_name or "")):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def add(self) -> None:
        from bdhvs_desktop.services.council import CouncilActionError, add_member

        try:
            add_member(self.ctx.db, self.name.text(), position=self.position.text(), role=self.role.currentData(),
                       unit_code=self.unit.currentData())
        except CouncilActionError as exc:
            QMessageBox.warning(self, tr("Không thêm được"), str(exc))
            return
        self.name.clear()
        self.position.clear()
        self.reload()

    def remove(self) -> None:
        from bdhvs_desktop.services.council import set_member_active

        rows = self.table.selectionModel().selectedRows()
        if rows:
            set_member_active(self.ctx.db, self.members[rows[0].row()].id, False)
            self.reload()


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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Lưu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> dc.CouncilRules:
        return dc.CouncilRules(self.qn.value(), self.qd.value(), self.pn.value(), self.pd.value(),
                               self.strict.currentData(), self.base.currentData(), float(self.spread.value()))
