"""Quorum, pass mark, member scores and conflicts of interest (pure domain)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdhvs_desktop.domain import council as dc

DEFAULT = dc.CouncilRules()


def test_defaults_quorum_two_thirds_and_more_than_half_of_all_members():
    assert dc.quorum_met(9, 6, DEFAULT)  # exactly 2/3
    assert not dc.quorum_met(9, 5, DEFAULT)
    assert dc.quorum_met(7, 5, DEFAULT) and not dc.quorum_met(7, 4, DEFAULT)  # 14/3 = 4.67 → 5 needed
    assert not dc.vote_passes(4, 8, DEFAULT)  # exactly 50% is not more than 50%
    assert dc.vote_passes(5, 8, DEFAULT)
    at_least = dc.CouncilRules(pass_strict=False)
    assert dc.vote_passes(4, 8, at_least)


def test_base_all_members_or_those_present():
    present_base = dc.CouncilRules(pass_base="present")
    tally = dc.Tally(4, 2, 0)
    on_all = dc.decide(9, 6, tally, DEFAULT, "Chi bộ A")
    on_present = dc.decide(9, 6, tally, present_base, "Chi bộ A")
    assert not on_all.passed and on_all.base == 9  # 4/9 = 44%
    assert on_present.passed and on_present.base == 6  # 4/6 = 67%
    assert "4/9 tổng số thành viên tán thành (44,44%)" in on_all.explanation
    assert "KHÔNG ĐƯỢC THÔNG QUA" in on_all.explanation and "ĐƯỢC THÔNG QUA" in on_present.explanation


def test_quorum_not_reached_decides_nothing():
    d = dc.decide(9, 5, dc.Tally(5, 0, 0), DEFAULT, "Nguyễn Văn A")
    assert not d.quorum_met and not d.passed
    assert "không đủ túc số: có mặt 5/9 thành viên, cần ít nhất 6" in d.explanation


def test_tally_and_ballot_checks():
    with pytest.raises(dc.CouncilError, match="vượt số thành viên có mặt"):
        dc.check_tally(dc.Tally(5, 2, 1), 7)
    with pytest.raises(dc.CouncilError, match="không được âm"):
        dc.check_tally(dc.Tally(-1, 0, 0), 7)
    with pytest.raises(dc.CouncilError, match="phiếu hợp lệ"):
        dc.check_tally(dc.Tally(5, 1, 0), 7, secret_ballot=True, ballots_valid=5)
    with pytest.raises(dc.CouncilError, match="thu vào"):
        dc.check_ballots(7, 6, 7, 6)
    with pytest.raises(dc.CouncilError, match="phát ra"):
        dc.check_ballots(5, 6, 6, 6)
    dc.check_ballots(7, 7, 6, 6)


def test_rules_validate_and_round_trip():
    with pytest.raises(dc.CouncilError):
        dc.CouncilRules(quorum_num=4, quorum_den=3)
    with pytest.raises(dc.CouncilError):
        dc.CouncilRules(pass_base="nobody")
    rules = dc.CouncilRules(quorum_num=1, quorum_den=2, pass_base="present")
    assert dc.CouncilRules.from_dict(rules.as_dict()) == rules
    assert "1/2" in rules.describe() and "số thành viên có mặt" in rules.describe()


def test_member_scores_mean_median_spread_and_conflicts_left_out():
    summary = dc.summarize_scores([("A", 80), ("B", 60), ("C", 90), ("D", 10)], conflicted=["D"])
    assert summary.count == 3 and summary.mean == pytest.approx(76.6667, rel=1e-3) and summary.median == 80
    assert summary.spread == 30 and summary.wide_spread
    assert summary.excluded == ("D",) and "không tính điểm của D (xung đột lợi ích)" in summary.explanation
    narrow = dc.summarize_scores([("A", 80), ("B", 75)])
    assert not narrow.wide_spread and "trung vị 77,5" in narrow.explanation
    assert dc.summarize_scores([]).mean is None


def test_conflict_of_interest():
    assert dc.conflict_reason("Bà A", 5, {1}, "person", None, 5, "Bà A") == "Bà A chính là người được đề nghị."
    assert "thuộc tập thể được đề nghị" in dc.conflict_reason("Ông B", 6, {3, 1}, "unit", 1, None, "Đảng ủy X")
    assert dc.conflict_reason("Ông B", 6, {3}, "unit", 1, None, "Đảng ủy X") is None
    assert dc.conflict_reason("Ông B", 6, {1}, "person", None, 7, "Bà C") is None


@settings(max_examples=300, deadline=None)
@given(members=st.integers(1, 30), data=st.data())
def test_quorum_is_exactly_two_thirds(members, data):
    present = data.draw(st.integers(0, members))
    assert dc.quorum_met(members, present, DEFAULT) == (3 * present >= 2 * members)


@settings(max_examples=300, deadline=None)
@given(members=st.integers(1, 30), data=st.data(), base=st.sampled_from(["all", "present"]),
       strict=st.booleans())
def test_pass_mark_boundary_is_exact(members, data, base, strict):
    present = data.draw(st.integers(0, members))
    votes_for = data.draw(st.integers(0, present))
    rules = dc.CouncilRules(pass_base=base, pass_strict=strict)
    d = dc.decide(members, present, dc.Tally(votes_for, present - votes_for, 0), rules)
    denom = members if base == "all" else present
    expected_pass = (2 * votes_for > denom if strict else 2 * votes_for >= denom) and denom > 0
    assert d.passed == (dc.quorum_met(members, present, rules) and expected_pass)
    if 2 * votes_for == denom and denom > 0 and d.quorum_met:
        assert d.passed == (not strict)  # exactly 50%: passes only with "at least"


@settings(max_examples=200, deadline=None)
@given(scores=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=11))
def test_mean_and_median_lie_within_the_scores(scores):
    s = dc.summarize_scores([(f"M{i}", v) for i, v in enumerate(scores)])
    assert min(scores) - 1e-9 <= s.mean <= max(scores) + 1e-9
    assert min(scores) <= s.median <= max(scores)
    assert s.wide_spread == (max(scores) - min(scores) > DEFAULT.spread_threshold)
