"""The planner of the sheet MoHinh (digital models): matched by code, with their replications to other units.

plan(ctx, sheet) checks every row and returns the write step, run only when the whole file has no error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain.vocab import MODEL_STATUS_LABELS, ModelStatus
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.importer.core import Importer
from bdhvs_desktop.services.importer.known import changed_fields
from bdhvs_desktop.storage import models as m

# The date a model's stage is reached; the import layout carries only the registration date.
STAGE_DATES = {"implementing": "implementing_on", "evaluated": "evaluated_on", "excellent": "excellent_on"}


def plan(ctx: Importer, sheet: xio.SheetData) -> Callable[[Session], None]:
    counts = ctx.result.counts["MoHinh"]
    existing = {dm.code: dm for dm in ctx.session.scalars(select(m.DigitalModel))}
    replicated = {}
    for model_id, unit_id in ctx.session.execute(select(m.ModelReplication.model_id, m.ModelReplication.unit_id)):
        replicated.setdefault(model_id, set()).add(ctx.unit_code_by_id.get(unit_id))
    seen: dict[str, int] = {}
    plans: list[tuple[str, dict[str, Any], list[str]]] = []
    for row, cells in ctx.parsed_rows(sheet):
        code = cells["code"]
        if code in seen:
            ctx.error(sheet, row, "code", f"Mã mô hình \"{code}\" trùng với dòng {seen[code]}.")
            continue
        unit_code = ctx.unit_ref(sheet, row, "unit_code", cells["unit_code"])
        targets = []
        bad = False
        for t in cells.get("replicated_to") or []:
            if ctx.unit_ref(sheet, row, "replicated_to", t) is None:
                bad = True
            targets.append(t)
        if unit_code is None or bad:
            continue
        seen[code] = row
        values = {f: cells[f] for f in ("name", "registered_on", "status", "evaluation") if f in cells}
        values["unit_code"] = unit_code
        dm = existing.get(code)
        status = values.get("status")
        stage_date = STAGE_DATES.get(status or "")
        if status and (dm is None or dm.status != status) and stage_date and (
                dm is None or getattr(dm, stage_date) is None):
            ctx.warning(sheet, row, "status", f"Trạng thái \"{MODEL_STATUS_LABELS[ModelStatus(status)]}\" chưa có "
                                               "ngày tương ứng (tệp nhập không có cột ngày này); hãy ghi ngày ở "
                                               "trang Mô hình để việc chấm điểm tính đúng mốc thời gian.")
        if dm is None:
            counts.created += 1
            plans.append((code, values, targets))
            continue
        old = {"name": dm.name, "registered_on": dm.registered_on, "status": dm.status,
               "evaluation": dm.evaluation, "unit_code": ctx.unit_code_by_id.get(dm.owner_unit_id)}
        changes = changed_fields(old, values)
        missing = [t for t in targets if t not in replicated.get(dm.id, set())]
        if changes or missing:
            counts.updated += 1
            plans.append((code, changes, missing))
        else:
            counts.unchanged += 1

    def write(s: Session) -> None:
        user = ctx.user_of(s)
        for code, values, targets in plans:
            dm = existing.get(code)
            if dm is None:
                dm = m.DigitalModel(code=code, name=values["name"], owner_unit_id=ctx.unit_id(values["unit_code"]),
                                    status=values["status"], registered_on=values.get("registered_on"),
                                    evaluation=values.get("evaluation"))
                s.add(dm)
                s.flush()
                audit.record(s, user=user, action="import", entity="digital_model", entity_id=dm.id,
                             note=f"Tạo mô hình {code} từ tệp {ctx.result.path.name}")
            else:
                for f, (_old, new) in values.items():
                    if f == "unit_code":
                        dm.owner_unit_id = ctx.unit_id(new)
                    else:
                        setattr(dm, f, new)
                audit.record_changes(s, user=user, entity="digital_model", entity_id=dm.id, changes=values,
                                     action="import")
            for t in targets:
                s.add(m.ModelReplication(model_id=dm.id, unit_id=ctx.unit_id(t)))
                audit.record(s, user=user, action="import", entity="digital_model", entity_id=dm.id,
                             field="replicated_to", new=t)
            if values.get("status") == ModelStatus.REPLICATED and targets and dm.status != ModelStatus.REPLICATED:
                dm.status = ModelStatus.REPLICATED
        s.flush()
    ctx.record_plan("MoHinh", plans)
    return write
