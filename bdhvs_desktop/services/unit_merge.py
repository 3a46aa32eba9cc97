"""Merging one unit into another (units merged by a reorganisation): everything that belonged to it
moves to the unit it joins, in one audited transaction, and it stays on record as inactive."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.people import ValidationError
from bdhvs_desktop.services.units import unit_ancestors
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class MergeResult:
    people: int
    activities: int
    models: int
    replications: int
    children: int
    figures: int
    other: int  # tasks, council members, candidates

    def text(self) -> str:
        return (f"Đã chuyển {self.people} người, {self.activities} hoạt động, {self.models} mô hình, "
                f"{self.children} đơn vị cấp dưới, {self.figures} số liệu chỉ tiêu.")


def merge_units(db: Database, source_id: int, target_id: int, *, user: str | None = None) -> MergeResult:
    """Merge `source` into `target`: its people, activities, models (owned and replicated),
    child units, reported figures, tasks and council members move to the target; the
    source is marked inactive with merged_into_id. One transaction, audited."""
    require_role(db, "secretary", action="sửa danh mục đơn vị")
    if source_id == target_id:
        raise ValidationError({"target": "Hãy chọn một đơn vị khác để sáp nhập vào."})
    user = user or db.user
    with db.session() as s:
        src, dst = s.get(m.Unit, source_id), s.get(m.Unit, target_id)
        if src is None or dst is None:
            raise ValidationError({"target": "Đơn vị không tồn tại."})
        if not src.active:
            raise ValidationError({"source": f"{src.name} đã được sáp nhập trước đó."})
        if not dst.active:
            raise ValidationError({"target": f"{dst.name} đã ngừng hoạt động (đã sáp nhập)."})
        if source_id in unit_ancestors(s, target_id):
            raise ValidationError({"target": "Không thể sáp nhập đơn vị vào đơn vị cấp dưới của chính nó."})

        def move(model, column, extra=None) -> int:
            stmt = update(model).where(column == source_id).values({column.key: target_id})
            if extra is not None:
                stmt = stmt.where(extra)
            return s.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0

        people = move(m.Person, m.Person.unit_id)
        activities = move(m.Activity, m.Activity.unit_id)
        models = move(m.DigitalModel, m.DigitalModel.owner_unit_id)
        children = move(m.Unit, m.Unit.parent_id)
        # replications: a model replicated to both keeps one row
        replications = 0
        have = set(s.scalars(select(m.ModelReplication.model_id).where(m.ModelReplication.unit_id == target_id)))
        for rep in s.scalars(select(m.ModelReplication).where(m.ModelReplication.unit_id == source_id)).all():
            if rep.model_id in have:
                s.delete(rep)
            else:
                rep.unit_id = target_id
                replications += 1
        # reported figures: the same target and day are added together
        figures = 0
        existing = {(f.target_id, f.as_of): f for f in
                    s.scalars(select(m.ReportedFigure).where(m.ReportedFigure.unit_id == target_id))}
        for f in s.scalars(select(m.ReportedFigure).where(m.ReportedFigure.unit_id == source_id)).all():
            same = existing.get((f.target_id, f.as_of))
            if same is None:
                f.unit_id = target_id
            else:
                same.numerator += f.numerator
                if same.denominator is not None or f.denominator is not None:
                    same.denominator = (same.denominator or 0) + (f.denominator or 0)
                s.delete(f)
            figures += 1
        other = move(m.Task, m.Task.responsible_unit_id) + move(m.CouncilMember, m.CouncilMember.unit_id)
        other += move(m.Candidate, m.Candidate.unit_id, m.Candidate.subject_type == "person")
        s.flush()
        src.active = False
        src.merged_into_id = target_id
        result = MergeResult(people, activities, models, replications, children, figures, other)
        audit.record_changes(s, user=user, entity="unit", entity_id=src.id, action="merge",
                             changes={"active": (True, False), "merged_into_id": (None, target_id)})
        audit.record(s, user=user, action="merge", entity="unit", entity_id=dst.id,
                     note=f"Sáp nhập {src.code} - {src.name} vào {dst.code} - {dst.name}. {result.text()}")
        return result
