"""One council meeting's own record, as the minutes print it.

The members are a snapshot (MeetingAttendance rows carry the name, position, role and order
each member had when the meeting was opened or their attendance recorded); the snapshot is
frozen once the council decides at the meeting or the meeting is closed. The counting
committee (ban kiểm phiếu), the members who stood aside for a conflict of interest, the
candidates' names as voted, the discussion and the start and end time (local wall-clock time
of the meeting's zone, Asia/Ho_Chi_Minh) belong to the meeting too. A later change to the
council -- a member added, renamed, given another position, removed -- never changes a past
meeting's record, so never its minutes.

    update_meeting(db, meeting_id, start=..., end=..., discussion=...)
    set_counting_committee(db, meeting_id, [2, 3], head_id=2)
    rec = meeting_record(db, meeting_id)       # plain data for the minutes
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.common import CouncilActionError, _member_units
from bdhvs_desktop.services.council.common import _meeting as _find_meeting
from bdhvs_desktop.services.edits import EditConflict
from bdhvs_desktop.services.errors import Locked
from bdhvs_desktop.services.province_board import scoped_name  # at a province office, with its ward
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

MEETING_TZ = "Asia/Ho_Chi_Minh"
_NO_UNDO = "Phiên họp đã kết thúc; không sửa được."


def zone(name: str | None) -> dt.tzinfo:
    """The meeting's time zone. Vietnam has kept UTC+7 without daylight saving since 1975, so
    a fixed offset stands in where the zone database is missing (Windows without tzdata)."""
    name = name or MEETING_TZ
    try:
        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - no tz database: only the Vietnamese zone is known
        return dt.timezone(dt.timedelta(hours=7), "ICT")


def local_now(tz_name: str | None = None) -> dt.datetime:
    """Now, as the wall-clock time of the meeting's zone (naive, to the minute)."""
    return dt.datetime.now(dt.timezone.utc).astimezone(zone(tz_name)).replace(tzinfo=None, second=0, microsecond=0)


def as_utc(local: dt.datetime | None, tz_name: str | None = None) -> dt.datetime | None:
    """A meeting time (naive local) as an aware UTC datetime: the unambiguous instant."""
    if local is None:
        return None
    return local.replace(tzinfo=zone(tz_name)).astimezone(dt.timezone.utc)


class MeetingError(CouncilActionError):
    """A meeting record the user must correct; the message is Vietnamese."""


class MeetingClosed(MeetingError, Locked):
    """The meeting is closed (or its record frozen): nothing of it changes any more."""


# --------------------------------------------------------------------------- snapshot


def take_snapshot(row: m.MeetingAttendance, member: m.CouncilMember) -> None:
    """Copy the member as they are now onto the meeting's attendance row."""
    row.full_name, row.position, row.role, row.sort_order = (member.full_name, member.position, member.role,
                                                             member.sort_order)


def attendance_row(meeting_id: int, member: m.CouncilMember, present: bool = True) -> m.MeetingAttendance:
    row = m.MeetingAttendance(meeting_id=meeting_id, member_id=member.id, present=present)
    take_snapshot(row, member)
    return row


def is_frozen(meeting: m.CouncilMeeting) -> bool:
    return meeting.status == "closed" or meeting.snapshot_frozen_at is not None


def freeze(meeting: m.CouncilMeeting) -> None:
    """From now on the meeting's members (attendance, names, positions) no longer change."""
    if meeting.snapshot_frozen_at is None:
        meeting.snapshot_frozen_at = m.utcnow()


def refuse_frozen_attendance(meeting: m.CouncilMeeting) -> None:
    if meeting.status == "closed":
        raise MeetingClosed(_NO_UNDO)
    if meeting.snapshot_frozen_at is not None:
        raise MeetingClosed("Hội đồng đã quyết định tại phiên họp này nên thành phần, điểm danh đã chốt; "
                            "không sửa được nữa (số có mặt là căn cứ của kết quả đã quyết định).")


def _subject_label(c: m.Candidate) -> str:
    if c.subject_type == "unit":
        return scoped_name(c, c.unit.name) if c.unit else f"(tập thể #{c.unit_id})"
    return scoped_name(c, c.person.full_name) if c.person else f"(cá nhân #{c.person_id})"


def on_vote(s: Session, meeting: m.CouncilMeeting, c: m.Candidate, vote: m.Vote) -> None:
    """A vote was recorded: keep the candidate's name and award as voted, and record which
    members stand aside from this candidate for a conflict of interest (conflict rules of
    domain.council, from the member's person and unit as they are now)."""
    vote.subject_name = _subject_label(c)
    vote.award_name = c.award_form.name if c.award_form else None
    parents = dict(s.execute(select(m.Unit.id, m.Unit.parent_id)).all())
    for row in s.scalars(select(m.MeetingAttendance).where(m.MeetingAttendance.meeting_id == meeting.id)):
        member = s.get(m.CouncilMember, row.member_id)
        kept = [x for x in (row.conflicts or []) if x.get("candidate_id") != c.id]
        if member is not None:
            reason = dc.conflict_reason(row.full_name or member.full_name, member.person_id,
                                        _member_units(s, member, parents), c.subject_type, c.unit_id, c.person_id,
                                        vote.subject_name)
            if reason:
                kind = "self" if c.subject_type == "person" else "member_of"
                kept.append({"candidate_id": c.id, "candidate": vote.subject_name, "kind": kind, "reason": reason})
        if kept != (row.conflicts or []):
            row.conflicts = kept or None


# --------------------------------------------------------------------------- editing


def _meeting(s: Session, meeting_id: int | None) -> m.CouncilMeeting:
    return _find_meeting(s, meeting_id)


def check_times(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is not None and end is not None and end <= start:
        raise MeetingError(f"Giờ kết thúc ({end:%H:%M %d/%m/%Y}) phải sau giờ bắt đầu ({start:%H:%M %d/%m/%Y}).")
    if start is not None and end is not None and end - start > dt.timedelta(days=2):
        raise MeetingError(f"Phiên họp từ {start:%H:%M %d/%m/%Y} đến {end:%H:%M %d/%m/%Y} dài quá 2 ngày; "
                           "hãy kiểm tra lại ngày giờ.")


_UNSET: Any = object()


def update_meeting(db: Database, meeting_id: int | None, *, start: dt.datetime | None = _UNSET,
                   end: dt.datetime | None = _UNSET, discussion: str | None = _UNSET, place: str | None = _UNSET,
                   number: str | None = _UNSET) -> None:
    """Change the meeting's own details (times are local wall-clock time, Asia/Ho_Chi_Minh).
    Refused once the meeting is closed: the minutes are then what was recorded."""
    save_meeting_details(db, meeting_id, start=start, end=end, discussion=discussion, place=place, number=number)


def set_counting_committee(db: Database, meeting_id: int | None, member_ids: list[int], head_id: int | None) -> None:
    """The ballot-counting committee: members present at the meeting, one of them its head.
    An empty list clears it."""
    save_meeting_details(db, meeting_id, counting=(member_ids, head_id))


def save_meeting_details(db: Database, meeting_id: int | None, *, start: dt.datetime | None = _UNSET,
                         end: dt.datetime | None = _UNSET, discussion: str | None = _UNSET,
                         place: str | None = _UNSET, number: str | None = _UNSET,
                         counting: tuple[list[int], int | None] | None = None, version: int | None = None) -> None:
    """Details and counting committee in one transaction (the meeting editor saves both or neither).
    With `version` (the editor's), a colleague's newer save is never overwritten: EditConflict,
    nothing written."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        meeting = _meeting(s, meeting_id)
        if meeting.status == "closed":
            raise MeetingClosed(_NO_UNDO)
        if version is not None and meeting.version != version:
            mine = {k: v for k, v in (("held_at", start), ("ended_at", end), ("discussion", discussion),
                                      ("place", place), ("number", number)) if v is not _UNSET}
            raise EditConflict("council_meeting", meeting.id, mine, {k: getattr(meeting, k) for k in mine},
                               meeting.version)
        _apply_details(s, db.user, meeting, start=start, end=end, discussion=discussion, place=place, number=number)
        if counting is not None:
            _apply_counting(s, db.user, meeting, *counting)


def _apply_details(s: Session, user: str | None, meeting: m.CouncilMeeting, *, start: Any, end: Any,
                   discussion: Any, place: Any, number: Any) -> None:
    new_start = meeting.held_at if start is _UNSET else start
    new_end = meeting.ended_at if end is _UNSET else end
    if new_start is None:
        raise MeetingError("Phiên họp phải có giờ bắt đầu.")
    check_times(new_start, new_end)
    changes: dict[str, tuple[Any, Any]] = {}
    if start is not _UNSET:
        value = start.replace(second=0, microsecond=0, tzinfo=None)
        changes["held_at"] = (meeting.held_at, value)
        meeting.held_at = value
    if end is not _UNSET:
        value = end.replace(second=0, microsecond=0, tzinfo=None) if end else None
        changes["ended_at"] = (meeting.ended_at, value)
        meeting.ended_at = value
    for name, value in (("discussion", discussion), ("place", place), ("number", number)):
        if value is not _UNSET:
            value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip() or None
            changes[name] = (getattr(meeting, name), value)
            setattr(meeting, name, value)
    meeting.timezone = meeting.timezone or MEETING_TZ
    audit.record_changes(s, user=user, entity="council_meeting", entity_id=meeting.id, changes=changes)


def _apply_counting(s: Session, user: str | None, meeting: m.CouncilMeeting, member_ids: list[int],
                    head_id: int | None) -> None:
    ids = list(dict.fromkeys(member_ids))
    if ids and head_id is None:
        raise MeetingError("Ban kiểm phiếu phải có Trưởng ban (--head SỐ_THÀNH_VIÊN).")
    if head_id is not None and head_id not in ids:
        raise MeetingError(f"Trưởng ban kiểm phiếu (thành viên số {head_id}) phải là một thành viên của Ban kiểm phiếu.")
    if ids and meeting.voting_method != "secret_ballot":
        raise MeetingError("Phiên họp này biểu quyết giơ tay; chỉ phiên bỏ phiếu kín mới có Ban kiểm phiếu.")
    rows = {r.member_id: r for r in s.scalars(select(m.MeetingAttendance)
                                             .where(m.MeetingAttendance.meeting_id == meeting.id))}
    for mid in ids:
        row = rows.get(mid)
        if row is None:
            raise MeetingError(f"Thành viên số {mid} không có trong thành phần phiên họp này.")
        if not row.present:
            raise MeetingError(f"{row.full_name or mid} vắng mặt ở phiên họp này nên không vào Ban kiểm phiếu.")
    old = {mid: r.counting_role for mid, r in rows.items() if r.counting_role}
    for mid, row in rows.items():
        row.counting_role = ("head" if mid == head_id else "member") if mid in ids else None
    new = {mid: r.counting_role for mid, r in rows.items() if r.counting_role}
    if old != new:
        audit.record(s, user=user, action="update", entity="council_meeting", entity_id=meeting.id,
                     field="counting_committee", old=old or None, new=new or None, chained=True)


# --------------------------------------------------------------------------- reading


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
    meeting = _meeting(s, meeting_id)
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
        name = v.subject_name or (_subject_label(c) if c else f"#{v.candidate_id}")
        award = v.award_name if v.subject_name else (c.award_form.name if c and c.award_form else None)
        tally = dc.Tally(v.votes_for, v.votes_against, v.votes_abstain)
        votes.append(VoteRecord(v.candidate_id, name, "collective" if c is None or c.subject_type == "unit"
                                else "individual", award or "", tally, dc.decide(total, present, tally, rules, name)))
    chair = by_id.get(meeting.chair_id) if meeting.chair_id else None
    secretary = by_id.get(meeting.secretary_id) if meeting.secretary_id else None
    return MeetingRecord(
        meeting.id, meeting.number, meeting.held_at, meeting.ended_at, meeting.timezone or MEETING_TZ, meeting.place,
        meeting.voting_method, meeting.status, is_frozen(meeting), rules, recs,
        chair or next((x for x in recs if x.role == "chair"), None),
        secretary or next((x for x in recs if x.role == "secretary"), None),
        tuple(votes), (meeting.ballots_issued, meeting.ballots_returned, meeting.ballots_valid),
        meeting.counting_committee, meeting.discussion, meeting.version)


def meeting_record(db: Database, meeting_id: int | None = None) -> MeetingRecord:
    with db.read() as s:
        return read_record(s, meeting_id)
