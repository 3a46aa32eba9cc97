"""One Form 08 (achievement report) of a dossier's candidate: the collective's or the individual's
profile, figures and models from services.form08, the narrative saved on the candidate or drafted
from the records, and the required fields that have no data."""

from __future__ import annotations

import datetime as dt

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.dossier.common import (
    DossierError,
    DossierSettings,
)
from bdhvs_desktop.services.dossier.issuers import _unit_issuer, _ward_issuer
from bdhvs_desktop.storage import models as m


def _achievement(src, c: m.Campaign, st: DossierSettings, cand: m.Candidate, campaign_name: str,
                 date: dt.date | None, draft: bool, texts: dict[str, str], *, fmt: str | None = None,
                 confirmer: dc.Issuer | None = None) -> tuple[dc.AchievementContext, list[str]]:
    """One Form 08 from services.form08 (figures from the status and scoring services, the
    narrative saved on the candidate or drafted from the records); with the required fields
    that have no data."""
    from bdhvs_desktop.services import form08  # lazy: cycle dossier↔form08

    src = form08.for_candidate(src, cand)  # scored at the level of the award proposed
    award = cand.award_form.name if cand.award_form else ""
    common = dict(award=award, campaign_name=campaign_name, date=date, results=texts.get("results", ""),
                  measures=texts.get("measures", ""), lessons=texts.get("lessons", ""), draft=draft)
    if cand.subject_type == "unit":
        unit = cand.unit
        if unit is None:
            raise DossierError(f"Ứng viên #{cand.id}: không tìm thấy tập thể.")
        facts = src.unit_facts.get(unit.id)
        members = [p for uid in src.subtree(unit.id) for p in _people_of(src, uid)]
        party = sum(1 for p in members if p.is_party_member)
        servants = sum(1 for p in members if p.is_public_servant)
        parts = []  # of whom (they need not add up to the total): "trong đó 03 đảng viên; …"
        if party:
            parts.append(f"{vf.vn_count(party)} đảng viên")
        if servants:
            parts.append(f"{vf.vn_count(servants)} cán bộ, công chức, viên chức")
        if parts:
            parts[0] = f"trong đó {parts[0]}"
        structure = texts.get("structure", "").rstrip().rstrip(".")
        profile = dc.CollectiveProfile(address=unit.address or "", structure=structure,
                                       functions=texts.get("functions", ""),
                                       headcount=(facts.headcount if facts else len(members)) or None,
                                       headcount_detail="; ".join(parts), phone=unit.phone or "",
                                       vneid=form08.party_vneid(src, unit))
        own, related = form08.unit_models(src, unit)
        ctx = dc.AchievementContext(kind="collective", name=unit.name, issuer=_unit_issuer(c, st, unit, fmt),
                                    collective=profile, targets=tuple(form08.unit_target_rows(src, unit)),
                                    models=tuple(own), related_models=tuple(related),
                                    activities=tuple(form08.unit_activities(src, unit)),
                                    number=dc.DocumentNumber(kind="BC", number=None),
                                    confirmer=confirmer or _ward_issuer(c, st), **common)
        return ctx, form08.missing_fields(ctx)
    person = cand.person
    if person is None:
        raise DossierError(f"Ứng viên #{cand.id}: không tìm thấy cá nhân.")
    unit = src.units.get(person.unit_id) if person.unit_id else None
    facts = src.person_facts.get(person.id)
    sols = [dc.Solution(name=sol.title, description=sol.description or "",
                        applied_from=sol.applied_on if sol.applied else None,
                        effect=sol.effect or ("" if sol.applied else "Chưa áp dụng"))
            for sol in src.solutions.get(person.id, ())]
    classes = [dc.ClassTaught(topic=a.content or form08._ACTIVITY_NAMES.get(a.kind, a.kind), held_on=a.date,
                              place=src.units[a.unit_id].name if a.unit_id in src.units else "",
                              participants=a.participants)
               for a in src.activities if a.host_person_id == person.id]
    mentees = facts.mentees if facts else 0
    guided = max(facts.people_guided, facts.mentees) if facts else (person.people_guided or 0)
    vneid_on = facts.vneid_on if facts else person.vneid_proficient_on
    sex = vocab.SEX_LABELS.get(vocab.Sex(person.sex), "") if person.sex in ("M", "F") else ""
    profile = dc.IndividualProfile(
        sex=sex, birth_date=person.birth_date, home_town=person.home_town or "", residence=person.residence or "",
        unit=unit.name if unit else "", position=person.position or "", occupation=texts.get("occupation", ""),
        qualifications=person.qualifications or "",
        professional_level=texts.get("professional") or person.qualifications or "",
        political_theory=texts.get("political_theory", ""),
        vneid_proficient_on=vneid_on if vneid_on and vneid_on <= src.at else None,
        vneid_deadline=src.vneid_deadline, can_guide=bool(facts.can_guide if facts else person.can_guide),
        people_guided=guided,
        people_guided_detail=(f"trong đó {vf.vn_count(mentees)} người được kèm cặp theo mô hình “Đại sứ số”"
                              if mentees else ""),
        solutions=tuple(sols), classes_taught=tuple(classes))
    pos_unit = ", ".join(x for x in (person.position or "", unit.name if unit else "") if x)
    ctx = dc.AchievementContext(kind="individual", name=person.full_name, issuer=_unit_issuer(c, st, unit, fmt),
                                position_unit=pos_unit, individual=profile,
                                targets=tuple(form08.person_criteria_rows(src, person)),
                                related_models=tuple(form08.person_models(src, person)),
                                confirmer=form08.individual_confirmer(src, person, confirmer or _ward_issuer(c, st)), **common)
    return ctx, form08.missing_fields(ctx)


def _people_of(src, unit_id: int) -> list[m.Person]:
    return src.people_by_unit.get(unit_id, [])
