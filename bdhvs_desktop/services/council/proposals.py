"""Proposing candidates for an award from the score board: one subject (or a draft), or every
eligible subject in one transaction, at the level of the award proposed; one achievement, one
award (Decree 152/2025, Art. 4), so a subject with an open file is refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.scoring import SubjectScore, criteria_level_of_award
from bdhvs_desktop.domain.vocab import (
    CANDIDATE_STATUS_LABELS,
    CandidateStatus,
    SubjectKind,
    award_level_rank,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.candidates import _award
from bdhvs_desktop.services.council.common import ACTIVE_STATUSES, COUNCIL_LOCK, CouncilActionError
from bdhvs_desktop.services.province_board import board_for
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize


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
