"""Bring the demo ward to N approved awardees the way the office would: the secretary proposes
more people through the council service, a second council meeting votes on them (secret ballot,
every member present) and the council decides. Used by the acceptance test and by hand:
``python -m tests.awards_more DB.sqlite3 50``."""

from __future__ import annotations

import datetime as dt
import sys

from sqlalchemy import func, select

from bdhvs_desktop.services import council as council_service
from bdhvs_desktop.storage import models as m

MEETING_AT = dt.datetime(2026, 12, 10, 8, 0)
SCORE_DAY = dt.date(2026, 12, 1)


def approve_more(db, total: int, award_code: str = "GK_CT_UBND") -> list[int]:
    """Propose people without a candidacy until *total* candidates are approved and locked;
    returns the new candidates' ids."""
    with db.read() as s:
        approved = s.scalar(select(func.count(m.Candidate.id)).where(m.Candidate.status == "approved")) or 0
        taken = set(s.scalars(select(m.Candidate.person_id).where(m.Candidate.person_id.is_not(None))))
        people = [p for p in s.scalars(select(m.Person).order_by(m.Person.id))
                  if p.id not in taken and not p.under_discipline]
    need = total - approved
    if need <= 0:
        return []
    if len(people) < need:
        raise RuntimeError(f"only {len(people)} people left to propose, {need} needed")
    new = [council_service.propose(db, "person", p.id, award_code=award_code, at=SCORE_DAY,
                                   summary=f"Hướng dẫn người dân sử dụng VNeID, dịch vụ công trực tuyến tại "
                                           f"khu dân cư (mô phỏng, {p.full_name}).")
           for p in people[:need]]
    meeting = council_service.new_meeting(db, MEETING_AT, place="Hội trường Đảng ủy phường (mô phỏng)",
                                          voting_method="secret_ballot", number="02/BB-HĐTĐKT",
                                          ended_at=MEETING_AT + dt.timedelta(hours=2),
                                          discussion="Hội đồng xét các hồ sơ đề nghị bổ sung (mô phỏng).")
    view = council_service.meeting_view(db, meeting)
    present = sum(1 for a in view.attendance if a.present)
    council_service.set_ballots(db, meeting, issued=present, returned=present, valid=present)
    for cid in new:
        council_service.record_vote(db, meeting, cid, present, 0, 0)
    council_service.decide(db, meeting)
    council_service.close_meeting(db, meeting)
    return new


if __name__ == "__main__":  # pragma: no cover - used by hand on a demo database
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(sys.argv[1])
    print(len(approve_more(db, int(sys.argv[2]))), "candidates approved")
