"""Editing a certificate layout: every field's box (mm from the page's top-left) and font sizes
in spin boxes, and a preview drawn with the same numbers over a scan of the office's blank.

The scan is only shown here, never printed. The preview uses the same fitting as the PDF
(documents.certificates.fit_text), so what fits here fits on paper."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from bdhvs_desktop.documents import certificate_layout as cl
from bdhvs_desktop.documents.certificates import SIDE_PAD, Awardee, field_texts, fit_text, font_extents, font_for
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import certificate_awardees, certificate_layouts
from bdhvs_desktop.services import certificates as svc
from bdhvs_desktop.services.changes import Change, Changes

FIELD_LABELS = {
    "name": tr("Tên tập thể, cá nhân"),
    "unit": tr("Chức vụ, đơn vị"),
    "achievement": tr("Thành tích"),
    "decision": tr("Số và ngày quyết định"),
    "place_date": tr("Địa danh, ngày tháng"),
    "signer_title": tr("Chức danh người ký"),
    "signer_name": tr("Họ tên người ký"),
}
ALIGN_LABELS = [("left", tr("Trái")), ("center", tr("Giữa")), ("right", tr("Phải"))]
PAGE_SIZES = [("A4", tr("A4")), ("A3", tr("A3")), ("custom", tr("Tùy chỉnh (mm)"))]
ORIENTATIONS = [("landscape", tr("Nằm ngang")), ("portrait", tr("Đứng"))]
NUMBERS = [("x", tr("Cách trái (mm)")), ("y", tr("Cách trên (mm)")), ("width", tr("Rộng (mm)")),
           ("height", tr("Cao (mm)")), ("font_size", tr("Cỡ chữ (pt)")), ("min_font_size", tr("Nhỏ nhất (pt)"))]
#: Preview width in pixels for an A4 landscape page (other pages keep the same mm scale up to a limit).
PREVIEW_WIDTH = 760

_FAMILIES: dict[str, str] = {}


def _preview_family() -> str:
    """Liberation Serif from resources/fonts, loaded into Qt once (the same font as the PDF)."""
    if "family" not in _FAMILIES:
        from bdhvs_desktop.documents.pdf_reports import font_dir  # lazy: start-up

        family = "Serif"
        for name in ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
                     "LiberationSerif-BoldItalic.ttf"):
            fid = QFontDatabase.addApplicationFont(str(font_dir() / name))
            fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            if fams:
                family = fams[0]
        _FAMILIES["family"] = family
    return _FAMILIES["family"]


def render_preview(layout: cl.Layout, texts: dict[str, str], background: QImage | None = None,
                   width_px: int = PREVIEW_WIDTH, *, plain_frame: bool = False) -> QImage:
    """The page drawn with QPainter from the layout's numbers: the scan (if any) scaled to the
    page, each field's box outlined and its text fitted exactly as in the PDF."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # lazy: start-up

    from bdhvs_desktop.documents.pdf_reports import register_fonts  # lazy: start-up

    register_fonts()
    page_w, page_h = layout.page_mm
    scale = width_px / page_w  # px per mm
    image = QImage(int(round(page_w * scale)), int(round(page_h * scale)), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    # One point of the layout is exactly scale * 25.4 / 72 pixels: fractional font sizes, no rounding.
    dots_per_metre = int(round(scale * 1000))
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    if background is not None and not background.isNull():
        p.drawImage(QRectF(0, 0, image.width(), image.height()), background)
    px_per_pt = scale * 25.4 / 72.0
    family = _preview_family()
    for key in cl.FIELDS:
        box = layout.fields[key]
        rect = QRectF(box.x * scale, box.y * scale, box.width * scale, box.height * scale)
        pen = QPen(QColor(200, 30, 30) if box.show else QColor(150, 150, 150))
        pen.setWidthF(1.0)
        pen.setStyle(Qt.PenStyle.SolidLine if box.show else Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)
        label_font = QFont(family)
        label_font.setPixelSize(max(9, int(2.2 * scale)))
        p.setFont(label_font)
        p.drawText(QPointF(rect.left() + 2, rect.top() - 2), FIELD_LABELS[key])
        text = texts.get(key, "")
        if not box.show or not text:
            continue
        font_name = font_for(box)
        fitted = fit_text(text, font_name, box.width * cl.MM, box.height * cl.MM, box.font_size, box.min_font_size,
                          label=f"preview {key}")
        qfont = QFont(family)
        qfont.setBold(box.bold)
        qfont.setItalic(box.italic)
        # Drawn 16x larger and scaled down: small pixel sizes would round each glyph's advance.
        qfont.setPointSizeF(max(fitted.size, 0.5) * 16)
        qfont.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        p.setFont(qfont)
        p.setPen(QColor(20, 20, 20))
        above, below = font_extents(font_name)
        total_pt = (above + below) * fitted.size + (len(fitted.lines) - 1) * fitted.leading
        height_pt = box.height * cl.MM
        if box.valign == "top":
            top_pt = 0.0
        elif box.valign == "bottom":
            top_pt = height_pt - total_pt
        else:
            top_pt = (height_pt - total_pt) / 2

        inner_w = box.width * cl.MM - 2 * SIDE_PAD
        baseline_pt = top_pt + above * fitted.size
        for line in fitted.lines:
            lw = stringWidth(line, font_name, fitted.size)
            if box.align == "left":
                x_pt = SIDE_PAD
            elif box.align == "right":
                x_pt = SIDE_PAD + inner_w - lw
            else:
                x_pt = SIDE_PAD + (inner_w - lw) / 2
            p.save()
            p.translate(rect.left() + x_pt * px_per_pt, rect.top() + baseline_pt * px_per_pt)
            p.scale(1 / 16, 1 / 16)
            p.drawText(QPointF(0, 0), line)
            p.restore()
            baseline_pt += fitted.leading
    p.end()
    return image


class CertificateLayoutDialog(QDialog):
    """Edit the layout of one award form; save it for the office or go back to the built-in one."""

    def __init__(self, db, award_form: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)

        self.db = db
        self.setWindowTitle(tr("Mẫu in giấy khen"))
        self.background: QImage | None = None
        self.background_path = ""
        self.last_error = ""
        self._loading = False
        self.layout_obj: cl.Layout | None = None

        root = QHBoxLayout(self)
        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Hình thức khen thưởng:")))
        self.form_combo = QComboBox()
        # Synchronous: the award forms table (~20 rows, 0.3 ms); so are the layout reads below (one row).
        for f in certificate_layouts.list_award_forms(db):
            self.form_combo.addItem(f"{f.name} ({f.code})", f.code)
        top.addWidget(self.form_combo, 1)
        left.addLayout(top)

        page_box = QGroupBox(tr("Trang"))
        pg = QGridLayout(page_box)
        self.page_size = QComboBox()
        for code, label in PAGE_SIZES:
            self.page_size.addItem(label, code)
        self.orientation = QComboBox()
        for code, label in ORIENTATIONS:
            self.orientation.addItem(label, code)
        self.custom_w = self._spin(50, 1000)
        self.custom_h = self._spin(50, 1000)
        pg.addWidget(QLabel(tr("Khổ giấy:")), 0, 0)
        pg.addWidget(self.page_size, 0, 1)
        pg.addWidget(self.orientation, 0, 2)
        pg.addWidget(QLabel(tr("Rộng × cao (mm):")), 1, 0)
        pg.addWidget(self.custom_w, 1, 1)
        pg.addWidget(self.custom_h, 1, 2)
        pg.addWidget(QLabel(tr("Chức danh người ký:")), 2, 0)
        self.signer_title = QLineEdit()
        self.signer_title.setToolTip(tr("Dùng dấu | để xuống dòng, ví dụ: T/M BAN THƯỜNG VỤ | BÍ THƯ"))
        pg.addWidget(self.signer_title, 2, 1, 1, 2)
        pg.addWidget(QLabel(tr("Họ tên người ký:")), 3, 0)
        self.signer_name = QLineEdit()
        pg.addWidget(self.signer_name, 3, 1, 1, 2)
        left.addWidget(page_box)

        fields_box = QGroupBox(tr("Vị trí các ô (mm, tính từ góc trên bên trái trang)"))
        grid = QGridLayout(fields_box)
        grid.addWidget(QLabel(tr("Ô")), 0, 0)
        for col, (_key, label) in enumerate(NUMBERS, 1):
            grid.addWidget(QLabel(label), 0, col)
        grid.addWidget(QLabel(tr("Căn")), 0, 7)
        grid.addWidget(QLabel(tr("Đậm")), 0, 8)
        grid.addWidget(QLabel(tr("Nghiêng")), 0, 9)
        grid.addWidget(QLabel(tr("In")), 0, 10)
        self.spins: dict[str, dict[str, QDoubleSpinBox]] = {}
        self.aligns: dict[str, QComboBox] = {}
        self.flags: dict[str, dict[str, QCheckBox]] = {}
        for row, key in enumerate(cl.FIELDS, 1):
            grid.addWidget(QLabel(FIELD_LABELS[key]), row, 0)
            self.spins[key] = {}
            for col, (name, _label) in enumerate(NUMBERS, 1):
                spin = self._spin(cl.MIN_POINTS if "font" in name else 0,
                                  cl.MAX_POINTS if "font" in name else 1000)
                spin.setObjectName(f"{key}.{name}")
                self.spins[key][name] = spin
                grid.addWidget(spin, row, col)
            align = QComboBox()
            for code, label in ALIGN_LABELS:
                align.addItem(label, code)
            align.currentIndexChanged.connect(self._changed)
            self.aligns[key] = align
            grid.addWidget(align, row, 7)
            self.flags[key] = {}
            for col, name in ((8, "bold"), (9, "italic"), (10, "show")):
                check = QCheckBox()
                check.toggled.connect(self._changed)
                self.flags[key][name] = check
                grid.addWidget(check, row, col)
        left.addWidget(fields_box)

        bg = QHBoxLayout()
        self.bg_btn = QPushButton(tr("Chọn ảnh quét phôi…"))
        self.bg_btn.setToolTip(tr("Ảnh phôi giấy khen (PNG, JPG) chỉ để xem trước, không được in."))
        self.bg_btn.clicked.connect(self.choose_background)
        self.bg_clear = QPushButton(tr("Bỏ ảnh"))
        self.bg_clear.clicked.connect(lambda: self.set_background(None))
        bg.addWidget(self.bg_btn)
        bg.addWidget(self.bg_clear)
        bg.addStretch(1)
        left.addLayout(bg)

        buttons = QHBoxLayout()
        self.save_btn = QPushButton(tr("Lưu mẫu in"))
        self.save_btn.clicked.connect(self.save)
        self.reset_btn = QPushButton(tr("Khôi phục mẫu có sẵn"))
        self.reset_btn.clicked.connect(self.reset)
        self.calibrate_btn = QPushButton(tr("Trang căn chỉnh (PDF)…"))
        self.calibrate_btn.clicked.connect(self.calibrate)
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.accept)
        for b in (self.save_btn, self.reset_btn, self.calibrate_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        left.addLayout(buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        left.addWidget(self.status)
        left.addStretch(1)
        root.addLayout(left)

        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        scroll = QScrollArea()
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(PREVIEW_WIDTH + 24)
        root.addWidget(scroll, 1)

        for w in (self.page_size, self.orientation):
            w.currentIndexChanged.connect(self._changed)
        for w in (self.custom_w, self.custom_h):
            w.valueChanged.connect(self._changed)
        for w in (self.signer_title, self.signer_name):
            w.textChanged.connect(self._changed)
        self.form_combo.currentIndexChanged.connect(self.load)
        if award_form:
            i = self.form_combo.findData(award_form)
            if i >= 0:
                self.form_combo.setCurrentIndex(i)
        self.load()

    # ------------------------------------------------------------------ helpers

    def _spin(self, low: float, high: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(1)
        spin.setSingleStep(0.5)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(self._changed)
        return spin

    @property
    def code(self) -> str:
        return self.form_combo.currentData() or ""

    def _sample_texts(self, layout: cl.Layout) -> dict[str, str]:

        awardees = [a for a in certificate_awardees.list_awardees(self.db) if a.award_code == self.code]
        sample = awardees[0] if awardees else Awardee(
            key="sample", name="Nguyễn Thị Thanh Hương", honorific="Bà",  # not-ui: sample data printed in the preview
            unit_line="Bí thư Chi bộ khu phố 3",  # not-ui
            achievement_line="Đã có thành tích xuất sắc trong phong trào thi đua",  # not-ui
            award_code=self.code, award_name="", award_level="", award_issuer="", decision_number="123",
            decision_date=None, collective=False)
        return field_texts(sample, layout, certificate_awardees.place(self.db))

    # ------------------------------------------------------------------ load / read

    def load(self) -> None:
        if not self.code:
            return
        try:
            layout = certificate_layouts.get_layout(self.db, self.code)
        except cl.LayoutError as exc:
            self.last_error = str(exc)
            self.status.setText(tr("Mẫu in đã lưu không dùng được: {e}. Đang hiện mẫu có sẵn.").format(e=exc))
            layout = certificate_layouts.default_layout(self.db, self.code)
        self.show_layout(layout)
        edited = certificate_layouts.layout_is_edited(self.db, self.code)
        if not self.last_error:
            self.status.setText(tr("Mẫu in của văn phòng (đã sửa).") if edited else tr("Mẫu in có sẵn."))

    def show_layout(self, layout: cl.Layout) -> None:
        self._loading = True
        try:
            self.page_size.setCurrentIndex(self.page_size.findData(layout.page_size))
            self.orientation.setCurrentIndex(self.orientation.findData(layout.orientation))
            w, h = layout.page_mm
            self.custom_w.setValue(layout.custom_width or w)
            self.custom_h.setValue(layout.custom_height or h)
            self.signer_title.setText(" | ".join(layout.signer_title.split("\n")))
            self.signer_name.setText(layout.signer_name)
            for key in cl.FIELDS:
                box = layout.fields[key]
                for name, _label in NUMBERS:
                    self.spins[key][name].setValue(getattr(box, name))
                self.aligns[key].setCurrentIndex(self.aligns[key].findData(box.align))
                for name in ("bold", "italic", "show"):
                    self.flags[key][name].setChecked(getattr(box, name))
        finally:
            self._loading = False
        self.layout_obj = layout
        self.update_preview()

    def read_layout(self) -> cl.Layout:
        """The layout as the spin boxes say, checked (LayoutError with the field named)."""
        base = self.layout_obj
        data = base.to_dict() if base else {}
        data.update(code=self.code, page_size=self.page_size.currentData(),
                    orientation=self.orientation.currentData(),
                    signer_title="\n".join(x.strip() for x in self.signer_title.text().split("|") if x.strip()),
                    signer_name=self.signer_name.text().strip())
        if data["page_size"] == "custom":
            data.update(custom_width=self.custom_w.value(), custom_height=self.custom_h.value())
        else:
            data.update(custom_width=0.0, custom_height=0.0)
        fields = {}
        for key in cl.FIELDS:
            box = {name: self.spins[key][name].value() for name, _label in NUMBERS}
            box["align"] = self.aligns[key].currentData()
            box["valign"] = base.fields[key].valign if base else "middle"
            for name in ("bold", "italic", "show"):
                box[name] = self.flags[key][name].isChecked()
            fields[key] = box
        data["fields"] = fields
        return cl.layout_from_dict(data, self.code)

    # ------------------------------------------------------------------ actions

    def _changed(self, *_args) -> None:
        if not self._loading:
            self.update_preview()

    def update_preview(self) -> None:
        try:
            layout = self.read_layout()
        except cl.LayoutError as exc:
            self.last_error = str(exc)
            self.status.setText(str(exc))
            self.save_btn.setEnabled(False)
            return
        self.last_error = ""
        self.save_btn.setEnabled(True)
        self.custom_w.setEnabled(layout.page_size == "custom")
        self.custom_h.setEnabled(layout.page_size == "custom")
        self.orientation.setEnabled(layout.page_size != "custom")
        self.layout_obj = layout
        image = render_preview(layout, self._sample_texts(layout), self.background)
        self.preview.setPixmap(QPixmap.fromImage(image))

    def set_background(self, path: str | None) -> bool:
        if not path:
            self.background, self.background_path = None, ""
            self.update_preview()
            return True
        image = QImage(path)
        if image.isNull():
            ops.refuse(self, tr("Không mở được ảnh “{f}” (cần tệp PNG hoặc JPG).").format(f=Path(path).name))
            return False
        self.background, self.background_path = image, path
        self.update_preview()
        return True

    def choose_background(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Chọn ảnh quét phôi giấy khen"), "",
                                              tr("Ảnh (*.png *.jpg *.jpeg *.bmp)"))
        if path:
            self.set_background(path)

    def save(self) -> bool:

        try:
            layout = self.read_layout()
        except cl.LayoutError as exc:  # already shown under the fields as it is typed
            self.last_error = str(exc)
            self.status.setText(str(exc))
            return False

        def refused(exc: BaseException) -> bool:
            self.last_error = str(exc)
            return False  # shown the one way for its kind

        # The dialog's callers (saving, then printing the calibration page) need the outcome: the
        # operation is waited for in a local event loop (the window keeps painting).
        op = ops.run(self, lambda db: certificate_layouts.save_layout(db, layout), db=self.db, failure=refused,
                     changes=Changes.of(Change.SETTINGS), title=tr("Đang lưu mẫu in"))
        if not op.wait():
            return False
        self.layout_obj = op.result
        self.status.setText(tr("Đã lưu mẫu in của {c}; các máy dùng chung cơ sở dữ liệu in theo mẫu này.").format(
            c=self.code))
        return True

    def reset(self) -> None:
        code = self.code

        def done(layout) -> None:
            self.show_layout(layout)
            self.status.setText(tr("Đã khôi phục mẫu in có sẵn."))

        ops.run(self, lambda db: certificate_layouts.reset_layout(db, code), db=self.db, success=done,
                changes=Changes.of(Change.SETTINGS), title=tr("Đang khôi phục mẫu in")).wait()

    def calibrate(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, tr("Lưu trang căn chỉnh"), f"can-chinh-{self.code}.pdf",
                                                  tr("PDF (*.pdf)"))
        if not path:
            return None
        if not self.save():
            return None
        code, target = self.code, Path(path)
        op = ops.run(self, lambda db: svc.calibrate(db, target, award_form=code), db=self.db,
                     title=tr("Đang tạo trang căn chỉnh"))
        if not op.wait():
            return None
        out = op.result
        self.status.setText(tr("Đã tạo trang căn chỉnh: {p}. In ở tỉ lệ 100% lên phôi để so vị trí.").format(p=out))
        return out
