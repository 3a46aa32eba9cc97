"""A council round in the demo ward, written with the ORM (the council service is not
needed): candidates, a meeting with one absent member, votes, and Form 08 text with
characters that break careless rendering."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from bdhvs_desktop.storage import models as m

NASTY = 'Chi bộ & "Tổ" <3> {{ x }} {% if %} \'trích\'\nDòng thứ hai: Thủy/Thuỷ, Đ'


def clear_council_round(db) -> None:
    with db.session() as s:
        for model in (m.Vote, m.MemberScore, m.MeetingAttendance, m.GeneratedDocument, m.Candidate,
                      m.CouncilMeeting):
            s.execute(delete(model))


def add_council_round(db, *, secret: bool = False, n_extra_people: int = 0) -> dict:
    """Returns ids: approved collective/individual candidates, the rejected and the proposed one."""
    with db.session() as s:
        # The demo ward has its own council round; replace it so the figures here are known.
        for model in (m.Vote, m.MemberScore, m.MeetingAttendance, m.GeneratedDocument, m.Candidate,
                      m.CouncilMeeting):
            s.execute(delete(model))
        campaign = s.scalar(select(m.Campaign))
        units = {u.code: u for u in s.scalars(select(m.Unit))}
        forms = {f.code: f for f in s.scalars(select(m.AwardForm))}
        members = list(s.scalars(select(m.CouncilMember).order_by(m.CouncilMember.sort_order)))
        people = {p.id: p for p in s.scalars(select(m.Person))}
        units["CB-KP3"].address = "Khu phố 3, phường La Gi, tỉnh Lâm Đồng"
        units["CB-KP3"].head_name = "Lê Văn Bình"
        units["CB-KP3"].head_title = "Bí thư Chi bộ"
        meeting = m.CouncilMeeting(
            campaign_id=campaign.id, number="05", held_at=dt.datetime(2026, 11, 5, 14, 0),
            ended_at=dt.datetime(2026, 11, 5, 16, 30), place="Hội trường Đảng ủy phường La Gi",
            chair_id=members[0].id, secretary_id=members[2].id,
            voting_method="secret_ballot" if secret else "show_of_hands",
            ballots_issued=6 if secret else None, ballots_returned=6 if secret else None,
            ballots_valid=6 if secret else None,
            counting_committee="Nguyễn Văn An | Trưởng ban\nTrần Thị Bé | Thành viên" if secret else None,
            discussion="Hội đồng nghe báo cáo tóm tắt thành tích của từng tập thể, cá nhân.\nCác thành viên thảo luận.",
            status="closed", rules={"quorum": "2/3", "pass": ">50%"})
        s.add(meeting)
        s.flush()
        for i, mem in enumerate(members):
            s.add(m.MeetingAttendance(meeting_id=meeting.id, member_id=mem.id, present=i != 4,
                                      absence_reason="Đi công tác" if i == 4 else None))

        def cand(kind, award, status, votes_for, summary, unit=None, person=None, text=None):
            c = m.Candidate(campaign_id=campaign.id, subject_type="unit" if unit else "person",
                            unit_id=unit.id if unit else None, person_id=person.id if person else None,
                            subject_kind=kind, award_form_id=forms[award].id, meeting_id=meeting.id,
                            summary=summary, report_text=text or {}, status=status,
                            locked=status in ("approved", "rejected"),
                            score_snapshot={"points": 80.0 + (votes_for or 0), "eligible": status != "rejected",
                                            "criteria": [{"code": "TCD_VNEID", "type": "gate",
                                                          "passed": status != "rejected"},
                                                         {"code": "TCD_D_MO_HINH_2", "type": "points",
                                                          "points": 10.0 + (votes_for or 0)}]})
            s.add(c)
            s.flush()
            if votes_for is not None:
                s.add(m.Vote(meeting_id=meeting.id, candidate_id=c.id, votes_for=votes_for,
                             votes_against=6 - votes_for, votes_abstain=0))
            return c

        c1 = cand("party_org", "GK_BTV_DU", "approved", 6, "Hoàn thành 100% đảng viên thành thạo VNeID",
                  unit=units["CB-KP3"],
                  text={"results": NASTY, "measures": "Biện pháp 1\nBiện pháp 2", "lessons": "Bài học A & B"})
        c2 = cand("collective", "GK_CT_UBND", "approved", 5, "Mô hình “Đại sứ số”", unit=units["DT-DTN"])
        host = s.scalar(select(m.Activity.host_person_id).where(m.Activity.host_person_id.isnot(None)))
        c3 = cand("individual", "GK_CT_UBND", "approved", 6, "Hướng dẫn 42 người dân cài VNeID",
                  person=people[host], text={"results": "Kết quả <cá nhân> & tốt", "measures": "", "lessons": ""})
        c4 = cand("individual", "GK_CT_UBND", "approved", 4, "Giải pháp số", person=people[29])
        c5 = cand("individual", "GK_CT_UBND", "rejected", 2, "Chưa đủ điều kiện", person=people[2])
        c6 = cand("individual", "GK_CT_UBND", "proposed", None, "Đề nghị bổ sung", person=people[3])
        extra = []
        pids = [p for p in people if p not in (host, 29, 2, 3)]
        for k in range(n_extra_people):
            extra.append(cand("individual", "GK_CT_UBND", "approved", 5, f"Thành tích {k}",
                              person=people[pids[k % len(pids)]],
                              text={"occupation": "Lao động tự do",  # Form 08 fields the records may lack
                                    "measures": "Hướng dẫn người dân cài đặt VNeID tại tổ dân phố."}).id)
        return {"meeting": meeting.id, "approved": [c1.id, c2.id, c3.id, c4.id] + extra, "rejected": c5.id,
                "proposed": c6.id, "collective": c1.id, "individual": c3.id, "host": host}
