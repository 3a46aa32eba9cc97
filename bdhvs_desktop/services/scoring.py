"""Scores at a date for every unit and person, at the ward's level or the province's.

Which criteria set applies: `party_org` for units that are party organisations, `collective` for
other units, `individual` for people; at the level a candidate is proposed to (its award form's
level: a province award is scored with the province's set, or with the ward's set and a note when
the plan has no province set for that kind). Everything a scoring run reads comes from ONE read
session (services/fact_loader.py: the same loader the status uses, the targets measured as the status
measures them), in a handful of bulk queries, so a ward of 300 units and 30,000 people scores in
well under a second. The board keeps the facts, so another level is scored from them without
reading the database again.

Criteria set editing lives in services/criteria_edit.py and manual results in
services/manual_results.py; their names stay importable from here."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind
from bdhvs_desktop.services import target_measure
from bdhvs_desktop.services.criteria import (  # noqa: F401  (re-exported: their old home)
    ScoringError,
    load_criteria_max,
    load_criteria_sets,
    load_criteria_sets_by_level,
)
from bdhvs_desktop.services.criteria_edit import (  # noqa: F401  (re-exported: their old home)
    CriteriaSetInfo,
    CriterionInfo,
    CriterionInput,
    StaleCriterion,
    delete_criterion,
    list_criteria_sets,
    save_criterion,
)
from bdhvs_desktop.services.facts import (  # noqa: F401  (re-exported: their old home)
    _POPULATION,
    TargetSpec,
    load_facts,
    subject_kind_of_unit,
    target_specs,
)
from bdhvs_desktop.services.manual_results import (  # noqa: F401  (re-exported: their old home)
    clear_manual_result,
    manual_entries,
    record_manual_result,
)
from bdhvs_desktop.storage.engine import Database

_TargetSpec = TargetSpec  # the old private names (services/form08.py uses them)
_target_specs = target_specs
_manual_entries = manual_entries


def person_code(cccd: str | None, person_id: int) -> str:
    return cccd or f"ID-{person_id}"


def level_fallback_note(kind: str, level: str) -> str:
    """Why a subject proposed at `level` is scored with the ward's set (Vietnamese)."""
    label = str(SUBJECT_KIND_LABELS.get(kind, kind)).lower()  # type: ignore[call-overload]
    return (f"Phương án chưa có bộ tiêu chí {sc.LEVEL_LABELS.get(level, level)} cho {label}: "
            "kết quả này chấm theo bộ tiêu chí cấp phường.")


@dataclass
class ScoreBoard:
    at: dt.date
    scores: list[sc.SubjectScore]  # ranked per kind: eligible first, then the others
    sets: dict[str, sc.CriteriaSetDef]  # the set applied to each kind at this level
    missing_sets: list[str] = field(default_factory=list)  # subject kinds with no criteria set
    level: str = "ward"
    level_notes: dict[str, str] = field(default_factory=dict)  # kind -> why its set is not of this level
    # What other levels are scored from (no database read): the facts, every level's sets, manual results.
    facts: tuple[sc.SubjectFacts, ...] = field(default=(), repr=False)
    sets_by_level: dict[str, dict[str, sc.CriteriaSetDef]] = field(default_factory=dict, repr=False)
    manual_by_level: dict[str, Any] = field(default_factory=dict, repr=False)
    _boards: dict[str, ScoreBoard] = field(default_factory=dict, repr=False)

    def of_kind(self, kind: str) -> list[sc.SubjectScore]:
        return [s for s in self.scores if s.kind == kind]

    def find(self, subject: str, subject_id: int, level: str | None = None) -> sc.SubjectScore | None:
        board = self if level is None else self.at_level(level)
        return next((s for s in board.scores if s.subject == subject and s.subject_id == subject_id), None)

    def facts_of(self, subject: str, subject_id: int) -> sc.SubjectFacts | None:
        """The facts a subject was scored from (`facts_to_dict` makes them plain data)."""
        return next((f for f in self.facts if f.subject == subject and f.id == subject_id), None)

    def manual_of(self, subject: str, subject_id: int, level: str = "ward") -> dict[str, sc.ManualEntry]:
        """The manual criteria's results of a subject at a level, by criterion code."""
        return dict((self.manual_by_level.get(level) or {}).get((subject, subject_id), {}))

    def has_level(self, level: str) -> bool:
        """The plan has at least one criteria set of this level."""
        return bool(self.sets_by_level.get(level))

    def scored_level(self, level: str) -> ScoreBoard | None:
        """The board of a level if it has been scored already (None: `at_level` would score it)."""
        return self if level == self.level else self._boards.get(level)

    def at_level(self, level: str) -> ScoreBoard:
        """The board of another level, scored once from the same facts (no database read)."""
        if level == self.level:
            return self
        board = self._boards.get(level)
        if board is None:
            if level not in sc.CRITERIA_LEVELS:
                raise ScoringError(f"Cấp tiêu chí không hợp lệ: {level!r} (chỉ có: {', '.join(sc.CRITERIA_LEVELS)}).")
            ward = self if self.level == "ward" else self.at_level("ward")
            with _gc_paused():
                board = _score_level(self.at, self.facts, self.sets_by_level, self.manual_by_level, level, ward)
            board._boards = self._boards
            self._boards[self.level] = self
            self._boards[level] = board
        return board


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building tens of thousands of small acyclic
    objects: otherwise it rescans them all again and again (a third of the time for 30,000 people)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_scores(db: Database, at: dt.date | None = None, level: str = "ward") -> ScoreBoard:
    """Scores of every unit and person on `at` (today by default) at a level ("ward", the default,
    or "province"), ranked per kind; `board.at_level(...)` gives the other level from the same facts."""
    with _gc_paused():
        return _compute_scores(db, at, level)


def _compute_scores(db: Database, at: dt.date | None, level: str) -> ScoreBoard:
    at = at or dt.date.today()
    if level not in sc.CRITERIA_LEVELS:
        raise ScoringError(f"Cấp tiêu chí không hợp lệ: {level!r} (chỉ có: {', '.join(sc.CRITERIA_LEVELS)}).")
    with db.read() as s:
        by_level = load_criteria_sets_by_level(s)
        target_codes = {c.params.get("target") for sets in by_level.values() for cs in sets.values()
                        for c in cs.criteria if c.method == "auto" and c.rule == "target_met"}
        specs = target_specs(s, {t for t in target_codes if t})
        # Measured as the status measures them, in this session; VNeID shares of a unit's own
        # people and reported figures are counted in load_facts (same definitions, every unit).
        measured = {k: v for k, v in specs.items() if v.measure not in _POPULATION and v.measure != "reported"}
        targets = target_measure.unit_target_facts(s, at, measured)
        unit_facts, person_facts = load_facts(s, at, targets, list(specs.values()))
        manual = {lv: manual_entries(s, sets.values()) for lv, sets in by_level.items() if sets}
    facts = (*unit_facts, *person_facts)
    ward = _score_level(at, facts, by_level, manual, "ward", None)
    return ward if level == "ward" else ward.at_level(level)


def _score_level(at: dt.date, facts: tuple[sc.SubjectFacts, ...], by_level: dict[str, dict[str, sc.CriteriaSetDef]],
                 manual: dict[str, Any], level: str, ward: ScoreBoard | None) -> ScoreBoard:
    own = by_level.get(level, {})
    ward_sets = by_level.get("ward", {})
    notes = {kind: level_fallback_note(kind, level) for kind in ward_sets if kind not in own} if level != "ward" else {}
    try:
        scores = sc.score_all(facts, own, at, manual.get(level))
    except sc.RuleError as exc:
        raise ScoringError(str(exc)) from exc
    if notes and ward is not None:
        # No set of this level for these kinds: the ward's results (and ranks), each saying so.
        scores = sorted(scores + [sc.with_level_note(x, notes[x.kind]) for x in ward.scores if x.kind in notes],
                        key=lambda x: x.kind)
    sets = {**{k: ward_sets[k] for k in notes}, **own}
    missing = [k.value for k in SubjectKind if k.value not in sets]
    return ScoreBoard(at, scores, sets, missing, level, notes, facts, by_level, manual)


def score_of(db: Database, subject: str, subject_id: int, at: dt.date | None = None,
             level: str = "ward") -> sc.SubjectScore | None:
    """One subject's score at a level (with its rank among all subjects of its kind)."""
    return compute_scores(db, at, level).find(subject, subject_id)


def snapshot(score: sc.SubjectScore, at: dt.date) -> dict[str, Any]:
    """A JSON-able copy of a score, stored on a candidate when its result is locked."""
    data = score.as_json()
    data["as_of"] = at.isoformat()
    data["held_back"] = score.held_back
    data["level"] = score.level
    data["level_note"] = score.level_note
    for c, src in zip(data["criteria"], score.criteria):
        c["max_points"] = src.max_points
        c["method"] = src.method
        c["evidence"] = src.evidence
    return data
