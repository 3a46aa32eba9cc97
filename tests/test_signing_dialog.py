"""The "Chữ ký số" settings dialog (gui/signing_dialog.py) against SoftHSM2 as the office's USB token: the tokens
listed off the GUI thread and a key chosen, the token configuration and a trusted CA saved and shown again, a
certificate that is not a CA's refused with its message, "Thử ký" with a wrong PIN and the right one, the seal
image; the package export dialog taking the saved settings (and the seal); the province's wards page saying
plainly that no CA is trusted.

With BDHVS_SCREENS=<folder> the dialog's tabs are saved there as PNG (widget.grab())."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from gui_wait import settle
from pki import TestCA, shared_pki, softhsm_lib

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.services import signing_settings as ss
from bdhvs_desktop.services import trusted_cas

needs_softhsm = pytest.mark.skipif(softhsm_lib() is None or shutil.which("softhsm2-util") is None,
                                   reason="SoftHSM2 is not installed (apt-get install softhsm2)")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if softhsm_lib() is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    return shared_pki(tmp_path_factory)


@pytest.fixture
def ctx(db, qapp):
    return AppContext(db)


def _dialog(ctx, qtbot):
    from bdhvs_desktop.gui.signing_dialog import SigningSettingsDialog

    dialog = SigningSettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.resize(860, 640)
    return dialog


def _screens(widget, name: str) -> None:
    folder = os.environ.get("BDHVS_SCREENS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.show()
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # the layout settles as on screen
        assert widget.grab().save(str(Path(folder) / f"{name}.png"))


def _cells(model) -> list[list[str]]:
    return [[model.columns[c][1](row) for c in range(len(model.columns))] for row in model.rows]


def _seal_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), outline=(204, 0, 0, 255), width=14)
    draw.ellipse((70, 70, 230, 230), outline=(204, 0, 0, 255), width=6)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _pem(cert) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM)


@needs_softhsm
def test_tokens_listed_a_key_chosen_and_the_configuration_saved(ctx, db, qtbot, pki):
    dialog = _dialog(ctx, qtbot)
    assert dialog.token_radio.isChecked() and dialog.lib.currentText() == ""  # nothing saved yet, no known library
    assert "Không tìm thấy thư viện" in dialog.lib_hint.text() and "vnptca_p11_v10.dll" in dialog.lib_hint.toolTip()
    dialog.lib.setEditText(pki.ward.lib)
    op = dialog.find_tokens()
    assert op is not None and not op.succeeded  # off the GUI thread
    settle(qtbot)
    rows = _cells(dialog.keys_model)
    assert ["BDHVS-PHUONG", "ky-phuong", "ỦY BAN NHÂN DÂN PHƯỜNG LA GI"] in [r[:3] for r in rows]
    assert "token" in dialog.tokens_note.text()
    assert [r[3].endswith("(đã hết hạn)") for r in rows if r[1] == "ky-het-han"] == [True]
    dialog.keys_view.selectRow([r[:2] for r in rows].index(["BDHVS-PHUONG", "ky-phuong"]))
    assert (dialog.token.text(), dialog.key.text()) == ("BDHVS-PHUONG", "ky-phuong")
    _screens(dialog, "7-chu-ky-so-cach-ky")
    dialog.save_signer()
    settle(qtbot)
    assert "Đã lưu cách ký" in dialog.last_message
    saved = ss.load(db)
    assert (saved.kind, saved.pkcs11_lib, saved.token_label, saved.key_label) == (
        "pkcs11", pki.ward.lib, "BDHVS-PHUONG", "ky-phuong")
    again = _dialog(ctx, qtbot)  # reopened: the saved configuration is shown
    assert (again.lib.currentText(), again.token.text(), again.key.text()) == (pki.ward.lib, "BDHVS-PHUONG",
                                                                               "ky-phuong")
    assert again.token_radio.isChecked() and not again.signer_changed()


def test_a_library_that_is_not_there_is_said_in_the_dialog(ctx, qtbot, tmp_path):
    dialog = _dialog(ctx, qtbot)
    dialog.lib.setEditText(str(tmp_path / "vnptca_p11_v10.dll"))
    dialog.find_tokens()
    settle(qtbot)
    assert "Không tìm thấy thư viện PKCS#11" in dialog.tokens_note.text() and not dialog.keys_model.rows


def test_a_trusted_ca_is_saved_listed_and_removed_and_a_non_ca_refused(ctx, db, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    ca = TestCA.create("CA Thử nghiệm của tỉnh")
    from cryptography.hazmat.primitives.asymmetric import rsa

    leaf = ca.issue(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), "Nguyễn Văn A")
    (tmp_path / "ca.pem").write_bytes(_pem(ca.cert))
    (tmp_path / "nguyen-van-a.cer").write_bytes(_pem(leaf))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    dialog = _dialog(ctx, qtbot)
    assert dialog.tabs.tabText(2) == "CA tin cậy (0)"
    dialog.cas.add_cas([tmp_path / "nguyen-van-a.cer", tmp_path / "ca.pem"])  # one bad file: none is added
    settle(qtbot)
    assert warnings and "nguyen-van-a.cer" in warnings[-1] and "không phải chứng thư của tổ chức chứng thực" \
        in warnings[-1]
    assert "không phải chứng thư" in dialog.last_message and ss.load(db).trusted_cas == ()
    dialog.cas.add_cas([tmp_path / "ca.pem"])
    settle(qtbot)
    assert "Đã tin cậy: CA Thử nghiệm của tỉnh" in dialog.last_message
    assert [c.der for c in ss.load(db).trusted_cas] == [ca.der]

    again = _dialog(ctx, qtbot)  # reopened: listed with its subject, validity and fingerprint
    assert again.tabs.tabText(2) == "CA tin cậy (1)"
    [row] = _cells(again.cas.model)
    name, valid_from, valid_to, subject, fingerprint = row
    assert name == "CA Thử nghiệm của tỉnh" and "CN=CA Thử nghiệm của tỉnh" in subject and "C=VN" in subject
    assert valid_from == f"{ca.cert.not_valid_before_utc:%d/%m/%Y}" and valid_to == f"{ca.cert.not_valid_after_utc:%d/%m/%Y}"
    import hashlib

    assert fingerprint.replace(":", "").lower() == hashlib.sha256(ca.der).hexdigest() and fingerprint.count(":") == 31
    assert fingerprint in again.cas.detail.text() and subject in again.cas.detail.text()
    again.tabs.setCurrentIndex(2)
    _screens(again, "7-chu-ky-so-ca-tin-cay")

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    again.cas.view.selectRow(0)
    again.cas.remove_selected()
    settle(qtbot)
    assert ss.load(db).trusted_cas == () and again.tabs.tabText(2) == "CA tin cậy (0)"


def test_the_seal_image_is_saved_and_previewed(ctx, db, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    png = tmp_path / "con-dau.png"
    png.write_bytes(_seal_png())
    (tmp_path / "anh.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a png")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    dialog = _dialog(ctx, qtbot)
    assert dialog.seal_preview.pixmap().isNull() and not dialog.remove_seal_button.isEnabled()
    dialog.set_seal(tmp_path / "anh.jpg")
    settle(qtbot)
    assert warnings and "anh.jpg" in warnings[-1] and ss.load(db).seal_png is None
    dialog.set_seal(png)
    settle(qtbot)
    assert ss.load(db).seal_png == png.read_bytes()
    again = _dialog(ctx, qtbot)
    assert not again.seal_preview.pixmap().isNull() and "300 × 300" in again.seal_info.text()
    again.tabs.setCurrentIndex(1)
    _screens(again, "7-chu-ky-so-anh-con-dau")
    again.set_seal(None)
    settle(qtbot)
    assert ss.load(db).seal_png is None and again.seal_preview.pixmap().isNull()


@needs_softhsm
def test_trying_to_sign_with_a_wrong_pin_then_the_right_one(ctx, db, qtbot, pki, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    ss.save_signer(db, kind="pkcs11", pkcs11_lib=pki.ward.lib, token_label=pki.ward.token_label,
                   key_label=pki.ward.key_label)
    ss.set_seal_image(db, _seal_png())
    asked = []

    def pin(value):
        return lambda *a, **k: asked.append(a[2]) or (value, True)

    dialog = _dialog(ctx, qtbot)
    monkeypatch.setattr(QInputDialog, "getText", pin("000000"))
    assert dialog.try_signing() is not None
    settle(qtbot)
    assert asked == ["Mã PIN của USB token:"]
    assert dialog.last_message == "Ký thử không thành công: Mã PIN của thiết bị ký số không đúng."
    assert "Mã PIN của thiết bị ký số không đúng" in dialog.trial_result.text()
    assert dialog.trial is None and not dialog.save_trial_button.isEnabled()
    _screens(dialog, "7-chu-ky-so-sai-pin")

    monkeypatch.setattr(QInputDialog, "getText", pin(pki.ward.pin))
    dialog.try_signing()
    settle(qtbot)
    assert dialog.last_message.startswith("Ký thử thành công: chữ ký của “ỦY BAN NHÂN DÂN PHƯỜNG LA GI”")
    assert "Chưa có CA tin cậy nào" in dialog.last_message and dialog.save_trial_button.isEnabled()
    from bdhvs_desktop.documents import signing

    [check] = signing.verify_pdf(dialog.trial.pdf, [pki.ca.der])
    assert check.ok and b"/ByteRange" in dialog.trial.pdf

    trusted_cas.add_trusted_ca(db, pki.ca.der)  # a province office trusting its own CA: the trial says the chain is good
    dialog.reload()
    dialog.try_signing()
    settle(qtbot)
    assert "Chứng thư do một CA tin cậy cấp" in dialog.last_message
    _screens(dialog, "7-chu-ky-so-thu-ky")

    dialog.key.setText("khong-co")  # an unsaved change is tried as typed
    dialog.try_signing()
    settle(qtbot)
    assert "Không tìm thấy khóa/chứng thư có nhãn \"khong-co\"" in dialog.last_message
    dialog.key.setText(pki.ward.key_label)  # as saved again: closing asks nothing


def test_trying_without_a_configuration_says_what_is_missing(ctx, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: pytest.fail("asked a PIN without a token"))
    dialog = _dialog(ctx, qtbot)
    assert dialog.try_signing() is None
    assert warnings == ["Để thử ký cần: thư viện PKCS#11, nhãn token, nhãn khóa ký."]


def test_the_main_window_opens_the_dialog_from_the_file_menu(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui import signing_dialog
    from bdhvs_desktop.gui.main_window import MainWindow

    opened = []
    monkeypatch.setattr(signing_dialog.SigningSettingsDialog, "exec", lambda self: opened.append(self) or 0)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.ctx.first_paint_done()
    action = window.signing_action
    assert action.text() == "Chữ ký số…" and action in window.settings_menu.actions()
    assert [a.text() for a in window.menuBar().actions()] == ["&Tệp", "&Cài đặt"]
    action.trigger()
    assert len(opened) == 1 and opened[0].windowTitle() == "Chữ ký số của cơ quan"


def test_the_export_dialog_takes_the_saved_settings_and_the_seal(ctx, db, qtbot, tmp_path):
    from bdhvs_desktop.gui.package_dialog import PackageExportDialog

    fresh = PackageExportDialog(ctx)
    qtbot.addWidget(fresh)
    assert fresh.sign.currentData() == "none" and "Chưa cài đặt chữ ký số" in fresh.settings_note.text()
    lib = tmp_path / "vnptca_p11_v10.dll"
    lib.write_bytes(b"")
    ss.save_signer(db, kind="pkcs11", pkcs11_lib=str(lib), token_label="VNPT-CA", key_label="UBND phuong")
    seal = _seal_png()
    ss.set_seal_image(db, seal)
    dialog = PackageExportDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.sign.currentData() == "pkcs11"
    assert (dialog.lib.text(), dialog.token.text(), dialog.key.text()) == (str(lib), "VNPT-CA", "UBND phuong")
    assert dialog.pin.text() == "" and "chỉ cần nhập mã PIN" in dialog.settings_note.text()
    assert "có ảnh con dấu" in dialog.settings_note.text()
    dialog.pin.setText("123456")
    cfg = dialog._signer()
    assert (cfg.pkcs11_lib, cfg.token_label, cfg.key_label, cfg.pin) == (str(lib), "VNPT-CA", "UBND phuong", "123456")
    assert cfg.seal_png == seal  # the visible stamp carries the office's seal
    dialog.show()
    _screens(dialog, "7-xuat-goi-theo-cai-dat")


def test_trying_a_p12_file_asks_its_password(ctx, db, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    ca = TestCA.create()
    p12 = ca.pkcs12(tmp_path / "vp.p12", "Văn phòng Đảng ủy phường La Gi")
    dialog = _dialog(ctx, qtbot)
    dialog.p12_radio.setChecked(True)
    assert dialog.p12_box.isVisibleTo(dialog) and not dialog.token_box.isVisibleTo(dialog)
    dialog.p12.setText(str(p12))
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a[2]) or ("sai", True))
    dialog.try_signing()
    settle(qtbot)
    assert asked == ["Mật khẩu tệp chứng thư số:"]
    assert "Ký thử không thành công: Không mở được tệp chứng thư số" in dialog.last_message
    assert "sai mật khẩu" in dialog.last_message
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("matkhau", True))
    dialog.try_signing()
    settle(qtbot)
    assert dialog.last_message.startswith("Ký thử thành công: chữ ký của “Văn phòng Đảng ủy phường La Gi”")
    dialog.save_signer()
    settle(qtbot)
    assert (ss.load(db).kind, ss.load(db).pkcs12_path) == ("pkcs12", str(p12))
