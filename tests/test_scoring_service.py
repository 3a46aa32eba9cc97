"""Scores at a date from the database: the demo ward's deliberate failures, changes to records,
manual criteria (audited), and criteria set editing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import scoring as svc
from bdhvs_desktop.services.audit import history
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 15)


def _unit_id(db, code):
    with db.read() as s:
        return s.scalar(select(m.Unit.id).where(m.Unit.code == code))


def test_party_cell_names_the_members_without_vneid(demo_db):
    board = svc.compute_scores(demo_db, AT)
    kp3 = next(x for x in board.scores if x.id == "CB-KP3")
    assert kp3.kind == "party_org" and not kp3.eligible and kp3.rank is None
    vneid = next(c for c in kp3.criteria if c.code == "TCD_VNEID")
    assert vneid.explanation.startswith("Chi bộ Khu phố 3 (mô phỏng): 18/20 đảng viên thành thạo VNeID đến 31/03/2026")
    with demo_db.read() as s:
        late = s.scalars(select(m.Person.full_name).where(
            m.Person.unit_id == _unit_id(demo_db, "CB-KP3"), m.Person.is_party_member.is_(True),
            (m.Person.vneid_proficient_on.is_(None)) | (m.Person.vneid_proficient_on > dt.date(2026, 3, 31)))).all()
    assert len(late) == 2 and all(name in vneid.explanation for name in late)
    # Chi bộ Công an: one member on the deadline day still counts.
    ca = next(x for x in board.scores if x.id == "CB-CA")
    assert next(c for c in ca.criteria if c.code == "TCD_VNEID").passed


def test_every_subject_is_scored_with_the_set_of_its_kind(demo_db):
    board = svc.compute_scores(demo_db, AT)
    with demo_db.read() as s:
        units = s.execute(select(m.Unit.code, m.Unit.is_party_org).where(m.Unit.active.is_(True))).all()
        people = s.scalar(select(m.Person.id).order_by(m.Person.id.desc()).limit(1))
    by_id = {x.id: x for x in board.scores if x.subject == "unit"}
    for code, party in units:
        assert by_id[code].kind == ("party_org" if party else "collective")
    assert sum(1 for x in board.scores if x.subject == "person") == people
    assert board.missing_sets == []
    for kind in ("party_org", "collective", "individual"):
        ranks = [x.rank for x in board.of_kind(kind) if x.eligible]
        assert ranks and ranks[0] == 1 and all(r is not None for r in ranks)
        assert all(x.rank is None for x in board.of_kind(kind) if not x.eligible)
    held = [x for x in board.scores if x.held_back]
    assert held and all(not x.eligible for x in held)


def test_changing_a_record_changes_the_score(demo_db):
    before = svc.score_of(demo_db, "unit", _unit_id(demo_db, "CB-KP3"), AT)
    with demo_db.session() as s:
        for p in s.scalars(select(m.Person).where(m.Person.unit_id == _unit_id(demo_db, "CB-KP3"))):
            if p.is_party_member and (p.vneid_proficient_on is None or p.vneid_proficient_on > dt.date(2026, 3, 31)):
                p.vneid_proficient_on = dt.date(2026, 3, 20)
                p.can_guide = True
    after = svc.score_of(demo_db, "unit", _unit_id(demo_db, "CB-KP3"), AT)
    gate = lambda sc: next(c for c in sc.criteria if c.code == "TCD_VNEID")  # noqa: E731
    assert not gate(before).passed and gate(after).passed
    assert "20/20" in gate(after).explanation


def test_scores_depend_on_the_date(demo_db):
    early = svc.compute_scores(demo_db, dt.date(2026, 2, 1))
    late = svc.compute_scores(demo_db, AT)
    e = next(x for x in early.scores if x.id == "CB-VHXH")
    la = next(x for x in late.scores if x.id == "CB-VHXH")
    assert e.points < la.points  # models evaluated, excellent, replicated later in the year


def _criterion(db, code):
    with db.read() as s:
        return s.scalar(select(m.Criterion).where(m.Criterion.code == code))


def test_manual_result_with_evidence_is_audited_and_counted(demo_db):
    crit = _criterion(demo_db, "TT_CHI_TIEU_KHAC")
    tdp = _unit_id(demo_db, "TDP-01")
    with pytest.raises(svc.ScoringError, match="căn cứ"):
        svc.record_manual_result(demo_db, crit.id, "unit", tdp, passed=True, evidence=" ")
    with pytest.raises(svc.ScoringError, match="đạt hoặc không đạt"):
        svc.record_manual_result(demo_db, crit.id, "unit", tdp, evidence="x")
    svc.record_manual_result(demo_db, crit.id, "unit", tdp, passed=True, evidence="Báo cáo số 3/BC-TDP1")
    score = svc.score_of(demo_db, "unit", tdp, AT)
    c = next(c for c in score.criteria if c.code == "TT_CHI_TIEU_KHAC")
    assert c.passed and c.evidence == "Báo cáo số 3/BC-TDP1" and c.recorded_by == demo_db.user
    assert "Báo cáo số 3/BC-TDP1" in c.explanation
    with demo_db.read() as s:
        rows = history(s, "unit", tdp)
    assert any(r.action == "score" and r.field == "TT_CHI_TIEU_KHAC" for r in rows)
    pts = _criterion(demo_db, "TT_D_HOI_DONG")
    with pytest.raises(svc.ScoringError, match="từ 0 đến 20"):
        svc.record_manual_result(demo_db, pts.id, "unit", tdp, points=25, evidence="x")
    auto = _criterion(demo_db, "TT_MO_HINH")
    with pytest.raises(svc.ScoringError, match="tự động"):
        svc.record_manual_result(demo_db, auto.id, "unit", tdp, passed=True, evidence="x")


def test_criteria_set_editing_validates_and_is_audited(demo_db):
    sets = {cs.subject_kind: cs for cs in svc.list_criteria_sets(demo_db)}
    ind = sets["individual"]
    assert ind.max_points == 100
    new_id = svc.save_criterion(demo_db, ind.id, svc.CriterionInput(
        "CN_D_LOP", "Dạy từ 03 lớp học", "points", "auto", 5, "min_activities",
        {"kind": "class", "n": 3, "per": "period", "start": "2026-04-01", "end": "2026-09-30"}))
    board = svc.compute_scores(demo_db, AT)
    assert board.sets["individual"].max_points == 105
    teacher = [x for x in board.of_kind("individual") if any(c.code == "CN_D_LOP" and c.passed for c in x.criteria)]
    assert teacher  # the demo's class teachers
    for bad, words in [
        (svc.CriterionInput("X", "X", "points", "auto", 0, "min_models", {}), "điểm tối đa"),
        (svc.CriterionInput("X", "X", "gate", "auto", 0, "party_members_vneid", {"by": "2026-03-31"}), "không áp dụng"),
        (svc.CriterionInput("X", "X", "gate", "auto", 0, "min_models", {"status": "??"}), "mức mô hình"),
        (svc.CriterionInput("CN_D_LOP", "X", "gate", "manual"), "đã có tiêu chí"),
        (svc.CriterionInput("", "X", "gate", "manual"), "Mã tiêu chí"),
    ]:
        with pytest.raises(svc.ScoringError, match=words):
            svc.save_criterion(demo_db, ind.id, bad)
    info = next(c for cs in svc.list_criteria_sets(demo_db) for c in cs.criteria if c.id == new_id)
    svc.save_criterion(demo_db, ind.id, svc.CriterionInput("CN_D_LOP", "Dạy từ 02 lớp học", "points", "auto", 5,
                                                          "min_activities", {"kind": "class", "n": 2}), new_id,
                       info.version)
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(StaleDataError):
        svc.save_criterion(demo_db, ind.id, svc.CriterionInput("CN_D_LOP", "Cũ", "points", "manual", 5), new_id, 1)
    svc.delete_criterion(demo_db, new_id)
    with demo_db.read() as s:
        actions = [r.action for r in history(s, "criterion", new_id)]
    assert actions[0] == "delete" and actions[-1] == "create" and "update" in actions
    assert svc.compute_scores(demo_db, AT).sets["individual"].max_points == 100


def test_empty_database_gives_a_clear_message(db):
    with pytest.raises(svc.ScoringError, match="chưa có phong trào"):
        svc.compute_scores(db, AT)
