"""Province criteria (issue #14): a candidate is scored against the level it is proposed to; the
explanation says which level's rule failed; a plan without a province set falls back to the
ward's set with a note; the council, Form 08, the snapshot and `bdhvs score --level` follow."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import delete, select

from bdhvs_desktop.cli import main
from bdhvs_desktop.domain.presets import PresetError, load_preset
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import scoring as svc
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 15)
PROVINCE_AWARD = "BK_CT_UBND_TINH"


def _ward_only(board: svc.ScoreBoard, kind: str) -> list[tuple[object, object]]:
    """(ward score, province score) of the subjects eligible at the ward but not at the province."""
    province = board.at_level("province")
    out = []
    for w in board.of_kind(kind):
        p = province.find(w.subject, w.subject_id)
        if w.eligible and p is not None and not p.eligible:
            out.append((w, p))
    return out


def test_passes_the_ward_gates_but_fails_the_province_gate_and_the_explanation_says_so(demo_db):
    board = svc.compute_scores(demo_db, AT)
    pairs = _ward_only(board, "individual")
    assert pairs, "the demo has individuals who pass the ward's gates and not the province's"
    ward, province = pairs[0]
    assert ward.level == "ward" and province.level == "province" and province.level_note is None
    failed = [c for c in province.criteria if c.type == "gate" and not c.passed]
    assert failed and all(c.explanation.startswith("Tiêu chí cấp tỉnh: ") for c in failed)
    assert any(c.code == "T_CN_HUONG_DAN_30" and "cần ít nhất 30" in c.explanation for c in failed)
    # the ward's explanations are the ones the ward always read (no level words)
    assert not any(c.explanation.startswith("Tiêu chí cấp") for c in ward.criteria)
    # stricter: nobody eligible at the province who is not eligible at the ward
    province_board = board.at_level("province")
    for kind in ("party_org", "collective", "individual"):
        ward_ok = {(s.subject, s.subject_id) for s in board.of_kind(kind) if s.eligible}
        assert {(s.subject, s.subject_id) for s in province_board.of_kind(kind) if s.eligible} <= ward_ok
    assert province_board.at_level("ward") is board  # one computation per level, from the same facts


def test_a_plan_without_a_province_set_scores_with_the_ward_set_and_says_so(demo_db):
    with demo_db.session() as s:
        s.execute(delete(m.CriteriaSet).where(m.CriteriaSet.level == "province",
                                              m.CriteriaSet.subject_kind == "party_org"))
    board = svc.compute_scores(demo_db, AT, level="province")
    orgs = board.of_kind("party_org")
    assert orgs and all(s.level == "ward" for s in orgs)
    assert all(s.level_note and "chưa có bộ tiêu chí cấp tỉnh cho tổ chức đảng" in s.level_note for s in orgs)
    assert board.sets["party_org"].level == "ward" and "party_org" in board.level_notes
    ward = board.at_level("ward")
    assert [(s.subject_id, s.points, s.eligible, s.rank) for s in orgs] == \
        [(s.subject_id, s.points, s.eligible, s.rank) for s in ward.of_kind("party_org")]
    # the kinds that do have a province set are scored with it
    assert all(s.level == "province" and s.level_note is None for s in board.of_kind("individual"))
    snap = svc.snapshot(orgs[0], AT)
    assert snap["level"] == "ward" and "cấp tỉnh" in snap["level_note"]


def test_a_database_with_no_province_set_at_all(demo_db):
    with demo_db.session() as s:
        s.execute(delete(m.CriteriaSet).where(m.CriteriaSet.level == "province"))
    board = svc.compute_scores(demo_db, AT)
    assert not board.has_level("province")
    province = board.at_level("province")
    assert set(province.level_notes) == {"party_org", "collective", "individual"}
    assert len(province.scores) == len(board.scores)


def test_a_candidate_proposed_to_a_province_award_is_decided_on_the_province_criteria(demo_db):
    board = svc.compute_scores(demo_db, AT)
    ward, _province = _ward_only(board, "individual")[0]
    cid = cs.propose(demo_db, "person", ward.subject_id, award_code=PROVINCE_AWARD, at=AT)
    assert cs.get_candidate(demo_db, cid).level == "province"
    mid = cs.new_meeting(demo_db, dt.datetime(2026, 11, 25, 8, 0))
    cs.record_vote(demo_db, mid, cid, cs.meeting_view(demo_db, mid).members, 0, 0)
    row = next(r for r in cs.meeting_view(demo_db, mid).candidates if r.candidate.id == cid)
    assert row.eligible is False  # the meeting shows the province result
    cs.decide(demo_db, mid)
    with demo_db.read() as s:
        snap = s.get(m.Candidate, cid).score_snapshot
    assert snap["level"] == "province" and snap["eligible"] is False
    assert any(c["explanation"].startswith("Tiêu chí cấp tỉnh: ") and not c["passed"] for c in snap["criteria"])


def test_propose_all_to_a_province_award_takes_the_province_eligible_and_reuses_the_board(demo_db, monkeypatch):
    board = svc.compute_scores(demo_db, AT)
    province_ok = {s.subject_id for s in board.at_level("province").of_kind("individual") if s.eligible}
    ward_ok = {s.subject_id for s in board.of_kind("individual") if s.eligible}
    assert province_ok < ward_ok

    def no_second_computation(*_a, **_k):
        raise AssertionError("propose all computed the scores again")

    with demo_db.read() as s:  # the demo has proposed some people already
        taken = set(s.scalars(select(m.Candidate.person_id).where(m.Candidate.person_id.is_not(None))))
    assert province_ok - taken
    monkeypatch.setattr(svc, "compute_scores", no_second_computation)
    result = cs.propose_eligible(demo_db, AT, "BK_CT_UBND_TINH", board=board)
    with demo_db.read() as s:
        proposed = set(s.scalars(select(m.Candidate.person_id).where(m.Candidate.id.in_(result.created))))
    assert proposed - {None} == province_ok - taken, result.skipped


def test_form08_of_a_province_candidate_lists_the_province_conditions(demo_db):
    from bdhvs_desktop.services import form08

    board = svc.compute_scores(demo_db, AT)
    ward, _ = _ward_only(board, "individual")[0]
    cid = cs.propose(demo_db, "person", ward.subject_id, award_code=PROVINCE_AWARD, at=AT)
    status, scores = form08.compute_results(demo_db, AT)
    with demo_db.read() as s:
        cand = s.get(m.Candidate, cid)
        campaign = s.scalars(select(m.Campaign)).first()
        src = form08.load_source(s, campaign, AT, status, scores)
        rows = form08.person_criteria_rows(form08.for_candidate(src, cand), cand.person)
        ward_rows = form08.person_criteria_rows(src, cand.person)
    assert rows != ward_rows
    assert any("30" in r.target for r in rows)  # the province's "at least 30 people guided"


def test_cli_score_level_province(capsys, demo_db):
    code = main(["score", "--db", str(demo_db.path), "--at", "2026-11-15", "--level", "province", "--kind",
                 "individual"])
    out, _ = capsys.readouterr()
    assert code == 0 and "theo tiêu chí cấp tỉnh" in out
    code = main(["score", "--db", str(demo_db.path), "--at", "2026-11-15", "--level", "province", "--json",
                 "--explain"])
    data = json.loads(capsys.readouterr()[0])
    assert code == 0 and {x["level"] for x in data} == {"province"}
    assert all(c["explanation"].startswith("Tiêu chí cấp tỉnh: ") for x in data for c in x["criteria"])


def test_presets_carry_province_sets_and_refuse_two_of_one_level(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "resources" / "presets"
    preset = load_preset(root / "la-gi-004.toml")
    for kind in ("party_org", "collective", "individual"):
        ward, province = preset.criteria_set_for(kind), preset.criteria_set_for(kind, "province")
        assert ward.level == "ward" and province.level == "province" and province.code != ward.code
        assert all(c.description or c.source for c in province.criteria)
        assert "13-KH/TU" in province.description
    text = (root / "la-gi-004.toml").read_text(encoding="utf-8")
    bad = text.replace('code = "TC_TINH_CA_NHAN"\nname = "Tiêu chuẩn khen cấp tỉnh đối với cá nhân"\n'
                       'subject_kind = "individual"\nlevel = "province"',
                       'code = "TC_TINH_CA_NHAN"\nname = "Tiêu chuẩn khen cấp tỉnh đối với cá nhân"\n'
                       'subject_kind = "individual"\nlevel = "ward"')
    assert bad != text
    bad = bad.replace('name = "la-gi-004"', 'name = "bad"', 1)
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(PresetError, match="mỗi đối tượng có tối đa một bộ cấp phường"):
        load_preset(tmp_path / "bad.toml")
    wrong = text.replace('subject_kind = "individual"\nlevel = "province"', 'subject_kind = "individual"\nlevel = "tinh"')
    wrong = wrong.replace('name = "la-gi-004"', 'name = "wrong"', 1)
    (tmp_path / "wrong.toml").write_text(wrong, encoding="utf-8")
    with pytest.raises(PresetError, match="tinh"):
        load_preset(tmp_path / "wrong.toml")


def test_existing_rows_are_ward_sets_after_the_migration(demo_db):
    with demo_db.read() as s:
        levels = {(k, lv) for k, lv in s.execute(select(m.CriteriaSet.subject_kind, m.CriteriaSet.level))}
    assert levels == {(k, lv) for k in ("party_org", "collective", "individual") for lv in ("ward", "province")}


def test_scoring_reads_once_and_measures_targets_as_the_status_does(demo_db, monkeypatch):
    """Issue #12: a target a criterion reads is measured by the status's own code in scoring's one
    read session (no second session computing the whole status)."""
    from bdhvs_desktop.services import status as status_service

    sets = {x.subject_kind: x for x in svc.list_criteria_sets(demo_db)}
    svc.save_criterion(demo_db, sets["collective"].id, svc.CriterionInput(
        "TT_D_HUONG_DAN_TUAN", "Đạt chỉ tiêu hướng dẫn hằng tuần", "points", "auto", 5, "target_met",
        {"target": "HUONG_DAN_TUAN"}))
    expected = {u.unit_id: u.value for u in status_service.compute_status(demo_db, AT).target("HUONG_DAN_TUAN").per_unit}
    assert expected
    reads = []
    real_read = demo_db.read

    def counted_read():
        reads.append(1)
        return real_read()

    monkeypatch.setattr(demo_db, "read", counted_read)
    monkeypatch.setattr(status_service, "compute_status", lambda *a, **k: pytest.fail("status computed again"))
    board = svc.compute_scores(demo_db, AT)
    assert len(reads) == 1
    checked = 0
    for f in board.facts:
        t = f.targets.get("HUONG_DAN_TUAN")
        if f.subject == "unit" and f.id in expected:
            assert t is not None and t.value == expected[f.id]
            checked += 1
    assert checked == len(expected)


def test_scoring_page_shows_the_province_level(demo_db, qtbot):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.scoring import ScoringPage

    ctx = AppContext(demo_db)
    ctx.set_as_of(AT)
    page = ScoringPage(ctx)
    qtbot.addWidget(page)
    page.load_now()
    page.kind.setCurrentIndex(page.kind.findData("individual"))
    ward_eligible = page.eligible_model.rowCount()
    page.level.setCurrentIndex(page.level.findData("province"))
    qtbot.waitUntil(lambda: page.board.scored_level("province") is not None
                    and "cấp tỉnh" in page.summary.text(), timeout=20_000)
    assert 0 < page.eligible_model.rowCount() < ward_eligible
    assert all(page.eligible_model.row_at(r).level == "province" for r in range(page.eligible_model.rowCount()))


@pytest.mark.parametrize("level", ["ward", "province"])
def test_the_facts_as_plain_data_score_as_the_ward_scored_them(demo_db, level):
    """What a province office does with a package: facts_from_dict(facts_to_dict(...)) scored with
    score_facts and no database gives the ward's own result for every subject of the demo."""
    from bdhvs_desktop.domain import scoring as sc

    board = svc.compute_scores(demo_db, AT).at_level(level)
    checked = 0
    for score in board.scores:
        facts = board.facts_of(score.subject, score.subject_id)
        plain = json.loads(json.dumps(sc.facts_to_dict(facts), ensure_ascii=False))
        again = sc.score_facts(sc.facts_from_dict(plain), board.sets[score.kind],
                               manual=board.manual_of(score.subject, score.subject_id, score.level))
        assert {**again.as_json(), "rank": None} == {**score.as_json(), "rank": None}
        checked += 1
    assert checked == len(board.scores) > 100
