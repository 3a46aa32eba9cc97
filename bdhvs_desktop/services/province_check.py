"""The checks a ward's proposal package passes before the province office writes anything
(services/province.py): it was not imported before (same package id, or the same file), its bytes
and hashes (documents/package_format.py: read_package), the signatures of its manifest and of its
signed PDFs against the province's trust roots (documents/signing.py), and the facts its candidates
are scored from (services/province_contents.py; whether the signer is the ward in
services/ward_signer.py). A refusal is a `PackageRefused` whose Vietnamese message names the ward."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.text import clean
from bdhvs_desktop.services.province_contents import facts_warnings, visible, vote_problems
from bdhvs_desktop.services.ward_signer import signer_is_ward
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database

MAX_WARD_CODE = 40  # room for "<ward>/<unit>" in unit.code (64)
VN_OFFSET = dt.timedelta(hours=7)  # times are stored in UTC; Vietnam has no daylight saving time


class PackageRefused(Exception):
    """A package that is not imported; the message is Vietnamese and names the ward."""


@dataclass(frozen=True)
class Checked:
    """A package that passed every check before the write."""

    path: Path
    blob: bytes
    opened: pf.OpenedPackage
    signer: str | None
    signed_at: dt.datetime | None
    trusted: bool
    verification: dict[str, Any]
    warnings: tuple[str, ...]


def refuse(message: str, ward: tuple[str | None, str | None]) -> PackageRefused:
    exc = PackageRefused(message)
    exc.ward = ward  # type: ignore[attr-defined]
    return exc


def ward_label(code: str | None, name: str | None, path: Path) -> str:
    if name:
        return f"Gói hồ sơ của {name} ({code}, tệp {path.name})" if code else f"Gói hồ sơ của {name} (tệp {path.name})"
    return f"Tệp {path.name}"


def peek_ward(blob: bytes) -> tuple[str | None, str | None]:
    """The ward a package says it is from, read leniently (a tampered package is still named)."""

    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            for member in (pf.MANIFEST_MEMBER, pf.DATA_MEMBER):
                try:
                    ward = json.loads(zf.read(member).decode("utf-8")).get("ward") or {}
                except (KeyError, ValueError, zipfile.BadZipFile, OSError):
                    continue
                if isinstance(ward, dict) and ward.get("name"):
                    return (str(ward.get("code") or "") or None, clean(str(ward["name"]))[:300])
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        pass
    return None, None


def earlier_import(session: Session, package_id: str | None, sha: str) -> pm.WardPackage | None:
    cond = pm.WardPackage.file_sha256 == sha
    if package_id:
        cond = or_(cond, pm.WardPackage.package_id == package_id)
    return session.scalar(select(pm.WardPackage).where(cond).limit(1))


def replay_message(label: str, earlier: pm.WardPackage, sha: str) -> str:
    same = "cùng nội dung tệp" if earlier.file_sha256 == sha else f"cùng mã gói {earlier.package_id}"
    local = earlier.imported_at + VN_OFFSET  # stored in UTC; Vietnam has no daylight saving time
    when = f"{local:%H:%M} ngày {vn_date(local.date())}"
    return (f"{label} bị từ chối: gói này đã được nhập lúc {when} bởi {earlier.imported_by or 'không rõ'} "
            f"({same}, gói của {earlier.ward_name}). Mỗi gói chỉ nhập một lần.")


def check_package(db: Database, path: Path, roots: Sequence[bytes]) -> Checked:
    try:
        size = path.stat().st_size
        if size > pf.MAX_SIZE:
            raise refuse(f"Tệp {path.name} bị từ chối: quá lớn để là gói hồ sơ đề nghị ({size:,} byte).",
                          (None, None))
        blob = path.read_bytes()
    except OSError as exc:
        raise refuse(f"Không đọc được tệp {path}: {exc.strerror or exc}.", (None, None)) from exc
    sha = hashlib.sha256(blob).hexdigest()
    peek = peek_ward(blob)
    label = ward_label(peek[0], peek[1], path)
    with db.read() as s:  # a replay is refused before the costly checks (and again under the lock)
        earlier = earlier_import(s, None, sha)
        if earlier is not None:
            raise refuse(replay_message(label, earlier, sha), (earlier.ward_code, earlier.ward_name))
    try:
        opened = pf.read_package(blob)
    except pf.PackageError as exc:
        raise refuse(f"{label} bị từ chối: {exc.message}", peek) from exc
    opened = visible(opened)
    ward = (opened.ward_code, opened.ward_name)
    label = ward_label(opened.ward_code, opened.ward_name, path)
    with db.read() as s:
        earlier = earlier_import(s, opened.package_id, sha)
        if earlier is not None:
            raise refuse(replay_message(label, earlier, sha), ward)
    if len(opened.ward_code) > MAX_WARD_CODE:
        raise refuse(f"{label} bị từ chối: mã phường “{opened.ward_code}” dài quá {MAX_WARD_CODE} ký tự.", ward)
    checked = verify(path, blob, opened, roots, label, ward)  # a broken signature is said first
    wrong = vote_problems(opened.data)
    if wrong:
        more = f" và {len(wrong) - 5} chỗ khác" if len(wrong) > 5 else ""
        raise refuse(f"{label} bị từ chối: số phiếu không khớp: " + "; ".join(wrong[:5]) + more + ".", ward)
    return dataclasses.replace(checked, warnings=checked.warnings + facts_warnings(opened))

def verify(path: Path, blob: bytes, opened: pf.OpenedPackage, roots: Sequence[bytes], label: str,
            ward: tuple[str, str]) -> Checked:
    from bdhvs_desktop.documents import signing  # lazy: pyHanko is heavy

    try:
        result = pf.verify_signatures(opened, roots)  # the manifest's CMS and every PDF the ward signed
    except (pf.PackageError, signing.SigningError) as exc:
        raise refuse(f"{label} bị từ chối: {exc}", ward) from exc
    if roots and result.manifest is None:
        raise refuse(f"{label} bị từ chối: gói chưa được ký số (không có manifest.json.p7s), mà văn phòng tỉnh "
                     "chỉ nhận gói có chữ ký số của phường.", ward)
    pdfs = dict(sorted(result.pdfs.items()))
    unsigned = list(result.unsigned_pdfs)
    checks = ([("manifest.json", result.manifest)] if result.manifest is not None else [])
    checks += [(name, c) for name, cs in pdfs.items() for c in cs]
    broken = [f"“{name}”: {c.problem or 'chữ ký không khớp nội dung'}" for name, c in checks if not c.intact]
    if broken:
        raise refuse(f"{label} bị từ chối: chữ ký số không còn nguyên vẹn (nội dung đã bị sửa sau khi ký, chữ ký "
                     f"hỏng hoặc thiếu chữ ký đã ghi trong gói): " + "; ".join(broken), ward)
    warnings: list[str] = []
    untrusted = [f"“{name}”: {c.problem or 'chứng thư không tin cậy'}" for name, c in checks if not c.trusted]
    if roots:
        if untrusted:
            raise refuse(f"{label} bị từ chối: chữ ký số không do chứng thư tin cậy của tỉnh cấp: "
                          + "; ".join(untrusted), ward)
        strangers = [f"“{name}” do “{c.signer}” ký" for name, c in checks
                     if not signer_is_ward(c.subject_names or (c.signer,), opened.ward_name)]
        if strangers:
            raise refuse(f"{label} bị từ chối: người ký không phải {opened.ward_name}: " + "; ".join(strangers)
                          + ". Chứng thư số ký gói phải là của chính phường gửi gói (tên phường trong chứng thư).", ward)
    elif result.manifest is None:
        warnings.append("Gói không có chữ ký số: chỉ kiểm tra được mã băm, không xác định được người ký.")
    else:
        warnings.append("Chưa tin cậy: chưa kiểm tra được chứng thư của người ký vì văn phòng tỉnh chưa khai báo chứng "
                        "thư gốc tin cậy (Cài đặt → Chữ ký số…, thẻ “CA tin cậy”; hoặc bdhvs province trust CA.pem); "
                        "chữ ký khớp nội dung.")
    trusted = bool(roots) and result.manifest is not None and not untrusted
    man = result.manifest
    verification = {
        "manifest": check_json(man) if man is not None else None,
        "pdfs": {name: [check_json(c) for c in cs] for name, cs in pdfs.items()},
        "unsigned_pdfs": unsigned,
        "trust_roots": len(roots),
        "documents": len(opened.documents),
        "summary": "",
    }
    checked = Checked(path, blob, opened, man.signer if man is not None else None,
                       man.signing_time if man is not None else None, trusted, verification, tuple(warnings))
    verification["summary"] = signature_phrase(checked)
    return checked

def check_json(c: Any) -> dict[str, Any]:
    return {"ok": c.ok, "intact": c.intact, "trusted": c.trusted, "signer": c.signer,
            "signing_time": c.signing_time.isoformat() if c.signing_time else None, "problem": c.problem}


def signature_phrase(checked: Checked) -> str:
    pdfs = sum(len(cs) for cs in checked.verification["pdfs"].values())
    if checked.signer is None:
        return "không có chữ ký số"
    trust = "chứng thư tin cậy" if checked.trusted else "chưa xác minh chứng thư"
    extra = f", {pdfs} chữ ký trên tệp PDF" if pdfs else ""
    return f"ký số bởi {checked.signer} ({trust}{extra})"
