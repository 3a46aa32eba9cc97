"""Scoring and awards: criteria sets and criteria, manual results, award forms, candidates and the
register of awards given."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bdhvs_desktop.storage.models.base import Base, Versioned, utcnow
from bdhvs_desktop.storage.models.records import Person, Unit


class CriteriaSet(Versioned, Base):
    __tablename__ = "criteria_set"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    subject_kind: Mapped[str] = mapped_column(String(20))  # vocab.SubjectKind
    # "ward": the ward's own awards; "province": a candidate proposed to a province award is
    # scored with this set (domain/scoring.py, CRITERIA_LEVELS). At most one set per kind and level.
    level: Mapped[str] = mapped_column(String(20), default="ward", server_default="ward")

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="criteria_set", order_by="Criterion.sort_order", cascade="all, delete-orphan"
    )


class Criterion(Versioned, Base):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("criteria_set_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))  # gate | points
    max_points: Mapped[float] = mapped_column(Float, default=0.0)
    method: Mapped[str] = mapped_column(String(10))  # auto | manual
    rule: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")


class ManualResult(Versioned, Base):
    """The recorded result of a manual criterion for one subject, with evidence."""

    __tablename__ = "manual_result"
    __table_args__ = (UniqueConstraint("criterion_id", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(10))  # unit | person
    subject_id: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    points: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AwardForm(Versioned, Base):
    __tablename__ = "award_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str | None] = mapped_column(String(20))  # ward | province
    issuer: Mapped[str | None] = mapped_column(String(300))
    subject_kinds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    prize_amount: Mapped[int | None] = mapped_column(Integer)  # đồng, where the form carries a prize


class Candidate(Versioned, Base):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(10))  # unit | person
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(20))  # vocab.SubjectKind
    award_form_id: Mapped[int | None] = mapped_column(ForeignKey("award_form.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("council_meeting.id", ondelete="SET NULL"))
    summary: Mapped[str | None] = mapped_column(Text)  # short achievement summary
    report_text: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # Form 08 sections the secretary writes
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # vocab.CandidateStatus
    decision_reason: Mapped[str | None] = mapped_column(Text)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    score_as_of: Mapped[dt.date | None] = mapped_column(Date)
    score_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    person: Mapped[Person | None] = relationship()
    award_form: Mapped[AwardForm | None] = relationship()


class AwardRecord(Versioned, Base):
    """One award in the office's register (sổ theo dõi khen thưởng): issued here by a decision,
    imported from an older Excel book or typed in. The subject is kept as text too (name, CCCD,
    unit), because older awards may concern people who are not in the database."""

    __tablename__ = "award_record"
    __table_args__ = (
        Index("ix_award_record_decision", "decision_number", "decision_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))  # unit | person
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    subject_name: Mapped[str] = mapped_column(String(300))  # as written on the decision
    name_key: Mapped[str] = mapped_column(String(300), index=True)  # domain.text.name_key(subject_name)
    cccd: Mapped[str | None] = mapped_column(String(12), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    unit_name: Mapped[str | None] = mapped_column(String(300))  # the person's unit, or the unit itself
    position: Mapped[str | None] = mapped_column(String(200))
    award_form_id: Mapped[int | None] = mapped_column(ForeignKey("award_form.id", ondelete="SET NULL"))
    award_code: Mapped[str | None] = mapped_column(String(64))
    award_name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))  # vocab.AwardLevel
    granting_authority: Mapped[str | None] = mapped_column(String(300))
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.AwardKind
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    campaign_text: Mapped[str | None] = mapped_column(String(500))
    achievement: Mapped[str | None] = mapped_column(Text)
    prize_amount: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # vocab.AwardSource
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate.id", ondelete="SET NULL"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
