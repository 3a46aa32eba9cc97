"""The tables of a Form 08: each target's result for a unit, the party members' VNeID, an
individual's criteria and the activities (the digital models are in form08/models)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.form08.source import (
    _ACTIVITY_NAMES,
    _ACTIVITY_UNITS,
    _COUNT_WORDS,
    _POPULATION,
    Source,
    _assessment,
    _count,
    _date,
    _pct_result,
    fraction,
    verdict,
)
from bdhvs_desktop.storage import models as m


@dataclass(frozen=True)
class _Row:
    code: str
    measure: str
    scope: str
    require_guide: bool
    numerator: float | None
    denominator: float | None
    result: dc.TargetResult


def unit_target_rows(src: Source, unit: m.Unit) -> list[dc.TargetResult]:
    """The plan's targets that apply to this unit, with the unit's own result: a VNeID share
    from the scoring facts (the figures `bdhvs score` uses), any other measure from the
    status service's row for this unit. A party-member target applies to party
    organisations only; a target scoped to party organisations, residential groups or one
    responsible body only to those; near-duplicates (the same population counted twice)
    are printed once."""
    facts = src.unit_facts.get(unit.id)
    rows: list[_Row] = []
    for t in src.status.targets:
        params_guide = False
        per_unit = t.unit(unit.id)
        if t.scope != "ward" and per_unit is None:
            continue  # scoped to other units
        if t.measure in _POPULATION:
            if t.measure == "vneid_party_members" and not unit.is_party_org:
                continue
            fact = facts.targets.get(t.code) if facts else None
            if fact is None or not fact.applicable or not fact.denominator:
                continue
            params_guide = _require_guide(src, t.code)
            num, den, value = fact.numerator, fact.denominator, fact.value
            status = "met" if value is not None and value + 1e-9 >= t.target else "missed"
            result = _pct_result(num, den)
            target_text = vf.vn_percent(t.target)
        elif t.measure == "reported":
            fact = facts.targets.get(t.code) if facts else None
            if fact is None or fact.value is None:
                continue
            num, den, value = fact.numerator, fact.denominator, fact.value
            status = fact.status
            result = _pct_result(num, den) if t.value_kind != "count" and den else vf.vn_number(value)
            target_text = vf.vn_percent(t.target) if t.value_kind == "percent" else vf.vn_number(t.target)
        else:
            if per_unit is None or per_unit.value is None:
                continue
            num, den, value, status = per_unit.numerator, per_unit.denominator, per_unit.value, per_unit.status
            word = _COUNT_WORDS.get(t.measure)
            if word:
                result = f"{_count(value)} {word}"
                target_text = f"Ít nhất {_count(per_unit.target)} {word}"
            elif t.measure == "weekly_guidance" and den:
                result = f"{vf.vn_percent(value)} số tuần ({fraction(num, den)} tuần)"
                target_text = f"{vf.vn_percent(per_unit.target)} số tuần"
            elif den:
                result = _pct_result(num, den)
                target_text = vf.vn_percent(per_unit.target)
            else:
                result = vf.vn_number(value)
                target_text = vf.vn_number(per_unit.target)
            value, target_value = value, per_unit.target
            rows.append(_Row(t.code, t.measure, t.scope, False, num, den, dc.TargetResult(
                indicator=t.name, target=target_text, result=result,
                assessment=_assessment(status, value, target_value))))
            continue
        rows.append(_Row(t.code, t.measure, t.scope, params_guide, num, den, dc.TargetResult(
            indicator=t.name, target=target_text, result=result, assessment=_assessment(status, value, t.target))))
    return [r.result for r in _dedupe(rows)]


def _require_guide(src: Source, code: str) -> bool:
    return bool((src.target_params.get(code) or {}).get("require_guide"))


def _dedupe(rows: list[_Row]) -> list[_Row]:
    """One row per population: of two targets on the same measure, the one scoped to the
    unit's own level wins over the ward-wide one; two VNeID rows counting the very same
    people (same figures, same condition) are one row."""
    by_measure: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.measure in _POPULATION:
            by_measure[r.measure].append(r)
    drop: set[str] = set()
    for group in by_measure.values():
        if len(group) > 1:
            own = [r for r in group if r.scope != "ward"]
            keep = own[0] if own else group[0]
            drop.update(r.code for r in group if r is not keep)
    out: list[_Row] = []
    seen: set[tuple] = set()
    for r in rows:
        if r.code in drop:
            continue
        if r.measure in _POPULATION:
            key = (r.numerator, r.denominator, r.require_guide)
            if key in seen:
                continue
            seen.add(key)
        out.append(r)
    return out


def _gate(src: Source, kind: str, rule: str) -> sc.CriterionDef | None:
    cset = src.board.sets.get(kind)
    if cset is None:
        return None
    return next((c for c in cset.criteria if c.method == "auto" and c.rule == rule), None)


def party_vneid(src: Source, unit: m.Unit) -> dc.PartyVneid | None:
    """The party organisation's hard condition, with the definition of its criterion
    (the same count `bdhvs score` explains: "18/18 đảng viên thành thạo VNeID ...")."""
    if not unit.is_party_org:
        return None
    facts = src.unit_facts.get(unit.id)
    if facts is None or not facts.party_members:
        return None
    crit = _gate(src, vocab.SubjectKind.PARTY_ORG.value, "party_members_vneid")
    params = crit.params if crit else {}
    by = params.get("by") or src.vneid_deadline
    guide = bool(params.get("require_guide"))
    cutoff = src.at if by is None or src.at < by else by
    ok = [x for x in facts.party_members
          if x.vneid_on is not None and x.vneid_on <= cutoff and (x.can_guide or not guide)]
    total = len(facts.party_members)
    return dc.PartyVneid(members_total=total, members_proficient=len(ok),
                         completed_on=max(x.vneid_on for x in ok) if ok and len(ok) == total else None,
                         deadline=by)


def person_criteria_rows(src: Source, person: m.Person) -> list[dc.TargetResult]:
    """An individual's results against the campaign's conditions for individuals (plan 004,
    section IV): the automatic conditions of the criteria set, each with its figure and the
    verdict `bdhvs score` gives."""
    facts = src.person_facts.get(person.id)
    score = src.score("person", person.id)
    cset = src.board.sets.get(vocab.SubjectKind.INDIVIDUAL.value)
    if facts is None or cset is None:
        return []
    passed = {c.code: c.passed for c in score.criteria} if score else {}
    out = []
    for c in cset.criteria:
        if c.type != "gate" or c.method != "auto" or c.rule == "not_disciplined":
            continue
        p = c.params
        if c.rule == "person_vneid":
            by = p.get("by")
            cutoff = src.at if by is None or src.at < by else by
            target = f"Thành thạo đến {_date(by)}" if by else "Thành thạo"
            if p.get("require_guide"):
                target += ", hướng dẫn được người dân"
            if facts.vneid_on is None or facts.vneid_on > src.at:
                result = "Chưa có xác nhận thành thạo"
            else:
                result = f"Thành thạo từ {_date(facts.vneid_on)}"
                if facts.vneid_on > cutoff:
                    result += " (sau thời hạn)"
            if p.get("require_guide"):
                result += "; hướng dẫn được người dân" if facts.can_guide else "; chưa hướng dẫn được người dân"
        elif c.rule == "min_people_guided":
            target = f"Ít nhất {_count(p.get('n', 1))} người"
            result = f"{vf.vn_number(max(facts.people_guided, facts.mentees))} người"
        elif c.rule == "solution_applied":
            n_ok = sum(1 for x in facts.solutions if x.applied and (x.applied_on is None or x.applied_on <= src.at)
                       and (not p.get("require_effect") or (x.effect or "").strip()))
            target = f"Ít nhất {_count(p.get('n', 1))} giải pháp"
            result = f"{_count(n_ok) or '0'} giải pháp"
        elif c.rule == "min_models":
            need = vocab.model_status_rank(p.get("status") or "registered")
            n_ok = sum(1 for x in facts.models if x.rank_at >= need)
            target = f"Ít nhất {_count(p.get('n', 1))} mô hình"
            result = f"{_count(n_ok) or '0'} mô hình"
        else:
            continue
        out.append(dc.TargetResult(indicator=c.name, target=target, result=result,
                                   assessment=verdict(passed.get(c.code))))
    return out


def unit_activities(src: Source, unit: m.Unit) -> list[dc.ActivityCount]:
    ids = set(src.subtree(unit.id))
    agg: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in src.activities:
        if a.unit_id in ids:
            agg[a.kind][0] += 1
            agg[a.kind][1] += a.participants or 0
    order = list(_ACTIVITY_NAMES)
    out = []
    for k, (n, p) in sorted(agg.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99):
        # A broadcast has listeners nobody counts: no "0 người" in the table.
        counted = k != "broadcast" and p > 0
        out.append(dc.ActivityCount(kind=_ACTIVITY_NAMES.get(k, k), count=n, unit=_ACTIVITY_UNITS.get(k, "lần"),
                                    participants=p if counted else None,
                                    note="" if counted else "Không thống kê số người"))
    return out


def _kind_totals(src: Source, unit_ids: set[int] | None = None, host: int | None = None) -> dict[str, list[int]]:
    agg: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in src.activities:
        if (unit_ids is not None and a.unit_id in unit_ids) or (host is not None and a.host_person_id == host):
            agg[a.kind][0] += 1
            agg[a.kind][1] += a.participants or 0
    return agg
