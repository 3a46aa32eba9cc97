"""The campaign and its plan: phases, tasks, targets and the figures reported against them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bdhvs_desktop.storage.models.base import Base, Versioned, utcnow
from bdhvs_desktop.storage.models.records import Unit


class Campaign(Versioned, Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    preset_name: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(Text)
    locality: Mapped[str | None] = mapped_column(String(200))  # "La Gi"
    locality_full: Mapped[str | None] = mapped_column(String(200))  # "phường La Gi"
    province: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    # Everything else the preset carries (issuers, dossier wording, ...), as data.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    phases: Mapped[list[Phase]] = relationship(
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
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    focus: Mapped[list[Any]] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="phases")


class Task(Versioned, Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    phase_number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    responsible_text: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")  # vocab.TaskStatus
    done_date: Mapped[dt.date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)

    responsible_unit: Mapped[Unit | None] = relationship()


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
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(32), default="ward")
    phase_number: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at_risk_margin: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
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
    denominator: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
