"""The data the printed reports are drawn from: plain frozen dataclasses, no database.

services/reports.py builds them from the records; documents/pdf_reports.py and
documents/xlsx_reports.py draw them. Numbers are plain floats; the drawing code formats
them the Vietnamese way (1.234,5 and 85,7%).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """The official heading and signature of a printed report, as on the .docx forms: issuing
    body (with its parent level) and the national or party motto, number, place and date, and
    who signs."""

    #: "party" (Hướng dẫn 36-HD/VPTW) | "state" (Decree 30/2020).
    format: str
    #: The issuing body in capitals: "ĐẢNG ỦY PHƯỜNG LA GI", "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG".
    name: str
    #: The level above it: "ĐẢNG BỘ TỈNH LÂM ĐỒNG"; "" for none.
    parent_name: str = ""
    #: "Số      -BC/ĐU", "Số:      /BC-UBND"; "" for none.
    number: str = ""
    #: "La Gi, ngày 15 tháng 5 năm 2026".
    place_date: str = ""
    #: The signatures, left to right: (authority "T/M BAN THƯỜNG VỤ" or "", title, name).
    signers: tuple[tuple[str, str, str], ...] = ()
    #: "Nơi nhận" lines; empty for none.
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitValue:
    """One unit's value for a target (the bar of a bar chart)."""

    unit: str
    value: float | None
    #: "Đạt", "Chưa đạt", ...
    status: str = ""
    #: "12/15" -- the figures behind a percentage.
    detail: str = ""
    #: The unit's own target when it differs from the ward's (a count per unit, say).
    unit_target: float | None = None


@dataclass(frozen=True)
class TargetLine:
    code: str
    name: str
    #: "percent" | "count" | "ratio".
    value_kind: str
    target: float
    value: float | None
    status: str
    deadline: dt.date | None = None
    shortfall: float | None = None
    per_unit: tuple[UnitValue, ...] = ()


@dataclass(frozen=True)
class SeriesPoint:
    day: dt.date
    percent: float
    proficient: int
    total: int


@dataclass(frozen=True)
class LaggingUnit:
    unit: str
    #: What it lags on: the target's name.
    target: str
    value: float | None
    target_value: float
    value_kind: str = "percent"
    detail: str = ""


@dataclass(frozen=True)
class ActivityLine:
    kind: str
    count: int
    participants: int
    units: int


@dataclass(frozen=True)
class TaskSummary:
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    late: int = 0


@dataclass(frozen=True)
class ProgressReport:
    """Báo cáo tiến độ for the standing committee, as of a date."""

    title: str
    campaign_name: str
    #: "phường La Gi".
    locality: str
    #: The heading body: "ĐẢNG ỦY PHƯỜNG LA GI".
    issuer_name: str
    as_of: dt.date
    phase_number: int | None
    phase_name: str
    phase_start: dt.date | None
    phase_end: dt.date | None
    targets: tuple[TargetLine, ...]
    vneid_series: tuple[SeriesPoint, ...]
    #: What the series measures: "Đảng viên và cán bộ, công chức, viên chức ...".
    vneid_label: str
    lagging: tuple[LaggingUnit, ...]
    activities: tuple[ActivityLine, ...]
    tasks: TaskSummary = field(default_factory=TaskSummary)
    unit_count: int = 0
    generated_at: dt.datetime | None = None
    heading: Heading | None = None


@dataclass(frozen=True)
class CriterionColumn:
    code: str
    name: str
    #: "gate" | "points".
    type: str
    max_points: float


@dataclass(frozen=True)
class ScoreRow:
    #: The rank among the eligible candidates of the group, as `bdhvs score` ranks (points, then a
    #: woman or a collective at least 70% women first, then the name); None when not eligible.
    rank: int | None
    name: str
    #: "Tập thể" | "Cá nhân" | "Tổ chức đảng".
    kind: str
    award: str
    total: float | None
    #: criterion code -> points (points criteria) or "Đạt"/"Không đạt" (gates).
    cells: dict[str, str]
    gates_passed: bool
    status: str
    votes: str = ""
    eligible: bool = True


@dataclass(frozen=True)
class ScoreGroup:
    """The candidates scored with one criteria set."""

    title: str
    columns: tuple[CriterionColumn, ...]
    rows: tuple[ScoreRow, ...]


@dataclass(frozen=True)
class ScoreSheet:
    """Bảng tổng hợp điểm for the council: candidates ranked, criterion by criterion."""

    title: str
    campaign_name: str
    issuer_name: str
    locality: str
    as_of: dt.date
    meeting: str
    groups: tuple[ScoreGroup, ...]
    generated_at: dt.datetime | None = None
    heading: Heading | None = None
