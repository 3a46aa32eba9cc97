"""Xếp hạng cấp tỉnh (province office): every ward's candidates ranked together per subject kind
with the province's criteria (services/province_rank.py), the ward column on every row, and the
selected candidate's explanation criterion by criterion (which level's rule failed)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QTextBrowser, QVBoxLayout

from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import RowsModel
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages import province_common as pc
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.services.changes import Change
from bdhvs_desktop.services.province_rank import rank

KINDS = ("party_org", "collective", "individual")


class ProvinceRankingPage(Page):
    title = tr("Xếp hạng cấp tỉnh")
    depends_on = frozenset({Change.CANDIDATES, Change.SCORES, Change.CRITERIA})

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self._ranking = None
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(QLabel(tr("<h2>Xếp hạng các hồ sơ đề nghị theo tiêu chí cấp tỉnh</h2>")))
        head.addStretch(1)
        head.addWidget(QLabel(tr("Đối tượng:")))
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(SUBJECT_KIND_LABELS.get(kind, kind), kind)
        self.kind.setCurrentIndex(KINDS.index("individual"))
        self.kind.currentIndexChanged.connect(lambda *_: self.show_kind())
        head.addWidget(self.kind)
        layout.addLayout(head)
        self.model = RowsModel([
            (tr("Hạng"), lambda r: str(r.rank) if r.rank else tr("—"), lambda r: (r.rank is None, r.rank or 0), True),
            (tr("Phường"), lambda r: r.scope, lambda r: r.ward_name, False),
            (tr("Tên tập thể, cá nhân"), lambda r: r.name, lambda r: r.name, False),
            (tr("Điểm"), lambda r: points_text(r.points), lambda r: r.points, True),
            (tr("Tối đa"), lambda r: points_text(r.max_points), lambda r: r.max_points, True),
            (tr("Đủ điều kiện"), lambda r: tr("Đạt") if r.eligible else tr("Chưa đạt"), lambda r: r.eligible, False),
            (tr("Ghi chú"), lambda r: r.tie_note or r.level_note or (r.failed[0] if r.failed else ""),
             lambda r: r.tie_note or "", False),
        ])
        self.model.background = lambda r, _c: None if r.eligible else "#fdecea"
        self.view = pc.table(self.model)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.show_detail())
        self.detail = QTextBrowser()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setSizes([760, 420])
        layout.addWidget(split, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def refresh(self) -> None:
        ops.run(self, rank, success=self._loaded, title=tr("Đang xếp hạng theo tiêu chí cấp tỉnh"))

    def _loaded(self, ranking) -> None:
        self._ranking = ranking
        self.show_kind()

    def show_kind(self) -> None:
        if self._ranking is None:
            return
        kind = self.kind.currentData()
        rows = self._ranking.of_kind(kind)
        self.model.set_rows(rows)
        pc.fit_columns(self.view)
        wards = len({r.ward_code for r in rows})
        eligible = sum(1 for r in rows if r.eligible)
        self.status.setText(tr("{n} hồ sơ của {w} phường, {e} đủ điều kiện theo tiêu chí cấp tỉnh; xếp hạng chung "
                               "giữa các phường (bằng điểm: nữ trước, rồi tỷ lệ phiếu tán thành ở Hội đồng phường, "
                               "rồi họ tên). Xếp hạng mất {s} giây.").format(
            n=len(rows), w=wards, e=eligible, s=vn_number(self._ranking.seconds, 2)))
        if rows:
            self.view.selectRow(0)
        else:
            self.detail.clear()

    def show_detail(self) -> None:
        r = pc.selected_row(self.view, self.model)
        if r is None:
            self.detail.clear()
            return
        e = html.escape
        parts = [f"<h3>{e(r.name)}</h3>",
                 f"<p>{e(tr('Phường'))}: <b>{e(r.scope)}</b><br>{e(tr('Hình thức đề nghị'))}: {e(r.award_name or '')}"
                 f"<br>{e(tr('Bộ tiêu chí'))}: {e(r.criteria_set or '')} "
                 f"({e(tr('cấp tỉnh') if r.level == 'province' else tr('cấp phường'))})</p>"]
        if r.level_note:
            parts.append(f"<p><i>{e(r.level_note)}</i></p>")
        if r.problem:
            parts.append(f"<p style='color:#b71c1c'>{e(r.problem)}</p>")
        parts.append("<ul>")
        for c in r.criteria:
            mark = "✔" if c.passed else "✘"
            colour = "#1b5e20" if c.passed else "#b71c1c"
            score = f" — {points_text(c.points)}/{points_text(c.max_points)}" if c.type == "points" else ""
            parts.append(f"<li><span style='color:{colour}'>{mark}</span> <b>{e(c.name)}</b>{e(score)}<br>"
                         f"{e(c.explanation)}</li>")
        parts.append("</ul>")
        if r.held_back:
            parts.append(f"<p style='color:#b71c1c'>{e(r.held_back)}</p>")
        if r.tie_note:
            parts.append(f"<p><i>{e(r.tie_note)}</i></p>")
        self.detail.setHtml("".join(parts))
