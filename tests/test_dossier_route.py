"""Who sends what to whom (issue #11): the award form decides the authority, the authority
the Tờ trình's recipient, heading and signature; the order of a real office (a draft with
no council, settings from the command line, the user's files left alone, an expired form
set warned about); a dossier killed half-way leaves the folder and the database agreeing."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dossier_setup import add_council_round
from gui_wait import settle
from sqlalchemy import delete, select
from test_dossier import MINUTES, doc_text, table_rows

from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 10)
TT_STATE = "to-trinh-mau-01-chu-tich-uy-ban-nhan-dan-phuong-la-gi.docx"
TT_PARTY = "to-trinh-mau-01-ban-thuong-vu-dang-uy-phuong-la-gi.docx"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def council(demo_db):
    return add_council_round(demo_db)


def listed(path: Path) -> list[str]:
    return [r[1] for r in table_rows(path) if len(r) > 2 and r[0].isdigit()]


def heading_lines(path: Path) -> list[str]:
    """The cells of the first table (the heading block), line by line."""
    import docx

    t = docx.Document(str(path)).tables[0]
    return [" ".join(p.text.split()) for cell in t.rows[0].cells for p in cell.paragraphs if p.text.strip()]


# ------------------------------------------------------------------ who sends what to whom


def test_one_submission_per_authority_each_from_the_proposer_to_the_authority(demo_db, council, tmp_path):
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    names = {p.name for p in outcome.files}
    assert {TT_STATE, TT_PARTY} <= names and "to-trinh-mau-01.docx" not in names

    state = doc_text(tmp_path / "hs" / TT_STATE)
    # The council proposes, the chairman of the People's Committee grants: never itself to itself.
    assert heading_lines(tmp_path / "hs" / TT_STATE)[:2] == ["ỦY BAN NHÂN DÂN PHƯỜNG LA GI",
                                                             "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in state and "ĐẢNG CỘNG SẢN VIỆT NAM" not in state
    assert "Số:" in state and "/TTr-HĐTĐKT" in state
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân phường La Gi" in state
    assert ("Hội đồng Thi đua - Khen thưởng phường La Gi kính trình Chủ tịch Ủy ban nhân dân phường La Gi"
            in state)
    assert "Ủy ban nhân dân phường La Gi kính trình Chủ tịch Ủy ban nhân dân" not in state
    assert "TM. HỘI ĐỒNG" in state and "Lưu: VT, HĐTĐKT." in state
    assert "Giấy khen của Chủ tịch Ủy ban nhân dân phường" in state
    assert listed(tmp_path / "hs" / TT_STATE) == ["Đoàn Thanh niên phường (mô phỏng)", "Huỳnh Hoàng Hiếu",
                                                  "Võ Thu Oanh"]
    assert "01 tập thể" in state and "02 cá nhân" in state

    party = doc_text(tmp_path / "hs" / TT_PARTY)
    assert heading_lines(tmp_path / "hs" / TT_PARTY)[:2] == ["ĐẢNG BỘ PHƯỜNG LA GI", "VĂN PHÒNG ĐẢNG ỦY"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in party and "CỘNG HÒA XÃ HỘI" not in party
    assert "-TTr/VPĐU" in party and "Số:" not in party
    assert "Kính gửi: Ban Thường vụ Đảng ủy phường La Gi" in party
    assert "Văn phòng Đảng ủy phường La Gi kính trình Ban Thường vụ Đảng ủy phường La Gi" in party
    assert "Chủ tịch Ủy ban nhân dân" not in party
    assert listed(tmp_path / "hs" / TT_PARTY) == ["Chi bộ Khu phố 3 (mô phỏng)"]

    with demo_db.read() as s:
        kinds = [d.kind for d in s.scalars(select(m.GeneratedDocument))]
    assert kinds.count("to_trinh") == 2


def test_headings_follow_the_award_not_the_ward_setting(demo_db, council, tmp_path):
    """The minutes of a council that considered state awards carry the People's Committee's
    heading; a Form 08 carries its award's format; a party parent line is "ĐẢNG BỘ PHƯỜNG"."""
    svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    bb = tmp_path / "hs" / MINUTES
    assert heading_lines(bb)[:2] == ["ỦY BAN NHÂN DÂN PHƯỜNG LA GI", "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in doc_text(bb)
    kp3 = tmp_path / "hs" / "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx"  # party award
    assert heading_lines(kp3)[:2] == ["ĐẢNG BỘ PHƯỜNG LA GI", "CHI BỘ KHU PHỐ 3 (MÔ PHỎNG)"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in doc_text(kp3)
    for name in ("bao-cao-thanh-tich-mau-08-vo-thu-oanh.docx",  # a state award: the national heading
                 "bao-cao-thanh-tich-mau-08-doan-thanh-nien-phuong-mo-phong.docx"):
        text = doc_text(tmp_path / "hs" / name)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" not in text, name
        assert "ĐẢNG ỦY PHƯỜNG LA GI" not in text


def test_province_award_goes_from_the_ward_to_the_province(demo_db, council, tmp_path):
    with demo_db.session() as s:
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == "BK_CT_UBND_TINH"))
        s.get(m.Candidate, council["individual"]).award_form_id = form.id
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    name = "to-trinh-mau-01-chu-tich-uy-ban-nhan-dan-tinh-lam-dong.docx"
    assert name in {p.name for p in outcome.files}
    text = doc_text(tmp_path / "hs" / name)
    assert heading_lines(tmp_path / "hs" / name)[0] == "ỦY BAN NHÂN DÂN PHƯỜNG LA GI"
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng" in text
    assert "Ủy ban nhân dân phường La Gi kính trình Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "/TTr-UBND" in text
    assert listed(tmp_path / "hs" / name) == ["Võ Thu Oanh"]


def test_a_body_cannot_propose_to_itself_nor_take_the_wrong_format(demo_db, council, tmp_path):
    svc.save_settings(demo_db, issuer="ward")
    with pytest.raises(svc.DossierError, match="không thể trình chính"):
        svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    svc.save_settings(demo_db, issuer="auto", issuer_format="state")
    with pytest.raises(svc.DossierError, match="thể thức văn bản của Đảng"):
        svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    svc.save_settings(demo_db, issuer_format="auto", recipient="Ông Chủ tịch")
    with pytest.raises(svc.DossierError, match="2 Tờ trình"):
        svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    assert not (tmp_path / "hs").exists()
    with pytest.raises(svc.DossierError, match="Người trình"):
        svc.save_settings(demo_db, issuer="uy-ban")


PRESET_CASES = [
    ('issuer = "Chủ tịch Ủy ban nhân dân phường La Gi"\nauthority = "state"',
     'issuer = "Chủ tịch Ủy ban nhân dân phường La Gi"\nauthority = "party"', "award_forms[1].authority",
     'phải là "state"'),
    ('issuer = "Ban Thường vụ Đảng ủy phường La Gi"\nauthority = "party"',
     'issuer = "Ban Thường vụ Đảng ủy phường La Gi"\nauthority = "dang"', "award_forms[2].authority", "party"),
    ('recipient = "Ban Thường vụ Đảng ủy phường La Gi"',
     'recipient = "Chủ tịch Ủy ban nhân dân phường La Gi"', "award_forms[2].recipient", "không gửi"),
    ('issuer = "Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng"\nauthority = "state"',
     'issuer = "Giám đốc Sở Nội vụ tỉnh Lâm Đồng"', "award_forms[3].authority", "thiếu khóa"),
]


@pytest.mark.parametrize("case", PRESET_CASES, ids=["contradicts issuer", "unknown", "recipient", "undecidable"])
def test_preset_names_the_granting_authority_and_is_checked(tmp_path, case):
    from bdhvs_desktop.domain.presets import PresetError, load_preset

    base = (REPO / "resources" / "presets" / "la-gi-004.toml").read_text(encoding="utf-8")
    old, new, key, words = case
    assert old in base
    path = tmp_path / "la-gi-004.toml"
    path.write_text(base.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PresetError) as info:
        load_preset(path)
    message = str(info.value)
    index, field = key.removeprefix("award_forms[").split("].")
    assert f"mục [[award_forms]] thứ {index}" in message and f'khóa "{field}"' in message, message
    assert words in message, message
    assert info.value.line and f"dòng {info.value.line}" in message


def test_shipped_award_forms_name_their_authority():
    from bdhvs_desktop.domain.presets import load_preset

    for path in sorted((REPO / "resources" / "presets").glob("*.toml")):
        for af in load_preset(path).award_forms:
            expected = "party" if ("Đảng ủy" in af.issuer or "Tỉnh ủy" in af.issuer) else "state"
            assert af.authority == expected, (path.name, af.code)


# ------------------------------------------------------------------ the order of a real office


def test_draft_before_the_council_exists(demo_db, tmp_path, capsys):
    """Units write their Form 08 before the council meets: candidates proposed, no council
    member, no meeting yet."""
    add_council_round(demo_db)
    with demo_db.session() as s:
        for cand in s.scalars(select(m.Candidate)):
            cand.meeting_id, cand.status, cand.locked = None, "proposed", False
    clear_meetings_and_council(demo_db)
    with pytest.raises(svc.DossierError, match="Chưa có ứng viên nào được Hội đồng thông qua"):
        svc.generate_dossier(demo_db, tmp_path / "final", at=AT)
    outcome = svc.generate_dossier(demo_db, tmp_path / "draft", at=AT, draft=True)
    names = {p.name for p in outcome.files}
    assert not any(n.startswith("bien-ban") for n in names) and TT_STATE in names
    assert len([n for n in names if n.startswith("bao-cao")]) == 6
    assert any("không có Biên bản họp xét" in n for n in outcome.notes)

    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    demo_db.dispose()
    assert main(["dossier", "--db", db_path, "--out", str(tmp_path / "cli"), "--draft", "--at", "2026-11-10"]) == 0
    out = capsys.readouterr().out
    assert "không có Biên bản họp xét (bien-ban-hop-xet.docx)" in out


def test_final_dossier_without_council_is_refused_clearly(demo_db, council, tmp_path):
    with demo_db.session() as s:
        for cand in s.scalars(select(m.Candidate)):
            cand.meeting_id = None
    clear_meetings_and_council(demo_db)
    with pytest.raises(svc.DossierError, match="Chưa có thành viên Hội đồng.*--draft"):
        svc.generate_dossier(demo_db, tmp_path / "final", at=AT)
    assert not (tmp_path / "final").exists()


def clear_meetings_and_council(db) -> None:
    """Every meeting (and the rows hanging on it) and every council member: the state
    before the council was entered."""
    with db.session() as s:
        for table in reversed(m.Base.metadata.sorted_tables):
            refs = {fk.column.table.name for fk in table.foreign_keys}
            if refs & {"council_meeting", "council_member"} and table.name not in ("candidate",
                                                                                   "generated_document"):
                s.execute(table.delete())
        s.execute(delete(m.GeneratedDocument))
        s.execute(delete(m.CouncilMeeting))
        s.execute(delete(m.CouncilMember))


def test_settings_from_the_command_line(demo_db, council, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    demo_db.dispose()
    args = ["dossier", "settings", "--db", db_path]
    assert main(args + ["--number", "12", "--date", "2026-11-20", "--signer-name", "Nguyễn Văn Tư",
                        "--signer-position", "PHÓ CHỦ TỊCH", "--issuer", "council",
                        "--form-set", "decree-152-2025"]) == 0
    assert "Đã lưu 6 thiết lập" in capsys.readouterr().out
    assert main(args) == 0
    shown = capsys.readouterr().out
    for line in ("Bộ mẫu: decree-152-2025", "Số Tờ trình: 12", "Ngày văn bản: 20/11/2026", "Người ký: Nguyễn Văn Tư",
                 "Chức vụ người ký: PHÓ CHỦ TỊCH", "Người trình: council"):
        assert line in shown, shown
    assert main(args + ["--form-set", "khong-co"]) == 2
    assert "khong-co" in capsys.readouterr().err
    assert main(args + ["--date", "31/02/2026"]) == 2
    assert main(args + ["--issuer", "ubnd"]) == 2
    assert "Người trình phải là" in capsys.readouterr().err
    assert main(["dossier", "--db", db_path, "--out", str(tmp_path / "hs"), "--at", "2026-11-10"]) == 0
    text = doc_text(tmp_path / "hs" / TT_STATE)
    assert "Số: 12/TTr-HĐTĐKT" in text and "La Gi, ngày 20 tháng 11 năm 2026" in text
    assert "PHÓ CHỦ TỊCH" in text and "Nguyễn Văn Tư" in text and "152/2025/NĐ-CP" in text
    assert main(args + ["--date", "", "--signer-name", ""]) == 0
    assert "Ngày văn bản: (trống" in capsys.readouterr().out


def test_regenerating_leaves_the_users_own_files_alone(demo_db, council, tmp_path):
    out = tmp_path / "hs"
    svc.generate_dossier(demo_db, out, at=AT, draft=True)
    mine = {
        "bao-cao-thanh-tich-mau-08-vo-thu-oanh-ban-sua-tay.docx": b"hand edited",
        "to-trinh-ban-sua-tay.docx": b"mine too",
        "ghi-chu.txt": "Ghi chú của văn phòng".encode(),
    }
    for name, data in mine.items():
        (out / name).write_bytes(data)
    (out / "anh").mkdir()
    (out / "anh" / "hop.jpg").write_bytes(b"jpeg")
    svc.generate_dossier(demo_db, out, at=AT, draft=True)
    for name, data in mine.items():
        assert (out / name).read_bytes() == data, name
    assert (out / "anh" / "hop.jpg").read_bytes() == b"jpeg"
    # A report of a candidate no longer in the dossier is removed: the manifest lists it.
    with demo_db.session() as s:
        s.get(m.Candidate, council["proposed"]).status = "withdrawn"
    svc.generate_dossier(demo_db, out, at=AT, draft=True)
    assert not (out / "bao-cao-thanh-tich-mau-08-tran-van-khanh.docx").exists()
    assert all((out / n).exists() for n in mine)
    # A file of the user's own under a generated name is never overwritten.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["name"] != MINUTES]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / MINUTES).write_bytes(b"the office's own minutes")
    from bdhvs_desktop.documents.dossier_writer import UnmanagedFileError

    with pytest.raises(UnmanagedFileError, match=MINUTES):
        svc.generate_dossier(demo_db, out, at=AT, draft=True)
    assert (out / MINUTES).read_bytes() == b"the office's own minutes"


def test_a_form_set_past_its_decree_warns_and_stays_selectable(demo_db, council, tmp_path, capsys):
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)  # 98/2023, dated 10/11/2026
    warning = outcome.notes[0]
    assert "98/2023/NĐ-CP" in warning and "30/06/2025" in warning and "Nghị định số 152/2025/NĐ-CP" in warning
    early = svc.generate_dossier(demo_db, tmp_path / "hs-2025", at=dt.date(2025, 6, 1), draft=True)
    assert not any("Cảnh báo" in n for n in early.notes)
    new = svc.generate_dossier(demo_db, tmp_path / "hs-152", at=AT, form_set="decree-152-2025", draft=True)
    assert not any("Cảnh báo" in n for n in new.notes)

    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    demo_db.dispose()
    assert main(["dossier", "--db", db_path, "--out", str(tmp_path / "cli"), "--draft", "--at", "2026-11-10"]) == 0
    assert "Nghị định số 152/2025/NĐ-CP" in capsys.readouterr().out
    assert main(["dossier", "settings", "--db", db_path, "--date", "2026-11-10"]) == 0
    assert "đã được thay thế bởi Nghị định số 152/2025/NĐ-CP" in capsys.readouterr().out


# ------------------------------------------------------------------ killed half-way (issue #15.6)

KILL_SCRIPT = textwrap.dedent("""
    import datetime as dt, os, signal, sys
    from bdhvs_desktop.documents import dossier_writer
    from bdhvs_desktop.services import dossier as svc
    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.storage.engine import open_database

    when = sys.argv[3]
    real = dossier_writer._write_manifest

    def write_manifest(folder, data):
        if when == "before-manifest" and data.get("complete"):
            os.kill(os.getpid(), signal.SIGKILL)  # every file in place, the manifest not yet
        real(folder, data)
        if when == "after-manifest" and data.get("complete"):
            os.kill(os.getpid(), signal.SIGKILL)  # the manifest in place, nothing committed

    dossier_writer._write_manifest = write_manifest
    db = open_database(sys.argv[1], create=False)
    act_as_administrator(db)
    svc.generate_dossier(db, sys.argv[2], at=dt.date(2026, 11, 10))
""")


def _statuses(db):
    with db.read() as s:
        return ({c.id: c.status for c in s.scalars(select(m.Candidate))},
                len(list(s.scalars(select(m.GeneratedDocument)))))


@pytest.mark.parametrize("when", ["before-manifest", "after-manifest"])
def test_killed_dossier_leaves_folder_and_database_agreeing(demo_db, council, tmp_path, when):
    from bdhvs_desktop.documents.dossier_writer import manifest_is_valid

    out = tmp_path / "hs"
    before, n_docs = _statuses(demo_db)
    db_path = str(demo_db.path)
    demo_db.dispose()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, db_path, str(out), when], env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    after, docs = _statuses(demo_db)
    # The database never says "issued" for a folder that is not a complete dossier.
    assert after == before and docs == n_docs
    assert manifest_is_valid(out) is (when == "after-manifest")
    # The next run treats the folder as not recorded and makes the dossier again.
    outcome = svc.generate_dossier(demo_db, out, at=AT)
    assert manifest_is_valid(out)
    assert set(outcome.issued) == set(council["approved"])


def test_failure_between_files_and_manifest_keeps_the_previous_dossier(demo_db, council, tmp_path, monkeypatch):
    from bdhvs_desktop.documents import dossier_writer
    from bdhvs_desktop.documents.dossier_writer import manifest_is_valid

    out = tmp_path / "hs"
    svc.generate_dossier(demo_db, out, at=AT, draft=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = dossier_writer._write_manifest

    def failing(folder, data):
        if data.get("complete"):
            raise OSError("disk full")
        real(folder, data)

    monkeypatch.setattr(dossier_writer, "_write_manifest", failing)
    with pytest.raises(OSError, match="disk full"):
        svc.generate_dossier(demo_db, out, at=AT)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert manifest_is_valid(out)
    with demo_db.read() as s:
        assert {c.status for c in s.scalars(select(m.Candidate))} == {"approved", "rejected", "proposed"}
        assert all(d.draft for d in s.scalars(select(m.GeneratedDocument)))


def test_gui_settings_and_the_expired_form_set_warning(demo_db, council, qapp, qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.dossier import DossierPage

    ctx = AppContext(demo_db)
    ctx.set_as_of(AT)
    page = DossierPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    assert page.form_set.currentData() == "decree-98-2023"
    assert page.form_set_warning.isVisible() and "Nghị định số 152/2025/NĐ-CP" in page.form_set_warning.text()
    page.form_set.setCurrentIndex(page.form_set.findData("decree-152-2025"))
    assert not page.form_set_warning.isVisible()
    page.form_set.setCurrentIndex(page.form_set.findData("decree-98-2023"))
    page.issuer.setCurrentIndex(page.issuer.findData("council"))
    page.doc_date.setText("20/11/2026")
    page.signer_name.setText("Nguyễn Văn Tư")
    page.number.setText("7")
    page.save_settings()
    settle(qtbot)
    st = svc.load_settings(demo_db)
    assert (st.issuer, st.date, st.signer_name, st.number) == ("council", dt.date(2026, 11, 20), "Nguyễn Văn Tư", "7")
    page.out_dir.setText(str(tmp_path / "hs"))
    page.out_dir.setProperty("auto", False)
    page.generate()
    qtbot.waitUntil(lambda: page._task is None, timeout=60000)
    assert page.last_error == ""
    assert "Nghị định số 152/2025/NĐ-CP" in page.status.text()  # the warning after generating too
    text = doc_text(tmp_path / "hs" / TT_STATE)
    assert "Số: 07/TTr-HĐTĐKT" in text or "Số: 7/TTr-HĐTĐKT" in text
    assert "ngày 20 tháng 11 năm 2026" in text
    page.doc_date.setText("31/02/2026")
    from PySide6.QtWidgets import QMessageBox

    shown = []
    import unittest.mock as mock

    with mock.patch.object(QMessageBox, "warning", lambda *a, **k: shown.append(a[2])):
        page.save_settings()
    assert shown and "31/02/2026" in shown[0]


# ------------------------------------------------------------------ on the page (the .docx side)


def test_rows_signatures_and_party_type_sizes_in_the_docx(demo_db, council, tmp_path):
    """The properties LibreOffice and Word paginate by (tests/test_dossier_pages.py checks
    the printed result): every table row unsplittable, header rows repeated, each signature
    table inside an unsplittable row, the lead-in before a table kept with it; the party
    title 16 pt and its "Nơi nhận" items 12 pt (HD 36), the state's 14 pt and 11 pt."""
    import docx
    from docx.oxml.ns import qn

    svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    for name in (TT_STATE, TT_PARTY, MINUTES,
                 "bao-cao-thanh-tich-mau-08-chi-bo-khu-pho-3-mo-phong.docx"):
        d = docx.Document(str(tmp_path / "hs" / name))
        body = d.element.body
        for tbl in body.iter(qn("w:tbl")):
            rows = tbl.findall(qn("w:tr"))
            bordered = tbl.find(qn("w:tblPr")).find(qn("w:tblBorders"))
            data_table = bordered is not None and bordered.find(qn("w:top")).get(qn("w:val")) == "single"
            for i, tr in enumerate(rows):
                trpr = tr.find(qn("w:trPr"))
                if data_table or tbl.getparent().tag == qn("w:body") and len(rows) == 1:
                    assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None, (name, i)
                if data_table and i == 0:
                    assert trpr.find(qn("w:tblHeader")) is not None, name
            if data_table:  # the paragraph before the table keeps with it
                prev = tbl.getprevious()
                while prev is not None and prev.tag == qn("w:p") and not "".join(prev.itertext()).strip():
                    prev = prev.getprevious()
                if prev is not None and prev.tag == qn("w:p"):
                    ppr = prev.find(qn("w:pPr"))
                    style = ppr.find(qn("w:pStyle")).get(qn("w:val")) if ppr is not None and \
                        ppr.find(qn("w:pStyle")) is not None else ""
                    assert (ppr is not None and ppr.find(qn("w:keepNext")) is not None) or "Heading" in style, \
                        (name, "".join(prev.itertext()))
        # the signature table is nested in the single row of an outer table
        last = [t for t in d.tables][-1] if not name.startswith("to-trinh") else None
        if last is not None:
            assert len(last.rows) == 1 and last.cell(0, 0).tables, name
    for name, title_pt, item_pt in ((TT_PARTY, 16, 12), (TT_STATE, 14, 11)):
        d = docx.Document(str(tmp_path / "hs" / name))
        title = next(p for p in d.paragraphs if p.text == "TỜ TRÌNH")
        assert title.runs[0].font.size.pt == title_pt, name
        sign = d.tables[1].cell(0, 0).tables[0]  # the Tờ trình's signature, before the list
        items = [p for p in sign.cell(0, 0).paragraphs if p.text.startswith("- ")]
        assert items and all(p.runs[0].font.size.pt == item_pt for p in items), name
