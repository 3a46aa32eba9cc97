"""Editing activities, models, solutions, mentorships, reported figures, tasks and phases:
validation in Vietnamese, all-or-nothing writes, audit entries, stale saves refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bdhvs_desktop.services import activities as act
from bdhvs_desktop.services.status import compute_status
from bdhvs_desktop.storage import models as m

D = dt.date


def _unit(db, code):
    with db.read() as s:
        return s.scalar(select(m.Unit.id).where(m.Unit.code == code))


def _audit(db, entity, entity_id=None):
    with db.read() as s:
        q = select(m.AuditEntry).where(m.AuditEntry.entity == entity)
        if entity_id is not None:
            q = q.where(m.AuditEntry.entity_id == entity_id)
        return s.scalars(q.order_by(m.AuditEntry.id)).all()


def _fields(exc) -> set[str]:
    return {f for f, _ in exc.value.problems}


# --------------------------------------------------------------------------- activities


def test_activity_add_edit_delete_is_audited_and_moves_the_status(demo_db):
    db = demo_db
    tdp5 = _unit(db, "TDP-05")
    week = compute_status(db, D(2026, 4, 20)).target("HUONG_DAN_TUAN").unit(tdp5)
    assert week.numerator == 0
    new_id = act.add_activity(db, act.ActivityInput(D(2026, 4, 12), "guidance", tdp5, "Hướng dẫn VNeID", "2, 1",
                                                    15))
    week = compute_status(db, D(2026, 4, 20)).target("HUONG_DAN_TUAN").unit(tdp5)
    assert week.numerator == 1  # Sunday 12/04 fills week 15
    row = next(r for r in act.list_activities(db, unit_id=tdp5) if r.id == new_id)
    assert row.skills == (1, 2) and row.kind_label == "Hướng dẫn trực tiếp" and row.unit_name.startswith("Tổ dân phố 5")
    entries = _audit(db, "activity", new_id)
    assert entries[0].action == "create" and "Hướng dẫn VNeID" in entries[0].new_value
    act.update_activity(db, new_id, act.ActivityInput(D(2026, 4, 13), "guidance", tdp5, "Hướng dẫn VNeID", "1,2", 20),
                        version=row.version)
    changed = {e.field for e in _audit(db, "activity", new_id) if e.action == "update"}
    assert changed == {"date", "participants"}
    with pytest.raises(act.StaleRecord, match="vừa được người khác sửa"):
        act.update_activity(db, new_id, act.ActivityInput(D(2026, 4, 14), "guidance", tdp5), version=row.version)
    act.delete_activity(db, new_id)
    assert _audit(db, "activity", new_id)[-1].action == "delete"
    assert not [r for r in act.list_activities(db, unit_id=tdp5) if r.id == new_id]


def test_activity_validation_reports_every_problem_in_vietnamese(demo_db):
    db = demo_db
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(m.Activity))
    with pytest.raises(act.ValidationError) as exc:
        act.add_activity(db, act.ActivityInput(D(2030, 1, 1), "picnic", None, None, "1,7", -3, 999999))
    assert _fields(exc) == {"date", "kind", "skills", "participants", "host_person_id"}
    text = str(exc.value)
    assert "nằm ngoài thời gian phong trào (01/12/2025 – 31/12/2026)" in text
    assert "kỹ năng 7 không có" in text and "không được âm" in text
    with pytest.raises(act.ValidationError) as exc:
        act.add_activity(db, act.ActivityInput(D(2026, 5, 1), "guidance", None))
    assert "phải ghi đơn vị tổ chức" in str(exc.value)
    with pytest.raises(act.ValidationError, match="không phải tổ chức đảng"):
        act.add_activity(db, act.ActivityInput(D(2026, 5, 1), "thematic_meeting", _unit(db, "TDP-01")))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Activity)) == before  # nothing half-written


def test_thematic_meeting_recorded_for_kp3_meets_the_target(demo_db):
    db = demo_db
    kp3 = _unit(db, "CB-KP3")
    assert compute_status(db, D(2026, 6, 1)).target("SINH_HOAT_CD").unit(kp3).status == "at_risk"
    act.add_activity(db, act.ActivityInput(D(2026, 5, 20), "thematic_meeting", kp3, "Sinh hoạt chuyên đề", "2,4", 18))
    r = compute_status(db, D(2026, 6, 1)).target("SINH_HOAT_CD")
    assert r.unit(kp3).status == "met" and r.status == "met"


# --------------------------------------------------------------------------- models


def test_model_lifecycle_with_replication(demo_db):
    db = demo_db
    ca = _unit(db, "CB-CA")
    model_id = act.add_model(db, act.ModelInput("MH-CA", "Công an số tại nhà", ca, registered_on=D(2026, 2, 1),
                                                model_type="Đại sứ số"))
    # registering by 31/03 fills Chi bộ Công an's gap
    assert compute_status(db, D(2026, 4, 2)).target("MO_HINH_DANG_KY").unit(ca).status == "met"
    act.advance_model(db, model_id, "implementing", D(2026, 3, 1))
    with pytest.raises(act.ValidationError) as exc:
        act.advance_model(db, model_id, "evaluated", D(2026, 6, 10))
    assert _fields(exc) == {"rating", "evaluation_quarter"}
    act.advance_model(db, model_id, "evaluated", D(2026, 6, 10), rating="Tốt", quarter="quý II/2026")
    row = next(r for r in act.list_models(db) if r.id == model_id)
    assert row.evaluation_quarter == "Q2/2026" and row.evaluated_on == D(2026, 6, 10) and row.status_label == "Đã đánh giá"
    with pytest.raises(act.ValidationError, match="chỉ chuyển được sang bước sau"):
        act.advance_model(db, model_id, "registered", D(2026, 6, 11))
    act.advance_model(db, model_id, "excellent", D(2026, 8, 1), rating="Xuất sắc")
    with pytest.raises(act.ValidationError, match="là đơn vị xây dựng mô hình"):
        act.add_replication(db, model_id, ca, D(2026, 9, 1))
    rep = act.add_replication(db, model_id, _unit(db, "TDP-03"), D(2026, 9, 1))
    row = next(r for r in act.list_models(db) if r.id == model_id)
    assert row.status == "replicated" and [r.unit_name for r in row.replications] == ["Tổ dân phố 3 (mô phỏng)"]
    with pytest.raises(act.ValidationError, match="đã được nhân rộng"):
        act.add_replication(db, model_id, _unit(db, "TDP-03"), D(2026, 9, 2))
    act.delete_replication(db, rep)
    assert next(r for r in act.list_models(db) if r.id == model_id).status == "excellent"
    fields = [(e.field, e.new_value) for e in _audit(db, "digital_model", model_id) if e.action == "update"]
    assert ("status", "evaluated") in fields and ("status", "replicated") in fields and ("status", "excellent") in fields
    # the excellent model under Đảng ủy phường does not count for Đảng ủy UBND's quota
    assert compute_status(db, D(2026, 8, 20)).target("MO_HINH_XS_DUUBND").value == 1


def test_model_validation(demo_db):
    db = demo_db
    with pytest.raises(act.ValidationError) as exc:
        act.add_model(db, act.ModelInput("mh-01", "", None, status="excellent", registered_on=D(2026, 5, 1),
                                         evaluated_on=D(2026, 4, 1), evaluation_quarter="Q5/2026"))
    problems = dict(exc.value.problems)
    assert "đã có" in problems["code"]  # codes are unique regardless of case
    assert set(problems) >= {"name", "owner_unit_id", "evaluated_on", "evaluation_quarter", "rating", "excellent_on"}
    assert "không được trước ngày đăng ký" in problems["evaluated_on"]
    with pytest.raises(act.ValidationError, match="thêm ít nhất một đơn vị nhân rộng"):
        act.add_model(db, act.ModelInput("MH-99", "Mô hình", _unit(db, "TDP-01"), status="replicated",
                                         registered_on=D(2026, 1, 1), evaluated_on=D(2026, 2, 1),
                                         excellent_on=D(2026, 3, 1), rating="Tốt", evaluation_quarter="Q1/2026"))


def test_stale_model_save_is_refused(demo_db):
    db = demo_db
    row = next(r for r in act.list_models(db) if r.code == "MH-03")
    data = act.ModelInput(row.code, row.name + " (sửa)", row.owner_unit_id, status=row.status,
                          registered_on=row.registered_on, implementing_on=row.implementing_on)
    act.update_model(db, row.id, data, version=row.version)
    with pytest.raises(act.StaleRecord):
        act.update_model(db, row.id, data, version=row.version)


# --------------------------------------------------------------------------- solutions, mentors


def test_solutions(demo_db):
    db = demo_db
    with db.read() as s:
        person = s.scalar(select(m.Person.id).where(m.Person.unit_id == _unit(db, "TDP-01")).limit(1))
    with pytest.raises(act.ValidationError) as exc:
        act.add_solution(db, act.SolutionInput(person, "  ", applied=True))
    assert _fields(exc) == {"title", "applied_on", "effect"}
    sid = act.add_solution(db, act.SolutionInput(person, "Sổ tay hướng dẫn VNeID bằng tranh", applied=True,
                                                 applied_on=D(2026, 6, 1), effect="200 bản phát cho người cao tuổi"))
    row = next(r for r in act.list_solutions(db) if r.id == sid)
    assert row.applied and row.unit_name.startswith("Tổ dân phố 1")
    act.update_solution(db, sid, act.SolutionInput(person, row.title, applied=False, applied_on=D(2026, 6, 1)),
                        version=row.version)
    row = next(r for r in act.list_solutions(db) if r.id == sid)
    assert not row.applied and row.applied_on is None  # a date without application is dropped
    act.delete_solution(db, sid)
    entries = _audit(db, "solution", sid)
    assert [e.action for e in entries][0] == "create" and entries[-1].action == "delete"
    assert {e.field for e in entries if e.action == "update"} == {"applied", "applied_on", "effect"}


def test_mentor_with_fifth_mentee_becomes_an_ambassador(demo_db):
    db = demo_db
    with db.read() as s:
        mentor = s.scalar(select(m.Mentorship.mentor_id).group_by(m.Mentorship.mentor_id)
                          .having(func.count() == 3))
    for i in range(2):
        act.add_mentorship(db, mentor, f"Người học thêm {i}", started_on=D(2026, 5, 1))
    with db.read() as s:
        assert s.scalar(select(func.count()).where(m.Mentorship.mentor_id == mentor)) == 5
    with pytest.raises(act.ValidationError, match="chưa nhập tên"):
        act.add_mentorship(db, mentor, " ")
    summary = next(x for x in act.mentor_summaries(db) if x.mentor_id == mentor)
    assert summary.mentees == 5
    extra = [r for r in act.list_mentorships(db) if r.mentor_id == mentor and r.mentee_name.startswith("Người học thêm")]
    act.delete_mentorship(db, extra[0].id)
    assert next(x for x in act.mentor_summaries(db) if x.mentor_id == mentor).mentees == 4
    assert _audit(db, "mentorship", extra[0].id)[-1].action == "delete"


# --------------------------------------------------------------------------- reported figures


def test_reported_figures(demo_db):
    db = demo_db
    target = next(t for t in act.reported_targets(db) if t.code == "NHAN_BIET_PT")
    tdp5 = _unit(db, "TDP-05")
    with pytest.raises(act.ValidationError) as exc:
        act.add_figure(db, act.FigureInput(target.id, tdp5, D(2026, 3, 31), 10, 100))
    assert "đã có số liệu ngày 31/03/2026" in str(exc.value)
    with pytest.raises(act.ValidationError) as exc:
        act.add_figure(db, act.FigureInput(target.id, tdp5, D(2026, 3, 20), "300", "240"))
    assert "Tử số (300) lớn hơn mẫu số (240)" in str(exc.value)
    with pytest.raises(act.ValidationError, match="Mẫu số: chỉ tiêu tính theo tỷ lệ phải có mẫu số"):
        act.add_figure(db, act.FigureInput(target.id, tdp5, D(2026, 3, 20), 5, None))
    with db.read() as s:
        computed = s.scalar(select(m.Target.id).where(m.Target.code == "VNEID_DV"))
    with pytest.raises(act.ValidationError, match="được tính tự động"):
        act.add_figure(db, act.FigureInput(computed, tdp5, D(2026, 3, 20), 5, 10))
    before = compute_status(db, D(2026, 3, 31)).target("NHAN_BIET_PT").unit(tdp5)
    fid = act.add_figure(db, act.FigureInput(target.id, tdp5, D(2026, 3, 30), "200", "240", "Khảo sát lại"))
    # 31/03 is later than 30/03: the latest figure on or before the date still wins
    assert compute_status(db, D(2026, 3, 31)).target("NHAN_BIET_PT").unit(tdp5).value == before.value
    assert compute_status(db, D(2026, 3, 30)).target("NHAN_BIET_PT").unit(tdp5).value == pytest.approx(83.33, abs=0.01)
    row = next(f for f in act.list_figures(db, target.id) if f.id == fid)
    assert row.numerator == 200 and row.entered_by == db.user
    act.delete_figure(db, fid, version=row.version)
    assert [e.action for e in _audit(db, "reported_figure", fid)] == ["create", "delete"]


# --------------------------------------------------------------------------- tasks, phases


def test_task_status_needs_evidence_when_done(demo_db):
    db = demo_db
    report = compute_status(db, D(2026, 10, 1))
    task = next(t for t in report.tasks if t.status == "late")
    with pytest.raises(act.ValidationError) as exc:
        act.update_task(db, task.id, "done")
    assert _fields(exc) == {"done_date", "evidence"}
    with pytest.raises(act.ValidationError, match="được tính tự động"):
        act.update_task(db, task.id, "late")
    act.update_task(db, task.id, "done", done_date=D(2026, 9, 25), evidence="Báo cáo số 12-BC/ĐU", version=task.version)
    after = next(t for t in compute_status(db, D(2026, 10, 1)).tasks if t.id == task.id)
    assert after.status == "done" and after.evidence == "Báo cáo số 12-BC/ĐU"
    assert {e.field for e in _audit(db, "task", task.id)} >= {"status", "done_date", "evidence"}


def test_phase_end_stays_editable(demo_db):
    db = demo_db
    act.update_phase(db, 2, D(2026, 4, 1), D(2026, 6, 15))
    assert compute_status(db, D(2026, 6, 20)).phase is None or compute_status(db, D(2026, 6, 20)).phase.number != 2
    with pytest.raises(act.ValidationError, match="kết thúc sau khi giai đoạn 3 bắt đầu"):
        act.update_phase(db, 2, D(2026, 4, 1), D(2026, 7, 15))
    with pytest.raises(act.ValidationError, match="trước ngày bắt đầu"):
        act.update_phase(db, 2, D(2026, 4, 1), D(2026, 3, 15))
    with pytest.raises(act.ValidationError, match="khi giai đoạn 1 chưa kết thúc"):
        act.update_phase(db, 2, D(2026, 3, 20), D(2026, 6, 15))
    assert _audit(db, "phase")[-1].field == "end_date"


def test_changes_need_the_secretary_role(demo_db, monkeypatch):
    from bdhvs_desktop.services import auth

    db = demo_db
    monkeypatch.setattr(auth, "has_role", lambda _db, *roles: False)
    monkeypatch.setattr(auth, "current_user", lambda _db: None)
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(m.Activity))
    with pytest.raises(act.PermissionDenied, match="ghi hoạt động"):
        act.add_activity(db, act.ActivityInput(D(2026, 5, 1), "guidance", _unit(db, "TDP-05")))
    task = compute_status(db, D(2026, 10, 1)).tasks[0]
    with pytest.raises(act.PermissionDenied, match="cập nhật tiến độ nhiệm vụ"):
        act.update_task(db, task.id, "in_progress")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Activity)) == before
