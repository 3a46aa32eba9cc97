"""Kế hoạch và tiến độ: a painted timeline (phases as bands, tasks as markers coloured by status,
a line at the as-of date) beside the task list, where a task's progress and a phase's dates are
edited."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.vocab import TASK_STATUS_LABELS
from bdhvs_desktop.gui.forms import FormDialog, OptionalDate, RowsModel, date_edit, report_error, to_date, to_qdate, vn
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services import activities as act
from bdhvs_desktop.services.changes import STATUS_FACTS, Change, Changes
from bdhvs_desktop.services.status import StatusReport, TaskResult, compute_status

TASK_TEXT = {k.value: tr(v) for k, v in TASK_STATUS_LABELS.items()}
TASK_COLOURS = {"not_started": "#8a8f98", "in_progress": "#1e6fd9", "done": "#2e7d32", "late": "#c62828"}
PHASE_COLOURS = ["#dbe9f8", "#fde9cf", "#e2f2e3", "#efe3f6", "#f6f0d5"]


class TimelineWidget(QWidget):
    """Months along the top, one band per phase, the tasks of each phase as diamonds at their due
    date (stacked when they share a day), and a red line at the as-of date."""

    task_clicked = Signal(int)

    LEFT = 150
    RIGHT = 20
    TOP = 44
    BAND = 74
    MARK = 7

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.report: StatusReport | None = None
        self.selected: int | None = None
        self._markers: list[tuple[QPointF, TaskResult]] = []
        self.setMouseTracking(True)
        self.setMinimumSize(520, 260)

    def set_report(self, report: StatusReport) -> None:
        self.report = report
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        phases = len(self.report.phases) if self.report else 4
        return QSize(760, self.TOP + phases * self.BAND + 60)

    def _span(self) -> tuple[dt.date, dt.date]:
        r = self.report
        days = [p.start for p in r.phases] + [p.end for p in r.phases if p.end] + [t.due for t in r.tasks if t.due]
        days.append(r.as_of)
        first, last = min(days), max(days)
        first = first.replace(day=1)
        last = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return first, last

    def _x(self, day: dt.date, first: dt.date, last: dt.date) -> float:
        width = self.width() - self.LEFT - self.RIGHT
        total = max((last - first).days + 1, 1)
        return self.LEFT + width * (day - first).days / total

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        self._markers = []
        r = self.report
        if r is None or not r.phases:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("Chưa có kế hoạch (giai đoạn, nhiệm vụ)."))
            return
        first, last = self._span()
        self.BAND = max(74, min(140, (self.height() - self.TOP - 60) // max(len(r.phases), 1)))
        bottom = self.TOP + len(r.phases) * self.BAND
        # months
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1))
        painter.setFont(small)
        month = first
        while month <= last:
            x = self._x(month, first, last)
            painter.setPen(QPen(QColor("#d5d9de"), 1))
            painter.drawLine(QPointF(x, self.TOP - 6), QPointF(x, bottom))
            painter.setPen(QColor("#3c4148"))
            step = self._x(first + dt.timedelta(days=30), first, last) - self.LEFT
            if step >= 40 or month.month % 2 == 1:
                label = f"{month.month:02d}/{month.year % 100:02d}"
                painter.drawText(QRectF(x + 2, self.TOP - 24, 60, 16), Qt.AlignmentFlag.AlignLeft, label)
            month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        # phase bands
        for i, p in enumerate(r.phases):
            y = self.TOP + i * self.BAND
            end = p.end or last
            x0, x1 = self._x(p.start, first, last), self._x(end + dt.timedelta(days=1), first, last)
            current = r.phase is not None and r.phase.number == p.number
            painter.setPen(QPen(QColor("#5f6670") if current else QColor("#c3c8cf"), 2 if current else 1))
            painter.setBrush(QBrush(QColor(PHASE_COLOURS[i % len(PHASE_COLOURS)])))
            painter.drawRoundedRect(QRectF(x0, y + 6, max(x1 - x0, 2), self.BAND - 12), 4, 4)
            painter.setPen(QColor("#1f2328"))
            bold = QFont(self.font())
            bold.setBold(current)
            painter.setFont(bold)
            painter.drawText(QRectF(6, y + 6, self.LEFT - 12, self.BAND - 12),
                             Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                             f"{tr('Giai đoạn')} {p.number}\n{vn(p.start)} – {vn(p.end) if p.end else '…'}")
            painter.setFont(small)
            painter.setPen(QColor("#3c4148"))
            painter.drawText(QRectF(x0 + 6, y + 8, max(x1 - x0 - 12, 10), 16),
                             Qt.AlignmentFlag.AlignLeft, self._elide(p.name, x1 - x0 - 12))
        # task markers, stacked by due date within their phase
        stacks: dict[tuple[int, dt.date], int] = {}
        numbers = [p.number for p in r.phases]
        for t in r.tasks:
            if t.due is None:
                continue
            row = numbers.index(t.phase_number) if t.phase_number in numbers else self._phase_row(t.due)
            n = stacks.get((row, t.due), 0)
            stacks[(row, t.due)] = n + 1
            x = self._x(t.due, first, last)
            y = self.TOP + row * self.BAND + 34 + (n % 4) * 12
            x -= (n // 4) * 12
            centre = QPointF(x, y)
            self._markers.append((centre, t))
            path = QPainterPath()
            s = self.MARK
            path.moveTo(x, y - s)
            path.lineTo(x + s, y)
            path.lineTo(x, y + s)
            path.lineTo(x - s, y)
            path.closeSubpath()
            painter.setPen(QPen(QColor("black") if t.id == self.selected else QColor("white"), 2 if t.id == self.selected else 1))
            painter.setBrush(QColor(TASK_COLOURS[t.status]))
            painter.drawPath(path)
        # as-of line
        if first <= r.as_of <= last:
            x = self._x(r.as_of, first, last) + 0.5 * (self._x(first + dt.timedelta(days=1), first, last) - self.LEFT)
            painter.setPen(QPen(QColor("#d32f2f"), 2))
            painter.drawLine(QPointF(x, self.TOP - 8), QPointF(x, bottom + 4))
            label = tr("Hôm nay") if r.as_of == dt.date.today() else tr("Ngày xem")
            painter.setFont(small)
            painter.drawText(QRectF(x - 60, bottom + 6, 120, 16), Qt.AlignmentFlag.AlignHCenter,
                             f"{label} {vn(r.as_of)}")
        # legend
        lx = 10.0
        ly = bottom + 26
        painter.setFont(small)
        metrics = painter.fontMetrics()
        for status in ("not_started", "in_progress", "done", "late"):
            width = metrics.horizontalAdvance(TASK_TEXT[status]) + 34
            if lx + width > self.width() - self.RIGHT:
                lx, ly = 10.0, ly + 18
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(TASK_COLOURS[status]))
            painter.drawEllipse(QPointF(lx + 5, ly + 7), 5, 5)
            painter.setPen(QColor("#3c4148"))
            painter.drawText(QRectF(lx + 14, ly, width, 16), Qt.AlignmentFlag.AlignLeft, TASK_TEXT[status])
            lx += width

    def _phase_row(self, day: dt.date) -> int:
        for i, p in enumerate(self.report.phases):
            if p.start <= day and (p.end is None or day <= p.end):
                return i
        return len(self.report.phases) - 1

    def _elide(self, text: str, width: float) -> str:
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(max(width, 10)))

    def _marker_at(self, pos: QPointF) -> TaskResult | None:
        best = None
        best_d = (self.MARK + 3) ** 2
        for centre, task in self._markers:
            d = (centre.x() - pos.x()) ** 2 + (centre.y() - pos.y()) ** 2
            if d <= best_d:
                best, best_d = task, d
        return best

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        task = self._marker_at(event.position())
        if task is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(),
                          f"{task.title}\n{task.unit or ''}\n{tr('Hạn')}: {vn(task.due)} — {TASK_TEXT[task.status]}", self)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        task = self._marker_at(event.position())
        if task is not None:
            self.selected = task.id
            self.update()
            self.task_clicked.emit(task.id)


class TaskDialog(FormDialog):
    def __init__(self, db, task: TaskResult, parent: QWidget | None = None):
        super().__init__(tr("Cập nhật tiến độ nhiệm vụ"), parent)
        self.db = db
        self.task = task
        title = QLabel(f"<b>{task.title}</b><br>{task.unit or ''}")
        title.setWordWrap(True)
        self.form.addRow(title)
        self.status = QComboBox()
        for code in ("not_started", "in_progress", "done"):
            self.status.addItem(TASK_TEXT[code], code)
        self.status.setCurrentIndex(max(0, self.status.findData(task.stored_status)))
        self.form.addRow(tr("Trạng thái"), self.status)
        self.due = date_edit(task.due)
        self.form.addRow(tr("Hạn"), self.due)
        self.done_date = OptionalDate(task.done_date, tr("đã hoàn thành ngày"))
        self.form.addRow(tr("Ngày hoàn thành"), self.done_date)
        self.evidence = QPlainTextEdit(task.evidence or "")
        self.evidence.setPlaceholderText(tr("Số, ngày văn bản hoặc báo cáo chứng minh đã hoàn thành"))
        self.evidence.setFixedHeight(80)
        self.form.addRow(tr("Minh chứng"), self.evidence)
        hint = QLabel(tr("“Trễ hạn” được tính tự động khi quá hạn mà chưa hoàn thành."))
        hint.setStyleSheet("color:#5f6670")
        self.form.addRow(hint)

    def save(self):
        task, status = self.task, self.status.currentData()
        values = dict(done_date=self.done_date.value(), evidence=self.evidence.toPlainText(),
                      due_date=to_date(self.due.date()), version=task.version)
        return lambda db: act.update_task(db, task.id, status, **values)


class PhaseDialog(FormDialog):
    labels = {"start_date": tr("Bắt đầu"), "end_date": tr("Kết thúc")}  # a conflict's differing dates

    def __init__(self, db, report: StatusReport, parent: QWidget | None = None):
        super().__init__(tr("Sửa ngày của giai đoạn"), parent)
        self.db = db
        self.phases = {p.number: p for p in report.phases}
        self.number = QSpinBox()
        self.number.setRange(min(self.phases), max(self.phases))
        current = report.phase.number if report.phase else min(self.phases)
        self.number.setValue(current)
        self.form.addRow(tr("Giai đoạn"), self.number)
        self.name = QLabel()
        self.name.setWordWrap(True)
        self.form.addRow(self.name)
        self.start = date_edit()
        self.form.addRow(tr("Bắt đầu"), self.start)
        self.end = OptionalDate(None, tr("có ngày kết thúc"))
        self.form.addRow(tr("Kết thúc"), self.end)
        self.number.valueChanged.connect(self._load)
        self._load(current)

    def _load(self, number: int) -> None:
        p = self.phases[number]
        self.name.setText(p.name)
        self.start.setDate(to_qdate(p.start))
        self.end.set_value(p.end)

    def save(self):
        number, start, end = self.number.value(), to_date(self.start.date()), self.end.value()
        version = self.phases[number].version
        return lambda db: act.update_phase(db, number, start, end, version=version)


class PlanPage(Page):
    title = tr("Kế hoạch và tiến độ")
    depends_on = STATUS_FACTS

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.report: StatusReport | None = None
        outer = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setWordWrap(True)
        outer.addWidget(self.header)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.timeline = TimelineWidget()
        self.timeline.task_clicked.connect(self._select_task)
        split.addWidget(self.timeline)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("Hiện:")))
        self.show_filter = QComboBox()
        for label, code in ((tr("Tất cả nhiệm vụ"), None), (TASK_TEXT["late"], "late"), (tr("Chưa xong"), "open"),
                            (TASK_TEXT["done"], "done")):
            self.show_filter.addItem(label, code)
        self.show_filter.currentIndexChanged.connect(lambda _i: self._fill_tasks())
        filters.addWidget(self.show_filter, 1)
        filters.addWidget(QLabel(tr("Đơn vị:")))
        self.unit_filter = QComboBox()
        self.unit_filter.setMinimumWidth(200)
        self.unit_filter.currentIndexChanged.connect(lambda _i: self._fill_tasks())
        filters.addWidget(self.unit_filter, 2)
        rl.addLayout(filters)
        self.model = RowsModel([
            (tr("GĐ"), lambda t: str(t.phase_number or ""), lambda t: (t.phase_number or 0, t.due or dt.date.max), True),
            (tr("Nhiệm vụ"), lambda t: t.title, lambda t: t.title, False),
            (tr("Đơn vị"), lambda t: t.unit or "", lambda t: t.unit or "", False),
            (tr("Hạn"), lambda t: vn(t.due), lambda t: t.due or dt.date.max, False),
            (tr("Trạng thái"), lambda t: TASK_TEXT[t.status], lambda t: t.status, False),
        ])
        self.model.background = lambda t, col: {"late": "#fdecea", "done": "#e8f5e9"}.get(t.status) if col == 4 else None
        self.model.tooltip = lambda t, col: (f"{t.title}\n{t.unit or ''}\n{tr('Minh chứng')}: {t.evidence}"
                                             if t.evidence else f"{t.title}\n{t.unit or ''}")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 140)
        self.table.doubleClicked.connect(lambda _i: self.edit_task())
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        rl.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        edit = QPushButton(tr("Cập nhật tiến độ…"))
        edit.clicked.connect(self.edit_task)
        phase = QPushButton(tr("Sửa ngày giai đoạn…"))
        phase.clicked.connect(self.edit_phase)
        buttons.addWidget(edit)
        buttons.addWidget(phase)
        buttons.addStretch(1)
        rl.addLayout(buttons)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 660])
        self.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
        outer.addWidget(split, 1)

    def refresh(self) -> None:
        day = self.ctx.as_of  # the status reads every target's facts: ~1 s on a large ward
        self.load(lambda db: compute_status(db, day), self.populate)

    def populate(self, report: StatusReport) -> None:
        self.report = report
        late = sum(1 for t in report.tasks if t.status == "late")
        done = sum(1 for t in report.tasks if t.status == "done")
        phase = (f"{tr('Giai đoạn')} {report.phase.number}: {report.phase.name}" if report.phase
                 else tr("Ngoài thời gian các giai đoạn"))
        deadline = ""
        if report.next_deadline:
            deadline = " · " + tr("hạn gần nhất {d} (còn {n} ngày)").format(d=vn(report.next_deadline),
                                                                             n=report.days_to_next_deadline)
        self.header.setText(f"<b>{phase}</b> — {tr('tính đến')} {vn(report.as_of)}{deadline}<br>"
                            + tr("{n} nhiệm vụ: {d} đã hoàn thành, {l} trễ hạn.").format(n=len(report.tasks), d=done,
                                                                                        l=late))
        self.timeline.set_report(report)
        current = self.unit_filter.currentData()
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem(tr("Mọi đơn vị"), None)
        for unit in sorted({t.unit for t in report.tasks if t.unit}):
            self.unit_filter.addItem(unit, unit)
        index = self.unit_filter.findData(current)
        self.unit_filter.setCurrentIndex(index if index >= 0 else 0)
        self.unit_filter.blockSignals(False)
        self._fill_tasks()

    def _fill_tasks(self) -> None:
        if self.report is None:
            return
        mode = self.show_filter.currentData()
        tasks = self.report.tasks
        if mode == "late":
            tasks = [t for t in tasks if t.status == "late"]
        elif mode == "open":
            tasks = [t for t in tasks if t.status != "done"]
        elif mode == "done":
            tasks = [t for t in tasks if t.status == "done"]
        unit = self.unit_filter.currentData()
        if unit:
            tasks = [t for t in tasks if t.unit == unit]
        self.model.set_rows(tasks)
        self.table.resizeRowsToContents()

    def _on_row(self, current, _previous) -> None:
        if current.isValid():
            self.timeline.selected = self.model.row_at(current.row()).id
            self.timeline.update()

    def _select_task(self, task_id: int) -> None:
        for row, t in enumerate(self.model.rows):
            if t.id == task_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return

    def current_task(self) -> TaskResult | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def edit_task(self) -> None:
        task = self.current_task()
        if task is None:
            report_error(self, ValueError(tr("Chọn một nhiệm vụ trong danh sách trước.")))
            return
        if TaskDialog(self.ctx.db, task, self).exec():
            self.ctx.publish(Changes.of(Change.PLAN))

    def edit_phase(self) -> None:
        if not self.report or not self.report.phases:
            return
        if PhaseDialog(self.ctx.db, self.report, self).exec():
            self.ctx.publish(Changes.of(Change.CAMPAIGN, Change.PLAN))
