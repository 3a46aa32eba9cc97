"""Opening a database: SQLite file (default) or any SQLAlchemy URL (PostgreSQL for a shared
office), with the pragmas, transactions and safety checks that keep data intact."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Also the public names for these: callers import them from engine.
from bdhvs_desktop.storage.connection import (
    READ_ONLY_ATTR,
    DatabaseError,
    PasswordRequired,
    make_engine,
)
from bdhvs_desktop.storage.location import NETWORK_SHARE_MESSAGE, network_share_reason, resolve_url
from bdhvs_desktop.storage.schema_version import SCHEMA_HEAD

log = logging.getLogger(__name__)


DB_PASSWORD_ENV = "BDHVS_DB_PASSWORD"


ARGV_PASSWORD_WARNING = (
    "Cảnh báo: URL --db trên dòng lệnh có kèm mật khẩu; mọi người dùng trên máy này đều thấy được nó (lệnh ps, "
    "Trình quản lý tác vụ). Hãy bỏ mật khẩu khỏi URL và dùng biến môi trường BDHVS_DB_PASSWORD (hoặc PGPASSWORD), "
    "tệp pgpass, hoặc để chương trình hỏi mật khẩu.")


def argv_password_warning(db_arg: str | None) -> str | None:
    """The warning to print when a --db given on the command line holds a password."""
    if not db_arg or "://" not in db_arg:
        return None
    try:
        return ARGV_PASSWORD_WARNING if make_url(db_arg).password else None
    except Exception:  # noqa: BLE001 - not a URL: no password in it
        return None


def url_with_password(url: str, password: str | None = None) -> str:
    """A server URL completed with the database password from `password` or the environment
    variable BDHVS_DB_PASSWORD, so it never has to be typed into a command line (where `ps` shows
    it to every local user). Without either, libpq's own PGPASSWORD and pgpass file
    (~/.pgpass, %APPDATA%\\postgresql\\pgpass.conf, PGPASSFILE) still apply."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite" or sa_url.password:
        return url
    password = password or os.environ.get(DB_PASSWORD_ENV) or None
    if not password:
        return url
    return sa_url.set(password=password).render_as_string(hide_password=False)


@dataclass
class Database:
    """An open database: one engine and the sessions the services use.

    `session()` is a write transaction (BEGIN IMMEDIATE on SQLite), committed when the
    block ends without error and rolled back otherwise: a user action happens whole or
    not at all. `read()` is a read-only snapshot."""

    url: str
    engine: Engine
    user: str = "thu-ky"

    def __post_init__(self) -> None:
        self._write = sessionmaker(bind=self.engine, expire_on_commit=False)
        read_engine = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self._read = sessionmaker(bind=read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    @property
    def path(self) -> Path | None:
        if self.is_sqlite and self.engine.url.database not in (None, "", ":memory:"):
            return Path(self.engine.url.database)
        return None

    @property
    def read_only(self) -> bool:
        """Every transaction read-only AT THE DATABASE (SET TRANSACTION READ ONLY on a server,
        PRAGMA query_only on SQLite), not by looking at the SQL."""
        return bool(getattr(self.engine, READ_ONLY_ATTR, None))

    @read_only.setter
    def read_only(self, value: bool) -> None:
        setattr(self.engine, READ_ONLY_ATTR, bool(value))

    @property
    def display_name(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self.engine.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self._write() as session:
            with session.begin():
                yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        # Closing (not rolling back) ends the read transaction without expiring the loaded
        # objects, so what was read stays readable after the block.
        with self._read() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(path_or_url: str | os.PathLike[str], *, create: bool = True, migrate: bool = True,
                  backup_before_migrate: bool = True, password: str | None = None) -> Database:
    """Open (and create or upgrade) the database at a path or URL.

    A SQLite file on a network share is refused (pitfalls #5). An older schema is
    upgraded in place after a backup; a schema newer than this program is refused."""
    raw = os.fspath(path_or_url)
    if "://" not in raw and (reason := network_share_reason(raw)):
        raise DatabaseError(NETWORK_SHARE_MESSAGE.format(path=raw, reason=reason))
    url = url_with_password(resolve_url(path_or_url), password)
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite" and sa_url.database not in (None, "", ":memory:"):
        db_path = Path(sa_url.database)
        reason = network_share_reason(db_path)
        if reason:
            raise DatabaseError(NETWORK_SHARE_MESSAGE.format(path=db_path, reason=reason))
        if not db_path.exists():
            if not create:
                raise DatabaseError(f"Không tìm thấy cơ sở dữ liệu {db_path}.")
            db_path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # the user gets the reason in Vietnamese
        engine.dispose()
        shown = sa_url.render_as_string(hide_password=True) if "://" in raw else raw
        if "no password supplied" in str(getattr(exc, "orig", exc)):
            raise PasswordRequired(
                f"Máy chủ {shown} yêu cầu mật khẩu của vai trò cơ sở dữ liệu \"{sa_url.username}\". Hãy đặt biến môi "
                f"trường {DB_PASSWORD_ENV} (hoặc PGPASSWORD), ghi vào tệp pgpass, hoặc chạy trong cửa sổ lệnh để "
                "được hỏi mật khẩu; đừng ghi mật khẩu vào URL (lệnh ps cho mọi người trên máy thấy).",
                role=sa_url.username) from exc
        raise DatabaseError(_unusable_message(shown, exc)) from exc
    stored = _stored_revision(engine)
    if migrate and stored != SCHEMA_HEAD:
        from bdhvs_desktop.storage import migrate as migrate_mod  # lazy: start-up (Alembic, ~0.3 s)

        engine.dispose()
        try:
            migrate_mod.upgrade_to_head(url, backup=backup_before_migrate)
        except Exception as exc:
            if getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501":  # insufficient_privilege
                raise DatabaseError(
                    f"Cơ sở dữ liệu cần nâng cấp lược đồ ({stored or 'trống'} → {SCHEMA_HEAD}) nhưng vai trò "
                    f"\"{sa_url.username}\" của máy trạm không có quyền đó. Người quản trị hãy chạy trên máy chủ, với "
                    "URL của chủ sở hữu cơ sở dữ liệu: bdhvs --db URL_CHỦ_SỞ_HỮU server setup --app-role "
                    f"{sa_url.username}") from exc
            raise
        engine = make_engine(url)
    return Database(url=url, engine=engine)


def _unusable_message(location, exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc))
    if "file is not a database" in text or "file is encrypted" in text:
        return (f"Tệp {location} không phải cơ sở dữ liệu SQLite (có thể là tệp khác hoặc tệp đã hỏng). "
                "Hãy chọn đúng tệp, hoặc khôi phục từ bản sao lưu (bdhvs restore).")
    if "malformed" in text or "database corrupt" in text:
        return (f"Tệp cơ sở dữ liệu {location} bị hỏng: SQLite không đọc được một phần tệp ({text}). "
                "Hãy khôi phục từ bản sao lưu còn tốt (bdhvs restore, hoặc Tệp → Khôi phục từ bản sao lưu…).")
    if "unable to open" in text or "readonly" in text or "Permission denied" in text:
        return f"Không mở được {location}: không có quyền đọc/ghi tệp hoặc thư mục. ({text})"
    return f"Không kết nối được cơ sở dữ liệu {location}: {text}"


def _stored_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except Exception:  # noqa: BLE001 - no table yet: a new database
        return None
