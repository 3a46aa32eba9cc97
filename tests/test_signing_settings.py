"""The office's signing settings (services/signing_settings.py): token or certificate file, trusted CAs; the PIN
is never stored."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.hazmat.primitives import serialization
from PIL import Image
from pki import TestCA

from bdhvs_desktop.services import pkcs11_libraries, trusted_cas
from bdhvs_desktop.services import signing_settings as ss
from bdhvs_desktop.storage import models as m


def test_token_settings_round_trip_without_the_pin(db):
    assert not ss.load(db).configured
    with pytest.raises(ss.SigningSettingsError, match="Chưa cài đặt chữ ký số"):
        ss.load(db).signer_config(pin="123456")
    ss.save_signer(db, kind="pkcs11", pkcs11_lib=r"C:\Windows\System32\vnptca_p11_v8.dll ", token_label="VNPT-CA",
                   key_label="UBND phường La Gi")
    st = ss.load(db)
    assert st.configured and st.pkcs11_lib == r"C:\Windows\System32\vnptca_p11_v8.dll"
    cfg = st.signer_config(pin="123456")
    assert (cfg.kind, cfg.token_label, cfg.key_label, cfg.pin) == ("pkcs11", "VNPT-CA", "UBND phường La Gi",
                                                                    "123456")
    with db.read() as s:
        stored = json.dumps(s.get(m.Setting, ss.SETTING_KEY).value)
    assert "123456" not in stored and "pin" not in stored.lower()


def test_bad_signer_settings_are_refused(db):
    with pytest.raises(ss.SigningSettingsError, match="Thiếu thư viện PKCS#11, nhãn khóa ký"):
        ss.save_signer(db, kind="pkcs11", token_label="VNPT-CA")
    with pytest.raises(ss.SigningSettingsError, match="'pkcs11'"):
        ss.save_signer(db, kind="usb")
    with pytest.raises(ss.SigningSettingsError, match=".p12"):
        ss.save_signer(db, kind="pkcs12")
    assert ss.load(db) == ss.SigningSettings()
    ss.save_signer(db, kind="pkcs12", pkcs12_path="/so/cq.p12")
    assert ss.load(db).signer_config(passphrase=b"x").pkcs12_passphrase == b"x"


def test_trusted_cas(db, tmp_path):
    ca, other = TestCA.create("CA Tỉnh"), TestCA.create("CA Khác")
    pem = ca.cert.public_bytes(serialization.Encoding.PEM)
    added = trusted_cas.add_trusted_ca(db, pem)
    assert added.name == "CA Tỉnh" and added.der == ca.der
    trusted_cas.add_trusted_ca(db, ca.der)  # the same one again (DER this time): kept once
    trusted_cas.add_trusted_ca(db, other.der)
    assert ss.load(db).trust_roots() == [ca.der, other.der]
    # a signer's own certificate is not a CA
    leaf = ca.issue(ca.key.public_key(), "Nguyễn Văn A")
    with pytest.raises(ss.SigningSettingsError, match="không phải chứng thư của tổ chức chứng thực"):
        trusted_cas.add_trusted_ca(db, leaf.public_bytes(serialization.Encoding.DER), "nguyen-van-a.cer")
    with pytest.raises(ss.SigningSettingsError, match="rac.cer: không đọc được"):
        trusted_cas.add_trusted_ca(db, b"rac", "rac.cer")
    trusted_cas.remove_trusted_cas(db, [added.sha256])
    assert ss.load(db).trust_roots() == [other.der]
    with pytest.raises(ss.SigningSettingsError):
        trusted_cas.remove_trusted_cas(db, [added.sha256])
    # the signer settings and the CAs are independent
    ss.save_signer(db, kind="pkcs12", pkcs12_path="/so/cq.p12")
    assert ss.load(db).trust_roots() == [other.der]


# ---------------------------------------------------------------------------------------------- bdhvs signing


def test_cli_token_settings_sign_and_verify(db, tmp_path, capsys, monkeypatch):
    from test_signing import sample_pdf

    from bdhvs_desktop.cli import main

    ca, rogue = TestCA.create("CA Tỉnh"), TestCA.create("CA Lạ")
    (tmp_path / "ca.cer").write_bytes(ca.der)
    p12 = ca.pkcs12(tmp_path / "cq.p12", "ỦY BAN NHÂN DÂN PHƯỜNG LA GI", passphrase=b"mk")
    (tmp_path / "in.pdf").write_bytes(sample_pdf())
    dbarg = ["--db", str(db.path)]
    assert main(["signing", "token", "--lib", "/usr/lib/token.so", "--token", "VNPT-CA", "--key", "ky", *dbarg]) == 0
    assert main(["signing", "trust", str(tmp_path / "ca.cer"), *dbarg]) == 0
    assert main(["signing", "show", *dbarg]) == 0
    out = capsys.readouterr().out
    assert "VNPT-CA" in out and "CA Tỉnh" in out
    # no PIN and no terminal: a clear message, nothing signed
    monkeypatch.delenv("BDHVS_SIGN_PIN", raising=False)
    assert main(["signing", "sign-pdf", str(tmp_path / "in.pdf"), str(tmp_path / "x.pdf"), *dbarg]) == 2
    assert "BDHVS_SIGN_PIN" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()
    monkeypatch.setenv("BDHVS_P12_PASSWORD", "mk")
    assert main(["signing", "sign-pdf", str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf"), "--p12", str(p12),
                 "--anchor", "CHỦ TỊCH", *dbarg]) == 0
    assert main(["signing", "verify", str(tmp_path / "out.pdf"), *dbarg]) == 0
    from test_signing import seal_png, widgets

    (tmp_path / "seal.png").write_bytes(seal_png())
    assert main(["signing", "sign-pdf", str(tmp_path / "in.pdf"), str(tmp_path / "seal.pdf"), "--p12", str(p12),
                 "--seal", str(tmp_path / "seal.png"), "--anchor", "CHỦ TỊCH", *dbarg]) == 0
    [(_page, (x1, y1, x2, y2), _box)] = widgets((tmp_path / "seal.pdf").read_bytes())
    assert y2 - y1 > 90  # the seal's size, not the frame's 60 pt
    assert "HỢP LỆ" in capsys.readouterr().out
    (tmp_path / "rogue.cer").write_bytes(rogue.der)
    assert main(["signing", "verify", str(tmp_path / "out.pdf"), "--ca", str(tmp_path / "rogue.cer")]) == 1
    assert "không được tin cậy" in capsys.readouterr().out


def test_cli_lists_the_tokens(tmp_path_factory, capsys):
    import shutil

    from pki import shared_pki, softhsm_lib

    from bdhvs_desktop.cli import main

    if softhsm_lib() is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2; .ci/system-deps.sh installs it)")
    pki = shared_pki(tmp_path_factory)
    assert main(["signing", "tokens", "--lib", pki.ward.lib]) == 0
    out = capsys.readouterr().out
    assert 'Token "BDHVS-PHUONG"' in out and 'khóa "ky-phuong": ỦY BAN NHÂN DÂN PHƯỜNG LA GI' in out


def test_known_token_libraries_are_found(tmp_path):
    (tmp_path / "VIETTEL-CA_V6.DLL").write_bytes(b"")
    (tmp_path / "BkavCA.dll").write_bytes(b"")
    (tmp_path / "other.dll").write_bytes(b"")
    found = pkcs11_libraries.find_pkcs11_libraries([str(tmp_path), str(tmp_path / "khong-co")])
    assert found == [("Viettel-CA", str(tmp_path / "VIETTEL-CA_V6.DLL")), ("BKAV-CA", str(tmp_path / "BkavCA.dll"))]


def test_seal_image(db, tmp_path):
    from test_signing import seal_png

    png = seal_png(200)
    ss.set_seal_image(db, png, "con-dau.png")
    assert ss.load(db).seal_png == png
    ss.save_signer(db, kind="pkcs12", pkcs12_path="/so/cq.p12")
    assert ss.load(db).signer_config(passphrase=b"x").seal_png == png
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "JPEG")
    with pytest.raises(ss.SigningSettingsError, match="con-dau.jpg: cần ảnh PNG"):
        ss.set_seal_image(db, buf.getvalue(), "con-dau.jpg")
    with pytest.raises(ss.SigningSettingsError, match="không phải ảnh PNG"):
        ss.set_seal_image(db, b"rac", "rac.png")
    assert ss.load(db).seal_png == png
    ss.set_seal_image(db, None)
    assert ss.load(db).seal_png is None
    with db.read() as s:
        entries = [e for e in s.query(m.AuditEntry).all() if e.field == ss.SETTING_KEY]
    # the audit log names the seal by its fingerprint, it does not hold the image
    assert entries and not any("iVBOR" in (e.new_value or "") + (e.old_value or "") for e in entries)
    assert any("PNG sha256" in (e.new_value or "") for e in entries)
