"""Dates of the campaign: quarters, ISO weeks, and Vietnamese date text."""

from __future__ import annotations

import datetime as dt


def quarter_of(day: dt.date) -> tuple[int, int]:
    return (day.month - 1) // 3 + 1, day.year


def quarter_end(quarter: int, year: int) -> dt.date:
    month = quarter * 3
    next_first = dt.date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return next_first - dt.timedelta(days=1)


def quarter_start(quarter: int, year: int) -> dt.date:
    return dt.date(year, (quarter - 1) * 3 + 1, 1)


def iso_week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def iso_weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of every ISO week that has at least one day in [start, end]."""
    if end < start:
        return []
    monday = iso_week_start(start)
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"Tuần {week:02d}/{year} ({monday:%d/%m}–{monday + dt.timedelta(days=6):%d/%m})"


def vn_date(day: dt.date | None) -> str:
    """dd/mm/yyyy, as Vietnamese users write dates."""
    return "" if day is None else f"{day:%d/%m/%Y}"


def parse_vn_date(text: str) -> dt.date:
    """Parse 'dd/mm/yyyy' (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO 'yyyy-mm-dd'."""
    text = text.strip()
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            if len(parts[0].strip()) == 4:
                return dt.date(a, b, c)
            if c < 100:
                raise ValueError(f"năm phải có 4 chữ số: {text!r}")
            return dt.date(c, b, a)
    raise ValueError(f"ngày không đúng dạng dd/mm/yyyy: {text!r}")
