"""The award decision (Quyết định khen thưởng): from the council's approved (locked) candidates,
one decision per granting authority.

    plan = decision_plan(db, award_code="GK_CT_UBND")     # who it awards, by which authority
    path = draft_decision(db, out_dir, award_code=...)      # "DỰ THẢO", no number; changes nothing
    outcome = issue_decision(db, number="15", date=dt.date(2026, 12, 20), out_dir=..., award_code=...)
    list_decisions(db)                                      # decisions issued here, from the register

Issuing is one transaction: every candidate moves to "issued" and gets its entry in the award
register (services/awards.py), with a chained audit entry; any failure leaves neither. The
document is rendered (and checked) before the transaction and written atomically inside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.documents.context import DocumentNumber
from bdhvs_desktop.documents.decision_context import Awardee, DecisionContext, PrizeLine
from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import clean, fold, slug
from bdhvs_desktop.services import audit, form08
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services import dossier as dossier_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council import COUNCIL_LOCK
from bdhvs_desktop.services.dossier import load_checked_form_set, load_settings
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize

FORM_KEY = "quyet_dinh"
#: Statuses a locked, approved candidate may be in before its decision (the dossier moves
#: approved candidates to "issued" when it is made; the register tells whether it was awarded).
READY_STATUSES = (vocab.CandidateStatus.APPROVED.value, vocab.CandidateStatus.ISSUED.value)


class DecisionError(ServiceError):
    """The decision cannot be made; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class DecisionCandidate:
    id: int
    version: int
    subject_type: str
    name: str
    position_unit: str
    award_code: str
    award_name: str
    level: str
    achievement: str
    prize_amount: int | None


@dataclass(frozen=True)
class DecisionPlan:
    authority: str
    format: str  # party | state
    award_codes: tuple[str, ...]
    collectives: tuple[DecisionCandidate, ...]
    individuals: tuple[DecisionCandidate, ...]

    @property
    def candidates(self) -> tuple[DecisionCandidate, ...]:
        return self.collectives + self.individuals


@dataclass(frozen=True)
class IssueOutcome:
    number: str
    symbol: str
    date: dt.date
    authority: str
    candidate_ids: tuple[int, ...]
    award_ids: tuple[int, ...]
    path: Path | None


@dataclass(frozen=True)
class DecisionSummary:
    number: str
    date: dt.date | None
    authority: str
    collectives: int
    individuals: int
    award_ids: tuple[int, ...]
    candidate_ids: tuple[int, ...]


# ----------------------------------------------------------------------- candidates


def _campaign(s: Session) -> m.Campaign:
    c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    if c is None:
        raise DecisionError("Chưa có phong trào trong cơ sở dữ liệu (chạy 'bdhvs init' hoặc 'bdhvs demo').")
    return c


def _name(c: m.Candidate) -> str:
    if c.subject_type == "unit":
        return c.unit.name if c.unit else f"(tập thể #{c.unit_id})"
    return c.person.full_name if c.person else f"(cá nhân #{c.person_id})"


def _position_unit(c: m.Candidate) -> str:
    if c.subject_type == "unit":
        return c.unit.parent.name if c.unit and c.unit.parent else ""
    p = c.person
    return ", ".join(x for x in ((p.position or "") if p else "", p.unit.name if p and p.unit else "") if x)


def _awarded_ids(s: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(s.scalars(select(m.AwardRecord.candidate_id).where(m.AwardRecord.candidate_id.in_(ids))))


def _refuse_reason(c: m.Candidate, awarded: set[int]) -> str | None:
    if c.id in awarded:
        return "đã có quyết định khen thưởng (đã ghi vào sổ khen thưởng)"
    if c.status not in READY_STATUSES:
        label = vocab.CANDIDATE_STATUS_LABELS.get(vocab.CandidateStatus(c.status), c.status)
        return f"chưa được Hội đồng thông qua (trạng thái: {label.lower()})"
    if not c.locked:
        return "kết quả chưa được khóa (Hội đồng chưa ra quyết định, hoặc đã mở lại)"
    if c.award_form is None:
        return "chưa chọn hình thức khen thưởng"
    return None


def _results(db: Database, at: dt.date):
    """The figures the achievements are drafted from (the same as the dossier's Form 08)."""

    return at, form08.compute_results(db, at)


def _achievement(s: Session, c: m.Campaign, cand: m.Candidate, results) -> str:
    """The achievement line of the list: the summary the Tờ trình printed (what the secretary
    wrote, or the narrative drafted from the records; never a score)."""
    if results is None:
        return cand.summary or ""

    at, figures = results
    src = s.info.get("_decision_src")
    if src is None:
        src = s.info["_decision_src"] = form08.load_source(s, c, at, *figures)
    return form08.effective_texts(src, cand)[0].get("summary", "") or cand.summary or ""


def _plan(s: Session, *, award_code: str | None, candidate_ids: list[int] | None, results=None) -> DecisionPlan:
    c = _campaign(s)
    if candidate_ids:
        rows = []
        for cid in candidate_ids:
            cand = s.get(m.Candidate, cid)
            if cand is None:
                raise DecisionError(f"Không tìm thấy hồ sơ đề nghị số {cid}.")
            rows.append(cand)
        awarded = _awarded_ids(s, [x.id for x in rows])
        bad = [f"{_name(x)} (hồ sơ số {x.id}): {_refuse_reason(x, awarded)}" for x in rows
               if _refuse_reason(x, awarded)]
        if bad:
            raise DecisionError("Chỉ hồ sơ đã được Hội đồng thông qua và khóa mới được ra quyết định khen thưởng:\n"
                                + "\n".join(f"  - {b}" for b in bad))
    else:
        rows = list(s.scalars(select(m.Candidate).where(m.Candidate.campaign_id == c.id,
                                                        m.Candidate.status.in_(READY_STATUSES),
                                                        m.Candidate.locked.is_(True))))
        awarded = _awarded_ids(s, [x.id for x in rows])
        rows = [x for x in rows if _refuse_reason(x, awarded) is None]
    if award_code:
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == award_code))
        if form is None:
            codes = ", ".join(s.scalars(select(m.AwardForm.code).order_by(m.AwardForm.id)))
            raise DecisionError(f"Không có hình thức khen thưởng mã “{award_code}”. Các mã có sẵn: {codes}.")
        authority = form.issuer or form.name
        rows = [x for x in rows if (x.award_form.issuer or x.award_form.name) == authority]
    if not rows:
        raise DecisionError("Không có hồ sơ nào đã được Hội đồng thông qua (đã khóa) mà chưa có quyết định khen "
                            "thưởng" + (f" theo hình thức {award_code}" if award_code else "") + ".")
    authorities = Counter(x.award_form.issuer or x.award_form.name for x in rows)
    if len(authorities) > 1:
        by_auth: dict[str, set[str]] = {}
        for x in rows:
            by_auth.setdefault(x.award_form.issuer or x.award_form.name, set()).add(x.award_form.code)
        listing = "; ".join(f"{a}: {', '.join(sorted(codes))}" for a, codes in by_auth.items())
        raise DecisionError("Các hồ sơ được thông qua thuộc thẩm quyền của nhiều cơ quan khen thưởng; mỗi cơ quan ra "
                            f"một quyết định. Hãy chọn hình thức khen thưởng (--award): {listing}.")
    authority = next(iter(authorities))

    rows.sort(key=lambda x: (x.subject_type != "unit", fold(_name(x)), _name(x), x.id))
    items = [DecisionCandidate(
        id=x.id, version=x.version, subject_type=x.subject_type, name=_name(x), position_unit=_position_unit(x),
        award_code=x.award_form.code, award_name=x.award_form.name, level=x.award_form.level or "ward",
        achievement=_achievement(s, c, x, results), prize_amount=x.award_form.prize_amount) for x in rows]
    s.info.pop("_decision_src", None)
    return DecisionPlan(authority=authority, format=_format_of(c, rows[0].award_form, authority),
                        award_codes=tuple(sorted({i.award_code for i in items})),
                        collectives=tuple(i for i in items if i.subject_type == "unit"),
                        individuals=tuple(i for i in items if i.subject_type == "person"))


def _format_of(c: m.Campaign, form: m.AwardForm, authority: str) -> str:
    """State or party format: the form set's word first, as the dossier routes the Tờ trình
    (services.dossier._authority), else what the authority's name says."""
    info = ((c.details or {}).get("award_forms") or {}).get(form.code) or {}
    fmt = info.get("authority")
    return fmt if fmt in ("state", "party") else rules.authority_format(authority)


def decision_plan(db: Database, *, award_code: str | None = None,
                  candidate_ids: list[int] | None = None) -> DecisionPlan:
    with db.read() as s:
        return _plan(s, award_code=award_code, candidate_ids=candidate_ids)


# ------------------------------------------------------------------------- document


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


def _context(s: Session, plan: DecisionPlan, *, number: str | None, date: dt.date | None, draft: bool,
             signer_name: str, signer_title: str, executors: str | None):
    c = _campaign(s)
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


def _form_set(db: Database):
    fs = load_checked_form_set(load_settings(db).form_set)
    if FORM_KEY not in fs.forms:
        raise DecisionError(f"Bộ mẫu “{fs.name}” chưa có mẫu Quyết định khen thưởng ([forms.{FORM_KEY}] trong "
                            "manifest.toml); thêm mẫu này hoặc dùng bộ mẫu có sẵn của chương trình.")
    return fs


def _file_name(ctx, draft: bool) -> str:
    base = "quyet-dinh-khen-thuong"
    if ctx.number.number:
        base += "-so-" + slug(str(ctx.number.number), 20)
    return base + ("-du-thao" if draft else "") + ".docx"


def draft_decision(db: Database, out_dir: Path | str, *, award_code: str | None = None,
                   candidate_ids: list[int] | None = None, signer_name: str = "", signer_title: str = "",
                   executors: str | None = None) -> Path:
    """Write the decision marked "DỰ THẢO", with blanks for its number and date; changes nothing."""
    fs = _form_set(db)
    results = _results(db, dt.date.today())
    with db.read() as s:
        plan = _plan(s, award_code=award_code, candidate_ids=candidate_ids, results=results)
        ctx = _context(s, plan, number=None, date=None, draft=True, signer_name=signer_name,
                       signer_title=signer_title, executors=executors)
    from bdhvs_desktop.documents.render import render_document  # lazy: start-up

    data = render_document(fs, ctx, form_key=FORM_KEY)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(out / _file_name(ctx, True), data)


def _check_number(number: str) -> str:
    number = clean(number)
    if not number:
        raise DecisionError("Chưa nhập số quyết định.")
    if not number.isdigit() or len(number) > 6 or int(number) == 0:
        raise DecisionError(f"Số quyết định “{number}” phải là số thứ tự (chỉ gồm chữ số, ví dụ 15); ký hiệu "
                            "QĐ-UBND hoặc QĐ/ĐU được thêm theo thể thức.")
    return f"{int(number):02d}"  # numbers start at 01 (Decree 30/2020, HD 36)


def issue_decision(db: Database, *, number: str, date: dt.date, out_dir: Path | str | None = None,
                   award_code: str | None = None, candidate_ids: list[int] | None = None, signer_name: str = "",
                   signer_title: str = "", executors: str | None = None, today: dt.date | None = None) -> IssueOutcome:
    """Enter the decision's number and date: in one transaction every candidate becomes "issued"
    and is recorded in the award register; the document (if *out_dir*) is written atomically
    inside that transaction, after it was rendered and checked."""
    require_role(db, "secretary", action="ban hành quyết định khen thưởng")
    number = _check_number(number)
    today = today or dt.date.today()
    if date > today + dt.timedelta(days=31):
        raise DecisionError(f"Ngày quyết định {rules.vn_date(date)} ở quá xa trong tương lai.")
    fs = _form_set(db) if out_dir is not None else None
    results = _results(db, min(date, today))
    with db.read() as s:
        plan = _plan(s, award_code=award_code, candidate_ids=candidate_ids, results=results)
        ctx = _context(s, plan, number=number, date=date, draft=False, signer_name=signer_name,
                       signer_title=signer_title, executors=executors)
        dup = s.scalar(select(m.AwardRecord.id).where(m.AwardRecord.decision_number == ctx.number_symbol,
                                                      m.AwardRecord.decision_date >= dt.date(date.year, 1, 1),
                                                      m.AwardRecord.decision_date <= dt.date(date.year, 12, 31),
                                                      m.AwardRecord.granting_authority == plan.authority))
        if dup is not None:
            raise DecisionError(f"Số quyết định {ctx.number_symbol} năm {date.year} của {plan.authority} đã được "
                                "dùng (đã có trong sổ khen thưởng); kiểm tra lại số.")
    data = None
    if fs is not None:
        from bdhvs_desktop.documents.render import render_document  # lazy: start-up

        data = render_document(fs, ctx, form_key=FORM_KEY)
    symbol = ctx.number_symbol
    path: Path | None = None
    with db.session() as s:
        serialize(s, COUNCIL_LOCK)  # two issues at once on PostgreSQL: the second sees the first's result
        c = _campaign(s)
        ids = [i.id for i in plan.candidates]
        # Read again inside the write transaction: nobody reopened or issued them meanwhile.
        current = {x.id: x for x in s.scalars(select(m.Candidate).where(m.Candidate.id.in_(ids)))}
        awarded = _awarded_ids(s, ids)
        for item in plan.candidates:
            cand = current.get(item.id)
            reason = "không còn trong cơ sở dữ liệu" if cand is None else _refuse_reason(cand, awarded)
            if reason or cand.version != item.version:
                raise DecisionError(f"{item.name} (hồ sơ số {item.id}) vừa thay đổi trên máy khác"
                                    f"{': ' + reason if reason else ''}; chưa ghi gì, hãy thử lại.")
        award_ids = []
        for item in plan.candidates:
            cand = current[item.id]
            old = cand.status
            if cand.status != vocab.CandidateStatus.ISSUED.value:
                cand.status = vocab.CandidateStatus.ISSUED.value
            cand.decided_at = cand.decided_at or m.utcnow()
            p = cand.person
            rec = awards_service.add_in_session(s, awards_service.AwardData(
                subject_type=cand.subject_type, subject_name=item.name, award_name=item.award_name,
                award_code=item.award_code, level=item.level, kind=vocab.AwardKind.CAMPAIGN.value,
                decision_number=symbol, decision_date=date, granting_authority=plan.authority,
                campaign_id=c.id, campaign_text=ctx.campaign_name, achievement=item.achievement or None,
                prize_amount=item.prize_amount, source=vocab.AwardSource.ISSUED.value,
                person_id=cand.person_id, unit_id=cand.unit_id, candidate_id=cand.id,
                cccd=p.cccd if p is not None else None,
                unit_code=cand.unit.code if cand.unit is not None else None,
                unit_name=(p.unit.name if p is not None and p.unit else (cand.unit.name if cand.unit else None)),
                position=p.position if p is not None else None),
                user=db.user, today=today, note=f"Quyết định số {symbol} ngày {rules.vn_date(date)}")
            award_ids.append(rec.id)
            audit.record(s, user=db.user, action="status", entity="candidate", entity_id=cand.id, field="status",
                         old=old, new=vocab.CandidateStatus.ISSUED.value,
                         note=f"Quyết định khen thưởng số {symbol} ngày {rules.vn_date(date)}", chained=True)
        audit.record(s, user=db.user, action="decision", entity="decision", entity_id=None,
                     new={"number": symbol, "date": date, "authority": plan.authority, "candidates": ids},
                     note=f"Ban hành Quyết định số {symbol} ngày {rules.vn_date(date)}: "
                          f"{len(plan.collectives)} tập thể, {len(plan.individuals)} cá nhân", chained=True)
        s.flush()
        if data is not None:
            out = Path(out_dir)  # type: ignore[arg-type]
            out.mkdir(parents=True, exist_ok=True)
            path = atomic_write_bytes(out / _file_name(ctx, False), data)
            s.add(m.GeneratedDocument(kind="quyet_dinh", path=str(path), sha256=_sha256(data), form_set=fs.name,
                                      draft=False, created_by=db.user))
    return IssueOutcome(number=number, symbol=symbol, date=date, authority=plan.authority,
                        candidate_ids=tuple(i.id for i in plan.candidates), award_ids=tuple(award_ids), path=path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def list_decisions(db: Database) -> list[DecisionSummary]:
    """The decisions issued in this program, from the register, newest first."""
    with db.read() as s:
        groups: dict[tuple, list[m.AwardRecord]] = {}
        for r in s.scalars(select(m.AwardRecord).where(m.AwardRecord.source == vocab.AwardSource.ISSUED.value)
                           .order_by(m.AwardRecord.id)):
            groups.setdefault((r.decision_number or "", r.decision_date, r.granting_authority or ""), []).append(r)
        out = [DecisionSummary(number=k[0], date=k[1], authority=k[2],
                               collectives=sum(1 for r in v if r.subject_type == "unit"),
                               individuals=sum(1 for r in v if r.subject_type == "person"),
                               award_ids=tuple(r.id for r in v),
                               candidate_ids=tuple(r.candidate_id for r in v if r.candidate_id is not None))
               for k, v in groups.items()]
        return sorted(out, key=lambda d: (d.date or dt.date.min, d.number), reverse=True)
