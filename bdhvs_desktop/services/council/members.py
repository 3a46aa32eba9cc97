"""The award council's members: list, add, rename, deactivate (audited). A meeting keeps its own
snapshot of them (services/meeting.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bdhvs_desktop.domain.vocab import (
    CouncilRole,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.common import CouncilActionError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class MemberInfo:
    id: int
    full_name: str
    position: str | None
    role: str
    person_id: int | None
    unit_id: int | None
    unit_name: str | None
    active: bool


def list_members(db: Database, include_inactive: bool = False) -> list[MemberInfo]:
    with db.read() as s:
        q = select(m.CouncilMember).order_by(m.CouncilMember.sort_order, m.CouncilMember.id)
        if not include_inactive:
            q = q.where(m.CouncilMember.active.is_(True))
        units = dict(s.execute(select(m.Unit.id, m.Unit.name)).all())
        return [MemberInfo(x.id, x.full_name, x.position, x.role, x.person_id, x.unit_id, units.get(x.unit_id),
                           x.active) for x in s.scalars(q)]


def add_member(db: Database, full_name: str, *, position: str | None = None, role: str = "member",
               person_id: int | None = None, unit_code: str | None = None) -> int:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    full_name = (full_name or "").strip()
    if not full_name:
        raise CouncilActionError("Họ tên thành viên Hội đồng không được để trống.")
    if role not in {r.value for r in CouncilRole}:
        raise CouncilActionError(f"Vai trò không hợp lệ: {role!r} (chair, vice_chair, secretary, member).")
    with db.session() as s:
        campaign_id = s.scalar(select(m.Campaign.id).order_by(m.Campaign.id).limit(1))
        if campaign_id is None:
            raise CouncilActionError("Cơ sở dữ liệu chưa có phong trào.")
        unit_id = None
        if unit_code:
            unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == unit_code))
            if unit_id is None:
                raise CouncilActionError(f"Không có đơn vị mã “{unit_code}”.")
        if person_id is not None:
            person = s.get(m.Person, person_id)
            if person is None:
                raise CouncilActionError(f"Không tìm thấy cá nhân số {person_id}.")
            unit_id = unit_id or person.unit_id
        order = len(s.scalars(select(m.CouncilMember.id).where(m.CouncilMember.campaign_id == campaign_id)).all())
        member = m.CouncilMember(campaign_id=campaign_id, full_name=full_name, position=(position or "").strip() or None,
                                 role=role, person_id=person_id, unit_id=unit_id, sort_order=order)
        s.add(member)
        s.flush()
        audit.record(s, user=db.user, action="create", entity="council_member", entity_id=member.id,
                     new={"full_name": full_name, "position": position, "role": role})
        return member.id


def set_member_active(db: Database, member_id: int, active: bool) -> None:
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        member = s.get(m.CouncilMember, member_id)
        if member is None:
            raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
        audit.record_changes(s, user=db.user, entity="council_member", entity_id=member_id,
                             changes={"active": (member.active, active)})
        member.active = active


def update_member(db: Database, member_id: int, *, full_name: str | None = None, position: str | None = None,
                  role: str | None = None) -> None:
    """Rename a member or change their position or role. Past meetings keep the member as
    they were (their snapshot, services/meeting.py); only meetings opened later see the change."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    if full_name is not None and not full_name.strip():
        raise CouncilActionError("Họ tên thành viên Hội đồng không được để trống.")
    if role is not None and role not in {r.value for r in CouncilRole}:
        raise CouncilActionError(f"Vai trò không hợp lệ: {role!r} (chair, vice_chair, secretary, member).")
    with db.session() as s:
        member = s.get(m.CouncilMember, member_id)
        if member is None:
            raise CouncilActionError(f"Không tìm thấy thành viên Hội đồng số {member_id}.")
        changes: dict[str, tuple[Any, Any]] = {}
        for name, value in (("full_name", full_name), ("position", position), ("role", role)):
            if value is not None:
                value = value.strip() or None
                changes[name] = (getattr(member, name), value)
                setattr(member, name, value)
        audit.record_changes(s, user=db.user, entity="council_member", entity_id=member_id, changes=changes)
