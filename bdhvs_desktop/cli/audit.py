"""`bdhvs audit anchors|verify|anchor`: the decision chain's anchors (codes printed on the
minutes and in the dossier manifest) compared with the chain in the database."""

from __future__ import annotations

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "audit", parents=[common], help="mã neo của chuỗi nhật ký quyết định (in trên biên bản)",
        description=("Chuỗi nhật ký các quyết định của Hội đồng được ký bằng khóa HMAC; đỉnh chuỗi được in trên "
                     "biên bản họp xét (mã ngắn và mã QR) và ghi trong manifest.json của hồ sơ. So mã in trên giấy "
                     "với cơ sở dữ liệu để phát hiện chuỗi bị viết lại hoặc bị cắt phần cuối."))
    sub = p.add_subparsers(dest="audit_command", metavar="VIỆC", title="Các việc", prog="bdhvs audit")
    sub.required = True
    a = sub.add_parser("anchors", parents=[common], help="liệt kê các mã neo đã ghi và đối chiếu với chuỗi")
    a.set_defaults(func=cmd_anchors)
    v = sub.add_parser("verify", parents=[common], help="đối chiếu một mã in trên biên bản với chuỗi hiện tại")
    v.add_argument("--code", required=True, metavar="MÃ", help="mã neo in trên biên bản, ví dụ ABCD-EFGH-IJKL")
    v.set_defaults(func=cmd_verify)
    n = sub.add_parser("anchor", parents=[common], help="ghi và in mã neo hiện tại của chuỗi")
    n.add_argument("--note", metavar="GHI_CHÚ", help="ghi chú (ví dụ: nơi lưu bản in)")
    n.set_defaults(func=cmd_anchor)


def cmd_anchors(args, ctx) -> int:
    from bdhvs_desktop.services import audit  # lazy: start-up

    db = ctx.db(create=False)
    now = audit.anchor_now(db)
    ctx.out(f"Mã neo hiện tại: {now.code} ({now.seq} mục).")
    rows = audit.anchor_statuses(db)
    if not rows:
        ctx.out("Chưa ghi mã neo nào (mã neo được ghi mỗi khi lập hồ sơ/biên bản, hoặc bằng 'bdhvs audit anchor').")
        return EXIT_OK
    for r in rows:
        a = r.anchor
        when = f"{a.at:%d/%m/%Y %H:%M}" if a.at else "?"
        ctx.out(f"{'✓' if r.ok else '✗'} {a.code}  {a.seq:>5} mục  {when} UTC  {r.where}: {r.message}"
                + (f"  ({a.note})" if a.note else ""))
    return EXIT_OK if all(r.ok for r in rows) else EXIT_ERROR


def cmd_verify(args, ctx) -> int:
    from bdhvs_desktop.services import audit  # lazy: start-up

    result = audit.verify_code(ctx.db(create=False), args.code)
    ctx.out(("✓ " if result.found else "✗ ") + result.message)
    return EXIT_OK if result.found else EXIT_ERROR


def cmd_anchor(args, ctx) -> int:
    from bdhvs_desktop.services import audit  # lazy: start-up

    anchor = audit.take_anchor(ctx.db(), note=args.note)
    ctx.out(f"Mã neo: {anchor.code} ({anchor.seq} mục). Hãy ghi lại hoặc in mã này; đối chiếu sau bằng "
            f"'bdhvs audit verify --code {anchor.code}'.")
    return EXIT_OK
