"""Who goes into the dossier, and the Form 08 text the secretary writes for each candidate
(optimistic version: a StaleEditError carries mine/theirs; a locked result refuses changes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.dossier.common import (
    DRAFT_STATUSES,
    ISSUED_STATUSES,
    NARRATIVE_KEYS,
    REPORT_SECTIONS,
    DossierCandidate,
    DossierError,
    DossierLocked,
    StaleEditError,
    _campaign,
    _kind,
    _status_label,
    _subject_name,
)
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def _candidates(s: Session, campaign_id: int, draft: bool) -> list[m.Candidate]:
    statuses = [str(x) for x in (DRAFT_STATUSES if draft else ISSUED_STATUSES)]
    rows = list(s.scalars(select(m.Candidate).where(m.Candidate.campaign_id == campaign_id,
                                                    m.Candidate.status.in_(statuses))))
    # Collectives first (part I of the list), then individuals; by name within each.

    # Alphabetical the Vietnamese way, near enough: "Đặng" with the D's, not after "Z".
    rows.sort(key=lambda c: (c.subject_type != "unit", fold(_subject_name(c)), _subject_name(c), c.id))
    return rows


def list_dossier_candidates(db: Database, *, draft: bool = False) -> list[DossierCandidate]:
    with db.read() as s:
        c = _campaign(s)
        out = []
        for cand in _candidates(s, c.id, draft):
            out.append(DossierCandidate(
                id=cand.id, version=cand.version, name=_subject_name(cand), kind=_kind(cand),
                kind_label="Tập thể" if cand.subject_type == "unit" else "Cá nhân",
                award=cand.award_form.name if cand.award_form else "", status=cand.status,
                status_label=_status_label(cand.status), summary=cand.summary or "",
                report_text={k: str(v) for k, v in (cand.report_text or {}).items() if isinstance(v, (str, int, float))}))
        return out


def save_report_text(db: Database, candidate_id: int, sections: dict[str, str], version: int, *,
                     summary: str | None = None) -> int:
    """Save the Form 08 sections the secretary wrote (and the short summary of Form 01).

    *version* is the candidate's version when it was read: a colleague's newer save is
    never overwritten (StaleEditError). Returns the new version."""
    require_role(db, "secretary", action="sửa báo cáo thành tích")
    unknown = set(sections) - set(REPORT_SECTIONS)
    if unknown:
        raise DossierError(f"Mục báo cáo không hợp lệ: {', '.join(sorted(unknown))}")
    with db.session() as s:
        cand = s.get(m.Candidate, candidate_id)
        if cand is None:
            raise DossierError(f"Không tìm thấy ứng viên #{candidate_id}.")
        if cand.version != version:
            mine: dict[str, Any] = {f"report_text.{k}": v for k, v in sections.items()}
            theirs: dict[str, Any] = {f"report_text.{k}": (cand.report_text or {}).get(k) for k in sections}
            if summary is not None:
                mine["summary"], theirs["summary"] = summary, cand.summary
            raise StaleEditError(f"Báo cáo thành tích của “{_subject_name(cand)}” vừa được người khác sửa. "
                                 "Hãy tải lại trước khi lưu.", entity="candidate", entity_id=cand.id, mine=mine,
                                 theirs=theirs, current_version=cand.version)
        if cand.locked and cand.status == vocab.CandidateStatus.ISSUED:
            raise DossierLocked(f"Hồ sơ của “{_subject_name(cand)}” đã lập và khóa; không sửa được nữa.")
        if cand.locked:  # the council approved this text: it is part of the locked result
            raise DossierLocked(f"Kết quả của “{_subject_name(cand)}” đã được Hội đồng thông qua và khóa; báo cáo "
                               "thành tích không sửa được nữa. Muốn sửa phải mở lại kết quả (ghi lý do) trước.")
        old = dict(cand.report_text or {})
        new = dict(old)
        for key, text in sections.items():
            text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
            if text.strip():
                new[key] = text
            else:
                new.pop(key, None)
        changes: dict[str, tuple[Any, Any]] = {
            f"report_text.{k}": (old.get(k), new.get(k)) for k in set(old) | set(new)}
        cand.report_text = new
        if summary is not None:
            changes["summary"] = (cand.summary, summary.strip() or None)
            cand.summary = summary.strip() or None
        audit.record_changes(s, user=db.user, entity="candidate", entity_id=cand.id, changes=changes)
        s.flush()
        return cand.version


@dataclass(frozen=True)
class Narrative:
    """A candidate's Form 08 narrative as the documents would print it today."""

    candidate_id: int
    version: int
    name: str
    kind: str
    #: Every key of NARRATIVE_KEYS: what the secretary saved, else the draft from the records.
    texts: dict[str, str]
    #: The keys whose text is the draft (nothing saved yet).
    drafted: frozenset[str]
    #: The draft from the records, whatever was saved.
    draft: dict[str, str]


def narrative(db: Database, candidate_id: int, *, at: dt.date | None = None) -> Narrative:
    """The narrative of one candidate (saved text, or drafted from the records as of *at*)."""
    from bdhvs_desktop.services import form08  # lazy: cycle dossier↔form08

    at = at or dt.date.today()
    results_at = form08.compute_results(db, at)
    with db.read() as s:
        cand = s.get(m.Candidate, candidate_id)
        if cand is None:
            raise DossierError(f"Không tìm thấy hồ sơ đề nghị số {candidate_id}.")
        src = form08.load_source(s, _campaign(s), at, *results_at)
        texts, drafted = form08.effective_texts(src, cand)
        draft = form08.draft_texts(src, cand)
        keys = [k for k in NARRATIVE_KEYS
                if not (cand.subject_type == "unit" and k in form08.INDIVIDUAL_ONLY)
                and not (cand.subject_type != "unit" and k in form08.COLLECTIVE_ONLY)]
        return Narrative(candidate_id=cand.id, version=cand.version, name=_subject_name(cand), kind=_kind(cand),
                         texts={k: texts.get(k, "") for k in keys}, drafted=frozenset(k for k in drafted if k in keys),
                         draft={k: draft.get(k, "") for k in keys})


def save_narrative(db: Database, candidate_id: int, texts: dict[str, str], version: int) -> int:
    """Save narrative fields (keys of NARRATIVE_KEYS; "summary" is the list's "Tóm tắt thành
    tích"), refusing a save over a colleague's newer one (StaleEditError). Returns the new version."""
    unknown = set(texts) - set(NARRATIVE_KEYS)
    if unknown:
        raise DossierError(f"Mục báo cáo không hợp lệ: {', '.join(sorted(unknown))} "
                           f"(các mục: {', '.join(NARRATIVE_KEYS)}).")
    sections = {k: v for k, v in texts.items() if k != "summary"}
    return save_report_text(db, candidate_id, sections, version, summary=texts.get("summary"))


def redraft_narrative(db: Database, candidate_id: int, version: int, *, fields: list[str] | None = None,
                      at: dt.date | None = None) -> int:
    """Replace the saved narrative (all fields, or *fields*) with a fresh draft from the records."""
    current = narrative(db, candidate_id, at=at)
    keys = list(fields) if fields else [k for k in current.draft if k != "results"]
    unknown = set(keys) - set(current.draft)
    if unknown:
        raise DossierError(f"Mục không soạn được cho {current.name}: {', '.join(sorted(unknown))}.")
    return save_narrative(db, candidate_id, {k: current.draft.get(k, "") for k in keys}, version)
