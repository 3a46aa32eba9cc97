"""Activities (the ward's sessions, classes, campaigns): checked, written with their audit
entries, listed with filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain.vocab import (
    ACTIVITY_KIND_LABELS,
    SKILL_LABELS,
    ActivityKind,
)
from bdhvs_desktop.services.activities.common import MAX_TEXT, RecordKind, _campaign_range, _Check, _text, _unit
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

ACTIVITY_FIELDS = ("date", "kind", "unit_id", "content", "skills", "participants", "host_person_id")
_ACTIVITY = RecordKind(m.Activity, "activity", "hoạt động", ACTIVITY_FIELDS)


@dataclass(frozen=True)
class ActivityInput:
    date: dt.date | None
    kind: str
    unit_id: int | None = None
    content: str | None = None
    skills: Iterable[int] | str | None = None  # [1, 2, 5] or "1,2,5"
    participants: int | None = 0
    host_person_id: int | None = None


@dataclass(frozen=True)
class ActivityRow:
    id: int
    date: dt.date
    kind: str
    kind_label: str
    unit_id: int | None
    unit_name: str
    content: str
    skills: tuple[int, ...]
    skills_label: str
    participants: int
    host_person_id: int | None
    host_name: str
    version: int


def parse_skills(value: Iterable[int] | str | None) -> tuple[int, ...]:
    """"1, 2,5" or [5, 1] -> (1, 2, 5); ValueError (Vietnamese) on anything outside 1-5."""
    if value is None or value == "":
        return ()
    items: list[Any] = re.split(r"[,;\s]+", value.strip()) if isinstance(value, str) else list(value)
    out = set()
    for item in items:
        if item in ("", None):
            continue
        try:
            n = int(item)
        except (TypeError, ValueError):
            raise ValueError(f"kỹ năng “{item}” không phải số từ 1 đến 5") from None
        if n not in SKILL_LABELS:
            raise ValueError(f"kỹ năng {n} không có; chỉ có 05 kỹ năng số thiết yếu, đánh số từ 1 đến 5")
        out.add(n)
    return tuple(sorted(out))


def _check_activity(s: Session, data: ActivityInput) -> dict[str, Any]:
    check = _Check()
    values: dict[str, Any] = {}
    if data.date is None:
        check.fail("date", "Ngày tổ chức: chưa nhập.")
    else:
        problem = rules.activity_date_problem(data.date, _campaign_range(s))
        if problem:
            check.fail("date", problem)
    kinds = [k.value for k in ActivityKind]
    if data.kind not in kinds:
        check.fail("kind", f"Loại hoạt động “{data.kind}” không có; chọn một trong: "
                           + ", ".join(ACTIVITY_KIND_LABELS[ActivityKind(k)] for k in kinds) + ".")
    unit = _unit(s, data.unit_id, check)
    if data.unit_id is None and data.kind in ("guidance", "class", "thematic_meeting", "training"):
        check.fail("unit_id", f"Đơn vị: {ACTIVITY_KIND_LABELS[ActivityKind(data.kind)].lower()} phải ghi "
                              "đơn vị tổ chức (tổ dân phố, chi bộ, cơ quan...).")
    problem = rules.activity_unit_problem(data.kind, unit.name, bool(unit.is_party_org)) if unit else None
    if problem:
        check.fail("unit_id", problem)
    try:
        values["skills"] = ",".join(str(n) for n in parse_skills(data.skills)) or None
    except ValueError as exc:
        check.fail("skills", f"Kỹ năng: {exc}.")
    participants = data.participants or 0
    if not isinstance(participants, int) or isinstance(participants, bool):
        check.fail("participants", "Số người tham gia phải là số nguyên.")
    elif rules.participants_problem(participants):
        check.fail("participants", rules.participants_problem(participants))
    content = _text(data.content)
    if content and len(content) > MAX_TEXT:
        check.fail("content", f"Nội dung quá dài ({len(content)} ký tự, tối đa {MAX_TEXT}).")
    if data.host_person_id is not None and s.get(m.Person, data.host_person_id) is None:
        check.fail("host_person_id", f"Người chủ trì: không có người mã số {data.host_person_id}.")
    check.done()
    values.update(date=data.date, kind=data.kind, unit_id=data.unit_id, content=content,
                  participants=participants, host_person_id=data.host_person_id)
    return values


def add_activity(db: Database, data: ActivityInput) -> int:
    return _ACTIVITY.add(db, lambda s: _check_activity(s, data), action="ghi hoạt động", note="Thêm hoạt động")


def update_activity(db: Database, activity_id: int, data: ActivityInput, version: int | None = None) -> None:
    _ACTIVITY.update(db, activity_id, version, data, lambda s: _check_activity(s, data), action="sửa hoạt động")


def delete_activity(db: Database, activity_id: int, version: int | None = None) -> None:
    _ACTIVITY.delete(db, activity_id, version, action="xóa hoạt động", note="Xóa hoạt động")


def list_activities(db: Database, *, kind: str | None = None, unit_id: int | None = None,
                    start: dt.date | None = None, end: dt.date | None = None, limit: int | None = None) -> list[ActivityRow]:
    host = m.Person.__table__.alias("host")
    q = (select(m.Activity.id, m.Activity.date, m.Activity.kind, m.Activity.unit_id, m.Unit.name,
                m.Activity.content, m.Activity.skills, m.Activity.participants, m.Activity.host_person_id,
                host.c.full_name, m.Activity.version)
         .outerjoin(m.Unit, m.Unit.id == m.Activity.unit_id)
         .outerjoin(host, host.c.id == m.Activity.host_person_id)
         .order_by(m.Activity.date.desc(), m.Activity.id.desc()))
    if kind:
        q = q.where(m.Activity.kind == kind)
    if unit_id is not None:
        q = q.where(m.Activity.unit_id == unit_id)
    if start is not None:
        q = q.where(m.Activity.date >= start)
    if end is not None:
        q = q.where(m.Activity.date <= end)
    if limit:
        q = q.limit(limit)
    with db.read() as s:
        rows = s.execute(q).all()
    out = []
    skills_of: dict[Any, tuple[tuple[int, ...], str]] = {}  # few distinct values: parse each once
    kinds = {k.value: ACTIVITY_KIND_LABELS[k] for k in ActivityKind}
    for r in rows:
        parsed = skills_of.get(r[6])
        if parsed is None:
            try:
                skills = parse_skills(r[6])
            except ValueError:
                skills = ()
            parsed = skills_of[r[6]] = (skills, ", ".join(str(n) for n in skills))
        out.append(ActivityRow(r[0], r[1], r[2], kinds.get(r[2], r[2]), r[3], r[4] or "", r[5] or "", parsed[0],
                               parsed[1], r[7] or 0, r[8], r[9] or "", r[10]))
    return out
