"""The province's ranking of every candidate the wards proposed, across wards.

Each candidate is scored from the facts its ward sent (`ward_proposal.facts`, domain/score_facts.py)
with the province's criteria set of its kind (`criteria_set.level = "province"`; explanations
start “Tiêu chí cấp tỉnh: ”, so a failed rule says which level's rule it is), and the manual
criteria the province's own council recorded. Nothing is recomputed from records: the province
has none. When the campaign has no province set for a kind, the ward's set is used and every
such row says so (services/province_scoring.py; the scores kept at import: services/province_score_store.py).

The order within a subject kind is deterministic and explained: more points first; on equal
points a woman, or a collective at least 70% women, first (Decree 152/2025/NĐ-CP, Art. 4); then
the larger share of votes in favour at the ward's council; then the name (A→Z, without
diacritics); then the ward's code and the candidate's key. Every candidate whose points equal the
one above it carries a note saying which of these put it below (services/province_order.py). Only the
eligible are ranked."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from sqlalchemy import select

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.services.criteria import ScoringError, load_criteria_sets
from bdhvs_desktop.services.province_order import RankedCandidate, order_rows
from bdhvs_desktop.services.province_scoring import ProposalRow, facts_texts, manual_entries, score_rows, stored_scores
from bdhvs_desktop.services.province_views import ProvinceError, require_office
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class Ranking:
    level: str
    rows: tuple[RankedCandidate, ...]  # by kind (party organisations, collectives, individuals), then place
    seconds: float

    def of_kind(self, kind: str) -> list[RankedCandidate]:
        return [r for r in self.rows if r.subject_kind == kind]


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
        manual = manual_entries(s, [c for d in (sets, ward_sets) for c in d.values()])
        rows = []
        for p in rows_db:
            subject = ("unit", p.unit_id) if p.subject_type == "unit" else ("person", p.person_id)
            rows.append(ProposalRow(p, p.ward_name, manual.get(subject, {}), p.ward_approval))
        stored_scores(s, rows, sets, ward_sets, level, db.url)
        facts = facts_texts(s, [r for r in rows if r.score is None], db.url)
    score_rows(rows, sets, ward_sets, level, db.url, facts)
    ranked = order_rows(rows)
    return Ranking(level, tuple(ranked), time.perf_counter() - started)
