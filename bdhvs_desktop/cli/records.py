"""Records from and to Excel: `bdhvs template`, `bdhvs import`, and the exporters of
people, units, activities, models and solutions used by `bdhvs export`."""

from __future__ import annotations

import sys

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import exit_codes
from bdhvs_desktop.documents.atomic import FileInUseError


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "template", parents=[common], help="tạo tệp Excel mẫu để các đơn vị nhập số liệu",
        description="Tạo sổ làm việc Excel trống theo mẫu nhập liệu: trang hướng dẫn, mỗi trang một dòng ví dụ, "
                    "danh sách chọn cho các cột có giá trị cố định.")
    p.add_argument("file", metavar="TỆP.xlsx", help="tệp cần tạo")
    p.set_defaults(func=cmd_template)

    p = subparsers.add_parser(
        "import", parents=[common], help="nhập số liệu từ tệp Excel theo mẫu",
        description="Nhập đơn vị, nhân sự, hoạt động, mô hình, giải pháp và số liệu chỉ tiêu từ tệp Excel theo mẫu.\n"
                    "Ghi tất cả hoặc không ghi gì: có lỗi thì không ghi dòng nào. Nhập lại cùng tệp không thay đổi gì.\n\n"
                    "Mã thoát: 0 đã ghi (có thể có cảnh báo) hoặc kiểm tra không có lỗi; 1 có lỗi, không ghi gì; "
                    "2 tệp không dùng được.")
    p.add_argument("file", metavar="TỆP.xlsx", help="tệp Excel cần nhập")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không ghi gì")
    p.add_argument("--max-problems", type=int, default=200, metavar="N",
                   help="số lỗi/cảnh báo tối đa được in (mặc định 200)")
    p.set_defaults(func=cmd_import)


def cmd_template(args, ctx) -> int:
    from bdhvs_desktop.services.exporter import write_template  # lazy: start-up

    if not str(args.file).lower().endswith(".xlsx"):
        raise CliError(f"Tệp mẫu phải có đuôi .xlsx: {args.file}", EXIT_USAGE)
    try:
        path = write_template(args.file)
    except (FileInUseError, OSError) as exc:
        raise CliError(f"Không ghi được tệp {args.file}: {exc}", EXIT_USAGE) from exc
    ctx.out(f"Đã tạo tệp mẫu: {path}")
    return EXIT_OK


def cmd_import(args, ctx) -> int:
    from bdhvs_desktop.services.importer import UnusableFile, import_workbook  # lazy: start-up

    db = ctx.db()
    with exit_codes(usage=(UnusableFile,)):
        result = import_workbook(db, args.file, dry_run=args.dry_run)
    shown = 0
    for problem in result.errors + result.warnings:
        if shown >= args.max_problems:
            ctx.out(f"… và {len(result.problems) - shown} vấn đề khác.")
            break
        ctx.out(problem.text())
        shown += 1
    for line in result.summary_lines():
        ctx.out(line)
    ctx.out(result.status_line())
    return EXIT_ERROR if result.errors else EXIT_OK


def _export(kind: str, args, ctx) -> int:
    from bdhvs_desktop.services.exporter import KIND_LABELS, PERSONAL_KINDS, export  # lazy: start-up

    try:
        counts = export(ctx.db(), kind, args.file)
    except (FileInUseError, OSError) as exc:
        raise CliError(f"Không ghi được tệp {args.file}: {exc}", EXIT_USAGE) from exc
    total = sum(counts.values())
    ctx.out(f"Đã xuất {total} dòng {KIND_LABELS[kind].lower()} ra {args.file}")
    if kind in PERSONAL_KINDS:
        print("Lưu ý: tệp có dữ liệu cá nhân (số CCCD, ngày sinh); hãy bảo quản và chỉ gửi cho người có trách nhiệm.",
              file=sys.stderr)
    return EXIT_OK


def export_people(args, ctx) -> int:
    return _export("people", args, ctx)


def export_units(args, ctx) -> int:
    return _export("units", args, ctx)


def export_activities(args, ctx) -> int:
    return _export("activities", args, ctx)


def export_models(args, ctx) -> int:
    return _export("models", args, ctx)


def export_solutions(args, ctx) -> int:
    return _export("solutions", args, ctx)
