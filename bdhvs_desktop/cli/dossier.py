"""`bdhvs dossier` (the award dossier folder) and `bdhvs report` (printed reports)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError, VietnameseArgumentParser
from bdhvs_desktop.cli.preamble import dossier_folder, exit_codes, optional_date, print_folder
from bdhvs_desktop.documents.atomic import FileInUseError
from bdhvs_desktop.domain.numbers import vn_number


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "dossier", parents=[common], help="lập hồ sơ khen thưởng (Tờ trình, Biên bản, Báo cáo thành tích)",
        description=(
            "Lập hồ sơ khen thưởng vào một thư mục: to-trinh-mau-01.docx, một biên bản cho mỗi phiên họp Hội đồng\n"
            "(bien-ban-hop-xet-so-<số>-ngay-<ngày>.docx) và một tệp\n"
            "bao-cao-thanh-tich-mau-08-<tên>.docx cho mỗi tập thể, cá nhân được Hội đồng thông qua\n"
            "(kèm manifest.json với mã SHA-256). Với --draft: mọi ứng viên đã đề nghị, ghi \"DỰ THẢO\".\n"
            "Hồ sơ chính thức chuyển các ứng viên được thông qua sang trạng thái \"Đã lập hồ sơ trình khen thưởng\"."),
    )
    p.add_argument("--out", metavar="THƯ_MỤC", help="thư mục hồ sơ (tạo mới hoặc cập nhật; chỉ các tệp trong "
                                                  "manifest.json của thư mục được thay thế)")
    p.add_argument("--draft", action="store_true", help="bản dự thảo cho mọi ứng viên đã đề nghị")
    p.add_argument("--at", metavar="NNNN-TT-NN", help="số liệu tính đến ngày, cũng là ngày ký (mặc định: hôm nay)")
    p.add_argument("--form-set", metavar="TÊN", help="bộ mẫu (mặc định: theo thiết lập, ví dụ decree-98-2023)")
    p.add_argument("--zip", action="store_true", help="nén thêm cả hồ sơ thành một tệp .zip")
    p.set_defaults(func=cmd_dossier)
    sub = p.add_subparsers(dest="dossier_command", metavar="VIỆC", title="Các việc",
                           parser_class=type(p))
    q = sub.add_parser(
        "settings", parents=[common], help="xem hoặc sửa thiết lập hồ sơ (số, ngày, người ký, người nhận, …)",
        description="Không có tham số: in thiết lập hiện tại. Với tham số: lưu từng thiết lập (ghi nhật ký).\n"
                    "Chuỗi rỗng (\"\") xóa một thiết lập về mặc định.")
    q.add_argument("--number", metavar="SỐ", help="số Tờ trình (để trống: văn thư ghi tay)")
    q.add_argument("--minutes-number", metavar="SỐ", help="số Biên bản")
    q.add_argument("--date", metavar="NNNN-TT-NN", help="ngày ký ghi trên văn bản (\"\": ngày lập hồ sơ)")
    q.add_argument("--signer-name", metavar="HỌ_TÊN", help="họ và tên người ký Tờ trình")
    q.add_argument("--signer-position", metavar="CHỨC_VỤ", help="chức vụ người ký, ví dụ \"PHÓ CHỦ TỊCH\"")
    q.add_argument("--recipient", metavar="KÍNH_GỬI", help="“Kính gửi” thay cho người có thẩm quyền của hình thức "
                                                           "khen thưởng (chỉ khi hồ sơ có một Tờ trình)")
    q.add_argument("--issuer", metavar="NGƯỜI_TRÌNH",
                   help="người trình: auto (mặc định), council (Hội đồng Thi đua - Khen thưởng), ward (Ủy ban "
                        "nhân dân/Đảng ủy cấp dưới của cấp khen)")
    q.add_argument("--issuer-format", metavar="THỂ_THỨC",
                   help="thể thức: auto (theo thẩm quyền khen thưởng, mặc định), party, state")
    q.add_argument("--form-set", metavar="TÊN", help="bộ mẫu, ví dụ decree-152-2025")
    q.set_defaults(func=cmd_dossier_settings)

    p = subparsers.add_parser(
        "candidate", parents=[common], help="nội dung báo cáo thành tích (Mẫu 08) của một hồ sơ đề nghị",
        description="Các việc với một hồ sơ đề nghị khen thưởng.")
    sub = p.add_subparsers(dest="candidate_command", metavar="VIỆC", title="Các việc", required=True,
                           parser_class=VietnameseArgumentParser)
    q = sub.add_parser(
        "narrative", parents=[common], help="xem, soạn tự động hoặc sửa phần lời của Báo cáo thành tích",
        description=(
            "Phần lời của Báo cáo thành tích (Mẫu 08) và cột \"Tóm tắt thành tích\" của danh sách kèm Tờ trình,\n"
            "lưu cùng hồ sơ đề nghị. Chưa lưu thì dùng bản soạn tự động từ số liệu.\n"
            "  bdhvs candidate narrative 3                      # xem\n"
            "  bdhvs candidate narrative 3 --draft               # soạn lại mọi mục từ số liệu và lưu\n"
            "  bdhvs candidate narrative 3 --draft --field lessons\n"
            "  bdhvs candidate narrative 3 --field measures --file bien-phap.txt   # lưu nội dung tệp (UTF-8)\n"
            "  bdhvs candidate narrative 3 --field occupation --text \"Công chức\"\n"
            "Các mục: summary (tóm tắt), functions, structure (tập thể), results, measures, lessons,\n"
            "occupation, professional, political_theory (cá nhân)."))
    q.add_argument("candidate_id", type=int, metavar="SỐ_HỒ_SƠ")
    q.add_argument("--field", action="append", metavar="MỤC", help="mục cần soạn hoặc sửa (nhiều lần được)")
    q.add_argument("--file", metavar="TỆP", help="nội dung mới của mục (--field) từ tệp văn bản UTF-8; '-' là stdin")
    q.add_argument("--text", metavar="NỘI_DUNG", help="nội dung mới của mục (--field)")
    q.add_argument("--draft", action="store_true", help="soạn lại từ số liệu (mọi mục, hoặc các mục --field) và lưu")
    q.add_argument("--at", metavar="NNNN-TT-NN", help="số liệu tính đến ngày (mặc định: hôm nay)")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_narrative)

    p = subparsers.add_parser(
        "report", parents=[common], help="báo cáo tiến độ hoặc bảng tổng hợp điểm (PDF/Excel)",
        description="Tạo báo cáo in được: 'progress' (báo cáo tiến độ cho Ban Thường vụ) hoặc\n"
                    "'scoreboard' (bảng tổng hợp điểm các ứng viên cho Hội đồng). Đuôi tệp chọn định dạng.",
    )
    p.add_argument("kind", metavar="LOẠI", choices=["progress", "scoreboard"], help="progress hoặc scoreboard")
    p.add_argument("--out", metavar="TỆP.pdf|TỆP.xlsx", required=True, help="tệp kết quả (.pdf hoặc .xlsx)")
    p.add_argument("--at", metavar="NNNN-TT-NN", help="tính đến ngày (mặc định: hôm nay)")
    p.set_defaults(func=cmd_report)


def cmd_dossier(args, ctx) -> int:
    from bdhvs_desktop.documents.dossier_writer import DossierCancelled, UnmanagedFileError  # lazy: start-up
    from bdhvs_desktop.documents.formsets import FormSetError  # lazy: start-up
    from bdhvs_desktop.documents.render import DocumentRenderError  # lazy: start-up
    from bdhvs_desktop.services.dossier import DossierError, generate_dossier  # lazy: start-up

    if not args.out:
        raise CliError("Thiếu --out THƯ_MỤC (thư mục hồ sơ). Xem thiết lập: bdhvs dossier settings", EXIT_USAGE)
    at = optional_date(args.at)
    out = dossier_folder(args.out)
    # DossierCancelled comes only from the GUI.
    with exit_codes(usage=(FormSetError, FileInUseError, UnmanagedFileError),
                    error=(DossierError, DocumentRenderError, DossierCancelled)):
        outcome = generate_dossier(ctx.db(create=False), out, draft=args.draft, at=at, form_set=args.form_set,
                                   make_zip=args.zip or None)
    print_folder(ctx, "Bản dự thảo hồ sơ" if outcome.draft else "Hồ sơ khen thưởng", outcome)
    if outcome.zip_path:
        ctx.out(f"  {outcome.zip_path.name}")
    if outcome.issued:
        ctx.out(f"Đã chuyển {len(outcome.issued)} ứng viên sang trạng thái “Đã lập hồ sơ trình khen thưởng”.")
    for note in outcome.notes:
        ctx.out(note)
    return EXIT_OK


_SETTING_ARGS = (("number", "number"), ("minutes_number", "minutes_number"), ("date", "date"),
                 ("signer_name", "signer_name"), ("signer_position", "signer_title"), ("recipient", "recipient"),
                 ("issuer", "issuer"), ("issuer_format", "issuer_format"), ("form_set", "form_set"))


def cmd_dossier_settings(args, ctx) -> int:
    from bdhvs_desktop.services import dossier as svc  # lazy: start-up

    db = ctx.db(create=False)
    changes = {}
    for arg, key in _SETTING_ARGS:
        value = getattr(args, arg, None)
        if value is None:
            continue
        if key == "date" and value.strip():
            value = optional_date(value)
        changes[key] = value
    with exit_codes(usage=(svc.DossierError,)):
        st = svc.save_settings(db, **changes) if changes else svc.load_settings(db)
    if changes:
        ctx.out(f"Đã lưu {len(changes)} thiết lập hồ sơ.")
    issuer_words = {"auto": "tự động (Hội đồng Thi đua - Khen thưởng khi cấp khen là cấp mình, Ủy ban nhân dân/"
                            "Đảng ủy khi cấp khen là cấp trên)",
                    "council": "Hội đồng Thi đua - Khen thưởng (Văn phòng Đảng ủy với hình thức của Đảng)",
                    "ward": "Ủy ban nhân dân/Đảng ủy (cấp dưới của cấp khen)"}
    format_words = {"auto": "theo thẩm quyền khen thưởng", "party": "văn bản của Đảng", "state": "văn bản hành chính"}
    empty = "(trống)"
    for label, value in (
        ("Bộ mẫu", st.form_set),
        ("Số Tờ trình", st.number or "(trống: văn thư ghi tay)"),
        ("Số Biên bản", st.minutes_number or "(trống: lấy số phiên họp)"),
        ("Ngày văn bản", st.date.strftime("%d/%m/%Y") if st.date else "(trống: ngày lập hồ sơ)"),
        ("Người ký", st.signer_name or empty),
        ("Chức vụ người ký", st.signer_title or "(trống: theo người trình)"),
        ("Kính gửi", st.recipient or "(trống: người có thẩm quyền của hình thức khen thưởng)"),
        ("Người trình", f"{st.issuer} – {issuer_words.get(st.issuer, '')}"),
        ("Thể thức", f"{st.issuer_format} – {format_words.get(st.issuer_format, '')}"),
    ):
        ctx.out(f"{label}: {value}")
    warning = svc.settings_warning(db)
    if warning:
        ctx.out(warning)
    return EXIT_OK


def cmd_narrative(args, ctx) -> int:
    from bdhvs_desktop.services import dossier as svc  # lazy: start-up

    at = optional_date(args.at)
    db = ctx.db(create=False)
    given = [x for x in (args.file, args.text) if x is not None]
    if len(given) > 1:
        raise CliError("Chỉ dùng một trong --file và --text.", EXIT_USAGE)
    if given and args.draft:
        raise CliError("--draft soạn lại từ số liệu; không dùng cùng --file hoặc --text.", EXIT_USAGE)
    if given and len(args.field or []) != 1:
        raise CliError("Nội dung mới (--file hoặc --text) cần đúng một --field.", EXIT_USAGE)
    for f in args.field or []:
        if f not in svc.NARRATIVE_KEYS:
            raise CliError(f"Không có mục “{f}”; các mục: {', '.join(svc.NARRATIVE_KEYS)}.", EXIT_USAGE)
    with exit_codes(error=(svc.DossierError,)):
        current = svc.narrative(db, args.candidate_id, at=at)
        if args.draft:
            svc.redraft_narrative(db, args.candidate_id, current.version, fields=args.field, at=at)
            current = svc.narrative(db, args.candidate_id, at=at)
        elif given:
            field = args.field[0]
            if field not in current.texts:
                raise CliError(f"Mục “{field}” không dùng cho {current.name}.", EXIT_USAGE)
            if args.file is not None:
                try:
                    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CliError(f"Không đọc được tệp “{args.file}” (cần văn bản UTF-8): {exc}", EXIT_USAGE) from exc
            else:
                text = args.text
            svc.save_narrative(db, args.candidate_id, {field: text}, current.version)
            current = svc.narrative(db, args.candidate_id, at=at)
    shown = args.field or list(current.texts)
    if args.json:
        ctx.out(json.dumps({"candidate_id": current.candidate_id, "name": current.name, "version": current.version,
                            "fields": {k: {"text": current.texts.get(k, ""), "drafted": k in current.drafted}
                                       for k in shown}}, ensure_ascii=False, indent=2))
        return EXIT_OK
    ctx.out(f"Hồ sơ số {current.candidate_id}: {current.name} (phiên bản {current.version})")
    for k in shown:
        label = svc.NARRATIVE_LABELS.get(k, k)
        mark = " [soạn tự động từ số liệu, chưa lưu]" if k in current.drafted else ""
        ctx.out(f"\n== {k}: {label}{mark}")
        ctx.out(current.texts.get(k, "") or "(trống)")
    return EXIT_OK


def cmd_report(args, ctx) -> int:
    from bdhvs_desktop.documents.pdf_reports import ReportError  # lazy: start-up
    from bdhvs_desktop.services.reports import ReportInputError, write_report  # lazy: start-up

    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise CliError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {out.name}", EXIT_USAGE)
    at = optional_date(args.at)
    with exit_codes(usage=(FileInUseError, ReportError), error=(ReportInputError,)):
        result = write_report(ctx.db(create=False), args.kind, out, at)
    ctx.out(f"Đã tạo báo cáo: {result.path} ({vn_number(result.size)} byte)")
    return EXIT_OK
