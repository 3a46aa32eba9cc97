"""Chấm điểm: subjects ranked per kind (eligible and not eligible apart), the criterion breakdown
with explanations and evidence, entry of manual criteria, proposing candidates, and the
criteria set editor."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.cccd import shown_reference
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.pages.scoring_dialogs import (
    CriteriaSetDialog,
    CriterionDialog,
    ManualResultDialog,
    ProposeDialog,
)
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.changes import STATUS_FACTS, Change, Changes
from bdhvs_desktop.services.scoring import record_manual_result

__all__ = ["CriteriaSetDialog", "CriterionDialog", "ManualResultDialog", "ProposeDialog", "ScoreTableModel",
           "ScoringPage", "shown_id"]

PASS_COLOR = QColor("#1b5e20")
FAIL_COLOR = QColor("#b71c1c")


def shown_id(s: sc.SubjectScore) -> str:
    """A person's CCCD is masked in lists (personal data); unit codes are shown as they are."""
    return shown_reference(s.subject, s.id)


pts = points_text


class ScoreTableModel(QAbstractTableModel):
    """Scores of one kind, sorted and filtered in the model (no proxy: thousands of people)."""

    HEADERS = (tr("Hạng"), tr("Mã / CCCD"), tr("Tên"), tr("Điểm"), tr("Tối đa"), tr("Ghi chú"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[sc.SubjectScore] = []
        self._rows: list[sc.SubjectScore] = []
        self._keys: list[str] | None = None
        self._text = ""

    def set_rows(self, rows: Sequence[sc.SubjectScore]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._keys: list[str] | None = None  # folded names, computed on the first search
        self._rows = self._filtered()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._text = fold(text).strip()
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[sc.SubjectScore]:
        if not self._text:
            return list(self._all)
        if self._keys is None:
            self._keys = [fold(s.name) + " " + s.id.lower() for s in self._all]
        text = self._text
        return [s for s, key in zip(self._all, self._keys) if text in key]

    def row_at(self, row: int) -> sc.SubjectScore:
        return self._rows[row]

    def total(self) -> int:
        return len(self._all)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    @staticmethod
    def note(s: sc.SubjectScore) -> str:
        if s.held_back:
            return tr("Đang bị kỷ luật: chưa xét")
        failed = [c.name for c in s.criteria if c.type == "gate" and not c.passed]
        if failed:
            return tr("Chưa đạt: ") + "; ".join(failed)
        first = tr("Nữ") if s.subject == "person" else tr("Từ 70% nữ")
        return (tr("Ưu tiên khi bằng điểm (") + first + ")") if s.tie_break_first else ""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(s.rank) if s.rank else "–", shown_id(s), s.name, pts(s.points), pts(s.max_points),
                    self.note(s))[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 5 and not s.eligible:
            return FAIL_COLOR
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            return self.note(s) or None
        return None


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in enumerate((48, 110, 260, 52, 52)):
        view.setColumnWidth(col, width)
    return view


class ScoringPage(Page):
    title = tr("Chấm điểm")
    # Scores are computed from the records at the as-of date: everything they are made of.
    depends_on = STATUS_FACTS | {Change.SCORES, Change.CRITERIA, Change.AWARDS}

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.board = None
        self._busy = False
        self._again = False
        self.loads = 0
        self.proposed = None  # the last "propose all" result
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("Tính đến ngày:")))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(QDate(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day))
        bar.addWidget(self.date)
        bar.addWidget(QLabel(tr("Đối tượng:")))
        self.kind = QComboBox()
        for kind in (SubjectKind.PARTY_ORG, SubjectKind.COLLECTIVE, SubjectKind.INDIVIDUAL):
            self.kind.addItem(SUBJECT_KIND_LABELS[kind], kind.value)
        bar.addWidget(self.kind)
        bar.addWidget(QLabel(tr("Cấp:")))
        self.level = QComboBox()
        self.level.setToolTip(tr("Chấm theo tiêu chí khen cấp phường, hoặc tiêu chí khen cấp tỉnh (hồ sơ đề nghị tỉnh)"))
        for level in sc.CRITERIA_LEVELS:
            self.level.addItem(tr("Tiêu chí ") + sc.LEVEL_LABELS[level], level)
        bar.addWidget(self.level)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Tìm theo tên hoặc mã…"))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.criteria_button = QPushButton(tr("Bộ tiêu chí…"))
        self.criteria_button.setToolTip(tr("Xem và sửa các tiêu chí, điểm tối đa, quy tắc tự động"))
        bar.addWidget(self.criteria_button)
        layout.addLayout(bar)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Horizontal)
        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        self.eligible_model = ScoreTableModel(self)
        self.other_model = ScoreTableModel(self)
        self.eligible_box = QGroupBox(tr("Đủ điều kiện — xếp hạng"))
        box = QVBoxLayout(self.eligible_box)
        self.eligible_view = _table(self.eligible_model)
        box.addWidget(self.eligible_view)
        self.other_box = QGroupBox(tr("Chưa đủ điều kiện"))
        box2 = QVBoxLayout(self.other_box)
        self.other_view = _table(self.other_model)
        box2.addWidget(self.other_view)
        lists_layout.addWidget(self.eligible_box, 3)
        lists_layout.addWidget(self.other_box, 2)
        actions = QHBoxLayout()
        self.propose_button = QPushButton(tr("Đề nghị khen thưởng…"))
        self.propose_all_button = QPushButton(tr("Đề nghị tất cả đủ điều kiện…"))
        actions.addWidget(self.propose_button)
        actions.addWidget(self.propose_all_button)
        actions.addStretch(1)
        lists_layout.addLayout(actions)
        split.addWidget(lists)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(tr("Chọn một đối tượng để xem chi tiết điểm."))
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        dl.addWidget(self.heading)
        self.criteria = QTableWidget(0, 4)
        self.criteria.setHorizontalHeaderLabels([tr("Tiêu chí"), tr("Loại"), tr("Kết quả"), tr("Điểm")])
        self.criteria.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.criteria.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.criteria.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.criteria.verticalHeader().setVisible(False)
        self.criteria.setWordWrap(True)
        h = self.criteria.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        dl.addWidget(self.criteria, 3)
        self.explain = QTextBrowser()
        self.explain.setOpenLinks(False)
        dl.addWidget(self.explain, 2)
        self.manual_button = QPushButton(tr("Nhập kết quả tiêu chí thủ công…"))
        self.manual_button.setToolTip(tr("Chọn một tiêu chí chấm thủ công trong bảng trên, rồi ghi kết quả kèm căn cứ"))
        dl.addWidget(self.manual_button)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 4)
        layout.addWidget(split, 1)

        self.date.dateChanged.connect(self._date_changed)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_kind())
        self.level.currentIndexChanged.connect(lambda _i: self._level_changed())
        self.search.textChanged.connect(self._filter)
        for view in (self.eligible_view, self.other_view):
            view.selectionModel().selectionChanged.connect(lambda *_a, v=view: self._selected(v))
        self.criteria.itemSelectionChanged.connect(self._update_actions)
        self.criteria.doubleClicked.connect(lambda _i: self.enter_manual())
        self.manual_button.clicked.connect(self.enter_manual)
        self.propose_button.clicked.connect(self.propose_selected)
        self.propose_all_button.clicked.connect(self.propose_all)
        self.criteria_button.clicked.connect(self.edit_criteria)
        self.current: sc.SubjectScore | None = None
        self._update_actions()

    # -- loading
    def _date_changed(self, qdate: QDate) -> None:
        self.ctx.set_as_of(dt.date(qdate.year(), qdate.month(), qdate.day()))

    def refresh(self) -> None:
        day = self.ctx.as_of
        if self.date.date() != QDate(day.year, day.month, day.day):
            self.date.blockSignals(True)
            self.date.setDate(QDate(day.year, day.month, day.day))
            self.date.blockSignals(False)
        if self._busy:
            self._again = True  # reload once more when the running load lands
            return
        self._busy = True
        self.loads += 1
        self.summary.setText(tr("Đang chấm điểm…"))
        ops.run(self, lambda db: scoring_service.compute_scores(db, day), success=self._loaded, failure=self._failed,
                finished=self._load_ended, show_progress=False)

    def load_now(self) -> None:
        """Synchronous load: only for tests (ops.run is the way in the window)."""

        self._loaded(scoring_service.compute_scores(self.ctx.db, self.ctx.as_of))

    def _load_ended(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> bool:
        self.summary.setText(tr("Không chấm được điểm: ") + str(exc))
        return ops.error_kind(exc) is not ops.ErrorKind.UNEXPECTED  # unexpected: also the one error box

    def _loaded(self, board) -> None:
        self.board = board
        if board.at != self.ctx.as_of:
            self._again = True  # the date changed meanwhile
            return
        self._show_kind()

    def _shown(self):  # -> services.scoring.ScoreBoard | None
        """The board of the level chosen, when it has been scored."""
        return None if self.board is None else self.board.scored_level(self.level.currentData())

    def _level_changed(self) -> None:
        board, level = self.board, self.level.currentData()
        if board is None or board.scored_level(level) is not None:
            self._show_kind()
            return
        self.summary.setText(tr("Đang chấm điểm…"))
        # Scoring the other level from the board's facts: an operation (no database read).
        ops.run(self, lambda _db: board.at_level(level), success=lambda _b: self._show_kind(), failure=self._failed,
                show_progress=False)

    def _show_kind(self) -> None:
        shown = self._shown()
        if shown is None:
            if self.board is not None:
                self._level_changed()
            return
        kind = self.kind.currentData()
        rows = shown.of_kind(kind)
        cset = shown.sets.get(kind)
        eligible = [s for s in rows if s.eligible]
        others = [s for s in rows if not s.eligible]
        self.eligible_model.set_rows(eligible)
        self.other_model.set_rows(others)
        self._filter(self.search.text())
        if cset is None:
            self.summary.setText(tr("Chưa có bộ tiêu chí cho loại đối tượng này; bấm “Bộ tiêu chí…” để xem."))
        else:
            gates = sum(1 for c in cset.criteria if c.type == "gate")
            self.summary.setText(
                tr("Bộ tiêu chí “{name}”: {gates} điều kiện bắt buộc, thang điểm {max} — {ok}/{n} đủ điều kiện "
                   "(tính đến {day}). Bằng điểm thì ưu tiên nữ, tập thể có từ 70% nữ (Nghị định 152/2025, Điều 4).")
                .format(name=cset.name, gates=gates, max=pts(cset.max_points), ok=len(eligible), n=len(rows),
                        day=f"{shown.at:%d/%m/%Y}") + (" " + shown.level_notes[kind] if kind in shown.level_notes else ""))
        self._reselect()

    def _filter(self, text: str) -> None:
        self.eligible_model.set_filter(text)
        self.other_model.set_filter(text)
        self.eligible_box.setTitle(tr("Đủ điều kiện — xếp hạng ({n})").format(n=self.eligible_model.rowCount()))
        self.other_box.setTitle(tr("Chưa đủ điều kiện ({n})").format(n=self.other_model.rowCount()))

    def _reselect(self) -> None:
        key = (self.current.subject, self.current.subject_id) if self.current else None
        for view, model in ((self.eligible_view, self.eligible_model), (self.other_view, self.other_model)):
            for r in range(model.rowCount()):
                s = model.row_at(r)
                if key and (s.subject, s.subject_id) == key:
                    view.selectRow(r)
                    return
        if self.eligible_model.rowCount():
            self.eligible_view.selectRow(0)
        elif self.other_model.rowCount():
            self.other_view.selectRow(0)
        else:
            self.show_score(None)

    def _selected(self, view: QTableView) -> None:
        rows = view.selectionModel().selectedRows()
        if not rows:
            return
        other = self.other_view if view is self.eligible_view else self.eligible_view
        other.selectionModel().blockSignals(True)
        other.clearSelection()
        other.selectionModel().blockSignals(False)
        self.show_score(view.model().row_at(rows[0].row()))

    # -- detail panel
    def show_score(self, s: sc.SubjectScore | None) -> None:
        self.current = s
        self.criteria.setRowCount(0)
        if s is None:
            self.heading.setText(tr("Chọn một đối tượng để xem chi tiết điểm."))
            self.explain.clear()
            self._update_actions()
            return
        state = (tr("<span style='color:#1b5e20'>đủ điều kiện, xếp thứ {rank}</span>").format(rank=s.rank)
                 if s.eligible else tr("<span style='color:#b71c1c'>chưa đủ điều kiện</span>"))
        extra = ""
        if s.women_share is not None:
            extra = tr(" · nữ {pct}%").format(pct=round(100 * s.women_share))
        self.heading.setText(f"<b style='font-size:13pt'>{html.escape(s.name)}</b> ({html.escape(shown_id(s))})<br>"
                             + tr("Tổng điểm: <b>{p}/{m}</b> — ").format(p=pts(s.points), m=pts(s.max_points))
                             + state + extra)
        self.criteria.setRowCount(len(s.criteria))
        for r, c in enumerate(s.criteria):
            manual = tr(" (thủ công)") if c.method == "manual" else ""
            kind = tr("Điều kiện") if c.type == "gate" else tr("Điểm")
            result = tr("Đạt") if c.passed else tr("Chưa đạt")
            score = "" if c.type == "gate" else f"{pts(c.points)}/{pts(c.max_points)}"
            for col, text in enumerate((c.name, kind + manual, result, score)):
                item = QTableWidgetItem(text)
                item.setToolTip(c.explanation)
                if col == 2:
                    item.setForeground(PASS_COLOR if c.passed else FAIL_COLOR)
                self.criteria.setItem(r, col, item)
        self.criteria.resizeRowsToContents()
        parts = []
        if s.held_back:
            parts.append(f"<p style='color:#b71c1c'><b>{html.escape(s.held_back)}</b></p>")
        if s.level_note:
            parts.append(f"<p><i>{html.escape(s.level_note)}</i></p>")
        for c in s.criteria:
            mark = "✔" if c.passed else "✘"
            color = "#1b5e20" if c.passed else "#b71c1c"
            line = f"<p><span style='color:{color}'>{mark}</span> <b>{html.escape(c.code)}</b>: {html.escape(c.explanation)}"
            if c.method == "manual" and c.recorded_at:
                line += "<br><i>" + tr("Căn cứ: {e} — ghi bởi {who} lúc {when}").format(
                    e=html.escape(c.evidence or tr("(không ghi)")), who=html.escape(c.recorded_by or ""),
                    when=f"{c.recorded_at:%H:%M %d/%m/%Y}") + "</i>"
            parts.append(line + "</p>")
        self.explain.setHtml("".join(parts))
        self._update_actions()

    def _selected_criterion(self) -> sc.CriterionScore | None:
        if self.current is None:
            return None
        rows = self.criteria.selectionModel().selectedRows()
        if not rows:
            return None
        return self.current.criteria[rows[0].row()]

    def _update_actions(self) -> None:
        c = self._selected_criterion()
        self.manual_button.setEnabled(c is not None and c.method == "manual")
        self.propose_button.setEnabled(self.current is not None)
        self.propose_all_button.setEnabled(self.board is not None)

    # -- actions
    def enter_manual(self) -> None:
        c = self._selected_criterion()
        if c is None or c.method != "manual" or self.current is None:
            return
        dialog = ManualResultDialog(self.current, c, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        subject, subject_id, values = self.current.subject, self.current.subject_id, dialog.values()
        # A conflict (another member recorded this result since the board was computed) shows both
        # results; the board reloads with the colleague's result.
        ops.run(self, lambda db: record_manual_result(db, c.criterion_id, subject, subject_id, **values,
                                                      seen=c.recorded_at),
                changes=Changes.of(Change.SCORES), title=tr("Đang ghi kết quả tiêu chí"),
                labels={"passed": tr("Đạt"), "points": tr("Điểm"), "evidence": tr("Căn cứ")},
                reload=lambda: self.ctx.publish(Changes.of(Change.SCORES)))

    def propose_selected(self) -> None:
        if self.current is None:
            return

        dialog = ProposeDialog(self.current, cs.list_award_forms(self.ctx.db), self)  # sync: the award forms, ~20 rows
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        award, summary = dialog.values()
        subject, subject_id, name, day = self.current.subject, self.current.subject_id, self.current.name, self.ctx.as_of
        # Proposing snapshots the subject's score: a scoring run, off the GUI thread.
        ops.run(self, lambda db: cs.propose(db, subject, subject_id, award_code=award, summary=summary, at=day),
                changes=Changes.of(Change.CANDIDATES), title=tr("Đang lập hồ sơ đề nghị"),
                success=lambda _cid: QMessageBox.information(
                    self, tr("Đã đề nghị"), tr("Đã lập hồ sơ đề nghị khen thưởng cho {name}.").format(name=name)))

    def propose_all(self) -> None:
        answer = QMessageBox.question(
            self, tr("Đề nghị tất cả"),
            tr("Lập hồ sơ đề nghị khen thưởng cho mọi đối tượng đủ điều kiện (mọi loại) chưa có hồ sơ, "
               "theo điểm tính đến {day}?").format(day=f"{self.ctx.as_of:%d/%m/%Y}"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        day, board = self.ctx.as_of, self.board

        def proposed(result) -> None:
            self.proposed = result
            QMessageBox.information(self, tr("Đã đề nghị"), tr("Đã lập {n} hồ sơ đề nghị; bỏ qua {k} đối tượng đã có "
                                                               "hồ sơ.").format(n=len(result.created),
                                                                               k=len(result.skipped)))

        ops.run(self, lambda db: cs.propose_eligible(db, day, board=board),  # the scores shown
                changes=Changes.of(Change.CANDIDATES), title=tr("Đang lập hồ sơ đề nghị"), success=proposed)

    def edit_criteria(self) -> None:
        dialog = CriteriaSetDialog(self.ctx, self)
        dialog.exec()
