"""Candidates for an award: proposing them from the score board (one by one or every eligible
subject), editing the award and summary (optimistic version: a Conflict with mine/theirs, never
an overwrite), the status transitions with the approval rule (a passing vote of a meeting with
quorum), locking, reopening (a recorded act of the chair or the secretary) and withdrawing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.scoring import SubjectScore, criteria_level_of_award
from bdhvs_desktop.domain.text import name_key
from bdhvs_desktop.domain.vocab import (
    CANDIDATE_STATUS_LABELS,
    CandidateStatus,
    CouncilRole,
    SubjectKind,
    award_level_rank,
    candidate_status_label,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.auth import PermissionDenied, current_user, has_role, require_role
from bdhvs_desktop.services.council.common import (
    ACTIVE_STATUSES,
    COUNCIL_LOCK,
    CouncilActionError,
    LockedError,
    NoPassingVote,
    _candidate,
    _kind_label,
    _label,
    _level,
    _member_count,
    _present_count,
)
from bdhvs_desktop.services.council.twins import refuse_twin, twin_notes, twins_of
from bdhvs_desktop.services.province_board import board_for, scoped_name, score_for
from bdhvs_desktop.services.safety import EditConflict
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize


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


def _default_award(s: Session, kind: str) -> m.AwardForm | None:
    for form in s.scalars(select(m.AwardForm).order_by(m.AwardForm.id)):
        if form.level == "ward" and (not form.subject_kinds or kind in form.subject_kinds):
            return form
    return None


def summary_from_score(score: SubjectScore) -> str:
    """A short achievement summary drawn from the score (the secretary can rewrite it)."""
    passed = [c.name for c in score.criteria if c.type == "points" and c.points > 0]
    text = f"Đạt toàn bộ tiêu chuẩn bắt buộc; {score.points:g}/{score.max_points:g} điểm"
    if score.rank:
        text += f", xếp thứ {score.rank}"
    if passed:
        text += ". Nổi bật: " + "; ".join(passed[:4])
    return text + "."


def propose(db: Database, subject: str, subject_id: int, *, award_code: str | None = None,
            summary: str | None = None, at: dt.date | None = None, draft: bool = False) -> int:
    """Propose one subject for an award (or save it as a draft); returns the candidate id."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    at = at or dt.date.today()
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        return _propose(s, db.user, subject, subject_id, award_code=award_code, summary=summary, at=at, draft=draft)


def _propose(s: Session, user: str | None, subject: str, subject_id: int, *, award_code: str | None,
             summary: str | None, at: dt.date, draft: bool = False) -> int:
    """One candidate, in the caller's transaction; every refusal comes before anything is written."""
    if subject not in ("unit", "person"):
        raise CouncilActionError("Đối tượng phải là đơn vị (unit) hoặc cá nhân (person).")
    campaign_id = s.scalar(select(m.Campaign.id).order_by(m.Campaign.id).limit(1))
    if campaign_id is None:
        raise CouncilActionError("Cơ sở dữ liệu chưa có phong trào.")
    if subject == "unit":
        unit = s.get(m.Unit, subject_id)
        if unit is None:
            raise CouncilActionError(f"Không tìm thấy đơn vị số {subject_id}.")
        kind, name = scoring_service.subject_kind_of_unit(unit.is_party_org), unit.name
    else:
        person = s.get(m.Person, subject_id)
        if person is None:
            raise CouncilActionError(f"Không tìm thấy cá nhân số {subject_id}.")
        kind, name = SubjectKind.INDIVIDUAL.value, person.full_name
    form = _award(s, award_code, kind) if award_code else _default_award(s, kind)
    # Decree 152/2025, Art. 4: one achievement earns one award -- the register names the decision.
    try:
        awards_service.check_not_awarded(s, subject_type=subject, subject_id=subject_id, campaign_id=campaign_id,
                                         level=(form.level if form else None) or "ward", subject_name=name)
    except awards_service.AlreadyAwarded as exc:
        raise CouncilActionError(str(exc)) from exc
    column = m.Candidate.unit_id if subject == "unit" else m.Candidate.person_id
    for existing in s.scalars(select(m.Candidate).where(m.Candidate.campaign_id == campaign_id, column == subject_id,
                                                        m.Candidate.status.in_(ACTIVE_STATUSES))):
        if _carried_by(existing, form):
            continue  # the ward's award, carried by a proposal to a higher level
        raise CouncilActionError(f"{name} đã có hồ sơ đề nghị (số {existing.id}, "
                                 f"{CANDIDATE_STATUS_LABELS[CandidateStatus(existing.status)].lower()}); "
                                 "một thành tích chỉ đề nghị một hình thức khen thưởng.")
    cand = m.Candidate(campaign_id=campaign_id, subject_type=subject, subject_kind=kind,
                       unit_id=subject_id if subject == "unit" else None,
                       person_id=subject_id if subject == "person" else None,
                       award_form_id=form.id if form else None, summary=(summary or "").strip() or None,
                       status="draft" if draft else "proposed", score_as_of=at,
                       proposed_at=None if draft else m.utcnow())
    s.add(cand)
    s.flush()
    audit.record(s, user=user, action="create", entity="candidate", entity_id=cand.id,
                 new={"subject": subject, "subject_id": subject_id, "name": name, "status": cand.status,
                      "award": form.code if form else None}, note=f"Đề nghị khen thưởng: {name}")
    return cand.id


def _carried_by(existing: m.Candidate, form: m.AwardForm | None) -> bool:
    """An issued candidate whose award is of a lower level than *form*: the new proposal carries it."""
    if existing.status != "issued" or form is None or existing.award_form is None:
        return False
    try:
        return award_level_rank(existing.award_form.level or "ward") < award_level_rank(form.level or "ward")
    except ValueError:
        return False


@dataclass
class ProposeResult:
    created: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # Vietnamese: who and why


def propose_eligible(db: Database, at: dt.date | None = None, award_code: str | None = None,
                     board: scoring_service.ScoreBoard | None = None) -> ProposeResult:
    """Propose every eligible subject (ranked first) that has no candidate yet, in ONE
    transaction: all of them or (killed, failed) none. Eligible at the level of the award
    proposed (a province award: the province's criteria). `board`: the scores the caller already
    holds for `at` (the scoring page's), so the action does not compute them again."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    at = at or (board.at if board is not None else dt.date.today())
    level = "ward"
    if award_code:
        with db.read() as s:
            level = criteria_level_of_award(s.scalar(select(m.AwardForm.level).where(m.AwardForm.code == award_code)))
    if board is None or board.at != at:
        board = board_for(db, at)  # at a province office: the wards' facts
    board = board.at_level(level)
    result = ProposeResult()
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        taken = {(st, uid or pid) for st, uid, pid in s.execute(
            select(m.Candidate.subject_type, m.Candidate.unit_id, m.Candidate.person_id)
            .where(m.Candidate.status.in_(ACTIVE_STATUSES)))}
        for score in board.scores:
            if not score.eligible:
                continue
            if (score.subject, score.subject_id) in taken:
                result.skipped.append(f"{score.name}: đã có hồ sơ đề nghị.")
                continue
            try:
                result.created.append(_propose(s, db.user, score.subject, score.subject_id, award_code=award_code,
                                               summary=summary_from_score(score), at=at))
            except CouncilActionError as exc:  # refused before writing anything for this subject
                result.skipped.append(f"{score.name}: {exc}")
    return result


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


def _refuse_locked(c: m.Candidate) -> None:
    if c.locked:
        raise LockedError(f"Kết quả của {_label(c)} đã được Hội đồng thông qua và khóa; "
                          "muốn sửa phải mở lại (ghi lý do) trước.")


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
