"""Every document's context for a dossier: the Tờ trình and its lists, each Form 08
(achievement report), the minutes, and the checks that their counts agree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import object_session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services import awards as awards_service
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
    vn_short,
)
from bdhvs_desktop.services.dossier.issuers import _authority, _proposer, _unit_issuer, _ward_issuer
from bdhvs_desktop.services.dossier.minutes import _minutes_documents
from bdhvs_desktop.services.dossier.settings import _read_settings
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


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


def check_counts(submission: dc.SubmissionContext | Sequence[dc.SubmissionContext],
                 minutes_docs: list[MinutesDocument] | tuple) -> None:
    """Refuse Tờ trình whose counts differ from the minutes they cite: members present and in
    total, collectives and individuals approved -- per meeting, summed over the Tờ trình when
    a meeting's approvals go to several authorities -- and each proposal's totals."""
    submissions = [submission] if isinstance(submission, dc.SubmissionContext) else list(submission)
    by_key = {(x.context.start.date() if x.context.start else None, x.context.number.symbol(x.context.issuer)
               if x.context.number.number else ""): x.context for x in minutes_docs}
    problems = []
    carried: dict[tuple, list[int]] = {}
    for sub in submissions:
        for cite in sub.meetings:
            key = (cite.date, cite.minutes_symbol)
            mins = by_key.get(key)
            where = f"Biên bản họp Hội đồng ngày {cite.date_text}" + (f" (số {cite.minutes_symbol})"
                                                                     if cite.minutes_symbol else "")
            if mins is None:
                problems.append(f"Tờ trình dẫn {where} nhưng hồ sơ không có biên bản đó.")
                continue
            for label, ours, theirs in (("số thành viên có mặt", cite.present, len(mins.present_members)),
                                        ("tổng số thành viên Hội đồng", cite.total, len(mins.members))):
                if ours != theirs:
                    problems.append(f"{where}: Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
            sums = carried.setdefault(key, [0, 0])
            sums[0] += cite.collectives
            sums[1] += cite.individuals
        for label, ours, cited in (("tập thể", len(sub.collectives), sum(x.collectives for x in sub.meetings)),
                                   ("cá nhân", len(sub.individuals), sum(x.individuals for x in sub.meetings))):
            if ours != cited:
                which = f" (Tờ trình gửi {sub.recipient})" if len(submissions) > 1 else ""
                problems.append(f"Tờ trình đề nghị {ours} {label} nhưng các biên bản họp Hội đồng được dẫn chỉ ghi "
                                f"{cited} {label} được thông qua (hồ sơ được thông qua mà không có kết quả biểu quyết "
                                f"trong biên bản?){which}.")
    for key, (n_coll, n_ind) in carried.items():
        mins = by_key[key]
        where = f"Biên bản họp Hội đồng ngày {vn_short(key[0])}" + (f" (số {key[1]})" if key[1] else "")
        for label, ours, theirs in (("số tập thể được thông qua", n_coll, mins.passed_collectives),
                                    ("số cá nhân được thông qua", n_ind, mins.passed_individuals)):
            if ours != theirs:
                problems.append(f"{where}: các Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
    if problems:
        raise DossierError("Tờ trình không khớp với biên bản họp Hội đồng; chưa lập hồ sơ:\n- "
                           + "\n- ".join(problems))


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
