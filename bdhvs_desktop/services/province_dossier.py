"""The province office's own dossier, written: its Tờ trình to the province's granting authority
(citing each ward's proposal) and the minutes of its council, in one folder with its manifest;
a final dossier records the files and moves the approved candidates to "issued" (audited), as
the ward's dossier does. What is printed comes from services/province_dossier_contexts.py.

    outcome = generate_province_dossier(db, out_dir, at=day, progress=..., cancel=...)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bdhvs_desktop.services import audit
from bdhvs_desktop.services import dossier as ward_dossier
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.lifecycle import mark_issued
from bdhvs_desktop.services.dossier import DossierError
from bdhvs_desktop.services.province_dossier_contexts import build_province_contexts
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


@dataclass(frozen=True)
class ProvinceOutcome:
    folder: Path
    files: tuple[Path, ...]
    manifest: Path
    form_set: str
    draft: bool
    issued: tuple[int, ...]
    #: ward name -> number of its candidates carried
    wards: tuple[tuple[str, int], ...]
    notes: tuple[str, ...] = ()


def generate_province_dossier(db: Database, out_dir: Path | str, *, draft: bool = False, at: dt.date | None = None,
                              form_set: str | None = None, progress: Any = None, cancel: Any = None) -> ProvinceOutcome:
    """Write the province's dossier folder (all or nothing): its Tờ trình (one per granting
    authority) and the minutes of its council; a final one records the files and moves the
    approved candidates to "issued", in the audit log, as the ward's dossier does."""
    require_role(db, "secretary", action="lập hồ sơ trình khen thưởng cấp tỉnh")
    from bdhvs_desktop.documents.dossier_writer import manifest_is_valid, write_dossier  # lazy: start-up

    st = ward_dossier.load_settings(db)
    name = form_set or st.form_set
    if progress:
        progress(0, 1, f"Đang kiểm tra bộ mẫu “{name}”")
    fs = ward_dossier.load_checked_form_set(name)
    try:
        fs.form("to_trinh_tinh")
    except KeyError as exc:
        raise DossierError(f"Bộ mẫu “{fs.name}” không có mẫu Tờ trình của tỉnh ([forms.to_trinh_tinh] trong "
                           "manifest.toml); hãy chọn bộ mẫu có sẵn của chương trình.") from exc
    if progress:
        progress(0, 1, "Đang đọc các hồ sơ đề nghị của các phường")
    ctxs = build_province_contexts(db, draft=draft, at=at, settings=st)
    notes = []
    expired = ward_dossier.form_set_warning(fs, (st.date or at or dt.date.today()) if not draft else
                                            (at or dt.date.today()))
    if expired:
        notes.append(expired)
    with db.read() as s:
        anchor = audit.current_anchor(s)
        closed = {x.file_name: audit.meeting_anchor(s, x.meeting_id) for x in ctxs.minutes_docs
                  if x.meeting_id is not None}
    result = write_dossier(Path(out_dir), fs, list(ctxs.submissions),
                           [(x.file_name, x.context) for x in ctxs.minutes_docs], [], make_zip=st.make_zip,
                           progress=progress, cancel=cancel, audit_anchor=anchor,
                           minutes_anchors={k: v for k, v in closed.items() if v is not None})
    if not manifest_is_valid(result.folder):
        raise DossierError(f"Thư mục hồ sơ “{result.folder}” không khớp với manifest.json vừa ghi; hồ sơ chưa được "
                           "ghi nhận. Hãy tạo lại.")
    minutes_meeting = {x.file_name: x.meeting_id for x in ctxs.minutes_docs}
    issued: list[int] = []
    with db.session() as s:
        for f in result.files:
            s.add(m.GeneratedDocument(kind="to_trinh" if f.form.startswith("to_trinh") else f.form,
                                      path=str(result.folder / f.name), sha256=f.sha256, form_set=fs.name,
                                      meeting_id=minutes_meeting.get(f.name), draft=draft, created_by=db.user))
        if not draft:
            issued = mark_issued(s, db.user, ctxs.candidate_ids,
                                 f"Lập hồ sơ trình khen thưởng cấp tỉnh: {result.folder}")
        audit.save_anchor(s, anchor, user=db.user, purpose="minutes", note=str(result.folder))
        audit.record(s, user=db.user, action="generate", entity="province_dossier",
                     note=f"{'Dự thảo' if draft else 'Hồ sơ'} cấp tỉnh {len(result.files)} tệp, bộ mẫu {fs.name}: "
                          f"{result.folder}")
    wards: dict[str, int] = {}
    for _n, sub in ctxs.submissions:
        for w in sub.wards:
            wards[w.ward_name] = wards.get(w.ward_name, 0) + len(w.collectives) + len(w.individuals)
    return ProvinceOutcome(folder=result.folder, files=tuple(result.folder / f.name for f in result.files),
                           manifest=result.manifest_path, form_set=fs.name, draft=draft, issued=tuple(issued),
                           wards=tuple(wards.items()), notes=tuple(notes))
