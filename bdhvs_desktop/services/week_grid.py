"""The week-by-week grid of the Activities page: sessions per residential group and ISO week between
two dates, counted as the weekly-guidance target counts them (domain/targets.py: week_grid)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bdhvs_desktop.domain import targets as tg
from bdhvs_desktop.services.fact_loader import load_units, weekly_session_counts
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class WeekGrid:
    mondays: list[dt.date]
    units: list[tuple[int, str, str]]  # id, code, name
    counts: dict[int, list[int]]  # unit id -> sessions per week
    as_of: dt.date


def week_grid(db: Database, start: dt.date, end: dt.date, kinds: list[str] | None = None) -> WeekGrid:
    """Sessions per residential group and ISO week between two dates (for the week-by-week screen)."""
    kinds = kinds or ["guidance"]
    with db.read() as s:
        tree = load_units(s)
        sessions = weekly_session_counts(s, kinds, start, end)
    groups = tree.residential_groups()
    mondays, grid = tg.week_grid(sessions, groups, tree, start, end)
    return WeekGrid(mondays, [(u.id, u.code, u.name) for u in groups], grid, end)
