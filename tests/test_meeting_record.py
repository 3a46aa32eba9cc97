"""Issue #11, "the council's record must be the record of that meeting": two meetings of the
demo ward (tests/two_meetings.py), one minutes document each, read back from the .docx; the
Tờ trình's counts equal the minutes'; a past meeting's minutes do not move when the council
changes; the meeting's own details (discussion, counting committee, local times, conflicts)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text
from test_dossier import doc_text, table_rows
from two_meetings import M1_DISCUSSION, M2_DISCUSSION, NEW_MEMBER, two_meetings

from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.services import meeting as ms
from bdhvs_desktop.services import meeting_edit, meeting_time
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 30)
M1_FILE = "bien-ban-hop-xet-so-01-ngay-12-11-2026.docx"
M2_FILE = "bien-ban-hop-xet-so-02-ngay-26-11-2026.docx"


@pytest.fixture
def scenario(demo_db):
    return two_meetings(demo_db)


def minutes_counts(path: Path) -> dict:
    """Members in total and present, and the rows passed per part, read from the minutes."""
    body = doc_text(path)
    found = re.search(r"có (\d+) thành viên; có mặt (\d+) thành viên", body)
    assert found, path.name
    passed = {"collective": 0, "individual": 0}
    part = None
    rows = [r for r in table_rows(path) if r and len(r) == 6]  # the results table (6 columns)
    for r in rows:
        if r[0].startswith("I. "):
            part = "collective"
        elif r[0].startswith("II. "):
            part = "individual"
        elif r[0].isdigit() and r[5] == "Thông qua":
            passed[part] += 1
    return {"total": int(found.group(1)), "present": int(found.group(2)), **passed}


def submission_counts(path: Path) -> dict[str, dict]:
    """Per meeting date: the Tờ trình's present/total and collectives/individuals."""
    out = {}
    for line in doc_text(path).splitlines():
        found = re.match(r"Ngày (\d\d/\d\d/\d{4}), .* đã họp xét \((\d+)/(\d+) thành viên có mặt, .*\); kết quả có "
                         r"(.*) đủ điều kiện", line)
        if found:
            parts = dict((label, int(n)) for n, label in re.findall(r"(\d+) (tập thể|cá nhân)", found.group(4)))
            out[found.group(1)] = {"present": int(found.group(2)), "total": int(found.group(3)),
                                   "collective": parts.get("tập thể", 0), "individual": parts.get("cá nhân", 0)}
    return out


@pytest.mark.parametrize("form_set,fmt", [("decree-98-2023", "party"), ("decree-152-2025", "state")])
def test_two_meetings_two_minutes_and_the_submission_counts_equal_them(demo_db, scenario, tmp_path, form_set, fmt):
    # The format follows the award's authority (issue #11, d11-route): every award here is the
    # ward chairman's, a state document; a forced party format is refused, so the setting is auto.
    svc.save_settings(demo_db, issuer_format="auto", form_set=form_set)
    out = tmp_path / "hs"
    outcome = svc.generate_dossier(demo_db, out, at=AT)
    names = sorted(p.name for p in outcome.files)
    assert [n for n in names if n.startswith("bien-ban")] == [M1_FILE, M2_FILE]

    m1, m2 = doc_text(out / M1_FILE), doc_text(out / M2_FILE)
    # each minutes document has its own attendance and its own rates
    assert "có 07 thành viên; có mặt 06 thành viên; vắng 01 thành viên" in m1
    assert "có 08 thành viên; có mặt 08 thành viên" in m2
    assert NEW_MEMBER not in m1 and NEW_MEMBER in m2
    rows1 = {r[1]: r for r in table_rows(out / M1_FILE) if len(r) == 6 and r[0].isdigit()}
    rows2 = {r[1]: r for r in table_rows(out / M2_FILE) if len(r) == 6 and r[0].isdigit()}
    assert {r[3] for r in rows1.values()} == {"5/7", "3/7"} and {r[4] for r in rows1.values()} == {"71,43%", "42,86%"}
    assert {r[3] for r in rows2.values()} == {"6/8"} and {r[4] for r in rows2.values()} == {"75%"}
    assert "Không thông qua" in {r[5] for r in rows1.values()}
    # the meeting's own record, printed where the form has it
    assert "biểu quyết giơ tay" in m1 and "bỏ phiếu kín" in m2
    for line in M1_DISCUSSION.splitlines():
        assert line in m1  # "&" and "<...>" exactly as typed
    assert M2_DISCUSSION in m2 and M2_DISCUSSION not in m1
    assert "Cuộc họp kết thúc vào hồi 10 giờ 15 phút cùng ngày" in m1
    assert "Cuộc họp kết thúc vào hồi 16 giờ 40 phút cùng ngày" in m2
    assert "Thời gian: 08 giờ 00 phút, ngày 12 tháng 11 năm 2026" in m1
    assert "Thời gian: 14 giờ 00 phút, ngày 26 tháng 11 năm 2026" in m2
    assert "không tham gia xét, biểu quyết đối với" in m1  # a member stood aside (conflict of interest)
    assert "(thuộc tập thể được đề nghị)" in m1
    # no "Ban kiểm phiếu gồm:" followed by nothing; the head is named, at the head of the list and in the signature
    lines = m2.splitlines()
    i = lines.index("Ban kiểm phiếu gồm:")
    members = cs.list_members(demo_db, include_inactive=True)
    head = next(x.full_name for x in members if x.id == scenario["counting"][0])
    assert lines[i + 1] == f"1. {head} – {next(x.position for x in members if x.id == scenario['counting'][0])}, " \
                           "Trưởng ban."
    assert lines[i + 3].startswith(f"3. {NEW_MEMBER}")
    assert "TRƯỞNG BAN KIỂM PHIẾU" in m2 and m2.count(head) >= 3  # list, signature, member list
    assert "Ban kiểm phiếu gồm:" not in m1  # show of hands: no counting committee

    # the Tờ trình cites each meeting and its counts equal each minutes' counts
    tt_path = out / "to-trinh-mau-01.docx"
    tt = doc_text(tt_path)
    assert "Căn cứ Biên bản họp Hội đồng Thi đua - Khen thưởng phường La Gi ngày 12/11/2026 (số 01" in tt
    assert "Căn cứ Biên bản họp Hội đồng Thi đua - Khen thưởng phường La Gi ngày 26/11/2026 (số 02" in tt
    cited = submission_counts(tt_path)
    assert cited == {"12/11/2026": minutes_counts(out / M1_FILE), "26/11/2026": minutes_counts(out / M2_FILE)}
    assert cited["12/11/2026"] == {"present": 6, "total": 7, "collective": 2, "individual": 1}
    assert cited["26/11/2026"] == {"present": 8, "total": 8, "collective": 0, "individual": 3}
    # and the list carries exactly those: 2 collectives and 4 individuals
    listed = [r for r in table_rows(tt_path) if len(r) == 6 and r[0].isdigit()]
    assert len(listed) == 6
    with demo_db.read() as s:
        docs = {Path(d.path).name: d.meeting_id for d in s.scalars(select(m.GeneratedDocument))
                if d.kind == "bien_ban"}
    assert docs == {M1_FILE: scenario["meetings"][0], M2_FILE: scenario["meetings"][1]}


def test_a_past_meetings_minutes_do_not_change_with_the_council(demo_db, scenario, tmp_path):
    svc.generate_dossier(demo_db, tmp_path / "a", at=AT, draft=True)
    before = {n: doc_text(tmp_path / "a" / n) for n in (M1_FILE, M2_FILE)}
    view_before = cs.meeting_view(demo_db, scenario["meetings"][0])
    members = cs.list_members(demo_db)
    chair = next(x for x in members if x.role == "chair")
    # the council changes: a member added, one renamed, a position changed, one removed
    cs.add_member(demo_db, "Lê Thị Hậu", position="Bí thư Đoàn phường")
    cs.update_member(demo_db, chair.id, full_name="Đỗ Quang Hải Mới")
    cs.update_member(demo_db, scenario["absent"], position="Phó Trưởng Công an phường")
    cs.set_member_active(demo_db, scenario["new_member"], False)
    svc.generate_dossier(demo_db, tmp_path / "b", at=AT, draft=True)
    for name, text_before in before.items():
        assert doc_text(tmp_path / "b" / name) == text_before, name  # byte-identical text
    assert "Lê Thị Hậu" not in "".join(before.values())
    view_after = cs.meeting_view(demo_db, scenario["meetings"][0])
    assert [a.full_name for a in view_after.attendance] == [a.full_name for a in view_before.attendance]
    assert view_after.members == 7 and view_after.present == 6
    # a meeting opened now sees the council as it is now
    m3 = cs.new_meeting(demo_db, dt.datetime(2026, 12, 3, 8, 0))
    names3 = [a.full_name for a in cs.meeting_view(demo_db, m3).attendance]
    assert "Đỗ Quang Hải Mới" in names3 and "Lê Thị Hậu" in names3 and NEW_MEMBER not in names3


def test_minutes_survive_a_direct_edit_of_the_council_table(demo_db, scenario, tmp_path):
    """Another program (or a hand in the database) renames a member and changes a role."""
    svc.generate_dossier(demo_db, tmp_path / "a", at=AT, draft=True)
    before = doc_text(tmp_path / "a" / M1_FILE)
    with demo_db.session() as s:
        s.execute(text("UPDATE council_member SET full_name = 'Người Khác', position = 'Không rõ', role = 'member'"))
    svc.generate_dossier(demo_db, tmp_path / "b", at=AT, draft=True)
    assert doc_text(tmp_path / "b" / M1_FILE) == before
    assert "Người Khác" not in before


def test_a_submission_that_differs_from_the_minutes_is_refused(demo_db, scenario, tmp_path):
    # a direct edit lowers a collective's votes at meeting 1 below the pass mark: the minutes now say it failed
    m1 = scenario["meetings"][0]
    passed_collective = next(cid for cid in scenario["m1_candidates"][:3] if cid != scenario["failing"])
    with demo_db.session() as s:
        s.execute(text("UPDATE vote SET votes_for = 2 WHERE meeting_id = :m AND candidate_id = :c"),
                  {"m": m1, "c": passed_collective})
    with pytest.raises(svc.DossierError) as err:
        svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    message = str(err.value)
    assert "Biên bản họp Hội đồng ngày 12/11/2026" in message
    assert "số tập thể được thông qua là 2, biên bản ghi 1" in message
    assert not (tmp_path / "hs").exists()  # nothing half-written


def test_an_approval_without_a_vote_in_any_minutes_is_refused(demo_db, scenario, tmp_path):
    left = next(c for c in cs.list_candidates(demo_db) if c.status == "proposed" and c.subject == "person")
    cs.set_status(demo_db, left.id, "reviewed")
    with pytest.raises(cs.NoPassingVote):  # by hand, not by a vote of the council: refused (issue #15)
        cs.set_status(demo_db, left.id, "approved")
    with demo_db.session() as s:  # forced in the tables behind the app's back: the dossier still refuses
        s.execute(text("UPDATE candidate SET status = 'approved', locked = :t WHERE id = :c"), {"t": True, "c": left.id})
    with pytest.raises(svc.DossierError) as err:  # it was on meeting 2's agenda, not voted there
        svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    assert "Biên bản họp Hội đồng ngày 26/11/2026" in str(err.value)
    assert "Tờ trình ghi số cá nhân được thông qua là 4, biên bản ghi 3" in str(err.value)
    with demo_db.session() as s:  # on no meeting's agenda at all
        s.execute(text("UPDATE candidate SET meeting_id = NULL WHERE id = :c"), {"c": left.id})
    with pytest.raises(svc.DossierError, match="Tờ trình đề nghị 5 cá nhân nhưng các biên bản"):
        svc.generate_dossier(demo_db, tmp_path / "hs", at=AT)
    assert not (tmp_path / "hs").exists()


def test_end_time_is_local_time_and_the_record_freezes(demo_db, scenario):
    m3 = cs.new_meeting(demo_db, dt.datetime(2026, 12, 3, 8, 0), voting_method="secret_ballot")
    # no end entered: closing takes now in Vietnam's time (UTC+7), never UTC
    members = cs.list_members(demo_db)
    cs.close_meeting(demo_db, m3)
    rec = ms.meeting_record(demo_db, m3)
    utc_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs((rec.end - utc_now) - dt.timedelta(hours=7)) < dt.timedelta(minutes=2)
    assert meeting_time.as_utc(rec.end, rec.timezone).utcoffset() == dt.timedelta(0)
    with pytest.raises(ms.MeetingError, match="đã kết thúc"):
        meeting_edit.update_meeting(demo_db, m3, discussion="sửa sau khi đóng")
    with pytest.raises(cs.CouncilActionError, match="đã kết thúc"):
        cs.set_attendance(demo_db, m3, members[0].id, False, "ốm")
    # after the council decided at a meeting, its attendance is settled
    m4 = cs.new_meeting(demo_db, dt.datetime(2026, 12, 4, 8, 0))
    left = next(c for c in cs.list_candidates(demo_db) if c.status in ("proposed", "reviewed") and not c.locked)
    cs.record_vote(demo_db, m4, left.id, 7, 0, 0)
    cs.decide(demo_db, m4)
    with pytest.raises(cs.CouncilActionError, match="đã chốt"):
        cs.set_attendance(demo_db, m4, members[1].id, False, "Về sớm")


def test_meeting_details_are_checked(demo_db, scenario):
    members = cs.list_members(demo_db)
    with pytest.raises(ms.MeetingError, match="Giờ kết thúc .* phải sau giờ bắt đầu"):
        cs.new_meeting(demo_db, dt.datetime(2026, 12, 3, 8, 0), ended_at=dt.datetime(2026, 12, 3, 7, 0))
    hands = cs.new_meeting(demo_db, dt.datetime(2026, 12, 3, 8, 0))
    with pytest.raises(ms.MeetingError, match="giơ tay"):
        meeting_edit.set_counting_committee(demo_db, hands, [members[0].id], members[0].id)
    secret = cs.new_meeting(demo_db, dt.datetime(2026, 12, 5, 8, 0), voting_method="secret_ballot")
    cs.set_attendance(demo_db, secret, members[3].id, False, "Đi học")
    with pytest.raises(ms.MeetingError, match="vắng mặt"):
        meeting_edit.set_counting_committee(demo_db, secret, [members[3].id, members[4].id], members[4].id)
    with pytest.raises(ms.MeetingError, match="Trưởng ban"):
        meeting_edit.set_counting_committee(demo_db, secret, [members[4].id, members[5].id], members[0].id)
    with pytest.raises(ms.MeetingError, match="Trưởng ban"):
        meeting_edit.set_counting_committee(demo_db, secret, [members[4].id], None)
    meeting_edit.set_counting_committee(demo_db, secret, [members[4].id, members[5].id], members[5].id)
    rec = ms.meeting_record(demo_db, secret)
    assert [x.member_id for x in rec.counting_committee] == [members[5].id, members[4].id]
    with demo_db.read() as s:
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.field == "counting_committee")).all()
    assert audit and audit[-1].chained


def test_cli_meeting_times_discussion_and_counting(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    db_path = str(demo_db.path)
    two_meetings(demo_db)
    discussion = tmp_path / "thao-luan.txt"
    discussion.write_text("Hội đồng nghe báo cáo.\nThảo luận & thống nhất.", encoding="utf-8")
    args = ["council", "meeting", "new", "--db", db_path, "--start", "03/12/2026 08:00", "--end", "03/12/2026 09:45",
            "--method", "secret_ballot", "--discussion-file", str(discussion), "--number", "03"]
    assert main(args) == 0
    mid = max(x[0] for x in cs.list_meetings(demo_db))
    rec = ms.meeting_record(demo_db, mid)
    assert rec.start == dt.datetime(2026, 12, 3, 8, 0) and rec.end == dt.datetime(2026, 12, 3, 9, 45)
    assert rec.discussion == "Hội đồng nghe báo cáo.\nThảo luận & thống nhất." and rec.timezone == "Asia/Ho_Chi_Minh"
    ids = [x.id for x in cs.list_members(demo_db)]
    assert main(["council", "counting", "--db", db_path, "--members", f"{ids[1]},{ids[2]}", "--head", str(ids[2]),
                 "--meeting", str(mid)]) == 0
    assert [x.member_id for x in ms.meeting_record(demo_db, mid).counting_committee] == [ids[2], ids[1]]
    assert main(["council", "counting", "--db", db_path, "--members", "2,x", "--meeting", str(mid)]) == 2
    assert "không hợp lệ" in capsys.readouterr().err
    assert main(["council", "meeting", "edit", str(mid), "--db", db_path, "--end", "03/12/2026 07:00"]) == 2
    assert "phải sau giờ bắt đầu" in capsys.readouterr().err
    assert main(["council", "meeting", "edit", str(mid), "--db", db_path, "--discussion", "Nội dung mới"]) == 0
    assert main(["council", "meeting", "close", str(mid), "--db", db_path, "--end", "03/12/2026 10:05"]) == 0
    rec = ms.meeting_record(demo_db, mid)
    assert rec.end == dt.datetime(2026, 12, 3, 10, 5) and rec.discussion == "Nội dung mới" and rec.status == "closed"
    assert main(["council", "member", "edit", str(ids[0]), "--db", db_path, "--position", "Bí thư Đảng ủy"]) == 0
    assert ms.meeting_record(demo_db, mid).members[0].position != "Bí thư Đảng ủy"  # the closed meeting keeps its own
    assert main(["council", "meeting", "show", str(mid), "--db", db_path]) == 0
    shown = capsys.readouterr().out
    assert "Kết thúc: 10 giờ 05, ngày 03/12/2026" in shown and "(Trưởng ban)" in shown


def test_migration_0003_snapshots_old_meetings_and_moves_their_end_to_local_time(tmp_path, user_home):
    import sqlite3

    from bdhvs_desktop.storage.engine import open_database
    from bdhvs_desktop.storage.migrate import upgrade_to_head

    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_to_head(url, backup=False, target="0002")
    con = sqlite3.connect(path)
    con.executescript("""
        INSERT INTO campaign (id, code, name, start_date, end_date, details, created_at, version)
            VALUES (1, 'C', 'Phong trào', '2025-12-01', '2026-12-31', '{}', '2026-01-01 00:00:00', 1);
        INSERT INTO unit (id, code, name, kind, is_party_org, active, version)
            VALUES (1, 'CB-1', 'Chi bộ Một', 'chi_bo', 1, 1, 1);
        INSERT INTO council_member (id, campaign_id, full_name, position, role, active, sort_order, version)
            VALUES (1, 1, 'Nguyễn Văn Cũ', 'Bí thư', 'chair', 1, 0, 1),
                   (2, 1, 'Trần Thị Hai', 'Ủy viên', 'member', 1, 1, 1);
        INSERT INTO council_meeting (id, campaign_id, number, held_at, ended_at, voting_method, rules, status,
                                     created_at, version)
            VALUES (1, 1, '01', '2026-11-12 08:00:00.000000', '2026-11-12 03:30:00.000000', 'show_of_hands', '{}',
                    'closed', '2026-11-12 01:00:00', 1);
        INSERT INTO meeting_attendance (id, meeting_id, member_id, present, version) VALUES (1, 1, 1, 1, 1), (2, 1, 2, 0, 1);
        INSERT INTO candidate (id, campaign_id, subject_type, unit_id, subject_kind, meeting_id, report_text, status,
                               locked, score_snapshot, created_at, version)
            VALUES (1, 1, 'unit', 1, 'party_org', 1, '{}', 'approved', 1, '{}', '2026-11-01 00:00:00', 1);
        INSERT INTO vote (id, meeting_id, candidate_id, votes_for, votes_against, votes_abstain, recorded_at, version)
            VALUES (1, 1, 1, 1, 0, 0, '2026-11-12 02:00:00', 1);
    """)
    con.commit()
    con.close()
    db = open_database(path)  # upgrades to head
    try:
        rec = ms.meeting_record(db, 1)
        assert rec.end == dt.datetime(2026, 11, 12, 10, 30)  # was stored as UTC by `meeting close`
        assert rec.timezone == "Asia/Ho_Chi_Minh"
        assert [(x.full_name, x.position, x.role, x.present) for x in rec.members] == [
            ("Nguyễn Văn Cũ", "Bí thư", "chair", True), ("Trần Thị Hai", "Ủy viên", "member", False)]
        assert rec.votes[0].subject_name == "Chi bộ Một"
        with db.session() as s:
            s.execute(text("UPDATE council_member SET full_name = 'Tên Mới'"))
        assert ms.meeting_record(db, 1).members[0].full_name == "Nguyễn Văn Cũ"
    finally:
        db.dispose()


def test_nothing_recorded_prints_lines_to_fill_in_never_a_bare_label(demo_db, scenario, tmp_path):
    """An open secret-ballot meeting with no discussion and no counting committee yet (a draft)."""
    m3 = cs.new_meeting(demo_db, dt.datetime(2026, 12, 3, 8, 0), voting_method="secret_ballot", number="03")
    left = next(c for c in cs.list_candidates(demo_db) if c.status == "proposed")
    cs.record_vote(demo_db, m3, left.id, 5, 1, 0)
    svc.generate_dossier(demo_db, tmp_path / "hs", at=AT, draft=True)
    bb = doc_text(tmp_path / "hs" / "bien-ban-hop-xet-so-03-ngay-03-12-2026.docx")
    lines = bb.splitlines()
    after = lines[lines.index("Ban kiểm phiếu gồm:") + 1]
    assert after.startswith("1. …") and after.endswith("Trưởng ban.")
    content = lines[lines.index("II. NỘI DUNG CUỘC HỌP") + 1]
    assert content.startswith("……")
    sign = lines.index("TRƯỞNG BAN KIỂM PHIẾU")
    assert any(x.startswith("……") for x in lines[sign + 1:sign + 8])  # the head's name to write in
    assert "Cuộc họp kết thúc vào hồi      giờ      phút cùng ngày" in bb  # no end time: blanks, not a clock


def test_two_meetings_on_one_day_without_numbers_get_two_files(demo_db, scenario, tmp_path):
    left = [c for c in cs.list_candidates(demo_db) if c.status == "proposed"][:2]
    for hour, cand in zip((8, 14), left):
        mid = cs.new_meeting(demo_db, dt.datetime(2026, 12, 3, hour, 0), attach_candidates=False)
        cs.record_vote(demo_db, mid, cand.id, 5, 0, 0)
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT, draft=True)
    same_day = sorted(p.name for p in outcome.files if "ngay-03-12-2026" in p.name)
    assert same_day == ["bien-ban-hop-xet-ngay-03-12-2026-phien-4.docx", "bien-ban-hop-xet-ngay-03-12-2026.docx"]
    assert "08 giờ 00 phút" in doc_text(tmp_path / "hs" / same_day[1])
    assert "14 giờ 00 phút" in doc_text(tmp_path / "hs" / same_day[0])


def test_a_closed_meetings_conflicts_are_those_recorded_at_the_vote(demo_db, scenario):
    m1 = scenario["meetings"][0]
    before = {r.candidate.id: r.conflicts for r in cs.meeting_view(demo_db, m1).candidates}
    assert any(before.values())
    with demo_db.session() as s:  # every member moves to another unit afterwards
        s.execute(text("UPDATE council_member SET unit_id = NULL, person_id = NULL"))
    after = {r.candidate.id: r.conflicts for r in cs.meeting_view(demo_db, m1).candidates}
    assert after == before
