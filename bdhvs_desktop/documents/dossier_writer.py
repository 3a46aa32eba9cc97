"""Write a whole award dossier folder, all or nothing.

Layout of the folder::

    to-trinh-mau-01.docx
    bien-ban-hop-xet-so-<n>-ngay-<dd-mm-yyyy>.docx      (one per council meeting)
    bao-cao-thanh-tich-mau-08-<slug of the name>.docx   (one per candidate)
    manifest.json          (file names, SHA-256, form set, generated at)
    <folder slug>.zip      (optional: everything above, for sending)

Everything is rendered into a temporary folder beside the target; only when every
document succeeded is the previous dossier moved aside and the new one moved into
place (then the old one is deleted). A cancelled or failed batch removes its
temporary folder and leaves the previous dossier exactly as it was. Files the user put
in the dossier folder themselves (a scanned signed copy, say) are carried over.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import FileInUseError, ensure_replaceable, lock_files_for, replace_with_retry
from .context import AchievementContext, MinutesContext, SubmissionContext
from .formsets import FormSet
from .render import render_document

__all__ = [
    "ACHIEVEMENT_PREFIX",
    "DossierCancelled",
    "DossierFile",
    "DossierResult",
    "MANIFEST_FILE",
    "MINUTES_FILE",
    "SUBMISSION_FILE",
    "achievement_file_names",
    "slugify",
    "write_dossier",
]

SUBMISSION_FILE = "to-trinh-mau-01.docx"
MINUTES_FILE = "bien-ban-hop-xet.docx"
ACHIEVEMENT_PREFIX = "bao-cao-thanh-tich-mau-08-"
MANIFEST_FILE = "manifest.json"
MANIFEST_SCHEMA = 1
_SLUG_MAX = 60
_STALE_SECONDS = 3600

ProgressCallback = Callable[[int, int, str], None]
CancelFlag = Any  # threading.Event | Callable[[], bool] | None


class DossierCancelled(Exception):
    """The batch was cancelled; the previous dossier is untouched."""

    def __init__(self) -> None:
        super().__init__("Đã hủy tạo hồ sơ. Hồ sơ cũ (nếu có) được giữ nguyên.")


@dataclass(frozen=True)
class DossierFile:
    name: str
    #: "to_trinh", "bien_ban", "bao_cao_tap_the", "bao_cao_ca_nhan".
    form: str
    #: Who or what the document is about (the candidate's name for Form 08).
    subject: str
    sha256: str
    size: int


@dataclass(frozen=True)
class DossierResult:
    folder: Path
    files: tuple[DossierFile, ...]
    manifest_path: Path
    zip_path: Path | None
    generated_at: str


# ------------------------------------------------------------------------ names


def slugify(text: str, max_len: int = _SLUG_MAX) -> str:
    """ASCII slug of a Vietnamese name: "Nguyễn Thị Hồng Nhung" -> "nguyen-thi-hong-nhung"."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D").replace("ð", "d")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    if len(text) > max_len:
        cut = text[:max_len]
        text = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return text or "khong-ten"


def achievement_file_names(achievements: Sequence[AchievementContext]) -> list[str]:
    """``bao-cao-thanh-tich-mau-08-<slug>.docx`` for each, made unique with -2, -3 ..."""
    used: set[str] = set()
    names = []
    for ach in achievements:
        base = slugify(ach.name)
        slug, n = base, 2
        while slug in used:
            slug = f"{base}-{n}"
            n += 1
        used.add(slug)
        names.append(f"{ACHIEVEMENT_PREFIX}{slug}.docx")
    return names


# --------------------------------------------------------------------- helpers


def _cancelled(cancel: CancelFlag) -> bool:
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return bool(cancel.is_set())
    return bool(cancel())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _on_rm_error(func, path, exc_info):  # pragma: no cover - Windows read-only files
    try:
        os.chmod(path, stat.S_IWRITE)
        func(path)
    except OSError:
        pass


def _rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path, onerror=_on_rm_error)


def _is_lock_name(name: str) -> bool:
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def _previous_generated(folder: Path) -> set[str]:
    """Names the previous run wrote (from its manifest.json), to tell them from the
    user's own files."""
    names = {MANIFEST_FILE, SUBMISSION_FILE, MINUTES_FILE}
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        names.update(f["name"] for f in data.get("files", []) if isinstance(f, dict))
        if isinstance(data.get("zip"), str):
            names.add(data["zip"])
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return names


def _check_existing(target: Path, ours: set[str]) -> None:
    """Refuse (before doing anything) when a file of the old dossier is open."""
    if not target.exists():
        return
    if not target.is_dir():
        raise NotADirectoryError(f"“{target}” đã tồn tại và không phải là thư mục")
    entries = {p.name: p for p in target.iterdir()}
    for name, entry in entries.items():
        if not entry.is_file() or _is_lock_name(name):
            continue
        for lock in lock_files_for(entry):
            if lock.name in entries:
                raise FileInUseError(entry, "open", lock)
        if name in ours:
            ensure_replaceable(entry)
    # An owner file whose document is gone is stale (Word crashed): it is not copied.


def _clean_stale(parent: Path, name: str) -> None:
    now = time.time()
    for pattern in (f".{name}.tmp-*", f".{name}.old-*"):
        for p in parent.glob(pattern):
            try:
                if p.is_dir() and now - p.stat().st_mtime > _STALE_SECONDS:
                    _rmtree(p)
            except OSError:
                pass


def _carry_over(old: Path, staging: Path, generated_before: set[str]) -> None:
    """Copy the user's own files from the previous dossier into the new one."""
    for entry in old.iterdir():
        name = entry.name
        if name in generated_before or _is_lock_name(name) or (staging / name).exists():
            continue
        if name.startswith(ACHIEVEMENT_PREFIX) and name.endswith(".docx"):
            continue  # a report of a candidate no longer in the dossier
        if entry.is_dir():
            shutil.copytree(entry, staging / name)
        else:
            shutil.copy2(entry, staging / name)


# ------------------------------------------------------------------------- main


def write_dossier(
    target_dir: Path,
    form_set: FormSet,
    submission: SubmissionContext,
    minutes: MinutesContext | Sequence[tuple[str, MinutesContext]],
    achievements: Sequence[AchievementContext],
    *,
    make_zip: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag = None,
    now: datetime.datetime | None = None,
    audit_anchor: Any = None,
) -> DossierResult:
    """Render the dossier into *target_dir*, replacing the previous one atomically.

    *progress* is called as ``progress(done, total, message)``; *cancel* is a
    ``threading.Event`` or a callable returning True to stop. Raises
    :class:`DossierCancelled`, :class:`~.atomic.FileInUseError` (a file of the old
    dossier is open in Word), :class:`~.render.DocumentRenderError`; in every case the
    previous dossier is left as it was.
    """
    target = Path(target_dir).absolute()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)

    jobs: list[tuple[str, str, str, Any]] = [
        (SUBMISSION_FILE, "to_trinh", "Tờ trình đề nghị khen thưởng", submission)]
    # One minutes document per council meeting: (file name, context) pairs, or a single context.
    for name, ctx in ([(MINUTES_FILE, minutes)] if isinstance(minutes, MinutesContext) else minutes):
        when = f" ngày {ctx.start:%d/%m/%Y}" if ctx.start else ""
        jobs.append((name, "bien_ban", f"Biên bản họp xét khen thưởng{when}", ctx))
    for ach, name in zip(achievements, achievement_file_names(achievements)):
        key = "bao_cao_tap_the" if ach.kind == "collective" else "bao_cao_ca_nhan"
        jobs.append((name, key, ach.name, ach))
    zip_name = f"{slugify(target.name)}.zip" if make_zip else None
    ours = {name for name, *_ in jobs} | {MANIFEST_FILE}
    if zip_name:
        ours.add(zip_name)

    total = len(jobs) + 2 + (1 if make_zip else 0)  # + manifest, + install
    done = 0

    def report(message: str) -> None:
        if progress is not None:
            progress(done, total, message)

    generated_before = _previous_generated(target) if target.is_dir() else set()
    _check_existing(target, ours | generated_before)
    _clean_stale(parent, target.name)

    stamp = (now or datetime.datetime.now()).astimezone().isoformat(timespec="seconds")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        files: list[DossierFile] = []
        for name, key, subject, ctx in jobs:
            if _cancelled(cancel):
                raise DossierCancelled()
            report(f"Đang tạo {name} ({subject})")
            data = render_document(form_set, ctx, form_key=key,
                                   audit_anchor=audit_anchor if key == "bien_ban" else None)
            (staging / name).write_bytes(data)
            files.append(DossierFile(
                name=name, form=key, subject=subject,
                sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            ))
            done += 1

        if _cancelled(cancel):
            raise DossierCancelled()
        report("Đang ghi manifest.json")
        manifest = {
            "schema": MANIFEST_SCHEMA,
            "generator": "bdhvs-desktop",
            "form_set": {
                "name": form_set.name,
                "title": form_set.title,
                "decree": form_set.decree,
            },
            "generated_at": stamp,
            "files": [
                {"name": f.name, "form": f.form, "subject": f.subject,
                 "sha256": f.sha256, "size": f.size}
                for f in files
            ],
            "zip": zip_name,
        }
        if audit_anchor is not None:  # the decision chain's head, as printed on the minutes
            manifest["audit_anchor"] = {"code": audit_anchor.code, "entries": audit_anchor.seq,
                                        "head_hash": audit_anchor.head_hash, "qr_data": audit_anchor.qr_data}
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        done += 1

        if zip_name:
            if _cancelled(cancel):
                raise DossierCancelled()
            report(f"Đang nén {zip_name}")
            with zipfile.ZipFile(staging / zip_name, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(staging / f.name, f.name)
                zf.write(staging / MANIFEST_FILE, MANIFEST_FILE)
            done += 1

        if target.is_dir():
            _carry_over(target, staging, generated_before)

        if _cancelled(cancel):
            raise DossierCancelled()
        report("Đang lưu hồ sơ vào thư mục")
        _install(staging, target)
        done += 1
        report("Đã tạo xong hồ sơ")
    except BaseException:
        _rmtree(staging)
        raise

    return DossierResult(
        folder=target,
        files=tuple(files),
        manifest_path=target / MANIFEST_FILE,
        zip_path=(target / zip_name) if zip_name else None,
        generated_at=stamp,
    )


def _install(staging: Path, target: Path) -> None:
    """Move *staging* to *target*; the old *target* is kept until that succeeded."""
    backup = None
    if target.exists():
        backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        backup.rmdir()  # only the unique name is wanted
        replace_with_retry(target, backup, folder=True)
    try:
        replace_with_retry(staging, target, folder=True)
    except BaseException:
        if backup is not None:
            replace_with_retry(backup, target, folder=True)
        raise
    if backup is not None:
        _rmtree(backup)
