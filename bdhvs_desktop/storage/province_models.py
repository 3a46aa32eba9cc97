"""The province office's tables: the signed proposal packages imported from the wards, the
proposal of each candidate as the ward sent it, and the documents of each package.

An imported ward is a *scope*: a top-level `unit` of kind `vocab.UnitKind.WARD_SCOPE` whose
code is the ward's code; the units and persons of its candidates are created inside it (codes
prefixed by the ward's code), and its candidates are ordinary `candidate` rows of the province's
campaign, so the council works on them unchanged. `person.cccd` is UNIQUE, so the same person
proposed by two wards cannot be two persons with one CCCD: an imported person keeps the CCCD in
the ward-proposal row (indexed) only, where duplicates across wards are looked for.

The package file itself, byte for byte as received (its signature can be checked again at any
time), is kept in the database (`ward_package_file`), so every workstation of a shared
PostgreSQL office sees the documents; the documents are members of that file (ZIP_STORED) and
are read as slices of it (`ward_package_document.data_offset`, `size`), never stored twice.
"""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bdhvs_desktop.storage.models import Base, utcnow


class WardPackage(Base):
    """One ward's proposal package, imported once (package_id and the file's SHA-256 are unique)."""

    __tablename__ = "ward_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(64), unique=True)  # manifest.package_id (uuid4)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_size: Mapped[int] = mapped_column(Integer)
    schema_version: Mapped[int] = mapped_column(Integer)
    ward_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the ward's scope
    ward_code: Mapped[str] = mapped_column(String(64), index=True)
    ward_name: Mapped[str] = mapped_column(String(300))
    province: Mapped[str | None] = mapped_column(String(200))
    campaign_code: Mapped[str | None] = mapped_column(String(100))
    campaign_name: Mapped[str | None] = mapped_column(String(500))
    level: Mapped[str | None] = mapped_column(String(20))
    proposal_number: Mapped[str | None] = mapped_column(String(60))
    proposal_date: Mapped[dt.date | None] = mapped_column(Date)
    proposal_signer: Mapped[str | None] = mapped_column(String(300))  # who signed the ward's Tờ trình
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # manifest.created_at
    signer_subject: Mapped[str | None] = mapped_column(String(500))  # the certificate that signed it
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the verification found: {"manifest": {...}, "pdfs": [...], "documents": n, "summary": "..."}.
    verification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    candidate_count: Mapped[int] = mapped_column(Integer, default=0)
    # The ward's council, meetings and proposal as sent (package.json without the candidates).
    ward_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(200))
    # A ward's corrected package replaces this one (`bdhvs province import --replace`): this one stays,
    # file and documents included (still verifiable, still openable), marked superseded by whom and when.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ward_package.id"), index=True)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    superseded_by_user: Mapped[str | None] = mapped_column(String(200))


class WardPackageFile(Base):
    """The package file as received, byte for byte (kept apart so listing packages never loads it)."""

    __tablename__ = "ward_package_file"

    package_id: Mapped[int] = mapped_column(ForeignKey("ward_package.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class WardProposal(Base):
    """One candidate as the ward proposed it: the facts the province scores, the figures of the
    report, the ward's votes and score, and the CCCD (kept here, not on `person`)."""

    __tablename__ = "ward_proposal"
    __table_args__ = (
        # A ward's key names one CURRENT proposal; a superseded package's proposals (candidate_id NULL) stay as history.
        Index("uq_ward_proposal_current_key", "ward_code", "candidate_key", unique=True,
              sqlite_where=text("candidate_id IS NOT NULL"), postgresql_where=text("candidate_id IS NOT NULL")),
        Index("ix_ward_proposal_match", "name_key", "birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the package was superseded: its province candidate was withdrawn (services/province_replace.py).
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="SET NULL"), unique=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("ward_package.id", ondelete="CASCADE"), index=True)
    ward_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    ward_code: Mapped[str] = mapped_column(String(64))
    candidate_key: Mapped[str] = mapped_column(String(100))  # stable within the ward
    subject_type: Mapped[str] = mapped_column(String(10))  # unit | person
    subject_kind: Mapped[str] = mapped_column(String(20))  # vocab.SubjectKind
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))  # domain.text.name_key(name)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)  # a person known by the year only
    cccd: Mapped[str | None] = mapped_column(String(12), index=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    position: Mapped[str | None] = mapped_column(String(300))
    unit_path: Mapped[list[Any]] = mapped_column(JSON, default=list)
    award_code: Mapped[str | None] = mapped_column(String(64))
    award_name: Mapped[str | None] = mapped_column(String(300))
    award_level: Mapped[str | None] = mapped_column(String(20))
    ward_status: Mapped[str | None] = mapped_column(String(20))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ward_votes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ward_score: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ward_points: Mapped[float | None] = mapped_column(Float)
    ward_approval: Mapped[float | None] = mapped_column(Float)  # votes for / votes cast at the ward's council
    claimed_province_score: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # as the ward computed it
    narrative: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    register: Mapped[list[Any]] = mapped_column(JSON, default=list)  # prior awards of this subject
    documents: Mapped[list[Any]] = mapped_column(JSON, default=list)  # member paths in the package
    # The province's score, kept with the key of what it was computed from (services/province_rank.py):
    # reused while the facts, the criteria set, the manual results and the program are the same.
    facts_sha256: Mapped[str | None] = mapped_column(String(64))  # of the facts (canonical JSON)
    score_key: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[str | None] = mapped_column(Text)  # compact JSON, UTF-8 (half the size of escaped JSON)


class WardPackageDocument(Base):
    """A document of a package (.docx, .pdf): where its bytes sit in the stored package file."""

    __tablename__ = "ward_package_document"
    __table_args__ = (UniqueConstraint("package_id", "member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("ward_package.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="SET NULL"), index=True)
    member: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))  # docx | pdf | other
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data_offset: Mapped[int] = mapped_column(Integer)  # first byte of the member's data in the package file
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
