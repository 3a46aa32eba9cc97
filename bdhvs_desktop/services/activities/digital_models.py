"""Digital models (“mô hình số”) through their lifecycle: registration, implementation,
evaluation, recognition as excellent; the replications to other units are in replications."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.vocab import (
    MODEL_STATUS_LABELS,
    MODEL_STATUS_ORDER,
    ModelStatus,
)
from bdhvs_desktop.services.activities.common import (
    RecordKind,
    ValidationError,
    _Check,
    _load,
    _may_edit,
    _set_fields,
    _text,
    _unit,
)
from bdhvs_desktop.services.activities.replications import ReplicationRow, replication_count, replications_by_model
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

MODEL_FIELDS = ("code", "name", "owner_unit_id", "model_type", "status", "registered_on", "implementing_on",
                "evaluated_on", "excellent_on", "rating", "evaluation_quarter", "evaluation", "description")
_STAGE_DATE = {"registered": "registered_on", "implementing": "implementing_on", "evaluated": "evaluated_on",
               "excellent": "excellent_on"}
_MODEL = RecordKind(m.DigitalModel, "digital_model", "mô hình", MODEL_FIELDS)


@dataclass(frozen=True)
class ModelInput:
    code: str
    name: str
    owner_unit_id: int | None
    status: str = "registered"
    model_type: str | None = None
    registered_on: dt.date | None = None
    implementing_on: dt.date | None = None
    evaluated_on: dt.date | None = None
    excellent_on: dt.date | None = None
    rating: str | None = None
    evaluation_quarter: str | None = None  # "Q2/2026" (also accepts "2/2026", "quý II/2026")
    evaluation: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ModelRow:
    id: int
    code: str
    name: str
    owner_unit_id: int | None
    owner_name: str
    model_type: str
    status: str
    status_label: str
    registered_on: dt.date | None
    implementing_on: dt.date | None
    evaluated_on: dt.date | None
    excellent_on: dt.date | None
    rating: str
    evaluation_quarter: str
    evaluation: str
    description: str
    replications: tuple[ReplicationRow, ...]
    mentorships: int
    version: int


def normalise_quarter(text: str | None) -> str | None:
    """"Q2/2026", "q2/2026", "2/2026", "quý II/2026" -> "Q2/2026"; ValueError otherwise."""
    value = _text(text)
    if value is None:
        return None
    v = value.upper().replace("QUÝ", "Q").replace(" ", "")
    roman = {"IV": "4", "III": "3", "II": "2", "I": "1"}
    mt = re.match(r"^Q?(IV|III|II|I|[1-4])/(\d{4})$", v)
    if not mt:
        raise ValueError(f"quý “{value}” không đúng dạng Q2/2026")
    q = roman.get(mt.group(1), mt.group(1))
    return f"Q{q}/{mt.group(2)}"


def _check_model(s: Session, data: ModelInput, model_id: int | None, replications: int) -> dict[str, Any]:
    check = _Check()
    code = _text(data.code)
    name = _text(data.name)
    if not code:
        check.fail("code", "Mã mô hình: chưa nhập.")
    elif len(code) > 64:
        check.fail("code", "Mã mô hình quá dài (tối đa 64 ký tự).")
    else:
        other = s.scalar(select(m.DigitalModel.id).where(func.upper(m.DigitalModel.code) == code.upper()))
        if other is not None and other != model_id:
            check.fail("code", f"Mã mô hình “{code}” đã có; chọn mã khác.")
    if not name:
        check.fail("name", "Tên mô hình: chưa nhập.")
    elif len(name) > 300:
        check.fail("name", "Tên mô hình quá dài (tối đa 300 ký tự).")
    if data.owner_unit_id is None:
        check.fail("owner_unit_id", "Đơn vị xây dựng mô hình: chưa chọn.")
    else:
        _unit(s, data.owner_unit_id, check, "owner_unit_id", "Đơn vị xây dựng mô hình")
    statuses = [x.value for x in ModelStatus]
    if data.status not in statuses:
        check.fail("status", f"Trạng thái “{data.status}” không có.")
        check.done()
    rank = MODEL_STATUS_ORDER.index(ModelStatus(data.status))
    dates = {k: getattr(data, k) for k in _STAGE_DATE.values()}
    if dates["registered_on"] is None:
        check.fail("registered_on", "Ngày đăng ký: chưa nhập.")
    labels = {"registered_on": "đăng ký", "implementing_on": "bắt đầu triển khai", "evaluated_on": "đánh giá",
              "excellent_on": "công nhận xuất sắc"}
    stage_keys = list(_STAGE_DATE.values())
    for i, key in enumerate(stage_keys):
        if dates[key] is not None and i > rank:
            check.fail(key, f"Ngày {labels[key]}: mô hình chưa tới bước này (trạng thái "
                            f"“{MODEL_STATUS_LABELS[ModelStatus(data.status)]}”); xóa ngày hoặc chuyển trạng thái.")
    previous = None
    for key in stage_keys:
        if dates[key] is None:
            continue
        if previous is not None and dates[key] < dates[previous]:
            check.fail(key, f"Ngày {labels[key]} ({vn_date(dates[key])}) không được trước ngày {labels[previous]} "
                            f"({vn_date(dates[previous])}).")
        previous = key
    quarter = None
    try:
        quarter = normalise_quarter(data.evaluation_quarter)
    except ValueError as exc:
        check.fail("evaluation_quarter", f"Quý đánh giá: {exc}.")
    if rank >= MODEL_STATUS_ORDER.index(ModelStatus.EVALUATED):
        if not _text(data.rating):
            check.fail("rating", "Xếp loại: mô hình đã đánh giá phải có xếp loại (ví dụ Tốt, Xuất sắc).")
        if quarter is None and "evaluation_quarter" not in {f for f, _ in check.problems}:
            check.fail("evaluation_quarter", "Quý đánh giá: mô hình đã đánh giá phải ghi quý (ví dụ Q2/2026).")
        if dates["evaluated_on"] is None:
            check.fail("evaluated_on", "Ngày đánh giá: chưa nhập.")
    if rank >= MODEL_STATUS_ORDER.index(ModelStatus.EXCELLENT) and dates["excellent_on"] is None:
        check.fail("excellent_on", "Ngày công nhận xuất sắc: chưa nhập.")
    if data.status == ModelStatus.REPLICATED and replications == 0:
        check.fail("status", f"Trạng thái “{MODEL_STATUS_LABELS[ModelStatus.REPLICATED]}”: thêm ít nhất một đơn vị "
                             "nhân rộng trước.")
    check.done()
    return dict(code=code, name=name, owner_unit_id=data.owner_unit_id, status=data.status,
                model_type=_text(data.model_type), rating=_text(data.rating), evaluation_quarter=quarter,
                evaluation=_text(data.evaluation), description=_text(data.description), **dates)


def add_model(db: Database, data: ModelInput) -> int:
    return _MODEL.add(db, lambda s: _check_model(s, data, None, 0), action="ghi mô hình",
                      note=lambda obj: f"Thêm mô hình {obj.code}")


def update_model(db: Database, model_id: int, data: ModelInput, version: int | None = None) -> None:
    _MODEL.update(db, model_id, version, data, lambda s: _check_model(s, data, model_id, replication_count(s, model_id)),
                  action="sửa mô hình")


def advance_model(db: Database, model_id: int, status: str, on: dt.date, *, rating: str | None = None,
                  quarter: str | None = None, evaluation: str | None = None, version: int | None = None) -> None:
    """Move a model to a later lifecycle stage, dating that stage (and any skipped one) `on`."""
    _may_edit(db, "chuyển bước mô hình")
    with db.session() as s:
        obj = _load(s, m.DigitalModel, model_id, version, "mô hình", {"status": status, "rating": rating})
        current = MODEL_STATUS_ORDER.index(ModelStatus(obj.status))
        try:
            target = MODEL_STATUS_ORDER.index(ModelStatus(status))
        except ValueError:
            raise ValidationError([("status", f"Trạng thái “{status}” không có.")]) from None
        if target <= current:
            raise ValidationError([("status", f"Mô hình đã ở trạng thái “{MODEL_STATUS_LABELS[ModelStatus(obj.status)]}”;"
                                              " chỉ chuyển được sang bước sau (muốn sửa thì dùng Sửa).")])
        data = {k: getattr(obj, k) for k in ModelInput.__dataclass_fields__}
        data["status"] = status
        for stage in MODEL_STATUS_ORDER[current + 1: target + 1]:
            key = _STAGE_DATE.get(stage.value)
            if key and data[key] is None:
                data[key] = on
        if rating is not None:
            data["rating"] = rating
        if quarter is not None:
            data["evaluation_quarter"] = quarter
        if evaluation is not None:
            data["evaluation"] = evaluation
        values = _check_model(s, ModelInput(**data), model_id, replication_count(s, model_id))
        _set_fields(s, db, _MODEL.entity, obj, MODEL_FIELDS, values)


def delete_model(db: Database, model_id: int, version: int | None = None) -> None:
    _MODEL.delete(db, model_id, version, action="xóa mô hình", note=lambda obj: f"Xóa mô hình {obj.code}")


def list_models(db: Database) -> list[ModelRow]:
    with db.read() as s:
        units = dict(s.execute(select(m.Unit.id, m.Unit.name)).all())
        reps = replications_by_model(s, units)
        mentors = dict(s.execute(select(m.Mentorship.model_id, func.count()).where(m.Mentorship.model_id.is_not(None))
                                 .group_by(m.Mentorship.model_id)).all())
        rows = s.scalars(select(m.DigitalModel).order_by(m.DigitalModel.code)).all()
        return [ModelRow(x.id, x.code, x.name, x.owner_unit_id, units.get(x.owner_unit_id, ""), x.model_type or "",
                         x.status, MODEL_STATUS_LABELS.get(ModelStatus(x.status), x.status), x.registered_on,
                         x.implementing_on, x.evaluated_on, x.excellent_on, x.rating or "", x.evaluation_quarter or "",
                         x.evaluation or "", x.description or "", tuple(reps.get(x.id, ())), mentors.get(x.id, 0),
                         x.version) for x in rows]
