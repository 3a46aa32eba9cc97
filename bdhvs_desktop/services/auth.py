"""Users of the shared office (PostgreSQL) mode: accounts with roles, argon2 password
hashes, login, and the role checks the other services call (`require_role`).

Roles (vocab.UserRole): the secretary edits everything and is the office's administrator of
accounts (add_user, set_password, set_active need the secretary role); a council member
reviews, scores and votes; a viewer only reads, and the database server itself makes a
viewer's transactions read-only. On a shared database nobody logged in may do nothing that
writes; the only exception is the very first secretary account of an office. A single-user
SQLite database has no login: the person at the PC is the secretary.

On PostgreSQL the workstations connect with the application role (storage/pg_roles.py), which
may read the accounts but not write them: account changes are made on the server with the
owner's URL, by a logged-in secretary."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from bdhvs_desktop import paths
from bdhvs_desktop.domain.vocab import USER_ROLE_LABELS, UserRole
from bdhvs_desktop.services import audit, errors
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.models import AppUser

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS_FILE = "common_passwords.txt"  # in resources/
_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,48}[a-z0-9]")


class AuthError(ServiceError):
    """Login or account management refused; the message is for the user (Vietnamese)."""


class PermissionDenied(AuthError, errors.PermissionDenied):
    """The logged-in user's role does not allow the action."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    active: bool
    created_at: dt.datetime | None


def _info(u: AppUser) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.role, role_label(u.role), bool(u.active), u.created_at)


def role_label(role: str) -> str:
    try:
        return USER_ROLE_LABELS[UserRole(role)]
    except ValueError:
        return role


def _hasher():
    from argon2 import PasswordHasher  # lazy: start-up

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError  # lazy: start-up

    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError):
        return False


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not _USERNAME_RE.fullmatch(name):
        raise AuthError(f"Tên đăng nhập \"{username}\" không hợp lệ: dùng 3-50 ký tự gồm chữ thường không dấu, "
                        "chữ số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ: thuky.phuong).")
    return name


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to use (lower-cased)."""

    lines = (paths.resources_dir() / COMMON_PASSWORDS_FILE).read_text(encoding="utf-8").splitlines()
    return frozenset(_common_key(line) for line in lines if line.strip() and not line.startswith("#"))


def _common_key(password: str) -> str:
    """The form in which a password is compared with the list: full-width and other compatibility
    forms folded (NFKC), case folded, whitespace and punctuation dropped, so "ＰＡＳＳＷＯＲＤ１２３",
    "pass word123" and "Matkhau@123" are the listed "password123" and "matkhau123"."""

    folded = unicodedata.normalize("NFKC", password).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if password.strip() != password:
        raise AuthError("Mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng.")
    if _common_key(password) in common_passwords():
        raise AuthError("Mật khẩu này quá phổ biến (có trong danh sách mật khẩu hay bị dò); hãy chọn mật khẩu khác, "
                        "ví dụ một câu ngắn dễ nhớ.")


def check_role(role: str) -> str:
    try:
        return UserRole(role).value
    except ValueError:
        choices = ", ".join(f"{r.value} ({label})" for r, label in USER_ROLE_LABELS.items())
        raise AuthError(f"Vai trò \"{role}\" không hợp lệ; chọn một trong: {choices}.") from None


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
    if _hasher().check_needs_rehash(user.password_hash):
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


def current_user(db: Database) -> UserInfo | None:
    # vars(): a lazily opened database must not load itself to answer this.
    return vars(db).get("current_user")


def login_required(db: Database) -> bool:
    """Shared (server) databases need a login; a SQLite file on this PC does not."""
    return not db.is_sqlite


def act_as_administrator(db: Database) -> None:
    """For programs and tests that hold the database's credentials themselves (not the command
    line, which logs in on a shared database): act as the office's secretary."""
    db.acting_as_admin = True  # type: ignore[attr-defined]


def current_role(db: Database) -> str | None:
    user = current_user(db)
    if user is not None:
        return user.role
    if not login_required(db) or vars(db).get("acting_as_admin"):
        return UserRole.SECRETARY.value
    return None


# Each role can do what the roles below it can: a council member also reads, the secretary
# also reviews, scores and votes.
_RANK = {UserRole.VIEWER.value: 0, UserRole.COUNCIL_MEMBER.value: 1, UserRole.SECRETARY.value: 2}


def has_role(db: Database, *roles: str) -> bool:
    role = current_role(db)
    if role is None or role not in _RANK:
        return False
    return any(_RANK[role] >= _RANK[r] for r in roles if r in _RANK)


def require_role(db: Database, *roles: str, action: str | None = None) -> None:
    """Raise PermissionDenied unless the acting user has one of `roles` or a higher one
    (viewer < council member < secretary).

    Call it at the top of a service that changes data, e.g. `require_role(db, "council_member")`
    before recording a vote; `require_role(db, "secretary")` before editing records."""
    if not roles:
        raise ValueError("require_role needs at least one role")
    for r in roles:
        check_role(r)
    if has_role(db, *roles):
        return
    user = current_user(db)
    needed = " hoặc ".join(role_label(r) for r in dict.fromkeys([*roles, UserRole.SECRETARY.value]))
    what = f" {action}" if action else " thực hiện việc này"
    if user is None:
        raise PermissionDenied(f"Cần đăng nhập để{what} (cơ sở dữ liệu dùng chung).")
    raise PermissionDenied(f"Tài khoản {user.username} ({user.role_label}) không có quyền{what}; cần vai trò: {needed}.")
