"""Every document's context for a dossier: the Tờ trình and its lists, each Form 08 (built in
achievement.py), the minutes, checked by counts.py before anything is generated."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import object_session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services.dossier.achievement import _achievement
from bdhvs_desktop.services.dossier.candidates import _candidates
from bdhvs_desktop.services.dossier.common import (
    ISSUED_STATUSES,
    DossierContexts,
    DossierError,
    DossierSettings,
    MinutesDocument,
    _campaign,
    _status_label,
    _subject_name,
)
from bdhvs_desktop.services.dossier.counts import check_counts
from bdhvs_desktop.services.dossier.issuers import _authority, _proposer
from bdhvs_desktop.services.dossier.minutes import _minutes_documents
from bdhvs_desktop.services.dossier.settings import _read_settings
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def build_contexts(db: Database, *, draft: bool = False, at: dt.date | None = None,
                   settings: DossierSettings | None = None) -> DossierContexts:
    """The three kinds of context, from the records as of *at* (default today)."""
    from bdhvs_desktop.services import form08  # lazy: cycle dossier↔form08

    at = at or dt.date.today()
    # Every Form 08 figure comes from these two (the numbers of `bdhvs status` / `bdhvs score`).
    results_at = form08.compute_results(db, at)
    with db.read() as s:
        c = _campaign(s)
        st = settings or _read_settings(s)
        cands = _candidates(s, c.id, draft)
        if not cands:
            raise DossierError(
                "Chưa có ứng viên nào được Hội đồng thông qua; không có gì để lập hồ sơ. "
                "Dùng --draft (bản dự thảo) để lập hồ sơ cho các ứng viên đã đề nghị."
                if not draft else "Chưa có ứng viên nào được đề nghị khen thưởng.")
        src = form08.load_source(s, c, at, *results_at)
        texts = {x.id: form08.effective_texts(src, x)[0] for x in cands}
        dossier = (c.details or {}).get("dossier") or {}
        campaign_name = dossier.get("campaign_title") or c.name
        if campaign_name and not campaign_name[0].isupper():
            campaign_name = campaign_name[0].upper() + campaign_name[1:]
        date = (st.date or at) if not draft else None
        notes: list[str] = []
        has_council = s.scalar(select(m.CouncilMember.id).where(m.CouncilMember.campaign_id == c.id,
                                                                m.CouncilMember.active.is_(True)).limit(1))
        if has_council is None and not draft:
            raise DossierError("Chưa có thành viên Hội đồng Thi đua - Khen thưởng; hãy nhập danh sách Hội đồng "
                               "(hoặc lập bản dự thảo với --draft: bản dự thảo không có Biên bản họp xét).")
        minutes_docs, _citations = _minutes_documents(s, c, st, cands, campaign_name, draft, at)
        if has_council is None and not any(d.meeting_id is None for d in minutes_docs):
            notes.append("Chưa có thành viên Hội đồng Thi đua - Khen thưởng: bản dự thảo không có Biên bản họp xét "
                         "(bien-ban-hop-xet.docx) cho các ứng viên chưa được họp xét; Tờ trình và Báo cáo thành "
                         "tích vẫn được lập.")
        authorities = {x.id: _authority(c, x.award_form) for x in cands}
        chair_name = next((d.context.chair.name for d in reversed(minutes_docs) if d.context.chair.name), "")
        # The party office's head, as the latest minutes list him among the council's members.

        office_head = next((x.name for d in reversed(minutes_docs) for x in d.context.members
                            if fold(x.position or "").startswith("chanh van phong")), "")
        # One Tờ trình per granting authority: each goes to its own recipient with its own list.
        groups: dict[tuple[str, str], list[m.Candidate]] = {}
        for x in cands:
            a = authorities[x.id]
            groups.setdefault((a.format, a.name), []).append(x)
        order = sorted(groups, key=lambda k: (not authorities[groups[k][0].id].own_level, k[0] != "state",
                                              fold(k[1])))
        if st.recipient and len(order) > 1:
            raise DossierError(f"Hồ sơ có {len(order)} Tờ trình gửi {len(order)} cấp có thẩm quyền khác nhau ("
                               + "; ".join(k[1] for k in order) + "), nên không dùng một “Kính gửi” chung "
                               f"(“{st.recipient}”). Xóa thiết lập: bdhvs dossier settings --recipient \"\".")
        from bdhvs_desktop.documents.dossier_writer import SUBMISSION_FILE, slugify  # lazy: start-up

        submissions: list[tuple[str, dc.SubmissionContext]] = []
        proposers: dict[int, dc.Issuer] = {}
        for key in order:
            group = groups[key]
            auth = authorities[group[0].id]
            proposer = _proposer(c, st, auth, chair_name, office_head)
            for x in group:
                proposers[x.id] = proposer
            citations = _citations_for(minutes_docs, group)
            awards = {x.award_form.name for x in group if x.award_form}
            name = SUBMISSION_FILE if len(order) == 1 else \
                f"{SUBMISSION_FILE.removesuffix('.docx')}-{slugify(auth.name, 40)}.docx"
            submission = dc.SubmissionContext(
                issuer=proposer, number=dc.DocumentNumber(kind="TTr", number=st.number or None), date=date,
                recipient=st.recipient or auth.recipient, campaign_name=campaign_name,
                collectives=tuple(_nominee(x, draft, texts[x.id].get("summary", "")) for x in group
                                  if x.subject_type == "unit"),
                individuals=tuple(_nominee(x, draft, texts[x.id].get("summary", "")) for x in group
                                  if x.subject_type != "unit"),
                legal_bases=tuple(f"Căn cứ {ref.rstrip(';. ')};" for ref in dossier.get("plan_ref") or ()),
                award_name=awards.pop() if len(awards) == 1 else "", body="\n".join(x.summary for x in citations),
                recipients=("Như trên;", f"Lưu: VT, {proposer.abbreviation}."), draft=draft,
                meetings=tuple(citations))
            submissions.append((name, submission))
        if not draft:
            check_counts([x for _n, x in submissions], minutes_docs)
        built = [_achievement(src, c, st, x, campaign_name, date, draft, texts[x.id],
                              fmt=authorities[x.id].format, confirmer=proposers[x.id]) for x in cands]
        missing = tuple(f"{ctx.name}: {field}" for ctx, fields in built for field in fields)
        return DossierContexts(submission=submissions[0][1], minutes_docs=tuple(minutes_docs),
                               achievements=tuple(ctx for ctx, _ in built),
                               candidate_ids=tuple(x.id for x in cands), submissions=tuple(submissions),
                               notes=tuple(notes), missing=missing)


def _citations_for(minutes_docs: list[MinutesDocument], cands: list[m.Candidate]) -> list[dc.MeetingCitation]:
    """The meetings whose approvals of *cands* a Tờ trình carries, with their minutes' counts."""
    by_meeting: dict[int, list[m.Candidate]] = defaultdict(list)
    for cand in cands:
        if cand.meeting_id is not None and cand.status in ISSUED_STATUSES:
            by_meeting[cand.meeting_id].append(cand)
    out = []
    for doc in minutes_docs:
        carried = by_meeting.get(doc.meeting_id, []) if doc.meeting_id is not None else []
        if not carried or doc.context.start is None:
            continue
        ctx = doc.context
        out.append(dc.MeetingCitation(
            council_name=ctx.council_name, date=ctx.start.date(),
            minutes_symbol=ctx.number.symbol(ctx.issuer) if ctx.number.number else "",
            present=len(ctx.present_members), total=len(ctx.members), voting_method=ctx.voting_method,
            collectives=sum(1 for x in carried if x.subject_type == "unit"),
            individuals=sum(1 for x in carried if x.subject_type != "unit")))
    return out


def _nominee(cand: m.Candidate, draft: bool, summary: str) -> dc.Nominee:
    if cand.subject_type == "unit":
        parent = cand.unit.parent.name if cand.unit and cand.unit.parent else ""
        pos_unit = parent
    else:
        p = cand.person
        pos_unit = ", ".join(x for x in ((p.position or "") if p else "", p.unit.name if p and p.unit else "") if x)
    note = "; ".join(x for x in (_status_label(cand.status) if draft else "", _carried_note(cand)) if x)
    return dc.Nominee(name=_subject_name(cand), position_unit=pos_unit,
                      award=cand.award_form.name if cand.award_form else "", achievement_summary=summary,
                      note=note)


def _carried_note(cand: m.Candidate) -> str:
    """A proposal to a higher level carries the ward's award of this campaign (from the register)."""


    form = cand.award_form
    s = object_session(cand)
    if form is None or (form.level or "ward") in ("ward", "unit") or s is None:
        return ""
    award = awards_service.carried_award(s, subject_type=cand.subject_type,
                                         subject_id=(cand.unit_id if cand.subject_type == "unit" else cand.person_id),
                                         campaign_id=cand.campaign_id, level=form.level or "ward")
    return f"Đã được tặng {award.award_name} ({award.decision_ref})" if award else ""
