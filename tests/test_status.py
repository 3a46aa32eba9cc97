"""Targets measured from the records on a date: edge cases on a small hand-made ward."""

from __future__ import annotations

import datetime as dt

import pytest

from bdhvs_desktop.domain import targets as tg
from bdhvs_desktop.services.status import compute_status
from bdhvs_desktop.storage import models as m

D = dt.date
Q1_END = D(2026, 3, 31)


def _person(s, name, unit, *, party=False, servant=False, proficient=None, guide=True):
    from bdhvs_desktop.domain.text import fold, name_key

    p = m.Person(full_name=name, name_key=name_key(name), search_key=fold(name), unit=unit,
                 is_party_member=party, is_public_servant=servant, vneid_proficient_on=proficient, can_guide=guide)
    s.add(p)
    return p


@pytest.fixture
def ward(db):
    """A tiny ward: a ward committee with two cells (one without party members), two residential
    groups (one holding no sessions at all), and one target of each measure."""
    with db.session() as s:
        c = m.Campaign(code="t", name="Phong trào thử", start_date=D(2025, 12, 1), end_date=D(2026, 12, 31))
        s.add(c)
        for n, (a, b) in enumerate([(D(2025, 12, 1), Q1_END), (D(2026, 4, 1), D(2026, 6, 30)),
                                    (D(2026, 7, 1), D(2026, 9, 30)), (D(2026, 10, 1), D(2026, 12, 31))], 1):
            c.phases.append(m.Phase(number=n, name=f"Giai đoạn {n}", start_date=a, end_date=b))
        s.flush()
        root = m.Unit(code="DU", name="Đảng ủy phường", kind="dang_bo", is_party_org=True)
        s.add(root)
        s.flush()
        cb1 = m.Unit(code="CB1", name="Chi bộ Một", kind="chi_bo", is_party_org=True, parent_id=root.id)
        cb_empty = m.Unit(code="CB0", name="Chi bộ Trống", kind="chi_bo", is_party_org=True, parent_id=root.id)
        agency = m.Unit(code="CQ", name="Cơ quan Một", kind="co_quan", parent_id=root.id)
        g1 = m.Unit(code="TDP-A", name="Tổ dân phố A", kind="to_dan_pho")
        g_empty = m.Unit(code="TDP-B", name="Tổ dân phố B", kind="to_dan_pho")
        s.add_all([cb1, cb_empty, agency, g1, g_empty])
        s.flush()
        cb1.parent_id = root.id
        _person(s, "Nguyễn Văn Đúng Hạn", cb1, party=True, proficient=Q1_END)
        _person(s, "Trần Thị Trễ Một Ngày", cb1, party=True, proficient=D(2026, 4, 1))
        _person(s, "Lê Văn Sớm", cb1, party=True, servant=True, proficient=D(2026, 1, 5))
        _person(s, "Phạm Thị Công Chức", agency, servant=True, proficient=D(2026, 2, 1), guide=False)
        _person(s, "Người Dân Thường", g1, proficient=None)
        targets = [
            ("DV", "vneid_party_members", "percent", 100, "ward", D(2025, 12, 1), Q1_END, {}, 10.0),
            ("TCD", "vneid_party_members", "percent", 100, "party_org", D(2025, 12, 1), Q1_END, {}, 10.0),
            ("CC", "vneid_public_servants", "percent", 100, "ward", D(2025, 12, 1), Q1_END, {"require_guide": True}, 10.0),
            ("TUAN", "weekly_guidance", "percent", 100, "residential_group", D(2026, 4, 1), D(2026, 6, 30),
             {"min_per_week": 1, "kinds": ["guidance"]}, 10.0),
            ("LOA", "daily_broadcast", "percent", 100, "ward", D(2026, 4, 1), D(2026, 6, 30),
             {"min_per_day": 1, "kinds": ["broadcast"]}, 10.0),
            ("MH", "models_per_unit", "percent", 100, "party_org", D(2025, 12, 1), Q1_END,
             {"min_count": 1, "status": "registered"}, 20.0),
            ("XS", "excellent_models_quota", "count", 2, "responsible_body", D(2026, 7, 1), D(2026, 9, 30),
             {"unit": "DU", "min_count": 2}, None),
            ("SH", "thematic_meetings", "percent", 100, "party_org", D(2025, 12, 1), D(2026, 6, 30),
             {"min_count": 1, "kinds": ["thematic_meeting"]}, 20.0),
            ("DSS", "digital_ambassadors", "count", 2, "ward", D(2026, 1, 1), D(2026, 12, 31), {"min_mentees": 5}, None),
            ("BIET", "reported", "percent", 80, "ward", D(2025, 12, 1), Q1_END, {}, 10.0),
        ]
        for order, (code, measure, kind, value, scope, start, deadline, params, margin) in enumerate(targets):
            s.add(m.Target(campaign_id=c.id, code=code, name=f"Chỉ tiêu {code}", measure=measure, value_kind=kind,
                           target_value=value, scope=scope, start_date=start, deadline=deadline, params=params,
                           at_risk_margin=margin, sort_order=order))
        s.add(m.Task(campaign_id=c.id, phase_number=1, title="Việc xong đúng hạn", responsible_unit_id=cb1.id,
                     due_date=Q1_END, status="done", done_date=D(2026, 3, 20), evidence="Báo cáo"))
        s.add(m.Task(campaign_id=c.id, phase_number=1, title="Việc chưa làm", responsible_text="Các chi bộ",
                     due_date=Q1_END, status="in_progress"))
        ids = {u.code: u.id for u in (root, cb1, cb_empty, agency, g1, g_empty)}
    return db, ids


def _add(db, *objs):
    with db.session() as s:
        s.add_all(objs)


# --------------------------------------------------------------------------- VNeID shares


def test_proficient_on_deadline_day_counts_and_day_after_does_not(ward):
    db, ids = ward
    r = compute_status(db, D(2026, 4, 15)).target("DV")
    assert (r.numerator, r.denominator) == (2, 3)
    assert r.value == pytest.approx(66.67, abs=0.01)
    assert r.status == "missed"
    assert any("Trần Thị Trễ Một Ngày" in x and "01/04/2026" in x for x in r.shortfall)
    assert not any("Nguyễn Văn Đúng Hạn" in x for x in r.shortfall)
    # on the deadline day itself the late one is simply not yet proficient; before the deadline -> at risk/missed by margin
    on_day = compute_status(db, Q1_END).target("DV")
    assert on_day.numerator == 2 and on_day.status == "missed"  # 66.7 is more than 10 points short
    # a day earlier the on-time member was not proficient yet either
    assert compute_status(db, D(2026, 3, 30)).target("DV").numerator == 1


def test_target_met_once_everyone_is_proficient_by_the_deadline(ward):
    db, ids = ward
    with db.session() as s:
        p = s.query(m.Person).filter_by(full_name="Trần Thị Trễ Một Ngày").one()
        p.vneid_proficient_on = Q1_END
    r = compute_status(db, D(2026, 5, 1)).target("DV")
    assert r.value == 100.0 and r.status == "met" and r.shortfall == []


def test_unit_with_no_party_members_is_neither_a_shortfall_nor_a_division_by_zero(ward):
    db, ids = ward
    r = compute_status(db, D(2026, 4, 15)).target("TCD")
    empty = r.unit(ids["CB0"])
    assert empty is not None
    assert empty.value is None and empty.denominator == 0 and empty.status == "met" and empty.shortfall == []
    cb1 = r.unit(ids["CB1"])
    assert cb1.value == pytest.approx(66.67, abs=0.01) and cb1.status == "missed"
    assert cb1.shortfall and "Trần Thị Trễ Một Ngày" in cb1.shortfall[0]
    # the ward committee covers the cells under it
    assert r.unit(ids["DU"]).denominator == 3
    assert not any("Chi bộ Trống" in x for x in r.shortfall)


def test_public_servant_who_cannot_guide_citizens_is_named(ward):
    db, _ = ward
    r = compute_status(db, D(2026, 4, 15)).target("CC")
    assert (r.numerator, r.denominator) == (1, 2)
    assert r.shortfall == ["Phạm Thị Công Chức (Cơ quan Một) — chưa hướng dẫn được người dân sử dụng VNeID"]


# --------------------------------------------------------------------------- weeks and days


def _guidance(unit_id, day):
    return m.Activity(date=day, kind="guidance", unit_id=unit_id, participants=10)


def test_a_week_whose_only_session_is_on_sunday_counts(ward):
    db, ids = ward
    # Weeks wholly inside the phase start on Monday 06/04/2026.
    _add(db, _guidance(ids["TDP-A"], D(2026, 4, 12)),  # Sunday of week 15
         _guidance(ids["TDP-A"], D(2026, 4, 13)))  # Monday of week 16
    r = compute_status(db, D(2026, 4, 19)).target("TUAN")  # Sunday: week 16 is over
    a = r.unit(ids["TDP-A"])
    assert (a.numerator, a.denominator) == (2, 2)
    assert a.status == "met" and a.shortfall == []


def test_a_session_on_monday_does_not_fill_the_week_before(ward):
    db, ids = ward
    _add(db, _guidance(ids["TDP-A"], D(2026, 4, 13)))  # Monday of week 16 only
    a = compute_status(db, D(2026, 4, 19)).target("TUAN").unit(ids["TDP-A"])
    assert (a.numerator, a.denominator) == (1, 2)
    assert a.shortfall == ["Tuần 15/2026 (06/04–12/04)"]


def test_week_in_progress_is_not_yet_a_miss(ward):
    db, ids = ward
    _add(db, _guidance(ids["TDP-A"], D(2026, 4, 8)))
    a = compute_status(db, D(2026, 4, 11)).target("TUAN").unit(ids["TDP-A"])  # Saturday of week 15
    assert (a.numerator, a.denominator) == (1, 1)
    b = compute_status(db, D(2026, 4, 11)).target("TUAN").unit(ids["TDP-B"])
    assert (b.numerator, b.denominator) == (0, 0) and b.value is None


def test_empty_residential_group_misses_every_week(ward):
    db, ids = ward
    r = compute_status(db, D(2026, 7, 15)).target("TUAN")
    b = r.unit(ids["TDP-B"])
    # 12 whole weeks lie inside 01/04-30/06/2026 (06/04 ... 22/06-28/06).
    assert (b.value, b.numerator, b.denominator) == (0.0, 0, 12)
    assert b.status == "missed" and len(b.shortfall) == 12
    assert b.shortfall[0] == "Tuần 15/2026 (06/04–12/04)" and b.shortfall[-1] == "Tuần 26/2026 (22/06–28/06)"
    assert r.status == "missed" and r.value == 0.0
    assert sum("Tổ dân phố B" in x for x in r.shortfall) == 12


def test_daily_broadcast_lists_missed_days_and_today_is_not_over(ward):
    db, ids = ward
    days = [D(2026, 4, 1) + dt.timedelta(days=i) for i in range(20)]
    _add(db, *[m.Activity(date=d, kind="broadcast", unit_id=ids["CQ"]) for d in days if d != D(2026, 4, 10)])
    r = compute_status(db, D(2026, 4, 21)).target("LOA")  # 21/04 has no broadcast yet: the day is not over
    assert (r.numerator, r.denominator) == (19, 20)
    assert r.shortfall == ["10/04/2026"]
    assert r.status == "missed"  # a missed day of a 100% daily target can never be made up
    assert compute_status(db, D(2026, 4, 9)).target("LOA").status == "met"
    assert compute_status(db, D(2026, 3, 31)).target("LOA").status == "not_due"


# --------------------------------------------------------------------------- models, meetings, mentors, figures


def test_models_count_by_lifecycle_date_and_for_the_body_above(ward):
    db, ids = ward
    _add(db,
         m.DigitalModel(code="M1", name="Mô hình một", owner_unit_id=ids["CB1"], status="excellent",
                        registered_on=D(2026, 1, 10), implementing_on=D(2026, 2, 1), evaluated_on=D(2026, 6, 1),
                        excellent_on=D(2026, 8, 1)),
         m.DigitalModel(code="M2", name="Mô hình hai", owner_unit_id=ids["CQ"], status="excellent",
                        registered_on=D(2026, 2, 10), excellent_on=D(2026, 9, 30)))
    mh = compute_status(db, D(2026, 3, 1)).target("MH")
    assert mh.unit(ids["CB1"]).status == "met"
    assert mh.unit(ids["CB0"]).status == "at_risk" and "Chi bộ Trống (0/1 mô hình)" in mh.shortfall
    xs_aug = compute_status(db, D(2026, 8, 15)).target("XS")
    assert xs_aug.value == 1 and xs_aug.status == "at_risk"
    xs_after = compute_status(db, D(2026, 10, 1)).target("XS")  # excellent on the deadline day counts
    assert xs_after.value == 2 and xs_after.status == "met"


def test_model_status_at_a_date():
    row = tg.ModelRow(1, "M", "M", None, "evaluated", D(2026, 1, 1), None, D(2026, 5, 1))
    assert tg.model_status_at(row, D(2025, 12, 31)) is None
    assert tg.model_status_at(row, D(2026, 1, 1)) == "implementing"  # no date entered: from the stage before
    assert tg.model_status_at(row, D(2026, 5, 1)) == "evaluated"


def test_thematic_meetings_per_party_org(ward):
    db, ids = ward
    _add(db, m.Activity(date=D(2026, 2, 1), kind="thematic_meeting", unit_id=ids["CB1"]))
    r = compute_status(db, D(2026, 7, 1)).target("SH")
    assert r.unit(ids["CB1"]).status == "met"
    assert r.unit(ids["CB0"]).status == "missed"
    assert r.unit(ids["DU"]).status == "met"  # a meeting under it counts for the committee
    assert r.status == "missed" and r.value == pytest.approx(66.67, abs=0.01)


def test_digital_ambassadors_need_five_mentees(ward):
    db, ids = ward
    with db.session() as s:
        people = {p.full_name: p.id for p in s.query(m.Person)}
        for name, n in (("Lê Văn Sớm", 5), ("Nguyễn Văn Đúng Hạn", 4)):
            for i in range(n):
                s.add(m.Mentorship(mentor_id=people[name], mentee_name=f"Người học {i}", started_on=D(2026, 2, 1)))
    r = compute_status(db, D(2026, 3, 1)).target("DSS")
    assert r.value == 1 and r.status == "at_risk"
    assert r.shortfall == ["Nguyễn Văn Đúng Hạn (Chi bộ Một): 4/5 người"]


def test_reported_uses_latest_figure_on_or_before_the_date(ward):
    db, ids = ward
    with db.session() as s:
        t = s.query(m.Target).filter_by(code="BIET").one()
        s.add_all([
            m.ReportedFigure(target_id=t.id, unit_id=ids["TDP-A"], as_of=D(2026, 2, 1), numerator=50, denominator=100),
            m.ReportedFigure(target_id=t.id, unit_id=ids["TDP-A"], as_of=D(2026, 3, 1), numerator=90, denominator=100),
            m.ReportedFigure(target_id=t.id, unit_id=ids["TDP-B"], as_of=D(2026, 3, 1), numerator=70, denominator=100),
        ])
    feb = compute_status(db, D(2026, 2, 15)).target("BIET")
    assert feb.value == 50.0
    mar = compute_status(db, D(2026, 3, 15)).target("BIET")
    assert mar.value == 80.0 and mar.status == "met"
    assert mar.unit(ids["TDP-B"]).status == "at_risk"


# --------------------------------------------------------------------------- statuses, tasks, phase


def test_status_rules():
    day = D(2026, 3, 1)
    assert tg.target_status(None, 100, day, D(2026, 4, 1), D(2026, 6, 30), 10) == "not_due"
    assert tg.target_status(100, 100, day, None, D(2026, 3, 31), 10) == "met"
    assert tg.target_status(95, 100, day, None, D(2026, 3, 31), 10) == "at_risk"
    assert tg.target_status(80, 100, day, None, D(2026, 3, 31), 10) == "missed"
    assert tg.target_status(99, 100, D(2026, 4, 1), None, D(2026, 3, 31), 10) == "missed"
    assert tg.target_status(99, 100, day, None, D(2026, 3, 31), 10, best_possible=99) == "missed"


def test_tasks_phase_and_next_deadline(ward):
    db, _ = ward
    early = compute_status(db, D(2026, 3, 10))
    assert early.phase.number == 1 and early.next_deadline == Q1_END
    assert {t.title: t.status for t in early.tasks} == {"Việc xong đúng hạn": "in_progress",
                                                        "Việc chưa làm": "in_progress"}
    late = compute_status(db, D(2026, 4, 2))
    assert late.phase.number == 2
    assert {t.title: t.status for t in late.tasks} == {"Việc xong đúng hạn": "done", "Việc chưa làm": "late"}
    assert {t.title: t.unit for t in late.tasks} == {"Việc xong đúng hạn": "Chi bộ Một", "Việc chưa làm": "Các chi bộ"}


def test_empty_database_has_no_status(db):
    report = compute_status(db, D(2026, 1, 1))
    assert report.phase is None and report.targets == [] and report.tasks == []
