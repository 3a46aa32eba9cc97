"""Who is acting on the database and what their role allows: the role checks the other services
call (`require_role`), the errors of login and accounts, and the plain `UserInfo` of a user.

Roles (vocab.UserRole): the secretary edits everything and is the office's administrator of
accounts; a council member reviews, scores and votes; a viewer only reads, and the database
server itself makes a viewer's transactions read-only. On a shared database nobody logged in may
do nothing that writes; the only exception is the very first secretary account of an office. A
single-user SQLite database has no login: the person at the PC is the secretary.

The accounts themselves and logging in are in services/accounts.py, the passwords' hashes and
rules in services/passwords.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bdhvs_desktop.domain.vocab import USER_ROLE_LABELS, UserRole
from bdhvs_desktop.services import errors
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage.engine import Database


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


def role_label(role: str) -> str:
    try:
        return USER_ROLE_LABELS[UserRole(role)]
    except ValueError:
        return role


def check_role(role: str) -> str:
    try:
        return UserRole(role).value
    except ValueError:
        choices = ", ".join(f"{r.value} ({label})" for r, label in USER_ROLE_LABELS.items())
        raise AuthError(f"Vai trò \"{role}\" không hợp lệ; chọn một trong: {choices}.") from None


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
