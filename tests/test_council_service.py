"""Candidates and the council's review against a real database: lifecycle, meetings, votes,
conflicts, decisions, locking and reopening, all recorded in the chained audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bdhvs_desktop.domain.council import CouncilRules
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.audit import history, verify_chain
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 15)
WHEN = dt.datetime(2026, 11, 20, 8, 30)


def _unit_id(db, code):
    with db.read() as s:
        return s.scalar(select(m.Unit.id).where(m.Unit.code == code))


def test_demo_has_candidates_and_a_meeting_with_decisions(demo_db):
    cands = cs.list_candidates(demo_db)
    statuses = {c.status for c in cands}
    assert {"approved", "rejected", "draft"} <= statuses
    assert all(c.locked == (c.status == "approved") for c in cands)
    approved = [c for c in cands if c.status == "approved"]
    assert all(c.score_snapshot.get("criteria") and c.score_snapshot["as_of"] for c in approved)
    view = cs.meeting_view(demo_db)
    assert view.voting_method == "secret_ballot" and view.present == view.members - 1 and view.quorum_met
    assert any(not a.present and a.absence_reason for a in view.attendance)
    assert any(r.conflicts for r in view.candidates)
    assert any(r.member_scores.wide_spread for r in view.candidates)
    with demo_db.read() as s:
        assert verify_chain(s) == []


def test_lifecycle_with_reasons(demo_db):
    cid = cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-01"), award_code="GK_CT_UBND",
                     summary="Tổ dân phố tiêu biểu", at=AT, draft=True)
    assert cs.get_candidate(demo_db, cid).status == "draft"
    with pytest.raises(cs.CouncilActionError, match="đã có hồ sơ đề nghị"):
        cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-01"), at=AT)
    with pytest.raises(cs.CouncilActionError, match="không dùng cho"):
        cs.update_candidate(demo_db, cid, award_code="GK_BTV_DU", version=cs.get_candidate(demo_db, cid).version)  # party committee award: not for a collective
    with pytest.raises(cs.CouncilActionError, match="Không có hình thức"):
        cs.update_candidate(demo_db, cid, award_code="NOPE", version=cs.get_candidate(demo_db, cid).version)
    with pytest.raises(cs.CouncilActionError, match="không chuyển được"):
        cs.set_status(demo_db, cid, "approved")
    cs.set_status(demo_db, cid, "proposed")
    cs.set_status(demo_db, cid, "reviewed")
    with pytest.raises(cs.CouncilActionError, match="lý do"):
        cs.set_status(demo_db, cid, "rejected", reason="  ")
    cs.set_status(demo_db, cid, "rejected", reason="Chưa có mô hình")
    info = cs.get_candidate(demo_db, cid)
    assert info.status == "rejected" and info.decision_reason == "Chưa có mô hình" and not info.locked
    with demo_db.read() as s:
        rows = history(s, "candidate", cid)
    assert [r.new_value for r in rows if r.field == "status"][:3] == ["rejected", "reviewed", "proposed"]


def test_propose_eligible_skips_those_already_proposed(demo_db):
    before = {(c.subject, c.subject_id) for c in cs.list_candidates(demo_db) if c.status != "rejected"}
    result = cs.propose_eligible(demo_db, AT, "GK_CT_UBND")
    board = scoring_service.compute_scores(demo_db, AT)
    eligible = {(x.subject, x.subject_id) for x in board.scores if x.eligible}
    after = {(c.subject, c.subject_id) for c in cs.list_candidates(demo_db) if c.status != "rejected"}
    assert eligible <= after and len(result.created) == len(eligible - before)
    assert result.skipped  # the demo's candidates were already there
    again = cs.propose_eligible(demo_db, AT, "GK_CT_UBND")
    assert again.created == []


def _fresh_meeting(db, members=6, present=None):
    """A council of `members`, a candidate, and a meeting with `present` members present."""
    for i in range(members):
        cs.add_member(db, f"Ủy viên {i}", position="Ủy viên", role="chair" if i == 0 else "member",
                      unit_code="TDP-01" if i == 1 else None)
    cid = cs.propose(db, "unit", _unit_id(db, "TDP-01"), at=AT)
    mid = cs.new_meeting(db, WHEN, place="Hội trường")
    view = cs.meeting_view(db, mid)
    for a in view.attendance[: len(view.attendance) - (present if present is not None else len(view.attendance))]:
        cs.set_attendance(db, mid, a.member_id, False, "Ốm")
    return mid, cid


def test_quorum_not_reached_refuses_the_decision(db):
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db)
    with db.session() as s:
        s.add(m.Unit(code="TDP-01", name="Tổ dân phố 1", kind="to_dan_pho"))
    mid, cid = _fresh_meeting(db, members=6, present=3)  # 3/6 < 2/3
    cs.record_vote(db, mid, cid, 3, 0, 0)
    view = cs.meeting_view(db, mid)
    assert not view.quorum_met and "không đủ túc số" in view.candidates[0].decision.explanation
    with pytest.raises(cs.CouncilActionError, match="Không đủ túc số"):
        cs.decide(db, mid)
    assert cs.get_candidate(db, cid).status == "reviewed"


def test_votes_are_checked_conflicts_flagged_and_exactly_half_fails(db):
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db)
    with db.session() as s:
        s.add(m.Unit(code="TDP-01", name="Tổ dân phố 1", kind="to_dan_pho"))
    mid, cid = _fresh_meeting(db, members=6, present=6)
    with pytest.raises(cs.CouncilActionError, match="vượt số thành viên có mặt"):
        cs.record_vote(db, mid, cid, 5, 2, 0)
    view = cs.meeting_view(db, mid)
    row = view.candidates[0]
    assert row.conflicts == ("Ủy viên 1 thuộc tập thể được đề nghị (Tổ dân phố 1).",)
    conflicted = next(a.member_id for a in view.attendance if a.full_name == "Ủy viên 1")
    with pytest.raises(cs.CouncilActionError, match="Xung đột lợi ích"):
        cs.record_member_score(db, mid, cid, conflicted, 50)
    cs.record_vote(db, mid, cid, 3, 3, 0)  # exactly 50% of all members: not more than half
    assert not cs.meeting_view(db, mid).candidates[0].decision.passed
    [result] = cs.decide(db, mid)
    info = cs.get_candidate(db, cid)
    assert not result.decision.passed and info.status == "rejected" and "3/6" in info.decision_reason


def test_settings_change_the_pass_mark_of_new_meetings(db):
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db)
    with db.session() as s:
        s.add(m.Unit(code="TDP-01", name="Tổ dân phố 1", kind="to_dan_pho"))
    cs.set_rules(db, CouncilRules(pass_strict=False))
    mid, cid = _fresh_meeting(db, members=6, present=6)
    cs.record_vote(db, mid, cid, 3, 3, 0)
    [result] = cs.decide(db, mid)
    assert result.decision.passed and cs.get_candidate(db, cid).locked


def test_secret_ballot_counts_are_checked(demo_db):
    mid = cs.new_meeting(demo_db, WHEN, voting_method="secret_ballot")
    with pytest.raises(cs.CouncilActionError, match="thu vào"):
        cs.set_ballots(demo_db, mid, issued=5, returned=6, valid=5)
    cs.set_ballots(demo_db, mid, issued=7, returned=7, valid=5)
    cid = cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-02"), at=AT)
    with pytest.raises(cs.CouncilActionError, match="phiếu hợp lệ"):
        cs.record_vote(demo_db, mid, cid, 4, 2, 0)
    with pytest.raises(cs.CouncilActionError, match="lý do vắng"):
        cs.set_attendance(demo_db, mid, cs.list_members(demo_db)[0].id, False)


# --------------------------------------------------------------------------- locked means locked

ACTIONS = ["vote", "status_reviewed", "status_rejected", "update_summary", "member_score", "decide", "reopen"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=6))
def test_a_locked_decision_changes_only_after_a_recorded_reopening(demo_db, actions):
    cand = next(c for c in cs.list_candidates(demo_db) if c.locked and c.status == "approved")
    mid = cand.meeting_id
    member = cs.meeting_view(demo_db, mid).attendance[0].member_id
    with demo_db.read() as s:
        reopened_before = sum(1 for r in history(s, "candidate", cand.id) if r.action == "reopen")
    for action in actions:
        before = cs.get_candidate(demo_db, cand.id)
        try:
            if action == "vote":
                cs.record_vote(demo_db, mid, cand.id, 1, 5, 0)
            elif action == "status_reviewed":
                cs.set_status(demo_db, cand.id, "reviewed")
            elif action == "status_rejected":
                cs.set_status(demo_db, cand.id, "rejected", reason="Thử đổi kết quả")
            elif action == "update_summary":
                cs.update_candidate(demo_db, cand.id, summary="Sửa sau khi khóa", version=before.version)
            elif action == "member_score":
                cs.record_member_score(demo_db, mid, cand.id, member, 1)
            elif action == "decide":
                cs.decide(demo_db, mid, cand.id)
            elif action == "reopen":
                cs.reopen(demo_db, cand.id, "Kiểm tra lại số liệu")
        except cs.CouncilActionError:
            pass
        after = cs.get_candidate(demo_db, cand.id)
        if before.locked:
            changed = (after.status, after.summary, after.decision_reason, after.score_snapshot, after.locked) != \
                (before.status, before.summary, before.decision_reason, before.score_snapshot, before.locked)
            if changed:
                # The only way out of a lock is a reopening, written to the chained log with its reason.
                assert action == "reopen" and not after.locked
                with demo_db.read() as s:
                    rows = [r for r in history(s, "candidate", cand.id) if r.action == "reopen"]
                assert len(rows) > reopened_before and rows[0].note == "Kiểm tra lại số liệu"
                reopened_before = len(rows)
    with demo_db.read() as s:
        assert verify_chain(s) == []
    # Put the candidate back as it was for the next example (same database across examples).
    info = cs.get_candidate(demo_db, cand.id)
    if not info.locked:
        if info.status == "rejected":  # undoing a rejection is a reopening: it needs a reason
            cs.set_status(demo_db, cand.id, "reviewed", "Xét lại sau khi mở lại")
        if cs.get_candidate(demo_db, cand.id).status in ("proposed",):
            cs.set_status(demo_db, cand.id, "reviewed")
        # Approving needs a passing vote of the meeting (issue #15): the council votes again.
        cs.record_vote(demo_db, mid, cand.id, cs.meeting_view(demo_db, mid).present, 0, 0)
        cs.set_status(demo_db, cand.id, "approved", at=AT)
    assert cs.get_candidate(demo_db, cand.id).locked


def test_reopen_needs_a_reason_and_a_lock(demo_db):
    cand = next(c for c in cs.list_candidates(demo_db) if c.locked)
    with pytest.raises(cs.CouncilActionError, match="lý do"):
        cs.reopen(demo_db, cand.id, "")
    cs.reopen(demo_db, cand.id, "Sai số liệu")
    with pytest.raises(cs.CouncilActionError, match="chưa bị khóa"):
        cs.reopen(demo_db, cand.id, "Lần nữa")
    with demo_db.read() as s:
        entry = s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "reopen",
                                                    m.AuditEntry.entity_id == cand.id))
        assert entry.chained and entry.hash and entry.note == "Sai số liệu"
        assert verify_chain(s) == []
