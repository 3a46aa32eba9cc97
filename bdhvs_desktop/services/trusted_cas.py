"""The certificate authorities a province office trusts when it verifies the wards' signed packages: reading
a CA certificate (DER or PEM), what the settings dialog shows of one, and adding or removing it in the
office's signing settings (services/signing_settings.py)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bdhvs_desktop.services.signing_settings import SigningSettings, SigningSettingsError, TrustedCA, load, store
from bdhvs_desktop.storage.engine import Database


def parse_ca_certificate(data: bytes, where: str = "tệp chứng thư") -> TrustedCA:
    """A CA certificate from DER or PEM bytes; SigningSettingsError if it is not one."""
    from cryptography import x509  # lazy: start-up
    from cryptography.x509.oid import NameOID  # lazy: start-up

    try:
        cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SigningSettingsError(f"{where}: không đọc được chứng thư số (cần tệp .cer/.crt/.pem).") from exc
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(names[0].value) if names else cert.subject.rfc4514_string()
    if not is_ca:
        raise SigningSettingsError(f"{where}: “{name}” không phải chứng thư của tổ chức chứng thực (CA).")
    from cryptography.hazmat.primitives.serialization import Encoding  # lazy: start-up

    der = cert.public_bytes(Encoding.DER)
    return TrustedCA(name, hashlib.sha256(der).hexdigest(), der)


@dataclass(frozen=True)
class CADetails:
    """What the settings dialog shows of a trusted CA: its subject, validity and fingerprint."""

    name: str
    subject: str
    not_before: datetime.datetime | None
    not_after: datetime.datetime | None
    sha256: str

    @property
    def fingerprint(self) -> str:
        """The SHA-256 fingerprint as certificate viewers print it (AB:CD:...)."""
        return ":".join(self.sha256[i:i + 2] for i in range(0, len(self.sha256), 2)).upper()

    def valid_on(self, day: datetime.date) -> bool:
        return ((self.not_before is None or self.not_before.date() <= day)
                and (self.not_after is None or day <= self.not_after.date()))


def ca_details(ca: TrustedCA) -> CADetails:
    """The subject and validity of a trusted CA's certificate (empty when it no longer parses)."""
    from cryptography import x509  # lazy: start-up

    try:
        cert = x509.load_der_x509_certificate(ca.der)
    except ValueError:
        return CADetails(ca.name, "", None, None, ca.sha256)
    subject = ", ".join(f"{attr.rfc4514_attribute_name}={attr.value}" for attr in reversed(list(cert.subject)))
    return CADetails(ca.name, subject, cert.not_valid_before_utc, cert.not_valid_after_utc, ca.sha256)


def add_trusted_ca(db: Database, data: bytes, where: str = "tệp chứng thư") -> TrustedCA:
    """Trust a certificate authority (its certificate, DER or PEM) when verifying packages."""
    ca = parse_ca_certificate(data, where)
    current = load(db)
    if any(c.sha256 == ca.sha256 for c in current.trusted_cas):
        return ca
    store(db, replace(current, trusted_cas=(*current.trusted_cas, ca)), f"tin cậy CA {ca.name}")
    return ca


def remove_trusted_cas(db: Database, sha256: Sequence[str]) -> SigningSettings:
    current = load(db)
    drop = {h.lower() for h in sha256}
    kept = tuple(c for c in current.trusted_cas if c.sha256 not in drop)
    if len(kept) == len(current.trusted_cas):
        raise SigningSettingsError("Không có chứng thư CA nào như vậy trong danh sách tin cậy.")
    return store(db, replace(current, trusted_cas=kept), "bỏ tin cậy CA")
