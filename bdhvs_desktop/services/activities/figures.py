"""Reported figures of the plan's targets (numerator/denominator per unit and day), checked
against the target's kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.services.activities.common import RecordKind, _Check, _text, _unit
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

FIGURE_FIELDS = ("target_id", "unit_id", "as_of", "numerator", "denominator", "note")
_FIGURE = RecordKind(m.ReportedFigure, "reported_figure", "số liệu", FIGURE_FIELDS)


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
            check.fail("numerator", f"Tử số ({vn_number(num)}) lớn hơn mẫu số ({vn_number(den)}).")
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


def add_figure(db: Database, data: FigureInput) -> int:
    return _FIGURE.add(db, lambda s: {**_check_figure(s, data, None), "entered_by": db.user},
                       action="nhập số liệu báo cáo", note="Nhập số liệu báo cáo")


def update_figure(db: Database, figure_id: int, data: FigureInput, version: int | None = None) -> None:
    _FIGURE.update(db, figure_id, version, data, lambda s: _check_figure(s, data, figure_id),
                   action="sửa số liệu báo cáo")


def delete_figure(db: Database, figure_id: int, version: int | None = None) -> None:
    _FIGURE.delete(db, figure_id, version, action="xóa số liệu báo cáo", note="Xóa số liệu báo cáo")


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
