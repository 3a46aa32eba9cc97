"""The ward's records: units, people, mentorships ("Đại sứ số"), activities, digital models with
their replications, and individuals' solutions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bdhvs_desktop.storage.models.base import Base, Versioned, utcnow


class Unit(Versioned, Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # vocab.UnitKind
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    is_party_org: Mapped[bool] = mapped_column(Boolean, default=False)
    households: Mapped[int | None] = mapped_column(Integer)
    adult_residents: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(50))
    functions: Mapped[str | None] = mapped_column(Text)
    head_name: Mapped[str | None] = mapped_column(String(200))
    head_title: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", foreign_keys=[parent_id])


class Person(Versioned, Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_match", "name_key", "birth_date", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))  # as typed (NFC)
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised for matching
    search_key: Mapped[str] = mapped_column(String(200), index=True)  # no diacritics, lower case, for search
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))  # vocab.Sex
    cccd: Mapped[str | None] = mapped_column(String(12), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    position: Mapped[str | None] = mapped_column(String(200))
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public_servant: Mapped[bool] = mapped_column(Boolean, default=False)
    vneid_proficient_on: Mapped[dt.date | None] = mapped_column(Date)
    vneid_verified_by: Mapped[str | None] = mapped_column(String(200))
    can_guide: Mapped[bool] = mapped_column(Boolean, default=False)
    people_guided: Mapped[int] = mapped_column(Integer, default=0)
    under_discipline: Mapped[bool] = mapped_column(Boolean, default=False)
    discipline_note: Mapped[str | None] = mapped_column(Text)
    home_town: Mapped[str | None] = mapped_column(String(300))
    residence: Mapped[str | None] = mapped_column(String(300))
    qualifications: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship()


class Mentorship(Versioned, Base):
    """A "Đại sứ số" mentor and one person they guide."""

    __tablename__ = "mentorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    mentee_name: Mapped[str] = mapped_column(String(200))
    mentee_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("digital_model.id", ondelete="SET NULL"))
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Activity(Versioned, Base):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_kind_unit_date", "kind", "unit_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.ActivityKind
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    content: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[str | None] = mapped_column(String(20))  # "1,2,5"
    participants: Mapped[int] = mapped_column(Integer, default=0)
    host_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()


class DigitalModel(Versioned, Base):
    """A model (mô hình): an initiative that can be evaluated and replicated."""

    __tablename__ = "digital_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    model_type: Mapped[str | None] = mapped_column(String(200))  # e.g. "Đại sứ số"
    status: Mapped[str] = mapped_column(String(20), default="registered")  # vocab.ModelStatus
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    implementing_on: Mapped[dt.date | None] = mapped_column(Date)
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date)
    excellent_on: Mapped[dt.date | None] = mapped_column(Date)
    rating: Mapped[str | None] = mapped_column(String(100))
    evaluation_quarter: Mapped[str | None] = mapped_column(String(20))  # "Q2/2026"
    evaluation: Mapped[str | None] = mapped_column(Text)  # Đánh giá hiệu quả
    description: Mapped[str | None] = mapped_column(Text)

    owner_unit: Mapped[Unit | None] = relationship()
    replications: Mapped[list[ModelReplication]] = relationship(
        back_populates="model", cascade="all, delete-orphan"
    )


class ModelReplication(Base):
    __tablename__ = "model_replication"
    __table_args__ = (UniqueConstraint("model_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("digital_model.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    replicated_on: Mapped[dt.date | None] = mapped_column(Date)

    model: Mapped[DigitalModel] = relationship(back_populates="replications")
    unit: Mapped[Unit] = relationship()


class Solution(Versioned, Base):
    """An individual's solution or initiative (giải pháp, sáng kiến)."""

    __tablename__ = "solution"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_on: Mapped[dt.date | None] = mapped_column(Date)
    effect: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
