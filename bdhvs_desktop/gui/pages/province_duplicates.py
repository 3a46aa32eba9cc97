"""Trùng lặp (province office): the same person proposed by two or more wards, found by CCCD or by
the normalised name and birth date (services/province_views.py: duplicates). One row per ward's
proposal, grouped by person, each naming its ward scope and why it matches."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QVBoxLayout

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import RowsModel
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages import province_common as pc
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.people_model import mask_cccd
from bdhvs_desktop.services.changes import Change
from bdhvs_desktop.services.province_views import duplicates

REASONS = {"cccd": tr("Cùng số CCCD"), "name_birth": tr("Cùng họ tên và ngày sinh")}


@dataclass(frozen=True)
class DuplicateRow:
    group: int  # 1, 2, ... one per person
    reason: str
    explanation: str
    entry: object  # services.province_views.ProposalRef


class ProvinceDuplicatesPage(Page):
    title = tr("Trùng lặp")
    depends_on = frozenset({Change.CANDIDATES})

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("<h2>Cá nhân được đề nghị nhiều lần</h2>")))
        hint = QLabel(tr("So khớp theo số CCCD, hoặc theo họ tên (không phân biệt cách bỏ dấu) cùng ngày sinh khi "
                         "không có CCCD (cùng một quy tắc với hội đồng). Một người có thể được hai phường, hoặc một phường hai lần, "
                         "cùng đề nghị; hội đồng tỉnh chỉ thông qua một hồ sơ cho mỗi người."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.model = RowsModel([
            (tr("Nhóm"), lambda r: str(r.group), lambda r: (r.group, r.entry.ward_name), True),
            (tr("Họ tên"), lambda r: r.entry.name, lambda r: r.entry.name, False),
            (tr("Phường đề nghị"), lambda r: pc.scope(r.entry.ward_name, r.entry.ward_code),
             lambda r: r.entry.ward_name, False),
            (tr("CCCD"), lambda r: mask_cccd(r.entry.cccd), lambda r: r.entry.cccd or "", False),
            (tr("Ngày sinh"), lambda r: pc.vn_date(r.entry.birth_date) or str(r.entry.birth_year or ""),
             lambda r: str(r.entry.birth_date or r.entry.birth_year or ""), False),
            (tr("Hình thức đề nghị"), lambda r: r.entry.award_name or "", lambda r: r.entry.award_name or "", False),
            (tr("Lý do trùng"), lambda r: REASONS.get(r.reason, r.reason), lambda r: r.reason, False),
        ])
        self.model.tooltip = lambda r, _c: r.explanation
        self.model.background = lambda r, _c: "#fff3e0" if r.group % 2 else None
        self.view = pc.table(self.model)
        layout.addWidget(self.view, 1)
        self.status = QLabel()  # one line a duplicate: no word wrap, so the label takes its full height
        layout.addWidget(self.status)

    def refresh(self) -> None:
        ops.run(self, duplicates, success=self._loaded, title=tr("Đang tìm hồ sơ trùng lặp"))

    def _loaded(self, found) -> None:
        rows = [DuplicateRow(i, d.reason, d.explanation, e) for i, d in enumerate(found, start=1) for e in d.entries]
        self.model.set_rows(rows)
        pc.fit_columns(self.view)
        if not found:
            self.status.setText(tr("Không có cá nhân nào được đề nghị hơn một lần."))
        else:
            self.status.setText("\n".join([tr("{n} người được đề nghị hơn một lần:").format(n=len(found))]
                                          + [f"• {d.explanation}" for d in found[:8]]
                                          + ([tr("… và {k} người nữa (xem bảng).").format(k=len(found) - 8)]
                                             if len(found) > 8 else [])))
