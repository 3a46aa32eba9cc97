"""Tổng quan: where the ward stands on the chosen date — the phase, the countdown to the next
deadline, one card per target (progress bar, traffic-light colour, what is missing) and the
units furthest behind."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.vocab import TARGET_STATUS_LABELS
from bdhvs_desktop.gui.forms import STATUS_BACKGROUNDS, STATUS_COLOURS, date_edit, num, to_date, to_qdate, vn
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services.changes import STATUS_FACTS
from bdhvs_desktop.services.status import StatusReport, compute_status
from bdhvs_desktop.services.target_measure import TargetResult

STATUS_TEXT = {k.value: tr(v) for k, v in TARGET_STATUS_LABELS.items()}
SHOWN_SHORTFALL = 3
CARD_TEXT_WIDTH = 570


def progress_percent(t: TargetResult) -> int:
    """How far the value is towards the target, 0-100 (a count of 1 out of 2 is 50)."""
    if t.value is None or not t.target:
        return 0
    return max(0, min(100, round(100 * t.value / t.target)))


class TargetCard(QFrame):
    def __init__(self, t: TargetResult, parent: QWidget | None = None):
        super().__init__(parent)
        self.target = t
        colour = STATUS_COLOURS[t.status]
        self.setObjectName("card")
        self.setStyleSheet(
            f"#card {{ background: {STATUS_BACKGROUNDS[t.status]}; border: 1px solid #d0d4da;"
            f" border-left: 6px solid {colour}; border-radius: 4px; }}"
            f" QProgressBar {{ border: 1px solid #b8bec6; border-radius: 3px; background: white; height: 14px;"
            f" text-align: center; }} QProgressBar::chunk {{ background: {colour}; }}")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        title = QLabel(f"<b>{t.name}</b>")
        title.setWordWrap(True)
        layout.addWidget(title)
        kind = t.value_kind
        value_line = QLabel(
            f"<span style='font-size:15pt; font-weight:600; color:{colour}'>{num(t.value, kind)}</span>"
            f" &nbsp;/ {tr('chỉ tiêu')} {num(t.target, kind)} &nbsp; "
            f"<span style='color:{colour}; font-weight:600'>● {STATUS_TEXT[t.status]}</span>")
        layout.addWidget(value_line)
        bar = QProgressBar()
        bar.setRange(0, 100)
        bar.setValue(progress_percent(t))
        bar.setTextVisible(False)
        bar.setToolTip(tr("Đạt {p}% so với chỉ tiêu").format(p=progress_percent(t)))
        layout.addWidget(bar)
        when = []
        if t.start:
            when.append(tr("từ {d}").format(d=vn(t.start)))
        if t.deadline:
            when.append(tr("hạn {d}").format(d=vn(t.deadline)))
        detail = f"{t.code} · " + ", ".join(when)
        if t.numerator is not None and t.denominator and kind == "percent" and t.measure != "reported":
            detail += f" · {vn_number(t.numerator, 0)}/{vn_number(t.denominator, 0)}"
        meta = QLabel(detail)
        meta.setStyleSheet("color: #5f6670;")
        layout.addWidget(meta)
        if t.shortfall:
            lines = [f"• {x}" for x in t.shortfall[:SHOWN_SHORTFALL]]
            if len(t.shortfall) > SHOWN_SHORTFALL:
                lines.append(tr("… và {n} mục khác (rê chuột để xem hết)").format(
                    n=vn_number(len(t.shortfall) - SHOWN_SHORTFALL)))
            short = QLabel(tr("Còn thiếu:") + "\n" + "\n".join(lines))
            short.setWordWrap(True)
            layout.addWidget(short)
            full = t.shortfall[:60] + ([tr("… và {n} mục khác").format(n=vn_number(len(t.shortfall) - 60))]
                                       if len(t.shortfall) > 60 else [])
            self.setToolTip("\n".join(full))
        # A scroll area squeezes word-wrapped labels to nothing unless they ask for their height.
        for label in self.findChildren(QLabel):
            height = label.heightForWidth(CARD_TEXT_WIDTH) if label.wordWrap() else label.sizeHint().height()
            label.setMinimumHeight(max(height, label.sizeHint().height()))
        bar.setMinimumHeight(16)


def lagging_units(report: StatusReport, limit: int = 10) -> list[tuple[str, int, int, list[str]]]:
    """(unit name, targets missed, targets at risk, target codes) for the units with the most."""
    by_unit: dict[int, tuple[str, list[str], list[str]]] = {}
    for t in report.targets:
        for u in t.per_unit:
            if u.status in ("missed", "at_risk"):
                name, missed, risk = by_unit.setdefault(u.unit_id, (u.unit_name, [], []))
                (missed if u.status == "missed" else risk).append(t.code)
    rows = [(name, len(missed), len(risk), missed + risk) for name, missed, risk in by_unit.values()]
    rows.sort(key=lambda r: (-r[1], -r[2], r[0]))
    return rows[:limit]


class OverviewPage(Page):
    title = tr("Tổng quan")
    depends_on = STATUS_FACTS

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.report: StatusReport | None = None
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.phase_label = QLabel()
        self.phase_label.setWordWrap(True)
        self.phase_label.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.phase_label, 1)
        top.addWidget(QLabel(tr("Tính đến ngày:")))
        self.as_of_edit = date_edit(ctx.as_of)
        self.as_of_edit.setToolTip(tr("Mọi số liệu được tính đến hết ngày này (tính cả ngày hạn)."))
        self.as_of_edit.dateChanged.connect(lambda q: self.ctx.set_as_of(to_date(q)))
        top.addWidget(self.as_of_edit)
        today = QPushButton(tr("Hôm nay"))
        today.clicked.connect(lambda: self.as_of_edit.setDate(to_qdate(dt.date.today())))
        top.addWidget(today)
        outer.addLayout(top)
        self.summary = QLabel()
        outer.addWidget(self.summary)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.cards_host = QWidget()
        self.cards = QGridLayout(self.cards_host)
        self.cards.setSpacing(8)
        self.body_layout.addWidget(self.cards_host)
        behind_title = QLabel(f"<h3>{tr('Các đơn vị chậm nhất')}</h3>")
        self.body_layout.addWidget(behind_title)
        self.behind = QTableWidget(0, 4)
        self.behind.setHorizontalHeaderLabels([tr("Đơn vị"), tr("Chỉ tiêu chưa đạt"), tr("Có nguy cơ"),
                                               tr("Các chỉ tiêu")])
        self.behind.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.behind.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.behind.verticalHeader().setVisible(False)
        self.behind.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.behind.setMinimumHeight(200)
        self.body_layout.addWidget(self.behind)
        self.body_layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        ctx.as_of_changed.connect(self._sync_date)

    def _sync_date(self, day: dt.date) -> None:
        if to_date(self.as_of_edit.date()) != day:
            self.as_of_edit.blockSignals(True)
            self.as_of_edit.setDate(to_qdate(day))
            self.as_of_edit.blockSignals(False)

    def refresh(self) -> None:
        day = self.ctx.as_of  # the status reads every target's facts: ~1 s on a large ward
        self.load(lambda db: compute_status(db, day), self.populate)

    def populate(self, report: StatusReport) -> None:
        self.report = report
        if report.campaign_name is None:
            self.phase_label.setText(tr("Chưa có phong trào. Hãy tạo từ kế hoạch mẫu hoặc tạo phường mẫu."))
        elif report.phase is None:
            self.phase_label.setText(f"<b>{tr('Ngày {d} không thuộc giai đoạn nào của phong trào.').format(d=vn(report.as_of))}</b>")
        else:
            p = report.phase
            end = vn(p.end) if p.end else tr("chưa xác định")
            text = (f"<span style='font-size:14pt; font-weight:600'>{tr('Giai đoạn')} {p.number}: {p.name}</span>"
                    f"<br>{vn(p.start)} – {end}")
            if report.next_deadline is not None:
                days = report.days_to_next_deadline
                when = tr("hôm nay") if days == 0 else tr("còn {n} ngày").format(n=days)
                text += (f" &nbsp;·&nbsp; {tr('Hạn gần nhất')}: <b>{vn(report.next_deadline)}</b> "
                         f"(<b style='color:#c62828'>{when}</b>)")
            self.phase_label.setText(text)
        counts = {k: sum(1 for t in report.targets if t.status == k) for k in STATUS_TEXT}
        late = sum(1 for t in report.tasks if t.status == "late")
        self.summary.setText(
            tr("{n} chỉ tiêu: {met} đạt, {risk} có nguy cơ, {missed} chưa đạt, {nd} chưa đến hạn · "
               "{late} nhiệm vụ trễ hạn").format(n=len(report.targets), met=counts["met"], risk=counts["at_risk"],
                                                   missed=counts["missed"], nd=counts["not_due"], late=late))
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item.widget():
                item.widget().hide()  # gone at once, not when the deferred delete runs
                item.widget().deleteLater()
        columns = 2
        for i, t in enumerate(report.targets):
            self.cards.addWidget(TargetCard(t), i // columns, i % columns)
        rows = lagging_units(report)
        self.behind.setRowCount(len(rows))
        for r, (name, missed, risk, codes) in enumerate(rows):
            names = {t.code: t.name for t in report.targets}
            for c, value in enumerate((name, str(missed), str(risk), ", ".join(codes))):
                item = QTableWidgetItem(value)
                if c == 3:
                    item.setToolTip("\n".join(f"{code}: {names.get(code, '')}" for code in codes))
                if c in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.behind.setItem(r, c, item)
        if not rows:
            self.behind.setRowCount(1)
            self.behind.setItem(0, 0, QTableWidgetItem(tr("Không có đơn vị nào chậm tiến độ.")))
