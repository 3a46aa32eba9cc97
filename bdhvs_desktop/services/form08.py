"""Form 08 (the achievement report) of each candidate: figures, models, signatures, narrative.

One source for every number: the status service (each target's per-unit result) and the
scoring service (the facts and criteria behind `bdhvs score`), both at the dossier date. A
figure printed in a Form 08 is the figure `bdhvs status` / `bdhvs score` gives for that
subject; nothing here counts people or models a second way.

    src = load_source(db, s, campaign, at)             # once per dossier
    ctx, missing = achievement(src, campaign, settings, candidate, ...)
    texts = draft_texts(src, candidate)                 # the narrative, drafted from the records

The narrative (the collective's functions, the measures, the lessons, the list's
"Tóm tắt thành tích", an individual's occupation) is drafted from the records in plain
official Vietnamese, with figures, never points or ranks; what the secretary saved on the
candidate (Candidate.report_text, Candidate.summary) takes precedence over the draft.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import name_key
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


# --------------------------------------------------------------------------- source


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

    def subtree(self, unit_id: int) -> list[int]:
        found = self._subtree.get(unit_id)
        if found is None:
            found, stack = [], [unit_id]
            while stack:
                uid = stack.pop()
                if uid in found:
                    continue
                found.append(uid)
                stack.extend(self.children.get(uid, ()))
            self._subtree[unit_id] = found
        return found

    def score(self, subject: str, subject_id: int):  # noqa: ANN201
        return self.board.find(subject, subject_id)


def compute_results(db, at: dt.date) -> tuple[Any, Any]:  # noqa: ANN001
    """(status report, score board) at the date: the two services every figure comes from."""
    from bdhvs_desktop.services.dossier.common import DossierError
    from bdhvs_desktop.services.scoring import ScoringError, compute_scores
    from bdhvs_desktop.services.status import compute_status

    try:
        return compute_status(db, at), compute_scores(db, at)
    except ScoringError as exc:  # no campaign, a broken criteria set: the dossier says why
        raise DossierError(f"Không tính được số liệu cho Báo cáo thành tích: {exc}") from exc


def load_source(s: Session, c: m.Campaign, at: dt.date, status: Any, board: Any) -> Source:
    from bdhvs_desktop.services import scoring as scs

    targets = list(s.scalars(select(m.Target).where(m.Target.campaign_id == c.id)))
    specs = scs._target_specs(s, {t.code for t in targets if t.measure in _POPULATION or t.measure == "reported"})
    unit_facts, person_facts = scs.load_facts(s, at, {}, list(specs.values()))
    units = {u.id: u for u in s.scalars(select(m.Unit))}
    children: dict[int, list[int]] = defaultdict(list)
    for u in units.values():
        if u.parent_id:
            children[u.parent_id].append(u.id)
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


# --------------------------------------------------------------------------- wording


def _count(n: float | int | None) -> str:
    return vf.vn_count(int(n)) if n is not None else ""


def _pct_result(num: float, den: float) -> str:
    return f"{vf.vn_percent(vf.percent_of(num, den))} ({num:g}/{den:g})"


def _assessment(status: str, value: float | None, target: float) -> str:
    if status == "met":
        return "Vượt" if value is not None and value > target + 1e-9 else "Đạt"
    if status == "not_due":
        return "Chưa đến hạn"
    return "Chưa đạt"


def _date(d: dt.date | None) -> str:
    return vf.vn_short_date(d) if d else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


# --------------------------------------------------------------------------- targets


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
                result = f"{vf.vn_percent(value)} số tuần ({num:g}/{den:g} tuần)"
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
        ok = passed.get(c.code)
        out.append(dc.TargetResult(indicator=c.name, target=target, result=result,
                                   assessment="" if ok is None else ("Đạt" if ok else "Chưa đạt")))
    return out


# --------------------------------------------------------------------------- models


def _model_started(dm: m.DigitalModel) -> dt.date | None:
    return dm.implementing_on or dm.registered_on


def _counted(src: Source, dm: m.DigitalModel) -> bool:
    """The model existed on the dossier date (the scoring's lifecycle rule)."""
    first = src.replications.get(dm.id)
    rank = sc.model_rank_at(dm.status, src.at, {
        "registered": dm.registered_on, "implementing": dm.implementing_on, "evaluated": dm.evaluated_on,
        "excellent": dm.excellent_on, "replicated": first[0].replicated_on if first else None})
    return rank >= 0


def _recognition(src: Source, dm: m.DigitalModel) -> str:
    """"Được công nhận mô hình xuất sắc quý III/2026." (never "Q3/2026")."""
    phrase = _recognition_phrase(src, dm)
    return f"{phrase[:1].upper()}{phrase[1:]}." if phrase else ""


def _recognition_phrase(src: Source, dm: m.DigitalModel) -> str:
    if dm.excellent_on and dm.excellent_on <= src.at:
        when = vf.vn_quarter(dm.evaluation_quarter) if dm.evaluation_quarter else f"ngày {_date(dm.excellent_on)}"
        return f"được công nhận mô hình xuất sắc {when}"
    if dm.rating and (dm.evaluated_on is None or dm.evaluated_on <= src.at):
        when = f" {vf.vn_quarter(dm.evaluation_quarter)}" if dm.evaluation_quarter else ""
        return f"được đánh giá hiệu quả{when}, xếp loại {dm.rating.lower()}"
    return ""


def _replication(src: Source, dm: m.DigitalModel) -> str:
    reps = src.replications.get(dm.id, [])
    if not reps:
        return ""
    names = ", ".join(src.units[r.unit_id].name for r in reps if r.unit_id in src.units)
    return f"Đã nhân rộng ra {vf.vn_count(len(reps))} đơn vị: {names}."


def _model_context(src: Source, dm: m.DigitalModel, owner: str = "") -> dc.DigitalModel:
    desc = dm.description or ""
    if dm.model_type and dm.model_type not in dm.name:
        desc = f"Theo mô hình “{dm.model_type}”. {desc}".strip()
    return dc.DigitalModel(name=dm.name, description=desc, started=_model_started(dm), effect=dm.evaluation or "",
                           replication=_replication(src, dm), recognition=_recognition(src, dm), owner=owner)


def unit_models(src: Source, unit: m.Unit) -> tuple[list[dc.DigitalModel], list[str]]:
    """(the unit's own models, sentences about the others): a model is credited to the unit
    that owns it; a unit above it directed it, a unit it was replicated to replicated it."""
    ids = set(src.subtree(unit.id))
    own, related = [], []
    for dm in src.models:
        if not _counted(src, dm):
            continue
        if dm.owner_unit_id == unit.id:
            own.append(_model_context(src, dm))
        elif dm.owner_unit_id in ids:
            owner = src.units[dm.owner_unit_id].name
            extra = _recognition_phrase(src, dm)
            reps = src.replications.get(dm.id, [])
            text = f"Lãnh đạo, chỉ đạo {owner} xây dựng mô hình “{dm.name}”"
            if extra:
                text += f", {extra}"
            if reps:
                text += f"; đã nhân rộng ra {vf.vn_count(len(reps))} đơn vị"
            related.append(text + ".")
    for r in src.replicated_into.get(unit.id, []):
        dm = next((x for x in src.models if x.id == r.model_id), None)
        if dm is None or dm.owner_unit_id in ids:
            continue
        owner = src.units[dm.owner_unit_id].name if dm.owner_unit_id in src.units else ""
        when = f" từ ngày {_date(r.replicated_on)}" if r.replicated_on else ""
        related.append(f"Nhân rộng mô hình “{dm.name}”" + (f" của {owner}" if owner else "") + f"{when}.")
    return own, related


def person_models(src: Source, person: m.Person) -> list[str]:
    """An individual's part in models (the models `bdhvs score` credits the person with),
    each credited to the unit that owns it."""
    facts = src.person_facts.get(person.id)
    if facts is None:
        return []
    mentored: dict[int, int] = defaultdict(int)
    for ms in src.mentorships.get(person.id, []):
        if ms.model_id:
            mentored[ms.model_id] += 1
    out = []
    for mf in facts.models:
        dm = src.model_by_code.get(mf.code)
        if dm is None:
            continue
        owner = src.units[dm.owner_unit_id].name if dm.owner_unit_id in src.units else ""
        of = f" của {owner}" if owner else ""
        if dm.id in mentored:
            text = (f"Là “Đại sứ số” trong mô hình “{dm.name}”{of}, trực tiếp kèm cặp "
                    f"{vf.vn_count(mentored[dm.id])} người học")
        else:
            text = f"Tham gia triển khai mô hình “{dm.name}”{of}"
        rec = _recognition_phrase(src, dm)
        if rec:
            text += f"; {rec}"
        out.append(text + ".")
    return out


# --------------------------------------------------------------------------- activities


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


# --------------------------------------------------------------------------- narrative drafts


def draft_texts(src: Source, cand: m.Candidate) -> dict[str, str]:
    """The narrative of one candidate, drafted from the records (the secretary edits it)."""
    if cand.subject_type == "unit" and cand.unit is not None:
        return _draft_collective(src, cand.unit)
    if cand.person is not None:
        return _draft_individual(src, cand.person)
    return {}


def _draft_collective(src: Source, unit: m.Unit) -> dict[str, str]:
    ids = set(src.subtree(unit.id))
    parent = src.units.get(unit.parent_id) if unit.parent_id else None
    kind = unit.kind
    if unit.functions and unit.functions.strip():
        functions = unit.functions.strip()
    elif unit.is_party_org:
        functions = (f"{unit.name} là tổ chức đảng" + (f" trực thuộc {parent.name}" if parent else "")
                     + ", lãnh đạo thực hiện nhiệm vụ chính trị của đơn vị theo Điều lệ Đảng. Trong phong trào "
                     "“Bình dân học vụ số”, có nhiệm vụ lãnh đạo, chỉ đạo đảng viên đi đầu học tập, sử dụng "
                     "thành thạo kỹ năng số thiết yếu và hướng dẫn người dân cùng thực hiện.")
    elif kind == "to_dan_pho":
        hh = f" gồm {vf.vn_number(unit.households)} hộ" if unit.households else ""
        functions = (f"{unit.name} là cộng đồng dân cư tự quản{hh}, tổ chức cho người dân thực hiện chủ trương "
                     "của Đảng, chính sách, pháp luật của Nhà nước; trong phong trào, vận động người dân học tập "
                     "và sử dụng kỹ năng số thiết yếu.")
    elif kind == "doan_the":
        functions = (f"{unit.name} là tổ chức chính trị - xã hội, tập hợp, đoàn kết đoàn viên, hội viên; trong "
                     "phong trào có nhiệm vụ tuyên truyền, hướng dẫn người dân sử dụng kỹ năng số thiết yếu.")
    else:
        functions = (f"{unit.name} thực hiện chức năng, nhiệm vụ được giao theo quy định; trong phong trào, tổ "
                     "chức cho cán bộ, công chức, viên chức học tập, sử dụng thành thạo kỹ năng số và hỗ trợ "
                     "người dân thực hiện thủ tục trên môi trường số.")
    acts = _kind_totals(src, unit_ids=ids)
    own, related = unit_models(src, unit)
    vneid = party_vneid(src, unit)
    measures, summary = [], []
    measures.append("Quán triệt, triển khai Kế hoạch thi đua đến toàn thể cán bộ, đảng viên, hội viên; xây dựng "
                    "kế hoạch của đơn vị, phân công cụ thể người phụ trách từng nội dung.")
    if vneid is not None:
        line = (f"Phân công đảng viên đã thành thạo kèm cặp đảng viên chưa thành thạo; kết quả "
                f"{vneid.members_proficient}/{vneid.members_total} đảng viên ({vneid.percent_text}) sử dụng thành "
                "thạo nền tảng định danh điện tử VNeID")
        line += (f", hoàn thành ngày {vneid.completed_text}, trước thời hạn ngày {vneid.deadline_text}"
                 if vneid.on_time else (f" đến ngày {vneid.deadline_text}" if vneid.deadline else ""))
        measures.append(line + ".")
        summary.append(f"{vneid.members_proficient}/{vneid.members_total} đảng viên ({vneid.percent_text}) "
                       "thành thạo VNeID" + (f" trước ngày {vneid.deadline_text}" if vneid.on_time else ""))
    else:
        rows = unit_target_rows(src, unit)
        vrow = next((r for r in rows if "VNeID" in r.indicator), None)
        if vrow is not None:
            measures.append(f"Tổ chức cho cán bộ, đoàn viên, hội viên học tập sử dụng VNeID: đạt {vrow.result}.")
            summary.append(f"{vrow.result.split(' (')[0]} cán bộ, công chức, đảng viên của đơn vị thành thạo VNeID "
                           f"({vrow.result.split(' (')[-1].rstrip(')')})")
    if "thematic_meeting" in acts:
        n, p = acts["thematic_meeting"]
        measures.append(f"Tổ chức {vf.vn_count(n)} buổi sinh hoạt chuyên đề “Đảng viên tiên phong học tập kỹ năng "
                        f"số” với {vf.vn_number(p)} lượt người dự.")
    if "class" in acts:
        n, p = acts["class"]
        measures.append(f"Mở {vf.vn_count(n)} lớp “Bình dân học vụ số” cho {vf.vn_number(p)} lượt người học.")
        summary.append(f"mở {vf.vn_count(n)} lớp “Bình dân học vụ số” ({vf.vn_number(p)} lượt người học)")
    if "guidance" in acts:
        n, p = acts["guidance"]
        measures.append(f"Hướng dẫn trực tiếp người dân sử dụng VNeID, Cổng Dịch vụ công quốc gia, thanh toán "
                        f"QR: {vf.vn_count(n)} buổi, {vf.vn_number(p)} lượt người.")
        summary.append(f"{vf.vn_count(n)} buổi hướng dẫn trực tiếp ({vf.vn_number(p)} lượt người dân)")
    if "training" in acts:
        n, p = acts["training"]
        measures.append(f"Tổ chức {vf.vn_count(n)} lớp tập huấn kỹ năng số cho {vf.vn_number(p)} lượt người.")
    if "broadcast" in acts:
        measures.append(f"Tuyên truyền trên hệ thống loa {vf.vn_number(acts['broadcast'][0])} lần.")
    if own:
        measures.append("Lấy mô hình " + ", ".join(f"“{dm.name}”" for dm in own) + " làm cách làm chủ lực, "
                        "định kỳ đánh giá hiệu quả để nhân rộng (kết quả tại mục 2).")
    for dm in own:
        extra = []
        if dm.recognition:
            extra.append(_lower_first(dm.recognition.rstrip(".")))
        if dm.replication:
            extra.append(_lower_first(dm.replication.split(":")[0]))
        summary.append(f"mô hình “{dm.name}”" + (f" ({'; '.join(extra)})" if extra else ""))
    directed = sum(1 for x in related if x.startswith("Lãnh đạo, chỉ đạo"))
    if directed:
        summary.append(f"lãnh đạo đơn vị trực thuộc xây dựng {vf.vn_count(directed)} mô hình")
    subunits = [src.units[u] for u in src.subtree(unit.id)[1:] if u in src.units and src.units[u].active]
    if subunits:
        structure = (f"Gồm {vf.vn_count(len(subunits))} đơn vị trực thuộc: "
                     + ", ".join(u.name for u in subunits))
    else:
        people = [p for uid in src.subtree(unit.id) for p in src.people_by_unit.get(uid, [])]
        label = vocab.UNIT_KIND_LABELS.get(vocab.UnitKind(unit.kind), "Đơn vị") \
            if unit.kind in set(vocab.UnitKind) else "Đơn vị"
        structure = f"{label} có {vf.vn_count(len(people))} thành viên" if people else ""
    lessons = [
        "Cấp ủy, người đứng đầu trực tiếp chỉ đạo, phân công cụ thể từng người, từng việc; thường xuyên "
        "kiểm tra, đôn đốc và kịp thời tháo gỡ vướng mắc.",
        "Cách hướng dẫn phải phù hợp từng nhóm đối tượng, nhất là người cao tuổi; “cầm tay chỉ việc”, "
        "làm mẫu trên chính điện thoại của người dân.",
    ]
    if own:
        lessons.append("Lấy mô hình hiệu quả làm hạt nhân để nhân rộng, gắn phong trào với nhiệm vụ chính trị "
                       "của đơn vị.")
    else:
        lessons.append("Phát huy vai trò tiên phong của đảng viên, đoàn viên; phối hợp chặt chẽ với các đơn vị "
                       "trên địa bàn.")
    text = "; ".join(x for x in summary if x)
    return {"functions": functions, "structure": structure, "measures": "\n".join(f"- {x}" for x in measures) if measures else "",
            "lessons": "\n".join(f"- {x}" for x in lessons),
            "summary": (text[:1].upper() + text[1:] + ".") if text else ""}


def draft_occupation(person: m.Person, unit: m.Unit | None) -> str:
    position = (person.position or "").lower()
    if unit is not None and unit.kind == "truong_hoc" or "giáo viên" in position or "hiệu trưởng" in position:
        return "Viên chức (giáo dục)"
    if person.is_public_servant:
        return "Cán bộ, công chức"
    return ""


def _draft_individual(src: Source, person: m.Person) -> dict[str, str]:
    facts = src.person_facts.get(person.id)
    unit = src.units.get(person.unit_id) if person.unit_id else None
    acts = _kind_totals(src, host=person.id)
    measures, summary = [], []
    if facts is not None and facts.vneid_on and facts.vneid_on <= src.at:
        line = f"Chủ động học tập, sử dụng thành thạo nền tảng định danh điện tử VNeID từ ngày {_date(facts.vneid_on)}"
        measures.append(line + (", hướng dẫn được người dân cùng sử dụng." if facts.can_guide else "."))
        summary.append(f"thành thạo VNeID từ ngày {_date(facts.vneid_on)}")
    guided = max(facts.people_guided, facts.mentees) if facts else 0
    if guided:
        summary.append(f"hướng dẫn {vf.vn_number(guided)} người dân sử dụng công nghệ số")
    taught = [(k, n, p) for k, (n, p) in acts.items() if k in ("class", "guidance", "training")]
    if taught:
        n = sum(x[1] for x in taught)
        p = sum(x[2] for x in taught)
        measures.append(f"Trực tiếp đứng lớp, hướng dẫn {vf.vn_count(n)} buổi (lớp “Bình dân học vụ số”, hướng dẫn "
                        f"tại tổ dân phố, tập huấn) với {vf.vn_number(p)} lượt người tham dự.")
        summary.append(f"trực tiếp hướng dẫn {vf.vn_count(n)} buổi")
    mentees = len(src.mentorships.get(person.id, []))
    if mentees:
        measures.append(f"Kèm cặp {vf.vn_count(mentees)} người học theo mô hình “Đại sứ số”, hướng dẫn đến khi tự "
                        "thực hiện được.")
    applied = [sol for sol in src.solutions.get(person.id, [])
               if sol.applied and (sol.applied_on is None or sol.applied_on <= src.at)]
    if applied:
        measures.append("Chủ động đề xuất, áp dụng giải pháp ứng dụng công nghệ số vào công việc ("
                        + ", ".join(f"“{sol.title}”" for sol in applied) + "; kết quả tại mục 3).")
        summary.extend(f"giải pháp “{sol.title}”" for sol in applied)
    lessons = [
        "Bản thân phải thành thạo trước rồi mới hướng dẫn người khác; kiên trì, hướng dẫn từng bước trên chính "
        "điện thoại của người dân.",
        "Ghi chép, theo dõi người đã được hướng dẫn để hỗ trợ lại khi cần; phối hợp với tổ dân phố và đoàn thể "
        "để mở rộng số người được hỗ trợ.",
    ]
    text = "; ".join(summary)
    return {"measures": "\n".join(f"- {x}" for x in measures), "lessons": "\n".join(f"- {x}" for x in lessons),
            "summary": (text[:1].upper() + text[1:] + ".") if text else "",
            "occupation": draft_occupation(person, unit),
            "professional": (person.qualifications or "").strip()}


def effective_texts(src: Source, cand: m.Candidate) -> tuple[dict[str, str], set[str]]:
    """(the narrative used for the documents, the keys that come from the draft): what the
    secretary saved wins; a summary made of points and ranks is replaced by the draft."""
    saved = {k: str(v) for k, v in (cand.report_text or {}).items() if isinstance(v, str) and v.strip()}
    if cand.summary and cand.summary.strip() and not is_score_text(cand.summary):
        saved.setdefault("summary", cand.summary.strip())
    drafted = draft_texts(src, cand)
    out = dict(drafted)
    out.update(saved)
    return out, {k for k in drafted if k not in saved}


# --------------------------------------------------------------------------- signatures


def _is_same_person(person: m.Person, head_name: str | None) -> bool:
    return bool(head_name) and name_key(head_name) == name_key(person.full_name)


def unit_head_issuer(unit: m.Unit, fmt: str, place: str, parent_name: str = "") -> dc.Issuer:
    title = (unit.head_title or ("BÍ THƯ" if unit.is_party_org else "THỦ TRƯỞNG ĐƠN VỊ")).upper()
    return dc.Issuer(format=fmt, name=unit.name.upper(), abbreviation="ĐV", place=place, parent_name=parent_name,
                     signer_title=title, signer_name=(unit.head_name or "").strip(), name_in_text=unit.name)


def individual_confirmer(src: Source, person: m.Person, fallback: dc.Issuer) -> dc.Issuer:
    """The head of the person's unit confirms the report; a head never confirms their own:
    then the head of the unit above, up to the ward's signer."""
    seen: set[int] = set()
    uid = person.unit_id
    while uid is not None and uid in src.units and uid not in seen:
        seen.add(uid)
        unit = src.units[uid]
        if not _is_same_person(person, unit.head_name):
            return unit_head_issuer(unit, fallback.format, fallback.place)
        uid = unit.parent_id
    return fallback


def missing_fields(ctx: dc.AchievementContext) -> list[str]:
    """The required fields of a Form 08 with no data (a final dossier is refused on them)."""
    out = []
    if ctx.is_collective:
        c = ctx.collective
        for label, value in (("địa điểm trụ sở chính", c.address), ("cơ cấu tổ chức", c.structure),
                             ("chức năng, nhiệm vụ", c.functions)):
            if _empty(value):
                out.append(label)
        if not ctx.issuer.signer_name:
            out.append(f"họ tên người ký báo cáo ({ctx.issuer.signer_title.capitalize() or 'thủ trưởng đơn vị'})")
        if ctx.confirmer is not None and not ctx.confirmer.signer_name:
            out.append("họ tên người ký xác nhận của cấp trình khen thưởng (thiết lập người ký hồ sơ)")
    else:
        i = ctx.individual
        for label, value in (("ngày, tháng, năm sinh", i.birth_date_text), ("quê quán", i.home_town),
                             ("nơi thường trú", i.residence), ("nghề nghiệp", i.occupation),
                             ("chức vụ", i.position), ("đơn vị công tác", i.unit)):
            if _empty(value):
                out.append(label)
        if ctx.confirmer is not None and not ctx.confirmer.signer_name:
            who = ctx.confirmer.name_in_text or ctx.confirmer.text_name
            out.append(f"họ tên thủ trưởng đơn vị xác nhận ({who})")
    for label, value in (("các biện pháp, giải pháp đã thực hiện", ctx.measures),
                         ("bài học kinh nghiệm", ctx.lessons)):
        if _empty(value):
            out.append(label)
    return out


def _empty(value: str | None) -> bool:
    return not value or not value.strip() or value.strip() == vf.BLANK_FIELD
