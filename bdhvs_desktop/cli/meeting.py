"""The council meeting's own record on the command line: start and end time (local time),
discussion, the ballot-counting committee, and members renamed or given another position.

    bdhvs council meeting new --start "12/11/2026 08:00" --end "12/11/2026 10:30" --discussion-file thao-luan.txt
    bdhvs council meeting edit 2 --end "12/11/2026 11:15" --discussion "Hội đồng nghe ..."
    bdhvs council meeting close 2 --end "12/11/2026 11:15"
    bdhvs council counting --members 2,3 --head 2 [--meeting 2]
    bdhvs council member edit 4 --position "Phó Chủ tịch UBND phường"

Registered from cli/council.py (the council command group)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError


def _ids(text: str) -> list[int]:
    try:
        ids = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"danh sách số thành viên không hợp lệ: {text!r} (ví dụ 2,3,5)") from exc
    if not ids:
        raise argparse.ArgumentTypeError("cần ít nhất một số thành viên (ví dụ 2,3,5)")
    return ids


def add_time_arguments(parser: argparse.ArgumentParser, datetime_type, *, new: bool) -> None:
    parser.add_argument("--start", type=datetime_type, metavar="\"NGÀY GIỜ\"",
                        help="giờ bắt đầu, giờ Việt Nam, ví dụ \"12/11/2026 08:00\""
                        + (" (thay cho --at)" if new else ""))
    parser.add_argument("--end", type=datetime_type, metavar="\"NGÀY GIỜ\"",
                        help="giờ kết thúc, giờ Việt Nam, ví dụ \"12/11/2026 10:30\"")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--discussion", metavar="NỘI_DUNG", help="nội dung cuộc họp (mục II của biên bản)")
    g.add_argument("--discussion-file", metavar="TỆP", help="đọc nội dung cuộc họp từ tệp văn bản UTF-8")


def discussion_text(args) -> str | None:
    if getattr(args, "discussion_file", None):
        path = Path(args.discussion_file)
        try:
            return path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CliError(f"Không đọc được tệp nội dung cuộc họp “{path}”: {exc.strerror or exc}.", EXIT_USAGE) from exc
        except UnicodeDecodeError as exc:
            raise CliError(f"Tệp “{path}” không phải văn bản UTF-8 (lưu lại bằng Notepad, chọn mã UTF-8).",
                           EXIT_USAGE) from exc
    return getattr(args, "discussion", None)


def register(council_sub, meeting_sub, member_sub, common, datetime_type, errors, fail) -> None:
    """Add `meeting edit`, `counting` and `member edit` to the council command group."""
    r = meeting_sub.add_parser("edit", parents=[common], help="sửa giờ bắt đầu, kết thúc, địa điểm, số, nội dung cuộc họp")
    r.add_argument("meeting_id", type=int, nargs="?", metavar="SỐ_PHIÊN", help="mặc định: phiên gần nhất")
    add_time_arguments(r, datetime_type, new=False)
    r.add_argument("--place", metavar="ĐỊA_ĐIỂM")
    r.add_argument("--number", metavar="SỐ", help="số biên bản")
    r.set_defaults(func=lambda args, ctx: _cmd_meeting_edit(args, ctx, errors, fail))

    q = council_sub.add_parser("counting", parents=[common], help="Ban kiểm phiếu của phiên bỏ phiếu kín",
                               description="Chọn Ban kiểm phiếu trong số thành viên có mặt; --head là Trưởng ban. "
                                           "--members \"\" để xóa.")
    q.add_argument("--members", required=True, metavar="SỐ,SỐ", help="số thành viên, cách nhau bằng dấu phẩy")
    q.add_argument("--head", type=int, metavar="SỐ_THÀNH_VIÊN", help="Trưởng ban kiểm phiếu (một trong --members)")
    q.add_argument("--meeting", type=int, metavar="SỐ_PHIÊN", help="mặc định: phiên gần nhất")
    q.set_defaults(func=lambda args, ctx: _cmd_counting(args, ctx, errors, fail))

    r = member_sub.add_parser("edit", parents=[common], help="đổi họ tên, chức vụ, vai trò của thành viên "
                                                             "(biên bản các phiên đã họp không đổi)")
    r.add_argument("member_id", type=int, metavar="SỐ_THÀNH_VIÊN")
    r.add_argument("--name", metavar="HỌ_TÊN")
    r.add_argument("--position", metavar="CHỨC_VỤ")
    r.add_argument("--role", choices=["chair", "vice_chair", "secretary", "member"])
    r.set_defaults(func=lambda args, ctx: _cmd_member_edit(args, ctx, errors, fail))


def _cmd_meeting_edit(args, ctx, errors, fail) -> int:
    from bdhvs_desktop.services import meeting_edit  # lazy: start-up

    changes = {k: v for k, v in (("start", args.start), ("end", args.end), ("place", args.place),
                                 ("number", args.number), ("discussion", discussion_text(args))) if v is not None}
    if not changes:
        raise CliError("Không có gì để sửa: dùng --start, --end, --place, --number, --discussion hoặc "
                       "--discussion-file.", EXIT_USAGE)
    try:
        meeting_edit.update_meeting(ctx.db(create=False), args.meeting_id, **changes)
    except errors() as exc:
        raise fail(exc) from exc
    ctx.out("Đã sửa phiên họp.")
    return EXIT_OK


def _cmd_counting(args, ctx, errors, fail) -> int:
    from bdhvs_desktop.services import meeting_edit  # lazy: start-up

    text = (args.members or "").strip()
    try:
        ids = _ids(text) if text else []
    except argparse.ArgumentTypeError as exc:
        raise CliError(str(exc)[:1].upper() + str(exc)[1:] + ".", EXIT_USAGE) from exc
    try:
        meeting_edit.set_counting_committee(ctx.db(create=False), args.meeting, ids, args.head if ids else None)
    except errors() as exc:
        raise fail(exc) from exc
    ctx.out(f"Đã ghi Ban kiểm phiếu: {len(ids)} thành viên, Trưởng ban là thành viên số {args.head}."
            if ids else "Đã xóa Ban kiểm phiếu.")
    return EXIT_OK


def _cmd_member_edit(args, ctx, errors, fail) -> int:
    from bdhvs_desktop.services.council import update_member  # lazy: start-up

    if args.name is None and args.position is None and args.role is None:
        raise CliError("Không có gì để sửa: dùng --name, --position hoặc --role.", EXIT_USAGE)
    try:
        update_member(ctx.db(create=False), args.member_id, full_name=args.name, position=args.position,
                      role=args.role)
    except errors() as exc:
        raise fail(exc) from exc
    ctx.out(f"Đã sửa thành viên số {args.member_id}. Biên bản các phiên đã họp giữ nguyên thành phần lúc họp.")
    return EXIT_OK
