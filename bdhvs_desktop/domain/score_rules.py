"""The rule library of the award criteria: each rule reads a subject's facts
(domain/score_facts.py) with its parameters and explains its result in Vietnamese, naming the
records behind it; `check_params` validates a criterion's parameters.

Pure Python. domain/scoring.py applies the rules of a criteria set and ranks the results."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bdhvs_desktop.domain.dates import iso_weeks, vn_date, week_label
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.score_facts import ModelFact, SubjectFacts
from bdhvs_desktop.domain.vocab import (
    ACTIVITY_KIND_LABELS,
    MODEL_STATUS_LABELS,
    MODEL_STATUS_ORDER,
    ModelStatus,
    model_status_rank,
)

# Dates repeat across thousands of explanations: format each once.
vn_date = functools.lru_cache(maxsize=8192)(vn_date)
MAX_NAMES = 10  # names listed in an explanation before "và N người khác"


class RuleError(ValueError):
    """A criterion whose rule or parameters cannot be used; the message is Vietnamese."""


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
