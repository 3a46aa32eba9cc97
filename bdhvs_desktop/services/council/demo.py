"""The demo database's council: members, a meeting with its votes and decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bdhvs_desktop.domain.vocab import (
    VotingMethod,
)
from bdhvs_desktop.services import meeting_edit
from bdhvs_desktop.services import scoring as scoring_service
from bdhvs_desktop.services.council.meeting_overview import meeting_view
from bdhvs_desktop.services.council.meetings import new_meeting, set_attendance, set_ballots
from bdhvs_desktop.services.council.proposals import propose, summary_from_score
from bdhvs_desktop.services.council.votes import decide, record_member_score, record_vote
from bdhvs_desktop.services.scoring import record_manual_result
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

DEMO_SCORE_DAY = dt.date(2026, 11, 10)


DEMO_MEETING_AT = dt.datetime(2026, 11, 12, 8, 0)


DEMO_DISCUSSION = (
    "Thư ký Hội đồng báo cáo tóm tắt thành tích và kết quả chấm điểm của các tập thể, cá nhân được đề nghị; "
    "Hội đồng quán triệt tiêu chuẩn, điều kiện khen thưởng theo Kế hoạch thi đua (mô phỏng).\n"
    "Các thành viên thảo luận, phân tích thành tích của từng tập thể, cá nhân; thành viên có xung đột lợi ích "
    "không tham gia chấm điểm, biểu quyết hồ sơ liên quan.")


def _province_forms(db: Database) -> dict[str, str]:
    """The first province-level award form for each subject kind (demo variants propose to it)."""
    with db.read() as s:
        forms = s.scalars(select(m.AwardForm).where(m.AwardForm.level == "province").order_by(m.AwardForm.id)).all()
        return {kind: next(f.code for f in forms if not f.subject_kinds or kind in f.subject_kinds)
                for kind in ("party_org", "collective", "individual")
                if any(not f.subject_kinds or kind in f.subject_kinds for f in forms)}


def create_demo_council(db: Database, province_candidates: int = 0) -> dict[str, int]:
    """Candidates and one council meeting for the demo ward (called at the end of create_demo):
    manual criteria with evidence, a few eligible and some ineligible subjects proposed, a secret
    ballot with one member absent, member scores (one with a wide spread), votes and decisions.
    The first `province_candidates` eligible ones are proposed to a province-level award form."""
    with db.read() as s:
        crit = {(cs.subject_kind, c.code): c.id for cs in s.scalars(select(m.CriteriaSet)) for c in cs.criteria}
        units = dict(s.execute(select(m.Unit.code, m.Unit.id)).all())
        members = [x.id for x in s.scalars(select(m.CouncilMember).order_by(m.CouncilMember.sort_order))]
        disciplined = s.scalar(select(m.Person.id).where(m.Person.under_discipline.is_(True)).order_by(m.Person.id))
    if not members or not crit:
        return {"candidates": 0, "meetings": 0}
    manual = [
        ("collective", "TT_CHI_TIEU_KHAC", "DT-DTN", None, True,
         "Báo cáo số 15-BC/ĐTN (mô phỏng): vượt 5/5 chỉ tiêu được giao."),
        ("collective", "TT_CHI_TIEU_KHAC", "CQ-UBND", None, True, "Báo cáo kết quả thực hiện chỉ tiêu (mô phỏng)."),
        ("party_org", "TCD_D_HOI_DONG", "DU-UBND", 16.0, None, "Biên bản kiểm tra thực tế ngày 05/11/2026 (mô phỏng)."),
        ("party_org", "TCD_D_HOI_DONG", "CB-VHXH", 18.0, None, "Mô hình Đại sứ số được nhân rộng ra 2 tổ dân phố."),
        ("party_org", "TCD_D_HOI_DONG", "CB-VPDU", 14.0, None, "Báo cáo của Chi bộ (mô phỏng)."),
        ("collective", "TT_D_HOI_DONG", "DT-DTN", 15.0, None, "2.100 lượt người dân được hỗ trợ (mô phỏng)."),
    ]
    for kind, code, unit_code, points, passed, evidence in manual:
        if (kind, code) in crit and unit_code in units:
            record_manual_result(db, crit[(kind, code)], "unit", units[unit_code], passed=passed, points=points,
                                 evidence=evidence)
    board = scoring_service.compute_scores(db, DEMO_SCORE_DAY)
    eligible = {k: [x for x in board.of_kind(k) if x.eligible] for k in ("party_org", "collective", "individual")}
    chosen = eligible["party_org"][:2] + eligible["collective"][:1] + eligible["individual"][:3]
    province_forms = _province_forms(db) if province_candidates else {}
    # Proposed to the province, best first and taking turns by kind: an individual, a party
    # organisation, a collective, then the next of each.
    turns = [x for pair in zip(eligible["individual"][:3], eligible["party_org"][:2] + [None],
                               eligible["collective"][:1] + [None, None]) for x in pair if x is not None]
    to_province = {id(x) for x in turns[:province_candidates]}
    proposed = []
    for score in chosen:
        award = province_forms.get(score.kind) if id(score) in to_province else None
        proposed.append(propose(db, score.subject, score.subject_id, summary=summary_from_score(score),
                                at=DEMO_SCORE_DAY, award_code=award))
    # Ineligible subjects the units proposed anyway: the council sees why they fail.
    weak = []
    if "CB-KP3" in units:
        weak.append(propose(db, "unit", units["CB-KP3"], at=DEMO_SCORE_DAY,
                            summary="Chi bộ đề nghị: tích cực triển khai Tổ công nghệ số cộng đồng (mô phỏng)."))
    if disciplined is not None:
        weak.append(propose(db, "person", disciplined, at=DEMO_SCORE_DAY,
                            summary="Đơn vị đề nghị: có giải pháp Nhóm Zalo hỗ trợ kỹ năng số (mô phỏng)."))
    if len(eligible["individual"]) > 3:  # one still being drafted by the secretary
        extra = eligible["individual"][3]
        propose(db, extra.subject, extra.subject_id, summary=summary_from_score(extra), at=DEMO_SCORE_DAY, draft=True)
    meeting = new_meeting(db, DEMO_MEETING_AT, place="Hội trường Đảng ủy phường (mô phỏng)",
                          voting_method=VotingMethod.SECRET_BALLOT.value, number="01/BB-HĐTĐKT",
                          ended_at=DEMO_MEETING_AT + dt.timedelta(hours=2, minutes=30), discussion=DEMO_DISCUSSION)
    set_attendance(db, meeting, members[4], False, "Đi công tác theo Quyết định của Ban Thường vụ (mô phỏng)")
    present = len(members) - 1
    set_ballots(db, meeting, issued=present, returned=present, valid=present)
    if len(members) > 6:
        meeting_edit.set_counting_committee(db, meeting, [members[3], members[5], members[6]], head_id=members[3])
    view = meeting_view(db, meeting)
    conflicted = {row.candidate.id: row.conflicts for row in view.candidates}
    present_ids = [a.member_id for a in view.attendance if a.present]
    names = {a.member_id: a.full_name for a in view.attendance}
    for i, cid in enumerate(proposed):
        record_vote(db, meeting, cid, present - (i % 2), i % 2, 0)
        for j, mid in enumerate(present_ids):
            if any(names[mid] in reason for reason in conflicted.get(cid, ())):
                continue  # a conflicted member does not score this candidate
            maximum = 100.0
            points = 70.0 + 3 * ((i + j) % 5)
            if i == 0 and j == 0:
                points = 40.0  # one member far from the others: flagged as a wide spread
            record_member_score(db, meeting, cid, mid, min(points, maximum))
    for cid, votes_for in zip(weak, (2, 0)):
        record_vote(db, meeting, cid, votes_for, present - votes_for, 0)
    decide(db, meeting)
    return {"candidates": len(proposed) + len(weak) + 1, "meetings": 1}
