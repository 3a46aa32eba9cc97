"""The planner of the sheet GiaiPhap (solutions): matched by person and title; the person found by CCCD or name in the unit, also among the people this file adds.

plan(ctx, sheet) checks every row and returns the write step, run only when the whole file has no error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain.text import name_key
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.known import NewRef, cccd_owner_message, changed_fields, queue_update
from bdhvs_desktop.storage import models as m


def _find_person(ctx: Importer, sheet: xio.SheetData, row: int, cells: dict[str, Any], unit_code: str) -> Any:
    """The person id (int) or NewRef a solution belongs to; None after an error."""
    cccd = cells.get("cccd")
    if cccd:
        candidates = [cccd] if len(cccd) == 12 else ([cccd.zfill(12)] if 10 <= len(cccd) < 12 else [])
        for c in candidates:
            if c in ctx.new_people_by_cccd:
                ref = ctx.new_people_by_cccd[c]
                if name_key(ref.name) != name_key(cells["full_name"]):
                    ctx.error(sheet, row, "cccd", cccd_owner_message(c, ref.name, cells["full_name"]))
                    return None
                return ref
            pid = ctx.people_by_cccd.get(c)
            if pid is not None:
                if name_key(ctx.people[pid]["full_name"]) != name_key(cells["full_name"]):
                    ctx.error(sheet, row, "cccd", cccd_owner_message(c, ctx.people[pid]["full_name"],
                                                                       cells["full_name"]))
                    return None
                if c != cccd:
                    ctx.warning(sheet, row, "cccd", f"Số CCCD \"{cccd}\" đã mất số 0 ở đầu; đã nhận ra là {c}.")
                return pid
        ctx.error(sheet, row, "cccd", f"Không tìm thấy người có số CCCD {cccd} (trong dữ liệu hoặc trang NhanSu).")
        return None
    nk = name_key(cells["full_name"])
    found: list[Any] = list(ctx.people_by_name_unit.get((nk, unit_code), []))
    found += ctx.new_people.get((nk, unit_code), [])
    if not found:
        ctx.error(sheet, row, "full_name", f"Không tìm thấy \"{cells['full_name']}\" trong đơn vị {unit_code}. "
                                            "Hãy ghi Số CCCD hoặc thêm người này ở trang NhanSu.")
        return None
    if len(found) > 1:
        ctx.error(sheet, row, "full_name", f"Có {len(found)} người tên \"{cells['full_name']}\" trong đơn vị "
                                            f"{unit_code}; hãy ghi Số CCCD để phân biệt.")
        return None
    return found[0]


def plan(ctx: Importer, sheet: xio.SheetData) -> Callable[[Session], None]:
    counts = ctx.result.counts["GiaiPhap"]
    existing: dict[tuple[int, str], dict[str, Any]] = {}
    for sol in ctx.session.execute(select(m.Solution.id, m.Solution.person_id, m.Solution.title,
                                            m.Solution.applied, m.Solution.effect)):
        existing.setdefault((sol.person_id, name_key(sol.title)), dict(sol._mapping))
    seen: dict[tuple, int] = {}
    creates: list[tuple[Any, dict[str, Any]]] = []
    updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
    for row, cells in ctx.parsed_rows(sheet):
        unit_code = ctx.unit_ref(sheet, row, "unit_code", cells["unit_code"])
        if unit_code is None:
            continue
        person = _find_person(ctx, sheet, row, cells, unit_code)
        if person is None:
            continue
        tkey = (id(person) if isinstance(person, NewRef) else person, name_key(cells["title"]))
        if tkey in seen:
            ctx.error(sheet, row, "title", f"Trùng giải pháp với dòng {seen[tkey]} (cùng người, cùng tên).")
            continue
        seen[tkey] = row
        new = {f: cells[f] for f in ("applied", "effect") if f in cells}
        if "applied" in new:
            new["applied"] = None if new["applied"] is None else bool(new["applied"])
        old = existing.get(tkey) if not isinstance(person, NewRef) else None
        if old is None:
            creates.append((person, {"title": cells["title"], **new}))
            counts.created += 1
            continue
        queue_update(updates, counts, old["id"], changed_fields(old, new))

    def write(s: Session) -> None:
        if creates:
            rows = [{"person_id": p.id if isinstance(p, NewRef) else p, "title": v["title"],
                     "applied": bool(v.get("applied")), "effect": v.get("effect")} for p, v in creates]
            s.execute(insert(m.Solution.__table__), rows)
        if updates:
            ctx.bulk_update(s, m.Solution, "solution", updates)
    ctx.record_plan("GiaiPhap", creates, updates)
    return write
