"""Chấm điểm: subjects ranked per kind (eligible and not eligible apart), the criterion breakdown
with explanations and evidence, entry of manual criteria, proposing candidates, and the
criteria set editor."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page

PASS_COLOR = QColor("#1b5e20")
FAIL_COLOR = QColor("#b71c1c")


def shown_id(s: sc.SubjectScore) -> str:
    """A person's CCCD is masked in lists (personal data); unit codes are shown as they are."""
    from bdhvs_desktop.domain.cccd import shown_reference

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

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.board = None
        self._busy = False
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
        from bdhvs_desktop.gui.worker import run_in_background
        from bdhvs_desktop.services.scoring import compute_scores

        day = self.ctx.as_of
        if self.date.date() != QDate(day.year, day.month, day.day):
            self.date.blockSignals(True)
            self.date.setDate(QDate(day.year, day.month, day.day))
            self.date.blockSignals(False)
        if self._busy:
            return
        self._busy = True
        self.summary.setText(tr("Đang chấm điểm…"))
        run_in_background(self, tr("Đang chấm điểm"), lambda _progress, _cancelled: compute_scores(self.ctx.db, day),
                          self._loaded, self._failed, cancellable=False, show_dialog=False)

    def load_now(self) -> None:
        """Synchronous load (tests and small wards)."""
        from bdhvs_desktop.services.scoring import compute_scores

        self._loaded(compute_scores(self.ctx.db, self.ctx.as_of))

    def _failed(self, exc: BaseException, _trace: str) -> None:
        self._busy = False
        self.summary.setText(tr("Không chấm được điểm: ") + str(exc))

    def _loaded(self, board) -> None:
        self._busy = False
        self.board = board
        if board.at != self.ctx.as_of:
            self.refresh()  # the date changed meanwhile
            return
        self._show_kind()

    def _shown(self):  # -> services.scoring.ScoreBoard | None
        """The board of the level chosen, when it has been scored."""
        return None if self.board is None else self.board.scored_level(self.level.currentData())

    def _level_changed(self) -> None:
        from bdhvs_desktop.gui.worker import run_in_background

        board, level = self.board, self.level.currentData()
        if board is None or board.scored_level(level) is not None:
            self._show_kind()
            return
        self.summary.setText(tr("Đang chấm điểm…"))
        run_in_background(self, tr("Đang chấm điểm"), lambda _progress, _cancelled: board.at_level(level),
                          lambda _b: self._show_kind(), self._failed, cancellable=False, show_dialog=False)

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
        from bdhvs_desktop.services.safety import EditConflict
        from bdhvs_desktop.services.scoring import ScoringError, record_manual_result

        try:
            record_manual_result(self.ctx.db, c.criterion_id, self.current.subject, self.current.subject_id,
                                 **dialog.values(), seen=c.recorded_at)
        except ScoringError as exc:
            QMessageBox.warning(self, tr("Không ghi được"), str(exc))
            return
        except EditConflict as exc:  # another member recorded this result since the board was computed
            from bdhvs_desktop.gui import conflict

            conflict.show_conflict(self, exc, {"passed": tr("Đạt"), "points": tr("Điểm"), "evidence": tr("Căn cứ")})
            self.ctx.notify("scores")  # reload the board: the colleague's result is shown
            return
        self.ctx.notify("scores")

    def propose_selected(self) -> None:
        if self.current is None:
            return
        from bdhvs_desktop.services import council as cs

        dialog = ProposeDialog(self.current, cs.list_award_forms(self.ctx.db), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        award, summary = dialog.values()
        try:
            cs.propose(self.ctx.db, self.current.subject, self.current.subject_id, award_code=award,
                       summary=summary, at=self.ctx.as_of)
        except cs.CouncilActionError as exc:
            QMessageBox.warning(self, tr("Không đề nghị được"), str(exc))
            return
        QMessageBox.information(self, tr("Đã đề nghị"), tr("Đã lập hồ sơ đề nghị khen thưởng cho {name}.")
                                .format(name=self.current.name))
        self.ctx.notify("candidates")

    def propose_all(self) -> None:
        from bdhvs_desktop.services import council as cs

        answer = QMessageBox.question(
            self, tr("Đề nghị tất cả"),
            tr("Lập hồ sơ đề nghị khen thưởng cho mọi đối tượng đủ điều kiện (mọi loại) chưa có hồ sơ, "
               "theo điểm tính đến {day}?").format(day=f"{self.ctx.as_of:%d/%m/%Y}"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            result = cs.propose_eligible(self.ctx.db, self.ctx.as_of, board=self.board)  # the scores shown
        except cs.CouncilActionError as exc:
            QMessageBox.warning(self, tr("Không đề nghị được"), str(exc))
            return
        QMessageBox.information(self, tr("Đã đề nghị"), tr("Đã lập {n} hồ sơ đề nghị; bỏ qua {k} đối tượng đã có hồ sơ.")
                                .format(n=len(result.created), k=len(result.skipped)))
        self.ctx.notify("candidates")

    def edit_criteria(self) -> None:
        dialog = CriteriaSetDialog(self.ctx, self)
        dialog.exec()
        if dialog.changed:
            self.ctx.notify("criteria")


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
        self.passed = QRadioButton(tr("Đạt"))
        self.failed = QRadioButton(tr("Không đạt"))
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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Lưu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 300)

    def _accept(self) -> None:
        if not self.evidence.toPlainText().strip():
            QMessageBox.warning(self, tr("Thiếu căn cứ"), tr("Hãy ghi căn cứ (minh chứng) cho kết quả."))
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        if self.criterion.type == "gate":
            return {"passed": self.passed.isChecked(), "evidence": self.evidence.toPlainText()}
        return {"points": self.points.value(), "evidence": self.evidence.toPlainText()}


class ProposeDialog(QDialog):
    def __init__(self, subject: sc.SubjectScore, forms, parent: QWidget | None = None):
        super().__init__(parent)
        from bdhvs_desktop.services.council import summary_from_score

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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Đề nghị"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
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
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([tr("Mã"), tr("Tên tiêu chí"), tr("Loại"), tr("Điểm tối đa"),
                                              tr("Cách chấm"), tr("Quy tắc và tham số")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 2, 3, 4):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(5, 260)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr("Thêm tiêu chí…"))
        self.edit_button = QPushButton(tr("Sửa…"))
        self.delete_button = QPushButton(tr("Xóa"))
        close = QPushButton(tr("Đóng"))
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.sets.currentIndexChanged.connect(lambda _i: self._show())
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        close.clicked.connect(self.accept)
        self.resize(1000, 560)
        self.reload()

    def reload(self) -> None:
        from bdhvs_desktop.services.scoring import list_criteria_sets

        current = self.sets.currentData()
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

    def _edit(self, c) -> None:
        from bdhvs_desktop.services.errors import Conflict
        from bdhvs_desktop.services.scoring import ScoringError, save_criterion

        cs = self._current_set()
        if cs is None:
            return
        dialog = CriterionDialog(cs.subject_kind, c, self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                save_criterion(self.ctx.db, cs.id, dialog.value(), c.id if c else None, c.version if c else None)
            except ScoringError as exc:
                QMessageBox.warning(self, tr("Không lưu được"), str(exc))
                continue
            except Conflict:
                QMessageBox.warning(self, tr("Xung đột"), tr("Tiêu chí này vừa được người khác sửa trên máy khác; "
                                                             "hãy đóng và mở lại bộ tiêu chí."))
                return
            self.changed = True
            self.reload()
            return

    def delete(self) -> None:
        from bdhvs_desktop.services.scoring import delete_criterion

        c = self._selected()
        if c is None:
            return
        if QMessageBox.question(self, tr("Xóa tiêu chí"), tr("Xóa tiêu chí {code} — {name}?")
                                .format(code=c.code, name=c.name)) != QMessageBox.StandardButton.Yes:
            return
        delete_criterion(self.ctx.db, c.id)
        self.changed = True
        self.reload()


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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Lưu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
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
        from bdhvs_desktop.services.scoring import CriterionInput

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
