"""Scoring: a criteria set's criteria applied to a subject's facts, gates and points,
eligibility, the rules of the law on top (discipline holds a candidate back; on a tie a woman, or
a collective at least 70% women, goes first — Decree 152/2025, Art. 4), and the ranking.

A criteria set has a level: "ward" (the ward's own awards) or "province" (a candidate the ward
proposes to the province is scored against the province's stricter set; its explanations say
“Tiêu chí cấp tỉnh: …”). `score_facts` scores plain facts (domain/score_facts.py) with no database.

Pure Python: the services layer gathers the records into the facts; the rule library is in
domain/score_rules.py. The names of both modules stay importable from here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bdhvs_desktop.domain.score_facts import (  # noqa: F401  (re-exported: the old home of the facts)
    FACTS_VERSION,
    WOMEN_SHARE_TIE_BREAK,
    FactsFormatError,
    MemberFact,
    ModelFact,
    SolutionFact,
    SubjectFacts,
    TargetFact,
    facts_from_dict,
    facts_to_dict,
)
from bdhvs_desktop.domain.score_rules import (  # noqa: F401  (re-exported: the old home of the rule library)
    MAX_NAMES,
    NO_MEMO,
    RULES,
    ParamSpec,
    RuleError,
    RuleOutcome,
    RuleSpec,
    _num,
    check_params,
    model_rank_at,
    points_text,
    rule_min_activities,
    rule_min_models,
    rule_min_people_guided,
    rule_not_disciplined,
    rule_party_members_vneid,
    rule_person_vneid,
    rule_solution_applied,
    rule_target_met,
    vn_date,
)
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import AwardLevel, award_level_rank

#: The levels a criteria set can have, lowest first, with the words an explanation starts with.
CRITERIA_LEVELS = ("ward", "province")
LEVEL_LABELS = {"ward": "cấp phường", "province": "cấp tỉnh"}
LEVEL_PREFIX = {"ward": "Tiêu chí cấp phường: ", "province": "Tiêu chí cấp tỉnh: "}


def criteria_level_of_award(award_level: str | None) -> str:
    """The criteria level a candidate is scored at from its award form's level: "province" for an
    award granted at the province or above, "ward" for anything below (or no award chosen yet)."""
    try:
        return "province" if award_level_rank(award_level or "ward") >= award_level_rank(AwardLevel.PROVINCE) \
            else "ward"
    except ValueError:
        return "ward"


# --------------------------------------------------------------------------- criteria and scores


@dataclass(frozen=True)
class CriterionDef:
    code: str
    name: str
    type: str  # gate | points
    method: str  # auto | manual
    max_points: float = 0.0
    rule: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class CriteriaSetDef:
    code: str
    name: str
    subject_kind: str
    criteria: tuple[CriterionDef, ...]
    id: int | None = None
    level: str = "ward"  # CRITERIA_LEVELS: the ward's own awards, or the province's

    @functools.cached_property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria if c.type == "points")


@dataclass(frozen=True)
class ManualEntry:
    passed: bool | None
    points: float | None
    evidence: str | None
    recorded_by: str | None
    recorded_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion's result for one subject. Immutable: subjects with the same inputs share one."""

    code: str
    name: str
    type: str
    method: str
    passed: bool
    points: float
    max_points: float
    explanation: str
    evidence: str | None = None
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    criterion_id: int | None = None


@dataclass(slots=True)
class SubjectScore:
    subject: str
    subject_id: int
    id: str  # unit code, CCCD, or an internal id
    name: str
    kind: str
    eligible: bool
    points: float
    max_points: float
    criteria: list[CriterionScore]
    held_back: str | None = None  # the rule of the law that holds the subject back
    tie_break_first: bool = False
    women_share: float | None = None
    rank: int | None = None
    level: str = "ward"  # the level of the criteria set applied
    level_note: str | None = None  # why the set applied is not of the level asked for

    def as_json(self) -> dict[str, Any]:
        """The JSON of `bdhvs score --json` (exactly these keys)."""
        return {
            "subject": self.subject, "id": self.id, "name": self.name, "kind": self.kind,
            "eligible": self.eligible, "points": round(self.points, 2), "max_points": round(self.max_points, 2),
            "rank": self.rank,
            "criteria": [{"code": c.code, "name": c.name, "type": c.type, "passed": c.passed,
                          "points": round(c.points, 2), "explanation": c.explanation} for c in self.criteria],
        }


def _manual(c: CriterionDef, f: SubjectFacts, entry: ManualEntry | None) -> tuple[bool, float, str]:
    if entry is None:
        return False, 0.0, "chưa có kết quả do Thư ký hoặc Hội đồng ghi nhận cho tiêu chí này."
    when = f" ngày {vn_date(entry.recorded_at.date())}" if entry.recorded_at else ""
    who = f"{entry.recorded_by or 'không rõ người ghi'}{when}"
    evidence = f"; căn cứ: {entry.evidence}" if entry.evidence else "; chưa ghi căn cứ"
    if c.type == "gate":
        passed = bool(entry.passed)
        return passed, 0.0, f"{'đạt' if passed else 'không đạt'} (ghi nhận bởi {who}{evidence})."
    pts = max(0.0, min(float(entry.points or 0.0), c.max_points))
    return pts > 0, pts, f"{_num(pts)}/{_num(c.max_points)} điểm (ghi nhận bởi {who}{evidence})."


Plan = list[tuple[CriterionDef, Any, bool, Any]]


def _prefix(cset: CriteriaSetDef) -> str:
    """The words a criterion's explanation starts with: none for the ward's own set (the texts
    the ward has always read), “Tiêu chí cấp tỉnh: ” for the province's."""
    return LEVEL_PREFIX[cset.level] if cset.level != "ward" else ""


def compile_plan(cset: CriteriaSetDef) -> Plan:
    """Each criterion with its rule function (and the person key of the rule) looked up once."""
    plan: Plan = []
    for c in cset.criteria:
        func = key = None
        if c.method != "manual":
            spec = RULES.get(c.rule or "")
            if spec is None:
                raise RuleError(f"tiêu chí {c.code}: không có quy tắc “{c.rule}” trong thư viện quy tắc.")
            func, key = spec.func, spec.person_key
        plan.append((c, func, bool(c.params.get("partial")), key))
    return plan


def _evaluate(c: CriterionDef, func: Any, partial: bool, facts: SubjectFacts, at: dt.date,
              entry: ManualEntry | None, prefix: str = "") -> CriterionScore:
    is_points = c.type == "points"
    if func is None:
        passed, pts, text = _manual(c, facts, entry)
    else:
        outcome = func(facts, c.params, at)
        passed, text = outcome.passed, outcome.explanation
        pts = (c.max_points if passed else (c.max_points * outcome.fraction if partial else 0.0)) if is_points else 0.0
    # A unit's explanation names the unit ("Chi bộ Khu phố 3: 18/20 đảng viên ..."); a person's is
    # about that person's own records.
    text = f"{facts.name}: {text}" if facts.subject == "unit" else text[:1].upper() + text[1:]
    if prefix:  # a province-level rule says so: "Tiêu chí cấp tỉnh: ..."
        text = prefix + text
    if entry is None:
        return CriterionScore(c.code, c.name, c.type, c.method, passed, pts, c.max_points if is_points else 0.0,
                              text, None, None, None, c.id)
    return CriterionScore(c.code, c.name, c.type, c.method, passed, pts, c.max_points if is_points else 0.0, text,
                          entry.evidence, entry.recorded_by, entry.recorded_at, c.id)


def score_subject(facts: SubjectFacts, cset: CriteriaSetDef, at: dt.date,
                  manual: dict[str, ManualEntry] | None = None, plan: Plan | None = None,
                  memo: list[dict[Any, CriterionScore]] | None = None) -> SubjectScore:
    """Each criterion's result, the total points, eligibility, and the law on top.

    memo: one dict per criterion of the plan, shared across the people scored in one run: a
    person's result depends only on the rule's inputs (RuleSpec.person_key), so people with
    the same inputs share one immutable CriterionScore."""
    results: list[CriterionScore] = []
    eligible = True
    total = 0.0
    use_memo = memo is not None and facts.subject == "person"
    prefix = _prefix(cset)
    append = results.append
    for i, (c, func, partial, key) in enumerate(plan if plan is not None else compile_plan(cset)):
        entry = manual.get(c.code) if manual else None
        if use_memo and entry is None and (func is None or key is not None):
            cache = memo[i]  # type: ignore[index]
            k = key(facts) if func is not None else None
            result = cache.get(k) if k is not NO_MEMO else None
            if result is None:
                result = _evaluate(c, func, partial, facts, at, None, prefix)
                if k is not NO_MEMO:
                    cache[k] = result
        else:
            result = _evaluate(c, func, partial, facts, at, entry, prefix)
        if result.max_points:
            total += result.points
        elif result.type == "gate" and not result.passed:
            eligible = False
        append(result)
    held_back = None
    if facts.under_discipline:
        note = f" ({facts.discipline_note})" if facts.discipline_note else ""
        held_back = (f"Chưa xét khen thưởng: {facts.name} đang bị thi hành kỷ luật hoặc xem xét xử lý{note} "
                     "(Nghị định 152/2025/NĐ-CP, Điều 4).")
        eligible = False
    return SubjectScore(facts.subject, facts.id, facts.code, facts.name, cset.subject_kind, eligible, total,
                        cset.max_points, results, held_back, facts.tie_break_first,
                        facts.women_share if facts.subject == "unit" else None, None, cset.level)


def score_all(facts: Iterable[SubjectFacts], sets: dict[str, CriteriaSetDef], at: dt.date,
              manual: dict[tuple[str, int], dict[str, ManualEntry]] | None = None) -> list[SubjectScore]:
    """Score every subject whose kind has a criteria set, then rank them per kind.

    The facts must stay alive for the whole call (person keys may use the identity of the
    shared lists in them)."""
    facts = list(facts)
    plans = {kind: compile_plan(cset) for kind, cset in sets.items()}
    memos = {kind: [{} for _ in plan] for kind, plan in plans.items()}
    # The people's fast path: every criterion keyed (or manual), each result looked up in its memo.
    prefixes = {kind: _prefix(cset) for kind, cset in sets.items()}
    fast = {kind: [(key, memo, c, func, partial) for (c, func, partial, key), memo in zip(plan, memos[kind])]
            for kind, plan in plans.items() if all(func is None or key is not None for _c, func, _p, key in plan)}
    manual = manual or {}
    empty: dict[str, ManualEntry] = {}
    out = []
    append = out.append
    for f in facts:
        plan = plans.get(f.kind)
        if plan is None:
            continue
        entries = manual.get((f.subject, f.id), empty)
        steps = fast.get(f.kind) if f.subject == "person" and not entries else None
        if steps is None:
            append(score_subject(f, sets[f.kind], at, entries, plan, memos[f.kind]))
            continue
        results = []
        total = 0.0
        eligible = True
        prefix = prefixes[f.kind]
        for key, memo, c, func, partial in steps:
            k = key(f) if key is not None else None
            if k is NO_MEMO:
                r = _evaluate(c, func, partial, f, at, None, prefix)
            else:
                r = memo.get(k)
                if r is None:
                    r = memo[k] = _evaluate(c, func, partial, f, at, None, prefix)
            if r.max_points:
                total += r.points
            elif not r.passed and r.type == "gate":
                eligible = False
            results.append(r)
        held_back = None
        if f.under_discipline:
            note = f" ({f.discipline_note})" if f.discipline_note else ""
            held_back = (f"Chưa xét khen thưởng: {f.name} đang bị thi hành kỷ luật hoặc xem xét xử lý{note} "
                         "(Nghị định 152/2025/NĐ-CP, Điều 4).")
            eligible = False
        cset = sets[f.kind]
        append(SubjectScore("person", f.id, f.code, f.name, cset.subject_kind, eligible, total, cset.max_points,
                            results, held_back, f.female, None, None, cset.level))
    return rank_scores(out)


def rank_key(score: SubjectScore) -> tuple:
    """Higher points first; on equal points a woman (a collective ≥70% women) first; then by name."""
    return (-round(score.points, 6), 0 if score.tie_break_first else 1, fold(score.name), score.subject_id)


def _plain_key(score: SubjectScore) -> tuple:
    # The ineligible are listed by points then name; no accent folding needed for thousands of them.
    return (-score.points, score.name, score.subject_id)


def rank_scores(scores: Iterable[SubjectScore]) -> list[SubjectScore]:
    """Rank the eligible among subjects of the same kind (1, 2, 2, 4 when points and the tie-break
    are both equal); the ineligible get rank None. Returns all scores, ranked ones first per kind."""
    by_kind: dict[str, list[SubjectScore]] = {}
    out: list[SubjectScore] = []
    for s in scores:
        by_kind.setdefault(s.kind, []).append(s)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        eligible = sorted((s for s in group if s.eligible), key=rank_key)
        previous: tuple | None = None
        rank = 0
        for position, s in enumerate(eligible, start=1):
            key = rank_key(s)[:2]
            if key != previous:
                rank = position
                previous = key
            s.rank = rank
        rest = sorted((s for s in group if not s.eligible), key=_plain_key)
        for s in rest:
            s.rank = None
        out.extend(eligible)
        out.extend(rest)
    return out


def score_facts(facts: SubjectFacts, cset: CriteriaSetDef, manual: dict[str, ManualEntry] | None = None,
                at: dt.date | None = None) -> SubjectScore:
    """One subject's score from plain facts and a criteria set, with no database: what a province
    office does with the facts a ward's package carries (`facts_from_dict`). `at` defaults to the
    facts' own date; manual: the manual criteria's results by criterion code. The rank is left
    empty (rank_scores ranks a list of them)."""
    day = at or facts.as_of
    if day is None:
        raise RuleError("chưa biết ngày tính điểm: dữ liệu sự kiện không ghi ngày (as_of) và không được truyền vào.")
    if facts.kind != cset.subject_kind:
        raise RuleError(f"bộ tiêu chí “{cset.name}” dành cho {cset.subject_kind}, không chấm được "
                        f"{facts.name} ({facts.kind}).")
    return score_subject(facts, cset, day, manual or {})


def with_level_note(score: SubjectScore, note: str) -> SubjectScore:
    """A copy of a score carrying why its set is not of the level asked for (the criteria shared)."""
    return dataclasses.replace(score, level_note=note)
