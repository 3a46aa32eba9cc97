"""Editing people and units: validation per field, bulk VNeID marking, tree edits and merge,
each audited; stale saves refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bdhvs_desktop.services import people, unit_merge, units
from bdhvs_desktop.services.audit import history
from bdhvs_desktop.services.records import list_people, list_units
from bdhvs_desktop.storage import models as m


def _unit(db, code):
    return next(u for u in list_units(db, include_inactive=True) if u.code == code)


def test_person_form_validates_each_field(demo_db):
    data = people.PersonData(full_name="", birth_date=dt.date(2030, 1, 1), sex="M", cccd="068085123456",
                             vneid_proficient_on=dt.date(2099, 1, 1), people_guided=-1)
    errors = people.validate_person(demo_db, data)
    assert set(errors) == {"full_name", "birth_date", "vneid_proficient_on", "people_guided", "unit_id", "cccd"}
    assert "họ và tên" in errors["full_name"].lower() and "tương lai" in errors["birth_date"]
    with pytest.raises(people.ValidationError) as exc:
        people.save_person(demo_db, data)
    assert exc.value.errors == errors


def test_cccd_must_match_birth_and_be_unique(demo_db):
    first = list_people(demo_db)[0]
    record = people.get_person(demo_db, first.id)
    other = list_people(demo_db)[1]
    record.data.cccd = other.cccd
    errors = people.validate_person(demo_db, record.data, first.id)
    assert "cccd" in errors


def test_save_person_audits_and_refuses_stale_copies(demo_db):
    first = list_people(demo_db)[0]
    record = people.get_person(demo_db, first.id)
    record.data.position = "Tổ trưởng"
    record.data.full_name = "Nguyễn Văn Mới"
    people.save_person(demo_db, record.data, first.id, version=record.version, user="kiem-thu")
    with demo_db.read() as s:
        p = s.get(m.Person, first.id)
        assert p.position == "Tổ trưởng" and p.search_key == "nguyen van moi"
        fields = {h.field for h in history(s, "person", first.id)}
    assert {"position", "full_name"} <= fields
    with pytest.raises(people.ConcurrentEdit):
        people.save_person(demo_db, record.data, first.id, version=record.version)


def test_create_person(demo_db):
    unit = _unit(demo_db, "TDP-01")
    pid = people.save_person(demo_db, people.PersonData(full_name="Đỗ Thị Lan", birth_date=dt.date(1990, 2, 1),
                                                       sex="F", cccd="068190000077", unit_id=unit.id))
    assert any(p.id == pid and p.unit_id == unit.id for p in list_people(demo_db))


def test_bulk_mark_vneid(demo_db):
    targets = [p for p in list_people(demo_db) if p.vneid_proficient_on is None][:3]
    earlier = [p for p in list_people(demo_db) if p.vneid_proficient_on is not None][:1]
    ids = [p.id for p in targets + earlier]
    day = dt.date(2026, 3, 20)
    result = people.mark_vneid_proficient(demo_db, ids + [999999], day, "Công an phường", can_guide=None,
                                          today=dt.date(2026, 11, 1))
    assert result.changed >= 3 and result.missing == 1
    with demo_db.read() as s:
        for p in targets:
            row = s.get(m.Person, p.id)
            assert row.vneid_proficient_on == day and row.vneid_verified_by == "Công an phường"
            assert any(h.field == "vneid_proficient_on" for h in history(s, "person", p.id))
        if earlier and earlier[0].vneid_proficient_on < day:
            assert s.get(m.Person, earlier[0].id).vneid_proficient_on == earlier[0].vneid_proficient_on
    with pytest.raises(people.ValidationError) as exc:
        people.mark_vneid_proficient(demo_db, ids, dt.date(2099, 1, 1), " ")
    assert set(exc.value.errors) == {"on", "verified_by"}


def test_unit_add_rename_move_with_validation(demo_db):
    parent = _unit(demo_db, "DU-PHUONG")
    uid = units.add_unit(demo_db, units.UnitData("TDP-09", "Tổ dân phố 9", "to_dan_pho", parent.id))
    with pytest.raises(units.ValidationError) as exc:
        units.add_unit(demo_db, units.UnitData("TDP-09", "", "xyz", None))
    assert set(exc.value.errors) == {"code", "name", "kind"}
    units.rename_unit(demo_db, uid, "Tổ dân phố số 9")
    assert _unit(demo_db, "TDP-09").name == "Tổ dân phố số 9"
    with pytest.raises(units.ValidationError) as exc:
        units.move_unit(demo_db, parent.id, uid)  # into its own descendant
    assert "parent_id" in exc.value.errors
    units.move_unit(demo_db, uid, _unit(demo_db, "CB-KP3").id)
    assert _unit(demo_db, "TDP-09").parent_id == _unit(demo_db, "CB-KP3").id
    with demo_db.read() as s:
        assert {h.field for h in history(s, "unit", uid)} >= {"name", "parent_id"}


def test_merge_moves_everything_and_deactivates(demo_db):
    src, dst = _unit(demo_db, "TDP-05"), _unit(demo_db, "TDP-04")
    with demo_db.read() as s:
        n_people = s.scalar(select(func.count()).select_from(m.Person).where(m.Person.unit_id == src.id))
        n_acts = s.scalar(select(func.count()).select_from(m.Activity).where(m.Activity.unit_id == src.id))
    result = unit_merge.merge_units(demo_db, src.id, dst.id)
    assert result.people == n_people > 0 and result.activities == n_acts
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Person).where(m.Person.unit_id == src.id)) == 0
        merged = s.get(m.Unit, src.id)
        assert not merged.active and merged.merged_into_id == dst.id
        assert any(h.action == "merge" for h in history(s, "unit", src.id))
    assert all(u.code != "TDP-05" for u in list_units(demo_db))
    with pytest.raises(units.ValidationError):
        unit_merge.merge_units(demo_db, src.id, dst.id)  # already merged
    with pytest.raises(units.ValidationError):
        unit_merge.merge_units(demo_db, _unit(demo_db, "DU-PHUONG").id, _unit(demo_db, "CB-KP3").id)
