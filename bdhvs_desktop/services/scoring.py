"""Scores at a date for every unit and person, manual criteria results, and criteria set editing.

Which criteria set applies: `party_org` for units that are party organisations, `collective` for
other units, `individual` for people. Records are read in bulk (a handful of queries returning
plain tuples, aggregated in SQL where possible) so a ward of 300 units and 30,000 people scores
in well under a second."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.domain.vocab import SubjectKind
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import Conflict, ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


class ScoringError(ServiceError):
    """A scoring action the user must correct; the message is Vietnamese."""


class StaleCriterion(Conflict, StaleDataError):
    """The criterion was changed by someone else since it was read: a Conflict (mine/theirs),
    still a StaleDataError for the callers that caught SQLAlchemy's error before #12."""



@dataclass
class ScoreBoard:
    at: dt.date
    scores: list[sc.SubjectScore]  # ranked per kind: eligible first, then the others
    sets: dict[str, sc.CriteriaSetDef]
    missing_sets: list[str] = field(default_factory=list)  # subject kinds with no criteria set

    def of_kind(self, kind: str) -> list[sc.SubjectScore]:
        return [s for s in self.scores if s.kind == kind]

    def find(self, subject: str, subject_id: int) -> sc.SubjectScore | None:
        return next((s for s in self.scores if s.subject == subject and s.subject_id == subject_id), None)


def subject_kind_of_unit(is_party_org: bool) -> str:
    return SubjectKind.PARTY_ORG.value if is_party_org else SubjectKind.COLLECTIVE.value


def person_code(cccd: str | None, person_id: int) -> str:
    return cccd or f"ID-{person_id}"


# --------------------------------------------------------------------------- criteria sets


def _campaign_id(s: Session) -> int:
    cid = s.scalar(select(m.Campaign.id).order_by(m.Campaign.id).limit(1))
    if cid is None:
        raise ScoringError("Cơ sở dữ liệu chưa có phong trào; hãy tạo phong trào từ kế hoạch mẫu trước.")
    return cid


def _criterion_def(c: m.Criterion) -> sc.CriterionDef:
    params = dict(c.params or {})
    if c.method == "auto":
        try:
            params = sc.check_params(c.rule or "", params)
        except sc.RuleError as exc:
            raise ScoringError(f"Tiêu chí {c.code} ({c.name}): {exc}") from exc
    return sc.CriterionDef(code=c.code, name=c.name, type=c.type, method=c.method, max_points=float(c.max_points or 0),
                           rule=c.rule, params=params, id=c.id, description=c.description)


def load_criteria_sets(s: Session) -> dict[str, sc.CriteriaSetDef]:
    """The criteria set for each subject kind (the first one when there are several)."""
    cid = _campaign_id(s)
    out: dict[str, sc.CriteriaSetDef] = {}
    for cs in s.scalars(select(m.CriteriaSet).where(m.CriteriaSet.campaign_id == cid).order_by(m.CriteriaSet.id)):
        if cs.subject_kind in out:
            continue
        out[cs.subject_kind] = sc.CriteriaSetDef(cs.code, cs.name, cs.subject_kind,
                                                 tuple(_criterion_def(c) for c in cs.criteria), cs.id)
    return out


def load_criteria_max(s: Session, subject_kind: str) -> float:
    """The maximum points of the criteria set for a subject kind (0 when there is none)."""
    cs = load_criteria_sets(s).get(subject_kind)
    return cs.max_points if cs else 0.0


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    set_id: int
    code: str
    name: str
    type: str
    method: str
    max_points: float
    rule: str | None
    params: dict[str, Any]
    description: str | None
    sort_order: int
    version: int


@dataclass(frozen=True)
class CriteriaSetInfo:
    id: int
    code: str
    name: str
    subject_kind: str
    max_points: float
    criteria: tuple[CriterionInfo, ...]
    version: int


def list_criteria_sets(db: Database) -> list[CriteriaSetInfo]:
    with db.read() as s:
        cid = _campaign_id(s)
        out = []
        for cs in s.scalars(select(m.CriteriaSet).where(m.CriteriaSet.campaign_id == cid).order_by(m.CriteriaSet.id)):
            crits = tuple(CriterionInfo(c.id, cs.id, c.code, c.name, c.type, c.method, float(c.max_points or 0), c.rule,
                                        dict(c.params or {}), c.description, c.sort_order, c.version)
                          for c in cs.criteria)
            out.append(CriteriaSetInfo(cs.id, cs.code, cs.name, cs.subject_kind,
                                       sum(c.max_points for c in crits if c.type == "points"), crits, cs.version))
        return out


@dataclass
class CriterionInput:
    code: str
    name: str
    type: str  # gate | points
    method: str  # auto | manual
    max_points: float = 0.0
    rule: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    description: str | None = None


def _validate_criterion(data: CriterionInput, subject_kind: str) -> dict[str, Any]:
    code = (data.code or "").strip()
    name = (data.name or "").strip()
    if not code:
        raise ScoringError("Mã tiêu chí không được để trống.")
    if not name:
        raise ScoringError(f"Tiêu chí {code}: tên tiêu chí không được để trống.")
    if data.type not in ("gate", "points"):
        raise ScoringError(f"Tiêu chí {code}: loại phải là “điều kiện” (gate) hoặc “điểm” (points).")
    if data.method not in ("auto", "manual"):
        raise ScoringError(f"Tiêu chí {code}: cách chấm phải là tự động (auto) hoặc thủ công (manual).")
    max_points = float(data.max_points or 0)
    if data.type == "points" and max_points <= 0:
        raise ScoringError(f"Tiêu chí {code}: tiêu chí tính điểm phải có điểm tối đa lớn hơn 0.")
    if data.type == "gate":
        max_points = 0.0
    params: dict[str, Any] = {}
    rule = None
    if data.method == "auto":
        rule = (data.rule or "").strip()
        spec = sc.RULES.get(rule)
        if spec is None:
            raise ScoringError(f"Tiêu chí {code}: chưa chọn quy tắc hợp lệ cho tiêu chí tự động.")
        subject = "person" if subject_kind == SubjectKind.INDIVIDUAL.value else "unit"
        if subject not in spec.subjects:
            raise ScoringError(f"Tiêu chí {code}: quy tắc “{spec.label}” không áp dụng cho "
                               f"{'cá nhân' if subject == 'person' else 'tập thể'}.")
        try:
            params = sc.check_params(rule, dict(data.params or {}))
        except sc.RuleError as exc:
            raise ScoringError(f"Tiêu chí {code}: {exc}") from exc
        params = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()}
    return {"code": code, "name": name, "type": data.type, "method": data.method, "max_points": max_points,
            "rule": rule, "params": params, "description": (data.description or "").strip() or None}


def save_criterion(db: Database, set_id: int, data: CriterionInput, criterion_id: int | None = None,
                   expected_version: int | None = None) -> int:
    """Add or change a criterion of a set (audited); a stale version raises StaleCriterion (a
    Conflict with mine/theirs)."""
    require_role(db, "secretary", action="sửa bộ tiêu chí")
    with db.session() as s:
        cs = s.get(m.CriteriaSet, set_id)
        if cs is None:
            raise ScoringError(f"Không tìm thấy bộ tiêu chí số {set_id}.")
        values = _validate_criterion(data, cs.subject_kind)
        clash = s.scalar(select(m.Criterion.id).where(m.Criterion.criteria_set_id == set_id,
                                                      m.Criterion.code == values["code"]))
        if clash is not None and clash != criterion_id:
            raise ScoringError(f"Bộ tiêu chí “{cs.name}” đã có tiêu chí mã {values['code']}.")
        if criterion_id is None:
            order = (s.scalar(select(func.max(m.Criterion.sort_order)).where(m.Criterion.criteria_set_id == set_id))
                     or 0) + 1
            crit = m.Criterion(criteria_set_id=set_id, sort_order=order, **values)
            s.add(crit)
            s.flush()
            audit.record(s, user=db.user, action="create", entity="criterion", entity_id=crit.id,
                         new=values, note=f"Thêm tiêu chí vào bộ “{cs.name}”")
            return crit.id
        crit = s.get(m.Criterion, criterion_id)
        if crit is None or crit.criteria_set_id != set_id:
            raise ScoringError(f"Không tìm thấy tiêu chí số {criterion_id} trong bộ “{cs.name}”.")
        if expected_version is not None and crit.version != expected_version:
            raise StaleCriterion(entity="criterion", entity_id=crit.id, mine=values,
                                 theirs={k: getattr(crit, k) for k in values}, current_version=crit.version)
        changes = {k: (getattr(crit, k), v) for k, v in values.items()}
        for k, v in values.items():
            setattr(crit, k, v)
        audit.record_changes(s, user=db.user, entity="criterion", entity_id=crit.id, changes=changes)
        return crit.id


def delete_criterion(db: Database, criterion_id: int) -> None:
    require_role(db, "secretary", action="sửa bộ tiêu chí")
    with db.session() as s:
        crit = s.get(m.Criterion, criterion_id)
        if crit is None:
            raise ScoringError(f"Không tìm thấy tiêu chí số {criterion_id}.")
        audit.record(s, user=db.user, action="delete", entity="criterion", entity_id=crit.id,
                     old={"code": crit.code, "name": crit.name, "type": crit.type, "max_points": crit.max_points,
                          "rule": crit.rule, "params": crit.params})
        s.delete(crit)


# --------------------------------------------------------------------------- manual results


def record_manual_result(db: Database, criterion_id: int, subject_type: str, subject_id: int, *,
                         passed: bool | None = None, points: float | None = None, evidence: str | None = None,
                         seen: dt.datetime | None | object = ...) -> None:
    """Record (or change) a manual criterion's result for one subject, with evidence, who and when (audited).
    `seen`: when the result shown on the screen was recorded (None: none was); if someone recorded
    it since, EditConflict and nothing is written (the optimistic rule of every editable record)."""
    require_role(db, "council_member", action="chấm tiêu chí thủ công")
    if subject_type not in ("unit", "person"):
        raise ScoringError("Đối tượng phải là đơn vị (unit) hoặc cá nhân (person).")
    evidence = (evidence or "").strip() or None
    with db.session() as s:
        crit = s.get(m.Criterion, criterion_id)
        if crit is None:
            raise ScoringError(f"Không tìm thấy tiêu chí số {criterion_id}.")
        if crit.method != "manual":
            raise ScoringError(f"Tiêu chí {crit.code} được chấm tự động từ hồ sơ; không nhập tay được.")
        model = m.Unit if subject_type == "unit" else m.Person
        subject = s.get(model, subject_id)
        if subject is None:
            raise ScoringError(f"Không tìm thấy {'đơn vị' if subject_type == 'unit' else 'cá nhân'} số {subject_id}.")
        if crit.type == "points":
            if points is None:
                raise ScoringError(f"Tiêu chí {crit.code}: hãy nhập số điểm (từ 0 đến {crit.max_points:g}).")
            points = float(points)
            if not 0 <= points <= crit.max_points:
                raise ScoringError(f"Tiêu chí {crit.code}: điểm phải từ 0 đến {crit.max_points:g}, không phải {points:g}.")
            passed = points > 0
        else:
            if passed is None:
                raise ScoringError(f"Tiêu chí {crit.code}: hãy chọn đạt hoặc không đạt.")
            points = None
        if not evidence:
            raise ScoringError(f"Tiêu chí {crit.code}: hãy ghi căn cứ (minh chứng) cho kết quả.")
        row = s.scalar(select(m.ManualResult).where(m.ManualResult.criterion_id == criterion_id,
                                                    m.ManualResult.subject_type == subject_type,
                                                    m.ManualResult.subject_id == subject_id))
        if seen is not ... and (row.recorded_at if row is not None else None) != seen:
            from bdhvs_desktop.services.safety import EditConflict

            raise EditConflict("manual_result", row.id if row is not None else 0,
                               {"passed": passed, "points": points, "evidence": evidence},
                               None if row is None else {"passed": row.passed, "points": row.points,
                                                         "evidence": row.evidence}, row.version if row else None)
        now = m.utcnow()
        if row is None:
            row = m.ManualResult(criterion_id=criterion_id, subject_type=subject_type, subject_id=subject_id)
            s.add(row)
            old = {"passed": None, "points": None, "evidence": None}
        else:
            old = {"passed": row.passed, "points": row.points, "evidence": row.evidence}
        row.passed, row.points, row.evidence, row.recorded_by, row.recorded_at = passed, points, evidence, db.user, now
        s.flush()
        name = subject.name if subject_type == "unit" else subject.full_name
        audit.record_changes(s, user=db.user, entity="manual_result", entity_id=row.id,
                             changes={k: (old[k], getattr(row, k)) for k in old},
                             action="score")
        audit.record(s, user=db.user, action="score", entity=subject_type, entity_id=subject_id,
                     field=crit.code, old=old["points"] if crit.type == "points" else old["passed"],
                     new=points if crit.type == "points" else passed, note=f"{name}: {evidence}")


def clear_manual_result(db: Database, criterion_id: int, subject_type: str, subject_id: int) -> None:
    require_role(db, "council_member", action="chấm tiêu chí thủ công")
    with db.session() as s:
        row = s.scalar(select(m.ManualResult).where(m.ManualResult.criterion_id == criterion_id,
                                                    m.ManualResult.subject_type == subject_type,
                                                    m.ManualResult.subject_id == subject_id))
        if row is None:
            return
        audit.record(s, user=db.user, action="delete", entity="manual_result", entity_id=row.id,
                     old={"passed": row.passed, "points": row.points, "evidence": row.evidence})
        s.delete(row)


# --------------------------------------------------------------------------- facts in bulk


@dataclass(frozen=True)
class _TargetSpec:
    code: str
    name: str
    measure: str
    value_kind: str
    target: float
    deadline: dt.date | None
    require_guide: bool


# The VNeID measures over a unit's own people (the same definitions as the status service).
_POPULATION = {
    "vneid_party_members": lambda pm, ps: pm,
    "vneid_public_servants": lambda pm, ps: ps,
    "vneid_cadres": lambda pm, ps: pm or ps,
}
_POPULATION_LABEL = {
    "vneid_party_members": "đảng viên",
    "vneid_public_servants": "công chức, viên chức",
    "vneid_cadres": "cán bộ, đảng viên, công chức, viên chức",
}


def _target_specs(s: Session, codes: set[str]) -> dict[str, _TargetSpec]:
    if not codes:
        return {}
    out = {}
    for code, name, measure, kind, value, deadline, params in s.execute(
            select(m.Target.code, m.Target.name, m.Target.measure, m.Target.value_kind, m.Target.target_value,
                   m.Target.deadline, m.Target.params).where(m.Target.code.in_(list(codes)))):
        out[code] = _TargetSpec(code, name, measure, kind or "percent", float(value), deadline,
                                bool((params or {}).get("require_guide")))
    return out


def _targets_by_unit(db: Database | None, at: dt.date, specs: dict[str, _TargetSpec]
                     ) -> dict[int, dict[str, sc.TargetFact]]:
    """Per-unit target results from the status service (imported lazily: another module), for the
    targets whose measure scoring does not compute itself in bulk (VNeID shares of a unit's own
    people and reported figures are computed in load_facts with the same definitions)."""
    specs = {k: v for k, v in specs.items() if v.measure not in _POPULATION and v.measure != "reported"}
    if not specs or db is None:
        return {}
    try:
        from bdhvs_desktop.services.status import compute_status  # type: ignore[import-not-found]
    except ImportError:
        return {}
    report = compute_status(db, at)
    out: dict[int, dict[str, sc.TargetFact]] = {}
    for t in report.targets:
        spec = specs.get(t.code)
        if spec is None:
            continue
        for u in t.per_unit:
            out.setdefault(u.unit_id, {})[t.code] = sc.TargetFact(t.code, spec.name, u.value, float(u.target),
                                                                 u.status, spec.value_kind)
    return out


def load_facts(s: Session, at: dt.date, target_results: dict[int, dict[str, sc.TargetFact]] | None = None,
               population_targets: list[_TargetSpec] | tuple = ()) -> tuple[list[sc.SubjectFacts], list[sc.SubjectFacts]]:
    """The facts of every active unit and every person, as of `at` (plain tuples, few queries).

    population_targets: VNeID targets computed here from a unit's own people when the status
    service reports no figure for that unit (it reports them for party organisations)."""
    target_results = target_results or {}
    # Core execution (plain rows, no ORM row processing): a third faster on 30,000 people.
    conn = s.connection()
    pop_targets = [(t, _POPULATION[t.measure], min(at, t.deadline) if t.deadline else at)
                   for t in population_targets if t.measure in _POPULATION]
    pop_counts: dict[int, list[list[int]]] = {}  # unit -> per target [population, proficient]
    reported_specs = [t for t in population_targets if t.measure == "reported"]
    reported: list[dict[int, tuple[float, float | None]]] = []  # per spec: unit -> latest (num, den)
    for spec in reported_specs:
        day = min(at, spec.deadline) if spec.deadline else at
        latest: dict[int, tuple[dt.date, float, float | None]] = {}
        for uid, as_of, num, den in conn.execute(
                select(m.ReportedFigure.unit_id, m.ReportedFigure.as_of, m.ReportedFigure.numerator,
                       m.ReportedFigure.denominator).join(m.Target, m.Target.id == m.ReportedFigure.target_id)
                .where(m.Target.code == spec.code, m.ReportedFigure.as_of <= day)).all():
            cur = latest.get(uid)
            if cur is None or as_of > cur[0]:
                latest[uid] = (as_of, num, den)
        reported.append({uid: (num, den) for uid, (_d, num, den) in latest.items()})
    units = conn.execute(select(m.Unit.id, m.Unit.code, m.Unit.name, m.Unit.parent_id, m.Unit.is_party_org,
                             m.Unit.active)).all()
    children = unit_tree.children_of((uid, parent) for uid, _c, _n, parent, _p, _a in units)

    people = conn.execute(select(m.Person.id, m.Person.full_name, m.Person.unit_id, m.Person.sex, m.Person.is_party_member,
                              m.Person.vneid_proficient_on, m.Person.can_guide, m.Person.people_guided,
                              m.Person.under_discipline, m.Person.discipline_note, m.Person.cccd,
                              m.Person.is_public_servant)).all()
    # Models: the lifecycle rank each had reached on the day.
    first_replication = dict(conn.execute(select(m.ModelReplication.model_id, func.min(m.ModelReplication.replicated_on))
                                       .group_by(m.ModelReplication.model_id)).all())
    model_rows = conn.execute(select(m.DigitalModel.id, m.DigitalModel.code, m.DigitalModel.name,
                                  m.DigitalModel.owner_unit_id, m.DigitalModel.status, m.DigitalModel.registered_on,
                                  m.DigitalModel.implementing_on, m.DigitalModel.evaluated_on,
                                  m.DigitalModel.excellent_on).order_by(m.DigitalModel.code)).all()
    models_by_id: dict[int, sc.ModelFact] = {}
    models_of_unit: dict[int, list[sc.ModelFact]] = {}
    for mid, code, name, owner, status, reg, imp, ev, exc in model_rows:
        rank = sc.model_rank_at(status, at, {"registered": reg, "implementing": imp, "evaluated": ev,
                                             "excellent": exc, "replicated": first_replication.get(mid)})
        if rank < 0:
            continue
        fact = sc.ModelFact(code, name, rank)
        models_by_id[mid] = fact
        if owner is not None:
            models_of_unit.setdefault(owner, []).append(fact)

    unit_acts: dict[int, dict[str, list[tuple[dt.date, int]]]] = {}
    for uid, kind, day, count in conn.execute(
            select(m.Activity.unit_id, m.Activity.kind, m.Activity.date, func.count())
            .where(m.Activity.date <= at, m.Activity.unit_id.is_not(None))
            .group_by(m.Activity.unit_id, m.Activity.kind, m.Activity.date)).all():
        unit_acts.setdefault(uid, {}).setdefault(kind, []).append((day, count))
    host_acts: dict[int, dict[str, list[tuple[dt.date, int]]]] = {}
    for pid, kind, day, count in conn.execute(
            select(m.Activity.host_person_id, m.Activity.kind, m.Activity.date, func.count())
            .where(m.Activity.date <= at, m.Activity.host_person_id.is_not(None))
            .group_by(m.Activity.host_person_id, m.Activity.kind, m.Activity.date)).all():
        host_acts.setdefault(pid, {}).setdefault(kind, []).append((day, count))
    mentees = dict(conn.execute(select(m.Mentorship.mentor_id, func.count())
                             .where((m.Mentorship.started_on.is_(None)) | (m.Mentorship.started_on <= at))
                             .group_by(m.Mentorship.mentor_id)).all())
    mentor_models: dict[int, list[int]] = {}
    for pid, mid in conn.execute(select(m.Mentorship.mentor_id, m.Mentorship.model_id)
                              .where(m.Mentorship.model_id.is_not(None)).distinct()).all():
        mentor_models.setdefault(pid, []).append(mid)
    solutions: dict[int, list[sc.SolutionFact]] = {}
    for pid, title, applied, applied_on, effect in conn.execute(
            select(m.Solution.person_id, m.Solution.title, m.Solution.applied, m.Solution.applied_on,
                   m.Solution.effect).order_by(m.Solution.id)).all():
        solutions.setdefault(pid, []).append(sc.SolutionFact(title, bool(applied), applied_on, effect))

    # People: per-unit direct figures, then the unit subtrees.
    party_of: dict[int, list[sc.MemberFact]] = {}
    women_of: dict[int, int] = {}
    heads_of: dict[int, int] = {}
    person_facts: list[sc.SubjectFacts] = []
    individual = SubjectKind.INDIVIDUAL.value
    empty: list = []  # shared by everyone without models or solutions (scoring keys on identity)
    no_acts: dict = {}
    no_targets: dict = {}
    guided_of: dict[int, int] = {}
    solutions_of: dict[int, list[sc.SolutionFact]] = {}
    for pid, name, uid, sex, is_party, vneid_on, can_guide, guided, disciplined, note, cccd, servant in people:
        female = sex == "F"
        if uid is not None:
            heads_of[uid] = heads_of.get(uid, 0) + 1
            if female:
                women_of[uid] = women_of.get(uid, 0) + 1
            if is_party:
                party_of.setdefault(uid, []).append(sc.MemberFact(name, vneid_on, bool(can_guide)))
            if guided:
                guided_of[uid] = guided_of.get(uid, 0) + guided
            if pid in solutions:
                solutions_of.setdefault(uid, []).extend(solutions[pid])
            for i, (spec, in_pop, day) in enumerate(pop_targets):
                if in_pop(is_party, servant):
                    counts = pop_counts.setdefault(uid, [[0, 0] for _ in pop_targets])[i]
                    counts[0] += 1
                    if vneid_on is not None and vneid_on <= day and (can_guide or not spec.require_guide):
                        counts[1] += 1
        own_models = models_of_unit.get(uid, empty) if uid is not None else empty
        linked = mentor_models.get(pid)
        if linked:
            own_models = own_models + [models_by_id[x] for x in linked
                                       if x in models_by_id and models_by_id[x] not in own_models]
        # Positional, with shared empty containers: 30,000 of these are built per scoring.
        person_facts.append(sc.SubjectFacts(
            "person", pid, cccd or f"ID-{pid}", name, individual, female, 0, 0, bool(disciplined), note, empty,
            vneid_on, bool(can_guide), guided or 0, mentees.get(pid, 0), own_models,
            host_acts.get(pid, no_acts), solutions.get(pid, empty), no_targets))

    subtree_cache: dict[int, list[int]] = {}

    def subtree(uid: int) -> list[int]:
        found = subtree_cache.get(uid)
        if found is None:
            found = subtree_cache[uid] = unit_tree.descendants(children, uid)
        return found

    unit_facts: list[sc.SubjectFacts] = []
    for uid, code, name, _parent, is_party_org, active in units:
        if not active:
            continue
        ids = subtree(uid)
        members: list[sc.MemberFact] = []
        models: list[sc.ModelFact] = []
        acts: dict[str, list[tuple[dt.date, int]]] = {}
        sols: list[sc.SolutionFact] = []
        women = heads = guided_total = 0
        pops = [[0, 0] for _ in pop_targets]
        for x in ids:
            members.extend(party_of.get(x, empty))
            models.extend(models_of_unit.get(x, empty))
            sols.extend(solutions_of.get(x, empty))
            women += women_of.get(x, 0)
            heads += heads_of.get(x, 0)
            guided_total += guided_of.get(x, 0)
            for kind, rows in unit_acts.get(x, {}).items():
                acts.setdefault(kind, []).extend(rows)
            if pop_targets and x in pop_counts:
                for i, (a, b) in enumerate(pop_counts[x]):
                    pops[i][0] += a
                    pops[i][1] += b
        targets = dict(target_results.get(uid, {}))
        for spec, figures in zip(reported_specs, reported):
            num_total, den_total, found = 0.0, 0.0, 0
            for x in ids:
                fig = figures.get(x)
                if fig is not None:
                    found += 1
                    num_total += fig[0]
                    den_total += fig[1] or 0.0
            if not found:
                continue
            if spec.value_kind == "count":
                value = num_total
            elif den_total:
                value = round((100.0 if spec.value_kind == "percent" else 1.0) * num_total / den_total, 2)
            else:
                continue
            origin = "số liệu đơn vị báo cáo" if found == 1 and uid in figures else \
                f"cộng số liệu báo cáo của {found} đơn vị trực thuộc"
            targets[spec.code] = sc.TargetFact(spec.code, spec.name, value, spec.target,
                                               "met" if value >= spec.target else "missed", spec.value_kind,
                                               f"{origin}: {num_total:g}/{den_total:g}" if spec.value_kind != "count"
                                               else origin, True, num_total,
                                               den_total if spec.value_kind != "count" else None)
        for (spec, _in_pop, day), (population, ok) in zip(pop_targets, pops):
            if spec.code in targets:
                continue
            label = _POPULATION_LABEL[spec.measure]
            if population == 0:
                targets[spec.code] = sc.TargetFact(spec.code, spec.name, None, spec.target, "not_due", spec.value_kind,
                                                   f"đơn vị không có {label} trong hồ sơ", applicable=False)
            else:
                value = round(100.0 * ok / population, 2)
                targets[spec.code] = sc.TargetFact(
                    spec.code, spec.name, value, spec.target, "met" if value >= spec.target else "missed",
                    spec.value_kind, f"{ok}/{population} {label} của đơn vị thành thạo VNeID đến {day:%d/%m/%Y}",
                    True, float(ok), float(population))
        unit_facts.append(sc.SubjectFacts(
            "unit", uid, code, name, subject_kind_of_unit(bool(is_party_org)), women=women, headcount=heads,
            party_members=members, models=models, activities=acts, targets=targets, people_guided=guided_total,
            solutions=sols))
    return unit_facts, person_facts


def _manual_entries(s: Session, sets: dict[str, sc.CriteriaSetDef]) -> dict[tuple[str, int], dict[str, sc.ManualEntry]]:
    code_of = {c.id: c.code for cs in sets.values() for c in cs.criteria if c.method == "manual"}
    out: dict[tuple[str, int], dict[str, sc.ManualEntry]] = {}
    if not code_of:
        return out
    for cid, st, sid, passed, points, evidence, by, when in s.execute(
            select(m.ManualResult.criterion_id, m.ManualResult.subject_type, m.ManualResult.subject_id,
                   m.ManualResult.passed, m.ManualResult.points, m.ManualResult.evidence, m.ManualResult.recorded_by,
                   m.ManualResult.recorded_at).where(m.ManualResult.criterion_id.in_(list(code_of)))):
        out.setdefault((st, sid), {})[code_of[cid]] = sc.ManualEntry(passed, points, evidence, by, when)
    return out


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


def compute_scores(db: Database, at: dt.date | None = None) -> ScoreBoard:
    """Scores of every unit and person on `at` (today by default), ranked per kind."""
    with _gc_paused():
        return _compute_scores(db, at)


def _compute_scores(db: Database, at: dt.date | None) -> ScoreBoard:
    at = at or dt.date.today()
    with db.read() as s:
        sets = load_criteria_sets(s)
        target_codes = {c.params.get("target") for cs in sets.values() for c in cs.criteria
                        if c.method == "auto" and c.rule == "target_met"}
        specs = _target_specs(s, {t for t in target_codes if t})
        targets = _targets_by_unit(db, at, specs)
        unit_facts, person_facts = load_facts(s, at, targets, list(specs.values()))
        manual = _manual_entries(s, sets)
    missing = [k.value for k in SubjectKind if k.value not in sets]
    try:
        scores = sc.score_all((*unit_facts, *person_facts), sets, at, manual)
    except sc.RuleError as exc:
        raise ScoringError(str(exc)) from exc
    return ScoreBoard(at, scores, sets, missing)


def score_of(db: Database, subject: str, subject_id: int, at: dt.date | None = None) -> sc.SubjectScore | None:
    """One subject's score (with its rank among all subjects of its kind)."""
    return compute_scores(db, at).find(subject, subject_id)


def snapshot(score: sc.SubjectScore, at: dt.date) -> dict[str, Any]:
    """A JSON-able copy of a score, stored on a candidate when its result is locked."""
    data = score.as_json()
    data["as_of"] = at.isoformat()
    data["held_back"] = score.held_back
    for c, src in zip(data["criteria"], score.criteria):
        c["max_points"] = src.max_points
        c["method"] = src.method
        c["evidence"] = src.evidence
    return data
