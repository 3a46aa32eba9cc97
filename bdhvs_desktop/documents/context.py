"""The data a dossier document is rendered from: plain frozen dataclasses, no database.

Whoever maps database records into documents builds these objects; the templates see
them as ``submission`` (Form 01), ``minutes`` (council minutes) and ``achievement``
(Form 08). Every field is keyword-only, so mapping code reads like a form::

    issuer = Issuer(format="party", parent_name="ĐẢNG BỘ TỈNH LÂM ĐỒNG",
                    name="ĐẢNG ỦY PHƯỜNG LA GI", abbreviation="ĐU", place="La Gi", ...)

Conventions
-----------
* Text is printed exactly as given: ``& < > " ' { }`` are safe, ``"\\n"`` becomes a line
  break in Word (a new paragraph in the free-text sections), diacritics are kept.
  Names in the heading may contain ``"\\n"`` to choose where the line breaks.
* Lists may be given as lists or tuples; they are stored as tuples.
* ``None`` in an optional field prints nothing (dates print blanks to fill in by hand).
* Derived values the templates need (``number_text``, ``place_date``, counts and
  percentages) are read-only properties, so the template never computes them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Literal

from . import vn_format

__all__ = [
    "AchievementContext",
    "ActivityCount",
    "BallotCount",
    "ClassTaught",
    "CollectiveProfile",
    "ConflictOfInterest",
    "CouncilMember",
    "MeetingCitation",
    "DigitalModel",
    "DocumentNumber",
    "IndividualProfile",
    "Issuer",
    "IssuerFormat",
    "MinutesContext",
    "Nominee",
    "PartyVneid",
    "Person",
    "Solution",
    "SubmissionContext",
    "TargetResult",
    "VoteResult",
    "VotingMethod",
    "CandidateKind",
    "counts_text",
]

IssuerFormat = Literal["party", "state"]
VotingMethod = Literal["show_of_hands", "secret_ballot"]
CandidateKind = Literal["collective", "individual"]

_FORMATS = ("party", "state")
_VOTING = ("show_of_hands", "secret_ballot")
_KINDS = ("collective", "individual")


def _tuples(obj) -> None:
    """Store list-valued fields as tuples (frozen dataclasses, stable templates)."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list):
            object.__setattr__(obj, f.name, tuple(value))


def counts_text(collectives: int, individuals: int) -> str:
    """"02 tập thể và 01 cá nhân"; a zero part is left out ("03 cá nhân")."""
    parts = [f"{vn_format.vn_count(n)} {label}" for n, label in ((collectives, "tập thể"), (individuals, "cá nhân"))
             if n]
    return " và ".join(parts) or "0 tập thể, cá nhân"


def _non_negative(obj, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < 0:
            raise ValueError(f"{type(obj).__name__}.{name} không được âm: {value}")


# --------------------------------------------------------------------------- common


@dataclass(frozen=True, kw_only=True)
class Issuer:
    """The body that issues (or signs) a document, and its heading format.

    ``format="party"`` prints the party heading (Hướng dẫn 36-HD/VPTW):
    "ĐẢNG CỘNG SẢN VIỆT NAM", parent level and issuing body with "*", "Số 12-TTr/ĐU".
    ``format="state"`` prints the national heading (Decree 30/2020):
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/TTr-UBND".
    """

    format: IssuerFormat
    #: Issuing body in capitals as printed: "ĐẢNG ỦY PHƯỜNG LA GI" (may contain "\n").
    name: str
    #: Used in the document symbol: "ĐU", "UBND", "HĐTĐKT".
    abbreviation: str
    #: Place name for "La Gi, ngày ...".
    place: str
    #: Parent level printed above the name: "ĐẢNG BỘ TỈNH LÂM ĐỒNG"; "" for none.
    parent_name: str = ""
    #: "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN"; "" when the head signs in person.
    signer_authority: str = ""
    #: "PHÓ BÍ THƯ", "CHỦ TỊCH".
    signer_title: str = ""
    signer_name: str = ""
    #: How the body is named inside sentences: "Ban Thường vụ Đảng ủy phường La Gi".
    #: Defaults to ``name`` on one line.
    name_in_text: str = ""

    def __post_init__(self) -> None:
        if self.format not in _FORMATS:
            raise ValueError(
                f"Issuer.format phải là 'party' hoặc 'state', không phải {self.format!r}"
            )

    @property
    def is_party(self) -> bool:
        return self.format == "party"

    @property
    def text_name(self) -> str:
        return self.name_in_text or " ".join(self.name.split())


@dataclass(frozen=True, kw_only=True)
class DocumentNumber:
    """Number and symbol: ``kind`` is the document type ("TTr", "BB", "BC")."""

    kind: str
    #: ``None`` leaves the number blank for the clerk (văn thư) to write in.
    number: int | str | None = None

    def text(self, issuer: Issuer) -> str:
        """"Số 12-TTr/ĐU" (party) or "Số: 12/TTr-UBND" (state)."""
        return vn_format.document_number(
            self.number, self.kind, issuer.abbreviation, issuer.format
        )

    def symbol(self, issuer: Issuer) -> str:
        """"12-TTr/ĐU" (party) or "12/TTr-UBND" (state), without "Số"."""
        return vn_format.document_symbol(
            self.number, self.kind, issuer.abbreviation, issuer.format
        )


@dataclass(frozen=True, kw_only=True)
class Person:
    name: str
    #: "Phó Bí thư Thường trực Đảng ủy phường".
    position: str = ""


# ------------------------------------------------------------------------ Form 01


@dataclass(frozen=True, kw_only=True)
class Nominee:
    """One row of the list attached to the Tờ trình."""

    #: Full name of the collective or person, not abbreviated.
    name: str
    #: "Chức vụ - đơn vị": "Bí thư Chi bộ, Trưởng Khu phố 3".
    position_unit: str = ""
    #: "Hình thức khen thưởng đề nghị": "Giấy khen của Chủ tịch UBND phường".
    award: str = ""
    #: "Tóm tắt thành tích" (line breaks allowed).
    achievement_summary: str = ""
    #: "Ghi chú".
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class MeetingCitation:
    """A council meeting whose approvals the Tờ trình carries, with the counts of its minutes."""

    #: "Hội đồng Thi đua - Khen thưởng phường La Gi".
    council_name: str
    date: datetime.date
    #: The minutes' symbol as printed: "01/BB-HĐTĐKT" ("" when not numbered yet).
    minutes_symbol: str = ""
    present: int
    total: int
    voting_method: VotingMethod = "show_of_hands"
    #: Collectives and individuals approved at that meeting and carried by the Tờ trình.
    collectives: int = 0
    individuals: int = 0

    def __post_init__(self) -> None:
        _non_negative(self, "present", "total", "collectives", "individuals")

    @property
    def date_text(self) -> str:
        return vn_format.vn_short_date(self.date)

    @property
    def citation(self) -> str:
        """"Căn cứ Biên bản họp Hội đồng … ngày 12/11/2026 (số 01/BB-HĐTĐKT);"."""
        number = f" (số {self.minutes_symbol})" if self.minutes_symbol else ""
        return f"Căn cứ Biên bản họp {self.council_name} ngày {self.date_text}{number};"

    @property
    def summary(self) -> str:
        method = "bỏ phiếu kín" if self.voting_method == "secret_ballot" else "biểu quyết giơ tay"
        return (f"Ngày {self.date_text}, {self.council_name} đã họp xét ({vn_format.vn_count(self.present)}/"
                f"{vn_format.vn_count(self.total)} thành viên có mặt, {method}); kết quả có "
                f"{counts_text(self.collectives, self.individuals)} đủ điều kiện đề nghị khen thưởng.")


class ListedDocument:
    """What the Tờ trình and the award decision print alike: their number and symbol, place and
    date, and the counts of the list they carry (needs ``number``, ``issuer``, ``date``,
    ``collectives`` and ``individuals``)."""

    @property
    def number_text(self) -> str:
        return self.number.text(self.issuer)

    @property
    def number_symbol(self) -> str:
        return self.number.symbol(self.issuer)

    @property
    def place_date(self) -> str:
        return vn_format.vn_date(self.date, self.issuer.place)

    @property
    def short_date(self) -> str:
        return vn_format.vn_short_date(self.date)

    @property
    def collective_count(self) -> str:
        return vn_format.vn_count(len(self.collectives))

    @property
    def individual_count(self) -> str:
        return vn_format.vn_count(len(self.individuals))


@dataclass(frozen=True, kw_only=True)
class SubmissionContext(ListedDocument):
    """Form 01 -- Tờ trình đề nghị khen thưởng, with its attached list."""

    issuer: Issuer
    number: DocumentNumber
    #: ``None`` prints blanks to be filled in by hand.
    date: datetime.date | None
    #: "Kính gửi: ...": "Chủ tịch Ủy ban nhân dân phường La Gi".
    recipient: str
    #: 'Phong trào thi đua “Bình dân học vụ số”'.
    campaign_name: str
    collectives: tuple[Nominee, ...] = ()
    individuals: tuple[Nominee, ...] = ()
    #: Replaces the default title line "Về việc đề nghị khen thưởng ...".
    subject: str = ""
    #: Local legal bases, after the form set's ones: "Căn cứ Kế hoạch số 08-KH/ĐU ...;".
    legal_bases: tuple[str, ...] = ()
    #: The award proposed, used in the default proposal sentence ("Giấy khen của ...").
    award_name: str = ""
    #: Free text (paragraphs): the campaign's results and the council's result.
    body: str = ""
    #: Replaces the default proposal sentence ("... kính trình ... xem xét, tặng ...").
    proposal: str = ""
    #: "Nơi nhận", one line each: "Như trên;", "Lưu: VT, VPĐU.".
    recipients: tuple[str, ...] = ()
    #: Prints "DỰ THẢO" at the top of the first page.
    draft: bool = False
    #: The council meetings whose approvals are carried: one "Căn cứ Biên bản họp …" each.
    meetings: tuple[MeetingCitation, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)


# ------------------------------------------------------------------ council minutes


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


# ------------------------------------------------------------------------ Form 08


@dataclass(frozen=True, kw_only=True)
class TargetResult:
    """A target of the plan against the candidate's result."""

    #: "Đảng viên sử dụng thành thạo VNeID".
    indicator: str
    #: "100%".
    target: str
    #: "100% (35/35)".
    result: str
    #: "Đạt", "Vượt", "Chưa đạt".
    assessment: str = ""


@dataclass(frozen=True, kw_only=True)
class DigitalModel:
    """A model (mô hình) or way of working, and how it was replicated."""

    name: str
    description: str = ""
    started: datetime.date | None = None
    effect: str = ""
    #: "Nhân rộng ra 05 khu phố", or "" when not replicated.
    replication: str = ""
    #: "Được Đảng ủy phường công nhận mô hình xuất sắc (Quý III/2026)".
    recognition: str = ""
    #: The unit that owns the model, when it is not the reporting unit itself.
    owner: str = ""

    @property
    def started_text(self) -> str:
        return vn_format.vn_short_date(self.started) if self.started else ""


@dataclass(frozen=True, kw_only=True)
class ActivityCount:
    """Activities held, by kind: classes, guidance sessions, broadcasts."""

    #: "Lớp “Bình dân học vụ số”", "Buổi hướng dẫn trực tiếp tại tổ dân phố".
    kind: str
    count: int
    #: "lớp", "buổi", "lần".
    unit: str = ""
    participants: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _non_negative(self, "count", "participants")

    @property
    def count_text(self) -> str:
        return vn_format.vn_number(self.count)

    @property
    def participants_text(self) -> str:
        return vn_format.vn_number(self.participants)


@dataclass(frozen=True, kw_only=True)
class PartyVneid:
    """Party members proficient with VNeID (the collective's hard condition)."""

    members_total: int
    members_proficient: int
    #: Day the last member became proficient; ``None`` if not all are.
    completed_on: datetime.date | None = None
    #: The plan's deadline (31/03/2026).
    deadline: datetime.date | None = None

    def __post_init__(self) -> None:
        _non_negative(self, "members_total", "members_proficient")
        if self.members_proficient > self.members_total:
            raise ValueError("PartyVneid: số đảng viên thành thạo lớn hơn tổng số")

    @property
    def percent_text(self) -> str:
        return vn_format.vn_percent(
            vn_format.percent_of(self.members_proficient, self.members_total)
        )

    @property
    def completed_text(self) -> str:
        return vn_format.vn_short_date(self.completed_on) if self.completed_on else ""

    @property
    def deadline_text(self) -> str:
        return vn_format.vn_short_date(self.deadline) if self.deadline else ""

    @property
    def on_time(self) -> bool:
        return (
            self.completed_on is not None
            and self.members_proficient == self.members_total
            and (self.deadline is None or self.completed_on <= self.deadline)
        )


@dataclass(frozen=True, kw_only=True)
class CollectiveProfile:
    """Section I of Form 08 for a collective."""

    #: Head office address.
    address: str
    #: Organisational structure (free text).
    structure: str
    #: Functions and tasks (free text).
    functions: str
    headcount: int | None = None
    #: "35 đảng viên; 12 cán bộ, công chức".
    headcount_detail: str = ""
    phone: str = ""
    website: str = ""
    vneid: PartyVneid | None = None

    @property
    def headcount_text(self) -> str:
        return vn_format.vn_number(self.headcount)


@dataclass(frozen=True, kw_only=True)
class Solution:
    """A solution or initiative applied in practice, and its effect."""

    name: str
    description: str = ""
    applied_from: datetime.date | None = None
    effect: str = ""

    @property
    def applied_from_text(self) -> str:
        return vn_format.vn_short_date(self.applied_from) if self.applied_from else ""


@dataclass(frozen=True, kw_only=True)
class ClassTaught:
    topic: str
    held_on: datetime.date | None = None
    place: str = ""
    participants: int | None = None

    @property
    def held_on_text(self) -> str:
        return vn_format.vn_short_date(self.held_on) if self.held_on else ""

    @property
    def participants_text(self) -> str:
        return vn_format.vn_number(self.participants)


@dataclass(frozen=True, kw_only=True)
class IndividualProfile:
    """Section I of Form 08 for an individual (the name is ``AchievementContext.name``)."""

    #: "Nam" / "Nữ".
    sex: str
    birth_date: datetime.date | None
    home_town: str
    residence: str
    unit: str
    position: str
    alias: str = ""
    occupation: str = ""
    #: "Đại học Luật; Trung cấp lý luận chính trị" (free text; older templates).
    qualifications: str = ""
    #: Form 08 prints these two separately: "Trình độ chuyên môn, nghiệp vụ" and
    #: "Trình độ lý luận chính trị".
    professional_level: str = ""
    political_theory: str = ""
    #: Day the person became proficient with VNeID.
    vneid_proficient_on: datetime.date | None = None
    vneid_deadline: datetime.date | None = None
    #: Able to guide citizens in using VNeID (printed only when true).
    can_guide: bool = False
    people_guided: int | None = None
    #: "trong đó 120 người cao tuổi".
    people_guided_detail: str = ""
    solutions: tuple[Solution, ...] = ()
    classes_taught: tuple[ClassTaught, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)
        _non_negative(self, "people_guided")

    @property
    def birth_date_text(self) -> str:
        return vn_format.vn_short_date(self.birth_date) if self.birth_date else ""

    @property
    def vneid_text(self) -> str:
        return (
            vn_format.vn_short_date(self.vneid_proficient_on)
            if self.vneid_proficient_on
            else ""
        )

    @property
    def vneid_deadline_text(self) -> str:
        return vn_format.vn_short_date(self.vneid_deadline) if self.vneid_deadline else ""

    @property
    def vneid_on_time(self) -> bool:
        return self.vneid_proficient_on is not None and (
            self.vneid_deadline is None or self.vneid_proficient_on <= self.vneid_deadline
        )

    @property
    def people_guided_text(self) -> str:
        return vn_format.vn_number(self.people_guided)


@dataclass(frozen=True, kw_only=True)
class AchievementContext:
    """Form 08 -- achievement report of one collective or one individual."""

    kind: CandidateKind
    #: Full name, not abbreviated: "Chi bộ Khu phố 3", "Nguyễn Thị Hồng Nhung".
    name: str
    #: Award proposed: "Giấy khen của Chủ tịch Ủy ban nhân dân phường La Gi".
    award: str
    #: 'Phong trào thi đua “Bình dân học vụ số”'.
    campaign_name: str
    #: The reporting unit (collective) or the person's unit (individual): heading
    #: format, place, and the head of unit who signs.
    issuer: Issuer
    date: datetime.date | None
    #: Position and unit after the name in the title (individual).
    position_unit: str = ""
    collective: CollectiveProfile | None = None
    individual: IndividualProfile | None = None
    targets: tuple[TargetResult, ...] = ()
    models: tuple[DigitalModel, ...] = ()
    activities: tuple[ActivityCount, ...] = ()
    #: Free text sections written by the secretary (paragraphs).
    results: str = ""
    measures: str = ""
    lessons: str = ""
    #: Sentences about models the report does not own: the units under it that own
    #: one, a model it replicated from another unit, an individual's part in a unit's
    #: model ("Tham gia triển khai mô hình “Đại sứ số” của Chi bộ ...").
    related_models: tuple[str, ...] = ()
    #: Number of a collective's report; ``None`` prints none.
    number: DocumentNumber | None = None
    #: Who confirms the report (left signature): the proposing level for a collective,
    #: the head of the person's unit (or the level above) for an individual.
    confirmer: Issuer | None = None
    draft: bool = False

    def __post_init__(self) -> None:
        _tuples(self)
        if self.kind not in _KINDS:
            raise ValueError(f"AchievementContext.kind không hợp lệ: {self.kind!r}")
        if self.kind == "collective" and (
            self.collective is None or self.individual is not None
        ):
            raise ValueError(
                f"{self.name}: báo cáo của tập thể cần 'collective', không có 'individual'"
            )
        if self.kind == "individual" and (
            self.individual is None or self.collective is not None
        ):
            raise ValueError(
                f"{self.name}: báo cáo của cá nhân cần 'individual', không có 'collective'"
            )

    @property
    def is_collective(self) -> bool:
        return self.kind == "collective"

    @property
    def blank(self) -> str:
        """What a field or a signature prints when it has no data: a dotted line."""
        return vn_format.BLANK_FIELD

    @property
    def number_text(self) -> str:
        return self.number.text(self.issuer) if self.number else ""

    @property
    def place_date(self) -> str:
        return vn_format.vn_date(self.date, self.issuer.place)
