"""A ward's corrected package replaces its earlier one at the province office (issue #14).

`bdhvs province import FILE --replace` (and the confirm of the GUI import) asks for it
explicitly; without it a package naming a subject the ward already sent stays refused (no double
counting). The replacement is written by services/province.py in the same transaction as the new
package, so it is whole or nothing. Rules:
- only the ward's own earlier packages are replaced (the ward's scope is found by the new
  package's ward code and name, and the certificate is bound to the ward by province_check.py);
- only while the province council has not voted or decided on any of those packages'
  candidates, otherwise refused naming the candidates and the meeting;
- the replaced package stays: its file byte for byte (still verifiable), its documents (still
  openable) and its proposals (with `candidate_id` NULL: history, no longer counted), marked
  superseded by which package, by whom and when; its province candidates (never voted on) are
  withdrawn, with the persons created for them;
- the audit log records what was replaced and which candidates were withdrawn."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.vocab import CandidateStatus
from bdhvs_desktop.services import audit
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm

#: The hint a refusal of a re-sent subject ends with.
REPLACE_HINT = ("Nếu đây là gói sửa đổi phường gửi lại thay cho gói trước, hãy nhập với tùy chọn --replace "
                "(trên giao diện: đồng ý “Thay thế gói trước” khi nhập).")
_DECIDED = {CandidateStatus.APPROVED.value, CandidateStatus.REJECTED.value, CandidateStatus.ISSUED.value}


def current_packages(s: Session, ward_unit_id: int) -> list[pm.WardPackage]:
    """The ward's packages that are not superseded, oldest first."""
    return list(s.scalars(select(pm.WardPackage).where(pm.WardPackage.ward_unit_id == ward_unit_id,
                                                       pm.WardPackage.superseded_at.is_(None))
                          .order_by(pm.WardPackage.id)))


def _when(meeting: m.CouncilMeeting) -> str:
    number = f"số {meeting.number} " if meeting.number else ""
    return f"phiên họp {number}ngày {vn_date(meeting.held_at.date())}"


def council_blockers(s: Session, packages: list[pm.WardPackage]) -> list[str]:
    """Each candidate of `packages` the province council already voted or decided on, as
    "name (phiên họp số … ngày …)"; empty when the packages may be replaced."""
    ids = [p.id for p in packages]
    wp = pm.WardProposal
    rows = s.execute(select(wp.candidate_id, wp.name, m.Candidate.status)
                     .join(m.Candidate, m.Candidate.id == wp.candidate_id)
                     .where(wp.package_id.in_(ids))).all()
    names = {r.candidate_id: r.name for r in rows}
    if not names:
        return []
    out: dict[int, list[str]] = {}
    for vote, meeting in s.execute(select(m.Vote, m.CouncilMeeting)
                                   .join(m.CouncilMeeting, m.CouncilMeeting.id == m.Vote.meeting_id)
                                   .where(m.Vote.candidate_id.in_(names)).order_by(m.CouncilMeeting.held_at)):
        out.setdefault(vote.candidate_id, []).append(_when(meeting))
    for r in rows:
        if r.status in _DECIDED and r.candidate_id not in out:
            out[r.candidate_id] = ["đã có kết quả xét"]
    return [f"{names[cid]} ({', '.join(dict.fromkeys(w))})" for cid, w in out.items()]


def supersede(s: Session, old: list[pm.WardPackage], new: pm.WardPackage, user: str) -> list[str]:
    """Mark `old` superseded by `new` and withdraw their province candidates (in the caller's
    transaction); returns the withdrawn candidates' names."""
    ids = [p.id for p in old]
    wp = pm.WardProposal
    rows = s.execute(select(wp.candidate_id, wp.name, m.Candidate.person_id)
                     .join(m.Candidate, m.Candidate.id == wp.candidate_id).where(wp.package_id.in_(ids))).all()
    cand_ids = [r.candidate_id for r in rows]
    person_ids = [r.person_id for r in rows if r.person_id]
    now = m.utcnow()
    s.execute(update(pm.WardPackage).where(pm.WardPackage.id.in_(ids))
              .values(superseded_by_id=new.id, superseded_at=now, superseded_by_user=user))
    # history first (the key is unique among current proposals only), then the candidates go
    s.execute(update(wp).where(wp.package_id.in_(ids)).values(candidate_id=None))
    s.execute(update(pm.WardPackageDocument).where(pm.WardPackageDocument.package_id.in_(ids))
              .values(candidate_id=None))
    for i in range(0, len(cand_ids), 5000):
        s.execute(delete(m.Candidate).where(m.Candidate.id.in_(cand_ids[i:i + 5000])))
    for i in range(0, len(person_ids), 5000):
        s.execute(delete(m.Person).where(m.Person.id.in_(person_ids[i:i + 5000])))
    names = [r.name for r in rows]
    for p in old:
        audit.record(s, user=user, action="supersede", entity="ward_package", entity_id=p.id, note=(
            f"Gói hồ sơ của {p.ward_name} ({p.ward_code}), tệp {p.file_name}, mã gói {p.package_id}, được thay thế "
            f"bằng gói sửa đổi {new.file_name} (mã gói {new.package_id}); gói cũ được giữ lại làm lịch sử. "
            f"Rút {len(names)} hồ sơ của gói cũ: {', '.join(names[:20])}{' …' if len(names) > 20 else ''}."))
    return names
