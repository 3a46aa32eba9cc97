"""The scoring rule library, gates and points, the law on top, and the ranking (pure domain)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bdhvs_desktop.domain import scoring as sc

BY = dt.date(2026, 3, 31)
AT = dt.date(2026, 11, 15)


def unit(name="Chi bộ Khu phố 3 (mô phỏng)", **kw) -> sc.SubjectFacts:
    return sc.SubjectFacts("unit", kw.pop("id", 1), kw.pop("code", "CB-KP3"), name, kw.pop("kind", "party_org"), **kw)


def person(name="Nguyễn Thị Lan", **kw) -> sc.SubjectFacts:
    return sc.SubjectFacts("person", kw.pop("id", 1), kw.pop("code", "068190000001"), name, "individual", **kw)


def members(ok: int, late: int = 0, never: int = 0) -> list[sc.MemberFact]:
    out = [sc.MemberFact(f"Đảng viên {i}", dt.date(2026, 2, 1), True) for i in range(ok)]
    out += [sc.MemberFact(f"Trễ hạn {i}", dt.date(2026, 4, 1), True) for i in range(late)]
    out += [sc.MemberFact(f"Chưa có {i}", None, False) for i in range(never)]
    return out


# --------------------------------------------------------------------------- rules


def test_party_members_vneid_names_who_failed():
    f = unit(party_members=members(18, late=1, never=1))
    out = sc.rule_party_members_vneid(f, {"by": BY}, AT)
    assert not out.passed
    assert out.explanation.startswith("18/20 đảng viên thành thạo VNeID đến 31/03/2026")
    scored = sc.score_subject(f, _set(GATE_VNEID), AT)
    assert scored.criteria[0].explanation.startswith(
        "Chi bộ Khu phố 3 (mô phỏng): 18/20 đảng viên thành thạo VNeID đến 31/03/2026; chưa đạt: Trễ hạn 0, Chưa có 0")
    assert "chưa đạt: Trễ hạn 0, Chưa có 0" in out.explanation
    assert out.fraction == pytest.approx(0.9)


def test_party_members_vneid_deadline_day_counts_and_next_day_does_not():
    on_day = unit(party_members=[sc.MemberFact("A", BY, True)])
    next_day = unit(party_members=[sc.MemberFact("A", BY + dt.timedelta(days=1), True)])
    assert sc.rule_party_members_vneid(on_day, {"by": BY}, AT).passed
    assert not sc.rule_party_members_vneid(next_day, {"by": BY}, AT).passed


def test_party_members_vneid_before_the_deadline_counts_up_to_the_scoring_day():
    f = unit(party_members=[sc.MemberFact("A", dt.date(2026, 2, 1), True), sc.MemberFact("B", dt.date(2026, 3, 5), True)])
    out = sc.rule_party_members_vneid(f, {"by": BY}, dt.date(2026, 2, 15))
    assert not out.passed and "tính đến 15/02/2026" in out.explanation and "B" in out.explanation


def test_party_members_vneid_require_guide_and_empty_org():
    f = unit(party_members=[sc.MemberFact("A", dt.date(2026, 2, 1), False)])
    assert sc.rule_party_members_vneid(f, {"by": BY}, AT).passed
    assert not sc.rule_party_members_vneid(f, {"by": BY, "require_guide": True}, AT).passed
    empty = sc.rule_party_members_vneid(unit(), {"by": BY}, AT)
    assert not empty.passed and "chưa có đảng viên" in empty.explanation


def test_person_vneid():
    ok = sc.rule_person_vneid(person(vneid_on=dt.date(2026, 1, 5), can_guide=True), {"by": BY, "require_guide": True}, AT)
    assert ok.passed and "05/01/2026" in ok.explanation
    late = sc.rule_person_vneid(person(vneid_on=dt.date(2026, 5, 20), can_guide=True), {"by": BY}, AT)
    assert not late.passed and "sau hạn 31/03/2026" in late.explanation
    no_guide = sc.rule_person_vneid(person(vneid_on=dt.date(2026, 1, 5)), {"by": BY, "require_guide": True}, AT)
    assert not no_guide.passed and "chưa ghi nhận biết hướng dẫn" in no_guide.explanation
    never = sc.rule_person_vneid(person(), {"by": BY}, AT)
    assert not never.passed and "chưa có ghi nhận" in never.explanation


def test_target_met_with_margin_at_the_boundary():
    facts = unit(targets={"NB": sc.TargetFact("NB", "Người dân biết", 90.0, 80.0, "met")})
    assert sc.rule_target_met(facts, {"target": "NB", "margin": 10.0}, AT).passed
    facts.targets["NB"] = sc.TargetFact("NB", "Người dân biết", 89.99, 80.0, "met")
    out = sc.rule_target_met(facts, {"target": "NB", "margin": 10.0}, AT)
    assert not out.passed and "còn thiếu" in out.explanation
    missing = sc.rule_target_met(unit(), {"target": "NB"}, AT)
    assert not missing.passed and "chưa có số liệu" in missing.explanation
    na = unit(targets={"NB": sc.TargetFact("NB", "x", None, 100.0, "not_due", note="không có đảng viên",
                                           applicable=False)})
    assert sc.rule_target_met(na, {"target": "NB"}, AT).passed


def test_min_models_counts_the_status_reached_on_the_day():
    dates = {"registered": dt.date(2026, 1, 1), "implementing": dt.date(2026, 2, 1),
             "evaluated": dt.date(2026, 6, 1), "excellent": dt.date(2026, 9, 1), "replicated": None}
    assert sc.model_rank_at("excellent", dt.date(2026, 7, 1), dates) == 2  # evaluated, not yet excellent
    assert sc.model_rank_at("excellent", dt.date(2026, 9, 1), dates) == 3
    assert sc.model_rank_at("excellent", dt.date(2025, 12, 1), dates) == -1
    f = unit(models=[sc.ModelFact("MH-01", "Đại sứ số", 3), sc.ModelFact("MH-02", "Gia đình số", 1)])
    out = sc.rule_min_models(f, {"n": 1, "status": "excellent"}, AT)
    assert out.passed and "MH-01 Đại sứ số (Xuất sắc)" in out.explanation and "MH-02" not in out.explanation
    assert not sc.rule_min_models(f, {"n": 2, "status": "evaluated"}, AT).passed
    assert sc.rule_min_models(f, {"n": 2, "status": "implementing"}, AT).passed


def test_people_guided_solutions_discipline_activities():
    assert sc.rule_min_people_guided(person(people_guided=5), {"n": 5}, AT).passed
    assert not sc.rule_min_people_guided(person(people_guided=4), {"n": 5}, AT).passed
    assert sc.rule_min_people_guided(person(people_guided=0, mentees=6), {"n": 5}, AT).passed
    sols = [sc.SolutionFact("Mã QR", True, dt.date(2026, 5, 1), "Giảm 40% câu hỏi"),
            sc.SolutionFact("Nhóm Zalo", True, dt.date(2026, 5, 1), None),
            sc.SolutionFact("Video", False, None, None)]
    out = sc.rule_solution_applied(person(solutions=sols), {"require_effect": True}, AT)
    assert out.passed and "“Mã QR”" in out.explanation and "“Nhóm Zalo” chưa ghi hiệu quả" in out.explanation
    assert not sc.rule_solution_applied(person(solutions=sols), {"require_effect": True, "n": 2}, AT).passed
    assert sc.rule_solution_applied(person(solutions=sols), {"require_effect": False, "n": 2}, AT).passed
    assert not sc.rule_solution_applied(person(solutions=sols), {}, dt.date(2026, 4, 1)).passed  # not yet applied
    bad = sc.rule_not_disciplined(person(under_discipline=True, discipline_note="Khiển trách"), {}, AT)
    assert not bad.passed and "Khiển trách" in bad.explanation
    weeks = {"guidance": [(dt.date(2026, 4, 1), 1), (dt.date(2026, 4, 12), 1), (dt.date(2026, 4, 15), 1),
                          (dt.date(2026, 4, 20), 2)]}
    p = {"kind": "guidance", "n": 1, "per": "week", "start": dt.date(2026, 4, 1), "end": dt.date(2026, 4, 26)}
    out = sc.rule_min_activities(unit(activities=weeks), p, AT)
    assert out.passed, out.explanation
    weeks["guidance"].pop(1)
    out = sc.rule_min_activities(unit(activities=weeks), p, AT)
    assert not out.passed and "3/4 tuần" in out.explanation and "Tuần 15/2026" in out.explanation
    period = {"kind": "guidance", "n": 5, "per": "period", "start": dt.date(2026, 4, 1), "end": dt.date(2026, 9, 30)}
    assert not sc.rule_min_activities(unit(activities=weeks), period, AT).passed
    assert "chưa đến thời gian" in sc.rule_min_activities(unit(), period, dt.date(2026, 3, 1)).explanation


def test_check_params_rejects_bad_input_in_vietnamese():
    assert sc.check_params("party_members_vneid", {"by": "2026-03-31"}) == {"by": BY, "require_guide": False}
    for rule, params, words in [
        ("nope", {}, "không có quy tắc"),
        ("party_members_vneid", {}, "cần tham số"),
        ("party_members_vneid", {"by": "31-31-2026"}, "không hợp lệ"),
        ("min_models", {"n": 1, "status": "famous"}, "mức mô hình"),
        ("min_activities", {"kind": "dance"}, "loại hoạt động"),
        ("min_activities", {"kind": "class", "start": "2026-05-01", "end": "2026-04-01"}, "trước ngày bắt đầu"),
        ("min_models", {"x": 1}, "không có tham số"),
    ]:
        with pytest.raises(sc.RuleError, match=words):
            sc.check_params(rule, params)


# --------------------------------------------------------------------------- gates, points, the law


def _set(*criteria: sc.CriterionDef, kind="party_org") -> sc.CriteriaSetDef:
    return sc.CriteriaSetDef("S", "Bộ", kind, tuple(criteria))


GATE_VNEID = sc.CriterionDef("G1", "100% đảng viên VNeID", "gate", "auto", rule="party_members_vneid", params={"by": BY})
PTS_MODELS = sc.CriterionDef("P1", "Từ 1 mô hình", "points", "auto", 20.0, rule="min_models",
                             params={"n": 1, "status": "implementing"})
PTS_SHARE = sc.CriterionDef("P2", "Tỷ lệ VNeID", "points", "auto", 10.0, rule="party_members_vneid",
                            params={"by": BY, "partial": True})
MANUAL = sc.CriterionDef("M1", "Hội đồng chấm", "points", "manual", 25.0, id=7)


def test_gates_points_and_manual_results():
    f = unit(party_members=members(9, never=1), models=[sc.ModelFact("MH", "Mô hình", 1)])
    entry = sc.ManualEntry(None, 30.0, "Biên bản kiểm tra", "thu-ky", dt.datetime(2026, 11, 1, 9, 0))
    score = sc.score_subject(f, _set(GATE_VNEID, PTS_MODELS, PTS_SHARE, MANUAL), AT, {"M1": entry})
    assert not score.eligible  # the gate failed
    assert score.max_points == 55.0
    by_code = {c.code: c for c in score.criteria}
    assert by_code["P1"].points == 20.0
    assert by_code["P2"].points == pytest.approx(9.0)  # partial: 9/10 of the members
    assert by_code["M1"].points == 25.0  # capped at the maximum
    assert "thu-ky ngày 01/11/2026" in by_code["M1"].explanation and "Biên bản kiểm tra" in by_code["M1"].explanation
    assert by_code["M1"].evidence == "Biên bản kiểm tra"
    assert score.points == pytest.approx(54.0)
    missing = sc.score_subject(f, _set(MANUAL), AT)
    assert missing.criteria[0].points == 0 and "chưa có kết quả" in missing.criteria[0].explanation


def test_discipline_holds_back_even_without_a_gate_for_it():
    f = person(under_discipline=True, discipline_note="Cảnh cáo")
    score = sc.score_subject(f, _set(kind="individual"), AT)
    assert not score.eligible and "Nghị định 152/2025" in score.held_back


def _score(name, points, *, female=False, women=0, heads=0, kind="individual", eligible=True, sid=0):
    s = sc.SubjectScore("person" if kind == "individual" else "unit", sid, str(sid), name, kind, eligible, points,
                        100.0, [], None, female if kind == "individual" else heads > 0 and women * 10 >= 7 * heads)
    return s


def test_tie_break_woman_first_and_collective_seventy_percent_women():
    ranked = sc.rank_scores([_score("An", 50, sid=1), _score("Bình", 50, female=True, sid=2), _score("Chi", 60, sid=3)])
    assert [(s.name, s.rank) for s in ranked] == [("Chi", 1), ("Bình", 2), ("An", 3)]
    assert sc.SubjectFacts("unit", 1, "U", "U", "collective", women=7, headcount=10).tie_break_first
    assert not sc.SubjectFacts("unit", 1, "U", "U", "collective", women=69, headcount=100).tie_break_first
    assert sc.SubjectFacts("person", 1, "P", "P", "individual", female=True).tie_break_first


def test_full_tie_shares_the_rank_and_ineligible_get_none():
    ranked = sc.rank_scores([_score("A", 40, sid=1), _score("B", 40, sid=2), _score("C", 30, sid=3),
                             _score("D", 90, eligible=False, sid=4)])
    assert [s.rank for s in ranked] == [1, 1, 3, None]


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(ok=st.integers(0, 40), late=st.integers(0, 10), never=st.integers(0, 10), partial=st.booleans())
def test_one_more_member_proficient_never_lowers_the_score(ok, late, never, partial):
    assume(late + never > 0)
    gate = sc.CriterionDef("P", "VNeID", "points", "auto", 10.0, rule="party_members_vneid",
                           params={"by": BY, "partial": partial})
    cset = _set(GATE_VNEID, gate)
    before = sc.score_subject(unit(party_members=members(ok, late, never)), cset, AT)
    # One of those who failed becomes proficient before the deadline.
    after_members = members(ok + 1, late - 1, never) if late else members(ok + 1, late, never - 1)
    after = sc.score_subject(unit(party_members=after_members), cset, AT)
    assert after.points >= before.points
    assert after.eligible or not before.eligible


@settings(max_examples=200, deadline=None)
@given(guided=st.integers(0, 100), n=st.integers(1, 60))
def test_people_guided_threshold_is_inclusive(guided, n):
    out = sc.rule_min_people_guided(person(people_guided=guided), {"n": n}, AT)
    assert out.passed == (guided >= n)


@settings(max_examples=200, deadline=None)
@given(points=st.lists(st.sampled_from([0, 10, 20, 30]), min_size=2, max_size=8),
       women=st.lists(st.booleans(), min_size=8, max_size=8))
def test_ranking_respects_points_then_the_tie_break(points, women):
    scores = [_score(f"Người {i}", p, female=women[i], sid=i) for i, p in enumerate(points)]
    ranked = sc.rank_scores(scores)
    for a, b in zip(ranked, ranked[1:]):
        assert a.points >= b.points
        if a.points == b.points:
            assert a.tie_break_first >= b.tie_break_first
            if a.tie_break_first == b.tie_break_first:
                assert a.rank == b.rank
            else:
                assert a.rank < b.rank
        else:
            assert a.rank < b.rank
