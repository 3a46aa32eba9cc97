"""Who signs and confirms a Form 08 (the unit's head, the individual's confirmer) and the
required fields a final report must not leave empty."""

from __future__ import annotations

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain.text import name_key
from bdhvs_desktop.services.form08.source import Source
from bdhvs_desktop.storage import models as m


def _is_same_person(person: m.Person, head_name: str | None) -> bool:
    return bool(head_name) and name_key(head_name) == name_key(person.full_name)


def unit_head_issuer(unit: m.Unit, fmt: str, place: str, parent_name: str = "") -> dc.Issuer:
    title = (unit.head_title or ("BÍ THƯ" if unit.is_party_org else "THỦ TRƯỞNG ĐƠN VỊ")).upper()
    return dc.Issuer(format=fmt, name=unit.name.upper(), abbreviation="ĐV", place=place, parent_name=parent_name,
                     signer_title=title, signer_name=(unit.head_name or "").strip(), name_in_text=unit.name)


def individual_confirmer(src: Source, person: m.Person, fallback: dc.Issuer) -> dc.Issuer:
    """The head of the person's unit confirms the report; a head never confirms their own:
    then the head of the unit above, up to the ward's signer."""
    for uid in src.ancestors(person.unit_id):
        unit = src.units[uid]
        if not _is_same_person(person, unit.head_name):
            return unit_head_issuer(unit, fallback.format, fallback.place)
    return fallback


def missing_fields(ctx: dc.AchievementContext) -> list[str]:
    """The required fields of a Form 08 with no data (a final dossier is refused on them)."""
    out = []
    if ctx.is_collective:
        c = ctx.collective
        for label, value in (("địa điểm trụ sở chính", c.address), ("cơ cấu tổ chức", c.structure),
                             ("chức năng, nhiệm vụ", c.functions)):
            if _empty(value):
                out.append(label)
        if not ctx.issuer.signer_name:
            out.append(f"họ tên người ký báo cáo ({ctx.issuer.signer_title.capitalize() or 'thủ trưởng đơn vị'})")
        if ctx.confirmer is not None and not ctx.confirmer.signer_name:
            out.append("họ tên người ký xác nhận của cấp trình khen thưởng (thiết lập người ký hồ sơ)")
    else:
        i = ctx.individual
        for label, value in (("ngày, tháng, năm sinh", i.birth_date_text), ("quê quán", i.home_town),
                             ("nơi thường trú", i.residence), ("nghề nghiệp", i.occupation),
                             ("chức vụ", i.position), ("đơn vị công tác", i.unit)):
            if _empty(value):
                out.append(label)
        if ctx.confirmer is not None and not ctx.confirmer.signer_name:
            who = ctx.confirmer.name_in_text or ctx.confirmer.text_name
            out.append(f"họ tên thủ trưởng đơn vị xác nhận ({who})")
    for label, value in (("các biện pháp, giải pháp đã thực hiện", ctx.measures),
                         ("bài học kinh nghiệm", ctx.lessons)):
        if _empty(value):
            out.append(label)
    return out


def _empty(value: str | None) -> bool:
    return not value or not value.strip() or value.strip() == vf.BLANK_FIELD
