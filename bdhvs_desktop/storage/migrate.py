"""Schema upgrades with Alembic: a new database is created at the newest revision, an older
one is backed up and upgraded in place, one newer than this program is refused."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from bdhvs_desktop.storage.backup import backup_before_migration
from bdhvs_desktop.storage.connection import DatabaseError, make_engine
from bdhvs_desktop.storage.pg_roles import reapply_app_grants

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {heads}")
    return heads[0]


def current_revision(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(url: str, *, backup: bool = True, target: str = "head") -> str | None:
    """Bring the database at `url` to `target`; returns the path of the backup made, if any."""
    engine = make_engine(url, foreign_keys=False)
    backup_path: str | None = None
    try:
        script = ScriptDirectory.from_config(alembic_config())
        current = current_revision(engine)
        wanted = head_revision() if target == "head" else target
        if current == wanted:
            return None
        if current is not None and not _known(script, current):
            raise DatabaseError(
                f"Cơ sở dữ liệu đã được nâng cấp bởi một phiên bản mới hơn của chương trình "
                f"(phiên bản lược đồ {current}). Hãy cài phiên bản mới nhất của bdhvs-desktop."
            )
        has_tables = bool(inspect(engine).get_table_names())
        if current is None and has_tables:
            raise DatabaseError("Tệp này không phải cơ sở dữ liệu của bdhvs-desktop (không có thông tin phiên bản).")
        if current is not None and backup and make_url(url).get_backend_name() == "sqlite":
            backup_path = str(backup_before_migration(Path(make_url(url).database), current))
            log.info("backup before migration from %s: %s", current, backup_path)
        cfg = alembic_config()
        try:
            with engine.connect() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, wanted)
                conn.commit()
        except Exception as exc:
            if getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501":
                raise  # a workstation's role may not upgrade: open_database says who can (server setup)
            # The upgrade runs in one transaction: nothing of it was kept.
            log.error("upgrade from %s to %s failed: %s", current, wanted, type(exc).__name__)
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
            kept = f" Bản sao trước khi nâng cấp: {backup_path}." if backup_path else ""
            raise DatabaseError(
                f"Không nâng cấp được cơ sở dữ liệu từ phiên bản lược đồ {current} lên {wanted} ({reason}). "
                f"Cơ sở dữ liệu giữ nguyên như trước khi nâng cấp.{kept} Hãy gửi tệp nhật ký cho người hỗ trợ, "
                "hoặc khôi phục từ một bản sao lưu khác (bdhvs restore)."
            ) from exc
        log.info("database upgraded from %s to %s", current, wanted)
        if engine.url.get_backend_name() == "postgresql":
            # New tables: the office's application role gets its rights, and the audit log and the
            # accounts stay protected from it (bdhvs server setup; storage/pg_roles.py).
            reapply_app_grants(engine)
        return backup_path
    finally:
        engine.dispose()


def _known(script: ScriptDirectory, rev: str) -> bool:
    try:
        script.get_revision(rev)
        return True
    except Exception:  # noqa: BLE001 - whatever alembic raises, the revision is not one of ours
        return False
