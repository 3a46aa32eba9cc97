"""The ward's proposal package (gói hồ sơ đề nghị, issue #14): one canonical ZIP file.

A package carries a ward's proposal to the province: ``package.json`` (the data, JSON schema
``resources/schemas/proposal-package-v1.schema.json``), the dossier documents under
``documents/`` (.docx and .pdf), ``manifest.json`` (package id, ward, the SHA-256 and size of
every other member) and optionally ``manifest.json.p7s`` (the office's CMS detached signature
of manifest.json). The format is described field by field in ``docs/package-format.md``.

The file is **canonical**: the ZIP is written by this module byte by byte (not by ``zipfile``,
whose output may change between Python versions), members STORED (no compression), in a fixed
order, with a fixed timestamp (1980-01-01 00:00), no extra fields, no comments. Its bytes are
therefore a function of the members' names and contents alone, and :func:`read_package`
parses the members, writes them again and compares: **any** changed byte -- in a header, a
content, the central directory -- makes the two differ and the package is refused.
Then the manifest's hashes, the member list and the schema are checked. Every refusal is a
:class:`PackageError` with a Vietnamese message naming the member or field.

Signatures (manifest CMS, signed PDFs) go through ``documents/signing.py``, imported lazily.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import struct
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.paths import resources_dir

if TYPE_CHECKING:  # pragma: no cover - types only
    from bdhvs_desktop.documents.signing import SignatureCheck, SignerConfig

__all__ = [
    "DATA_MEMBER",
    "FILE_SUFFIX",
    "FORMAT",
    "MANIFEST_MEMBER",
    "SCHEMA_VERSION",
    "SIGNATURE_MEMBER",
    "MemberInfo",
    "OpenedPackage",
    "PackageError",
    "PackageInfo",
    "PackageVerification",
    "build_package",
    "read_package",
    "validate_data",
    "verify_signatures",
    "write_package",
]

FORMAT = "bdhvs.proposal-package"
MANIFEST_FORMAT = "bdhvs.proposal-package.manifest"
SCHEMA_VERSION = 1
SUPPORTED_VERSIONS = (1,)
FILE_SUFFIX = ".bdhvs-goi"
DATA_MEMBER = "package.json"
MANIFEST_MEMBER = "manifest.json"
SIGNATURE_MEMBER = "manifest.json.p7s"
SCHEMA_FILE = "proposal-package-v1.schema.json"

#: A document member: ``documents/`` then ASCII path segments, ending .docx or .pdf.
DOCUMENT_NAME = re.compile(r"^documents/(?:[A-Za-z0-9][A-Za-z0-9._-]{0,99}/){0,3}[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.(?:docx|pdf)$")
MAX_MEMBERS = 5000
MAX_SIZE = 2**31 - 1  # the whole file; the format has no ZIP64

# ZIP constants (APPNOTE 6.3.x): version 2.0, UTF-8 names (bit 11), STORED, 1980-01-01 00:00.
_VERSION = 20
_FLAGS = 0x0800
_DOS_TIME = 0
_DOS_DATE = (0 << 9) | (1 << 5) | 1
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50


class PackageError(Exception):
    """A package cannot be written or is refused on reading; the message is Vietnamese."""

    def __init__(self, message: str, *, member: str | None = None):
        super().__init__(message)
        self.message = message
        self.member = member


@dataclass(frozen=True)
class MemberInfo:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PackageInfo:
    """What :func:`write_package` wrote."""

    path: Path | None
    package_id: str
    size: int
    sha256: str  # of the whole file
    members: tuple[MemberInfo, ...]
    signed: bool


@dataclass(frozen=True)
class OpenedPackage:
    """A package that passed :func:`read_package`: canonical, hashes right, schema valid."""

    package_id: str
    schema_version: int
    created_at: str
    ward_code: str
    ward_name: str
    data: dict
    manifest: dict
    manifest_bytes: bytes
    documents: dict[str, bytes]
    signature: bytes | None
    sha256: str  # of the whole file (a replay of the same file has the same one)
    size: int

    @property
    def signed(self) -> bool:
        return self.signature is not None


@dataclass(frozen=True)
class PackageVerification:
    """Signatures of an opened package (its integrity was already checked on reading)."""

    intact: bool  # every signature present matches its data (False: something was changed after signing)
    signed: bool  # the manifest carries a signature
    manifest: SignatureCheck | None
    pdfs: dict[str, list[SignatureCheck]] = field(default_factory=dict)
    unsigned_pdfs: tuple[str, ...] = ()
    #: Broken or missing signatures (Vietnamese, naming the member).
    problems: tuple[str, ...] = ()
    #: Intact signatures that do not chain to a given trust root (Vietnamese).
    trust_problems: tuple[str, ...] = ()

    @property
    def trusted(self) -> bool:
        """The manifest is signed, intact and chains to a trust root, and so is every office-signed PDF."""
        if self.manifest is None or not (self.manifest.intact and self.manifest.trusted):
            return False
        return not self.problems and all(c.intact and c.trusted for checks in self.pdfs.values() for c in checks)

    @property
    def ok(self) -> bool:
        """Signed, nothing broken, and trusted."""
        return self.intact and self.signed and not self.problems and self.trusted


# --- the canonical ZIP -----------------------------------------------------------------------------


def _member_order(name: str) -> tuple[int, str]:
    if name == DATA_MEMBER:
        return (0, "")
    if name == MANIFEST_MEMBER:
        return (2, "")
    if name == SIGNATURE_MEMBER:
        return (3, "")
    return (1, name)


def _zip_bytes(members: Sequence[tuple[str, bytes]]) -> bytes:
    """The canonical ZIP of *members* (already in canonical order)."""
    out = bytearray()
    central = bytearray()
    for name, data in members:
        raw = name.encode("utf-8")
        crc = zlib.crc32(data) & 0xFFFFFFFF
        offset = len(out)
        out += _LOCAL.pack(_LOCAL_SIG, _VERSION, _FLAGS, 0, _DOS_TIME, _DOS_DATE, crc, len(data), len(data), len(raw), 0)
        out += raw
        out += data
        central += _CENTRAL.pack(_CENTRAL_SIG, _VERSION, _VERSION, _FLAGS, 0, _DOS_TIME, _DOS_DATE, crc, len(data),
                                 len(data), len(raw), 0, 0, 0, 0, 0, offset)
        central += raw
    cd_offset = len(out)
    out += central
    out += _END.pack(_END_SIG, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    if len(out) > MAX_SIZE:
        raise PackageError(f"Gói hồ sơ quá lớn ({vn_number(len(out))} byte; tối đa {vn_number(MAX_SIZE)} byte).")
    return bytes(out)


def _parse_members(blob: bytes) -> list[tuple[str, bytes]]:
    """Read the members from the local headers (the canonical check then compares the whole file)."""
    members: list[tuple[str, bytes]] = []
    pos = 0
    while pos + 4 <= len(blob) and struct.unpack_from("<I", blob, pos)[0] == _LOCAL_SIG:
        if pos + _LOCAL.size > len(blob) or len(members) >= MAX_MEMBERS:
            raise PackageError(f"Gói hồ sơ bị cắt cụt hoặc hỏng: tiêu đề thành phần thứ {len(members) + 1} không đọc được.")
        (_sig, _ver, flags, method, _t, _d, crc, csize, usize, nlen, xlen) = _LOCAL.unpack_from(blob, pos)
        start = pos + _LOCAL.size
        raw_name = blob[start:start + nlen]
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            name = raw_name.decode("latin-1")
        if method != 0 or csize != usize:
            raise PackageError(f"Thành phần “{name}” bị nén hoặc hỏng: gói hồ sơ chỉ chứa thành phần không nén.",
                               member=name)
        data_start = start + nlen + xlen
        data = blob[data_start:data_start + csize]
        if len(data) != csize:
            raise PackageError(f"Gói hồ sơ bị cắt cụt: thành phần “{name}” thiếu dữ liệu.", member=name)
        if zlib.crc32(data) & 0xFFFFFFFF != crc:
            raise PackageError(f"Thành phần “{name}” bị thay đổi: mã kiểm tra CRC không khớp.", member=name)
        members.append((name, data))
        pos = data_start + csize
    if not members:
        raise PackageError("Tệp không phải gói hồ sơ đề nghị (không đọc được thành phần nào).")
    return members


def _canonical_members(members: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return sorted(members, key=lambda item: _member_order(item[0]))


# --- schema ----------------------------------------------------------------------------------------


@cache
def _schema() -> dict:
    return json.loads((resources_dir() / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8"))


@cache
def _validator(definition: str | None):
    import jsonschema  # lazy: only reading or writing a package needs it

    schema = _schema()
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _where(path: Iterable[Any]) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "".join(parts).lstrip(".") or "(gốc)"


def _schema_errors(doc: Any, definition: str | None) -> list[str]:
    errors = sorted(_validator(definition).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [f"trường “{_where(e.absolute_path)}”: {_explain(e)}" for e in errors[:10]]


def _explain(error) -> str:
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        return "thiếu trường " + ", ".join(f"“{k}”" for k in missing)
    if kind == "additionalProperties":
        return f"có trường không có trong lược đồ ({error.message})"
    if kind == "type":
        return f"sai kiểu dữ liệu (cần {error.validator_value}, có {json.dumps(error.instance, ensure_ascii=False)[:60]})"
    if kind in ("enum", "const"):
        return f"giá trị {json.dumps(error.instance, ensure_ascii=False)[:60]} không được phép"
    if kind in ("pattern", "format"):
        return f"giá trị {json.dumps(error.instance, ensure_ascii=False)[:60]} sai định dạng"
    if kind in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        return f"giá trị vượt giới hạn ({kind} {error.validator_value})"
    return f"không hợp lệ ({kind})"


def validate_data(data: dict) -> None:
    """Raise :class:`PackageError` if *data* (package.json) does not match the v1 schema."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in SUPPORTED_VERSIONS:
        raise PackageError(
            f"“{DATA_MEMBER}” có phiên bản lược đồ (schema_version) {json.dumps(version)} không được hỗ trợ; "
            f"chương trình này đọc phiên bản {', '.join(map(str, SUPPORTED_VERSIONS))}. Hãy cập nhật chương trình.",
            member=DATA_MEMBER)
    errors = _schema_errors(data, None)
    if errors:
        raise PackageError(f"“{DATA_MEMBER}” không đúng lược đồ: " + "; ".join(errors) + ".", member=DATA_MEMBER)


# --- writing ---------------------------------------------------------------------------------------


def _json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _check_document_names(documents: dict[str, bytes]) -> None:
    for name in documents:
        if not DOCUMENT_NAME.match(name):
            raise PackageError(f"Tên tài liệu “{name}” không hợp lệ trong gói: cần dạng documents/<tên>.docx hoặc .pdf "
                               "(chữ không dấu, số, dấu chấm, gạch).", member=name)


def _check_documents_described(data: dict, documents: dict[str, bytes]) -> None:
    """package.json's ``documents`` lists exactly the document members; every path it cites exists."""
    described = [d["path"] for d in data["documents"]]
    missing = [p for p in described if p not in documents]
    if missing:
        raise PackageError(f"Trường “documents” của “{DATA_MEMBER}” nhắc đến tài liệu không có trong gói: "
                           f"{', '.join(missing)}.", member=missing[0])
    undescribed = sorted(set(documents) - set(described))
    if undescribed:
        raise PackageError(f"Tài liệu trong gói không được mô tả trong trường “documents” của “{DATA_MEMBER}”: "
                           f"{', '.join(undescribed)}.", member=undescribed[0])
    cited = [(f"candidates[{i}].documents", p) for i, c in enumerate(data["candidates"]) for p in c["documents"]]
    cited += [(f"council.meetings[{i}].document", mt["document"]) for i, mt in enumerate(data["council"]["meetings"])]
    cited += [(f"proposal.submissions[{i}].document", sb["document"])
              for i, sb in enumerate(data["proposal"]["submissions"])]
    for where, path in cited:
        if path is not None and path not in documents:
            raise PackageError(f"Trường “{where}” của “{DATA_MEMBER}” nhắc đến tài liệu “{path}” không có trong gói.",
                               member=DATA_MEMBER)


def build_package(data: dict, documents: dict[str, bytes], *, signer: SignerConfig | None = None,
                  package_id: str | None = None, created_at: str | None = None) -> tuple[bytes, PackageInfo]:
    """The package's bytes and what is in them (nothing is written to disk)."""
    validate_data(data)
    _check_document_names(documents)
    _check_documents_described(data, documents)
    package_id = package_id or str(uuid.uuid4())
    created_at = created_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    payload = [(DATA_MEMBER, _json_bytes(data))] + sorted(documents.items())
    infos = tuple(MemberInfo(name, hashlib.sha256(blob).hexdigest(), len(blob)) for name, blob in payload)
    ward = data["ward"]
    manifest = {
        "format": MANIFEST_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "package_id": package_id,
        "created_at": created_at,
        "ward": {"code": ward["code"], "name": ward["name"]},
        "level": data["level"],
        "members": [{"path": i.path, "sha256": i.sha256, "size": i.size} for i in infos],
    }
    errors = _schema_errors(manifest, "manifest")
    if errors:
        raise PackageError(f"“{MANIFEST_MEMBER}” không đúng lược đồ: " + "; ".join(errors) + ".", member=MANIFEST_MEMBER)
    manifest_bytes = _json_bytes(manifest)
    members = payload + [(MANIFEST_MEMBER, manifest_bytes)]
    if signer is not None:
        from bdhvs_desktop.documents import signing  # lazy: pyHanko is heavy

        members.append((SIGNATURE_MEMBER, signing.sign_detached(manifest_bytes, signer)))
    blob = _zip_bytes(_canonical_members(members))
    info = PackageInfo(None, package_id, len(blob), hashlib.sha256(blob).hexdigest(), infos, signer is not None)
    return blob, info


def write_package(path: Path | str, data: dict, documents: dict[str, bytes], *, signer: SignerConfig | None = None,
                  package_id: str | None = None, created_at: str | None = None) -> PackageInfo:
    """Write the package to *path* atomically (whole or not at all) and return what was written."""
    blob, info = build_package(data, documents, signer=signer, package_id=package_id, created_at=created_at)
    atomic_write_bytes(Path(path), blob)
    return PackageInfo(Path(path), info.package_id, info.size, info.sha256, info.members, info.signed)


# --- reading ---------------------------------------------------------------------------------------


class _NotANumber(Exception):
    pass


def _no_constant(name: str) -> Any:
    """NaN, Infinity, -Infinity: Python's parser takes them, JSON has none (and a NaN sorts anywhere)."""
    raise _NotANumber(name)


def _load_json(name: str, blob: bytes) -> Any:
    try:
        return json.loads(blob.decode("utf-8"), parse_constant=_no_constant)
    except _NotANumber as exc:
        raise PackageError(f"Thành phần “{name}” chứa giá trị {exc} (không phải số; JSON không có giá trị này).",
                           member=name) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"Thành phần “{name}” không phải JSON hợp lệ: {exc}.", member=name) from exc
    except RecursionError as exc:  # "[[[[…" nested deeper than the parser's stack
        raise PackageError(f"Thành phần “{name}” lồng nhau quá sâu, không phải dữ liệu của gói hồ sơ.",
                           member=name) from exc
    except ValueError as exc:  # an integer of more than 4,300 digits (sys.get_int_max_str_digits)
        raise PackageError(f"Thành phần “{name}” chứa số quá lớn, không phải dữ liệu của gói hồ sơ.",
                           member=name) from exc


def read_package(source: Path | str | bytes) -> OpenedPackage:
    """Open a package and check it whole; raise :class:`PackageError` on anything wrong.

    Checks, in order: the bytes are the canonical ZIP of the members (any changed byte
    anywhere fails here), manifest.json is there and valid, the members are exactly the
    manifest's list (plus manifest.json and its optional signature), every hash and size
    matches, the schema version is supported and package.json matches the schema.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        blob = bytes(source)
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_SIZE:
                raise PackageError(f"Tệp “{path.name}” quá lớn để là gói hồ sơ đề nghị.")
            blob = path.read_bytes()
        except OSError as exc:
            raise PackageError(f"Không đọc được tệp gói hồ sơ “{path}”: {exc.strerror or exc}.") from exc
    members = _parse_members(blob)
    names = [n for n, _ in members]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PackageError(f"Gói hồ sơ có thành phần trùng tên: {', '.join(dupes)}.", member=dupes[0])
    if _zip_bytes(_canonical_members(members)) != blob:
        raise PackageError("Gói hồ sơ đã bị thay đổi hoặc không do chương trình tạo ra: các byte của tệp không "
                           "khớp với dạng chuẩn của nội dung (tiêu đề, thư mục ZIP hoặc thứ tự thành phần bị sửa).")
    contents = dict(members)
    if MANIFEST_MEMBER not in contents:
        raise PackageError(f"Gói hồ sơ thiếu thành phần “{MANIFEST_MEMBER}”.", member=MANIFEST_MEMBER)
    manifest_bytes = contents[MANIFEST_MEMBER]
    manifest = _load_json(MANIFEST_MEMBER, manifest_bytes)
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    if version not in SUPPORTED_VERSIONS:
        raise PackageError(f"“{MANIFEST_MEMBER}” có phiên bản lược đồ (schema_version) {json.dumps(version)} không được "
                           f"hỗ trợ; chương trình này đọc phiên bản {', '.join(map(str, SUPPORTED_VERSIONS))}.",
                           member=MANIFEST_MEMBER)
    errors = _schema_errors(manifest, "manifest")
    if errors:
        raise PackageError(f"“{MANIFEST_MEMBER}” không đúng lược đồ: " + "; ".join(errors) + ".", member=MANIFEST_MEMBER)
    listed = {e["path"]: e for e in manifest["members"]}
    expected = set(listed) | {MANIFEST_MEMBER}
    extra = [n for n in names if n not in expected and n != SIGNATURE_MEMBER]
    if extra:
        raise PackageError(f"Gói hồ sơ có thành phần không có trong bản kê (manifest.json): {', '.join(extra)}.",
                           member=extra[0])
    missing = [n for n in listed if n not in contents]
    if missing:
        raise PackageError(f"Gói hồ sơ thiếu thành phần có trong bản kê: {', '.join(missing)}.", member=missing[0])
    for name, entry in listed.items():
        blob_member = contents[name]
        actual = hashlib.sha256(blob_member).hexdigest()
        if actual != entry["sha256"] or len(blob_member) != entry["size"]:
            raise PackageError(f"Thành phần “{name}” không khớp bản kê: SHA-256 cần {entry['sha256']}, thực tế {actual} "
                               f"(kích thước cần {entry['size']}, thực tế {len(blob_member)}).", member=name)
    if DATA_MEMBER not in contents:
        raise PackageError(f"Gói hồ sơ thiếu thành phần “{DATA_MEMBER}”.", member=DATA_MEMBER)
    data = _load_json(DATA_MEMBER, contents[DATA_MEMBER])
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PackageError(f"“{DATA_MEMBER}” không phải dữ liệu gói hồ sơ đề nghị (trường “format” cần “{FORMAT}”).",
                           member=DATA_MEMBER)
    validate_data(data)
    documents = {n: b for n, b in members if n.startswith("documents/")}
    bad = [n for n in documents if not DOCUMENT_NAME.match(n)]
    if bad:
        raise PackageError(f"Tên tài liệu không hợp lệ trong gói: {', '.join(bad)}.", member=bad[0])
    if data["ward"]["code"] != manifest["ward"]["code"]:
        raise PackageError(f"Mã phường trong “{DATA_MEMBER}” ({data['ward']['code']}) khác mã trong bản kê "
                           f"({manifest['ward']['code']}).", member=DATA_MEMBER)
    if data["ward"]["name"] != manifest["ward"]["name"]:
        raise PackageError(f"Tên phường trong “{DATA_MEMBER}” ({data['ward']['name']}) khác tên trong bản kê "
                           f"({manifest['ward']['name']}).", member=DATA_MEMBER)
    _check_documents_described(data, documents)
    return OpenedPackage(
        package_id=manifest["package_id"], schema_version=version, created_at=manifest["created_at"],
        ward_code=manifest["ward"]["code"], ward_name=manifest["ward"]["name"], data=data, manifest=manifest,
        manifest_bytes=manifest_bytes, documents=documents, signature=contents.get(SIGNATURE_MEMBER),
        sha256=hashlib.sha256(blob).hexdigest(), size=len(blob))


def verify_signatures(opened: OpenedPackage, trust_roots: Sequence[bytes] = ()) -> PackageVerification:
    """Check the manifest's CMS signature and every office-signed PDF against *trust_roots* (DER).

    The integrity of the bytes was already checked by :func:`read_package`. The PDFs checked are
    those package.json declares ``"signed": "office"`` (Tờ trình, minutes); the others (Form 08
    reports are signed on paper, .docx originals) are listed in ``unsigned_pdfs``: the manifest
    covers them. Problems are Vietnamese sentences naming the member.
    """
    from bdhvs_desktop.documents import signing  # lazy: pyHanko is heavy

    problems: list[str] = []
    trust: list[str] = []

    def judge(where: str, check) -> None:
        if not check.intact:
            problems.append(f"Chữ ký số {where}: {check.problem}")
        elif not check.trusted:
            trust.append(f"Chữ ký số {where} của “{check.signer}”: {check.problem}")

    manifest_check = None
    if opened.signature is not None:
        manifest_check = signing.verify_detached(opened.manifest_bytes, opened.signature, trust_roots)
        judge(f"của bản kê “{MANIFEST_MEMBER}”", manifest_check)
    declared = {d["path"]: d["signed"] for d in opened.data["documents"]}
    pdfs: dict[str, list] = {}
    unsigned: list[str] = []
    for name, blob in opened.documents.items():
        if not name.endswith(".pdf"):
            continue
        if declared.get(name) != "office":
            unsigned.append(name)
            continue
        checks = signing.verify_pdf(blob, trust_roots)
        pdfs[name] = checks
        for check in checks:
            judge(f"trong “{name}”", check)
    return PackageVerification(intact=not problems, signed=opened.signature is not None, manifest=manifest_check,
                               pdfs=pdfs, unsigned_pdfs=tuple(sorted(unsigned)), problems=tuple(problems),
                               trust_problems=tuple(trust))
