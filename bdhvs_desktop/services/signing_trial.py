""""Thử ký" of the Chữ ký số settings: proves the office's token (or .p12 file), its PIN and its seal image work
before a real dossier is signed. A one-page test PDF with a signer's block is made in memory, signed with the
settings being edited and the PIN just typed (documents/signing.py, the same call the package export makes), and
the signature is verified at once against the CAs the office trusts. Nothing is written: the PIN is not kept, the
signed PDF is only returned (the dialog may save it so the stamp can be looked at). Its one caller imports it
lazily, so reportlab is imported at the top here.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from reportlab.pdfgen import canvas

from bdhvs_desktop.documents import signing
from bdhvs_desktop.documents.pdf_reports import FONT, FONT_BOLD, register_fonts
from bdhvs_desktop.services.signing_settings import SigningSettings

#: The title line of the test PDF's signer's block, where the visible stamp goes.
TRIAL_ANCHOR = "CHỦ TỊCH"


@dataclass(frozen=True)
class TrialSignature:
    signer: str
    signing_time: dt.datetime | None
    intact: bool
    trusted: bool
    problem: str  # Vietnamese; why the signature is not trusted, empty when it is
    trust_roots: int  # how many CAs it was checked against
    pdf: bytes = field(repr=False)


def trial_pdf() -> bytes:
    """A one-page A4 PDF with a short body and a signer's block ("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / name)."""
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.3, 841.9))
    c.setTitle("Ký thử")
    c.setFont(FONT_BOLD, 14)
    c.drawCentredString(297.6, 760, "VĂN BẢN KÝ THỬ")
    c.setFont(FONT, 13)
    c.drawString(85, 720, "Văn bản này chỉ dùng để thử chữ ký số của cơ quan trong chương trình")
    c.drawString(85, 702, "Bình dân học vụ số; không có giá trị pháp lý.")
    c.setFont(FONT_BOLD, 14)
    c.drawCentredString(428, 260, "TM. ỦY BAN NHÂN DÂN")
    c.drawCentredString(428, 244, TRIAL_ANCHOR)
    c.drawCentredString(428, 160, "(Ký thử)")
    c.save()
    return buf.getvalue()


def try_signing(settings: SigningSettings, *, pin: str | None = None, passphrase: bytes | None = None,
                trust_roots: list[bytes] | None = None) -> TrialSignature:
    """Sign the test PDF with ``settings`` (the token's ``pin`` or the .p12 file's ``passphrase``) and verify it.

    Raises SigningSettingsError when the settings are incomplete and signing.SigningError (Vietnamese: wrong PIN,
    token not plugged in, library not found, key label not on the token ...) when signing fails."""
    cfg = settings.signer_config(pin=pin, passphrase=passphrase)
    signed = signing.sign_pdf(trial_pdf(), cfg, reason="Ký thử", location="", stamp_anchor=TRIAL_ANCHOR)
    roots = list(trust_roots if trust_roots is not None else settings.trust_roots())
    checks = signing.verify_pdf(signed, roots)
    check = checks[-1] if checks else None
    if check is None:
        return TrialSignature("", None, False, False, "Không tìm thấy chữ ký vừa ký trong tệp.", len(roots), signed)
    return TrialSignature(check.signer, check.signing_time, check.intact, check.trusted, check.problem, len(roots),
                          signed)
