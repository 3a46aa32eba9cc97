"""Candidates for an award and the award council's review: members, meetings, attendance,
votes, member scores, decisions, locking and reopening.

Lifecycle of a candidate: draft → proposed → reviewed → approved | rejected (a reason is
required) → issued (the dossier). An approved result is locked, with a snapshot of its score;
nothing about it changes until it is reopened, and reopening is a recorded act. Votes,
decisions, locks and reopenings go into the chained audit log (services/audit).

The package splits the work along the domain (issue #12); every name stays importable from
`bdhvs_desktop.services.council` as before:

    common      errors, the council lock, the quorum/pass-mark settings, shared look-ups
    candidates  a candidate as the screens read and edit it (award, summary, report text)
    proposals   proposing one subject or every eligible one
    lifecycle   the status transitions: approving, rejecting, reopening, withdrawing, issuing
    twins       one file per person at a province office (the same person from two wards)
    members     the council's members
    meetings    opening a meeting, attendance, ballots
    meeting_overview  the meeting at a glance (attendance, candidates, tallies, conflicts)
    votes       votes, member scores, the council's decisions, closing a meeting
    demo        the demo's council"""

from __future__ import annotations

from bdhvs_desktop.services.council.candidates import (
    AwardFormInfo,
    CandidateInfo,
    get_candidate,
    list_award_forms,
    list_candidates,
    update_candidate,
)
from bdhvs_desktop.services.council.common import (
    ACTIVE_STATUSES,
    COUNCIL_LOCK,
    RULES_SETTING,
    CouncilActionError,
    LockedError,
    NoPassingVote,
    get_rules,
    set_rules,
)
from bdhvs_desktop.services.council.demo import (
    DEMO_DISCUSSION,
    DEMO_MEETING_AT,
    DEMO_SCORE_DAY,
    create_demo_council,
)
from bdhvs_desktop.services.council.lifecycle import (
    TRANSITIONS,
    mark_issued,
    reopen,
    set_status,
    withdraw,
)
from bdhvs_desktop.services.council.meeting_overview import (
    AttendanceRow,
    MeetingCandidateRow,
    MeetingView,
    meeting_view,
)
from bdhvs_desktop.services.council.meetings import (
    attach_candidates,
    list_meetings,
    new_meeting,
    set_attendance,
    set_ballots,
)
from bdhvs_desktop.services.council.members import (
    MemberInfo,
    add_member,
    list_members,
    set_member_active,
    update_member,
)
from bdhvs_desktop.services.council.proposals import (
    ProposeResult,
    propose,
    propose_eligible,
    summary_from_score,
)
from bdhvs_desktop.services.council.twins import TwinApproved
from bdhvs_desktop.services.council.votes import (
    DecisionInfo,
    close_meeting,
    decide,
    record_member_score,
    record_vote,
)

__all__ = [
    "ACTIVE_STATUSES",
    "COUNCIL_LOCK",
    "CouncilActionError",
    "LockedError",
    "NoPassingVote",
    "RULES_SETTING",
    "get_rules",
    "set_rules",
    "AwardFormInfo",
    "CandidateInfo",
    "ProposeResult",
    "TRANSITIONS",
    "get_candidate",
    "list_award_forms",
    "list_candidates",
    "propose",
    "propose_eligible",
    "reopen",
    "set_status",
    "summary_from_score",
    "update_candidate",
    "withdraw",
    "mark_issued",
    "TwinApproved",
    "MemberInfo",
    "add_member",
    "list_members",
    "set_member_active",
    "update_member",
    "AttendanceRow",
    "MeetingCandidateRow",
    "MeetingView",
    "attach_candidates",
    "list_meetings",
    "meeting_view",
    "new_meeting",
    "set_attendance",
    "set_ballots",
    "DecisionInfo",
    "close_meeting",
    "decide",
    "record_member_score",
    "record_vote",
    "DEMO_DISCUSSION",
    "DEMO_MEETING_AT",
    "DEMO_SCORE_DAY",
    "create_demo_council",
]
