"""Who signs the Tờ trình: the person the minutes name, not one setting for every body.

On the demo ward (no signer setting), the council's Tờ trình ("TM. HỘI ĐỒNG / CHỦ TỊCH") was
signed by the ward's deputy secretary while the minutes named another chairman, and the party
office's Tờ trình ("CHÁNH VĂN PHÒNG") by the same deputy secretary while the minutes listed
another head of the office. A setting, when the office makes one, still wins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 20)


def _members(db) -> list[tuple[str, str, str]]:
    with db.read() as s:
        return [(x.full_name, x.position or "", x.role) for x in s.scalars(
            select(m.CouncilMember).where(m.CouncilMember.active.is_(True)))]


def test_the_council_chair_of_the_minutes_signs_the_councils_submission(demo_db):
    chair = next(n for n, _p, role in _members(demo_db) if role == "chair")
    ctxs = svc.build_contexts(demo_db, draft=True, at=AT)
    council = [sub for _name, sub in ctxs.submissions if sub.issuer.abbreviation == "HĐTĐKT"]
    assert council, "the demo's ward award is proposed by the council"
    minutes_chairs = {d.context.chair.name for d in ctxs.minutes_docs}
    for sub in council:
        assert sub.issuer.signer_title == "CHỦ TỊCH"
        assert sub.issuer.signer_name == chair and chair in minutes_chairs


def test_the_party_office_head_of_the_minutes_signs_the_offices_submission(demo_db):
    head = next(n for n, p, _r in _members(demo_db) if p.lower().startswith("chánh văn phòng"))
    with demo_db.read() as s:
        c = s.scalar(select(m.Campaign))
        st = svc._read_settings(s)
        auth = svc.Authority(format="party", name=f"Ban Thường vụ Đảng ủy {c.locality_full or c.locality}",
                             recipient="", own_level=True)
        ctxs = svc.build_contexts(demo_db, draft=True, at=AT)
        listed = [x.name for d in ctxs.minutes_docs for x in d.context.members]
        assert head in listed
        issuer = svc._proposer(c, st, auth, "", head)
    assert issuer.signer_title == "CHÁNH VĂN PHÒNG" and issuer.signer_name == head


def test_an_office_setting_still_chooses_the_signer(demo_db):
    svc.save_settings(demo_db, signer_name="Nguyễn Văn Tư")
    ctxs = svc.build_contexts(demo_db, draft=True, at=AT)
    assert {sub.issuer.signer_name for _n, sub in ctxs.submissions} == {"Nguyễn Văn Tư"}
