"""The whole data model of the campaign (SQLAlchemy 2, typed mappings).

Codes stored in string columns are the values of the enums in
bdhvs_desktop.domain.vocab. Every record a user edits carries a `version` counter:
SQLAlchemy adds `AND version = :old` to each UPDATE, so a second workstation that saves
a stale copy gets a StaleDataError instead of overwriting a colleague's change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Versioned:
    """Optimistic concurrency: a version counter checked on every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


# --------------------------------------------------------------------------- campaign


class Campaign(Versioned, Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    preset_name: Mapped[Optional[str]] = mapped_column(String(100))
    source: Mapped[Optional[str]] = mapped_column(Text)
    locality: Mapped[Optional[str]] = mapped_column(String(200))  # "La Gi"
    locality_full: Mapped[Optional[str]] = mapped_column(String(200))  # "phường La Gi"
    province: Mapped[Optional[str]] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    # Everything else the preset carries (issuers, dossier wording, ...), as data.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    phases: Mapped[list["Phase"]] = relationship(
        back_populates="campaign", order_by="Phase.number", cascade="all, delete-orphan"
    )


class Phase(Versioned, Base):
    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    description: Mapped[Optional[str]] = mapped_column(Text)
    focus: Mapped[list[Any]] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="phases")


class Task(Versioned, Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    phase_number: Mapped[Optional[int]] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[Optional[str]] = mapped_column(Text)
    responsible_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    responsible_text: Mapped[Optional[str]] = mapped_column(String(300))
    due_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")  # vocab.TaskStatus
    done_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    evidence: Mapped[Optional[str]] = mapped_column(Text)

    responsible_unit: Mapped[Optional["Unit"]] = relationship()


class Target(Versioned, Base):
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(64))  # computed measure name, or "reported"
    value_kind: Mapped[str] = mapped_column(String(20), default="percent")
    target_value: Mapped[float] = mapped_column(Float)
    start_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    deadline: Mapped[Optional[dt.date]] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(32), default="ward")
    phase_number: Mapped[Optional[int]] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at_risk_margin: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[Optional[str]] = mapped_column(String(300))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ReportedFigure(Versioned, Base):
    """A dated numerator/denominator a unit reports for a target (e.g. residents who know the movement)."""

    __tablename__ = "reported_figure"
    __table_args__ = (UniqueConstraint("target_id", "unit_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    numerator: Mapped[float] = mapped_column(Float)
    denominator: Mapped[Optional[float]] = mapped_column(Float)
    note: Mapped[Optional[str]] = mapped_column(Text)
    entered_by: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --------------------------------------------------------------------------- records


class Unit(Versioned, Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # vocab.UnitKind
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    is_party_org: Mapped[bool] = mapped_column(Boolean, default=False)
    households: Mapped[Optional[int]] = mapped_column(Integer)
    adult_residents: Mapped[Optional[int]] = mapped_column(Integer)
    address: Mapped[Optional[str]] = mapped_column(String(500))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    functions: Mapped[Optional[str]] = mapped_column(Text)
    head_name: Mapped[Optional[str]] = mapped_column(String(200))
    head_title: Mapped[Optional[str]] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))

    parent: Mapped[Optional["Unit"]] = relationship(remote_side="Unit.id", foreign_keys=[parent_id])


class Person(Versioned, Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_match", "name_key", "birth_date", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))  # as typed (NFC)
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised for matching
    search_key: Mapped[str] = mapped_column(String(200), index=True)  # no diacritics, lower case, for search
    birth_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    sex: Mapped[Optional[str]] = mapped_column(String(1))  # vocab.Sex
    cccd: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    position: Mapped[Optional[str]] = mapped_column(String(200))
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public_servant: Mapped[bool] = mapped_column(Boolean, default=False)
    vneid_proficient_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    vneid_verified_by: Mapped[Optional[str]] = mapped_column(String(200))
    can_guide: Mapped[bool] = mapped_column(Boolean, default=False)
    people_guided: Mapped[int] = mapped_column(Integer, default=0)
    under_discipline: Mapped[bool] = mapped_column(Boolean, default=False)
    discipline_note: Mapped[Optional[str]] = mapped_column(Text)
    home_town: Mapped[Optional[str]] = mapped_column(String(300))
    residence: Mapped[Optional[str]] = mapped_column(String(300))
    qualifications: Mapped[Optional[str]] = mapped_column(Text)
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Optional[Unit]] = relationship()


class Mentorship(Versioned, Base):
    """A "Đại sứ số" mentor and one person they guide."""

    __tablename__ = "mentorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    mentee_name: Mapped[str] = mapped_column(String(200))
    mentee_person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    model_id: Mapped[Optional[int]] = mapped_column(ForeignKey("digital_model.id", ondelete="SET NULL"))
    started_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(Text)


class Activity(Versioned, Base):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_kind_unit_date", "kind", "unit_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.ActivityKind
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    content: Mapped[Optional[str]] = mapped_column(Text)
    skills: Mapped[Optional[str]] = mapped_column(String(20))  # "1,2,5"
    participants: Mapped[int] = mapped_column(Integer, default=0)
    host_person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Optional[Unit]] = relationship()


class DigitalModel(Versioned, Base):
    """A model (mô hình): an initiative that can be evaluated and replicated."""

    __tablename__ = "digital_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    owner_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    model_type: Mapped[Optional[str]] = mapped_column(String(200))  # e.g. "Đại sứ số"
    status: Mapped[str] = mapped_column(String(20), default="registered")  # vocab.ModelStatus
    registered_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    implementing_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    evaluated_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    excellent_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    rating: Mapped[Optional[str]] = mapped_column(String(100))
    evaluation_quarter: Mapped[Optional[str]] = mapped_column(String(20))  # "Q2/2026"
    evaluation: Mapped[Optional[str]] = mapped_column(Text)  # Đánh giá hiệu quả
    description: Mapped[Optional[str]] = mapped_column(Text)

    owner_unit: Mapped[Optional[Unit]] = relationship()
    replications: Mapped[list["ModelReplication"]] = relationship(
        back_populates="model", cascade="all, delete-orphan"
    )


class ModelReplication(Base):
    __tablename__ = "model_replication"
    __table_args__ = (UniqueConstraint("model_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("digital_model.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    replicated_on: Mapped[Optional[dt.date]] = mapped_column(Date)

    model: Mapped[DigitalModel] = relationship(back_populates="replications")
    unit: Mapped[Unit] = relationship()


class Solution(Versioned, Base):
    """An individual's solution or initiative (giải pháp, sáng kiến)."""

    __tablename__ = "solution"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[Optional[str]] = mapped_column(Text)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    effect: Mapped[Optional[str]] = mapped_column(Text)

    person: Mapped[Person] = relationship()


# --------------------------------------------------------------------------- scoring


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

    criteria: Mapped[list["Criterion"]] = relationship(
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
    rule: Mapped[Optional[str]] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[Optional[str]] = mapped_column(Text)
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
    passed: Mapped[Optional[bool]] = mapped_column(Boolean)
    points: Mapped[Optional[float]] = mapped_column(Float)
    evidence: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by: Mapped[Optional[str]] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AwardForm(Versioned, Base):
    __tablename__ = "award_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[Optional[str]] = mapped_column(String(20))  # ward | province
    issuer: Mapped[Optional[str]] = mapped_column(String(300))
    subject_kinds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    prize_amount: Mapped[Optional[int]] = mapped_column(Integer)  # đồng, where the form carries a prize


class Candidate(Versioned, Base):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(10))  # unit | person
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(20))  # vocab.SubjectKind
    award_form_id: Mapped[Optional[int]] = mapped_column(ForeignKey("award_form.id", ondelete="SET NULL"))
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("council_meeting.id", ondelete="SET NULL"))
    summary: Mapped[Optional[str]] = mapped_column(Text)  # short achievement summary
    report_text: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # Form 08 sections the secretary writes
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # vocab.CandidateStatus
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    score_as_of: Mapped[Optional[dt.date]] = mapped_column(Date)
    score_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    proposed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    decided_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Optional[Unit]] = relationship()
    person: Mapped[Optional[Person]] = relationship()
    award_form: Mapped[Optional[AwardForm]] = relationship()


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
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    subject_name: Mapped[str] = mapped_column(String(300))  # as written on the decision
    name_key: Mapped[str] = mapped_column(String(300), index=True)  # domain.text.name_key(subject_name)
    cccd: Mapped[Optional[str]] = mapped_column(String(12), index=True)
    unit_code: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    unit_name: Mapped[Optional[str]] = mapped_column(String(300))  # the person's unit, or the unit itself
    position: Mapped[Optional[str]] = mapped_column(String(200))
    award_form_id: Mapped[Optional[int]] = mapped_column(ForeignKey("award_form.id", ondelete="SET NULL"))
    award_code: Mapped[Optional[str]] = mapped_column(String(64))
    award_name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))  # vocab.AwardLevel
    granting_authority: Mapped[Optional[str]] = mapped_column(String(300))
    decision_number: Mapped[Optional[str]] = mapped_column(String(60))
    decision_date: Mapped[Optional[dt.date]] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.AwardKind
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    campaign_text: Mapped[Optional[str]] = mapped_column(String(500))
    achievement: Mapped[Optional[str]] = mapped_column(Text)
    prize_amount: Mapped[Optional[int]] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # vocab.AwardSource
    candidate_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("candidate.id", ondelete="SET NULL"), unique=True)
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[Optional[str]] = mapped_column(String(200))


# --------------------------------------------------------------------------- council


class CouncilMember(Versioned, Base):
    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[Optional[str]] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="member")  # vocab.CouncilRole
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CouncilMeeting(Versioned, Base):
    __tablename__ = "council_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    number: Mapped[Optional[str]] = mapped_column(String(50))
    held_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    place: Mapped[Optional[str]] = mapped_column(String(300))
    chair_id: Mapped[Optional[int]] = mapped_column(ForeignKey("council_member.id", ondelete="SET NULL"))
    secretary_id: Mapped[Optional[int]] = mapped_column(ForeignKey("council_member.id", ondelete="SET NULL"))
    voting_method: Mapped[str] = mapped_column(String(20), default="show_of_hands")
    # Quorum and pass mark in force for this meeting (copied from the settings when opened).
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ballots_issued: Mapped[Optional[int]] = mapped_column(Integer)
    ballots_returned: Mapped[Optional[int]] = mapped_column(Integer)
    ballots_valid: Mapped[Optional[int]] = mapped_column(Integer)
    counting_committee: Mapped[Optional[str]] = mapped_column(Text)
    discussion: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # held_at and ended_at are the local wall-clock time of this IANA zone (Vietnam: fixed UTC+7).
    timezone: Mapped[Optional[str]] = mapped_column(String(64))
    # When the snapshot of the members (attendance rows) stopped following the council.
    snapshot_frozen_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class MeetingAttendance(Versioned, Base):
    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    absence_reason: Mapped[Optional[str]] = mapped_column(String(300))
    # Snapshot of the member as they were at the meeting: the minutes print these, never the
    # council's current list (services/meeting.py).
    full_name: Mapped[Optional[str]] = mapped_column(String(200))
    position: Mapped[Optional[str]] = mapped_column(String(300))
    role: Mapped[Optional[str]] = mapped_column(String(20))
    sort_order: Mapped[Optional[int]] = mapped_column(Integer)
    counting_role: Mapped[Optional[str]] = mapped_column(String(10))  # head | member (ban kiểm phiếu)
    # Candidates this member stood aside from: [{"candidate_id", "candidate", "reason"}].
    conflicts: Mapped[Optional[list[Any]]] = mapped_column(JSON)


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
    subject_name: Mapped[Optional[str]] = mapped_column(String(300))
    award_name: Mapped[Optional[str]] = mapped_column(String(300))
    recorded_by: Mapped[Optional[str]] = mapped_column(String(200))
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
    note: Mapped[Optional[str]] = mapped_column(Text)


# --------------------------------------------------------------------------- system


class GeneratedDocument(Base):
    __tablename__ = "generated_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # to_trinh | bien_ban | bao_cao_08 | report_pdf ...
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    form_set: Mapped[Optional[str]] = mapped_column(String(64))
    candidate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("candidate.id", ondelete="SET NULL"))
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("council_meeting.id", ondelete="SET NULL"))
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[Optional[str]] = mapped_column(String(200))


class AuditEntry(Base):
    """Who changed what, when, from which value to which. Entries of council decisions are
    chained: `hash` covers the entry and the previous chained entry's hash."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user: Mapped[Optional[str]] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))  # create | update | delete | import | decide | reopen ...
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)
    field: Mapped[Optional[str]] = mapped_column(String(64))
    old_value: Mapped[Optional[str]] = mapped_column(Text)
    new_value: Mapped[Optional[str]] = mapped_column(Text)
    note: Mapped[Optional[str]] = mapped_column(Text)
    chained: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    hash: Mapped[Optional[str]] = mapped_column(String(64))
    # Chained entries: the decision state of the rows they cover (canonical JSON) and the
    # fingerprint of the HMAC key that signed them (storage/audit_chain.py).
    state: Mapped[Optional[str]] = mapped_column(Text)
    key_id: Mapped[Optional[str]] = mapped_column(String(16))


class AuditAnchor(Base):
    """A chain head printed outside the database (minutes, dossier manifest): its position
    (`seq` chained entries) and hash; `code` is the short form printed on paper."""

    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[Optional[str]] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(40))
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_by: Mapped[Optional[str]] = mapped_column(String(200))


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class AppUser(Versioned, Base):
    """A login for the shared-office (PostgreSQL) mode."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # vocab.UserRole
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
