"""A province office for the province tests and screenshots: a province database, wards'
packages imported (services/province.py), and the province's own council round on them.
Shared by test_province_dossier.py, test_province_pages.py and test_province_e2e.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

PROVINCE_MEETING_AT = dt.datetime(2026, 12, 2, 8, 0)
PROVINCE_COUNCIL = (
    ("Phạm Quốc Tỉnh", "Phó Chủ tịch UBND tỉnh", "chair"),
    ("Lê Thị Nội Vụ", "Giám đốc Sở Nội vụ", "vice_chair"),
    ("Trần Minh Thi Đua", "Trưởng ban Thi đua - Khen thưởng", "secretary"),
    ("Ngô Văn Tổ Chức", "Phó Trưởng ban Tổ chức Tỉnh ủy", "member"),
    ("Đỗ Thị Mặt Trận", "Phó Chủ tịch Ủy ban MTTQ tỉnh", "member"),
)


def province_db(path: Path):
    """An empty province office (init --province) on the default plan."""
    from bdhvs_desktop.services.campaign import init_campaign
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(path)
    init_campaign(db, None, province=True)
    return db


def generated_packages(folder: Path, *, n: int = 6) -> tuple[list[Path], bytes]:
    """Three wards' signed packages made by tests/province_packages.py (no ward database needed),
    the same person in the first two; returns the files and the test CA (DER) that signed them."""
    from province_packages import Person, make_pki, ward_package, write_ward_package

    pki = make_pki(Path(folder) / "pki")
    shared = Person("Âu Thị Ánh", "068185424242", dt.date(1985, 6, 14), female=True)
    out = []
    for i, (code, name) in enumerate((("BM", "Phường Bình Minh"), ("TH", "Phường Tân Hà"), ("HD", "Phường Hòa Đông"))):
        data, docs = ward_package(code, name, n=n, seed=i, people=[shared] if i < 2 else None)
        for d in data["documents"]:  # every PDF signed by the office (the reports too)
            if d["path"].endswith(".pdf"):
                d["signed"] = "office"
        out.append(write_ward_package(Path(folder) / f"{code}.bdhvs-goi", data, docs, pki=pki))
    return out, der(pki.ca_pem)


def der(pem: bytes) -> bytes:
    """A PEM certificate as DER (what documents/signing.py takes as a trust root)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def council_round(db, *, reject: int = 1) -> dict:
    """The province council meets on every imported candidate and considers one file per person:
    a person proposed by two wards (services/province_views.py: duplicates) is passed on the first
    ward's file and the others are voted down; then all approved but the last `reject` files in all
    (the twins' files count among them), decided. Returns {"approved": [...], "rejected": [...]}."""
    from bdhvs_desktop.services import council as cs
    from bdhvs_desktop.services.province_views import duplicates

    ids = [cs.add_member(db, name, position=position, role=role) for name, position, role in PROVINCE_COUNCIL]
    meeting = cs.new_meeting(db, PROVINCE_MEETING_AT, place="Hội trường Ủy ban nhân dân tỉnh (mô phỏng)",
                             number="05/BB-HĐTĐKT", ended_at=PROVINCE_MEETING_AT + dt.timedelta(hours=3),
                             discussion="Hội đồng xem xét hồ sơ đề nghị của các phường (mô phỏng).")
    cs.set_attendance(db, meeting, ids[-1], False, "Đi công tác (mô phỏng)")
    present = len(ids) - 1
    cands = [c.id for c in cs.list_candidates(db) if c.status in ("proposed", "reviewed")]
    twins = {e.candidate_id for d in duplicates(db) for e in sorted(d.entries, key=lambda e: e.candidate_id)[1:]}
    rest = [cid for cid in cands if cid not in twins]
    more = max(reject - len(twins & set(cands)), 0)
    rejected = [cid for cid in cands if cid in twins] + (rest[len(rest) - more:] if more else [])
    for cid in cands:
        if cid in rejected:
            cs.record_vote(db, meeting, cid, 1, present - 1, 0)
        else:
            cs.record_vote(db, meeting, cid, present, 0, 0)
    cs.decide(db, meeting)
    return {"meeting": meeting, "approved": [c for c in cands if c not in rejected], "rejected": rejected}
