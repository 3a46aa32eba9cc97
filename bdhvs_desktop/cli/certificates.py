"""`bdhvs certificates …` (Giấy khen: layouts, calibration, printing) and `bdhvs ceremony`."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import exit_codes, optional_date
from bdhvs_desktop.documents.atomic import FileInUseError
from bdhvs_desktop.documents.certificate_layout import FIELDS, LayoutError
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import name_key


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "certificates", parents=[common], help="in giấy khen (trên phôi in sẵn hoặc giấy trắng), mẫu in và căn chỉnh",
        description=(
            "In giấy khen cho các tập thể, cá nhân được khen thưởng, thành một tệp PDF cho cả đợt.\n"
            "Mỗi hình thức khen thưởng có một mẫu in: vị trí (mm, tính từ góc trên bên trái trang) và cỡ chữ\n"
            "của từng ô. Chữ dài được xuống dòng hoặc thu nhỏ cho vừa ô, không bao giờ tràn ra ngoài."),
    )
    sub = p.add_subparsers(dest="cert_command", metavar="LỆNH_CON", required=True)
    layout = sub.add_parser("layout", parents=[common], help="xem, xuất, nhập, đặt lại mẫu in; trang căn chỉnh")
    lsub = layout.add_subparsers(dest="layout_command", metavar="VIỆC", required=True)

    q = lsub.add_parser("show", parents=[common], help="các mẫu in và vị trí từng ô")
    q.add_argument("--award-form", metavar="MÃ", help="chỉ một hình thức khen thưởng")
    q.add_argument("--json", action="store_true", help="xuất JSON")
    q.set_defaults(func=cmd_layout_show)

    q = lsub.add_parser("export", parents=[common], help="ghi mẫu in của một hình thức ra tệp .toml hoặc .json")
    q.add_argument("--award-form", metavar="MÃ", required=True)
    q.add_argument("--out", metavar="TỆP.toml|TỆP.json", required=True)
    q.set_defaults(func=cmd_layout_export)

    q = lsub.add_parser("import", parents=[common], help="dùng mẫu in từ tệp (.toml/.json) cho một hình thức")
    q.add_argument("file", metavar="TỆP")
    q.add_argument("--award-form", metavar="MÃ", required=True)
    q.set_defaults(func=cmd_layout_import)

    q = lsub.add_parser("reset", parents=[common], help="bỏ mẫu in của văn phòng, dùng lại mẫu có sẵn")
    q.add_argument("--award-form", metavar="MÃ", required=True)
    q.set_defaults(func=cmd_layout_reset)

    q = lsub.add_parser("calibrate", parents=[common],
                        help="trang căn chỉnh: lưới mm, khung các ô, dấu cắt (in lên phôi để kiểm tra)")
    q.add_argument("--out", metavar="TỆP.pdf", required=True)
    q.add_argument("--award-form", metavar="MÃ", help="chỉ một hình thức (mặc định: mọi hình thức)")
    q.add_argument("--no-sample", action="store_true", help="không in chữ mẫu trong các ô")
    q.set_defaults(func=cmd_layout_calibrate)

    q = sub.add_parser("print", parents=[common], help="in giấy khen thành một tệp PDF")
    q.add_argument("--out", metavar="TỆP.pdf", required=True)
    q.add_argument("--plain", action="store_true",
                   help="in trên giấy trắng (có viền, Quốc hiệu hoặc tiêu đề Đảng, chữ GIẤY KHEN)")
    q.add_argument("--award-form", metavar="MÃ", help="chỉ một hình thức khen thưởng")
    q.add_argument("--decision", metavar="SỐ", help="số quyết định khen thưởng (ví dụ 123 hoặc 123/QĐ-UBND)")
    q.add_argument("--date", metavar="NGÀY", help="ngày ký quyết định (khi chưa có trong sổ khen thưởng)")
    q.set_defaults(func=cmd_print)

    p = subparsers.add_parser(
        "ceremony", parents=[common], help="danh sách xướng danh tại Hội nghị khen thưởng (.docx)",
        description=("Danh sách người dẫn chương trình đọc tại Hội nghị khen thưởng: tập thể trước, cá nhân sau,\n"
                     "hình thức cao hơn trước; có thể kèm số hàng, số ghế; cuối danh sách là số lượng theo\n"
                     "từng hình thức khen thưởng."),
    )
    p.add_argument("--out", metavar="TỆP.docx", required=True)
    p.add_argument("--seats", action="store_true", help="kèm số hàng, số ghế theo thứ tự xướng danh")
    p.add_argument("--seats-per-row", metavar="N", type=int, default=10, help="số ghế mỗi hàng (mặc định 10)")
    p.add_argument("--first-row", metavar="N", type=int, default=1, help="hàng đầu tiên (mặc định 1)")
    p.add_argument("--order", metavar="TỆP.txt",
                   help="thứ tự xướng danh của văn phòng: mỗi dòng một tên; người không có tên theo sau")
    p.add_argument("--decision", metavar="SỐ", help="số quyết định khen thưởng")
    p.add_argument("--date", metavar="NGÀY", help="ngày ký quyết định (khi chưa có trong sổ khen thưởng)")
    p.set_defaults(func=cmd_ceremony)


def _svc():
    from bdhvs_desktop.services import certificates  # lazy: start-up

    return certificates


def _layouts():
    from bdhvs_desktop.services import certificate_layouts  # lazy: start-up

    return certificate_layouts


def _awardees():
    from bdhvs_desktop.services import certificate_awardees  # lazy: start-up

    return certificate_awardees


def _run(fn, *args, **kwargs):
    """Map the service's errors to exit codes: bad input files/layouts 2, missing data 1."""

    with exit_codes(usage=(LayoutError, FileInUseError), error=(_svc().CertificateError,)):
        return fn(*args, **kwargs)


def cmd_layout_show(args, ctx) -> int:
    db = ctx.db(create=False)
    layouts = _layouts()
    forms = layouts.list_award_forms(db)
    if args.award_form:
        forms = [f for f in forms if f.code == args.award_form]
        if not forms:
            raise CliError(f"Không có hình thức khen thưởng mã “{args.award_form}”.", EXIT_USAGE)
    items = []
    for f in forms:
        layout = _run(layouts.get_layout, db, f.code)
        items.append((f, layout, layouts.layout_is_edited(db, f.code)))
    if args.json:
        ctx.out(json.dumps([{"award_form": f.code, "edited": edited, **layout.to_dict()}
                            for f, layout, edited in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    for f, layout, edited in items:
        w, h = layout.page_mm
        ctx.out(f"{f.code} — {f.name}")
        ctx.out(f"  Mẫu in: {layout.title} ({'bản của văn phòng' if edited else 'mẫu có sẵn'}), "
                f"trang {vn_number(w)} × {vn_number(h)} mm, thể thức {'Đảng' if layout.format == 'party' else 'hành chính'}")
        for key, label in FIELDS.items():
            b = layout.fields[key]
            ctx.out(f"  {label:<24} x {vn_number(b.x):>6}  y {vn_number(b.y):>6}  rộng {vn_number(b.width):>6}  "
                    f"cao {vn_number(b.height):>5} mm  chữ {vn_number(b.min_font_size)}–{vn_number(b.font_size)} pt  {b.align}"
                    + (" đậm" if b.bold else "") + (" nghiêng" if b.italic else "") + ("" if b.show else " (không in)"))
    return EXIT_OK


def cmd_layout_export(args, ctx) -> int:
    path = _run(_layouts().export_layout, ctx.db(create=False), args.award_form, Path(args.out))
    ctx.out(f"Đã ghi mẫu in của {args.award_form}: {path}")
    return EXIT_OK


def cmd_layout_import(args, ctx) -> int:
    layout = _run(_layouts().import_layout, ctx.db(create=False), args.award_form, Path(args.file))
    ctx.out(f"Đã dùng mẫu in “{layout.title}” cho {args.award_form}.")
    return EXIT_OK


def cmd_layout_reset(args, ctx) -> int:
    layout = _run(_layouts().reset_layout, ctx.db(create=False), args.award_form)
    ctx.out(f"{args.award_form} dùng lại mẫu in có sẵn “{layout.title}”.")
    return EXIT_OK


def cmd_layout_calibrate(args, ctx) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise CliError(f"Trang căn chỉnh là tệp .pdf: {out.name}", EXIT_USAGE)
    path = _run(_svc().calibrate, ctx.db(create=False), out, award_form=args.award_form,
                with_sample=not args.no_sample)
    ctx.out(f"Đã tạo trang căn chỉnh: {path}. In lên phôi giấy khen (tỉ lệ 100%, không “vừa trang”) và so vị trí "
            "các khung với chỗ trống trên phôi.")
    return EXIT_OK


def cmd_print(args, ctx) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise CliError(f"Giấy khen được in thành tệp .pdf: {out.name}", EXIT_USAGE)
    outcome = _run(_svc().print_certificates, ctx.db(create=False), out, plain=args.plain,
                   award_form=args.award_form, decision=args.decision, decision_date=optional_date(args.date))
    ctx.out(f"Đã tạo {outcome.count} giấy khen{' (giấy trắng)' if args.plain else ' (in trên phôi)'}: {outcome.path}")
    for name, n in outcome.per_form:
        ctx.out(f"  {name}: {n}")
    return EXIT_OK


def _read_order(path: Path, awardees) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"Không đọc được tệp thứ tự “{path.name}” (cần văn bản UTF-8): {exc}", EXIT_USAGE) from exc
    by_name: dict[str, list[str]] = {}
    for a in awardees:
        for text in (a.name, a.display_name):
            by_name.setdefault(name_key(unicodedata.normalize("NFC", text)), []).append(a.key)
    keys: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        found = [k for k in dict.fromkeys(by_name.get(name_key(unicodedata.normalize("NFC", line.strip())), []))
                 if k not in keys]
        if not found:
            raise CliError(f"Tệp thứ tự “{path.name}”, dòng {number}: “{line.strip()}” không có trong danh sách "
                           "khen thưởng.", EXIT_USAGE)
        keys.append(found[0])
    return keys


def cmd_ceremony(args, ctx) -> int:
    svc = _svc()
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise CliError(f"Danh sách xướng danh là tệp .docx: {out.name}", EXIT_USAGE)
    db = ctx.db(create=False)
    awardees = _run(_awardees().list_awardees, db, decision=args.decision, decision_date=optional_date(args.date))
    order = _read_order(Path(args.order), awardees) if args.order else None
    path = _run(svc.ceremony, db, out, seats=args.seats, seats_per_row=args.seats_per_row, first_row=args.first_row,
                awardees=awardees, order=order)
    collectives = sum(1 for a in awardees if a.collective)
    ctx.out(f"Đã tạo danh sách xướng danh: {path} ({collectives} tập thể, {len(awardees) - collectives} cá nhân)")
    return EXIT_OK
