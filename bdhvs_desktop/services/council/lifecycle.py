"""A candidate's lifecycle: draft → proposed → reviewed → approved | rejected → issued. The
status transitions, the approval rule (a passing vote of a meeting with quorum, and at a province
office one file per person: twins.py), locking with a score snapshot, reopening (a recorded act
of the chair or the secretary), withdrawing, and issuing when a dossier is made (`mark_issued`,
used by the ward's and the province's dossier). Decisions are chained in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.text import name_key
from bdhvs_desktop.domain.vocab import CANDIDATE_STATUS_LABELS, CandidateStatus, CouncilRole
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.auth import PermissionDenied, current_user, has_role, require_role
from bdhvs_desktop.services.council.common import (
    COUNCIL_LOCK,
    CouncilActionError,
    NoPassingVote,
    _candidate,
    _label,
    _level,
    _member_count,
    _present_count,
    _refuse_locked,
)
from bdhvs_desktop.services.council.twins import refuse_twin
from bdhvs_desktop.services.province_board import score_for
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize

TRANSITIONS = {
    "draft": {"proposed"},
    "proposed": {"draft", "reviewed"},
    "reviewed": {"proposed", "approved", "rejected"},
    "approved": {"issued"},
    "rejected": {"reviewed"},
    "issued": set(),
}


def set_status(db: Database, candidate_id: int, status: str, reason: str | None = None,
               at: dt.date | None = None) -> None:
    """Move a candidate along its lifecycle. Approving locks the result with a score snapshot;
    not approving needs a reason. Decisions are chained in the audit log."""
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    if status not in TRANSITIONS:
        raise CouncilActionError(f"Trạng thái không hợp lệ: {status!r}.")
    reason = (reason or "").strip() or None
    if status == "rejected" and not reason:
        raise CouncilActionError("Không thông qua phải ghi rõ lý do.")
    snap = None
    if status == "approved":
        with db.read() as s:
            c = _candidate(s, candidate_id)
            day = at or c.score_as_of or dt.date.today()
            level = _level(c)
        snap = _snapshot(db, c.subject_type, c.unit_id or c.person_id, day, level)
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        c = _candidate(s, candidate_id)
        if status not in TRANSITIONS[c.status]:
            raise CouncilActionError(
                f"{_label(c)}: không chuyển được từ “{CANDIDATE_STATUS_LABELS[CandidateStatus(c.status)]}” sang "
                f"“{CANDIDATE_STATUS_LABELS[CandidateStatus(status)]}”.")
        if status != "issued":
            _refuse_locked(c)
        if c.status == "rejected":
            # Undoing a "not approved" decision is a reopening: the chair or the secretary, with a reason.
            if not reason:
                raise CouncilActionError(f"{_label(c)}: mở lại quyết định “Không được thông qua” phải ghi rõ lý do.")
            _require_reopener(s, db)
            c.decision_reason = None
        if status == "approved":
            reason = _passing_vote(s, c).explanation
            refuse_twin(s, c)  # one file per person at a province office
        _apply_decision(s, db.user, c, status, reason, snap)


def _passing_vote(s: Session, c: m.Candidate) -> dc.Decision:
    """The council decision that allows approving `c`: a tally recorded at a meeting with
    quorum that reaches that meeting's pass mark (domain/council.py). Nothing else approves."""
    # Only the council's latest vote counts: an older passing vote does not approve a candidate the
    # council has voted on again since (and not passed).
    vote = s.scalars(select(m.Vote).where(m.Vote.candidate_id == c.id).order_by(m.Vote.recorded_at.desc(),
                                                                                 m.Vote.id.desc()).limit(1)).first()
    last = None
    if vote is not None:
        meeting = s.get(m.CouncilMeeting, vote.meeting_id)
        decision = dc.decide(_member_count(s, meeting.id), _present_count(s, meeting.id),
                             dc.Tally(vote.votes_for, vote.votes_against, vote.votes_abstain),
                             dc.CouncilRules.from_dict(meeting.rules), _label(c))
        if decision.passed:
            return decision
        last = decision
    why = f" Kết quả đã nhập: {last.explanation}" if last else " Chưa có kết quả biểu quyết nào của Hội đồng."
    raise NoPassingVote(f"{_label(c)}: chỉ được thông qua khi Hội đồng đã biểu quyết tại một phiên họp đủ túc "
                             f"số và đạt tỷ lệ thông qua (nhập kết quả biểu quyết rồi dùng “Quyết định”).{why}")


def _snapshot(db: Database, subject: str, subject_id: int | None, day: dt.date, level: str = "ward") -> dict[str, Any]:
    score = score_for(db, subject, subject_id or 0, day, level)
    return scoring_service.snapshot(score, day) if score else {"as_of": day.isoformat()}


def _apply_decision(s: Session, user: str | None, c: m.Candidate, status: str, reason: str | None,
                    snap: dict[str, Any] | None) -> None:
    old = c.status
    c.status = status
    decision = status in ("approved", "rejected")
    if status == "proposed" and c.proposed_at is None:
        c.proposed_at = m.utcnow()
    if decision:
        c.decision_reason = reason
        c.decided_at = m.utcnow()
    if status == "approved":
        c.locked = True
        c.score_snapshot = snap or {}
        if snap and snap.get("as_of"):
            c.score_as_of = dt.date.fromisoformat(snap["as_of"])
    audit.record(s, user=user, action="decide" if decision else "status", entity="candidate", entity_id=c.id,
                 field="status", old=old, new=status, note=reason,
                 chained=decision or status == "issued" or old == "rejected")
    if status == "approved":
        audit.record(s, user=user, action="lock", entity="candidate", entity_id=c.id, field="locked", old=False,
                     new=True, note=f"Khóa kết quả của {_label(c)}; điểm {c.score_snapshot.get('points')}"
                                    f"/{c.score_snapshot.get('max_points')}", chained=True)


def reopen(db: Database, candidate_id: int, reason: str) -> None:
    """Unlock an approved result so the council can review it again; recorded with its reason.
    Only the chair of the council or the secretary may reopen, never any one member."""
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    reason = (reason or "").strip()
    if not reason:
        raise CouncilActionError("Mở lại kết quả đã khóa phải ghi rõ lý do.")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        _require_reopener(s, db)
        c = _candidate(s, candidate_id)
        if not c.locked:
            raise CouncilActionError(f"Kết quả của {_label(c)} chưa bị khóa; không cần mở lại.")
        if c.status == "issued":
            raise CouncilActionError(f"{_label(c)}: hồ sơ đã được lập; không mở lại được.")
        old = c.status
        c.locked = False
        c.status = "reviewed"
        c.decision_reason = None
        audit.record(s, user=db.user, action="reopen", entity="candidate", entity_id=c.id, field="locked",
                     old=True, new=False, note=reason, chained=True)
        audit.record(s, user=db.user, action="status", entity="candidate", entity_id=c.id, field="status",
                     old=old, new="reviewed", note=reason, chained=True)


def _require_reopener(s: Session, db: Database) -> None:
    """The secretary (user role), or a council-member account that is the council's chair
    (matched by name, after the usual name normalisation, with an active member whose council
    role is chair)."""
    if has_role(db, "secretary"):
        return
    user = current_user(db)
    key = name_key(user.full_name) if user is not None else None
    chairs = s.scalars(select(m.CouncilMember.full_name).where(m.CouncilMember.role == CouncilRole.CHAIR.value,
                                                               m.CouncilMember.active.is_(True))).all()
    if key and any(name_key(name) == key for name in chairs):
        return
    who = f"Tài khoản {user.username} ({user.role_label})" if user is not None else "Người dùng này"
    raise PermissionDenied(f"{who} không được mở lại kết quả đã khóa: chỉ Chủ tịch Hội đồng hoặc thư ký mới được "
                           "mở lại (có ghi lý do); một thành viên Hội đồng không tự mở lại được.")


def withdraw(db: Database, candidate_id: int, reason: str | None = None) -> None:
    """Remove a draft or proposed candidate (never a decided one)."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        c = _candidate(s, candidate_id)
        _refuse_locked(c)
        if c.status not in ("draft", "proposed"):
            raise CouncilActionError(f"{_label(c)}: chỉ rút được hồ sơ ở trạng thái nháp hoặc đã đề nghị.")
        audit.record(s, user=db.user, action="delete", entity="candidate", entity_id=c.id,
                     old={"name": _label(c), "status": c.status}, note=reason, chained=True)
        s.delete(c)


def mark_issued(s: Session, user: str | None, candidate_ids: Iterable[int], note: str) -> list[int]:
    """The last step of the lifecycle, in the caller's transaction (the dossier that was just
    written and recorded): every approved candidate among `candidate_ids` becomes "issued", each
    move chained in the audit log with `note`. Returns the ids moved."""
    issued: list[int] = []
    now = m.utcnow()
    for cand in s.scalars(select(m.Candidate).where(m.Candidate.id.in_(list(candidate_ids)))
                          .order_by(m.Candidate.id)):
        if cand.status == CandidateStatus.APPROVED:
            cand.status = CandidateStatus.ISSUED
            cand.decided_at = cand.decided_at or now
            issued.append(cand.id)
            audit.record(s, user=user, action="status", entity="candidate", entity_id=cand.id, field="status",
                         old=CandidateStatus.APPROVED.value, new=CandidateStatus.ISSUED.value, note=note,
                         chained=True)
    return issued
