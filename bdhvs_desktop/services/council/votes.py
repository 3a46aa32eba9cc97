"""The council's votes and decisions: recording a vote or a member's score (members with a
conflict of interest stand aside), deciding a meeting's candidates from the votes and the
rules, and closing the meeting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import (
    VotingMethod,
)
from bdhvs_desktop.services import audit, meeting_snapshot, meeting_time
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.common import (
    COUNCIL_LOCK,
    CouncilActionError,
    _candidate,
    _conflict,
    _label,
    _level,
    _meeting,
    _member_count,
    _present_count,
    _refuse_closed,
    _refuse_locked,
)
from bdhvs_desktop.services.council.lifecycle import _apply_decision
from bdhvs_desktop.services.council.twins import refuse_twin
from bdhvs_desktop.services.province_board import board_for, score_for
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize


def record_vote(db: Database, meeting_id: int | None, candidate_id: int, votes_for: int, votes_against: int,
                votes_abstain: int) -> None:
    """The council's tally for one candidate (chained in the audit log). Refused on a locked result."""
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        c = _candidate(s, candidate_id)
        _refuse_locked(c)
        if c.status not in ("proposed", "reviewed"):
            raise CouncilActionError(f"{_label(c)}: chỉ biểu quyết hồ sơ đã đề nghị hoặc đang xem xét.")
        tally = dc.Tally(votes_for, votes_against, votes_abstain)
        try:
            dc.check_tally(tally, _present_count(s, meeting.id),
                           secret_ballot=meeting.voting_method == VotingMethod.SECRET_BALLOT.value,
                           ballots_valid=meeting.ballots_valid, subject=_label(c))
        except dc.CouncilError as exc:
            raise CouncilActionError(str(exc)) from exc
        vote = s.scalar(select(m.Vote).where(m.Vote.meeting_id == meeting.id, m.Vote.candidate_id == c.id))
        old = (vote.votes_for, vote.votes_against, vote.votes_abstain) if vote else None
        if vote is None:
            vote = m.Vote(meeting_id=meeting.id, candidate_id=c.id)
            s.add(vote)
        vote.votes_for, vote.votes_against, vote.votes_abstain = votes_for, votes_against, votes_abstain
        vote.recorded_by, vote.recorded_at = db.user, m.utcnow()
        meeting_snapshot.on_vote(s, meeting, c, vote)
        c.meeting_id = meeting.id
        if c.status == "proposed":
            c.status = "reviewed"
        audit.record(s, user=db.user, action="vote", entity="candidate", entity_id=c.id, field="votes",
                     old=old, new=(votes_for, votes_against, votes_abstain),
                     note=f"Phiên họp {meeting.id}: {votes_for} tán thành, {votes_against} không tán thành, "
                          f"{votes_abstain} không biểu quyết", chained=True)


def record_member_score(db: Database, meeting_id: int | None, candidate_id: int, member_id: int, points: float,
                        note: str | None = None) -> None:
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        c = _candidate(s, candidate_id)
        _refuse_locked(c)
        member = s.get(m.CouncilMember, member_id)
        if member is None:
            raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
        reason = _conflict(s, member, c)
        if reason:
            raise CouncilActionError(f"Xung đột lợi ích: {reason} Thành viên này không chấm điểm hồ sơ này.")
        present = s.scalar(select(m.MeetingAttendance.present).where(m.MeetingAttendance.meeting_id == meeting.id,
                                                                     m.MeetingAttendance.member_id == member_id))
        if not present:
            raise CouncilActionError(f"{member.full_name} không có mặt ở phiên họp này nên không chấm điểm.")
        if points < 0:
            raise CouncilActionError("Điểm không được âm.")
        maximum = (c.score_snapshot or {}).get("max_points")
        if maximum is None:
            maximum = scoring_service.load_criteria_max(s, c.subject_kind, _level(c))
        if maximum and points > maximum:
            raise CouncilActionError(f"Điểm {points_text(points)} vượt điểm tối đa {points_text(maximum)}.")
        row = s.scalar(select(m.MemberScore).where(m.MemberScore.meeting_id == meeting.id,
                                                   m.MemberScore.candidate_id == c.id,
                                                   m.MemberScore.member_id == member_id))
        old = row.points if row else None
        if row is None:
            row = m.MemberScore(meeting_id=meeting.id, candidate_id=c.id, member_id=member_id, points=points)
            s.add(row)
        row.points, row.note = points, (note or "").strip() or None
        audit.record(s, user=db.user, action="score", entity="candidate", entity_id=c.id, field="member_score",
                     old=old, new=points, note=f"{member.full_name}", chained=True)


@dataclass(frozen=True)
class DecisionInfo:
    candidate_id: int
    name: str
    decision: dc.Decision
    applied: bool


def decide(db: Database, meeting_id: int | None = None, candidate_id: int | None = None) -> list[DecisionInfo]:
    """Compute the council's decision for each voted candidate of the meeting and apply it:
    passed → approved and locked (with a score snapshot), otherwise not approved with the
    explanation as the reason. Refused when the meeting has no quorum.

    Applies once: the candidates still to decide are read again under the council lock, in
    the writing transaction, so a second `decide` running at the same time (another
    workstation) finds them decided and changes nothing."""
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.read() as s:
        meeting = _meeting(s, meeting_id)
        meeting_id = meeting.id
        day = meeting.held_at.date()
        pending = _undecided(s, meeting.id, candidate_id)
        levels = {_level(c) for c in pending}
    board = board_for(db, day) if pending else None
    for level in sorted(levels) if board is not None else ():
        board.at_level(level)  # scored now, not under the council lock
    out: list[DecisionInfo] = []
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        rules = dc.CouncilRules.from_dict(meeting.rules)
        members, present = _member_count(s, meeting.id), _present_count(s, meeting.id)
        if not dc.quorum_met(members, present, rules):
            text = dc.decide(members, present, None, rules).explanation
            raise CouncilActionError(text[:1].upper() + text[1:])
        todo = _undecided(s, meeting.id, candidate_id)
        if candidate_id is not None and not pending:
            raise CouncilActionError("Hồ sơ này chưa có kết quả biểu quyết trong phiên họp hoặc đã được quyết định.")
        if todo:
            meeting_snapshot.freeze(meeting)  # the attendance the decisions rest on no longer changes
        approved: set[int] = set()
        for c in todo:
            vote = s.scalar(select(m.Vote).where(m.Vote.meeting_id == meeting.id, m.Vote.candidate_id == c.id))
            tally = dc.Tally(vote.votes_for, vote.votes_against, vote.votes_abstain)
            decision = dc.decide(members, present, tally, rules, _label(c))
            if decision.passed:  # one file per person at a province office: all or nothing
                refuse_twin(s, c, frozenset(approved))
                approved.add(c.id)
            score = board.find(c.subject_type, c.unit_id or c.person_id, _level(c)) if board else None
            if board is None:  # decided by nobody when this started: score it now
                score = score_for(db, c.subject_type, c.unit_id or c.person_id or 0, day, _level(c))
            snap = scoring_service.snapshot(score, day) if score else {"as_of": day.isoformat()}
            if c.status == "proposed":
                c.status = "reviewed"
            _apply_decision(s, db.user, c, "approved" if decision.passed else "rejected", decision.explanation, snap)
            out.append(DecisionInfo(c.id, _label(c), decision, True))
    return out


def _undecided(s: Session, meeting_id: int, candidate_id: int | None) -> list[m.Candidate]:
    q = (select(m.Candidate).join(m.Vote, m.Vote.candidate_id == m.Candidate.id)
         .where(m.Vote.meeting_id == meeting_id, m.Candidate.locked.is_(False),
                m.Candidate.status.in_(("proposed", "reviewed"))).order_by(m.Candidate.id))
    if candidate_id is not None:
        q = q.where(m.Candidate.id == candidate_id)
    return list(s.scalars(q))


def close_meeting(db: Database, meeting_id: int | None = None) -> None:
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        meeting.status = "closed"
        # The end time the secretary entered; else now, in the meeting's local time (never UTC).
        meeting.ended_at = meeting.ended_at or meeting_time.local_now(meeting.timezone)
        meeting_snapshot.freeze(meeting)
        audit.record(s, user=db.user, action="close", entity="council_meeting", entity_id=meeting.id, chained=True)
