"""The province's ranking of every candidate the wards proposed, across wards.

Each candidate is scored from the facts its ward sent (`ward_proposal.facts`, domain/score_facts.py)
with the province's criteria set of its kind (`criteria_set.level = "province"`; explanations
start “Tiêu chí cấp tỉnh: ”, so a failed rule says which level's rule it is), and the manual
criteria the province's own council recorded. Nothing is recomputed from records: the province
has none. When the campaign has no province set for a kind, the ward's set is used and every
such row says so.

The order within a subject kind is deterministic and explained: more points first; on equal
points a woman, or a collective at least 70% women, first (Decree 152/2025/NĐ-CP, Art. 4); then
the larger share of votes in favour at the ward's council; then the name (A→Z, without
diacritics); then the ward's code and the candidate's key. Every candidate whose points equal the
one above it carries a note saying which of these put it below. Only the eligible are ranked."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, select, update
from sqlalchemy.orm import Session

from bdhvs_desktop import __version__
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind
from bdhvs_desktop.services.criteria import ScoringError, load_criteria_sets
from bdhvs_desktop.services.province_views import ProvinceError, require_office
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database

_fold = functools.lru_cache(maxsize=65536)(fold)  # names repeat across rankings
KIND_ORDER = [SubjectKind.PARTY_ORG.value, SubjectKind.COLLECTIVE.value, SubjectKind.INDIVIDUAL.value]


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate's province score and place (rank None: not eligible)."""

    rank: int | None
    candidate_id: int
    ward_code: str
    ward_name: str
    key: str
    name: str
    subject_type: str
    subject_kind: str
    award_name: str | None
    eligible: bool
    points: float
    max_points: float
    level: str  # the level of the criteria set applied
    criteria_set: str | None
    criteria: tuple[sc.CriterionScore, ...]
    held_back: str | None
    level_note: str | None  # the province has no set of this level for the kind
    problem: str | None  # the ward's facts could not be scored (why, in Vietnamese)
    tie_note: str | None
    women_first: bool
    approval: float | None  # votes for / (for + against + abstain) at the ward's council
    ward_points: float | None

    @property
    def scope(self) -> str:
        return f"{self.ward_name} ({self.ward_code})"

    @property
    def failed(self) -> tuple[str, ...]:
        """The explanations of the gates not met (they say the level: “Tiêu chí cấp tỉnh: …”)."""
        out = [c.explanation for c in self.criteria if c.type == "gate" and not c.passed]
        return tuple(out + ([self.held_back] if self.held_back else []) + ([self.problem] if self.problem else []))


@dataclass(frozen=True)
class Ranking:
    level: str
    rows: tuple[RankedCandidate, ...]  # by kind (party organisations, collectives, individuals), then place
    seconds: float

    def of_kind(self, kind: str) -> list[RankedCandidate]:
        return [r for r in self.rows if r.subject_kind == kind]


@dataclass
class _Row:
    proposal: Any  # the columns read (candidate_id, ward_code, candidate_key, name, ..., score_key)
    ward_name: str
    manual: dict[str, sc.ManualEntry]
    approval: float | None
    score: sc.SubjectScore | None = None
    facts: sc.SubjectFacts | None = None
    problem: str | None = None
    note: str | None = None
    cset: sc.CriteriaSetDef | None = None
    key: tuple | None = None  # the sort key, computed once


def ward_approval(votes: dict | None) -> float | None:
    """Votes in favour over the votes cast at the ward's council."""
    v = votes or {}
    total = int(v.get("for") or 0) + int(v.get("against") or 0) + int(v.get("abstain") or 0)
    return int(v.get("for") or 0) / total if total else None


def rank(db: Database, *, level: str = "province", ward: str | None = None) -> Ranking:
    """Score every imported candidate (or one ward's) with the criteria of `level` and rank them
    across wards, per subject kind."""
    if level not in sc.CRITERIA_LEVELS:
        raise ProvinceError(f"Cấp tiêu chí không hợp lệ: {level!r} (chỉ có {', '.join(sc.CRITERIA_LEVELS)}).")
    require_office(db)
    started = time.perf_counter()
    # The tens of thousands of small objects a ranking makes trigger the cyclic garbage collector
    # again and again (about a fifth of the time, measured); they make no cycles to collect now.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _rank(db, level, ward, started)
    finally:
        if collecting:
            gc.enable()


def _rank(db: Database, level: str, ward: str | None, started: float) -> Ranking:
    with db.read() as s:
        try:
            sets = load_criteria_sets(s, level)
            ward_sets = load_criteria_sets(s, "ward") if level != "ward" else sets
        except ScoringError as exc:  # a criterion the preset got wrong (Vietnamese): shown as is
            raise ProvinceError(str(exc)) from exc
        w = pm.WardProposal
        # Only the columns the ranking reads, the JSON ones as their text (parsed below, the facts
        # once per process: a ward's proposal never changes after its import).
        q = (select(w.candidate_id, w.ward_code, w.candidate_key, w.name, w.subject_type, w.subject_kind, w.award_name,
                    w.facts_sha256, w.ward_approval, w.ward_points,
                    w.score_key, pm.WardPackage.ward_name, m.Candidate.unit_id, m.Candidate.person_id)
             .join(pm.WardPackage, pm.WardPackage.id == pm.WardProposal.package_id)
             .join(m.Candidate, m.Candidate.id == pm.WardProposal.candidate_id))
        if ward is not None:
            q = q.where(pm.WardProposal.ward_code == ward)
        rows_db = s.execute(q.order_by(pm.WardProposal.id)).all()
        manual = _manual_entries(s, [c for d in (sets, ward_sets) for c in d.values()])
        rows = []
        for p in rows_db:
            subject = ("unit", p.unit_id) if p.subject_type == "unit" else ("person", p.person_id)
            rows.append(_Row(p, p.ward_name, manual.get(subject, {}), p.ward_approval))
        _stored_scores(s, rows, sets, ward_sets, level, db.url)
        facts = _facts_texts(s, [r for r in rows if r.score is None], db.url)
    _score(rows, sets, ward_sets, level, db.url, facts)
    ranked = _order(rows)
    return Ranking(level, tuple(ranked), time.perf_counter() - started)


def _manual_entries(s, sets: list[sc.CriteriaSetDef]) -> dict[tuple[str, int], dict[str, sc.ManualEntry]]:
    """The province council's results of the manual criteria, by subject and criterion code."""
    code_of = {c.id: c.code for cset in sets for c in cset.criteria if c.method == "manual" and c.id is not None}
    out: dict[tuple[str, int], dict[str, sc.ManualEntry]] = defaultdict(dict)
    if not code_of:
        return out
    for r in s.scalars(select(m.ManualResult).where(m.ManualResult.criterion_id.in_(code_of))):
        out[(r.subject_type, r.subject_id)][code_of[r.criterion_id]] = sc.ManualEntry(
            r.passed, r.points, r.evidence, r.recorded_by, r.recorded_at)
    return out


#: Parsed facts by (database, candidate id), with the text they were parsed from (a changed text
#: is parsed again). Bounded: cleared when it grows past _CACHE_MAX.
_FACTS: dict[tuple[str, int], tuple[str | None, sc.SubjectFacts]] = {}
_CACHE_MAX = 200_000
#: Scores by (database, candidate id) with what they were computed from: the parsed facts (the
#: object above), the criteria set (its repr: every criterion and parameter) and the manual results.
_SCORES: dict[tuple[str, int], tuple[sc.SubjectFacts, str, tuple, sc.SubjectScore]] = {}


def facts_digest(facts: dict[str, Any]) -> str:
    """The SHA-256 of a candidate's facts as canonical JSON (sorted keys, UTF-8)."""
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _facts_texts(s: Session, rows: list[_Row], url: str) -> dict[int, str | None]:
    """The facts (text) of the rows to score here, except those this process has parsed already."""
    ids = [r.proposal.candidate_id for r in rows
           if (hit := _FACTS.get((url, r.proposal.candidate_id))) is None or hit[0] != r.proposal.facts_sha256]
    out: dict[int, str | None] = {}
    for i in range(0, len(ids), 5000):
        out.update(s.execute(select(pm.WardProposal.candidate_id, cast(pm.WardProposal.facts, Text))
                             .where(pm.WardProposal.candidate_id.in_(ids[i:i + 5000]))).tuples().all())
    return out


def _facts(url: str, candidate_id: int, digest: str | None, texts: dict[int, str | None]) -> sc.SubjectFacts:
    key = (url, candidate_id)
    hit = _FACTS.get(key)
    if hit is not None and hit[0] == digest and candidate_id not in texts:
        return hit[1]
    text = texts.get(candidate_id)
    data = json.loads(text) if text else None
    if not data:
        raise sc.RuleError("phường không gửi dữ liệu sự kiện (facts) của hồ sơ này.")
    facts = sc.facts_from_dict(data)
    if len(_FACTS) >= _CACHE_MAX:
        _FACTS.clear()
        _SCORES.clear()
    _FACTS[key] = (digest, facts)
    return facts


def score_key(level: str, fingerprint: str, manual: tuple, facts_sha256: str | None) -> str:
    """What a stored score was computed from: the program (its rules), the level, the criteria set
    (repr: every criterion and parameter), the manual results and the facts (their digest)."""
    return hashlib.sha256(f"{__version__}\x1f{sc.FACTS_VERSION}\x1f{level}\x1f{fingerprint}\x1f{manual!r}\x1f"
                          f"{facts_sha256}".encode()).hexdigest()


def score_to_json(score: sc.SubjectScore) -> dict[str, Any]:
    """A score as compact data: each criterion's result without what its criteria set says (the
    stored score's key names the set, so reading it back takes those from the set)."""
    return {"s": [score.subject, score.subject_id, score.id, score.name, score.kind, score.eligible, score.points,
                  score.max_points, score.held_back, score.tie_break_first, score.women_share, score.level,
                  score.level_note],
            "c": [[c.code, c.passed, c.points, c.explanation] + (
                [c.evidence, c.recorded_by, c.recorded_at.isoformat() if c.recorded_at else None]
                if c.evidence or c.recorded_by or c.recorded_at else []) for c in score.criteria]}


def score_from_json(data: dict[str, Any], cset: sc.CriteriaSetDef,
                    shared: dict[tuple, sc.CriterionScore] | None = None) -> sc.SubjectScore:
    """A score score_to_json wrote with the criteria set `cset`; `shared`: the criterion results
    read so far (people with the same result share one immutable CriterionScore, as when scored).
    KeyError when the set has no criterion of a code written (then the score is computed again)."""
    (subject, subject_id, code, name, kind, eligible, points, max_points, held_back, first, women, level,
     note) = data["s"]
    shared = {} if shared is None else shared
    defs = {c.code: c for c in cset.criteria}
    criteria = []
    for c in data["c"]:
        key = tuple(c)
        result = shared.get(key)
        if result is None:
            d = defs[c[0]]
            extra = (c[4], c[5], dt.datetime.fromisoformat(c[6]) if c[6] else None) if len(c) > 4 else (None,) * 3
            result = shared[key] = sc.CriterionScore(d.code, d.name, d.type, d.method, c[1], c[2],
                                                     d.max_points if d.type == "points" else 0.0, c[3], *extra, d.id)
        criteria.append(result)
    return sc.SubjectScore(subject, subject_id, code, name, kind, eligible, points, max_points, criteria, held_back,
                           first, women, None, level, note)


def store_scores(s: Session, package_id: int, level: str = "province") -> int:
    """Score the candidates of one imported package (inside the import's transaction) and keep the
    scores with their keys, so the first ranking on any workstation reads them instead of scoring
    3,000 candidates again. Returns how many were kept."""
    try:
        sets = load_criteria_sets(s, level)
    except ScoringError:
        return 0  # the ranking reports the set's problem
    w = pm.WardProposal
    rows_db = s.execute(select(w.id, w.subject_kind, w.facts, w.facts_sha256).where(w.package_id == package_id)).all()
    plans = {cs.code: (sc.compile_plan(cs), repr(cs)) for cs in sets.values()}
    memos: dict[tuple[str, dt.date], list[dict]] = {}
    kept, updates = [], []
    for r in rows_db:
        cset = sets.get(r.subject_kind)
        if cset is None or not r.facts:
            continue
        try:
            facts = sc.facts_from_dict(r.facts)
            if facts.kind != cset.subject_kind or facts.as_of is None:
                continue
        except (sc.FactsFormatError, ValueError):
            continue
        plan, fingerprint = plans[cset.code]
        kept.append(facts)  # alive until the end: the memo's keys are identities of its lists
        score = sc.score_subject(facts, cset, facts.as_of, {}, plan, memos.setdefault((cset.code, facts.as_of),
                                                                                     [{} for _ in plan]))
        updates.append({"id": r.id, "score_key": score_key(level, fingerprint, (), r.facts_sha256),
                        "score": json.dumps(score_to_json(score), ensure_ascii=False, separators=(",", ":"))})
    if updates:
        s.execute(update(pm.WardProposal), updates)
    return len(updates)


#: Scores read from `ward_proposal.score`, by (database, candidate id), with their key.
_STORED: dict[tuple[str, int], tuple[str, sc.SubjectScore]] = {}


def clear_caches() -> None:
    """Forget what this process parsed and scored (the stored scores in the database stay)."""
    _FACTS.clear()
    _SCORES.clear()
    _STORED.clear()


def _stored_scores(s: Session, rows: list[_Row], sets: dict[str, sc.CriteriaSetDef],
                   ward_sets: dict[str, sc.CriteriaSetDef], level: str, url: str) -> None:
    """Give each row whose stored score is still valid (same key) that score: from this process's
    copy, or read (only those texts) from the database."""
    fingerprints = {cs.code: repr(cs) for cs in (*sets.values(), *ward_sets.values())}
    wanted: dict[int, tuple[_Row, str, sc.CriteriaSetDef]] = {}
    for row in rows:
        p = row.proposal
        cset = sets.get(p.subject_kind) or ward_sets.get(p.subject_kind)
        if p.score_key is None or cset is None:
            continue
        manual = tuple(sorted(row.manual.items()))
        if p.score_key != score_key(level, fingerprints[cset.code], manual, p.facts_sha256):
            continue
        hit = _STORED.get((url, p.candidate_id))
        if hit is not None and hit[0] == p.score_key:
            row.score = hit[1]
        else:
            wanted[p.candidate_id] = (row, p.score_key, cset)
    if not wanted:
        return
    ids = list(wanted)
    shared: dict[tuple, sc.CriterionScore] = {}
    for i in range(0, len(ids), 5000):
        for cid, text in s.execute(select(pm.WardProposal.candidate_id, pm.WardProposal.score)
                                   .where(pm.WardProposal.candidate_id.in_(ids[i:i + 5000]))):
            row, key, cset = wanted[cid]
            try:
                row.score = score_from_json(json.loads(text), cset, shared)
            except (KeyError, ValueError, TypeError, IndexError):
                continue  # not readable: scored again below
            if len(_STORED) >= _CACHE_MAX:
                _STORED.clear()
            _STORED[(url, cid)] = (key, row.score)


def _score(rows: list[_Row], sets: dict[str, sc.CriteriaSetDef], ward_sets: dict[str, sc.CriteriaSetDef],
           level: str, url: str, texts: dict[int, str | None]) -> None:
    plans: dict[str, Any] = {cs.code: (sc.compile_plan(cs), repr(cs)) for cs in (*sets.values(), *ward_sets.values())}
    memos: dict[tuple[str, dt.date], list[dict]] = {}
    for row in rows:
        p = row.proposal
        cset = sets.get(p.subject_kind)
        if cset is None and ward_sets.get(p.subject_kind) is not None:
            cset = ward_sets[p.subject_kind]
            row.note = (f"Kế hoạch của tỉnh chưa có bộ tiêu chí {sc.LEVEL_LABELS.get(level, level)} cho "
                        f"{SUBJECT_KIND_LABELS.get(SubjectKind(p.subject_kind), p.subject_kind).lower()}: "
                        f"chấm theo bộ “{cset.name}” ({sc.LEVEL_LABELS['ward']}).")
        row.cset = cset
        if cset is None:
            row.problem = (f"Không có bộ tiêu chí nào cho {SUBJECT_KIND_LABELS.get(SubjectKind(p.subject_kind))} "
                           "trong kế hoạch của tỉnh: chưa chấm được.")
            continue
        if row.score is not None:  # kept from the import (_stored_scores)
            continue
        try:
            plan, fingerprint = plans[cset.code]
            manual = tuple(sorted(row.manual.items()))
            facts = _facts(url, p.candidate_id, p.facts_sha256, texts)
            if facts.kind != cset.subject_kind:
                raise sc.RuleError(f"dữ liệu sự kiện ghi loại {facts.kind}, hồ sơ là {cset.subject_kind}.")
            day = facts.as_of
            if day is None:
                raise sc.RuleError("dữ liệu sự kiện không ghi ngày tính điểm (as_of).")
            hit = _SCORES.get((url, p.candidate_id))
            if hit is not None and hit[0] is facts and hit[1] == fingerprint and hit[2] == manual:
                row.score = hit[3]  # the same facts, criteria and manual results: the same score
                continue
            memo = memos.setdefault((cset.code, day), [{} for _ in plan])
            row.facts = facts  # kept alive: the memo's keys are identities of its lists
            row.score = sc.score_subject(facts, cset, day, row.manual, plan, memo)
            _SCORES[(url, p.candidate_id)] = (facts, fingerprint, manual, row.score)
        except (sc.RuleError, sc.FactsFormatError, ValueError) as exc:
            row.problem = f"Không chấm được hồ sơ của {row.ward_name} ({p.ward_code}): {exc}"


def _sort_key(row: _Row) -> tuple:
    if row.key is None:
        p, sc_ = row.proposal, row.score
        approval = row.approval
        row.key = (-round(sc_.points, 6) if sc_ else 0.0, 0 if sc_ and sc_.tie_break_first else 1,
                   -(approval if approval is not None else -1.0), _fold(p.name), p.ward_code, p.candidate_key)
    return row.key


def _tie_reason(above: _Row, row: _Row) -> str:
    ka, kb = _sort_key(above), _sort_key(row)
    who = f"{above.proposal.name} ({above.ward_name})"
    if ka[1] != kb[1]:
        female = "là nữ" if above.proposal.subject_type == "person" else "là tập thể có từ 70% nữ"
        return f"{who} {female}, được xếp trước khi bằng điểm (Nghị định 152/2025/NĐ-CP, Điều 4)"
    if ka[2] != kb[2]:
        a, b = above.approval, row.approval
        shown = f"{a:.0%}" if a is not None else "không rõ"
        mine = f"{b:.0%}" if b is not None else "không rõ"
        return f"tỷ lệ phiếu đồng ý tại Hội đồng phường thấp hơn ({mine}, so với {shown} của {who})"
    if ka[3] != kb[3]:
        return f"cùng điểm và tỷ lệ phiếu với {who}: xếp theo họ tên, A→Z"
    return f"cùng điểm, tỷ lệ phiếu và tên với {who}: xếp theo mã phường, rồi mã hồ sơ"


def _order(rows: list[_Row]) -> list[RankedCandidate]:
    by_kind: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_kind[row.proposal.subject_kind].append(row)
    out: list[RankedCandidate] = []
    for kind in sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER)):
        group = by_kind[kind]
        eligible = sorted((r for r in group if r.score is not None and r.score.eligible), key=_sort_key)
        rest = sorted((r for r in group if r.score is None or not r.score.eligible), key=_sort_key)
        for place, row in enumerate(eligible, start=1):
            above = eligible[place - 2] if place > 1 else None
            tie = None
            if above is not None and round(above.score.points, 6) == round(row.score.points, 6):
                tie = f"Bằng {sc.points_text(round(row.score.points, 2))} điểm; xếp dưới vì {_tie_reason(above, row)}."
            out.append(_ranked(row, place, tie))
        out.extend(_ranked(row, None, None) for row in rest)
    return out


def _ranked(row: _Row, place: int | None, tie: str | None) -> RankedCandidate:
    p, s = row.proposal, row.score
    cset = row.cset
    return RankedCandidate(
        place, p.candidate_id, p.ward_code, row.ward_name, p.candidate_key, p.name, p.subject_type, p.subject_kind,
        p.award_name, bool(s and s.eligible), s.points if s else 0.0, s.max_points if s else (cset.max_points if cset else 0.0),
        cset.level if cset else "province", cset.name if cset else None, tuple(s.criteria) if s else (),
        s.held_back if s else None, row.note, row.problem, tie, bool(s and s.tie_break_first), row.approval,
        p.ward_points)
