"""The demo ward's units and fictional people ("mô phỏng"): the unit tree, how many people each
unit gets, names and CCCDs drawn from a seeded generator, each unit's head, and the records that
fail each award rule on purpose so scoring has something to explain."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.text import clean, fold, name_key
from bdhvs_desktop.services.demo_records import Q1_END
from bdhvs_desktop.storage import models as m

if TYPE_CHECKING:
    pass


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Lý", "Đoàn", "Trương"]


MIDDLE_M = ["Văn", "Hữu", "Minh", "Đức", "Quang", "Thành", "Công", "Xuân", "Hoàng"]


MIDDLE_F = ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Hồng"]


GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hòa", "Huy", "Khánh", "Lâm", "Long", "Nam", "Phúc",
           "Quân", "Sơn", "Tài", "Thắng", "Toàn", "Trung", "Tuấn", "Vinh", "Vũ"]


GIVEN_F = ["Anh", "Châu", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Liên", "Linh", "Mai",
           "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy", "Trang", "Tuyết", "Yến"]


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: str
    parent: str | None
    party: bool
    households: int | None = None
    adults: int | None = None


# (mô phỏng) marks every unit of the demo as fictional.
DEMO_UNITS = [
    DemoUnit("DU-PHUONG", "Đảng ủy phường (mô phỏng)", "dang_bo", None, True),
    DemoUnit("DU-CQD", "Đảng ủy các cơ quan Đảng phường", "dang_bo", "DU-PHUONG", True),
    DemoUnit("DU-UBND", "Đảng ủy UBND phường", "dang_bo", "DU-PHUONG", True),
    DemoUnit("CB-CA", "Chi bộ Công an phường", "chi_bo", "DU-PHUONG", True),
    DemoUnit("CB-VPDU", "Chi bộ Văn phòng Đảng ủy (mô phỏng)", "chi_bo", "DU-CQD", True),
    DemoUnit("CB-VHXH", "Chi bộ Phòng Văn hóa - Xã hội (mô phỏng)", "chi_bo", "DU-UBND", True),
    DemoUnit("CB-KP3", "Chi bộ Khu phố 3 (mô phỏng)", "chi_bo", "DU-PHUONG", True),
    DemoUnit("CQ-UBND", "Văn phòng HĐND và UBND phường (mô phỏng)", "co_quan", "DU-UBND", False),
    DemoUnit("CQ-CA", "Công an phường (mô phỏng)", "co_quan", "CB-CA", False),
    DemoUnit("DT-DTN", "Đoàn Thanh niên phường (mô phỏng)", "doan_the", None, False),
    DemoUnit("TH-THCS", "Trường THCS Hoa Sen (mô phỏng)", "truong_hoc", None, False),
    DemoUnit("TDP-01", "Tổ dân phố 1 (mô phỏng)", "to_dan_pho", None, False, 182, 455),
    DemoUnit("TDP-02", "Tổ dân phố 2 (mô phỏng)", "to_dan_pho", None, False, 164, 398),
    DemoUnit("TDP-03", "Tổ dân phố 3 (mô phỏng)", "to_dan_pho", None, False, 205, 512),
    DemoUnit("TDP-04", "Tổ dân phố 4 (mô phỏng)", "to_dan_pho", None, False, 143, 351),
    DemoUnit("TDP-05", "Tổ dân phố 5 (mô phỏng)", "to_dan_pho", None, False, 96, 240),
]


# How many people each unit gets: (unit, count, party members, public servants).
STAFFING = [
    ("DU-CQD", 4, 4, 4), ("DU-UBND", 4, 4, 4), ("CB-CA", 12, 12, 12), ("CB-VPDU", 8, 8, 8),
    ("CB-VHXH", 10, 10, 10), ("CB-KP3", 20, 20, 0), ("CQ-UBND", 14, 4, 14), ("CQ-CA", 6, 0, 6),
    ("DT-DTN", 10, 3, 2), ("TH-THCS", 14, 5, 14), ("TDP-01", 12, 0, 0), ("TDP-02", 12, 0, 0),
    ("TDP-03", 12, 0, 0), ("TDP-04", 10, 0, 0), ("TDP-05", 8, 0, 0),
]


def _person_name(rng: random.Random, female: bool) -> str:
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    return f"{rng.choice(FAMILY)} {middle} {given}"


def _cccd(rng: random.Random, birth: dt.date, female: bool, used: set[str]) -> str:
    century = 0 if birth.year < 2000 else 2
    while True:
        value = f"068{century + (1 if female else 0)}{birth.year % 100:02d}{rng.randrange(1_000_000):06d}"
        if value not in used:
            used.add(value)
            return value


def get_or_create_unit(s: Session, spec: DemoUnit, by_code: dict[str, m.Unit],
                        locality_full: str = "phường La Gi") -> m.Unit:
    unit = by_code.get(spec.code) or s.scalar(select(m.Unit).where(m.Unit.code == spec.code))
    if unit is None:
        unit = m.Unit(code=spec.code, name=spec.name, kind=spec.kind, is_party_org=spec.party)
        s.add(unit)
    unit.households, unit.adult_residents = spec.households, spec.adults
    # A fictional address, so Form 08 of a demo collective has its "Địa điểm trụ sở chính".
    unit.address = unit.address or f"Số {10 + len(by_code) * 7} đường Thống Nhất, {locality_full} (mô phỏng)"
    if spec.parent:
        unit.parent = by_code[spec.parent]
    by_code[spec.code] = unit
    return unit


def create_people(s: Session, rng: random.Random, by_code: dict[str, m.Unit]) -> dict[str, list[m.Person]]:
    used: set[str] = set()
    people: dict[str, list[m.Person]] = {}
    for code, count, party, servants in STAFFING:
        unit = by_code[code]
        people[code] = []
        for i in range(count):
            female = rng.random() < (0.75 if code.startswith("TH") else 0.45)
            birth = dt.date(rng.randint(1962, 2003), rng.randint(1, 12), rng.randint(1, 28))
            name = _person_name(rng, female)
            is_party = i < party
            is_servant = i < servants
            # Most became proficient with VNeID in Q1/2026; see the deliberate failures below.
            proficient = dt.date(2026, rng.randint(1, 3), rng.randint(1, 28)) if (is_party or is_servant or rng.random() < 0.6) else None
            if proficient and rng.random() < 0.25:
                proficient = dt.date(2025, 12, rng.randint(1, 31))
            position = _position(code, i)
            person = m.Person(
                full_name=clean(name), name_key=name_key(name), search_key=fold(name), birth_date=birth,
                sex="F" if female else "M", cccd=_cccd(rng, birth, female, used), unit=unit, position=position,
                is_party_member=is_party, is_public_servant=is_servant, vneid_proficient_on=proficient,
                vneid_verified_by="Công an phường (mô phỏng)" if proficient else None,
                can_guide=bool(proficient) and (is_party or is_servant or rng.random() < 0.3),
                people_guided=rng.randint(3, 60) if (is_party or is_servant) and proficient else rng.randint(0, 4),
                home_town=rng.choice(["Lâm Đồng", "Bình Định", "Quảng Ngãi", "Nghệ An", "Thanh Hóa"]),
                residence=f"Khu phố {rng.randint(1, 5)}, phường (mô phỏng)",
                qualifications=rng.choice(["Đại học", "Cao đẳng", "Trung cấp", "Thạc sĩ"]) if is_servant else None,
            )
            s.add(person)
            people[code].append(person)
    _deliberate_failures(people)
    return people


def _position(code: str, i: int) -> str:
    if code.startswith(("DU-", "CB-")):
        return ["Bí thư", "Phó Bí thư", "Chi ủy viên"][i] if i < 3 else "Đảng viên"
    if code.startswith("TDP"):
        return ["Tổ trưởng tổ dân phố", "Tổ phó tổ dân phố"][i] if i < 2 else "Người dân"
    if code.startswith("TH"):
        return "Hiệu trưởng" if i == 0 else "Giáo viên"
    if code == "DT-DTN":
        return "Bí thư Đoàn" if i == 0 else "Đoàn viên"
    return "Trưởng phòng" if i == 0 else "Công chức"


def _deliberate_failures(people: dict[str, list[m.Person]]) -> None:
    """Records that fail each award rule, so scoring has something to explain."""
    kp3 = people["CB-KP3"]
    # Chi bộ Khu phố 3: 18/20 party members proficient by 31/03/2026 (two were late).
    for p in kp3:
        p.vneid_proficient_on = p.vneid_proficient_on or dt.date(2026, 2, 10)
    kp3[5].vneid_proficient_on = dt.date(2026, 4, 1)  # the day after the deadline: does not count
    kp3[6].vneid_proficient_on = None
    kp3[6].can_guide = False
    # Chi bộ Công an: everyone proficient, on the deadline day for one of them (counts).
    for p in people["CB-CA"]:
        p.vneid_proficient_on = p.vneid_proficient_on or dt.date(2026, 1, 15)
        p.can_guide = True
    people["CB-CA"][1].vneid_proficient_on = Q1_END
    vh = people["CB-VHXH"]
    for p in vh:
        p.vneid_proficient_on = p.vneid_proficient_on or dt.date(2026, 3, 2)
        p.can_guide = True
    vh[2].under_discipline = True
    vh[2].discipline_note = "Khiển trách (mô phỏng), tháng 8/2026"
    vh[3].can_guide = False  # proficient but cannot guide citizens
    vh[4].people_guided = 0
    ub = people["CQ-UBND"]
    ub[5].vneid_proficient_on = dt.date(2026, 5, 20)  # a public servant proficient only in Q2


_HEAD_TITLES = {"dang_bo": "Bí thư Đảng ủy", "chi_bo": "Bí thư Chi bộ", "to_dan_pho": "Tổ trưởng tổ dân phố",
                "truong_hoc": "Hiệu trưởng", "doan_the": "Bí thư Đoàn Thanh niên", "co_quan": "Thủ trưởng cơ quan"}


_HEADS_WITHOUT_STAFF = {  # units of the preset with no demo people: fictional heads
    "DU-PHUONG": ("Bí thư Đảng ủy", None), "UBND": ("Chủ tịch Ủy ban nhân dân", "DU-UBND"),
    "VP-DU": ("Chánh Văn phòng", "CB-VPDU"), "BXDD": ("Trưởng ban", "DU-CQD"),
    "MTTQ": ("Chủ tịch Ủy ban Mặt trận Tổ quốc", "DT-DTN"),
}


def set_heads(s: Session, by_code: dict[str, m.Unit], people: dict[str, list[m.Person]]) -> None:
    """Every demo unit has a head (who signs its Form 08 and confirms its people's), and the
    ward's Tờ trình a signer, so the demo makes a final dossier with no blank signature."""
    for code, unit in by_code.items():
        staff = people.get(code) or []
        if staff:
            unit.head_name = unit.head_name or staff[0].full_name
            unit.head_title = unit.head_title or _HEAD_TITLES.get(unit.kind, "Thủ trưởng đơn vị")
    for unit in s.scalars(select(m.Unit)):
        spec = _HEADS_WITHOUT_STAFF.get(unit.code)
        if spec is None or unit.head_name:
            continue
        title, from_code = spec
        # The ward party committee's secretary chairs the council (people["DU-CQD"][0]).
        source = people.get(from_code or "DU-CQD") or []
        unit.head_name = source[0].full_name if source else None
        unit.head_title = title
