"""A candidate for an award as the screens read and edit it: the award forms, the candidate as
plain data (with its ward and, at a province office, the same person's files from other wards),
the list, and editing the award, summary or report text (optimistic version: a Conflict with
mine/theirs, never an overwrite). Proposing is in proposals.py, the status lifecycle (approving,
rejecting, reopening, withdrawing, issuing) in lifecycle.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain.vocab import CandidateStatus, candidate_status_label
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.common import (
    CouncilActionError,
    _candidate,
    _kind_label,
    _level,
    _refuse_locked,
)
from bdhvs_desktop.services.council.twins import twin_notes, twins_of
from bdhvs_desktop.services.province_board import scoped_name
from bdhvs_desktop.services.safety import EditConflict
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class AwardFormInfo:
    id: int
    code: str
    name: str
    level: str | None
    subject_kinds: tuple[str, ...]


def list_award_forms(db: Database) -> list[AwardFormInfo]:
    with db.read() as s:
        return [AwardFormInfo(f.id, f.code, f.name, f.level, tuple(f.subject_kinds or ()))
                for f in s.scalars(select(m.AwardForm).order_by(m.AwardForm.id))]


@dataclass(frozen=True)
class CandidateInfo:
    id: int
    subject: str  # unit | person
    subject_id: int
    code: str  # unit code, CCCD or internal id
    name: str
    kind: str
    unit_name: str | None  # for a person: their unit
    position: str | None
    award_code: str | None
    award_name: str | None
    summary: str | None
    status: str
    status_label: str
    locked: bool
    decision_reason: str | None
    meeting_id: int | None
    score_as_of: dt.date | None
    score_snapshot: dict[str, Any]
    version: int
    level: str = "ward"  # the criteria it is scored against: its award form's level (ward or province)
    #: at a province office: the other wards' files of the same person and their state
    #: ("Trùng với hồ sơ số 12: Âu Thị Ánh (Phường Bình Minh) — được thông qua"), else None
    twin: str | None = None


def _candidate_info(c: m.Candidate, twins: dict[int, str] | None = None) -> CandidateInfo:
    """The candidate as plain data; `twins`: twin_notes(s) when the caller lists many."""
    if c.subject_type == "unit":
        code, name, unit_name, position, sid = c.unit.code, c.unit.name, None, c.unit.head_title, c.unit_id
    else:
        p = c.person
        code, name = scoring_service.person_code(p.cccd, p.id), p.full_name
        unit_name, position, sid = (p.unit.name if p.unit else None), p.position, p.id
    name = scoped_name(c, name)  # at a province office, with its ward
    return CandidateInfo(c.id, c.subject_type, sid, code, name, c.subject_kind, unit_name, position,
                         c.award_form.code if c.award_form else None, c.award_form.name if c.award_form else None,
                         c.summary, c.status, candidate_status_label(c.status, _decision_of(c)), c.locked,
                         c.decision_reason, c.meeting_id, c.score_as_of, dict(c.score_snapshot or {}), c.version,
                         _level(c), (twins if twins is not None else _twin_note(c)).get(c.id))


def _twin_note(c: m.Candidate) -> dict[int, str]:
    """The board's note on one candidate's twins (the list functions read them all at once)."""
    s = object_session(c)
    if s is None or c.subject_type != "person":
        return {}
    me, others = twins_of(s, c.id)
    return twin_notes(s) if me is not None and others else {}


def _decision_of(c: m.Candidate) -> str | None:
    """The number/symbol of the decision that awarded an "issued" candidate (the register)."""
    if c.status != CandidateStatus.ISSUED:
        return None
    s = object_session(c)
    if s is None:
        return None
    return s.scalar(select(m.AwardRecord.decision_number).where(m.AwardRecord.candidate_id == c.id,
                                                              m.AwardRecord.source == "issued"))


def list_candidates(db: Database, include_rejected: bool = True) -> list[CandidateInfo]:
    with db.read() as s:
        q = select(m.Candidate).order_by(m.Candidate.subject_kind, m.Candidate.id)
        if not include_rejected:
            q = q.where(m.Candidate.status != "rejected")
        twins = twin_notes(s)
        return [_candidate_info(c, twins) for c in s.scalars(q)]


def get_candidate(db: Database, candidate_id: int) -> CandidateInfo:
    with db.read() as s:
        return _candidate_info(_candidate(s, candidate_id))


def _award(s: Session, code: str | None, kind: str) -> m.AwardForm | None:
    if not code:
        return None
    form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == code))
    if form is None:
        codes = ", ".join(s.scalars(select(m.AwardForm.code).order_by(m.AwardForm.id)))
        raise CouncilActionError(f"Không có hình thức khen thưởng mã “{code}”. Các mã có sẵn: {codes}.")
    if form.subject_kinds and kind not in form.subject_kinds:
        raise CouncilActionError(f"Hình thức “{form.name}” không dùng cho đối tượng loại "
                                 f"“{_kind_label(kind)}”.")
    return form


def update_candidate(db: Database, candidate_id: int, *, version: int, award_code: str | None = None,
                     summary: str | None = None, report_text: dict[str, Any] | None = None) -> int:
    """Change the award, summary or report text of a candidate read at `version` (the
    optimistic-version rule of every editable record): a colleague's newer save is never
    overwritten, EditConflict is raised and nothing is written. Returns the new version."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    mine = {k: v for k, v in (("award_code", award_code), ("summary", summary), ("report_text", report_text))
            if v is not None}
    try:
        with db.session() as s:
            c = _candidate(s, candidate_id)
            _refuse_locked(c)
            if c.version != version:
                raise EditConflict("candidate", c.id, mine, _candidate_theirs(c, mine), c.version)
            changes: dict[str, tuple[Any, Any]] = {}
            if award_code is not None:
                form = _award(s, award_code, c.subject_kind)
                changes["award_form"] = (c.award_form.code if c.award_form else None, form.code if form else None)
                c.award_form_id = form.id if form else None
            if summary is not None:
                changes["summary"] = (c.summary, summary.strip() or None)
                c.summary = summary.strip() or None
            if report_text is not None:
                changes["report_text"] = (c.report_text, report_text)
                c.report_text = dict(report_text)
            # the award is part of what the council decides: its change is chained (`bdhvs check` compares it)
            audit.record_changes(s, user=db.user, entity="candidate", entity_id=c.id, changes=changes,
                                 chained="award_form" in changes)
            s.flush()
            return c.version
    except StaleDataError:
        with db.read() as s:
            c = s.get(m.Candidate, candidate_id)
            theirs, now = (None, None) if c is None else (_candidate_theirs(c, mine), c.version)
        raise EditConflict("candidate", candidate_id, mine, theirs, now) from None


def _candidate_theirs(c: m.Candidate, mine: dict[str, Any]) -> dict[str, Any]:
    """What is stored now for the fields a conflicting save typed."""
    theirs = {"award_code": c.award_form.code if c.award_form else None, "summary": c.summary,
              "report_text": c.report_text}
    return {k: theirs[k] for k in mine}
