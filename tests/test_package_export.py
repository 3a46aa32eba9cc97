"""The ward's proposal package from the demo ward (services/package_export.py, documents/pdf_convert.py).

A council round in the demo ward (tests/dossier_setup.py) with three candidates moved to province-level
awards (one party, two state); exports are made once per module where the checks only read them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from dossier_setup import add_council_round
from sqlalchemy import select

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.documents import pdf_convert
from bdhvs_desktop.services import dossier as dossier_service
from bdhvs_desktop.services import package_export as pe
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 10)
NO_SOFFICE = "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"


def province_round(db) -> dict:
    ids = add_council_round(db)
    with db.session() as s:
        forms = {f.code: f for f in s.scalars(select(m.AwardForm))}
        s.get(m.Candidate, ids["collective"]).award_form_id = forms["BK_BTV_TU"].id  # party: Ban Thường vụ Tỉnh ủy
        s.get(m.Candidate, ids["individual"]).award_form_id = forms["BK_CT_UBND_TINH"].id
        s.get(m.Candidate, ids["approved"][1]).award_form_id = forms["BK_CT_UBND_TINH"].id
    dossier_service.save_settings(db, signer_name="Phạm Văn Chín")
    return {**ids, "province": [ids["collective"], ids["approved"][1], ids["individual"]]}


def add_prior_award(db, unit_code: str) -> None:
    """A register entry of an earlier year for the unit (the package carries it)."""
    from bdhvs_desktop.services import awards

    with db.read() as s:
        unit = s.scalar(select(m.Unit).where(m.Unit.code == unit_code))
    awards.add_award(db, awards.AwardData(
        subject_type="unit", subject_name=unit.name, unit_id=unit.id, unit_code=unit.code,
        award_name="Giấy khen của Chủ tịch Ủy ban nhân dân phường", level="ward", kind="campaign",
        decision_number="45/QĐ-UBND", decision_date=dt.date(2025, 12, 20),
        granting_authority="Chủ tịch Ủy ban nhân dân phường La Gi", campaign_text="Phong trào thi đua năm 2025"))


def _open_copy(template: Path, folder: Path):
    from bdhvs_desktop.storage.backup import backup_file
    from bdhvs_desktop.storage.engine import open_database

    return open_database(backup_file(template, folder / "demo.sqlite3"))


@pytest.fixture(scope="module")
def exported(demo_template, tmp_path_factory):
    """One unsigned and one PKCS#12-signed export of the same ward, with the CA that issued the signer."""
    from pki import TestCA

    folder = tmp_path_factory.mktemp("export")
    db = _open_copy(demo_template, folder)
    ids = province_round(db)
    add_prior_award(db, "DT-DTN")
    steps: list[tuple[int, int, str]] = []
    plain = pe.export_package(db, folder / "goi.bdhvs-goi", at=AT, progress=lambda *a: steps.append(a))
    ca = TestCA.create()
    p12 = ca.pkcs12(folder / "van-phong.p12", "Văn phòng Đảng ủy phường La Gi")
    from bdhvs_desktop.documents.signing import SignerConfig

    cfg = SignerConfig(kind="pkcs12", pkcs12_path=str(p12), pkcs12_passphrase=b"matkhau")
    signed = pe.export_package(db, folder / "goi-ky.bdhvs-goi", at=AT, signer=cfg)
    yield {"db": db, "ids": ids, "plain": plain, "signed": signed, "ca": ca, "steps": steps, "folder": folder}
    db.dispose()


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf_convert.find_soffice() is None, reason=NO_SOFFICE)
class TestExport:
    def test_the_package_opens_whole_with_documents_as_docx_and_pdf(self, exported):
        opened = pf.read_package(exported["plain"].path)
        data = opened.data
        assert data["level"] == "province" and data["ward"]["code"] == "PHUONG-LA-GI"
        assert [c["award_form"]["level"] for c in data["candidates"]] == ["province"] * 3
        assert exported["plain"].candidates == 3
        names = set(opened.documents)
        # one Tờ trình per province authority, the minutes of the meeting, a Form 08 each; .docx and .pdf
        assert len(names) == 2 * (2 + 1 + 3)
        for name in names:
            twin = name.removesuffix(".pdf") + ".docx" if name.endswith(".pdf") else name.removesuffix(".docx") + ".pdf"
            assert twin in names
            if name.endswith(".pdf"):
                assert opened.documents[name].startswith(b"%PDF")
            else:
                assert zipfile.ZipFile(io.BytesIO(opened.documents[name])).testzip() is None
        recipients = {s["recipient"]: s["authority"] for s in data["proposal"]["submissions"]}
        assert recipients == {"Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng": "state",
                              "Ban Thường vụ Tỉnh ủy Lâm Đồng": "party"}
        assert not opened.signed
        assert exported["steps"][-1][0] == exported["steps"][-1][1]  # progress reached the end

    def test_only_province_candidates_and_their_council_votes(self, exported):
        data = pf.read_package(exported["plain"].path).data
        with exported["db"].read() as s:
            rows = {c.id: c for c in s.scalars(select(m.Candidate))}
            expected = {("U-" + rows[i].unit.code) if rows[i].unit else "P-" + rows[i].person.cccd
                        for i in exported["ids"]["province"]}
            votes = {v.candidate_id: v for v in s.scalars(select(m.Vote))}
        assert {c["key"] for c in data["candidates"]} == expected
        meeting = data["council"]["meetings"][0]
        assert meeting["number"] == "05/BB-HĐTĐKT" and meeting["date"] == "2026-11-05"
        assert len(meeting["present"]) == 6 and [a["reason"] for a in meeting["absent"]] == ["Đi công tác"]
        by_key = {c["key"]: c for c in data["candidates"]}
        for cid in exported["ids"]["province"]:
            c = rows[cid]
            key = ("U-" + c.unit.code) if c.unit else "P-" + c.person.cccd
            v = votes[cid]
            assert by_key[key]["ward_votes"]["for"] == v.votes_for
            assert by_key[key]["ward_votes"]["against"] == v.votes_against
            assert {"candidate": key, "for": v.votes_for, "against": v.votes_against, "abstain": v.votes_abstain,
                    "passed": True} in meeting["votes"]
        assert by_key["U-DT-DTN"]["register"] == [{
            "award": "Giấy khen của Chủ tịch Ủy ban nhân dân phường", "award_code": None, "level": "ward",
            "number": "45/QĐ-UBND", "date": "2025-12-20", "issuer": "Chủ tịch Ủy ban nhân dân phường La Gi",
            "year": 2025, "campaign": "Phong trào thi đua năm 2025", "kind": "campaign"}]
        assert by_key["U-CB-KP3"]["register"] == []
        person = next(c for c in data["candidates"] if c["subject_type"] == "person")
        assert re.fullmatch(r"\d{12}", person["cccd"]) and person["birth_date"] and person["sex"] in ("male", "female")
        assert person["facts"]["subject"] == "person" and person["ward_score"]["level"] == "ward"
        for cand in data["candidates"]:  # the plan has province criteria sets: scored at both levels
            assert cand["ward_score"]["level"] == "ward" and cand["province_score"]["level"] == "province"
            assert any(x["explanation"].startswith("Tiêu chí cấp tỉnh: ") for x in cand["province_score"]["criteria"])

    def test_form08_pdf_prints_the_figures_of_package_json(self, exported):
        import pypdf

        opened = pf.read_package(exported["plain"].path)
        checked = 0
        for cand in opened.data["candidates"]:
            pdf = next(p for p in cand["documents"] if p.endswith(".pdf"))
            reader = pypdf.PdfReader(io.BytesIO(opened.documents[pdf]))
            text = "".join("".join(page.extract_text().split()) for page in reader.pages)
            assert cand["figures"], cand["name"]
            for fig in cand["figures"]:
                for value in (fig["target"], fig["result"], fig["assessment"]):
                    assert "".join(value.split()) in text, (cand["name"], value)
                numbers = re.findall(r"\d+(?:[.,]\d+)?%?", fig["result"])
                for n in numbers:  # every number of the JSON figure is printed
                    assert n in text
                checked += 1
        assert checked >= 3

    def test_every_changed_byte_of_a_real_signed_package_is_refused(self, exported):
        blob = exported["signed"].path.read_bytes()
        offsets, central = _member_offsets(blob)
        positions = set(range(0, len(blob), max(1, len(blob) // 150)))
        for name in ("package.json", "manifest.json", "manifest.json.p7s"):  # each header and contents
            start, end = offsets[name]
            positions |= set(range(start, min(end, start + 120))) | {end - 1}
        positions |= set(range(central, len(blob)))  # the whole central directory and end record
        for pos in sorted(positions):
            tampered = bytearray(blob)
            tampered[pos] ^= 0x20
            with pytest.raises(pf.PackageError):
                pf.read_package(bytes(tampered))

    def test_signed_export_verifies_and_names_its_signer(self, exported):
        opened = pf.read_package(exported["signed"].path)
        assert opened.signed and exported["signed"].signed
        result = pf.verify_signatures(opened, [exported["ca"].der])
        assert result.ok and result.trusted and result.intact, (result.problems, result.trust_problems)
        assert result.manifest.signer == "Văn phòng Đảng ủy phường La Gi"
        office = {d["path"] for d in opened.data["documents"] if d["signed"] == "office"}
        assert set(result.pdfs) == office and len(office) == 3  # two Tờ trình and the minutes
        assert all(p.startswith("documents/mau-08/") for p in result.unsigned_pdfs)
        paper = {d["path"] for d in opened.data["documents"] if d["signed"] == "paper"}
        assert paper == set(result.unsigned_pdfs)
        # Without the CA the signatures are intact but not trusted.
        untrusted = pf.verify_signatures(opened, [])
        assert untrusted.intact and not untrusted.trusted and untrusted.trust_problems
        from pki import TestCA

        other = pf.verify_signatures(opened, [TestCA.create("CA khác").der])
        assert not other.trusted

    def test_the_stamp_is_on_the_signers_page(self, exported):
        import pypdf

        opened = pf.read_package(exported["signed"].path)
        for name in (d["path"] for d in opened.data["documents"] if d["signed"] == "office"):
            reader = pypdf.PdfReader(io.BytesIO(opened.documents[name]))
            widgets = [(i, a.get_object()) for i, page in enumerate(reader.pages) for a in page.get("/Annots") or []
                       if a.get_object().get("/FT") == "/Sig"]
            assert len(widgets) == 1, name
            page_index, widget = widgets[0]
            rect = [float(x) for x in widget["/Rect"]]
            assert rect[2] - rect[0] > 50, name  # visible
            text = reader.pages[page_index].extract_text()
            assert "Phạm Văn Chín" in text or "Đỗ Quang Hải" in text, (name, page_index)

    def test_a_member_added_or_removed_after_export_is_refused(self, exported):
        blob = exported["plain"].path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            members = {n: z.read(n) for n in z.namelist()}
        added = dict(members, **{"documents/zz-them.pdf": b"%PDF-1.4 them"})
        with pytest.raises(pf.PackageError, match="zz-them.pdf"):
            pf.read_package(pf._zip_bytes(pf._canonical_members(added.items())))
        removed = dict(members)
        victim = next(n for n in members if n.startswith("documents/mau-08/") and n.endswith(".pdf"))
        del removed[victim]
        with pytest.raises(pf.PackageError, match=re.escape(victim)):
            pf.read_package(pf._zip_bytes(pf._canonical_members(removed.items())))

    def test_export_is_audited(self, exported):
        with exported["db"].read() as s:
            notes = [e.note for e in s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "package"))]
        assert any(exported["plain"].package_id in n for n in notes)
        assert any(exported["signed"].package_id in n and "đã ký số" in n for n in notes)


def _member_offsets(blob: bytes) -> tuple[dict[str, tuple[int, int]], int]:
    """Where each member's local header starts and its data ends; where the central directory starts."""
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        out = {i.filename: (i.header_offset, i.header_offset + 30 + len(i.filename.encode()) + i.compress_size)
               for i in z.infolist()}
    return out, max(end for _start, end in out.values())


# ----------------------------------------------------------------------------- refusals


def test_nothing_proposed_to_the_province_is_refused(demo_db, tmp_path):
    add_council_round(demo_db)
    out = tmp_path / "goi.bdhvs-goi"
    with pytest.raises(pe.PackageExportError, match="không có gì để xuất"):
        pe.export_package(demo_db, out, at=AT)
    assert not out.exists()


def test_all_province_proposals_rejected_says_so(demo_db, tmp_path):
    ids = province_round(demo_db)
    with demo_db.session() as s:
        for cid in ids["province"]:
            s.get(m.Candidate, cid).status = "rejected"
    with pytest.raises(pe.PackageExportError, match="3 hồ sơ đề nghị cấp tỉnh đều không được thông qua"):
        pe.export_package(demo_db, tmp_path / "goi.bdhvs-goi", at=AT)


def test_a_council_that_has_not_decided_is_refused(demo_db, tmp_path):
    ids = province_round(demo_db)
    with demo_db.session() as s:
        s.get(m.Candidate, ids["approved"][1]).status = "reviewed"
    with pytest.raises(pe.PackageExportError, match="chưa quyết định 1 hồ sơ.*Đoàn Thanh niên"):
        pe.export_package(demo_db, tmp_path / "goi.bdhvs-goi", at=AT)


def test_a_final_dossier_that_would_be_refused_is_not_exported(demo_db, tmp_path):
    province_round(demo_db)
    dossier_service.save_settings(demo_db, signer_name="")
    out = tmp_path / "goi.bdhvs-goi"
    out.write_bytes(b"the previous package")
    with pytest.raises(dossier_service.MissingFieldsError, match="người ký xác nhận"):
        pe.export_package(demo_db, out, at=AT)
    assert out.read_bytes() == b"the previous package"


def test_a_ward_code_that_cannot_key_a_scope_is_refused(demo_db, tmp_path):
    province_round(demo_db)
    with pytest.raises(pe.PackageExportError, match="Mã phường “Phường La Gi”"):
        pe.export_package(demo_db, tmp_path / "goi.bdhvs-goi", at=AT, ward_code="Phường La Gi")


def test_only_the_province_level_is_exported(demo_db, tmp_path):
    with pytest.raises(pe.PackageExportError, match="cấp tỉnh"):
        pe.export_package(demo_db, tmp_path / "goi.bdhvs-goi", level="ward")


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf_convert.find_soffice() is None, reason=NO_SOFFICE)
def test_cancel_leaves_nothing(demo_db, tmp_path):
    province_round(demo_db)
    seen: list[str] = []
    out = tmp_path / "goi.bdhvs-goi"
    with pytest.raises(pe.ExportCancelled):
        pe.export_package(demo_db, out, at=AT, progress=lambda d, t, msg: seen.append(msg),
                          cancel=lambda: any("PDF" in x for x in seen))
    assert any("PDF" in x for x in seen)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.sqlite3")] == []


# ----------------------------------------------------------------------------- docx -> PDF


def test_missing_libreoffice_gives_a_clear_message(monkeypatch):
    monkeypatch.setattr(pdf_convert, "find_soffice", lambda: None)
    with pytest.raises(pdf_convert.LibreOfficeMissing, match="Không tìm thấy LibreOffice"):
        pdf_convert.convert_bytes_to_pdf({"a.docx": b"x"})


def test_soffice_is_found_in_the_windows_folder(monkeypatch, tmp_path):
    fake = tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice.exe"
    fake.parent.mkdir(parents=True)
    fake.write_bytes(b"")
    monkeypatch.delenv("BDHVS_SOFFICE", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path / "Program Files"))
    assert pdf_convert.find_soffice() == str(fake)
    monkeypatch.setenv("BDHVS_SOFFICE", str(fake))
    assert pdf_convert.find_soffice() == str(fake)


def test_a_hanging_soffice_is_killed_at_the_timeout(tmp_path):
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    with pytest.raises(pdf_convert.ConversionError, match="trong 1 giây"):
        pdf_convert.convert_to_pdf([doc], tmp_path / "out", timeout=1, soffice=str(script))


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf_convert.find_soffice() is None, reason=NO_SOFFICE)
def test_many_files_are_converted_in_one_soffice_call(monkeypatch, tmp_path):
    import docx

    calls = []
    real = subprocess.Popen

    def counting(cmd, *a, **kw):
        calls.append(cmd)
        return real(cmd, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", counting)
    files = {}
    for i in range(4):
        d = docx.Document()
        d.add_paragraph(f"Tài liệu số {i}: Thủy, Đ, “ngoặc”")
        buf = io.BytesIO()
        d.save(buf)
        files[f"documents/x/{i}.docx"] = buf.getvalue()
    pdfs = pdf_convert.convert_bytes_to_pdf(files)
    assert len(calls) == 1
    assert set(pdfs) == set(files)
    import pypdf

    for i, name in enumerate(files):
        assert f"Tài liệu số {i}" in pypdf.PdfReader(io.BytesIO(pdfs[name])).pages[0].extract_text()
    assert json.dumps(calls[0]).count("-env:UserInstallation=file://") == 1


# ----------------------------------------------------------------------------- command line


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf_convert.find_soffice() is None, reason=NO_SOFFICE)
def test_command_line_exports_a_signed_package_and_verifies_it(demo_db, tmp_path, capsys, monkeypatch):
    from pki import TestCA

    from bdhvs_desktop.cli import main

    province_round(demo_db)
    db_path = str(demo_db.engine.url.database)
    ca = TestCA.create()
    p12 = ca.pkcs12(tmp_path / "vp.p12", "Văn phòng Đảng ủy phường La Gi", passphrase=b"mat khau 1")
    from cryptography.hazmat.primitives.serialization import Encoding

    (tmp_path / "ca.pem").write_bytes(ca.cert.public_bytes(Encoding.PEM))
    out = tmp_path / "goi.bdhvs-goi"
    monkeypatch.delenv("BDHVS_P12_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt, a clear refusal
    assert main(["package", "export", "--db", db_path, "--out", str(out), "--at", "2026-11-10",
                 "--sign-p12", str(p12)]) == 2
    assert "BDHVS_P12_PASSPHRASE" in capsys.readouterr().err and not out.exists()
    monkeypatch.setenv("BDHVS_P12_PASSPHRASE", "mat khau 1")
    assert main(["package", "export", "--db", db_path, "--out", str(out), "--at", "2026-11-10",
                 "--sign-p12", str(p12), "--ward-code", "LD-26734"]) == 0
    text = capsys.readouterr().out
    assert "Đã xuất gói hồ sơ đề nghị cấp tỉnh" in text and "Đã ký số" in text
    assert main(["package", "export", "--db", db_path, "--out", str(out)]) == 2  # exists, no --overwrite
    capsys.readouterr()
    # --sign: the office's saved signing settings (services/signing_settings.py)
    saved = tmp_path / "da-cai-dat.bdhvs-goi"
    assert main(["package", "export", "--db", db_path, "--out", str(saved), "--sign"]) == 2
    assert "chưa cài đặt chữ ký số" in capsys.readouterr().err
    from bdhvs_desktop.services import signing_settings

    signing_settings.save_signer(demo_db, kind="pkcs12", pkcs12_path=str(p12))
    assert main(["package", "export", "--db", db_path, "--out", str(saved), "--at", "2026-11-10", "--sign"]) == 0
    assert pf.verify_signatures(pf.read_package(saved), [ca.der]).trusted
    capsys.readouterr()

    assert main(["package", "verify", str(out), "--trust", str(tmp_path / "ca.pem")]) == 0
    text = capsys.readouterr().out
    assert "Phường La Gi (LD-26734)" in text and "Võ Thu Oanh" in text
    assert "Toàn vẹn: có" in text and "Tin cậy: có" in text
    assert "Văn phòng Đảng ủy phường La Gi" in text and "ký trên giấy, bảo vệ bằng bản kê" in text
    other = TestCA.create("CA khác")
    (tmp_path / "other.der").write_bytes(other.der)
    assert main(["package", "verify", str(out), "--trust", str(tmp_path / "other.der")]) == 1
    assert "Tin cậy: KHÔNG" in capsys.readouterr().out
    assert main(["package", "verify", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["signed"] is True

    tampered = bytearray(out.read_bytes())
    tampered[len(tampered) // 2] ^= 1
    bad = tmp_path / "sua.bdhvs-goi"
    bad.write_bytes(bytes(tampered))
    assert main(["package", "verify", str(bad)]) == 1
    assert "KHÔNG nguyên vẹn" in capsys.readouterr().err


def test_command_line_refuses_two_ways_of_signing(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db_path = str(demo_db.engine.url.database)
    assert main(["package", "export", "--db", db_path, "--out", str(tmp_path / "g.bdhvs-goi"),
                 "--sign-p12", "x.p12", "--token", "T"]) == 2
    assert "không cả hai" in capsys.readouterr().err
    assert main(["package", "export", "--db", db_path, "--out", str(tmp_path / "g.bdhvs-goi"),
                 "--sign-pkcs11-lib", "/x.so"]) == 2
    assert "--token, --key" in capsys.readouterr().err


# ----------------------------------------------------------------------------- window


@pytest.fixture
def gui_ctx(demo_db, qapp):
    from bdhvs_desktop.gui.context import AppContext

    context = AppContext(demo_db)
    context.set_as_of(AT)
    return context


def test_the_dossier_page_opens_the_export_dialog(gui_ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui import package_dialog
    from bdhvs_desktop.gui.pages.dossier import DossierPage

    opened = []
    monkeypatch.setattr(package_dialog.PackageExportDialog, "exec", lambda self: opened.append(self) or 0)
    page = DossierPage(gui_ctx)
    qtbot.addWidget(page)
    assert page.package_btn.text() == "Xuất gói hồ sơ đề nghị tỉnh…"
    page.package_btn.click()
    assert len(opened) == 1 and opened[0].windowTitle() == "Xuất gói hồ sơ đề nghị tỉnh"


def test_the_dialog_shows_why_nothing_is_exported(gui_ctx, demo_db, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui.package_dialog import PackageExportDialog

    add_council_round(demo_db)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    dialog = PackageExportDialog(gui_ctx, at=AT)
    qtbot.addWidget(dialog)
    dialog.out.setText(str(tmp_path / "goi"))
    dialog.sign.setCurrentIndex(1)  # token without its fields: refused before anything runs
    dialog.export_btn.click()
    assert shown and "cần" in shown[-1] and "mã PIN" in shown[-1] and dialog._task is None
    dialog.sign.setCurrentIndex(0)
    dialog.export_btn.click()
    qtbot.waitUntil(lambda: dialog._task is None, timeout=60000)
    assert "không có gì để xuất" in shown[-1] and "không có gì để xuất" in dialog.last_error
    assert not (tmp_path / "goi.bdhvs-goi").exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf_convert.find_soffice() is None, reason=NO_SOFFICE)
def test_the_dialog_exports_a_signed_package_off_the_gui_thread(gui_ctx, demo_db, qtbot, tmp_path):
    from pki import TestCA

    from bdhvs_desktop.gui.package_dialog import PackageExportDialog

    province_round(demo_db)
    ca = TestCA.create()
    p12 = ca.pkcs12(tmp_path / "vp.p12", "Văn phòng Đảng ủy phường La Gi")
    from bdhvs_desktop.services import signing_settings

    signing_settings.save_signer(demo_db, kind="pkcs12", pkcs12_path=str(p12))
    dialog = PackageExportDialog(gui_ctx, at=AT)
    qtbot.addWidget(dialog)
    assert dialog.sign.currentData() == "pkcs12" and dialog.p12.text() == str(p12)  # the office's settings
    dialog.out.setText(str(tmp_path / "goi"))
    dialog.passphrase.setText("matkhau")
    dialog.export_btn.click()
    assert dialog._task is not None  # running in the pool; the window stays responsive
    qtbot.waitUntil(lambda: dialog._task is None, timeout=120000)
    assert dialog.outcome is not None, dialog.last_error
    assert dialog.outcome.path == tmp_path / "goi.bdhvs-goi"
    assert "Đã ký số" in dialog.status.text() and dialog.passphrase.text() == ""
    assert pf.verify_signatures(pf.read_package(dialog.outcome.path), [ca.der]).trusted


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf_convert.find_soffice() is None, reason=NO_SOFFICE)
def test_command_line_signs_with_a_pkcs11_token(demo_db, tmp_path, capsys, monkeypatch, tmp_path_factory):
    """SoftHSM2 as the office's USB token: the PIN from BDHVS_TOKEN_PIN, the package trusted by the CA's root."""
    from pki import shared_pki, softhsm_lib

    from bdhvs_desktop.cli import main

    if softhsm_lib() is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    pki = shared_pki(tmp_path_factory)
    province_round(demo_db)
    db_path = str(demo_db.engine.url.database)
    out = tmp_path / "goi.bdhvs-goi"
    token = pki.ward
    monkeypatch.setenv("BDHVS_TOKEN_PIN", token.pin)
    assert main(["package", "export", "--db", db_path, "--out", str(out), "--at", "2026-11-10",
                 "--sign-pkcs11-lib", token.lib, "--token", token.token_label, "--key", token.key_label]) == 0
    capsys.readouterr()
    opened = pf.read_package(out)
    result = pf.verify_signatures(opened, [pki.ca.der])
    assert result.ok and result.manifest.signer == "ỦY BAN NHÂN DÂN PHƯỜNG LA GI"
    assert len(result.pdfs) == 3 and all(c.trusted for checks in result.pdfs.values() for c in checks)
    assert not pf.verify_signatures(opened, [pki.rogue_ca.der]).trusted
    monkeypatch.setenv("BDHVS_TOKEN_PIN", "000000")  # a wrong PIN: refused before rendering, nothing written
    monkeypatch.setattr(pdf_convert, "convert_bytes_to_pdf", lambda *a, **k: pytest.fail("rendered anyway"))
    assert main(["package", "export", "--db", db_path, "--out", str(tmp_path / "sai.bdhvs-goi"), "--at", "2026-11-10",
                 "--sign-pkcs11-lib", token.lib, "--token", token.token_label, "--key", token.key_label]) == 1
    assert "PIN" in capsys.readouterr().err and not (tmp_path / "sai.bdhvs-goi").exists()
