"""Digital signatures for the ward's proposal package (issue #14): PAdES signatures on the dossier PDFs and a
detached CMS signature over the package manifest, made with the office's USB token (PKCS#11) or a soft
certificate (PKCS#12), and their verification against the trust roots the province office configures.

pyHanko (with python-pkcs11 and pyhanko-certvalidator) does the cryptography. It is imported lazily, inside the
functions, so the program's start-up does not pay for it (docs/pitfalls.md #7).

The visible stamp follows Decree 30/2020/NĐ-CP, Phụ lục I (chữ ký số của cơ quan, tổ chức): it is placed at the
signer's block ("vị trí ký"), found in the PDF by the text of the signer's title line (``stamp_anchor``), shifted
so that it covers about the left third of the signer's signature space, and it states the organisation's name
and the signing time in Vietnam's time zone (+07:00, ISO 8601). See docs/signing.md.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bdhvs_desktop.documents import signing_stamp

#: Vietnam's time zone (no daylight saving time): the stamp shows the signing time in it.
VN_TZ = timezone(timedelta(hours=7), "+07:00")

#: Name prefix of the signature fields this module adds ("ChuKySo1", "ChuKySo2", ...).
FIELD_PREFIX = "ChuKySo"


class SigningError(Exception):
    """Signing could not be done; the message is Vietnamese and says what to fix (token, PIN, file ...)."""


@dataclass(frozen=True)
class SignerConfig:
    """How the office signs: its USB token (PKCS#11) or a soft certificate file (PKCS#12)."""

    kind: str  # "pkcs11" | "pkcs12"
    pkcs11_lib: str | None = None
    token_label: str | None = None
    key_label: str | None = None
    pin: str | None = None  # never logged, never stored
    pkcs12_path: str | None = None
    pkcs12_passphrase: bytes | None = None
    seal_png: bytes | None = None  # the office's seal (a PNG, transparent around it), drawn in the visible stamp

    def __repr__(self) -> str:  # keeps the PIN and passphrase out of logs and tracebacks
        return (f"SignerConfig(kind={self.kind!r}, pkcs11_lib={self.pkcs11_lib!r}, token_label={self.token_label!r}, "
                f"key_label={self.key_label!r}, pkcs12_path={self.pkcs12_path!r})")


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature. ``problem`` is Vietnamese, empty when ``ok``."""

    ok: bool
    intact: bool
    trusted: bool
    signer: str
    signing_time: datetime | None
    problem: str
    #: The signing certificate's subject names (common name, organisation, organisational units), so a
    #: verifier can check whose signature it is, not only that a trusted CA issued it.
    subject_names: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------- signers


@contextlib.contextmanager
def _open_signer(cfg: SignerConfig) -> Iterator[Any]:
    """A pyHanko Signer for ``cfg``; a PKCS#11 session is closed when the block ends."""
    if cfg.kind == "pkcs12":
        yield _pkcs12_signer(cfg)
        return
    if cfg.kind != "pkcs11":
        raise SigningError(f"Kiểu chữ ký số không hợp lệ: {cfg.kind!r} (chỉ dùng \"pkcs11\" hoặc \"pkcs12\").")
    session = _open_pkcs11_session(cfg)
    try:
        from pyhanko.sign import pkcs11 as hk_pkcs11

        yield hk_pkcs11.PKCS11Signer(session, **_key_lookup(session, cfg.key_label))
    finally:
        with contextlib.suppress(Exception):  # closing a session on an unplugged token fails; nothing to keep
            session.close()


def _key_lookup(session: Any, label: str | None) -> dict[str, Any]:
    """How pyHanko finds the key: the certificate by the configured label, the private key by that certificate's
    CKA_ID. Tokens set up through Windows' CSP label the private key with a container name (a GUID), not the
    certificate's label; the ID is what pairs them. Without a certificate ID, both are looked up by the label."""
    from pkcs11 import Attribute, ObjectClass

    try:
        certs = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}))
        cert_id = certs[0][Attribute.ID] if len(certs) == 1 else None
    except Exception:  # noqa: BLE001 - a token that cannot search this way: fall back to labels only
        cert_id = None
    if cert_id:
        return {"cert_label": label, "key_id": bytes(cert_id)}
    return {"key_label": label, "cert_label": label}


def _pkcs12_signer(cfg: SignerConfig) -> Any:
    from pyhanko.sign import signers

    if not cfg.pkcs12_path:
        raise SigningError("Chưa chọn tệp chứng thư số (.p12/.pfx).")
    try:
        with open(cfg.pkcs12_path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp chứng thư số {cfg.pkcs12_path}: {exc.strerror or exc}.") from exc
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=cfg.pkcs12_passphrase)
    except ValueError as exc:
        raise SigningError(f"Không mở được tệp chứng thư số {cfg.pkcs12_path}: sai mật khẩu hoặc tệp hỏng.") from exc


def _open_pkcs11_session(cfg: SignerConfig) -> Any:
    if not cfg.pkcs11_lib:
        raise SigningError("Chưa cấu hình thư viện PKCS#11 của thiết bị ký số (USB token).")
    if not cfg.token_label or not cfg.key_label:
        raise SigningError("Chưa cấu hình nhãn thiết bị (token) hoặc nhãn khóa ký.")
    import os

    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as hk_pkcs11

    if not os.path.isfile(cfg.pkcs11_lib):
        raise SigningError(f"Không tìm thấy thư viện PKCS#11 {cfg.pkcs11_lib}: kiểm tra đã cài phần mềm của USB "
                           "token và đường dẫn trong phần cài đặt.")
    try:
        return hk_pkcs11.open_pkcs11_session(cfg.pkcs11_lib, token_criteria=TokenCriteria(label=cfg.token_label),
                                             user_pin=cfg.pin)
    except pkcs11.PinIncorrect as exc:
        raise SigningError("Mã PIN của thiết bị ký số không đúng.") from exc
    except pkcs11.PinLocked as exc:
        raise SigningError("Thiết bị ký số đã bị khóa PIN (nhập sai quá số lần cho phép); "
                           "liên hệ tổ chức cung cấp chứng thư số.") from exc
    except (pkcs11.PinInvalid, pkcs11.PinLenRange, pkcs11.ArgumentsBad) as exc:
        raise SigningError("Mã PIN của thiết bị ký số không hợp lệ.") from exc
    except pkcs11.PKCS11Error as exc:
        # pyHanko raises python-pkcs11's PKCS11Error itself for "No token matching ...", and python-pkcs11 raises
        # it (not OSError) for a library that cannot be loaded ("OS exception while loading ...").
        what = str(exc)
        if what.startswith("No token"):
            raise SigningError(f"Không tìm thấy thiết bị ký số có nhãn \"{cfg.token_label}\"; "
                               "kiểm tra đã cắm USB token và nhãn trong phần cài đặt.") from exc
        if "loading" in what:
            raise SigningError(f"Không nạp được thư viện PKCS#11 {cfg.pkcs11_lib} (sai tệp hoặc khác kiến trúc "
                               "32/64 bit với chương trình).") from exc
        raise SigningError(f"Thiết bị ký số báo lỗi: {what or type(exc).__name__}.") from exc


def _signer_errors(cfg: SignerConfig):
    """Turns pyHanko's and python-pkcs11's errors while signing into a Vietnamese SigningError."""
    return _SignerErrors(cfg)


class _SignerErrors(contextlib.AbstractContextManager):
    def __init__(self, cfg: SignerConfig) -> None:
        self.cfg = cfg

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or isinstance(exc, SigningError):
            return False
        import pkcs11
        from pyhanko.sign.general import SigningError as HkSigningError

        if isinstance(exc, pkcs11.PKCS11Error | HkSigningError):
            what = str(exc) or type(exc).__name__
            if "Could not find" in what:
                raise SigningError(f"Không tìm thấy khóa/chứng thư có nhãn \"{self.cfg.key_label}\" "
                                   "trên thiết bị ký số.") from exc
            raise SigningError(f"Không ký được: {what}.") from exc
        return False


@dataclass(frozen=True)
class TokenKey:
    """A certificate on a token: its label (the key label to configure), subject name and expiry."""

    label: str
    subject: str
    not_after: datetime | None


@dataclass(frozen=True)
class TokenInfo:
    label: str
    manufacturer: str
    keys: tuple[TokenKey, ...]


def list_tokens(pkcs11_lib: str) -> list[TokenInfo]:
    """The tokens plugged in through ``pkcs11_lib`` and the certificates on each (public objects: no PIN), so
    the office can pick the token and key labels to configure."""
    import os

    import pkcs11
    from asn1crypto import x509
    from pkcs11 import Attribute, ObjectClass

    if not os.path.isfile(pkcs11_lib):
        raise SigningError(f"Không tìm thấy thư viện PKCS#11 {pkcs11_lib}.")
    try:
        lib = pkcs11.lib(pkcs11_lib)
        out = []
        for slot in lib.get_slots(token_present=True):
            keys = []
            try:
                token = slot.get_token()
                session = token.open()
            except pkcs11.TokenNotRecognised:  # an uninitialised token (SoftHSM keeps one free slot)
                continue
            with session:
                for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                    try:
                        cert = x509.Certificate.load(obj[Attribute.VALUE])
                        not_after = cert.not_valid_after.astimezone(VN_TZ)
                        subject = _common_name(cert)
                    except (ValueError, KeyError, pkcs11.PKCS11Error):
                        not_after, subject = None, ""
                    keys.append(TokenKey(str(obj[Attribute.LABEL] or ""), subject, not_after))
            out.append(TokenInfo(str(token.label).strip(), str(token.manufacturer_id).strip(), tuple(keys)))
        return out
    except pkcs11.PKCS11Error as exc:
        raise SigningError(f"Không đọc được thiết bị ký số qua {pkcs11_lib}: {str(exc) or type(exc).__name__}.") from exc


# ---------------------------------------------------------------------------------------------- signing


def sign_pdf(pdf: bytes, cfg: SignerConfig, *, reason: str, location: str, stamp_anchor: str | None) -> bytes:
    """Signs ``pdf`` (PAdES B-B, SHA-256) and returns the signed bytes (an incremental update of ``pdf``).

    With ``stamp_anchor`` (the signer's title line, e.g. "CHỦ TỊCH"), a visible stamp is put at the signer's block
    on the page where that text last appears; without it, or if the text is not found, the signature is invisible.
    There is no time-stamp authority, so the signing time is the one the computer claims (B-B, not B-T).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfReadError, ValueError) as exc:
        raise SigningError("Tệp PDF cần ký bị hỏng hoặc không phải PDF.") from exc
    field_name = _free_field_name(writer)
    seal = bool(cfg.seal_png)
    placement = _placement(pdf, stamp_anchor, seal) if stamp_anchor else None
    with _open_signer(cfg) as signer, _signer_errors(cfg):
        when = datetime.now(VN_TZ)  # after the PIN: within a second of the time pyHanko puts in the signature
        spec = fields.SigFieldSpec(sig_field_name=field_name)
        style = None
        text_params = None
        if placement is not None:
            spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=placement.page_index, box=placement.box)
            try:
                style = signing_stamp.stamp_style(cfg.seal_png if seal else None)
            except Exception as exc:  # whatever Pillow says of the image (DecompressionBombError is no OSError)
                raise SigningError("Ảnh con dấu của cơ quan không đọc được (cần tệp ảnh PNG).") from exc
            text_params = signing_stamp.text_params(_common_name(signer.signing_cert), when)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, reason=reason or None, location=location or None, md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES)
        # Without a box the field is invisible (a zero-size widget on the first page).
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
        out = pdf_signer.sign_pdf(writer, appearance_text_params=text_params)
    return out.getvalue()


def _placement(pdf: bytes, anchor: str, seal: bool) -> Any:
    """Where the stamp goes; None (an invisible signature) if pypdf cannot read the page's text."""
    try:
        return signing_stamp.find_placement(pdf, anchor, seal=seal)
    except Exception:  # pypdf's many errors on odd PDFs: the signature is still made, invisible
        logging.getLogger(__name__).warning("Không đọc được chữ trong PDF để đặt dấu chữ ký số", exc_info=True)
        return None


def _free_field_name(writer: Any) -> str:
    from pyhanko.sign import fields

    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer, filled_status=None)}
    n = 1
    while f"{FIELD_PREFIX}{n}" in taken:
        n += 1
    return f"{FIELD_PREFIX}{n}"


def sign_detached(data: bytes, cfg: SignerConfig) -> bytes:
    """A detached CMS SignedData (DER) over ``data``, signed with SHA-256 (for manifest.json)."""
    import asyncio

    with _open_signer(cfg) as signer, _signer_errors(cfg):
        # pyHanko 0.38's Signer has only the async variant of sign_general_data.
        from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

        # Without signed attribute settings the CMS carries no signing time.
        attrs = PdfCMSSignedAttributes(signing_time=datetime.now(VN_TZ))
        ci = asyncio.run(signer.async_sign_general_data(data, "sha256", detached=True, signed_attr_settings=attrs))
    return ci.dump()


# ---------------------------------------------------------------------------------------------- verification


def _validation_context(trust_roots: Sequence[bytes]) -> Any:
    from asn1crypto import x509
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for der in trust_roots:
        try:
            roots.append(x509.Certificate.load(bytes(der)))
        except ValueError as exc:
            raise SigningError("Một chứng thư gốc tin cậy đã cấu hình không đọc được (không phải DER).") from exc
    # Offline: no CRL/OCSP fetching (the office may have no Internet); soft-fail on missing revocation data.
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def verify_pdf(pdf: bytes, trust_roots: Sequence[bytes]) -> list[SignatureCheck]:
    """Checks every signature in ``pdf``; an unsigned PDF gives one failed check ("không có chữ ký số").

    Raises SigningError only when a configured trust root is not a certificate (a settings problem)."""
    import asyncio

    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfReadError, ValueError, KeyError):
        return [_failed("Tệp PDF bị hỏng, không đọc được chữ ký số.")]
    if not embedded:
        return [_failed("Tệp PDF không có chữ ký số.")]
    vc_roots = list(trust_roots)
    checks = []
    for sig in embedded:
        try:
            status = asyncio.run(async_validate_pdf_signature(sig, _validation_context(vc_roots)))
        except SigningError:
            raise
        except Exception as exc:  # noqa: BLE001 - a malformed signature is a verdict on the file, not a crash
            checks.append(_failed(f"Chữ ký số \"{sig.field_name}\" bị hỏng, không kiểm tra được ({type(exc).__name__})."))
            continue
        checks.append(_pdf_check(sig, status, pdf))
    return checks


def verify_detached(data: bytes, cms: bytes, trust_roots: Sequence[bytes]) -> SignatureCheck:
    """Checks a detached CMS signature ``cms`` over ``data``."""
    import asyncio

    from asn1crypto import cms as asn1_cms
    from pyhanko.sign.validation import async_validate_detached_cms

    try:
        ci = asn1_cms.ContentInfo.load(bytes(cms))
        if ci["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed_data = ci["content"]
        signed_data.native  # noqa: B018 - parses the whole structure now, so a broken one fails here
    except ValueError:
        return _failed("Tệp chữ ký số (.p7s) bị hỏng hoặc không phải chữ ký CMS.")
    try:
        status = asyncio.run(async_validate_detached_cms(data, signed_data,
                                                         signer_validation_context=_validation_context(trust_roots)))
    except SigningError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed signature is a verdict on the file, not a crash
        return _failed(f"Chữ ký số bị hỏng, không kiểm tra được ({type(exc).__name__}).")
    return _verdict(status, intact=status.intact and status.valid, extra="")


def _failed(problem: str) -> SignatureCheck:
    return SignatureCheck(ok=False, intact=False, trusted=False, signer="", signing_time=None, problem=problem)


def _common_name(cert: Any) -> str:
    try:
        name = cert.subject.native
    except (AttributeError, ValueError):
        return ""
    return str(name.get("common_name") or name.get("organization_name") or cert.subject.human_friendly)


#: Extended key usages that allow signing documents. The EKU extension, when present, must name one of them
#: (RFC 5280 4.2.1.12); without the extension any use is allowed. Vietnamese CAs issue organisations'
#: signing certificates with clientAuth and emailProtection, so clientAuth counts; a TLS server's or a code
#: signing certificate does not sign a ward's proposal. pyHanko enforces an EKU list only by also requiring
#: the extension (KeyUsageConstraints.explicit_extd_key_usage_required), which would refuse certificates without it.
_DOCUMENT_PURPOSES = frozenset({
    "email_protection", "client_auth", "any_extended_key_usage", "adobe_authentic_documents_trust",
    "microsoft_document_signing", "1.3.6.1.5.5.7.3.36", "document_signing"})


def _signing_purpose(cert: Any) -> bool:
    """Whether the certificate's extended key usage (if any) allows signing documents."""
    try:
        value = cert.extended_key_usage_value
    except (AttributeError, ValueError):
        return cert is None
    if value is None:
        return True
    return bool(set(value.native) & _DOCUMENT_PURPOSES)


def _subject_names(cert: Any) -> tuple[str, ...]:
    """The subject's common name, organisation and organisational unit values (in that order)."""
    try:
        name = cert.subject.native
    except (AttributeError, ValueError):
        return ()
    out: list[str] = []
    for key in ("common_name", "organization_name", "organizational_unit_name"):
        value = name.get(key)
        out.extend(str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v)
    return tuple(out)


def _pdf_check(sig: Any, status: Any, pdf: bytes) -> SignatureCheck:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    extra = ""
    intact = bool(status.intact and status.valid)
    if intact and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        # Bytes were appended after this signature (an incremental update). pyHanko's difference analysis says
        # whether the update changed what the page shows; anything beyond another signature is a modification.
        from pyhanko.sign.diff_analysis import ModificationLevel

        level = status.modification_level
        if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or level is None:
            intact = False
            extra = "Tệp đã bị sửa sau khi ký (phần được ký không phủ hết bản sửa đổi)."
        elif level > ModificationLevel.FORM_FILLING:
            # FORM_FILLING covers a later co-signature (a new signature field, filled); the dossier PDFs have no
            # other form fields. Annotations or other objects added after signing are a modification.
            intact = False
            extra = "Tệp đã bị sửa sau khi ký (có nội dung được thêm vào sau chữ ký)."
        elif sig.signed_revision == sig.reader.xrefs.total_revisions - 1:
            # pyHanko calls a signature whose revision is the file's last one ENTIRE_REVISION with no
            # modification even when bytes that are no revision at all follow it: report those too.
            _start, _len1, start2, len2 = sig.byte_range
            if pdf[start2 + len2:].strip():
                intact = False
                extra = "Tệp đã bị sửa sau khi ký (có dữ liệu lạ nối vào cuối tệp)."
    return _verdict(status, intact=intact, extra=extra)


def _verdict(status: Any, *, intact: bool, extra: str) -> SignatureCheck:
    signer = _common_name(status.signing_cert) if status.signing_cert is not None else ""
    when = getattr(status, "signer_reported_dt", None)
    if when is not None:
        when = when.astimezone(VN_TZ)
    trusted = bool(status.trusted)
    purposes_ok = _signing_purpose(status.signing_cert)
    problems = []
    if not (status.intact and status.valid):
        problems.append("Nội dung đã bị thay đổi sau khi ký (chữ ký không khớp với dữ liệu).")
    elif extra:
        problems.append(extra)
    elif trusted and not purposes_ok:
        trusted = False
        who = f" của \"{signer}\"" if signer else ""
        problems.append(f"Chứng thư số{who} không được phép dùng để ký văn bản (mục đích sử dụng khóa mở rộng "
                        "chỉ cho phép việc khác, ví dụ máy chủ web).")
    if not trusted and not problems:  # a signature that does not match its data says nothing about trust
        problems.append(_trust_problem(status, signer))
    return SignatureCheck(ok=intact and trusted and not problems, intact=intact, trusted=trusted, signer=signer,
                          signing_time=when, problem=" ".join(p for p in problems if p),
                          subject_names=_subject_names(status.signing_cert))


def _trust_problem(status: Any, signer: str) -> str:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

    indic = status.trust_problem_indic
    who = f" của \"{signer}\"" if signer else ""
    if indic in (AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
                 AdESIndeterminate.EXPIRED):
        return f"Chứng thư số{who} đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm kiểm tra."
    if indic in (AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID):
        return f"Chứng thư số{who} chưa có hiệu lực."
    if indic in (AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        return f"Chứng thư số{who} đã bị thu hồi."
    if indic in (AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND, AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND):
        return (f"Người ký không được tin cậy: chứng thư số{who} không do tổ chức chứng thực (CA) "
                "đã cấu hình cấp.")
    if indic in (AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE, AdESIndeterminate.SIG_CONSTRAINTS_FAILURE):
        return f"Chứng thư số{who} không được phép dùng để ký văn bản (ràng buộc sử dụng khóa)."
    return f"Không xác nhận được chứng thư số{who} ({indic.name if indic else 'lỗi không rõ'})."
