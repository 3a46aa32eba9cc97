"""The province office's own dossier (services/province_dossier.py): its council considers the
wards' imported proposals with the ordinary council features, and its Tờ trình cites each ward's
proposal (ward, number, date) with the list grouped by ward."""

from __future__ import annotations

import datetime as dt

import pytest
from province_office import council_round, generated_packages, province_db
from sqlalchemy import select

from bdhvs_desktop.documents.render import docx_text
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services.dossier import DossierError
from bdhvs_desktop.services.province import import_packages
from bdhvs_desktop.services.province_dossier import generate_province_dossier
from bdhvs_desktop.services.province_dossier_contexts import build_province_contexts
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 12, 5)
WARD_CITATIONS = {  # as tests/province_packages.py writes each ward's Tờ trình
    "Phường Bình Minh": "Tờ trình số 12/TTr-UBND ngày 25/11/2026 của Ủy ban nhân dân phường Bình Minh",
    "Phường Tân Hà": "Tờ trình số 13/TTr-UBND ngày 25/11/2026 của Ủy ban nhân dân phường Tân Hà",
    "Phường Hòa Đông": "Tờ trình số 14/TTr-UBND ngày 25/11/2026 của Ủy ban nhân dân phường Hòa Đông",
}


@pytest.fixture
def office(tmp_path):
    db = province_db(tmp_path / "tinh.sqlite3")
    packages, ca = generated_packages(tmp_path / "goi", n=6)
    report = import_packages(db, packages, trust_roots=[ca])
    assert len(report.imported) == 3, report.summary_lines()
    yield db
    db.dispose()


def test_the_council_features_work_on_imported_candidates(office):
    round_ = council_round(office, reject=1)
    statuses = {c.id: c.status for c in cs.list_candidates(office)}
    assert all(statuses[cid] == "approved" for cid in round_["approved"])
    assert statuses[round_["rejected"][0]] == "rejected"
    view = cs.meeting_view(office, round_["meeting"])
    assert len(view.candidates) == len(round_["approved"]) + 1


def test_the_province_tờ_trình_cites_each_ward_and_groups_its_list(office, tmp_path):
    round_ = council_round(office, reject=1)
    outcome = generate_province_dossier(office, tmp_path / "ho-so-tinh", at=AT)
    submissions = [f for f in outcome.files if f.name.startswith("to-trinh-tinh")]
    assert len(submissions) == 2  # the state award and the party award go to two authorities
    assert any(f.name.startswith("bien-ban") for f in outcome.files)
    cited: dict[str, int] = {}
    for path in submissions:
        text = docx_text(path.read_bytes())
        assert "ỦY BAN NHÂN DÂN PHƯỜNG" not in text  # the province writes as the province
        positions = []
        for ward, citation in sorted(WARD_CITATIONS.items(), key=lambda kv: fold(kv[0])):  # wards by name
            if citation in text:
                cited[ward] = cited.get(ward, 0) + 1
                assert f"Căn cứ {citation} đề nghị khen thưởng" in text
                positions.append(text.index(f". {ward.upper()} ({citation})"))
        assert positions == sorted(positions) and positions  # grouped, one heading per ward, by name
        assert "Biên bản họp Hội đồng Thi đua - Khen thưởng tỉnh Lâm Đồng ngày 02/12/2026 (số 05/BB-HĐTĐKT)" in text
    assert set(cited) == set(WARD_CITATIONS)
    # every approved proposal is in a list, the rejected one in none
    assert sum(n for _w, n in outcome.wards) == len(round_["approved"])
    statuses = {c.id: c.status for c in cs.list_candidates(office)}
    assert all(statuses[cid] == "issued" for cid in round_["approved"])
    with office.read() as s:
        recorded = s.scalars(select(m.GeneratedDocument.path)).all()
    assert sorted(recorded) == sorted(str(f) for f in outcome.files)


def test_each_row_is_under_its_own_ward(office):
    council_round(office, reject=0)
    ctxs = build_province_contexts(office, at=AT)
    from bdhvs_desktop.services.province_views import ward_candidates

    ward_of = {}
    for c in ward_candidates(office):
        ward_of.setdefault(c.name, set()).add(c.ward_name)
    for _name, sub in ctxs.submissions:
        for group in sub.wards:
            for nominee in (*group.collectives, *group.individuals):
                assert group.ward_name in ward_of[nominee.name]


def test_nothing_approved_yet_is_said_plainly(office, tmp_path):
    with pytest.raises(DossierError, match="chưa thông qua hồ sơ đề nghị nào của các phường"):
        generate_province_dossier(office, tmp_path / "x", at=AT)
    assert not (tmp_path / "x").exists()


def test_a_ward_database_has_no_province_dossier(demo_db, tmp_path):
    with pytest.raises(DossierError, match="văn phòng cấp phường"):
        generate_province_dossier(demo_db, tmp_path / "x", at=AT)


def test_the_council_reads_the_province_scores_and_names_each_ward(office):
    """The council has no records at the province: it shows, and keeps on decision, the score of
    the facts each ward sent with the province's criteria; every candidate names its ward."""
    from bdhvs_desktop.services.province_rank import rank

    ranking = {r.candidate_id: r for r in rank(office).rows}
    round_ = council_round(office, reject=1)
    view = cs.meeting_view(office, round_["meeting"])
    assert len(view.candidates) == len(ranking)
    for row in view.candidates:
        r = ranking[row.candidate.id]
        assert (row.points, row.max_points, row.eligible) == (r.points, r.max_points, r.eligible)
        assert row.candidate.name.endswith(f" — {r.ward_name}")
        if row.candidate.locked:  # approved: the score the decision rests on is kept
            assert row.candidate.score_snapshot["level"] == "province"
            assert row.candidate.score_snapshot["points"] == r.points
    assert any(row.points for row in view.candidates)  # not the zeros of a ward without records
