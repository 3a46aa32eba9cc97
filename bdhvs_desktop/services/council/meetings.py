"""Council meetings: opening one (the quorum and pass mark are copied onto it, the members
snapshotted, the proposed candidates attached), attendance, ballots, and the meeting at a glance
for the council page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.vocab import (
    VotingMethod,
)
from bdhvs_desktop.services import audit, meeting_edit, meeting_snapshot, meeting_time
from bdhvs_desktop.services import meeting as ms
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.candidates import CandidateInfo, _candidate_info
from bdhvs_desktop.services.council.common import (
    COUNCIL_LOCK,
    CouncilActionError,
    _conflict,
    _level,
    _meeting,
    _present_count,
    _refuse_closed,
    _refuse_decided,
    get_rules,
)
from bdhvs_desktop.services.council.twins import twin_notes
from bdhvs_desktop.services.province_board import board_for
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize


def new_meeting(db: Database, held_at: dt.datetime, *, place: str | None = None, chair_id: int | None = None,
                secretary_id: int | None = None, voting_method: str = VotingMethod.SHOW_OF_HANDS.value,
                number: str | None = None, attach_candidates: bool = True, ended_at: dt.datetime | None = None,
                discussion: str | None = None) -> int:
    """Open a meeting: the settings' quorum and pass mark are copied onto it, every active member
    is listed as present (mark absences with set_attendance) with a snapshot of their name,
    position and role (services/meeting.py), and the proposed candidates join it. Times are
    local wall-clock time (Asia/Ho_Chi_Minh)."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    meeting_edit.check_times(held_at, ended_at)
    if voting_method not in {v.value for v in VotingMethod}:
        raise CouncilActionError("Hình thức biểu quyết phải là show_of_hands (giơ tay) hoặc secret_ballot (bỏ phiếu kín).")
    rules = get_rules(db)
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        campaign_id = s.scalar(select(m.Campaign.id).order_by(m.Campaign.id).limit(1))
        if campaign_id is None:
            raise CouncilActionError("Cơ sở dữ liệu chưa có phong trào.")
        members = s.scalars(select(m.CouncilMember).where(m.CouncilMember.campaign_id == campaign_id,
                                                          m.CouncilMember.active.is_(True))).all()
        if not members:
            raise CouncilActionError("Hội đồng chưa có thành viên; hãy thêm thành viên trước khi mở phiên họp.")
        ids = {x.id for x in members}
        for label, mid in (("Chủ trì", chair_id), ("Thư ký", secretary_id)):
            if mid is not None and mid not in ids:
                raise CouncilActionError(f"{label}: thành viên số {mid} không thuộc Hội đồng.")
        chair_id = chair_id or next((x.id for x in members if x.role == "chair"), None)
        secretary_id = secretary_id or next((x.id for x in members if x.role == "secretary"), None)
        meeting = m.CouncilMeeting(campaign_id=campaign_id, number=number, held_at=held_at, place=place,
                                   chair_id=chair_id, secretary_id=secretary_id, voting_method=voting_method,
                                   rules=rules.as_dict(), status="open", timezone=meeting_time.MEETING_TZ,
                                   ended_at=ended_at, discussion=(discussion or "").strip() or None)
        s.add(meeting)
        s.flush()
        for x in members:
            s.add(meeting_snapshot.attendance_row(meeting.id, x))
        if attach_candidates:
            for c in s.scalars(select(m.Candidate).where(m.Candidate.status.in_(("proposed", "reviewed")),
                                                         m.Candidate.locked.is_(False))):
                c.meeting_id = meeting.id
        audit.record(s, user=db.user, action="create", entity="council_meeting", entity_id=meeting.id,
                     new={"held_at": held_at, "place": place, "voting_method": voting_method, "rules": rules.as_dict()},
                     chained=True)
        return meeting.id


def attach_candidates(db: Database, meeting_id: int | None, candidate_ids: list[int] | None = None) -> int:
    """Bring candidates into a meeting (by default every proposed or reviewed one not yet decided)."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        q = select(m.Candidate).where(m.Candidate.status.in_(("proposed", "reviewed")), m.Candidate.locked.is_(False))
        if candidate_ids is not None:
            q = q.where(m.Candidate.id.in_(candidate_ids))
        count = 0
        for c in s.scalars(q):
            if c.meeting_id != meeting.id:
                audit.record_changes(s, user=db.user, entity="candidate", entity_id=c.id,
                                     changes={"meeting_id": (c.meeting_id, meeting.id)})
                c.meeting_id = meeting.id
                count += 1
        return count


def set_attendance(db: Database, meeting_id: int | None, member_id: int, present: bool,
                   reason: str | None = None) -> None:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    reason = (reason or "").strip() or None
    if not present and not reason:
        raise CouncilActionError("Thành viên vắng mặt phải ghi lý do vắng.")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        _refuse_decided(s, meeting, "điểm danh")
        ms.refuse_frozen_attendance(meeting)
        member = s.get(m.CouncilMember, member_id)
        row = s.scalar(select(m.MeetingAttendance).where(m.MeetingAttendance.meeting_id == meeting.id,
                                                         m.MeetingAttendance.member_id == member_id))
        if row is None:
            if member is None:
                raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
            row = meeting_snapshot.attendance_row(meeting.id, member, present)
            s.add(row)
            s.flush()
        elif member is not None:
            meeting_snapshot.take_snapshot(row, member)
        audit.record_changes(s, user=db.user, entity="meeting_attendance", entity_id=row.id,
                             changes={"present": (row.present, present),
                                      "absence_reason": (row.absence_reason, None if present else reason)})
        row.present = present
        row.absence_reason = None if present else reason


def set_ballots(db: Database, meeting_id: int | None, *, issued: int | None, returned: int | None,
                valid: int | None, counting_committee: str | None = None) -> None:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        _refuse_decided(s, meeting, "số phiếu")
        present = _present_count(s, meeting.id)
        try:
            dc.check_ballots(present, issued, returned, valid)
        except dc.CouncilError as exc:
            raise CouncilActionError(str(exc)) from exc
        audit.record_changes(s, user=db.user, entity="council_meeting", entity_id=meeting.id, chained=True, changes={
            "ballots_issued": (meeting.ballots_issued, issued), "ballots_returned": (meeting.ballots_returned, returned),
            "ballots_valid": (meeting.ballots_valid, valid)})
        meeting.ballots_issued, meeting.ballots_returned, meeting.ballots_valid = issued, returned, valid
        if counting_committee is not None:
            meeting.counting_committee = counting_committee.strip() or None


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


def list_meetings(db: Database) -> list[tuple[int, dt.datetime, str | None, str]]:
    with db.read() as s:
        return [(x.id, x.held_at, x.place, x.status)
                for x in s.scalars(select(m.CouncilMeeting).order_by(m.CouncilMeeting.held_at.desc()))]


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
