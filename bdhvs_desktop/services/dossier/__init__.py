"""The award dossier: maps the records to the document contexts and writes the folder.

    settings = load_settings(db)                       # form set, issuer format, numbers
    save_settings(db, issuer_format="state", number="12")
    items = list_dossier_candidates(db, draft=False)   # who goes in, with their Form 08 text
    save_report_text(db, candidate_id, {"results": "...", ...}, version)
    outcome = generate_dossier(db, out_dir, draft=False, at=date, progress=..., cancel=...)

The Tờ trình (Form 01) is built from the campaign (Campaign.details["preset"] and
["dossier"]: issuer names, recipient, plan references), the council's result and the
approved candidates -- or, with draft=True, every proposed candidate, marked "DỰ THẢO".
The minutes come from the meeting, its attendance and votes; each Form 08 from the
candidate's own figures plus the sections the secretary writes (Candidate.report_text).
A final (non-draft) dossier records every file in GeneratedDocument and moves approved
candidates to "issued", in the audit log.

The package splits the work along the domain (issue #12); every name stays importable from
`bdhvs_desktop.services.dossier` as before:

    common      errors, constants, the plain data the dossier hands out
    settings    the dossier settings and the form set they name
    candidates  who goes in, and the Form 08 text the secretary writes
    issuers     who issues, proposes and signs each document (party or state format)
    minutes     the council minutes' contexts
    achievement one candidate's Form 08 (achievement report) context
    counts      the check that the Tờ trình agree with the minutes they cite
    contexts    every document's context (Tờ trình, lists, Form 08, minutes)
    generate    writing the folder and recording a final dossier"""

from __future__ import annotations

from bdhvs_desktop.services.dossier.candidates import (
    Narrative,
    _candidates,
    list_dossier_candidates,
    narrative,
    redraft_narrative,
    save_narrative,
    save_report_text,
)
from bdhvs_desktop.services.dossier.common import (
    COUNCIL_HEADING,
    DEFAULT_FORM_SET,
    DRAFT_STATUSES,
    ISSUED_STATUSES,
    ISSUER_FORMATS,
    ISSUERS,
    NARRATIVE_KEYS,
    NARRATIVE_LABELS,
    REPORT_SECTIONS,
    SETTING_KEYS,
    DossierCandidate,
    DossierContexts,
    DossierError,
    DossierLocked,
    DossierOutcome,
    DossierSettings,
    MinutesDocument,
    MissingFieldsError,
    Progress,
    StaleEditError,
    _campaign,
    _subject_name,
    vn_short,
)
from bdhvs_desktop.services.dossier.contexts import (
    _citations_for,
    _nominee,
    build_contexts,
)
from bdhvs_desktop.services.dossier.counts import check_counts
from bdhvs_desktop.services.dossier.generate import (
    generate_dossier,
)
from bdhvs_desktop.services.dossier.issuers import (
    Authority,
    _authority,
    _proposer,
)
from bdhvs_desktop.services.dossier.minutes import (
    _minutes_documents,
    minutes_file_name,
)
from bdhvs_desktop.services.dossier.settings import (
    _read_settings,
    available_form_sets,
    form_set_dirs,
    form_set_warning,
    form_set_warning_named,
    load_checked_form_set,
    load_settings,
    save_settings,
    settings_warning,
)

__all__ = [
    "_candidates",
    "_citations_for",
    "_minutes_documents",
    "_nominee",
    "COUNCIL_HEADING",
    "DEFAULT_FORM_SET",
    "DRAFT_STATUSES",
    "DossierCandidate",
    "DossierContexts",
    "DossierError",
    "DossierLocked",
    "DossierOutcome",
    "DossierSettings",
    "ISSUED_STATUSES",
    "ISSUERS",
    "ISSUER_FORMATS",
    "MinutesDocument",
    "MissingFieldsError",
    "NARRATIVE_KEYS",
    "NARRATIVE_LABELS",
    "Progress",
    "REPORT_SECTIONS",
    "SETTING_KEYS",
    "StaleEditError",
    "_campaign",
    "_subject_name",
    "vn_short",
    "_read_settings",
    "available_form_sets",
    "form_set_dirs",
    "form_set_warning",
    "form_set_warning_named",
    "load_checked_form_set",
    "load_settings",
    "save_settings",
    "settings_warning",
    "Narrative",
    "list_dossier_candidates",
    "narrative",
    "redraft_narrative",
    "save_narrative",
    "save_report_text",
    "Authority",
    "_authority",
    "_proposer",
    "minutes_file_name",
    "build_contexts",
    "check_counts",
    "generate_dossier",
]
