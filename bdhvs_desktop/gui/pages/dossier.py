"""Hồ sơ: settings of the award dossier, the secretary's Form 08 text for each candidate,
generating the dossier folder (in the background, with progress and cancel), opening and
printing its documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.pages.dossier_files import (
    ISSUER_FORMATS,
    ISSUERS,
    PERSONAL_FIELDS,
    SECTIONS,
    DossierFilesMixin,
    default_out_dir,
)

__all__ = ["ISSUERS", "ISSUER_FORMATS", "PERSONAL_FIELDS", "SECTIONS", "DossierPage", "default_out_dir"]
from bdhvs_desktop.gui.certificates_dialog import CertificatesDialog
from bdhvs_desktop.gui.package_dialog import PackageExportDialog
from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.services.changes import Change, Changes


class DossierPage(DossierFilesMixin, Page):
    title = tr("Hồ sơ")
    # Not people, units or activities: a reload would refill the report text being written.
    depends_on = frozenset({Change.DOSSIER, Change.CANDIDATES, Change.COUNCIL, Change.AWARDS, Change.SETTINGS,
                            Change.AS_OF})

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self._items: list[svc.DossierCandidate] = []
        self._current: svc.DossierCandidate | None = None
        self._narrative = None
        self._narrative_seq = 0
        self._task = None
        self.last_outcome: svc.DossierOutcome | None = None
        self.last_error: str = ""

        root = QVBoxLayout(self)
        intro = QLabel(tr("<h2>Hồ sơ khen thưởng</h2>Tờ trình (Mẫu 01), Biên bản họp xét và Báo cáo thành tích "
                          "(Mẫu 08) của từng tập thể, cá nhân được lập từ dữ liệu. Hãy viết phần nội dung của từng "
                          "báo cáo thành tích trước khi tạo hồ sơ."))
        intro.setWordWrap(True)
        root.addWidget(intro)

        # -- settings
        box = QGroupBox(tr("Thiết lập"))
        form = QFormLayout(box)
        self.form_set = QComboBox()
        form.addRow(tr("Bộ mẫu:"), self.form_set)
        self.issuer_format = QComboBox()
        for code, label in ISSUER_FORMATS:
            self.issuer_format.addItem(label, code)
        form.addRow(tr("Thể thức văn bản:"), self.issuer_format)
        self.issuer = QComboBox()
        for code, label in ISSUERS:
            self.issuer.addItem(label, code)
        form.addRow(tr("Người trình:"), self.issuer)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText(tr("để trống: người có thẩm quyền của hình thức khen thưởng"))
        form.addRow(tr("Kính gửi:"), self.recipient)
        self.doc_date = QLineEdit()
        self.doc_date.setPlaceholderText(tr("dd/mm/yyyy; để trống: ngày lập hồ sơ"))
        form.addRow(tr("Ngày văn bản:"), self.doc_date)
        self.form_set_warning = QLabel()
        self.form_set_warning.setWordWrap(True)
        self.form_set_warning.setStyleSheet("color: #a15c00;")
        form.addRow("", self.form_set_warning)
        self.form_set.currentIndexChanged.connect(lambda _i: self._update_warning())
        nums = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText(tr("để trống: văn thư ghi tay"))
        self.minutes_number = QLineEdit()
        self.minutes_number.setPlaceholderText(tr("để trống: lấy số phiên họp"))
        nums.addWidget(self.number)
        nums.addWidget(QLabel(tr("Số biên bản:")))
        nums.addWidget(self.minutes_number)
        form.addRow(tr("Số Tờ trình:"), nums)
        signer = QHBoxLayout()
        self.signer_title = QLineEdit()
        self.signer_title.setPlaceholderText(tr("PHÓ BÍ THƯ / CHỦ TỊCH"))
        self.signer_name = QLineEdit()
        self.signer_name.setPlaceholderText(tr("họ và tên người ký"))
        signer.addWidget(self.signer_title)
        signer.addWidget(self.signer_name)
        form.addRow(tr("Người ký Tờ trình:"), signer)
        row = QHBoxLayout()
        self.save_settings_btn = QPushButton(tr("Lưu thiết lập"))
        self.save_settings_btn.clicked.connect(self.save_settings)
        self.templates_btn = QPushButton(tr("Mở thư mục mẫu của văn phòng…"))
        self.templates_btn.setToolTip(tr("Tệp mẫu .docx chép vào thư mục này (trong thư mục con tên bộ mẫu) được "
                                         "dùng thay cho mẫu có sẵn."))
        self.templates_btn.clicked.connect(self.open_templates_dir)
        row.addWidget(self.save_settings_btn)
        row.addWidget(self.templates_btn)
        row.addStretch(1)
        form.addRow("", row)
        root.addWidget(box)

        # -- candidates and their Form 08 text
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.draft = QCheckBox(tr("Bản dự thảo (mọi ứng viên đã đề nghị, ghi “DỰ THẢO”)"))
        self.draft.toggled.connect(lambda _on: self.refresh())
        top.addWidget(self.draft)
        top.addStretch(1)
        lv.addLayout(top)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Tập thể, cá nhân"), tr("Loại"), tr("Hình thức khen thưởng"),
                                              tr("Trạng thái")])
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._on_select)
        lv.addWidget(self.table)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        lv.addWidget(self.empty_label)
        split.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 6, 0)
        self.editing_label = QLabel(tr("Chọn một tập thể hoặc cá nhân để viết báo cáo thành tích."))
        self.editing_label.setWordWrap(True)
        rv.addWidget(self.editing_label)
        ef = QFormLayout()
        self.summary = QLineEdit()
        self.summary.setPlaceholderText(tr("một dòng, in trong danh sách kèm Tờ trình"))
        ef.addRow(tr("Tóm tắt thành tích:"), self.summary)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in PERSONAL_FIELDS:
            line = QLineEdit()
            line.setPlaceholderText(tr("để trống: in dòng chấm để điền tay"))
            self.fields[key] = line
            ef.addRow(label, line)
        rv.addLayout(ef)
        self.draft_note = QLabel("")
        self.draft_note.setWordWrap(True)
        rv.addWidget(self.draft_note)
        self.editors: dict[str, QPlainTextEdit] = {}
        for key, label in SECTIONS:
            rv.addWidget(QLabel(label))
            ed = QPlainTextEdit()
            ed.setTabChangesFocus(True)
            ed.setMinimumHeight(64)
            ed.setMaximumHeight(130)
            self.editors[key] = ed
            rv.addWidget(ed)
        self.save_text_btn = QPushButton(tr("Lưu nội dung báo cáo"))
        self.save_text_btn.clicked.connect(self.save_text)
        self.redraft_btn = QPushButton(tr("Soạn lại từ số liệu"))
        self.redraft_btn.setToolTip(tr("Thay nội dung các ô bằng bản soạn tự động từ số liệu (chưa lưu cho đến khi "
                                       "bấm “Lưu nội dung báo cáo”)."))
        self.redraft_btn.clicked.connect(self.redraft)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.redraft_btn)
        buttons.addWidget(self.save_text_btn)
        rv.addLayout(buttons)
        rv.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(right)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 4)
        root.addWidget(split, 1)

        # -- generate, open, print
        gen = QGroupBox(tr("Tạo hồ sơ"))
        gv = QVBoxLayout(gen)
        r1 = QHBoxLayout()
        r1.addWidget(QLabel(tr("Số liệu tính đến, ngày ký:")))
        self.at = QDateEdit()
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("dd/MM/yyyy")
        self.at.dateChanged.connect(lambda _d: self._update_warning())
        self.doc_date.editingFinished.connect(self._update_warning)
        r1.addWidget(self.at)
        r1.addWidget(QLabel(tr("Thư mục:")))
        self.out_dir = QLineEdit()
        r1.addWidget(self.out_dir, 1)
        browse = QPushButton(tr("Chọn…"))
        browse.clicked.connect(self._browse)
        r1.addWidget(browse)
        self.make_zip = QCheckBox(tr("Nén thành .zip"))
        r1.addWidget(self.make_zip)
        gv.addLayout(r1)
        r2 = QHBoxLayout()
        self.generate_btn = QPushButton(tr("Tạo hồ sơ"))
        self.generate_btn.setDefault(True)
        self.generate_btn.clicked.connect(self.generate)
        self.open_folder_btn = QPushButton(tr("Mở thư mục hồ sơ"))
        self.open_folder_btn.clicked.connect(self.open_folder)
        self.open_doc_btn = QPushButton(tr("Mở tài liệu"))
        self.open_doc_btn.clicked.connect(self.open_document)
        self.print_doc_btn = QPushButton(tr("In tài liệu"))
        self.print_doc_btn.clicked.connect(self.print_document)
        for b in (self.generate_btn, self.open_folder_btn, self.open_doc_btn, self.print_doc_btn):
            r2.addWidget(b)
        r2.addStretch(1)
        # After the dossier: the decision and the register (gui/awards_dialog.py).
        self.decision_btn = QPushButton(tr("Quyết định khen thưởng…"))
        self.decision_btn.clicked.connect(self.open_decision)
        self.register_btn = QPushButton(tr("Sổ khen thưởng…"))
        self.register_btn.clicked.connect(self.open_register)
        r2.addWidget(self.decision_btn)
        r2.addWidget(self.register_btn)
        self.certificates_btn = QPushButton(tr("Giấy khen, xướng danh…"))
        self.certificates_btn.setToolTip(tr("In giấy khen (trên phôi hoặc giấy trắng), mẫu in, danh sách xướng danh"))
        self.certificates_btn.clicked.connect(self.open_certificates)
        r2.addWidget(self.certificates_btn)
        # The ward's proposal package to the province (issue #14): gui/package_dialog.py.
        self.package_btn = QPushButton(tr("Xuất gói hồ sơ đề nghị tỉnh…"))
        self.package_btn.clicked.connect(self.open_package_export)
        r2.addWidget(self.package_btn)
        gv.addLayout(r2)
        self.files = QListWidget()
        self.files.setFixedHeight(92)
        self.files.itemDoubleClicked.connect(lambda _i: self.open_document())
        gv.addWidget(self.files)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        gv.addWidget(self.status)
        root.addWidget(gen)
        self._update_buttons()

    def open_package_export(self) -> None:
        PackageExportDialog(self.ctx, self, at=self._at()).exec()

    def open_certificates(self) -> None:
        CertificatesDialog(self.ctx.db, self).exec()

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        try:
            # Synchronous: the dossier settings row; the candidates below are tens (2.5 ms), no scoring.
            st = svc.load_settings(self.ctx.db)
        except svc.DossierError as exc:
            self.status.setText(str(exc))
            return
        self.form_set.clear()
        try:
            # Synchronous: the form sets' manifests on disk (4-6 ms, not growing with the ward).
            sets = svc.available_form_sets()
        except OSError as exc:
            sets = []
            self.status.setText(tr("Không đọc được thư mục bộ mẫu: {e}").format(e=exc))
        for name, title in sets:
            self.form_set.addItem(f"{name} — {title}", name)
        idx = self.form_set.findData(st.form_set)
        if idx < 0:
            self.form_set.addItem(st.form_set + tr(" (không tìm thấy)"), st.form_set)
            idx = self.form_set.count() - 1
        self.form_set.setCurrentIndex(idx)
        self.issuer_format.setCurrentIndex(max(self.issuer_format.findData(st.issuer_format), 0))
        self.issuer.setCurrentIndex(max(self.issuer.findData(st.issuer), 0))
        self.recipient.setText(st.recipient)
        self.doc_date.setText(st.date.strftime("%d/%m/%Y") if st.date else "")
        self.number.setText(st.number)
        self.minutes_number.setText(st.minutes_number)
        self.signer_title.setText(st.signer_title)
        self.signer_name.setText(st.signer_name)
        self.make_zip.setChecked(st.make_zip)
        day = self.ctx.as_of
        self.at.setDate(QDate(day.year, day.month, day.day))
        if not self.out_dir.text() or self.out_dir.property("auto"):
            self.out_dir.setText(str(default_out_dir(self.draft.isChecked(), day)))
            self.out_dir.setProperty("auto", True)
        self._update_warning()
        self._load_candidates()

    def _load_candidates(self) -> None:
        # A page load (an operation): the candidates are tens (2 ms on the demo ward and on a ward of
        # 30,000 people), but the read fails without a campaign; then the list is empty and says why.
        draft = self.draft.isChecked()

        def failed(exc: BaseException) -> bool:
            if ops.error_kind(exc) is not ops.ErrorKind.INVALID:
                return False
            self._show_candidates([])
            self.empty_label.setText(str(exc))
            return True

        self.load(lambda db: svc.list_dossier_candidates(db, draft=draft), self._show_candidates, failed)

    def _show_candidates(self, items: list) -> None:
        keep = self._current.id if self._current else None
        self._items = items
        self.table.setRowCount(len(self._items))
        for r, it in enumerate(self._items):
            for c, text in enumerate((it.name, it.kind_label, it.award, it.status_label)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(r, c, cell)
        header = self.table.horizontalHeader()
        for col, mode in ((0, QHeaderView.ResizeMode.Stretch), (1, QHeaderView.ResizeMode.ResizeToContents),
                          (2, QHeaderView.ResizeMode.Stretch), (3, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)
        self.table.resizeRowsToContents()
        if not self._items:
            self.empty_label.setText(
                tr("Chưa có ứng viên nào được Hội đồng thông qua. Chọn “Bản dự thảo” để lập hồ sơ cho các ứng viên "
                   "đã đề nghị.") if not self.draft.isChecked() else tr("Chưa có ứng viên nào được đề nghị."))
        else:
            n_c = sum(1 for i in self._items if i.kind == "collective")
            self.empty_label.setText(tr("{c} tập thể, {i} cá nhân sẽ có trong hồ sơ.").format(
                c=n_c, i=len(self._items) - n_c))
        self._current = None
        self.table.clearSelection()  # so selecting the same row again shows its fresh version
        for r, it in enumerate(self._items):
            if it.id == keep:
                self.table.selectRow(r)
                break
        else:
            self._show_candidate(None)
        self._update_buttons()

    def _on_select(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self._show_candidate(self._items[rows[0].row()] if rows else None)

    def _show_candidate(self, item: svc.DossierCandidate | None) -> None:
        self._current = item
        # An approved result is locked by the council: its report text is part of it.
        locked = item is not None and item.status in ("approved", "issued")
        enabled = item is not None and not locked
        self._narrative = None
        self._narrative_seq += 1  # a narrative still loading for the previous row is dropped
        self._set_editable(False, item)
        self.draft_note.setText("")
        if item is None:
            self.editing_label.setText(tr("Chọn một tập thể hoặc cá nhân để viết báo cáo thành tích."))
            for ed in self.editors.values():
                ed.setPlainText("")
            for line in self.fields.values():
                line.setText("")
            self.summary.setText("")
            return
        self.editing_label.setText(tr("<b>Báo cáo thành tích của {n}</b> ({k}; {a})").format(
            n=item.name, k=item.kind_label, a=item.award or tr("chưa chọn hình thức"))
            + (tr(" — đã được Hội đồng thông qua và khóa; muốn sửa phải mở lại kết quả") if locked else ""))
        # What the documents would print: the saved text, else the draft from the records (30-250 ms
        # on the demo ward: an operation). The fields stay disabled until it lands, so nothing the
        # user types is overwritten.
        self.draft_note.setText(tr("Đang đọc báo cáo thành tích…"))
        seq, at = self._narrative_seq, self._at()

        def shown(narrative) -> None:
            if seq == self._narrative_seq and self._current is item:
                self._fill_narrative(item, narrative, enabled)

        def refused(exc: BaseException) -> bool:
            if ops.error_kind(exc) is not ops.ErrorKind.INVALID:
                return False
            if seq == self._narrative_seq and self._current is item:
                self._fill_narrative(item, None, enabled, str(exc))
            return True

        ops.run(self, lambda db: svc.narrative(db, item.id, at=at), success=shown, failure=refused,
                show_progress=False)

    def _set_editable(self, enabled: bool, item: svc.DossierCandidate | None) -> None:
        for ed in self.editors.values():
            ed.setEnabled(enabled)
        for line in self.fields.values():
            line.setEnabled(enabled and item is not None and item.kind != "collective")
        for key in ("structure", "functions"):
            self.editors[key].setEnabled(enabled and item is not None and item.kind == "collective")
        self.summary.setEnabled(enabled)
        self.save_text_btn.setEnabled(enabled)
        self.redraft_btn.setEnabled(enabled)

    def _fill_narrative(self, item: svc.DossierCandidate, narrative, enabled: bool, problem: str = "") -> None:
        self._narrative = narrative
        self.draft_note.setText(problem)
        texts = narrative.texts if narrative is not None else {"summary": item.summary, **item.report_text}
        self.summary.setText(texts.get("summary", ""))
        for key, ed in self.editors.items():
            ed.setPlainText(texts.get(key, ""))
        for key, line in self.fields.items():
            line.setText(texts.get(key, ""))
        self._set_editable(enabled, item)
        if narrative is not None and narrative.drafted:
            labels = [svc.NARRATIVE_LABELS.get(k, k) for k in svc.NARRATIVE_KEYS if k in narrative.drafted]
            self.draft_note.setText(tr("Bản soạn tự động từ số liệu (chưa lưu), hãy đọc và sửa trước khi lưu: {f}.")
                                    .format(f="; ".join(labels)))

    def redraft(self) -> None:
        """Fill the editors with a fresh draft from the records (saved only by "Lưu")."""
        item = self._current
        if item is None:
            return
        at = self._at()

        def drafted(draft) -> None:
            if self._current is not item:
                return
            if "summary" in draft:
                self.summary.setText(draft["summary"])
            for key, ed in self.editors.items():
                if key in draft and key != "results":
                    ed.setPlainText(draft[key])
            for key, line in self.fields.items():
                if key in draft and draft[key]:
                    line.setText(draft[key])
            self.draft_note.setText(tr("Đã soạn lại từ số liệu; bấm “Lưu nội dung báo cáo” để giữ."))

        ops.run(self, lambda db: svc.narrative(db, item.id, at=at).draft, success=drafted,
                title=tr("Đang soạn lại từ số liệu"))

    def _doc_date(self) -> dt.date | None:
        """The date typed in "Ngày văn bản"; None when empty; ValueError when not a date."""
        text = self.doc_date.text().strip()
        if not text:
            return None
        return dt.datetime.strptime(text, "%d/%m/%Y").date()

    def _update_warning(self) -> None:
        """The decree of the chosen form set replaced before the dossier's date: say so."""
        name = self.form_set.currentData()
        try:
            day = self._doc_date() or self._at()
        except ValueError:
            day = self._at()
        # Synchronous: the chosen form set's manifest read again on each choice (9-18 ms on a loaded
        # machine, not growing with the ward); the warning must follow the choice at once.
        text = svc.form_set_warning_named(name, day) if name else ""
        self.form_set_warning.setText(text)
        self.form_set_warning.setVisible(bool(text))

    # ------------------------------------------------------------------- saving

    def save_settings(self) -> None:
        try:
            doc_date = self._doc_date()
        except ValueError:
            ops.refuse(self, tr("Ngày văn bản “{d}” không hợp lệ (dd/mm/yyyy).").format(d=self.doc_date.text()))
            return
        values = dict(form_set=self.form_set.currentData() or svc.DEFAULT_FORM_SET,
                      issuer_format=self.issuer_format.currentData(), issuer=self.issuer.currentData(),
                      recipient=self.recipient.text(), date=doc_date, number=self.number.text(),
                      minutes_number=self.minutes_number.text(), signer_title=self.signer_title.text(),
                      signer_name=self.signer_name.text(), make_zip=self.make_zip.isChecked())

        def saved(_result) -> None:
            self.status.setText(tr("Đã lưu thiết lập hồ sơ."))
            self._update_warning()

        ops.run(self, lambda db: svc.save_settings(db, **values), changes=Changes.of(Change.DOSSIER), success=saved,
                title=tr("Đang lưu thiết lập hồ sơ"))

    def save_text(self) -> bool:
        """Save the selected candidate's Form 08 text; True when it was saved. The save is an
        operation; this waits for it in a local event loop (the window keeps answering) because
        the outcome is this method's answer."""
        item = self._current
        if item is None:
            return False
        sections = {key: ed.toPlainText() for key, ed in self.editors.items()}
        if item.kind != "collective":
            sections.update({key: line.text() for key, line in self.fields.items()})
            sections.pop("structure", None)
            sections.pop("functions", None)
        summary = self.summary.text()

        def saved(_result) -> None:
            self.status.setText(tr("Đã lưu nội dung báo cáo thành tích của {n}.").format(n=item.name))

        # A colleague saved this report first: the editors keep the text (several sections the user
        # may want to copy first; reloading comes with the candidate list), so no reload question.
        return ops.run(self, lambda db: svc.save_report_text(db, item.id, sections, item.version, summary=summary),
                       changes=Changes.of(Change.DOSSIER, Change.CANDIDATES), success=saved, reload=ops.KEEP,
                       title=tr("Đang lưu báo cáo thành tích"), labels=dict(SECTIONS)).wait()

    # ---------------------------------------------------------------- generating

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Chọn thư mục chứa hồ sơ"), self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)
            self.out_dir.setProperty("auto", False)

    def _at(self) -> dt.date:
        q = self.at.date()
        return dt.date(q.year(), q.month(), q.day())

    def generate(self) -> None:
        if self._task is not None:
            return
        out = self.out_dir.text().strip()
        if not out:
            ops.refuse(self, tr("Hãy chọn thư mục chứa hồ sơ."))
            return
        if self.out_dir.property("auto"):
            out = str(default_out_dir(self.draft.isChecked(), self._at()))
            self.out_dir.setText(out)
        draft = self.draft.isChecked()
        at = self._at()
        form_set = self.form_set.currentData()
        make_zip = self.make_zip.isChecked()
        self.last_error = ""
        self.status.setText(tr("Đang tạo hồ sơ…"))

        def work(db, progress, cancelled):
            return svc.generate_dossier(db, Path(out), draft=draft, at=at, form_set=form_set, make_zip=make_zip,
                                        progress=progress, cancel=cancelled)

        self.generate_btn.setEnabled(False)
        # Issuing the final dossier moves the candidates to "đã lập hồ sơ trình khen thưởng".
        self._task = ops.run(self, work, progress=True, cancellable=True, title=tr("Đang tạo hồ sơ khen thưởng"),
                             changes=lambda outcome: Changes.of(Change.DOSSIER, *(
                                 (Change.CANDIDATES,) if outcome.issued else ())),
                             success=self._done, failure=self._failed, finished=self._generated)

    def _generated(self) -> None:
        self._task = None
        self._update_buttons()

    def _done(self, outcome: svc.DossierOutcome) -> None:
        self.last_outcome = outcome
        self.files.clear()
        for path in outcome.files + ((outcome.zip_path,) if outcome.zip_path else ()):
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.files.addItem(item)
        if self.files.count():
            self.files.setCurrentRow(0)
        text = tr("Đã tạo {k} gồm {n} tệp trong {f}.").format(
            k=tr("bản dự thảo hồ sơ") if outcome.draft else tr("hồ sơ khen thưởng"), n=len(outcome.files),
            f=outcome.folder)
        if outcome.issued:
            text += " " + tr("{n} ứng viên chuyển sang “Đã lập hồ sơ trình khen thưởng”.").format(n=len(outcome.issued))
        for note in outcome.notes:
            text += "\n" + note
        self.status.setText(text)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> bool:
        """The page's status line says the dossier was not made; the error itself is shown the
        one way for its kind (gui/ops.py), a cancellation only in the status line."""
        self.last_error = str(exc)
        kind = ops.error_kind(exc)
        if kind is ops.ErrorKind.CANCELLED or type(exc).__name__ == "DossierCancelled":
            self.status.setText(str(exc))
            return True
        self.status.setText(tr("Chưa tạo được hồ sơ."))
        return False
