"""The award decision's document (Quyết định khen thưởng, .docx): the granting authority's heading,
symbol and signature (party or state format), the legal bases with the Tờ trình it answers, the
lists of collectives and individuals and the prizes, rendered with the office's form set.

    path = draft_decision(db, out_dir, award_code=...)      # "DỰ THẢO", no number; changes nothing"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.documents.context import DocumentNumber
from bdhvs_desktop.documents.decision_context import Awardee, DecisionContext, PrizeLine
from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain.text import clean, fold, slug
from bdhvs_desktop.services import dossier as dossier_service
from bdhvs_desktop.services.decision_candidates import (
    DecisionCandidate,
    DecisionError,
    DecisionPlan,
    build_plan,
    campaign_of,
    plan_results,
)
from bdhvs_desktop.services.dossier import load_checked_form_set, load_settings
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

FORM_KEY = "quyet_dinh"


def _strip_prefix(text: str, *prefixes: str) -> str:
    low = text.lower()
    for p in prefixes:
        if low.startswith(p.lower()):
            return text[len(p):].strip()
    return text


def _upper(text: str) -> str:
    return clean(text).upper()


def authority_issuer(c: m.Campaign, authority: str, *, signer_name: str = "", signer_title: str = "",
                     fmt: str | None = None):
    """The heading, symbol and signature of the granting authority (party or state format)."""

    header = (c.details or {}).get("preset") or {}
    place = c.locality or ""
    fmt = fmt or rules.authority_format(authority)
    if fmt == "party":
        body = _strip_prefix(authority, "Ban Thường vụ ", "Ban Thường Vụ ", "Ban Chấp hành ")
        ward_party = clean(header.get("issuer_party") or "")
        name = _upper(body)
        parent = ""
        if ward_party and name == ward_party:
            parent = clean(header.get("issuer_party_parent") or "")
        elif "tỉnh ủy" not in body.lower() and "tỉnh uỷ" not in body.lower() and c.province:
            parent = f"ĐẢNG BỘ TỈNH {_upper(c.province)}"
        abbrev = "TU" if ("tỉnh ủy" in body.lower() or "tỉnh uỷ" in body.lower()) else "ĐU"
        authority_line = _upper(authority)
        collective = authority.lower().startswith("ban ")
        return dc.Issuer(format="party", name=name, abbreviation=abbrev, place=place, parent_name=parent,
                         signer_authority="T/M BAN THƯỜNG VỤ" if collective else "",
                         signer_title=(signer_title or "BÍ THƯ").upper(), signer_name=signer_name,
                         name_in_text=authority), authority_line
    body = _strip_prefix(authority, "Chủ tịch ")
    in_person = body != authority
    name = _upper(body)
    for lead in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "):
        if name.startswith(lead):
            name = lead.strip() + "\n" + name[len(lead):]
            break
    return dc.Issuer(format="state", name=name, abbreviation="UBND", place=place,
                     signer_authority="" if in_person else "TM. ỦY BAN NHÂN DÂN",
                     signer_title=(signer_title or "CHỦ TỊCH").upper(), signer_name=signer_name,
                     name_in_text=authority), _upper(authority)


def _submission_ref(s: Session, c: m.Campaign, authority: str, fmt: str) -> str:
    """"Xét đề nghị của … tại Tờ trình số … ngày …" for the Tờ trình this decision answers.

    The proposer is the one the dossier's routing sends that Tờ trình from (services.dossier:
    the council or its standing office for an award of the campaign's own level, the ward for a
    higher one), so the decision cites the Tờ trình that was really printed."""

    st = dossier_service._read_settings(s)
    loc = c.locality_full or c.locality or ""
    auth = dossier_service.Authority(format=fmt, name=authority, recipient=authority,
                                     own_level=bool(loc) and fold(loc) in fold(authority))
    try:
        sender = dossier_service._proposer(c, st, auth, "")
        proposer, abbrev = sender.text_name, sender.abbreviation
    except dossier_service.DossierError:  # settings that cannot route it: the council proposes
        proposer, abbrev = f"Hội đồng Thi đua - Khen thưởng {loc}".strip(), "HĐTĐKT"
    last = s.scalar(select(m.GeneratedDocument.created_at).where(m.GeneratedDocument.kind == "to_trinh",
                                                                 m.GeneratedDocument.draft.is_(False))
                    .order_by(m.GeneratedDocument.id.desc()).limit(1))
    number = vn_format.document_symbol(st.number or None, "TTr", abbrev, fmt)
    date = vn_format.vn_short_date(last.date() if last else None)
    return f"Xét đề nghị của {proposer} tại Tờ trình số {number} ngày {date}."


def decision_context(s: Session, plan: DecisionPlan, *, number: str | None, date: dt.date | None, draft: bool,
             signer_name: str, signer_title: str, executors: str | None):
    c = campaign_of(s)
    issuer, authority_line = authority_issuer(c, plan.authority, signer_name=signer_name, signer_title=signer_title,
                                               fmt=plan.format)
    dossier = (c.details or {}).get("dossier") or {}
    campaign_name = dossier.get("campaign_title") or c.name
    campaign_name = campaign_name[0].upper() + campaign_name[1:] if campaign_name else ""
    bases = [f"Căn cứ {ref.rstrip(';. ')};" for ref in dossier.get("plan_ref") or ()]
    bases.append(_submission_ref(s, c, plan.authority, plan.format))

    def row(i: DecisionCandidate) -> Awardee:
        return Awardee(name=i.name, position_unit=i.position_unit, award=i.award_name, achievement=i.achievement,
                       prize_text=rules.vn_money(i.prize_amount) if i.prize_amount else "")

    prizes = []
    for code in plan.award_codes:
        group = [i for i in plan.candidates if i.award_code == code and i.prize_amount]
        if group:
            amount = group[0].prize_amount or 0
            prizes.append(PrizeLine(award=group[0].award_name, amount_text=rules.vn_money(amount),
                                    collective_count=sum(1 for i in group if i.subject_type == "unit"),
                                    individual_count=sum(1 for i in group if i.subject_type == "person"),
                                    total_text=rules.vn_money(sum(i.prize_amount or 0 for i in group))))
    names = {i.award_name for i in plan.candidates}
    last_article = "Điều 3" if prizes else "Điều 2"
    if executors is None:
        if plan.format == "party":
            executors = ("Văn phòng Đảng ủy, các tổ chức đảng, cơ quan, đơn vị có liên quan và các tập thể, cá nhân "
                         "có tên tại Điều 1 căn cứ Quyết định thi hành.")
        else:
            executors = ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân, Thủ trưởng các cơ quan, đơn vị có liên quan "
                         "và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.")
    recipients = (f"Như {last_article};", f"Hội đồng Thi đua - Khen thưởng {c.locality_full or ''};".replace(" ;", ";"),
                  f"Lưu: VT{', VPĐU' if plan.format == 'party' else ', VP'}.")
    return DecisionContext(
        issuer=issuer, number=DocumentNumber(kind="QĐ", number=number or None), date=date,
        authority_title=authority_line,
        subject=f"Về việc khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong thực hiện {campaign_name}",
        campaign_name=campaign_name, legal_bases=tuple(bases), award_name=names.pop() if len(names) == 1 else "",
        collectives=tuple(row(i) for i in plan.collectives), individuals=tuple(row(i) for i in plan.individuals),
        prizes=tuple(prizes),
        prize_source="Kinh phí khen thưởng chi từ Quỹ thi đua, khen thưởng theo quy định hiện hành." if prizes else "",
        executors=executors, recipients=recipients, draft=draft)


def decision_form_set(db: Database):
    fs = load_checked_form_set(load_settings(db).form_set)
    if FORM_KEY not in fs.forms:
        raise DecisionError(f"Bộ mẫu “{fs.name}” chưa có mẫu Quyết định khen thưởng ([forms.{FORM_KEY}] trong "
                            "manifest.toml); thêm mẫu này hoặc dùng bộ mẫu có sẵn của chương trình.")
    return fs


def decision_file_name(ctx, draft: bool) -> str:
    base = "quyet-dinh-khen-thuong"
    if ctx.number.number:
        base += "-so-" + slug(str(ctx.number.number), 20)
    return base + ("-du-thao" if draft else "") + ".docx"


def draft_decision(db: Database, out_dir: Path | str, *, award_code: str | None = None,
                   candidate_ids: list[int] | None = None, signer_name: str = "", signer_title: str = "",
                   executors: str | None = None) -> Path:
    """Write the decision marked "DỰ THẢO", with blanks for its number and date; changes nothing."""
    fs = decision_form_set(db)
    results = plan_results(db, dt.date.today())
    with db.read() as s:
        plan = build_plan(s, award_code=award_code, candidate_ids=candidate_ids, results=results)
        ctx = decision_context(s, plan, number=None, date=None, draft=True, signer_name=signer_name,
                       signer_title=signer_title, executors=executors)
    from bdhvs_desktop.documents.render import render_document  # lazy: start-up

    data = render_document(fs, ctx, form_key=FORM_KEY)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(out / decision_file_name(ctx, True), data)
