"""The certificate dialogs offscreen: the layout editor over a scan of a blank (preview drawn with
the layout's numbers, save, reset, a wrong value refused), and printing in the background with
progress and cancel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("PySide6")


def make_blank(path: Path, width_px: int = 1188, height_px: int = 840) -> Path:
    """A synthetic scan of a pre-printed blank (A4 landscape): a red double border, the heading
    and the title printed, the rest empty."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    image = QImage(width_px, height_px, QImage.Format.Format_RGB32)
    image.fill(QColor(252, 248, 236))
    p = QPainter(image)
    k = width_px / 297.0
    for inset, w in ((7, 6), (10, 2)):
        pen = QPen(QColor(160, 30, 30))
        pen.setWidthF(w)
        p.setPen(pen)
        p.drawRect(QRectF(inset * k, inset * k, (297 - 2 * inset) * k, (210 - 2 * inset) * k))
    p.setPen(QColor(0, 0, 0))
    font = QFont("Serif")
    font.setPixelSize(int(4.5 * k))
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(0, 13 * k, 297 * k, 8 * k), Qt.AlignmentFlag.AlignCenter, "CONG HOA XA HOI CHU NGHIA VIET NAM")
    p.drawText(QRectF(0, 36 * k, 297 * k, 8 * k), Qt.AlignmentFlag.AlignCenter, "CHU TICH UY BAN NHAN DAN PHUONG")
    font.setPixelSize(int(15 * k))
    p.setFont(font)
    p.setPen(QColor(190, 20, 20))
    p.drawText(QRectF(0, 55 * k, 297 * k, 25 * k), Qt.AlignmentFlag.AlignCenter, "GIAY KHEN")
    p.end()
    assert image.save(str(path))
    return path


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch):
    """A modal message box would block an offscreen test: record it instead."""
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2] if len(a) > 2 else a))
    return shown


def test_layout_dialog_preview_over_a_blank_save_reset(demo_db, qtbot, tmp_path, qapp, no_modal_boxes):
    from bdhvs_desktop.gui.certificate_layout_dialog import CertificateLayoutDialog
    from bdhvs_desktop.services import certificate_layouts
    from bdhvs_desktop.services.auth import act_as_administrator

    act_as_administrator(demo_db)
    dialog = CertificateLayoutDialog(demo_db, "GK_CT_UBND")
    qtbot.addWidget(dialog)
    dialog.resize(1700, 760)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.code == "GK_CT_UBND"
    assert dialog.spins["name"]["y"].value() == 86
    before = dialog.preview.pixmap().toImage()
    assert before.width() == 760 and abs(before.height() - 760 * 210 / 297) <= 1
    assert dialog.set_background(str(make_blank(tmp_path / "blank.png")))
    with_scan = dialog.preview.pixmap().toImage()
    assert with_scan != before
    # the scan shows through where no field is drawn (the border's colour at 8.5 mm from the left edge)
    scale = 760 / 297
    corner = with_scan.pixelColor(int(7 * scale), int(100 * scale))
    assert corner.red() > 120 and corner.green() < 90
    dialog.grab().save(str(tmp_path / "layout-dialog.png"))

    dialog.spins["name"]["y"].setValue(80)
    dialog.spins["name"]["font_size"].setValue(30)
    assert dialog.preview.pixmap().toImage() != with_scan
    assert dialog.save()
    stored = certificate_layouts.get_layout(demo_db, "GK_CT_UBND")
    assert stored.fields["name"].y == 80 and stored.fields["name"].font_size == 30
    assert certificate_layouts.layout_is_edited(demo_db, "GK_CT_UBND")

    # a box pushed off the page: refused, the field named, nothing saved
    dialog.spins["unit"]["x"].setValue(250)
    assert not dialog.save_btn.isEnabled()
    assert "Chức vụ, đơn vị" in dialog.status.text() and "vượt ra ngoài trang" in dialog.status.text()
    assert certificate_layouts.get_layout(demo_db, "GK_CT_UBND").fields["unit"].x == 30

    pdf = dialog.calibrate(str(tmp_path / "calib.pdf"))
    assert pdf is None and not (tmp_path / "calib.pdf").exists()  # the layout on screen is wrong: no page
    dialog.spins["unit"]["x"].setValue(30)
    pdf = dialog.calibrate(str(tmp_path / "calib.pdf"))
    assert pdf and pdf.is_file()

    dialog.reset()
    assert dialog.spins["name"]["y"].value() == 86
    assert not certificate_layouts.layout_is_edited(demo_db, "GK_CT_UBND")

    # switch to the party form: its own layout (signer on two lines)
    dialog.form_combo.setCurrentIndex(dialog.form_combo.findData("GK_BTV_DU"))
    assert dialog.signer_title.text() == "T/M BAN THƯỜNG VỤ | BÍ THƯ"
    assert dialog.read_layout().signer_title == "T/M BAN THƯỜNG VỤ\nBÍ THƯ"


def test_preview_draws_the_text_inside_the_boxes(qapp):
    """The preview fits text like the PDF: on a white page with the boxes hidden (show=False
    draws no text, so use a layout whose boxes are outlined and check ink outside them)."""

    from bdhvs_desktop.documents.certificate_layout import builtin_layout
    from bdhvs_desktop.gui.certificate_layout_dialog import render_preview

    layout = builtin_layout("", "state")
    texts = {k: "Nguyễn Thị Thanh Hương Ỷ Ỵ Ữ Ẫ " * 6 for k in layout.fields}
    image = render_preview(layout, texts, None, 594)
    scale = 594 / 297
    inside = [(b.x * scale - 2, b.y * scale - 14, b.right * scale + 2, b.bottom * scale + 2)
              for b in layout.fields.values()]
    dark = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.red() < 100 and c.green() < 100 and c.blue() < 100:
                dark += 1
                assert any(left <= x <= r and t <= y <= b for left, t, r, b in inside), (x, y)
    assert dark > 500


def test_print_in_background_and_cancel(demo_db, qtbot, tmp_path, qapp, monkeypatch):
    from bdhvs_desktop.gui.certificates_dialog import CertificatesDialog
    from bdhvs_desktop.services import certificate_awardees

    dialog = CertificatesDialog(demo_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.decision.setText("45")
    dialog.date.setDate(dt.date(2026, 12, 5))
    dialog.out.setText(str(tmp_path / "gk.pdf"))
    dialog.plain.setChecked(True)
    dialog.print_certificates()
    qtbot.waitUntil(lambda: dialog._task is None, timeout=30000)
    assert dialog.last_outcome is not None and dialog.last_outcome.count == 6, dialog.last_error
    from pypdf import PdfReader

    text = PdfReader(str(tmp_path / "gk.pdf")).pages[0].extract_text()
    assert "GIẤY KHEN" in text and "Quyết định số 45/QĐ-UBND ngày 05/12/2026" in text
    assert "Đã tạo 6 giấy khen" in dialog.status.text()

    many = certificate_awardees.list_awardees(demo_db) * 200
    monkeypatch.setattr(certificate_awardees, "list_awardees", lambda *a, **k: many)
    dialog.out.setText(str(tmp_path / "cancelled.pdf"))
    dialog.print_certificates()
    dialog._task.cancel_event.set()
    qtbot.waitUntil(lambda: dialog._task is None, timeout=60000)
    assert "Đã hủy" in dialog.status.text()
    assert not (tmp_path / "cancelled.pdf").exists()

    out = dialog.write_ceremony(str(tmp_path / "xd.docx"))
    assert out and out.is_file()


def test_dossier_page_opens_the_certificates_dialog(demo_db, qtbot, qapp, monkeypatch):
    from bdhvs_desktop.gui import certificates_dialog
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.dossier import DossierPage

    opened = []
    monkeypatch.setattr(certificates_dialog.CertificatesDialog, "exec", lambda self: opened.append(self) or 0)
    page = DossierPage(AppContext(demo_db))
    qtbot.addWidget(page)
    page.certificates_btn.click()
    assert len(opened) == 1 and opened[0].award_form.count() == 5
