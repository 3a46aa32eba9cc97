"""The award dossier: the records mapped into Form 01, the minutes and Form 08, read back
with python-docx and with LibreOffice (a second reader), plus the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from dossier_setup import NASTY, add_council_round, clear_council_round
from sqlalchemy import select

from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 10)
# One Tờ trình per granting authority (issue #11): the demo round proposes the ward chairman's
# Giấy khen and, for the party cell, the ward party standing committee's.
TT_STATE = "to-trinh-mau-01-chu-tich-uy-ban-nhan-dan-phuong-la-gi.docx"
TT_PARTY = "to-trinh-mau-01-ban-thuong-vu-dang-uy-phuong-la-gi.docx"
# One minutes document per meeting, named by its number and date (add_council_round: 05 on 05/11/2026).
MINUTES = "bien-ban-hop-xet-so-05-ngay-05-11-2026.docx"
TAG_MARKS = ("{{", "}}", "{%", "%}", "{#", "#}")


def all_paragraphs(doc):
    """Every paragraph of body, tables (nested), headers and footers."""
    def from_container(container):
        yield from container.paragraphs
        for t in container.tables:
            for row in t.rows:
                for cell in row.cells:
                    yield from from_container(cell)

    yield from from_container(doc)
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            yield from from_container(part)


def doc_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in all_paragraphs(docx.Document(str(path))))


def table_rows(path: Path) -> list[list[str]]:
    import docx

    rows = []
    for t in docx.Document(str(path)).tables:
        for row in t.rows:
            rows.append([c.text.strip() for c in row.cells])
    return rows


def no_tags_left(path: Path) -> None:
    """No template tag in any XML part, whatever python-docx shows."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".xml"):
                xml = zf.read(name).decode("utf-8")
                import re

                plain = re.sub(r"<[^>]+>", "", xml)
                for mark in TAG_MARKS:
                    # user text "{{ x }}" is stored as character references, so plain text
                    # keeps them only where the user typed them: strip those first.
                    assert mark not in plain.replace("{{ x }}", "").replace("{% if %}", ""), (path.name, name, mark)


def check_format(path: Path, fmt: str) -> None:
    """A4, margins and fonts of the official format."""
    import docx

    d = docx.Document(str(path))
    s = d.sections[0]
    assert abs(s.page_width.mm - 210) < 1 and abs(s.page_height.mm - 297) < 1
    assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
    assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = d.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    heading = "ĐẢNG CỘNG SẢN VIỆT NAM" if fmt == "party" else "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    found = [p for p in all_paragraphs(d) if p.text.strip() == heading]
    assert found, f"{path.name}: no national/party heading"
    run = found[0].runs[0]
    assert run.bold
    if fmt == "party":
        assert run.font.size.pt == 15
    else:
        assert 12 <= run.font.size.pt <= 13
        assert any(p.text.strip() == "Độc lập - Tự do - Hạnh phúc" for p in all_paragraphs(d))


@pytest.fixture
def council(demo_db):
    return add_council_round(demo_db)


def test_final_dossier_party_format(demo_db, council, tmp_path):
    out = tmp_path / "ho-so"
    outcome = svc.generate_dossier(demo_db, out, at=AT)
    names = sorted(p.name for p in outcome.files)
    assert TT_STATE in names and TT_PARTY in names and MINUTES in names
    achievements = [n for n in names if n.startswith("bao-cao-thanh-tich-mau-08-")]
    assert len(achievements) == 4
    assert "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx" in achievements
    for path in outcome.files:
        no_tags_left(path)
        # the party format only for the party award (the party cell's report and its Tờ trình)
        check_format(path, "party" if path.name in (TT_PARTY, "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx")
                     else "state")

    tt = doc_text(out / TT_PARTY)
    assert "Số       -TTr/VPĐU" in tt or "-TTr/VPĐU" in tt
    assert "Số:" not in tt
    assert "La Gi, ngày 10 tháng 11 năm 2026" in tt
    assert "VĂN PHÒNG ĐẢNG ỦY" in tt and "ĐẢNG BỘ PHƯỜNG LA GI" in tt
    assert "Kính gửi: Ban Thường vụ Đảng ủy phường La Gi" in tt
    assert "Căn cứ Kế hoạch số 08-KH/ĐU, ngày 30/10/2025" in tt
    assert "01 tập thể" in tt and "0 cá nhân" not in tt  # no "0 cá nhân" in a list of collectives
    assert "DỰ THẢO" not in tt
    listed = []
    for name in (TT_STATE, TT_PARTY):
        rows = table_rows(out / name)
        listed += [r[1] for r in rows if len(r) > 2 and r[0].isdigit()]
    assert listed == ["Đoàn Thanh niên phường (mô phỏng)", "Huỳnh Hoàng Hiếu", "Võ Thu Oanh",
                      "Chi bộ Khu phố 3 (mô phỏng)"]
    tt_state = doc_text(out / TT_STATE)
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân phường La Gi" in tt_state
    assert "01 tập thể" in tt_state and "02 cá nhân" in tt_state
    for text in (tt, tt_state):
        assert "Bùi Mỹ Hà" not in text and "Trần Văn Khánh" not in text  # rejected, not voted

    bb = doc_text(out / MINUTES)
    assert "14 giờ 00 phút, ngày 05 tháng 11 năm 2026" in bb
    assert "Hội trường Đảng ủy phường La Gi" in bb
    assert "có mặt 06 thành viên" in bb and "Đi công tác" in bb
    assert "biểu quyết giơ tay" in bb
    vote_rows = {r[1]: r for r in table_rows(out / MINUTES) if len(r) >= 6 and r[0].isdigit()}
    assert vote_rows["Chi bộ Khu phố 3 (mô phỏng)"][3] == "6/7"
    assert vote_rows["Chi bộ Khu phố 3 (mô phỏng)"][4] == "85,71%"
    assert vote_rows["Bùi Mỹ Hà"][5] == "Không thông qua"  # the minutes record every vote

    kp3 = doc_text(out / "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx")
    for line in NASTY.split("\n"):
        assert line in kp3  # & < > " ' { } {{ }} {% %} and the line break, exactly as typed
    assert "Bài học A & B" in kp3 and "Biện pháp 1\nBiện pháp 2" in kp3
    assert "Tổ công nghệ số cộng đồng" in kp3  # the unit's model
    # Issue 11: the count `bdhvs score` gives (18/20 by the deadline 31/03/2026; one was a day late)
    assert "18/20" in kp3 and "31/03/2026" in kp3  # party members proficient with VNeID, with the deadline
    assert "Khu phố 3, phường La Gi, tỉnh Lâm Đồng" in kp3 and "Lê Văn Bình" in kp3
    assert "-BC/CB" in kp3

    person = doc_text(out / "bao-cao-thanh-tich-mau-08-vo-thu-oanh.docx")
    assert "Võ Thu Oanh" in person and "Kết quả <cá nhân> & tốt" in person
    assert "Tập huấn an toàn số cho lực lượng nòng cốt" in person  # a class the person taught
    assert "Nữ" in person and "10/01/2026" in person  # sex, VNeID date

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["name"] for f in manifest["files"]} == set(names)
    import hashlib

    for f in manifest["files"]:
        assert hashlib.sha256((out / f["name"]).read_bytes()).hexdigest() == f["sha256"]

    with demo_db.read() as s:
        statuses = {c.id: c.status for c in s.scalars(select(m.Candidate))}
        docs = list(s.scalars(select(m.GeneratedDocument)))
        audits = list(s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "candidate",
                                                           m.AuditEntry.new_value == "issued")))
    assert all(statuses[i] == "issued" for i in council["approved"])
    assert statuses[council["rejected"]] == "rejected" and statuses[council["proposed"]] == "proposed"
    assert set(outcome.issued) == set(council["approved"])
    assert len(docs) == 7 and {d.kind for d in docs} == {"to_trinh", "bien_ban", "bao_cao_08"}
    assert all(not d.draft and d.form_set == "decree-98-2023" for d in docs)
    by_name = {Path(d.path).name: d for d in docs}
    assert by_name["bao-cao-thanh-tich-mau-08-vo-thu-oanh.docx"].candidate_id == council["individual"]
    assert len(audits) == 4 and all(a.chained and a.hash for a in audits)
    from bdhvs_desktop.services.audit import verify_chain

    with demo_db.read() as s:
        assert verify_chain(s) == []

    # Regenerating keeps the issued candidates in the dossier.
    again = svc.generate_dossier(demo_db, out, at=AT)
    assert len(again.files) == 7 and again.issued == ()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_every_document(demo_db, council, tmp_path):
    from pypdf import PdfReader

    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT, draft=True)
    pdf_dir = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(pdf_dir)] + [str(p) for p in outcome.files],
                   check=True, capture_output=True, timeout=240)
    texts = {}
    for path in outcome.files:
        pdf = pdf_dir / (path.stem + ".pdf")
        assert pdf.exists(), path.name
        texts[path.name] = " ".join(" ".join((page.extract_text() or "").split())
                                    for page in PdfReader(str(pdf)).pages)
    tt = texts[TT_STATE]
    assert "TỜ TRÌNH" in tt and "DỰ THẢO" in tt
    assert "Trần Văn Khánh" in tt  # proposed, in the draft
    assert "Đoàn Thanh niên phường (mô phỏng)" in tt
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân phường La Gi" in tt
    assert "BIÊN BẢN" in texts[MINUTES]
    kp3 = texts["bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx"]
    assert "BÁO CÁO THÀNH TÍCH" in kp3
    assert 'Chi bộ & "Tổ" <3> {{ x }} {% if %}' in kp3
    assert "Thủy/Thuỷ, Đ" in kp3
    for text in texts.values():
        assert "{{ submission" not in text and "{%p" not in text and "{%tr" not in text


def test_draft_includes_proposed_and_changes_nothing(demo_db, council, tmp_path):
    outcome = svc.generate_dossier(demo_db, tmp_path / "du-thao", draft=True, at=AT)
    assert len([p for p in outcome.files if p.name.startswith("bao-cao")]) == 5  # 4 approved + 1 proposed
    tt = doc_text(tmp_path / "du-thao" / TT_STATE)
    assert "DỰ THẢO" in tt and "Trần Văn Khánh" in tt and "Bùi Mỹ Hà" not in tt
    assert "ngày      tháng      năm" in tt  # an undated draft
    for p in outcome.files:
        assert "DỰ THẢO" in doc_text(p), p.name
    with demo_db.read() as s:
        assert {c.status for c in s.scalars(select(m.Candidate))} == {"approved", "rejected", "proposed"}
        assert all(d.draft for d in s.scalars(select(m.GeneratedDocument)))
    assert outcome.issued == ()


def test_state_format_and_numbers_from_settings(demo_db, council, tmp_path):
    # The format follows the award's authority (issue #11): the ward chairman's award is a
    # state document whatever the setting; the setting "auto" is the default.
    svc.save_settings(demo_db, issuer_format="auto", number="12", minutes_number="03", signer_name="Nguyễn Văn Tư")
    with demo_db.read() as s:
        keys = {a.field for a in s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "setting"))}
    assert {"dossier.issuer_format", "dossier.number", "dossier.signer_name"} <= keys
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    tt = doc_text(tmp_path / "hs" / TT_STATE)
    assert "Số: 12/TTr-HĐTĐKT" in tt
    assert "ỦY BAN NHÂN DÂN PHƯỜNG LA GI" in tt and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in tt
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in tt
    assert "Nguyễn Văn Tư" in tt and "CHỦ TỊCH" in tt
    bb = doc_text(tmp_path / "hs" / MINUTES)
    assert "Số: 03/BB-HĐTĐKT" in bb
    for p in outcome.files:
        if p.name in (TT_STATE, MINUTES):
            check_format(p, "state")
    # A unit's own report follows its award: the party cell (a party award) in the party
    # format, the Youth Union (the chairman's award) in the state format.
    check_format(tmp_path / "hs" / "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx", "party")
    check_format(tmp_path / "hs" / "bao-cao-thanh-tich-mau-08-doan-thanh-nien-phuong-mo-phong.docx", "state")
    youth = doc_text(tmp_path / "hs" / "bao-cao-thanh-tich-mau-08-doan-thanh-nien-phuong-mo-phong.docx")
    assert "ỦY BAN NHÂN DÂN PHƯỜNG LA GI" in youth
    with pytest.raises(svc.DossierError, match="Thể thức"):
        svc.save_settings(demo_db, issuer_format="other")


def test_secret_ballot_has_vote_count_record(demo_db, tmp_path):
    add_council_round(demo_db, secret=True)
    svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    bb = doc_text(tmp_path / "hs" / MINUTES)
    assert "bỏ phiếu kín" in bb
    assert "Nguyễn Văn An" in bb and "Trưởng ban" in bb  # the ballot-counting committee
    assert "KIỂM PHIẾU" in bb.upper()


def test_nothing_approved_is_a_clear_error_and_writes_nothing(demo_db, tmp_path):
    clear_council_round(demo_db)
    out = tmp_path / "hs"
    with pytest.raises(svc.DossierError, match="Chưa có ứng viên nào được Hội đồng thông qua"):
        svc.generate_dossier(demo_db, out, at=AT)
    assert not out.exists()


def test_report_text_is_saved_audited_and_stale_saves_refused(demo_db, council):
    items = {i.id: i for i in svc.list_dossier_candidates(demo_db, draft=True)}
    locked = items[council["individual"]]  # approved: the text is part of the locked result (issue #15)
    with pytest.raises(svc.DossierError, match="khóa"):
        svc.save_report_text(demo_db, locked.id, {"measures": "Sửa sau khi thông qua"}, locked.version)
    item = items[council["proposed"]]  # written while the candidate is proposed
    v = svc.save_report_text(demo_db, item.id, {"measures": "Đi từng nhà\r\nHướng dẫn & hỗ trợ"}, item.version,
                             summary="Tóm tắt mới")
    assert v == item.version + 1
    again = {i.id: i for i in svc.list_dossier_candidates(demo_db, draft=True)}[item.id]
    assert again.report_text["measures"] == "Đi từng nhà\nHướng dẫn & hỗ trợ" and again.summary == "Tóm tắt mới"
    with pytest.raises(svc.StaleEditError, match="người khác"):
        svc.save_report_text(demo_db, item.id, {"lessons": "x"}, item.version)
    with pytest.raises(svc.DossierError, match="không hợp lệ"):
        svc.save_report_text(demo_db, item.id, {"evil": "x"}, v)
    with demo_db.read() as s:
        fields = {a.field for a in s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "candidate"))}
    assert {"report_text.measures", "summary"} <= fields


def test_broken_user_template_is_reported_before_anything_is_written(demo_db, council, tmp_path, user_home):
    from bdhvs_desktop import paths
    from bdhvs_desktop.documents.formsets import FormSetError

    builtin = paths.forms_templates_dir() / "decree-98-2023" / "to-trinh-mau-01.docx"
    user_dir = paths.user_templates_dir() / "decree-98-2023"
    user_dir.mkdir(parents=True)
    with zipfile.ZipFile(builtin) as src, zipfile.ZipFile(user_dir / builtin.name, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ submission.place_date }}", b"{{ submission.no_such_field }}", 1)
            dst.writestr(item, data)
    out = tmp_path / "hs"
    with pytest.raises(FormSetError) as info:
        svc.generate_dossier(demo_db, out, at=AT)
    assert "to-trinh-mau-01.docx" in str(info.value) and "no_such_field" in str(info.value)
    assert not out.exists()
    with demo_db.read() as s:
        assert {c.status for c in s.scalars(select(m.Candidate))} == {"approved", "rejected", "proposed"}


def test_other_form_set(demo_db, council, tmp_path):
    names = dict(svc.available_form_sets())
    assert "decree-98-2023" in names
    if "decree-152-2025" not in names:
        pytest.skip("form set decree-152-2025 not installed")
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT, form_set="decree-152-2025")
    assert outcome.form_set == "decree-152-2025"
    assert "152/2025/NĐ-CP" in doc_text(tmp_path / "hs" / TT_STATE)


def test_cli_dossier(demo_db, council, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    demo_db.dispose()
    out = tmp_path / "cli-hs"
    code = main(["dossier", "--db", db_path, "--out", str(out), "--draft", "--at", "2026-11-10", "--zip"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert TT_STATE in text and "bao-cao-thanh-tich-mau-08-tran-van-khanh.docx" in text
    assert any(p.suffix == ".zip" for p in out.iterdir())
    assert main(["dossier", "--db", db_path, "--out", str(out), "--at", "31/02/2026"]) == 2
    assert "Ngày không hợp lệ" in capsys.readouterr().err
    assert main(["dossier", "--db", db_path, "--out", str(out), "--form-set", "khong-co"]) == 2
    assert "khong-co" in capsys.readouterr().err


def test_demo_wards_own_council_round(demo_db, tmp_path):
    """The demo ward's council round (secret ballot, decided by the council service)."""
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    assert outcome.issued
    bb = doc_text(tmp_path / "hs" / "bien-ban-hop-xet-so-01-ngay-12-11-2026.docx")
    assert "bỏ phiếu kín" in bb and "KIỂM PHIẾU" in bb.upper()
    tt_rows = table_rows(tmp_path / "hs" / "to-trinh-mau-01.docx")
    individuals = []
    part = None
    for r in tt_rows:
        if r and r[0].startswith("II."):
            part = "individuals"
        elif part == "individuals" and r[0].isdigit():
            individuals.append(r[1])
    from bdhvs_desktop.domain.text import fold

    assert individuals and individuals == sorted(individuals, key=fold)
    for p in outcome.files:
        no_tags_left(p)


def test_cancel_and_open_file_leave_previous_dossier_untouched(demo_db, council, tmp_path, capsys):
    from bdhvs_desktop.documents.dossier_writer import DossierCancelled

    out = tmp_path / "hs"
    svc.generate_dossier(demo_db, out, draft=True, at=AT)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    seen = []

    def progress(done, total, message):
        seen.append((done, total, message))

    with pytest.raises(DossierCancelled):
        svc.generate_dossier(demo_db, out, at=AT, progress=progress, cancel=lambda: len(seen) > 6)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert any("bao-cao-thanh-tich" in msg for _d, _t, msg in seen)
    with demo_db.read() as s:  # nothing issued by a cancelled batch
        assert {c.status for c in s.scalars(select(m.Candidate))} == {"approved", "rejected", "proposed"}

    (out / ("~$" + TT_STATE[2:])).write_text("Word owner file")
    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    demo_db.dispose()
    assert main(["dossier", "--db", db_path, "--out", str(out), "--at", "2026-11-10"]) == 2
    assert TT_STATE in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith("~$")} == before


def test_form_set_is_checked_again_when_a_template_changes(demo_db, council, tmp_path):
    import os

    from bdhvs_desktop import paths
    from bdhvs_desktop.documents.formsets import FormSetError

    first = svc.load_checked_form_set("decree-98-2023")
    assert svc.load_checked_form_set("decree-98-2023") is first  # unchanged: not checked twice
    user_dir = paths.user_templates_dir() / "decree-98-2023"
    user_dir.mkdir(parents=True)
    broken = user_dir / "bien-ban-hop-xet.docx"
    builtin = paths.forms_templates_dir() / "decree-98-2023" / "bien-ban-hop-xet.docx"
    with zipfile.ZipFile(builtin) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ minutes.place_date }}", b"{{ minutes.place_date ", 1)
            dst.writestr(item, data)
    with pytest.raises(FormSetError, match="bien-ban-hop-xet.docx"):
        svc.load_checked_form_set("decree-98-2023")
    os.remove(broken)
    assert svc.load_checked_form_set("decree-98-2023").forms["bien_ban"].source == "builtin"
