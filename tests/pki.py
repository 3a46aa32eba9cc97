"""Test PKI for the signing tests: a certificate authority made in the test (cryptography), PKCS#12 soft
certificates, and SoftHSM2 tokens (a real PKCS#11 device, Debian package softhsm2) with a key pair generated on
the token and the CA's certificate for it imported beside it.

SoftHSM2 reads its configuration (SOFTHSM2_CONF) when the library is first initialised in the process, and
python-pkcs11 / pyHanko keep the library loaded: so one token directory serves the whole test session, and every
token is initialised (with softhsm2-util) before the library is first loaded here.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

SOFTHSM_LIB_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
USER_PIN = "123456"
SO_PIN = "12345678"


def softhsm_lib() -> str | None:
    for path in SOFTHSM_LIB_CANDIDATES:
        if os.path.exists(path):
            return path
    return None


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


@dataclass
class TestCA:
    __test__ = False  # not a pytest test class

    name: str
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @classmethod
    def create(cls, name: str = "CA Thử nghiệm BDHVS") -> TestCA:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        subject = _name(name, "Tổ chức chứng thực thử nghiệm")
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                             crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return cls(name, key, cert)

    def issue(self, public_key, common_name: str, *, org: str | None = None, days: int = 365,
              not_before: dt.datetime | None = None) -> x509.Certificate:
        """A signing certificate for ``public_key`` (keyUsage digitalSignature + nonRepudiation)."""
        start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        return (x509.CertificateBuilder().subject_name(_name(common_name, org)).issuer_name(self.cert.subject)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))

    def pkcs12(self, path: Path, common_name: str, passphrase: bytes = b"matkhau", **kw) -> Path:
        """A .p12 file with a new key and its certificate from this CA (and the CA's certificate)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = self.issue(key.public_key(), common_name, **kw)
        data = pkcs12.serialize_key_and_certificates(
            b"signer", key, cert, [self.cert], serialization.BestAvailableEncryption(passphrase))
        path.write_bytes(data)
        return path


@dataclass
class SoftToken:
    """A SoftHSM2 token with a key pair made on it and a certificate for the key, both labelled ``key_label``."""

    lib: str
    token_label: str
    key_label: str
    pin: str
    cert: x509.Certificate


class SoftHSM:
    """SoftHSM2 tokens in ``root`` (a tmp dir); set SOFTHSM2_CONF before creating tokens."""

    def __init__(self, root: Path) -> None:
        lib = softhsm_lib()
        if lib is None:
            raise RuntimeError("softhsm2 is not installed")
        self.lib = lib
        self.root = root
        (root / "tokens").mkdir(parents=True, exist_ok=True)
        self.conf = root / "softhsm2.conf"
        self.conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n"
                             "log.level = ERROR\nslots.removable = false\n", encoding="utf-8")
        os.environ["SOFTHSM2_CONF"] = str(self.conf)

    def init_token(self, label: str) -> None:
        """A new empty token (softhsm2-util, in its own process, before the library is loaded here)."""
        util = shutil.which("softhsm2-util") or "softhsm2-util"
        subprocess.run([util, "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", USER_PIN],
                       check=True, capture_output=True, env={**os.environ, "SOFTHSM2_CONF": str(self.conf)},
                       timeout=60)

    def make_signing_key(self, token_label: str, key_label: str, ca: TestCA, common_name: str, *,
                         private_label: str | None = None, **issue_kw) -> SoftToken:
        """An RSA key pair generated on the token, the CA's certificate for it imported with the same label/ID
        (``private_label``: the key pair gets that label instead, as a CSP container name)."""
        import pkcs11
        from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

        token = pkcs11.lib(self.lib).get_token(token_label=token_label)
        key_id = os.urandom(8)
        with token.open(rw=True, user_pin=USER_PIN) as session:
            pub, _priv = session.generate_keypair(KeyType.RSA, 2048, label=private_label or key_label, id=key_id,
                                                  store=True)
            public_key = rsa.RSAPublicNumbers(int.from_bytes(pub[Attribute.PUBLIC_EXPONENT], "big"),
                                              int.from_bytes(pub[Attribute.MODULUS], "big")).public_key()
            cert = ca.issue(public_key, common_name, **issue_kw)
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: key_label,
                Attribute.ID: key_id,
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: cert.serial_number.to_bytes(20, "big").lstrip(b"\0"),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            })
        return SoftToken(self.lib, token_label, key_label, USER_PIN, cert)


# ---------------------------------------------------------------------------------------------- shared fixture

#: Tokens and keys of the shared test PKI (see ``TestPKI``).
WARD_TOKEN = "BDHVS-PHUONG"
WARD_KEY = "ky-phuong"
EXPIRED_KEY = "ky-het-han"
CONTAINER_KEY = "ky-container"
ROGUE_TOKEN = "BDHVS-LA"
ROGUE_KEY = "ky-la"


@dataclass
class TestPKI:
    """One per test session: a trusted CA (the province configures it), a rogue CA (not configured), and SoftHSM2
    tokens: the ward's (a key certified by the trusted CA, and one whose certificate has expired) and a
    stranger's (a key certified by the rogue CA)."""

    __test__ = False

    hsm: SoftHSM
    ca: TestCA
    rogue_ca: TestCA
    ward: SoftToken
    expired: SoftToken
    rogue: SoftToken
    container: SoftToken  # the private key labelled with a container GUID, the certificate "ky-container"

    def config(self, token: SoftToken, *, pin: str | None = None):
        from bdhvs_desktop.documents.signing import SignerConfig

        return SignerConfig(kind="pkcs11", pkcs11_lib=token.lib, token_label=token.token_label,
                            key_label=token.key_label, pin=token.pin if pin is None else pin)


_SHARED: TestPKI | None = None


def shared_pki(tmp_path_factory) -> TestPKI:
    """The session's TestPKI, made on first use (tokens first, then the library is loaded in this process)."""
    global _SHARED
    if _SHARED is None:
        hsm = SoftHSM(tmp_path_factory.mktemp("softhsm"))
        hsm.init_token(WARD_TOKEN)
        hsm.init_token(ROGUE_TOKEN)
        ca = TestCA.create("CA Thử nghiệm của tỉnh")
        rogue_ca = TestCA.create("CA Lạ")
        ward = hsm.make_signing_key(WARD_TOKEN, WARD_KEY, ca, "ỦY BAN NHÂN DÂN PHƯỜNG LA GI", org="UBND phường La Gi")
        expired = hsm.make_signing_key(WARD_TOKEN, EXPIRED_KEY, ca, "Chứng thư đã hết hạn", days=30,
                                       not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
        rogue = hsm.make_signing_key(ROGUE_TOKEN, ROGUE_KEY, rogue_ca, "ỦY BAN NHÂN DÂN PHƯỜNG GIẢ")
        container = hsm.make_signing_key(WARD_TOKEN, CONTAINER_KEY, ca, "Văn phòng HĐND và UBND phường",
                                         private_label="{6F1C2A7E-0B9D-4C55-9E1A-2D3B4C5D6E7F}")
        _SHARED = TestPKI(hsm, ca, rogue_ca, ward, expired, rogue, container)
    return _SHARED
