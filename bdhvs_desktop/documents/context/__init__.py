"""The data a dossier document is rendered from: plain frozen dataclasses, no database.

Whoever maps database records into documents builds these objects; the templates see
them as ``submission`` (Form 01), ``minutes`` (council minutes) and ``achievement``
(Form 08). Every field is keyword-only, so mapping code reads like a form::

    issuer = Issuer(format="party", parent_name="ĐẢNG BỘ TỈNH LÂM ĐỒNG",
                    name="ĐẢNG ỦY PHƯỜNG LA GI", abbreviation="ĐU", place="La Gi", ...)

Conventions
-----------
* Text is printed exactly as given: ``& < > " ' { }`` are safe, ``"\\n"`` becomes a line
  break in Word (a new paragraph in the free-text sections), diacritics are kept.
  Names in the heading may contain ``"\\n"`` to choose where the line breaks.
* Lists may be given as lists or tuples; they are stored as tuples.
* ``None`` in an optional field prints nothing (dates print blanks to fill in by hand).
* Derived values the templates need (``number_text``, ``place_date``, counts and
  percentages) are read-only properties, so the template never computes them.

The package splits the contexts by document (issue #12); every name stays importable from
`bdhvs_desktop.documents.context` as before:

    common       Issuer, DocumentNumber, Person, the literal choices, counts_text
    submission   the Tờ trình (Form 01)
    minutes      the council minutes
    achievement  the Form 08 (achievement report)"""

from __future__ import annotations

from bdhvs_desktop.documents.context.achievement import (
    AchievementContext,
    ActivityCount,
    ClassTaught,
    CollectiveProfile,
    DigitalModel,
    IndividualProfile,
    PartyVneid,
    Solution,
    TargetResult,
)
from bdhvs_desktop.documents.context.common import (
    CandidateKind,
    DocumentNumber,
    Issuer,
    IssuerFormat,
    Person,
    VotingMethod,
    _tuples,
    counts_text,
)
from bdhvs_desktop.documents.context.minutes import (
    BallotCount,
    ConflictOfInterest,
    CouncilMember,
    MinutesContext,
    VoteResult,
)
from bdhvs_desktop.documents.context.submission import (
    ListedDocument,
    MeetingCitation,
    Nominee,
    SubmissionContext,
)

__all__ = [
    "_tuples",
    "CandidateKind",
    "DocumentNumber",
    "Issuer",
    "IssuerFormat",
    "Person",
    "VotingMethod",
    "counts_text",
    "ListedDocument",
    "MeetingCitation",
    "Nominee",
    "SubmissionContext",
    "BallotCount",
    "ConflictOfInterest",
    "CouncilMember",
    "MinutesContext",
    "VoteResult",
    "AchievementContext",
    "ActivityCount",
    "ClassTaught",
    "CollectiveProfile",
    "DigitalModel",
    "IndividualProfile",
    "PartyVneid",
    "Solution",
    "TargetResult",
]
