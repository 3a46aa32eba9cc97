"""A digital model replicated to other units (“nhân rộng”): recording one (the model becomes
"Đã nhân rộng"), removing one (the model steps back when none is left), and the replications
the model list shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.vocab import MODEL_STATUS_ORDER, ModelStatus
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.activities.common import NotFound, _Check, _load, _may_edit, _unit
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class ReplicationRow:
    id: int
    unit_id: int
    unit_name: str
    replicated_on: dt.date | None


def replication_count(s: Session, model_id: int) -> int:
    return s.scalar(select(func.count()).where(m.ModelReplication.model_id == model_id)) or 0


def replications_by_model(s: Session, unit_names: dict[int, str]) -> dict[int, list[ReplicationRow]]:
    """Every model's replications, earliest first."""
    reps: dict[int, list[ReplicationRow]] = {}
    for r in s.execute(select(m.ModelReplication.id, m.ModelReplication.model_id, m.ModelReplication.unit_id,
                              m.ModelReplication.replicated_on).order_by(m.ModelReplication.replicated_on)):
        reps.setdefault(r[1], []).append(ReplicationRow(r[0], r[2], unit_names.get(r[2], ""), r[3]))
    return reps


def add_replication(db: Database, model_id: int, unit_id: int, on: dt.date | None) -> int:
    """Record that a model was replicated to another unit; the model becomes "Đã nhân rộng"."""
    _may_edit(db, "ghi nhân rộng mô hình")
    with db.session() as s:
        model = _load(s, m.DigitalModel, model_id, None, "mô hình")
        check = _Check()
        unit = _unit(s, unit_id, check, "unit_id", "Đơn vị nhân rộng")
        if unit is not None and unit.id == model.owner_unit_id:
            check.fail("unit_id", f"Đơn vị nhân rộng: “{unit.name}” là đơn vị xây dựng mô hình.")
        if s.scalar(select(m.ModelReplication.id).where(m.ModelReplication.model_id == model_id,
                                                         m.ModelReplication.unit_id == unit_id)) is not None:
            check.fail("unit_id", f"Mô hình đã được nhân rộng tới “{unit.name if unit else unit_id}”.")
        if on is None:
            check.fail("replicated_on", "Ngày nhân rộng: chưa nhập.")
        elif model.registered_on and on < model.registered_on:
            check.fail("replicated_on", f"Ngày nhân rộng ({vn_date(on)}) trước ngày đăng ký mô hình "
                                        f"({vn_date(model.registered_on)}).")
        if MODEL_STATUS_ORDER.index(ModelStatus(model.status)) < MODEL_STATUS_ORDER.index(ModelStatus.EVALUATED):
            check.fail("status", "Chỉ nhân rộng được mô hình đã đánh giá hiệu quả.")
        check.done()
        rep = m.ModelReplication(model_id=model_id, unit_id=unit_id, replicated_on=on)
        s.add(rep)
        s.flush()
        audit.record(s, user=db.user, action="create", entity="model_replication", entity_id=rep.id,
                     new={"model": model.code, "unit": unit.code, "replicated_on": on},
                     note=f"Nhân rộng mô hình {model.code} tới {unit.name}")
        if model.status != ModelStatus.REPLICATED:
            audit.record_changes(s, user=db.user, entity="digital_model", entity_id=model.id,
                                 changes={"status": (model.status, ModelStatus.REPLICATED.value)})
            model.status = ModelStatus.REPLICATED.value
        return rep.id


def delete_replication(db: Database, replication_id: int) -> None:
    _may_edit(db, "xóa lần nhân rộng mô hình")
    with db.session() as s:
        rep = s.get(m.ModelReplication, replication_id)
        if rep is None:
            raise NotFound(f"Không tìm thấy lần nhân rộng mã số {replication_id}.")
        model = s.get(m.DigitalModel, rep.model_id)
        audit.record(s, user=db.user, action="delete", entity="model_replication", entity_id=rep.id,
                     old={"model": model.code, "unit_id": rep.unit_id, "replicated_on": rep.replicated_on})
        s.delete(rep)
        s.flush()
        left = replication_count(s, model.id)
        if left == 0 and model.status == ModelStatus.REPLICATED:
            back = ModelStatus.EXCELLENT.value if model.excellent_on else ModelStatus.EVALUATED.value
            audit.record_changes(s, user=db.user, entity="digital_model", entity_id=model.id,
                                 changes={"status": (model.status, back)})
            model.status = back
