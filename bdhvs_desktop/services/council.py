"""Candidates for an award and the award council's review: members, meetings, attendance,
votes, member scores, decisions, locking and reopening.

Lifecycle of a candidate: draft → proposed → reviewed → approved | rejected (a reason is
required) → issued (the dossier). An approved result is locked, with a snapshot of its score;
nothing about it changes until it is reopened, and reopening is a recorded act. Votes,
decisions, locks and reopenings go into the chained audit log (services/audit.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.scoring import SubjectScore
from bdhvs_desktop.domain.vocab import (
    CANDIDATE_STATUS_LABELS,
    CandidateStatus,
    CouncilRole,
    SubjectKind,
    VotingMethod,
    candidate_status_label,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.errors import Locked, ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.safety import EditConflict
from bdhvs_desktop.storage.locks import serialize

RULES_SETTING = "council.rules"
ACTIVE_STATUSES = ("draft", "proposed", "reviewed", "approved", "issued")
# The advisory lock (storage/locks.py) every council write takes first: decisions, votes,
# attendance, proposals happen one after another on a shared PostgreSQL database too.
COUNCIL_LOCK = "council"


class CouncilActionError(ServiceError):
    """A council action the user must correct; the message is Vietnamese."""


class LockedError(CouncilActionError, Locked):
    """The candidate's approved result is locked; reopen it first (a recorded act)."""


class NoPassingVote(CouncilActionError):
    """Approval asked for a candidate without a passing vote of a meeting with quorum."""


# --------------------------------------------------------------------------- settings


def get_rules(db: Database) -> dc.CouncilRules:
    with db.read() as s:
        row = s.get(m.Setting, RULES_SETTING)
        return dc.CouncilRules.from_dict(row.value if row else None)


def set_rules(db: Database, rules: dc.CouncilRules) -> None:
    """Save the quorum and pass mark used by meetings opened from now on (audited)."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        row = s.get(m.Setting, RULES_SETTING)
        old = row.value if row else None
        if row is None:
            s.add(m.Setting(key=RULES_SETTING, value=rules.as_dict()))
        else:
            row.value = rules.as_dict()
        audit.record(s, user=db.user, action="update", entity="setting", field=RULES_SETTING, old=old,
                     new=rules.as_dict(), note=rules.describe(), chained=True)


# --------------------------------------------------------------------------- candidates


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


def _candidate_info(c: m.Candidate) -> CandidateInfo:
    if c.subject_type == "unit":
        code, name, unit_name, position, sid = c.unit.code, c.unit.name, None, c.unit.head_title, c.unit_id
    else:
        p = c.person
        code, name = scoring_service.person_code(p.cccd, p.id), p.full_name
        unit_name, position, sid = (p.unit.name if p.unit else None), p.position, p.id
    return CandidateInfo(c.id, c.subject_type, sid, code, name, c.subject_kind, unit_name, position,
                         c.award_form.code if c.award_form else None, c.award_form.name if c.award_form else None,
                         c.summary, c.status, candidate_status_label(c.status, _decision_of(c)), c.locked,
                         c.decision_reason, c.meeting_id, c.score_as_of, dict(c.score_snapshot or {}), c.version)


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
        return [_candidate_info(c) for c in s.scalars(q)]


def get_candidate(db: Database, candidate_id: int) -> CandidateInfo:
    with db.read() as s:
        return _candidate_info(_candidate(s, candidate_id))


def _candidate(s: Session, candidate_id: int) -> m.Candidate:
    c = s.get(m.Candidate, candidate_id)
    if c is None:
        raise CouncilActionError(f"Không tìm thấy hồ sơ đề nghị số {candidate_id}.")
    return c


def _label(c: m.Candidate) -> str:
    return c.unit.name if c.subject_type == "unit" else c.person.full_name


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


def _kind_label(kind: str) -> str:
    from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS

    return SUBJECT_KIND_LABELS.get(SubjectKind(kind), kind)


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
    from bdhvs_desktop.services import awards as awards_service

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
    from bdhvs_desktop.domain.vocab import award_level_rank

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


def propose_eligible(db: Database, at: dt.date | None = None, award_code: str | None = None) -> ProposeResult:
    """Propose every eligible subject (ranked first) that has no candidate yet, in ONE
    transaction: all of them or (killed, failed) none."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    at = at or dt.date.today()
    board = scoring_service.compute_scores(db, at)
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
        snap = _snapshot(db, c.subject_type, c.unit_id or c.person_id, day)
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


def _snapshot(db: Database, subject: str, subject_id: int | None, day: dt.date) -> dict[str, Any]:
    score = scoring_service.score_of(db, subject, subject_id or 0, day)
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
    from bdhvs_desktop.domain.text import name_key
    from bdhvs_desktop.services.auth import PermissionDenied, current_user, has_role

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


# --------------------------------------------------------------------------- members


@dataclass(frozen=True)
class MemberInfo:
    id: int
    full_name: str
    position: str | None
    role: str
    person_id: int | None
    unit_id: int | None
    unit_name: str | None
    active: bool


def list_members(db: Database, include_inactive: bool = False) -> list[MemberInfo]:
    with db.read() as s:
        q = select(m.CouncilMember).order_by(m.CouncilMember.sort_order, m.CouncilMember.id)
        if not include_inactive:
            q = q.where(m.CouncilMember.active.is_(True))
        units = dict(s.execute(select(m.Unit.id, m.Unit.name)).all())
        return [MemberInfo(x.id, x.full_name, x.position, x.role, x.person_id, x.unit_id, units.get(x.unit_id),
                           x.active) for x in s.scalars(q)]


def add_member(db: Database, full_name: str, *, position: str | None = None, role: str = "member",
               person_id: int | None = None, unit_code: str | None = None) -> int:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    full_name = (full_name or "").strip()
    if not full_name:
        raise CouncilActionError("Họ tên thành viên Hội đồng không được để trống.")
    if role not in {r.value for r in CouncilRole}:
        raise CouncilActionError(f"Vai trò không hợp lệ: {role!r} (chair, vice_chair, secretary, member).")
    with db.session() as s:
        campaign_id = s.scalar(select(m.Campaign.id).order_by(m.Campaign.id).limit(1))
        if campaign_id is None:
            raise CouncilActionError("Cơ sở dữ liệu chưa có phong trào.")
        unit_id = None
        if unit_code:
            unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == unit_code))
            if unit_id is None:
                raise CouncilActionError(f"Không có đơn vị mã “{unit_code}”.")
        if person_id is not None:
            person = s.get(m.Person, person_id)
            if person is None:
                raise CouncilActionError(f"Không tìm thấy cá nhân số {person_id}.")
            unit_id = unit_id or person.unit_id
        order = len(s.scalars(select(m.CouncilMember.id).where(m.CouncilMember.campaign_id == campaign_id)).all())
        member = m.CouncilMember(campaign_id=campaign_id, full_name=full_name, position=(position or "").strip() or None,
                                 role=role, person_id=person_id, unit_id=unit_id, sort_order=order)
        s.add(member)
        s.flush()
        audit.record(s, user=db.user, action="create", entity="council_member", entity_id=member.id,
                     new={"full_name": full_name, "position": position, "role": role})
        return member.id


def set_member_active(db: Database, member_id: int, active: bool) -> None:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        member = s.get(m.CouncilMember, member_id)
        if member is None:
            raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
        audit.record_changes(s, user=db.user, entity="council_member", entity_id=member_id,
                             changes={"active": (member.active, active)})
        member.active = active


def update_member(db: Database, member_id: int, *, full_name: str | None = None, position: str | None = None,
                  role: str | None = None) -> None:
    """Rename a member or change their position or role. Past meetings keep the member as
    they were (their snapshot, services/meeting.py); only meetings opened later see the change."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    if full_name is not None and not full_name.strip():
        raise CouncilActionError("Họ tên thành viên Hội đồng không được để trống.")
    if role is not None and role not in {r.value for r in CouncilRole}:
        raise CouncilActionError(f"Vai trò không hợp lệ: {role!r} (chair, vice_chair, secretary, member).")
    with db.session() as s:
        member = s.get(m.CouncilMember, member_id)
        if member is None:
            raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
        changes: dict[str, tuple[Any, Any]] = {}
        for name, value in (("full_name", full_name), ("position", position), ("role", role)):
            if value is not None:
                value = value.strip() or None
                changes[name] = (getattr(member, name), value)
                setattr(member, name, value)
        audit.record_changes(s, user=db.user, entity="council_member", entity_id=member_id, changes=changes)


# --------------------------------------------------------------------------- meetings


def new_meeting(db: Database, held_at: dt.datetime, *, place: str | None = None, chair_id: int | None = None,
                secretary_id: int | None = None, voting_method: str = VotingMethod.SHOW_OF_HANDS.value,
                number: str | None = None, attach_candidates: bool = True, ended_at: dt.datetime | None = None,
                discussion: str | None = None) -> int:
    """Open a meeting: the settings' quorum and pass mark are copied onto it, every active member
    is listed as present (mark absences with set_attendance) with a snapshot of their name,
    position and role (services/meeting.py), and the proposed candidates join it. Times are
    local wall-clock time (Asia/Ho_Chi_Minh)."""
    from bdhvs_desktop.services import meeting as ms

    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    ms.check_times(held_at, ended_at)
    if voting_method not in {v.value for v in VotingMethod}:
        raise CouncilActionError("Hình thức biểu quyết phải là show_of_hands (giơ tay) hoặc secret_ballot (bỏ phiếu kín).")
    rules = get_rules(db)
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        campaign_id = s.scalar(select(m.Campaign.id).order_by(m.Campaign.id).limit(1))
        if campaign_id is None:
            raise CouncilActionError("Cơ sở dữ liệu chưa có phong trào.")
        members = s.scalars(select(m.CouncilMember).where(m.CouncilMember.campaign_id == campaign_id,
                                                          m.CouncilMember.active.is_(True))).all()
        if not members:
            raise CouncilActionError("Hội đồng chưa có thành viên; hãy thêm thành viên trước khi mở phiên họp.")
        ids = {x.id for x in members}
        for label, mid in (("Chủ trì", chair_id), ("Thư ký", secretary_id)):
            if mid is not None and mid not in ids:
                raise CouncilActionError(f"{label}: thành viên số {mid} không thuộc Hội đồng.")
        chair_id = chair_id or next((x.id for x in members if x.role == "chair"), None)
        secretary_id = secretary_id or next((x.id for x in members if x.role == "secretary"), None)
        meeting = m.CouncilMeeting(campaign_id=campaign_id, number=number, held_at=held_at, place=place,
                                   chair_id=chair_id, secretary_id=secretary_id, voting_method=voting_method,
                                   rules=rules.as_dict(), status="open", timezone=ms.MEETING_TZ,
                                   ended_at=ended_at, discussion=(discussion or "").strip() or None)
        s.add(meeting)
        s.flush()
        for x in members:
            s.add(ms.attendance_row(meeting.id, x))
        if attach_candidates:
            for c in s.scalars(select(m.Candidate).where(m.Candidate.status.in_(("proposed", "reviewed")),
                                                         m.Candidate.locked.is_(False))):
                c.meeting_id = meeting.id
        audit.record(s, user=db.user, action="create", entity="council_meeting", entity_id=meeting.id,
                     new={"held_at": held_at, "place": place, "voting_method": voting_method, "rules": rules.as_dict()},
                     chained=True)
        return meeting.id


def attach_candidates(db: Database, meeting_id: int | None, candidate_ids: list[int] | None = None) -> int:
    """Bring candidates into a meeting (by default every proposed or reviewed one not yet decided)."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        q = select(m.Candidate).where(m.Candidate.status.in_(("proposed", "reviewed")), m.Candidate.locked.is_(False))
        if candidate_ids is not None:
            q = q.where(m.Candidate.id.in_(candidate_ids))
        count = 0
        for c in s.scalars(q):
            if c.meeting_id != meeting.id:
                audit.record_changes(s, user=db.user, entity="candidate", entity_id=c.id,
                                     changes={"meeting_id": (c.meeting_id, meeting.id)})
                c.meeting_id = meeting.id
                count += 1
        return count


def _meeting(s: Session, meeting_id: int | None) -> m.CouncilMeeting:
    if meeting_id is None:
        meeting = s.scalar(select(m.CouncilMeeting).order_by(m.CouncilMeeting.held_at.desc(),
                                                             m.CouncilMeeting.id.desc()).limit(1))
        if meeting is None:
            raise CouncilActionError("Chưa có phiên họp nào của Hội đồng.")
        return meeting
    meeting = s.get(m.CouncilMeeting, meeting_id)
    if meeting is None:
        raise CouncilActionError(f"Không tìm thấy phiên họp số {meeting_id}.")
    return meeting


def _refuse_closed(meeting: m.CouncilMeeting) -> None:
    if meeting.status == "closed":
        raise CouncilActionError("Phiên họp đã kết thúc; không sửa được.")


def _refuse_decided(s: Session, meeting: m.CouncilMeeting, what: str) -> None:
    """Attendance and ballots are the basis of the meeting's decisions: once a result of the
    meeting is decided (approved and locked, issued, or not approved), they no longer change."""
    decided = s.scalars(select(m.Candidate).join(m.Vote, m.Vote.candidate_id == m.Candidate.id)
                        .where(m.Vote.meeting_id == meeting.id,
                               m.Candidate.locked.is_(True) | m.Candidate.status.in_(("approved", "rejected", "issued")))
                        .order_by(m.Candidate.id)).all()
    if decided:
        names = ", ".join(_label(c) for c in decided[:3]) + (", ..." if len(decided) > 3 else "")
        raise LockedError(f"Phiên họp đã có kết quả được Hội đồng quyết định ({names}): {what} đã chốt và khóa, "
                          "không sửa được nữa. Muốn sửa phải mở lại từng kết quả (ghi lý do) trước.")


def set_attendance(db: Database, meeting_id: int | None, member_id: int, present: bool,
                   reason: str | None = None) -> None:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    reason = (reason or "").strip() or None
    if not present and not reason:
        raise CouncilActionError("Thành viên vắng mặt phải ghi lý do vắng.")
    from bdhvs_desktop.services import meeting as ms

    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        _refuse_decided(s, meeting, "điểm danh")
        ms.refuse_frozen_attendance(meeting)
        member = s.get(m.CouncilMember, member_id)
        row = s.scalar(select(m.MeetingAttendance).where(m.MeetingAttendance.meeting_id == meeting.id,
                                                         m.MeetingAttendance.member_id == member_id))
        if row is None:
            if member is None:
                raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
            row = ms.attendance_row(meeting.id, member, present)
            s.add(row)
            s.flush()
        elif member is not None:
            ms.take_snapshot(row, member)
        audit.record_changes(s, user=db.user, entity="meeting_attendance", entity_id=row.id,
                             changes={"present": (row.present, present),
                                      "absence_reason": (row.absence_reason, None if present else reason)})
        row.present = present
        row.absence_reason = None if present else reason


def set_ballots(db: Database, meeting_id: int | None, *, issued: int | None, returned: int | None,
                valid: int | None, counting_committee: str | None = None) -> None:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        _refuse_decided(s, meeting, "số phiếu")
        present = _present_count(s, meeting.id)
        try:
            dc.check_ballots(present, issued, returned, valid)
        except dc.CouncilError as exc:
            raise CouncilActionError(str(exc)) from exc
        audit.record_changes(s, user=db.user, entity="council_meeting", entity_id=meeting.id, chained=True, changes={
            "ballots_issued": (meeting.ballots_issued, issued), "ballots_returned": (meeting.ballots_returned, returned),
            "ballots_valid": (meeting.ballots_valid, valid)})
        meeting.ballots_issued, meeting.ballots_returned, meeting.ballots_valid = issued, returned, valid
        if counting_committee is not None:
            meeting.counting_committee = counting_committee.strip() or None


def _present_count(s: Session, meeting_id: int) -> int:
    return len(s.scalars(select(m.MeetingAttendance.id).where(m.MeetingAttendance.meeting_id == meeting_id,
                                                              m.MeetingAttendance.present.is_(True))).all())


def _member_count(s: Session, meeting_id: int) -> int:
    return len(s.scalars(select(m.MeetingAttendance.id).where(m.MeetingAttendance.meeting_id == meeting_id)).all())


def record_vote(db: Database, meeting_id: int | None, candidate_id: int, votes_for: int, votes_against: int,
                votes_abstain: int) -> None:
    """The council's tally for one candidate (chained in the audit log). Refused on a locked result."""
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        c = _candidate(s, candidate_id)
        _refuse_locked(c)
        if c.status not in ("proposed", "reviewed"):
            raise CouncilActionError(f"{_label(c)}: chỉ biểu quyết hồ sơ đã đề nghị hoặc đang xem xét.")
        tally = dc.Tally(votes_for, votes_against, votes_abstain)
        try:
            dc.check_tally(tally, _present_count(s, meeting.id),
                           secret_ballot=meeting.voting_method == VotingMethod.SECRET_BALLOT.value,
                           ballots_valid=meeting.ballots_valid, subject=_label(c))
        except dc.CouncilError as exc:
            raise CouncilActionError(str(exc)) from exc
        vote = s.scalar(select(m.Vote).where(m.Vote.meeting_id == meeting.id, m.Vote.candidate_id == c.id))
        old = (vote.votes_for, vote.votes_against, vote.votes_abstain) if vote else None
        if vote is None:
            vote = m.Vote(meeting_id=meeting.id, candidate_id=c.id)
            s.add(vote)
        vote.votes_for, vote.votes_against, vote.votes_abstain = votes_for, votes_against, votes_abstain
        vote.recorded_by, vote.recorded_at = db.user, m.utcnow()
        from bdhvs_desktop.services import meeting as ms

        ms.on_vote(s, meeting, c, vote)
        c.meeting_id = meeting.id
        if c.status == "proposed":
            c.status = "reviewed"
        audit.record(s, user=db.user, action="vote", entity="candidate", entity_id=c.id, field="votes",
                     old=old, new=(votes_for, votes_against, votes_abstain),
                     note=f"Phiên họp {meeting.id}: {votes_for} tán thành, {votes_against} không tán thành, "
                          f"{votes_abstain} không biểu quyết", chained=True)


def record_member_score(db: Database, meeting_id: int | None, candidate_id: int, member_id: int, points: float,
                        note: str | None = None) -> None:
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        c = _candidate(s, candidate_id)
        _refuse_locked(c)
        member = s.get(m.CouncilMember, member_id)
        if member is None:
            raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
        reason = _conflict(s, member, c)
        if reason:
            raise CouncilActionError(f"Xung đột lợi ích: {reason} Thành viên này không chấm điểm hồ sơ này.")
        present = s.scalar(select(m.MeetingAttendance.present).where(m.MeetingAttendance.meeting_id == meeting.id,
                                                                     m.MeetingAttendance.member_id == member_id))
        if not present:
            raise CouncilActionError(f"{member.full_name} không có mặt ở phiên họp này nên không chấm điểm.")
        if points < 0:
            raise CouncilActionError("Điểm không được âm.")
        maximum = (c.score_snapshot or {}).get("max_points")
        if maximum is None:
            maximum = scoring_service.load_criteria_max(s, c.subject_kind)
        if maximum and points > maximum:
            raise CouncilActionError(f"Điểm {points:g} vượt điểm tối đa {maximum:g}.")
        row = s.scalar(select(m.MemberScore).where(m.MemberScore.meeting_id == meeting.id,
                                                   m.MemberScore.candidate_id == c.id,
                                                   m.MemberScore.member_id == member_id))
        old = row.points if row else None
        if row is None:
            row = m.MemberScore(meeting_id=meeting.id, candidate_id=c.id, member_id=member_id, points=points)
            s.add(row)
        row.points, row.note = points, (note or "").strip() or None
        audit.record(s, user=db.user, action="score", entity="candidate", entity_id=c.id, field="member_score",
                     old=old, new=points, note=f"{member.full_name}", chained=True)


def _member_units(s: Session, member: m.CouncilMember, parents: dict[int, int | None] | None = None) -> set[int]:
    if parents is None:
        parents = dict(s.execute(select(m.Unit.id, m.Unit.parent_id)).all())
    start = member.unit_id
    if start is None and member.person_id is not None:
        start = s.scalar(select(m.Person.unit_id).where(m.Person.id == member.person_id))
    chain: set[int] = set()
    while start is not None and start not in chain:
        chain.add(start)
        start = parents.get(start)
    return chain


def _conflict(s: Session, member: m.CouncilMember, c: m.Candidate,
              parents: dict[int, int | None] | None = None) -> str | None:
    return dc.conflict_reason(member.full_name, member.person_id, _member_units(s, member, parents), c.subject_type,
                              c.unit_id, c.person_id, _label(c))


@dataclass(frozen=True)
class DecisionInfo:
    candidate_id: int
    name: str
    decision: dc.Decision
    applied: bool


def decide(db: Database, meeting_id: int | None = None, candidate_id: int | None = None) -> list[DecisionInfo]:
    """Compute the council's decision for each voted candidate of the meeting and apply it:
    passed → approved and locked (with a score snapshot), otherwise not approved with the
    explanation as the reason. Refused when the meeting has no quorum.

    Applies once: the candidates still to decide are read again under the council lock, in
    the writing transaction, so a second `decide` running at the same time (another
    workstation) finds them decided and changes nothing."""
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.read() as s:
        meeting = _meeting(s, meeting_id)
        meeting_id = meeting.id
        day = meeting.held_at.date()
        pending = _undecided(s, meeting.id, candidate_id)
    board = scoring_service.compute_scores(db, day) if pending else None
    out: list[DecisionInfo] = []
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        _refuse_closed(meeting)
        rules = dc.CouncilRules.from_dict(meeting.rules)
        members, present = _member_count(s, meeting.id), _present_count(s, meeting.id)
        if not dc.quorum_met(members, present, rules):
            text = dc.decide(members, present, None, rules).explanation
            raise CouncilActionError(text[:1].upper() + text[1:])
        todo = _undecided(s, meeting.id, candidate_id)
        if candidate_id is not None and not pending:
            raise CouncilActionError("Hồ sơ này chưa có kết quả biểu quyết trong phiên họp hoặc đã được quyết định.")
        from bdhvs_desktop.services import meeting as ms

        if todo:
            ms.freeze(meeting)  # the attendance the decisions rest on no longer changes
        for c in todo:
            vote = s.scalar(select(m.Vote).where(m.Vote.meeting_id == meeting.id, m.Vote.candidate_id == c.id))
            tally = dc.Tally(vote.votes_for, vote.votes_against, vote.votes_abstain)
            decision = dc.decide(members, present, tally, rules, _label(c))
            score = board.find(c.subject_type, c.unit_id or c.person_id) if board else None
            if board is None:  # decided by nobody when this started: score it now
                score = scoring_service.score_of(db, c.subject_type, c.unit_id or c.person_id or 0, day)
            snap = scoring_service.snapshot(score, day) if score else {"as_of": day.isoformat()}
            if c.status == "proposed":
                c.status = "reviewed"
            _apply_decision(s, db.user, c, "approved" if decision.passed else "rejected", decision.explanation, snap)
            out.append(DecisionInfo(c.id, _label(c), decision, True))
    return out


def _undecided(s: Session, meeting_id: int, candidate_id: int | None) -> list[m.Candidate]:
    q = (select(m.Candidate).join(m.Vote, m.Vote.candidate_id == m.Candidate.id)
         .where(m.Vote.meeting_id == meeting_id, m.Candidate.locked.is_(False),
                m.Candidate.status.in_(("proposed", "reviewed"))).order_by(m.Candidate.id))
    if candidate_id is not None:
        q = q.where(m.Candidate.id == candidate_id)
    return list(s.scalars(q))


def close_meeting(db: Database, meeting_id: int | None = None) -> None:
    require_role(db, "council_member", action="xét duyệt, biểu quyết")
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)
        meeting = _meeting(s, meeting_id)
        from bdhvs_desktop.services import meeting as ms

        meeting.status = "closed"
        # The end time the secretary entered; else now, in the meeting's local time (never UTC).
        meeting.ended_at = meeting.ended_at or ms.local_now(meeting.timezone)
        ms.freeze(meeting)
        audit.record(s, user=db.user, action="close", entity="council_meeting", entity_id=meeting.id, chained=True)


# --------------------------------------------------------------------------- the meeting at a glance


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    full_name: str
    position: str | None
    role: str
    present: bool
    absence_reason: str | None


@dataclass(frozen=True)
class MeetingCandidateRow:
    candidate: CandidateInfo
    points: float | None
    max_points: float | None
    eligible: bool | None
    rank: int | None
    tally: dc.Tally | None
    decision: dc.Decision  # computed live from the tally and the attendance
    conflicts: tuple[str, ...]  # Vietnamese reasons
    member_scores: dc.ScoreSummary


@dataclass(frozen=True)
class MeetingView:
    id: int
    number: str | None
    held_at: dt.datetime
    place: str | None
    chair: str | None
    secretary: str | None
    voting_method: str
    status: str
    rules: dc.CouncilRules
    members: int
    present: int
    quorum_met: bool
    ballots: tuple[int | None, int | None, int | None]
    attendance: tuple[AttendanceRow, ...]
    candidates: tuple[MeetingCandidateRow, ...]


def list_meetings(db: Database) -> list[tuple[int, dt.datetime, str | None, str]]:
    with db.read() as s:
        return [(x.id, x.held_at, x.place, x.status)
                for x in s.scalars(select(m.CouncilMeeting).order_by(m.CouncilMeeting.held_at.desc()))]


def meeting_view(db: Database, meeting_id: int | None = None) -> MeetingView:
    """The meeting with attendance, its candidates, their scores, tallies, live decisions and conflicts."""
    with db.read() as s:
        meeting = _meeting(s, meeting_id)
        day = meeting.held_at.date()
    board = scoring_service.compute_scores(db, day)
    with db.read() as s:
        meeting = _meeting(s, meeting.id)
        rules = dc.CouncilRules.from_dict(meeting.rules)
        rows = s.execute(select(m.MeetingAttendance, m.CouncilMember)
                         .join(m.CouncilMember, m.CouncilMember.id == m.MeetingAttendance.member_id)
                         .where(m.MeetingAttendance.meeting_id == meeting.id)
                         .order_by(m.CouncilMember.sort_order, m.CouncilMember.id)).all()
        attendance = tuple(AttendanceRow(mem.id, att.full_name or mem.full_name,
                                         att.position if att.full_name else mem.position, att.role or mem.role,
                                         att.present, att.absence_reason)
                           for att, mem in rows)
        members_total, present = len(attendance), sum(1 for a in attendance if a.present)
        parents = dict(s.execute(select(m.Unit.id, m.Unit.parent_id)).all())
        council = [mem for _att, mem in rows]
        names = {a.member_id: a.full_name for a in attendance}  # as at the meeting
        votes = {v.candidate_id: v for v in s.scalars(select(m.Vote).where(m.Vote.meeting_id == meeting.id))}
        scores: dict[int, list[tuple[str, float]]] = {}
        for ms in s.scalars(select(m.MemberScore).where(m.MemberScore.meeting_id == meeting.id)):
            scores.setdefault(ms.candidate_id, []).append((names.get(ms.member_id, str(ms.member_id)), ms.points))
        cands = s.scalars(select(m.Candidate).where((m.Candidate.meeting_id == meeting.id) |
                                                    (m.Candidate.id.in_(list(votes))))
                          .order_by(m.Candidate.subject_kind, m.Candidate.id)).all()
        out = []
        for c in cands:
            info = _candidate_info(c)
            conflicts = []
            conflicted_names = []
            if meeting.status == "closed" and c.id in votes:  # as recorded when the vote was cast
                for att, _mem in rows:
                    for x in att.conflicts or []:
                        if x.get("candidate_id") == c.id:
                            conflicts.append(x.get("reason") or "")
                            conflicted_names.append(names.get(att.member_id, ""))
            else:
                for mem in council:
                    reason = _conflict(s, mem, c, parents)
                    if reason:
                        conflicts.append(reason)
                        conflicted_names.append(names.get(mem.id, mem.full_name))
            if c.locked and c.score_snapshot:
                snap = c.score_snapshot
                points, maximum, eligible, rank = snap.get("points"), snap.get("max_points"), snap.get("eligible"), \
                    snap.get("rank")
            else:
                sc_ = board.find(c.subject_type, c.unit_id or c.person_id or 0)
                points, maximum, eligible, rank = ((sc_.points, sc_.max_points, sc_.eligible, sc_.rank) if sc_
                                                   else (None, None, None, None))
            v = votes.get(c.id)
            tally = dc.Tally(v.votes_for, v.votes_against, v.votes_abstain) if v else None
            out.append(MeetingCandidateRow(info, points, maximum, eligible, rank, tally,
                                           dc.decide(members_total, present, tally, rules, info.name),
                                           tuple(conflicts),
                                           dc.summarize_scores(scores.get(c.id, []), conflicted_names, rules)))
        chair = names.get(meeting.chair_id) if meeting.chair_id else None
        secretary = names.get(meeting.secretary_id) if meeting.secretary_id else None
        return MeetingView(meeting.id, meeting.number, meeting.held_at, meeting.place, chair, secretary,
                           meeting.voting_method, meeting.status, rules, members_total, present,
                           dc.quorum_met(members_total, present, rules),
                           (meeting.ballots_issued, meeting.ballots_returned, meeting.ballots_valid),
                           attendance, tuple(out))


# --------------------------------------------------------------------------- demo


DEMO_SCORE_DAY = dt.date(2026, 11, 10)
DEMO_MEETING_AT = dt.datetime(2026, 11, 12, 8, 0)
DEMO_DISCUSSION = (
    "Thư ký Hội đồng báo cáo tóm tắt thành tích và kết quả chấm điểm của các tập thể, cá nhân được đề nghị; "
    "Hội đồng quán triệt tiêu chuẩn, điều kiện khen thưởng theo Kế hoạch thi đua (mô phỏng).\n"
    "Các thành viên thảo luận, phân tích thành tích của từng tập thể, cá nhân; thành viên có xung đột lợi ích "
    "không tham gia chấm điểm, biểu quyết hồ sơ liên quan.")


def create_demo_council(db: Database) -> dict[str, int]:
    """Candidates and one council meeting for the demo ward (called at the end of create_demo):
    manual criteria with evidence, a few eligible and some ineligible subjects proposed, a secret
    ballot with one member absent, member scores (one with a wide spread), votes and decisions."""
    from bdhvs_desktop.services.scoring import record_manual_result

    with db.read() as s:
        crit = {(cs.subject_kind, c.code): c.id for cs in s.scalars(select(m.CriteriaSet)) for c in cs.criteria}
        units = dict(s.execute(select(m.Unit.code, m.Unit.id)).all())
        members = [x.id for x in s.scalars(select(m.CouncilMember).order_by(m.CouncilMember.sort_order))]
        disciplined = s.scalar(select(m.Person.id).where(m.Person.under_discipline.is_(True)).order_by(m.Person.id))
    if not members or not crit:
        return {"candidates": 0, "meetings": 0}
    manual = [
        ("collective", "TT_CHI_TIEU_KHAC", "DT-DTN", None, True,
         "Báo cáo số 15-BC/ĐTN (mô phỏng): vượt 5/5 chỉ tiêu được giao."),
        ("collective", "TT_CHI_TIEU_KHAC", "CQ-UBND", None, True, "Báo cáo kết quả thực hiện chỉ tiêu (mô phỏng)."),
        ("party_org", "TCD_D_HOI_DONG", "DU-UBND", 16.0, None, "Biên bản kiểm tra thực tế ngày 05/11/2026 (mô phỏng)."),
        ("party_org", "TCD_D_HOI_DONG", "CB-VHXH", 18.0, None, "Mô hình Đại sứ số được nhân rộng ra 2 tổ dân phố."),
        ("party_org", "TCD_D_HOI_DONG", "CB-VPDU", 14.0, None, "Báo cáo của Chi bộ (mô phỏng)."),
        ("collective", "TT_D_HOI_DONG", "DT-DTN", 15.0, None, "2.100 lượt người dân được hỗ trợ (mô phỏng)."),
    ]
    for kind, code, unit_code, points, passed, evidence in manual:
        if (kind, code) in crit and unit_code in units:
            record_manual_result(db, crit[(kind, code)], "unit", units[unit_code], passed=passed, points=points,
                                 evidence=evidence)
    board = scoring_service.compute_scores(db, DEMO_SCORE_DAY)
    eligible = {k: [x for x in board.of_kind(k) if x.eligible] for k in ("party_org", "collective", "individual")}
    chosen = eligible["party_org"][:2] + eligible["collective"][:1] + eligible["individual"][:3]
    proposed = []
    for score in chosen:
        proposed.append(propose(db, score.subject, score.subject_id, summary=summary_from_score(score),
                                at=DEMO_SCORE_DAY))
    # Ineligible subjects the units proposed anyway: the council sees why they fail.
    weak = []
    if "CB-KP3" in units:
        weak.append(propose(db, "unit", units["CB-KP3"], at=DEMO_SCORE_DAY,
                            summary="Chi bộ đề nghị: tích cực triển khai Tổ công nghệ số cộng đồng (mô phỏng)."))
    if disciplined is not None:
        weak.append(propose(db, "person", disciplined, at=DEMO_SCORE_DAY,
                            summary="Đơn vị đề nghị: có giải pháp Nhóm Zalo hỗ trợ kỹ năng số (mô phỏng)."))
    if len(eligible["individual"]) > 3:  # one still being drafted by the secretary
        extra = eligible["individual"][3]
        propose(db, extra.subject, extra.subject_id, summary=summary_from_score(extra), at=DEMO_SCORE_DAY, draft=True)
    meeting = new_meeting(db, DEMO_MEETING_AT, place="Hội trường Đảng ủy phường (mô phỏng)",
                          voting_method=VotingMethod.SECRET_BALLOT.value, number="01/BB-HĐTĐKT",
                          ended_at=DEMO_MEETING_AT + dt.timedelta(hours=2, minutes=30), discussion=DEMO_DISCUSSION)
    set_attendance(db, meeting, members[4], False, "Đi công tác theo Quyết định của Ban Thường vụ (mô phỏng)")
    present = len(members) - 1
    set_ballots(db, meeting, issued=present, returned=present, valid=present)
    if len(members) > 6:
        from bdhvs_desktop.services.meeting import set_counting_committee

        set_counting_committee(db, meeting, [members[3], members[5], members[6]], head_id=members[3])
    view = meeting_view(db, meeting)
    conflicted = {row.candidate.id: row.conflicts for row in view.candidates}
    present_ids = [a.member_id for a in view.attendance if a.present]
    names = {a.member_id: a.full_name for a in view.attendance}
    for i, cid in enumerate(proposed):
        record_vote(db, meeting, cid, present - (i % 2), i % 2, 0)
        for j, mid in enumerate(present_ids):
            if any(names[mid] in reason for reason in conflicted.get(cid, ())):
                continue  # a conflicted member does not score this candidate
            maximum = 100.0
            points = 70.0 + 3 * ((i + j) % 5)
            if i == 0 and j == 0:
                points = 40.0  # one member far from the others: flagged as a wide spread
            record_member_score(db, meeting, cid, mid, min(points, maximum))
    for cid, votes_for in zip(weak, (2, 0)):
        record_vote(db, meeting, cid, votes_for, present - votes_for, 0)
    decide(db, meeting)
    return {"candidates": len(proposed) + len(weak) + 1, "meetings": 1}
