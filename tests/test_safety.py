"""The product's own consistency checks, as `bdhvs check` reports them in Vietnamese."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.maintenance import check_database
from bdhvs_desktop.services.safety import consistency_findings
from bdhvs_desktop.storage import models as m


def _levels(findings, level):
    return [f.message for f in findings if f.level == level]


def test_demo_ward_is_consistent(demo_db):
    findings = check_database(demo_db)
    assert not _levels(findings, "error"), findings
    assert any("Kiểm tra toàn vẹn SQLite" in f.message for f in findings)
    assert any("Chuỗi nhật ký" in f.message for f in findings)


def _world(db):
    with db.session() as s:
        camp = m.Campaign(code="C", name="PT", start_date=dt.date(2025, 12, 1), end_date=dt.date(2026, 12, 31))
        old = m.Unit(code="CU", name="Tổ dân phố 9 (cũ)", kind="to_dan_pho", active=False)
        new = m.Unit(code="MOI", name="Tổ dân phố 9", kind="to_dan_pho")
        s.add_all([camp, old, new])
        s.flush()
        old.merged_into_id = new.id
        lan = m.Person(full_name="Võ Thị Lan", name_key="vo thi lan", search_key="vo thi lan", unit_id=old.id,
                       cccd="0791")
        hung = m.Person(full_name="Đặng Văn Hùng", name_key="dang van hung", search_key="dang van hung",
                        unit_id=new.id, under_discipline=True)
        s.add_all([lan, hung])
        s.flush()
        members = [m.CouncilMember(campaign_id=camp.id, full_name=f"Ủy viên {i}") for i in range(5)]
        meeting = m.CouncilMeeting(campaign_id=camp.id, number="01", held_at=dt.datetime(2026, 11, 5, 8))
        s.add_all([*members, meeting])
        s.flush()
        c1 = m.Candidate(campaign_id=camp.id, subject_type="person", person_id=hung.id, subject_kind="ca_nhan",
                         status="proposed")
        c2 = m.Candidate(campaign_id=camp.id, subject_type="unit", unit_id=old.id, subject_kind="tap_the")
        c3 = m.Candidate(campaign_id=camp.id, subject_type="person", person_id=None, subject_kind="ca_nhan")
        s.add_all([c1, c2, c3])
        s.flush()
        s.add(m.Vote(meeting_id=meeting.id, candidate_id=c1.id, votes_for=6, votes_against=1))
        s.add(m.Vote(meeting_id=meeting.id, candidate_id=c2.id, votes_for=4, votes_against=1))
        s.add(m.ManualResult(criterion_id=_criterion(s, camp.id), subject_type="person", subject_id=9999, passed=True))
        for _n in range(2):
            audit.record(s, user="thu-ky", action="decide", entity="candidate", entity_id=c1.id, field="status",
                         old="proposed", new="approved", chained=True)
    return c1.id, c3.id


def _criterion(s, campaign_id):
    cs = m.CriteriaSet(campaign_id=campaign_id, code="CN", name="Cá nhân", subject_kind="ca_nhan")
    s.add(cs)
    s.flush()
    c = m.Criterion(criteria_set_id=cs.id, code="X", name="Tiêu chí", type="points", method="manual")
    s.add(c)
    s.flush()
    return c.id


def test_each_rule_is_reported_in_vietnamese(db):
    c1, c3 = _world(db)
    findings = consistency_findings(db)
    warnings, errors = _levels(findings, "warning"), _levels(findings, "error")
    assert any("Võ Thị Lan" in w and "ngừng hoạt động hoặc đã sáp nhập" in w and "Tổ dân phố 9 (cũ)" in w
               for w in warnings)
    assert any("không còn đối tượng" in e and f"#{c3}" in e for e in errors)
    assert any("đơn vị đã ngừng hoạt động" in w and "Tổ dân phố 9 (cũ)" in w for w in warnings)
    assert any("Đặng Văn Hùng" in w and "kỷ luật" in w for w in warnings)
    assert any("tổng 7 phiếu nhiều hơn số thành viên Hội đồng (5)" in e for e in errors)
    assert not any("tổng 5 phiếu" in e for e in errors)  # 5 of 5 members is fine
    assert any("không còn tồn tại" in w for w in warnings)
    assert any("CCCD không đủ 12 chữ số" in w and "Võ Thị Lan" in w for w in warnings)
    assert any("Chuỗi nhật ký quyết định của Hội đồng: 2 mục, không bị sửa" in f.message for f in findings)
    assert any("Chưa có bản sao lưu" in w for w in warnings)


def test_votes_checked_against_members_present_and_valid_ballots(db):
    _world(db)
    with db.session() as s:
        meeting = s.scalar(select(m.CouncilMeeting))
        members = s.scalars(select(m.CouncilMember)).all()
        for i, member in enumerate(members):
            s.add(m.MeetingAttendance(meeting_id=meeting.id, member_id=member.id, present=i < 4))
    errors = _levels(consistency_findings(db), "error")
    assert any("tổng 5 phiếu nhiều hơn số thành viên có mặt (4)" in e for e in errors)


def test_deleted_chain_entry_is_detected_and_makes_check_fail(db):
    from bdhvs_desktop.cli import main

    _world(db)
    with db.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log WHERE chained = 1)"))
    errors = _levels(check_database(db), "error")
    assert any("Chuỗi nhật ký các quyết định của Hội đồng bị phá vỡ" in e for e in errors)
    assert any("liên kết với mục trước bị sai" in e for e in errors)
    assert main(["--db", str(db.path), "check"]) == 1


def test_old_backup_is_a_warning(db, user_home):
    from bdhvs_desktop.paths import backups_dir
    from bdhvs_desktop.storage.backup import backup_file

    backup_file(db.path, backups_dir() / f"{db.path.stem}-20260101-080000.sqlite3")
    findings = consistency_findings(db, today=dt.date(2026, 1, 5))
    assert any(f.level == "ok" and "01/01/2026 08:00" in f.message for f in findings)
    findings = consistency_findings(db, today=dt.date(2026, 2, 1))
    assert any(f.level == "warning" and "đã cũ (31 ngày" in f.message for f in findings)


def test_cli_check_prints_findings(demo_db, capsys):
    from bdhvs_desktop.cli import main

    assert main(["--db", str(demo_db.path), "check"]) == 0
    out = capsys.readouterr().out
    assert "Kiểm tra khóa ngoại" in out and "Chuỗi nhật ký" in out and "Kết quả: 0 lỗi" in out
