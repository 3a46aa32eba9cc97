"""The one source of every Form 08 figure: the status service's per-unit results and the scoring
service's facts at the dossier date, read once per dossier; and the wording of counts, results
and dates the report shares."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import unit_tree, vocab
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.services import scoring as scs
from bdhvs_desktop.services.scoring import ScoringError, compute_scores
from bdhvs_desktop.services.status import compute_status
from bdhvs_desktop.storage import models as m

#: Narrative fields (services.dossier.NARRATIVE_KEYS) that apply to one kind of candidate only.
COLLECTIVE_ONLY = ("functions", "structure")


INDIVIDUAL_ONLY = ("occupation", "professional", "political_theory")


#: A summary made from the score ("68/100 điểm, xếp thứ 2") is not an achievement.
_SCORE_TEXT = re.compile(r"\d+(?:[.,]\d+)?\s*/\s*\d+(?:[.,]\d+)?\s*điểm|xếp thứ\s*\d")


_POPULATION = ("vneid_party_members", "vneid_public_servants", "vneid_cadres")


_COUNT_WORDS = {"models_per_unit": "mô hình", "thematic_meetings": "buổi",
                "excellent_models_quota": "mô hình"}


_ACTIVITY_UNITS = {"class": "lớp", "guidance": "buổi", "broadcast": "lần", "thematic_meeting": "buổi",
                   "training": "lớp", "other": "lần"}


_ACTIVITY_NAMES = {
    "class": "Lớp “Bình dân học vụ số”",
    "guidance": "Hướng dẫn trực tiếp (VNeID, Cổng Dịch vụ công, thanh toán QR)",
    "broadcast": "Phát thanh tuyên truyền trên loa",
    "thematic_meeting": "Sinh hoạt chuyên đề",
    "training": "Tập huấn kỹ năng số",
    "other": "Hoạt động khác",
}


def is_score_text(text: str | None) -> bool:
    return bool(text and _SCORE_TEXT.search(text))


@dataclass
class Source:
    """Everything the Form 08s read, loaded once (status, scores, facts and records)."""

    at: dt.date
    status: Any  # services.status.StatusReport
    board: Any  # services.scoring.ScoreBoard
    unit_facts: dict[int, sc.SubjectFacts]
    person_facts: dict[int, sc.SubjectFacts]
    units: dict[int, m.Unit]
    children: dict[int, list[int]]
    models: list[m.DigitalModel]
    model_by_code: dict[str, m.DigitalModel]
    replications: dict[int, list[m.ModelReplication]]
    replicated_into: dict[int, list[m.ModelReplication]]
    activities: list[m.Activity]
    solutions: dict[int, list[m.Solution]]
    mentorships: dict[int, list[m.Mentorship]]
    vneid_deadline: dt.date | None
    target_params: dict[str, dict] = field(default_factory=dict)
    people_by_unit: dict[int, list[m.Person]] = field(default_factory=dict)
    _subtree: dict[int, list[int]] = field(default_factory=dict)

    def ancestors(self, unit_id: int | None) -> tuple[int, ...]:
        """The unit and the units above it, nearest first."""
        return unit_tree.ancestors({uid: u.parent_id for uid, u in self.units.items()}, unit_id)

    def subtree(self, unit_id: int) -> list[int]:
        found = self._subtree.get(unit_id)
        if found is None:
            found = self._subtree[unit_id] = unit_tree.descendants(self.children, unit_id)
        return found

    def score(self, subject: str, subject_id: int):
        return self.board.find(subject, subject_id)


def for_candidate(src: Source, cand: m.Candidate) -> Source:
    """The source as a candidate's Form 08 reads it: scores and criteria at the level the
    candidate is proposed to (a province award: the province's criteria set)."""
    level = sc.criteria_level_of_award(cand.award_form.level if cand.award_form is not None else None)
    if level == getattr(src.board, "level", "ward"):
        return src
    return dataclasses.replace(src, board=src.board.at_level(level))


def compute_results(db, at: dt.date) -> tuple[Any, Any]:
    """(status report, score board) at the date: the two services every figure comes from."""
    from bdhvs_desktop.services.dossier.common import DossierError  # lazy: cycle dossier↔form08

    try:
        return compute_status(db, at), compute_scores(db, at)
    except ScoringError as exc:  # no campaign, a broken criteria set: the dossier says why
        raise DossierError(f"Không tính được số liệu cho Báo cáo thành tích: {exc}") from exc


def load_source(s: Session, c: m.Campaign, at: dt.date, status: Any, board: Any) -> Source:

    targets = list(s.scalars(select(m.Target).where(m.Target.campaign_id == c.id)))
    specs = scs._target_specs(s, {t.code for t in targets if t.measure in _POPULATION or t.measure == "reported"})
    unit_facts, person_facts = scs.load_facts(s, at, {}, list(specs.values()))
    units = {u.id: u for u in s.scalars(select(m.Unit))}
    children = unit_tree.children_of((u.id, u.parent_id) for u in units.values())
    models = sorted(s.scalars(select(m.DigitalModel)), key=lambda x: (x.code, x.id))
    replications: dict[int, list[m.ModelReplication]] = defaultdict(list)
    replicated_into: dict[int, list[m.ModelReplication]] = defaultdict(list)
    for r in s.scalars(select(m.ModelReplication).order_by(m.ModelReplication.replicated_on, m.ModelReplication.id)):
        if r.replicated_on is None or r.replicated_on <= at:
            replications[r.model_id].append(r)
            replicated_into[r.unit_id].append(r)
    activities = list(s.scalars(select(m.Activity).where(m.Activity.date <= at, m.Activity.date >= c.start_date)
                                .order_by(m.Activity.date, m.Activity.id)))
    solutions: dict[int, list[m.Solution]] = defaultdict(list)
    for sol in s.scalars(select(m.Solution).order_by(m.Solution.id)):
        solutions[sol.person_id].append(sol)
    mentorships: dict[int, list[m.Mentorship]] = defaultdict(list)
    for ms in s.scalars(select(m.Mentorship).order_by(m.Mentorship.id)):
        if ms.started_on is None or ms.started_on <= at:
            mentorships[ms.mentor_id].append(ms)
    people_by_unit: dict[int, list[m.Person]] = defaultdict(list)
    for p in s.scalars(select(m.Person)):
        if p.unit_id is not None:
            people_by_unit[p.unit_id].append(p)
    deadlines = [t.deadline for t in targets if t.measure in _POPULATION and t.deadline]
    first_phase = min(c.phases, key=lambda p: p.number) if c.phases else None
    return Source(at=at, status=status, board=board,
                  unit_facts={f.id: f for f in unit_facts}, person_facts={f.id: f for f in person_facts},
                  units=units, children=children, models=models, model_by_code={x.code: x for x in models},
                  replications=replications, replicated_into=replicated_into, activities=activities,
                  solutions=solutions, mentorships=mentorships,
                  vneid_deadline=min(deadlines) if deadlines else (first_phase.end_date if first_phase else None),
                  target_params={t.code: dict(t.params or {}) for t in targets},
                  people_by_unit=people_by_unit)


def _count(n: float | int | None) -> str:
    return vf.vn_count(int(n)) if n is not None else ""


def fraction(num: float, den: float | None) -> str:
    """"12.345/20.000" (the one number formatter, domain/numbers.py); just the numerator
    when there is no denominator."""
    return vn_number(num) + (f"/{vn_number(den)}" if den is not None else "")


def _pct_result(num: float, den: float) -> str:
    return f"{vf.vn_percent(vf.percent_of(num, den))} ({fraction(num, den)})"


def verdict(passed: bool | None) -> str:
    """A condition's verdict in the assessment column: the targets' own labels ("Đạt",
    "Chưa đạt"); nothing when it was not judged."""
    if passed is None:
        return ""
    return vocab.TARGET_STATUS_LABELS[vocab.TargetStatus.MET if passed else vocab.TargetStatus.MISSED]


def _assessment(status: str, value: float | None, target: float) -> str:
    if status == "met":
        return "Vượt" if value is not None and value > target + 1e-9 else verdict(True)
    if status == "not_due":
        return vocab.TARGET_STATUS_LABELS[vocab.TargetStatus.NOT_DUE]
    return verdict(False)


def _date(d: dt.date | None) -> str:
    return vf.vn_short_date(d) if d else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text
