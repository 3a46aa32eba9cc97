"""Commands for data safety and the shared office: `bdhvs restore FILE`, `bdhvs backups`,
`bdhvs users add|list|passwd|disable|enable`."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import exit_codes


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "restore", parents=[common], help="khôi phục cơ sở dữ liệu từ một bản sao lưu",
        description=("Thay cơ sở dữ liệu bằng một bản sao lưu. Bản sao lưu được kiểm tra toàn vẹn trước; cơ sở "
                     "dữ liệu hiện tại được sao lưu vào thư mục backups trước khi thay; kết quả được kiểm tra lại "
                     "sau. Có lỗi ở bất kỳ bước nào thì cơ sở dữ liệu giữ nguyên. Hãy đóng chương trình trước."))
    p.add_argument("file", metavar="TỆP", help="tệp sao lưu (.sqlite3)")
    p.set_defaults(func=cmd_restore)

    p = subparsers.add_parser("backups", parents=[common], help="liệt kê các bản sao lưu của cơ sở dữ liệu",
                              description="Liệt kê các bản sao lưu trong thư mục backups, mới nhất trước.")
    p.set_defaults(func=cmd_backups)

    users = subparsers.add_parser(
        "users", parents=[common], help="tài khoản người dùng (chế độ văn phòng dùng chung)",
        description=("Quản lý tài khoản đăng nhập khi dùng chung cơ sở dữ liệu PostgreSQL. Vai trò: secretary "
                     "(thư ký, sửa mọi thứ và quản lý tài khoản), council_member (thành viên Hội đồng: xem xét, chấm "
                     "điểm, biểu quyết), viewer (chỉ xem). Thêm, đặt lại mật khẩu, khóa, mở lại: do thư ký đăng nhập "
                     "(--user) làm trên máy chủ với URL của chủ sở hữu cơ sở dữ liệu; tài khoản thư ký đầu tiên không "
                     "cần đăng nhập. Mật khẩu ít nhất 10 ký tự, không nằm trong danh sách mật khẩu phổ biến."))
    # prog given explicitly: argparse would otherwise build it with the "Cách dùng: " prefix.
    sub = users.add_subparsers(dest="users_command", metavar="VIỆC", title="Các việc", prog="bdhvs users")
    sub.required = True
    a = sub.add_parser("add", parents=[common], help="tạo tài khoản")
    a.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    a.add_argument("--name", required=True, metavar="HỌ_TÊN", help="họ và tên người dùng")
    a.add_argument("--role", required=True, choices=["secretary", "council_member", "viewer"], metavar="VAI_TRÒ",
                   help="secretary | council_member | viewer")
    a.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn")
    a.set_defaults(func=cmd_users_add)
    lst = sub.add_parser("list", parents=[common], help="liệt kê tài khoản")
    lst.set_defaults(func=cmd_users_list)
    pw = sub.add_parser("passwd", parents=[common], help="đặt lại mật khẩu")
    pw.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    pw.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn")
    pw.set_defaults(func=cmd_users_passwd)
    d = sub.add_parser("disable", parents=[common], help="khóa tài khoản (không xóa, nhật ký vẫn giữ tên)")
    d.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    d.set_defaults(func=cmd_users_disable)
    e = sub.add_parser("enable", parents=[common], help="mở lại tài khoản đã khóa")
    e.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    e.set_defaults(func=cmd_users_enable)


def cmd_restore(args, ctx) -> int:

    from bdhvs_desktop.services.restore import RestoreError, check_backup_file, restore  # lazy: start-up

    location = ctx.db_location
    if "://" in location:
        raise CliError("Lệnh restore chỉ dành cho cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng pg_restore trên máy chủ.",
                       EXIT_USAGE)
    ctx.close()
    try:
        check_backup_file(Path(args.file))
    except RestoreError as exc:
        raise CliError(f"{exc} Cơ sở dữ liệu giữ nguyên.", EXIT_USAGE) from exc
    with exit_codes(error=(RestoreError,)):
        result = restore(location, Path(args.file))
    ctx.out(f"Đã khôi phục {result.database} từ {result.restored_from}.")
    ctx.out(f"Đã kiểm tra trước và sau khi khôi phục: toàn vẹn, lược đồ {result.revision}, "
            f"{result.counts.get('person', 0)} người, {result.counts.get('unit', 0)} đơn vị.")
    if result.previous_copy is not None:
        ctx.out(f"Cơ sở dữ liệu trước khi khôi phục được giữ ở: {result.previous_copy}")
    return EXIT_OK


def cmd_backups(args, ctx) -> int:
    from bdhvs_desktop.services.safety import list_backups  # lazy: start-up

    db = ctx.db(create=False)
    if db.path is None:
        raise CliError("Chỉ cơ sở dữ liệu SQLite có bản sao lưu trong chương trình.", EXIT_USAGE)
    kinds = {"auto": "tự động", "manual": "thủ công", "pre_migration": "trước nâng cấp", "pre_restore": "trước khôi phục"}
    copies = list_backups(db)
    if not copies:
        ctx.out("Chưa có bản sao lưu nào.")
        return EXIT_OK
    for c in copies:
        ctx.out(f"{c.taken_at:%d/%m/%Y %H:%M:%S}  {kinds[c.kind]:<16} {c.size / 1024:8.0f} KB  {c.path}")
    return EXIT_OK


def _read_password(args, *, confirm: bool = True) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise CliError("Không đọc được mật khẩu từ đầu vào chuẩn.", EXIT_USAGE)
        return line.rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if confirm and getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise CliError("Hai lần nhập mật khẩu không khớp.", EXIT_USAGE)
    return first


def _auth_call(fn, *a, **kw):
    from bdhvs_desktop.services.auth import AuthError  # lazy: start-up

    with exit_codes(usage=(AuthError,)):
        return fn(*a, **kw)


def cmd_users_add(args, ctx) -> int:
    from bdhvs_desktop.services.accounts import add_user, check_username, require_user_admin  # lazy: start-up
    from bdhvs_desktop.services.passwords import check_password  # lazy: start-up

    _auth_call(check_username, args.username)
    db = ctx.db(first_account=True)
    # Refused before asking for the new password.
    _auth_call(require_user_admin, db, "tạo tài khoản", first_secretary=args.role == "secretary")
    password = _read_password(args)
    _auth_call(check_password, password)
    info = _auth_call(add_user, db, args.username, args.name, args.role, password)
    ctx.out(f"Đã tạo tài khoản {info.username} — {info.full_name} ({info.role_label}).")
    if db.is_sqlite:
        ctx.out("Lưu ý: tệp SQLite trên máy này không yêu cầu đăng nhập; tài khoản dùng khi chuyển sang PostgreSQL.")
    return EXIT_OK


def cmd_users_list(args, ctx) -> int:
    from bdhvs_desktop.services.accounts import list_users  # lazy: start-up

    users = list_users(ctx.db(create=False))
    if not users:
        ctx.out("Chưa có tài khoản nào. Tạo tài khoản thư ký: bdhvs users add TÊN --name \"Họ tên\" --role secretary")
        return EXIT_OK
    for u in users:
        state = "" if u.active else "  (đã khóa)"
        ctx.out(f"{u.username:<20} {u.full_name:<28} {u.role_label}{state}")
    return EXIT_OK


def cmd_users_passwd(args, ctx) -> int:
    from bdhvs_desktop.services.accounts import require_user_admin, set_password  # lazy: start-up
    from bdhvs_desktop.services.passwords import check_password  # lazy: start-up

    db = ctx.db(create=False)
    _auth_call(require_user_admin, db, "đặt lại mật khẩu")  # refused before asking for the new password
    password = _read_password(args)
    _auth_call(check_password, password)
    _auth_call(set_password, db, args.username, password)
    ctx.out(f"Đã đặt mật khẩu mới cho {args.username.strip().lower()}.")
    return EXIT_OK


def cmd_users_disable(args, ctx) -> int:
    from bdhvs_desktop.services.accounts import set_active  # lazy: start-up

    _auth_call(set_active, ctx.db(create=False), args.username, False)
    ctx.out(f"Đã khóa tài khoản {args.username.strip().lower()}.")
    return EXIT_OK


def cmd_users_enable(args, ctx) -> int:
    from bdhvs_desktop.services.accounts import set_active  # lazy: start-up

    _auth_call(set_active, ctx.db(create=False), args.username, True)
    ctx.out(f"Đã mở lại tài khoản {args.username.strip().lower()}.")
    return EXIT_OK


__all__ = ["register", "EXIT_ERROR"]
