"""The council minutes' contexts: the meeting, its members as snapshotted, its votes and
counting committee, one document per meeting."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.dossier.common import (
    ISSUED_STATUSES,
    DossierError,
    DossierSettings,
    MinutesDocument,
    _kind,
    _subject_name,
)
from bdhvs_desktop.services.dossier.issuers import _council_issuer
from bdhvs_desktop.storage import models as m


def _parse_committee(text: str | None) -> list[dc.CouncilMember]:
    """The ballot-counting committee, one member a line ("Họ tên | Vai trò", "Họ tên - Vai trò").

    A sentence that is not a list of names ("Ban kiểm phiếu gồm 03 đồng chí") gives no
    members: the minutes then leave the names to be written in, rather than print it as one."""

    out = []
    for line in (x.strip() for x in (text or "").splitlines()):
        line = re.sub(r"^(\d+[.)]|[-–•*])\s*", "", line)
        if not line:
            continue
        for sep in ("|", " - ", " – ", ":", ";", ","):
            if sep in line:
                name, role = (x.strip() for x in line.split(sep, 1))
                break
        else:
            name, role = line, ""
        lowered = name.lower()
        if len(name.split()) > 6 or any(w in lowered for w in ("gồm", "đồng chí", "ban kiểm phiếu")):
            continue
        out.append(dc.CouncilMember(name=name, role=role or ("Trưởng ban" if not out else "Thành viên")))
    return out


def _meeting_number(number: str | None) -> str | None:
    """The number of the minutes: "01/BB-HĐTĐKT" or "01" both give "01"."""

    m_ = re.match(r"\s*(\d+)", number or "")
    return m_.group(1) if m_ else None


def minutes_file_name(number: str | None, day: dt.date | None) -> str:
    """"bien-ban-hop-xet-so-01-ngay-12-11-2026.docx": the meeting's number and date in the name."""
    from bdhvs_desktop.documents.dossier_writer import MINUTES_FILE, slugify  # lazy: start-up

    if day is None:
        return MINUTES_FILE
    parts = ["bien-ban-hop-xet"]
    num = _meeting_number(number)
    if num:
        parts.append(f"so-{slugify(num)}")
    parts.append(f"ngay-{day:%d-%m-%Y}")
    return "-".join(parts) + ".docx"


def _role_label(role: str | None) -> str:
    try:
        return vocab.COUNCIL_ROLE_LABELS.get(vocab.CouncilRole(role), "Ủy viên")
    except ValueError:
        return "Ủy viên"


def _minutes_context(c: m.Campaign, st: DossierSettings, rec: Any, campaign_name: str, pending: list[m.Candidate],
                     draft: bool, number: str | None, council: list[m.CouncilMember] | None = None) -> dc.MinutesContext:
    """The minutes of one meeting, from its record only (services.meeting: the members as they
    were, votes as cast); *rec* None gives blank minutes of a meeting to come (the council as
    it is now). *pending*: candidates not voted yet, rows to fill in at the meeting (drafts)."""
    if rec is not None:
        members = [dc.CouncilMember(name=x.full_name, position=x.position or "", role=_role_label(x.role),
                                    present=x.present, absence_reason=x.absence_reason or "") for x in rec.members]
        total = rec.total
        chair = dc.Person(name=rec.chair.full_name, position=rec.chair.position or "") if rec.chair else \
            dc.Person(name="")
        secretary = dc.Person(name=rec.secretary.full_name, position=rec.secretary.position or "") \
            if rec.secretary else dc.Person(name="")
        secret = rec.voting_method == "secret_ballot"
        results = [dc.VoteResult(name=v.subject_name, kind=v.kind, award=v.award_name,
                                 votes_for=min(v.tally.votes_for, total), total_members=total,
                                 votes_against=v.tally.votes_against if secret else None,
                                 note="Thông qua" if v.passed else "Không thông qua", passed=v.passed)
                   for v in rec.votes]
        conflicts = [dc.ConflictOfInterest(name=x.full_name, position=x.position or "",
                                           collectives=[r.candidate for r in x.recusals if r.kind != "self"],
                                           own=[r.candidate for r in x.recusals if r.kind == "self"])
                     for x in rec.members if x.present and x.recusals]
    else:
        council = council or []
        if not council:
            raise DossierError("Chưa có thành viên Hội đồng Thi đua - Khen thưởng; hãy nhập danh sách Hội đồng.")
        members = [dc.CouncilMember(name=x.full_name, position=x.position or "", role=_role_label(x.role))
                   for x in council]
        total = len(council)
        chair_m = next((x for x in council if x.role == "chair"), council[0])
        secretary_m = next((x for x in council if x.role == "secretary"), None)
        chair = dc.Person(name=chair_m.full_name, position=chair_m.position or "")
        secretary = dc.Person(name=secretary_m.full_name if secretary_m else "",
                              position=(secretary_m.position or "") if secretary_m else "")
        secret, results, conflicts = False, [], []
    for cand in pending:
        results.append(dc.VoteResult(name=_subject_name(cand), kind=_kind(cand),
                                     award=cand.award_form.name if cand.award_form else "",
                                     votes_for=0, total_members=total, note="Chưa biểu quyết"))
    results.sort(key=lambda r: r.kind != "collective")
    ballot = None
    if secret:
        issued_, returned_, valid_ = rec.ballots
        issued = issued_ if issued_ is not None else sum(1 for mm in members if mm.present)
        returned = returned_ if returned_ is not None else issued
        valid = valid_ if valid_ is not None else returned
        committee = [dc.CouncilMember(name=x.full_name, position=x.position or "",
                                      role="Trưởng ban" if x.counting_role == "head" else "Thành viên")
                     for x in rec.counting_committee]
        note = ""
        if not committee:  # recorded before members could be chosen: the old free text
            committee = _parse_committee(rec.counting_committee_text)
            note = "" if committee else " ".join((rec.counting_committee_text or "").split())
        ballot = dc.BallotCount(committee=tuple(committee), issued=issued, returned=returned, valid=valid,
                                invalid=max(returned - valid, 0), note=note)
    approved = [r for r in results if r.passed]
    lowered = campaign_name[0].lower() + campaign_name[1:]
    counts = dc.counts_text(sum(r.kind == "collective" for r in approved), sum(r.kind == "individual" for r in approved))
    conclusion = (
        f"Hội đồng thống nhất đề nghị khen thưởng {counts} có thành tích "
        f"xuất sắc trong {lowered} (có danh sách kèm theo)."
        if approved else "Hội đồng thống nhất kết quả biểu quyết như trên.")
    return dc.MinutesContext(
        issuer=_council_issuer(c, st, chair), number=dc.DocumentNumber(kind="BB", number=number),
        council_name=f"Hội đồng Thi đua - Khen thưởng {c.locality_full or c.locality or ''}".strip(),
        subject=f"Về việc xét, đề nghị khen thưởng trong {lowered}",
        start=rec.start if rec else None, end=rec.end if rec else None, place=(rec.place or "") if rec else "",
        chair=chair, secretary=secretary, members=tuple(members),
        voting_method="secret_ballot" if secret else "show_of_hands", results=tuple(results), conclusion=conclusion,
        content=(rec.discussion or "") if rec else "", ballot=ballot, date=rec.start.date() if rec else None,
        draft=draft, conflicts=tuple(conflicts))


def _minutes_documents(s: Session, c: m.Campaign, st: DossierSettings, cands: list[m.Candidate],
                       campaign_name: str, draft: bool, at: dt.date
                       ) -> tuple[list[MinutesDocument], list[dc.MeetingCitation]]:
    """One minutes document per meeting whose votes the dossier carries, and the Tờ trình's
    citation of each meeting whose approvals it carries, with that meeting's counts."""
    from bdhvs_desktop.services import meeting as meeting_service  # lazy: cycle council↔meeting

    voted = {(v.meeting_id, v.candidate_id) for v in s.scalars(select(m.Vote).where(
        m.Vote.candidate_id.in_([x.id for x in cands])))}
    ids = list(dict.fromkeys(x.meeting_id for x in cands if x.meeting_id))
    if not ids and draft:  # nothing attached yet: the latest meeting, if it is still open
        latest = s.scalar(select(m.CouncilMeeting).where(m.CouncilMeeting.campaign_id == c.id)
                          .order_by(m.CouncilMeeting.held_at.desc(), m.CouncilMeeting.id.desc()).limit(1))
        if latest is not None and latest.status != "closed":
            ids = [latest.id]
    if not ids and not draft:
        raise DossierError("Chưa có phiên họp Hội đồng Thi đua - Khen thưởng nào; hãy ghi phiên họp và kết quả "
                           "bỏ phiếu trước khi lập hồ sơ chính thức (hoặc lập bản dự thảo với --draft).")
    records = sorted((meeting_service.read_record(s, mid) for mid in ids), key=lambda r: (r.start, r.id))
    open_ids = [r.id for r in records if r.status != "closed"]
    pending: dict[int | None, list[m.Candidate]] = defaultdict(list)
    for cand in cands:
        if (cand.meeting_id, cand.id) in voted:
            continue
        if not draft:
            continue  # approved without a vote at its meeting: check_counts names it
        target = cand.meeting_id if cand.meeting_id in open_ids else (open_ids[-1] if open_ids else None)
        pending[target].append(cand)
    docs: list[MinutesDocument] = []
    single = len(records) + (1 if pending.get(None) or not records else 0) == 1
    for rec in records:
        # The settings' minutes number can only number a dossier's one minutes document.
        number = st.minutes_number if single and st.minutes_number else _meeting_number(rec.number)
        ctx = _minutes_context(c, st, rec, campaign_name, pending.get(rec.id, []), draft, number)
        name = minutes_file_name(rec.number, rec.start.date())
        if any(d.file_name == name for d in docs):  # two meetings on one day with the same (or no) number
            name = name[:-5] + f"-phien-{len(docs) + 1}.docx"
        docs.append(MinutesDocument(name, rec.id, ctx))
    if pending.get(None) or not records:
        council = list(s.scalars(select(m.CouncilMember).where(m.CouncilMember.campaign_id == c.id,
                                                              m.CouncilMember.active.is_(True))
                                 .order_by(m.CouncilMember.sort_order, m.CouncilMember.id)))
        if council or not draft:  # a draft before the council exists has no minutes to fill in
            ctx = _minutes_context(c, st, None, campaign_name, pending.get(None, []), draft,
                                   st.minutes_number or None, council)
            docs.append(MinutesDocument(minutes_file_name(None, None), None, ctx))
    citations = []
    by_meeting = defaultdict(list)
    for cand in cands:
        if cand.meeting_id is not None and cand.status in ISSUED_STATUSES:
            by_meeting[cand.meeting_id].append(cand)
    for rec, doc in zip(records, docs):
        carried = by_meeting.get(rec.id, [])
        if not carried:
            continue
        citations.append(dc.MeetingCitation(
            council_name=doc.context.council_name, date=rec.start.date(),
            minutes_symbol=doc.context.number.symbol(doc.context.issuer) if doc.context.number.number else "",
            present=rec.present, total=rec.total, voting_method=rec.voting_method,
            collectives=sum(1 for x in carried if x.subject_type == "unit"),
            individuals=sum(1 for x in carried if x.subject_type != "unit")))
    return docs, citations
