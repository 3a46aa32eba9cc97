"""The province office on a shared PostgreSQL server (issue #14): the same import, documents read
back as slices of the stored package (bytea), and two workstations importing the same package
at the same moment: one imports it, the other is told it was just imported (the advisory lock),
never an error from the unique constraint, never the package twice."""

from __future__ import annotations

import threading

import pytest
from province_packages import Person, make_pki, ward_package, write_ward_package
from sqlalchemy import func, select

from bdhvs_desktop.services import auth, province, province_check
from bdhvs_desktop.services import province_views as pv
from bdhvs_desktop.services.campaign import init_campaign
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import open_database

SAME = Person("Nguyễn Thị Hoà", "068196799101", None, female=True)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pg-packages")
    pki = make_pki(folder / "pki")
    paths = []
    for code, name in (("P-LAGI", "Phường La Gi"), ("P-TANAN", "Phường Tân An")):
        data, docs = ward_package(code, name, n=5, people=[SAME])
        paths.append(write_ward_package(folder / f"{code}.bdhvs-goi", data, docs, pki=pki))
    return paths, pki


def _open(url: str):
    db = open_database(url)
    auth.act_as_administrator(db)
    return db


def test_import_and_read_on_each_backend(backend_url, signed):
    paths, pki = signed
    db = _open(backend_url)
    try:
        init_campaign(db, None, province=True)
        report = province.import_packages(db, paths, trust_roots=[pki.ca_pem])
        assert [o.imported for o in report.outcomes] == [True, True], report.summary_lines()
        assert [w.name for w in pv.list_wards(db)] == ["Phường La Gi", "Phường Tân An"]
        dupes = pv.duplicates(db)
        assert len(dupes) == 1 and set(dupes[0].wards) == {"Phường La Gi", "Phường Tân An"}
        from bdhvs_desktop.documents import package_format as pf

        opened = pf.read_package(paths[1])
        for doc in pv.package_documents(db, "P-TANAN"):
            info, data = pv.document_bytes(db, doc.id)
            assert data == opened.documents[doc.member], doc.member
        # the scores kept at the import are read back as they were computed (JSON text on both backends)
        from bdhvs_desktop.services import province_rank, province_scoring

        province_scoring.clear_caches()
        stored = province_rank.rank(db).rows
        with db.session() as s:
            s.execute(pm.WardProposal.__table__.update().values(score_key=None))
        province_scoring.clear_caches()
        rescored = province_rank.rank(db).rows
        assert len(stored) == 10 and all(r.problem is None and r.level == "province" for r in stored)
        assert [(r.candidate_id, r.points, r.rank, r.criteria) for r in stored] == [
            (r.candidate_id, r.points, r.rank, r.criteria) for r in rescored]
        again = province.import_packages(db, [paths[0]], trust_roots=[pki.ca_pem])
        assert not again.outcomes[0].imported and "Phường La Gi" in again.outcomes[0].message
    finally:
        db.dispose()


def test_two_workstations_import_the_same_package_at_once(backend_url, signed, monkeypatch):
    paths, pki = signed
    setup = _open(backend_url)
    init_campaign(setup, None, province=True)
    setup.dispose()
    # Both workstations finish their checks (the replay is not there yet) before either writes.
    checked = threading.Barrier(2)
    verify = province_check.verify

    def verify_then_wait(*args, **kwargs):
        result = verify(*args, **kwargs)
        checked.wait(60)
        return result

    monkeypatch.setattr(province_check, "verify", verify_then_wait)
    outcomes: list = [None, None]
    errors: list = []

    def work(i: int) -> None:
        db = _open(backend_url)
        try:
            outcomes[i] = province.import_packages(db, [paths[0]], trust_roots=[pki.ca_pem],
                                                   user=f"may-tram-{i + 1}").outcomes[0]
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sorted(o.imported for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if not o.imported)
    winner = next(o for o in outcomes if o.imported)
    assert "đã được nhập" in refused.message and "Phường La Gi" in refused.message
    assert f"bởi may-tram-{outcomes.index(winner) + 1}" in refused.message
    db = _open(backend_url)
    try:
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(pm.WardPackage)) == 1
            assert s.scalar(select(func.count()).select_from(pm.WardProposal)) == 5
    finally:
        db.dispose()
