"""Mô hình: models through their lifecycle (registered → implementing → evaluated → excellent →
replicated) with their replications; individuals' solutions; and the figures units report for
the reported targets."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import MODEL_STATUS_LABELS, MODEL_STATUS_ORDER, ModelStatus
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import (
    RowsModel,
    confirm,
    num,
    report_error,
    vn,
)
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.activities import select_data
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.pages.digital_model_dialogs import (
    AdvanceDialog,
    FigureDialog,
    MenteeDialog,
    ModelDialog,
    ReplicationDialog,
    SolutionDialog,
)
from bdhvs_desktop.services.changes import Change, Changes

__all__ = ["AdvanceDialog", "FigureDialog", "MenteeDialog", "ModelDialog", "ModelsPage", "ReplicationDialog",
           "SolutionDialog"]
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



def _read_page(db) -> tuple:
    """What the page shows, read in one operation (the figures of the chosen target apart)."""
    return (act.unit_choices(db), act.list_models(db), act.list_solutions(db), act.reported_targets(db),
            act.list_mentorships(db), act.mentor_summaries(db))

class ModelsPage(Page):
    title = tr("Mô hình")
    depends_on = frozenset({Change.MODELS, Change.UNITS, Change.PEOPLE, Change.PLAN})

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
        # A page load: the models, solutions, targets, mentorships and the mentors' counts together
        # take 18 ms on the demo ward and 59 ms on a ward of 30,000 people (best of 15, loaded machine).
        self.load(_read_page, self.populate)

    def populate(self, page: tuple) -> None:
        self.units, rows, sols, targets, mentorships, summaries = page
        self.models.set_rows(rows)
        counts = {st: sum(1 for r in rows if r.status == st.value) for st in ModelStatus}
        self.models_summary.setText(tr("{n} mô hình: ").format(n=len(rows)) + ", ".join(
            f"{counts[st]} {MODEL_STATUS_LABELS[st].lower()}" for st in ModelStatus))
        self._show_model()
        self.solutions.set_rows(sols)
        applied = sum(1 for s in sols if s.applied)
        self.solutions_summary.setText(tr("{n} giải pháp, {a} đã áp dụng vào thực tế.").format(n=len(sols), a=applied))
        current = self.target_combo.currentData()
        self.targets = targets
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        for t in self.targets:
            self.target_combo.addItem(f"{t.code} — {t.name}", t.id)
        select_data(self.target_combo, current)
        self.target_combo.blockSignals(False)
        self._load_figures()
        self._mentorships = mentorships
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
            self._delete(lambda db: act.delete_mentorship(db, row.id))

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
        # Synchronous: one target's figures, on each choice of target (0.4 ms on the demo ward, 9 ms on a
        # ward of 30,000 people reporting monthly).
        rows = act.list_figures(self.ctx.db, target.id)
        self.figures.set_rows(rows)
        self.figures_summary.setText(
            tr("Chỉ tiêu {v}, hạn {d}. Khi tính chỉ tiêu, mỗi đơn vị lấy số liệu mới nhất tính đến ngày xem; "
               "{n} số liệu của {u} đơn vị.").format(v=num(target.target, target.value_kind), d=vn(target.deadline),
                                                    n=len(rows), u=len({r.unit_id for r in rows})))

    # ------------------------------------------------------------------ actions

    def _after(self, _what: str = "") -> None:
        """A dialog saved (its save ran as an operation): the pages showing models reload."""
        self.ctx.publish(Changes.of(Change.MODELS))

    def _delete(self, fn) -> None:
        ops.run(self, fn, changes=Changes.of(Change.MODELS), title=tr("Đang xóa…"))

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
            self._delete(lambda db: act.delete_replication(db, last.id))

    def delete_model(self) -> None:
        row = _current(self.models_table, self.models)
        if self._need(row, tr("mô hình")) and confirm(self, tr("Xóa mô hình"), tr(
                "Xóa mô hình {c} — {n}? Các lần nhân rộng của mô hình cũng bị xóa.").format(c=row.code, n=row.name)):
            self._delete(lambda db: act.delete_model(db, row.id, version=row.version))

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
            self._delete(lambda db: act.delete_solution(db, row.id, version=row.version))

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
            self._delete(lambda db: act.delete_figure(db, row.id, version=row.version))
