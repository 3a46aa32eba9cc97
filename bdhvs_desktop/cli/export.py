"""`bdhvs export KIND FILE.xlsx`: one shared command that dispatches on KIND.

Each kind is an entry of EXPORTERS: "kind": ("module:function", "Vietnamese help").
The function is called as function(args, ctx) -> exit code, where args.file is the
output path (str) and args.at the as-of date (datetime.date or None). Add a kind with a
one-line edit to EXPORTERS; the module is imported only when that kind is used."""

from __future__ import annotations

import datetime as _dt
import importlib

from bdhvs_desktop.cli import EXIT_USAGE, CliError

EXPORTERS: dict[str, tuple[str, str]] = {
    "people": ("bdhvs_desktop.cli.records:export_people", "nhân sự theo mẫu nhập liệu (có dữ liệu cá nhân)"),
    "units": ("bdhvs_desktop.cli.records:export_units", "đơn vị theo mẫu nhập liệu"),
    "activities": ("bdhvs_desktop.cli.records:export_activities", "hoạt động theo mẫu nhập liệu"),
    "models": ("bdhvs_desktop.cli.records:export_models", "mô hình theo mẫu nhập liệu"),
    "solutions": ("bdhvs_desktop.cli.records:export_solutions", "giải pháp theo mẫu nhập liệu (có số CCCD)"),
    "status": ("bdhvs_desktop.cli.status:export_status", "chỉ tiêu theo từng đơn vị (Excel)"),
}


def parse_date_arg(text: str):
    """YYYY-MM-DD (or DD/MM/YYYY) -> date; a CliError with exit code 2 otherwise."""

    value = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return _dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CliError(f"Ngày không hợp lệ: '{text}' (cần dạng NNNN-TT-NN, ví dụ 2026-03-31).", EXIT_USAGE)


def register(subparsers, common) -> None:
    kinds = "\n".join(f"  {k:<12} {h}" for k, (_, h) in EXPORTERS.items())
    p = subparsers.add_parser(
        "export", parents=[common], help="xuất dữ liệu ra tệp Excel",
        description="Xuất dữ liệu ra tệp Excel (.xlsx).\n\nCác loại:\n" + kinds,
    )
    p.add_argument("kind", metavar="LOẠI", choices=sorted(EXPORTERS), help="loại dữ liệu: " + ", ".join(EXPORTERS))
    p.add_argument("file", metavar="TỆP.xlsx", help="tệp Excel cần ghi")
    p.add_argument("--at", metavar="NNNN-TT-NN", default=None, help="tính đến ngày (mặc định: hôm nay)")
    p.set_defaults(func=cmd_export)


def cmd_export(args, ctx) -> int:
    target, _ = EXPORTERS[args.kind]
    if not str(args.file).lower().endswith(".xlsx"):
        raise CliError(f"Tệp xuất phải có đuôi .xlsx: {args.file}", EXIT_USAGE)
    args.at = parse_date_arg(args.at) if isinstance(args.at, str) else args.at
    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return func(args, ctx)
