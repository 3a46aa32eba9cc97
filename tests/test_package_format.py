"""The proposal package's file format (documents/package_format.py): canonical bytes, manifest, schema."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from package_sample import sample_data, sample_documents

from bdhvs_desktop.documents import package_format as pf

FIXED = {"package_id": "3f1c7a52-7d8e-4b1a-9c3e-0a1b2c3d4e5f", "created_at": "2026-11-26T08:00:00+00:00"}


@pytest.fixture
def blob() -> bytes:
    data, _ = pf.build_package(sample_data(), sample_documents(), **FIXED)
    return data


def members_of(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rebuild(members: dict[str, bytes], *, rehash: bool = True) -> bytes:
    """A canonical package of *members*, the manifest's hashes recomputed (what a careful forger does)."""
    members = dict(members)
    if rehash:
        manifest = json.loads(members[pf.MANIFEST_MEMBER])
        manifest["members"] = [{"path": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                               for n, b in members.items() if n not in (pf.MANIFEST_MEMBER, pf.SIGNATURE_MEMBER)]
        members[pf.MANIFEST_MEMBER] = json.dumps(manifest).encode()
    return pf._zip_bytes(pf._canonical_members(members.items()))


def test_round_trip_gives_back_data_and_documents(blob):
    opened = pf.read_package(blob)
    assert opened.data == sample_data()
    assert opened.documents == sample_documents()
    assert opened.package_id == FIXED["package_id"]
    assert opened.ward_code == "PHUONG-LA-GI" and opened.ward_name == "Phường La Gi"
    assert not opened.signed
    assert opened.sha256 == hashlib.sha256(blob).hexdigest()
    # manifest lists every other member with its hash
    listed = {e["path"]: e["sha256"] for e in opened.manifest["members"]}
    assert listed == {n: hashlib.sha256(b).hexdigest() for n, b in members_of(blob).items() if n != "manifest.json"}


def test_the_bytes_are_canonical_and_any_zip_reader_opens_them(blob):
    again, _ = pf.build_package(sample_data(), dict(reversed(list(sample_documents().items()))), **FIXED)
    assert again == blob  # same contents -> same bytes, whatever the order given
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert z.testzip() is None
        infos = z.infolist()
    assert [i.filename for i in infos][0] == "package.json"
    assert [i.filename for i in infos][-1] == "manifest.json"
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_write_package_writes_the_file_atomically(tmp_path):
    out = tmp_path / "goi.bdhvs-goi"
    info = pf.write_package(out, sample_data(), sample_documents(), **FIXED)
    assert out.read_bytes() == pf.build_package(sample_data(), sample_documents(), **FIXED)[0]
    assert info.size == out.stat().st_size and info.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    bad = sample_data()
    bad["schema_version"] = 2
    with pytest.raises(pf.PackageError):
        pf.write_package(out, bad, sample_documents())
    assert info.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["goi.bdhvs-goi"]


def _positions(size: int) -> list[int]:
    """Every byte of the first and last 600 (headers, manifest, directory), then every 13th in between."""
    head = set(range(min(600, size)))
    tail = set(range(max(0, size - 600), size))
    return sorted(head | tail | set(range(0, size, 13)))


def test_any_changed_byte_anywhere_is_refused(blob):
    refused = 0
    for pos in _positions(len(blob)):
        for delta in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[pos] ^= delta
            with pytest.raises(pf.PackageError):
                pf.read_package(bytes(tampered))
            refused += 1
    assert refused == 2 * len(_positions(len(blob)))


def test_a_truncated_or_extended_file_is_refused(blob):
    for cut in (1, 22, len(blob) // 2, len(blob) - 1):
        with pytest.raises(pf.PackageError):
            pf.read_package(blob[:cut])
    with pytest.raises(pf.PackageError, match="dạng chuẩn"):
        pf.read_package(blob + b"\0")
    with pytest.raises(pf.PackageError):
        pf.read_package(b"junk" + blob)


def test_a_rezipped_package_with_the_same_contents_is_refused(blob):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members_of(blob).items():
            z.writestr(name, data)
    with pytest.raises(pf.PackageError, match="nén"):
        pf.read_package(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members_of(blob).items():
            z.writestr(name, data)
    with pytest.raises(pf.PackageError, match="dạng chuẩn"):
        pf.read_package(buf.getvalue())


def test_a_changed_member_with_a_fresh_crc_fails_the_manifest_hash(blob):
    members = members_of(blob)
    members["documents/02-bien-ban.pdf"] = members["documents/02-bien-ban.pdf"].replace(b"minutes", b"MINUTES")
    with pytest.raises(pf.PackageError, match=r"“documents/02-bien-ban.pdf” không khớp bản kê: SHA-256"):
        pf.read_package(rebuild(members, rehash=False))


def test_an_added_member_is_refused_naming_it(blob):
    members = members_of(blob)
    members["documents/zz-extra.pdf"] = b"%PDF-1.7 extra"
    with pytest.raises(pf.PackageError, match="không có trong bản kê.*documents/zz-extra.pdf"):
        pf.read_package(rebuild(members, rehash=False))
    # listed in the manifest too, but not described in package.json
    with pytest.raises(pf.PackageError, match="không được mô tả.*documents/zz-extra.pdf"):
        pf.read_package(rebuild(members))


def test_a_removed_member_is_refused_naming_it(blob):
    members = members_of(blob)
    del members["documents/mau-08/DU-KP1.pdf"]
    with pytest.raises(pf.PackageError, match="thiếu thành phần có trong bản kê: documents/mau-08/DU-KP1.pdf"):
        pf.read_package(rebuild(members, rehash=False))
    with pytest.raises(pf.PackageError, match="documents/mau-08/DU-KP1.pdf"):
        pf.read_package(rebuild(members))
    members = members_of(blob)
    del members["manifest.json"]
    with pytest.raises(pf.PackageError, match="thiếu thành phần “manifest.json”"):
        pf.read_package(pf._zip_bytes(pf._canonical_members(members.items())))


def test_an_unsupported_schema_version_is_refused(blob):
    members = members_of(blob)
    data = json.loads(members["package.json"])
    data["schema_version"] = 2
    members["package.json"] = json.dumps(data).encode()
    with pytest.raises(pf.PackageError, match=r"phiên bản lược đồ \(schema_version\) 2 không được hỗ trợ"):
        pf.read_package(rebuild(members))
    members = members_of(blob)
    manifest = json.loads(members["manifest.json"])
    manifest["schema_version"] = 7
    members["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(pf.PackageError, match=r"“manifest.json” có phiên bản lược đồ \(schema_version\) 7"):
        pf.read_package(rebuild(members, rehash=False))


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["candidates"][0].pop("cccd"), r"candidates\[0\]”: thiếu trường “cccd”"),
    (lambda d: d["candidates"][0].update(cccd="12345"), r"candidates\[0\].cccd"),
    (lambda d: d["candidates"][0]["figures"][0].update(result=35), r"candidates\[0\].figures\[0\].result”: sai kiểu"),
    (lambda d: d["council"]["meetings"][0]["votes"][0].update(against=-1), r"votes\[0\].against"),
    (lambda d: d.update(level="ward"), r"trường “level”"),
    (lambda d: d["ward"].update(secret="x"), r"trường “ward”: có trường không có trong lược đồ"),
    (lambda d: d.update(as_of="2026-13-45"), r"trường “as_of”: giá trị .* sai định dạng"),
])
def test_a_schema_invalid_package_json_is_refused_naming_the_field(blob, change, field):
    members = members_of(blob)
    data = json.loads(members["package.json"])
    change(data)
    members["package.json"] = json.dumps(data, ensure_ascii=False).encode()
    with pytest.raises(pf.PackageError, match=field):
        pf.read_package(rebuild(members))
    with pytest.raises(pf.PackageError, match=field):
        pf.build_package(data, sample_documents())


def test_document_names_cannot_escape_the_documents_folder():
    for name in ("../evil.pdf", "documents/../../evil.pdf", "/etc/evil.pdf", "documents/a\\b.pdf",
                 "documents/evil.exe", "documents/tờ-trình.pdf"):
        docs = sample_documents()
        docs[name] = b"x"
        data = sample_data()
        data["documents"].append({"path": "documents/x.pdf", "kind": "other", "title": "x", "signed": "none"})
        with pytest.raises(pf.PackageError, match="không hợp lệ"):
            pf.build_package(data, docs)


def test_the_ward_in_package_json_must_be_the_manifest_s(blob):
    members = members_of(blob)
    manifest = json.loads(members["manifest.json"])
    manifest["ward"]["code"] = "PHUONG-KHAC"
    members["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(pf.PackageError, match="Mã phường"):
        pf.read_package(rebuild(members, rehash=False))


def test_a_file_on_disk_that_cannot_be_read_says_so(tmp_path):
    with pytest.raises(pf.PackageError, match="Không đọc được tệp gói hồ sơ"):
        pf.read_package(tmp_path / "khong-co.bdhvs-goi")
    (tmp_path / "rong.bdhvs-goi").write_bytes(b"")
    with pytest.raises(pf.PackageError, match="không phải gói hồ sơ"):
        pf.read_package(tmp_path / "rong.bdhvs-goi")
