"""Issue #15, points 3, 6 and 7: a council decision nobody can quietly change, saves that never
overwrite a colleague's, and proposals that happen whole or not at all.

Each test plays the attack that worked before: changing the attendance, ballots or report
text behind a locked result, approving with no vote, a single member reopening, two
`decide` at once, a stale summary save, a `propose --eligible` killed or failing halfway."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gui_wait import settle
from sqlalchemy import func, select

from bdhvs_desktop.cli import main
from bdhvs_desktop.services import audit, dossier
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.auth import PermissionDenied, UserInfo, role_label
from bdhvs_desktop.services.safety import EditConflict
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 15)
ROOT = Path(__file__).resolve().parents[1]


def _as(db, role: str, full_name: str = "Người dùng", username: str = "nguoi-dung") -> None:
    db.current_user = UserInfo(7, username, full_name, role, role_label(role), True, None)
    db.user = username


def _locked(db) -> cs.CandidateInfo:
    return next(c for c in cs.list_candidates(db) if c.locked and c.status == "approved")


def _unit_id(db, code: str) -> int:
    with db.read() as s:
        return s.scalar(select(m.Unit.id).where(m.Unit.code == code))


def _count(db, model, *where) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _decide_entries(db, cid: int) -> int:
    return _count(db, m.AuditEntry, m.AuditEntry.action == "decide", m.AuditEntry.entity_id == cid)


# --------------------------------------------------------------------------- point 7: locked means locked


def test_attendance_and_ballots_of_a_decided_meeting_cannot_change(demo_db):
    cand = _locked(demo_db)
    before = cs.meeting_view(demo_db, cand.meeting_id)
    present = next(a for a in before.attendance if a.present)
    absent = next(a for a in before.attendance if not a.present)
    with pytest.raises(cs.LockedError, match="khóa"):
        cs.set_attendance(demo_db, cand.meeting_id, present.member_id, False, "Vắng sau khi đã quyết định")
    with pytest.raises(cs.LockedError, match="mở lại"):
        cs.set_attendance(demo_db, cand.meeting_id, absent.member_id, True)
    with pytest.raises(cs.LockedError, match="số phiếu"):
        cs.set_ballots(demo_db, cand.meeting_id, issued=3, returned=3, valid=3)
    after = cs.meeting_view(demo_db, cand.meeting_id)
    assert after.attendance == before.attendance and after.ballots == before.ballots
    assert after.present == before.present and after.quorum_met


def test_report_text_and_summary_of_a_locked_candidate_cannot_change(demo_db):
    cand = _locked(demo_db)
    item = next(i for i in dossier.list_dossier_candidates(demo_db) if i.id == cand.id)
    with pytest.raises(dossier.DossierError, match="khóa"):
        dossier.save_report_text(demo_db, cand.id, {"results": "Thành tích viết lại sau khi thông qua"},
                                 item.version, summary="Tóm tắt viết lại")
    with pytest.raises(cs.LockedError):
        cs.update_candidate(demo_db, cand.id, summary="Tóm tắt viết lại", version=cand.version)
    with pytest.raises(cs.LockedError):
        cs.withdraw(demo_db, cand.id, "Rút sau khi đã thông qua")
    after = cs.get_candidate(demo_db, cand.id)
    assert (after.summary, after.version, after.locked) == (cand.summary, cand.version, True)
    with demo_db.read() as s:
        assert s.get(m.Candidate, cand.id).report_text == (item.report_text or {})


def test_approving_needs_a_passing_vote_of_a_meeting(demo_db, capsys):
    cid = cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-02"), at=AT)
    cs.set_status(demo_db, cid, "reviewed")
    # The attack: `bdhvs council status N approved` with no vote and no meeting.
    code = main(["council", "status", str(cid), "approved", "--db", str(demo_db.path)])
    err = capsys.readouterr().err
    assert code == 1 and "biểu quyết" in err
    with pytest.raises(cs.CouncilActionError, match="Chưa có kết quả biểu quyết"):
        cs.set_status(demo_db, cid, "approved", at=AT)
    assert cs.get_candidate(demo_db, cid).status == "reviewed" and not cs.get_candidate(demo_db, cid).locked
    mid = cs.new_meeting(demo_db, dt.datetime(2026, 11, 25, 8, 0))
    members = cs.meeting_view(demo_db, mid).members
    cs.record_vote(demo_db, mid, cid, members // 2, members - members // 2, 0)  # exactly half: fails
    with pytest.raises(cs.CouncilActionError, match="KHÔNG ĐƯỢC THÔNG QUA"):
        cs.set_status(demo_db, cid, "approved", at=AT)
    assert not cs.get_candidate(demo_db, cid).locked
    cs.record_vote(demo_db, mid, cid, members, 0, 0)
    cs.set_status(demo_db, cid, "approved", at=AT)
    info = cs.get_candidate(demo_db, cid)
    assert info.locked and info.status == "approved" and "ĐƯỢC THÔNG QUA" in info.decision_reason


def test_one_council_member_cannot_reopen_a_decision(demo_db):
    cand = _locked(demo_db)
    chair = next(x for x in cs.list_members(demo_db) if x.role == "chair")
    member = next(x for x in cs.list_members(demo_db) if x.role == "member")
    _as(demo_db, "council_member", member.full_name, "uy-vien")
    with pytest.raises(PermissionDenied, match="Chủ tịch Hội đồng hoặc thư ký"):
        cs.reopen(demo_db, cand.id, "Tôi muốn xét lại")
    assert cs.get_candidate(demo_db, cand.id).locked
    _as(demo_db, "viewer", chair.full_name, "xem")
    with pytest.raises(PermissionDenied):
        cs.reopen(demo_db, cand.id, "Xem thôi")
    assert cs.get_candidate(demo_db, cand.id).locked
    # The chair (a council-member account with the chair's name, typed another way) may, with a reason.
    _as(demo_db, "council_member", chair.full_name.upper(), "chu-tich")
    with pytest.raises(cs.CouncilActionError, match="lý do"):
        cs.reopen(demo_db, cand.id, "   ")
    cs.reopen(demo_db, cand.id, "Phát hiện sai sót số liệu")
    info = cs.get_candidate(demo_db, cand.id)
    assert not info.locked and info.status == "reviewed"
    with demo_db.read() as s:
        entry = s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "reopen",
                                                    m.AuditEntry.entity_id == cand.id))
    assert entry.user == "chu-tich" and entry.note == "Phát hiện sai sót số liệu" and entry.chained


def test_the_secretary_may_reopen(demo_db):
    cand = _locked(demo_db)
    _as(demo_db, "secretary", "Thư ký văn phòng", "thu-ky")
    cs.reopen(demo_db, cand.id, "Bổ sung minh chứng")
    assert not cs.get_candidate(demo_db, cand.id).locked


def test_two_decides_at_once_apply_once(demo_db, monkeypatch):
    """The second `decide` read the undecided candidates before the first one wrote: it must
    see, when it writes, that they are decided, and change nothing."""
    cid = cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-02"), at=AT)
    mid = cs.new_meeting(demo_db, dt.datetime(2026, 11, 25, 8, 0))
    cs.record_vote(demo_db, mid, cid, cs.meeting_view(demo_db, mid).members, 0, 0)
    real = scoring_service.compute_scores
    results: list = []

    def other_workstation_decides_meanwhile(db, day):
        monkeypatch.setattr(scoring_service, "compute_scores", real)
        results.append(cs.decide(demo_db, mid))  # runs between the first decide's read and its write
        return real(db, day)

    monkeypatch.setattr(scoring_service, "compute_scores", other_workstation_decides_meanwhile)
    first = cs.decide(demo_db, mid)
    applied = [r.candidate_id for r in first + results[0]]
    assert applied == [cid]  # applied once, by one of the two
    assert _decide_entries(demo_db, cid) == 1
    assert _count(demo_db, m.AuditEntry, m.AuditEntry.action == "lock", m.AuditEntry.entity_id == cid) == 1
    info = cs.get_candidate(demo_db, cid)
    assert info.locked and info.status == "approved"
    with demo_db.read() as s:
        assert audit.verify_chain(s) == []


# --------------------------------------------------------------------------- point 3: versions


def test_a_stale_summary_save_is_refused_not_silently_overwriting(demo_db):
    cid = cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-02"), at=AT, summary="Bản đầu")
    mine = cs.get_candidate(demo_db, cid)  # two workstations open the summary dialog
    theirs = cs.get_candidate(demo_db, cid)
    new_version = cs.update_candidate(demo_db, cid, summary="Bản của đồng nghiệp", version=theirs.version)
    assert new_version == theirs.version + 1
    with pytest.raises(EditConflict) as info:
        cs.update_candidate(demo_db, cid, summary="Bản của tôi", version=mine.version)
    assert info.value.mine == {"summary": "Bản của tôi"} and info.value.theirs == {"summary": "Bản của đồng nghiệp"}
    assert info.value.current_version == new_version and "người khác" in str(info.value)
    assert cs.get_candidate(demo_db, cid).summary == "Bản của đồng nghiệp"
    cs.update_candidate(demo_db, cid, summary="Bản của tôi", version=info.value.current_version)  # after review
    assert cs.get_candidate(demo_db, cid).summary == "Bản của tôi"


def test_summary_dialog_shows_the_conflict_and_keeps_the_colleagues_text(demo_db, qtbot, monkeypatch):
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.council import CandidatesDialog

    cid = cs.propose(demo_db, "unit", _unit_id(demo_db, "TDP-02"), at=AT, summary="Bản đầu")
    dialog = CandidatesDialog(AppContext(demo_db))
    qtbot.addWidget(dialog)
    dialog.table.selectRow(next(i for i, c in enumerate(dialog.rows) if c.id == cid))
    # A colleague saves while this dialog shows the old version.
    cs.update_candidate(demo_db, cid, summary="Bản của đồng nghiệp", version=cs.get_candidate(demo_db, cid).version)
    shown = []
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Bản của tôi", True))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text() + box.informativeText()) or 0)
    dialog.edit_summary()
    settle(qtbot)
    assert cs.get_candidate(demo_db, cid).summary == "Bản của đồng nghiệp"
    assert shown and "người khác" in shown[0] and "Bản của tôi" in shown[0]


# --------------------------------------------------------------------------- point 6: one transaction


def _proposed(db) -> int:
    return _count(db, m.Candidate)


def test_propose_eligible_failing_halfway_writes_nothing(demo_db, monkeypatch):
    before = _proposed(demo_db)
    real = audit.record
    calls = []

    def failing_third(session, **kw):
        if kw.get("entity") == "candidate" and kw.get("action") == "create":
            calls.append(kw.get("entity_id"))
            if len(calls) == 3:
                raise OSError("ổ đĩa đầy (mô phỏng)")
        return real(session, **kw)

    monkeypatch.setattr(audit, "record", failing_third)
    with pytest.raises(OSError):
        cs.propose_eligible(demo_db, AT, "GK_CT_UBND")
    assert len(calls) == 3 and _proposed(demo_db) == before  # all or none: none
    monkeypatch.setattr(audit, "record", real)
    result = cs.propose_eligible(demo_db, AT, "GK_CT_UBND")
    assert len(result.created) == 6 and _proposed(demo_db) == before + 6  # all


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
def test_propose_eligible_killed_halfway_writes_nothing(demo_db):
    """A real SIGKILL of the process in the middle of `propose --eligible` (after the 4th of
    6 candidates was written): the database keeps none of them."""
    path = demo_db.path
    before = _proposed(demo_db)
    entries = _count(demo_db, m.AuditEntry)
    demo_db.dispose()
    script = textwrap.dedent(f"""
        import os, signal, datetime as dt
        from bdhvs_desktop.services import audit, council as cs
        from bdhvs_desktop.storage.engine import open_database
        real, seen = audit.record, []
        def record(session, **kw):
            entry = real(session, **kw)
            if kw.get("entity") == "candidate" and kw.get("action") == "create":
                seen.append(1)
                if len(seen) == 4:
                    session.flush()
                    os.kill(os.getpid(), signal.SIGKILL)
            return entry
        audit.record = record
        cs.propose_eligible(open_database({str(path)!r}), dt.date(2026, 11, 15), "GK_CT_UBND")
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert _proposed(demo_db) == before and _count(demo_db, m.AuditEntry) == entries
    assert subprocess.run([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                           "print(c.execute('PRAGMA integrity_check').fetchone()[0])", str(path)],
                          capture_output=True, text=True).stdout.strip() == "ok"
