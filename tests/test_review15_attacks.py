"""Issue #15, independent review: attacks on the merged fixes that still got through.

- point 7: a "not approved" decision undone by one council member through `council status N
  reviewed`; an older passing vote approving after the council voted again and failed;
- point 3: the meeting-details editor, the phase dialog and manual criterion results saved over a
  colleague's newer save (no version check);
- point 5: invisible look-alike blanks (Hangul fillers, CGJ, braille blank) accepted in names;
- point 8: an SQL-switched award of a locked result not reported; an edited score snapshot
  reported as two whole JSON documents;
- point 11: the common-password list bypassed by full-width letters, spaces or symbols."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_wait import settle
from sqlalchemy import select

from bdhvs_desktop.cli import main
from bdhvs_desktop.services import audit, meeting_edit
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import meeting as ms
from bdhvs_desktop.services.auth import PermissionDenied, UserInfo, role_label
from bdhvs_desktop.services.safety import EditConflict
from bdhvs_desktop.storage import models as m


def _as(db, role: str, full_name: str = "Người dùng", username: str = "nguoi-dung") -> None:
    db.current_user = UserInfo(7, username, full_name, role, role_label(role), True, None)
    db.user = username


def _rejected(db) -> cs.CandidateInfo:
    return next(c for c in cs.list_candidates(db) if c.status == "rejected")


# --------------------------------------------------------------------------- point 7


def test_one_council_member_cannot_undo_a_rejection(demo_db):
    cand = _rejected(demo_db)
    member = next(x for x in cs.list_members(demo_db) if x.role == "member")
    _as(demo_db, "council_member", member.full_name, "uy-vien")
    # The attack: `bdhvs council status N reviewed` on a decided "not approved" result.
    with pytest.raises(PermissionDenied, match="Chủ tịch Hội đồng hoặc thư ký"):
        cs.set_status(demo_db, cand.id, "reviewed", "Tôi muốn xét lại")
    info = cs.get_candidate(demo_db, cand.id)
    assert info.status == "rejected" and info.decision_reason == cand.decision_reason


def test_reopening_a_rejection_needs_a_reason_and_is_chained(demo_db, capsys):
    cand = _rejected(demo_db)
    _as(demo_db, "secretary", "Thư ký văn phòng", "thu-ky")
    with pytest.raises(cs.CouncilActionError, match="lý do"):
        cs.set_status(demo_db, cand.id, "reviewed")
    code = main(["council", "status", str(cand.id), "reviewed", "--db", str(demo_db.path)])
    assert code == 2 and "lý do" in capsys.readouterr().err  # a usage error: the reason is missing
    assert cs.get_candidate(demo_db, cand.id).status == "rejected"
    cs.set_status(demo_db, cand.id, "reviewed", "Bổ sung minh chứng mới")
    info = cs.get_candidate(demo_db, cand.id)
    assert info.status == "reviewed" and not info.decision_reason
    with demo_db.read() as s:
        entry = s.scalar(select(m.AuditEntry).where(m.AuditEntry.entity == "candidate",
                                                    m.AuditEntry.entity_id == cand.id,
                                                    m.AuditEntry.field == "status",
                                                    m.AuditEntry.new_value.contains("reviewed"))
                         .order_by(m.AuditEntry.id.desc()).limit(1))
    assert entry.chained and entry.note == "Bổ sung minh chứng mới" and entry.user == "thu-ky"
    with demo_db.read() as s:  # `bdhvs check` stays clean: the chain knows the reopening
        assert audit.verify_chain(s) == [] and audit.verify_decisions(s) == []


# --------------------------------------------------------------------------- point 3


def test_a_stale_meeting_details_save_is_refused(demo_db):
    mid = cs.new_meeting(demo_db, dt.datetime(2026, 11, 25, 8, 0), attach_candidates=False)
    mine = ms.meeting_record(demo_db, mid)  # two workstations open the meeting editor
    theirs = ms.meeting_record(demo_db, mid)
    meeting_edit.save_meeting_details(demo_db, mid, discussion="Nội dung của đồng nghiệp", version=theirs.version)
    with pytest.raises(EditConflict) as info:
        meeting_edit.save_meeting_details(demo_db, mid, discussion="Nội dung của tôi", version=mine.version)
    assert info.value.theirs == {"discussion": "Nội dung của đồng nghiệp"}
    assert info.value.mine == {"discussion": "Nội dung của tôi"}
    assert ms.meeting_record(demo_db, mid).discussion == "Nội dung của đồng nghiệp"
    meeting_edit.save_meeting_details(demo_db, mid, discussion="Nội dung của tôi", version=info.value.current_version)
    assert ms.meeting_record(demo_db, mid).discussion == "Nội dung của tôi"


def test_meeting_details_dialog_shows_the_conflict(demo_db, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QWidget

    from bdhvs_desktop.gui.pages import meeting_details as md

    mid = cs.new_meeting(demo_db, dt.datetime(2026, 11, 25, 8, 0), attach_candidates=False)

    class Ctx:
        db = demo_db

    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = md.MeetingDetailsDialog(Ctx(), mid, parent)
    meeting_edit.save_meeting_details(demo_db, mid, discussion="Nội dung của đồng nghiệp")  # another workstation
    shown: list = []
    from bdhvs_desktop.gui import conflict

    monkeypatch.setattr(conflict, "show_conflict", lambda parent, exc, labels=None: shown.append(exc) or False)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(f"unexpected warning: {a[2]}"))
    dialog.discussion.setPlainText("Nội dung của tôi")
    dialog.save()
    settle(qtbot)
    assert len(shown) == 1 and isinstance(shown[0], EditConflict) and "người khác" in str(shown[0])
    assert shown[0].mine["discussion"] == "Nội dung của tôi"
    assert ms.meeting_record(demo_db, mid).discussion == "Nội dung của đồng nghiệp"
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.discussion.toPlainText() == "Nội dung của tôi"


def test_a_stale_phase_dates_save_is_refused(demo_db, qtbot, monkeypatch):
    """The plan page's phase dialog saved with no version: a colleague's newer dates were overwritten."""
    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui.pages import plan
    from bdhvs_desktop.services import activities as act
    from bdhvs_desktop.services.status import compute_status

    report = compute_status(demo_db, dt.date(2026, 11, 15))
    dialog = plan.PhaseDialog(demo_db, report)  # this workstation opens the dialog
    qtbot.addWidget(dialog)
    number = dialog.number.value()
    phase = dialog.phases[number]
    colleague_end = (phase.end or phase.start + dt.timedelta(days=60)) + dt.timedelta(days=3)
    act.update_phase(demo_db, number, phase.start, colleague_end)  # another workstation saves first
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.StandardButton.Ok)
    dialog.end.set_value(colleague_end + dt.timedelta(days=10))
    dialog._on_save()
    settle(qtbot)
    assert shown and "người khác" in shown[0]
    with demo_db.read() as s:
        stored = s.scalar(select(m.Phase.end_date).where(m.Phase.number == number))
    assert stored == colleague_end


def test_a_stale_phase_dates_save_says_which_dates_differ(demo_db, qtbot, monkeypatch):
    """Issue #12: the phase dialog's conflict goes through gui/ops like every other: the warning
    lists the date you typed and the date stored (the form stays open with what was typed)."""
    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui.pages import plan
    from bdhvs_desktop.services import activities as act
    from bdhvs_desktop.services.status import compute_status

    report = compute_status(demo_db, dt.date(2026, 11, 15))
    dialog = plan.PhaseDialog(demo_db, report)
    qtbot.addWidget(dialog)
    number = dialog.number.value()
    phase = dialog.phases[number]
    colleague_end = (phase.end or phase.start + dt.timedelta(days=60)) + dt.timedelta(days=3)
    act.update_phase(demo_db, number, phase.start, colleague_end)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.StandardButton.Ok)
    mine = colleague_end + dt.timedelta(days=10)
    dialog.end.set_value(mine)
    dialog._on_save()
    settle(qtbot)
    assert len(shown) == 1
    assert f"Kết thúc: bạn nhập «{mine:%d/%m/%Y}», hiện đang lưu «{colleague_end:%d/%m/%Y}»" in shown[0]
    assert "Bắt đầu" not in shown[0]  # the start did not differ
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.end.value() == mine


# --------------------------------------------------------------------------- point 5

INVISIBLE_NAMES = {
    "combining grapheme joiner": ("Nguyễn\u034f Văn An", "U+034F"),
    "hangul filler": ("Nguyễn\u3164Văn An", "U+3164"),
    "hangul choseong filler": ("Nguyễn Văn\u115f An", "U+115F"),
    "halfwidth hangul filler": ("Nguyễn Văn An\uffa0", "U+FFA0"),
    "variation selector": ("Nguyễn\ufe0f Văn An", "U+FE0F"),
    "braille blank": ("Nguyễn\u2800Văn An", "U+2800"),
}


@pytest.mark.parametrize("kind", sorted(INVISIBLE_NAMES))
def test_invisible_characters_are_refused_by_import_and_form(db, tmp_path, kind):
    """Characters that print as nothing (or as a blank) are not caught by the bidi/zero-width
    list: "Nguyễn<U+3164>Văn An" looks like "Nguyễn Văn An" on paper but is another name."""
    from bdhvs_desktop.services import importer, people
    from bdhvs_desktop.services.campaign import init_campaign
    from tests.records_helpers import count, write_book
    from tests.test_import import UNITS, person, texts

    init_campaign(db, None)
    name, fragment = INVISIBLE_NAMES[kind]
    book = write_book(tmp_path / "n.xlsx", {"DonVi": UNITS, "NhanSu": [
        person(name, "01/01/1970", "Nam", "068070000001", unit="TDP-01")]})
    result = importer.import_workbook(db, book, today=dt.date(2026, 11, 20))
    assert not result.written and count(db, m.Person) == 0, texts(result)
    errs = [p for p in result.errors if p.sheet == "NhanSu" and p.row == 2 and p.column == "Họ và tên"]
    assert errs and fragment in errs[0].message, texts(result)
    with db.read() as s:
        unit_id = s.scalar(select(m.Unit.id).where(m.Unit.code == "DU-PHUONG"))
    form = people.validate_person(db, people.PersonData(full_name=name, unit_id=unit_id), today=dt.date(2026, 11, 20))
    assert fragment in form.get("full_name", ""), form


# --------------------------------------------------------------------------- point 8


def test_an_edited_score_snapshot_is_reported_readably(demo_db, capsys):
    """`bdhvs check` named the edited snapshot by printing both whole JSON documents (5,000
    characters of criteria): the user must see what changed - the total, and which criterion."""
    import sqlite3

    from bdhvs_desktop.cli import main

    cand = next(c for c in cs.list_candidates(demo_db) if c.locked and c.status == "approved")
    with demo_db.read() as s:
        snap = s.get(m.Candidate, cand.id).score_snapshot
    crit = next(c for c in snap["criteria"] if c["type"] == "points" and c["points"] < c["max_points"])
    conn = sqlite3.connect(demo_db.path)
    with conn:  # behind the app's back: a better total and one criterion raised
        conn.execute("UPDATE candidate SET score_snapshot = json_set(json_set(score_snapshot, '$.points', 99.5), "
                     f"'$.criteria[{snap['criteria'].index(crit)}].points', {crit['max_points']}) WHERE id = ?",
                     (cand.id,))
    conn.close()
    demo_db.dispose()
    assert main(["check", "--db", str(demo_db.path)]) != 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if f"Hồ sơ #{cand.id}" in x and "điểm chốt" in x)
    assert len(line) < 400, line
    assert "99,5" in line and f"{snap['points']:g}".replace(".", ",") in line, line
    assert crit["code"] in line, line


def test_the_award_of_a_locked_result_changed_in_the_tables_is_reported(demo_db, capsys):
    """The dossier prints the candidate's award form: switching a locked "Giấy khen" to another
    award in the table changed what gets printed, and `bdhvs check` saw nothing."""
    import sqlite3

    from bdhvs_desktop.cli import main

    cand = next(c for c in cs.list_candidates(demo_db) if c.locked and c.status == "approved")
    with demo_db.read() as s:
        c = s.get(m.Candidate, cand.id)
        other = next(f.id for f in s.scalars(select(m.AwardForm).order_by(m.AwardForm.id))
                     if f.id != c.award_form_id and c.subject_kind in (f.subject_kinds or []))
    conn = sqlite3.connect(demo_db.path)
    with conn:
        conn.execute("UPDATE candidate SET award_form_id = ? WHERE id = ?", (other, cand.id))
    conn.close()
    demo_db.dispose()
    assert main(["check", "--db", str(demo_db.path)]) != 0
    out = capsys.readouterr().out
    assert any(f"Hồ sơ #{cand.id}" in x and "khen thưởng" in x for x in out.splitlines()), out


def test_changing_the_award_of_a_voted_candidate_through_the_app_keeps_check_clean(demo_db):
    cid = cs.propose(demo_db, "unit", demo_db_unit(demo_db, "TDP-02"), at=dt.date(2026, 11, 15))
    mid = cs.new_meeting(demo_db, dt.datetime(2026, 11, 25, 8, 0))
    cs.record_vote(demo_db, mid, cid, 1, cs.meeting_view(demo_db, mid).members - 1, 0)
    info = cs.get_candidate(demo_db, cid)
    forms = [f for f in cs.list_award_forms(demo_db)
             if info.kind in f.subject_kinds and f.code != info.award_code]
    cs.update_candidate(demo_db, cid, award_code=forms[0].code, version=info.version)
    with demo_db.read() as s:
        assert audit.verify_decisions(s) == [] and audit.verify_chain(s) == []


def demo_db_unit(db, code: str) -> int:
    with db.read() as s:
        return s.scalar(select(m.Unit.id).where(m.Unit.code == code))


# --------------------------------------------------------------------------- point 3: manual criterion results


def test_a_stale_manual_criterion_result_is_refused(demo_db):
    """Two council members open the same manual criterion of one unit; the second save silently
    replaced the first (no check at all). Saved against what the screen showed, it is refused."""
    from bdhvs_desktop.services import scoring

    board = scoring.compute_scores(demo_db, dt.date(2026, 11, 15))  # both screens show this board
    subject = next(x for x in board.scores if x.subject == "unit"
                   and any(c.method == "manual" and c.type == "points" for c in x.criteria))
    crit = next(c for c in subject.criteria if c.method == "manual" and c.type == "points")
    scoring.record_manual_result(demo_db, crit.criterion_id, "unit", subject.subject_id, points=1,
                                 evidence="Biên bản kiểm tra của đồng nghiệp", seen=crit.recorded_at)
    with pytest.raises(EditConflict) as info:
        scoring.record_manual_result(demo_db, crit.criterion_id, "unit", subject.subject_id, points=2,
                                     evidence="Bản của tôi", seen=crit.recorded_at)
    assert info.value.theirs["evidence"] == "Biên bản kiểm tra của đồng nghiệp"
    assert info.value.mine["evidence"] == "Bản của tôi"
    with demo_db.read() as s:
        row = s.scalar(select(m.ManualResult).where(m.ManualResult.criterion_id == crit.criterion_id,
                                                    m.ManualResult.subject_type == "unit",
                                                    m.ManualResult.subject_id == subject.subject_id))
    assert row.points == 1 and row.evidence == "Biên bản kiểm tra của đồng nghiệp"


# --------------------------------------------------------------------------- point 11: common passwords


@pytest.mark.parametrize("password", [
    "ＰＡＳＳＷＯＲＤ１２３",  # full-width letters: the same password to a human
    "password\t123", "pass word123",  # whitespace inside
    "Matkhau@123", "P.a.s.s.w.o.r.d.1.2.3",  # a symbol inserted into a listed password
    "admin12345", "bdhvs12345", "Thuky12345",  # the obvious ones for this office
])
def test_the_common_password_list_is_not_bypassed_by_width_space_or_symbols(password):
    from bdhvs_desktop.services import auth, passwords

    with pytest.raises(auth.AuthError, match="phổ biến"):
        passwords.check_password(password)


def test_an_ordinary_sentence_password_is_still_accepted():
    from bdhvs_desktop.services import passwords

    passwords.check_password("Hoa sen nở giữa hồ Tây 2026")
    passwords.check_password("con.meo.trèo.cây.cau")


def test_an_older_passing_vote_does_not_approve_after_the_council_voted_again_and_failed(demo_db):
    """The council voted for a candidate at one meeting, then voted again at a later meeting and it
    failed; `council status N approved` still approved it on the older vote."""
    cid = cs.propose(demo_db, "unit", demo_db_unit(demo_db, "TDP-02"), at=dt.date(2026, 11, 15))
    first = cs.new_meeting(demo_db, dt.datetime(2026, 11, 20, 8, 0))
    members = cs.meeting_view(demo_db, first).members
    cs.record_vote(demo_db, first, cid, members, 0, 0)
    second = cs.new_meeting(demo_db, dt.datetime(2026, 11, 27, 8, 0))
    cs.attach_candidates(demo_db, second, [cid])
    cs.record_vote(demo_db, second, cid, 0, cs.meeting_view(demo_db, second).members, 0)
    with pytest.raises(cs.CouncilActionError, match="KHÔNG ĐƯỢC THÔNG QUA"):
        cs.set_status(demo_db, cid, "approved", at=dt.date(2026, 11, 15))
    info = cs.get_candidate(demo_db, cid)
    assert info.status == "reviewed" and not info.locked
