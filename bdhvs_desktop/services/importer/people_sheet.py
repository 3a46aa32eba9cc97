"""The planner of the sheet NhanSu (people): matched by CCCD, else by name, birth date and unit; a CCCD that is another person's is refused, never overwritten.

plan(ctx, sheet) checks every row and returns the write step, run only when the whole file has no error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain import cccd as cccd_rules
from bdhvs_desktop.domain.text import fold, name_key
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.known import NewRef, cccd_owner_message, queue_update
from bdhvs_desktop.services.importer.result import ERROR
from bdhvs_desktop.storage import models as m

# The dates a blank cell keeps, saying so in a warning.
KEPT_WITH_WARNING = {"birth_date", "vneid_proficient_on"}


def plan(ctx: Importer, sheet: xio.SheetData) -> Callable[[Session], None]:
    counts = ctx.result.counts["NhanSu"]
    seen_cccd: dict[str, int] = {}
    seen_key: dict[tuple[str, dt.date | None, str], int] = {}
    matched: dict[int, int] = {}  # person id -> row
    creates: list[dict[str, Any]] = []
    create_refs: list[NewRef] = []
    updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
    ctx.new_people = {}
    ctx.new_people_by_cccd = {}
    present = set(sheet.positions)
    for row, cells in ctx.parsed_rows(sheet):
        name = cells["full_name"]
        nk = name_key(name)
        unit_code = ctx.unit_ref(sheet, row, "unit_code", cells["unit_code"])
        if unit_code is None:
            continue
        birth = cells.get("birth_date")
        cccd = cells.get("cccd")
        if cccd is not None and not _check_person_cccd(ctx, sheet, row, cells):
            continue
        cccd = cells.get("cccd")
        vneid = cells.get("vneid_proficient_on")
        if vneid is not None and birth is not None and vneid < birth:
            ctx.error(sheet, row, "vneid_proficient_on", "Ngày thành thạo VNeID trước ngày sinh.")
            continue
        key = (nk, birth, unit_code)
        if cccd is not None and cccd in seen_cccd:
            ctx.error(sheet, row, "cccd", f"Trùng người: số CCCD {cccd} đã có ở dòng {seen_cccd[cccd]}.")
            continue
        if key in seen_key:
            ctx.error(sheet, row, "full_name", f"Trùng người: \"{name}\", cùng ngày sinh và đơn vị, đã có ở dòng "
                                                f"{seen_key[key]}. Nếu là hai người khác nhau, hãy ghi Số CCCD.")
            continue
        # match what exists
        pid = ctx.people_by_cccd.get(cccd) if cccd else None
        if pid is not None and name_key(ctx.people[pid]["full_name"]) != nk:
            # A CCCD typed wrong can be another person's: never overwrite that person.
            ctx.error(sheet, row, "cccd", cccd_owner_message(cccd, ctx.people[pid]["full_name"], name))
            continue
        if pid is None:
            candidates = ctx.people_by_key.get(key, [])
            if cccd:
                candidates = [c for c in candidates if ctx.people[c]["cccd"] in (None, cccd)]
            if len(candidates) > 1:
                ctx.error(sheet, row, "full_name", f"Có {len(candidates)} người cùng tên, ngày sinh và đơn vị "
                                                    "trong dữ liệu; hãy ghi Số CCCD để phân biệt.")
                continue
            pid = candidates[0] if candidates else None
            if pid is None and cccd and ctx.people_by_key.get(key):
                other = ctx.people[ctx.people_by_key[key][0]]["cccd"]
                ctx.warning(sheet, row, "cccd", f"Đã có người cùng tên, ngày sinh và đơn vị với số CCCD khác "
                                                 f"({other}); dòng này được nhập là một người khác.")
        if pid is not None and pid in matched:
            ctx.error(sheet, row, "full_name", f"Trùng người: dòng này và dòng {matched[pid]} cùng chỉ một người "
                                                "đã có trong dữ liệu.")
            continue
        if cccd is not None:
            seen_cccd[cccd] = row
        seen_key[key] = row
        values = {f: cells[f] for f in ("full_name", "birth_date", "sex", "position", "is_party_member",
                                        "is_public_servant", "vneid_proficient_on", "can_guide",
                                        "people_guided", "under_discipline") if f in present}
        for f in ("is_party_member", "is_public_servant", "can_guide", "under_discipline"):
            if f in values:
                values[f] = None if values[f] is None else bool(values[f])
        values["unit_code"] = unit_code
        values["name_key"] = nk
        if pid is None:
            values["cccd"] = cccd
            ref = NewRef("NhanSu", row, name=name)
            creates.append(values)
            create_refs.append(ref)
            ctx.new_people.setdefault((nk, unit_code), []).append(ref)
            if cccd:
                ctx.new_people_by_cccd[cccd] = ref
            counts.created += 1
            continue
        matched[pid] = row
        old = ctx.people[pid]
        changes: dict[str, tuple[Any, Any]] = {}
        for f, v in values.items():
            if f == "name_key":
                continue
            if f == "unit_code":
                old_code = ctx.unit_code_by_id.get(old["unit_id"])
                if old_code != v:
                    changes["unit_id"] = (old_code, v)
            elif f == "full_name":
                continue  # the same name (name_key) in another spelling: keep what is stored
            elif v is None and old[f] is not None:
                # A blank cell never erases what is on record (a unit may send an older or partial
                # sheet); clearing a value is done in the person form, where it is audited.
                if f in KEPT_WITH_WARNING:
                    shown = f"{old[f]:%d/%m/%Y}" if isinstance(old[f], dt.date) else str(old[f])
                    ctx.warning(sheet, row, f, f"Ô trống: giữ nguyên giá trị đã có ({shown}).")
            elif old[f] != v:
                changes[f] = (old[f], v)
        if cccd and old["cccd"] != cccd:
            changes["cccd"] = (old["cccd"], cccd)
        queue_update(updates, counts, pid, changes)

    def write(s: Session) -> None:
        if creates:
            rows = []
            for v in creates:
                rows.append({
                    "full_name": v["full_name"], "name_key": v["name_key"],
                    "search_key": fold(v["full_name"]), "birth_date": v.get("birth_date"), "sex": v.get("sex"),
                    "cccd": v.get("cccd"), "unit_id": ctx.unit_id(v["unit_code"]), "position": v.get("position"),
                    "is_party_member": bool(v.get("is_party_member")),
                    "is_public_servant": bool(v.get("is_public_servant")),
                    "vneid_proficient_on": v.get("vneid_proficient_on"), "can_guide": bool(v.get("can_guide")),
                    "people_guided": v.get("people_guided") or 0,
                    "under_discipline": bool(v.get("under_discipline")),
                })
            table = m.Person.__table__
            ids = s.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
            for ref, pid in zip(create_refs, ids):
                ref.id = pid
        if updates:
            ctx.bulk_update(s, m.Person, "person", updates, person=True)
    ctx.record_plan("NhanSu", creates, updates)
    return write


def _check_person_cccd(ctx: Importer, sheet: xio.SheetData, row: int, cells: dict[str, Any]) -> bool:
    digits = cells["cccd"]
    birth, sex = cells.get("birth_date"), cells.get("sex")
    year = birth.year if birth else None
    if len(digits) < 12:
        restored = cccd_rules.restore_leading_zeros(digits, year, sex)
        if restored.value is None:
            ctx.error(sheet, row, "cccd", restored.message or "Số CCCD không hợp lệ.")
            return False
        other = ctx.people_by_cccd.get(restored.value)
        if other is not None and name_key(ctx.people[other]["full_name"]) != name_key(cells["full_name"]):
            ctx.error(sheet, row, "cccd", f"Số CCCD \"{digits}\" có thể đã mất số 0 ở đầu, nhưng "
                                           f"{restored.value} là của người khác ({ctx.people[other]['full_name']}). "
                                           "Hãy nhập lại số CCCD dạng văn bản.")
            return False
        ctx.warning(sheet, row, "cccd", restored.message or "")
        cells["cccd"] = digits = restored.value
    ok = True
    for issue in cccd_rules.check(digits, year, sex):
        ctx.problem(issue.level, sheet, row, "cccd", issue.message)
        ok = ok and issue.level != ERROR
    return ok
