"""Who an award decision awards: the council's approved, locked candidates not yet in the award
register, for one granting authority (a decision per authority), with the achievement line each
one's Tờ trình printed.

    plan = decision_plan(db, award_code="GK_CT_UBND")     # who it awards, by which authority"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services import form08
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

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


def campaign_of(s: Session) -> m.Campaign:
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


def awarded_ids(s: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(s.scalars(select(m.AwardRecord.candidate_id).where(m.AwardRecord.candidate_id.in_(ids))))


def refuse_reason(c: m.Candidate, awarded: set[int]) -> str | None:
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


def plan_results(db: Database, at: dt.date):
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


def build_plan(s: Session, *, award_code: str | None, candidate_ids: list[int] | None, results=None) -> DecisionPlan:
    c = campaign_of(s)
    if candidate_ids:
        rows = []
        for cid in candidate_ids:
            cand = s.get(m.Candidate, cid)
            if cand is None:
                raise DecisionError(f"Không tìm thấy hồ sơ đề nghị số {cid}.")
            rows.append(cand)
        awarded = awarded_ids(s, [x.id for x in rows])
        bad = [f"{_name(x)} (hồ sơ số {x.id}): {refuse_reason(x, awarded)}" for x in rows
               if refuse_reason(x, awarded)]
        if bad:
            raise DecisionError("Chỉ hồ sơ đã được Hội đồng thông qua và khóa mới được ra quyết định khen thưởng:\n"
                                + "\n".join(f"  - {b}" for b in bad))
    else:
        rows = list(s.scalars(select(m.Candidate).where(m.Candidate.campaign_id == c.id,
                                                        m.Candidate.status.in_(READY_STATUSES),
                                                        m.Candidate.locked.is_(True))))
        awarded = awarded_ids(s, [x.id for x in rows])
        rows = [x for x in rows if refuse_reason(x, awarded) is None]
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
        return build_plan(s, award_code=award_code, candidate_ids=candidate_ids)
