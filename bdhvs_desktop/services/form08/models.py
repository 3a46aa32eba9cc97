"""The digital models in a Form 08: which models a unit or a person is credited with (those the
scoring counts at the dossier date, each credited to the unit that owns it), and how the report
words their recognition and replication."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.services.form08.source import Source, _date
from bdhvs_desktop.storage import models as m


def _model_started(dm: m.DigitalModel) -> dt.date | None:
    return dm.implementing_on or dm.registered_on


def _counted(src: Source, dm: m.DigitalModel) -> bool:
    """The model existed on the dossier date (the scoring's lifecycle rule)."""
    first = src.replications.get(dm.id)
    rank = sc.model_rank_at(dm.status, src.at, {
        "registered": dm.registered_on, "implementing": dm.implementing_on, "evaluated": dm.evaluated_on,
        "excellent": dm.excellent_on, "replicated": first[0].replicated_on if first else None})
    return rank >= 0


def _recognition(src: Source, dm: m.DigitalModel) -> str:
    """"Được công nhận mô hình xuất sắc quý III/2026." (never "Q3/2026")."""
    phrase = _recognition_phrase(src, dm)
    return f"{phrase[:1].upper()}{phrase[1:]}." if phrase else ""


def _recognition_phrase(src: Source, dm: m.DigitalModel) -> str:
    if dm.excellent_on and dm.excellent_on <= src.at:
        when = vf.vn_quarter(dm.evaluation_quarter) if dm.evaluation_quarter else f"ngày {_date(dm.excellent_on)}"
        return f"được công nhận mô hình xuất sắc {when}"
    if dm.rating and (dm.evaluated_on is None or dm.evaluated_on <= src.at):
        when = f" {vf.vn_quarter(dm.evaluation_quarter)}" if dm.evaluation_quarter else ""
        return f"được đánh giá hiệu quả{when}, xếp loại {dm.rating.lower()}"
    return ""


def _replication(src: Source, dm: m.DigitalModel) -> str:
    reps = src.replications.get(dm.id, [])
    if not reps:
        return ""
    names = ", ".join(src.units[r.unit_id].name for r in reps if r.unit_id in src.units)
    return f"Đã nhân rộng ra {vf.vn_count(len(reps))} đơn vị: {names}."


def _model_context(src: Source, dm: m.DigitalModel, owner: str = "") -> dc.DigitalModel:
    desc = dm.description or ""
    if dm.model_type and dm.model_type not in dm.name:
        desc = f"Theo mô hình “{dm.model_type}”. {desc}".strip()
    return dc.DigitalModel(name=dm.name, description=desc, started=_model_started(dm), effect=dm.evaluation or "",
                           replication=_replication(src, dm), recognition=_recognition(src, dm), owner=owner)


def unit_models(src: Source, unit: m.Unit) -> tuple[list[dc.DigitalModel], list[str]]:
    """(the unit's own models, sentences about the others): a model is credited to the unit
    that owns it; a unit above it directed it, a unit it was replicated to replicated it."""
    ids = set(src.subtree(unit.id))
    own, related = [], []
    for dm in src.models:
        if not _counted(src, dm):
            continue
        if dm.owner_unit_id == unit.id:
            own.append(_model_context(src, dm))
        elif dm.owner_unit_id in ids:
            owner = src.units[dm.owner_unit_id].name
            extra = _recognition_phrase(src, dm)
            reps = src.replications.get(dm.id, [])
            text = f"Lãnh đạo, chỉ đạo {owner} xây dựng mô hình “{dm.name}”"
            if extra:
                text += f", {extra}"
            if reps:
                text += f"; đã nhân rộng ra {vf.vn_count(len(reps))} đơn vị"
            related.append(text + ".")
    for r in src.replicated_into.get(unit.id, []):
        dm = next((x for x in src.models if x.id == r.model_id), None)
        if dm is None or dm.owner_unit_id in ids:
            continue
        owner = src.units[dm.owner_unit_id].name if dm.owner_unit_id in src.units else ""
        when = f" từ ngày {_date(r.replicated_on)}" if r.replicated_on else ""
        related.append(f"Nhân rộng mô hình “{dm.name}”" + (f" của {owner}" if owner else "") + f"{when}.")
    return own, related


def person_models(src: Source, person: m.Person) -> list[str]:
    """An individual's part in models (the models `bdhvs score` credits the person with),
    each credited to the unit that owns it."""
    facts = src.person_facts.get(person.id)
    if facts is None:
        return []
    mentored: dict[int, int] = defaultdict(int)
    for ms in src.mentorships.get(person.id, []):
        if ms.model_id:
            mentored[ms.model_id] += 1
    out = []
    for mf in facts.models:
        dm = src.model_by_code.get(mf.code)
        if dm is None:
            continue
        owner = src.units[dm.owner_unit_id].name if dm.owner_unit_id in src.units else ""
        of = f" của {owner}" if owner else ""
        if dm.id in mentored:
            text = (f"Là “Đại sứ số” trong mô hình “{dm.name}”{of}, trực tiếp kèm cặp "
                    f"{vf.vn_count(mentored[dm.id])} người học")
        else:
            text = f"Tham gia triển khai mô hình “{dm.name}”{of}"
        rec = _recognition_phrase(src, dm)
        if rec:
            text += f"; {rec}"
        out.append(text + ".")
    return out
