"""The council minutes' context: members as snapshotted, conflicts of interest, each vote's
result, the ballot count, and the minutes themselves."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.context.common import (
    _KINDS,
    _VOTING,
    CandidateKind,
    DocumentNumber,
    Issuer,
    Person,
    VotingMethod,
    _non_negative,
    _tuples,
)


@dataclass(frozen=True, kw_only=True)
class CouncilMember:
    name: str
    #: Position in the ward: "Phó Chủ tịch UBND phường".
    position: str = ""
    #: Role in the council: "Chủ tịch Hội đồng", "Ủy viên"; in the ballot committee
    #: "Trưởng ban", "Thành viên".
    role: str = ""
    present: bool = True
    absence_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ConflictOfInterest:
    """A member who stood aside (did not score or vote) from the candidates named."""

    name: str
    position: str = ""
    #: Collectives the member belongs to (or that sit above the member's unit).
    collectives: tuple[str, ...] = ()
    #: Proposals about the member in person.
    own: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)

    @property
    def text(self) -> str:
        parts = []
        if self.collectives:
            parts.append(f"{', '.join(self.collectives)} (thuộc tập thể được đề nghị)")
        if self.own:
            parts.append(f"{', '.join(self.own)} (là người được đề nghị)")
        who = f"{self.name} – {self.position}" if self.position else self.name
        return f"{who}: không tham gia xét, biểu quyết đối với {'; '.join(parts)}."


@dataclass(frozen=True, kw_only=True)
class VoteResult:
    """One candidate's result: the row of the minutes' table."""

    name: str
    kind: CandidateKind
    #: "Hình thức khen thưởng đề nghị".
    award: str
    votes_for: int
    #: The council's total membership (the base of the percentage).
    total_members: int
    #: Only for a secret ballot record; ``None`` when not counted.
    votes_against: int | None = None
    note: str = ""
    #: The council's result for this row (``None``: not voted yet).
    passed: bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"VoteResult.kind không hợp lệ: {self.kind!r}")
        _non_negative(self, "votes_for", "votes_against")
        if self.total_members <= 0:
            raise ValueError("VoteResult.total_members phải lớn hơn 0")
        if self.votes_for > self.total_members:
            raise ValueError(
                f"{self.name}: số phiếu đồng ý ({self.votes_for}) lớn hơn tổng số "
                f"thành viên ({self.total_members})"
            )

    @property
    def percent(self) -> Decimal | None:
        return vn_format.percent_of(self.votes_for, self.total_members)

    @property
    def percent_text(self) -> str:
        return vn_format.vn_percent(self.percent)

    @property
    def votes_text(self) -> str:
        return f"{self.votes_for}/{self.total_members}"


@dataclass(frozen=True, kw_only=True)
class BallotCount:
    """The vote-count record of a secret ballot (biên bản kiểm phiếu)."""

    #: The ballot-counting committee (ban kiểm phiếu); ``role`` "Trưởng ban", ...
    committee: tuple[CouncilMember, ...]
    issued: int
    returned: int
    valid: int
    invalid: int
    note: str = ""

    def __post_init__(self) -> None:
        _tuples(self)
        _non_negative(self, "issued", "returned", "valid", "invalid")

    @property
    def committee_head(self) -> CouncilMember | None:
        return self.committee[0] if self.committee else None


@dataclass(frozen=True, kw_only=True)
class MinutesContext:
    """Biên bản họp xét khen thưởng of the award council."""

    #: Heading: e.g. state format, parent "ỦY BAN NHÂN DÂN PHƯỜNG LA GI",
    #: name "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", abbreviation "HĐTĐKT".
    issuer: Issuer
    number: DocumentNumber
    #: "Hội đồng Thi đua - Khen thưởng phường La Gi".
    council_name: str
    #: "Về việc xét, đề nghị khen thưởng ...".
    subject: str
    #: ``None`` (a draft before the meeting) prints blanks.
    start: datetime.datetime | None
    #: Meeting room: "Hội trường Đảng ủy phường La Gi".
    place: str
    chair: Person
    secretary: Person
    #: Every member of the council, present or not.
    members: tuple[CouncilMember, ...]
    voting_method: VotingMethod
    results: tuple[VoteResult, ...]
    #: Free text (paragraphs): what the council agreed.
    conclusion: str
    end: datetime.datetime | None = None
    #: Free text (paragraphs): what was presented and discussed.
    content: str = ""
    #: Invited guests, one line each.
    guests: tuple[str, ...] = ()
    #: "Căn cứ Quyết định số ... thành lập Hội đồng ...;" after the form set's ones.
    legal_bases: tuple[str, ...] = ()
    #: Required for a secret ballot.
    ballot: BallotCount | None = None
    #: Date of the document; defaults to the meeting day.
    date: datetime.date | None = None
    draft: bool = False
    #: Members who stood aside from a candidate for a conflict of interest.
    conflicts: tuple[ConflictOfInterest, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)
        if self.voting_method not in _VOTING:
            raise ValueError(
                "MinutesContext.voting_method phải là 'show_of_hands' hoặc "
                f"'secret_ballot', không phải {self.voting_method!r}"
            )
        if self.voting_method == "secret_ballot" and self.ballot is None:
            raise ValueError("Bỏ phiếu kín cần có kết quả kiểm phiếu (ballot)")

    @property
    def is_secret_ballot(self) -> bool:
        return self.voting_method == "secret_ballot"

    @property
    def number_text(self) -> str:
        return self.number.text(self.issuer)

    @property
    def document_date(self) -> datetime.date | None:
        if self.date is not None:
            return self.date
        return self.start.date() if self.start is not None else None

    @property
    def place_date(self) -> str:
        return vn_format.vn_date(self.document_date, self.issuer.place)

    @property
    def start_text(self) -> str:
        """"14 giờ 00 phút, ngày 05 tháng 11 năm 2026"."""
        return vn_format.vn_datetime(self.start)

    @property
    def end_text(self) -> str:
        """"16 giờ 30 phút cùng ngày" or with its own date when it ends on another day."""
        if self.end is None:
            return vn_format.vn_time(None) + " cùng ngày"
        if self.start is not None and self.end.date() == self.start.date():
            return vn_format.vn_time(self.end) + " cùng ngày"
        return vn_format.vn_datetime(self.end)

    @property
    def member_count(self) -> str:
        return vn_format.vn_count(len(self.members))

    @property
    def present_members(self) -> tuple[CouncilMember, ...]:
        return tuple(m for m in self.members if m.present)

    @property
    def absent_members(self) -> tuple[CouncilMember, ...]:
        return tuple(m for m in self.members if not m.present)

    @property
    def present_count(self) -> str:
        return vn_format.vn_count(len(self.present_members))

    @property
    def absent_count(self) -> str:
        return vn_format.vn_count(len(self.absent_members))

    @property
    def voting_method_text(self) -> str:
        return "bỏ phiếu kín" if self.is_secret_ballot else "biểu quyết giơ tay"

    @property
    def collective_results(self) -> tuple[VoteResult, ...]:
        return tuple(r for r in self.results if r.kind == "collective")

    @property
    def individual_results(self) -> tuple[VoteResult, ...]:
        return tuple(r for r in self.results if r.kind == "individual")

    @property
    def passed_collectives(self) -> int:
        return sum(1 for r in self.results if r.kind == "collective" and r.passed)

    @property
    def passed_individuals(self) -> int:
        return sum(1 for r in self.results if r.kind == "individual" and r.passed)
