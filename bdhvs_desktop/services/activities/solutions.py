"""Individuals' solutions (“giải pháp”): recorded per person, with whether and when they were
applied and their effect."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.services.activities.common import RecordKind, _Check, _text
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

SOLUTION_FIELDS = ("person_id", "title", "description", "applied", "applied_on", "effect")
_SOLUTION = RecordKind(m.Solution, "solution", "giải pháp", SOLUTION_FIELDS)


@dataclass(frozen=True)
class SolutionInput:
    person_id: int | None
    title: str
    description: str | None = None
    applied: bool = False
    applied_on: dt.date | None = None
    effect: str | None = None


@dataclass(frozen=True)
class SolutionRow:
    id: int
    person_id: int
    person_name: str
    unit_name: str
    title: str
    description: str
    applied: bool
    applied_on: dt.date | None
    effect: str
    version: int


def _check_solution(s: Session, data: SolutionInput) -> dict[str, Any]:
    check = _Check()
    if data.person_id is None:
        check.fail("person_id", "Người có giải pháp: chưa chọn.")
    elif s.get(m.Person, data.person_id) is None:
        check.fail("person_id", f"Người có giải pháp: không có người mã số {data.person_id}.")
    title = _text(data.title)
    if not title:
        check.fail("title", "Tên giải pháp: chưa nhập.")
    elif len(title) > 500:
        check.fail("title", "Tên giải pháp quá dài (tối đa 500 ký tự).")
    effect = _text(data.effect)
    applied_on = data.applied_on
    if data.applied:
        if applied_on is None:
            check.fail("applied_on", "Ngày áp dụng: giải pháp đã áp dụng phải có ngày áp dụng.")
        if not effect:
            check.fail("effect", "Hiệu quả: giải pháp đã áp dụng phải ghi hiệu quả thực tế (số liệu, kết quả).")
    else:
        applied_on = None
    check.done()
    return dict(person_id=data.person_id, title=title, description=_text(data.description), applied=bool(data.applied),
                applied_on=applied_on, effect=effect)


def add_solution(db: Database, data: SolutionInput) -> int:
    return _SOLUTION.add(db, lambda s: _check_solution(s, data), action="ghi giải pháp", note="Thêm giải pháp")


def update_solution(db: Database, solution_id: int, data: SolutionInput, version: int | None = None) -> None:
    _SOLUTION.update(db, solution_id, version, data, lambda s: _check_solution(s, data), action="sửa giải pháp")


def delete_solution(db: Database, solution_id: int, version: int | None = None) -> None:
    _SOLUTION.delete(db, solution_id, version, action="xóa giải pháp", note="Xóa giải pháp")


def list_solutions(db: Database) -> list[SolutionRow]:
    with db.read() as s:
        rows = s.execute(select(m.Solution, m.Person.full_name, m.Unit.name)
                         .join(m.Person, m.Person.id == m.Solution.person_id)
                         .outerjoin(m.Unit, m.Unit.id == m.Person.unit_id)
                         .order_by(m.Person.full_name, m.Solution.id)).all()
        return [SolutionRow(x.id, x.person_id, name, unit or "", x.title, x.description or "", bool(x.applied),
                            x.applied_on, x.effect or "", x.version) for x, name, unit in rows]
