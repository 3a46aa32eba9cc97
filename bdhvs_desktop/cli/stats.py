"""`bdhvs stats --year 2026 --form 0601|0602|0603|TH|all --out FILE.xlsx|FILE.pdf`: the yearly
emulation and award statistics (Circular 02/2023/TT-BNV) from the campaigns and the award register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.export import parse_date_arg
from bdhvs_desktop.cli.preamble import exit_codes
from bdhvs_desktop.documents.atomic import FileInUseError
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.statistics import LayoutError


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "stats", parents=[common], help="thống kê thi đua, khen thưởng hằng năm (Biểu 0601-0603, .xlsx hoặc .pdf)",
        description=(
            "Thống kê thi đua, khen thưởng hằng năm theo Thông tư 02/2023/TT-BNV (hạn nộp 15/12):\n"
            "  0601  số phong trào thi đua (phong trào có thời gian thực hiện trong năm)\n"
            "  0602  số lượng khen thưởng cấp Nhà nước\n"
            "  0603  số lượng khen thưởng cấp bộ, ngành, tỉnh\n"
            "  TH    tổng hợp mọi khen thưởng trong năm theo cấp, loại, hình thức (biểu của chương trình)\n"
            "  all   tất cả các biểu (Excel: mỗi biểu một trang tính; PDF: mỗi biểu bắt đầu một trang mới)\n\n"
            "Khen thưởng được tính vào năm có ngày ký quyết định. Bố cục biểu là dữ liệu trong\n"
            "resources/statistics/*.toml (chưa đối chiếu với văn bản gốc của Thông tư; sửa được không cần sửa mã).\n"
            "Mã thoát: 0 đã ghi; 1 tệp bố cục biểu có lỗi; 2 tham số, năm, mã biểu hoặc tệp không dùng được;\n"
            "3 không mở được cơ sở dữ liệu."),
    )
    p.add_argument("--year", metavar="NĂM", type=int, default=None,
                   help="năm báo cáo (mặc định: năm nay)")
    p.add_argument("--form", metavar="BIỂU", default="all", help="mã biểu: 0601, 0602, 0603, TH hoặc all (mặc định)")
    p.add_argument("--out", metavar="TỆP", required=True, help="tệp cần ghi: .xlsx hoặc .pdf")
    p.add_argument("--date", metavar="NNNN-TT-NN", default=None,
                   help="ngày ghi ở chỗ ký (mặc định: hôm nay)")
    p.set_defaults(func=cmd_stats)


def cmd_stats(args, ctx) -> int:
    from bdhvs_desktop.documents.pdf_reports import ReportError  # lazy: start-up
    from bdhvs_desktop.services.statistics import StatisticsError, write_statistics  # lazy: start-up

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        raise CliError(f"Tệp thống kê phải có đuôi .xlsx hoặc .pdf: {out.name}", EXIT_USAGE)
    year = args.year if args.year is not None else dt.date.today().year
    sign_date = parse_date_arg(args.date) if args.date else None
    with exit_codes(usage=(StatisticsError, FileInUseError, ReportError), error=(LayoutError,)):
        result = write_statistics(ctx.db(create=False), year, args.form, out, sign_date=sign_date)
    ctx.out(f"Đã ghi thống kê năm {year}: {result.path} ({vn_number(result.size)} byte)")
    for table in result.report.tables:
        total = next((v[0] for r, v in zip(table.layout.rows, table.values) if r.has_values), None)
        what = "phong trào" if table.layout.source == "campaigns" else "khen thưởng"
        ctx.out(f"  Biểu {table.layout.code}: {table.layout.title} — tổng số {total} {what}")
    for warning in result.report.warnings:
        ctx.out(f"  Cảnh báo: {warning}")
    return EXIT_OK
