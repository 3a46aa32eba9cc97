"""The council's scores and names at a province office.

The council features (services/council.py, services/meeting.py) score a candidate from the
records of its unit or person; a province office has no records, only the facts each ward sent
(`ward_proposal.facts`), which services/province_rank.py scores with the province's criteria. So
at a province office the council reads a `ScoreBoard` made from that ranking, keyed by the
province's own unit and person ids of the candidates: the meeting view, the decision's score
snapshot and "propose all" then show and keep the province's scores, and nothing is recomputed
from (absent) records. Elsewhere the ward's board is returned unchanged.

A candidate's name also carries its ward scope at a province office ("Đảng ủy UBND phường —
Phường Bình Minh"): three wards each propose a unit of the same name, and a list, a vote or the
minutes must never leave the reader to guess which.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.vocab import UnitKind
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

if TYPE_CHECKING:
    from bdhvs_desktop.services.scoring import ScoreBoard


def _is_province(db: Database) -> bool:
    from bdhvs_desktop.services.office import is_province_office

    return is_province_office(db)


def board_for(db: Database, at: dt.date | None = None, level: str = "ward") -> ScoreBoard:
    """The board the council reads: the ward's records' scores, or at a province office the
    province's scores of the wards' facts (whatever level is asked: the province has one)."""
    from bdhvs_desktop.services import scoring as scoring_service

    if not _is_province(db):
        if level == "ward":  # the ward's default, called as before the province level existed
            return scoring_service.compute_scores(db, at)
        return scoring_service.compute_scores(db, at, level=level)
    return province_board(db, at or dt.date.today())


def score_for(db: Database, subject: str, subject_id: int, at: dt.date | None = None,
              level: str = "ward") -> sc.SubjectScore | None:
    return board_for(db, at, level).find(subject, subject_id)


def province_board(db: Database, at: dt.date) -> ScoreBoard:
    """Every imported candidate's province score (services/province_rank.py), as the subject
    (unit or person) the province created for it."""
    from bdhvs_desktop.services.province_rank import rank
    from bdhvs_desktop.services.scoring import ScoreBoard

    ranking = rank(db, level="province")
    with db.read() as s:
        subjects = {cid: (stype, uid if stype == "unit" else pid) for cid, stype, uid, pid in s.execute(
            select(m.Candidate.id, m.Candidate.subject_type, m.Candidate.unit_id, m.Candidate.person_id))}
    scores = []
    for r in ranking.rows:
        subject = subjects.get(r.candidate_id)
        if subject is None:
            continue
        scores.append(sc.SubjectScore(
            subject[0], subject[1], r.key, f"{r.name} — {r.ward_name}", r.subject_kind, r.eligible, r.points,
            r.max_points, list(r.criteria), r.held_back or r.problem, r.women_first, None, r.rank, r.level,
            r.level_note))
    board = ScoreBoard(at, scores, {}, [], "province")
    board._boards.update({"ward": board, "province": board})  # one level at the province
    return board


def ward_scope_name(c: m.Candidate) -> str | None:
    """The ward an imported candidate belongs to (the name of its top ward-scope unit), or None."""
    unit = c.unit if c.subject_type == "unit" else (c.person.unit if c.person is not None else None)
    seen = 0
    while unit is not None and seen < 50:
        if unit.kind == UnitKind.WARD_SCOPE.value:
            return unit.name
        unit, seen = unit.parent, seen + 1
    return None


def scoped_name(c: m.Candidate, name: str) -> str:
    """The name as lists show it: with " — <ward>" for an imported candidate."""
    ward = ward_scope_name(c)
    return f"{name} — {ward}" if ward and ward not in name else name

