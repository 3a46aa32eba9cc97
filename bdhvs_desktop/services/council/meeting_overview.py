"""The council meeting at a glance, for the council page: attendance, the candidates with their
scores (the snapshot of a decided one, else scored live), tallies, the decisions the tally gives
now, members' conflicts of interest and the members' scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.services.council.candidates import CandidateInfo, _candidate_info
from bdhvs_desktop.services.council.common import _conflict, _level, _meeting
from bdhvs_desktop.services.council.twins import twin_notes
from bdhvs_desktop.services.province_board import board_for
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    full_name: str
    position: str | None
    role: str
    present: bool
    absence_reason: str | None


@dataclass(frozen=True)
class MeetingCandidateRow:
    candidate: CandidateInfo
    points: float | None
    max_points: float | None
    eligible: bool | None
    rank: int | None
    tally: dc.Tally | None
    decision: dc.Decision  # computed live from the tally and the attendance
    conflicts: tuple[str, ...]  # Vietnamese reasons
    member_scores: dc.ScoreSummary


@dataclass(frozen=True)
class MeetingView:
    id: int
    number: str | None
    held_at: dt.datetime
    place: str | None
    chair: str | None
    secretary: str | None
    voting_method: str
    status: str
    rules: dc.CouncilRules
    members: int
    present: int
    quorum_met: bool
    ballots: tuple[int | None, int | None, int | None]
    attendance: tuple[AttendanceRow, ...]
    candidates: tuple[MeetingCandidateRow, ...]


def meeting_view(db: Database, meeting_id: int | None = None) -> MeetingView:
    """The meeting with attendance, its candidates, their scores, tallies, live decisions and conflicts."""
    with db.read() as s:
        meeting = _meeting(s, meeting_id)
        day = meeting.held_at.date()
    board = board_for(db, day)  # at a province office: the wards' facts
    with db.read() as s:
        meeting = _meeting(s, meeting.id)
        rules = dc.CouncilRules.from_dict(meeting.rules)
        rows = s.execute(select(m.MeetingAttendance, m.CouncilMember)
                         .join(m.CouncilMember, m.CouncilMember.id == m.MeetingAttendance.member_id)
                         .where(m.MeetingAttendance.meeting_id == meeting.id)
                         .order_by(m.CouncilMember.sort_order, m.CouncilMember.id)).all()
        attendance = tuple(AttendanceRow(mem.id, att.full_name or mem.full_name,
                                         att.position if att.full_name else mem.position, att.role or mem.role,
                                         att.present, att.absence_reason)
                           for att, mem in rows)
        members_total, present = len(attendance), sum(1 for a in attendance if a.present)
        parents = dict(s.execute(select(m.Unit.id, m.Unit.parent_id)).all())
        council = [mem for _att, mem in rows]
        names = {a.member_id: a.full_name for a in attendance}  # as at the meeting
        votes = {v.candidate_id: v for v in s.scalars(select(m.Vote).where(m.Vote.meeting_id == meeting.id))}
        scores: dict[int, list[tuple[str, float]]] = {}
        for ms in s.scalars(select(m.MemberScore).where(m.MemberScore.meeting_id == meeting.id)):
            scores.setdefault(ms.candidate_id, []).append((names.get(ms.member_id, str(ms.member_id)), ms.points))
        cands = s.scalars(select(m.Candidate).where((m.Candidate.meeting_id == meeting.id) |
                                                    (m.Candidate.id.in_(list(votes))))
                          .order_by(m.Candidate.subject_kind, m.Candidate.id)).all()
        out = []
        twins = twin_notes(s)  # at a province office: the same person's files from other wards
        for c in cands:
            info = _candidate_info(c, twins)
            conflicts = []
            conflicted_names = []
            if meeting.status == "closed" and c.id in votes:  # as recorded when the vote was cast
                for att, _mem in rows:
                    for x in att.conflicts or []:
                        if x.get("candidate_id") == c.id:
                            conflicts.append(x.get("reason") or "")
                            conflicted_names.append(names.get(att.member_id, ""))
            else:
                for mem in council:
                    reason = _conflict(s, mem, c, parents)
                    if reason:
                        conflicts.append(reason)
                        conflicted_names.append(names.get(mem.id, mem.full_name))
            if c.locked and c.score_snapshot:
                snap = c.score_snapshot
                points, maximum, eligible, rank = snap.get("points"), snap.get("max_points"), snap.get("eligible"), \
                    snap.get("rank")
            else:
                sc_ = board.find(c.subject_type, c.unit_id or c.person_id or 0, _level(c))
                points, maximum, eligible, rank = ((sc_.points, sc_.max_points, sc_.eligible, sc_.rank) if sc_
                                                   else (None, None, None, None))
            v = votes.get(c.id)
            tally = dc.Tally(v.votes_for, v.votes_against, v.votes_abstain) if v else None
            out.append(MeetingCandidateRow(info, points, maximum, eligible, rank, tally,
                                           dc.decide(members_total, present, tally, rules, info.name),
                                           tuple(conflicts),
                                           dc.summarize_scores(scores.get(c.id, []), conflicted_names, rules)))
        chair = names.get(meeting.chair_id) if meeting.chair_id else None
        secretary = names.get(meeting.secretary_id) if meeting.secretary_id else None
        return MeetingView(meeting.id, meeting.number, meeting.held_at, meeting.place, chair, secretary,
                           meeting.voting_method, meeting.status, rules, members_total, present,
                           dc.quorum_met(members_total, present, rules),
                           (meeting.ballots_issued, meeting.ballots_returned, meeting.ballots_valid),
                           attendance, tuple(out))
