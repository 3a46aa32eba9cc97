"""`bdhvs province …`: the province office imports the wards' signed proposal packages and reads
them (wards, candidates, the same person from two wards, the ranking with the province's criteria), and
writes the province's own dossier (`bdhvs province dossier THƯ_MỤC`, services/province_dossier.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import dossier_folder, exit_codes, optional_date, print_folder
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import SUBJECT_KIND_LABELS, SubjectKind


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "province", parents=[common], help="văn phòng tỉnh: nhập gói hồ sơ đề nghị của các phường, xếp hạng",
        description="Văn phòng thi đua - khen thưởng cấp tỉnh (cơ sở dữ liệu tạo bằng bdhvs init --province):\n"
                    "nhập gói hồ sơ đề nghị đã ký số của các phường (mỗi phường một phạm vi riêng), xem hồ sơ,\n"
                    "phát hiện một người được hai phường đề nghị, xếp hạng theo bộ tiêu chí cấp tỉnh.")
    sub = p.add_subparsers(dest="province_command", metavar="VIỆC", title="Các việc", required=True)

    q = sub.add_parser("import", parents=[common], help="nhập gói hồ sơ (.bdhvs-goi), mỗi gói tất cả hoặc không gì")
    q.add_argument("files", nargs="+", metavar="TỆP")
    q.add_argument("--trust", action="append", default=[], metavar="CA.pem",
                   help="chứng thư gốc tin cậy (PEM hoặc DER; lặp lại được); mặc định: các chứng thư đã khai báo "
                        "bằng 'bdhvs province trust'")
    q.add_argument("--replace", action="store_true",
                   help="gói sửa đổi phường gửi lại: thay thế gói trước của phường (chỉ khi Hội đồng tỉnh chưa biểu "
                        "quyết về hồ sơ của phường; gói trước được giữ lại làm lịch sử)")
    q.set_defaults(func=cmd_import)

    q = sub.add_parser("trust", parents=[common], help="khai báo chứng thư gốc tin cậy của tỉnh")
    q.add_argument("file", metavar="CA.pem")
    q.set_defaults(func=cmd_trust)

    q = sub.add_parser("wards", parents=[common], help="các phường đã gửi gói hồ sơ")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_wards)

    q = sub.add_parser("candidates", parents=[common], help="hồ sơ đề nghị của các phường (kèm phạm vi phường)")
    q.add_argument("--ward", metavar="MÃ", help="chỉ phường có mã này")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_candidates)

    q = sub.add_parser("duplicates", parents=[common], help="một người được nhiều phường đề nghị (CCCD, họ tên + ngày sinh)")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_duplicates)

    q = sub.add_parser("rank", parents=[common], help="xếp hạng mọi hồ sơ theo bộ tiêu chí cấp tỉnh")
    q.add_argument("--ward", metavar="MÃ", help="chỉ phường có mã này")
    q.add_argument("--explain", action="store_true", help="kèm lời giải thích từng tiêu chí chưa đạt")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_rank)

    q = sub.add_parser(
        "dossier", parents=[common], help="lập Tờ trình và hồ sơ của tỉnh (dẫn Tờ trình của từng phường)",
        description="Lập hồ sơ trình khen thưởng cấp tỉnh vào THƯ_MỤC: Tờ trình của tỉnh gửi cấp có thẩm quyền (dẫn\n"
                    "Tờ trình của từng phường, danh sách theo từng phường) và biên bản họp Hội đồng của tỉnh, kèm\n"
                    "manifest.json. Hồ sơ chính thức chuyển các hồ sơ được thông qua sang \"Đã lập hồ sơ trình khen\n"
                    "thưởng\"; với --draft: mọi hồ sơ đã đề nghị, ghi \"DỰ THẢO\", không đổi trạng thái.")
    q.add_argument("out", metavar="THƯ_MỤC", help="thư mục hồ sơ (tạo mới hoặc cập nhật)")
    q.add_argument("--draft", action="store_true", help="bản dự thảo cho mọi hồ sơ đã đề nghị")
    q.add_argument("--at", metavar="NNNN-TT-NN", help="số liệu tính đến ngày (mặc định: hôm nay)")
    q.add_argument("--form-set", metavar="TÊN", help="bộ mẫu (mặc định: theo thiết lập hồ sơ)")
    q.set_defaults(func=cmd_dossier)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"Không đọc được tệp {path}: {exc.strerror or exc}.", EXIT_USAGE) from exc


def cmd_import(args, ctx) -> int:
    from bdhvs_desktop.services import province  # lazy: start-up
    from bdhvs_desktop.services.office import OfficeError  # lazy: start-up

    roots = [_read(p) for p in args.trust] or None
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise CliError("Không tìm thấy tệp: " + ", ".join(missing), EXIT_USAGE)

    def progress(done: int, total: int, message: str) -> None:
        if message and message != "Xong":
            print(f"[{done + 1}/{total}] {message}", file=sys.stderr)

    with exit_codes(error=(OfficeError,)):
        report = province.import_packages(ctx.db(), args.files, trust_roots=roots, progress=progress,
                                         replace=args.replace)
    for line in report.summary_lines():
        ctx.out(line)
    ctx.out(f"Thời gian: {report.seconds:.1f} giây.")
    return EXIT_OK if not report.refused and not report.cancelled else EXIT_ERROR


def cmd_trust(args, ctx) -> int:
    from bdhvs_desktop.services.office import OfficeError, add_trust_root  # lazy: start-up

    try:
        n = add_trust_root(ctx.db(), _read(args.file))
    except OfficeError as exc:
        raise CliError(f"{args.file}: {exc}", EXIT_USAGE) from exc
    ctx.out(f"Đã khai báo chứng thư gốc tin cậy {args.file} (tỉnh có {n} chứng thư gốc tin cậy).")
    return EXIT_OK


def _date(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def cmd_wards(args, ctx) -> int:
    from bdhvs_desktop.services import province_views as pv  # lazy: start-up

    with exit_codes(error=(pv.ProvinceError,)):
        pv.require_office(ctx.db())
    wards = pv.list_wards(ctx.db())
    if args.json:
        ctx.out(json.dumps([{"code": w.code, "name": w.name, "packages": w.packages, "candidates": w.candidates,
                             "proposal_number": w.proposal_number, "proposal_date": _iso(w.proposal_date),
                             "current_file": w.current_file, "replaced": w.replaced,
                             "signer": w.signer, "trusted": w.trusted, "imported_at": w.last_imported_at.isoformat(),
                             "imported_by": w.last_imported_by} for w in wards], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not wards:
        ctx.out("Chưa nhập gói hồ sơ nào (bdhvs province import TỆP.bdhvs-goi).")
    for w in wards:
        trust = "chữ ký tin cậy" if w.trusted else "chưa xác minh chữ ký"
        ctx.out(f"{w.code}\t{w.name}\t{w.candidates} hồ sơ\tTờ trình số {w.proposal_number or '…'} ngày "
                f"{_date(w.proposal_date) or '…'}\tký: {w.signer or 'không có chữ ký số'} ({trust})\t"
                f"gói hiện hành {w.current_file or '…'}" + (f" (thay thế {w.replaced} gói trước)" if w.replaced else ""))
    return EXIT_OK


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def cmd_candidates(args, ctx) -> int:
    from bdhvs_desktop.services import province_views as pv  # lazy: start-up
    from bdhvs_desktop.services.province_ward_score import ward_score_checks  # lazy: start-up

    with exit_codes(error=(pv.ProvinceError,)):
        pv.require_office(ctx.db())
        rows = pv.ward_candidates(ctx.db(), args.ward)
        checks = ward_score_checks(ctx.db(), args.ward)
    if args.json:
        ctx.out(json.dumps([{"ward": c.ward_code, "ward_name": c.ward_name, "candidate_id": c.candidate_id,
                             "key": c.key, "name": c.name, "subject_kind": c.subject_kind, "cccd": c.cccd,
                             "birth_date": _iso(c.birth_date), "award": c.award_name, "ward_votes": c.ward_votes,
                             "ward_points": c.ward_points, "status": c.status, "figures": list(c.figures),
                             "documents": [d.member for d in c.documents],
                             "ward_score_check": _check_json(checks.get(c.candidate_id))} for c in rows],
                           ensure_ascii=False, indent=2))
        return EXIT_OK
    for c in rows:
        kind = SUBJECT_KIND_LABELS.get(SubjectKind(c.subject_kind), c.subject_kind)
        votes = c.ward_votes
        tally = f"{votes.get('for', 0)}/{votes.get('against', 0)}/{votes.get('abstain', 0)}" if votes else "…"
        ctx.out(f"{c.scope}\t{c.candidate_id}\t{c.name}\t{kind}\t{c.award_name or ''}\tphiếu phường (đồng ý/không/"
                f"không biểu quyết) {tally}\t{len(c.documents)} tài liệu" + _check_line(checks.get(c.candidate_id)))
    return EXIT_OK


def _check_json(check) -> dict | None:
    return None if check is None else {"status": check.status, "claimed": check.claimed,
                                       "recomputed": check.recomputed, "note": check.note}


def _check_line(check) -> str:
    """The flag when the ward's claimed score is not what its facts give (services/province_ward_score.py)."""
    if check is None or check.status == "agree":
        return ""
    if check.status == "disagree":
        return f"\t⚠ ĐIỂM PHƯỜNG KHÁC DỮ LIỆU: {check.note}"
    return f"\t(điểm phường: không đối chiếu được — {check.note})"


def cmd_duplicates(args, ctx) -> int:
    from bdhvs_desktop.services import province_views as pv  # lazy: start-up

    with exit_codes(error=(pv.ProvinceError,)):
        pv.require_office(ctx.db())
    dupes = pv.duplicates(ctx.db())
    if args.json:
        ctx.out(json.dumps([{"reason": d.reason, "explanation": d.explanation,
                             "entries": [{"ward": e.ward_code, "ward_name": e.ward_name, "candidate_id": e.candidate_id,
                                          "name": e.name, "cccd": e.cccd, "birth_date": _iso(e.birth_date)}
                                         for e in d.entries]} for d in dupes], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not dupes:
        ctx.out("Không có người nào được hai phường cùng đề nghị.")
    for d in dupes:
        ctx.out(d.explanation)
        for e in d.entries:
            ctx.out(f"  - {e.ward_name} ({e.ward_code}): hồ sơ {e.candidate_id}, {e.name}, {e.award_name or ''}")
    return EXIT_OK


def cmd_rank(args, ctx) -> int:
    from bdhvs_desktop.services import province_views as pv  # lazy: start-up
    from bdhvs_desktop.services.province_rank import rank  # lazy: start-up

    with exit_codes(error=(pv.ProvinceError,)):
        ranking = rank(ctx.db(), ward=args.ward)
    if args.json:
        ctx.out(json.dumps([{"rank": r.rank, "ward": r.ward_code, "ward_name": r.ward_name, "candidate_id": r.candidate_id,
                             "name": r.name, "kind": r.subject_kind, "eligible": r.eligible,
                             "points": round(r.points, 2), "max_points": round(r.max_points, 2), "level": r.level,
                             "criteria_set": r.criteria_set, "tie_note": r.tie_note, "failed": list(r.failed),
                             "level_note": r.level_note} for r in ranking.rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    kind = None
    for r in ranking.rows:
        if r.subject_kind != kind:
            kind = r.subject_kind
            ctx.out(f"== {SUBJECT_KIND_LABELS.get(SubjectKind(kind), kind)} ({r.criteria_set or 'không có bộ tiêu chí'})")
        place = f"{r.rank:>3}" if r.rank else "  -"
        ctx.out(f"{place}\t{r.scope}\t{r.name}\t{points_text(round(r.points, 2))}/{points_text(r.max_points)} điểm\t"
                f"{'đủ điều kiện' if r.eligible else 'chưa đủ điều kiện'}")
        if r.tie_note:
            ctx.out(f"      {r.tie_note}")
        extra = [t for t in (r.held_back, r.problem) if t]
        for text in ([c.explanation for c in r.criteria] + extra) if args.explain else (r.failed if not r.eligible else ()):
            ctx.out(f"      {text}")
        if r.level_note:
            ctx.out(f"      {r.level_note}")
    ctx.out(f"Xếp hạng {len(ranking.rows)} hồ sơ trong {ranking.seconds:.2f} giây.")
    return EXIT_OK


def cmd_dossier(args, ctx) -> int:
    from bdhvs_desktop.documents.atomic import FileInUseError  # lazy: start-up
    from bdhvs_desktop.documents.dossier_writer import UnmanagedFileError  # lazy: start-up
    from bdhvs_desktop.documents.formsets import FormSetError  # lazy: start-up
    from bdhvs_desktop.documents.render import DocumentRenderError  # lazy: start-up
    from bdhvs_desktop.services.dossier import DossierError  # lazy: start-up
    from bdhvs_desktop.services.province_dossier import generate_province_dossier  # lazy: start-up

    out = dossier_folder(args.out)
    at = optional_date(args.at)

    def progress(done: int, total: int, message: str) -> None:
        if message:
            print(message, file=sys.stderr)

    with exit_codes(usage=(FormSetError, FileInUseError, UnmanagedFileError),
                    error=(DossierError, DocumentRenderError)):
        outcome = generate_province_dossier(ctx.db(create=False), out, draft=args.draft, at=at,
                                            form_set=args.form_set, progress=progress)
    print_folder(ctx, "Bản dự thảo hồ sơ cấp tỉnh" if outcome.draft else "Hồ sơ trình khen thưởng cấp tỉnh", outcome)
    ctx.out("Số hồ sơ theo từng phường:")
    for name, n in outcome.wards:
        ctx.out(f"  {name}: {n}")
    if outcome.issued:
        ctx.out(f"Đã chuyển {len(outcome.issued)} hồ sơ sang trạng thái “Đã lập hồ sơ trình khen thưởng”.")
    for note in outcome.notes:
        ctx.out(note)
    return EXIT_OK
