"""The emulation council: members, meetings, attendance, votes and members' scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bdhvs_desktop.storage.models.base import Base, Versioned, utcnow


class CouncilMember(Versioned, Base):
    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="member")  # vocab.CouncilRole
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CouncilMeeting(Versioned, Base):
    __tablename__ = "council_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    number: Mapped[str | None] = mapped_column(String(50))
    held_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("council_member.id", ondelete="SET NULL"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("council_member.id", ondelete="SET NULL"))
    voting_method: Mapped[str] = mapped_column(String(20), default="show_of_hands")
    # Quorum and pass mark in force for this meeting (copied from the settings when opened).
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ballots_issued: Mapped[int | None] = mapped_column(Integer)
    ballots_returned: Mapped[int | None] = mapped_column(Integer)
    ballots_valid: Mapped[int | None] = mapped_column(Integer)
    counting_committee: Mapped[str | None] = mapped_column(Text)
    discussion: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # held_at and ended_at are the local wall-clock time of this IANA zone (Vietnam: fixed UTC+7).
    timezone: Mapped[str | None] = mapped_column(String(64))
    # When the snapshot of the members (attendance rows) stopped following the council.
    snapshot_frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class MeetingAttendance(Versioned, Base):
    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    absence_reason: Mapped[str | None] = mapped_column(String(300))
    # Snapshot of the member as they were at the meeting: the minutes print these, never the
    # council's current list (services/meeting.py).
    full_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(20))
    sort_order: Mapped[int | None] = mapped_column(Integer)
    counting_role: Mapped[str | None] = mapped_column(String(10))  # head | member (ban kiểm phiếu)
    # Candidates this member stood aside from: [{"candidate_id", "candidate", "reason"}].
    conflicts: Mapped[list[Any] | None] = mapped_column(JSON)


class Vote(Versioned, Base):
    """The council's tally for one candidate at one meeting."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("meeting_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    # The candidate and award as voted on (the minutes print these).
    subject_name: Mapped[str | None] = mapped_column(String(300))
    award_name: Mapped[str | None] = mapped_column(String(300))
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MemberScore(Versioned, Base):
    """Optional: one council member's score for one candidate."""

    __tablename__ = "member_score"
    __table_args__ = (UniqueConstraint("meeting_id", "candidate_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id", ondelete="CASCADE"))
    points: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
