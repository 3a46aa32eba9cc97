"""Hồ sơ các phường (province office): the wards whose packages were imported, with each package's
state (intact, signed, trusted), signer and import date; importing packages (off the GUI thread,
with progress and cancellation); each ward's candidates with their figures and documents, and
opening a document. Every list names the ward scope."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import CANDIDATE_STATUS_LABELS, SUBJECT_KIND_LABELS
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import RowsModel
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages import province_common as pc
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.people_model import mask_cccd
from bdhvs_desktop.services import province_views as pv
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.office import trust_roots
from bdhvs_desktop.services.province import import_packages
from bdhvs_desktop.services.province_dossier import generate_province_dossier
from bdhvs_desktop.services.province_ward_score import ward_score_checks

PACKAGE_FILTER = tr("Gói hồ sơ đề nghị (*.bdhvs-goi *.zip);;Mọi tệp (*)")


def _points(value: float | None, maximum: float | None) -> str:
    if value is None:
        return ""
    text = points_text(value)
    return f"{text}/{points_text(maximum)}" if maximum else text


def _votes(votes: dict) -> str:
    if not votes:
        return ""
    text = tr("{f} tán thành/{p} có mặt").format(f=votes.get("for", 0), p=votes.get("present", "?"))
    return text


def _check_text(check) -> str:
    """The ward's claimed score against the score its facts give: a marker, then why."""
    if check is None:
        return ""
    if check.status == "disagree":
        return tr("⚠ Khác dữ liệu: {note}").format(note=check.note)
    if check.status == "agree":
        return tr("Khớp dữ liệu")
    return tr("Không đối chiếu được: {note}").format(note=check.note)


def _current_package(w) -> str:
    if not w.replaced:
        return w.current_file or ""
    return tr("{f} (thay thế {n} gói trước)").format(f=w.current_file or "", n=w.replaced)


def _status(code: str) -> str:
    for key, label in CANDIDATE_STATUS_LABELS.items():
        if key.value == code:
            return label
    return code


class ProvinceWardsPage(Page):
    title = tr("Hồ sơ các phường")
    depends_on = frozenset({Change.CANDIDATES, Change.COUNCIL, Change.SETTINGS})  # SETTINGS: the trusted CAs

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self._candidates: list = []
        self._checks: dict = {}  # candidate id → services/province_ward_score.py: WardScoreCheck
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        title = QLabel(tr("<h2>Hồ sơ đề nghị của các phường</h2>"))
        head.addWidget(title)
        head.addStretch(1)
        self.import_button = QPushButton(tr("Nhập gói hồ sơ…"))
        self.import_button.setToolTip(tr("Kiểm tra mã băm, chữ ký số và nhập gói hồ sơ đề nghị của phường; "
                                         "gói đã nhập hoặc bị sửa đổi sẽ bị từ chối"))
        self.import_button.clicked.connect(self.choose_packages)
        head.addWidget(self.import_button)
        self.dossier_button = QPushButton(tr("Lập Tờ trình của tỉnh…"))
        self.dossier_button.setToolTip(tr("Tờ trình và hồ sơ gửi cấp có thẩm quyền của tỉnh: dẫn Tờ trình của từng "
                                          "phường, danh sách theo từng phường, với biên bản họp Hội đồng tỉnh"))
        self.dossier_button.clicked.connect(self.choose_dossier_folder)
        head.addWidget(self.dossier_button)
        layout.addLayout(head)
        self.trust_note = QLabel()  # said plainly when the office trusts no CA yet
        self.trust_note.setWordWrap(True)
        self.trust_note.setStyleSheet("QLabel { color: #8a5300; background: #fff4e0; padding: 6px; }")
        self.trust_note.setVisible(False)
        layout.addWidget(self.trust_note)

        self.wards_model = RowsModel([
            (tr("Phường, xã (mã)"), lambda w: pc.scope(w.name, w.code), lambda w: w.name, False),
            (tr("Số hồ sơ"), lambda w: str(w.candidates), lambda w: w.candidates, True),
            (tr("Tờ trình của phường"), lambda w: w.proposal_number or "", lambda w: w.proposal_number or "", False),
            (tr("Ngày"), lambda w: pc.vn_date(w.proposal_date), lambda w: w.proposal_date or 0, False),
            (tr("Tình trạng gói"), lambda w: pc.package_status(w.signer, w.trusted), lambda w: w.trusted, False),
            (tr("Người ký"), lambda w: w.signer or "", lambda w: w.signer or "", False),
            (tr("Ngày nhập"), lambda w: pc.vn_date(w.last_imported_at), lambda w: w.last_imported_at, False),
            (tr("Người nhập"), lambda w: w.last_imported_by or "", lambda w: w.last_imported_by or "", False),
            (tr("Gói hiện hành"), _current_package, lambda w: w.current_file or "", False),
        ])
        self.wards_view = pc.table(self.wards_model)
        self.wards_view.selectionModel().selectionChanged.connect(lambda *_: self.show_ward())

        self.cand_model = RowsModel([
            (tr("Phường"), lambda c: pc.scope(c.ward_name, c.ward_code), lambda c: c.ward_name, False),
            (tr("Tên tập thể, cá nhân"), lambda c: c.name, lambda c: c.name, False),
            (tr("Loại"), lambda c: SUBJECT_KIND_LABELS.get(c.subject_kind, c.subject_kind),
             lambda c: c.subject_kind, False),
            (tr("CCCD"), lambda c: mask_cccd(c.cccd), lambda c: c.cccd or "", False),
            (tr("Điểm ở phường"), lambda c: _points(c.ward_points, c.ward_max_points), lambda c: c.ward_points or 0,
             True),
            (tr("Hội đồng phường"), lambda c: _votes(c.ward_votes), lambda c: c.ward_votes.get("for", 0), False),
            (tr("Trạng thái ở tỉnh"), lambda c: _status(c.status), lambda c: c.status, False),
            (tr("Hình thức đề nghị"), lambda c: c.award_name or "", lambda c: c.award_name or "", False),
            (tr("Đối chiếu điểm phường"), lambda c: _check_text(self._checks.get(c.candidate_id)),
             lambda c: _check_text(self._checks.get(c.candidate_id)), False),
        ])
        self.cand_view = pc.table(self.cand_model)
        self.cand_view.selectionModel().selectionChanged.connect(lambda *_: self.show_candidate())

        self.fig_model = RowsModel([
            (tr("Chỉ tiêu"), lambda f: str(f.get("indicator", "")), lambda f: str(f.get("indicator", "")), False),
            (tr("Kế hoạch"), lambda f: str(f.get("target", "")), lambda f: str(f.get("target", "")), True),
            (tr("Kết quả"), lambda f: str(f.get("result", "")), lambda f: str(f.get("result", "")), True),
            (tr("Đánh giá"), lambda f: str(f.get("assessment", "")), lambda f: str(f.get("assessment", "")), False),
        ])
        self.fig_view = pc.table(self.fig_model)
        self.doc_model = RowsModel([
            (tr("Tài liệu"), lambda d: d.title or d.member.rsplit("/", 1)[-1], lambda d: d.member, False),
            (tr("Dạng"), lambda d: d.kind.upper(), lambda d: d.kind, False),
            (tr("Chữ ký số"), lambda d: tr("có") if d.signed else "", lambda d: d.signed, False),
        ])
        self.doc_view = pc.table(self.doc_model)
        self.doc_view.doubleClicked.connect(lambda *_: self.open_document())
        self.open_button = QPushButton(tr("Mở tài liệu"))
        self.open_button.clicked.connect(self.open_document)

        self.cand_title = QLabel()
        self.detail_title = QLabel()
        wards_box = QGroupBox(tr("Các phường đã gửi hồ sơ"))
        QVBoxLayout(wards_box).addWidget(self.wards_view)
        cand_box = QGroupBox(tr("Hồ sơ đề nghị"))
        cand_layout = QVBoxLayout(cand_box)
        cand_layout.addWidget(self.cand_title)
        cand_layout.addWidget(self.cand_view)
        # The selected candidate's figures and documents side by side, under the candidates.
        figures = QWidget()
        fig_layout = QVBoxLayout(figures)
        fig_layout.setContentsMargins(0, 0, 0, 0)
        fig_layout.addWidget(QLabel(tr("<b>Số liệu (Báo cáo thành tích)</b>")))
        fig_layout.addWidget(self.fig_view, 1)
        documents = QWidget()
        doc_layout = QVBoxLayout(documents)
        doc_layout.setContentsMargins(0, 0, 0, 0)
        doc_row = QHBoxLayout()
        doc_row.addWidget(QLabel(tr("<b>Tài liệu trong gói</b>")))
        doc_row.addStretch(1)
        doc_row.addWidget(self.open_button)
        doc_layout.addLayout(doc_row)
        doc_layout.addWidget(self.doc_view, 1)
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(figures)
        sides.addWidget(documents)
        sides.setSizes([640, 480])
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(sides, 1)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(wards_box)
        outer.addWidget(cand_box)
        outer.addWidget(detail)
        outer.setSizes([170, 300, 260])
        layout.addWidget(outer, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    # -- loading
    def refresh(self) -> None:
        def load(db):
            return pv.list_wards(db), pv.ward_candidates(db), len(trust_roots(db)), ward_score_checks(db)

        ops.run(self, load, success=self._loaded, title=tr("Đang đọc hồ sơ các phường"))

    def _loaded(self, result) -> None:
        wards, candidates, self.trusted_cas, self._checks = result
        self.trust_note.setText(tr(
            "Chưa cài đặt chứng thư CA tin cậy nào (Cài đặt → Chữ ký số…, thẻ “CA tin cậy”): gói hồ sơ nhập vào chỉ được "
            "kiểm tra mã băm và chữ ký khớp nội dung, không xác minh được người ký, và được ghi là “chưa tin cậy”."))
        self.trust_note.setVisible(not self.trusted_cas)
        self._candidates = candidates
        self.wards_model.set_rows(wards)
        pc.fit_columns(self.wards_view)
        total = sum(w.candidates for w in wards)
        self.status.setText(tr("{n} phường, xã đã gửi {c} hồ sơ đề nghị. Mỗi phường là một phạm vi riêng: "
                               "dữ liệu của phường này không trộn với phường khác.").format(n=len(wards), c=total))
        if wards and not self.wards_view.selectionModel().hasSelection():
            self.wards_view.selectRow(0)
        else:
            self.show_ward()

    def show_ward(self) -> None:
        ward = pc.selected_row(self.wards_view, self.wards_model)
        rows = [c for c in self._candidates if ward is not None and c.ward_code == ward.code]
        self.cand_title.setText(tr("Phạm vi: <b>{w}</b> — {n} hồ sơ").format(
            w=pc.scope(ward.name, ward.code), n=len(rows)) if ward else tr("Chọn một phường ở bảng trên."))
        self.cand_model.set_rows(rows)
        pc.fit_columns(self.cand_view)
        if rows:
            self.cand_view.selectRow(0)
        else:
            self.show_candidate()

    def show_candidate(self) -> None:
        cand = pc.selected_row(self.cand_view, self.cand_model)
        self.fig_model.set_rows(list(cand.figures) if cand else [])
        self.doc_model.set_rows(list(cand.documents) if cand else [])
        pc.fit_columns(self.fig_view)
        pc.fit_columns(self.doc_view)
        self.detail_title.setText(tr("<b>{name}</b> — {w}").format(name=cand.name, w=pc.scope(cand.ward_name,
                                                                                                cand.ward_code))
                                  if cand else "")

    # -- actions
    def choose_packages(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Chọn gói hồ sơ của các phường"), "", PACKAGE_FILTER)
        if paths:
            self.import_packages(paths)

    def import_packages(self, paths: list[str], replace: bool = False) -> ops.Op:
        """Import the packages off the GUI thread, with progress and a Hủy button; report each.
        replace: the packages are the wards' corrected ones and replace their earlier packages."""

        def work(db, progress, cancelled):
            return import_packages(db, paths, progress=progress, cancel=cancelled, replace=replace)

        self.import_button.setEnabled(False)
        return ops.run(self, work, progress=True, cancellable=True, title=tr("Đang nhập gói hồ sơ"),
                       changes=Changes.of(Change.CANDIDATES), success=self._imported,
                       finished=lambda: self.import_button.setEnabled(True))

    def _imported(self, report) -> None:
        self.last_report = report
        lines = report.summary_lines()
        box = QMessageBox.warning if report.refused else QMessageBox.information
        box(self, tr("Nhập gói hồ sơ"), "\n\n".join(lines))
        self.refresh()
        resent = [o for o in report.refused if o.resent]
        if resent and self.confirm_replace(resent):
            self.import_packages([o.path for o in resent], replace=True)

    def confirm_replace(self, resent) -> bool:
        """Ask before a ward's corrected package replaces its earlier one."""
        names = "\n".join(f"• {o.ward_name or o.file_name} ({o.file_name})" for o in resent)
        answer = QMessageBox.question(self, tr("Thay thế gói trước"), tr(
            "Các gói sau nêu hồ sơ mà phường đã gửi trong gói trước:\n{names}\n\nNếu đây là gói sửa đổi phường gửi "
            "lại, thay thế gói trước bằng gói này? Gói trước được giữ lại làm lịch sử; việc thay thế chỉ được làm khi "
            "Hội đồng của tỉnh chưa biểu quyết về hồ sơ của phường.").format(names=names),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def choose_dossier_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Chọn thư mục lưu hồ sơ trình khen thưởng cấp tỉnh"))
        if folder:
            self.make_dossier(str(Path(folder) / "ho-so-trinh-tinh"))

    def make_dossier(self, folder: str, *, draft: bool = False) -> ops.Op:
        """The province's Tờ trình and minutes (services/province_dossier.py), off the GUI thread."""

        at = self.ctx.as_of

        def work(db, progress, cancelled):
            return generate_province_dossier(db, folder, draft=draft, at=at, progress=progress, cancel=cancelled)

        def done(outcome) -> None:
            self.last_dossier = outcome
            wards = "\n".join(f"- {name}: {n}" for name, n in outcome.wards)
            QMessageBox.information(self, tr("Hồ sơ trình khen thưởng cấp tỉnh"), tr(
                "Đã lập {n} tệp trong thư mục:\n{f}\n\nSố hồ sơ theo từng phường:\n{w}").format(
                n=len(outcome.files), f=outcome.folder, w=wards) + "".join(f"\n\n{x}" for x in outcome.notes))

        self.dossier_button.setEnabled(False)
        return ops.run(self, work, progress=True, cancellable=True, title=tr("Đang lập hồ sơ trình khen thưởng cấp tỉnh"),
                       changes=Changes.of(Change.CANDIDATES, Change.DOSSIER), success=done,
                       finished=lambda: self.dossier_button.setEnabled(True))

    def open_document(self) -> None:
        doc = pc.selected_row(self.doc_view, self.doc_model)
        if doc is None:
            ops.refuse(self, tr("Chọn một tài liệu trong danh sách trước."))
            return

        def read(db):
            info, data = pv.document_bytes(db, doc.id)
            return pc.save_for_viewer(info.ward_code, info.member, data)

        def opened(path):
            self.last_opened = path
            if not pc.open_file(path):
                QMessageBox.information(self, tr("Mở tài liệu"),
                                        tr("Không mở được bằng chương trình mặc định; tệp đã lưu tại:\n{p}")
                                        .format(p=path))

        ops.run(self, read, success=opened, title=tr("Đang đọc tài liệu"))
