"""Export in the import layout (documents/excel_io.py), so an exported file re-imports with
no change: people, units, activities, models, solutions (and reported figures).

Rows are read with one SQL statement each and streamed through openpyxl's write-only mode."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain.vocab import ACTIVITY_KIND_LABELS, MODEL_STATUS_LABELS, SEX_LABELS, UNIT_KIND_LABELS
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

YES, NO = xio.YES, xio.NO

# Kinds whose file holds personal data (CCCD, birth dates): the GUI asks before writing.
PERSONAL_KINDS = frozenset({"people", "solutions"})

KIND_LABELS = {
    "people": "Nhân sự", "units": "Đơn vị", "activities": "Hoạt động", "models": "Mô hình",
    "solutions": "Giải pháp", "figures": "Số liệu chỉ tiêu",
}


def _yn(value: bool | None) -> str:
    return YES if value else NO


def _label(labels: dict, code: str | None) -> str | None:
    if code is None:
        return None
    for k, v in labels.items():
        if str(k) == code:
            return v
    return code


def people_rows(s: Session, *, unit_ids: set[int] | None = None, person_ids: set[int] | None = None
                ) -> Iterator[tuple[Any, ...]]:
    q = (select(m.Person.id, m.Person.full_name, m.Person.birth_date, m.Person.sex, m.Person.cccd, m.Unit.code, m.Person.position,
                m.Person.is_party_member, m.Person.is_public_servant, m.Person.vneid_proficient_on,
                m.Person.can_guide, m.Person.people_guided, m.Person.under_discipline)
         .outerjoin(m.Unit, m.Unit.id == m.Person.unit_id).order_by(m.Unit.code, m.Person.id))
    if unit_ids is not None:
        q = q.where(m.Person.unit_id.in_(unit_ids))
    sexes = {str(k): v for k, v in SEX_LABELS.items()}
    for (pid, name, birth, sex, cccd, unit, position, party, servant, vneid, guide, guided, discipline) in s.execute(q):
        if person_ids is not None and pid not in person_ids:  # a set of any size, without SQL limits
            continue
        yield (name, birth, sexes.get(sex) if sex else None, cccd, unit, position, YES if party else NO,
               YES if servant else NO, vneid, YES if guide else NO, guided or 0, YES if discipline else NO)


def unit_rows(s: Session) -> Iterator[tuple[Any, ...]]:
    parent = aliased(m.Unit)
    q = (select(m.Unit.code, m.Unit.name, m.Unit.kind, parent.code, m.Unit.is_party_org, m.Unit.households,
                m.Unit.adult_residents)
         .outerjoin(parent, parent.id == m.Unit.parent_id).where(m.Unit.active.is_(True)).order_by(m.Unit.code))
    for code, name, kind, parent_code, party, households, adults in s.execute(q):
        yield (code, name, _label(UNIT_KIND_LABELS, kind), parent_code, _yn(party), households, adults)


def _units_parent_first(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Parents before children, so the file reads top-down like the tree."""
    by_code = {r[0]: r for r in rows}
    out: list[tuple[Any, ...]] = []
    seen: set[str] = set()

    def visit(code: str, depth: int = 0) -> None:
        if code in seen or depth > 50:
            return
        parent = by_code[code][3]
        if parent in by_code:
            visit(parent, depth + 1)
        seen.add(code)
        out.append(by_code[code])

    for r in rows:
        visit(r[0])
    return out


def activity_rows(s: Session, *, unit_ids: set[int] | None = None) -> Iterator[tuple[Any, ...]]:
    q = (select(m.Activity.date, m.Activity.kind, m.Unit.code, m.Activity.content, m.Activity.skills,
                m.Activity.participants)
         .join(m.Unit, m.Unit.id == m.Activity.unit_id).order_by(m.Activity.date, m.Activity.id))
    if unit_ids is not None:
        q = q.where(m.Activity.unit_id.in_(unit_ids))
    for day, kind, unit, content, skills, participants in s.execute(q):
        yield (day, _label(ACTIVITY_KIND_LABELS, kind), unit, content, skills, participants or 0)


def model_rows(s: Session) -> Iterator[tuple[Any, ...]]:
    codes = dict(s.execute(select(m.Unit.id, m.Unit.code)).all())
    replicated: dict[int, list[str]] = {}
    for model_id, unit_id in s.execute(select(m.ModelReplication.model_id, m.ModelReplication.unit_id)):
        replicated.setdefault(model_id, []).append(codes.get(unit_id, ""))
    q = select(m.DigitalModel).order_by(m.DigitalModel.code)
    for dm in s.scalars(q):
        yield (dm.code, dm.name, codes.get(dm.owner_unit_id), dm.registered_on, _label(MODEL_STATUS_LABELS, dm.status),
               dm.evaluation, ", ".join(sorted(replicated.get(dm.id, []))) or None)


def solution_rows(s: Session) -> Iterator[tuple[Any, ...]]:
    q = (select(m.Person.cccd, m.Person.full_name, m.Unit.code, m.Solution.title, m.Solution.applied,
                m.Solution.effect)
         .join(m.Person, m.Person.id == m.Solution.person_id).outerjoin(m.Unit, m.Unit.id == m.Person.unit_id)
         .order_by(m.Unit.code, m.Person.id, m.Solution.id))
    for cccd, name, unit, title, applied, effect in s.execute(q):
        yield (cccd, name, unit, title, _yn(applied), effect)


def figure_rows(s: Session) -> Iterator[tuple[Any, ...]]:
    q = (select(m.Target.code, m.Unit.code, m.ReportedFigure.as_of, m.ReportedFigure.numerator,
                m.ReportedFigure.denominator)
         .join(m.Target, m.Target.id == m.ReportedFigure.target_id)
         .join(m.Unit, m.Unit.id == m.ReportedFigure.unit_id)
         .order_by(m.Target.code, m.Unit.code, m.ReportedFigure.as_of))
    for target, unit, as_of, num, den in s.execute(q):
        yield (target, unit, as_of, _int_if_whole(num), _int_if_whole(den))


def _int_if_whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value == int(value) else value


_SOURCES: dict[str, tuple[xio.SheetSpec, Callable[[Session], Iterator[tuple[Any, ...]]]]] = {
    "units": (xio.UNITS, lambda s: iter(_units_parent_first(list(unit_rows(s))))),
    "people": (xio.PEOPLE, people_rows),
    "activities": (xio.ACTIVITIES, activity_rows),
    "models": (xio.MODELS, model_rows),
    "solutions": (xio.SOLUTIONS, solution_rows),
    "figures": (xio.FIGURES, figure_rows),
}
KINDS = tuple(_SOURCES)


def export(db: Database, kinds: str | list[str], path: str | os.PathLike[str], **filters: Any) -> dict[str, int]:
    """Write one or more kinds (sheets) to `path`; returns rows written per sheet.
    filters (unit_ids, person_ids) apply to the people sheet (unit_ids also to activities)."""
    if isinstance(kinds, str):
        kinds = [kinds]
    unknown = [k for k in kinds if k not in _SOURCES]
    if unknown:
        raise ValueError(f"Loại dữ liệu không hỗ trợ: {', '.join(unknown)} (chọn: {', '.join(KINDS)}).")
    counts: dict[str, int] = {}
    with db.read() as s:
        sheets = []
        for kind in kinds:
            spec, source = _SOURCES[kind]
            if kind == "people" and filters:
                rows = list(people_rows(s, **filters))
            elif kind == "activities" and filters.get("unit_ids") is not None:
                rows = list(activity_rows(s, unit_ids=filters["unit_ids"]))
            else:
                rows = list(source(s))
            counts[spec.name] = len(rows)
            sheets.append((spec, rows))
    xio.write_sheets(path, sheets)
    return counts


def write_template(path: str | os.PathLike[str]) -> Path:
    return xio.write_template(path)
