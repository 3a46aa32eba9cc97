"""Council meetings: opening one (the quorum and pass mark are copied onto it, the members
snapshotted, the proposed candidates attached), attendance, ballots and the list of meetings. The
meeting at a glance for the council page is in meeting_overview.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.vocab import (
    VotingMethod,
)
from bdhvs_desktop.services import audit, meeting_edit, meeting_snapshot, meeting_time
from bdhvs_desktop.services import meeting as ms
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.common import (
    COUNCIL_LOCK,
    CouncilActionError,
    _meeting,
    _present_count,
    _refuse_closed,
    _refuse_decided,
    get_rules,
)
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


def list_meetings(db: Database) -> list[tuple[int, dt.datetime, str | None, str]]:
    with db.read() as s:
        return [(x.id, x.held_at, x.place, x.status)
                for x in s.scalars(select(m.CouncilMeeting).order_by(m.CouncilMeeting.held_at.desc()))]
