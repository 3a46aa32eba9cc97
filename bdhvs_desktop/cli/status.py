"""`bdhvs status [--at YYYY-MM-DD] [--json]` and the exporter behind `bdhvs export status FILE.xlsx`."""

from __future__ import annotations

import json
from pathlib import Path

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.export import parse_date_arg
from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.numbers import vn_measure
from bdhvs_desktop.domain.vocab import TARGET_STATUS_LABELS, TASK_STATUS_LABELS


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "status", parents=[common], help="tình hình thực hiện chỉ tiêu và nhiệm vụ tại một ngày",
        description="Giai đoạn hiện tại, hạn gần nhất, từng chỉ tiêu (giá trị, mức phải đạt, trạng thái và "
                    "những người, đơn vị, tuần, ngày còn thiếu) và từng nhiệm vụ, tính đến một ngày.",
    )
    p.add_argument("--at", metavar="NNNN-TT-NN", default=None, help="tính đến ngày này (mặc định: hôm nay)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=cmd_status)


_STATUS = {k.value: v for k, v in TARGET_STATUS_LABELS.items()}
_MARK = {"met": "✓", "at_risk": "!", "missed": "✗", "not_due": "·"}
_TASK = {k.value: v for k, v in TASK_STATUS_LABELS.items()}
SHORTFALL_LINES = 10


def _as_of(args):
    return parse_date_arg(args.at) if isinstance(args.at, str) else args.at


def fmt_value(value: float | None, kind: str) -> str:
    return vn_measure(value, kind)


def cmd_status(args, ctx) -> int:
    from bdhvs_desktop.services.status import compute_status, status_to_json  # lazy: start-up

    as_of = _as_of(args)
    report = compute_status(ctx.db(create=False), as_of)
    if args.json:
        ctx.out(json.dumps(status_to_json(report), ensure_ascii=False, indent=2))
        return EXIT_OK
    out = ctx.out
    if report.campaign_name is None:
        raise CliError("Cơ sở dữ liệu chưa có phong trào. Tạo bằng 'bdhvs init' hoặc 'bdhvs demo'.", EXIT_USAGE)
    out(f"TÌNH HÌNH THỰC HIỆN PHONG TRÀO — tính đến ngày {vn_date(report.as_of)}")
    out(report.campaign_name)
    if report.phase:
        end = vn_date(report.phase.end) if report.phase.end else "chưa xác định"
        out(f"Giai đoạn {report.phase.number}: {report.phase.name} ({vn_date(report.phase.start)} – {end})")
    else:
        out("Ngày này không thuộc giai đoạn nào của phong trào.")
    if report.next_deadline:
        days = report.days_to_next_deadline
        when = "hôm nay" if days == 0 else f"còn {days} ngày"
        out(f"Hạn gần nhất: {vn_date(report.next_deadline)} ({when})")
    out("")
    out("CHỈ TIÊU")
    for t in report.targets:
        deadline = f", hạn {vn_date(t.deadline)}" if t.deadline else ""
        out(f"{_MARK[t.status]} [{t.code}] {t.name}")
        out(f"    Kết quả: {fmt_value(t.value, t.value_kind)} / chỉ tiêu {fmt_value(t.target, t.value_kind)}"
            f" — {_STATUS[t.status]}{deadline}")
        if t.shortfall:
            out(f"    Còn thiếu ({len(t.shortfall)}):")
            for line in t.shortfall[:SHORTFALL_LINES]:
                out(f"      - {line}")
            if len(t.shortfall) > SHORTFALL_LINES:
                out(f"      ... và {len(t.shortfall) - SHORTFALL_LINES} mục khác (xem --json hoặc 'bdhvs export status')")
    out("")
    out("NHIỆM VỤ")
    for t in report.tasks:
        due = vn_date(t.due) if t.due else "không có hạn"
        out(f"{_MARK.get({'done': 'met', 'late': 'missed'}.get(t.status, 'not_due'))} {t.title}")
        out(f"    {t.unit or 'Chưa giao đơn vị'} — hạn {due} — {_TASK[t.status]}")
    counts = {k: sum(1 for t in report.targets if t.status == k) for k in _STATUS}
    out("")
    out(f"Tổng hợp: {counts['met']} đạt, {counts['at_risk']} có nguy cơ, {counts['missed']} chưa đạt, "
        f"{counts['not_due']} chưa đến hạn; nhiệm vụ trễ hạn: {sum(1 for t in report.tasks if t.status == 'late')}.")
    return EXIT_OK


def export_status(args, ctx) -> int:
    """`bdhvs export status FILE.xlsx [--at ...]`: the targets by unit, one sheet."""

    from bdhvs_desktop.services.status import compute_status, write_status_xlsx  # lazy: start-up

    report = compute_status(ctx.db(create=False), args.at)
    try:
        path = write_status_xlsx(report, Path(args.file))
    except PermissionError as exc:
        raise CliError(f"Không ghi được tệp {args.file}: tệp đang mở trong Excel hoặc không có quyền ghi. "
                       "Đóng tệp rồi thử lại.", EXIT_USAGE) from exc
    except OSError as exc:
        raise CliError(f"Không ghi được tệp {args.file}: {exc.strerror or exc}", EXIT_USAGE) from exc
    ctx.out(f"Đã ghi {len(report.targets)} chỉ tiêu theo đơn vị vào: {path}")
    return EXIT_OK
