"""Storage and concurrency on BOTH backends: a SQLite file and a real PostgreSQL server
(started by tests/pg/conftest.py). The same migrations, defaults, JSON, transactions,
version counters, conflict handling, logins and checks must work on each."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.services import accounts, auth, safety
from bdhvs_desktop.services.audit import history
from bdhvs_desktop.services.maintenance import check_database
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database
from bdhvs_desktop.storage.schema_version import SCHEMA_HEAD


def _seed(db):
    with db.session() as s:
        camp = m.Campaign(code="C1", name="Phong trào thử", start_date=dt.date(2025, 12, 1),
                          end_date=dt.date(2026, 12, 31), details={"ghi_chú": "Bình dân học vụ số", "số": [1, 2]})
        unit = m.Unit(code="U1", name="Tổ dân phố 1", kind="to_dan_pho")
        s.add_all([camp, unit])
        s.flush()
        person = m.Person(full_name="Nguyễn Thị Hoà", name_key="nguyen thi hoa", search_key="nguyen thi hoa",
                          unit_id=unit.id, sex="F")
        s.add(person)
        s.flush()
        return camp.id, unit.id, person.id


def test_migrations_reach_head_with_every_model_column(backend_db):
    with backend_db.read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
    insp = inspect(backend_db.engine)
    for table in m.Base.metadata.sorted_tables:
        columns = {c["name"] for c in insp.get_columns(table.name)}
        assert {c.name for c in table.columns} <= columns, table.name


def test_defaults_booleans_and_json_round_trip(backend_db):
    camp_id, unit_id, person_id = _seed(backend_db)
    with backend_db.read() as s:
        unit = s.get(m.Unit, unit_id)
        person = s.get(m.Person, person_id)
        camp = s.get(m.Campaign, camp_id)
        assert unit.active is True and unit.is_party_org is False and unit.version == 1
        assert person.is_party_member is False and person.people_guided == 0
        assert camp.details == {"ghi_chú": "Bình dân học vụ số", "số": [1, 2]}
        assert s.scalar(select(m.Unit.id).where(m.Unit.active.is_(True))) == unit_id


def test_write_transaction_is_all_or_nothing(backend_db):
    with pytest.raises(RuntimeError):
        with backend_db.session() as s:
            s.add(m.Unit(code="A", name="Đơn vị A", kind="khac"))
            s.flush()
            s.add(m.Unit(code="B", name="Đơn vị B", kind="khac"))
            s.flush()
            raise RuntimeError("mất điện giữa chừng")
    with backend_db.read() as s:
        assert s.scalars(select(m.Unit.code).where(m.Unit.code.in_(["A", "B"]))).all() == []


def test_every_editable_record_has_a_version_counter():
    versioned = [mapper.class_ for mapper in m.Base.registry.mappers if issubclass(mapper.class_, m.Versioned)]
    assert len(versioned) >= 20
    for cls in versioned:
        assert cls.__mapper__.version_id_col is not None, cls.__name__
    # Records people edit must be among them.
    for cls in (m.Person, m.Unit, m.Candidate, m.Vote, m.ManualResult, m.CouncilMeeting, m.MemberScore, m.AppUser):
        assert cls in versioned


def test_second_workstation_gets_stale_data_error(backend_url):
    """Two workstations load the same person; the second save of a stale copy is refused."""
    ws1, ws2 = open_database(backend_url), open_database(backend_url)
    try:
        _, _, pid = _seed(ws1)
        # Each workstation loads the person into its form (a read; no lock is held while editing).
        with ws1.read() as s:
            p1 = s.get(m.Person, pid)
        with ws2.read() as s:
            p2 = s.get(m.Person, pid)
        p1.position = "Tổ trưởng"
        with ws1.session() as s:
            s.add(p1)
        p2.position = "Tổ phó"
        with pytest.raises(StaleDataError):
            with ws2.session() as s:
                s.add(p2)
        with ws1.read() as s:
            person = s.get(m.Person, pid)
            assert (person.position, person.version) == ("Tổ trưởng", 2)
    finally:
        ws1.dispose()
        ws2.dispose()


@pytest.mark.parametrize("field,first,second", [
    ("position", "Tổ trưởng", "Tổ phó"),
    ("vneid_proficient_on", dt.date(2026, 3, 1), dt.date(2026, 3, 20)),
])
def test_conflict_loses_nothing_and_retry_saves(backend_url, field, first, second):
    ws1, ws2 = open_database(backend_url), open_database(backend_url)
    ws1.user, ws2.user = "may-1", "may-2"
    try:
        _, _, pid = _seed(ws1)
        with ws2.read() as s:
            loaded_version = s.get(m.Person, pid).version  # workstation 2 opens the form
        assert safety.save_changes(ws1, m.Person, pid, loaded_version, {field: first}) == loaded_version + 1
        mine = {field: second, "phone": "0901234567"}
        with pytest.raises(safety.EditConflict) as info:
            safety.save_changes(ws2, m.Person, pid, loaded_version, mine)
        conflict = info.value
        assert "vừa được người khác sửa trên máy khác" in str(conflict)
        assert conflict.mine == mine  # what workstation 2 typed is still there
        assert conflict.theirs[field] == first and conflict.current_version == loaded_version + 1
        assert set(conflict.differing) == {field, "phone"}
        with ws1.read() as s:
            person = s.get(m.Person, pid)
            assert getattr(person, field) == first and person.phone is None  # nothing half-written
        # After reviewing, workstation 2 saves again against the current version.
        safety.save_changes(ws2, m.Person, pid, conflict.current_version, conflict.mine)
        with ws1.read() as s:
            person = s.get(m.Person, pid)
            assert getattr(person, field) == second and person.phone == "0901234567"
            assert person.version == loaded_version + 2
            rows = history(s, "person", pid)
        assert [(r.user, r.field) for r in rows if r.field == field] == [("may-2", field), ("may-1", field)]
    finally:
        ws1.dispose()
        ws2.dispose()


def test_deleted_record_is_a_conflict_too(backend_db):
    _, unit_id, _ = _seed(backend_db)
    with backend_db.session() as s:
        s.delete(s.get(m.Unit, unit_id))
    with pytest.raises(safety.EditConflict, match="bị người khác xóa"):
        safety.save_changes(backend_db, m.Unit, unit_id, 1, {"name": "Tổ 1 mới"})


def test_concurrent_increments_lose_no_update(backend_url):
    """Four workstations each add 1 to a counter 15 times, retrying on conflict: no update is lost."""
    setup = open_database(backend_url)
    _, _, pid = _seed(setup)
    setup.dispose()
    errors: list[BaseException] = []
    conflicts = [0]
    per_worker, workers = 15, 4

    def worker(n: int) -> None:
        db = open_database(backend_url)
        db.user = f"may-{n}"
        try:
            done = 0
            while done < per_worker:
                with db.read() as s:
                    p = s.get(m.Person, pid)
                    version, value = p.version, p.people_guided
                try:
                    safety.save_changes(db, m.Person, pid, version, {"people_guided": value + 1}, audit_log=False)
                    done += 1
                except safety.EditConflict:
                    conflicts[0] += 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    check = open_database(backend_url)
    try:
        with check.read() as s:
            p = s.get(m.Person, pid)
            assert p.people_guided == per_worker * workers
            assert p.version == 1 + per_worker * workers
    finally:
        check.dispose()


def test_users_and_roles(backend_db):
    info = accounts.add_user(backend_db, "ThuKy.Phuong", "Trần Văn Bình", "secretary", "mat-khau-thu-ky-1")
    assert info.username == "thuky.phuong"
    accounts.login(backend_db, "thuky.phuong", "mat-khau-thu-ky-1")  # accounts are the secretary's to manage
    accounts.add_user(backend_db, "hoidong1", "Lê Thị Cúc", "council_member", "mat-khau-2")
    accounts.add_user(backend_db, "xem", "Phạm Văn Dũng", "viewer", "mat-khau-3")
    with backend_db.read() as s:
        stored = s.scalar(select(m.AppUser.password_hash).where(m.AppUser.username == "hoidong1"))
    assert stored.startswith("$argon2id$") and "mat-khau-2" not in stored
    with pytest.raises(auth.AuthError, match="không đúng"):
        accounts.login(backend_db, "hoidong1", "sai-mat-khau")
    user = accounts.login(backend_db, "HoiDong1", "mat-khau-2")
    assert user.role == "council_member" and backend_db.user == "hoidong1"
    auth.require_role(backend_db, "council_member")
    with pytest.raises(auth.PermissionDenied, match="Thư ký"):
        auth.require_role(backend_db, "secretary")
    accounts.login(backend_db, "xem", "mat-khau-3")
    with pytest.raises(auth.PermissionDenied, match="chỉ được xem"):
        with backend_db.session() as s:
            s.add(m.Unit(code="V", name="Viewer thử", kind="khac"))
    with backend_db.read() as s:  # reading still works, and nothing was written
        assert s.scalar(select(m.Unit).where(m.Unit.code == "V")) is None
    accounts.login(backend_db, "thuky.phuong", "mat-khau-thu-ky-1")  # a secretary on the same connection may write again
    accounts.disable_user(backend_db, "xem")
    with pytest.raises(auth.AuthError, match="đã bị khóa"):
        accounts.login(backend_db, "xem", "mat-khau-3")


def test_check_reports_a_broken_decision_chain(backend_db):
    from bdhvs_desktop.services import audit

    _seed(backend_db)
    with backend_db.session() as s:
        for n in range(3):
            audit.record(s, user="thu-ky", action="decide", entity="candidate", entity_id=n, field="status",
                         old="proposed", new="approved", chained=True)
    findings = check_database(backend_db)
    assert not [f for f in findings if f.level == "error"], findings
    with backend_db.session() as s:
        s.execute(text("UPDATE audit_log SET new_value = 'rejected' WHERE id = "
                       "(SELECT min(id) FROM audit_log WHERE chained = :t)"), {"t": True})
    errors = [f.message for f in check_database(backend_db) if f.level == "error"]
    assert any("Chuỗi nhật ký" in e for e in errors) and any("đã bị sửa" in e for e in errors)


def test_upgrade_from_the_first_revision(empty_backend_url):
    """The same migrations bring an older database, with its data, to head on both backends."""
    from bdhvs_desktop.storage.engine import make_engine
    from bdhvs_desktop.storage.migrate import current_revision, upgrade_to_head

    upgrade_to_head(empty_backend_url, target="0001")
    engine = make_engine(empty_backend_url)
    try:
        assert current_revision(engine) == "0001"
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO person (full_name, name_key, search_key, is_party_member, "
                              "is_public_servant, can_guide, people_guided, under_discipline, version, created_at, "
                              "updated_at) VALUES ('Hà Thị Thu', 'ha thi thu', 'ha thi thu', :f, :f, :f, 0, :f, 1, "
                              ":now, :now)"), {"f": False, "now": dt.datetime(2026, 1, 2)})
    finally:
        engine.dispose()
    upgrade_to_head(empty_backend_url)
    db = open_database(empty_backend_url)
    try:
        with db.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
            assert s.scalar(select(m.Person.full_name)) == "Hà Thị Thu"
    finally:
        db.dispose()


def test_demo_ward_and_check_on_each_backend(backend_db, monkeypatch):
    from bdhvs_desktop.cli import main
    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.services.demo import create_demo

    act_as_administrator(backend_db)  # a program holding the database's credentials itself
    counts = create_demo(backend_db)
    assert counts["people"] > 100
    findings = check_database(backend_db)
    assert not [f for f in findings if f.level == "error"], findings
    url = backend_db.engine.url.render_as_string(hide_password=False)
    # The command line logs in on a shared database (ignored on a SQLite file).
    accounts.add_user(backend_db, "thuky", "Đỗ Thị Thu", "secretary", "Mat-khau-dai-01")
    monkeypatch.setenv("BDHVS_USER", "thuky")
    monkeypatch.setenv("BDHVS_PASSWORD", "Mat-khau-dai-01")
    assert main(["--db", url, "check"]) == 0


def _records(s):
    """One record of each kind people edit concurrently: {name: (model, id, field, value1, value2)}."""
    camp = m.Campaign(code="C2", name="PT", start_date=dt.date(2025, 12, 1), end_date=dt.date(2026, 12, 31))
    unit = m.Unit(code="U2", name="Chi bộ 2", kind="chi_bo")
    s.add_all([camp, unit])
    s.flush()
    person = m.Person(full_name="Bùi Văn Tâm", name_key="bui van tam", search_key="bui van tam", unit_id=unit.id)
    member = m.CouncilMember(campaign_id=camp.id, full_name="Chủ tịch Hội đồng")
    meeting = m.CouncilMeeting(campaign_id=camp.id, held_at=dt.datetime(2026, 11, 5, 8))
    cs = m.CriteriaSet(campaign_id=camp.id, code="TT", name="Tập thể", subject_kind="tap_the")
    s.add_all([person, member, meeting, cs])
    s.flush()
    crit = m.Criterion(criteria_set_id=cs.id, code="K1", name="Mô hình", type="points", method="manual")
    cand = m.Candidate(campaign_id=camp.id, subject_type="unit", unit_id=unit.id, subject_kind="tap_the")
    s.add_all([crit, cand])
    s.flush()
    result = m.ManualResult(criterion_id=crit.id, subject_type="unit", subject_id=unit.id, passed=True)
    vote = m.Vote(meeting_id=meeting.id, candidate_id=cand.id, votes_for=3)
    score = m.MemberScore(meeting_id=meeting.id, candidate_id=cand.id, member_id=member.id, points=80)
    s.add_all([result, vote, score])
    s.flush()
    return {
        "person": (m.Person, person.id, "vneid_verified_by", "Tổ trưởng", "Bí thư"),
        "unit": (m.Unit, unit.id, "name", "Chi bộ 2A", "Chi bộ 2B"),
        "candidate": (m.Candidate, cand.id, "summary", "Bản của máy 1", "Bản của máy 2"),
        "manual_result": (m.ManualResult, result.id, "points", 5.0, 7.0),
        "vote": (m.Vote, vote.id, "votes_for", 4, 5),
        "member_score": (m.MemberScore, score.id, "points", 85.0, 90.0),
        "meeting": (m.CouncilMeeting, meeting.id, "place", "Hội trường A", "Phòng họp B"),
    }


def test_each_kind_of_record_refuses_a_stale_save(backend_url):
    """Version counters on the records of people, scores, manual criteria and votes: the
    second workstation's stale save is refused on every one of them, on both backends."""
    ws1, ws2 = open_database(backend_url), open_database(backend_url)
    try:
        with ws1.session() as s:
            records = _records(s)
        for name, (model, rid, field, v1, v2) in records.items():
            with ws2.read() as s:
                stale = s.get(model, rid).version
            safety.save_changes(ws1, model, rid, stale, {field: v1})
            with pytest.raises(safety.EditConflict) as info:
                safety.save_changes(ws2, model, rid, stale, {field: v2})
            assert info.value.mine == {field: v2} and info.value.theirs == {field: v1}, name
            with ws1.read() as s:
                assert getattr(s.get(model, rid), field) == v1, name
    finally:
        ws1.dispose()
        ws2.dispose()
