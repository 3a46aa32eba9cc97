"""Where the ward stands on a date: every target's value, status and shortfall, and every task.

compute_status() measures each target of the campaign (services/target_measure.py) in one read
session and reads the tasks and phases. Everything returned is a frozen dataclass; nothing here
keeps an ORM object alive.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bdhvs_desktop.domain import targets as tg
from bdhvs_desktop.services.campaign import PhaseInfo, phase_at
from bdhvs_desktop.services.fact_loader import FactLoader, load_units
from bdhvs_desktop.services.status_export import (  # noqa: F401  (re-exported: their old home)
    SCOPE_LABELS,
    STATUS_LABELS,
    TASK_LABELS,
    write_status_xlsx,
)
from bdhvs_desktop.services.target_measure import TargetResult, target_result
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

__all__ = ["StatusReport", "TaskResult", "compute_status", "status_to_json", "write_status_xlsx"]


@dataclass(frozen=True)
class TaskResult:
    id: int
    title: str
    unit: str | None
    due: dt.date | None
    status: str  # not_started | in_progress | done | late
    phase_number: int | None = None
    unit_id: int | None = None
    stored_status: str = "not_started"
    done_date: dt.date | None = None
    evidence: str | None = None
    version: int = 1


@dataclass(frozen=True)
class StatusReport:
    as_of: dt.date
    phase: PhaseInfo | None
    next_deadline: dt.date | None
    targets: list[TargetResult]
    tasks: list[TaskResult]
    phases: tuple[PhaseInfo, ...] = ()
    campaign_name: str | None = None

    def target(self, code: str) -> TargetResult | None:
        return next((t for t in self.targets if t.code == code), None)

    @property
    def days_to_next_deadline(self) -> int | None:
        return None if self.next_deadline is None else (self.next_deadline - self.as_of).days


def compute_status(db: Database, as_of: dt.date | None = None) -> StatusReport:
    """Every target and task of the campaign as of a date (today by default).

    The cyclic garbage collector is paused meanwhile: the work allocates many short-lived rows
    and strings but no reference cycles, and on a large ward the collector's repeated full
    passes over everything loaded cost about a third of the time."""

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compute_status(db, as_of)
    finally:
        if was_enabled:
            gc.enable()


def _compute_status(db: Database, as_of: dt.date | None) -> StatusReport:
    as_of = as_of or dt.date.today()
    with db.read() as s:
        campaign = s.execute(select(m.Campaign.id, m.Campaign.name).order_by(m.Campaign.id).limit(1)).first()
        if campaign is None:
            return StatusReport(as_of, None, None, [], [])
        phases = tuple(PhaseInfo(p.number, p.name, p.start_date, p.end_date, p.version) for p in s.execute(
            select(m.Phase.number, m.Phase.name, m.Phase.start_date, m.Phase.end_date, m.Phase.version)
            .where(m.Phase.campaign_id == campaign.id).order_by(m.Phase.number)).all())
        tree = load_units(s)
        loader = FactLoader(s, tree)
        targets = s.scalars(select(m.Target).where(m.Target.campaign_id == campaign.id)
                            .order_by(m.Target.sort_order, m.Target.id)).all()
        results = [target_result(loader, t, as_of) for t in targets]
        task_rows = s.execute(
            select(m.Task.id, m.Task.title, m.Task.responsible_unit_id, m.Task.responsible_text, m.Task.due_date,
                   m.Task.status, m.Task.done_date, m.Task.evidence, m.Task.phase_number, m.Task.version)
            .where(m.Task.campaign_id == campaign.id).order_by(m.Task.due_date, m.Task.phase_number, m.Task.id)
        ).all()
    tasks = []
    for r in task_rows:
        unit = tree.units[r.responsible_unit_id].name if r.responsible_unit_id in tree.units else None
        tasks.append(TaskResult(r.id, r.title, r.responsible_text or unit, r.due_date,
                                tg.task_status(r.status, r.due_date, r.done_date, as_of), r.phase_number,
                                r.responsible_unit_id, r.status, r.done_date, r.evidence, r.version))
    upcoming = [t.deadline for t in results if t.deadline and t.deadline >= as_of]
    upcoming += [t.due for t in tasks if t.due and t.due >= as_of and t.status != "done"]
    upcoming += [p.end for p in phases if p.end and p.end >= as_of]
    return StatusReport(as_of, phase_at(phases, as_of), min(upcoming) if upcoming else None, results, tasks,
                        phases, campaign.name)


def status_to_json(report: StatusReport) -> dict[str, Any]:
    """The object `bdhvs status --json` prints (keys fixed by the issue; dates ISO)."""
    phase = report.phase
    return {
        "as_of": report.as_of.isoformat(),
        "phase": None if phase is None else {"number": phase.number, "name": phase.name,
                                             "start": phase.start.isoformat(),
                                             "end": phase.end.isoformat() if phase.end else None},
        "targets": [{"code": t.code, "name": t.name, "value": t.value, "target": t.target, "status": t.status,
                     "shortfall": list(t.shortfall)} for t in report.targets],
        "tasks": [{"title": t.title, "unit": t.unit, "due": t.due.isoformat() if t.due else None, "status": t.status}
                  for t in report.tasks],
    }
