"""What every part of the council service shares: its errors (CouncilActionError, LockedError
-- a services.errors.Locked --, NoPassingVote), the advisory lock every council write takes first,
the quorum and pass-mark settings, and the look-ups of a candidate, a meeting and a member's
units (for conflicts of interest)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.domain.scoring import criteria_level_of_award
from bdhvs_desktop.domain.vocab import (
    SUBJECT_KIND_LABELS,
    SubjectKind,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import Locked, ServiceError
from bdhvs_desktop.services.province_board import scoped_name
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

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


def _candidate(s: Session, candidate_id: int) -> m.Candidate:
    c = s.get(m.Candidate, candidate_id)
    if c is None:
        raise CouncilActionError(f"Không tìm thấy hồ sơ đề nghị số {candidate_id}.")
    return c


def _label(c: m.Candidate) -> str:
    """The name in messages and the decision's explanation: at a province office, with its ward."""
    return scoped_name(c, c.unit.name if c.subject_type == "unit" else c.person.full_name)


def _level(c: m.Candidate) -> str:
    """The criteria level a candidate is scored at: its award form's (province or ward)."""
    return criteria_level_of_award(c.award_form.level if c.award_form is not None else None)


def _kind_label(kind: str) -> str:
    return SUBJECT_KIND_LABELS.get(SubjectKind(kind), kind)


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


def _refuse_locked(c: m.Candidate) -> None:
    """A candidate whose approved result is locked: nothing about it changes until reopened."""
    if c.locked:
        raise LockedError(f"Kết quả của {_label(c)} đã được Hội đồng thông qua và khóa; "
                          "muốn sửa phải mở lại (ghi lý do) trước.")


def _refuse_closed(meeting: m.CouncilMeeting) -> None:
    """A closed meeting is locked (services.errors.Locked): nothing of it changes."""
    if meeting.status == "closed":
        raise LockedError("Phiên họp đã kết thúc; không sửa được.")


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


def _present_count(s: Session, meeting_id: int) -> int:
    return len(s.scalars(select(m.MeetingAttendance.id).where(m.MeetingAttendance.meeting_id == meeting_id,
                                                              m.MeetingAttendance.present.is_(True))).all())


def _member_count(s: Session, meeting_id: int) -> int:
    return len(s.scalars(select(m.MeetingAttendance.id).where(m.MeetingAttendance.meeting_id == meeting_id)).all())


def _member_units(s: Session, member: m.CouncilMember, parents: dict[int, int | None] | None = None) -> set[int]:
    if parents is None:
        parents = dict(s.execute(select(m.Unit.id, m.Unit.parent_id)).all())
    start = member.unit_id
    if start is None and member.person_id is not None:
        start = s.scalar(select(m.Person.unit_id).where(m.Person.id == member.person_id))
    return set(unit_tree.ancestors(parents, start))


def _conflict(s: Session, member: m.CouncilMember, c: m.Candidate,
              parents: dict[int, int | None] | None = None) -> str | None:
    return dc.conflict_reason(member.full_name, member.person_id, _member_units(s, member, parents), c.subject_type,
                              c.unit_id, c.person_id, _label(c))
