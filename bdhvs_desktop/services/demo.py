"""A demo ward with fictional people, built on the default plan preset, so every screen has
something to show — including records that fail each award rule on purpose.

All people, units and numbers here are invented ("mô phỏng"); the generator is seeded, so
the same demo is produced every time.

A `DemoVariant` builds another ward from the same plan (the province office's tests and demos
need several): its own ward code and name (the preset's locality is renamed in every text),
its own seed (people, CCCDs, reported figures), how many of the council's candidates are
proposed to a province-level award form, and optionally one person who is deliberately present
in two wards (same name, birth date and CCCD), so the province can detect the duplicate. The
default variant is the demo as it always was, row for row."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import presets as presets_mod
from bdhvs_desktop.domain.text import clean, fold, name_key
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.campaign import apply_preset, preset_path
from bdhvs_desktop.services.council import DEMO_SCORE_DAY, create_demo_council
from bdhvs_desktop.services.dossier import save_settings
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.services.package_export import WARD_CODE_SETTING
from bdhvs_desktop.services.scoring import compute_scores
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

if TYPE_CHECKING:
    from bdhvs_desktop.domain.presets import Preset

DEMO_SEED = 20260331
# Everything in the demo happens before this day, so it does not depend on today's date.
DEMO_LAST_DAY = dt.date(2026, 11, 15)
Q1_END = dt.date(2026, 3, 31)
PHASE2_START = dt.date(2026, 4, 1)

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


class DemoExists(ServiceError):
    """The database already holds records; the demo goes into an empty one."""


@dataclass(frozen=True)
class DemoVariant:
    """Which demo ward to build; `DemoVariant()` is the default demo."""

    ward_code: str | None = None  # the ward's code in its packages (setting package.ward_code)
    ward_name: str | None = None  # "Phường Bình Minh": replaces the preset's locality everywhere
    seed: int = DEMO_SEED
    province_candidates: int = 0  # the first N council candidates are proposed to a province-level form
    shared_person: bool = False  # the ward's best individual is SHARED_PERSON (present in two wards)

    @property
    def is_default(self) -> bool:
        return self == DemoVariant()


# The person two demo wards both propose (fictional): a woman whose folded name sorts first, so
# she keeps the place of the individual she replaces in the ranking (rank_key: points, women
# first, then name), whatever the seed.
SHARED_PERSON = {"full_name": "Âu Thị Ánh", "birth_date": dt.date(1985, 6, 14), "sex": "F",
                 "cccd": "068185424242"}


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


def _get_or_create_unit(s: Session, spec: DemoUnit, by_code: dict[str, m.Unit],
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


def create_demo(db: Database, preset_name: str | None = None, variant: DemoVariant | None = None) -> dict[str, int]:
    """Create the demo ward (or another `variant` of it) in an empty database; returns counts
    of what was created."""

    require_role(db, "secretary", action="tạo phường mẫu")
    variant = variant or DemoVariant()
    path = preset_path(preset_name)
    preset = presets_mod.load_preset(path) if variant.ward_name is None else _renamed_preset(path, variant.ward_name)
    rng = random.Random(variant.seed)
    with db.session() as s:
        if s.scalar(select(m.Person.id).limit(1)) is not None:
            raise DemoExists("Cơ sở dữ liệu đã có dữ liệu; phường mẫu chỉ tạo được trong cơ sở dữ liệu trống.")
        campaign = s.scalar(select(m.Campaign).limit(1)) or apply_preset(s, preset)
        if variant.ward_code:  # the ward's code in its packages to the province (services/package_export.py)

            s.merge(m.Setting(key=WARD_CODE_SETTING, value=variant.ward_code))
        by_code: dict[str, m.Unit] = {}
        for spec in DEMO_UNITS:
            _get_or_create_unit(s, spec, by_code,
                                "phường La Gi" if variant.ward_name is None else campaign.locality_full or "")
        s.flush()
        people = _create_people(s, rng, by_code)
        s.flush()
        activities = _create_activities(s, rng, by_code, people)
        models = _create_models(s, by_code, people)
        solutions = _create_solutions(s, people)
        _create_reported_figures(s, campaign, by_code, None if variant.seed == DEMO_SEED else variant.seed)
        _link_tasks(s, campaign, by_code)
        _create_council(s, campaign, by_code, people)
        _set_heads(s, by_code, people)
        counts = {"units": len(by_code), "people": sum(len(v) for v in people.values()),
                  "activities": activities, "models": models, "solutions": solutions}
    if variant.shared_person:
        _place_shared_person(db)

    counts.update(create_demo_council(db, province_candidates=variant.province_candidates))
    if variant.province_candidates:
        _sign_for_the_province(db, variant.seed)
    return counts


def _sign_for_the_province(db: Database, seed: int) -> None:
    """The ward's Tờ trình to the province is the People's Committee's: its chairman signs (and
    confirms the Form 08 reports it sends), and it has a number, so a final dossier and the
    package can be made and the province can cite it."""

    with db.read() as s:
        chairman = s.scalar(select(m.Unit.head_name).where(m.Unit.code == "UBND"))
    save_settings(db, number=str(10 + seed % 40), **({"signer_name": chairman} if chairman else {}))


def _renamed_preset(path: Path, ward_name: str) -> Preset:
    """The preset with its locality ("La Gi", "phường La Gi", "PHƯỜNG LA GI") renamed to the
    variant's ward in every text (issuers, recipients, plan references)."""

    original = presets_mod.load_preset(path).preset
    words = ward_name.split(maxsplit=1)
    prefix, locality = (words[0].lower(), words[1]) if len(words) == 2 and words[0].lower() in ("phường", "xã") \
        else ("phường", ward_name)
    full = f"{prefix} {locality}"
    text = path.read_text(encoding="utf-8-sig")
    for old, new in ((original.locality_full, full), (original.locality, locality)):
        if old:
            text = text.replace(old.upper(), new.upper()).replace(old, new)
    with tempfile.TemporaryDirectory(prefix="bdhvs-demo-") as folder:
        renamed = Path(folder) / path.name
        renamed.write_text(text, encoding="utf-8")
        return presets_mod.load_preset(renamed)


def _place_shared_person(db: Database) -> None:
    """Give the ward's best-ranked eligible individual the identity of SHARED_PERSON, before the
    council proposes its best individuals (individuals have no manual criteria to record first,
    so this ranking is the one the council sees; the new name and sex only move her up)."""

    board = compute_scores(db, DEMO_SCORE_DAY)
    best = next((x for x in board.of_kind("individual") if x.eligible), None)
    if best is None:
        return
    with db.session() as s:
        clash = s.scalar(select(m.Person).where(m.Person.cccd == SHARED_PERSON["cccd"]))
        if clash is not None and clash.id != best.subject_id:
            clash.cccd = None
        person = s.get(m.Person, best.subject_id)
        name = SHARED_PERSON["full_name"]
        person.full_name, person.name_key, person.search_key = clean(name), name_key(name), fold(name)
        person.birth_date, person.sex, person.cccd = (SHARED_PERSON["birth_date"], SHARED_PERSON["sex"],
                                                      SHARED_PERSON["cccd"])


def _create_people(s: Session, rng: random.Random, by_code: dict[str, m.Unit]) -> dict[str, list[m.Person]]:
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


def _create_activities(s: Session, rng: random.Random, by_code: dict[str, m.Unit],
                       people: dict[str, list[m.Person]]) -> int:
    count = 0

    def add(day: dt.date, kind: str, unit: m.Unit, content: str, skills: str, participants: int,
            host: m.Person | None = None) -> None:
        nonlocal count
        s.add(m.Activity(date=day, kind=kind, unit=unit, content=content, skills=skills,
                         participants=participants, host_person_id=host.id if host else None))
        count += 1

    # Weekly direct guidance in residential groups from phase 2 (the plan's "≥1 buổi/tuần/tổ dân phố").
    first_monday = PHASE2_START - dt.timedelta(days=PHASE2_START.weekday())
    week = 0
    monday = first_monday
    while monday <= DEMO_LAST_DAY:
        for code in ("TDP-01", "TDP-02", "TDP-03", "TDP-04"):
            if code == "TDP-04" and week % 6 == 5:
                continue  # TDP-04 misses every sixth week
            if code == "TDP-03" and week % 4 == 0:
                day = monday + dt.timedelta(days=6)  # a Sunday session still counts for its week
            else:
                day = monday + dt.timedelta(days=rng.randint(0, 5))
            if day < PHASE2_START or day > DEMO_LAST_DAY:
                continue
            host = rng.choice(people["CB-VHXH"] + people["DT-DTN"])
            add(day, "guidance", by_code[code], "Hướng dẫn cài đặt, kích hoạt VNeID và dịch vụ công trực tuyến",
                "1,2,3", rng.randint(8, 35), host)
        # TDP-05 holds no guidance sessions at all (an empty group for the weekly target).
        week += 1
        monday += dt.timedelta(days=7)
    # Daily loudspeaker broadcasts from phase 2, with a few days missed.
    day = PHASE2_START
    while day <= DEMO_LAST_DAY:
        if not (day.day == 15 and day.month in (5, 8)) and day != dt.date(2026, 9, 2):
            add(day, "broadcast", by_code["CQ-UBND"], "Phát thanh tuyên truyền phong trào (17h00)", "1,2,3,4,5", 0)
        day += dt.timedelta(days=1)
    # Thematic party meetings "Đảng viên tiên phong học tập kỹ năng số" (CB-KP3 never held one).
    for code, when in (("CB-CA", dt.date(2026, 1, 20)), ("CB-VPDU", dt.date(2026, 2, 5)),
                       ("CB-VHXH", dt.date(2026, 1, 28)), ("DU-CQD", dt.date(2026, 3, 10)),
                       ("DU-UBND", dt.date(2026, 3, 12))):
        add(when, "thematic_meeting", by_code[code], "Sinh hoạt chuyên đề \"Đảng viên tiên phong học tập kỹ năng số\"",
            "2,4", len(people[code]))
    # "Bình dân học vụ số" classes taught by named people, and trainings.
    teachers = people["TH-THCS"][:4] + people["CB-VHXH"][:2]
    for i in range(24):
        day = dt.date(2026, 4, 6) + dt.timedelta(days=9 * i)
        if day > DEMO_LAST_DAY:
            break
        code = ["TDP-01", "TDP-02", "TDP-03", "TDP-04", "TDP-05"][i % 5]
        add(day, "class", by_code[code], f"Lớp \"Bình dân học vụ số\" số {i + 1} cho người cao tuổi",
            "1,2,3,4,5", rng.randint(12, 30), teachers[i % len(teachers)])
    add(dt.date(2026, 3, 5), "training", by_code["CB-CA"], "Tập huấn an toàn số cho lực lượng nòng cốt", "4", 45,
        people["CB-CA"][0])
    add(dt.date(2026, 2, 24), "training", by_code["DU-CQD"], "Tập huấn sử dụng \"Sổ tay đảng viên điện tử\"", "2", 38,
        people["CB-VPDU"][0])
    return count


def _create_models(s: Session, by_code: dict[str, m.Unit], people: dict[str, list[m.Person]]) -> int:
    def model(code: str, name: str, owner: str, status: str, model_type: str | None = None,
              registered: dt.date = dt.date(2026, 1, 10), evaluated: dt.date | None = None,
              excellent: dt.date | None = None, rating: str | None = None, quarter: str | None = None,
              evaluation: str | None = None, replicated_to: tuple[tuple[str, dt.date], ...] = ()) -> m.DigitalModel:
        dm = m.DigitalModel(code=code, name=name, owner_unit=by_code[owner], status=status, model_type=model_type,
                            registered_on=registered, implementing_on=registered + dt.timedelta(days=20),
                            evaluated_on=evaluated, excellent_on=excellent, rating=rating, evaluation_quarter=quarter,
                            evaluation=evaluation)
        for unit_code, when in replicated_to:
            dm.replications.append(m.ModelReplication(unit=by_code[unit_code], replicated_on=when))
        s.add(dm)
        return dm

    model("MH-01", "Đại sứ số khu phố", "CB-VHXH", "replicated", "Đại sứ số", evaluated=dt.date(2026, 6, 20),
          excellent=dt.date(2026, 8, 15), rating="Xuất sắc", quarter="Q3/2026",
          evaluation="Mỗi đại sứ hướng dẫn ít nhất 5 người; 1.240 lượt người dân được hỗ trợ.",
          replicated_to=(("TDP-01", dt.date(2026, 9, 1)), ("TDP-02", dt.date(2026, 9, 10))))
    model("MH-02", "Gia đình số", "CQ-UBND", "excellent", "Gia đình số", evaluated=dt.date(2026, 6, 25),
          excellent=dt.date(2026, 9, 20), rating="Xuất sắc", quarter="Q3/2026",
          evaluation="92% hộ tham gia có ít nhất một thành viên sử dụng thành thạo VNeID.")
    model("MH-03", "Tổ công nghệ số cộng đồng", "CB-KP3", "implementing", "Tổ công nghệ số cộng đồng")
    model("MH-04", "Đảng viên tiên phong với Sổ tay đảng viên điện tử", "CB-VPDU", "excellent", None,
          evaluated=dt.date(2026, 6, 30), excellent=dt.date(2026, 9, 5), rating="Xuất sắc", quarter="Q3/2026",
          evaluation="100% đảng viên chi bộ dùng Sổ tay đảng viên điện tử trong sinh hoạt.")
    model("MH-05", "Thanh niên chung tay phổ cập kỹ năng số", "DT-DTN", "evaluated",
          "Thanh niên chung tay phổ cập kỹ năng số", evaluated=dt.date(2026, 7, 10), rating="Tốt", quarter="Q2/2026",
          evaluation="30 đoàn viên tình nguyện hỗ trợ tại bộ phận một cửa.")
    model("MH-06", "Cán bộ một cửa với AI", "CB-CA", "registered", "Cán bộ ... với AI", registered=dt.date(2026, 10, 1))
    # "Đại sứ số" mentors: three with at least five mentees, one with only three.
    mentors = people["CB-VHXH"][:3] + [people["DT-DTN"][1]]
    residents = [p for code in ("TDP-01", "TDP-02", "TDP-03", "TDP-04") for p in people[code]]
    counts = [6, 5, 7, 3]
    index = 0
    for mentor, n in zip(mentors, counts):
        for _ in range(n):
            mentee = residents[index % len(residents)]
            index += 1
            s.add(m.Mentorship(mentor_id=mentor.id, mentee_name=mentee.full_name, mentee_person_id=mentee.id,
                               started_on=dt.date(2026, 4, 15)))
    return 6


def _create_solutions(s: Session, people: dict[str, list[m.Person]]) -> int:
    entries = [
        ("CB-VHXH", 0, "Số hóa sổ theo dõi người cao tuổi cần hỗ trợ VNeID", True,
         "Rút ngắn thời gian rà soát từ 3 ngày xuống 2 giờ; 312 người cao tuổi được hỗ trợ."),
        ("CB-VHXH", 1, "Mã QR tra cứu thủ tục hành chính dán tại tổ dân phố", True,
         "Hơn 1.500 lượt quét; giảm 40% câu hỏi lặp lại tại bộ phận một cửa."),
        ("CB-VHXH", 2, "Nhóm Zalo hỗ trợ kỹ năng số theo khu phố", True, "420 thành viên, phản hồi trong ngày."),
        ("CB-VHXH", 3, "Video hướng dẫn VNeID bằng tiếng địa phương", True, "12 video, 9.800 lượt xem."),
        ("CB-VHXH", 4, "Bảng theo dõi điện tử các lớp Bình dân học vụ số", False, None),
        ("CB-CA", 0, "Quy trình kích hoạt VNeID mức 2 tại nhà cho người khuyết tật", True,
         "86 người khuyết tật được kích hoạt tại nhà."),
        ("CB-CA", 2, "Cảnh báo lừa đảo qua loa phát thanh hằng tuần", True, "Không ghi nhận vụ lừa đảo mới trong quý III."),
        ("CQ-UBND", 0, "Trợ lý AI trả lời câu hỏi thủ tục hành chính", True,
         "Trả lời tự động 65% câu hỏi; thời gian chờ giảm từ 15 xuống 5 phút."),
        ("CQ-UBND", 1, "Chữ ký số cho toàn bộ văn bản đi", True, "100% văn bản đi được ký số."),
        ("CQ-UBND", 5, "Biểu mẫu điện tử đăng ký hộ tịch", True, "Giảm 50% hồ sơ giấy."),
        ("TH-THCS", 0, "Câu lạc bộ An toàn số cho học sinh", True, "480 học sinh tham gia, 24 buổi sinh hoạt."),
        ("TH-THCS", 1, "Học sinh hướng dẫn ông bà dùng VNeID", False, None),
        ("DT-DTN", 0, "Đội hình thanh niên tình nguyện tại bộ phận một cửa", True, "2.100 lượt người dân được hỗ trợ."),
    ]
    for code, index, title, applied, effect in entries:
        s.add(m.Solution(person=people[code][index], title=title, applied=applied,
                         applied_on=dt.date(2026, 5, 1) if applied else None, effect=effect))
    return len(entries)


def _create_reported_figures(s: Session, campaign: m.Campaign, by_code: dict[str, m.Unit],
                             seed: int | None = None) -> None:
    """Dated figures for every reported target, per residential group (some above, some below);
    another seed moves each group's share by up to 8 points."""
    reported = s.scalars(select(m.Target).where(m.Target.campaign_id == campaign.id,
                                                m.Target.measure == "reported")).all()
    shares = {"TDP-01": 0.91, "TDP-02": 0.84, "TDP-03": 0.86, "TDP-04": 0.72, "TDP-05": 0.55}
    if seed is not None:
        jitter = random.Random(seed * 7 + 1)
        shares = {code: min(0.99, max(0.3, share + jitter.uniform(-0.08, 0.08))) for code, share in shares.items()}
    for target in reported:
        day = target.deadline or Q1_END
        if day > DEMO_LAST_DAY:
            day = DEMO_LAST_DAY
        for code, share in shares.items():
            unit = by_code[code]
            total = float(unit.adult_residents or 100)
            s.add(m.ReportedFigure(target_id=target.id, unit_id=unit.id, as_of=day,
                                   numerator=round(total * share), denominator=total,
                                   note="Số liệu mô phỏng", entered_by="Tổ trưởng tổ dân phố"))


def _link_tasks(s: Session, campaign: m.Campaign, by_code: dict[str, m.Unit]) -> None:
    """Mark some tasks done or in progress so the timeline shows each status."""
    tasks = s.scalars(select(m.Task).where(m.Task.campaign_id == campaign.id).order_by(m.Task.due_date, m.Task.id)).all()
    for i, task in enumerate(tasks):
        if task.due_date and task.due_date <= dt.date(2026, 6, 30) and i % 3 != 2:
            task.status = "done"
            task.done_date = task.due_date - dt.timedelta(days=3)
            task.evidence = "Báo cáo kết quả (mô phỏng)"
        elif i % 2 == 0:
            task.status = "in_progress"


_HEAD_TITLES = {"dang_bo": "Bí thư Đảng ủy", "chi_bo": "Bí thư Chi bộ", "to_dan_pho": "Tổ trưởng tổ dân phố",
                "truong_hoc": "Hiệu trưởng", "doan_the": "Bí thư Đoàn Thanh niên", "co_quan": "Thủ trưởng cơ quan"}
_HEADS_WITHOUT_STAFF = {  # units of the preset with no demo people: fictional heads
    "DU-PHUONG": ("Bí thư Đảng ủy", None), "UBND": ("Chủ tịch Ủy ban nhân dân", "DU-UBND"),
    "VP-DU": ("Chánh Văn phòng", "CB-VPDU"), "BXDD": ("Trưởng ban", "DU-CQD"),
    "MTTQ": ("Chủ tịch Ủy ban Mặt trận Tổ quốc", "DT-DTN"),
}


def _set_heads(s: Session, by_code: dict[str, m.Unit], people: dict[str, list[m.Person]]) -> None:
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
    # No dossier signer is set: the council's Tờ trình is signed by its chair and the party
    # office's by its head, as the minutes name them (a setting of one name would sign for both).


def _create_council(s: Session, campaign: m.Campaign, by_code: dict[str, m.Unit],
                    people: dict[str, list[m.Person]]) -> None:
    members = [
        ("Bí thư Đảng ủy phường", "chair", people["DU-CQD"][0], "DU-CQD"),
        ("Chủ tịch UBND phường", "vice_chair", people["DU-UBND"][0], "DU-UBND"),
        ("Chánh Văn phòng Đảng ủy", "secretary", people["CB-VPDU"][0], "CB-VPDU"),
        ("Trưởng Công an phường", "member", people["CB-CA"][0], "CB-CA"),
        ("Chủ tịch Ủy ban MTTQ phường", "member", people["DT-DTN"][0], "DT-DTN"),
        ("Trưởng Ban Xây dựng Đảng", "member", people["DU-CQD"][1], "DU-CQD"),
        ("Công chức Văn hóa - Xã hội", "member", people["CB-VHXH"][0], "CB-VHXH"),
    ]
    for order, (position, role, person, unit_code) in enumerate(members):
        s.add(m.CouncilMember(campaign_id=campaign.id, full_name=person.full_name, position=position, role=role,
                              person_id=person.id, unit_id=by_code[unit_code].id, sort_order=order))
