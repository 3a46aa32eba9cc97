"""Roles in the shared-office mode: the services themselves refuse what a role may not do."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import council, people, scoring, units
from bdhvs_desktop.services.auth import PermissionDenied, UserInfo
from bdhvs_desktop.storage import models as m


def _as(db, role: str) -> None:
    from bdhvs_desktop.services.auth import role_label

    db.current_user = UserInfo(1, "nguoi-dung", "Người dùng", role, role_label(role), True, None)


def _ids(db):
    with db.read() as s:
        person = s.scalars(select(m.Person.id).order_by(m.Person.id)).first()
        unit = s.scalars(select(m.Unit.id).order_by(m.Unit.id)).first()
        candidate = s.scalars(select(m.Candidate).where(m.Candidate.locked.is_(False))).first()
        crit = s.scalars(select(m.Criterion).join(m.CriteriaSet).where(
            m.Criterion.method == "manual", m.CriteriaSet.subject_kind != "individual")).first()
    return person, unit, candidate, crit


def test_council_member_may_score_and_vote_but_not_edit_records(demo_db):
    person, unit, _candidate, crit = _ids(demo_db)
    _as(demo_db, "council_member")
    with pytest.raises(PermissionDenied, match="Thư ký"):
        people.mark_vneid_proficient(demo_db, [person], dt.date(2026, 3, 1), "Công an phường")
    with pytest.raises(PermissionDenied):
        units.rename_unit(demo_db, unit, "Tên mới")
    with pytest.raises(PermissionDenied):
        council.propose_eligible(demo_db, dt.date(2026, 11, 15))
    scoring.record_manual_result(demo_db, crit.id, "unit", unit, passed=True, points=1,
                                 evidence="Biên bản kiểm tra")
    with demo_db.read() as s:
        result = s.scalars(select(m.ManualResult).where(m.ManualResult.criterion_id == crit.id,
                                                      m.ManualResult.subject_type == "unit",
                                                      m.ManualResult.subject_id == unit)).one()
        assert result.evidence == "Biên bản kiểm tra"


def test_viewer_may_do_nothing_that_writes(demo_db):
    person, unit, candidate, crit = _ids(demo_db)
    _as(demo_db, "viewer")
    with pytest.raises(PermissionDenied, match="Chỉ xem"):
        scoring.record_manual_result(demo_db, crit.id, "unit", unit, passed=True, evidence="x")
    with pytest.raises(PermissionDenied):
        people.mark_vneid_proficient(demo_db, [person], dt.date(2026, 3, 1), "x")


def test_secretary_and_local_single_user_may_edit(demo_db):
    person, unit, _c, _crit = _ids(demo_db)
    units.rename_unit(demo_db, unit, "Tên do máy đơn lẻ đổi")  # a local SQLite file: no login, secretary
    _as(demo_db, "secretary")
    units.rename_unit(demo_db, unit, "Tên do thư ký đổi")
    with demo_db.read() as s:
        assert s.get(m.Unit, unit).name == "Tên do thư ký đổi"


def test_gui_shows_a_refused_permission_as_a_message(qtbot, monkeypatch):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui.app import install_error_hook

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_error_hook()
    try:
        raise PermissionDenied("Tài khoản x không có quyền sửa hồ sơ nhân sự.")
    except PermissionDenied:
        sys.excepthook(*sys.exc_info())
    assert shown == [("Không đủ quyền", "Tài khoản x không có quyền sửa hồ sơ nhân sự.")]
