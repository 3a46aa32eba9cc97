"""The two PostgreSQL roles of a shared office.

* The **owner** (the role that created the database's tables): runs the schema upgrades and the
  administration of accounts (`bdhvs users ...` with the owner's URL, on the server).
* The **application role** (one per office, e.g. `bdhvs_app`), whose URL the workstations use:
  reads and writes the ordinary tables, may only ADD rows to the audit log (no UPDATE, DELETE or
  TRUNCATE on `audit_log` or any later `audit*` table), only READ the accounts (`app_user`) and
  the schema version, and cannot create, alter or drop anything.

`apply_app_grants` runs over every table of the schema, so tables added by a later migration are
covered: the default privileges give the application role ordinary access to new tables, and after
each upgrade the owner re-applies the protected tables' restrictions (`reapply_app_grants`)."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

# The marker by which a later upgrade finds the office's application role(s) again.
APP_ROLE_COMMENT = "bdhvs-desktop: application role (ordinary work, audit log append-only)"
USER_TABLES = ("app_user",)  # read-only for the application role
READ_ONLY_TABLES = ("alembic_version",)
APPEND_ONLY_PREFIX = "audit"  # audit_log and any later audit_* table: SELECT, INSERT only


def table_rights(table: str) -> str:
    """The privileges of the application role on one table."""
    if table.startswith(APPEND_ONLY_PREFIX):
        return "SELECT, INSERT"
    if table in USER_TABLES or table in READ_ONLY_TABLES:
        return "SELECT"
    return "SELECT, INSERT, UPDATE, DELETE"


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def is_owner(conn: Connection) -> bool:
    """Whether the connected role owns the application's tables (or is a superuser)."""
    row = conn.execute(text(
        "SELECT r.rolsuper OR COALESCE((SELECT pg_has_role(current_user, t.tableowner, 'USAGE') "
        "FROM pg_tables t WHERE t.schemaname = current_schema() AND t.tablename = 'app_user'), false) "
        "FROM pg_roles r WHERE r.rolname = current_user")).first()
    return bool(row and row[0])


def role_exists(conn: Connection, role: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def _encrypted(conn: Connection, role: str, password: str) -> str:
    """The SCRAM verifier computed here, so the clear password never reaches the server's logs."""
    try:
        pgconn = conn.connection.dbapi_connection.pgconn  # psycopg 3
        return pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
    except Exception:  # noqa: BLE001 - another driver: let the server hash it
        return password


def ensure_app_role(conn: Connection, role: str, password: str | None) -> bool:
    """Create the application role (LOGIN, no other power) or reset its password; True if created."""
    created = False
    if not role_exists(conn, role):
        if not password:
            raise ValueError("a new role needs a password")
        conn.exec_driver_sql(f"CREATE ROLE {_q(conn, role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
                             "NOREPLICATION NOBYPASSRLS")
        created = True
    else:
        attrs = conn.execute(text("SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls "
                                  "FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        if attrs:
            raise PermissionError(role)
        conn.exec_driver_sql(f"ALTER ROLE {_q(conn, role)} LOGIN NOINHERIT")
    if password:
        conn.exec_driver_sql(f"ALTER ROLE {_q(conn, role)} PASSWORD {_literal(_encrypted(conn, role, password))}")
    conn.exec_driver_sql(f"COMMENT ON ROLE {_q(conn, role)} IS {_literal(APP_ROLE_COMMENT)}")
    return created


def apply_app_grants(conn: Connection, role: str) -> list[tuple[str, str]]:
    """Give `role` exactly the application's rights on every table of the schema; returns
    [(table, rights)]. Run by the owner; idempotent."""
    r = _q(conn, role)
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    database = conn.execute(text("SELECT current_database()")).scalar()
    s = _q(conn, schema)
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_q(conn, database)} TO {r}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {s} TO {r}")
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {s} FROM {r}")
    # Before PostgreSQL 15 every role may create tables in `public` through PUBLIC.
    with conn.begin_nested() as nested:
        try:
            conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC")
        except Exception:  # noqa: BLE001 - not the schema's owner: leave it
            nested.rollback()
            log.warning("could not revoke CREATE on schema %s from PUBLIC", schema)
    done = []
    tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
                          {"s": schema}).scalars().all()
    for table in tables:
        t = f"{s}.{_q(conn, table)}"
        rights = table_rights(table)
        conn.exec_driver_sql(f"REVOKE ALL ON TABLE {t} FROM {r}")
        conn.exec_driver_sql(f"GRANT {rights} ON TABLE {t} TO {r}")
        done.append((table, rights))
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
    conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}")
    conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}")
    return done


def app_roles(conn: Connection) -> list[str]:
    """The application roles set up by `bdhvs server setup` (marked by their comment)."""
    return conn.execute(text(
        "SELECT r.rolname FROM pg_roles r JOIN pg_shdescription d ON d.objoid = r.oid "
        "AND d.classoid = 'pg_authid'::regclass WHERE d.description = :c ORDER BY r.rolname"),
        {"c": APP_ROLE_COMMENT}).scalars().all()


def reapply_app_grants(engine: Engine) -> list[str]:
    """After a schema upgrade (run by the owner): the application roles get their rights on
    the new tables, and the protected ones (audit log, accounts) stay protected."""
    if engine.url.get_backend_name() != "postgresql":
        return []
    with engine.begin() as conn:
        if not is_owner(conn):
            return []
        roles = app_roles(conn)
        for role in roles:
            apply_app_grants(conn, role)
    return roles
