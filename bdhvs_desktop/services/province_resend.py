"""A ward sending again: what the province refuses before writing a package.

The same candidate key, or the same subject (by CCCD, by name and birth date, or the same unit) for
the same award form, proposed twice in one package or again in a later one, is refused with the
earlier file named (such a refusal is `resent`: the window offers to import the package as a
replacement). A replacement (services/province_replace.py) needs a current package to replace,
no province vote on it yet, and must be newer than it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.text import clean, name_key
from bdhvs_desktop.services.province_check import (
    VN_OFFSET,
    PackageRefused,
    refuse,
)
from bdhvs_desktop.services.province_replace import REPLACE_HINT, council_blockers, current_packages
from bdhvs_desktop.services.province_write import package_date, package_time
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm


def _resent(exc: PackageRefused) -> PackageRefused:
    exc.resent = True  # type: ignore[attr-defined]  # the GUI offers to replace the earlier package
    return exc


def packages_to_replace(s: Session, o: pf.OpenedPackage, label: str, scope: m.Unit) -> list[pm.WardPackage]:
    """The ward's current packages a corrected one replaces; refused when there is none, when the
    province council already voted on them, or when this package is older than them."""
    ward = (o.ward_code, o.ward_name)
    old = current_packages(s, scope.id)
    if not old:
        raise refuse(f"{label} bị từ chối: {o.ward_name} ({o.ward_code}) chưa gửi gói nào trước đây, "
                      "nên không có gói nào để thay thế; nhập gói này không kèm tùy chọn thay thế.", ward)
    blocked = council_blockers(s, old)
    if blocked:
        raise refuse(f"{label} bị từ chối: không thể thay thế gói trước của {o.ward_name} "
                      f"({', '.join(p.file_name for p in old)}) vì Hội đồng Thi đua - Khen thưởng của tỉnh đã "
                      f"biểu quyết hoặc quyết định về hồ sơ của phường: {'; '.join(blocked[:10])}"
                      f"{f' và {len(blocked) - 10} hồ sơ khác' if len(blocked) > 10 else ''}.", ward)
    if any(p.created_at and o.created_at and package_time(o.created_at) and
           package_time(o.created_at) < p.created_at for p in old):
        raise refuse(f"{label} bị từ chối: gói này được lập trước gói hiện hành của {o.ward_name}; "
                      "gói cũ hơn không thay thế được gói mới hơn.", ward)
    return old


def _current(replaced: list[pm.WardPackage]):  # proposals that count: current ones, less those this package replaces  # proposals that count: current ones, less those this package replaces
    wp = pm.WardProposal
    cond = wp.candidate_id.is_not(None)
    if replaced:
        cond = cond & wp.package_id.not_in([p.id for p in replaced])
    return cond


def refuse_known_keys(s: Session, o: pf.OpenedPackage, label: str, replaced: list[pm.WardPackage]) -> None:
    """A candidate key the ward sent before (in a package still current) is refused."""
    ward = (o.ward_code, o.ward_name)
    keys = [c["key"] for c in o.data["candidates"]]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise refuse(f"{label} bị từ chối: mã hồ sơ lặp lại trong gói: {', '.join(dupes)}.", ward)
    rows = s.execute(
        select(pm.WardProposal.candidate_key, pm.WardProposal.name, pm.WardPackage.imported_at,
               pm.WardPackage.imported_by, pm.WardPackage.file_name)
        .join(pm.WardPackage, pm.WardPackage.id == pm.WardProposal.package_id)
        .where(pm.WardProposal.ward_code == o.ward_code, pm.WardProposal.candidate_key.in_(keys),
               _current(replaced))).all()
    if rows:
        named = "; ".join(f"{r.name} (nhập ngày {vn_date((r.imported_at + VN_OFFSET).date())} bởi "
                          f"{r.imported_by or 'không rõ'}, "
                          f"tệp {r.file_name})" for r in rows[:5])
        more = f" và {len(rows) - 5} hồ sơ khác" if len(rows) > 5 else ""
        raise _resent(refuse(f"{label} bị từ chối: phường đã gửi các hồ sơ này trong một gói trước: "
                             f"{named}{more}. Một hồ sơ chỉ được đề nghị một lần. {REPLACE_HINT}", ward))


def refuse_same_subject_twice(s: Session, o: pf.OpenedPackage, label: str, replaced: list[pm.WardPackage]) -> None:
    """A ward proposes a subject once for an award form: not twice in one package (two keys for one
    CCCD, or for the same name and birth date without CCCDs telling them apart, or for the same
    unit), nor again in a later package under a new key (the ranking would count them twice)."""
    ward = (o.ward_code, o.ward_name)
    subjects = [_Subject.of(c) for c in o.data["candidates"]]
    twice = [f"{a.name} ({a.key} và {b.key})" for i, a in enumerate(subjects) for b in subjects[i + 1:]
             if a.same(b)]
    if twice:
        raise refuse(f"{label} bị từ chối: một đối tượng được đề nghị hai lần trong gói: "
                     f"{'; '.join(twice[:5])}.", ward)
    if not subjects:
        return
    cccds = [x.cccd for x in subjects if x.cccd]
    names = [x.name_key for x in subjects]
    wp = pm.WardProposal
    earlier = s.execute(
        select(wp.candidate_key, wp.subject_type, wp.subject_kind, wp.name, wp.cccd, wp.birth_date, wp.unit_path,
               wp.award_code, pm.WardPackage.file_name)
        .join(pm.WardPackage, pm.WardPackage.id == wp.package_id)
        .where(wp.ward_code == o.ward_code, wp.cccd.in_(cccds) | wp.name_key.in_(names),
               _current(replaced))).all()
    again = [f"{x.name} (mã {x.key}; đã đề nghị với mã {r.candidate_key} trong tệp {r.file_name})"
             for x in subjects for r in earlier
             if x.same(_Subject.make(r.candidate_key, r.subject_type, r.subject_kind, r.name, r.cccd,
                                     r.birth_date, r.unit_path, r.award_code))]
    if again:
        raise _resent(refuse(f"{label} bị từ chối: phường đã đề nghị đối tượng này trong một gói trước: "
                     f"{'; '.join(again[:5])}. Mỗi tập thể, cá nhân chỉ được phường đề nghị một lần cho một "
                     f"hình thức khen thưởng; gói sửa đổi không được nhập chồng lên gói trước. {REPLACE_HINT}",
                     ward))


@dataclass(frozen=True)
class _Subject:
    """Who a candidate of a package is, to find the same one proposed twice by a ward."""

    key: str
    subject_type: str
    subject_kind: str
    name: str
    cccd: str | None
    birth_date: dt.date | None
    path_keys: tuple[str, ...]
    award_code: str | None
    name_key: str

    @classmethod
    def make(cls, key: str, subject_type: str, subject_kind: str, name: str, cccd: str | None,
             birth_date: dt.date | None, unit_path: Sequence[str] | None, award_code: str | None) -> _Subject:
        name = clean(name)
        return cls(key, subject_type, subject_kind, name, cccd or None, birth_date,
                   tuple(name_key(p) for p in unit_path or ()), award_code, name_key(name)[:300])

    @classmethod
    def of(cls, c: dict) -> _Subject:
        return cls.make(c["key"], c["subject_type"], c["subject_kind"], c["name"], c.get("cccd"),
                        package_date(c.get("birth_date")), c.get("unit_path"), c["award_form"]["code"])

    def same(self, other: _Subject) -> bool:
        if (self.subject_type, self.award_code) != (other.subject_type, other.award_code):
            return False
        if self.subject_type == "unit":
            return (self.subject_kind, self.name_key, self.path_keys) == (other.subject_kind, other.name_key,
                                                                          other.path_keys)
        if self.cccd and other.cccd:
            return self.cccd == other.cccd
        return self.birth_date is not None and self.birth_date == other.birth_date and self.name_key == other.name_key
