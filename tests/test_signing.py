"""Digital signatures (documents/signing.py) against SoftHSM2, a real PKCS#11 token, with a test CA made here:
signing then verifying, an untrusted signer, an expired certificate, a changed byte, an update appended after
signing, detached CMS over the manifest, token errors, and the visible stamp's place on the page."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pki import TestCA, shared_pki, softhsm_lib

from bdhvs_desktop.documents import signing
from bdhvs_desktop.documents.signing import SignerConfig, SigningError

needs_softhsm = pytest.mark.skipif(
    softhsm_lib() is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is not installed (apt-get install softhsm2; .ci/system-deps.sh installs it)",
)

ORG = "ỦY BAN NHÂN DÂN PHƯỜNG LA GI"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if softhsm_lib() is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2; .ci/system-deps.sh installs it)")
    return shared_pki(tmp_path_factory)


def sample_pdf(pages: int = 2) -> bytes:
    """A Tờ trình-like PDF: body text, the signer's block (title, blank space, name) on the first page, and a
    list on the next page that also contains "Chủ tịch" in mixed case."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from bdhvs_desktop.paths import resources_dir

    fonts = resources_dir() / "fonts"
    pdfmetrics.registerFont(TTFont("TSerif", str(fonts / "LiberationSerif-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("TSerif-Bold", str(fonts / "LiberationSerif-Bold.ttf")))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.3, 841.9))
    c.setFont("TSerif", 14)
    c.drawString(85, 760, "Ủy ban nhân dân phường La Gi kính trình Chủ tịch Ủy ban nhân dân phường")
    c.drawString(85, 740, "tặng Giấy khen cho 03 tập thể và 04 cá nhân.")
    c.setFont("TSerif-Bold", 12)
    c.drawString(86, 204, "Nơi nhận:")
    c.setFont("TSerif", 11)
    c.drawString(86, 191, "- Như trên;")
    c.drawString(86, 178, "- Thường trực Đảng ủy phường (b/c);")
    c.setFont("TSerif-Bold", 14)
    c.drawCentredString(428, 202, "TM. ỦY BAN NHÂN DÂN")
    c.drawCentredString(428, 186, "CHỦ TỊCH")
    c.drawCentredString(428, 105, "Nguyễn Văn Thành")
    for n in range(1, pages):
        c.showPage()
        c.setFont("TSerif", 12)
        c.drawString(85, 760, f"Trang {n + 1}: Giấy khen của Chủ tịch Ủy ban nhân dân phường La Gi")
    c.save()
    return buf.getvalue()


def only(checks):
    assert len(checks) == 1, checks
    return checks[0]


# ---------------------------------------------------------------------------------------------- PKCS#11


@needs_softhsm
def test_pkcs11_signature_verifies_and_is_trusted(pki):
    pdf = sample_pdf()
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = signing.sign_pdf(pdf, pki.config(pki.ward), reason="Đề nghị khen thưởng", location="Phường La Gi",
                              stamp_anchor="CHỦ TỊCH")
    assert signed.startswith(pdf), "the signature is an incremental update: the original bytes are kept"
    check = only(signing.verify_pdf(signed, [pki.ca.der]))
    assert check.ok and check.intact and check.trusted, check
    assert check.problem == ""
    assert check.signer == ORG
    assert check.signing_time is not None and check.signing_time.utcoffset() == dt.timedelta(hours=7)
    assert before - dt.timedelta(seconds=1) <= check.signing_time <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    # PAdES: the signature dictionary says ETSI.CAdES.detached, and reason/location are there
    assert b"/ETSI.CAdES.detached" in signed
    from pypdf import PdfReader

    sig = PdfReader(io.BytesIO(signed)).trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()["/V"]
    assert sig["/Reason"] == "Đề nghị khen thưởng" and sig["/Location"] == "Phường La Gi"


@needs_softhsm
def test_key_found_by_the_certificates_id_when_labels_differ(pki):
    """A token set up through Windows' CSP: the private key's label is a container GUID."""
    cms = signing.sign_detached(b"manifest", pki.config(pki.container))
    check = signing.verify_detached(b"manifest", cms, [pki.ca.der])
    assert check.ok and check.signer == "Văn phòng HĐND và UBND phường", check


@needs_softhsm
def test_signer_from_an_unconfigured_ca_is_not_trusted(pki):
    signed = signing.sign_pdf(sample_pdf(), pki.config(pki.rogue), reason="", location="", stamp_anchor=None)
    check = only(signing.verify_pdf(signed, [pki.ca.der]))
    assert check.intact and not check.trusted and not check.ok
    assert "không được tin cậy" in check.problem and "PHƯỜNG GIẢ" in check.problem, check.problem
    # the same signature is trusted by an office that configured that CA
    assert only(signing.verify_pdf(signed, [pki.ca.der, pki.rogue_ca.der])).ok
    # and by nobody when no CA is configured (the operating system's list is never used)
    assert not only(signing.verify_pdf(signed, [])).trusted


@needs_softhsm
def test_expired_certificate_is_reported(pki):
    signed = signing.sign_pdf(sample_pdf(), pki.config(pki.expired), reason="", location="", stamp_anchor=None)
    check = only(signing.verify_pdf(signed, [pki.ca.der]))
    assert check.intact and not check.ok
    assert "hết hạn" in check.problem, check.problem


def _signed_range_offset(signed: bytes, original_length: int) -> int:
    """An offset inside a compressed content stream of the original (signed) part: changing it changes data the
    signature covers without making the file unreadable."""
    for m in re.finditer(rb"stream\r?\n", signed[:original_length]):
        start = m.end()
        end = signed.index(b"endstream", start)
        if end - start > 40:
            return start + (end - start) // 2
    raise AssertionError("no stream in the PDF")


@needs_softhsm
def test_one_changed_byte_in_the_signed_range_is_detected(pki):
    pdf = sample_pdf()
    signed = signing.sign_pdf(pdf, pki.config(pki.ward), reason="", location="", stamp_anchor="CHỦ TỊCH")
    at = _signed_range_offset(signed, len(pdf))
    tampered = bytearray(signed)
    tampered[at] ^= 0x01
    check = only(signing.verify_pdf(bytes(tampered), [pki.ca.der]))
    assert not check.ok and not check.intact
    assert "bị thay đổi sau khi ký" in check.problem, check.problem
    # a byte of the signature value itself (outside the signed range, inside /Contents)
    contents = signed.rindex(b"/Contents <") + len(b"/Contents <") + 3000
    tampered = bytearray(signed)
    tampered[contents] = ord("0") if tampered[contents] != ord("0") else ord("1")
    check = only(signing.verify_pdf(bytes(tampered), [pki.ca.der]))
    assert not check.ok and not check.intact, check


@needs_softhsm
def test_an_update_appended_after_signing_is_reported(pki):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = signing.sign_pdf(sample_pdf(), pki.config(pki.ward), reason="", location="", stamp_anchor="CHỦ TỊCH")
    # someone adds a line of text to the page and saves incrementally (as a PDF editor does)
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 100 600 Td (SUA SAU KHI KY) Tj ET")
    w.add_stream_to_page(0, w.add_object(stream))
    out = io.BytesIO()
    w.write(out)
    edited = out.getvalue()
    assert edited.startswith(signed)
    check = only(signing.verify_pdf(edited, [pki.ca.der]))
    assert not check.ok and not check.intact
    assert "bị sửa sau khi ký" in check.problem, check.problem
    # bytes of garbage appended after %%EOF: the signed revision no longer ends the file
    check = only(signing.verify_pdf(signed + b"\n% rac\n" + b"x" * 100, [pki.ca.der]))
    assert not check.ok and "cuối tệp" in check.problem, check
    # a line break added at the end (as some transfers do) is no change
    assert only(signing.verify_pdf(signed + b"\r\n", [pki.ca.der])).ok


@needs_softhsm
def test_a_second_signature_keeps_the_first_valid(pki):
    once = signing.sign_pdf(sample_pdf(), pki.config(pki.ward), reason="", location="", stamp_anchor="CHỦ TỊCH")
    twice = signing.sign_pdf(once, pki.config(pki.rogue), reason="", location="", stamp_anchor=None)
    first, second = signing.verify_pdf(twice, [pki.ca.der, pki.rogue_ca.der])
    assert first.ok and second.ok, (first, second)
    assert first.signer == ORG and "GIẢ" in second.signer


@needs_softhsm
def test_unsigned_or_broken_pdf(pki):
    check = only(signing.verify_pdf(sample_pdf(), [pki.ca.der]))
    assert not check.ok and check.problem == "Tệp PDF không có chữ ký số."
    check = only(signing.verify_pdf(b"khong phai pdf", [pki.ca.der]))
    assert not check.ok and "hỏng" in check.problem
    with pytest.raises(SigningError, match="PDF"):
        signing.sign_pdf(b"khong phai pdf", pki.config(pki.ward), reason="", location="", stamp_anchor=None)


# ---------------------------------------------------------------------------------------------- detached CMS


@needs_softhsm
def test_detached_cms_over_the_manifest(pki):
    manifest = '{"package_id": "3f1c", "ward": "Phường La Gi"}'.encode()
    cms = signing.sign_detached(manifest, pki.config(pki.ward))
    check = signing.verify_detached(manifest, cms, [pki.ca.der])
    assert check.ok and check.intact and check.trusted and check.signer == ORG, check
    assert check.signing_time is not None and check.signing_time.utcoffset() == dt.timedelta(hours=7)
    # one changed byte of the data
    changed = manifest.replace(b"3f1c", b"3f1d")
    check = signing.verify_detached(changed, cms, [pki.ca.der])
    assert not check.ok and not check.intact and "bị thay đổi" in check.problem, check
    # one changed byte of the signature value (the last bytes of the DER are the RSA signature)
    bad = bytearray(cms)
    bad[-10] ^= 0xFF
    check = signing.verify_detached(manifest, bytes(bad), [pki.ca.der])
    assert not check.ok and not check.intact, check
    # garbage instead of a CMS
    check = signing.verify_detached(manifest, b"\x30\x03abc", [pki.ca.der])
    assert not check.ok and ".p7s" in check.problem
    # signed by the rogue CA's key: intact but not trusted
    check = signing.verify_detached(manifest, signing.sign_detached(manifest, pki.config(pki.rogue)), [pki.ca.der])
    assert check.intact and not check.trusted and "không được tin cậy" in check.problem


# ---------------------------------------------------------------------------------------------- token errors


@needs_softhsm
def test_token_errors_are_clear(pki, tmp_path):
    with pytest.raises(SigningError, match="PIN"):
        signing.sign_detached(b"x", pki.config(pki.ward, pin="000000"))
    cfg = pki.config(pki.ward)
    from dataclasses import replace

    with pytest.raises(SigningError, match="KHONG-CO"):
        signing.sign_detached(b"x", replace(cfg, token_label="KHONG-CO"))
    with pytest.raises(SigningError, match="khong-co-khoa"):
        signing.sign_detached(b"x", replace(cfg, key_label="khong-co-khoa"))
    with pytest.raises(SigningError, match="Không tìm thấy thư viện PKCS#11"):
        signing.sign_detached(b"x", replace(cfg, pkcs11_lib="/khong/co/libtoken.so"))
    not_a_library = tmp_path / "khong-phai-thu-vien.so"
    not_a_library.write_bytes(b"MZ khong phai thu vien")
    with pytest.raises(SigningError, match="Không nạp được thư viện PKCS#11"):
        signing.sign_detached(b"x", replace(cfg, pkcs11_lib=str(not_a_library)))
    assert "000000" not in repr(pki.config(pki.ward, pin="000000"))


@needs_softhsm
def test_tokens_and_their_keys_are_listed_without_the_pin(pki):
    tokens = {t.label: t for t in signing.list_tokens(pki.ward.lib)}
    assert {"BDHVS-PHUONG", "BDHVS-LA"} <= set(tokens)
    keys = {k.label: k for k in tokens["BDHVS-PHUONG"].keys}
    assert keys["ky-phuong"].subject == ORG
    assert keys["ky-het-han"].not_after < dt.datetime.now(dt.UTC)
    with pytest.raises(SigningError, match="Không tìm thấy thư viện"):
        signing.list_tokens("/khong/co.so")


def test_pkcs12_soft_certificate(tmp_path):
    ca = TestCA.create()
    p12 = ca.pkcs12(tmp_path / "cq.p12", ORG, passphrase=b"mat-khau")
    cfg = SignerConfig(kind="pkcs12", pkcs12_path=str(p12), pkcs12_passphrase=b"mat-khau")
    signed = signing.sign_pdf(sample_pdf(), cfg, reason="", location="", stamp_anchor="CHỦ TỊCH")
    assert only(signing.verify_pdf(signed, [ca.der])).ok
    with pytest.raises(SigningError, match="sai mật khẩu"):
        signing.sign_detached(b"x", SignerConfig(kind="pkcs12", pkcs12_path=str(p12), pkcs12_passphrase=b"sai"))
    with pytest.raises(SigningError, match="Không đọc được"):
        signing.sign_detached(b"x", SignerConfig(kind="pkcs12", pkcs12_path=str(tmp_path / "khong-co.p12")))
    with pytest.raises(SigningError, match="không hợp lệ"):
        signing.sign_detached(b"x", SignerConfig(kind="the-nho"))


# ---------------------------------------------------------------------------------------------- the visible stamp


def widgets(signed: bytes) -> list[tuple[int, tuple[float, float, float, float], tuple[float, ...]]]:
    """(page index, widget /Rect, page /CropBox) of each signature field's widget."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(signed))
    out = []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or annot.get("/Parent", {}).get("/FT") == "/Sig":
                rect = tuple(float(v) for v in annot["/Rect"])
                out.append((index, rect, tuple(float(v) for v in page.cropbox)))
    return out


def red_pixels(pdf: bytes, page_index: int, rect, tmp_path: Path, dpi: int = 72) -> tuple[int, int]:
    """(red pixels inside ``rect``, red pixels elsewhere) on the page rendered by pdftoppm at 1 px = 1 pt."""
    from PIL import Image

    src = tmp_path / "p.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page_index + 1), "-l", str(page_index + 1),
                    "-singlefile", str(src), str(tmp_path / "page")], check=True, timeout=60)
    img = Image.open(tmp_path / "page.png").convert("RGB")
    width, height = img.size
    data = img.tobytes()
    inside = outside = 0
    x1, y1, x2, y2 = rect
    for i in range(0, len(data), 3):
        r, g, b = data[i], data[i + 1], data[i + 2]
        if r > 150 and g < 90 and b < 90:
            x, pdf_y = (i // 3) % width, height - (i // 3) // width
            if x1 - 1 <= x <= x2 + 1 and y1 - 1 <= pdf_y <= y2 + 1:
                inside += 1
            else:
                outside += 1
    return inside, outside


@needs_softhsm
def test_stamp_sits_at_the_signers_block(pki, tmp_path):
    from bdhvs_desktop.documents.signing_stamp import find_anchor

    pdf = sample_pdf(pages=2)
    signed = signing.sign_pdf(pdf, pki.config(pki.ward), reason="", location="", stamp_anchor="CHỦ TỊCH")
    [(page, (x1, y1, x2, y2), (left, bottom, right, top))] = widgets(signed)
    # on the page of the uppercase title, not page 2 where "Chủ tịch" is in running text
    assert page == 0
    assert left <= x1 < x2 <= right and bottom <= y1 < y2 <= top
    anchor = find_anchor(pdf, "CHỦ TỊCH")
    assert anchor.page_index == 0 and abs(anchor.baseline - 186) < 1
    # under the title, above the name (baseline 105, capitals up to ~115)
    assert y2 < anchor.baseline and y1 > 105 + 10
    # the seal covers the left third of the signature centred under the title: its right edge is left of the
    # title's centre, and it reaches under the title's left part
    centre = (anchor.x0 + anchor.x1) / 2
    assert abs(centre - 428) < 2, "the title is drawn centred at x=428"
    assert centre - 60 < x2 < centre
    # not over "Nơi nhận: ..." on the left (its longest line ends near x=265)
    assert x1 > 250
    if shutil.which("pdftoppm"):
        inside, outside = red_pixels(signed, page, (x1, y1, x2, y2), tmp_path)
        assert inside > 200 and outside == 0, (inside, outside)


def test_unreadable_page_text_gives_an_invisible_signature(tmp_path, monkeypatch):
    from bdhvs_desktop.documents import signing_stamp

    def broken(*_a, **_k):
        raise KeyError("/Font")  # as pypdf does on some odd PDFs

    monkeypatch.setattr(signing_stamp, "find_placement", broken)
    ca = TestCA.create()
    cfg = SignerConfig(kind="pkcs12", pkcs12_path=str(ca.pkcs12(tmp_path / "a.p12", ORG, passphrase=b"m")),
                       pkcs12_passphrase=b"m")
    signed = signing.sign_pdf(sample_pdf(), cfg, reason="", location="", stamp_anchor="CHỦ TỊCH")
    [(_page, (x1, y1, x2, y2), _box)] = widgets(signed)
    assert x1 == x2 and y1 == y2 and only(signing.verify_pdf(signed, [ca.der])).ok


@needs_softhsm
def test_stamp_above_a_name_anchor_and_invisible_without_one(pki):
    pdf = sample_pdf(pages=1)
    signed = signing.sign_pdf(pdf, pki.config(pki.ward), reason="", location="", stamp_anchor="Nguyễn Văn Thành")
    [(page, (x1, y1, x2, y2), _box)] = widgets(signed)
    assert page == 0 and 105 + 10 < y1 < y2 < 186, (y1, y2)  # the blank space between title and name
    for anchor in (None, "KHÔNG CÓ DÒNG NÀY"):
        signed = signing.sign_pdf(pdf, pki.config(pki.ward), reason="", location="", stamp_anchor=anchor)
        [(page, (x1, y1, x2, y2), _box)] = widgets(signed)
        assert x1 == x2 and y1 == y2, "an invisible signature has a zero-size widget"
        assert only(signing.verify_pdf(signed, [pki.ca.der])).ok


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@needs_softhsm
@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
def test_stamp_on_the_libreoffice_made_to_trinh(pki, tmp_path):
    """The ward's Tờ trình rendered from its .docx template and converted by LibreOffice, as the package export
    does: the stamp lands in the blank space of "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH ... Nguyễn Văn Thành"."""
    from documents import sample_data as sd

    from bdhvs_desktop.documents.formsets import load_form_set
    from bdhvs_desktop.documents.render import render_to_file
    from bdhvs_desktop.documents.signing_stamp import find_anchor

    docx = tmp_path / "to-trinh.docx"
    render_to_file(load_form_set("decree-152-2025", sd.BUILTIN_FORMS), sd.submission("state"), docx)
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=300)
    pdf = (tmp_path / "to-trinh.pdf").read_bytes()
    title = find_anchor(pdf, "CHỦ TỊCH")
    name = find_anchor(pdf, "Nguyễn Văn Thành")
    assert title.page_index == name.page_index == 0 and name.baseline < title.baseline
    signed = signing.sign_pdf(pdf, pki.config(pki.ward), reason="Đề nghị khen thưởng", location="Phường La Gi",
                              stamp_anchor="CHỦ TỊCH")
    (tmp_path / "signed.pdf").write_bytes(signed)
    [(page, (x1, y1, x2, y2), (left, bottom, right, top))] = widgets(signed)
    assert page == 0 and left <= x1 < x2 <= right and bottom <= y1 < y2 <= top
    assert name.baseline + name.font_size * 0.7 < y1 < y2 < title.baseline
    centre = (title.x0 + title.x1) / 2
    assert centre - 60 < x2 < centre
    assert only(signing.verify_pdf(signed, [pki.ca.der])).ok


def seal_png(size: int = 400) -> bytes:
    """A round red seal on a transparent background, as an office scans its own."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((10, 10, size - 10, size - 10), outline=(200, 0, 0, 255), width=size // 28)
    d.regular_polygon((size / 2, size / 2, size / 6), 5, fill=(200, 0, 0, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@needs_softhsm
def test_seal_image_covers_the_left_third_of_the_signature(pki, tmp_path):
    from dataclasses import replace

    from bdhvs_desktop.documents.signing_stamp import SEAL_SIZE, find_anchor

    pdf = sample_pdf(pages=1)
    cfg = replace(pki.config(pki.ward), seal_png=seal_png())
    signed = signing.sign_pdf(pdf, cfg, reason="", location="", stamp_anchor="CHỦ TỊCH")
    assert only(signing.verify_pdf(signed, [pki.ca.der])).ok
    [(page, (x1, y1, x2, y2), (left, bottom, right, top))] = widgets(signed)
    assert page == 0 and left <= x1 < x2 <= right and bottom <= y1 < y2 <= top
    anchor = find_anchor(pdf, "CHỦ TỊCH")
    centre = (anchor.x0 + anchor.x1) / 2
    # the seal, SEAL_SIZE across at the stamp's left, ends one third into a 120 pt signature centred at the title
    assert abs((y2 - y1) - SEAL_SIZE) <= 1
    assert abs((x1 + SEAL_SIZE) - (centre - 60 + 40)) <= 1
    # its middle sits in the blank space between the title (186) and the name (105)
    assert 105 < (y1 + y2) / 2 < 186
    if shutil.which("pdftoppm"):
        seal_red, _elsewhere = red_pixels(signed, page, (x1, y1, x1 + SEAL_SIZE, y2), tmp_path)
        text_red, _ = red_pixels(signed, page, (x1 + SEAL_SIZE + 1, y1, x2, y2), tmp_path)
        assert seal_red > 1500, seal_red  # the ring and the star, drawn
        assert 50 < text_red < seal_red, text_red  # the red text beside it
    with pytest.raises(SigningError, match="Ảnh con dấu"):
        signing.sign_pdf(pdf, replace(cfg, seal_png=b"khong phai anh"), reason="", location="",
                         stamp_anchor="CHỦ TỊCH")
