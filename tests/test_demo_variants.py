"""Demo variants: several different wards of one province from the same demo generator."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from province_wards import WARDS
from sqlalchemy import select

from bdhvs_desktop.services.demo import SHARED_PERSON, DemoVariant, create_demo
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database


@pytest.fixture(scope="module")
def wards(tmp_path_factory):
    from province_wards import make_ward

    folder = tmp_path_factory.mktemp("wards")
    paths = [make_ward(folder, v) for v in WARDS[:2]]
    dbs = [open_database(p) for p in paths]
    yield dbs
    for d in dbs:
        d.dispose()


def _province_candidates(db):
    with db.read() as s:
        return s.execute(select(m.Candidate.status, m.Candidate.subject_type, m.Person.cccd, m.AwardForm.level)
                         .join(m.AwardForm, m.Candidate.award_form_id == m.AwardForm.id)
                         .outerjoin(m.Person, m.Candidate.person_id == m.Person.id)
                         .where(m.AwardForm.level == "province")).all()


def test_a_variant_ward_is_renamed_everywhere_and_knows_its_code(wards):
    with wards[0].read() as s:
        campaign = s.scalar(select(m.Campaign))
        addresses = s.scalars(select(m.Unit.address).where(m.Unit.address.is_not(None))).all()
    assert campaign.locality == "Bình Minh" and campaign.locality_full == "phường Bình Minh"
    from bdhvs_desktop.services.package_choice import WARD_CODE_SETTING

    with wards[0].read() as s:
        assert s.get(m.Setting, WARD_CODE_SETTING).value == "BM"
    text = json.dumps(campaign.details, ensure_ascii=False) + campaign.name + (campaign.source or "")
    assert "La Gi" not in text and "LA GI" not in text
    assert "PHƯỜNG BÌNH MINH" in text
    assert addresses and all("La Gi" not in a for a in addresses)
    # The province stays the plan's province: its award forms are addressed to it.
    assert campaign.province == "Lâm Đồng"


def test_variants_differ_in_people_and_figures(wards):
    def facts(db):
        with db.read() as s:
            cccds = set(s.scalars(select(m.Person.cccd)))
            figures = sorted(s.execute(select(m.ReportedFigure.unit_id, m.ReportedFigure.numerator)).all())
        return cccds, figures

    (cccd_a, fig_a), (cccd_b, fig_b) = facts(wards[0]), facts(wards[1])
    assert cccd_a & cccd_b == {SHARED_PERSON["cccd"]}
    assert fig_a != fig_b


def test_variants_send_decided_candidates_to_the_province(wards):
    for db, variant in zip(wards, WARDS):
        rows = _province_candidates(db)
        assert len(rows) == variant.province_candidates
        assert {r.status for r in rows} == {"approved"}
        # The shared person is the ward's best individual and goes to the province.
        assert SHARED_PERSON["cccd"] in {r.cccd for r in rows}


def test_the_shared_person_is_the_same_in_both_wards(wards):
    people = []
    for db in wards:
        with db.read() as s:
            p = s.scalar(select(m.Person).where(m.Person.cccd == SHARED_PERSON["cccd"]))
            people.append((p.full_name, p.birth_date, p.sex))
    assert people[0] == people[1] == (SHARED_PERSON["full_name"], SHARED_PERSON["birth_date"], "F")


def test_the_default_variant_is_the_default_demo(demo_template, tmp_path):
    """DemoVariant() builds the demo exactly (same people, CCCDs, figures, candidates)."""
    db = open_database(tmp_path / "again.sqlite3")
    create_demo(db, variant=DemoVariant())
    default = open_database(demo_template)

    def rows(d):
        with d.read() as s:
            return (s.execute(select(m.Person.full_name, m.Person.cccd, m.Person.vneid_proficient_on)
                              .order_by(m.Person.id)).all(),
                    s.execute(select(m.ReportedFigure.numerator).order_by(m.ReportedFigure.id)).all(),
                    s.execute(select(m.Candidate.status, m.Candidate.award_form_id).order_by(m.Candidate.id)).all(),
                    s.scalar(select(m.Campaign.details)), s.scalars(select(m.Unit.address).order_by(m.Unit.id)).all())

    try:
        assert rows(db) == rows(default)
        assert _province_candidates(db) == []
    finally:
        db.dispose()
        default.dispose()


def _cli(*argv):
    from bdhvs_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_builds_a_variant_ward(tmp_path):
    path = tmp_path / "w.sqlite3"
    code, out, err = _cli("--db", str(path), "demo", "--ward-code", "XA", "--ward-name", "Phường Xuân An",
                          "--seed", "7", "--province-candidates", "2")
    assert code == 0, err
    db = open_database(path)
    try:
        assert len(_province_candidates(db)) == 2
        with db.read() as s:
            assert s.scalar(select(m.Campaign.locality_full)) == "phường Xuân An"
    finally:
        db.dispose()
    code, _, err = _cli("--db", str(tmp_path / "x.sqlite3"), "demo", "--province-candidates", "-1")
    assert code == 2 and "--province-candidates" in err
