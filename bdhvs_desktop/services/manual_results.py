"""Results of the manual criteria (the Secretary's or the council's verdict with its evidence):
recording and clearing one (audited, with the optimistic rule of every editable record), and
reading them all for a scoring run.

Split out of services/scoring.py, which still exports these names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.criteria import ScoringError
from bdhvs_desktop.services.safety import EditConflict
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


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
                raise ScoringError(f"Tiêu chí {crit.code}: hãy nhập số điểm (từ 0 đến {sc.points_text(crit.max_points)}).")
            points = float(points)
            if not 0 <= points <= crit.max_points:
                raise ScoringError(f"Tiêu chí {crit.code}: điểm phải từ 0 đến {sc.points_text(crit.max_points)}, "
                                  f"không phải {sc.points_text(points)}.")
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


def manual_entries(s: Session, sets: Iterable[sc.CriteriaSetDef]) -> dict[tuple[str, int], dict[str, sc.ManualEntry]]:
    code_of = {c.id: c.code for cs in sets for c in cs.criteria if c.method == "manual"}
    out: dict[tuple[str, int], dict[str, sc.ManualEntry]] = {}
    if not code_of:
        return out
    for cid, st, sid, passed, points, evidence, by, when in s.execute(
            select(m.ManualResult.criterion_id, m.ManualResult.subject_type, m.ManualResult.subject_id,
                   m.ManualResult.passed, m.ManualResult.points, m.ManualResult.evidence, m.ManualResult.recorded_by,
                   m.ManualResult.recorded_at).where(m.ManualResult.criterion_id.in_(list(code_of)))):
        out.setdefault((st, sid), {})[code_of[cid]] = sc.ManualEntry(passed, points, evidence, by, when)
    return out
