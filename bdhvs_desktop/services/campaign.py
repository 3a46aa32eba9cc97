"""The campaign: creating it from a plan preset, and where it stands on a date."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import presets as presets_mod
from bdhvs_desktop.paths import presets_dir
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


class CampaignExists(ServiceError):
    """The database already holds a campaign (the message says which)."""


def preset_path(name: str | None) -> Path:
    """The preset file for a name (file stem), a path, or the default preset when None."""

    folder = presets_dir()
    if name is None:
        info = presets_mod.default_preset(folder)
        if info is None:
            raise presets_mod.PresetError(f"Không có kế hoạch mẫu mặc định trong {folder}.")
        return info.path
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.exists():
        return candidate
    path = folder / f"{name}.toml"
    if not path.exists():
        names = ", ".join(p.name for p in presets_mod.list_presets(folder))
        raise presets_mod.PresetError(f"Không có kế hoạch mẫu tên '{name}'. Các kế hoạch mẫu có sẵn: {names}.")
    return path


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def apply_preset(session: Session, preset: presets_mod.Preset) -> m.Campaign:
    """Create the campaign, its phases, tasks, responsible units, targets, criteria sets and
    award forms from a preset, inside the caller's transaction."""
    if session.scalar(select(m.Campaign.id).limit(1)) is not None:
        raise CampaignExists("Cơ sở dữ liệu này đã có phong trào.")
    header = preset.preset
    campaign = m.Campaign(
        code=header.name, name=preset.campaign.name, preset_name=header.name, source=header.source,
        locality=header.locality, locality_full=header.locality_full, province=header.province,
        start_date=preset.campaign.start, end_date=preset.campaign.end,
        details={"preset": _jsonable(header), "dossier": _jsonable(preset.dossier),
                 # who grants each award form, and whom its Tờ trình is addressed to
                 "award_forms": {af.code: {"authority": af.authority, "recipient": af.recipient}
                                 for af in preset.award_forms}},
    )
    session.add(campaign)
    for ph in preset.phases:
        campaign.phases.append(m.Phase(number=ph.number, name=ph.name, start_date=ph.start, end_date=ph.end,
                                       description=ph.description or ph.timing, focus=list(ph.focus)))
    session.flush()
    units_by_code: dict[str, m.Unit] = {u.code: u for u in session.scalars(select(m.Unit))}
    for pu in preset.units:
        unit = units_by_code.get(pu.code)
        if unit is None:
            unit = m.Unit(code=pu.code, name=pu.name, kind=pu.kind, is_party_org=pu.is_party_org)
            session.add(unit)
            units_by_code[pu.code] = unit
    session.flush()
    for pu in preset.units:
        if pu.parent and pu.parent in units_by_code:
            units_by_code[pu.code].parent_id = units_by_code[pu.parent].id
    for task in preset.tasks:
        unit = units_by_code.get(task.responsible_unit) if task.responsible_unit else None
        session.add(m.Task(campaign_id=campaign.id, phase_number=task.phase, title=task.title,
                           description=task.description or None, responsible_unit_id=unit.id if unit else None,
                           responsible_text=task.responsible, due_date=task.due, status="not_started"))
    for order, t in enumerate(preset.targets):
        params = dict(t.params)
        if t.responsible_unit:
            params.setdefault("unit", t.responsible_unit)
        session.add(m.Target(campaign_id=campaign.id, code=t.code, name=t.name, measure=t.measure,
                             value_kind=t.value_kind, target_value=t.target, start_date=t.start,
                             deadline=t.deadline, scope=t.scope, phase_number=t.phase,
                             params=_jsonable(params), at_risk_margin=t.at_risk_margin, source=t.source or None,
                             sort_order=order))
    for cs in preset.criteria_sets:
        cset = m.CriteriaSet(campaign_id=campaign.id, code=cs.code, name=cs.name, subject_kind=cs.subject_kind,
                             level=cs.level)
        for order, c in enumerate(cs.criteria):
            cset.criteria.append(m.Criterion(code=c.code, name=c.name, type=c.type, max_points=c.max_points,
                                             method=c.method, rule=c.rule or None, params=_jsonable(c.params),
                                             description=c.description or None, sort_order=order))
        session.add(cset)
    existing_forms = {f.code for f in session.scalars(select(m.AwardForm))}
    for af in preset.award_forms:
        if af.code not in existing_forms:
            session.add(m.AwardForm(code=af.code, name=af.name, level=af.level, issuer=af.issuer,
                                    subject_kinds=list(af.subject_kinds), prize_amount=af.prize_amount))
    session.flush()
    return campaign


def init_campaign(db: Database, preset_name: str | None = None, *, province: bool = False) -> str:
    """Create the campaign from a preset; returns the campaign's name. `province`: the database
    is a province office's (services/office.py), written in the same transaction."""
    require_role(db, "secretary", action="tạo phong trào")
    preset = presets_mod.load_preset(preset_path(preset_name))
    with db.session() as s:
        if province:
            from bdhvs_desktop.services.office import PROVINCE, set_level_in  # lazy: only `init --province`

            set_level_in(s, PROVINCE)
        campaign = apply_preset(s, preset)
        return campaign.name


@dataclass(frozen=True)
class PhaseInfo:
    number: int
    name: str
    start: dt.date
    end: dt.date | None
    version: int | None = None  # for the phase editor's optimistic-version check


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    locality: str | None
    locality_full: str | None
    start: dt.date
    end: dt.date
    phases: tuple[PhaseInfo, ...]
    details: dict


def campaign_info(db: Database) -> CampaignInfo | None:
    with db.read() as s:
        c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
        if c is None:
            return None
        phases = tuple(PhaseInfo(p.number, p.name, p.start_date, p.end_date, p.version) for p in c.phases)
        return CampaignInfo(c.id, c.name, c.locality, c.locality_full, c.start_date, c.end_date, phases,
                            dict(c.details or {}))


def phase_at(phases: tuple[PhaseInfo, ...], day: dt.date) -> PhaseInfo | None:
    """The phase a date falls in; with overlapping phases the latest started wins."""
    current = None
    for p in sorted(phases, key=lambda p: (p.start, p.number)):
        if p.start <= day and (p.end is None or day <= p.end):
            current = p
    return current
