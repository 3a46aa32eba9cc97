"""Issuing the award decision (Quyết định khen thưởng), and the decisions issued so far.

    outcome = issue_decision(db, number="15", date=dt.date(2026, 12, 20), out_dir=..., award_code=...)
    list_decisions(db)                                      # decisions issued here, from the register

Issuing is one transaction: every candidate moves to "issued" and gets its entry in the award
register (services/awards.py), with a chained audit entry; any failure leaves neither. The
document is rendered (and checked) before the transaction and written atomically inside it.
Who a decision awards: services/decision_candidates.py; its document, and the draft:
services/decision_document.py."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import clean
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council import COUNCIL_LOCK
from bdhvs_desktop.services.decision_candidates import (
    DecisionError,
    awarded_ids,
    build_plan,
    campaign_of,
    plan_results,
    refuse_reason,
)
from bdhvs_desktop.services.decision_document import FORM_KEY, decision_context, decision_file_name, decision_form_set
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize


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
    fs = decision_form_set(db) if out_dir is not None else None
    results = plan_results(db, min(date, today))
    with db.read() as s:
        plan = build_plan(s, award_code=award_code, candidate_ids=candidate_ids, results=results)
        ctx = decision_context(s, plan, number=number, date=date, draft=False, signer_name=signer_name,
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
        c = campaign_of(s)
        ids = [i.id for i in plan.candidates]
        # Read again inside the write transaction: nobody reopened or issued them meanwhile.
        current = {x.id: x for x in s.scalars(select(m.Candidate).where(m.Candidate.id.in_(ids)))}
        awarded = awarded_ids(s, ids)
        for item in plan.candidates:
            cand = current.get(item.id)
            reason = "không còn trong cơ sở dữ liệu" if cand is None else refuse_reason(cand, awarded)
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
            path = atomic_write_bytes(out / decision_file_name(ctx, False), data)
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
