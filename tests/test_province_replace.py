"""A ward re-sends a corrected package (issue #14, after the review): `import --replace` makes
the new package the ward's current one, in one transaction, only while the province council has
not voted on the ward's candidates; the replaced package stays as history (superseded by whom and
when, its file still verifiable, its documents still openable). The attacks come first."""

from __future__ import annotations

import pytest
from province_office import council_round, province_db
from province_packages import ward_package, write_ward_package
from sqlalchemy import func, select

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.services import province, province_write
from bdhvs_desktop.services import province_views as pv
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm


@pytest.fixture
def office(tmp_path):
    db = province_db(tmp_path / "tinh.sqlite3")
    yield db
    db.dispose()


def _import(db, path, **kw):
    return province.import_packages(db, [path], trust_roots=(), **kw).outcomes[0]


def _lagi(tmp_path, name="a.bdhvs-goi", *, bump: float = 0.0, n: int = 3):
    data, docs = ward_package("P-LAGI", "Phường La Gi", n=n, seed=1)
    for c in data["candidates"]:
        c["ward_score"]["points"] += bump  # the correction: the ward fixed its scores
    return write_ward_package(tmp_path / name, data, docs), data


def _current(db) -> dict[str, int]:
    """package file name → candidates currently counted for it."""
    with db.read() as s:
        rows = s.execute(select(pm.WardPackage.file_name, func.count(pm.WardProposal.candidate_id))
                         .join(pm.WardProposal, pm.WardProposal.package_id == pm.WardPackage.id)
                         .where(pm.WardPackage.superseded_at.is_(None))
                         .group_by(pm.WardPackage.file_name)).all()
    return dict(rows)


def _candidates(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Candidate))


# ------------------------------------------------------------------------ attacks


def test_replace_after_the_council_voted_is_refused(office, tmp_path):
    first, data = _lagi(tmp_path)
    assert _import(office, first).imported
    council_round(office, reject=1)
    fixed, _ = _lagi(tmp_path, "b.bdhvs-goi", bump=1)
    out = _import(office, fixed, replace=True)
    assert not out.imported, out.message
    assert "05/BB-HĐTĐKT" in out.message and data["candidates"][0]["name"] in out.message, out.message
    assert _current(office) == {"a.bdhvs-goi": 3}


def test_replace_with_another_wards_package_is_refused(office, tmp_path):
    first, _ = _lagi(tmp_path)
    assert _import(office, first).imported
    data, docs = ward_package("P-TANAN", "Phường Tân An", n=2, seed=2)
    out = _import(office, write_ward_package(tmp_path / "tanan.bdhvs-goi", data, docs), replace=True)
    assert not out.imported and "Phường Tân An" in out.message and "thay thế" in out.message, out.message
    # nor under La Gi's code with another ward's name
    data, docs = ward_package("P-LAGI", "Phường Tân An", n=2, seed=2)
    out = _import(office, write_ward_package(tmp_path / "fake.bdhvs-goi", data, docs), replace=True)
    assert not out.imported and "Phường La Gi" in out.message, out.message
    assert _current(office) == {"a.bdhvs-goi": 3}


def test_replace_is_whole_or_nothing_when_it_fails_halfway(office, tmp_path, monkeypatch):
    first, _ = _lagi(tmp_path)
    assert _import(office, first).imported
    fixed, _ = _lagi(tmp_path, "b.bdhvs-goi", bump=1)

    def boom(self, *a, **k):
        raise RuntimeError("mất điện giữa chừng")

    monkeypatch.setattr(province_write.PackageWriter, "_documents", boom)  # after the old package was superseded
    with pytest.raises(RuntimeError):
        _import(office, fixed, replace=True)
    monkeypatch.undo()
    assert _current(office) == {"a.bdhvs-goi": 3} and _candidates(office) == 3
    with office.read() as s:
        assert s.scalar(select(func.count()).select_from(pm.WardPackage)) == 1
    # a cancel halfway leaves it whole as well
    calls = iter(range(100))
    report = province.import_packages(office, [fixed], trust_roots=(), replace=True,
                                      cancel=lambda: next(calls) >= 2)
    assert report.cancelled and _current(office) == {"a.bdhvs-goi": 3} and _candidates(office) == 3


def test_without_replace_a_corrected_package_is_still_refused(office, tmp_path):
    first, _ = _lagi(tmp_path)
    assert _import(office, first).imported
    fixed, _ = _lagi(tmp_path, "b.bdhvs-goi", bump=1)
    out = _import(office, fixed)
    assert not out.imported and "--replace" in out.message, out.message
    assert _current(office) == {"a.bdhvs-goi": 3}


def test_replace_with_nothing_earlier_is_refused(office, tmp_path):
    first, _ = _lagi(tmp_path)
    out = _import(office, first, replace=True)
    assert not out.imported and "chưa gửi gói nào" in out.message, out.message


# ------------------------------------------------------------------------ the replacement


def test_a_corrected_package_replaces_the_earlier_one_and_keeps_it_as_history(office, tmp_path):
    first, data = _lagi(tmp_path)
    assert _import(office, first).imported
    old_docs = {d.member: d.id for d in pv.package_documents(office, "P-LAGI")}
    fixed, _ = _lagi(tmp_path, "b.bdhvs-goi", bump=1)
    out = _import(office, fixed, replace=True, user="thu-ky-tinh")
    assert out.imported, out.message
    assert "thay thế" in out.message and "a.bdhvs-goi" in out.message, out.message
    assert _current(office) == {"b.bdhvs-goi": 3} and _candidates(office) == 3
    # the province now counts the corrected scores, once
    rows = pv.ward_candidates(office, "P-LAGI")
    assert sorted(r.ward_points for r in rows) == sorted(c["ward_score"]["points"] + 1 for c in data["candidates"])
    [ward] = pv.list_wards(office)
    assert ward.packages == 2 and ward.current_file == "b.bdhvs-goi" and ward.replaced == 1
    assert ward.candidates == 3
    with office.read() as s:
        old = s.scalar(select(pm.WardPackage).where(pm.WardPackage.file_name == "a.bdhvs-goi"))
        new = s.scalar(select(pm.WardPackage).where(pm.WardPackage.file_name == "b.bdhvs-goi"))
        assert old.superseded_by_id == new.id and old.superseded_at and old.superseded_by_user == "thu-ky-tinh"
        blob = s.get(pm.WardPackageFile, old.id).content
        kept = s.scalar(select(func.count()).select_from(pm.WardProposal).where(pm.WardProposal.package_id == old.id))
        notes = s.scalars(select(m.AuditEntry.note).where(m.AuditEntry.entity == "ward_package")).all()
    assert kept == 3  # the old proposals stay (no longer counted)
    assert pf.read_package(bytes(blob)).package_id == old.package_id  # still verifiable
    for member, doc_id in old_docs.items():
        info, content = pv.document_bytes(office, doc_id)  # still openable
        assert info.member == member and content
    assert any("thay thế" in (n or "") and "a.bdhvs-goi" in (n or "") for n in notes), notes
    # replays of either file stay refused, with or without --replace
    for path in (first, fixed):
        for replace in (False, True):
            again = _import(office, path, replace=replace)
            assert not again.imported and "đã được nhập" in again.message, again.message
    assert _current(office) == {"b.bdhvs-goi": 3}


def test_the_cli_replaces_with_replace_and_lists_it(tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db = str(tmp_path / "tinh-cli.sqlite3")
    assert main(["--db", db, "init", "--province"]) == 0
    first, _ = _lagi(tmp_path)
    fixed, _ = _lagi(tmp_path, "b.bdhvs-goi", bump=2)
    assert main(["--db", db, "province", "import", str(first)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "province", "import", str(fixed)]) == 1
    assert "--replace" in capsys.readouterr().out
    assert main(["--db", db, "province", "import", "--replace", str(fixed)]) == 0
    assert "thay thế gói trước" in capsys.readouterr().out
    assert main(["--db", db, "province", "wards"]) == 0
    assert "gói hiện hành b.bdhvs-goi (thay thế 1 gói trước)" in capsys.readouterr().out


# ------------------------------------------------------------------------ the ward's claimed score


def test_a_ward_score_that_its_facts_do_not_give_is_flagged(office, tmp_path, capsys):
    """The ward claims per-criterion points; one candidate's are inflated: only that one is flagged,
    on the service, in `province candidates` and its JSON."""
    from bdhvs_desktop.cli import main
    from bdhvs_desktop.services.province_rank import rank
    from bdhvs_desktop.services.province_ward_score import ward_score_checks

    first, data = _lagi(tmp_path)
    assert _import(office, first).imported
    truth = {r.key: r for r in rank(office, level="ward").rows}
    assert all(not r.problem for r in truth.values()), [r.problem for r in truth.values()]
    honest = {cid: chk.status for cid, chk in ward_score_checks(office).items()}
    assert "disagree" in honest.values()  # the generated packages claim random points: caught
    inflated = data["candidates"][1]["key"]
    for c in data["candidates"]:
        r = truth[c["key"]]
        crit = [{"code": x.code, "name": x.name, "method": x.method, "passed": x.passed, "points": x.points}
                for x in r.criteria]
        auto = [x for x in crit if x["method"] != "manual"]
        assert auto, "the ward set must have automatic criteria to compare"
        if c["key"] == inflated:
            auto[0]["points"] += 5
        c["ward_score"] = {"level": "ward", "criteria_set": r.criteria_set, "eligible": r.eligible,
                           "points": r.points + (5 if c["key"] == inflated else 0), "max_points": r.max_points,
                           "criteria": crit}
    from province_packages import write_ward_package

    _, docs = ward_package("P-LAGI", "Phường La Gi", n=3, seed=1)
    fixed = write_ward_package(tmp_path / "c.bdhvs-goi", data, docs)
    assert _import(office, fixed, replace=True).imported
    checks = ward_score_checks(office, "P-LAGI")
    rows = {r.key: r.candidate_id for r in pv.ward_candidates(office, "P-LAGI")}
    flagged = {key for key, cid in rows.items() if checks[cid].flagged}
    assert flagged == {inflated}, {k: checks[c].note for k, c in rows.items()}
    assert {checks[rows[k]].status for k in rows if k != inflated} == {"agree"}
    db = str(tmp_path / "tinh.sqlite3")
    capsys.readouterr()
    assert main(["--db", db, "province", "candidates", "--ward", "P-LAGI"]) == 0
    lines = capsys.readouterr().out.splitlines()
    marked = [ln for ln in lines if "ĐIỂM PHƯỜNG KHÁC DỮ LIỆU" in ln]
    assert len(marked) == 1 and data["candidates"][1]["name"] in marked[0], lines
