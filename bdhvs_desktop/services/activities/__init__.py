"""Recording what the ward does: activities, models through their lifecycle (with replications),
individuals' solutions, "Đại sứ số" mentorships, reported figures, task progress and phase dates.

One module per record kind (activity, digital_models with their replications, solutions,
mentorships, figures, plan, and the forms' short lists in choices); what they share (errors, the
version check, add / update / delete with audit as common.RecordKind) is in common. Every change is validated first (all problems reported together, in Vietnamese,
naming the field) and written whole in one transaction with its audit entries; a save over a
record a colleague changed meanwhile is refused (StaleRecord) instead of overwriting their work.
Functions take and return plain values and dataclasses, never live ORM objects.

This package re-exports every public name, so `from bdhvs_desktop.services.activities import X`
and `activities.X` keep working; new code may import from the record kind's module."""

from bdhvs_desktop.services.activities.activity import (
    ACTIVITY_FIELDS,
    ActivityInput,
    ActivityRow,
    add_activity,
    delete_activity,
    list_activities,
    parse_skills,
    update_activity,
)
from bdhvs_desktop.services.activities.choices import PersonChoice, UnitChoice, person_choices, unit_choices
from bdhvs_desktop.services.activities.common import MAX_PARTICIPANTS, MAX_TEXT, NotFound, StaleRecord, ValidationError
from bdhvs_desktop.services.activities.digital_models import (
    MODEL_FIELDS,
    ModelInput,
    ModelRow,
    add_model,
    advance_model,
    delete_model,
    list_models,
    normalise_quarter,
    update_model,
)
from bdhvs_desktop.services.activities.figures import (
    FIGURE_FIELDS,
    FigureInput,
    FigureRow,
    ReportedTarget,
    add_figure,
    delete_figure,
    list_figures,
    reported_targets,
    update_figure,
)
from bdhvs_desktop.services.activities.mentorships import (
    MentorshipRow,
    MentorSummary,
    add_mentorship,
    delete_mentorship,
    list_mentorships,
    mentor_summaries,
)
from bdhvs_desktop.services.activities.plan import update_phase, update_task
from bdhvs_desktop.services.activities.replications import ReplicationRow, add_replication, delete_replication
from bdhvs_desktop.services.activities.solutions import (
    SOLUTION_FIELDS,
    SolutionInput,
    SolutionRow,
    add_solution,
    delete_solution,
    list_solutions,
    update_solution,
)
from bdhvs_desktop.services.auth import PermissionDenied  # the screens catch it from here

__all__ = [
    "ACTIVITY_FIELDS", "FIGURE_FIELDS", "MAX_PARTICIPANTS", "MAX_TEXT", "MODEL_FIELDS", "SOLUTION_FIELDS",
    "ActivityInput", "ActivityRow", "FigureInput", "FigureRow", "MentorSummary", "MentorshipRow", "ModelInput",
    "ModelRow", "NotFound", "PermissionDenied", "PersonChoice", "ReplicationRow", "ReportedTarget", "SolutionInput",
    "SolutionRow", "StaleRecord", "UnitChoice", "ValidationError", "add_activity", "add_figure", "add_mentorship",
    "add_model", "add_replication", "add_solution", "advance_model", "delete_activity", "delete_figure",
    "delete_mentorship", "delete_model", "delete_replication", "delete_solution", "list_activities", "list_figures",
    "list_mentorships", "list_models", "list_solutions", "mentor_summaries", "normalise_quarter", "parse_skills",
    "person_choices", "reported_targets", "unit_choices", "update_activity", "update_figure", "update_model",
    "update_phase", "update_solution", "update_task",
]
