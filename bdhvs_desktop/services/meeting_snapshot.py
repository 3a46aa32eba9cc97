"""The members of a council meeting as a snapshot, and when it freezes.

MeetingAttendance rows carry the name, position, role and order each member had when the meeting
was opened or their attendance recorded; the snapshot is frozen once the council decides at the
meeting or the meeting is closed. A vote keeps the candidate's name and award as voted and the
members who stand aside from it for a conflict of interest (conflict rules of domain.council)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.services.council.common import _member_units
from bdhvs_desktop.services.province_board import scoped_name  # at a province office, with its ward
from bdhvs_desktop.storage import models as m


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


def subject_label(c: m.Candidate) -> str:
    if c.subject_type == "unit":
        return scoped_name(c, c.unit.name) if c.unit else f"(tập thể #{c.unit_id})"
    return scoped_name(c, c.person.full_name) if c.person else f"(cá nhân #{c.person_id})"


def on_vote(s: Session, meeting: m.CouncilMeeting, c: m.Candidate, vote: m.Vote) -> None:
    """A vote was recorded: keep the candidate's name and award as voted, and record which
    members stand aside from this candidate for a conflict of interest (conflict rules of
    domain.council, from the member's person and unit as they are now)."""
    vote.subject_name = subject_label(c)
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
