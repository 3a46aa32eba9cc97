"""`bdhvs server setup`: the shared office's PostgreSQL roles, set up with the owner's URL."""

from __future__ import annotations

import getpass
import os
import sys

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import exit_codes

APP_PASSWORD_ENV = "BDHVS_APP_PASSWORD"


def register(subparsers, common) -> None:
    server = subparsers.add_parser(
        "server", parents=[common], help="máy chủ PostgreSQL dùng chung: vai trò cơ sở dữ liệu",
        description=(
            "Chạy trên máy chủ, với URL của chủ sở hữu cơ sở dữ liệu (vai trò tạo các bảng). 'setup' nâng cấp lược đồ "
            "rồi tạo hoặc cập nhật vai trò ứng dụng mà các máy trạm dùng: được đọc và sửa dữ liệu nghiệp vụ, chỉ được "
            "THÊM vào nhật ký (không sửa, không xóa), chỉ được ĐỌC bảng tài khoản, không được tạo/sửa/xóa bảng. "
            "Chạy lại được nhiều lần (sau mỗi lần nâng cấp, hoặc để đổi mật khẩu vai trò). Mật khẩu vai trò lấy từ "
            f"biến môi trường {APP_PASSWORD_ENV} hoặc được hỏi; không bao giờ ghi trên dòng lệnh."))
    sub = server.add_subparsers(dest="server_command", metavar="VIỆC", title="Các việc", prog="bdhvs server")
    sub.required = True
    s = sub.add_parser("setup", parents=[common], help="tạo hoặc cập nhật vai trò ứng dụng và quyền của nó")
    s.add_argument("--app-role", default="bdhvs_app", metavar="TÊN_VAI_TRÒ",
                   help="tên vai trò ứng dụng (mặc định: bdhvs_app)")
    s.add_argument("--new-app-password", action="store_true",
                   help="đặt mật khẩu mới cho vai trò ứng dụng đã có (được hỏi, hoặc lấy từ biến môi trường)")
    s.set_defaults(func=cmd_server_setup)


def _app_password(role: str, *, required: bool) -> str | None:
    password = os.environ.get(APP_PASSWORD_ENV)
    if password:
        return password
    if not required:
        return None
    if not sys.stdin.isatty():
        raise CliError(f"Cần mật khẩu cho vai trò {role}: đặt biến môi trường {APP_PASSWORD_ENV} "
                       "(không ghi mật khẩu trên dòng lệnh).", EXIT_USAGE)
    first = getpass.getpass(f"Mật khẩu mới cho vai trò cơ sở dữ liệu {role}: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise CliError("Hai lần nhập mật khẩu không khớp.", EXIT_USAGE)
    return first


def cmd_server_setup(args, ctx) -> int:
    from bdhvs_desktop.services.shared_server import (
        ServerSetupError,
        app_role_exists,
        require_owner,
        setup_app_role,
    )  # lazy: start-up

    db = ctx.db(login=False)  # the owner's command: the database's own credentials, no account yet needed
    if db.is_sqlite:
        raise CliError("Lệnh 'server setup' chỉ dành cho cơ sở dữ liệu PostgreSQL dùng chung (--db postgresql+psycopg://"
                       "CHỦ_SỞ_HỮU@MÁY_CHỦ/TÊN_CSDL); tệp SQLite trên máy này không cần.", EXIT_USAGE)
    role = args.app_role
    with exit_codes(usage=(ServerSetupError,)):
        require_owner(db)
        exists = app_role_exists(db, role)
        password = _app_password(role, required=args.new_app_password or not exists)
        result = setup_app_role(db, role, password)
    ctx.out(("Đã tạo" if result.created else "Đã cập nhật") + f" vai trò ứng dụng {result.role} "
            f"(chủ sở hữu: {result.owner})" + ("; mật khẩu mới đã đặt." if result.password_changed else "."))
    ctx.out("Quyền của vai trò ứng dụng trên từng bảng:")
    labels = {"SELECT, INSERT": "chỉ đọc và thêm (nhật ký: không sửa, không xóa)", "SELECT": "chỉ đọc"}
    for table, rights in result.tables:
        if rights in labels:
            ctx.out(f"  {table:<24} {labels[rights]}")
    ordinary = sum(1 for _t, r in result.tables if r not in labels)
    ctx.out(f"  {ordinary} bảng nghiệp vụ khác: đọc, thêm, sửa, xóa. Không được tạo, sửa cấu trúc hay xóa bảng.")
    ctx.out(f"URL cho các máy trạm (không kèm mật khẩu): {result.app_url}")
    ctx.out("Mật khẩu của vai trò: đặt biến môi trường BDHVS_DB_PASSWORD trên máy trạm, hoặc ghi vào tệp pgpass "
            "(Windows: %APPDATA%\\postgresql\\pgpass.conf), hoặc nhập khi được hỏi.")
    ctx.out("Tài khoản người dùng (thư ký, thành viên Hội đồng, chỉ xem) được quản lý tại đây, với URL của chủ sở hữu: "
            "bdhvs --db URL_CHỦ_SỞ_HỮU --user TÊN_THƯ_KÝ users add ... (tài khoản thư ký đầu tiên không cần --user).")
    return EXIT_OK
