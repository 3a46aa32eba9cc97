"""Setting up a shared office's PostgreSQL database (`bdhvs server setup`): run with the
owner's URL, it upgrades the schema and creates (or updates) the application role the
workstations connect with: ordinary work yes; the audit log append-only; the accounts and the
schema read-only; no DDL. Idempotent: run it again after an upgrade or to change the password."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import AuthError
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.services.passwords import check_password
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.pg_roles import apply_app_grants, ensure_app_role, is_owner, role_exists

DEFAULT_APP_ROLE = "bdhvs_app"
_ROLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class ServerSetupError(ServiceError):
    """The setup cannot be done; the message is for the user (Vietnamese)."""


@dataclass(frozen=True)
class SetupResult:
    role: str
    created: bool
    password_changed: bool
    owner: str
    tables: list[tuple[str, str]]
    app_url: str  # the workstations' URL, without any password


def require_owner(db: Database) -> str:
    """The connected role's name, if it owns the application's tables; refused otherwise."""
    with db.engine.connect() as conn:
        owner = conn.execute(text("SELECT current_user")).scalar()
        if not is_owner(conn):
            raise ServerSetupError(
                f"Vai trò \"{owner}\" không phải chủ sở hữu cơ sở dữ liệu: hãy chạy lệnh này trên máy chủ với URL của "
                "chủ sở hữu (vai trò đã tạo các bảng). Chưa có gì bị thay đổi.")
    return owner


def app_role_exists(db: Database, role: str) -> bool:
    with db.engine.connect() as conn:
        return role_exists(conn, role)


def setup_app_role(db: Database, role: str = DEFAULT_APP_ROLE, password: str | None = None) -> SetupResult:
    if db.is_sqlite:
        raise ServerSetupError("Lệnh này chỉ dành cho cơ sở dữ liệu PostgreSQL dùng chung; tệp SQLite trên máy này "
                               "không có vai trò cơ sở dữ liệu (người dùng trên máy là thư ký).")
    if not _ROLE_RE.fullmatch(role or ""):
        raise ServerSetupError(f"Tên vai trò \"{role}\" không hợp lệ: dùng chữ thường không dấu, chữ số và dấu gạch "
                               "dưới, bắt đầu bằng chữ (ví dụ: bdhvs_app).")
    if password is not None:
        try:
            check_password(password)
        except AuthError as exc:
            raise ServerSetupError(f"Mật khẩu của vai trò {role}: {exc}") from exc
    with db.engine.begin() as conn:
        owner = conn.execute(text("SELECT current_user")).scalar()
        if not is_owner(conn):
            raise ServerSetupError(
                f"Vai trò \"{owner}\" không phải chủ sở hữu cơ sở dữ liệu: hãy chạy lệnh này trên máy chủ với URL của "
                "chủ sở hữu (vai trò đã tạo các bảng). Chưa có gì bị thay đổi.")
        if role == owner:
            raise ServerSetupError(f"Vai trò ứng dụng phải khác chủ sở hữu \"{owner}\".")
        if not role_exists(conn, role) and not password:
            raise ServerSetupError(f"Vai trò {role} chưa có: cần mật khẩu cho vai trò này (biến môi trường "
                                   "BDHVS_APP_PASSWORD, hoặc nhập khi được hỏi).")
        try:
            created = ensure_app_role(conn, role, password)
        except PermissionError:
            raise ServerSetupError(f"Vai trò \"{role}\" đã có và có quyền quản trị (superuser, tạo vai trò hoặc cơ sở "
                                   "dữ liệu); hãy chọn tên khác cho vai trò ứng dụng.") from None
        tables = apply_app_grants(conn, role)
    with db.session() as s:
        audit.record(s, user=f"chủ CSDL {owner}", action="update", entity="database_role", field=role,
                     note=("Tạo" if created else "Cập nhật") + f" vai trò ứng dụng {role}: nhật ký chỉ được thêm, "
                     "tài khoản chỉ được đọc" + ("; đặt mật khẩu mới" if password else ""))
    app_url = make_url(db.url).set(username=role, password=None).render_as_string(hide_password=False)
    return SetupResult(role, created, bool(password), owner, tables, app_url)
