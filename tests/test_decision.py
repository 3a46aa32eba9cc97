"""The award decision: who it awards, the document (read back, converted by LibreOffice), and
issuing it -- candidates "issued" and the register written in one transaction."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest
from sqlalchemy import delete, select

from bdhvs_desktop.documents.render import docx_text
from bdhvs_desktop.services import awards as awards_service
from bdhvs_desktop.services import council as council_service
from bdhvs_desktop.services import decision as svc
from bdhvs_desktop.services import decision_candidates, decision_document
from bdhvs_desktop.storage import models as m
from tests.dossier_setup import NASTY, add_council_round

DATE = dt.date(2026, 12, 20)
TODAY = dt.date(2026, 12, 21)


@pytest.fixture
def council(demo_db):
    return add_council_round(demo_db)


def _statuses(db) -> dict[int, str]:
    with db.read() as s:
        return {c.id: c.status for c in s.scalars(select(m.Candidate))}


def _register_count(db) -> int:
    with db.read() as s:
        return len(list(s.scalars(select(m.AwardRecord.id))))


def test_several_authorities_need_a_choice_and_the_plan_takes_only_locked_approved(demo_db, council):
    with pytest.raises(svc.DecisionError) as err:
        decision_candidates.decision_plan(demo_db)
    assert "GK_BTV_DU" in str(err.value) and "GK_CT_UBND" in str(err.value)
    plan = decision_candidates.decision_plan(demo_db, award_code="GK_CT_UBND")
    assert plan.format == "state" and plan.authority == "Chủ tịch Ủy ban nhân dân phường La Gi"
    assert {c.id for c in plan.candidates} == set(council["approved"][1:])
    assert council["rejected"] not in {c.id for c in plan.candidates}
    # A rejected or merely proposed candidate cannot be issued, named in the message.
    with pytest.raises(svc.DecisionError) as err:
        decision_candidates.decision_plan(demo_db, candidate_ids=[council["approved"][1], council["rejected"], council["proposed"]])
    assert "không được thông qua" in str(err.value) and "đã đề nghị" in str(err.value)


def test_an_unlocked_approved_candidate_cannot_be_issued(demo_db, council):
    cid = council["approved"][2]
    with demo_db.session() as s:
        s.get(m.Candidate, cid).locked = False  # e.g. an edit behind the program's back
    with pytest.raises(svc.DecisionError) as err:
        svc.issue_decision(demo_db, number="15", date=DATE, candidate_ids=[cid], today=TODAY)
    assert "chưa được khóa" in str(err.value)
    assert _statuses(demo_db)[cid] == "approved" and _register_count(demo_db) == 0


def test_issue_marks_issued_and_writes_the_register(demo_db, council, tmp_path):
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, out_dir=tmp_path, award_code="GK_CT_UBND",
                                 signer_name="Nguyễn Văn Chủ", today=TODAY)
    assert outcome.symbol == "15/QĐ-UBND"
    statuses = _statuses(demo_db)
    assert all(statuses[i] == "issued" for i in outcome.candidate_ids)
    assert statuses[council["collective"]] == "approved"  # the party committee's award: another decision
    found = awards_service.list_awards(demo_db, source="issued")
    assert sorted(a.candidate_id for a in found) == sorted(outcome.candidate_ids)
    assert all(a.decision_ref.startswith("Quyết định số 15/QĐ-UBND ngày 20/12/2026") for a in found)
    assert all(a.kind == "campaign" and a.level == "ward" and a.campaign_id for a in found)
    host = awards_service.history(demo_db, person_id=council["host"])
    assert [a.decision_number for a in host] == ["15/QĐ-UBND"]
    # The document: no tags left, counts equal to the register's.
    text = docx_text(outcome.path.read_bytes())
    assert "{{" not in text and "{%" not in text
    assert "Số: 15/QĐ-UBND" in text and "ngày 20 tháng 12 năm 2026" in text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG LA GI" in text
    n_coll = sum(1 for a in found if a.subject_type == "unit")
    n_ind = sum(1 for a in found if a.subject_type == "person")
    assert f"{n_coll:02d} tập thể và {n_ind:02d} cá nhân" in text
    for a in found:
        assert a.subject_name in text
    assert "Căn cứ Luật Thi đua, khen thưởng" in text and "Xét đề nghị của" in text
    # A second issue of the same candidates: nothing left to award.
    with pytest.raises(svc.DecisionError):
        svc.issue_decision(demo_db, number="16", date=DATE, award_code="GK_CT_UBND", today=TODAY)
    # And the council cannot propose them again for this campaign's ward award.
    with pytest.raises(council_service.CouncilActionError) as err:
        council_service.propose(demo_db, "person", council["host"], award_code="GK_CT_UBND")
    assert "15/QĐ-UBND" in str(err.value)


def test_party_decision_heading_and_symbol(demo_db, council, tmp_path):
    outcome = svc.issue_decision(demo_db, number="3", date=DATE, out_dir=tmp_path, award_code="GK_BTV_DU",
                                 today=TODAY)
    assert outcome.symbol == "03-QĐ/ĐU"
    text = docx_text(outcome.path.read_bytes())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Số 03-QĐ/ĐU" in text
    assert "BAN THƯỜNG VỤ ĐẢNG ỦY PHƯỜNG LA GI" in text and "T/M BAN THƯỜNG VỤ" in text
    assert "01 tập thể" in text and "0 cá nhân" not in text
    # The NASTY report text is not printed here, but the name with '&' etc. is data, never a tag.
    assert "{{" not in text


def test_the_decision_follows_the_authority_format_the_dossier_routes_by(demo_db, council, tmp_path):
    """A mass organisation's standing committee ("Ban Thường vụ Hội Liên hiệp Phụ nữ") that the
    form set marks as state format: the dossier routes the Tờ trình in state format
    (services.dossier._authority reads the preset's `authority` first), so the decision must carry
    the same heading and symbol, not a party heading guessed from "Ban Thường vụ"."""
    from bdhvs_desktop.services.dossier import _authority

    issuer = "Ban Thường vụ Hội Liên hiệp Phụ nữ phường La Gi"
    with demo_db.session() as s:
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == "GK_CT_UBND"))
        form.issuer = issuer
        campaign = s.scalar(select(m.Campaign))
        details = dict(campaign.details or {})
        forms = {k: dict(v) for k, v in (details.get("award_forms") or {}).items()}
        forms.setdefault("GK_CT_UBND", {})["authority"] = "state"
        details["award_forms"] = forms
        campaign.details = details
    with demo_db.read() as s:
        routed = _authority(s.scalar(select(m.Campaign)),
                            s.scalar(select(m.AwardForm).where(m.AwardForm.code == "GK_CT_UBND")))
    assert routed.format == "state"
    plan = decision_candidates.decision_plan(demo_db, award_code="GK_CT_UBND")
    assert plan.format == routed.format
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, out_dir=tmp_path, award_code="GK_CT_UBND",
                                 today=TODAY)
    assert outcome.symbol.startswith("15/QĐ-")  # the state shape (Decree 30/2020), not "15-QĐ/…"
    text = docx_text(outcome.path.read_bytes())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "-QĐ/" not in text
    # The certificates read the same format (heading on plain paper, built-in layout).
    from bdhvs_desktop.services import certificate_layouts

    forms = {f.code: f.format for f in certificate_layouts.list_award_forms(demo_db)}
    assert forms["GK_CT_UBND"] == "state"
    assert certificate_layouts.get_layout(demo_db, "GK_CT_UBND").format == "state"


def test_an_injected_failure_leaves_neither_status_nor_register(demo_db, council, tmp_path, monkeypatch):
    before = _statuses(demo_db)
    real = awards_service.add_in_session
    calls = []

    def failing(s, data, **kw):
        calls.append(data.subject_name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(s, data, **kw)

    monkeypatch.setattr(awards_service, "add_in_session", failing)
    with pytest.raises(RuntimeError):
        svc.issue_decision(demo_db, number="15", date=DATE, out_dir=tmp_path / "out", award_code="GK_CT_UBND",
                           today=TODAY)
    assert len(calls) == 2
    assert _statuses(demo_db) == before
    assert _register_count(demo_db) == 0
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))
    with demo_db.read() as s:
        assert s.scalar(select(m.AuditEntry.id).where(m.AuditEntry.action == "decision")) is None


def test_bad_number_or_date_is_refused_before_anything(demo_db, council):
    for number in ("", "15/QĐ", "0", "abc"):
        with pytest.raises(svc.DecisionError):
            svc.issue_decision(demo_db, number=number, date=DATE, award_code="GK_CT_UBND", today=TODAY)
    with pytest.raises(svc.DecisionError):
        svc.issue_decision(demo_db, number="15", date=dt.date(2027, 6, 1), award_code="GK_CT_UBND", today=TODAY)
    assert _register_count(demo_db) == 0


def test_the_same_number_twice_in_a_year_is_refused(demo_db, council):
    svc.issue_decision(demo_db, number="15", date=DATE, candidate_ids=[council["approved"][1]], today=TODAY)
    with pytest.raises(svc.DecisionError) as err:
        svc.issue_decision(demo_db, number="15", date=DATE, candidate_ids=[council["approved"][2]], today=TODAY)
    assert "đã được dùng" in str(err.value)


def test_prize_amount_gives_article_2(demo_db, council, tmp_path):
    with demo_db.session() as s:
        s.scalar(select(m.AwardForm).where(m.AwardForm.code == "GK_CT_UBND")).prize_amount = 500000
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, out_dir=tmp_path, award_code="GK_CT_UBND",
                                 today=TODAY)
    text = docx_text(outcome.path.read_bytes())
    n = len(outcome.candidate_ids)
    assert "Điều 2. Kèm theo hình thức khen thưởng" in text
    assert "500.000 đồng cho mỗi tập thể, cá nhân" in text
    assert f"tổng cộng {500000 * n:,} đồng".replace(",", ".") in text
    assert "Điều 3. Quyết định này có hiệu lực" in text and "Như Điều 3;" in text
    assert all(a.prize_amount == 500000 for a in awards_service.list_awards(demo_db, source="issued"))


def test_draft_changes_nothing_and_has_blanks(demo_db, council, tmp_path):
    before = _statuses(demo_db)
    path = decision_document.draft_decision(demo_db, tmp_path, award_code="GK_CT_UBND")
    text = docx_text(path.read_bytes())
    assert "DỰ THẢO" in text and "Số:" in text and "/QĐ-UBND" in text
    assert _statuses(demo_db) == before and _register_count(demo_db) == 0


def test_cli_decision_and_awards(demo_db, council, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db = str(demo_db.path)
    assert main(["--db", db, "decision", "draft", "--award", "GK_CT_UBND", "--out", str(tmp_path)]) == 0
    assert main(["--db", db, "decision", "issue", "--award", "GK_CT_UBND", "--number", "15", "--date",
                 "20/12/2026", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "15/QĐ-UBND" in out
    assert main(["--db", db, "decision", "show"]) == 0
    assert "15/QĐ-UBND" in capsys.readouterr().out
    with demo_db.read() as s:
        cccd = s.get(m.Person, council["host"]).cccd
    assert main(["--db", db, "awards", "history", "--person", cccd]) == 0
    assert "Quyết định số 15/QĐ-UBND ngày 20/12/2026" in capsys.readouterr().out
    assert main(["--db", db, "awards", "list", "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and all(r["source"] == "issued" for r in rows)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_decision(demo_db, council, tmp_path):
    with demo_db.session() as s:
        # Text that breaks careless rendering, in a name and an achievement.
        c = s.get(m.Candidate, council["approved"][1])
        c.summary = NASTY
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, out_dir=tmp_path, award_code="GK_CT_UBND",
                                 today=TODAY)
    profile = tmp_path / "lo-profile"
    env = dict(os.environ, HOME=str(tmp_path))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "txt:Text",
                    "--outdir", str(tmp_path / "txt"), str(outcome.path)], check=True, capture_output=True,
                   timeout=180, env=env)
    text = (tmp_path / "txt" / (outcome.path.stem + ".txt")).read_text(encoding="utf-8-sig")
    # The user's braces are data, printed as typed; no template tag is left anywhere else.
    assert 'Chi bộ & "Tổ" <3> {{ x }} {% if %}' in text
    rest = text.replace("{{ x }} {% if %}", "")
    assert "{{" not in rest and "{%" not in rest and "}}" not in rest
    assert "QUYẾT ĐỊNH" in text and "15/QĐ-UBND" in text
    found = awards_service.list_awards(demo_db, source="issued")
    assert text.count("I. TẬP THỂ") == 1 and text.count("II. CÁ NHÂN") == 1
    for a in found:
        assert a.subject_name in text
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), str(outcome.path)], check=True, capture_output=True,
                   timeout=180, env=env)
    pdf = tmp_path / "pdf" / (outcome.path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which(
        "pdfinfo") else "Pages: 2"
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert pages == 2  # the decision on one page, its list on the second


def test_a_province_proposal_carries_the_wards_award(demo_db, council, tmp_path):
    from bdhvs_desktop.services.dossier import build_contexts

    outcome = svc.issue_decision(demo_db, number="15", date=DATE, candidate_ids=[council["individual"]], today=TODAY)
    host = council["host"]
    with demo_db.session() as s:
        # The council then proposes the same person to the province (a new proposal, approved).
        province = s.scalar(select(m.AwardForm).where(m.AwardForm.code == "BK_CT_UBND_TINH"))
        old = s.get(m.Candidate, council["individual"])
        s.add(m.Candidate(campaign_id=old.campaign_id, subject_type="person", person_id=host,
                          subject_kind="individual", award_form_id=province.id, meeting_id=old.meeting_id,
                          summary="Đề nghị tỉnh", status="approved", locked=True))
    # (a draft: this test's province candidate has no vote in the minutes)
    ctxs = build_contexts(demo_db, at=DATE, draft=True)
    # The province award has its own Tờ trình (to the province's authority): read every one.
    notes = [n.note.split("; ", 1)[1] for _, sub in ctxs.submissions for n in sub.individuals
             if n.award.startswith("Bằng khen")]
    assert notes == [f"Đã được tặng Giấy khen của Chủ tịch Ủy ban nhân dân phường (Quyết định số "
                     f"{outcome.symbol} ngày 20/12/2026 của Chủ tịch Ủy ban nhân dân phường La Gi)"]


def test_gui_register_history_and_decision_dialogs(demo_db, council, tmp_path, monkeypatch):
    from gui_wait import settle
    from PySide6.QtWidgets import QApplication, QMessageBox

    from bdhvs_desktop.gui.awards_dialog import (
        AwardFormDialog,
        AwardHistoryDialog,
        AwardRegisterDialog,
        DecisionDialog,
    )
    from bdhvs_desktop.gui.context import AppContext

    QApplication.instance() or QApplication([])
    ctx = AppContext(demo_db)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    d = DecisionDialog(ctx)
    d.award.setCurrentIndex(d.award.findData("GK_CT_UBND"))
    assert "03 cá nhân" not in d.plan.text() and "Chủ tịch Ủy ban nhân dân phường La Gi" in d.plan.text()
    d.number.setText("15")
    d.date.setDate(d.date.date().fromString("20/12/2026", "dd/MM/yyyy"))
    d.out_dir.setText(str(tmp_path))
    d.issue()
    settle()
    assert any("15/QĐ-UBND" in str(x) for x in shown), shown
    assert not d.issue_button.isEnabled()  # nothing left for this authority
    h = AwardHistoryDialog(ctx, "person", council["host"], "Người hướng dẫn")
    assert h.model.rowCount() == 1 and h.model.rows[0][1] == "15/QĐ-UBND"
    # Typing an older, thematic award for the same person from the history dialog.
    f = AwardFormDialog(ctx, None, h.subject_defaults(), h)
    f.award.setEditText("Giấy khen chuyên đề chuyển đổi số")
    f.kind.setCurrentIndex(f.kind.findData("thematic"))
    f.number.setText("7/QĐ-UBND")
    f.campaign.setText("Chuyên đề 2025")
    f.prize.setText("năm trăm")
    f.save()
    settle()
    assert "Tiền thưởng" in f.error.text() and f.result() == 0
    f.prize.setText("300.000")
    f.save()
    settle()
    assert f.award_id is not None
    h.refresh()
    assert h.model.rowCount() == 2 and "1 được tính" in h.heading.text()
    reg = AwardRegisterDialog(ctx)
    assert reg.model.rowCount() == 4
    reg.search.setText("7/QĐ")
    assert reg.model.rowCount() == 1


def test_register_columns_show_their_headers_and_the_names(demo_db, council, tmp_path):
    """At a usual window width every column header is readable and the name and award form get
    the room (before: the last column, "Nguồn", took the width and cut the names and headers)."""
    from PySide6.QtWidgets import QApplication

    from bdhvs_desktop.gui.awards_dialog import COLUMNS, AwardRegisterDialog
    from bdhvs_desktop.gui.context import AppContext

    app = QApplication.instance() or QApplication([])
    svc.issue_decision(demo_db, number="15", date=DATE, award_code="GK_CT_UBND", today=TODAY)
    reg = AwardRegisterDialog(AppContext(demo_db))
    reg.resize(1300, 600)
    reg.show()
    app.processEvents()
    header = reg.table.horizontalHeader()
    metrics = header.fontMetrics()
    for i, title in enumerate(COLUMNS):
        assert header.sectionSize(i) >= metrics.horizontalAdvance(title), (title, header.sectionSize(i))
    name_col, source_col = 2, len(COLUMNS) - 1
    assert header.sectionSize(name_col) > header.sectionSize(source_col)
    reg.close()


def test_candidates_of_a_final_dossier_can_be_issued(demo_db, council, tmp_path):
    from bdhvs_desktop.services.dossier import generate_dossier

    generate_dossier(demo_db, tmp_path / "hs", at=DATE)
    assert _statuses(demo_db)[council["individual"]] == "issued"  # "Đã lập hồ sơ": not yet awarded
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, award_code="GK_CT_UBND", today=TODAY)
    assert council["individual"] in outcome.candidate_ids
    assert len(awards_service.list_awards(demo_db)) == len(outcome.candidate_ids)


def test_the_status_a_user_reads_tells_a_dossier_from_a_decision(demo_db, council, tmp_path, capsys):
    """Both the final dossier and the decision store "issued"; the user must not read "dossier
    made" for a candidate the decision already awarded, nor "awarded" for one only sent up."""
    from bdhvs_desktop.cli import main as cli_main
    from bdhvs_desktop.services.dossier import generate_dossier

    generate_dossier(demo_db, tmp_path / "hs", at=DATE)
    sent = council_service.get_candidate(demo_db, council["individual"])
    assert sent.status == "issued"
    assert sent.status_label == "Đã lập hồ sơ trình khen thưởng"
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, award_code="GK_CT_UBND", today=TODAY)
    assert council["individual"] in outcome.candidate_ids
    awarded = council_service.get_candidate(demo_db, council["individual"])
    assert awarded.status == "issued"  # the dossier's state is unchanged (issue #15)
    assert awarded.status_label == "Đã có quyết định khen thưởng (số 15/QĐ-UBND)"
    listed = {c.id: c.status_label for c in council_service.list_candidates(demo_db)}
    assert listed[council["individual"]] == awarded.status_label
    assert listed[council["collective"]] == "Đã lập hồ sơ trình khen thưởng"  # the party award: still waiting
    assert cli_main(["--db", str(demo_db.path), "candidates"]) == 0
    out = capsys.readouterr().out
    assert "Đã có quyết định khen thưởng (số 15/QĐ-UBND)" in out


def test_check_reports_a_register_that_disagrees_with_the_candidates(demo_db, council, tmp_path):
    """`bdhvs check` reads the register against the candidates: an entry "issued here" whose
    candidate was set back (a direct SQL edit), and a candidate sent up for an award form that
    already has a decision but is missing from the register."""
    from sqlalchemy import text

    from bdhvs_desktop.services.maintenance import check_database

    def register_lines():
        return [(f.level, f.message) for f in check_database(demo_db) if "sổ khen thưởng" in f.message.lower()]

    assert register_lines() == []  # nothing in the register yet: nothing to say
    outcome = svc.issue_decision(demo_db, number="15", date=DATE, award_code="GK_CT_UBND", today=TODAY)
    lines = register_lines()
    assert [lv for lv, _ in lines] == ["ok"], lines
    assert f"{len(outcome.candidate_ids)} mục ({len(outcome.candidate_ids)} do quyết định lập tại đây)" in lines[0][1]
    first, second = sorted(outcome.candidate_ids)[:2]
    with demo_db.session() as s:
        s.execute(text("UPDATE candidate SET status = 'approved' WHERE id = :i"), {"i": first})
        s.execute(delete(m.AwardRecord).where(m.AwardRecord.candidate_id == second))
    lines = register_lines()
    errors = [msg for lv, msg in lines if lv == "error"]
    warnings = [msg for lv, msg in lines if lv == "warning"]
    assert len(errors) == 1 and f"hồ sơ đề nghị số {first}" in errors[0] and "“Được thông qua”" in errors[0]
    assert "15/QĐ-UBND" in errors[0]
    assert len(warnings) == 1 and f"Hồ sơ đề nghị số {second} " in warnings[0]
    assert "chưa có trong sổ khen thưởng" in warnings[0] and "15/QĐ-UBND" in warnings[0]
    assert not any(lv == "ok" for lv, _ in lines)


def test_a_broken_user_decision_template_is_refused_before_anything(demo_db, council, tmp_path, user_home):
    import zipfile

    from bdhvs_desktop import paths
    from bdhvs_desktop.documents.formsets import FormSetError

    builtin = paths.forms_templates_dir() / "decree-98-2023" / "quyet-dinh-khen-thuong.docx"
    user_dir = paths.user_templates_dir() / "decree-98-2023"
    user_dir.mkdir(parents=True)
    with zipfile.ZipFile(builtin) as src, zipfile.ZipFile(user_dir / builtin.name, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ decision.authority_title }}", b"{{ decision.no_such_field }}", 1)
            dst.writestr(item, data)
    before = _statuses(demo_db)
    with pytest.raises(FormSetError) as info:
        svc.issue_decision(demo_db, number="15", date=DATE, out_dir=tmp_path / "qd", award_code="GK_CT_UBND",
                           today=TODAY)
    assert "quyet-dinh-khen-thuong.docx" in str(info.value) and "no_such_field" in str(info.value)
    assert not (tmp_path / "qd").exists()
    assert _statuses(demo_db) == before and _register_count(demo_db) == 0
