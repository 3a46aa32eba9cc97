"""Which office a database belongs to: a ward's (the default) or a province's.

A province office imports the wards' signed proposal packages (services/province.py) and the
window shows the province's pages only there. The level is a setting in the database
(`office.level`, "ward" or "province"), so every workstation of a shared PostgreSQL office
agrees; it is written by `bdhvs init --province` together with the campaign, in one
transaction, and a database that already holds a ward's records never becomes a province's.

The province's trust roots (the certificates of the CAs whose signatures it accepts on the
wards' packages) are the trusted CAs of the signing settings (services/signing_settings.py), the one
list the "Chữ ký số" dialog, `bdhvs signing trust` and `bdhvs province trust CA.pem` all edit; roots
written before that to the older `province.trust_roots` setting (PEM texts) are still trusted."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.services import signing_settings, trusted_cas
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

OFFICE_LEVEL_SETTING = "office.level"
TRUST_ROOTS_SETTING = "province.trust_roots"
WARD, PROVINCE = "ward", "province"
OFFICE_LEVELS = (WARD, PROVINCE)
OFFICE_LEVEL_LABELS = {WARD: "Văn phòng cấp phường, xã", PROVINCE: "Văn phòng cấp tỉnh"}


class OfficeError(Exception):
    """The database is not the office the action needs; the message is Vietnamese."""


def level_in(session: Session) -> str:
    row = session.get(m.Setting, OFFICE_LEVEL_SETTING)
    value = row.value if row is not None else None
    return value if value in OFFICE_LEVELS else WARD


def office_level(db: Database) -> str:
    """"ward" (the default, also for every database made before issue #14) or "province"."""
    quick_rows = getattr(db, "quick_rows", None)  # a lazily opened SQLite file (storage/lazy.py)
    rows = quick_rows("SELECT value FROM setting WHERE key = ?", (OFFICE_LEVEL_SETTING,)) if quick_rows else None
    if rows is not None:
        # Read without loading SQLAlchemy: the window asks this right after its first paint.
        value = json.loads(rows[0][0]) if rows and rows[0][0] is not None else None
        return value if value in OFFICE_LEVELS else WARD
    with db.read() as s:
        return level_in(s)


def is_province_office(db: Database) -> bool:
    return office_level(db) == PROVINCE


def set_level_in(session: Session, level: str) -> None:
    """Write the level inside the caller's transaction (used by `init --province`)."""
    if level not in OFFICE_LEVELS:
        raise OfficeError(f"Cấp văn phòng không hợp lệ: {level!r} (chỉ có {', '.join(OFFICE_LEVELS)}).")
    if level == PROVINCE and level_in(session) != PROVINCE and _has_ward_records(session):
        raise OfficeError("Cơ sở dữ liệu này đã có dữ liệu của một phường (nhân sự, hồ sơ đề nghị): không chuyển thành "
                          "văn phòng cấp tỉnh được. Hãy tạo một cơ sở dữ liệu mới cho văn phòng tỉnh "
                          "(bdhvs --db TỆP_MỚI init --province).")
    row = session.get(m.Setting, OFFICE_LEVEL_SETTING)
    if row is None:
        session.add(m.Setting(key=OFFICE_LEVEL_SETTING, value=level))
    else:
        row.value = level


def _has_ward_records(session: Session) -> bool:
    return (session.scalar(select(m.Person.id).limit(1)) is not None
            or session.scalar(select(m.Candidate.id).limit(1)) is not None)


def require_province(session: Session) -> m.Campaign:
    """The province's campaign, or OfficeError saying why this database cannot take packages."""
    if level_in(session) != PROVINCE:
        raise OfficeError("Cơ sở dữ liệu này là của văn phòng cấp phường: chỉ văn phòng cấp tỉnh nhập gói hồ sơ đề nghị "
                          "của các phường. Hãy tạo cơ sở dữ liệu của tỉnh: bdhvs --db TỆP_CỦA_TỈNH init --province.")
    campaign = session.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    if campaign is None:
        raise OfficeError("Văn phòng tỉnh chưa có phong trào (kế hoạch, bộ tiêu chí cấp tỉnh): hãy chạy "
                          "bdhvs init --province [--preset TÊN] trước khi nhập gói hồ sơ.")
    return campaign


def trust_roots(db: Database) -> list[bytes]:
    """The certificates (DER, or PEM from the older setting) the province trusts for the wards' signatures."""
    with db.read() as s:
        row = s.get(m.Setting, TRUST_ROOTS_SETTING)
        older = [pem.encode("ascii") for pem in (row.value if row is not None and row.value else [])]
    roots = signing_settings.load(db).trust_roots()
    known = set(roots)
    for pem in older:
        try:
            der = as_der(pem)
        except OfficeError:
            continue  # a damaged entry is not trusted
        if der not in known:
            known.add(der)
            roots.append(der)
    return roots


def add_trust_root(db: Database, pem: bytes) -> int:
    """Trust a CA certificate (PEM or DER) for the wards' signatures; returns how many the province trusts.
    OfficeError (Vietnamese) when it is not a CA's certificate."""
    try:
        trusted_cas.add_trusted_ca(db, pem)
    except signing_settings.SigningSettingsError as exc:
        raise OfficeError(str(exc)) from exc
    return len(trust_roots(db))


def as_der(data: bytes) -> bytes:
    """A certificate (PEM or DER) as DER, checked whole; OfficeError when it is not one."""
    from asn1crypto import pem as asn1_pem  # lazy: only the trust roots need it
    from asn1crypto import x509  # lazy: start-up

    try:
        der = asn1_pem.unarmor(data)[2] if asn1_pem.detect(data) else bytes(data)
        x509.Certificate.load(der).native  # noqa: B018 - parses the whole certificate, or raises
    except (ValueError, TypeError) as exc:
        raise OfficeError("Tệp không phải chứng thư số (X.509, dạng PEM hoặc DER).") from exc
    return der
