"""The award register (sổ theo dõi khen thưởng): every award issued by a decision made here,
imported from an older Excel book, or typed in.

    aid = add_award(db, AwardData(subject_type="person", subject_name="Nguyễn Thị Hoà", cccd="0681…",
                                  award_name="Giấy khen…", level="ward", kind="campaign", …))
    update_award(db, aid, data, version)            # optimistic: a colleague's newer save is kept
    delete_award(db, aid, version)
    list_awards(db, cccd="0681…") / list_awards(db, unit_code="DT-DTN")
    history(db, person_id=3) / history(db, unit_id=5)    # by link, CCCD or normalised name
    lookup_many(db, [SubjectRef(...), ...])              # one query for a whole council
    merit_award_count(db, person_id=3)                   # thematic and ad hoc awards not counted
    check_not_awarded(session, ...)                      # "one achievement, one award"

Every change is audited (services/audit) in the same transaction. Other modules
(certificates, ceremony, statistics) read the register through list_awards / AwardInfo.

The package splits the register (issue #12); every name stays importable from
`bdhvs_desktop.services.awards` as before:

    common    errors (AwardValidationError is a services.errors.Invalid, AwardConcurrentEdit a
              Conflict), AwardData (what is typed) and AwardInfo (what is read)
    writing   checking, adding, changing and deleting an entry
    reading   listing, a subject's history, one query for a council, "one achievement, one award"
    excel     importing an older register from Excel (all or nothing)
    register_check  the register checked against the proposals (`bdhvs check`)"""

from __future__ import annotations

from bdhvs_desktop.services.awards.common import (
    STALE_MESSAGE,
    AlreadyAwarded,
    AwardConcurrentEdit,
    AwardData,
    AwardError,
    AwardInfo,
    AwardValidationError,
)
from bdhvs_desktop.services.awards.excel import ImportSummary, import_awards
from bdhvs_desktop.services.awards.reading import (
    SubjectRef,
    carried_award,
    check_not_awarded,
    get_award,
    history,
    list_awards,
    lookup_in_session,
    lookup_many,
    merit_award_count,
)
from bdhvs_desktop.services.awards.register_check import register_findings
from bdhvs_desktop.services.awards.writing import (
    add_award,
    add_in_session,
    delete_award,
    update_award,
    validate,
)

__all__ = [
    "AlreadyAwarded",
    "AwardConcurrentEdit",
    "AwardData",
    "AwardError",
    "AwardInfo",
    "AwardValidationError",
    "STALE_MESSAGE",
    "add_award",
    "add_in_session",
    "delete_award",
    "update_award",
    "validate",
    "SubjectRef",
    "carried_award",
    "check_not_awarded",
    "get_award",
    "history",
    "list_awards",
    "lookup_in_session",
    "lookup_many",
    "merit_award_count",
    "ImportSummary",
    "import_awards",
    "register_findings",
]
