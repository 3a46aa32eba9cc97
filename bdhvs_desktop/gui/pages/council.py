"""Hội đồng: the meeting (attendance, quorum, ballots), the candidates with their scores, vote
entry with the result shown live, conflict-of-interest flags, deciding, locking and reopening."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
)

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.vocab import (
    COUNCIL_ROLE_LABELS,
    SUBJECT_KIND_LABELS,
    VOTING_METHOD_LABELS,
    CouncilRole,
    SubjectKind,
    VotingMethod,
)
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.awards_dialog import AwardHistoryDialog
from bdhvs_desktop.gui.history_dialog import HistoryDialog
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.pages.council_dialogs import (
    AMBER,
    KIND_ORDER,
    CandidatesDialog,
    MeetingDialog,
    MemberScoresDialog,
    MembersDialog,
    RulesDialog,
    _item,
    _pts,
)
from bdhvs_desktop.gui.pages.meeting_details import MeetingDetailsDialog
from bdhvs_desktop.gui.pages.scoring import FAIL_COLOR as RED
from bdhvs_desktop.gui.pages.scoring import PASS_COLOR as GREEN
from bdhvs_desktop.services import council as council_service
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.council import (
    attach_candidates,
    get_rules,
    list_meetings,
    list_members,
    new_meeting,
    record_member_score,
    record_vote,
    reopen,
    set_attendance,
    set_ballots,
    set_rules,
)

__all__ = ["CandidatesDialog", "CouncilPage", "MeetingDialog", "MemberScoresDialog", "MembersDialog", "RulesDialog"]

#: What the meeting's actions change: votes, attendance, attached candidates.
MEETING_CHANGES = Changes.of(Change.COUNCIL, Change.CANDIDATES)
#: Deciding or reopening also locks or unlocks the candidate and its dossier.
DECISION_CHANGES = Changes.of(Change.COUNCIL, Change.CANDIDATES, Change.DOSSIER)

class CouncilPage(Page):
    title = tr("Hội đồng")
    # The meeting, its candidates and their scores; not people, units or activities (the
    # candidates' scores are recomputed when the council's own data changes).
    depends_on = frozenset({Change.COUNCIL, Change.CANDIDATES, Change.SCORES, Change.CRITERIA, Change.AWARDS,
                            Change.SETTINGS})

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.view = None
        self.loads = 0  # how many times the meeting was loaded (tests check a change it does not show)
        self._load_seq = 0
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
        # Synchronous: one row per council meeting (a handful a year), 0.3 ms on the demo ward.
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
        """The meeting's view scores every candidate (services.scoring.compute_scores, ~1 s on a
        30,000-person ward): an operation; a newer load wins over an older one still running."""

        self.loads += 1
        self._load_seq += 1
        seq = self._load_seq
        mid = self.meetings.currentData()
        selected = self._current_row().candidate.id if self._current_row() else None

        def loaded(view) -> None:
            if seq == self._load_seq:
                self.view = view
                self._show_meeting()
                self._show_candidates(selected)

        if mid is None:
            loaded(None)
            return
        ops.run(self, lambda db: council_service.meeting_view(db, mid), success=loaded, show_progress=False)

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
            status = c.status_label + (tr(" — đã khóa") if c.locked else "")
            if c.twin:  # at a province office: the same person's file from another ward (one file per person)
                self.table.setItem(i, 6, _item(status + " — ⚠ " + c.twin, AMBER, c.twin))
            else:
                self.table.setItem(i, 6, _item(status, tip=c.decision_reason))
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
            if c.twin:
                notes.append(f"<span style='color:#8a5a00'>⚠ {html.escape(c.twin)}</span>")
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
    def _run(self, fn, title: str, changes: Changes = MEETING_CHANGES) -> None:
        """fn(db) as an operation; the page reloads through the published change set."""
        ops.run(self, fn, changes=changes, title=title)

    def save_vote(self) -> None:
        r = self._current_row()
        if r is not None:
            mid, cid = self.view.id, r.candidate.id
            votes = (self.votes_for.value(), self.votes_against.value(), self.votes_abstain.value())
            self._run(lambda db: record_vote(db, mid, cid, *votes), tr("Đang ghi kết quả biểu quyết"))

    def decide_selected(self) -> None:
        r = self._current_row()
        if r is None:
            return
        if QMessageBox.question(self, tr("Quyết định"), tr("Ghi quyết định của Hội đồng cho {name}? Hồ sơ được thông "
                                                           "qua sẽ bị khóa; muốn sửa phải mở lại và ghi lý do.")
                                .format(name=r.candidate.name)) != QMessageBox.StandardButton.Yes:
            return
        mid, cid = self.view.id, r.candidate.id
        # Deciding snapshots the candidate's score (a full scoring run): off the GUI thread.
        self._run(lambda db: council_service.decide(db, mid, cid), tr("Đang ghi quyết định"), DECISION_CHANGES)

    def reopen_selected(self) -> None:
        r = self._current_row()
        if r is None:
            return
        reason, ok = QInputDialog.getText(self, tr("Mở lại kết quả đã khóa"),
                                          tr("Lý do mở lại (được ghi vào nhật ký):"))
        if ok:
            cid = r.candidate.id
            self._run(lambda db: reopen(db, cid, reason), tr("Đang mở lại kết quả"), DECISION_CHANGES)

    def enter_member_scores(self) -> None:
        r = self._current_row()
        if r is None or self.view is None:
            return
        dialog = MemberScoresDialog(self.view, r, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        mid, cid, values = self.view.id, r.candidate.id, dialog.values()

        def save(db) -> None:
            for member_id, points in values:
                record_member_score(db, mid, cid, member_id, points)

        self._run(save, tr("Đang ghi điểm của thành viên"), Changes.of(Change.COUNCIL))

    def attach(self) -> None:
        if self.view is not None:
            mid = self.view.id
            self._run(lambda db: attach_candidates(db, mid), tr("Đang đưa hồ sơ vào phiên họp"))

    def show_history(self) -> None:
        r = self._current_row()
        if r is None:
            return

        HistoryDialog(self.ctx, "candidate", r.candidate.id, parent=self).exec()

    def show_awards(self) -> None:
        r = self._current_row()
        if r is None:
            return

        c = r.candidate
        AwardHistoryDialog(self.ctx, c.subject, c.subject_id, c.name, self).exec()

    def _selected_member(self):
        rows = self.attendance.selectionModel().selectedRows()
        if not rows or self.view is None:
            return None
        return self.view.attendance[rows[0].row()]

    def set_presence(self, present: bool) -> None:
        a = self._selected_member()
        if a is None:
            QMessageBox.information(self, tr("Điểm danh"), tr("Chọn một thành viên trong bảng điểm danh."))
            return
        reason = None
        if not present:
            reason, ok = QInputDialog.getText(self, tr("Vắng mặt"), tr("Lý do vắng của {name}:").format(name=a.full_name))
            if not ok:
                return
        mid, member = self.view.id, a.member_id
        self._run(lambda db: set_attendance(db, mid, member, present, reason), tr("Đang ghi điểm danh"),
                  Changes.of(Change.COUNCIL))

    def save_ballots(self) -> None:
        if self.view is not None:
            mid = self.view.id
            counts = dict(issued=self.issued.value(), returned=self.returned.value(), valid=self.valid.value())
            self._run(lambda db: set_ballots(db, mid, **counts), tr("Đang ghi số phiếu"), Changes.of(Change.COUNCIL))

    def new_meeting(self) -> None:
        members = list_members(self.ctx.db)  # synchronous: the council's members, a dozen rows
        if not members:
            QMessageBox.information(self, tr("Phiên họp mới"), tr("Hội đồng chưa có thành viên; hãy thêm thành viên trước."))
            self.edit_members()
            return
        dialog = MeetingDialog(members, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            held_at, place, chair, secretary, method, ended_at, discussion = dialog.values()

            def opened(_meeting_id) -> None:
                self.refresh()
                self.meetings.setCurrentIndex(0)

            ops.run(self, lambda db: new_meeting(db, held_at, place=place, chair_id=chair, secretary_id=secretary,
                                                 voting_method=method, ended_at=ended_at, discussion=discussion),
                    changes=MEETING_CHANGES, success=opened, title=tr("Đang mở phiên họp"))

    def edit_details(self) -> None:
        if self.view is not None:
            MeetingDetailsDialog(self.ctx, self.view.id, self).exec()  # its save publishes the change

    def edit_candidates(self) -> None:
        dialog = CandidatesDialog(self.ctx, self)
        dialog.exec()
        if dialog.changed:
            self.ctx.publish(Changes.of(Change.CANDIDATES))

    def edit_members(self) -> None:
        MembersDialog(self.ctx, self).exec()

    def edit_rules(self) -> None:
        dialog = RulesDialog(get_rules(self.ctx.db), self)  # synchronous: one settings row
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                rules = dialog.value()
            except dc.CouncilError as exc:
                ops.show_error(self, exc)
                return
            ops.run(self, lambda db: set_rules(db, rules), changes=Changes.of(Change.COUNCIL),
                    title=tr("Đang lưu quy định"),
                    success=lambda _r: QMessageBox.information(
                        self, tr("Đã lưu"), tr("Quy định mới áp dụng cho các phiên họp mở từ nay:\n") + rules.describe()))
