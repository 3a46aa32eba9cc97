"""One file per person at a province office: the same person proposed by two wards (the same
CCCD, or the same normalised name and birth date: domain/council.py `same_person`) is approved
once. Every path that makes a candidate approved (`set_status`, `decide`) asks `refuse_twin`
before writing; the council board reads `twin_notes` to say which file is the same person and
where it stands. A ward office has no ward proposals, so nothing here applies to it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.vocab import CandidateStatus, candidate_status_label
from bdhvs_desktop.services.council.common import CouncilActionError, _label
from bdhvs_desktop.services.province_views import ProposalRef, person_proposals
from bdhvs_desktop.storage import models as m

#: A file in one of these states stands for its person: a twin may not join it.
TAKEN = (CandidateStatus.APPROVED.value, CandidateStatus.ISSUED.value)


class TwinApproved(CouncilActionError):
    """The person of this candidate already has an approved (or issued) file from another ward."""


def twins_of(s: Session, candidate_id: int) -> tuple[ProposalRef | None, list[ProposalRef]]:
    """The ward's proposal behind a candidate (None: not an imported person) and the other
    candidates that name the same person, in the order they were imported."""
    found = person_proposals(s, candidate_id=candidate_id)
    if not found:
        return None, []
    me = found[0]
    others = person_proposals(s, like=me.person)
    return me, [p for p in others if p.candidate_id != candidate_id and dc.same_person(me.person, p.person)]


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
    if t.candidate_id in decided_now:
        raise TwinApproved(
            f"{_label(c)}: {_same(me, t)}; cả hai hồ sơ đều đạt tỷ lệ thông qua trong lần quyết định này. Hội đồng chỉ thông "
            "qua một hồ sơ cho mỗi người: chưa ghi quyết định nào; hãy biểu quyết lại một trong hai hồ sơ (không "
            "thông qua) rồi quyết định.")
    raise TwinApproved(refusal(_label(c), me, t))


def _same(me: ProposalRef, t: ProposalRef) -> str:
    return (f"{me.name} do {me.ward_name} ({me.ward_code}) đề nghị là cùng một người với hồ sơ số {t.candidate_id} "
            f"“{t.name}” do {t.ward_name} ({t.ward_code}) đề nghị ({me.reason(t)})")


def refusal(label: str, me: ProposalRef, t: ProposalRef) -> str:
    """Why `me` (named `label`) cannot be approved while `t`, the same person's file, is approved
    or issued: what `refuse_twin` raises, and what the council page shows before deciding."""
    state = "đã được thông qua" + (" và đã lập hồ sơ trình khen thưởng" if t.status == CandidateStatus.ISSUED else "")
    return (f"{label}: không thông qua được. {_same(me, t)}, hồ sơ đó {state}. Hội đồng chỉ xét một hồ sơ cho mỗi "
            "người: giữ hồ sơ đã thông qua (biểu quyết không thông qua hồ sơ này), hoặc mở lại hồ sơ kia (ghi lý "
            "do) trước khi thông qua hồ sơ này.")


def twin_pairs(s: Session) -> list[tuple[ProposalRef, ProposalRef]]:
    """Every pair of candidates that name the same person (earlier import first); one read. The
    Trùng lặp page groups the same pairs (domain/council.py: same_person_pairs)."""
    every = person_proposals(s)
    pairs = dc.same_person_pairs([p.person for p in every])
    return [(every[i], every[j]) for i, j in sorted(pairs)]


@dataclass(frozen=True)
class TwinNotes:
    """What the council board says of the files of a person proposed more than once."""

    #: candidate id → "Trùng với hồ sơ số N: <name> (<ward>) — <state>"
    board: dict[int, str] = field(default_factory=dict)
    #: candidate id → (its proposal, the same person's file that stands: approved or issued)
    standing: dict[int, tuple[ProposalRef, ProposalRef]] = field(default_factory=dict)

    def refused(self, candidate_id: int, label: str) -> str | None:
        """The refusal `decide` would give if this candidate passed (`refusal`), else None."""
        found = self.standing.get(candidate_id)
        return refusal(label, *found) if found else None


def twin_notes(s: Session) -> TwinNotes:
    """For the council board: every imported person proposed more than once, each file's note and
    the file that stands in its way (empty at a ward office); one read."""
    twins: dict[int, list[ProposalRef]] = defaultdict(list)
    me: dict[int, ProposalRef] = {}
    for a, b in twin_pairs(s):  # in the order imported, as twins_of
        twins[a.candidate_id].append(b)
        twins[b.candidate_id].append(a)
        me[a.candidate_id], me[b.candidate_id] = a, b
    board = {cid: "; ".join(f"Trùng với hồ sơ số {t.candidate_id}: {t.name} ({t.ward_name}) — "
                            f"{candidate_status_label(t.status).lower()}" for t in others)
             for cid, others in twins.items()}
    standing = {cid: (me[cid], taken[0]) for cid, others in twins.items()
                if me[cid].status not in TAKEN and (taken := [t for t in others if t.status in TAKEN])}
    return TwinNotes(board, standing)


def refuse_twins_among(s: Session, candidate_ids: set[int]) -> None:
    """TwinApproved when two of `candidate_ids` (a dossier's approved candidates) are the same
    person: files approved twice before the rule existed are not issued twice."""
    for a, b in twin_pairs(s):
        if a.candidate_id in candidate_ids and b.candidate_id in candidate_ids:
            raise TwinApproved(
                f"Hồ sơ số {a.candidate_id} “{a.name}” ({a.ward_name}) và hồ sơ số {b.candidate_id} “{b.name}” "
                f"({b.ward_name}) là cùng một người ({a.reason(b)}) và đều được thông qua. Hội đồng chỉ xét một "
                "hồ sơ cho mỗi người: mở lại một trong hai hồ sơ (ghi lý do) rồi lập hồ sơ trình khen thưởng.")
