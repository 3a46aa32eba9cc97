"""Roles that hold on a shared PostgreSQL database (issue #15, points 9-11), tried as an attacker
would: the application's own database role editing the audit log or the user table by hand, a
viewer driving the command line, hand-written SQL slipped past a string test, a database
password left in `ps`, a weak password."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bdhvs_desktop.services import accounts, auth
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database

PASSWORD_GROUP = "bdhvs_password_login"  # tests/pg/conftest.py: members log in with a password (SCRAM)

SECRETARY_PW = "Thu-ky-phuong-2026"
MEMBER_PW = "Hoi-dong-phuong-2026"
VIEWER_PW = "Chi-xem-phuong-2026"
APP_PW = "Ung-dung-may-tram-7"


def _psycopg_connect(url: str, **overrides):
    import psycopg

    u = make_url(url)
    kw = dict(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
    kw.update(overrides)
    return psycopg.connect(**{k: v for k, v in kw.items() if v is not None})


def _admin(server_url: str):
    return _psycopg_connect(server_url, autocommit=True)


@pytest.fixture
def cli_env(monkeypatch, user_home):
    for name in ("BDHVS_USER", "BDHVS_PASSWORD", "BDHVS_DB_PASSWORD", "BDHVS_APP_PASSWORD", "PGPASSWORD",
                 "PGPASSFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(user_home / "no-such-pgpass"))
    return monkeypatch


def _office(url: str) -> None:
    """A secretary (the first account needs no login), a council member and a viewer."""
    db = open_database(url)
    try:
        accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", SECRETARY_PW)
        accounts.login(db, "thuky", SECRETARY_PW)
        accounts.add_user(db, "hoidong", "Lê Văn Cường", "council_member", MEMBER_PW)
        accounts.add_user(db, "xem", "Phạm Văn Dũng", "viewer", VIEWER_PW)
        with db.session() as s:
            s.add(m.Unit(code="U1", name="Tổ dân phố 1", kind="to_dan_pho"))
    finally:
        db.dispose()


def _app_role(pg_server, pg_url, cli_env) -> tuple[str, str]:
    """`bdhvs server setup` run with the owner's URL; returns (app role, app URL without password)."""
    from bdhvs_desktop.cli import main

    role = f"bdhvs_app_{uuid.uuid4().hex[:8]}"
    with _admin(pg_server) as conn:
        conn.execute(f"DO $$ BEGIN CREATE ROLE {PASSWORD_GROUP} NOLOGIN; "
                     "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    cli_env.setenv("BDHVS_APP_PASSWORD", APP_PW)
    assert main(["--db", pg_url, "server", "setup", "--app-role", role]) == 0
    cli_env.delenv("BDHVS_APP_PASSWORD")
    with _admin(pg_server) as conn:
        conn.execute(f"GRANT {PASSWORD_GROUP} TO {role}")
    app_url = make_url(pg_url).set(username=role, password=None).render_as_string(hide_password=False)
    return role, app_url


# --- point 9: the application's database role cannot rewrite the audit log or the accounts ------------------

def test_app_role_cannot_rewrite_the_audit_log_or_the_accounts(pg_server, pg_url, cli_env, capsys):
    _office(pg_url)
    role, app_url = _app_role(pg_server, pg_url, cli_env)
    out = capsys.readouterr().out
    assert role in out and "nhật ký" in out
    # The server demands the app role's password: no password, no connection.
    import psycopg

    with pytest.raises(psycopg.OperationalError):
        _psycopg_connect(app_url).close()
    with _psycopg_connect(app_url, password=APP_PW, autocommit=True) as conn:
        # Ordinary work is allowed...
        conn.execute("UPDATE unit SET name = 'Tổ dân phố số 1' WHERE code = 'U1'")
        conn.execute("INSERT INTO audit_log (at, \"user\", action, entity, chained) "
                     "VALUES (now(), 'thuky', 'update', 'unit', false)")
        assert conn.execute("SELECT count(*) FROM app_user").fetchone()[0] == 3
        # ...rewriting history or the accounts is not, whatever the SQL looks like.
        for sql in ("UPDATE audit_log SET \"user\" = 'thuky'",
                    "DELETE FROM audit_log",
                    "TRUNCATE audit_log",
                    "/* x */ UPDATE audit_log SET note = 'sửa'",
                    "UPDATE app_user SET role = 'secretary' WHERE username = 'xem'",
                    "UPDATE app_user SET password_hash = 'x' WHERE username = 'thuky'",
                    "DELETE FROM app_user",
                    "INSERT INTO app_user (username, full_name, role, password_hash, active, version, created_at) "
                    "VALUES ('ke-gian', 'Kẻ gian', 'secretary', 'x', true, 1, now())",
                    "DROP TABLE audit_log",
                    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                    "CREATE TABLE ke_gian (x int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with _psycopg_connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT role FROM app_user WHERE username = 'xem'").fetchone()[0] == "viewer"
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 4


def test_setup_is_idempotent_and_covers_tables_added_later(pg_server, pg_url, cli_env):
    import psycopg

    from bdhvs_desktop.cli import main
    from bdhvs_desktop.storage.pg_roles import reapply_app_grants

    role, app_url = _app_role(pg_server, pg_url, cli_env)
    # A later migration (run by the owner) adds an ordinary table and another audit table.
    with _psycopg_connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE later_table (id serial PRIMARY KEY, x int)")
        conn.execute("CREATE TABLE audit_later (id serial PRIMARY KEY, code text)")
    engine = open_database(pg_url).engine
    try:
        reapply_app_grants(engine)
    finally:
        engine.dispose()
    # Running setup again keeps the role and its password (no password asked).
    assert main(["--db", pg_url, "server", "setup", "--app-role", role]) == 0
    with _psycopg_connect(app_url, password=APP_PW, autocommit=True) as conn:
        conn.execute("INSERT INTO later_table (x) VALUES (1)")
        conn.execute("UPDATE later_table SET x = 2")
        conn.execute("INSERT INTO audit_later (code) VALUES ('A')")
        for table in ("audit_later", "audit_anchor"):  # a later audit table, and the anchors (t15-audit)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"UPDATE {table} SET id = id")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"DELETE FROM {table}")


def test_setup_refuses_a_role_that_is_not_the_owner(pg_server, pg_url, cli_env, capsys):
    from bdhvs_desktop.cli import main

    _role, app_url = _app_role(pg_server, pg_url, cli_env)
    capsys.readouterr()
    cli_env.setenv("BDHVS_DB_PASSWORD", APP_PW)
    assert main(["--db", app_url, "server", "setup", "--app-role", "bdhvs_khac"]) != 0
    err = capsys.readouterr().err
    assert "chủ sở hữu" in err


# --- point 9: the command line logs in and does only what the role allows ------------------------------------

def _cli(args, cli_env, *, user=None, password=None, stdin=None):
    from bdhvs_desktop.cli import main

    if user is None:
        cli_env.delenv("BDHVS_USER", raising=False)
    else:
        cli_env.setenv("BDHVS_USER", user)
    if password is None:
        cli_env.delenv("BDHVS_PASSWORD", raising=False)
    else:
        cli_env.setenv("BDHVS_PASSWORD", password)
    cli_env.setattr("sys.stdin", io.StringIO(stdin or ""))
    return main(args)


def test_viewer_on_the_command_line_cannot_reset_reopen_or_disable(pg_url, cli_env, capsys):
    _office(pg_url)
    capsys.readouterr()
    # No login: nothing at all on a shared database.
    assert _cli(["--db", pg_url, "users", "passwd", "thuky"], cli_env, stdin="Mat-khau-cua-ke-gian\n") != 0
    assert "đăng nhập" in capsys.readouterr().err
    # The viewer, logged in properly, is refused every administrator's action.
    for args in (["users", "passwd", "thuky"], ["users", "disable", "hoidong"],
                 ["users", "add", "kegian", "--name", "Kẻ Gian", "--role", "secretary"],
                 ["council", "reopen", "1", "--reason", "Viewer thử mở lại"]):
        code = _cli(["--db", pg_url, *args], cli_env, user="xem", password=VIEWER_PW,
                    stdin="Mat-khau-cua-ke-gian\n")
        assert code != 0, args
        assert "không có quyền" in capsys.readouterr().err, args
    # A wrong password is a refused login, not an anonymous administrator.
    assert _cli(["--db", pg_url, "users", "list"], cli_env, user="thuky", password="sai-mat-khau-roi") != 0
    assert "không đúng" in capsys.readouterr().err
    db = open_database(pg_url)
    try:
        assert accounts.login(db, "thuky", SECRETARY_PW).role == "secretary"  # password unchanged
        assert [u.username for u in accounts.list_users(db) if u.active] == ["hoidong", "thuky", "xem"]
    finally:
        db.dispose()
    # The secretary may, and the audit log names her, not a default "thu-ky".
    assert _cli(["--db", pg_url, "users", "disable", "xem"], cli_env, user="thuky", password=SECRETARY_PW) == 0
    db = open_database(pg_url)
    try:
        with db.read() as s:
            entry = s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "app_user",
                                                          m.AuditEntry.field == "active")).one()
        assert entry.user == "thuky"
    finally:
        db.dispose()


def test_cli_login_password_from_a_prompt(pg_url, cli_env, capsys):
    import getpass

    _office(pg_url)
    asked = []
    cli_env.setattr(getpass, "getpass", lambda prompt="": asked.append(prompt) or MEMBER_PW)
    cli_env.setattr("sys.stdin", io.StringIO(""))
    cli_env.setattr("sys.stdin.isatty", lambda: True)
    cli_env.setenv("BDHVS_USER", "hoidong")
    from bdhvs_desktop.cli import main

    assert main(["--db", pg_url, "users", "list"]) == 0
    assert any("hoidong" in p for p in asked)
    assert "thuky" in capsys.readouterr().out
    # The user name as an option works too; the password never is one.
    cli_env.delenv("BDHVS_USER")
    assert main(["--db", pg_url, "--user", "hoidong", "users", "list"]) == 0
    with pytest.raises(SystemExit):
        main(["--db", pg_url, "--user", "hoidong", "--password", MEMBER_PW, "users", "list"])


# --- point 10: role checks in the services, a read-only transaction from the server ---------------------------

def test_viewer_and_member_cannot_manage_users(backend_db):
    db = backend_db
    accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", SECRETARY_PW)
    accounts.login(db, "thuky", SECRETARY_PW)
    accounts.add_user(db, "hoidong", "Lê Văn Cường", "council_member", MEMBER_PW)
    accounts.add_user(db, "xem", "Phạm Văn Dũng", "viewer", VIEWER_PW)
    for who, pw in (("xem", VIEWER_PW), ("hoidong", MEMBER_PW)):
        accounts.login(db, who, pw)
        with pytest.raises(auth.PermissionDenied, match="không có quyền"):
            accounts.add_user(db, "kegian", "Kẻ Gian", "secretary", "Mat-khau-ke-gian-1")
        with pytest.raises(auth.PermissionDenied, match="không có quyền"):
            accounts.set_password(db, "thuky", "Mat-khau-ke-gian-1")
        with pytest.raises(auth.PermissionDenied, match="không có quyền"):
            accounts.set_active(db, "thuky", False)
        with pytest.raises(auth.PermissionDenied, match="không có quyền"):
            accounts.disable_user(db, "hoidong")
    accounts.logout(db)
    if not db.is_sqlite:  # nobody logged in on a shared database: no account changes either
        with pytest.raises(auth.PermissionDenied, match="đăng nhập"):
            accounts.set_password(db, "thuky", "Mat-khau-ke-gian-1")
    assert accounts.login(db, "thuky", SECRETARY_PW).role == "secretary"
    assert [(u.username, u.active) for u in accounts.list_users(db)] == [("hoidong", True), ("thuky", True),
                                                                     ("xem", True)]


@pytest.mark.parametrize("sql", [
    "/* x */ UPDATE unit SET name = 'Viewer sửa'",
    "-- x\nUPDATE unit SET name = 'Viewer sửa'",
    "WITH t AS (SELECT 1) UPDATE unit SET name = 'Viewer sửa'",
    "  (SELECT 1); DELETE FROM unit",
])
def test_viewer_session_is_read_only_at_the_server(backend_db, sql):
    db = backend_db
    accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", SECRETARY_PW)
    accounts.login(db, "thuky", SECRETARY_PW)
    accounts.add_user(db, "xem", "Phạm Văn Dũng", "viewer", VIEWER_PW)
    with db.session() as s:
        s.add(m.Unit(code="U1", name="Tổ dân phố 1", kind="to_dan_pho"))
    accounts.login(db, "xem", VIEWER_PW)
    if db.is_sqlite and ";" in sql:
        pytest.skip("the sqlite3 driver runs one statement per call")
    with pytest.raises(auth.PermissionDenied, match="chỉ được xem"):
        with db.session() as s:
            s.execute(text(sql))
    if not db.is_sqlite:
        with db.read() as s:
            assert s.execute(text("SHOW transaction_read_only")).scalar() == "on"
    with db.read() as s:
        assert s.scalars(select(m.Unit.name)).all() == ["Tổ dân phố 1"]
    accounts.login(db, "thuky", SECRETARY_PW)  # the same connections write again for a secretary
    with db.session() as s:
        s.execute(text("/* ok */ UPDATE unit SET name = 'Tổ 1'"))
    with db.read() as s:
        assert s.scalars(select(m.Unit.name)).all() == ["Tổ 1"]


# --- point 11: no database password in argv, weak passwords refused --------------------------------------------

def test_password_in_db_url_warns(pg_url, cli_env, capsys):
    _office(pg_url)
    with_password = make_url(pg_url).set(password="lo-trong-ps").render_as_string(hide_password=False)
    assert _cli(["--db", with_password, "users", "list"], cli_env, user="thuky", password=SECRETARY_PW) == 0
    err = capsys.readouterr().err
    assert "Cảnh báo" in err and "ps" in err and "BDHVS_DB_PASSWORD" in err
    assert "lo-trong-ps" not in err
    # Without a password in the URL: no warning.
    assert _cli(["--db", pg_url, "users", "list"], cli_env, user="thuky", password=SECRETARY_PW) == 0
    assert "Cảnh báo" not in capsys.readouterr().err


def test_database_password_from_env_pgpass_or_prompt(pg_server, pg_url, cli_env, capsys, tmp_path):
    import getpass

    _office(pg_url)
    role, app_url = _app_role(pg_server, pg_url, cli_env)
    capsys.readouterr()
    args = ["--db", app_url, "users", "list"]
    # Neither environment, nor pgpass, nor a terminal: a clear refusal.
    assert _cli(args, cli_env, user="thuky", password=SECRETARY_PW) == 3
    err = capsys.readouterr().err
    assert "mật khẩu" in err and "BDHVS_DB_PASSWORD" in err
    # From the environment.
    cli_env.setenv("BDHVS_DB_PASSWORD", APP_PW)
    assert _cli(args, cli_env, user="thuky", password=SECRETARY_PW) == 0
    assert "thuky" in capsys.readouterr().out
    cli_env.delenv("BDHVS_DB_PASSWORD")
    # From a pgpass file (libpq's own format and rules).
    pgpass = tmp_path / "pgpass"
    u = make_url(app_url)
    pgpass.write_text(f"{u.host}:{u.port}:{u.database}:{role}:{APP_PW}\n")
    os.chmod(pgpass, 0o600)
    cli_env.setenv("PGPASSFILE", str(pgpass))
    assert _cli(args, cli_env, user="thuky", password=SECRETARY_PW) == 0
    cli_env.setenv("PGPASSFILE", str(tmp_path / "none"))
    # From a prompt on a terminal.
    asked = []
    cli_env.setattr(getpass, "getpass", lambda prompt="": asked.append(prompt) or APP_PW)
    cli_env.setattr("sys.stdin", io.StringIO(""))
    cli_env.setattr("sys.stdin.isatty", lambda: True)
    cli_env.setenv("BDHVS_USER", "thuky")
    cli_env.setenv("BDHVS_PASSWORD", SECRETARY_PW)
    from bdhvs_desktop.cli import main

    assert main(args) == 0
    assert any(role in p for p in asked)
    # Through the app role, the secretary is told where user administration happens.
    cli_env.setenv("BDHVS_DB_PASSWORD", APP_PW)
    assert _cli(["--db", app_url, "users", "disable", "xem"], cli_env, user="thuky", password=SECRETARY_PW) != 0
    assert "chủ sở hữu" in capsys.readouterr().err


@pytest.mark.parametrize("password, message", [
    ("Ngan-1", "ít nhất 10 ký tự"),
    ("123456789", "ít nhất 10 ký tự"),
    ("1234567890", "quá phổ biến"),
    ("Matkhau123", "quá phổ biến"),
    ("PASSWORD123", "quá phổ biến"),
    ("qwertyuiop", "quá phổ biến"),
])
def test_weak_passwords_are_refused(backend_db, password, message):
    with pytest.raises(auth.AuthError, match=message):
        accounts.add_user(backend_db, "thuky", "Đỗ Thị Thu", "secretary", password)
    accounts.add_user(backend_db, "thuky", "Đỗ Thị Thu", "secretary", SECRETARY_PW)
    accounts.login(backend_db, "thuky", SECRETARY_PW)
    with pytest.raises(auth.AuthError, match=message):
        accounts.set_password(backend_db, "thuky", password)
    assert accounts.login(backend_db, "thuky", SECRETARY_PW).username == "thuky"


def test_ordinary_work_and_decisions_through_the_app_role(pg_server, pg_url, cli_env):
    """The app role is enough for the whole demo ward (records, council decisions, chained
    audit entries) and for `bdhvs check`, which then finds nothing wrong."""
    from bdhvs_desktop.services.demo import create_demo
    from bdhvs_desktop.services.maintenance import check_database

    _office(pg_url)
    _role, app_url = _app_role(pg_server, pg_url, cli_env)
    db = open_database(app_url, password=APP_PW)
    try:
        accounts.login(db, "thuky", SECRETARY_PW)
        counts = create_demo(db)
        assert counts["people"] > 100
        errors = [f.message for f in check_database(db) if f.level == "error"]
        assert not errors, errors
        with db.read() as s:
            assert s.scalar(select(m.AuditEntry.user).where(m.AuditEntry.chained.is_(True))
                            .order_by(m.AuditEntry.id.desc()).limit(1)) == "thuky"
    finally:
        db.dispose()
    cli_env.setenv("BDHVS_DB_PASSWORD", APP_PW)
    assert _cli(["--db", app_url, "check"], cli_env, user="xem", password=VIEWER_PW) == 0


def test_a_workstation_cannot_upgrade_the_schema_and_is_told_who_can(pg_server, pg_url, cli_env):
    from bdhvs_desktop.storage.engine import DatabaseError

    role, app_url = _app_role(pg_server, pg_url, cli_env)
    with _psycopg_connect(pg_url, autocommit=True) as conn:  # as if this program were newer than the schema
        conn.execute("UPDATE alembic_version SET version_num = '0002'")
    with pytest.raises(DatabaseError, match="server setup") as refused:
        open_database(app_url, password=APP_PW)
    assert role in str(refused.value) and "chủ sở hữu" in str(refused.value)
    with _psycopg_connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"


def test_the_criteria_level_migration_keeps_the_app_roles_rights(pg_server, pg_url, cli_env):
    """Migration 0006 (criteria_set.level) on a shared database whose app role was set up before
    it: the owner upgrades, the grants are re-applied, the workstations keep working on the table."""
    from alembic import command

    from bdhvs_desktop.services.campaign import init_campaign
    from bdhvs_desktop.storage.migrate import alembic_config, upgrade_to_head

    db = open_database(pg_url)
    try:
        accounts.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", SECRETARY_PW)
        accounts.login(db, "thuky", SECRETARY_PW)
        init_campaign(db, "la-gi-004")
    finally:
        db.dispose()
    engine = open_database(pg_url).engine
    try:
        with engine.connect() as conn:  # the office's database as it was before 0006
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
            conn.commit()
    finally:
        engine.dispose()
    role, app_url = _app_role(pg_server, pg_url, cli_env)
    upgrade_to_head(pg_url)
    with _psycopg_connect(app_url, password=APP_PW, autocommit=True) as conn:
        levels = {r[0] for r in conn.execute("SELECT DISTINCT level FROM criteria_set").fetchall()}
        assert levels == {"ward"}  # the sets kept from before are the ward's
        conn.execute("UPDATE criteria_set SET level = 'province' WHERE code = 'TC_TINH_CA_NHAN'")
        campaign = conn.execute("SELECT id FROM campaign").fetchone()[0]
        conn.execute("INSERT INTO criteria_set (campaign_id, code, name, subject_kind, version) "
                     "VALUES (%s, 'TC_MOI', 'Bộ mới', 'individual', 1)", (campaign,))
        assert conn.execute("SELECT level FROM criteria_set WHERE code = 'TC_MOI'").fetchone()[0] == "ward"
