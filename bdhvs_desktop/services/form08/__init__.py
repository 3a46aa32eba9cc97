"""Form 08 (the achievement report) of each candidate: figures, models, signatures, narrative.

One source for every number: the status service (each target's per-unit result) and the
scoring service (the facts and criteria behind `bdhvs score`), both at the dossier date. A
figure printed in a Form 08 is the figure `bdhvs status` / `bdhvs score` gives for that
subject; nothing here counts people or models a second way.

    src = load_source(db, s, campaign, at)             # once per dossier
    ctx, missing = achievement(src, campaign, settings, candidate, ...)
    texts = draft_texts(src, candidate)                 # the narrative, drafted from the records

The narrative (the collective's functions, the measures, the lessons, the list's
"Tóm tắt thành tích", an individual's occupation) is drafted from the records in plain
official Vietnamese, with figures, never points or ranks; what the secretary saved on the
candidate (Candidate.report_text, Candidate.summary) takes precedence over the draft.

The package splits the work along the report (issue #12); every name stays importable from
`bdhvs_desktop.services.form08` as before:

    source      the one source of figures (status and scoring at the dossier date), wording helpers
    figures     the targets, VNeID, criteria and activities tables of a report
    models      the digital models a unit or a person is credited with, and their wording
    narrative   the drafted narrative and what the secretary saved over it
    signatures  who confirms a report, and the required fields left empty"""

from __future__ import annotations

from bdhvs_desktop.services.form08.figures import (
    party_vneid,
    person_criteria_rows,
    unit_activities,
    unit_target_rows,
)
from bdhvs_desktop.services.form08.models import person_models, unit_models
from bdhvs_desktop.services.form08.narrative import (
    draft_occupation,
    draft_texts,
    effective_texts,
)
from bdhvs_desktop.services.form08.signatures import (
    individual_confirmer,
    missing_fields,
    unit_head_issuer,
)
from bdhvs_desktop.services.form08.source import (
    _ACTIVITY_NAMES,
    COLLECTIVE_ONLY,
    INDIVIDUAL_ONLY,
    Source,
    compute_results,
    for_candidate,
    is_score_text,
    load_source,
)

__all__ = [
    "COLLECTIVE_ONLY",
    "INDIVIDUAL_ONLY",
    "Source",
    "_ACTIVITY_NAMES",
    "compute_results",
    "for_candidate",
    "is_score_text",
    "load_source",
    "party_vneid",
    "person_criteria_rows",
    "person_models",
    "unit_activities",
    "unit_models",
    "unit_target_rows",
    "draft_occupation",
    "draft_texts",
    "effective_texts",
    "individual_confirmer",
    "missing_fields",
    "unit_head_issuer",
]
