"""Making an engine with the per-connection setup every database gets (SQLite pragmas and
BEGIN IMMEDIATE, read-only transactions on a server) and the error users see when a database
cannot be used. Lower than storage/engine.py (which opens a database) and storage/migrate.py
(which upgrades one), which both use it: migrate no longer imports engine (issue #12, cycles)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from bdhvs_desktop.logging_setup import redact


class DatabaseError(Exception):
    """A database cannot be used; the message is for the user (Vietnamese)."""


class PasswordRequired(DatabaseError):
    """The server asks for a password that neither the URL, BDHVS_DB_PASSWORD, PGPASSWORD nor a
    pgpass file gave; a caller with a terminal may ask for it (getpass) for `role` and try again."""

    def __init__(self, message: str, role: str | None = None):
        super().__init__(message)
        self.role = role


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
            # A first query takes the transaction's snapshot: from then on the server refuses
            # `SET TRANSACTION READ WRITE` (and `SET LOCAL transaction_read_only = off`) in it.
            conn.exec_driver_sql("SELECT 1")


def make_engine(url: str, *, foreign_keys: bool = True, echo: bool = False) -> Engine:
    sa_url = make_url(url)
    # hide_parameters: an error's text never quotes the statement's values (names, CCCD,
    # birth dates), so neither the log nor a message shown to the user can leak them.
    if sa_url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, hide_parameters=True)
        _install_sqlite_events(engine, foreign_keys=foreign_keys)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)
        _install_server_events(engine)
    event.listen(engine, "handle_error", _hide_quoted_values)
    return engine


def _hide_quoted_values(context) -> None:
    """The driver's message may quote the data: PostgreSQL's DETAIL of a unique violation
    holds the key's values (a CCCD), of a not-null violation the whole row. Removed from the
    error's text here, once, so that no page, log or message can show it."""

    for exc in (context.sqlalchemy_exception, context.original_exception):
        args = getattr(exc, "args", None)
        if args and isinstance(args[0], str):
            try:
                exc.args = (redact(args[0]), *args[1:])
            except (AttributeError, TypeError):  # an exception type with read-only args
                continue
