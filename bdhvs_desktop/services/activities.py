"""Recording what the ward does: activities, models through their lifecycle (with replications),
individuals' solutions, "Đại sứ số" mentorships, reported figures, task progress and phase dates.

Every change is validated first (all problems reported together, in Vietnamese, naming the
field) and written whole in one transaction with its audit entries; a save over a record a
colleague changed meanwhile is refused (StaleRecord) instead of overwriting their work.
Functions take and return plain values and dataclasses, never live ORM objects."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import rules
from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.vocab import (
    ACTIVITY_KIND_LABELS,
    MODEL_STATUS_LABELS,
    MODEL_STATUS_ORDER,
    SKILL_LABELS,
    TASK_STATUS_LABELS,
    ActivityKind,
    ModelStatus,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import PermissionDenied, require_role  # noqa: F401 - PermissionDenied re-exported for the screens
from bdhvs_desktop.services.errors import Conflict, Invalid, NotFound, values_of
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

MAX_TEXT = 4000
MAX_PARTICIPANTS = rules.MAX_PARTICIPANTS  # one limit for the form and the import


#: Input that cannot be saved; `problems` lists (field, Vietnamese message) Problems.
ValidationError = Invalid


class StaleRecord(Conflict, RuntimeError):
    """The record was changed or deleted by someone else since it was read (a Conflict with
    mine/theirs; still a RuntimeError for older callers)."""


def _may_edit(db: Database, action: str) -> None:
    """Changing the campaign's records is the secretary's work (roles matter on a shared database);
    PermissionDenied (re-exported here for the screens) otherwise."""
    require_role(db, "secretary", action=action)


class _Check:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, field_name: str, message: str) -> None:
        self.problems.append((field_name, message))

    def done(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    return text or None


def _load(s: Session, model, record_id: int, version: int | None, what: str, mine: Any = None):
    """The record read at `version`; a StaleRecord carrying `mine` (the input the user typed, a
    dataclass or dict; for a delete, the version read) and what is stored now when it moved on."""
    obj = s.get(model, record_id)
    if obj is None:
        raise NotFound(f"Không tìm thấy {what} (mã số {record_id}); có thể đã bị xóa.")
    if version is not None and getattr(obj, "version", version) != version:
        typed = asdict(mine) if is_dataclass(mine) else dict(mine or {"version": version})
        raise StaleRecord(f"{what[0].upper()}{what[1:]} này vừa được người khác sửa. "
                          "Hãy tải lại rồi nhập lại thay đổi của bạn.", entity=model.__tablename__,
                          entity_id=record_id, mine=typed, theirs=values_of(obj, typed), current_version=obj.version)
    return obj


def _campaign_range(s: Session) -> tuple[dt.date, dt.date] | None:
    row = s.execute(select(m.Campaign.start_date, m.Campaign.end_date).order_by(m.Campaign.id).limit(1)).first()
    return (row[0], row[1]) if row else None


def _unit(s: Session, unit_id: int | None, check: _Check, field_name: str = "unit_id",
          label: str = "Đơn vị") -> m.Unit | None:
    if unit_id is None:
        return None
    unit = s.get(m.Unit, unit_id)
    if unit is None:
        check.fail(field_name, f"{label}: không có đơn vị mã số {unit_id}.")
    elif not unit.active:
        check.fail(field_name, f"{label}: đơn vị “{unit.name}” đã ngừng hoạt động.")
    return unit


def _fields(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def _audit_create(s: Session, db: Database, entity: str, obj: Any, names: Iterable[str], note: str) -> None:
    audit.record(s, user=db.user, action="create", entity=entity, entity_id=obj.id,
                 new={k: v for k, v in _fields(obj, names).items() if v not in (None, "")}, note=note)


def _audit_update(s: Session, db: Database, entity: str, obj: Any, before: dict[str, Any]) -> bool:
    changes = {k: (v, getattr(obj, k)) for k, v in before.items() if v != getattr(obj, k)}
    audit.record_changes(s, user=db.user, entity=entity, entity_id=obj.id, changes=changes)
    return bool(changes)


def _audit_delete(s: Session, db: Database, entity: str, obj: Any, names: Iterable[str], note: str) -> None:
    audit.record(s, user=db.user, action="delete", entity=entity, entity_id=obj.id,
                 old={k: v for k, v in _fields(obj, names).items() if v not in (None, "")}, note=note)


# --------------------------------------------------------------------------- activities

ACTIVITY_FIELDS = ("date", "kind", "unit_id", "content", "skills", "participants", "host_person_id")


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
    _may_edit(db, "ghi hoạt động")
    with db.session() as s:
        values = _check_activity(s, data)
        obj = m.Activity(**values)
        s.add(obj)
        s.flush()
        _audit_create(s, db, "activity", obj, ACTIVITY_FIELDS, "Thêm hoạt động")
        return obj.id


def update_activity(db: Database, activity_id: int, data: ActivityInput, version: int | None = None) -> None:
    _may_edit(db, "sửa hoạt động")
    with db.session() as s:
        obj = _load(s, m.Activity, activity_id, version, "hoạt động", data)
        values = _check_activity(s, data)
        before = _fields(obj, ACTIVITY_FIELDS)
        for k, v in values.items():
            setattr(obj, k, v)
        _audit_update(s, db, "activity", obj, before)


def delete_activity(db: Database, activity_id: int, version: int | None = None) -> None:
    _may_edit(db, "xóa hoạt động")
    with db.session() as s:
        obj = _load(s, m.Activity, activity_id, version, "hoạt động")
        _audit_delete(s, db, "activity", obj, ACTIVITY_FIELDS, "Xóa hoạt động")
        s.delete(obj)


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


# --------------------------------------------------------------------------- models

MODEL_FIELDS = ("code", "name", "owner_unit_id", "model_type", "status", "registered_on", "implementing_on",
                "evaluated_on", "excellent_on", "rating", "evaluation_quarter", "evaluation", "description")
_STAGE_DATE = {"registered": "registered_on", "implementing": "implementing_on", "evaluated": "evaluated_on",
               "excellent": "excellent_on"}
_QUARTER = re.compile(r"^Q([1-4])/(\d{4})$")


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
class ReplicationRow:
    id: int
    unit_id: int
    unit_name: str
    replicated_on: dt.date | None


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
        check.fail("status", "Trạng thái “Đã nhân rộng”: thêm ít nhất một đơn vị nhân rộng trước.")
    check.done()
    return dict(code=code, name=name, owner_unit_id=data.owner_unit_id, status=data.status,
                model_type=_text(data.model_type), rating=_text(data.rating), evaluation_quarter=quarter,
                evaluation=_text(data.evaluation), description=_text(data.description), **dates)


def add_model(db: Database, data: ModelInput) -> int:
    _may_edit(db, "ghi mô hình")
    with db.session() as s:
        values = _check_model(s, data, None, 0)
        obj = m.DigitalModel(**values)
        s.add(obj)
        s.flush()
        _audit_create(s, db, "digital_model", obj, MODEL_FIELDS, f"Thêm mô hình {obj.code}")
        return obj.id


def update_model(db: Database, model_id: int, data: ModelInput, version: int | None = None) -> None:
    _may_edit(db, "sửa mô hình")
    with db.session() as s:
        obj = _load(s, m.DigitalModel, model_id, version, "mô hình", data)
        n_rep = s.scalar(select(func.count()).where(m.ModelReplication.model_id == model_id)) or 0
        values = _check_model(s, data, model_id, n_rep)
        before = _fields(obj, MODEL_FIELDS)
        for k, v in values.items():
            setattr(obj, k, v)
        _audit_update(s, db, "digital_model", obj, before)


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
        n_rep = s.scalar(select(func.count()).where(m.ModelReplication.model_id == model_id)) or 0
        values = _check_model(s, ModelInput(**data), model_id, n_rep)
        before = _fields(obj, MODEL_FIELDS)
        for k, v in values.items():
            setattr(obj, k, v)
        _audit_update(s, db, "digital_model", obj, before)


def delete_model(db: Database, model_id: int, version: int | None = None) -> None:
    _may_edit(db, "xóa mô hình")
    with db.session() as s:
        obj = _load(s, m.DigitalModel, model_id, version, "mô hình")
        _audit_delete(s, db, "digital_model", obj, MODEL_FIELDS, f"Xóa mô hình {obj.code}")
        s.delete(obj)


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
        left = s.scalar(select(func.count()).where(m.ModelReplication.model_id == model.id)) or 0
        if left == 0 and model.status == ModelStatus.REPLICATED:
            back = ModelStatus.EXCELLENT.value if model.excellent_on else ModelStatus.EVALUATED.value
            audit.record_changes(s, user=db.user, entity="digital_model", entity_id=model.id,
                                 changes={"status": (model.status, back)})
            model.status = back


def list_models(db: Database) -> list[ModelRow]:
    with db.read() as s:
        units = dict(s.execute(select(m.Unit.id, m.Unit.name)).all())
        reps: dict[int, list[ReplicationRow]] = {}
        for r in s.execute(select(m.ModelReplication.id, m.ModelReplication.model_id, m.ModelReplication.unit_id,
                                  m.ModelReplication.replicated_on).order_by(m.ModelReplication.replicated_on)):
            reps.setdefault(r[1], []).append(ReplicationRow(r[0], r[2], units.get(r[2], ""), r[3]))
        mentors = dict(s.execute(select(m.Mentorship.model_id, func.count()).where(m.Mentorship.model_id.is_not(None))
                                 .group_by(m.Mentorship.model_id)).all())
        rows = s.scalars(select(m.DigitalModel).order_by(m.DigitalModel.code)).all()
        return [ModelRow(x.id, x.code, x.name, x.owner_unit_id, units.get(x.owner_unit_id, ""), x.model_type or "",
                         x.status, MODEL_STATUS_LABELS.get(ModelStatus(x.status), x.status), x.registered_on,
                         x.implementing_on, x.evaluated_on, x.excellent_on, x.rating or "", x.evaluation_quarter or "",
                         x.evaluation or "", x.description or "", tuple(reps.get(x.id, ())), mentors.get(x.id, 0),
                         x.version) for x in rows]


# --------------------------------------------------------------------------- solutions

SOLUTION_FIELDS = ("person_id", "title", "description", "applied", "applied_on", "effect")


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
    _may_edit(db, "ghi giải pháp")
    with db.session() as s:
        obj = m.Solution(**_check_solution(s, data))
        s.add(obj)
        s.flush()
        _audit_create(s, db, "solution", obj, SOLUTION_FIELDS, "Thêm giải pháp")
        return obj.id


def update_solution(db: Database, solution_id: int, data: SolutionInput, version: int | None = None) -> None:
    _may_edit(db, "sửa giải pháp")
    with db.session() as s:
        obj = _load(s, m.Solution, solution_id, version, "giải pháp", data)
        values = _check_solution(s, data)
        before = _fields(obj, SOLUTION_FIELDS)
        for k, v in values.items():
            setattr(obj, k, v)
        _audit_update(s, db, "solution", obj, before)


def delete_solution(db: Database, solution_id: int, version: int | None = None) -> None:
    _may_edit(db, "xóa giải pháp")
    with db.session() as s:
        obj = _load(s, m.Solution, solution_id, version, "giải pháp")
        _audit_delete(s, db, "solution", obj, SOLUTION_FIELDS, "Xóa giải pháp")
        s.delete(obj)


def list_solutions(db: Database) -> list[SolutionRow]:
    with db.read() as s:
        rows = s.execute(select(m.Solution, m.Person.full_name, m.Unit.name)
                         .join(m.Person, m.Person.id == m.Solution.person_id)
                         .outerjoin(m.Unit, m.Unit.id == m.Person.unit_id)
                         .order_by(m.Person.full_name, m.Solution.id)).all()
        return [SolutionRow(x.id, x.person_id, name, unit or "", x.title, x.description or "", bool(x.applied),
                            x.applied_on, x.effect or "", x.version) for x, name, unit in rows]


# --------------------------------------------------------------------------- mentorships ("Đại sứ số")


def add_mentorship(db: Database, mentor_id: int, mentee_name: str, *, mentee_person_id: int | None = None,
                   model_id: int | None = None, started_on: dt.date | None = None, note: str | None = None) -> int:
    _may_edit(db, "ghi người được Đại sứ số hướng dẫn")
    with db.session() as s:
        check = _Check()
        if s.get(m.Person, mentor_id) is None:
            check.fail("mentor_id", f"Đại sứ số: không có người mã số {mentor_id}.")
        name = _text(mentee_name)
        if not name:
            check.fail("mentee_name", "Người được hướng dẫn: chưa nhập tên.")
        if mentee_person_id is not None and mentee_person_id == mentor_id:
            check.fail("mentee_person_id", "Người được hướng dẫn không thể là chính đại sứ số.")
        if model_id is not None and s.get(m.DigitalModel, model_id) is None:
            check.fail("model_id", f"Mô hình: không có mô hình mã số {model_id}.")
        check.done()
        obj = m.Mentorship(mentor_id=mentor_id, mentee_name=name, mentee_person_id=mentee_person_id,
                           model_id=model_id, started_on=started_on, note=_text(note))
        s.add(obj)
        s.flush()
        audit.record(s, user=db.user, action="create", entity="mentorship", entity_id=obj.id,
                     new={"mentor_id": mentor_id, "mentee_name": name, "started_on": started_on})
        return obj.id


def delete_mentorship(db: Database, mentorship_id: int) -> None:
    _may_edit(db, "xóa người được Đại sứ số hướng dẫn")
    with db.session() as s:
        obj = _load(s, m.Mentorship, mentorship_id, None, "người được hướng dẫn")
        audit.record(s, user=db.user, action="delete", entity="mentorship", entity_id=obj.id,
                     old={"mentor_id": obj.mentor_id, "mentee_name": obj.mentee_name})
        s.delete(obj)


@dataclass(frozen=True)
class MentorshipRow:
    id: int
    mentor_id: int
    mentor_name: str
    mentor_unit: str
    mentee_name: str
    mentee_person_id: int | None
    model_id: int | None
    model_code: str
    started_on: dt.date | None
    note: str


@dataclass(frozen=True)
class MentorSummary:
    mentor_id: int
    mentor_name: str
    mentor_unit: str
    mentees: int
    first_started: dt.date | None


def list_mentorships(db: Database) -> list[MentorshipRow]:
    mentor = m.Person.__table__.alias("mentor")
    q = (select(m.Mentorship.id, m.Mentorship.mentor_id, mentor.c.full_name, m.Unit.name, m.Mentorship.mentee_name,
                m.Mentorship.mentee_person_id, m.Mentorship.model_id, m.DigitalModel.code, m.Mentorship.started_on,
                m.Mentorship.note)
         .join(mentor, mentor.c.id == m.Mentorship.mentor_id)
         .outerjoin(m.Unit, m.Unit.id == mentor.c.unit_id)
         .outerjoin(m.DigitalModel, m.DigitalModel.id == m.Mentorship.model_id)
         .order_by(mentor.c.full_name, m.Mentorship.id))
    with db.read() as s:
        return [MentorshipRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7] or "", r[8], r[9] or "")
                for r in s.execute(q).all()]


def mentor_summaries(db: Database) -> list[MentorSummary]:
    """One row per "Đại sứ số" mentor: how many people they guide."""
    out: dict[int, list[MentorshipRow]] = {}
    for row in list_mentorships(db):
        out.setdefault(row.mentor_id, []).append(row)
    result = []
    for rows in out.values():
        starts = [r.started_on for r in rows if r.started_on]
        result.append(MentorSummary(rows[0].mentor_id, rows[0].mentor_name, rows[0].mentor_unit, len(rows),
                                    min(starts) if starts else None))
    return result


# --------------------------------------------------------------------------- reported figures

FIGURE_FIELDS = ("target_id", "unit_id", "as_of", "numerator", "denominator", "note")


@dataclass(frozen=True)
class FigureInput:
    target_id: int
    unit_id: int | None
    as_of: dt.date | None
    numerator: float | None
    denominator: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class FigureRow:
    id: int
    target_id: int
    target_code: str
    unit_id: int
    unit_code: str
    unit_name: str
    as_of: dt.date
    numerator: float
    denominator: float | None
    note: str
    entered_by: str
    version: int


@dataclass(frozen=True)
class ReportedTarget:
    id: int
    code: str
    name: str
    value_kind: str
    target: float
    deadline: dt.date | None
    population: str


def reported_targets(db: Database) -> list[ReportedTarget]:
    with db.read() as s:
        rows = s.scalars(select(m.Target).where(m.Target.measure == "reported").order_by(m.Target.sort_order)).all()
        return [ReportedTarget(t.id, t.code, t.name, t.value_kind, t.target_value, t.deadline,
                               str((t.params or {}).get("population") or "")) for t in rows]


def _number(value: Any, label: str, check: _Check, field_name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        check.fail(field_name, f"{label}: “{value}” không phải là số.")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        check.fail(field_name, f"{label}: không phải là số.")
        return None
    return number


def _check_figure(s: Session, data: FigureInput, figure_id: int | None) -> dict[str, Any]:
    check = _Check()
    target = s.get(m.Target, data.target_id)
    if target is None:
        check.fail("target_id", f"Chỉ tiêu: không có chỉ tiêu mã số {data.target_id}.")
        check.done()
    if target.measure != "reported":
        check.fail("target_id", f"Chỉ tiêu “{target.code}” được tính tự động từ dữ liệu, không nhập số liệu báo cáo.")
    if data.unit_id is None:
        check.fail("unit_id", "Đơn vị báo cáo: chưa chọn.")
    else:
        _unit(s, data.unit_id, check, "unit_id", "Đơn vị báo cáo")
    if data.as_of is None:
        check.fail("as_of", "Ngày số liệu: chưa nhập.")
    num = _number(data.numerator, "Tử số", check, "numerator")
    den = _number(data.denominator, "Mẫu số", check, "denominator")
    if data.numerator is None or data.numerator == "":
        check.fail("numerator", "Tử số: chưa nhập.")
    if num is not None and num < 0:
        check.fail("numerator", "Tử số không được âm.")
    if target.value_kind in ("percent", "ratio"):
        if den is None:
            check.fail("denominator", f"Mẫu số: chỉ tiêu tính theo tỷ lệ phải có mẫu số "
                                      f"({(target.params or {}).get('population') or 'tổng số đối tượng'}).")
        elif den <= 0:
            check.fail("denominator", "Mẫu số phải lớn hơn 0.")
        elif num is not None and target.value_kind == "percent" and num > den:
            check.fail("numerator", f"Tử số ({_n(num)}) lớn hơn mẫu số ({_n(den)}).")
    elif den is not None and den < 0:
        check.fail("denominator", "Mẫu số không được âm.")
    if data.unit_id is not None and data.as_of is not None:
        other = s.scalar(select(m.ReportedFigure.id).where(m.ReportedFigure.target_id == data.target_id,
                                                            m.ReportedFigure.unit_id == data.unit_id,
                                                            m.ReportedFigure.as_of == data.as_of))
        if other is not None and other != figure_id:
            check.fail("as_of", f"Đơn vị này đã có số liệu ngày {vn_date(data.as_of)} cho chỉ tiêu “{target.code}”; "
                                "sửa số liệu đó thay vì nhập thêm.")
    check.done()
    return dict(target_id=data.target_id, unit_id=data.unit_id, as_of=data.as_of, numerator=num, denominator=den,
                note=_text(data.note))


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


def add_figure(db: Database, data: FigureInput) -> int:
    _may_edit(db, "nhập số liệu báo cáo")
    with db.session() as s:
        obj = m.ReportedFigure(**_check_figure(s, data, None), entered_by=db.user)
        s.add(obj)
        s.flush()
        _audit_create(s, db, "reported_figure", obj, FIGURE_FIELDS, "Nhập số liệu báo cáo")
        return obj.id


def update_figure(db: Database, figure_id: int, data: FigureInput, version: int | None = None) -> None:
    _may_edit(db, "sửa số liệu báo cáo")
    with db.session() as s:
        obj = _load(s, m.ReportedFigure, figure_id, version, "số liệu", data)
        values = _check_figure(s, data, figure_id)
        before = _fields(obj, FIGURE_FIELDS)
        for k, v in values.items():
            setattr(obj, k, v)
        _audit_update(s, db, "reported_figure", obj, before)


def delete_figure(db: Database, figure_id: int, version: int | None = None) -> None:
    _may_edit(db, "xóa số liệu báo cáo")
    with db.session() as s:
        obj = _load(s, m.ReportedFigure, figure_id, version, "số liệu")
        _audit_delete(s, db, "reported_figure", obj, FIGURE_FIELDS, "Xóa số liệu báo cáo")
        s.delete(obj)


def list_figures(db: Database, target_id: int | None = None) -> list[FigureRow]:
    q = (select(m.ReportedFigure, m.Target.code, m.Unit.code, m.Unit.name)
         .join(m.Target, m.Target.id == m.ReportedFigure.target_id)
         .join(m.Unit, m.Unit.id == m.ReportedFigure.unit_id)
         .order_by(m.Target.sort_order, m.Unit.code, m.ReportedFigure.as_of.desc()))
    if target_id is not None:
        q = q.where(m.ReportedFigure.target_id == target_id)
    with db.read() as s:
        return [FigureRow(f.id, f.target_id, tcode, f.unit_id, ucode, uname, f.as_of, f.numerator, f.denominator,
                          f.note or "", f.entered_by or "", f.version) for f, tcode, ucode, uname in s.execute(q)]


# --------------------------------------------------------------------------- tasks and phases


def update_task(db: Database, task_id: int, status: str, *, done_date: dt.date | None = None,
                evidence: str | None = None, due_date: dt.date | None = None, version: int | None = None) -> None:
    """Record a task's progress. "done" needs the day it was done and its evidence."""
    _may_edit(db, "cập nhật tiến độ nhiệm vụ")
    with db.session() as s:
        task = _load(s, m.Task, task_id, version, "nhiệm vụ", {"status": status, "done_date": done_date,
                                                                 "evidence": evidence, "due_date": due_date})
        check = _Check()
        allowed = ("not_started", "in_progress", "done")
        if status not in allowed:
            check.fail("status", f"Trạng thái “{status}” không dùng được; chọn: "
                                 + ", ".join(TASK_STATUS_LABELS[k] for k in allowed) + " (“Trễ hạn” được tính tự động).")
        ev = _text(evidence)
        if status == "done":
            if done_date is None:
                check.fail("done_date", "Ngày hoàn thành: chưa nhập.")
            if not ev:
                check.fail("evidence", "Minh chứng: nhiệm vụ đã hoàn thành phải ghi minh chứng (số văn bản, báo cáo...).")
        else:
            done_date = None
        check.done()
        before = _fields(task, ("status", "done_date", "evidence", "due_date"))
        task.status = status
        task.done_date = done_date
        task.evidence = ev
        if due_date is not None:
            task.due_date = due_date
        _audit_update(s, db, "task", task, before)


def update_phase(db: Database, number: int, start: dt.date, end: dt.date | None, version: int | None = None) -> None:
    """Edit a phase's dates (open-ended phases such as "from Q2/2026" are given an end that stays editable)."""
    _may_edit(db, "sửa ngày giai đoạn")
    with db.session() as s:
        phase = s.scalar(select(m.Phase).where(m.Phase.number == number))
        if phase is None:
            raise NotFound(f"Không có giai đoạn {number}.")
        if version is not None and phase.version != version:
            mine = {"start_date": start, "end_date": end}
            raise StaleRecord("Giai đoạn này vừa được người khác sửa. Hãy tải lại.", entity="phase", entity_id=phase.id,
                              mine=mine, theirs=values_of(phase, mine), current_version=phase.version)
        check = _Check()
        if end is not None and end < start:
            check.fail("end_date", f"Ngày kết thúc ({vn_date(end)}) trước ngày bắt đầu ({vn_date(start)}).")
        others = s.scalars(select(m.Phase).where(m.Phase.campaign_id == phase.campaign_id,
                                                 m.Phase.number != number)).all()
        for other in others:
            if other.number < number and start <= other.start_date:
                check.fail("start_date", f"Giai đoạn {number} phải bắt đầu sau ngày bắt đầu giai đoạn {other.number} "
                                         f"({vn_date(other.start_date)}).")
            elif other.number < number and other.end_date is not None and start <= other.end_date:
                check.fail("start_date", f"Giai đoạn {number} bắt đầu ({vn_date(start)}) khi giai đoạn {other.number} "
                                         f"chưa kết thúc ({vn_date(other.end_date)}); sửa ngày kết thúc giai đoạn "
                                         f"{other.number} trước.")
            if other.number > number and end is not None and end >= other.start_date:
                check.fail("end_date", f"Giai đoạn {number} kết thúc sau khi giai đoạn {other.number} bắt đầu "
                                       f"({vn_date(other.start_date)}).")
        check.done()
        before = _fields(phase, ("start_date", "end_date"))
        phase.start_date, phase.end_date = start, end
        _audit_update(s, db, "phase", phase, before)


@dataclass(frozen=True)
class UnitChoice:
    id: int
    code: str
    name: str
    kind: str
    is_party_org: bool


def unit_choices(db: Database) -> list[UnitChoice]:
    with db.read() as s:
        return [UnitChoice(*r) for r in s.execute(
            select(m.Unit.id, m.Unit.code, m.Unit.name, m.Unit.kind, m.Unit.is_party_org)
            .where(m.Unit.active.is_not(False)).order_by(m.Unit.code)).all()]


@dataclass(frozen=True)
class PersonChoice:
    id: int
    full_name: str
    unit_name: str


def person_choices(db: Database, text: str = "", limit: int = 200) -> list[PersonChoice]:
    from bdhvs_desktop.domain.text import fold

    q = (select(m.Person.id, m.Person.full_name, m.Unit.name).outerjoin(m.Unit, m.Unit.id == m.Person.unit_id)
         .order_by(m.Person.full_name).limit(limit))
    if text.strip():
        q = q.where(m.Person.search_key.contains(fold(text)))
    with db.read() as s:
        return [PersonChoice(i, n, u or "") for i, n, u in s.execute(q).all()]


