"""The planner of the sheet SoLieuChiTieu (reported figures): matched by target, unit and day.

plan(ctx, sheet) checks every row and returns the write step, run only when the whole file has no error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.known import changed_fields, queue_update
from bdhvs_desktop.storage import models as m


def plan(ctx: Importer, sheet: xio.SheetData) -> Callable[[Session], None]:
    counts = ctx.result.counts["SoLieuChiTieu"]
    campaign_id = ctx.session.scalar(select(m.Campaign.id).order_by(m.Campaign.id.desc()).limit(1))
    targets = {}
    if campaign_id is not None:
        targets = dict(ctx.session.execute(select(m.Target.code, m.Target.id)
                                             .where(m.Target.campaign_id == campaign_id)).all())
    existing = {}
    for f in ctx.session.execute(select(m.ReportedFigure.id, m.ReportedFigure.target_id, m.ReportedFigure.unit_id,
                                          m.ReportedFigure.as_of, m.ReportedFigure.numerator,
                                          m.ReportedFigure.denominator)):
        existing[(f.target_id, ctx.unit_code_by_id.get(f.unit_id), f.as_of)] = dict(f._mapping)
    seen: dict[tuple, int] = {}
    creates: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
    for row, cells in ctx.parsed_rows(sheet):
        target_id = targets.get(cells["target_code"])
        if target_id is None:
            known = ", ".join(sorted(targets)) or "chưa có chỉ tiêu nào; hãy tạo phong trào trước"
            ctx.error(sheet, row, "target_code", f"Mã chỉ tiêu \"{cells['target_code']}\" không có trong kế hoạch "
                                                  f"({known}).")
            continue
        unit_code = ctx.unit_ref(sheet, row, "unit_code", cells["unit_code"])
        if unit_code is None:
            continue
        num, den = cells["numerator"], cells.get("denominator")
        if den is not None and num > den:
            ctx.error(sheet, row, "numerator", f"Số \"Đạt\" ({vn_number(num)}) lớn hơn \"Tổng\" ({vn_number(den)}).")
            continue
        key = (target_id, unit_code, cells["as_of"])
        if key in seen:
            ctx.error(sheet, row, "as_of", f"Trùng số liệu với dòng {seen[key]} (cùng chỉ tiêu, đơn vị, ngày).")
            continue
        seen[key] = row
        old = existing.get(key)
        new = {"numerator": num}
        if "denominator" in cells:
            new["denominator"] = den
        if old is None:
            creates.append({"target_id": target_id, "unit_code": unit_code, "as_of": cells["as_of"], **new})
            counts.created += 1
            continue
        queue_update(updates, counts, old["id"], changed_fields(old, new))

    def write(s: Session) -> None:
        if creates:
            rows = [{"target_id": c["target_id"], "unit_id": ctx.unit_id(c["unit_code"]), "as_of": c["as_of"],
                     "numerator": c["numerator"], "denominator": c.get("denominator"),
                     "note": f"Nhập từ tệp {ctx.result.path.name}"} for c in creates]
            s.execute(insert(m.ReportedFigure.__table__), rows)
        if updates:
            ctx.bulk_update(s, m.ReportedFigure, "reported_figure", updates)
    ctx.record_plan("SoLieuChiTieu", creates, updates)
    return write
