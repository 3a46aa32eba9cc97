"""What a province office reads about the wards' proposals it imported (services/province.py):
the wards, each ward's candidates with their figures and documents, the same person proposed
by two wards, and the ranking across wards with the province's criteria.

Every row names its ward (code and name): a ward's data is its own scope and never shown
without it. The ranking scores the facts each ward sent (`ward_proposal.facts`, plain data of
domain/score_facts.py) with the province's criteria sets (`criteria_set.level = "province"`),
with no recompute from records: the province has none."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services.office import OfficeError, require_province
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database


class ProvinceError(Exception):
    """A province action that cannot be done; the message is Vietnamese."""


@dataclass(frozen=True)
class WardInfo:
    """One imported ward (its scope) and its packages."""

    code: str
    name: str
    province: str | None
    unit_id: int
    packages: int
    candidates: int
    proposal_number: str | None  # of the latest package
    proposal_date: dt.date | None
    signer: str | None  # who signed the latest package (certificate)
    trusted: bool  # every package of the ward signed by a trusted certificate
    last_imported_at: dt.datetime
    last_imported_by: str | None
    current_file: str | None = None  # the ward's current package (the latest not superseded)
    replaced: int = 0  # earlier packages of the ward superseded by a corrected one (kept as history)


def list_wards(db: Database) -> list[WardInfo]:
    """Every ward that sent a package, by name."""
    with db.read() as s:
        packages = s.scalars(select(pm.WardPackage).order_by(pm.WardPackage.imported_at, pm.WardPackage.id)).all()
        by_ward: dict[str, list[pm.WardPackage]] = defaultdict(list)
        for p in packages:
            by_ward[p.ward_code].append(p)
        out = []
        for code, every in by_ward.items():
            rows = [r for r in every if r.superseded_at is None] or every  # what counts: the current packages
            last = rows[-1]
            out.append(WardInfo(code, last.ward_name, last.province, last.ward_unit_id, len(every),
                                sum(r.candidate_count for r in rows), last.proposal_number, last.proposal_date,
                                last.signer_subject, all(r.trusted for r in rows), last.imported_at, last.imported_by,
                                last.file_name, len(every) - len(rows)))
    return sorted(out, key=lambda w: (fold(w.name), w.code))


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    ward_code: str
    member: str
    kind: str  # docx | pdf
    title: str | None
    size: int
    sha256: str
    signed: bool


@dataclass(frozen=True)
class WardCandidate:
    """A candidate as its ward proposed it, with the province's candidate row it became."""

    candidate_id: int
    ward_code: str
    ward_name: str
    key: str
    subject_type: str
    subject_kind: str
    name: str
    cccd: str | None
    birth_date: dt.date | None
    birth_year: int | None
    sex: str | None
    position: str | None
    unit_path: tuple[str, ...]
    award_code: str | None
    award_name: str | None
    ward_status: str | None
    ward_votes: dict[str, Any]
    ward_points: float | None
    ward_max_points: float | None
    ward_eligible: bool | None
    status: str  # the province's candidate status (vocab.CandidateStatus)
    figures: tuple[dict[str, Any], ...]
    narrative: dict[str, Any]
    register: tuple[dict[str, Any], ...]
    documents: tuple[DocumentInfo, ...]
    package_id: str

    @property
    def scope(self) -> str:
        """The ward scope as a list shows it."""
        return f"{self.ward_name} ({self.ward_code})"


def ward_candidates(db: Database, ward: str | None = None) -> list[WardCandidate]:
    """The candidates of one ward (by code), or of every ward; by ward, then as the ward listed them."""
    with db.read() as s:
        q = (select(pm.WardProposal, m.Candidate.status, pm.WardPackage.ward_name, pm.WardPackage.package_id)
             .join(m.Candidate, m.Candidate.id == pm.WardProposal.candidate_id)
             .join(pm.WardPackage, pm.WardPackage.id == pm.WardProposal.package_id))
        if ward is not None:
            q = q.where(pm.WardProposal.ward_code == ward)
            if s.scalar(select(pm.WardPackage.id).where(pm.WardPackage.ward_code == ward).limit(1)) is None:
                raise ProvinceError(f"Chưa nhập gói hồ sơ nào của phường có mã “{ward}” (xem bdhvs province wards).")
        rows = s.execute(q.order_by(pm.WardProposal.ward_code, pm.WardProposal.id)).all()
        docs: dict[int, list[DocumentInfo]] = defaultdict(list)
        dq = select(pm.WardPackageDocument, pm.WardPackage.ward_code).join(
            pm.WardPackage, pm.WardPackage.id == pm.WardPackageDocument.package_id).where(
            pm.WardPackageDocument.candidate_id.is_not(None))
        if ward is not None:
            dq = dq.where(pm.WardPackage.ward_code == ward)
        for d, code in s.execute(dq.order_by(pm.WardPackageDocument.member)):
            docs[d.candidate_id].append(_doc_info(d, code))
        out = []
        for p, status, ward_name, package_id in rows:
            ws = p.ward_score or {}
            out.append(WardCandidate(
                p.candidate_id, p.ward_code, ward_name, p.candidate_key, p.subject_type, p.subject_kind, p.name, p.cccd,
                p.birth_date, p.birth_year, p.sex, p.position, tuple(p.unit_path or ()), p.award_code, p.award_name,
                p.ward_status, dict(p.ward_votes or {}), p.ward_points, ws.get("max_points"), ws.get("eligible"),
                status, tuple((p.figures or {}).get("rows", ())), dict(p.narrative or {}), tuple(p.register or ()),
                tuple(docs.get(p.candidate_id, ())), package_id))
    return out


def _doc_info(d: pm.WardPackageDocument, ward_code: str) -> DocumentInfo:
    return DocumentInfo(d.id, ward_code, d.member, d.kind, d.note, d.size, d.sha256, d.signed)


def package_documents(db: Database, ward: str) -> list[DocumentInfo]:
    """Every document of a ward's packages (Tờ trình, biên bản, báo cáo thành tích)."""
    with db.read() as s:
        rows = s.execute(select(pm.WardPackageDocument, pm.WardPackage.ward_code)
                         .join(pm.WardPackage, pm.WardPackage.id == pm.WardPackageDocument.package_id)
                         .where(pm.WardPackage.ward_code == ward)
                         .order_by(pm.WardPackage.id, pm.WardPackageDocument.member)).all()
        return [_doc_info(d, code) for d, code in rows]


def document_bytes(db: Database, document_id: int) -> tuple[DocumentInfo, bytes]:
    """A document's bytes, read as a slice of the stored package file and checked against its
    SHA-256 (ProvinceError, naming the ward and the document, if they no longer match)."""
    with db.read() as s:
        row = s.execute(select(pm.WardPackageDocument, pm.WardPackage.ward_code, pm.WardPackage.ward_name)
                        .join(pm.WardPackage, pm.WardPackage.id == pm.WardPackageDocument.package_id)
                        .where(pm.WardPackageDocument.id == document_id)).first()
        if row is None:
            raise ProvinceError(f"Không có tài liệu số {document_id}.")
        d, code, name = row
        # substr on a BLOB (SQLite) / bytea (PostgreSQL) counts bytes from 1: only the slice travels.
        data = s.scalar(select(func.substr(pm.WardPackageFile.content, d.data_offset + 1, d.size))
                        .where(pm.WardPackageFile.package_id == d.package_id))
    data = bytes(data or b"")
    if hashlib.sha256(data).hexdigest() != d.sha256:
        raise ProvinceError(f"Tài liệu “{d.member}” của {name} ({code}) trong cơ sở dữ liệu không còn khớp mã băm "
                            "SHA-256 lúc nhập: dữ liệu đã bị sửa sau khi nhập.")
    return _doc_info(d, code), data


# --------------------------------------------------------------------------- the same person twice


@dataclass(frozen=True)
class ProposalRef:
    """A ward's proposal of a person, with the province candidate it became (and its status)."""

    candidate_id: int
    ward_code: str
    ward_name: str
    name: str
    cccd: str | None
    birth_date: dt.date | None
    birth_year: int | None
    award_name: str | None
    status: str
    person: dc.ProposedPerson

    def reason(self, other: ProposalRef) -> str:
        """Why the two are one person, in Vietnamese ("cùng số CCCD …", "cùng họ tên và ngày sinh …")."""
        if dc.same_person(self.person, other.person) == "cccd":
            return f"cùng số CCCD {self.cccd}"
        born = self.person.birth_date or other.person.birth_date
        return "cùng họ tên và " + (f"ngày sinh {born:%d/%m/%Y}" if born else f"năm sinh {self.person.year}")


def person_proposals(s: Session, *, candidate_id: int | None = None,
                     like: dc.ProposedPerson | None = None) -> list[ProposalRef]:
    """The imported persons' proposals that are province candidates, in the order imported: what
    the council (services/council/twins.py) and the Trùng lặp page compare. `candidate_id` keeps
    that one; `like` keeps those with its name key or its CCCD (where the same person can be)."""
    wp = pm.WardProposal
    q = (select(wp.candidate_id, wp.ward_code, pm.WardPackage.ward_name, wp.name, wp.name_key, wp.cccd,
                wp.birth_date, wp.birth_year, wp.award_name, m.Candidate.status)
         .join(pm.WardPackage, pm.WardPackage.id == wp.package_id)
         .join(m.Candidate, m.Candidate.id == wp.candidate_id)
         .where(wp.subject_type == "person"))
    if candidate_id is not None:
        q = q.where(wp.candidate_id == candidate_id)
    if like is not None:
        q = q.where((wp.name_key == like.name_key) | (wp.cccd == like.cccd) if like.cccd else
                    wp.name_key == like.name_key)
    return [ProposalRef(r.candidate_id, r.ward_code, r.ward_name, r.name, r.cccd, r.birth_date, r.birth_year,
                        r.award_name, r.status, dc.ProposedPerson(r.name_key, r.cccd, r.birth_date, r.birth_year))
            for r in s.execute(q.order_by(wp.id))]


@dataclass(frozen=True)
class Duplicate:
    """The same person proposed by two or more wards."""

    reason: str  # "cccd" | "name_birth"
    explanation: str  # Vietnamese, names every ward
    entries: tuple[ProposalRef, ...]

    @property
    def wards(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.ward_name for e in self.entries))


def duplicates(db: Database) -> list[Duplicate]:
    """Persons proposed twice: by two or more wards, or by one ward for two award forms. Grouped by
    the council's rule (domain/council.py: same_person_groups over the proposals the council
    compares: person_proposals), so the page lists exactly the files the council will not
    approve together: the same CCCD, or (when the CCCDs do not tell them apart) the same normalised
    name and birth date, or birth year when a ward knows only the year. Two CCCDs are two people."""
    with db.read() as s:
        every = person_proposals(s)
    out = []
    for reason, members in dc.same_person_groups([p.person for p in every]):
        group = tuple(every[i] for i in members)
        out.append(Duplicate(reason, _explain(reason, group), group))
    return sorted(out, key=lambda d: (fold(d.entries[0].name), d.reason, [e.candidate_id for e in d.entries]))


def _explain(reason: str, group: Sequence[ProposalRef]) -> str:
    by = _ward_list(group)
    wards = len({g.ward_code for g in group})
    if wards < len(group):  # a ward proposed the person more than once (for two award forms)
        by += f", {len(group)} lần" if wards > 1 else f" {len(group)} lần"
    if reason == "cccd":
        return f"Cùng số CCCD {group[0].cccd} được {by} đề nghị."
    dates = list(dict.fromkeys(g.birth_date for g in group if g.birth_date))
    when = (f"sinh ngày {', '.join(f'{d:%d/%m/%Y}' for d in dates)}" if dates
            else f"sinh năm {next(g.birth_year for g in group if g.birth_year)}")
    return (f"Cùng họ tên “{group[0].name}”, {when}, được {by} đề nghị (số CCCD không có hoặc không phân biệt "
            "được).")


def _ward_list(group: Sequence[ProposalRef]) -> str:
    names = list(dict.fromkeys(f"{g.ward_name} ({g.ward_code})" for g in group))
    return ", ".join(names[:-1]) + " và " + names[-1] if len(names) > 1 else names[0]


def require_office(db: Database) -> None:
    """ProvinceError (Vietnamese) unless this is a province office with its campaign."""

    with db.read() as s:
        try:
            require_province(s)
        except OfficeError as exc:
            raise ProvinceError(str(exc)) from exc

