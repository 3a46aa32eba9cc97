"""The planner of the sheet HoatDong (activities): matched by date, kind, unit and content.

plan(ctx, sheet) checks every row and returns the write step, run only when the whole file has no error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain import values as V
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.known import changed_fields, queue_update
from bdhvs_desktop.storage import models as m


def plan(ctx: Importer, sheet: xio.SheetData) -> Callable[[Session], None]:
    counts = ctx.result.counts["HoatDong"]
    existing: dict[tuple, dict[str, Any]] = {}
    # only the activities of units the file mentions need loading
    codes: set[str] = set()
    pos = sheet.positions.get("unit_code")
    for _row, v in sheet.rows:
        if pos is not None and pos < len(v):
            try:
                code = V.parse_text(v[pos])
            except ValueError:
                continue
            if code:
                codes.add(code)
    unit_ids = [ctx.units[c]["id"] for c in codes if c in ctx.units and ctx.units[c].get("id")]
    if unit_ids:
        for a in ctx.session.execute(select(m.Activity.id, m.Activity.date, m.Activity.kind, m.Activity.unit_id,
                                              m.Activity.content, m.Activity.skills, m.Activity.participants)
                                       .where(m.Activity.unit_id.in_(unit_ids))):
            key = (a.date, a.kind, ctx.unit_code_by_id.get(a.unit_id), fold(a.content or ""))
            existing.setdefault(key, dict(a._mapping))
    seen: dict[tuple, int] = {}
    creates: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
    for row, cells in ctx.parsed_rows(sheet):
        unit_code = ctx.unit_ref(sheet, row, "unit_code", cells["unit_code"])
        if unit_code is None:
            continue
        unit_name, party_org = ctx.unit_party(unit_code)
        problem = rules.activity_unit_problem(cells["kind"], unit_name, party_org)
        if problem:
            ctx.error(sheet, row, "unit_code", problem)
            continue
        key = (cells["date"], cells["kind"], unit_code, fold(cells.get("content") or ""))
        if key in seen:
            ctx.error(sheet, row, "content", f"Trùng hoạt động với dòng {seen[key]} (cùng ngày, loại, đơn vị, nội "
                                              "dung). Nếu là hai buổi khác nhau, hãy ghi nội dung khác nhau.")
            continue
        seen[key] = row
        old = existing.get(key)
        new = {f: cells[f] for f in ("skills", "participants") if f in cells}
        if old is None:
            creates.append({"date": cells["date"], "kind": cells["kind"], "unit_code": unit_code,
                            "content": cells.get("content"), "skills": new.get("skills"),
                            "participants": new.get("participants") or 0})
            counts.created += 1
            continue
        queue_update(updates, counts, old["id"], changed_fields(old, new))

    def write(s: Session) -> None:
        if creates:
            rows = [{"date": c["date"], "kind": c["kind"], "unit_id": ctx.unit_id(c["unit_code"]),
                     "content": c["content"], "skills": c["skills"], "participants": c["participants"]}
                    for c in creates]
            s.execute(insert(m.Activity.__table__), rows)
        if updates:
            ctx.bulk_update(s, m.Activity, "activity", updates)
    ctx.record_plan("HoatDong", creates, updates)
    return write
