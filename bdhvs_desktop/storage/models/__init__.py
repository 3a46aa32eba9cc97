"""The whole data model of the campaign (SQLAlchemy 2, typed mappings).

Codes stored in string columns are the values of the enums in
bdhvs_desktop.domain.vocab. Every record a user edits carries a `version` counter:
SQLAlchemy adds `AND version = :old` to each UPDATE, so a second workstation that saves
a stale copy gets a StaleDataError instead of overwriting a colleague's change.

One module per area (base, records, campaign, scoring, council, system); this package imports
them all, so `from bdhvs_desktop.storage import models as m; m.Person` works and `Base.metadata`
holds every table (Alembic's env.py and autogenerate rely on it).
"""

from bdhvs_desktop.storage.models.base import NAMING_CONVENTION, Base, Versioned, utcnow
from bdhvs_desktop.storage.models.campaign import Campaign, Phase, ReportedFigure, Target, Task
from bdhvs_desktop.storage.models.council import CouncilMeeting, CouncilMember, MeetingAttendance, MemberScore, Vote
from bdhvs_desktop.storage.models.records import (
    Activity,
    DigitalModel,
    Mentorship,
    ModelReplication,
    Person,
    Solution,
    Unit,
)
from bdhvs_desktop.storage.models.scoring import AwardForm, AwardRecord, Candidate, CriteriaSet, Criterion, ManualResult
from bdhvs_desktop.storage.models.system import AppUser, AuditAnchor, AuditEntry, GeneratedDocument, Setting

__all__ = ["utcnow", "Base", "Versioned", "NAMING_CONVENTION", "Unit", "Person", "Mentorship", "Activity", "DigitalModel", "ModelReplication", "Solution", "Campaign", "Phase", "Task", "Target", "ReportedFigure", "CriteriaSet", "Criterion", "ManualResult", "AwardForm", "Candidate", "AwardRecord", "CouncilMember", "CouncilMeeting", "MeetingAttendance", "Vote", "MemberScore", "GeneratedDocument", "AuditEntry", "AuditAnchor", "Setting", "AppUser"]
