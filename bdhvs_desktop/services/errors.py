"""The one family of errors the services raise for the user (issue #12).

Every error a screen or the command line must explain derives from `ServiceError`; `str(exc)`
is the Vietnamese message, `kind` says how to show it (gui/ops.py shows each kind one way):

    ServiceError          "error"       the action cannot be done; the message says why
    ├── Invalid           "invalid"     input that cannot be saved: per-field problems
    │                                   (field -> message, and row/column for an import)
    ├── Conflict          "conflict"    someone else saved or deleted the record since it was
    │                                   read: `mine` (what the user typed) and `theirs` (what is
    │                                   stored now, {} when deleted); nothing was written
    ├── NotFound          "not_found"   the record does not exist (any more)
    ├── PermissionDenied  "permission"  the user's role does not allow the action
    └── Locked            "locked"      a decided/locked candidate, a closed meeting

Like calibre's db/errors.py (NoSuchBook is a KeyError, NoSuchFormat a ValueError), each kind
also derives from the built-in exception its older callers caught (`Invalid` is a ValueError,
`NotFound` a LookupError), and the older per-service names (ValidationError, StaleRecord,
ConcurrentEdit, EditConflict, StaleEditError, LockedError ...) are subclasses or aliases of
these, so nothing that caught them breaks. No SQLAlchemy type crosses into gui/ or cli/: a
service turns SQLAlchemy's StaleDataError into a `Conflict` (`stale_as_conflict`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class ServiceError(Exception):
    """An action a service refuses; the message (Vietnamese) is for the user."""

    kind = "error"
    #: The title a message box shows for this kind.
    title = "Không thực hiện được"

    @property
    def message(self) -> str:
        return str(self)


# --------------------------------------------------------------------------- invalid input


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: the field (attribute or column key), the Vietnamese
    message, and for an import the row and column heading where it is. Unpacks as the
    (field, message) pair the older ValidationError held: `for field, msg in exc.problems`."""

    field: str
    message: str
    row: int | None = None
    column: str | None = None

    def __iter__(self) -> Iterator[str]:
        return iter((self.field, self.message))

    def text(self) -> str:
        """The message with where it is: "Dòng 3, cột «Họ và tên»: …" for an import."""
        where = []
        if self.row is not None:
            where.append(f"Dòng {self.row}")
        if self.column:
            where.append(f"cột «{self.column}»")
        return (", ".join(where) + ": " + self.message) if where else self.message


ProblemsLike = Mapping[str, str] | Iterable[Problem | tuple[str, str]] | str


def _problems(problems: ProblemsLike) -> list[Problem]:
    if isinstance(problems, str):
        return [Problem("", problems)]
    if isinstance(problems, Mapping):
        return [Problem(str(k), str(v)) for k, v in problems.items()]
    out = []
    for p in problems:
        out.append(p if isinstance(p, Problem) else Problem(str(p[0]), str(p[1])))
    return out


class Invalid(ServiceError, ValueError):
    """Input that cannot be saved. `problems` lists each `Problem` (field, message, row,
    column); `errors` is the same as {field: message} (the first message of each field).
    Built from a dict {field: message}, from (field, message) pairs or from Problems."""

    kind = "invalid"
    title = "Dữ liệu chưa hợp lệ"

    def __init__(self, problems: ProblemsLike, message: str | None = None):
        self.problems: list[Problem] = _problems(problems)
        super().__init__(message if message is not None else "; ".join(p.text() for p in self.problems))

    @property
    def errors(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in self.problems:
            out.setdefault(p.field, p.message)
        return out


# --------------------------------------------------------------------------- conflicts

CONFLICT_MESSAGE = ("Bản ghi này vừa được người khác sửa trên máy khác; dữ liệu của bạn chưa bị mất — hãy tải lại "
                    "để xem thay đổi của họ rồi lưu lại.")
DELETED_MESSAGE = "Bản ghi này vừa bị người khác xóa trên máy khác; dữ liệu bạn nhập chưa được lưu và vẫn còn."


class Conflict(ServiceError):
    """Someone else saved (or deleted) the record since this user read it; nothing was written.

    `mine` holds what this user wanted to save ({field: value}, so nothing is lost), `theirs`
    what is stored now ({} when the record was deleted: `deleted` is then True),
    `current_version` the version to retry against after review (None when deleted)."""

    kind = "conflict"
    title = "Xung đột khi lưu"

    def __init__(self, message: str | None = None, *, entity: str = "", entity_id: int | None = None,
                 mine: Mapping[str, Any] | None = None, theirs: Mapping[str, Any] | None = None,
                 current_version: int | None = None, deleted: bool | None = None):
        self.entity, self.entity_id = entity, entity_id
        # None when the raiser did not say (gui/ops then shows the plain message, not the
        # mine/theirs dialog); every conflict a service raises says (tests/test_errors.py).
        self.mine: dict[str, Any] | None = None if mine is None else dict(mine)
        self.theirs = dict(theirs or {})
        self.current_version = current_version
        self.deleted = (theirs is None and current_version is None) if deleted is None else deleted
        super().__init__(message or (DELETED_MESSAGE if self.deleted else CONFLICT_MESSAGE))

    @property
    def differing(self) -> dict[str, tuple]:
        """Fields where what this user typed differs from what is stored now: {field: (mine, theirs)}."""
        return {k: (v, self.theirs.get(k)) for k, v in (self.mine or {}).items() if self.theirs.get(k) != v}


def values_of(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """{field: obj.field} for the fields that exist on obj: the `theirs` of a Conflict."""
    return {f: getattr(obj, f) for f in fields if hasattr(obj, f)}


def conflict_now(db: Any, model: type, record_id: int | None, mine: Mapping[str, Any], *, entity: str = "",
                 message: str | None = None, conflict: type[Conflict] = Conflict) -> Conflict:
    """A `conflict` for a save of `mine` that found record `record_id` changed or gone: reads
    what is stored now (`theirs`, and the version to retry against) in a fresh read."""
    with db.read() as s:
        obj = s.get(model, record_id) if record_id is not None else None
        theirs = None if obj is None else values_of(obj, mine)
        version = None if obj is None else getattr(obj, "version", None)
    return conflict(message, entity=entity or getattr(model, "__tablename__", ""), entity_id=record_id, mine=mine,
                    theirs=theirs, current_version=version, deleted=obj is None)


def is_stale_data_error(exc: BaseException) -> bool:
    """SQLAlchemy's StaleDataError (a versioned UPDATE found a newer row), recognised without
    importing SQLAlchemy: if its module is not loaded, no such error can exist."""
    module = sys.modules.get("sqlalchemy.orm.exc")
    return module is not None and isinstance(exc, module.StaleDataError)


def is_database_error(exc: BaseException) -> bool:
    """An error the database driver raised through SQLAlchemy (DBAPIError: disk full, locked
    file, lost server ...), recognised without importing SQLAlchemy into the caller."""
    module = sys.modules.get("sqlalchemy.exc")
    return module is not None and isinstance(exc, module.DBAPIError)


def is_conflict(exc: BaseException) -> bool:
    """A save that collided with someone else's: a Conflict, or a StaleDataError that escaped
    a service (older code paths)."""
    return isinstance(exc, Conflict) or is_stale_data_error(exc)


@contextmanager
def stale_as_conflict(mine: Mapping[str, Any], theirs: Callable[[], Mapping[str, Any] | None], *,
                      entity: str = "", entity_id: int | None = None, message: str | None = None,
                      conflict: type[Conflict] = Conflict) -> Iterator[None]:
    """Turn SQLAlchemy's StaleDataError raised inside the block into a `conflict` carrying
    `mine` and `theirs()` (read after the failed transaction; None when deleted)."""
    try:
        yield
    except Exception as exc:
        if not is_stale_data_error(exc):
            raise
        now = theirs()
        raise conflict(message, entity=entity, entity_id=entity_id, mine=mine, theirs=now,
                       deleted=now is None) from exc


# --------------------------------------------------------------------------- the other kinds


class NotFound(ServiceError, LookupError):
    """The record does not exist (any more): deleted on another workstation, or a wrong id."""

    kind = "not_found"
    title = "Không tìm thấy"

    def __str__(self) -> str:  # LookupError would quote a KeyError-style message
        return Exception.__str__(self)


class PermissionDenied(ServiceError):
    """The logged-in user's role does not allow the action."""

    kind = "permission"
    title = "Không đủ quyền"


class Locked(ServiceError):
    """The record is closed for changes: a candidate the council decided (reopen it first, a
    recorded act), a meeting whose results are decided, an issued decision."""

    kind = "locked"
    title = "Đã khóa"


#: Every kind, for a screen that shows each one its own way.
KINDS: dict[str, type[ServiceError]] = {cls.kind: cls for cls in (ServiceError, Invalid, Conflict, NotFound,
                                                                  PermissionDenied, Locked)}
