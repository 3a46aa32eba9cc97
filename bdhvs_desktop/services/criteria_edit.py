"""Editing the criteria sets: listing them with their criteria for the editor, and adding, changing
and deleting a criterion (checked, audited; a stale version is a conflict). Loading the sets for
scoring is in services/criteria.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.vocab import SubjectKind
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.criteria import ScoringError, campaign_id
from bdhvs_desktop.services.errors import Conflict
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


class StaleCriterion(Conflict, StaleDataError):
    """The criterion was changed by someone else since it was read: a Conflict (mine/theirs),
    still a StaleDataError for the callers that caught SQLAlchemy's error before #12."""


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
    level: str = "ward"


def list_criteria_sets(db: Database, level: str | None = "ward") -> list[CriteriaSetInfo]:
    """The campaign's criteria sets of a level (the ward's by default; None: every level, the
    ward's first), with their criteria."""
    with db.read() as s:
        cid = campaign_id(s)
        out = []
        q = select(m.CriteriaSet).where(m.CriteriaSet.campaign_id == cid)
        if level is not None:
            q = q.where(m.CriteriaSet.level == level)
        rank = {lv: i for i, lv in enumerate(sc.CRITERIA_LEVELS)}
        rows = sorted(s.scalars(q), key=lambda cs: (rank.get(cs.level, 0), cs.id))
        for cs in rows:
            crits = tuple(CriterionInfo(c.id, cs.id, c.code, c.name, c.type, c.method, float(c.max_points or 0), c.rule,
                                        dict(c.params or {}), c.description, c.sort_order, c.version)
                          for c in cs.criteria)
            out.append(CriteriaSetInfo(cs.id, cs.code, cs.name, cs.subject_kind,
                                       sum(c.max_points for c in crits if c.type == "points"), crits, cs.version,
                                       cs.level or "ward"))
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
