"""The province office (issue #14): importing the wards' signed packages, each ward its own scope,
replays and tampered packages refused naming the ward, the same person proposed by two wards,
the ranking across wards with the province's criteria, and an import killed halfway."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from province_packages import Person, make_pki, ward_package, write_ward_package
from sqlalchemy import func, select

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.services import province, province_scope, province_write
from bdhvs_desktop.services import province_views as pv
from bdhvs_desktop.services.campaign import init_campaign
from bdhvs_desktop.services.office import OfficeError, is_province_office
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import open_database

ROOT = Path(__file__).resolve().parents[1]
SAME = Person("Nguyễn Thị Hoà", "068196799101", dt.date(1990, 4, 5), female=True)
SAME_SPELLED = Person("Nguyễn Thị Hòa", None, dt.date(1990, 4, 5), female=True)  # old tone placement, no CCCD
NAMESAKE = Person("Trần Văn Nam", "079090000111", dt.date(1985, 1, 1))
NAMESAKE_OTHER = Person("Trần Văn Nam", "079090000222", dt.date(1985, 1, 1))  # same name and birth, other CCCD


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def packages(tmp_path_factory, pki):
    """Three small signed wards' packages (made once): La Gi and Tân An share a person."""
    folder = tmp_path_factory.mktemp("packages")
    out = {}
    for code, name, people, seed in (("P-LAGI", "Phường La Gi", [SAME, NAMESAKE], 1),
                                     ("P-TANAN", "Phường Tân An", [SAME_SPELLED, NAMESAKE_OTHER], 2),
                                     ("P-PHUOCHOI", "Phường Phước Hội", [SAME], 3)):
        data, docs = ward_package(code, name, n=6, seed=seed, people=people)
        out[code] = write_ward_package(folder / f"{code}.bdhvs-goi", data, docs, pki=pki)
    return out


@pytest.fixture
def office(tmp_path):
    db = open_database(tmp_path / "tinh.sqlite3")
    init_campaign(db, None, province=True)
    yield db
    db.dispose()


def counts(db) -> dict[str, int]:
    with db.read() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in
                (pm.WardPackage, pm.WardProposal, pm.WardPackageDocument, pm.WardPackageFile, m.Candidate, m.Person)} | {
            "units": s.scalar(select(func.count()).select_from(m.Unit))}


def test_two_wards_import_each_in_its_own_scope(office, packages, pki):
    before = counts(office)
    report = province.import_packages(office, [packages["P-LAGI"], packages["P-TANAN"]], trust_roots=[pki.ca_pem])
    assert [o.imported for o in report.outcomes] == [True, True], report.summary_lines()
    # each ward's package is signed by its own office (review v14: another ward's certificate is refused)
    assert [(o.trusted, o.signer) for o in report.outcomes] == [(True, "UBND phường La Gi"), (True, "UBND phường Tân An")]
    assert "Phường La Gi" in report.outcomes[0].message and "6 hồ sơ" in report.outcomes[0].message
    wards = pv.list_wards(office)
    assert [(w.code, w.name, w.candidates, w.trusted) for w in wards] == [
        ("P-LAGI", "Phường La Gi", 6, True), ("P-TANAN", "Phường Tân An", 6, True)]
    lagi = pv.ward_candidates(office, "P-LAGI")
    assert len(lagi) == 6 and {c.ward_name for c in lagi} == {"Phường La Gi"}
    assert all(c.scope == "Phường La Gi (P-LAGI)" for c in lagi)
    everyone = pv.ward_candidates(office)
    assert len(everyone) == 12 and {c.ward_code for c in everyone} == {"P-LAGI", "P-TANAN"}
    with office.read() as s:
        scopes = {u.code: u for u in s.scalars(select(m.Unit).where(m.Unit.kind == "phuong_xa"))}
        assert set(scopes) == {"P-LAGI", "P-TANAN"} and all(u.parent_id is None for u in scopes.values())
        for cand in s.scalars(select(m.Candidate).where(m.Candidate.id.in_([c.candidate_id for c in lagi]))):
            assert cand.status == "proposed" and cand.campaign_id is not None
            unit = cand.unit if cand.unit_id else cand.person.unit
            codes = []
            while unit is not None:  # every unit up to the top is inside La Gi's scope
                codes.append(unit.code)
                unit = unit.parent
            assert codes[-1] == "P-LAGI" and all(c.startswith("P-LAGI/") for c in codes[:-1]), codes
            if cand.person_id:
                assert cand.person.cccd is None  # the CCCD stays in the proposal row (person.cccd is unique)
        assert s.scalar(select(pm.WardProposal.cccd).where(pm.WardProposal.name == SAME.name)) == SAME.cccd
        notes = s.scalars(select(m.AuditEntry.note).where(m.AuditEntry.entity == "ward_package")).all()
        assert len(notes) == 2 and "Phường La Gi (P-LAGI)" in notes[0] and "SHA-256" in notes[0]
    after = counts(office)
    assert after["ward_proposal"] - before["ward_proposal"] == 12 and after["candidate"] - before["candidate"] == 12
    # every document is read back from the stored package, byte for byte as the ward sent it
    opened = pf.read_package(packages["P-LAGI"])
    person = next(c for c in lagi if c.name == SAME.name)
    assert {d.member for d in person.documents} == set(
        next(c for c in opened.data["candidates"] if c["name"] == SAME.name)["documents"])
    for doc in person.documents:
        info, data = pv.document_bytes(office, doc.id)
        assert data == opened.documents[doc.member] and info.ward_code == "P-LAGI"
    ward_docs = pv.package_documents(office, "P-LAGI")
    assert {d.member for d in ward_docs} == set(opened.documents)
    assert {d.member for d in ward_docs if d.signed} == {"documents/01-to-trinh.pdf", "documents/02-bien-ban.pdf"}


def test_a_document_changed_in_the_database_is_detected(office, packages, pki):
    province.import_packages(office, [packages["P-LAGI"]], trust_roots=[pki.ca_pem])
    doc = next(d for d in pv.package_documents(office, "P-LAGI") if d.member.endswith("bien-ban.pdf"))
    with office.session() as s:
        row = s.get(pm.WardPackageFile, s.get(pm.WardPackageDocument, doc.id).package_id)
        blob = bytearray(row.content)
        blob[s.get(pm.WardPackageDocument, doc.id).data_offset + 20] ^= 1
        row.content = bytes(blob)
    with pytest.raises(pv.ProvinceError, match="bien-ban.pdf.*Phường La Gi.*đã bị sửa"):
        pv.document_bytes(office, doc.id)


def test_a_package_imported_twice_is_refused_with_the_earlier_import(office, packages, pki, tmp_path):
    first = province.import_packages(office, [packages["P-LAGI"]], trust_roots=[pki.ca_pem], user="thuky-tinh")
    assert first.outcomes[0].imported
    before = counts(office)
    again = province.import_packages(office, [packages["P-LAGI"]], trust_roots=[pki.ca_pem], user="nguoi-khac")
    msg = again.outcomes[0].message
    assert not again.outcomes[0].imported
    assert "Phường La Gi" in msg and "thuky-tinh" in msg and "cùng nội dung tệp" in msg
    with office.read() as s:
        when = s.scalar(select(pm.WardPackage.imported_at)) + dt.timedelta(hours=7)
    assert f"ngày {when:%d/%m/%Y}" in msg
    # the same package id in a different file (e.g. re-saved): refused by the id
    opened = pf.read_package(packages["P-LAGI"])
    copy = tmp_path / "resaved.bdhvs-goi"
    pf.write_package(copy, opened.data, opened.documents, package_id=opened.package_id,
                     created_at="2026-12-01T00:00:00+00:00")
    third = province.import_packages(office, [copy], trust_roots=())
    assert not third.outcomes[0].imported and f"cùng mã gói {opened.package_id}" in third.outcomes[0].message
    assert counts(office) == before


def test_tampered_package_refused_naming_the_ward_and_the_others_imported(office, packages, pki, tmp_path):
    blob = bytearray(packages["P-TANAN"].read_bytes())
    opened = pf.read_package(bytes(blob))
    start, size = province_write.member_offsets(bytes(blob))["documents/02-bien-ban.pdf"]
    blob[start + size // 2] ^= 0x01  # one bit of the minutes
    tampered = tmp_path / "tampered.bdhvs-goi"
    tampered.write_bytes(bytes(blob))
    before = counts(office)
    report = province.import_packages(office, [tampered, packages["P-LAGI"]], trust_roots=[pki.ca_pem])
    bad, good = report.outcomes
    assert not bad.imported and good.imported
    assert bad.ward_name == "Phường Tân An" and "Phường Tân An" in bad.message and "bị từ chối" in bad.message
    assert "02-bien-ban.pdf" in bad.message or "không khớp" in bad.message
    assert pv.list_wards(office)[0].code == "P-LAGI" and len(pv.list_wards(office)) == 1
    with office.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Unit).where(m.Unit.code.like("P-TANAN%"))) == 0
    assert counts(office)["ward_proposal"] == before["ward_proposal"] + 6
    assert opened.ward_code == "P-TANAN"


def test_a_rehashed_forgery_breaks_the_signature(office, packages, pki, tmp_path):
    """A forger who changes package.json and recomputes the manifest's hashes: the bytes are
    canonical and the hashes match, but the ward's signature over the manifest no longer does."""
    opened = pf.read_package(packages["P-LAGI"])
    data = json.loads(json.dumps(opened.data))
    data["candidates"][0]["ward_votes"]["for"] = 11
    members = dict(pf._parse_members(packages["P-LAGI"].read_bytes()))
    members[pf.DATA_MEMBER] = (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    manifest = json.loads(members[pf.MANIFEST_MEMBER])
    manifest["members"] = [{"path": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                           for n, b in members.items() if n not in (pf.MANIFEST_MEMBER, pf.SIGNATURE_MEMBER)]
    members[pf.MANIFEST_MEMBER] = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    forged = tmp_path / "forged.bdhvs-goi"
    forged.write_bytes(pf._zip_bytes(pf._canonical_members(members.items())))
    pf.read_package(forged)  # the package itself reads fine
    for roots in ([pki.ca_pem], ()):  # refused with or without trust roots: the signature does not match
        report = province.import_packages(office, [forged], trust_roots=roots)
        out = report.outcomes[0]
        assert not out.imported and "Phường La Gi" in out.message and "manifest.json" in out.message, out.message
    assert counts(office)["ward_package"] == 0


def test_trust(office, packages, pki):
    untrusted = province.import_packages(office, [packages["P-LAGI"]], trust_roots=[pki.other_ca_pem])
    assert not untrusted.outcomes[0].imported
    assert "không do chứng thư tin cậy" in untrusted.outcomes[0].message
    unchecked = province.import_packages(office, [packages["P-LAGI"]], trust_roots=[])
    out = unchecked.outcomes[0]
    assert out.imported and not out.trusted and "chứng thư gốc tin cậy" in " ".join(out.warnings)
    assert not pv.list_wards(office)[0].trusted


def test_unsigned_package_refused_when_the_province_has_trust_roots(office, tmp_path, pki):
    data, docs = ward_package("P-BINHTAN", "Phường Bình Tân", n=3, seed=9)
    path = write_ward_package(tmp_path / "unsigned.bdhvs-goi", data, docs)
    from bdhvs_desktop.services.office import add_trust_root

    add_trust_root(office, pki.ca_pem)
    report = province.import_packages(office, [path])  # the stored roots apply
    assert not report.outcomes[0].imported and "chưa được ký số" in report.outcomes[0].message


def test_the_same_person_proposed_by_two_wards(office, packages, pki):
    province.import_packages(office, list(packages.values()), trust_roots=[pki.ca_pem])
    dupes = pv.duplicates(office)
    by_reason = {(d.reason, d.entries[0].name): d for d in dupes}
    cccd = by_reason[("cccd", SAME.name)]
    assert set(cccd.wards) == {"Phường La Gi", "Phường Phước Hội"} and "068196799101" in cccd.explanation
    assert "Phường La Gi (P-LAGI)" in cccd.explanation and "Phường Phước Hội (P-PHUOCHOI)" in cccd.explanation
    # Tân An spells the name the old way and sends no CCCD: found by the normalised name and birth date
    by_name = [d for d in dupes if d.reason == "name_birth" and "Phường Tân An" in d.wards]
    assert len(by_name) == 1 and "05/04/1990" in by_name[0].explanation
    assert {e.ward_code for e in by_name[0].entries} == {"P-LAGI", "P-TANAN", "P-PHUOCHOI"}
    # same name and birth date but two different CCCDs: two people, not reported
    assert not [d for d in dupes if d.entries[0].name == NAMESAKE.name]


def test_cancel_and_kill_halfway_leave_nothing_of_the_package(office, packages, pki, tmp_path):
    state = {"writing": "", "calls": 0}

    def progress(done: int, total: int, message: str) -> None:
        state["writing"] = message

    def cancel() -> bool:  # the user cancels while the second package is half written
        if "Tân An" in state["writing"]:
            state["calls"] += 1
        return state["calls"] >= 2

    before = counts(office)
    report = province.import_packages(office, [packages["P-LAGI"], packages["P-TANAN"]],
                                      trust_roots=[pki.ca_pem], progress=progress, cancel=cancel)
    assert state["calls"] == 2
    assert report.cancelled and [o.ward_code for o in report.imported] == ["P-LAGI"]
    assert counts(office)["ward_proposal"] == before["ward_proposal"] + 6
    # A process killed (SIGKILL) while writing the second package: the first stays whole, nothing of the second.
    db_path = tmp_path / "killed.sqlite3"
    killed = open_database(db_path)
    init_campaign(killed, None, province=True)
    start = counts(killed)
    killed.dispose()
    script = textwrap.dedent(f"""
        import os, signal
        from bdhvs_desktop.storage.engine import open_database
        from bdhvs_desktop.services import province
        db = open_database({str(db_path)!r})
        state = {{"writing": None, "calls": 0}}
        def progress(done, total, message):
            state["writing"] = message if message.startswith("Đang ghi") else state["writing"]
        def cancel():
            if state["writing"] and "Tân An" in state["writing"]:
                state["calls"] += 1
                if state["calls"] == 2:  # the second package is half written, not committed
                    os.kill(os.getpid(), signal.SIGKILL)
            return False
        province.import_packages(db, [{str(packages["P-LAGI"])!r}, {str(packages["P-TANAN"])!r}],
                                 trust_roots=[{pki.ca_pem!r}], progress=progress, cancel=cancel)
        print("not killed")
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, proc.stdout + proc.stderr
    again = open_database(db_path)
    try:
        after = counts(again)
        assert after["ward_package"] == 1 and after["ward_proposal"] == start["ward_proposal"] + 6
        assert after["candidate"] == start["candidate"] + 6 and after["ward_package_file"] == 1
        assert [w.code for w in pv.list_wards(again)] == ["P-LAGI"]
        with again.read() as s:
            assert s.scalar(select(func.count()).select_from(m.Unit).where(m.Unit.code.like("P-TANAN%"))) == 0
            assert s.execute(select(func.count()).select_from(m.Person)).scalar() == after["person"]
            assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # and the second package imports whole afterwards
        report = province.import_packages(again, [packages["P-TANAN"]], trust_roots=[pki.ca_pem])
        assert report.outcomes[0].imported and counts(again)["ward_proposal"] == start["ward_proposal"] + 12
    finally:
        again.dispose()


def test_only_a_province_office_imports(db, packages, pki, tmp_path):
    init_campaign(db, None)  # a ward's database
    assert not is_province_office(db)
    with pytest.raises(OfficeError, match="văn phòng cấp phường"):
        province.import_packages(db, [packages["P-LAGI"]], trust_roots=[pki.ca_pem])
    bare = open_database(tmp_path / "bare.sqlite3")
    from bdhvs_desktop.services.office import PROVINCE, set_level_in

    with bare.session() as s:
        set_level_in(s, PROVINCE)
    with pytest.raises(OfficeError, match="chưa có phong trào"):
        province.import_packages(bare, [packages["P-LAGI"]])
    bare.dispose()


def test_a_ward_database_never_becomes_a_province_one(demo_db):
    from bdhvs_desktop.services.office import PROVINCE, set_level_in

    with pytest.raises(OfficeError, match="đã có dữ liệu của một phường"):
        with demo_db.session() as s:
            set_level_in(s, PROVINCE)
    assert not is_province_office(demo_db)


def test_a_ward_code_equal_to_a_province_unit_is_refused(office, packages, pki):
    with office.session() as s:
        s.add(m.Unit(code="P-LAGI", name="Sở Nội vụ", kind="co_quan"))
    report = province.import_packages(office, [packages["P-LAGI"]], trust_roots=[pki.ca_pem])
    assert not report.outcomes[0].imported and "trùng mã đơn vị “Sở Nội vụ”" in report.outcomes[0].message
    assert counts(office)["ward_proposal"] == 0


def test_scoped_codes_fit_and_never_collide():
    long_ward = "W" * 40
    a = province_scope.scoped_code(long_ward, ["Đảng bộ phường", "Chi bộ khu phố 1"])
    b = province_scope.scoped_code(long_ward, ["Đảng bộ phường", "Chi bộ khu phố 1 "])  # same name, spelled with a space
    c = province_scope.scoped_code(long_ward, ["Đảng bộ phường khác", "Chi bộ khu phố 1"])
    assert len(a) <= 64 and a.startswith(long_ward + "/") and a == b and a != c
    assert province_scope.scoped_code("P1", ["Chi bộ Khu phố 3"]).startswith("P1/chi-bo-khu-pho-3-")


def test_ranking_across_wards_with_the_province_criteria(office, tmp_path):
    from bdhvs_desktop.services.province_rank import rank

    her = Person("Lê Thị Mai", "068196799201", dt.date(1988, 2, 2), female=True, people_guided=60, votes_for=6)
    him = Person("Phạm Văn Long", "068096799202", dt.date(1987, 3, 3), people_guided=60, votes_for=9)
    twin = Person("Võ Văn Tài", "068096799203", dt.date(1986, 4, 4), people_guided=60, votes_for=7)
    less = Person("Đỗ Văn Bảy", "068096799204", dt.date(1985, 5, 5), people_guided=30, votes_for=9)
    late = Person("Bùi Văn Chín", "068096799205", dt.date(1984, 6, 6), vneid_on=dt.date(2026, 5, 1), votes_for=9)
    paths = []
    for code, name, people in (("P-LAGI", "Phường La Gi", [her, late]), ("P-TANAN", "Phường Tân An", [him, less]),
                               ("P-PHUOCHOI", "Phường Phước Hội", [twin])):
        data, docs = ward_package(code, name, n=len(people), people=people, with_docs=False)
        paths.append(write_ward_package(tmp_path / f"{code}.bdhvs-goi", data, docs))
    assert all(o.imported for o in province.import_packages(office, paths, trust_roots=()).outcomes)
    ranking = rank(office)
    people = ranking.of_kind("individual")
    assert [(r.rank, r.name, r.ward_name) for r in people] == [
        (1, her.name, "Phường La Gi"), (2, him.name, "Phường Tân An"), (3, twin.name, "Phường Phước Hội"),
        (4, less.name, "Phường Tân An"), (None, late.name, "Phường La Gi")]
    first, second, third, fourth, out = people
    assert first.points == second.points == third.points == 40 and fourth.points == 20
    assert all(r.level == "province" and r.criteria_set == "Tiêu chuẩn khen cấp tỉnh đối với cá nhân" for r in people)
    # ties: a woman first (Decree 152/2025, Art. 4), then the ward council's share of votes in favour
    assert first.tie_note is None
    assert "Lê Thị Mai (Phường La Gi) là nữ" in second.tie_note and "Điều 4" in second.tie_note
    assert "tỷ lệ phiếu đồng ý tại Hội đồng phường thấp hơn (78%, so với 100% của Phạm Văn Long" in third.tie_note
    assert fourth.tie_note is None
    # the scores were computed at the import and kept; computed again, they are the same
    with office.read() as s:
        assert None not in s.scalars(select(pm.WardProposal.score_key)).all()
    with office.session() as s:
        s.execute(pm.WardProposal.__table__.update().values(score_key=None))
    from bdhvs_desktop.services import province_scoring

    province_scoring.clear_caches()
    recomputed = rank(office).of_kind("individual")
    assert [(r.name, r.points, r.eligible, r.criteria, r.tie_note) for r in recomputed] == [
        (r.name, r.points, r.eligible, r.criteria, r.tie_note) for r in people]
    # the ineligible one is told which level's rule failed
    assert not out.eligible and out.failed and out.failed[0].startswith("Tiêu chí cấp tỉnh: ")
    assert "31/03/2026" in out.failed[0]
    # the province council's manual points change the order (recorded against the province's person)
    with office.session() as s:
        crit = s.scalar(select(m.Criterion).where(m.Criterion.code == "T_CN_D_HOI_DONG"))
        cand = s.get(m.Candidate, third.candidate_id)
        s.add(m.ManualResult(criterion_id=crit.id, subject_type="person", subject_id=cand.person_id, points=15,
                             evidence="Biên bản họp Hội đồng tỉnh", recorded_by="thuky-tinh"))
    again = rank(office).of_kind("individual")
    assert [r.name for r in again][:3] == [twin.name, her.name, him.name] and again[0].points == 55
    # one ward's candidates only, still ranked by the province's criteria
    assert [r.name for r in rank(office, ward="P-TANAN").rows] == [him.name, less.name]
    with pytest.raises(pv.ProvinceError, match="Cấp tiêu chí không hợp lệ"):
        rank(office, level="commune")


def test_facts_a_province_cannot_read_are_named_not_ranked(office, tmp_path):
    from bdhvs_desktop.services.province_rank import rank

    data, docs = ward_package("P-LAGI", "Phường La Gi", n=2, with_docs=False)
    data["candidates"][1]["facts"]["version"] = 99
    path = write_ward_package(tmp_path / "p.bdhvs-goi", data, docs)
    out = province.import_packages(office, [path], trust_roots=()).outcomes[0]
    assert out.imported and any("Không đọc được dữ liệu chấm điểm của 1 hồ sơ" in w and "phiên bản 99" in w
                                for w in out.warnings), out.warnings
    rows = {r.key: r for r in rank(office).rows}
    bad = rows[data["candidates"][1]["key"]]
    assert bad.rank is None and "Phường La Gi (P-LAGI)" in bad.problem and "phiên bản 99" in bad.problem


def test_command_line(tmp_path, packages, pki, capsys):
    from bdhvs_desktop.cli import main

    db = str(tmp_path / "tinh.sqlite3")
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.ca_pem)
    assert main(["--db", db, "init", "--province"]) == 0
    assert "văn phòng cấp tỉnh" in capsys.readouterr().out
    assert main(["--db", db, "province", "trust", str(ca)]) == 0
    assert main(["--db", db, "province", "import", str(packages["P-LAGI"]), str(packages["P-PHUOCHOI"])]) == 0
    out = capsys.readouterr().out
    assert "Đã nhập gói hồ sơ của Phường La Gi" in out and "Đã nhập 2 gói (12 hồ sơ đề nghị)" in out
    assert main(["--db", db, "province", "import", str(packages["P-LAGI"])]) == 1  # a replay: exit code 1
    assert "đã được nhập lúc" in capsys.readouterr().out
    assert main(["--db", db, "province", "wards", "--json"]) == 0
    assert [w["code"] for w in json.loads(capsys.readouterr().out)] == ["P-LAGI", "P-PHUOCHOI"]
    assert main(["--db", db, "province", "candidates", "--ward", "P-PHUOCHOI"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6 and all(line.startswith("Phường Phước Hội (P-PHUOCHOI)") for line in lines)
    assert main(["--db", db, "province", "candidates", "--ward", "KHONG-CO"]) == 1
    assert "Chưa nhập gói hồ sơ nào của phường có mã “KHONG-CO”" in capsys.readouterr().err
    assert main(["--db", db, "province", "duplicates"]) == 0
    assert "Cùng số CCCD 068196799101 được Phường La Gi (P-LAGI) và Phường Phước Hội (P-PHUOCHOI)" in \
        capsys.readouterr().out
    assert main(["--db", db, "province", "rank", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 12 and all(r["level"] == "province" for r in rows)
    assert main(["--db", db, "province", "rank", "--explain"]) == 0
    assert "Tiêu chí cấp tỉnh: " in capsys.readouterr().out
    ward_db = str(tmp_path / "phuong.sqlite3")
    assert main(["--db", ward_db, "init"]) == 0
    assert main(["--db", ward_db, "province", "import", str(packages["P-LAGI"])]) == 1
    assert "văn phòng cấp phường" in capsys.readouterr().err


@pytest.mark.libreoffice
def test_a_package_exported_by_the_demo_ward_is_imported_and_scored_the_same(demo_db, tmp_path):
    """The real export (services/package_export.py) of the demo ward, signed, into a province office:
    the province's own score of every candidate, from the facts the ward sent and the same province
    criteria, agrees with the ward's on every automatic criterion."""
    from dossier_setup import add_council_round
    from pki import TestCA

    from bdhvs_desktop.documents import pdf_convert
    from bdhvs_desktop.documents.signing import SignerConfig
    from bdhvs_desktop.services import dossier as dossier_service
    from bdhvs_desktop.services import package_export as pe
    from bdhvs_desktop.services.province_rank import rank

    if pdf_convert.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    ids = add_council_round(demo_db)
    with demo_db.session() as s:
        forms = {f.code: f for f in s.scalars(select(m.AwardForm))}
        s.get(m.Candidate, ids["collective"]).award_form_id = forms["BK_BTV_TU"].id
        s.get(m.Candidate, ids["individual"]).award_form_id = forms["BK_CT_UBND_TINH"].id
    dossier_service.save_settings(demo_db, signer_name="Phạm Văn Chín")
    ca = TestCA.create()
    p12 = ca.pkcs12(tmp_path / "van-phong.p12", "Văn phòng Đảng ủy phường La Gi")
    out = pe.export_package(demo_db, tmp_path / "la-gi.bdhvs-goi", at=dt.date(2026, 11, 10),
                            signer=SignerConfig(kind="pkcs12", pkcs12_path=str(p12), pkcs12_passphrase=b"matkhau"))
    office = open_database(tmp_path / "tinh.sqlite3")
    try:
        init_campaign(office, None, province=True)
        report = province.import_packages(office, [out.path], trust_roots=[ca.der])
        got = report.outcomes[0]
        assert got.imported and got.trusted and got.candidates == out.candidates == 2, report.summary_lines()
        ward = pv.list_wards(office)[0]
        assert ward.code == "PHUONG-LA-GI" and ward.trusted
        sent = {c["key"]: c for c in pf.read_package(out.path).data["candidates"]}
        rows = {r.key: r for r in rank(office).rows}
        assert set(rows) == set(sent)
        for key, row in rows.items():
            claimed = sent[key]["province_score"]
            assert row.level == "province" and row.problem is None
            theirs = {c["code"]: c for c in claimed["criteria"]}
            for c in row.criteria:
                if c.method == "auto":
                    assert (c.passed, round(c.points, 2)) == (theirs[c.code]["passed"],
                                                              round(theirs[c.code]["points"], 2)), (key, c.code)
        # the ward's units arrive inside its scope, the documents read back byte for byte
        person = next(c for c in pv.ward_candidates(office) if c.subject_type == "person")
        assert person.cccd and person.documents
        info, data = pv.document_bytes(office, person.documents[0].id)
        assert data == pf.read_package(out.path).documents[info.member]
    finally:
        office.dispose()


def test_stored_scores_are_used_until_what_they_came_from_changes(office, tmp_path, monkeypatch):
    from bdhvs_desktop.domain import scoring as sc
    from bdhvs_desktop.services import province_scoring
    from bdhvs_desktop.services.province_rank import rank

    guide = Person("Lê Thị Mai", "068196799201", dt.date(1988, 2, 2), female=True, people_guided=60)
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=4, people=[guide], with_docs=False)
    province.import_packages(office, [write_ward_package(tmp_path / "p.bdhvs-goi", data, docs)], trust_roots=())
    province_scoring.clear_caches()  # another workstation: nothing parsed or scored in this process

    def no_scoring(*args, **kwargs):
        raise AssertionError("scored again although nothing changed since the import")

    monkeypatch.setattr(sc, "score_subject", no_scoring)
    first = {r.key: r for r in rank(office).rows}
    assert first[f"P-{guide.cccd}"].points == 40
    monkeypatch.undo()
    with office.session() as s:  # the province changes its criteria: the stored scores no longer apply
        s.scalar(select(m.Criterion).where(m.Criterion.code == "T_CN_D_HUONG_DAN_50")).max_points = 30
    assert {r.key: r for r in rank(office).rows}[f"P-{guide.cccd}"].points == 50
