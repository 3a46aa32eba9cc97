"""`bdhvs awards …` (the award register) and `bdhvs decision …` (the award decision)."""

from __future__ import annotations

import json
from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import exit_codes
from bdhvs_desktop.documents.atomic import FileInUseError
from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.dates import parse_vn_date


def _date(text: str | None):
    if text is None:
        return None

    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise CliError(f"Ngày “{text}” không hợp lệ: {exc}", EXIT_USAGE) from exc


def register(subparsers, common) -> None:
    p = subparsers.add_parser("awards", parents=[common], help="sổ theo dõi khen thưởng (xem, thêm, nhập từ Excel)",
                              description="Sổ theo dõi khen thưởng: mọi khen thưởng đã ban hành tại đây, nhập từ Excel\n"
                                          "hoặc nhập tay; tra cứu theo cá nhân (CCCD) hoặc đơn vị (mã).")
    sub = p.add_subparsers(dest="awards_command", metavar="VIỆC", title="Các việc", required=True)

    q = sub.add_parser("list", parents=[common], help="liệt kê sổ khen thưởng")
    q.add_argument("--person", metavar="CCCD", help="chỉ khen thưởng của cá nhân này")
    q.add_argument("--unit", metavar="MÃ", help="chỉ khen thưởng của đơn vị này")
    q.add_argument("--year", type=int, metavar="NĂM", help="chỉ quyết định ký trong năm này")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_list)

    q = sub.add_parser("history", parents=[common], help="quá trình khen thưởng của một cá nhân hoặc đơn vị")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--person", metavar="CCCD")
    g.add_argument("--unit", metavar="MÃ")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_history)

    q = sub.add_parser("add", parents=[common], help="nhập tay một khen thưởng (kể cả khen thưởng trước đây)")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--person", metavar="CCCD", help="cá nhân có trong cơ sở dữ liệu")
    g.add_argument("--unit", metavar="MÃ", help="đơn vị có trong cơ sở dữ liệu")
    g.add_argument("--name", metavar="TÊN", help="tên cá nhân hoặc tập thể không có trong cơ sở dữ liệu")
    q.add_argument("--collective", action="store_true", help="với --name: là tập thể (mặc định: cá nhân)")
    q.add_argument("--cccd", metavar="CCCD", help="với --name: số CCCD nếu biết")
    q.add_argument("--award", required=True, metavar="TÊN_HOẶC_MÃ", help="hình thức khen thưởng (tên, hoặc mã có sẵn)")
    q.add_argument("--level", required=True, choices=[x.value for x in vocab.AwardLevel], help="cấp khen thưởng")
    q.add_argument("--kind", default="campaign", choices=[x.value for x in vocab.AwardKind],
                   help="campaign (phong trào), thematic (chuyên đề), ad_hoc (đột xuất), merit (thành tích)")
    q.add_argument("--number", required=True, metavar="SỐ", help="số quyết định, ví dụ 15/QĐ-UBND")
    q.add_argument("--date", required=True, metavar="NGÀY", help="ngày quyết định, ví dụ 20/12/2025")
    q.add_argument("--authority", metavar="CƠ_QUAN", help="cơ quan, người khen thưởng")
    q.add_argument("--campaign", metavar="TÊN", help="phong trào hoặc chuyên đề (mặc định với --kind campaign: "
                                                        "phong trào hiện tại)")
    q.add_argument("--achievement", metavar="NỘI_DUNG", help="thành tích")
    q.add_argument("--prize", metavar="ĐỒNG", help="tiền thưởng, ví dụ 500000")
    q.set_defaults(func=cmd_add)

    q = sub.add_parser("import", parents=[common], help="nhập sổ khen thưởng từ Excel (tất cả hoặc không gì)")
    q.add_argument("file", metavar="TỆP.xlsx")
    q.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    q.set_defaults(func=cmd_import)

    q = sub.add_parser("template", parents=[common], help="tệp Excel mẫu của sổ khen thưởng")
    q.add_argument("file", metavar="TỆP.xlsx")
    q.set_defaults(func=cmd_template)

    p = subparsers.add_parser("decision", parents=[common], help="quyết định khen thưởng (dự thảo, ban hành, xem)",
                              description="Quyết định khen thưởng từ các hồ sơ Hội đồng đã thông qua (đã khóa); mỗi cơ\n"
                                          "quan khen thưởng một quyết định (chọn bằng --award). Ban hành (issue) ghi số,\n"
                                          "ngày, chuyển các hồ sơ sang “đã ban hành” và ghi vào sổ khen thưởng.")
    sub = p.add_subparsers(dest="decision_command", metavar="VIỆC", title="Các việc", required=True)
    for name, help_text in (("draft", "in bản dự thảo (chưa có số, không thay đổi gì)"),
                            ("issue", "nhập số và ngày: ban hành quyết định")):
        q = sub.add_parser(name, parents=[common], help=help_text)
        q.add_argument("--award", metavar="MÃ", help="hình thức khen thưởng (chọn cơ quan khen thưởng)")
        q.add_argument("--candidate", type=int, action="append", metavar="SỐ",
                       help="chỉ hồ sơ đề nghị này (lặp lại được)")
        q.add_argument("--signer", metavar="HỌ_TÊN", default="", help="họ tên người ký")
        q.add_argument("--signer-title", metavar="CHỨC_DANH", default="", help="chức danh người ký, ví dụ CHỦ TỊCH")
        if name == "issue":
            q.add_argument("--number", required=True, metavar="SỐ", help="số thứ tự, ví dụ 15")
            q.add_argument("--date", required=True, metavar="NGÀY", help="ngày ký, ví dụ 20/12/2026")
            q.add_argument("--out", metavar="THƯ_MỤC", help="ghi tệp quyết định .docx vào thư mục này")
        else:
            q.add_argument("--out", metavar="THƯ_MỤC", required=True, help="thư mục ghi bản dự thảo")
        q.set_defaults(func=cmd_decision_draft if name == "draft" else cmd_decision_issue)
    q = sub.add_parser("show", parents=[common], help="các quyết định đã ban hành và hồ sơ đang chờ quyết định")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_decision_show)


# ------------------------------------------------------------------------ awards


def _line(a) -> str:
    who = a.subject_name + (f" (CCCD {a.cccd})" if a.cccd else "") + (f" – {a.unit_name}" if a.unit_name else "")
    extra = [a.level_label, a.kind_label]
    if a.kind == "thematic" or a.kind == "ad_hoc":
        extra.append("không tính cho khen thưởng thành tích sau này")
    return f"#{a.id} {who}: {a.award_name}; {a.decision_ref} [{'; '.join(extra)}]"


def _print(ctx, rows, as_json: bool) -> None:
    if as_json:
        ctx.out(json.dumps([a.as_dict() for a in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        ctx.out("Không có khen thưởng nào.")
    for a in rows:
        ctx.out(_line(a))


def cmd_list(args, ctx) -> int:
    from bdhvs_desktop.services import awards  # lazy: start-up

    with exit_codes(usage=(awards.AwardError,)):
        rows = awards.list_awards(ctx.db(create=False), cccd=args.person, unit_code=args.unit, year=args.year)
    _print(ctx, rows, args.json)
    return EXIT_OK


def cmd_history(args, ctx) -> int:
    from bdhvs_desktop.services import awards, lookup  # lazy: start-up (bdhvs --help imports every command module)

    db = ctx.db(create=False)
    if args.person and lookup.person_id_by_cccd(db, args.person) is None:
        ctx.out(f"(Không có cá nhân CCCD {args.person} trong cơ sở dữ liệu; tra theo số CCCD trong sổ.)")
    if args.unit and lookup.unit_id_by_code(db, args.unit) is None:
        raise CliError(f"Không có đơn vị mã “{args.unit}”.", EXIT_USAGE)
    rows = awards.history(db, cccd=args.person, unit_code=args.unit)
    _print(ctx, rows, args.json)
    if not args.json and rows:
        merit = sum(1 for a in rows if a.counts_toward_merit)
        ctx.out(f"Tổng: {len(rows)} khen thưởng; {merit} được tính cho đề nghị khen thưởng thành tích sau này "
                "(khen thưởng chuyên đề, đột xuất không tính – Nghị định 152/2025/NĐ-CP, Điều 4).")
    return EXIT_OK


def cmd_add(args, ctx) -> int:
    from bdhvs_desktop.services import awards, lookup  # lazy: start-up (bdhvs --help imports every command module)

    db = ctx.db(create=False)
    date = _date(args.date)
    try:
        prize = rules.parse_prize(args.prize)
    except ValueError as exc:
        raise CliError(f"Tiền thưởng: {exc}.", EXIT_USAGE) from exc
    form = lookup.award_form(db, args.award)
    campaign = lookup.first_campaign(db)
    if args.person:
        pid = lookup.person_id_by_cccd(db, args.person)
        if pid is None:
            raise CliError(f"Không có cá nhân CCCD {args.person}; dùng --name và --cccd cho người ngoài danh sách.",
                           EXIT_USAGE)
        subject = lookup.register_subject(db, "person", pid)
    elif args.unit:
        uid = lookup.unit_id_by_code(db, args.unit)
        if uid is None:
            raise CliError(f"Không có đơn vị mã “{args.unit}”.", EXIT_USAGE)
        subject = lookup.register_subject(db, "unit", uid)
    else:
        subject = dict(subject_type="unit" if args.collective else "person", subject_name=args.name,
                       cccd=args.cccd)
    use_campaign = args.kind == "campaign" and not args.campaign and campaign is not None
    data = awards.AwardData(
        **subject, award_name=form["name"] if form else args.award, award_code=form["code"] if form else None,
        level=args.level, kind=args.kind, decision_number=args.number, decision_date=date,
        granting_authority=args.authority or (form["issuer"] if form else None),
        campaign_id=campaign["id"] if use_campaign else None,
        campaign_text=args.campaign or (campaign["name"] if use_campaign else None), achievement=args.achievement,
        prize_amount=prize)
    try:
        aid = awards.add_award(db, data)
    except awards.AwardValidationError as exc:
        raise CliError("Không ghi được:\n" + "\n".join(f"  - {msg}" for msg in exc.errors.values()),
                       EXIT_ERROR) from exc
    ctx.out(f"Đã ghi vào sổ khen thưởng: {_line(awards.get_award(db, aid))}")
    return EXIT_OK


def cmd_import(args, ctx) -> int:
    from bdhvs_desktop.documents.excel_io import UnusableFile  # lazy: start-up
    from bdhvs_desktop.services import awards  # lazy: start-up

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"Không tìm thấy tệp “{path}”.", EXIT_USAGE)
    with exit_codes(usage=(UnusableFile,)):
        summary = awards.import_awards(ctx.db(create=False), path, dry_run=args.dry_run)
    for line in summary.errors + summary.warnings:
        ctx.out(line)
    ctx.out(summary.status_line())
    return EXIT_ERROR if summary.errors else EXIT_OK


def cmd_template(args, ctx) -> int:
    from bdhvs_desktop.documents.awards_excel import write_awards_template  # lazy: start-up

    path = write_awards_template(Path(args.file))
    ctx.out(f"Đã tạo tệp mẫu sổ khen thưởng: {path}")
    return EXIT_OK


# ---------------------------------------------------------------------- decision


def _decision_errors():
    from bdhvs_desktop.documents.formsets import FormSetError  # lazy: start-up
    from bdhvs_desktop.documents.render import DocumentRenderError  # lazy: start-up
    from bdhvs_desktop.services.decision import DecisionError  # lazy: start-up

    return (DecisionError, DocumentRenderError), (FormSetError, FileInUseError)


def cmd_decision_draft(args, ctx) -> int:
    from bdhvs_desktop.services import decision_document  # lazy: start-up

    data_errors, file_errors = _decision_errors()
    with exit_codes(usage=file_errors, error=data_errors):
        path = decision_document.draft_decision(ctx.db(create=False), Path(args.out), award_code=args.award,
                                                candidate_ids=args.candidate, signer_name=args.signer,
                                                signer_title=args.signer_title)
    ctx.out(f"Bản dự thảo quyết định khen thưởng: {path}")
    return EXIT_OK


def cmd_decision_issue(args, ctx) -> int:
    from bdhvs_desktop.services import decision  # lazy: start-up

    data_errors, file_errors = _decision_errors()
    date = _date(args.date)
    with exit_codes(usage=file_errors, error=data_errors):
        outcome = decision.issue_decision(ctx.db(create=False), number=args.number, date=date,
                                          out_dir=Path(args.out) if args.out else None, award_code=args.award,
                                          candidate_ids=args.candidate, signer_name=args.signer,
                                          signer_title=args.signer_title)
    ctx.out(f"Đã ban hành Quyết định số {outcome.symbol} ngày {date:%d/%m/%Y} của {outcome.authority}: "
            f"{len(outcome.candidate_ids)} tập thể, cá nhân được ghi vào sổ khen thưởng.")
    if outcome.path:
        ctx.out(f"  {outcome.path}")
    return EXIT_OK


def cmd_decision_show(args, ctx) -> int:
    from bdhvs_desktop.services import decision, decision_candidates  # lazy: start-up

    db = ctx.db(create=False)
    issued = decision.list_decisions(db)
    try:
        waiting = decision_candidates.decision_plan(db).candidates
        waiting_error = None
    except decision.DecisionError as exc:
        waiting, waiting_error = (), str(exc)
    if args.json:
        ctx.out(json.dumps({
            "issued": [{"number": d.number, "date": d.date.isoformat() if d.date else None, "authority": d.authority,
                        "collectives": d.collectives, "individuals": d.individuals,
                        "candidates": list(d.candidate_ids)} for d in issued],
            "waiting": [{"id": c.id, "name": c.name, "award": c.award_code} for c in waiting],
            "waiting_note": waiting_error}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not issued:
        ctx.out("Chưa có quyết định khen thưởng nào được ban hành trong chương trình.")
    for d in issued:
        ctx.out(f"Quyết định số {d.number} ngày {d.date:%d/%m/%Y} của {d.authority}: {d.collectives} tập thể, "
                f"{d.individuals} cá nhân.")
    if waiting:
        ctx.out(f"Đang chờ quyết định: {len(waiting)} hồ sơ ({', '.join(c.name for c in waiting)}).")
    elif waiting_error:
        ctx.out(f"Đang chờ quyết định: {waiting_error}")
    return EXIT_OK
