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

from bdhvs_desktop.domain import presets as presets_mod
from bdhvs_desktop.domain.text import clean, fold, name_key
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.campaign import apply_preset, preset_path
from bdhvs_desktop.services.council import DEMO_SCORE_DAY, create_demo_council
from bdhvs_desktop.services.demo_people import DEMO_UNITS, create_people, get_or_create_unit, set_heads
from bdhvs_desktop.services.demo_records import (
    create_activities,
    create_council_members,
    create_models,
    create_reported_figures,
    create_solutions,
    link_tasks,
)
from bdhvs_desktop.services.dossier import save_settings
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.services.package_choice import WARD_CODE_SETTING
from bdhvs_desktop.services.scoring import compute_scores
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

if TYPE_CHECKING:
    from bdhvs_desktop.domain.presets import Preset


DEMO_SEED = 20260331


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
            get_or_create_unit(s, spec, by_code,
                                "phường La Gi" if variant.ward_name is None else campaign.locality_full or "")
        s.flush()
        people = create_people(s, rng, by_code)
        s.flush()
        activities = create_activities(s, rng, by_code, people)
        models = create_models(s, by_code, people)
        solutions = create_solutions(s, people)
        create_reported_figures(s, campaign, by_code, None if variant.seed == DEMO_SEED else variant.seed)
        link_tasks(s, campaign, by_code)
        create_council_members(s, campaign, by_code, people)
        set_heads(s, by_code, people)
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
