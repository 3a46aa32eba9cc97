"""The Chấm điểm and Hội đồng pages, offscreen: what they show and what their actions do."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_wait import settle
from PySide6.QtWidgets import QDialog, QMessageBox

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.gui.pages import PAGES, page_class
from bdhvs_desktop.services import council as cs

AT = dt.date(2026, 11, 15)


@pytest.fixture
def ctx(demo_db, qtbot):
    context = AppContext(demo_db)
    context.set_as_of(AT)
    return context


def test_pages_are_registered():
    specs = dict((key, spec) for key, _title, spec in PAGES)
    assert page_class(specs["scoring"]).__name__ == "ScoringPage"
    assert page_class(specs["council"]).__name__ == "CouncilPage"


def test_scoring_page_ranks_eligible_apart_and_explains(ctx, qtbot, tmp_path):
    from bdhvs_desktop.gui.pages.scoring import ScoringPage

    page = ScoringPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.load_now()
    assert page.kind.currentData() == "party_org"
    eligible = [page.eligible_model.row_at(r) for r in range(page.eligible_model.rowCount())]
    others = [page.other_model.row_at(r) for r in range(page.other_model.rowCount())]
    assert eligible and all(s.eligible for s in eligible) and [s.rank for s in eligible][0] == 1
    assert any(s.id == "CB-KP3" for s in others) and all(not s.eligible for s in others)
    kp3_row = next(r for r in range(page.other_model.rowCount()) if page.other_model.row_at(r).id == "CB-KP3")
    page.other_view.selectRow(kp3_row)
    assert page.current.id == "CB-KP3"
    text = page.explain.toPlainText()
    assert "18/20 đảng viên thành thạo VNeID" in text
    assert "chưa đủ điều kiện" in page.heading.text()
    assert page.eligible_model.data(page.eligible_model.index(0, 0)) == "1"
    page.grab().save(str(tmp_path / "scoring.png"))
    # Search filters both lists, without diacritics.
    page.search.setText("khu pho 3")
    assert page.eligible_model.rowCount() == 0 and page.other_model.rowCount() == 1
    page.search.clear()
    page.kind.setCurrentIndex(page.kind.findData("individual"))
    assert page.eligible_model.rowCount() >= 1 and page.other_model.rowCount() > 100
    shown = page.eligible_model.data(page.eligible_model.index(0, 1))
    assert "•" in shown and shown != page.eligible_model.row_at(0).id  # the CCCD is masked in the list


def test_manual_entry_from_the_page_updates_the_score(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages import scoring as page_mod

    page = page_mod.ScoringPage(ctx)
    qtbot.addWidget(page)
    page.load_now()
    page.kind.setCurrentIndex(page.kind.findData("collective"))
    row = next(r for r in range(page.other_model.rowCount()) if page.other_model.row_at(r).id == "TDP-01")
    page.other_view.selectRow(row)
    manual_row = next(i for i, c in enumerate(page.current.criteria) if c.code == "TT_CHI_TIEU_KHAC")
    page.criteria.selectRow(manual_row)
    assert page.manual_button.isEnabled()

    def fake_exec(dialog):  # the secretary ticks "Đạt" and writes the evidence
        dialog.passed.setChecked(True)
        dialog.evidence.setPlainText("Báo cáo 12/BC-TDP1 (kiểm tra)")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(page_mod.ManualResultDialog, "exec", fake_exec)
    page.enter_manual()
    settle(qtbot)
    page.load_now()
    tdp = page.board.find("unit", page.current.subject_id)
    crit = next(c for c in tdp.criteria if c.code == "TT_CHI_TIEU_KHAC")
    assert crit.passed and crit.evidence == "Báo cáo 12/BC-TDP1 (kiểm tra)"


def test_criteria_editor_lists_and_adds(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages import scoring as page_mod

    dialog = page_mod.CriteriaSetDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.sets.setCurrentIndex(dialog.sets.count() - 1)
    assert dialog.table.rowCount() >= 5
    before = dialog.table.rowCount()

    def fake_exec(d):
        d.code.setText("CN_D_THU")
        d.name.setPlainText("Tiêu chí thử")
        d.type.setCurrentIndex(d.type.findData("points"))
        d.max_points.setValue(5)
        d.method.setCurrentIndex(d.method.findData("auto"))
        d.rule.setCurrentIndex(d.rule.findData("min_people_guided"))
        d.params.setText("n=10, partial=true")
        fake_exec.calls += 1
        return QDialog.DialogCode.Accepted if fake_exec.calls == 1 else QDialog.DialogCode.Rejected

    fake_exec.calls = 0
    monkeypatch.setattr(page_mod.CriterionDialog, "exec", fake_exec)
    dialog.add()
    settle(qtbot)
    assert dialog.table.rowCount() == before + 1 and dialog.changed
    assert "Tổng điểm tối đa: 105" in dialog.total.text()


def test_council_page_shows_the_meeting_and_the_live_result(ctx, qtbot, monkeypatch, tmp_path):
    from bdhvs_desktop.gui.pages.council import CouncilPage

    page = CouncilPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.refresh()
    settle(qtbot)
    assert page.view is not None and "6/7" in page.info.text() and "đủ túc số" in page.info.text()
    assert page.ballot_box.isVisibleTo(page)
    flagged = [i for i in range(page.table.rowCount()) if page.table.item(i, 7).text()]
    assert flagged
    page.grab().save(str(tmp_path / "council.png"))
    # A new candidate gets votes entered; the result changes as the numbers are typed.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    from sqlalchemy import select

    from bdhvs_desktop.storage import models as m

    with ctx.db.read() as s:
        tdp = s.scalar(select(m.Unit.id).where(m.Unit.code == "TDP-02"))
    cid = cs.propose(ctx.db, "unit", tdp, at=AT)
    page.refresh()
    settle(qtbot)
    assert all(r.candidate.id != cid for r in page._rows)  # proposed after the meeting opened
    page.attach()
    settle(qtbot)
    page.refresh()
    settle(qtbot)
    row = next(i for i, r in enumerate(page._rows) if r.candidate.id == cid)
    page.table.selectRow(row)
    assert page.vote_button.isEnabled()
    page.votes_for.setValue(3)
    page.votes_against.setValue(3)
    assert "KHÔNG ĐƯỢC THÔNG QUA" in page.live.text()  # 3/7 of all members
    page.votes_for.setValue(4)
    page.votes_against.setValue(2)
    assert "ĐƯỢC THÔNG QUA" in page.live.text() and "KHÔNG" not in page.live.text()
    page.votes_for.setValue(7)
    assert "vượt số phiếu hợp lệ (6)" in page.live.text()  # secret ballot: 6 valid ballots
    page.votes_for.setValue(4)
    page.save_vote()
    settle(qtbot)
    # Member scores: the conflicted member cannot score; mean and median appear.
    from bdhvs_desktop.gui.pages import council as council_mod

    def fake_scores(dialog):
        for i, (_mid, box) in enumerate(dialog.boxes):
            box.setValue(60 + 5 * i)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(council_mod.MemberScoresDialog, "exec", fake_scores)
    page.refresh()
    settle(qtbot)
    page.table.selectRow(next(i for i, r in enumerate(page._rows) if r.candidate.id == cid))
    page.enter_member_scores()
    settle(qtbot)
    page.refresh()
    settle(qtbot)
    page.table.selectRow(next(i for i, r in enumerate(page._rows) if r.candidate.id == cid))
    assert "trung bình" in page.scores.text() and "trung vị" in page.scores.text()
    page.refresh()
    settle(qtbot)
    page.table.selectRow(next(i for i, r in enumerate(page._rows) if r.candidate.id == cid))
    page.decide_selected()
    settle(qtbot)
    page.refresh()
    settle(qtbot)
    r = next(r for r in page._rows if r.candidate.id == cid)
    assert r.candidate.locked and r.candidate.status == "approved"
    page.table.selectRow(page._rows.index(r))
    assert not page.vote_button.isEnabled() and page.reopen_button.isEnabled()


def test_candidates_dialog_moves_a_draft_and_rejects_with_a_reason(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages.council import CandidatesDialog

    dialog = CandidatesDialog(ctx)
    qtbot.addWidget(dialog)
    draft = next(i for i, c in enumerate(dialog.rows) if c.status == "draft")
    cid = dialog.rows[draft].id
    dialog.table.selectRow(draft)
    assert dialog.propose_button.isEnabled() and not dialog.reject_button.isEnabled()
    dialog.propose_button.click()
    settle(qtbot)
    assert cs.get_candidate(ctx.db, cid).status == "proposed"
    cs.set_status(ctx.db, cid, "reviewed")
    dialog.reload()
    dialog.table.selectRow(next(i for i, c in enumerate(dialog.rows) if c.id == cid))
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Chưa đủ minh chứng", True))
    dialog.reject_selected()
    settle(qtbot)
    info = cs.get_candidate(ctx.db, cid)
    assert info.status == "rejected" and info.decision_reason == "Chưa đủ minh chứng"
