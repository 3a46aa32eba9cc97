"""The facts the scoring rules read about one unit or one person, and their plain-data form.

`SubjectFacts` (with `MemberFact`, `ModelFact`, `SolutionFact`, `TargetFact`) is what the services
gather from a ward's records; `facts_to_dict` / `facts_from_dict` turn it into JSON-safe data and
back (versioned: `FACTS_VERSION`), so a ward's proposal package can carry the facts behind a
candidate's score and a province office can score them again without the ward's database
(domain/scoring.py: `score_facts`). Pure Python, no I/O."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from bdhvs_desktop.domain.vocab import MODEL_STATUS_ORDER, ModelStatus

WOMEN_SHARE_TIE_BREAK = 0.70  # Decree 152/2025, Art. 4: a collective at least 70% women goes first
FACTS_SCHEMA = "bdhvs.subject-facts"
FACTS_VERSION = 1


@dataclass(slots=True)
class MemberFact:
    """A party member as the organisation's VNeID rule sees them."""

    name: str
    vneid_on: dt.date | None
    can_guide: bool


@dataclass(frozen=True, slots=True)
class ModelFact:
    code: str
    name: str
    rank_at: int  # lifecycle rank reached on the scoring date (-1: not yet registered)


@dataclass(slots=True)
class SolutionFact:
    title: str
    applied: bool
    applied_on: dt.date | None
    effect: str | None


@dataclass(slots=True)
class TargetFact:
    """One target's result for one unit on the scoring date (from the status service)."""

    code: str
    name: str
    value: float | None
    target: float
    status: str
    value_kind: str = "percent"
    note: str | None = None  # where the figure comes from, or why the target does not apply
    applicable: bool = True
    numerator: float | None = None  # the figures behind the value (Form 08 prints them)
    denominator: float | None = None


@dataclass(slots=True)
class SubjectFacts:
    """Everything the rules need about one unit or one person, as of the scoring date."""

    subject: str  # "unit" | "person"
    id: int
    code: str  # unit code, CCCD, or an internal id
    name: str
    kind: str  # vocab.SubjectKind
    female: bool = False  # person
    women: int = 0  # unit: women among its people (tie-break)
    headcount: int = 0
    under_discipline: bool = False
    discipline_note: str | None = None
    party_members: list[MemberFact] = field(default_factory=list)  # unit
    vneid_on: dt.date | None = None  # person
    can_guide: bool = False
    people_guided: int = 0
    mentees: int = 0
    models: list[ModelFact] = field(default_factory=list)
    activities: dict[str, list[tuple[dt.date, int]]] = field(default_factory=dict)  # kind -> [(day, count)]
    solutions: list[SolutionFact] = field(default_factory=list)
    targets: dict[str, TargetFact] = field(default_factory=dict)
    as_of: dt.date | None = None  # the scoring date the facts are about

    @property
    def women_share(self) -> float | None:
        return self.women / self.headcount if self.headcount else None

    @property
    def tie_break_first(self) -> bool:
        """Decree 152/2025, Art. 4: a woman, or a collective at least 70% women, goes first on a tie."""
        if self.subject == "person":
            return self.female
        return self.headcount > 0 and self.women * 100 >= WOMEN_SHARE_TIE_BREAK * 100 * self.headcount


# --------------------------------------------------------------------------- plain data


class FactsFormatError(ValueError):
    """Plain-data facts that cannot be read back; the message is Vietnamese and names the field."""


def _day(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _status_of_rank(rank: int) -> str | None:
    return None if rank < 0 else MODEL_STATUS_ORDER[rank].value


def facts_to_dict(facts: SubjectFacts) -> dict[str, Any]:
    """The facts as JSON-safe data (str, int, float, bool, None, lists and dicts with str keys).

    Dates are ISO text; a model's lifecycle rank is its status name ("implementing", or None when
    it had not been registered yet on the scoring date), so the data does not depend on the
    order of the statuses in this program's version."""
    return {
        "schema": FACTS_SCHEMA,
        "version": FACTS_VERSION,
        "as_of": _day(facts.as_of),
        "subject": facts.subject,
        "id": facts.id,
        "code": facts.code,
        "name": facts.name,
        "kind": facts.kind,
        "female": facts.female,
        "women": facts.women,
        "headcount": facts.headcount,
        "under_discipline": facts.under_discipline,
        "discipline_note": facts.discipline_note,
        "party_members": [{"name": p.name, "vneid_on": _day(p.vneid_on), "can_guide": p.can_guide}
                          for p in facts.party_members],
        "vneid_on": _day(facts.vneid_on),
        "can_guide": facts.can_guide,
        "people_guided": facts.people_guided,
        "mentees": facts.mentees,
        "models": [{"code": x.code, "name": x.name, "status_at": _status_of_rank(x.rank_at)} for x in facts.models],
        "activities": {kind: [[d.isoformat(), n] for d, n in rows] for kind, rows in facts.activities.items()},
        "solutions": [{"title": x.title, "applied": x.applied, "applied_on": _day(x.applied_on), "effect": x.effect}
                      for x in facts.solutions],
        "targets": {code: {"code": t.code, "name": t.name, "value": t.value, "target": t.target, "status": t.status,
                           "value_kind": t.value_kind, "note": t.note, "applicable": t.applicable,
                           "numerator": t.numerator, "denominator": t.denominator}
                    for code, t in facts.targets.items()},
    }


class _Reader:
    """Typed access to one dict of plain data, with the path in every message."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise FactsFormatError(f"{where}: phải là một đối tượng (dict), không phải {type(data).__name__}.")
        self.data, self.where = data, where

    def _get(self, key: str, default: Any, required: bool) -> Any:
        if key not in self.data:
            if required:
                raise FactsFormatError(f"{self.where}: thiếu trường “{key}”.")
            return default
        return self.data[key]

    def _bad(self, key: str, what: str) -> FactsFormatError:
        return FactsFormatError(f"{self.where}.{key}: phải là {what}, không phải {self.data.get(key)!r}.")

    def text(self, key: str, *, required: bool = True, optional: bool = False) -> str | None:
        value = self._get(key, None, required)
        if value is None and (optional or not required):
            return None
        if not isinstance(value, str):
            raise self._bad(key, "chuỗi ký tự")
        return value

    def integer(self, key: str, default: int = 0, *, required: bool = False) -> int:
        value = self._get(key, default, required)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "số nguyên")
        return value

    def number(self, key: str, *, optional: bool = False, required: bool = True) -> float | None:
        value = self._get(key, None, required)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._bad(key, "số")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, default, False)
        if not isinstance(value, bool):
            raise self._bad(key, "true hoặc false")
        return value

    def day(self, key: str) -> dt.date | None:
        value = self._get(key, None, False)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else _raise()
        except (TypeError, ValueError):
            raise self._bad(key, "ngày dạng YYYY-MM-DD") from None

    def items(self, key: str) -> list[Any]:
        value = self._get(key, [], False)
        if not isinstance(value, list):
            raise self._bad(key, "một danh sách")
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        value = self._get(key, {}, False)
        if not isinstance(value, dict):
            raise self._bad(key, "một đối tượng (dict)")
        return value


def _raise() -> dt.date:
    raise ValueError


def facts_from_dict(data: dict[str, Any]) -> SubjectFacts:
    """The facts `facts_to_dict` wrote (any version up to `FACTS_VERSION`); FactsFormatError
    (Vietnamese, naming the field) when the data is not such facts."""
    r = _Reader(data, "facts")
    if data.get("schema", FACTS_SCHEMA) != FACTS_SCHEMA:
        raise FactsFormatError(f"facts.schema: phải là “{FACTS_SCHEMA}”, không phải {data.get('schema')!r}.")
    version = r.integer("version", required=True)
    if not 1 <= version <= FACTS_VERSION:
        raise FactsFormatError(f"facts.version: phiên bản {version} của dữ liệu sự kiện chưa được hỗ trợ "
                               f"(chương trình này đọc đến phiên bản {FACTS_VERSION}); hãy cập nhật chương trình.")
    subject = r.text("subject")
    if subject not in ("unit", "person"):
        raise FactsFormatError(f"facts.subject: phải là “unit” hoặc “person”, không phải {subject!r}.")
    members = []
    for i, x in enumerate(r.items("party_members")):
        p = _Reader(x, f"facts.party_members[{i}]")
        members.append(MemberFact(p.text("name") or "", p.day("vneid_on"), p.flag("can_guide")))
    models = []
    for i, x in enumerate(r.items("models")):
        p = _Reader(x, f"facts.models[{i}]")
        status = p.text("status_at", required=False, optional=True)
        if status is not None and status not in {s.value for s in ModelStatus}:
            raise FactsFormatError(f"facts.models[{i}].status_at: mức mô hình không hợp lệ: {status!r}.")
        rank = -1 if status is None else MODEL_STATUS_ORDER.index(ModelStatus(status))
        models.append(ModelFact(p.text("code") or "", p.text("name") or "", rank))
    activities: dict[str, list[tuple[dt.date, int]]] = {}
    for kind, rows in r.mapping("activities").items():
        where = f"facts.activities.{kind}"
        if not isinstance(rows, list):
            raise FactsFormatError(f"{where}: phải là một danh sách [ngày, số buổi].")
        out = []
        for j, row in enumerate(rows):
            ok = (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)
                  and isinstance(row[1], int) and not isinstance(row[1], bool))
            try:
                day = dt.date.fromisoformat(row[0]) if ok else None
            except ValueError:
                day = None
            if day is None:
                raise FactsFormatError(f"{where}[{j}]: phải là [ngày YYYY-MM-DD, số buổi], không phải {row!r}.")
            out.append((day, row[1]))
        activities[kind] = out
    solutions = []
    for i, x in enumerate(r.items("solutions")):
        p = _Reader(x, f"facts.solutions[{i}]")
        solutions.append(SolutionFact(p.text("title") or "", p.flag("applied"), p.day("applied_on"),
                                      p.text("effect", required=False, optional=True)))
    targets: dict[str, TargetFact] = {}
    for code, x in r.mapping("targets").items():
        p = _Reader(x, f"facts.targets.{code}")
        targets[code] = TargetFact(p.text("code") or "", p.text("name") or "", p.number("value", optional=True),
                                   p.number("target") or 0.0, p.text("status") or "",
                                   p.text("value_kind", required=False) or "percent",
                                   p.text("note", required=False, optional=True), p.flag("applicable", True),
                                   p.number("numerator", optional=True, required=False),
                                   p.number("denominator", optional=True, required=False))
    return SubjectFacts(
        subject, r.integer("id", required=True), r.text("code") or "", r.text("name") or "", r.text("kind") or "",
        female=r.flag("female"), women=r.integer("women"), headcount=r.integer("headcount"),
        under_discipline=r.flag("under_discipline"),
        discipline_note=r.text("discipline_note", required=False, optional=True),
        party_members=members, vneid_on=r.day("vneid_on"), can_guide=r.flag("can_guide"),
        people_guided=r.integer("people_guided"), mentees=r.integer("mentees"), models=models,
        activities=activities, solutions=solutions, targets=targets, as_of=r.day("as_of"))
