"""The facts scoring reads: every unit's and every person's `SubjectFacts` (domain/score_facts.py)
built by `load_facts` inside the caller's read session from a handful of queries returning plain
tuples, and the targets its criteria cite (`target_specs`). The VNeID shares of a unit's own people
use the one definition in domain/targets.py; the other targets are measured as the status measures
them (services/target_measure.py with the loader of services/fact_loader.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import targets as tg
from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.domain.vocab import SubjectKind
from bdhvs_desktop.storage import models as m

_POPULATION = tg.VNEID_POPULATION
_POPULATION_LABEL = tg.VNEID_POPULATION_LABEL


def subject_kind_of_unit(is_party_org: bool) -> str:
    return SubjectKind.PARTY_ORG.value if is_party_org else SubjectKind.COLLECTIVE.value


@dataclass(frozen=True)
class TargetSpec:
    code: str
    name: str
    measure: str
    value_kind: str
    target: float
    deadline: dt.date | None
    require_guide: bool


def target_specs(s: Session, codes: set[str]) -> dict[str, TargetSpec]:
    if not codes:
        return {}
    out = {}
    for code, name, measure, kind, value, deadline, params in s.execute(
            select(m.Target.code, m.Target.name, m.Target.measure, m.Target.value_kind, m.Target.target_value,
                   m.Target.deadline, m.Target.params).where(m.Target.code.in_(list(codes)))):
        out[code] = TargetSpec(code, name, measure, kind or "percent", float(value), deadline,
                                bool((params or {}).get("require_guide")))
    return out


def load_facts(s: Session, at: dt.date, target_results: dict[int, dict[str, sc.TargetFact]] | None = None,
               population_targets: list[TargetSpec] | tuple = ()) -> tuple[list[sc.SubjectFacts], list[sc.SubjectFacts]]:
    """The facts of every active unit and every person, as of `at` (plain tuples, few queries).

    population_targets: VNeID targets computed here from a unit's own people when the status
    service reports no figure for that unit (it reports them for party organisations)."""
    target_results = target_results or {}
    # Core execution (plain rows, no ORM row processing): a third faster on 30,000 people.
    conn = s.connection()
    proficient = tg.vneid_proficient
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
                    if proficient(vneid_on, can_guide, day, spec.require_guide):
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
            host_acts.get(pid, no_acts), solutions.get(pid, empty), no_targets, at))

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
            solutions=sols, as_of=at))
    return unit_facts, person_facts
