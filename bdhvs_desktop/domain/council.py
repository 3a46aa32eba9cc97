"""The award council's arithmetic: quorum, pass mark, member scores and conflicts of interest.

Quorum and pass mark are settings (no decree fixes them for a ward): by default the meeting
needs at least 2/3 of the members present, and a candidate passes with MORE than 50% of ALL
members in favour; the base (all members or those present) can be chosen. Fractions are kept
as integers so the boundaries (exactly 2/3, exactly 50%) are exact."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from bdhvs_desktop.domain.numbers import vn_number


class CouncilError(ValueError):
    """Council input that cannot be right; the message is Vietnamese."""


@dataclass(frozen=True)
class CouncilRules:
    quorum_num: int = 2
    quorum_den: int = 3  # present >= 2/3 of members
    pass_num: int = 1
    pass_den: int = 2
    pass_strict: bool = True  # True: more than 1/2; False: at least 1/2
    pass_base: str = "all"  # "all" members of the council, or those "present"
    spread_threshold: float = 20.0  # member scores: max - min above this is a wide spread

    def __post_init__(self) -> None:
        if self.quorum_den <= 0 or self.pass_den <= 0 or not 0 <= self.quorum_num <= self.quorum_den \
                or not 0 <= self.pass_num <= self.pass_den:
            raise CouncilError("Tỷ lệ túc số hoặc tỷ lệ thông qua không hợp lệ (tử số phải từ 0 đến mẫu số).")
        if self.pass_base not in ("all", "present"):
            raise CouncilError("Cơ sở tính tỷ lệ thông qua phải là “all” (tổng số thành viên) hoặc "
                               "“present” (số thành viên có mặt).")
        if self.spread_threshold < 0:
            raise CouncilError("Ngưỡng chênh lệch điểm phải không âm.")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CouncilRules:
        data = data or {}
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def describe(self) -> str:
        base = "tổng số thành viên Hội đồng" if self.pass_base == "all" else "số thành viên có mặt"
        more = "trên" if self.pass_strict else "từ"
        return (f"Túc số: có mặt từ {self.quorum_num}/{self.quorum_den} tổng số thành viên trở lên; "
                f"thông qua khi số phiếu tán thành {more} {_pct(self.pass_num, self.pass_den)} {base}.")


def _pct(num: int, den: int) -> str:
    value = 100 * num / den
    return vn_number(value) + "%"


def quorum_met(members: int, present: int, rules: CouncilRules) -> bool:
    """At least quorum_num/quorum_den of all members present (exact integer arithmetic)."""
    return members > 0 and present * rules.quorum_den >= rules.quorum_num * members


def pass_base(members: int, present: int, rules: CouncilRules) -> int:
    return members if rules.pass_base == "all" else present


def vote_passes(votes_for: int, base: int, rules: CouncilRules) -> bool:
    if base <= 0:
        return False
    lhs, rhs = votes_for * rules.pass_den, rules.pass_num * base
    return lhs > rhs if rules.pass_strict else lhs >= rhs


@dataclass(frozen=True)
class Tally:
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


def check_tally(tally: Tally, present: int, *, secret_ballot: bool = False, ballots_valid: int | None = None,
                subject: str = "") -> None:
    """Raise CouncilError when the tally cannot be right (negative, or more votes than voters)."""
    where = f" ({subject})" if subject else ""
    if min(tally.votes_for, tally.votes_against, tally.votes_abstain) < 0:
        raise CouncilError(f"Số phiếu không được âm{where}.")
    if secret_ballot and ballots_valid is not None:
        if tally.votes_for + tally.votes_against > ballots_valid:
            raise CouncilError(f"Số phiếu tán thành và không tán thành ({tally.votes_for + tally.votes_against}) "
                               f"vượt số phiếu hợp lệ ({ballots_valid}){where}.")
    if tally.cast > present:
        raise CouncilError(f"Tổng số phiếu ({tally.cast}) vượt số thành viên có mặt ({present}){where}.")


def check_ballots(present: int, issued: int | None, returned: int | None, valid: int | None) -> None:
    values = [("phát ra", issued), ("thu vào", returned), ("hợp lệ", valid)]
    for label, value in values:
        if value is not None and value < 0:
            raise CouncilError(f"Số phiếu {label} không được âm.")
    if issued is not None and issued > present:
        raise CouncilError(f"Số phiếu phát ra ({issued}) vượt số thành viên có mặt ({present}).")
    if issued is not None and returned is not None and returned > issued:
        raise CouncilError(f"Số phiếu thu vào ({returned}) vượt số phiếu phát ra ({issued}).")
    if returned is not None and valid is not None and valid > returned:
        raise CouncilError(f"Số phiếu hợp lệ ({valid}) vượt số phiếu thu vào ({returned}).")


@dataclass(frozen=True)
class Decision:
    quorum_met: bool
    passed: bool
    votes_for: int
    base: int
    percent: float  # votes for, as % of the base
    explanation: str  # Vietnamese
    refused: bool = False  # the tally passes, but the file cannot be approved (`decide`'s `refused`)


def decide(members: int, present: int, tally: Tally | None, rules: CouncilRules, candidate: str = "",
           refused: str | None = None) -> Decision:
    """The council's result for one candidate, explained. `refused`: why the file cannot be
    approved whatever the vote (the service's words, e.g. the same person's file from another
    ward is approved); a passing tally then says so and does not pass."""
    who = f"{candidate}: " if candidate else ""
    has_quorum = quorum_met(members, present, rules)
    base = pass_base(members, present, rules)
    if not has_quorum:
        need = -(-rules.quorum_num * members // rules.quorum_den)
        return Decision(False, False, tally.votes_for if tally else 0, base, 0.0,
                        f"{who}không đủ túc số: có mặt {present}/{members} thành viên, cần ít nhất {need} "
                        f"({rules.quorum_num}/{rules.quorum_den}); chưa biểu quyết được.")
    if tally is None:
        return Decision(True, False, 0, base, 0.0, f"{who}chưa nhập kết quả biểu quyết.")
    percent = 100.0 * tally.votes_for / base if base else 0.0
    passed = vote_passes(tally.votes_for, base, rules)
    base_label = "tổng số thành viên" if rules.pass_base == "all" else "thành viên có mặt"
    more = "trên" if rules.pass_strict else "từ"
    verdict = "ĐƯỢC THÔNG QUA" if passed else "KHÔNG ĐƯỢC THÔNG QUA"
    if passed and refused:
        verdict = "đủ tỷ lệ tán thành nhưng KHÔNG THÔNG QUA ĐƯỢC HỒ SƠ NÀY"
    text = (f"{who}{tally.votes_for}/{base} {base_label} tán thành ({_fmt(percent)}%), "
            f"{tally.votes_against} không tán thành, {tally.votes_abstain} không biểu quyết; "
            f"cần {more} {_pct(rules.pass_num, rules.pass_den)}: {verdict}.")
    if passed and refused:
        return Decision(True, False, tally.votes_for, base, percent, f"{text} {refused}", True)
    return Decision(True, passed, tally.votes_for, base, percent, text)


def _fmt(value: float) -> str:
    return vn_number(value)


@dataclass(frozen=True)
class ScoreSummary:
    count: int
    mean: float | None
    median: float | None
    spread: float | None
    wide_spread: bool
    excluded: tuple[str, ...]  # members left out for conflict of interest
    explanation: str


def summarize_scores(scores: Iterable[tuple[str, float]], conflicted: Iterable[str] = (),
                     rules: CouncilRules = CouncilRules()) -> ScoreSummary:
    """Mean and median of the members' scores, leaving out conflicted members; flag a wide spread."""
    left_out = set(conflicted)
    kept = [(name, pts) for name, pts in scores if name not in left_out]
    excluded = tuple(sorted(left_out))
    note = f"; không tính điểm của {', '.join(excluded)} (xung đột lợi ích)" if excluded else ""
    if not kept:
        return ScoreSummary(0, None, None, None, False, excluded, "Chưa có điểm của thành viên nào" + note + ".")
    values = [p for _, p in kept]
    mean = statistics.fmean(values)
    median = statistics.median(values)
    spread = max(values) - min(values)
    wide = spread > rules.spread_threshold
    text = (f"{len(values)} thành viên chấm: trung bình {_fmt(mean)}, trung vị {_fmt(median)}, "
            f"chênh lệch cao nhất - thấp nhất {_fmt(spread)}")
    if wide:
        text += f" — CHÊNH LỆCH LỚN (trên {_fmt(rules.spread_threshold)} điểm), đề nghị Hội đồng thảo luận lại"
    return ScoreSummary(len(values), mean, median, spread, wide, excluded, text + note + ".")


def conflict_reason(member_name: str, member_person_id: int | None, member_units: set[int],
                    subject_type: str, candidate_unit_id: int | None, candidate_person_id: int | None,
                    candidate_name: str) -> str | None:
    """Why a member has a conflict of interest with a candidate, or None.

    member_units: the member's unit and every unit above it (belonging to a unit includes its
    sub-units: a member of a party cell belongs to the party committee above it)."""
    if subject_type == "person" and member_person_id is not None and member_person_id == candidate_person_id:
        return f"{member_name} chính là người được đề nghị."
    if subject_type == "unit" and candidate_unit_id is not None and candidate_unit_id in member_units:
        return f"{member_name} thuộc tập thể được đề nghị ({candidate_name})."
    return None


# --------------------------------------------------------------------------- one file per person


@dataclass(frozen=True)
class ProposedPerson:
    """Who a proposal names, as a province office compares two wards' proposals: the CCCD, the
    normalised name (domain/text.py: name_key) and the birth date, or the year only."""

    name_key: str
    cccd: str | None = None
    birth_date: dt.date | None = None
    birth_year: int | None = None

    @property
    def year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year


def same_person(a: ProposedPerson, b: ProposedPerson) -> str | None:
    """Whether two proposals name the same person: "cccd" (the same CCCD), "name_birth" (no two
    CCCDs to tell them apart, the same normalised name and birth date, or the same birth year when
    one knows only the year), else None. Two different CCCDs are two people. The council considers
    one file per person; the Trùng lặp page (services/province_views.py) groups by the same rule:
    both read `same_person_pairs`."""
    if a.cccd and b.cccd:
        return "cccd" if a.cccd == b.cccd else None
    if not a.name_key or a.name_key != b.name_key or a.year is None or a.year != b.year:
        return None
    if a.birth_date and b.birth_date and a.birth_date != b.birth_date:
        return None
    return "name_birth"


def person_keys(p: ProposedPerson) -> tuple[Hashable, ...]:
    """The buckets a proposal falls in: its CCCD, and its normalised name with its birth year. Two
    proposals `same_person` calls one person always share a bucket (the same CCCD, or the same
    name and year), so comparing inside the buckets finds every pair."""
    keys: list[Hashable] = []
    if p.cccd:
        keys.append(("cccd", p.cccd))
    if p.name_key and p.year is not None:
        keys.append(("name", p.name_key, p.year))
    return tuple(keys)


def same_person_pairs(people: Sequence[ProposedPerson]) -> dict[tuple[int, int], str]:
    """Every two proposals (indices i < j into `people`) that name the same person, with how
    (`same_person`): near-linear, bucketed by `person_keys`, the rule applied inside a bucket."""
    buckets: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(people):
        for key in person_keys(p):
            buckets[key].append(i)
    pairs: dict[tuple[int, int], str] = {}
    for members in buckets.values():
        for n, i in enumerate(members):
            for j in members[n + 1:]:
                if (i, j) not in pairs and (how := same_person(people[i], people[j])):
                    pairs[(i, j)] = how
    return pairs


def same_person_groups(people: Sequence[ProposedPerson]) -> list[tuple[str, tuple[int, ...]]]:
    """The same person's proposals, as a list shows them: ("cccd", indices) for every CCCD given
    more than once, and ("name_birth", indices) for every largest set of proposals in which every
    two are the same person but not all by one CCCD (a CCCD missing: found by name and birth).
    `same_person` is not transitive (a proposal with the birth year only matches two different
    dates; one without a CCCD matches two CCCDs), so a proposal can be in two groups; every two
    proposals in a group are the same person, and every such two share a group."""
    pairs = same_person_pairs(people)
    near: dict[int, set[int]] = defaultdict(set)
    for i, j in pairs:
        near[i].add(j)
        near[j].add(i)
    groups: list[tuple[str, tuple[int, ...]]] = []
    done: set[int] = set()
    for start in sorted(near):
        if start in done:
            continue
        part, todo = {start}, [start]  # the connected proposals (a few)
        while todo:
            for j in near[todo.pop()] - part:
                part.add(j)
                todo.append(j)
        done |= part
        for clique in _largest_sets(part, near):
            cccds = {people[i].cccd for i in clique}
            groups.append(("cccd" if len(cccds) == 1 and None not in cccds else "name_birth", clique))
    by_cccd: dict[str, list[int]] = defaultdict(list)
    for i in sorted(near):
        if people[i].cccd:
            by_cccd[people[i].cccd].append(i)
    listed = {g for _, g in groups}
    groups += [("cccd", tuple(g)) for g in by_cccd.values() if len(g) > 1 and tuple(g) not in listed]
    return groups


def _largest_sets(part: set[int], near: dict[int, set[int]]) -> list[tuple[int, ...]]:
    """The maximal cliques of a small connected graph (Bron-Kerbosch with a pivot), each sorted."""
    out: list[tuple[int, ...]] = []
    stack: list[tuple[set[int], set[int], set[int]]] = [(set(), set(part), set())]
    while stack:
        chosen, left, seen = stack.pop()
        if not left and not seen:
            out.append(tuple(sorted(chosen)))
            continue
        pivot = max(left | seen, key=partial(_links, near, left))
        for v in sorted(left - near[pivot]):
            stack.append((chosen | {v}, left & near[v], seen & near[v]))
            left = left - {v}
            seen = seen | {v}
    return sorted(out)


def _links(near: dict[int, set[int]], among: set[int], v: int) -> int:
    return len(near[v] & among)
