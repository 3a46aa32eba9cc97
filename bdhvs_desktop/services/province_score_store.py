"""What the province keeps of each imported proposal for its ranking, written inside the import.

The digest of the ward's facts, the share of votes in favour at the ward's council, and the
score under the province's criteria with the key of what it was computed from (program, level,
criteria set, manual results, facts): a ranking reads a stored score while its key still matches
instead of scoring thousands of candidates again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bdhvs_desktop import __version__
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.services.criteria import ScoringError, load_criteria_sets
from bdhvs_desktop.storage import province_models as pm


def ward_approval(votes: dict | None) -> float | None:
    """Votes in favour over the votes cast at the ward's council."""
    v = votes or {}
    total = int(v.get("for") or 0) + int(v.get("against") or 0) + int(v.get("abstain") or 0)
    return int(v.get("for") or 0) / total if total else None


def facts_digest(facts: dict[str, Any]) -> str:
    """The SHA-256 of a candidate's facts as canonical JSON (sorted keys, UTF-8)."""
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


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
