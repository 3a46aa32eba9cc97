"""Criteria sets of the campaign: loading them per subject kind and level (ward, province) for
scoring. Listing and editing them is in services/criteria_edit.py.

Split out of services/scoring.py, which still exports these names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m


class ScoringError(ServiceError):
    """A scoring action the user must correct; the message is Vietnamese."""


def campaign_id(s: Session) -> int:
    """The campaign's id; ScoringError when the database has none yet."""
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


def load_criteria_sets_by_level(s: Session) -> dict[str, dict[str, sc.CriteriaSetDef]]:
    """level -> subject kind -> its criteria set (the first one when there are several)."""
    cid = campaign_id(s)
    out: dict[str, dict[str, sc.CriteriaSetDef]] = {level: {} for level in sc.CRITERIA_LEVELS}
    for cs in s.scalars(select(m.CriteriaSet).where(m.CriteriaSet.campaign_id == cid).order_by(m.CriteriaSet.id)):
        level = cs.level if cs.level in out else "ward"
        if cs.subject_kind in out[level]:
            continue
        out[level][cs.subject_kind] = sc.CriteriaSetDef(cs.code, cs.name, cs.subject_kind,
                                                        tuple(_criterion_def(c) for c in cs.criteria), cs.id, level)
    return out


def load_criteria_sets(s: Session, level: str = "ward") -> dict[str, sc.CriteriaSetDef]:
    """The criteria set of a level for each subject kind (the first one when there are several)."""
    return load_criteria_sets_by_level(s).get(level, {})


def load_criteria_max(s: Session, subject_kind: str, level: str = "ward") -> float:
    """The maximum points of the criteria set for a subject kind at a level (the ward's set when the
    level has none; 0 when there is none at all)."""
    by_level = load_criteria_sets_by_level(s)
    cs = by_level.get(level, {}).get(subject_kind) or by_level["ward"].get(subject_kind)
    return cs.max_points if cs else 0.0
