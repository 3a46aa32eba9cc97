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
What the package carries is chosen in services/package_choice.py; its documents and package.json
are laid out in services/package_data.py."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.documents import pdf_convert, signing
from bdhvs_desktop.services import audit, form08
from bdhvs_desktop.services import dossier as dossier_service
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.package_choice import (
    ExportCancelled,
    PackageExportError,
    candidates_for,
    select_candidates,
    submissions_for,
)
from bdhvs_desktop.services.package_data import document_jobs, package_data
from bdhvs_desktop.storage.engine import Database

Progress = Callable[[int, int, str], None]


SIGN_REASON = "Đề nghị khen thưởng cấp tỉnh"


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
    from bdhvs_desktop.documents.render import render_document  # lazy: start-up

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
        chosen = {x.id for x in candidates_for(s, dossier_service._campaign(s), level)}
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
        step(0, 1, "Đang kiểm tra chữ ký số (token hoặc tệp chứng thư)")
        signing.sign_detached(b"bdhvs-package-export", signer)
    with db.read() as s:
        sel = select_candidates(s, ids, ward_code)
        meeting_ids = {mid for mid in sel.meetings.values() if mid is not None}
        anchor = audit.current_anchor(s)
        anchors = {x.meeting_id: audit.meeting_anchor(s, x.meeting_id) for x in ctxs.minutes_docs
                   if x.meeting_id in meeting_ids}
    submissions = submissions_for(ctxs, sel)
    if not submissions:  # pragma: no cover - build_contexts gives every approved candidate a Tờ trình
        raise PackageExportError("Không tìm thấy Tờ trình đề nghị cấp tỉnh trong hồ sơ.")
    minutes = [x for x in ctxs.minutes_docs if x.meeting_id in meeting_ids]
    jobs = document_jobs(submissions, minutes, achievements, anchors, anchor)

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
        converted = pdf_convert.convert_bytes_to_pdf(docx, cancel=cancel)
    except pdf_convert.ConversionCancelled as exc:
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
    data = package_data(db, sel, at, submissions, minutes, achievements, jobs, signed_kinds, fs.name)
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
