"""The demo ward taken through two council meetings with the council services (reusable):

meeting 1 (12/11/2026 08:00-10:15, show of hands): 7 members, one absent; the collectives and
one individual voted, one collective fails; a member stands aside for a conflict of interest
(he belongs to a proposed collective); closed.
Between the meetings a member is added to the council (8 members).
meeting 2 (26/11/2026 14:00-16:40, secret ballot): all 8 present, a counting committee with a
head (the new member on it), the remaining individuals voted; closed.

    ids = two_meetings(demo_db)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import meeting_edit
from bdhvs_desktop.storage import models as m

SCORE_DAY = dt.date(2026, 11, 10)
M1_START, M1_END = dt.datetime(2026, 11, 12, 8, 0), dt.datetime(2026, 11, 12, 10, 15)
M2_START, M2_END = dt.datetime(2026, 11, 26, 14, 0), dt.datetime(2026, 11, 26, 16, 40)
NEW_MEMBER = "Phạm Thị Lan Anh"
M1_DISCUSSION = ("Thư ký Hội đồng báo cáo tóm tắt thành tích của các tập thể và 01 cá nhân được đề nghị.\n"
                 "Hội đồng thảo luận & thống nhất: tập thể <chưa đạt chỉ tiêu> không đề nghị.")
M2_DISCUSSION = "Hội đồng xét các cá nhân được đề nghị; Ban kiểm phiếu làm việc theo quy định."


def two_meetings(db) -> dict:
    """Returns ids: meetings, the absent and conflicted members, the new member, candidates per meeting."""
    with db.session() as s:
        for model in (m.Vote, m.MemberScore, m.MeetingAttendance, m.GeneratedDocument, m.Candidate,
                      m.CouncilMeeting):
            s.execute(delete(model))
        units = dict(s.execute(select(m.Unit.code, m.Unit.id)).all())
    members = cs.list_members(db)
    by_unit = {x.unit_id: x.id for x in members}
    proposed = cs.propose_eligible(db, at=SCORE_DAY).created
    cands = [cs.get_candidate(db, cid) for cid in proposed]
    collectives = [c for c in cands if c.subject == "unit"][:3]
    individuals = [c for c in cands if c.subject == "person"]
    # meeting 1: the collectives and one individual, by show of hands
    absent = next(x.id for x in members if x.role == "member")
    m1 = cs.new_meeting(db, M1_START, place="Hội trường Đảng ủy phường La Gi", number="01/BB-HĐTĐKT",
                        ended_at=M1_END, discussion=M1_DISCUSSION)
    cs.set_attendance(db, m1, absent, False, "Đi công tác")
    m1_cands = collectives + individuals[:1]
    failing = collectives[-1].id
    for c in m1_cands:
        cs.record_vote(db, m1, c.id, 3 if c.id == failing else 5, 1, 0)
    cs.decide(db, m1)
    cs.close_meeting(db, m1)
    view1 = cs.meeting_view(db, m1)
    conflicted = sorted({r for row in view1.candidates for r in row.conflicts})
    # between the meetings: a member joins the council
    new_member = cs.add_member(db, NEW_MEMBER, position="Chủ tịch Hội Liên hiệp Phụ nữ phường")
    # meeting 2: the remaining individuals, by secret ballot
    m2 = cs.new_meeting(db, M2_START, place="Phòng họp số 2, UBND phường La Gi", number="02/BB-HĐTĐKT",
                        voting_method="secret_ballot", ended_at=M2_END, discussion=M2_DISCUSSION)
    counting = [x.id for x in members if x.role == "member"][:2]
    cs.set_ballots(db, m2, issued=8, returned=8, valid=8)
    meeting_edit.set_counting_committee(db, m2, counting + [new_member], head_id=counting[0])
    m2_cands = individuals[1:4]
    for c in m2_cands:
        cs.record_vote(db, m2, c.id, 6, 2, 0)
    cs.decide(db, m2)
    cs.close_meeting(db, m2)
    return {"meetings": (m1, m2), "absent": absent, "new_member": new_member, "counting": counting,
            "conflicts": conflicted, "m1_candidates": [c.id for c in m1_cands], "failing": failing,
            "m2_candidates": [c.id for c in m2_cands], "units": units, "by_unit": by_unit}
