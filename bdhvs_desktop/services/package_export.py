"""Export the ward's proposal package to the province (issue #14): ``bdhvs package export``.

    outcome = export_package(db, "de-nghi-tinh.bdhvs-goi", level="province", signer=cfg,
                             progress=progress, cancel=cancel)

The candidates are those the council approved for an award form of the level asked for
(``AwardForm.level == "province"``). Their documents come from the dossier service as it makes
a final dossier (``services/dossier.py: build_contexts``, the same contexts, the same rendering
``documents/render.py``), filtered to these candidates: the Tờ trình to the province's
authorities, the minutes of the meetings that approved them, their Form 08 reports; each as
.docx and as PDF (LibreOffice, one batch). With a signer the office's PDFs (Tờ trình and
minutes) get a PAdES signature with the stamp at the signer's block, and the manifest a CMS
signature; Form 08 reports are signed on paper by the units' heads, so the manifest covers them.
The data behind the documents goes into package.json (docs/package-format.md). The file is
written whole or not at all (documents/atomic.py) and the export is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bdhvs_desktop import __version__
from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import audit
from bdhvs_desktop.services import dossier as dossier_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

__all__ = ["ExportCancelled", "ExportOutcome", "PackageExportError", "export_package", "ward_code_of"]

Progress = Callable[[int, int, str], None]
PENDING = (vocab.CandidateStatus.PROPOSED, vocab.CandidateStatus.REVIEWED)
WARD_CODE_SETTING = "package.ward_code"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,60}$")
SIGN_REASON = "Đề nghị khen thưởng cấp tỉnh"


class PackageExportError(Exception):
    """The package cannot be exported; the message is Vietnamese and says why and what to do."""


class ExportCancelled(PackageExportError):
    def __init__(self) -> None:
        super().__init__("Đã hủy xuất gói hồ sơ đề nghị; không có tệp nào được ghi.")


@dataclass(frozen=True)
class ExportOutcome:
    path: Path
    package_id: str
    size: int
    sha256: str
    candidates: int
    documents: int
    signed: bool
    seconds: float
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ choosing


def ward_code_of(s: Any, c: m.Campaign) -> str:
    """The ward's code in packages: the office's setting, else the ward's name as an ASCII slug."""
    from bdhvs_desktop.documents.dossier_writer import slugify

    row = s.get(m.Setting, WARD_CODE_SETTING)
    code = str(row.value).strip() if row is not None and row.value else ""
    return code or slugify(c.locality_full or c.locality or c.code, 60).upper()


def _candidates_for(s: Any, c: m.Campaign, level: str) -> list[m.Candidate]:
    rows = list(s.scalars(select(m.Candidate).join(m.AwardForm, m.Candidate.award_form_id == m.AwardForm.id)
                          .where(m.Candidate.campaign_id == c.id, m.AwardForm.level == level)))
    pending = [x for x in rows if x.status in PENDING]
    if pending:
        names = "; ".join(f"{dossier_service._subject_name(x)} ({x.award_form.name})" for x in pending[:10])
        raise PackageExportError(
            f"Hội đồng Thi đua - Khen thưởng chưa quyết định {len(pending)} hồ sơ đề nghị khen thưởng cấp tỉnh: "
            f"{names}. Hãy ghi kết quả biểu quyết và quyết định (bdhvs council decide) trước khi xuất gói.")
    chosen = [x for x in rows if x.status in dossier_service.ISSUED_STATUSES]
    if not chosen:
        what = (f" ({len(rows)} hồ sơ đề nghị cấp tỉnh đều không được thông qua)" if rows else "")
        raise PackageExportError("Không có tập thể, cá nhân nào được Hội đồng thông qua đề nghị khen thưởng cấp tỉnh"
                                 f"{what}; không có gì để xuất.")
    return chosen


def _key(cand: m.Candidate) -> str:
    if cand.subject_type == "unit":
        code = cand.unit.code if cand.unit else ""
        return f"U-{code}" if _CODE.match(code) else f"U-ID{cand.unit_id}"
    cccd = cand.person.cccd if cand.person else None
    return f"P-{cccd}" if cccd else f"P-ID{cand.person_id}"


def _unit_path(unit: m.Unit | None) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    while unit is not None and unit.id not in seen:
        seen.add(unit.id)
        out.append(unit.name)
        unit = unit.parent
    return out[::-1]


def _day(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


# ------------------------------------------------------------------------------ figures


def _facts_and_scores(db: Database, at: dt.date, subjects: list[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    """Facts (plain data), ward score and province score of each subject on *at*, from one board.

    province_score is None for a kind that has no province-level criteria set (the board would
    give the ward's result with a note): the province scores the facts with its own set anyway."""
    from bdhvs_desktop.domain.score_facts import facts_to_dict
    from bdhvs_desktop.services import scoring as scs

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
    from bdhvs_desktop.services import awards as awards_service

    refs = {cid: awards_service.SubjectRef(kind, id=sid) for cid, (kind, sid) in subjects.items()}
    found = awards_service.lookup_many(db, list(refs.values()))
    return {cid: [{"award": a.award_name, "award_code": a.award_code, "level": a.level,
                   "number": a.decision_number, "date": _day(a.decision_date), "issuer": a.granting_authority,
                   "year": a.decision_date.year if a.decision_date else None, "campaign": a.campaign_text,
                   "kind": a.kind}
                  for a in found.get(ref.key, [])] for cid, ref in refs.items()}


# ------------------------------------------------------------------------------ package.json


def _signer(issuer: dc.Issuer) -> dict:
    return {"name": _text(issuer.signer_name), "position": _text(issuer.signer_title)}


def _symbol(number: dc.DocumentNumber, issuer: dc.Issuer) -> str | None:
    return number.symbol(issuer) if number.number else None


def _members(ctx: dc.MinutesContext, present: bool) -> list[dict]:
    return [{"name": x.name, "position": _text(x.position), "role": _text(x.role),
             **({} if present else {"reason": _text(x.absence_reason)})}
            for x in ctx.members if x.present == present]


def _narrative(ach: dc.AchievementContext, summary: str) -> dict[str, str | None]:
    out = {"summary": summary, "results": ach.results, "measures": ach.measures, "lessons": ach.lessons}
    if ach.collective is not None:
        out |= {"structure": ach.collective.structure, "functions": ach.collective.functions}
    if ach.individual is not None:
        out |= {"occupation": ach.individual.occupation, "professional": ach.individual.professional_level,
                "political_theory": ach.individual.political_theory}
    return {k: _text(v) for k, v in out.items()}


# ------------------------------------------------------------------------------ export


@dataclass
class _Selection:
    """What the export read in one snapshot, as plain data (candidates in the dossier's order)."""

    ids: list[int]
    keys: dict[int, str]
    subjects: dict[int, tuple[str, int]]
    base: dict[int, dict]  # each candidate's identity fields of package.json
    meetings: dict[int, int | None]
    summaries: dict[int, str]
    votes: dict[tuple[int, int], tuple[int, int, int]]
    rules: dict[str, Any]
    ward: dict
    campaign: dict


@dataclass(frozen=True)
class _Job:
    stem: str  # the member path without .docx / .pdf
    form: str
    title: str
    context: Any
    kind: str  # package.json documents[].kind
    anchor: Any = None  # the audit anchor printed on minutes


def _select(s: Any, ids: list[int], ward_code: str | None) -> _Selection:
    c = dossier_service._campaign(s)
    cands = [s.get(m.Candidate, cid) for cid in ids]
    code = (ward_code or "").strip() or ward_code_of(s, c)
    if not _CODE.match(code):
        raise PackageExportError(f"Mã phường “{code}” dùng trong gói không hợp lệ (chỉ chữ không dấu, số, "
                                 "dấu chấm, gạch, tối đa 61 ký tự); hãy sửa thiết lập package.ward_code.")
    if not (c.province or "").strip():
        raise PackageExportError("Phong trào chưa ghi tên tỉnh (province); gói đề nghị cấp tỉnh cần tên tỉnh.")
    meeting_ids = {x.meeting_id for x in cands if x.meeting_id is not None}
    rules = next((dict(mt.rules or {}) for mt in s.scalars(select(m.CouncilMeeting)
                  .where(m.CouncilMeeting.id.in_(meeting_ids)).order_by(m.CouncilMeeting.held_at))), {})
    base = {}
    for x in cands:
        person = x.person if x.subject_type == "person" else None
        unit = x.unit if x.subject_type == "unit" else (person.unit if person else None)
        form = x.award_form
        base[x.id] = {
            "key": _key(x), "subject_type": x.subject_type, "subject_kind": x.subject_kind,
            "name": dossier_service._subject_name(x), "unit_code": unit.code if unit else None,
            "cccd": person.cccd if person else None, "birth_date": _day(person.birth_date) if person else None,
            "birth_year": person.birth_date.year if person and person.birth_date else None,
            "sex": {"M": "male", "F": "female"}.get(person.sex) if person else None,
            "position": _text(person.position) if person else None, "unit_path": _unit_path(unit),
            "award_form": {"code": form.code, "name": form.name, "level": form.level, "issuer": _text(form.issuer)},
            "ward_status": x.status}
    party_unit = s.scalar(select(m.Unit).where(m.Unit.parent_id.is_(None), m.Unit.kind == "dang_bo").limit(1))
    ward_name = (c.locality_full or c.locality or c.name).strip()
    return _Selection(
        ids=ids, keys={cid: b["key"] for cid, b in base.items()},
        subjects={x.id: (x.subject_type, x.unit_id if x.subject_type == "unit" else x.person_id) for x in cands},
        base=base, meetings={x.id: x.meeting_id for x in cands}, summaries={x.id: x.summary or "" for x in cands},
        votes={(v.meeting_id, v.candidate_id): (v.votes_for, v.votes_against, v.votes_abstain)
               for v in s.scalars(select(m.Vote).where(m.Vote.candidate_id.in_(ids)))},
        rules={k: _text(v) for k, v in rules.items() if k in ("quorum", "pass", "base")},
        ward={"code": code, "name": ward_name[:1].upper() + ward_name[1:], "province": c.province.strip(),
              "party_org": party_unit.name if party_unit else None, "office": None},
        campaign={"code": c.code, "name": c.name,
                  "plan": _text(((c.details or {}).get("preset") or {}).get("title"))})


def _submissions(ctxs: Any, sel: _Selection) -> list[tuple[str, dc.SubmissionContext, list[str]]]:
    """The Tờ trình that carry only the chosen candidates, with their keys: nominees are matched by
    (name, award) in the dossier's order, so two namesakes proposed for one award stay apart."""
    from collections import deque

    queue: dict[tuple[str, str], deque[int]] = {}
    for cid in sel.ids:
        b = sel.base[cid]
        queue.setdefault((b["name"], b["award_form"]["name"]), deque()).append(cid)
    out = []
    for name, sub in ctxs.submissions:
        listed = [(n.name, n.award) for n in (*sub.collectives, *sub.individuals)]
        if listed and all(p in queue for p in listed):
            out.append((name, sub, [sel.keys[queue[p].popleft()] for p in listed]))
    return out


def _jobs(submissions: list, minutes: list, achievements: list, anchors: dict, anchor: Any) -> list[_Job]:
    from bdhvs_desktop.documents.dossier_writer import achievement_file_names

    jobs = [_Job(f"documents/{i:02d}-{name.removesuffix('.docx')}", "to_trinh",
                 f"Tờ trình đề nghị khen thưởng gửi {sub.recipient}", sub, "submission")
            for i, (name, sub, _keys) in enumerate(submissions, 1)]
    for i, doc in enumerate(minutes, len(jobs) + 1):
        when = f" ngày {doc.context.start:%d/%m/%Y}" if doc.context.start else ""
        jobs.append(_Job(f"documents/{i:02d}-{doc.file_name.removesuffix('.docx')}", "bien_ban",
                         f"Biên bản họp xét khen thưởng{when}", doc.context, "minutes",
                         anchors.get(doc.meeting_id) or anchor))
    for ach, name in zip(achievements, achievement_file_names(achievements)):
        jobs.append(_Job(f"documents/mau-08/{name.removesuffix('.docx')}",
                         "bao_cao_tap_the" if ach.kind == "collective" else "bao_cao_ca_nhan",
                         f"Báo cáo thành tích (Mẫu 08): {ach.name}", ach, "achievement_report"))
    return jobs


def _package_data(db: Database, sel: _Selection, at: dt.date, submissions: list, minutes: list,
                  achievements: list, jobs: list[_Job], signed_kinds: tuple[str, ...], form_set: str) -> dict:
    from bdhvs_desktop.documents import package_format as pf

    figures = _facts_and_scores(db, at, [sel.subjects[cid] for cid in sel.ids])
    register = _register(db, sel.subjects)
    stems = {id(job.context): job.stem for job in jobs}
    authority = {k: sub.issuer.format for _n, sub, keys in submissions for k in keys}
    meetings_json = []
    for doc in minutes:
        ctx = doc.context
        meetings_json.append({
            "number": _symbol(ctx.number, ctx.issuer), "date": _day(ctx.date),
            "start": f"{ctx.start:%d/%m/%Y %H:%M}" if ctx.start else None,
            "end": f"{ctx.end:%d/%m/%Y %H:%M}" if ctx.end else None, "place": _text(ctx.place),
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
    ward = dict(sel.ward, office=_text(first.issuer.name_in_text or first.issuer.name.replace("\n", " ")))
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
            "number": _symbol(first.number, first.issuer), "date": _day(first.date), "place": _text(first.issuer.place),
            "signer": _signer(first.issuer),
            "submissions": [{"authority": sub.issuer.format, "recipient": _text(sub.recipient),
                             "number": _symbol(sub.number, sub.issuer), "date": _day(sub.date),
                             "signer": _signer(sub.issuer), "document": f"{stems[id(sub)]}.pdf", "candidates": keys}
                            for _n, sub, keys in submissions]},
        "council": {"rules": sel.rules, "meetings": meetings_json},
        "candidates": candidates,
        "documents": documents,
    }


def export_package(db: Database, out_path: Path | str, *, level: str = "province", signer: Any = None,
                   progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                   at: dt.date | None = None, ward_code: str | None = None) -> ExportOutcome:
    """Write the proposal package of the candidates approved for *level* to *out_path*.

    *ward_code*: the ward's code in the package (default: the setting package.ward_code, else the
    ward's name as an ASCII slug, e.g. PHUONG-LA-GI); the province keys the ward's scope on it.

    Raises PackageExportError (nothing to export, the council has not decided, the level is
    not one a package carries), services.dossier.DossierError (a final dossier would be refused,
    e.g. MissingFieldsError), documents.pdf_convert.ConversionError (LibreOffice missing or
    failing), documents.signing.SigningError, documents.package_format.PackageError,
    documents.atomic.FileInUseError; in every case nothing is written."""
    from bdhvs_desktop.documents import package_format as pf
    from bdhvs_desktop.documents.pdf_convert import ConversionCancelled, convert_bytes_to_pdf
    from bdhvs_desktop.documents.render import render_document
    from bdhvs_desktop.services import form08

    started = time.monotonic()
    require_role(db, "secretary", action="xuất gói hồ sơ đề nghị khen thưởng")
    if level != "province":
        raise PackageExportError(f"Chỉ xuất được gói hồ sơ đề nghị cấp tỉnh (--level province), không phải “{level}”.")
    at = at or dt.date.today()

    def step(done: int, total: int, message: str) -> None:
        if cancel is not None and cancel():
            raise ExportCancelled()
        if progress is not None:
            progress(done, total, message)

    step(0, 1, "Đang chọn hồ sơ đề nghị cấp tỉnh")
    with db.read() as s:
        chosen = {x.id for x in _candidates_for(s, dossier_service._campaign(s), level)}
    step(0, 1, "Đang lập hồ sơ như bản chính thức")
    st = dossier_service.load_settings(db)
    fs = dossier_service.load_checked_form_set(st.form_set)
    ctxs = dossier_service.build_contexts(db, draft=False, at=at, settings=st)
    ids = [cid for cid in ctxs.candidate_ids if cid in chosen]  # the dossier's order
    index = {cid: i for i, cid in enumerate(ctxs.candidate_ids)}
    achievements = [ctxs.achievements[index[cid]] for cid in ids]
    missing = tuple(f"{ach.name}: {f}" for ach in achievements for f in form08.missing_fields(ach))
    if missing:
        raise dossier_service.MissingFieldsError(missing)
    if signer is not None:  # a wrong PIN or passphrase is told now, not after a minute of rendering
        from bdhvs_desktop.documents import signing

        step(0, 1, "Đang kiểm tra chữ ký số (token hoặc tệp chứng thư)")
        signing.sign_detached(b"bdhvs-package-export", signer)
    with db.read() as s:
        sel = _select(s, ids, ward_code)
        meeting_ids = {mid for mid in sel.meetings.values() if mid is not None}
        anchor = audit.current_anchor(s)
        anchors = {x.meeting_id: audit.meeting_anchor(s, x.meeting_id) for x in ctxs.minutes_docs
                   if x.meeting_id in meeting_ids}
    submissions = _submissions(ctxs, sel)
    if not submissions:  # pragma: no cover - build_contexts gives every approved candidate a Tờ trình
        raise PackageExportError("Không tìm thấy Tờ trình đề nghị cấp tỉnh trong hồ sơ.")
    minutes = [x for x in ctxs.minutes_docs if x.meeting_id in meeting_ids]
    jobs = _jobs(submissions, minutes, achievements, anchors, anchor)

    # Render the .docx with the dossier's own rendering, then PDF in one LibreOffice call.
    signed_kinds = ("submission", "minutes") if signer is not None else ()
    total = len(jobs) + 3 + sum(1 for j in jobs if j.kind in signed_kinds)
    done = 0
    docx: dict[str, bytes] = {}
    for job in jobs:
        step(done, total, f"Đang tạo {job.title}")
        docx[f"{job.stem}.docx"] = render_document(fs, job.context, form_key=job.form, audit_anchor=job.anchor)
        done += 1
    step(done, total, f"Đang chuyển {len(docx)} tài liệu sang PDF (LibreOffice)")
    try:
        converted = convert_bytes_to_pdf(docx, cancel=cancel)
    except ConversionCancelled as exc:
        raise ExportCancelled() from exc
    pdfs = {name.removesuffix(".docx") + ".pdf": blob for name, blob in converted.items()}
    done += 1
    if signer is not None:
        for job in (j for j in jobs if j.kind in signed_kinds):
            step(done, total, f"Đang ký số {job.title}")
            # The stamp sits under the signer's title line (documents/signing_stamp.py).
            title_line = job.context.issuer.signer_title if job.kind == "submission" else \
                fs.form("bien_ban").wording.get("chair_caption", "CHỦ TỊCH HỘI ĐỒNG")
            pdfs[f"{job.stem}.pdf"] = signing.sign_pdf(pdfs[f"{job.stem}.pdf"], signer, reason=SIGN_REASON,
                                                       location=job.context.issuer.place,
                                                       stamp_anchor=title_line or None)
            done += 1

    step(done, total, "Đang tổng hợp dữ liệu (package.json)")
    data = _package_data(db, sel, at, submissions, minutes, achievements, jobs, signed_kinds, fs.name)
    documents = docx | pdfs
    done += 1
    step(done, total, "Đang ghi gói hồ sơ")
    info = pf.write_package(Path(out_path), data, documents, signer=signer)
    with db.session() as s:
        audit.record(s, user=db.user, action="export", entity="package", entity_id=None,
                     note=f"Gói hồ sơ đề nghị cấp tỉnh {info.package_id}: {len(ids)} hồ sơ, {len(documents)} tài liệu, "
                          f"SHA-256 {info.sha256}{', đã ký số' if signer is not None else ''}: {info.path}")
    if progress is not None:
        progress(total, total, "Đã xuất xong gói hồ sơ")
    return ExportOutcome(path=info.path, package_id=info.package_id, size=info.size, sha256=info.sha256,
                         candidates=len(ids), documents=len(documents), signed=signer is not None,
                         seconds=time.monotonic() - started, notes=ctxs.notes)
