"""The office's digital-signature settings, kept in the Setting table ("signing.config"): how it signs (its USB
token: PKCS#11 library, token label, key label; or a soft certificate file) and which certificate authorities'
certificates it trusts when it verifies packages from wards (the province office).

The token's PIN and the certificate file's password are never stored: the program asks for them each time it
signs (``SigningSettings.signer_config(pin=...)``). The trusted CAs are read and changed in
services/trusted_cas.py; the token libraries found on this PC in services/pkcs11_libraries.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass, field, replace
from typing import Any

from bdhvs_desktop.documents.signing import SignerConfig
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

SETTING_KEY = "signing.config"
KINDS = ("pkcs11", "pkcs12")

class SigningSettingsError(ValueError):
    """A setting the office entered is not usable; the message is Vietnamese and names it."""


@dataclass(frozen=True)
class TrustedCA:
    """A certificate authority's certificate the office trusts (DER), with its name and SHA-256 fingerprint."""

    name: str
    sha256: str
    der: bytes = field(repr=False)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "sha256": self.sha256, "der": base64.b64encode(self.der).decode("ascii")}


@dataclass(frozen=True)
class SigningSettings:
    kind: str = "pkcs11"
    pkcs11_lib: str = ""
    token_label: str = ""
    key_label: str = ""
    pkcs12_path: str = ""
    trusted_cas: tuple[TrustedCA, ...] = ()
    seal_png: bytes | None = field(default=None, repr=False)  # the office's seal image for the visible stamp

    @property
    def configured(self) -> bool:
        if self.kind == "pkcs12":
            return bool(self.pkcs12_path)
        return bool(self.pkcs11_lib and self.token_label and self.key_label)

    def signer_config(self, *, pin: str | None = None, passphrase: bytes | None = None) -> SignerConfig:
        """The SignerConfig to sign with, given the PIN (or the file's password) the user has just typed."""
        if not self.configured:
            raise SigningSettingsError("Chưa cài đặt chữ ký số: chọn thư viện PKCS#11, nhãn thiết bị và nhãn khóa "
                                       "của USB token (hoặc tệp chứng thư số .p12) trong phần cài đặt.")
        if self.kind == "pkcs12":
            return SignerConfig(kind="pkcs12", pkcs12_path=self.pkcs12_path, pkcs12_passphrase=passphrase,
                                seal_png=self.seal_png)
        return SignerConfig(kind="pkcs11", pkcs11_lib=self.pkcs11_lib, token_label=self.token_label,
                            key_label=self.key_label, pin=pin, seal_png=self.seal_png)

    def trust_roots(self) -> list[bytes]:
        return [ca.der for ca in self.trusted_cas]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "pkcs11_lib": self.pkcs11_lib, "token_label": self.token_label,
                "key_label": self.key_label, "pkcs12_path": self.pkcs12_path,
                "trusted_cas": [ca.as_dict() for ca in self.trusted_cas],
                "seal_png": base64.b64encode(self.seal_png).decode("ascii") if self.seal_png else None}


def _from_dict(value: Any) -> SigningSettings:
    if not isinstance(value, dict):
        return SigningSettings()
    cas = []
    for item in value.get("trusted_cas") or []:
        try:
            der = base64.b64decode(item["der"], validate=True)
        except (KeyError, TypeError, ValueError):
            continue  # a damaged entry is dropped, not trusted
        cas.append(TrustedCA(str(item.get("name") or ""), hashlib.sha256(der).hexdigest(), der))
    kind = value.get("kind")
    try:
        seal = base64.b64decode(value["seal_png"], validate=True) if value.get("seal_png") else None
    except (TypeError, ValueError):
        seal = None
    return SigningSettings(kind=kind if kind in KINDS else "pkcs11", seal_png=seal,
                           pkcs11_lib=str(value.get("pkcs11_lib") or ""),
                           token_label=str(value.get("token_label") or ""),
                           key_label=str(value.get("key_label") or ""),
                           pkcs12_path=str(value.get("pkcs12_path") or ""),
                           trusted_cas=tuple(cas))


def load(db: Database) -> SigningSettings:
    with db.read() as s:
        row = s.get(m.Setting, SETTING_KEY)
        return _from_dict(row.value if row else None)


def store(db: Database, settings: SigningSettings, note: str) -> SigningSettings:
    """Save the settings (the secretary's), audited; the same settings again write nothing."""
    require_role(db, "secretary", action="sửa cài đặt chữ ký số")
    with db.session() as s:
        row = s.get(m.Setting, SETTING_KEY)
        old = row.value if row else None
        value = settings.as_dict()
        if old == value:
            return settings
        if row is None:
            s.add(m.Setting(key=SETTING_KEY, value=value))
        else:
            row.value = value
        audit.record(s, user=db.user, action="update", entity="setting", field=SETTING_KEY, old=_audit_view(old),
                     new=_audit_view(value), note=note)
    return settings


def _audit_view(value: Any) -> Any:
    """The settings as the audit log keeps them: each trusted CA by name and fingerprint, the seal image by its
    fingerprint, not their bytes."""
    if not isinstance(value, dict):
        return value
    seal = value.get("seal_png")
    return {**value, "trusted_cas": [f"{c.get('name')} ({str(c.get('sha256', ''))[:16]})"
                                     for c in value.get("trusted_cas") or []],
            "seal_png": f"PNG sha256 {hashlib.sha256(seal.encode()).hexdigest()[:16]}" if seal else None}


def save_signer(db: Database, *, kind: str, pkcs11_lib: str = "", token_label: str = "", key_label: str = "",
                pkcs12_path: str = "") -> SigningSettings:
    """Set how the office signs (the trusted CAs are kept)."""
    kind = (kind or "").strip()
    if kind not in KINDS:
        raise SigningSettingsError(f"Kiểu chữ ký số phải là 'pkcs11' (USB token) hoặc 'pkcs12' (tệp .p12), "
                                   f"không phải “{kind}”.")
    new = replace(load(db), kind=kind, pkcs11_lib=pkcs11_lib.strip(), token_label=token_label.strip(),
                  key_label=key_label.strip(), pkcs12_path=pkcs12_path.strip())
    if kind == "pkcs11":
        missing = [label for label, value in (("thư viện PKCS#11", new.pkcs11_lib), ("nhãn thiết bị (token)",
                   new.token_label), ("nhãn khóa ký", new.key_label)) if not value]
        if missing:
            raise SigningSettingsError(f"Thiếu {', '.join(missing)} của USB token.")
    elif not new.pkcs12_path:
        raise SigningSettingsError("Thiếu đường dẫn tệp chứng thư số (.p12/.pfx).")
    return store(db, new, "cài đặt thiết bị ký số")


#: The seal image's limits: a scan of a 35 mm seal at 600 dpi is about 830 pixels across.
SEAL_MAX_BYTES = 2_000_000
SEAL_MAX_PIXELS = 3000


def set_seal_image(db: Database, data: bytes | None, where: str = "ảnh con dấu") -> SigningSettings:
    """The office's seal image (PNG, transparent around the seal) drawn in the visible stamp; None removes it."""
    if data is not None:
        if len(data) > SEAL_MAX_BYTES:
            raise SigningSettingsError(f"{where}: ảnh quá lớn ({len(data) // 1000} KB; tối đa "
                                       f"{SEAL_MAX_BYTES // 1000} KB).")
        from PIL import Image, UnidentifiedImageError  # lazy: start-up

        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt, size = image.format, image.size
                image.verify()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
            raise SigningSettingsError(f"{where}: không phải ảnh PNG đọc được.") from exc
        if fmt != "PNG":
            raise SigningSettingsError(f"{where}: cần ảnh PNG (nền trong suốt), không phải {fmt}.")
        if max(size) > SEAL_MAX_PIXELS:
            raise SigningSettingsError(f"{where}: ảnh {size[0]}×{size[1]} điểm ảnh quá lớn (tối đa "
                                       f"{SEAL_MAX_PIXELS} mỗi chiều).")
    return store(db, replace(load(db), seal_png=data), "ảnh con dấu" if data else "bỏ ảnh con dấu")
