"""The planner of the sheet DonVi (units): codes unique, parents existing and without a cycle; new units created first so the other sheets can cite them.

plan(ctx, sheet) checks every row and returns the write step, run only when the whole file has no error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.known import queue_update
from bdhvs_desktop.storage import models as m


def plan(ctx: Importer, sheet: xio.SheetData) -> Callable[[Session], None]:
    counts = ctx.result.counts["DonVi"]
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, cells in ctx.parsed_rows(sheet):
        code = cells["code"]
        if code in rows:
            ctx.error(sheet, row, "code", f"Mã đơn vị \"{code}\" trùng với dòng {rows[code][0]}.")
            continue
        existing = ctx.units.get(code)
        if existing is not None and not existing["active"]:
            ctx.error(sheet, row, "code", f"Đơn vị \"{code}\" đã ngừng hoạt động (đã sáp nhập); không nhập lại "
                                           "được. Hãy dùng mã của đơn vị đang hoạt động.")
            continue
        rows[code] = (row, cells)
        ctx.file_unit_values[code] = (cells.get("name"), cells.get("is_party_org"))
        if existing is None:
            ctx.file_units[code] = row
    # parents: must exist (in the database or the file) and must not make a cycle
    parent_of: dict[str, str | None] = {c: ctx.unit_code_by_id.get(u["parent_id"]) for c, u in ctx.units.items()}
    valid: dict[str, tuple[int, dict[str, Any]]] = {}
    for code, (row, cells) in rows.items():
        if "parent_code" in cells and cells["parent_code"] is not None:
            parent = cells["parent_code"]
            if parent == code:
                ctx.error(sheet, row, "parent_code", "Đơn vị không thể là cấp trên của chính nó.")
                continue
            if ctx.unit_ref(sheet, row, "parent_code", parent) is None:
                continue
        valid[code] = (row, cells)
        if cells.get("parent_code") is not None:
            parent_of[code] = cells["parent_code"]
    for code, (row, _cells) in list(valid.items()):
        seen, cur = {code}, parent_of.get(code)
        while cur is not None:
            if cur in seen:
                ctx.error(sheet, row, "parent_code", f"Quan hệ cấp trên tạo thành vòng lặp qua \"{cur}\".")
                valid.pop(code, None)
                break
            seen.add(cur)
            cur = parent_of.get(cur)
    creates: list[tuple[str, dict[str, Any]]] = []
    updates: list[tuple[str, dict[str, tuple[Any, Any]]]] = []
    fields = ("name", "kind", "is_party_org", "households", "adult_residents")
    for code, (row, cells) in valid.items():
        values = {f: cells[f] for f in fields if f in cells}
        if "is_party_org" in values:
            values["is_party_org"] = None if values["is_party_org"] is None else bool(values["is_party_org"])
        existing = ctx.units.get(code)
        if existing is None:
            creates.append((code, {**values, "parent_code": cells.get("parent_code")}))
            counts.created += 1
            continue
        changes = {f: (existing[f], v) for f, v in values.items()
                   if existing[f] != v and not (v is None and existing[f] is not None)}
        if cells.get("parent_code") is not None:
            old_parent = ctx.unit_code_by_id.get(existing["parent_id"])
            if old_parent != cells["parent_code"]:
                changes["parent_code"] = (old_parent, cells["parent_code"])
        elif "parent_code" in cells and existing["parent_id"] is not None:
            ctx.warning(sheet, row, "parent_code", "Ô trống: giữ nguyên đơn vị cấp trên hiện tại ("
                         f"{ctx.unit_code_by_id.get(existing['parent_id'])}). Muốn đổi cấp trên, hãy dùng trang "
                         "Đơn vị.")
        queue_update(updates, counts, code, changes)

    def write(s: Session) -> None:
        by_code = {u.code: u for u in s.scalars(select(m.Unit))}
        for code, values in creates:
            unit = m.Unit(code=code, name=values["name"], kind=values["kind"],
                          is_party_org=bool(values.get("is_party_org")),
                          households=values.get("households"), adult_residents=values.get("adult_residents"))
            s.add(unit)
            by_code[code] = unit
        s.flush()
        for code, values in creates:
            if values.get("parent_code"):
                by_code[code].parent_id = by_code[values["parent_code"]].id
            audit.record(s, user=ctx.user_of(s), action="import", entity="unit", entity_id=by_code[code].id,
                         note=f"Tạo đơn vị {code} từ tệp {ctx.result.path.name}")
        for code, changes in updates:
            unit = by_code[code]
            for f, (_old, new) in changes.items():
                if f == "parent_code":
                    unit.parent_id = by_code[new].id if new else None
                else:
                    setattr(unit, f, new)
            audit.record_changes(s, user=ctx.user_of(s), entity="unit", entity_id=unit.id, changes=changes,
                                 action="import")
        s.flush()
        for code, unit in by_code.items():
            ctx.units.setdefault(code, {"id": unit.id})
            ctx.units[code]["id"] = unit.id
    ctx.record_plan("DonVi", creates, updates)
    return write
