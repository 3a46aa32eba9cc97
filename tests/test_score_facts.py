"""Plain-data facts (facts_to_dict / facts_from_dict) and scoring them with no database (score_facts):
what a ward's proposal package carries and what a province office scores again."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.score_facts import FACTS_VERSION, FactsFormatError, facts_from_dict, facts_to_dict
from bdhvs_desktop.domain.vocab import MODEL_STATUS_ORDER

AT = dt.date(2026, 11, 15)

days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
text = st.text(min_size=0, max_size=20)
maybe_day = st.none() | days
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
small = st.integers(min_value=0, max_value=10**6)

members = st.builds(sc.MemberFact, text, maybe_day, st.booleans())
models = st.builds(sc.ModelFact, text, text, st.integers(min_value=-1, max_value=len(MODEL_STATUS_ORDER) - 1))
solutions = st.builds(sc.SolutionFact, text, st.booleans(), maybe_day, st.none() | text)
targets = st.builds(sc.TargetFact, text, text, st.none() | finite, finite, st.sampled_from(["met", "missed", "not_due"]),
                    st.sampled_from(["percent", "count", "ratio"]), st.none() | text, st.booleans(),
                    st.none() | finite, st.none() | finite)
activities = st.dictionaries(st.sampled_from(["guidance", "class", "broadcast", "thematic_meeting"]),
                             st.lists(st.tuples(days, st.integers(min_value=1, max_value=50)), max_size=5), max_size=3)
facts = st.builds(
    sc.SubjectFacts, st.sampled_from(["unit", "person"]), st.integers(min_value=1, max_value=10**9), text, text,
    st.sampled_from(["party_org", "collective", "individual"]), female=st.booleans(), women=small, headcount=small,
    under_discipline=st.booleans(), discipline_note=st.none() | text, party_members=st.lists(members, max_size=4),
    vneid_on=maybe_day, can_guide=st.booleans(), people_guided=small, mentees=small,
    models=st.lists(models, max_size=4), activities=activities, solutions=st.lists(solutions, max_size=3),
    targets=st.dictionaries(st.text(min_size=1, max_size=8), targets, max_size=3), as_of=maybe_day)


@settings(max_examples=200, deadline=None)
@given(facts)
def test_facts_round_trip_through_json(f):
    data = facts_to_dict(f)
    again = facts_from_dict(json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False)))
    assert again == f
    assert data["version"] == FACTS_VERSION


def _unit() -> sc.SubjectFacts:
    return sc.SubjectFacts(
        "unit", 7, "CB-KP3", "Chi bộ Khu phố 3", "party_org", women=8, headcount=10,
        party_members=[sc.MemberFact("Lê Văn A", dt.date(2026, 2, 1), True), sc.MemberFact("Trần B", None, False)],
        models=[sc.ModelFact("MH-01", "Chợ 4.0", 1)],
        activities={"guidance": [(dt.date(2026, 10, 5), 2)]},
        targets={"VNEID": sc.TargetFact("VNEID", "Tỷ lệ VNeID", 92.5, 90.0, "met", note="46/50", numerator=46.0,
                                        denominator=50.0)},
        as_of=AT)


def test_the_dict_is_plain_json_with_dates_as_text_and_models_by_status_name():
    data = facts_to_dict(_unit())
    assert json.loads(json.dumps(data)) == data
    assert data["as_of"] == "2026-11-15"
    assert data["models"] == [{"code": "MH-01", "name": "Chợ 4.0", "status_at": "implementing"}]
    assert data["activities"] == {"guidance": [["2026-10-05", 2]]}


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda d: d.update(version=FACTS_VERSION + 1), "facts.version"),
    (lambda d: d.pop("subject"), "thiếu trường “subject”"),
    (lambda d: d.update(subject="ward"), "facts.subject"),
    (lambda d: d["party_members"][0].update(vneid_on="31/03/2026"), "facts.party_members[0].vneid_on"),
    (lambda d: d["models"][0].update(status_at="gold"), "facts.models[0].status_at"),
    (lambda d: d["activities"]["guidance"].append(["2026-10-06", "2"]), "facts.activities.guidance[1]"),
    (lambda d: d["targets"]["VNEID"].update(target="90"), "facts.targets.VNEID.target"),
    (lambda d: d.update(headcount=True), "facts.headcount"),
    (lambda d: d.update(schema="other"), "facts.schema"),
])
def test_bad_data_names_the_field_in_vietnamese(mutate, where):
    data = facts_to_dict(_unit())
    mutate(data)
    with pytest.raises(FactsFormatError) as err:
        facts_from_dict(data)
    assert where in str(err.value)


GATE = sc.CriterionDef("VNEID", "Đảng viên thành thạo VNeID", "gate", "auto", rule="party_members_vneid",
                       params={"by": dt.date(2026, 3, 31)})
PTS = sc.CriterionDef("MODELS", "Mô hình", "points", "auto", 10, rule="min_models",
                      params={"n": 1, "status": "implementing"})
TGT = sc.CriterionDef("TGT", "Vượt chỉ tiêu", "gate", "auto", rule="target_met", params={"target": "VNEID", "margin": 5})


def test_score_facts_from_plain_data_equals_scoring_the_facts():
    ward = sc.CriteriaSetDef("W", "Cấp phường", "party_org", (PTS, TGT))
    f = _unit()
    direct = sc.score_subject(f, ward, AT)
    again = sc.score_facts(facts_from_dict(json.loads(json.dumps(facts_to_dict(f)))), ward)
    assert again.as_json() == direct.as_json()
    assert again.points == 10 and not again.eligible  # 92,5% < 90% + 5 points


def test_score_facts_at_province_level_says_so_and_needs_a_date():
    province = sc.CriteriaSetDef("P", "Cấp tỉnh", "party_org", (GATE,), level="province")
    f = _unit()
    score = sc.score_facts(f, province)
    assert score.level == "province" and not score.eligible
    assert score.criteria[0].explanation.startswith("Tiêu chí cấp tỉnh: Chi bộ Khu phố 3: 1/2 đảng viên")
    f.as_of = None
    with pytest.raises(sc.RuleError, match="ngày tính điểm"):
        sc.score_facts(f, province)
    assert sc.score_facts(f, province, at=AT).eligible is False


def test_score_facts_refuses_a_set_of_another_subject_kind():
    with pytest.raises(sc.RuleError, match="không chấm được"):
        sc.score_facts(_unit(), sc.CriteriaSetDef("I", "Cá nhân", "individual", ()))


def test_criteria_level_of_an_award():
    assert sc.criteria_level_of_award("province") == "province"
    assert sc.criteria_level_of_award("central") == "province"
    assert sc.criteria_level_of_award("ward") == "ward"
    assert sc.criteria_level_of_award(None) == "ward"
    assert sc.criteria_level_of_award("unit") == "ward"
