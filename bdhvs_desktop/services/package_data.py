"""The contents of a ward's proposal package: which documents it holds (the Tờ trình, the minutes
of the meetings that approved the candidates, their Form 08 reports), and package.json -- the
ward, the proposal, the council's meetings and votes, and each candidate's facts, scores, figures,
narrative and register entries (docs/package-format.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from bdhvs_desktop import __version__
from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.score_facts import facts_to_dict
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services import scoring as scs
from bdhvs_desktop.services.package_choice import Selection, iso_day, text_or_none
from bdhvs_desktop.storage.engine import Database


def _facts_and_scores(db: Database, at: dt.date, subjects: list[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    """Facts (plain data), ward score and province score of each subject on *at*, from one board.

    province_score is None for a kind that has no province-level criteria set (the board would
    give the ward's result with a note): the province scores the facts with its own set anyway."""

    board = scs.compute_scores(db, at)
    province = board.at_level("province") if board.has_level("province") else None
    facts = {(f.subject, f.id): f for f in board.facts}
    out: dict[tuple[str, int], dict] = {}
    for subject in subjects:
        f = facts.get(subject)
        ward = board.find(*subject)
        mine = province.find(*subject) if province is not None else None
        if mine is not None and mine.kind in province.level_notes:
            mine = None
        out[subject] = {
            "facts": facts_to_dict(f) if f is not None else None,
            "ward_score": dict(scs.snapshot(ward, at), criteria_set=board.sets[ward.kind].name)
            if ward is not None and ward.kind in board.sets else None,
            "province_score": dict(scs.snapshot(mine, at), criteria_set=province.sets[mine.kind].name)
            if mine is not None else None}
    return out


def _register(db: Database, subjects: dict[int, tuple[str, int]]) -> dict[int, list[dict]]:
    """Each candidate's entries in the ward's award register (sổ khen thưởng), by candidate id."""

    refs = {cid: awards_service.SubjectRef(kind, id=sid) for cid, (kind, sid) in subjects.items()}
    found = awards_service.lookup_many(db, list(refs.values()))
    return {cid: [{"award": a.award_name, "award_code": a.award_code, "level": a.level,
                   "number": a.decision_number, "date": iso_day(a.decision_date), "issuer": a.granting_authority,
                   "year": a.decision_date.year if a.decision_date else None, "campaign": a.campaign_text,
                   "kind": a.kind}
                  for a in found.get(ref.key, [])] for cid, ref in refs.items()}


def _signer(issuer: dc.Issuer) -> dict:
    return {"name": text_or_none(issuer.signer_name), "position": text_or_none(issuer.signer_title)}


def _symbol(number: dc.DocumentNumber, issuer: dc.Issuer) -> str | None:
    return number.symbol(issuer) if number.number else None


def _members(ctx: dc.MinutesContext, present: bool) -> list[dict]:
    return [{"name": x.name, "position": text_or_none(x.position), "role": text_or_none(x.role),
             **({} if present else {"reason": text_or_none(x.absence_reason)})}
            for x in ctx.members if x.present == present]


def _narrative(ach: dc.AchievementContext, summary: str) -> dict[str, str | None]:
    out = {"summary": summary, "results": ach.results, "measures": ach.measures, "lessons": ach.lessons}
    if ach.collective is not None:
        out |= {"structure": ach.collective.structure, "functions": ach.collective.functions}
    if ach.individual is not None:
        out |= {"occupation": ach.individual.occupation, "professional": ach.individual.professional_level,
                "political_theory": ach.individual.political_theory}
    return {k: text_or_none(v) for k, v in out.items()}


@dataclass(frozen=True)
class DocumentJob:
    stem: str  # the member path without .docx / .pdf
    form: str
    title: str
    context: Any
    kind: str  # package.json documents[].kind
    anchor: Any = None  # the audit anchor printed on minutes


def document_jobs(submissions: list, minutes: list, achievements: list, anchors: dict, anchor: Any) -> list[DocumentJob]:
    from bdhvs_desktop.documents.dossier_writer import achievement_file_names  # lazy: start-up

    jobs = [DocumentJob(f"documents/{i:02d}-{name.removesuffix('.docx')}", "to_trinh",
                 f"Tờ trình đề nghị khen thưởng gửi {sub.recipient}", sub, "submission")
            for i, (name, sub, _keys) in enumerate(submissions, 1)]
    for i, doc in enumerate(minutes, len(jobs) + 1):
        when = f" ngày {doc.context.start:%d/%m/%Y}" if doc.context.start else ""
        jobs.append(DocumentJob(f"documents/{i:02d}-{doc.file_name.removesuffix('.docx')}", "bien_ban",
                         f"Biên bản họp xét khen thưởng{when}", doc.context, "minutes",
                         anchors.get(doc.meeting_id) or anchor))
    for ach, name in zip(achievements, achievement_file_names(achievements)):
        jobs.append(DocumentJob(f"documents/mau-08/{name.removesuffix('.docx')}",
                         "bao_cao_tap_the" if ach.kind == "collective" else "bao_cao_ca_nhan",
                         f"Báo cáo thành tích (Mẫu 08): {ach.name}", ach, "achievement_report"))
    return jobs


def package_data(db: Database, sel: Selection, at: dt.date, submissions: list, minutes: list,
                  achievements: list, jobs: list[DocumentJob], signed_kinds: tuple[str, ...], form_set: str) -> dict:
    figures = _facts_and_scores(db, at, [sel.subjects[cid] for cid in sel.ids])
    register = _register(db, sel.subjects)
    stems = {id(job.context): job.stem for job in jobs}
    authority = {k: sub.issuer.format for _n, sub, keys in submissions for k in keys}
    meetings_json = []
    for doc in minutes:
        ctx = doc.context
        meetings_json.append({
            "number": _symbol(ctx.number, ctx.issuer), "date": iso_day(ctx.date),
            "start": f"{ctx.start:%d/%m/%Y %H:%M}" if ctx.start else None,
            "end": f"{ctx.end:%d/%m/%Y %H:%M}" if ctx.end else None, "place": text_or_none(ctx.place),
            "method": ctx.voting_method, "present": _members(ctx, True), "absent": _members(ctx, False),
            "votes": [{"candidate": sel.keys[cid], "for": v[0], "against": v[1], "abstain": v[2], "passed": True}
                      for cid in sel.ids if (v := sel.votes.get((doc.meeting_id, cid))) is not None],
            "document": f"{stems[id(ctx)]}.pdf"})
    minutes_by_id = {d.meeting_id: d.context for d in minutes}
    candidates = []
    for cid, ach in zip(sel.ids, achievements):
        key = sel.keys[cid]
        vote = sel.votes.get((sel.meetings[cid], cid))
        mctx = minutes_by_id.get(sel.meetings[cid])
        entry = dict(sel.base[cid])
        if key in authority:
            entry["award_form"] = {**entry["award_form"], "authority": authority[key]}
        entry["ward_votes"] = {"for": vote[0], "against": vote[1], "abstain": vote[2],
                               "present": len(mctx.present_members) if mctx else 0,
                               "members": len(mctx.members) if mctx else 0,
                               "meeting": _symbol(mctx.number, mctx.issuer) if mctx else None} if vote else None
        entry |= figures[sel.subjects[cid]]
        entry |= {"figures": [asdict(t) for t in ach.targets], "narrative": _narrative(ach, sel.summaries[cid]),
                  "register": register[cid], "documents": [f"{stems[id(ach)]}.docx", f"{stems[id(ach)]}.pdf"]}
        candidates.append(entry)
    first = submissions[0][1]
    ward = dict(sel.ward, office=text_or_none(first.issuer.name_in_text or first.issuer.name.replace("\n", " ")))
    documents = []
    for job in jobs:
        paper = "paper" if job.kind == "achievement_report" else "none"
        documents.append({"path": f"{job.stem}.docx", "kind": job.kind, "title": job.title, "signed": "none"})
        documents.append({"path": f"{job.stem}.pdf", "kind": job.kind, "title": job.title,
                          "source": f"{job.stem}.docx", "signed": "office" if job.kind in signed_kinds else paper})
    return {
        "format": pf.FORMAT, "schema_version": pf.SCHEMA_VERSION, "generator": f"bdhvs-desktop {__version__}",
        "ward": ward, "campaign": dict(sel.campaign, form_set=form_set), "level": "province", "as_of": at.isoformat(),
        "proposal": {
            "number": _symbol(first.number, first.issuer), "date": iso_day(first.date), "place": text_or_none(first.issuer.place),
            "signer": _signer(first.issuer),
            "submissions": [{"authority": sub.issuer.format, "recipient": text_or_none(sub.recipient),
                             "number": _symbol(sub.number, sub.issuer), "date": iso_day(sub.date),
                             "signer": _signer(sub.issuer), "document": f"{stems[id(sub)]}.pdf", "candidates": keys}
                            for _n, sub, keys in submissions]},
        "council": {"rules": sel.rules, "meetings": meetings_json},
        "candidates": candidates,
        "documents": documents,
    }
