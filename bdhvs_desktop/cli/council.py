"""The award council's commands: `bdhvs council` (members, meetings, attendance, ballots, votes,
members' scores, decision, reopening, rules), and the helpers the scoring commands share with it
(dates, subjects, error mapping). The meeting record's sub-commands live in cli/meeting.py."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError, VietnameseArgumentParser
from bdhvs_desktop.cli import meeting as meeting_cli
from bdhvs_desktop.cli.meeting import discussion_text
from bdhvs_desktop.cli.preamble import exit_codes
from bdhvs_desktop.domain.council import CouncilError
from bdhvs_desktop.domain.dates import parse_vn_date
from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.domain.vocab import (
    COUNCIL_ROLE_LABELS,
    VOTING_METHOD_LABELS,
    CouncilRole,
    VotingMethod,
)

COUNCIL_EPILOG = """Ví dụ một phiên họp xét khen thưởng:
  bdhvs council member add "Nguyễn Văn A" --position "Bí thư Đảng ủy phường" --role chair
  bdhvs council member list
  bdhvs council meeting new --start "20/11/2026 08:00" --place "Hội trường Đảng ủy phường" --method secret_ballot
  bdhvs council attend 4 --absent --reason "Đi công tác"
  bdhvs council counting --members 2,3 --head 2
  bdhvs council ballots --issued 6 --returned 6 --valid 6
  bdhvs council vote 3 --for 5 --against 1 --abstain 0
  bdhvs council decide
  bdhvs council meeting edit --discussion-file thao-luan.txt
  bdhvs council meeting close --end "20/11/2026 10:30"
  bdhvs council reopen 3 --reason "Phát hiện sai sót số liệu"
Mã thoát: 0 thành công; 1 có lỗi trong dữ liệu (ví dụ không đủ túc số, kết quả đã khóa); 2 tham số sai."""



def _date(text: str) -> dt.date:
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)") from exc


def _datetime(text: str) -> dt.datetime:
    parts = text.strip().replace("T", " ").split()
    try:
        day = parse_vn_date(parts[0])
        hour, minute = (0, 0)
        if len(parts) > 1:
            hour, minute = (int(x) for x in parts[1].replace("h", ":").split(":")[:2])
        return dt.datetime(day.year, day.month, day.day, hour, minute)
    except (ValueError, IndexError) as exc:
        raise argparse.ArgumentTypeError(f"thời gian không hợp lệ: {text!r} (dùng \"YYYY-MM-DD HH:MM\" hoặc "
                                         "\"dd/mm/yyyy HH:MM\")") from exc


def _fraction(text: str) -> tuple[int, int]:
    try:
        num, den = (int(x) for x in text.split("/"))
        if den <= 0 or not 0 <= num <= den:
            raise ValueError
        return num, den
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"tỷ lệ không hợp lệ: {text!r} (ví dụ 2/3)") from exc


def register(subparsers, common) -> None:
    p = subparsers.add_parser("council", parents=[common], help="Hội đồng Thi đua - Khen thưởng: thành viên, phiên họp, biểu quyết",
                              description="Thành viên Hội đồng, phiên họp xét khen thưởng, điểm danh, biểu quyết, quyết định, "
                                          "khóa và mở lại kết quả.", epilog=COUNCIL_EPILOG)
    sub = p.add_subparsers(dest="council_command", metavar="VIỆC", title="Các việc", required=True,
                           parser_class=VietnameseArgumentParser)

    q = sub.add_parser("member", parents=[common], help="thành viên Hội đồng")
    msub = member_sub = q.add_subparsers(dest="member_command", metavar="VIỆC", required=True, parser_class=VietnameseArgumentParser)
    r = msub.add_parser("add", parents=[common], help="thêm thành viên")
    r.add_argument("full_name", metavar="HỌ_TÊN")
    r.add_argument("--position", metavar="CHỨC_VỤ")
    r.add_argument("--role", default="member", choices=["chair", "vice_chair", "secretary", "member"],
                   help="vai trò trong Hội đồng (mặc định: member)")
    r.add_argument("--unit", metavar="MÃ_ĐƠN_VỊ", help="đơn vị công tác (để phát hiện xung đột lợi ích)")
    r.add_argument("--person", metavar="CCCD_HOẶC_ID", help="liên kết với hồ sơ nhân sự")
    r.set_defaults(func=cmd_member_add)
    r = msub.add_parser("list", parents=[common], help="liệt kê thành viên")
    r.set_defaults(func=cmd_member_list)
    r = msub.add_parser("disable", parents=[common], help="thôi làm thành viên")
    r.add_argument("member_id", type=int, metavar="SỐ_THÀNH_VIÊN")
    r.set_defaults(func=cmd_member_disable)

    q = sub.add_parser("meeting", parents=[common], help="phiên họp")
    msub = q.add_subparsers(dest="meeting_command", metavar="VIỆC", required=True, parser_class=VietnameseArgumentParser)
    r = msub.add_parser("new", parents=[common], help="mở phiên họp (các hồ sơ đã đề nghị được đưa vào phiên)")
    r.add_argument("--at", type=_datetime, metavar="\"NGÀY GIỜ\"", help="thời gian họp (như --start)")
    r.add_argument("--place", metavar="ĐỊA_ĐIỂM")
    r.add_argument("--method", default="show_of_hands", choices=["show_of_hands", "secret_ballot"],
                   help="biểu quyết giơ tay (mặc định) hoặc bỏ phiếu kín")
    r.add_argument("--chair", type=int, metavar="SỐ_THÀNH_VIÊN", help="chủ trì (mặc định: Chủ tịch Hội đồng)")
    r.add_argument("--secretary", type=int, metavar="SỐ_THÀNH_VIÊN", help="thư ký (mặc định: Thư ký Hội đồng)")
    r.add_argument("--number", metavar="SỐ", help="số biên bản")

    meeting_cli.add_time_arguments(r, _datetime, new=True)
    r.set_defaults(func=cmd_meeting_new)
    r = msub.add_parser("show", parents=[common], help="xem phiên họp: điểm danh, hồ sơ, điểm, phiếu, kết quả")
    r.add_argument("meeting_id", type=int, nargs="?", metavar="SỐ_PHIÊN", help="mặc định: phiên gần nhất")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_meeting_show)
    r = msub.add_parser("close", parents=[common], help="kết thúc phiên họp")
    r.add_argument("meeting_id", type=int, nargs="?", metavar="SỐ_PHIÊN")
    r.add_argument("--end", type=_datetime, metavar="\"NGÀY GIỜ\"",
                   help="giờ kết thúc (giờ Việt Nam); mặc định: giờ đã nhập, hoặc bây giờ")
    r.set_defaults(func=cmd_meeting_close)
    meeting_sub = msub

    q = sub.add_parser("attend", parents=[common], help="điểm danh một thành viên (có mặt / vắng và lý do)")
    q.add_argument("member_id", type=int, metavar="SỐ_THÀNH_VIÊN")
    g = q.add_mutually_exclusive_group()
    g.add_argument("--present", action="store_true", help="có mặt (mặc định)")
    g.add_argument("--absent", action="store_true", help="vắng mặt (cần --reason)")
    q.add_argument("--reason", metavar="LÝ_DO")
    q.add_argument("--meeting", type=int, metavar="SỐ_PHIÊN", help="mặc định: phiên gần nhất")
    q.set_defaults(func=cmd_attend)

    q = sub.add_parser("ballots", parents=[common], help="số phiếu phát ra, thu vào, hợp lệ (bỏ phiếu kín)")
    q.add_argument("--issued", type=int, required=True)
    q.add_argument("--returned", type=int, required=True)
    q.add_argument("--valid", type=int, required=True)
    q.add_argument("--committee", metavar="BAN_KIỂM_PHIẾU")
    q.add_argument("--meeting", type=int, metavar="SỐ_PHIÊN")
    q.set_defaults(func=cmd_ballots)

    q = sub.add_parser("vote", parents=[common], help="nhập kết quả biểu quyết cho một hồ sơ")
    q.add_argument("candidate_id", type=int, metavar="SỐ_HỒ_SƠ")
    q.add_argument("--for", dest="votes_for", type=int, required=True, metavar="N", help="số phiếu tán thành")
    q.add_argument("--against", type=int, required=True, metavar="N", help="số phiếu không tán thành")
    q.add_argument("--abstain", type=int, default=0, metavar="N", help="số không biểu quyết")
    q.add_argument("--meeting", type=int, metavar="SỐ_PHIÊN")
    q.set_defaults(func=cmd_vote)

    q = sub.add_parser("score", parents=[common], help="điểm của một thành viên cho một hồ sơ")
    q.add_argument("candidate_id", type=int, metavar="SỐ_HỒ_SƠ")
    q.add_argument("--member", type=int, required=True, metavar="SỐ_THÀNH_VIÊN")
    q.add_argument("--points", type=float, required=True, metavar="ĐIỂM")
    q.add_argument("--note", metavar="GHI_CHÚ")
    q.add_argument("--meeting", type=int, metavar="SỐ_PHIÊN")
    q.set_defaults(func=cmd_member_score)

    q = sub.add_parser("decide", parents=[common], help="tính và ghi quyết định của Hội đồng (thông qua thì khóa kết quả)")
    q.add_argument("--candidate", type=int, metavar="SỐ_HỒ_SƠ", help="chỉ một hồ sơ")
    q.add_argument("--meeting", type=int, metavar="SỐ_PHIÊN")
    q.set_defaults(func=cmd_decide)

    q = sub.add_parser("reopen", parents=[common], help="mở lại kết quả đã khóa (được ghi vào nhật ký)")
    q.add_argument("candidate_id", type=int, metavar="SỐ_HỒ_SƠ")
    q.add_argument("--reason", required=True, metavar="LÝ_DO")
    q.set_defaults(func=cmd_reopen)

    q = sub.add_parser("status", parents=[common], help="chuyển trạng thái hồ sơ (nháp, đề nghị, xem xét, thông qua, "
                                                          "không thông qua, đã lập hồ sơ)")
    q.add_argument("candidate_id", type=int, metavar="SỐ_HỒ_SƠ")
    q.add_argument("status", choices=["draft", "proposed", "reviewed", "approved", "rejected", "issued"])
    q.add_argument("--reason", metavar="LÝ_DO", help="bắt buộc khi không thông qua và khi mở lại quyết định không thông qua")
    q.set_defaults(func=cmd_status)

    q = sub.add_parser("rules", parents=[common], help="xem hoặc đặt túc số và tỷ lệ thông qua")
    q.add_argument("--quorum", type=_fraction, metavar="TỬ/MẪU", help="túc số, ví dụ 2/3 (có mặt từ 2/3 trở lên)")
    q.add_argument("--pass", dest="pass_mark", type=_fraction, metavar="TỬ/MẪU", help="tỷ lệ thông qua, ví dụ 1/2")
    q.add_argument("--at-least", action="store_true", help="thông qua khi đạt TỪ tỷ lệ (mặc định: phải TRÊN tỷ lệ)")
    q.add_argument("--base", choices=["all", "present"], help="tính trên tổng số thành viên (all) hoặc số có mặt (present)")
    q.add_argument("--spread", type=float, metavar="ĐIỂM", help="ngưỡng chênh lệch điểm giữa các thành viên")
    q.set_defaults(func=cmd_rules)

    meeting_cli.register(sub, meeting_sub, member_sub, common, _datetime, _errors, _fail)

def _fail(exc: Exception) -> CliError:
    from bdhvs_desktop.services.council import LockedError, NoPassingVote  # lazy: start-up

    return CliError(str(exc), EXIT_ERROR if isinstance(exc, (LockedError, NoPassingVote)) else EXIT_USAGE)


def _errors():
    from bdhvs_desktop.services.council import CouncilActionError  # lazy: start-up
    from bdhvs_desktop.services.scoring import ScoringError  # lazy: start-up

    return (CouncilActionError, ScoringError, CouncilError)


def _pts(value: float | None) -> str:
    return points_text(value, "-")

def _subject(db, unit: str | None, person: str | None) -> tuple[str, int]:
    from bdhvs_desktop.services import lookup  # lazy: start-up

    if unit:
        uid = lookup.unit_id_by_code(db, unit)
        if uid is None:
            raise CliError(f"Không có đơn vị mã “{unit}”.", EXIT_USAGE)
        return "unit", uid
    text = (person or "").strip()
    pid = lookup.person_id_by_reference(db, text)
    if pid is None:
        raise CliError(f"Không có cá nhân có CCCD hoặc mã “{text}”.", EXIT_USAGE)
    return "person", pid


def _person_id(db, text: str | None) -> int | None:
    return _subject(db, None, text)[1] if text else None



def cmd_member_add(args, ctx) -> int:
    from bdhvs_desktop.services.council import add_member  # lazy: start-up

    db = ctx.db(create=False)
    try:
        mid = add_member(db, args.full_name, position=args.position, role=args.role,
                         person_id=_person_id(db, args.person), unit_code=args.unit)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Đã thêm thành viên số {mid}: {args.full_name}.")
    return EXIT_OK


def cmd_member_list(args, ctx) -> int:
    from bdhvs_desktop.services.council import list_members  # lazy: start-up

    rows = list_members(ctx.db(create=False))
    if not rows:
        ctx.out("Hội đồng chưa có thành viên.")
    for r in rows:
        ctx.out(f"{r.id:>3}  {r.full_name:<28} {COUNCIL_ROLE_LABELS[CouncilRole(r.role)]:<24} {r.position or ''}"
                f"{' — ' + r.unit_name if r.unit_name else ''}")
    return EXIT_OK


def cmd_member_disable(args, ctx) -> int:
    from bdhvs_desktop.services.council import set_member_active  # lazy: start-up

    try:
        set_member_active(ctx.db(create=False), args.member_id, False)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Thành viên số {args.member_id} không còn trong Hội đồng.")
    return EXIT_OK


def cmd_meeting_new(args, ctx) -> int:
    from bdhvs_desktop.services.council import new_meeting  # lazy: start-up

    start = args.start or args.at
    if start is None:
        raise CliError("Cần giờ bắt đầu phiên họp: --start \"dd/mm/yyyy HH:MM\" (giờ Việt Nam).", EXIT_USAGE)
    if args.start and args.at and args.start != args.at:
        raise CliError("--at và --start khác nhau; chỉ dùng --start.", EXIT_USAGE)
    try:
        mid = new_meeting(ctx.db(create=False), start, place=args.place, chair_id=args.chair,
                          secretary_id=args.secretary, voting_method=args.method, number=args.number,
                          ended_at=args.end, discussion=discussion_text(args))
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Đã mở phiên họp số {mid} lúc {start:%H giờ %M, ngày %d/%m/%Y}. "
            "Mọi thành viên được ghi có mặt; ghi vắng bằng 'bdhvs council attend SỐ --absent --reason ...'.")
    return EXIT_OK


def cmd_meeting_show(args, ctx) -> int:
    from bdhvs_desktop.services.council import meeting_view  # lazy: start-up

    try:
        v = meeting_view(ctx.db(create=False), args.meeting_id)
    except _errors() as exc:
        raise _fail(exc) from exc
    if args.json:
        ctx.out(json.dumps({
            "id": v.id, "held_at": v.held_at.isoformat(), "place": v.place, "chair": v.chair, "secretary": v.secretary,
            "voting_method": v.voting_method, "members": v.members, "present": v.present, "quorum_met": v.quorum_met,
            "attendance": [{"member_id": a.member_id, "name": a.full_name, "present": a.present,
                            "absence_reason": a.absence_reason} for a in v.attendance],
            "candidates": [{"candidate_id": r.candidate.id, "name": r.candidate.name, "status": r.candidate.status,
                            "locked": r.candidate.locked, "points": r.points, "max_points": r.max_points,
                            "votes": None if r.tally is None else {"for": r.tally.votes_for,
                                                                   "against": r.tally.votes_against,
                                                                   "abstain": r.tally.votes_abstain},
                            "passed": r.decision.passed, "decision": r.decision.explanation,
                            "conflicts": list(r.conflicts)} for r in v.candidates],
        }, ensure_ascii=False, indent=2))
        return EXIT_OK
    ctx.out(f"Phiên họp số {v.id}: {v.held_at:%H giờ %M, ngày %d/%m/%Y}, tại {v.place or '(chưa ghi địa điểm)'}")
    ctx.out(f"Chủ trì: {v.chair or '-'}; thư ký: {v.secretary or '-'}; "
            f"{VOTING_METHOD_LABELS[VotingMethod(v.voting_method)]}")
    ctx.out(f"Có mặt {v.present}/{v.members} thành viên — {'đủ' if v.quorum_met else 'KHÔNG đủ'} túc số. {v.rules.describe()}")
    from bdhvs_desktop.services.meeting import meeting_record  # lazy: start-up

    rec = meeting_record(ctx.db(create=False), v.id)
    ctx.out(f"Kết thúc: {rec.end:%H giờ %M, ngày %d/%m/%Y}" if rec.end else "Kết thúc: (chưa ghi)")
    if rec.counting_committee:
        ctx.out("Ban kiểm phiếu: " + "; ".join(f"{x.full_name}{' (Trưởng ban)' if x.counting_role == 'head' else ''}"
                                               for x in rec.counting_committee))
    ctx.out(f"Nội dung cuộc họp: {rec.discussion}" if rec.discussion else "Nội dung cuộc họp: (chưa ghi)")
    for a in v.attendance:
        ctx.out(f"  {a.member_id:>3} {a.full_name:<28} {'có mặt' if a.present else 'vắng: ' + (a.absence_reason or '')}")
    ctx.out("Hồ sơ:")
    for r in v.candidates:
        lock = " [đã khóa]" if r.candidate.locked else ""
        ctx.out(f"  {r.candidate.id:>3} {r.candidate.name:<45} {_pts(r.points)}/{_pts(r.max_points)} "
                f"{r.candidate.status_label}{lock}")
        ctx.out(f"      {r.decision.explanation}")
        for c in r.conflicts:
            ctx.out(f"      ! Xung đột lợi ích: {c}")
        if r.member_scores.count or r.member_scores.excluded:
            ctx.out(f"      Điểm thành viên: {r.member_scores.explanation}")
    return EXIT_OK


def cmd_meeting_close(args, ctx) -> int:
    from bdhvs_desktop.services.council import close_meeting  # lazy: start-up

    try:
        if args.end is not None:
            from bdhvs_desktop.services.meeting_edit import update_meeting  # lazy: start-up

            update_meeting(ctx.db(create=False), args.meeting_id, end=args.end)
        close_meeting(ctx.db(create=False), args.meeting_id)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out("Đã kết thúc phiên họp.")
    return EXIT_OK


def cmd_attend(args, ctx) -> int:
    from bdhvs_desktop.services.council import set_attendance  # lazy: start-up

    try:
        set_attendance(ctx.db(create=False), args.meeting, args.member_id, not args.absent, args.reason)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Đã ghi thành viên số {args.member_id} {'vắng mặt' if args.absent else 'có mặt'}.")
    return EXIT_OK


def cmd_ballots(args, ctx) -> int:
    from bdhvs_desktop.services.council import set_ballots  # lazy: start-up

    try:
        set_ballots(ctx.db(create=False), args.meeting, issued=args.issued, returned=args.returned, valid=args.valid,
                    counting_committee=args.committee)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out("Đã ghi số phiếu.")
    return EXIT_OK


def cmd_vote(args, ctx) -> int:
    from bdhvs_desktop.services.council import meeting_view, record_vote  # lazy: start-up

    db = ctx.db(create=False)
    try:
        record_vote(db, args.meeting, args.candidate_id, args.votes_for, args.against, args.abstain)
        view = meeting_view(db, args.meeting)
    except _errors() as exc:
        raise _fail(exc) from exc
    row = next((r for r in view.candidates if r.candidate.id == args.candidate_id), None)
    ctx.out("Đã ghi kết quả biểu quyết." + (f" {row.decision.explanation}" if row else ""))
    return EXIT_OK


def cmd_member_score(args, ctx) -> int:
    from bdhvs_desktop.services.council import record_member_score  # lazy: start-up

    try:
        record_member_score(ctx.db(create=False), args.meeting, args.candidate_id, args.member, args.points, args.note)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out("Đã ghi điểm của thành viên.")
    return EXIT_OK


def cmd_decide(args, ctx) -> int:
    from bdhvs_desktop.services.council import decide  # lazy: start-up

    with exit_codes(error=_errors()):
        results = decide(ctx.db(create=False), args.meeting, args.candidate)
    if not results:
        ctx.out("Không có hồ sơ nào có kết quả biểu quyết chờ quyết định.")
    for r in results:
        ctx.out(r.decision.explanation + (" Kết quả đã được khóa." if r.decision.passed else ""))
    return EXIT_OK


def cmd_reopen(args, ctx) -> int:
    from bdhvs_desktop.services.council import reopen  # lazy: start-up

    try:
        reopen(ctx.db(create=False), args.candidate_id, args.reason)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Đã mở lại kết quả của hồ sơ số {args.candidate_id}; việc mở lại đã được ghi vào nhật ký.")
    return EXIT_OK


def cmd_status(args, ctx) -> int:
    from bdhvs_desktop.services.council import set_status  # lazy: start-up

    try:
        set_status(ctx.db(create=False), args.candidate_id, args.status, args.reason)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out("Đã chuyển trạng thái hồ sơ.")
    return EXIT_OK


def cmd_rules(args, ctx) -> int:
    from bdhvs_desktop.services.council import get_rules, set_rules  # lazy: start-up

    db = ctx.db(create=False)
    rules = get_rules(db)
    changes: dict = {}
    if args.quorum:
        changes.update(quorum_num=args.quorum[0], quorum_den=args.quorum[1])
    if args.pass_mark:
        changes.update(pass_num=args.pass_mark[0], pass_den=args.pass_mark[1], pass_strict=not args.at_least)
    elif args.at_least:
        changes.update(pass_strict=False)
    if args.base:
        changes.update(pass_base=args.base)
    if args.spread is not None:
        changes.update(spread_threshold=args.spread)
    if changes:
        try:
            rules = dataclasses.replace(rules, **changes)
            set_rules(db, rules)
        except _errors() as exc:
            raise _fail(exc) from exc
        ctx.out("Đã lưu (áp dụng cho các phiên họp mở từ nay).")
    ctx.out(rules.describe())
    return EXIT_OK
