"""The checks a ward's proposal package passes before the province office writes anything
(services/province.py): it was not imported before (same package id, or the same file), its bytes
and hashes (documents/package_format.py: read_package), the signatures of its manifest and of its
signed PDFs against the province's trust roots (documents/signing.py), and the facts its candidates
are scored from. A refusal is a `PackageRefused` whose Vietnamese message names the ward."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.score_facts import FactsFormatError, facts_from_dict
from bdhvs_desktop.domain.text import clean, fold
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
    import io
    import json
    import zipfile

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


def _visible_text(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isascii() else "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    if isinstance(value, list):
        return [_visible_text(v) for v in value]
    if isinstance(value, dict):
        return {_visible_text(k): _visible_text(v) for k, v in value.items()}
    return value


def visible(opened: pf.OpenedPackage) -> pf.OpenedPackage:
    """The package's data without invisible format characters (Unicode category Cf: zero-width
    spaces and joiners, bidi overrides, BOMs, soft hyphens) in any text: a name with one is the same
    name (the same person across wards, domain/text.py: name_key) and shows as it reads. The
    signatures were made over the bytes, which are kept as they came."""
    return dataclasses.replace(opened, data=_visible_text(opened.data), ward_name=_visible_text(opened.ward_name))


def vote_problems(data: dict) -> list[str]:
    """Where the ward's vote figures contradict themselves (Vietnamese): a candidate's votes
    (``ward_votes``, which the ranking's tie-break reads) differ from the votes the minutes of that
    meeting record for them, or more votes are cast than members present, or more present than members."""
    meetings = {m.get("number"): m for m in (data.get("council") or {}).get("meetings") or []}
    out = []
    for c in data["candidates"]:
        v = c.get("ward_votes") or {}
        if not v:
            continue
        who = clean(c["name"])
        cast = v["for"] + v["against"] + v["abstain"]
        present, members = v.get("present") or 0, v.get("members") or 0
        if present and cast > present:
            out.append(f"{who}: {cast} phiếu mà chỉ có {present} thành viên dự họp")
        if members and present > members:
            out.append(f"{who}: {present} thành viên dự họp mà Hội đồng chỉ có {members} thành viên")
        meeting = meetings.get(v.get("meeting"))
        if meeting is None and len(meetings) == 1:
            meeting = next(iter(meetings.values()))
        recorded = [x for x in (meeting or {}).get("votes") or [] if x.get("candidate") == c["key"]]
        if recorded and all((x["for"], x["against"], x["abstain"]) != (v["for"], v["against"], v["abstain"])
                            for x in recorded):
            x = recorded[0]
            out.append(f"{who}: gói ghi {v['for']} đồng ý, {v['against']} không đồng ý, {v['abstain']} không biểu "
                       f"quyết, biên bản họp {meeting.get('number') or ''} ghi {x['for']}, {x['against']}, "
                       f"{x['abstain']} phiếu")
    return out


def facts_warnings(opened: pf.OpenedPackage) -> tuple[str, ...]:
    """The candidates whose facts this program cannot read: imported, but not ranked (the ranking says why)."""
    bad = []
    for c in opened.data["candidates"]:
        try:
            if not c.get("facts"):
                raise FactsFormatError("không có dữ liệu sự kiện (facts).")
            facts_from_dict(c["facts"])
        except FactsFormatError as exc:
            bad.append(f"{clean(c['name'])}: {exc}")
    if not bad:
        return ()
    more = f" và {len(bad) - 5} hồ sơ khác" if len(bad) > 5 else ""
    return (f"Không đọc được dữ liệu chấm điểm của {len(bad)} hồ sơ (nhập được nhưng chưa xếp hạng được): "
            + "; ".join(bad[:5]) + more + ".",)


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
        warnings.append("Chưa kiểm tra được chứng thư của người ký (văn phòng tỉnh chưa khai báo chứng thư gốc tin cậy: "
                        "bdhvs province trust CA.pem); chữ ký khớp nội dung.")
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


_WARD_KINDS = ("phuong", "xa", "thi tran", "dac khu")
#: How a certificate may write the kind: in full, or abbreviated ("UBND P. Tân An", "UBND TT. Liên Nghĩa").
_KIND_SPELLINGS = {"phuong": r"(?:phuong\s+|p\.\s*)", "xa": r"(?:xa\s+|x\.\s*)",
                   "thi tran": r"(?:thi\s+tran\s+|tt\.\s*)", "dac khu": r"(?:dac\s+khu\s+)"}
_SEPARATOR = r"(?=\s*(?:$|[,;:()/|\-\u2013]))"


def signer_is_ward(subject_names: Sequence[str], ward_name: str) -> bool:
    """Whether a certificate's subject names the ward: one of its names (common name, organisation,
    unit) contains the ward's name, with its kind when the ward's name has one ("phường La Gi"),
    as whole words ending the name or followed by a separator ("…phường Tân An, tỉnh …" names
    Tân An; "…phường Tân An Hội" and "…phường 12" do not name Tân An or Phường 1)."""
    ward = fold(ward_name)
    kind = next((k for k in _WARD_KINDS if ward.startswith(k + " ")), "")
    core = ward[len(kind):].strip()
    if not core:
        return False
    lead = _KIND_SPELLINGS[kind] if kind else "(?:" + "|".join(_KIND_SPELLINGS.values()) + ")?"
    pattern = re.compile(r"(?<![a-z0-9])" + lead + re.escape(core).replace(r"\ ", r"\s+") + _SEPARATOR)
    return any(pattern.search(fold(n)) for n in subject_names if n)


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


