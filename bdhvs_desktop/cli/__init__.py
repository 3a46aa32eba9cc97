"""The command line `bdhvs`: every command calls the services layer; messages in Vietnamese.

Command groups live in modules of this package, each with `register(subparsers, common)`;
COMMAND_MODULES lists them in the order `--help` shows them."""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bdhvs_desktop import __version__, paths
from bdhvs_desktop.logging_setup import setup_logging

COMMAND_MODULES = [
    "bdhvs_desktop.cli.basic",
    "bdhvs_desktop.cli.records",
    "bdhvs_desktop.cli.safety",
    "bdhvs_desktop.cli.server",
    "bdhvs_desktop.cli.audit",
    "bdhvs_desktop.cli.status",
    "bdhvs_desktop.cli.export",
    "bdhvs_desktop.cli.scoring",
    "bdhvs_desktop.cli.council",
    "bdhvs_desktop.cli.dossier",
    "bdhvs_desktop.cli.package",
    "bdhvs_desktop.cli.awards",
    "bdhvs_desktop.cli.certificates",
    "bdhvs_desktop.cli.stats",
    "bdhvs_desktop.cli.province",
    "bdhvs_desktop.cli.signing",
]

EXIT_OK = 0
EXIT_ERROR = 1  # the command ran and found errors (e.g. an import with errors)
EXIT_USAGE = 2  # bad arguments or a file that cannot be used


class CliError(Exception):
    """A failure to report to the user with an exit code; the message is Vietnamese."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


class VietnameseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


_ARGPARSE_MESSAGES = [
    ("the following arguments are required: ", "thiếu tham số bắt buộc: "),
    ("unrecognized arguments: ", "tham số không được hỗ trợ: "),
    ("invalid choice: ", "lựa chọn không hợp lệ: "),
    ("choose from ", "chọn một trong "),
    ("expected one argument", "cần một giá trị"),
    ("invalid int value: ", "không phải số nguyên: "),
    ("argument ", "tham số "),
]


class VietnameseArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "Tham số"
        self._optionals.title = "Tùy chọn"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="hiện hướng dẫn này rồi thoát")

    def error(self, message: str):
        for english, vietnamese in _ARGPARSE_MESSAGES:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message}\n")


USER_ENV = "BDHVS_USER"
PASSWORD_ENV = "BDHVS_PASSWORD"


@dataclass
class Context:
    """What a command needs: the chosen database, opened on first use.

    On a shared (server) database the command line logs in like the window: the user name from
    --user or BDHVS_USER, the password from BDHVS_PASSWORD or asked (never on the command line);
    the services then allow only what that user's role allows, and the audit log names them."""

    db_arg: str | None
    out: Callable[[str], None] = field(default=print)
    _db: object | None = None
    user_arg: str | None = None

    @property
    def db_location(self) -> str:
        return self.db_arg or os.environ.get("BDHVS_DB") or str(paths.default_database_path())

    def db(self, *, create: bool = True, login: bool = True, first_account: bool = False):
        """The open database; on a shared one, logged in (`login=False`: the owner's own
        commands; `first_account`: the office's first secretary may be created without one)."""
        if self._db is None:
            self._db = self._open(create)
        if login:
            self._login(first_account=first_account)
        return self._db

    def _open(self, create: bool):
        from bdhvs_desktop.storage.engine import (  # lazy: start-up
            PasswordRequired,
            argv_password_warning,
            open_database,
        )

        location = self.db_location
        if warning := argv_password_warning(self.db_arg):
            print(warning, file=sys.stderr)
        try:
            return open_database(location, create=create)
        except PasswordRequired as exc:
            if not _interactive():
                raise
            import getpass  # lazy: start-up

            role = exc.role
            password = getpass.getpass(f"Mật khẩu của vai trò cơ sở dữ liệu {role}: ")
            return open_database(location, create=create, password=password)

    def _login(self, *, first_account: bool) -> None:
        from bdhvs_desktop.services import accounts, auth  # lazy: start-up

        db = self._db
        if not auth.login_required(db) or auth.current_user(db) is not None:
            return
        username = self.user_arg or os.environ.get(USER_ENV)
        if not username:
            if first_account and accounts.user_count(db, active_only=False) == 0:
                return  # the service allows the first secretary account, nothing else
            raise CliError(
                "Cơ sở dữ liệu dùng chung cần đăng nhập: thêm --user TÊN_ĐĂNG_NHẬP (hoặc đặt biến môi trường "
                f"{USER_ENV}); mật khẩu được hỏi, hoặc lấy từ biến môi trường {PASSWORD_ENV}. Không ghi mật khẩu "
                "trên dòng lệnh.", EXIT_USAGE)
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not _interactive():
                raise CliError(f"Cần mật khẩu của tài khoản {username}: chạy trong cửa sổ lệnh để được hỏi, hoặc đặt "
                               f"biến môi trường {PASSWORD_ENV}.", EXIT_USAGE)

            password = getpass.getpass(f"Mật khẩu của tài khoản {username}: ")
        accounts.login(db, username, password)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()  # type: ignore[attr-defined]
            self._db = None


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def db_option_parent() -> argparse.ArgumentParser:
    """`--db` accepted after the command name too; SUPPRESS keeps the global value when absent."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", metavar="ĐƯỜNG_DẪN_HOẶC_URL", default=argparse.SUPPRESS,
                        help="cơ sở dữ liệu (tệp SQLite hoặc URL SQLAlchemy, ví dụ postgresql+psycopg://...)")
    parent.add_argument("--user", metavar="TÊN_ĐĂNG_NHẬP", default=argparse.SUPPRESS,
                        help=f"tài khoản đăng nhập trên cơ sở dữ liệu dùng chung (hoặc biến môi trường {USER_ENV})")
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(
        prog="bdhvs",
        description=(
            "Quản lý phong trào thi đua \"Bình dân học vụ số\" cấp phường: kế hoạch và tiến độ, "
            "hồ sơ đơn vị và nhân sự, chấm điểm, Hội đồng Thi đua - Khen thưởng, hồ sơ khen thưởng."
        ),
        epilog=(
            "Cơ sở dữ liệu: mặc định là tệp bdhvs.sqlite3 trong thư mục dữ liệu của người dùng; "
            "chọn khác bằng --db (trước hoặc sau tên lệnh) hoặc biến môi trường BDHVS_DB.\n"
            "Cơ sở dữ liệu dùng chung (PostgreSQL): đăng nhập bằng --user hoặc BDHVS_USER, mật khẩu được hỏi hoặc lấy "
            "từ BDHVS_PASSWORD; mật khẩu của vai trò cơ sở dữ liệu lấy từ BDHVS_DB_PASSWORD, PGPASSWORD, tệp pgpass "
            "hoặc được hỏi (đừng ghi mật khẩu vào URL).\n"
            "Mã thoát: 0 thành công; 1 có lỗi trong dữ liệu; 2 tham số hoặc tệp không dùng được; "
            "3 không mở được cơ sở dữ liệu."
        ),
    )
    parser.add_argument("--version", action="version", version=f"bdhvs-desktop {__version__}",
                        help="hiện phiên bản rồi thoát")
    parser.add_argument("--db", metavar="ĐƯỜNG_DẪN_HOẶC_URL", default=None,
                        help="cơ sở dữ liệu (tệp SQLite hoặc URL SQLAlchemy)")
    parser.add_argument("--user", metavar="TÊN_ĐĂNG_NHẬP", default=None,
                        help=f"tài khoản đăng nhập trên cơ sở dữ liệu dùng chung (hoặc biến môi trường {USER_ENV}); "
                             f"mật khẩu được hỏi hoặc lấy từ biến môi trường {PASSWORD_ENV}")
    subparsers = parser.add_subparsers(dest="command", metavar="LỆNH", title="Các lệnh",
                                       parser_class=VietnameseArgumentParser)
    common = db_option_parent()
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    setup_logging(console=False)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    ctx = Context(db_arg=args.db, user_arg=args.user)
    try:
        return int(args.func(args, ctx) or EXIT_OK)
    except CliError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `bdhvs score | head`): stop quietly.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # the user gets a message, the log gets the trace
        from bdhvs_desktop.services.auth import AuthError  # lazy: start-up
        from bdhvs_desktop.storage.engine import DatabaseError  # lazy: start-up

        if isinstance(exc, AuthError):
            print(f"Lỗi: {exc}", file=sys.stderr)
            return EXIT_ERROR

        from bdhvs_desktop.logging_setup import redact  # lazy: start-up

        if isinstance(exc, DatabaseError):
            print(f"Lỗi cơ sở dữ liệu: {redact(str(exc))}", file=sys.stderr)
            return 3
        logging.getLogger("bdhvs").exception("unexpected error in %s", args.command)
        # The driver's text may quote the data (a unique violation's key values): redacted.
        print(f"Lỗi không mong đợi: {redact(str(exc))}. Chi tiết đã ghi vào tệp nhật ký.", file=sys.stderr)
        return EXIT_ERROR
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
