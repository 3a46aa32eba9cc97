"""One file per person at a province office: the same person proposed by two wards (the same
CCCD, or the same normalised name and birth date: domain/council.py `same_person`) is approved
once. Every path that makes a candidate approved (`set_status`, `decide`) asks `refuse_twin`
before writing; the council board reads `twin_notes` to say which file is the same person and
where it stands. A ward office has no ward proposals, so nothing here applies to it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.vocab import CandidateStatus, candidate_status_label
from bdhvs_desktop.services.council.common import CouncilActionError, _label
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm

#: A file in one of these states stands for its person: a twin may not join it.
TAKEN = (CandidateStatus.APPROVED.value, CandidateStatus.ISSUED.value)


class TwinApproved(CouncilActionError):
    """The person of this candidate already has an approved (or issued) file from another ward."""


@dataclass(frozen=True)
class Proposal:
    """A ward's proposal of a person, with the province candidate it became."""

    candidate_id: int
    ward_code: str
    ward_name: str
    name: str
    status: str
    person: dc.ProposedPerson
    cccd: str | None

    def reason(self, other: Proposal) -> str:
        how = dc.same_person(self.person, other.person)
        if how == "cccd":
            return f"cùng số CCCD {self.cccd}"
        born = self.person.birth_date or other.person.birth_date
        return "cùng họ tên và " + (f"ngày sinh {born:%d/%m/%Y}" if born else f"năm sinh {self.person.year}")


def _query():
    return (select(pm.WardProposal.candidate_id, pm.WardProposal.ward_code, pm.WardPackage.ward_name,
                   pm.WardProposal.name, pm.WardProposal.name_key, pm.WardProposal.cccd, pm.WardProposal.birth_date,
                   pm.WardProposal.birth_year, m.Candidate.status)
            .join(pm.WardPackage, pm.WardPackage.id == pm.WardProposal.package_id)
            .join(m.Candidate, m.Candidate.id == pm.WardProposal.candidate_id)
            .where(pm.WardProposal.subject_type == "person"))


def _proposal(r) -> Proposal:
    return Proposal(r.candidate_id, r.ward_code, r.ward_name, r.name, r.status,
                    dc.ProposedPerson(r.name_key, r.cccd, r.birth_date, r.birth_year), r.cccd)


def twins_of(s: Session, candidate_id: int) -> tuple[Proposal | None, list[Proposal]]:
    """The ward's proposal behind a candidate (None: not an imported person) and the other
    candidates that name the same person, in the order they were imported."""
    row = s.execute(_query().where(pm.WardProposal.candidate_id == candidate_id)).first()
    if row is None:
        return None, []
    me = _proposal(row)
    match = pm.WardProposal.name_key == me.person.name_key
    if me.cccd:
        match = match | (pm.WardProposal.cccd == me.cccd)
    rows = s.execute(_query().where(match, pm.WardProposal.candidate_id != candidate_id)
                     .order_by(pm.WardProposal.id)).all()
    return me, [p for p in map(_proposal, rows) if dc.same_person(me.person, p.person)]


def refuse_twin(s: Session, c: m.Candidate, decided_now: frozenset[int] = frozenset()) -> None:
    """TwinApproved (Vietnamese: the person, both wards, the file that stands) when another file
    of the same person is approved or issued; `decided_now`: the candidates this same decision
    approved a moment ago (read from the session, not yet committed). Writes nothing."""
    s.flush()  # a twin approved earlier in this transaction counts
    me, twins = twins_of(s, c.id)
    taken = [t for t in twins if t.status in TAKEN]
    if me is None or not taken:
        return
    t = taken[0]
    same = (f"{me.name} do {me.ward_name} ({me.ward_code}) đề nghị là cùng một người với hồ sơ số {t.candidate_id} "
            f"“{t.name}” do {t.ward_name} ({t.ward_code}) đề nghị ({me.reason(t)})")
    if t.candidate_id in decided_now:
        raise TwinApproved(
            f"{_label(c)}: {same}; cả hai hồ sơ đều đạt tỷ lệ thông qua trong lần quyết định này. Hội đồng chỉ thông "
            "qua một hồ sơ cho mỗi người: chưa ghi quyết định nào; hãy biểu quyết lại một trong hai hồ sơ (không "
            "thông qua) rồi quyết định.")
    state = "đã được thông qua" + (" và đã lập hồ sơ trình khen thưởng" if t.status == CandidateStatus.ISSUED else "")
    raise TwinApproved(
        f"{_label(c)}: không thông qua được. {same}, hồ sơ đó {state}. Hội đồng chỉ xét một hồ sơ cho mỗi "
        "người: giữ hồ sơ đã thông qua (biểu quyết không thông qua hồ sơ này), hoặc mở lại hồ sơ kia (ghi lý "
        "do) trước khi thông qua hồ sơ này.")


def twin_pairs(s: Session) -> list[tuple[Proposal, Proposal]]:
    """Every pair of candidates that name the same person (earlier import first); one read."""
    proposals = [_proposal(r) for r in s.execute(_query().order_by(pm.WardProposal.id))]
    if len(proposals) < 2:
        return []
    groups: dict[object, list[Proposal]] = defaultdict(list)
    for p in proposals:
        if p.cccd:
            groups[p.cccd].append(p)
        groups[(p.person.name_key, p.person.year)].append(p)
    pairs: dict[tuple[int, int], tuple[Proposal, Proposal]] = {}
    for group in groups.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.candidate_id != b.candidate_id and dc.same_person(a.person, b.person):
                    pairs[(a.candidate_id, b.candidate_id)] = (a, b)
    return list(pairs.values())


def twin_notes(s: Session) -> dict[int, str]:
    """For the council board: candidate id → "Trùng với hồ sơ số N: <name> (<ward>) — <state>", for
    every imported person proposed by more than one ward (empty at a ward office)."""
    twins: dict[int, list[Proposal]] = defaultdict(list)
    for a, b in twin_pairs(s):
        twins[a.candidate_id].append(b)
        twins[b.candidate_id].append(a)
    return {cid: "; ".join(f"Trùng với hồ sơ số {t.candidate_id}: {t.name} ({t.ward_name}) — "
                           f"{candidate_status_label(t.status).lower()}" for t in others)
            for cid, others in twins.items()}


def refuse_twins_among(s: Session, candidate_ids: set[int]) -> None:
    """TwinApproved when two of `candidate_ids` (a dossier's approved candidates) are the same
    person: files approved twice before the rule existed are not issued twice."""
    for a, b in twin_pairs(s):
        if a.candidate_id in candidate_ids and b.candidate_id in candidate_ids:
            raise TwinApproved(
                f"Hồ sơ số {a.candidate_id} “{a.name}” ({a.ward_name}) và hồ sơ số {b.candidate_id} “{b.name}” "
                f"({b.ward_name}) là cùng một người ({a.reason(b)}) và đều được thông qua. Hội đồng chỉ xét một "
                "hồ sơ cho mỗi người: mở lại một trong hai hồ sơ (ghi lý do) rồi lập hồ sơ trình khen thưởng.")
