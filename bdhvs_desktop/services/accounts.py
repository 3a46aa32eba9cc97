"""The office's user accounts (shared PostgreSQL mode): creating, listing, locking and resetting them,
which only the secretary may do (the first secretary of an office excepted), and logging in with
one. A viewer's login makes the connection read-only at the database (`_guard_viewer`).

On PostgreSQL the workstations connect with the application role (storage/pg_roles.py), which
may read the accounts but not write them: account changes are made on the server with the
owner's URL, by a logged-in secretary."""

from __future__ import annotations

import contextlib
import re

from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from bdhvs_desktop.domain.vocab import UserRole
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import (
    AuthError,
    PermissionDenied,
    UserInfo,
    check_role,
    current_user,
    require_role,
    role_label,
)
from bdhvs_desktop.services.passwords import MIN_PASSWORD_LENGTH, check_password, hash_password, hasher, verify_password
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.models import AppUser

_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,48}[a-z0-9]")


def _info(u: AppUser) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.role, role_label(u.role), bool(u.active), u.created_at)


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not _USERNAME_RE.fullmatch(name):
        raise AuthError(f"Tên đăng nhập \"{username}\" không hợp lệ: dùng 3-50 ký tự gồm chữ thường không dấu, "
                        "chữ số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ: thuky.phuong).")
    return name


def _acting(db: Database) -> str:
    return db.user


def _has_active_secretary(db: Database) -> bool:
    with db.read() as s:
        return bool(s.scalar(select(func.count()).select_from(AppUser).where(
            AppUser.role == UserRole.SECRETARY.value, AppUser.active.is_(True))))


def require_user_admin(db: Database, action: str, *, first_secretary: bool = False) -> None:
    """Account management is the secretary's (the office administrator's). The one exception:
    the first secretary of an office with no active secretary, created by whoever set up the
    database (on PostgreSQL only the owner can write the accounts at all)."""
    if first_secretary and current_user(db) is None and not _has_active_secretary(db):
        return
    require_role(db, UserRole.SECRETARY.value, action=action)


_OWNER_ONLY = ("Vai trò cơ sở dữ liệu \"{role}\" của máy trạm chỉ được đọc bảng tài khoản; tài khoản được quản lý trên "
               "máy chủ bằng URL của chủ sở hữu cơ sở dữ liệu: bdhvs --db URL_CHỦ_SỞ_HỮU --user TÊN_THƯ_KÝ users ... "
               "Chưa có gì bị thay đổi.")


@contextlib.contextmanager
def _user_table_write(db: Database):
    """A write to the accounts; the application role's refusal becomes a clear message."""

    try:
        with db.session() as s:
            yield s
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
            raise AuthError(_OWNER_ONLY.format(role=db.engine.url.username)) from exc
        raise


def add_user(db: Database, username: str, full_name: str, role: str, password: str) -> UserInfo:
    name = check_username(username)
    role = check_role(role)
    require_user_admin(db, "tạo tài khoản", first_secretary=role == UserRole.SECRETARY.value)
    check_password(password)
    full_name = (full_name or "").strip()
    if not full_name:
        raise AuthError("Thiếu họ và tên của người dùng.")
    password_hash = hash_password(password)
    with _user_table_write(db) as s:
        if s.scalar(select(AppUser).where(AppUser.username == name)) is not None:
            raise AuthError(f"Tên đăng nhập \"{name}\" đã có.")
        user = AppUser(username=name, full_name=full_name, role=role, password_hash=password_hash, active=True)
        s.add(user)
        s.flush()
        audit.record(s, user=_acting(db), action="create", entity="app_user", entity_id=user.id,
                     new=f"{name} ({role})", note=f"Tạo tài khoản {name} — {full_name}, vai trò {role_label(role)}")
        return _info(user)


def list_users(db: Database) -> list[UserInfo]:
    with db.read() as s:
        return [_info(u) for u in s.scalars(select(AppUser).order_by(AppUser.username))]


def user_count(db: Database, *, active_only: bool = True) -> int:
    with db.read() as s:
        q = select(func.count()).select_from(AppUser)
        if active_only:
            q = q.where(AppUser.active.is_(True))
        return int(s.scalar(q) or 0)


def _get(s, username: str) -> AppUser:
    name = (username or "").strip().lower()
    user = s.scalar(select(AppUser).where(AppUser.username == name))
    if user is None:
        raise AuthError(f"Không có tài khoản \"{username}\".")
    return user


def set_password(db: Database, username: str, password: str) -> None:
    require_user_admin(db, "đặt lại mật khẩu")
    check_password(password)
    _store_password(db, username, password)


def _store_password(db: Database, username: str, password: str) -> None:
    password_hash = hash_password(password)
    with _user_table_write(db) as s:
        user = _get(s, username)
        user.password_hash = password_hash
        audit.record(s, user=_acting(db), action="update", entity="app_user", entity_id=user.id,
                     field="password", note=f"Đổi mật khẩu của {user.username}")


def set_active(db: Database, username: str, active: bool) -> None:
    require_user_admin(db, "khóa hoặc mở lại tài khoản")
    with _user_table_write(db) as s:
        user = _get(s, username)
        if user.active == active:
            return
        if not active and user.role == UserRole.SECRETARY:
            others = s.scalar(select(func.count()).select_from(AppUser).where(
                AppUser.role == UserRole.SECRETARY.value, AppUser.active.is_(True), AppUser.id != user.id))
            if not others:
                raise AuthError(f"Không thể khóa \"{user.username}\": đây là tài khoản thư ký cuối cùng còn hoạt "
                                "động; hãy tạo một tài khoản thư ký khác trước.")
        old = user.active
        user.active = active
        audit.record(s, user=_acting(db), action="update", entity="app_user", entity_id=user.id, field="active",
                     old=old, new=active, note=("Mở lại" if active else "Khóa") + f" tài khoản {user.username}")


def disable_user(db: Database, username: str) -> None:
    set_active(db, username, False)


def login(db: Database, username: str, password: str) -> UserInfo:
    """Check the password; on success the database acts as this user (audit log, roles)."""
    failure = AuthError("Tên đăng nhập hoặc mật khẩu không đúng.")
    with db.read() as s:
        user = s.scalar(select(AppUser).where(AppUser.username == (username or "").strip().lower()))
    if user is None:
        # Same work and message as a wrong password, so names cannot be probed.
        verify_password(hash_password("x" * MIN_PASSWORD_LENGTH), password or "")
        raise failure
    if not verify_password(user.password_hash, password or ""):
        raise failure
    if not user.active:
        raise AuthError(f"Tài khoản \"{user.username}\" đã bị khóa; hãy liên hệ thư ký văn phòng.")
    info = _info(user)
    db.user = info.username
    db.current_user = info  # type: ignore[attr-defined]
    _guard_viewer(db, None)
    if hasher().check_needs_rehash(user.password_hash):
        # Stronger hash parameters for the password just proven, kept when the connection may
        # write the accounts (the application role may not: the old hash stays valid).
        with contextlib.suppress(Exception):
            _store_password(db, user.username, password)
    _guard_viewer(db, info)
    return info


def logout(db: Database) -> None:
    db.current_user = None  # type: ignore[attr-defined]
    _guard_viewer(db, None)


def _guard_viewer(db: Database, user: UserInfo | None) -> None:
    """A viewer's transactions are read-only AT THE DATABASE: `SET TRANSACTION READ ONLY` on
    PostgreSQL, `PRAGMA query_only` on SQLite, whatever SQL a screen or a service sends (no
    string test that a comment or a `WITH` could get past). The database's refusal is shown as
    PermissionDenied."""

    viewer = user if user is not None and user.role == UserRole.VIEWER.value else None
    db._read_only_user = viewer  # type: ignore[attr-defined]
    db.read_only = viewer is not None
    engine = db.engine
    if vars(db).get("_read_only_listeners") is engine:
        return
    sqlite = db.is_sqlite

    def on_error(context):
        viewer = vars(db).get("_read_only_user")
        orig = context.original_exception
        if viewer is None:
            return None
        refused = (getattr(orig, "sqlstate", None) == "25006"  # read_only_sql_transaction
                   or (sqlite and "readonly database" in str(orig)))
        if refused:
            raise PermissionDenied(f"Tài khoản {viewer.username} ({viewer.role_label}) chỉ được xem, không được sửa "
                                   "dữ liệu; chưa có gì bị thay đổi.") from orig
        return None

    event.listen(engine, "handle_error", on_error)
    db._read_only_listeners = engine  # type: ignore[attr-defined]
