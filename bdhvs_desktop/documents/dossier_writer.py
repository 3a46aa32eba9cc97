"""Write a whole award dossier folder, all or nothing.

Layout of the folder::

    to-trinh-mau-01.docx
    bien-ban-hop-xet-so-<n>-ngay-<dd-mm-yyyy>.docx      (one per council meeting)
    bao-cao-thanh-tich-mau-08-<slug of the name>.docx   (one per candidate)
    manifest.json          (file names, SHA-256, form set, generated at)
    <folder slug>.zip      (optional: everything above, for sending)

Everything is rendered into a temporary folder beside the target first; a cancelled or
failed rendering leaves the previous dossier exactly as it was. Then the folder is
updated in place, and only the files its own manifest lists are ever replaced or removed
(a hand-edited "…-ban-sua-tay.docx", a scanned signed copy are left alone; a file of the
user's own with the name of a generated one is refused, not overwritten):

1. ``manifest.json`` is rewritten as *pending* ("complete": false) listing every name the
   run may touch, so a run killed from here on leaves a folder that is "not generated";
2. the previous generated files are moved aside, the new ones moved in (a failure puts
   the previous ones back);
3. the complete manifest (names, SHA-256) is written LAST.

A folder counts as a generated dossier only when :func:`manifest_is_valid` says so; the
service records the dossier in the database only after that.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import FileInUseError, atomic_write_bytes, ensure_replaceable, lock_files_for, replace_with_retry
from .context import AchievementContext, MinutesContext, SubmissionContext
from .formsets import FormSet
from .render import form_key_for, render_document

__all__ = [
    "ACHIEVEMENT_PREFIX",
    "DossierCancelled",
    "DossierFile",
    "DossierResult",
    "MANIFEST_FILE",
    "MINUTES_FILE",
    "SUBMISSION_FILE",
    "UnmanagedFileError",
    "achievement_file_names",
    "manifest_is_valid",
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


class UnmanagedFileError(FileExistsError):
    """The folder holds a file of the user's own with the name of a generated one."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.names = names
        super().__init__(
            f"Thư mục “{folder}” đã có tệp không do chương trình tạo (không có trong manifest.json của thư mục): "
            + ", ".join(names) + ". Hồ sơ không ghi đè tệp của người dùng: hãy đổi tên hoặc chuyển các tệp này, "
            "hoặc chọn thư mục khác.")


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


def _read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _previous_generated(folder: Path) -> set[str]:
    """Names the folder's own manifest (complete or pending) lists: the only files a run
    may replace or remove."""
    names = {MANIFEST_FILE}
    data = _read_manifest(folder)
    if data is None:
        return names
    for f in data.get("files", []) if isinstance(data.get("files"), list) else []:
        name = f.get("name") if isinstance(f, dict) else None
        if isinstance(name, str) and _safe_name(name):
            names.add(name)
    if isinstance(data.get("zip"), str) and _safe_name(data["zip"]):
        names.add(data["zip"])
    return names


def _safe_name(name: str) -> bool:
    """A plain file name (a hostile manifest cannot point outside the folder)."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and ":" not in name


def manifest_is_valid(folder: Path | str) -> bool:
    """True when *folder* holds a complete dossier: its manifest is complete and every file
    it lists is there with the SHA-256 recorded. Anything else is "not generated"."""
    folder = Path(folder)
    data = _read_manifest(folder)
    if data is None or data.get("complete") is False or not isinstance(data.get("files"), list):
        return False
    for f in data["files"]:
        if not isinstance(f, dict) or not _safe_name(str(f.get("name", ""))):
            return False
        try:
            if _sha256(folder / f["name"]) != f.get("sha256"):
                return False
        except OSError:
            return False
    return True


def _write_manifest(folder: Path, data: dict) -> None:
    """Write manifest.json atomically (a temporary file, fsync, rename)."""

    atomic_write_bytes(folder / MANIFEST_FILE,
                       (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _check_existing(target: Path, ours: set[str]) -> None:
    """Refuse (before doing anything) when a file this run would replace or remove is open
    or read-only; the user's own files may be open, they are not touched."""
    if not target.exists():
        return
    if not target.is_dir():
        raise NotADirectoryError(f"“{target}” đã tồn tại và không phải là thư mục")
    entries = {p.name: p for p in target.iterdir()}
    for name, entry in entries.items():
        if not entry.is_file() or _is_lock_name(name) or name not in ours:
            continue
        for lock in lock_files_for(entry):
            if lock.name in entries:
                raise FileInUseError(entry, "open", lock)
        ensure_replaceable(entry)


def _clean_stale(parent: Path, name: str) -> None:
    now = time.time()
    for pattern in (f".{name}.tmp-*", f".{name}.old-*"):
        for p in parent.glob(pattern):
            try:
                if p.is_dir() and now - p.stat().st_mtime > _STALE_SECONDS:
                    _rmtree(p)
            except OSError:
                pass


# ------------------------------------------------------------------------- main


def write_dossier(
    target_dir: Path,
    form_set: FormSet,
    submission: SubmissionContext | Sequence[tuple[str, SubmissionContext]],
    minutes: MinutesContext | Sequence[tuple[str, MinutesContext]] | None,
    achievements: Sequence[AchievementContext],
    *,
    make_zip: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag = None,
    now: datetime.datetime | None = None,
    audit_anchor: Any = None,
    minutes_anchors: Mapping[str, Any] | None = None,
) -> DossierResult:
    """Render the dossier into *target_dir* and update the folder (see the module doc).

    *submission* is one Tờ trình, or (file name, context) pairs (one per granting
    authority); *minutes* None leaves the minutes out. *audit_anchor* (the chain head now)
    goes in the manifest and on each minutes without its own in *minutes_anchors* (file
    name -> the head at that meeting's close). *progress* is called as
    ``progress(done, total, message)``; *cancel* is a ``threading.Event`` or a callable
    returning True to stop. Raises :class:`DossierCancelled`,
    :class:`~.atomic.FileInUseError` (a file of the old dossier is open in Word),
    :class:`UnmanagedFileError`, :class:`~.render.DocumentRenderError`; in every case
    the previous dossier is left as it was.
    """
    target = Path(target_dir).absolute()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)

    if isinstance(submission, SubmissionContext):
        submissions = [(SUBMISSION_FILE, submission)]
    else:
        submissions = list(submission)
    jobs: list[tuple[str, str, str, Any]] = [
        (name, form_key_for(ctx), "Tờ trình đề nghị khen thưởng", ctx) for name, ctx in submissions]
    # One minutes document per council meeting: (file name, context) pairs, or a single
    # context; None (a draft before the council exists) leaves the minutes out.
    if minutes is None:
        minutes = []
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

    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"“{target}” đã tồn tại và không phải là thư mục")
    generated_before = _previous_generated(target) if target.is_dir() else {MANIFEST_FILE}
    _check_existing(target, ours | generated_before)
    if target.is_dir():
        foreign = sorted(n for n in ours - generated_before if (target / n).exists())
        if foreign:
            raise UnmanagedFileError(target, foreign)
    _clean_stale(parent, target.name)

    stamp = (now or datetime.datetime.now()).astimezone().isoformat(timespec="seconds")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        files: list[DossierFile] = []
        for name, key, subject, ctx in jobs:
            if _cancelled(cancel):
                raise DossierCancelled()
            report(f"Đang tạo {name} ({subject})")
            # each minutes prints its own meeting's anchor when it has one (minutes_anchors,
            # by file name), else the chain head now
            data = render_document(form_set, ctx, form_key=key,
                                   audit_anchor=(minutes_anchors or {}).get(name, audit_anchor)
                                   if key == "bien_ban" else None)
            (staging / name).write_bytes(data)
            files.append(DossierFile(
                name=name, form=key, subject=subject,
                sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            ))
            done += 1

        manifest = {
            "schema": MANIFEST_SCHEMA,
            "generator": "bdhvs-desktop",
            "complete": True,
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
        if audit_anchor is not None:  # the decision chain's head when the dossier was made
            manifest["audit_anchor"] = {"code": audit_anchor.code, "entries": audit_anchor.seq,
                                        "head_hash": audit_anchor.head_hash, "qr_data": audit_anchor.qr_data}
        if minutes_anchors:  # the head at each meeting's close, as printed on its minutes
            manifest["minutes_anchors"] = {
                name: {"code": a.code, "entries": a.seq, "head_hash": a.head_hash, "qr_data": a.qr_data}
                for name, a in sorted(minutes_anchors.items())}
        if zip_name:
            if _cancelled(cancel):
                raise DossierCancelled()
            report(f"Đang nén {zip_name}")
            with zipfile.ZipFile(staging / zip_name, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(staging / f.name, f.name)
                zf.writestr(MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            done += 1

        if _cancelled(cancel):
            raise DossierCancelled()
        report("Đang lưu hồ sơ vào thư mục")
        _install(staging, target, [name for name, *_ in jobs] + ([zip_name] if zip_name else []),
                 generated_before, manifest)
        done += 2
        report("Đã tạo xong hồ sơ")
    finally:
        _rmtree(staging)

    return DossierResult(
        folder=target,
        files=tuple(files),
        manifest_path=target / MANIFEST_FILE,
        zip_path=(target / zip_name) if zip_name else None,
        generated_at=stamp,
    )


def _install(staging: Path, target: Path, names: list[str], generated_before: set[str], manifest: dict) -> None:
    """Move the staged files into *target*: pending manifest, files, complete manifest last.

    Only *names* and the files *generated_before* lists are touched. The previous
    generated files are moved aside first; if anything fails they are put back."""
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    moved_aside: list[str] = []
    moved_in: list[str] = []
    try:
        touched = sorted((set(names) | generated_before) - {MANIFEST_FILE})
        # 1. the folder is "not generated" from now until the last step
        if (target / MANIFEST_FILE).exists():
            shutil.copy2(target / MANIFEST_FILE, backup / MANIFEST_FILE)
        _write_manifest(target, {"schema": MANIFEST_SCHEMA, "generator": "bdhvs-desktop", "complete": False,
                                 "files": [{"name": n} for n in touched], "zip": None})
        # 2. previous generated files aside, new ones in
        for name in touched:
            old = target / name
            if old.is_file():
                replace_with_retry(old, backup / name)
                moved_aside.append(name)
        for name in names:
            replace_with_retry(staging / name, target / name)
            moved_in.append(name)
        # 3. the manifest, last
        _write_manifest(target, manifest)
    except BaseException:
        for name in moved_in:
            try:
                (target / name).unlink()
            except OSError:
                pass
        for name in moved_aside:
            try:
                replace_with_retry(backup / name, target / name)
            except OSError:
                pass
        try:
            if (backup / MANIFEST_FILE).exists():
                replace_with_retry(backup / MANIFEST_FILE, target / MANIFEST_FILE)
            elif (target / MANIFEST_FILE).exists():
                (target / MANIFEST_FILE).unlink()
            if created and not any(target.iterdir()):
                target.rmdir()
        except OSError:
            pass
        _rmtree(backup)
        raise
    _rmtree(backup)
