"""The plan preset as data: the vocabularies a preset may use, the rule and measure parameter
specifications, `PresetError`, and the frozen dataclasses a preset is read into (`Preset`,
its phases, tasks, units, targets, criteria sets with their level, award forms, dossier).

Split out of domain/presets.py (the loader), which still exports every name. Pure Python."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

# Vocabularies. Values match bdhvs_desktop.domain.vocab (tests check they agree).
UNIT_KINDS = ("dang_bo", "chi_bo", "co_quan", "to_dan_pho", "doan_the", "truong_hoc", "khac", "phuong_xa")
ACTIVITY_KINDS = ("class", "guidance", "broadcast", "thematic_meeting", "training", "other")
MODEL_STATUSES = ("registered", "implementing", "evaluated", "excellent", "replicated")
SUBJECT_KINDS = ("party_org", "collective", "individual")
VALUE_KINDS = ("percent", "count", "ratio")
SCOPES = ("ward", "party_org", "residential_group", "unit", "responsible_body")
AWARD_LEVELS = ("ward", "province")
CRITERIA_LEVELS = ("ward", "province")  # a criteria set for the ward's own awards or the province's
CRITERION_TYPES = ("gate", "points")
METHODS = ("auto", "manual")
ISSUER_KINDS = ("party", "state")
#: Who grants an award form: a state authority (a People's Committee or its chairman; its
#: documents follow Decree 30/2020) or a party one (a party committee's standing committee;
#: Hướng dẫn 36-HD/VPTW).
AUTHORITY_KINDS = ("state", "party")
PERIODS = ("week", "period")

# A parameter spec: name -> (kind, default). REQUIRED means the key must be written; None means
# optional with no default; any other default is filled in, so the parsed params are complete
# and the scoring code needs no defaults of its own. Kinds are checked by _Parser._param.
REQUIRED = "<required>"
CAMPAIGN_START = "<campaign.start>"
CAMPAIGN_END = "<campaign.end>"
TARGET_VALUE = "<target>"
_Spec = dict[str, tuple[str, Any]]
_VNEID: _Spec = {"require_guide": ("bool", False), "unit": ("unit", None)}

# measure -> (value kinds it can be measured in, its params)
MEASURES: dict[str, tuple[tuple[str, ...], _Spec]] = {
    "vneid_party_members": (("percent",), _VNEID),
    "vneid_public_servants": (("percent",), _VNEID),
    "vneid_cadres": (("percent",), _VNEID),
    "weekly_guidance": (("percent",), {"min_per_week": ("int", REQUIRED),
                                       "kinds": ("activity_kinds", ["guidance"]), "unit": ("unit", None)}),
    "daily_broadcast": (("percent",), {"min_per_day": ("int", REQUIRED),
                                       "kinds": ("activity_kinds", ["broadcast"]), "unit": ("unit", None)}),
    "models_per_unit": (("percent", "count"), {"min_count": ("int", REQUIRED),
                                               "status": ("model_status", "registered"), "unit": ("unit", None)}),
    "excellent_models_quota": (("count",), {"unit": ("unit", REQUIRED), "min_count": ("int", TARGET_VALUE),
                                            "status": ("model_status", "excellent")}),
    "digital_ambassadors": (("percent", "count", "ratio"), {"min_mentees": ("int", REQUIRED),
                                                           "unit": ("unit", None)}),
    "thematic_meetings": (("percent", "count"), {"min_count": ("int", REQUIRED),
                                                 "kinds": ("activity_kinds", ["thematic_meeting"]),
                                                 "unit": ("unit", None)}),
    "reported": (("percent", "count", "ratio"), {"group": ("str", None), "population": ("str", None),
                                                 "unit": ("unit", None)}),
}

_ALL = SUBJECT_KINDS
_ORGS = ("party_org", "collective")
# rule -> (params, subject kinds it can score)
RULES: dict[str, tuple[_Spec, tuple[str, ...]]] = {
    "party_members_vneid": ({"by": ("date", REQUIRED), "require_guide": ("bool", False)}, _ORGS),
    "target_met": ({"target": ("target", REQUIRED), "margin": ("float", 0.0)}, _ORGS),
    "min_models": ({"n": ("int", REQUIRED), "status": ("model_status", "implementing")}, _ALL),
    "person_vneid": ({"by": ("date", REQUIRED), "require_guide": ("bool", False)}, ("individual",)),
    "min_people_guided": ({"n": ("int", REQUIRED)}, _ALL),
    "solution_applied": ({"require_effect": ("bool", True), "n": ("int", 1)}, _ALL),
    "not_disciplined": ({}, _ALL),
    "min_activities": ({"kind": ("activity_kind", REQUIRED), "n": ("int", REQUIRED), "per": ("per", REQUIRED),
                        "start": ("date", CAMPAIGN_START), "end": ("date", CAMPAIGN_END)}, _ALL),
}

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- errors


class PresetError(ValueError):
    """A preset file that cannot be used. `str(error)` is the Vietnamese message for the user;
    `path`, `line` (1-based, or None) and `key` (e.g. "targets[4].deadline", items counted
    from 1 as in the message) say where."""

    def __init__(self, detail: str, *, path: Path | None = None, line: int | None = None,
                 key: str | None = None, item: str | None = None):
        self.detail = detail
        self.path = path
        self.line = line
        self.key = key
        where = [f'Tệp preset "{path.name}"' if path is not None else "Preset"]
        if line is not None:
            where.append(f"dòng {line}")
        if item:
            where.append(item)
        if key:
            # Inside an item, name the key relative to it ("params.by", not "targets[4].params.by").
            shown = re.sub(r"^.*\[\d+\]\.", "", key) if item else key
            where.append(f'khóa "{shown}"')
        super().__init__(", ".join(where) + f": {detail}")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class PresetHeader:
    """The [preset] table: what the plan is and who issues the ward's documents."""

    name: str
    title: str
    source: str
    locality: str
    locality_full: str
    province: str
    issuer_party: str
    issuer_party_parent: str
    issuer_state: str
    schema_version: int = SCHEMA_VERSION
    default: bool = False
    notes: str = ""


@dataclass(frozen=True)
class Campaign:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    start: dt.date
    end: dt.date
    description: str = ""
    focus: tuple[str, ...] = ()
    timing: str = ""  # the plan's own wording, e.g. "Từ Quý II/2026"


@dataclass(frozen=True)
class Task:
    phase: int
    title: str
    responsible: str  # as written in the plan
    due: dt.date
    description: str = ""
    responsible_unit: str = ""  # a unit code, when the body is listed in [[units]]
    timing: str = ""
    source: str = ""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str = ""
    is_party_org: bool = False


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    measure: str
    value_kind: str
    target: float
    start: dt.date
    deadline: dt.date  # inclusive
    scope: str
    phase: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    at_risk_margin: float | None = None
    source: str = ""
    responsible_unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    type: str  # gate | points
    method: str  # auto | manual
    max_points: float = 0.0
    rule: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class CriteriaSet:
    code: str
    name: str
    subject_kind: str
    criteria: tuple[Criterion, ...]
    min_points: float = 0.0
    description: str = ""
    level: str = "ward"  # CRITERIA_LEVELS: "province" scores the candidates proposed to a province award

    @property
    def gates(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.type == "gate")

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria if c.type == "points")


@dataclass(frozen=True)
class AwardForm:
    code: str
    name: str
    level: str
    issuer: str
    subject_kinds: tuple[str, ...]
    recipient: str = ""  # "Kính gửi" of the Tờ trình proposing this award
    description: str = ""
    prize_amount: int | None = None  # đồng per collective or individual (Điều 2 of the decision)
    #: "state" | "party": the kind of body that grants it (``issuer``), hence the format of the
    #: documents proposing it.
    authority: str = "state"


@dataclass(frozen=True)
class Dossier:
    form_set: str
    recipient: str
    plan_ref: tuple[str, ...]
    campaign_title: str
    award_type: str = "chuyên đề"
    issuer: str = "party"  # party | state: which heading the Tờ trình carries
    signing_authority: str = ""
    doc_symbol: str = ""  # e.g. "TTr/ĐU"


@dataclass(frozen=True)
class Preset:
    path: Path
    preset: PresetHeader
    campaign: Campaign
    phases: tuple[Phase, ...]
    tasks: tuple[Task, ...]
    units: tuple[Unit, ...]
    targets: tuple[Target, ...]
    criteria_sets: tuple[CriteriaSet, ...]
    award_forms: tuple[AwardForm, ...]
    dossier: Dossier

    @property
    def name(self) -> str:
        return self.preset.name

    def phase(self, number: int) -> Phase:
        return next(p for p in self.phases if p.number == number)

    def phase_on(self, day: dt.date) -> Phase | None:
        return next((p for p in self.phases if p.start <= day <= p.end), None)

    def target(self, code: str) -> Target:
        return next(t for t in self.targets if t.code == code)

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)

    def criteria_set_for(self, subject_kind: str, level: str = "ward") -> CriteriaSet | None:
        return next((s for s in self.criteria_sets if s.subject_kind == subject_kind and s.level == level), None)


@dataclass(frozen=True)
class PresetInfo:
    """One file of a presets folder, for a chooser. `error` is set when it cannot be used."""

    name: str
    path: Path
    title: str = ""
    source: str = ""
    locality_full: str = ""
    province: str = ""
    campaign_start: dt.date | None = None
    campaign_end: dt.date | None = None
    default: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
