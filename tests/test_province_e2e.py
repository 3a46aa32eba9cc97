"""Issue #14, "Done when": three ward databases generated from the demo with different data
(services/demo.py: DemoVariant), each exporting its proposal package signed on a SoftHSM2 token
(a real PKCS#11 device) with a certificate of a test CA; a province database imports them, refuses a
tampered fourth and a replayed first with a clear message, finds the person two wards proposed,
ranks across wards with the province's criteria, runs its council on the imported candidates and
generates its dossier, whose Tờ trình cites each ward's proposal (checked in the rendered text).

Slow (three demo wards, LibreOffice converts each ward's documents to PDF); it runs in CI, where
.ci/system-deps.sh installs LibreOffice and SoftHSM2."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile

import pytest
from pki import shared_pki, softhsm_lib
from province_office import council_round
from province_wards import SHARED_CCCD, WARDS, make_ward

from bdhvs_desktop.documents.render import docx_text
from bdhvs_desktop.storage.engine import open_database

pytestmark = [
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(softhsm_lib() is None or shutil.which("softhsm2-util") is None,
                       reason="SoftHSM2 is not installed (apt-get install softhsm2; .ci/system-deps.sh installs it)"),
]

EXPORTED_AT = dt.date(2026, 11, 20)
DOSSIER_AT = dt.date(2026, 12, 5)


_WARD_TOKENS: dict[str, object] = {}


def _signer(pki, ward_name: str):
    """The ward's own key on the SoftHSM2 token, certified by the test CA for that ward's People's
    Committee (the province refuses a ward's package signed by another ward's certificate)."""
    from pki import WARD_TOKEN

    from bdhvs_desktop.documents.signing import SignerConfig
    from bdhvs_desktop.domain.text import slug

    token = _WARD_TOKENS.get(ward_name)
    if token is None:
        token = _WARD_TOKENS[ward_name] = pki.hsm.make_signing_key(
            WARD_TOKEN, f"ky-{slug(ward_name)}", pki.ca, f"ỦY BAN NHÂN DÂN {ward_name.upper()}",
            org=f"UBND {ward_name[:1].lower()}{ward_name[1:]}")
    return SignerConfig(kind="pkcs11", pkcs11_lib=token.lib, token_label=token.token_label, key_label=token.key_label,
                        pin=token.pin)


def _tampered(src, dst) -> None:
    """The package with one byte of one Form 08 report changed (the ZIP stays readable)."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = next(i for i in zf.infolist() if i.filename.startswith("documents/") and i.filename.endswith(".docx"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.file_size // 2] ^= 0x20
    dst.write_bytes(bytes(data))


def test_three_wards_to_the_province_and_its_dossier(tmp_path_factory):
    from bdhvs_desktop.services import council as cs
    from bdhvs_desktop.services.campaign import init_campaign
    from bdhvs_desktop.services.office import add_trust_root
    from bdhvs_desktop.services.package_export import export_package
    from bdhvs_desktop.services.province import import_packages
    from bdhvs_desktop.services.province_dossier import generate_province_dossier
    from bdhvs_desktop.services.province_rank import rank
    from bdhvs_desktop.services.province_views import duplicates, list_wards, ward_candidates

    folder = tmp_path_factory.mktemp("e2e")
    pki = shared_pki(tmp_path_factory)

    # -- three wards, three signed packages
    packages, proposals = [], {}
    for variant in WARDS:
        db = open_database(make_ward(folder, variant))
        try:
            outcome = export_package(db, folder / f"{variant.ward_code}.bdhvs-goi", signer=_signer(pki, variant.ward_name),
                                     at=EXPORTED_AT)
        finally:
            db.dispose()
        assert outcome.signed and outcome.candidates == variant.province_candidates
        with zipfile.ZipFile(outcome.path) as zf:
            data = json.loads(zf.read("package.json"))
        assert data["ward"]["code"] == variant.ward_code and data["ward"]["name"] == variant.ward_name
        proposals[variant.ward_name] = data["proposal"]
        packages.append(outcome.path)
    tampered = folder / "HD-da-sua.bdhvs-goi"
    _tampered(packages[2], tampered)
    replayed = folder / "BM-gui-lai.bdhvs-goi"
    shutil.copy(packages[0], replayed)

    # -- the province imports them: three in, the tampered and the replayed refused
    province = open_database(folder / "tinh.sqlite3")
    init_campaign(province, None, province=True)
    add_trust_root(province, pki.ca.der)
    report = import_packages(province, [*packages, tampered, replayed])
    assert [o.ward_code for o in report.imported] == [v.ward_code for v in WARDS], report.summary_lines()
    refused = {o.path: o.message for o in report.refused}
    assert set(refused) == {str(tampered), str(replayed)}
    assert "Phường Hòa Đông" in refused[str(tampered)] and "bị từ chối" in refused[str(tampered)]
    assert "HD-da-sua.bdhvs-goi" in refused[str(tampered)]
    # refused because a byte changed, not merely as a replay of the third package's id
    assert "không khớp" in refused[str(tampered)] and "đã được nhập" not in refused[str(tampered)]
    assert "Phường Bình Minh" in refused[str(replayed)] and "đã được nhập" in refused[str(replayed)]
    wards = list_wards(province)
    assert {w.code for w in wards} == {v.ward_code for v in WARDS}
    assert all(w.trusted and w.signer == f"ỦY BAN NHÂN DÂN {w.name.upper()}" for w in wards)
    candidates = ward_candidates(province)
    assert len(candidates) == sum(v.province_candidates for v in WARDS)

    # -- the same person proposed by two wards
    found = [d for d in duplicates(province) if any(e.cccd == SHARED_CCCD for e in d.entries)]
    assert len(found) == 1 and set(found[0].wards) == {"Phường Bình Minh", "Phường Tân Hà"}

    # -- ranking across wards with the province's criteria
    ranking = rank(province)
    assert len(ranking.rows) == len(candidates)
    assert {r.ward_code for r in ranking.rows} == {v.ward_code for v in WARDS}
    assert all(r.level == "province" or r.level_note for r in ranking.rows)
    # scored from the facts with the province's criteria, not merely listed: no row unscored, each ward
    # has a ranked candidate, and a province set was applied
    assert not [r.problem for r in ranking.rows if r.problem]
    assert {r.ward_code for r in ranking.rows if r.rank is not None} == {v.ward_code for v in WARDS}
    assert any(r.level == "province" and r.criteria for r in ranking.rows)

    # -- the province's council, then its dossier
    round_ = council_round(province, reject=1)
    statuses = {c.id: c.status for c in cs.list_candidates(province)}
    assert all(statuses[cid] == "approved" for cid in round_["approved"])
    outcome = generate_province_dossier(province, folder / "ho-so-tinh", at=DOSSIER_AT)
    texts = "\n".join(docx_text(f.read_bytes()) for f in outcome.files if f.name.startswith("to-trinh-tinh"))
    assert texts
    for variant in WARDS:
        ward = variant.ward_name
        sub = proposals[ward]["submissions"][0]
        number = sub["number"] or proposals[ward]["number"]
        day = dt.date.fromisoformat(sub["date"] or proposals[ward]["date"])
        assert number  # the demo ward numbers its Tờ trình to the province
        citation = f"Tờ trình số {number} ngày {day:%d/%m/%Y} của Ủy ban nhân dân {ward[0].lower()}{ward[1:]}"
        assert citation in texts, (citation, texts[:3000])
        assert f"{ward.upper()} ({citation})" in texts  # the ward's heading row in the list
    assert sum(n for _w, n in outcome.wards) == len(round_["approved"])
    province.dispose()
