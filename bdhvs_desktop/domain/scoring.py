"""Scoring rules: the rule library of the award criteria, gates and points, eligibility, the
rules of the law on top (discipline holds a candidate back; on a tie a woman, or a collective
at least 70% women, goes first — Decree 152/2025, Art. 4), and the ranking.

Pure Python: the services layer gathers the records into the `*Facts` objects below, and every
rule explains its result in Vietnamese, naming the records behind it."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from bdhvs_desktop.domain.dates import iso_weeks, vn_date, week_label
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import (
    ACTIVITY_KIND_LABELS,
    MODEL_STATUS_LABELS,
    MODEL_STATUS_ORDER,
    ModelStatus,
    model_status_rank,
)

# Dates repeat across thousands of explanations: format each once.
vn_date = functools.lru_cache(maxsize=8192)(vn_date)
WOMEN_SHARE_TIE_BREAK = 0.70  # Decree 152/2025, Art. 4: a collective at least 70% women goes first
MAX_NAMES = 10  # names listed in an explanation before "và N người khác"


class RuleError(ValueError):
    """A criterion whose rule or parameters cannot be used; the message is Vietnamese."""


# --------------------------------------------------------------------------- facts


@dataclass(slots=True)
class MemberFact:
    """A party member as the organisation's VNeID rule sees them."""

    name: str
    vneid_on: dt.date | None
    can_guide: bool


@dataclass(frozen=True, slots=True)
class ModelFact:
    code: str
    name: str
    rank_at: int  # lifecycle rank reached on the scoring date (-1: not yet registered)


@dataclass(slots=True)
class SolutionFact:
    title: str
    applied: bool
    applied_on: dt.date | None
    effect: str | None


@dataclass(slots=True)
class TargetFact:
    """One target's result for one unit on the scoring date (from the status service)."""

    code: str
    name: str
    value: float | None
    target: float
    status: str
    value_kind: str = "percent"
    note: str | None = None  # where the figure comes from, or why the target does not apply
    applicable: bool = True
    numerator: float | None = None  # the figures behind the value (Form 08 prints them)
    denominator: float | None = None


@dataclass(slots=True)
class SubjectFacts:
    """Everything the rules need about one unit or one person, as of the scoring date."""

    subject: str  # "unit" | "person"
    id: int
    code: str  # unit code, CCCD, or an internal id
    name: str
    kind: str  # vocab.SubjectKind
    female: bool = False  # person
    women: int = 0  # unit: women among its people (tie-break)
    headcount: int = 0
    under_discipline: bool = False
    discipline_note: str | None = None
    party_members: list[MemberFact] = field(default_factory=list)  # unit
    vneid_on: dt.date | None = None  # person
    can_guide: bool = False
    people_guided: int = 0
    mentees: int = 0
    models: list[ModelFact] = field(default_factory=list)
    activities: dict[str, list[tuple[dt.date, int]]] = field(default_factory=dict)  # kind -> [(day, count)]
    solutions: list[SolutionFact] = field(default_factory=list)
    targets: dict[str, TargetFact] = field(default_factory=dict)

    @property
    def women_share(self) -> float | None:
        return self.women / self.headcount if self.headcount else None

    @property
    def tie_break_first(self) -> bool:
        """Decree 152/2025, Art. 4: a woman, or a collective at least 70% women, goes first on a tie."""
        if self.subject == "person":
            return self.female
        return self.headcount > 0 and self.women * 100 >= WOMEN_SHARE_TIE_BREAK * 100 * self.headcount


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    passed: bool
    fraction: float  # how much of the requirement is met, 0..1 (for partial points)
    explanation: str


# --------------------------------------------------------------------------- rule library


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # date | int | float | bool | text | model_status | activity_kind | per | target
    label: str  # Vietnamese
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class RuleSpec:
    code: str
    label: str  # Vietnamese
    subjects: frozenset[str]  # "unit" and/or "person"
    params: tuple[ParamSpec, ...]
    func: Callable[[SubjectFacts, dict[str, Any], dt.date], RuleOutcome]
    # The inputs a person's result depends on (params and date fixed): people with the same
    # inputs share one result, so scoring 30,000 people formats each explanation once.
    person_key: Callable[[SubjectFacts], Any] | None = None


def _names(names: list[str]) -> str:
    if len(names) <= MAX_NAMES:
        return ", ".join(names)
    return ", ".join(names[:MAX_NAMES]) + f" và {len(names) - MAX_NAMES} người khác"


def _cutoff(by: dt.date | None, at: dt.date) -> tuple[dt.date, str]:
    if by is None or at < by:
        return at, f"tính đến {vn_date(at)}"
    return by, f"đến {vn_date(by)}"


def rule_party_members_vneid(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    by: dt.date | None = p.get("by")
    require_guide = bool(p.get("require_guide", False))
    cutoff, when = _cutoff(by, at)
    total = len(f.party_members)
    if total == 0:
        return RuleOutcome(False, 0.0, "hồ sơ chưa có đảng viên nào nên chưa xác định được tỷ lệ "
                                        "đảng viên thành thạo VNeID.")
    missing = [m.name for m in f.party_members
               if m.vneid_on is None or m.vneid_on > cutoff or (require_guide and not m.can_guide)]
    ok = total - len(missing)
    guide = " và biết hướng dẫn người dân" if require_guide else ""
    text = f"{ok}/{total} đảng viên thành thạo VNeID{guide} {when}"
    if missing:
        text += f"; chưa đạt: {_names(missing)}."
    else:
        text += " (100%)."
    return RuleOutcome(not missing, ok / total, text)


def rule_person_vneid(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    by: dt.date | None = p.get("by")
    require_guide = bool(p.get("require_guide", False))
    cutoff, when = _cutoff(by, at)
    parts: list[str] = []
    on_time = f.vneid_on is not None and f.vneid_on <= cutoff
    if f.vneid_on is None:
        parts.append("chưa có ghi nhận thành thạo VNeID")
    elif on_time:
        parts.append(f"thành thạo VNeID từ {vn_date(f.vneid_on)} ({when})")
    elif by is not None and f.vneid_on > by:
        parts.append(f"thành thạo VNeID ngày {vn_date(f.vneid_on)}, sau hạn {vn_date(by)}")
    else:
        parts.append(f"thành thạo VNeID ngày {vn_date(f.vneid_on)}, sau ngày tính điểm {vn_date(at)}")
    passed = on_time
    if require_guide:
        if f.can_guide:
            parts.append("biết hướng dẫn người dân sử dụng")
        else:
            parts.append("chưa ghi nhận biết hướng dẫn người dân sử dụng")
            passed = False
    done = (0.5 if on_time else 0.0) + (0.5 if f.can_guide else 0.0) if require_guide else float(on_time)
    return RuleOutcome(passed, done, "; ".join(parts) + ".")


def rule_target_met(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    code = p.get("target")
    margin = float(p.get("margin") or 0.0)
    t = f.targets.get(code) if code else None
    if t is not None and not t.applicable:
        return RuleOutcome(True, 1.0, f"chỉ tiêu {code} không áp dụng ({t.note}).")
    if t is None or t.value is None:
        return RuleOutcome(False, 0.0, f"chưa có số liệu của đơn vị cho chỉ tiêu {code} "
                                        f"tính đến {vn_date(at)}.")
    unit = "%" if t.value_kind == "percent" else ""
    pts = " điểm phần trăm" if t.value_kind == "percent" else ""
    need = t.target + margin
    passed = t.value >= need - 1e-9
    frac = 1.0 if passed else (max(0.0, t.value / need) if need > 0 else 0.0)
    head = f"chỉ tiêu {code} đạt {_num(t.value)}{unit}, chỉ tiêu {_num(t.target)}{unit}"
    if margin:
        head += f" (cần vượt từ {_num(margin)}{pts} trở lên, tức {_num(need)}{unit})"
    verdict = "đạt" if passed else f"chưa đạt, còn thiếu {_num(need - t.value)}{pts or unit}"
    note = f"; {t.note}" if t.note else ""
    return RuleOutcome(passed, frac, f"{head}: {verdict} (tính đến {vn_date(at)}{note}).")


def _num(value: float) -> str:
    return vn_number(value, places=1)


def points_text(value: float | None, empty: str = "") -> str:
    """Points as Vietnamese users write them: 12,5 (decimal comma), 10 (no trailing zeros)."""
    return empty if value is None else vn_number(value, places=3)


def rule_min_models(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    n = int(p.get("n", 1))
    status = p.get("status") or ModelStatus.REGISTERED.value
    try:
        need_rank = model_status_rank(status)
    except ValueError as exc:
        raise RuleError(f"mức mô hình không hợp lệ: {status!r}") from exc
    count, tail = _models_summary(tuple(f.models), need_rank, n, at)
    return RuleOutcome(count >= n, min(1.0, count / n) if n > 0 else 1.0, f"{count}{tail}")


@functools.lru_cache(maxsize=4096)
def _models_summary(models: tuple[ModelFact, ...], need_rank: int, n: int, at: dt.date) -> tuple[int, str]:
    """(count, explanation after the count): people of one unit share their unit's models."""
    label = MODEL_STATUS_LABELS[MODEL_STATUS_ORDER[need_rank]]
    counted = [mf for mf in models if mf.rank_at >= need_rank]
    listed = "; ".join(f"{mf.code} {mf.name} ({MODEL_STATUS_LABELS[MODEL_STATUS_ORDER[mf.rank_at]]})"
                       for mf in counted[:MAX_NAMES])
    if len(counted) > MAX_NAMES:
        listed += f" và {len(counted) - MAX_NAMES} mô hình khác"
    tail = f" mô hình ở mức “{label}” trở lên tính đến {vn_date(at)} (cần ít nhất {n})"
    return len(counted), tail + (f": {listed}." if counted else ".")


def rule_min_people_guided(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    n = int(p.get("n", 1))
    guided = max(f.people_guided, f.mentees)
    source = []
    if f.people_guided:
        source.append(f"{f.people_guided} người theo hồ sơ")
    if f.mentees:
        source.append(f"{f.mentees} người học có tên (Đại sứ số)")
    detail = f" ({'; '.join(source)})" if source else ""
    passed = guided >= n
    verdict = "đạt" if passed else "chưa đạt"
    return RuleOutcome(passed, min(1.0, guided / n) if n > 0 else 1.0,
                       f"đã hướng dẫn {guided} người{detail}; cần ít nhất {n}: {verdict}.")


def rule_solution_applied(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    n = int(p.get("n", 1))
    require_effect = bool(p.get("require_effect", False))
    if not f.solutions:
        return RuleOutcome(n <= 0, 1.0 if n <= 0 else 0.0,
                           f"hồ sơ chưa có giải pháp nào (cần ít nhất {n}).")
    counted, others = [], []
    for s in f.solutions:
        applied = s.applied and (s.applied_on is None or s.applied_on <= at)
        if applied and (not require_effect or (s.effect and s.effect.strip())):
            counted.append(f"“{s.title}” ({s.effect.strip().rstrip('.')})" if s.effect else f"“{s.title}”")
        elif not applied:
            others.append(f"“{s.title}” chưa được áp dụng")
        else:
            others.append(f"“{s.title}” chưa ghi hiệu quả")
    passed = len(counted) >= n
    what = "được áp dụng và có hiệu quả ghi nhận" if require_effect else "được áp dụng"
    text = f"{len(counted)} giải pháp {what} (cần ít nhất {n})"
    if counted:
        text += ": " + "; ".join(counted)
    if others:
        text += "; không tính: " + "; ".join(others)
    return RuleOutcome(passed, min(1.0, len(counted) / n) if n > 0 else 1.0, text + ".")


def rule_not_disciplined(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    if f.under_discipline:
        note = f" ({f.discipline_note})" if f.discipline_note else ""
        return RuleOutcome(False, 0.0, f"đang bị thi hành kỷ luật hoặc xem xét xử lý{note}.")
    if f.subject == "unit":
        return RuleOutcome(True, 1.0, "hồ sơ không ghi nhận tập thể đang bị kỷ luật hoặc xem xét xử lý.")
    return RuleOutcome(True, 1.0, "không đang bị kỷ luật hoặc xem xét xử lý.")


def rule_min_activities(f: SubjectFacts, p: dict[str, Any], at: dt.date) -> RuleOutcome:
    kind = p.get("kind")
    if kind not in _ACTIVITY_LOWER:
        raise RuleError(f"loại hoạt động không hợp lệ: {kind!r}")
    label = _ACTIVITY_LOWER[kind]
    n = int(p.get("n", 1))
    per = p.get("per", "period")
    start: dt.date | None = p.get("start")
    end: dt.date | None = p.get("end")
    last = at if end is None or at < end else end
    rows = f.activities.get(kind, ())
    if start is not None and last < start:
        return RuleOutcome(False, 0.0, f"chưa đến thời gian tính ({label} từ {vn_date(start)}).")
    window = f"từ {vn_date(start)} đến {vn_date(last)}" if start else f"đến {vn_date(last)}"
    if per == "week":
        first = start or min((d for d, _ in rows), default=last)
        weeks = iso_weeks(first, last)
        per_week: dict[dt.date, int] = {}
        for day, count in rows:
            if (start is None or day >= start) and day <= last:
                monday = day - dt.timedelta(days=day.weekday())
                per_week[monday] = per_week.get(monday, 0) + count
        missing = [w for w in weeks if per_week.get(w, 0) < n]
        ok = len(weeks) - len(missing)
        text = (f"{ok}/{len(weeks)} tuần có ít nhất {n} buổi {label} {window}")
        if missing:
            shown = ", ".join(week_label(w) for w in missing[:6])
            more = f" và {len(missing) - 6} tuần khác" if len(missing) > 6 else ""
            text += f"; thiếu: {shown}{more}."
        else:
            text += "."
        return RuleOutcome(bool(weeks) and not missing, ok / len(weeks) if weeks else 0.0, text)
    total = sum(c for d, c in rows if (start is None or d >= start) and d <= last)
    passed = total >= n
    return RuleOutcome(passed, min(1.0, total / n) if n > 0 else 1.0,
                       f"{total} buổi {label} {window} (cần ít nhất {n}): "
                       f"{'đạt' if passed else 'chưa đạt'}.")


_ACTIVITY_LOWER = {k.value: v.lower() for k, v in ACTIVITY_KIND_LABELS.items()}
NO_MEMO = object()  # a person key meaning "inputs unique to this person: do not keep the result"
_BOTH = frozenset({"unit", "person"})
RULES: dict[str, RuleSpec] = {r.code: r for r in (
    RuleSpec("party_members_vneid", "Toàn bộ đảng viên của tổ chức thành thạo VNeID đến một ngày",
             frozenset({"unit"}),
             (ParamSpec("by", "date", "Hạn (ngày)", required=True),
              ParamSpec("require_guide", "bool", "Phải biết hướng dẫn người dân", False)),
             rule_party_members_vneid),
    RuleSpec("target_met", "Đạt hoặc vượt chỉ tiêu (với mức vượt)", frozenset({"unit"}),
             (ParamSpec("target", "target", "Mã chỉ tiêu", required=True),
              ParamSpec("margin", "float", "Mức vượt (điểm phần trăm hoặc số lượng)", 0.0)),
             rule_target_met),
    RuleSpec("min_models", "Có ít nhất N mô hình từ một mức trở lên", _BOTH,
             (ParamSpec("n", "int", "Số mô hình tối thiểu", 1),
              ParamSpec("status", "model_status", "Mức tối thiểu", ModelStatus.IMPLEMENTING.value)),
             rule_min_models, lambda f: id(f.models)),
    RuleSpec("person_vneid", "Cá nhân thành thạo VNeID đến một ngày (và biết hướng dẫn)", frozenset({"person"}),
             (ParamSpec("by", "date", "Hạn (ngày)", required=True),
              ParamSpec("require_guide", "bool", "Phải biết hướng dẫn người dân", True)),
             rule_person_vneid, lambda f: (f.vneid_on, f.can_guide)),
    RuleSpec("min_people_guided", "Hướng dẫn ít nhất N người", _BOTH,
             (ParamSpec("n", "int", "Số người tối thiểu", 5),), rule_min_people_guided,
             lambda f: (f.people_guided, f.mentees)),
    RuleSpec("solution_applied", "Có giải pháp được áp dụng (có hiệu quả ghi nhận)", _BOTH,
             (ParamSpec("require_effect", "bool", "Phải có hiệu quả ghi nhận", True),
              ParamSpec("n", "int", "Số giải pháp tối thiểu", 1)), rule_solution_applied,
             lambda f: id(f.solutions) if not f.solutions else NO_MEMO),
    RuleSpec("not_disciplined", "Không đang bị kỷ luật, điều tra, xem xét xử lý", _BOTH, (), rule_not_disciplined,
             lambda f: (f.under_discipline, f.discipline_note)),
    RuleSpec("min_activities", "Ít nhất N hoạt động một loại mỗi tuần hoặc trong một thời kỳ", _BOTH,
             (ParamSpec("kind", "activity_kind", "Loại hoạt động", "guidance", required=True),
              ParamSpec("n", "int", "Số buổi tối thiểu", 1),
              ParamSpec("per", "per", "Tính theo (week: mỗi tuần; period: cả thời kỳ)", "period"),
              ParamSpec("start", "date", "Từ ngày"), ParamSpec("end", "date", "Đến ngày")),
             rule_min_activities, lambda f: id(f.activities) if not f.activities else NO_MEMO),
)}


def check_params(rule: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a rule's parameters (dates from ISO text, numbers from text)."""
    spec = RULES.get(rule)
    if spec is None:
        raise RuleError(f"không có quy tắc “{rule}” trong thư viện quy tắc; các quy tắc: {', '.join(RULES)}.")
    known = {ps.name for ps in spec.params} | {"partial"}  # partial: points in proportion to what is met
    unknown = set(params) - known
    if unknown:
        raise RuleError(f"quy tắc “{rule}” không có tham số {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    for ps in spec.params:
        value = params.get(ps.name, ps.default)
        if value is None or value == "":
            if ps.required:
                raise RuleError(f"quy tắc “{rule}” cần tham số “{ps.label}” ({ps.name}).")
            continue
        try:
            if ps.kind == "date" and not isinstance(value, dt.date):
                value = dt.date.fromisoformat(str(value))
            elif ps.kind == "int":
                value = int(value)
                if value < 0:
                    raise ValueError
            elif ps.kind == "float":
                value = float(value)
            elif ps.kind == "bool" and not isinstance(value, bool):
                value = str(value).strip().lower() in ("1", "true", "có", "co", "yes")
        except (TypeError, ValueError) as exc:
            raise RuleError(f"tham số “{ps.label}” ({ps.name}) của quy tắc “{rule}” không hợp lệ: {value!r}.") from exc
        if ps.kind == "model_status" and value not in {s.value for s in ModelStatus}:
            raise RuleError(f"mức mô hình không hợp lệ: {value!r}.")
        if ps.kind == "activity_kind" and value not in {k.value for k in ACTIVITY_KIND_LABELS}:
            raise RuleError(f"loại hoạt động không hợp lệ: {value!r}.")
        if ps.kind == "per" and value not in ("week", "period"):
            raise RuleError(f"“{ps.label}” phải là week hoặc period, không phải {value!r}.")
        out[ps.name] = value
    if "partial" in params:
        value = params["partial"]
        out["partial"] = value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "có", "yes")
    if "start" in out and "end" in out and out["end"] < out["start"]:
        raise RuleError(f"quy tắc “{rule}”: ngày kết thúc trước ngày bắt đầu.")
    return out


# --------------------------------------------------------------------------- criteria and scores


@dataclass(frozen=True)
class CriterionDef:
    code: str
    name: str
    type: str  # gate | points
    method: str  # auto | manual
    max_points: float = 0.0
    rule: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class CriteriaSetDef:
    code: str
    name: str
    subject_kind: str
    criteria: tuple[CriterionDef, ...]
    id: int | None = None

    @functools.cached_property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria if c.type == "points")


@dataclass(frozen=True)
class ManualEntry:
    passed: bool | None
    points: float | None
    evidence: str | None
    recorded_by: str | None
    recorded_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion's result for one subject. Immutable: subjects with the same inputs share one."""

    code: str
    name: str
    type: str
    method: str
    passed: bool
    points: float
    max_points: float
    explanation: str
    evidence: str | None = None
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    criterion_id: int | None = None


@dataclass(slots=True)
class SubjectScore:
    subject: str
    subject_id: int
    id: str  # unit code, CCCD, or an internal id
    name: str
    kind: str
    eligible: bool
    points: float
    max_points: float
    criteria: list[CriterionScore]
    held_back: str | None = None  # the rule of the law that holds the subject back
    tie_break_first: bool = False
    women_share: float | None = None
    rank: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON of `bdhvs score --json` (exactly these keys)."""
        return {
            "subject": self.subject, "id": self.id, "name": self.name, "kind": self.kind,
            "eligible": self.eligible, "points": round(self.points, 2), "max_points": round(self.max_points, 2),
            "rank": self.rank,
            "criteria": [{"code": c.code, "name": c.name, "type": c.type, "passed": c.passed,
                          "points": round(c.points, 2), "explanation": c.explanation} for c in self.criteria],
        }


def _manual(c: CriterionDef, f: SubjectFacts, entry: ManualEntry | None) -> tuple[bool, float, str]:
    if entry is None:
        return False, 0.0, "chưa có kết quả do Thư ký hoặc Hội đồng ghi nhận cho tiêu chí này."
    when = f" ngày {vn_date(entry.recorded_at.date())}" if entry.recorded_at else ""
    who = f"{entry.recorded_by or 'không rõ người ghi'}{when}"
    evidence = f"; căn cứ: {entry.evidence}" if entry.evidence else "; chưa ghi căn cứ"
    if c.type == "gate":
        passed = bool(entry.passed)
        return passed, 0.0, f"{'đạt' if passed else 'không đạt'} (ghi nhận bởi {who}{evidence})."
    pts = max(0.0, min(float(entry.points or 0.0), c.max_points))
    return pts > 0, pts, f"{_num(pts)}/{_num(c.max_points)} điểm (ghi nhận bởi {who}{evidence})."


Plan = list[tuple[CriterionDef, Any, bool, Any]]


def compile_plan(cset: CriteriaSetDef) -> Plan:
    """Each criterion with its rule function (and the person key of the rule) looked up once."""
    plan: Plan = []
    for c in cset.criteria:
        func = key = None
        if c.method != "manual":
            spec = RULES.get(c.rule or "")
            if spec is None:
                raise RuleError(f"tiêu chí {c.code}: không có quy tắc “{c.rule}” trong thư viện quy tắc.")
            func, key = spec.func, spec.person_key
        plan.append((c, func, bool(c.params.get("partial")), key))
    return plan


def _evaluate(c: CriterionDef, func: Any, partial: bool, facts: SubjectFacts, at: dt.date,
              entry: ManualEntry | None) -> CriterionScore:
    is_points = c.type == "points"
    if func is None:
        passed, pts, text = _manual(c, facts, entry)
    else:
        outcome = func(facts, c.params, at)
        passed, text = outcome.passed, outcome.explanation
        pts = (c.max_points if passed else (c.max_points * outcome.fraction if partial else 0.0)) if is_points else 0.0
    # A unit's explanation names the unit ("Chi bộ Khu phố 3: 18/20 đảng viên ..."); a person's is
    # about that person's own records.
    text = f"{facts.name}: {text}" if facts.subject == "unit" else text[:1].upper() + text[1:]
    if entry is None:
        return CriterionScore(c.code, c.name, c.type, c.method, passed, pts, c.max_points if is_points else 0.0,
                              text, None, None, None, c.id)
    return CriterionScore(c.code, c.name, c.type, c.method, passed, pts, c.max_points if is_points else 0.0, text,
                          entry.evidence, entry.recorded_by, entry.recorded_at, c.id)


def score_subject(facts: SubjectFacts, cset: CriteriaSetDef, at: dt.date,
                  manual: dict[str, ManualEntry] | None = None, plan: Plan | None = None,
                  memo: list[dict[Any, CriterionScore]] | None = None) -> SubjectScore:
    """Each criterion's result, the total points, eligibility, and the law on top.

    memo: one dict per criterion of the plan, shared across the people scored in one run: a
    person's result depends only on the rule's inputs (RuleSpec.person_key), so people with
    the same inputs share one immutable CriterionScore."""
    results: list[CriterionScore] = []
    eligible = True
    total = 0.0
    use_memo = memo is not None and facts.subject == "person"
    append = results.append
    for i, (c, func, partial, key) in enumerate(plan if plan is not None else compile_plan(cset)):
        entry = manual.get(c.code) if manual else None
        if use_memo and entry is None and (func is None or key is not None):
            cache = memo[i]  # type: ignore[index]
            k = key(facts) if func is not None else None
            result = cache.get(k) if k is not NO_MEMO else None
            if result is None:
                result = _evaluate(c, func, partial, facts, at, None)
                if k is not NO_MEMO:
                    cache[k] = result
        else:
            result = _evaluate(c, func, partial, facts, at, entry)
        if result.max_points:
            total += result.points
        elif result.type == "gate" and not result.passed:
            eligible = False
        append(result)
    held_back = None
    if facts.under_discipline:
        note = f" ({facts.discipline_note})" if facts.discipline_note else ""
        held_back = (f"Chưa xét khen thưởng: {facts.name} đang bị thi hành kỷ luật hoặc xem xét xử lý{note} "
                     "(Nghị định 152/2025/NĐ-CP, Điều 4).")
        eligible = False
    return SubjectScore(facts.subject, facts.id, facts.code, facts.name, cset.subject_kind, eligible, total,
                        cset.max_points, results, held_back, facts.tie_break_first,
                        facts.women_share if facts.subject == "unit" else None)


def score_all(facts: Iterable[SubjectFacts], sets: dict[str, CriteriaSetDef], at: dt.date,
              manual: dict[tuple[str, int], dict[str, ManualEntry]] | None = None) -> list[SubjectScore]:
    """Score every subject whose kind has a criteria set, then rank them per kind.

    The facts must stay alive for the whole call (person keys may use the identity of the
    shared lists in them)."""
    facts = list(facts)
    plans = {kind: compile_plan(cset) for kind, cset in sets.items()}
    memos = {kind: [{} for _ in plan] for kind, plan in plans.items()}
    # The people's fast path: every criterion keyed (or manual), each result looked up in its memo.
    fast = {kind: [(key, memo, c, func, partial) for (c, func, partial, key), memo in zip(plan, memos[kind])]
            for kind, plan in plans.items() if all(func is None or key is not None for _c, func, _p, key in plan)}
    manual = manual or {}
    empty: dict[str, ManualEntry] = {}
    out = []
    append = out.append
    for f in facts:
        plan = plans.get(f.kind)
        if plan is None:
            continue
        entries = manual.get((f.subject, f.id), empty)
        steps = fast.get(f.kind) if f.subject == "person" and not entries else None
        if steps is None:
            append(score_subject(f, sets[f.kind], at, entries, plan, memos[f.kind]))
            continue
        results = []
        total = 0.0
        eligible = True
        for key, memo, c, func, partial in steps:
            k = key(f) if key is not None else None
            if k is NO_MEMO:
                r = _evaluate(c, func, partial, f, at, None)
            else:
                r = memo.get(k)
                if r is None:
                    r = memo[k] = _evaluate(c, func, partial, f, at, None)
            if r.max_points:
                total += r.points
            elif not r.passed and r.type == "gate":
                eligible = False
            results.append(r)
        held_back = None
        if f.under_discipline:
            note = f" ({f.discipline_note})" if f.discipline_note else ""
            held_back = (f"Chưa xét khen thưởng: {f.name} đang bị thi hành kỷ luật hoặc xem xét xử lý{note} "
                         "(Nghị định 152/2025/NĐ-CP, Điều 4).")
            eligible = False
        cset = sets[f.kind]
        append(SubjectScore("person", f.id, f.code, f.name, cset.subject_kind, eligible, total, cset.max_points,
                            results, held_back, f.female, None))
    return rank_scores(out)


def rank_key(score: SubjectScore) -> tuple:
    """Higher points first; on equal points a woman (a collective ≥70% women) first; then by name."""
    return (-round(score.points, 6), 0 if score.tie_break_first else 1, fold(score.name), score.subject_id)


def _plain_key(score: SubjectScore) -> tuple:
    # The ineligible are listed by points then name; no accent folding needed for thousands of them.
    return (-score.points, score.name, score.subject_id)


def rank_scores(scores: Iterable[SubjectScore]) -> list[SubjectScore]:
    """Rank the eligible among subjects of the same kind (1, 2, 2, 4 when points and the tie-break
    are both equal); the ineligible get rank None. Returns all scores, ranked ones first per kind."""
    by_kind: dict[str, list[SubjectScore]] = {}
    out: list[SubjectScore] = []
    for s in scores:
        by_kind.setdefault(s.kind, []).append(s)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        eligible = sorted((s for s in group if s.eligible), key=rank_key)
        previous: tuple | None = None
        rank = 0
        for position, s in enumerate(eligible, start=1):
            key = rank_key(s)[:2]
            if key != previous:
                rank = position
                previous = key
            s.rank = rank
        rest = sorted((s for s in group if not s.eligible), key=_plain_key)
        for s in rest:
            s.rank = None
        out.extend(eligible)
        out.extend(rest)
    return out


def model_rank_at(status: str, at: dt.date, dates: dict[str, dt.date | None]) -> int:
    """The lifecycle rank a model had reached on `at`: the highest status whose date is on or before
    `at` (a status reached without a recorded date counts), never above the current status."""
    current = model_status_rank(status)
    reached = -1
    for rank, st in enumerate(MODEL_STATUS_ORDER[: current + 1]):
        day = dates.get(st.value)
        if day is None or day <= at:
            reached = rank
        else:
            break
    return reached
