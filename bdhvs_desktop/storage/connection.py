"""Making an engine with the per-connection setup every database gets (SQLite pragmas and
BEGIN IMMEDIATE, read-only transactions on a server) and the error users see when a database
cannot be used. Lower than storage/engine.py (which opens a database) and storage/migrate.py
(which upgrades one), which both use it: migrate no longer imports engine (issue #12, cycles)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


class DatabaseError(Exception):
    """A database cannot be used; the message is for the user (Vietnamese)."""


class PasswordRequired(DatabaseError):
    """The server asks for a password that neither the URL, BDHVS_DB_PASSWORD, PGPASSWORD nor a
    pgpass file gave; a caller with a terminal may ask for it (getpass) and try again."""


def _install_sqlite_events(engine: Engine, *, foreign_keys: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a PC switched off at the wall keeps every committed transaction.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A read that later writes cannot upgrade its lock under contention and fails at
        # once with "database is locked", ignoring busy_timeout (pitfalls #4); writers
        # therefore take the write lock up front.
        read_only = getattr(engine, READ_ONLY_ATTR, None)
        if read_only is not None:  # set once a login happened (Database.read_only); sticky per connection
            conn.exec_driver_sql(f"PRAGMA query_only = {1 if read_only else 0}")
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


READ_ONLY_ATTR = "_bdhvs_read_only"


def _install_server_events(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # The server refuses every change in this transaction, whatever the SQL looks like.
        if getattr(engine, READ_ONLY_ATTR, None):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def make_engine(url: str, *, foreign_keys: bool = True, echo: bool = False) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo)
        _install_sqlite_events(engine, foreign_keys=foreign_keys)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    _install_server_events(engine)
    return engine
