"""Scoring each imported proposal for the province's ranking: its stored score while the key
matches, else from the facts its ward sent (`ward_proposal.facts`, domain/score_facts.py) with the
criteria set of the level asked for (the ward's set, said so, when the province has none for the
kind), and the manual criteria the province's own council recorded. This process keeps what it
parsed and scored (bounded caches, `clear_caches`)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind
from bdhvs_desktop.services.province_score_store import score_from_json, score_key
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm


@dataclass
class ProposalRow:
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


def manual_entries(s, sets: list[sc.CriteriaSetDef]) -> dict[tuple[str, int], dict[str, sc.ManualEntry]]:
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
#: is parsed again). Bounded: cleared when it grows past CACHE_MAX.
_FACTS: dict[tuple[str, int], tuple[str | None, sc.SubjectFacts]] = {}


CACHE_MAX = 200_000


#: Scores by (database, candidate id) with what they were computed from: the parsed facts (the
#: object above), the criteria set (its repr: every criterion and parameter) and the manual results.
_SCORES: dict[tuple[str, int], tuple[sc.SubjectFacts, str, tuple, sc.SubjectScore]] = {}


def facts_texts(s: Session, rows: list[ProposalRow], url: str) -> dict[int, str | None]:
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
    if len(_FACTS) >= CACHE_MAX:
        _FACTS.clear()
        _SCORES.clear()
    _FACTS[key] = (digest, facts)
    return facts


#: Scores read from `ward_proposal.score`, by (database, candidate id), with their key.
_STORED: dict[tuple[str, int], tuple[str, sc.SubjectScore]] = {}


def clear_caches() -> None:
    """Forget what this process parsed and scored (the stored scores in the database stay)."""
    _FACTS.clear()
    _SCORES.clear()
    _STORED.clear()


def stored_scores(s: Session, rows: list[ProposalRow], sets: dict[str, sc.CriteriaSetDef],
                   ward_sets: dict[str, sc.CriteriaSetDef], level: str, url: str) -> None:
    """Give each row whose stored score is still valid (same key) that score: from this process's
    copy, or read (only those texts) from the database."""
    fingerprints = {cs.code: repr(cs) for cs in (*sets.values(), *ward_sets.values())}
    wanted: dict[int, tuple[ProposalRow, str, sc.CriteriaSetDef]] = {}
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
            if len(_STORED) >= CACHE_MAX:
                _STORED.clear()
            _STORED[(url, cid)] = (key, row.score)


def score_rows(rows: list[ProposalRow], sets: dict[str, sc.CriteriaSetDef], ward_sets: dict[str, sc.CriteriaSetDef],
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
        if row.score is not None:  # kept from the import (stored_scores)
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
