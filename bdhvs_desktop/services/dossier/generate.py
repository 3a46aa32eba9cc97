"""Writing the dossier folder, and for a final dossier recording every file and moving the
approved candidates to "issued" (audited)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.lifecycle import mark_issued
from bdhvs_desktop.services.dossier.common import DossierError, DossierOutcome, MissingFieldsError, Progress
from bdhvs_desktop.services.dossier.contexts import build_contexts
from bdhvs_desktop.services.dossier.settings import form_set_warning, load_checked_form_set, load_settings
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def generate_dossier(db: Database, out_dir: Path | str, *, draft: bool = False, at: dt.date | None = None,
                     form_set: str | None = None, make_zip: bool | None = None, progress: Progress | None = None,
                     cancel: Any = None) -> DossierOutcome:
    """Write the dossier folder (all or nothing) and record it.

    Raises DossierError (missing records), documents.formsets.FormSetError (a template
    problem, listed before anything is written), documents.atomic.FileInUseError (a file
    of the previous dossier is open in Word), documents.dossier_writer.DossierCancelled."""
    require_role(db, "secretary", action="lập hồ sơ khen thưởng")
    from bdhvs_desktop.documents.dossier_writer import write_dossier  # lazy: start-up

    st = load_settings(db)
    name = form_set or st.form_set
    if progress:
        progress(0, 1, f"Đang kiểm tra bộ mẫu “{name}”")
    fs = load_checked_form_set(name)
    if progress:
        progress(0, 1, "Đang đọc hồ sơ từ cơ sở dữ liệu")
    ctxs = build_contexts(db, draft=draft, at=at, settings=st)
    notes = list(ctxs.notes)
    expired = form_set_warning(fs, (st.date or at or dt.date.today()) if not draft else (at or dt.date.today()))
    if expired:
        notes.insert(0, expired)
    if not draft and ctxs.missing:
        raise MissingFieldsError(ctxs.missing)
    with db.read() as s:  # the decision chain's head, in the manifest; each closed meeting's
        anchor = audit.current_anchor(s)  # minutes print the head at its close (the same on every reprint)
        closed = {x.file_name: audit.meeting_anchor(s, x.meeting_id) for x in ctxs.minutes_docs
                  if x.meeting_id is not None}
    result = write_dossier(Path(out_dir), fs, ctxs.submissions or ctxs.submission,
                           [(x.file_name, x.context) for x in ctxs.minutes_docs], ctxs.achievements,
                           make_zip=st.make_zip if make_zip is None else make_zip, progress=progress, cancel=cancel,
                           audit_anchor=anchor, minutes_anchors={k: v for k, v in closed.items() if v is not None})
    from bdhvs_desktop.documents.dossier_writer import manifest_is_valid  # lazy: start-up

    # The database follows the folder: nothing is recorded unless the manifest, written
    # last, is in place and matches the files.
    if not manifest_is_valid(result.folder):
        raise DossierError(f"Thư mục hồ sơ “{result.folder}” không khớp với manifest.json vừa ghi; hồ sơ chưa được "
                           "ghi nhận. Hãy tạo lại.")
    issued: list[int] = []
    kinds = {"to_trinh": "to_trinh", "bien_ban": "bien_ban", "bao_cao_tap_the": "bao_cao_08",
             "bao_cao_ca_nhan": "bao_cao_08"}
    ach_ids = iter(ctxs.candidate_ids)
    minutes_meeting = {x.file_name: x.meeting_id for x in ctxs.minutes_docs}
    with db.session() as s:
        for f in result.files:
            cand_id = next(ach_ids) if f.form.startswith("bao_cao") else None
            s.add(m.GeneratedDocument(kind=kinds.get(f.form, f.form), path=str(result.folder / f.name),
                                      sha256=f.sha256, form_set=fs.name, candidate_id=cand_id,
                                      meeting_id=minutes_meeting.get(f.name, ctxs.meeting_id), draft=draft,
                                      created_by=db.user))
        if not draft:
            issued = mark_issued(s, db.user, ctxs.candidate_ids, f"Lập hồ sơ khen thưởng: {result.folder}")
        audit.save_anchor(s, anchor, user=db.user, purpose="minutes", note=str(result.folder))
        audit.record(s, user=db.user, action="generate", entity="dossier", entity_id=ctxs.meeting_id,
                     note=f"{'Dự thảo' if draft else 'Hồ sơ'} {len(result.files)} tệp, bộ mẫu {fs.name}: "
                          f"{result.folder}")
    return DossierOutcome(folder=result.folder, files=tuple(result.folder / f.name for f in result.files),
                          manifest=result.manifest_path, zip_path=result.zip_path, form_set=fs.name, draft=draft,
                          issued=tuple(issued), notes=tuple(notes))
