"""Commands for scoring and candidates: score, manual, propose, candidates. The award council's
commands (`bdhvs council`) are in cli/council.py; their names stay importable from here."""

from __future__ import annotations

import dataclasses
import json

from bdhvs_desktop.cli import EXIT_OK, EXIT_USAGE, CliError

# The council's commands moved to cli/council.py; their old import path keeps working.
from bdhvs_desktop.cli.council import (  # noqa: F401
    COUNCIL_EPILOG,
    _date,
    _datetime,
    _errors,
    _fail,
    _fraction,
    _person_id,
    _pts,
    _subject,
    cmd_attend,
    cmd_ballots,
    cmd_decide,
    cmd_meeting_close,
    cmd_meeting_new,
    cmd_meeting_show,
    cmd_member_add,
    cmd_member_disable,
    cmd_member_list,
    cmd_member_score,
    cmd_reopen,
    cmd_rules,
    cmd_status,
    cmd_vote,
)
from bdhvs_desktop.domain import cccd as cccd_rules
from bdhvs_desktop.domain.scoring import LEVEL_LABELS
from bdhvs_desktop.domain.vocab import (
    SUBJECT_KIND_LABELS,
    SubjectKind,
)


def register(subparsers, common) -> None:
    p = subparsers.add_parser("score", parents=[common], help="chấm điểm mọi đơn vị và cá nhân tại một ngày",
                              description="Chấm điểm theo bộ tiêu chí: kết quả từng tiêu chí, tổng điểm, đủ điều kiện "
                                          "hay không, xếp hạng trong cùng loại và lời giải thích.")
    p.add_argument("--at", type=_date, metavar="NGÀY", help="ngày tính điểm (mặc định: hôm nay)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--kind", choices=["party_org", "collective", "individual"], help="chỉ một loại đối tượng")
    p.add_argument("--eligible", action="store_true", help="chỉ những đối tượng đủ điều kiện")
    p.add_argument("--explain", action="store_true", help="in lời giải thích từng tiêu chí")
    p.add_argument("--level", choices=("ward", "province"), default=None,
                   help="cấp tiêu chí: ward (khen cấp phường, mặc định) hoặc province (hồ sơ đề nghị khen cấp tỉnh; "
                        "không có bộ cấp tỉnh thì chấm theo bộ cấp phường và ghi chú). Có --level thì --json thêm "
                        "khóa level và level_note")
    p.set_defaults(func=cmd_score)

    p = subparsers.add_parser("manual", parents=[common], help="ghi kết quả một tiêu chí chấm thủ công",
                              description="Ghi kết quả tiêu chí thủ công (có căn cứ, người ghi và thời điểm ghi).")
    p.add_argument("criterion", metavar="MÃ_TIÊU_CHÍ")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="MÃ_ĐƠN_VỊ")
    who.add_argument("--person", metavar="CCCD_HOẶC_ID")
    res = p.add_mutually_exclusive_group(required=True)
    res.add_argument("--points", type=float, metavar="ĐIỂM", help="điểm (tiêu chí tính điểm)")
    res.add_argument("--pass", dest="passed", action="store_const", const=True, help="đạt (tiêu chí điều kiện)")
    res.add_argument("--fail", dest="passed", action="store_const", const=False, help="không đạt")
    p.add_argument("--evidence", required=True, metavar="CĂN_CỨ", help="căn cứ, minh chứng của kết quả")
    p.set_defaults(func=cmd_manual)

    p = subparsers.add_parser("propose", parents=[common], help="đề nghị khen thưởng (một đối tượng hoặc mọi đối tượng đủ điều kiện)",
                              description="Lập hồ sơ đề nghị khen thưởng với hình thức khen thưởng và tóm tắt thành tích.")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--eligible", action="store_true", help="đề nghị mọi đối tượng đủ điều kiện chưa có hồ sơ")
    who.add_argument("--unit", metavar="MÃ_ĐƠN_VỊ")
    who.add_argument("--person", metavar="CCCD_HOẶC_ID")
    p.add_argument("--at", type=_date, metavar="NGÀY", help="ngày tính điểm (mặc định: hôm nay)")
    p.add_argument("--award", metavar="MÃ", help="mã hình thức khen thưởng (mặc định: Giấy khen cấp phường đầu tiên phù hợp)")
    p.add_argument("--summary", metavar="TÓM_TẮT", help="tóm tắt thành tích (mặc định: lấy từ kết quả chấm điểm)")
    p.add_argument("--draft", action="store_true", help="chỉ lưu nháp, chưa đề nghị")
    p.set_defaults(func=cmd_propose)

    p = subparsers.add_parser("candidates", parents=[common], help="liệt kê hồ sơ đề nghị khen thưởng")
    p.add_argument("--json", action="store_true", help="in dạng JSON")
    p.set_defaults(func=cmd_candidates)


def cmd_score(args, ctx) -> int:
    from bdhvs_desktop.services.scoring import compute_scores  # lazy: start-up

    level = getattr(args, "level", None)
    try:
        board = compute_scores(ctx.db(create=False), args.at, level or "ward")
    except _errors() as exc:
        raise _fail(exc) from exc
    scores = [s for s in board.scores if (not args.kind or s.kind == args.kind) and (not args.eligible or s.eligible)]
    if args.json:
        items = [s.as_json() if level is None else {**s.as_json(), "level": s.level, "level_note": s.level_note}
                 for s in scores]
        ctx.out(json.dumps(items, ensure_ascii=False, indent=2))
        return EXIT_OK
    which = f" theo tiêu chí {LEVEL_LABELS[board.level]}" if level else ""
    ctx.out(f"Kết quả chấm điểm{which} tính đến {board.at:%d/%m/%Y}")
    for kind in SubjectKind:
        group = [s for s in scores if s.kind == kind.value]
        if not group:
            continue
        ctx.out(f"\n== {SUBJECT_KIND_LABELS[kind]} ({sum(1 for s in group if s.eligible)}/{len(group)} đủ điều kiện) ==")
        if kind.value in board.level_notes:
            ctx.out(f"Chú ý: {board.level_notes[kind.value]}")
        for s in group:
            mark = f"#{s.rank:<3}" if s.rank else "  – "
            gates = [c.name for c in s.criteria if c.type == "gate" and not c.passed]
            why = "" if s.eligible else (" — chưa đạt: " + "; ".join(gates) if gates else "") + \
                (f" — {s.held_back}" if s.held_back else "")
            # Lists mask citizen IDs (the --json output carries them whole, as the format requires);
            # the one mask of domain/cccd, with "*" for the terminal.
            shown_id = cccd_rules.shown_reference(s.subject, s.id, "*")
            ctx.out(f"{mark} {shown_id:<14} {s.name:<45} {_pts(s.points):>5}/{_pts(s.max_points)}{why}")
            if args.explain:
                for c in s.criteria:
                    ctx.out(f"       [{'x' if c.passed else ' '}] {c.code} ({_pts(c.points)}): {c.explanation}")
    for kind in board.missing_sets:
        ctx.out(f"\nChú ý: chưa có bộ tiêu chí cho loại “{kind}”.")
    return EXIT_OK


def cmd_manual(args, ctx) -> int:
    from bdhvs_desktop.services import lookup  # lazy: start-up
    from bdhvs_desktop.services.scoring import record_manual_result  # lazy: start-up

    db = ctx.db(create=False)
    subject, sid = _subject(db, args.unit, args.person)
    kind_ok = ("individual",) if subject == "person" else ("party_org", "collective")
    crit = lookup.criterion_by_code(db, args.criterion, kind_ok)
    if crit is None:
        raise CliError(f"Không có tiêu chí mã “{args.criterion}” cho loại đối tượng này.", EXIT_USAGE)
    try:
        record_manual_result(db, crit[0], subject, sid, passed=args.passed, points=args.points, evidence=args.evidence)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Đã ghi kết quả tiêu chí {args.criterion}.")
    return EXIT_OK


def cmd_propose(args, ctx) -> int:
    from bdhvs_desktop.services import council as cs  # lazy: start-up

    db = ctx.db(create=False)
    try:
        if args.eligible:
            result = cs.propose_eligible(db, args.at, args.award)
            ctx.out(f"Đã đề nghị {len(result.created)} đối tượng đủ điều kiện.")
            for line in result.skipped:
                ctx.out(f"  Bỏ qua: {line}")
            return EXIT_OK
        subject, sid = _subject(db, args.unit, args.person)
        summary = args.summary
        if summary is None:
            from bdhvs_desktop.domain.scoring import criteria_level_of_award  # lazy: start-up
            from bdhvs_desktop.services import lookup  # lazy: start-up
            from bdhvs_desktop.services.scoring import score_of  # lazy: start-up

            form = lookup.award_form(db, args.award)  # a province award: the province's criteria
            award_level = form["level"] if form else None
            score = score_of(db, subject, sid, args.at, criteria_level_of_award(award_level))
            if score is not None and score.eligible:
                summary = cs.summary_from_score(score)
            elif score is not None:
                ctx.out(f"Chú ý: {score.name} chưa đủ điều kiện theo bộ tiêu chí ({_pts(score.points)}/"
                        f"{_pts(score.max_points)} điểm); Hội đồng sẽ xem xét.")
        cid = cs.propose(db, subject, sid, award_code=args.award, summary=summary, at=args.at, draft=args.draft)
    except _errors() as exc:
        raise _fail(exc) from exc
    ctx.out(f"Đã lập hồ sơ đề nghị số {cid}.")
    return EXIT_OK


def cmd_candidates(args, ctx) -> int:
    from bdhvs_desktop.services.council import list_candidates  # lazy: start-up

    rows = list_candidates(ctx.db(create=False))
    if args.json:
        data = []
        for r in rows:
            d = dataclasses.asdict(r)
            d["score_as_of"] = r.score_as_of.isoformat() if r.score_as_of else None
            data.append(d)
        ctx.out(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        ctx.out("Chưa có hồ sơ đề nghị khen thưởng nào.")

    for r in rows:
        lock = " [đã khóa]" if r.locked else ""
        kind = SUBJECT_KIND_LABELS.get(SubjectKind(r.kind), r.kind) if r.kind in SubjectKind._value2member_map_ else r.kind
        level = " [tiêu chí cấp tỉnh]" if r.level == "province" else ""
        ctx.out(f"{r.id:>4}  {r.name:<45} {kind:<13} {r.award_code or '-':<16} {r.status_label}{lock}{level}")
    return EXIT_OK
