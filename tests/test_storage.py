"""Storage: migrations, pragmas, write transactions, version counters, network shares."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import DatabaseError, network_share_reason, open_database, resolve_url
from bdhvs_desktop.storage.migrate import head_revision, upgrade_to_head
from bdhvs_desktop.storage.schema_version import SCHEMA_HEAD


def test_schema_head_constant_matches_migrations():
    assert SCHEMA_HEAD == head_revision()


def test_new_database_is_at_head_with_pragmas(db):
    with db.read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_migrations_match_models(db):
    """The migrated schema has every table and column of the models."""
    from sqlalchemy import inspect

    insp = inspect(db.engine)
    for table in m.Base.metadata.sorted_tables:
        columns = {c["name"] for c in insp.get_columns(table.name)}
        assert {c.name for c in table.columns} <= columns, table.name


def test_write_session_rolls_back_whole_on_error(db):
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.add(m.Unit(code="A", name="Đơn vị A", kind="khac"))
            s.flush()
            raise RuntimeError("boom")
    with db.read() as s:
        assert s.scalar(select(m.Unit).where(m.Unit.code == "A")) is None


def test_write_transaction_takes_the_lock_up_front(db):
    """A second writer waits (busy_timeout) instead of failing a read-then-write upgrade."""
    with db.session() as s:
        mode = s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert mode == 15000
    other = sqlite3.connect(db.path, timeout=0.1, isolation_level=None)
    with db.session() as s:
        s.add(m.Unit(code="B", name="B", kind="khac"))
        s.flush()
        # The session holds the RESERVED lock from BEGIN IMMEDIATE: another writer cannot start.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_version_counter_detects_a_stale_save(db):
    with db.session() as s:
        s.add(m.Unit(code="V", name="Cũ", kind="khac"))
    with db.read() as s:
        stale = s.scalar(select(m.Unit).where(m.Unit.code == "V"))
    with db.session() as s:
        fresh = s.scalar(select(m.Unit).where(m.Unit.code == "V"))
        fresh.name = "Máy 1"
    with pytest.raises(StaleDataError):
        with db.session() as s:
            merged = s.merge(stale, load=False)
            merged.name = "Máy 2"
    with db.read() as s:
        assert s.scalar(select(m.Unit.name).where(m.Unit.code == "V")) == "Máy 1"


def test_upgrade_old_database_with_data_keeps_data_and_makes_backup(tmp_path, user_home):
    path = tmp_path / "old.sqlite3"
    url = resolve_url(path)
    upgrade_to_head(url, backup=False, target="0001")
    con = sqlite3.connect(path)
    con.execute("INSERT INTO unit (code, name, kind, is_party_org, active, version) VALUES ('U1', 'Tổ dân phố 1', 'to_dan_pho', 0, 1, 1)")
    con.execute(
        "INSERT INTO person (full_name, name_key, search_key, unit_id, is_party_member, is_public_servant, can_guide,"
        " people_guided, under_discipline, created_at, updated_at, version, vneid_proficient_on)"
        " VALUES ('Nguyễn Thị Hoà', 'nguyen thi hoa2', 'nguyen thi hoa', 1, 1, 0, 1, 3, 0, '2026-01-01', '2026-01-01', 1, '2026-03-31')"
    )
    con.commit()
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    con.close()
    database = open_database(path)
    try:
        with database.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
            person = s.scalar(select(m.Person))
            assert person.full_name == "Nguyễn Thị Hoà"
            assert person.vneid_proficient_on == dt.date(2026, 3, 31)
            indexes = {r[1] for r in s.execute(text("PRAGMA index_list('person')"))}
            assert "ix_person_search_key" in indexes
    finally:
        database.dispose()
    backups = list((user_home / "backups").glob("old-truoc-nang-cap-0001-*.sqlite3"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert con.execute("SELECT full_name FROM person").fetchone()[0] == "Nguyễn Thị Hoà"
    con.close()


def test_database_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    open_database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="phiên bản mới hơn"):
        open_database(path)


def test_foreign_key_violation_is_rejected(db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.session() as s:
            s.add(m.Person(full_name="X", name_key="x", search_key="x", unit_id=999))


@pytest.mark.parametrize("path", ["\\\\server\\share\\bdhvs.sqlite3", "//server/share/bdhvs.sqlite3"])
def test_network_share_is_refused(path):
    assert network_share_reason(path)
    with pytest.raises(DatabaseError, match="PostgreSQL"):
        open_database(path)


def test_local_path_is_not_a_network_share(tmp_path):
    assert network_share_reason(tmp_path / "a.sqlite3") is None


def test_env_and_option_choose_database(tmp_path, monkeypatch):
    from bdhvs_desktop.cli import main

    target = tmp_path / "env.sqlite3"
    monkeypatch.setenv("BDHVS_DB", str(target))
    assert main(["init"]) == 0
    assert target.exists()
    other = tmp_path / "opt.sqlite3"
    assert main(["check", "--db", str(other)]) == 3  # --db after the command; does not exist
    assert main(["--db", str(other), "init"]) == 0
    assert other.exists()


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("hello")
    with pytest.raises(DatabaseError, match="không phải cơ sở dữ liệu SQLite"):
        open_database(junk)
    assert junk.read_text() == "hello"


def test_server_password_is_not_shown_in_messages():
    with pytest.raises(DatabaseError) as info:
        open_database("postgresql+psycopg://nobody:secret-word@127.0.0.1:1/x")
    assert "secret-word" not in str(info.value)
