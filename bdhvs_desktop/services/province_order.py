"""The order of the province's ranking within a subject kind, and why each tie went the way it did.

More points first; on equal points a woman, or a collective at least 70% women, first (Decree
152/2025/NĐ-CP, Art. 4); then the larger share of votes in favour at the ward's council; then the
name (A→Z, without diacritics); then the ward's code and the candidate's key. Every candidate whose
points equal the one above it carries a note saying which of these put it below. Only the
eligible are ranked."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from bdhvs_desktop.domain import scoring as sc
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.domain.vocab import SubjectKind
from bdhvs_desktop.services.province_scoring import ProposalRow

_fold = functools.lru_cache(maxsize=65536)(fold)  # names repeat across rankings


KIND_ORDER = [SubjectKind.PARTY_ORG.value, SubjectKind.COLLECTIVE.value, SubjectKind.INDIVIDUAL.value]


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate's province score and place (rank None: not eligible)."""

    rank: int | None
    candidate_id: int
    ward_code: str
    ward_name: str
    key: str
    name: str
    subject_type: str
    subject_kind: str
    award_name: str | None
    eligible: bool
    points: float
    max_points: float
    level: str  # the level of the criteria set applied
    criteria_set: str | None
    criteria: tuple[sc.CriterionScore, ...]
    held_back: str | None
    level_note: str | None  # the province has no set of this level for the kind
    problem: str | None  # the ward's facts could not be scored (why, in Vietnamese)
    tie_note: str | None
    women_first: bool
    approval: float | None  # votes for / (for + against + abstain) at the ward's council
    ward_points: float | None

    @property
    def scope(self) -> str:
        return f"{self.ward_name} ({self.ward_code})"

    @property
    def failed(self) -> tuple[str, ...]:
        """The explanations of the gates not met (they say the level: “Tiêu chí cấp tỉnh: …”)."""
        out = [c.explanation for c in self.criteria if c.type == "gate" and not c.passed]
        return tuple(out + ([self.held_back] if self.held_back else []) + ([self.problem] if self.problem else []))


def _sort_key(row: ProposalRow) -> tuple:
    if row.key is None:
        p, sc_ = row.proposal, row.score
        approval = row.approval
        row.key = (-round(sc_.points, 6) if sc_ else 0.0, 0 if sc_ and sc_.tie_break_first else 1,
                   -(approval if approval is not None else -1.0), _fold(p.name), p.ward_code, p.candidate_key)
    return row.key


def _tie_reason(above: ProposalRow, row: ProposalRow) -> str:
    ka, kb = _sort_key(above), _sort_key(row)
    who = f"{above.proposal.name} ({above.ward_name})"
    if ka[1] != kb[1]:
        female = "là nữ" if above.proposal.subject_type == "person" else "là tập thể có từ 70% nữ"
        return f"{who} {female}, được xếp trước khi bằng điểm (Nghị định 152/2025/NĐ-CP, Điều 4)"
    if ka[2] != kb[2]:
        a, b = above.approval, row.approval
        shown = vn_number(100 * a, places=0) + "%" if a is not None else "không rõ"
        mine = vn_number(100 * b, places=0) + "%" if b is not None else "không rõ"
        return f"tỷ lệ phiếu đồng ý tại Hội đồng phường thấp hơn ({mine}, so với {shown} của {who})"
    if ka[3] != kb[3]:
        return f"cùng điểm và tỷ lệ phiếu với {who}: xếp theo họ tên, A→Z"
    return f"cùng điểm, tỷ lệ phiếu và tên với {who}: xếp theo mã phường, rồi mã hồ sơ"


def order_rows(rows: list[ProposalRow]) -> list[RankedCandidate]:
    by_kind: dict[str, list[ProposalRow]] = defaultdict(list)
    for row in rows:
        by_kind[row.proposal.subject_kind].append(row)
    out: list[RankedCandidate] = []
    for kind in sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER)):
        group = by_kind[kind]
        eligible = sorted((r for r in group if r.score is not None and r.score.eligible), key=_sort_key)
        rest = sorted((r for r in group if r.score is None or not r.score.eligible), key=_sort_key)
        for place, row in enumerate(eligible, start=1):
            above = eligible[place - 2] if place > 1 else None
            tie = None
            if above is not None and round(above.score.points, 6) == round(row.score.points, 6):
                tie = f"Bằng {sc.points_text(round(row.score.points, 2))} điểm; xếp dưới vì {_tie_reason(above, row)}."
            out.append(_ranked(row, place, tie))
        out.extend(_ranked(row, None, None) for row in rest)
    return out


def _ranked(row: ProposalRow, place: int | None, tie: str | None) -> RankedCandidate:
    p, s = row.proposal, row.score
    cset = row.cset
    return RankedCandidate(
        place, p.candidate_id, p.ward_code, row.ward_name, p.candidate_key, p.name, p.subject_type, p.subject_kind,
        p.award_name, bool(s and s.eligible), s.points if s else 0.0, s.max_points if s else (cset.max_points if cset else 0.0),
        cset.level if cset else "province", cset.name if cset else None, tuple(s.criteria) if s else (),
        s.held_back if s else None, row.note, row.problem, tie, bool(s and s.tie_break_first), row.approval,
        p.ward_points)
