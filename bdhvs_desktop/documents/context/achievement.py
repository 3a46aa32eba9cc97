"""The Form 08 (achievement report) context: targets and results, digital models, activities,
the party members' VNeID, a collective's or an individual's profile, solutions, classes taught."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.context.common import _KINDS, CandidateKind, DocumentNumber, Issuer, _non_negative, _tuples


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
