"""The ward's scope at the province office, and its units inside it.

A ward's package is written inside its scope: a top-level unit of kind `phuong_xa` whose code is
the ward's code. The units its candidates are or belong to are created inside that scope, level by
level, with codes `<ward>/<slug>-<hash of the path>` that never meet another ward's."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.text import clean, fold, name_key, slug
from bdhvs_desktop.domain.vocab import SubjectKind, UnitKind
from bdhvs_desktop.services.province_check import (
    refuse,
)
from bdhvs_desktop.storage import models as m


def ward_scope(s: Session, o: pf.OpenedPackage, label: str) -> m.Unit:
    """The ward's scope at the province (a top-level unit, code = the ward's code), created on its first package."""
    ward = (o.ward_code, o.ward_name)
    unit = s.scalar(select(m.Unit).where(m.Unit.code == o.ward_code))
    if unit is not None and unit.kind == UnitKind.WARD_SCOPE.value and fold(unit.name) != fold(o.ward_name):
        raise refuse(f"{label} bị từ chối: mã phường “{o.ward_code}” đã là của {unit.name} (nhập từ gói trước); "
                      f"gói của {o.ward_name} không được ghi vào phạm vi của phường khác.", ward)
    if unit is None:
        same_name = s.scalars(select(m.Unit).where(m.Unit.kind == UnitKind.WARD_SCOPE.value,
                                                        m.Unit.parent_id.is_(None))).all()
        other = next((u for u in same_name if fold(u.name) == fold(o.ward_name)), None)
        if other is not None:
            raise refuse(f"{label} bị từ chối: {o.ward_name} đã gửi gói với mã phường “{other.code}”, "
                          f"gói này lại ghi mã “{o.ward_code}”; một phường chỉ có một mã.", ward)
        unit = m.Unit(code=o.ward_code, name=o.ward_name[:300], kind=UnitKind.WARD_SCOPE.value, parent_id=None,
                      is_party_org=False)
        s.add(unit)
        s.flush()
    elif unit.kind != UnitKind.WARD_SCOPE.value:
        raise refuse(f"{label} bị từ chối: mã phường “{o.ward_code}” trùng mã đơn vị “{unit.name}” của văn "
                      "phòng tỉnh; dữ liệu của phường không được trộn với đơn vị khác.", ward)
    return unit


def scope_units(s: Session, scope: m.Unit) -> dict[str, m.Unit]:
    prefix = scope.code + "/"
    return {u.code: u for u in s.scalars(select(m.Unit).where(m.Unit.code.startswith(prefix, autoescape=True)))}


def unit_path(c: dict) -> tuple[str, ...]:
    """The unit a candidate is (a unit) or belongs to (a person), as names from the ward down."""
    path = [clean(p) for p in c["unit_path"] if clean(p)]
    if c["subject_type"] == "unit" and (not path or fold(path[-1]) != fold(clean(c["name"]))):
        path.append(clean(c["name"]))
    return tuple(path)


def ensure_units(s: Session, ward_code: str, scope: m.Unit, paths: list[tuple[str, ...]],
                 cands: list[dict]) -> dict[tuple[str, ...], int]:
    """The id of the unit at the end of every path (and of every path's start); missing ones are
    created inside the ward's scope, level by level (one flush per level)."""
    existing = scope_units(s, scope)
    party = {scoped_code(ward_code, p) for p, c in zip(paths, cands)
             if c["subject_type"] == "unit" and c["subject_kind"] == SubjectKind.PARTY_ORG and p}
    code_of: dict[tuple[str, ...], str] = {}
    for depth in range(1, max((len(p) for p in paths), default=0) + 1):
        created = []
        for path in dict.fromkeys(p[:depth] for p in paths if len(p) >= depth):
            code = code_of[path] = scoped_code(ward_code, path)
            if code in existing:
                continue
            parent = existing[code_of[path[:-1]]].id if depth > 1 else scope.id
            name = path[-1][:300]
            unit = m.Unit(code=code, name=name, kind=_kind_for(name, code in party), parent_id=parent,
                          is_party_org=code in party)
            existing[code] = unit
            created.append(unit)
        if created:
            s.add_all(created)
            s.flush()
    return {path: existing[code].id for path, code in code_of.items()}


def scoped_code(ward_code: str, path: Sequence[str]) -> str:
    """The code of a unit inside a ward's scope: "<ward>/<slug of its name>-<hash of its path>"
    (unique in the scope, never equal to another ward's, at most 64 characters)."""
    digest = hashlib.sha1("\x1f".join(name_key(p) for p in path).encode("utf-8")).hexdigest()[:8]
    room = 64 - len(ward_code) - 1 - len(digest) - 1
    return f"{ward_code}/{slug(path[-1], room)}-{digest}" if room >= 4 else f"{ward_code}/{digest}"


def _kind_for(name: str, party: bool) -> str:
    folded = fold(name)
    if folded.startswith("chi bo"):
        return UnitKind.PARTY_CELL.value
    if folded.startswith("dang bo") or (party and "dang" in folded):
        return UnitKind.PARTY_COMMITTEE.value
    if folded.startswith("to dan pho") or folded.startswith("khu pho"):
        return UnitKind.RESIDENTIAL_GROUP.value
    if folded.startswith("truong"):
        return UnitKind.SCHOOL.value
    return UnitKind.OTHER.value
