"""One council meeting's own record, as the minutes print it (plain data), and its errors.

The members come from the meeting's snapshot (services/meeting_snapshot.py); the counting
committee (ban kiểm phiếu), the members who stood aside for a conflict of interest, the
candidates' names as voted, the discussion and the start and end time (local wall-clock time of
the meeting's zone, services/meeting_time.py) belong to the meeting too. A later change to the
council -- a member added, renamed, given another position, removed -- never changes a past
meeting's record, so never its minutes. Editing the record: services/meeting_edit.py.

    rec = meeting_record(db, meeting_id)       # plain data for the minutes"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.services import meeting_snapshot as snapshot  # a module import: the council imports both
from bdhvs_desktop.services.council.common import CouncilActionError
from bdhvs_desktop.services.council.common import _meeting as _find_meeting
from bdhvs_desktop.services.errors import Locked
from bdhvs_desktop.services.meeting_time import MEETING_TZ
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

NO_UNDO = "Phiên họp đã kết thúc; không sửa được."


class MeetingError(CouncilActionError):
    """A meeting record the user must correct; the message is Vietnamese."""


class MeetingClosed(MeetingError, Locked):
    """The meeting is closed (or its record frozen): nothing of it changes any more."""


def refuse_frozen_attendance(meeting: m.CouncilMeeting) -> None:
    if meeting.status == "closed":
        raise MeetingClosed(NO_UNDO)
    if meeting.snapshot_frozen_at is not None:
        raise MeetingClosed("Hội đồng đã quyết định tại phiên họp này nên thành phần, điểm danh đã chốt; "
                            "không sửa được nữa (số có mặt là căn cứ của kết quả đã quyết định).")


@dataclass(frozen=True)
class Recusal:
    candidate_id: int
    candidate: str
    #: "self" (the member is the candidate) | "member_of" (belongs to the collective).
    kind: str
    reason: str


@dataclass(frozen=True)
class MemberRecord:
    member_id: int
    full_name: str
    position: str | None
    role: str
    present: bool
    absence_reason: str | None
    counting_role: str | None
    recusals: tuple[Recusal, ...]


@dataclass(frozen=True)
class VoteRecord:
    candidate_id: int
    subject_name: str
    #: "collective" | "individual".
    kind: str
    award_name: str
    tally: dc.Tally
    decision: dc.Decision

    @property
    def passed(self) -> bool:
        return self.decision.passed


@dataclass(frozen=True)
class MeetingRecord:
    id: int
    number: str | None
    start: dt.datetime
    end: dt.datetime | None
    timezone: str
    place: str | None
    voting_method: str
    status: str
    frozen: bool
    rules: dc.CouncilRules
    members: tuple[MemberRecord, ...]
    chair: MemberRecord | None
    secretary: MemberRecord | None
    votes: tuple[VoteRecord, ...]
    ballots: tuple[int | None, int | None, int | None]
    counting_committee_text: str | None
    discussion: str | None
    version: int = 0  # the optimistic-version rule: the editor saves against the version it read

    @property
    def total(self) -> int:
        return len(self.members)

    @property
    def present(self) -> int:
        return sum(1 for x in self.members if x.present)

    @property
    def counting_committee(self) -> tuple[MemberRecord, ...]:
        """Head first, then the others in the council's order."""
        return tuple(sorted((x for x in self.members if x.counting_role),
                            key=lambda x: x.counting_role != "head"))

    def approved(self, kind: str) -> tuple[VoteRecord, ...]:
        return tuple(v for v in self.votes if v.passed and v.kind == kind)


def read_record(s: Session, meeting_id: int | None) -> MeetingRecord:
    meeting = _find_meeting(s, meeting_id)
    rules = dc.CouncilRules.from_dict(meeting.rules)
    live = {x.id: x for x in s.scalars(select(m.CouncilMember))}
    members = []
    for row in s.scalars(select(m.MeetingAttendance).where(m.MeetingAttendance.meeting_id == meeting.id)):
        cm = live.get(row.member_id)  # only for rows written before snapshots existed
        members.append((row.sort_order if row.sort_order is not None else (cm.sort_order if cm else 0), row.member_id,
                        MemberRecord(
                            row.member_id, row.full_name or (cm.full_name if cm else f"#{row.member_id}"),
                            row.position if row.full_name else (cm.position if cm else None),
                            row.role or (cm.role if cm else "member"), bool(row.present), row.absence_reason,
                            row.counting_role,
                            tuple(Recusal(int(x["candidate_id"]), str(x.get("candidate") or ""),
                                          str(x.get("kind") or ""), str(x.get("reason") or ""))
                                  for x in (row.conflicts or [])))))
    members.sort(key=lambda t: (t[0], t[1]))
    recs = tuple(t[2] for t in members)
    total, present = len(recs), sum(1 for x in recs if x.present)
    by_id = {x.member_id: x for x in recs}
    votes = []
    for v in s.scalars(select(m.Vote).where(m.Vote.meeting_id == meeting.id).order_by(m.Vote.id)):
        c = s.get(m.Candidate, v.candidate_id)
        name = v.subject_name or (snapshot.subject_label(c) if c else f"#{v.candidate_id}")
        award = v.award_name if v.subject_name else (c.award_form.name if c and c.award_form else None)
        tally = dc.Tally(v.votes_for, v.votes_against, v.votes_abstain)
        votes.append(VoteRecord(v.candidate_id, name, "collective" if c is None or c.subject_type == "unit"
                                else "individual", award or "", tally, dc.decide(total, present, tally, rules, name)))
    chair = by_id.get(meeting.chair_id) if meeting.chair_id else None
    secretary = by_id.get(meeting.secretary_id) if meeting.secretary_id else None
    return MeetingRecord(
        meeting.id, meeting.number, meeting.held_at, meeting.ended_at, meeting.timezone or MEETING_TZ, meeting.place,
        meeting.voting_method, meeting.status, snapshot.is_frozen(meeting), rules, recs,
        chair or next((x for x in recs if x.role == "chair"), None),
        secretary or next((x for x in recs if x.role == "secretary"), None),
        tuple(votes), (meeting.ballots_issued, meeting.ballots_returned, meeting.ballots_valid),
        meeting.counting_committee, meeting.discussion, meeting.version)


def meeting_record(db: Database, meeting_id: int | None = None) -> MeetingRecord:
    with db.read() as s:
        return read_record(s, meeting_id)
