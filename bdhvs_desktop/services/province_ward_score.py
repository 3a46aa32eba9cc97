"""Is the "Điểm ở phường" a ward claims the score its own facts give? (issue #14, after the review)

A package carries each candidate's facts and the ward's score snapshot (`ward_score`: points,
eligible, each criterion's code, method and points), but NOT the ward's criteria set itself (only
its name in the snapshot). So the province re-scores the facts with ITS copy of the ward-level set
of the candidate's kind (`criteria_set.level = "ward"`, services/province_rank.py: rank(level="ward"))
and compares only what can be compared:
- manual criteria (the ward council's own assessment) are not in the facts: left out on both sides;
- when the snapshot lists its criteria, they are compared by code (points and passed), and the
  automatic points are totalled over the codes both sides have;
- when it lists none, the total is compared with the automatic points the facts give; with manual
  criteria in the set, only a total below them or above them plus every manual criterion's maximum
  is flagged, anything between "cannot tell".
A disagreement is a flag for the office to look at, never a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bdhvs_desktop.domain.scoring import points_text
from bdhvs_desktop.services.province_rank import rank
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database

_EPS = 0.01


@dataclass(frozen=True)
class WardScoreCheck:
    candidate_id: int
    status: str  # "agree" | "disagree" | "unknown"
    claimed: float | None  # the ward's points (comparable part)
    recomputed: float | None  # the points the facts give (comparable part)
    note: str  # Vietnamese: what differs, or why it could not be compared

    @property
    def flagged(self) -> bool:
        return self.status == "disagree"


def ward_score_checks(db: Database, ward: str | None = None) -> dict[int, WardScoreCheck]:
    """The check of every current candidate (or one ward's), by candidate id."""
    ranking = rank(db, level="ward", ward=ward)
    with db.read() as s:
        q = select(pm.WardProposal.candidate_id, pm.WardProposal.ward_score).where(
            pm.WardProposal.candidate_id.is_not(None))
        if ward is not None:
            q = q.where(pm.WardProposal.ward_code == ward)
        claimed = {cid: score for cid, score in s.execute(q)}
    return {r.candidate_id: _check(r, claimed.get(r.candidate_id) or {}) for r in ranking.rows}


def _check(r, snap: dict) -> WardScoreCheck:
    cid = r.candidate_id
    if r.problem or not r.criteria_set:
        return WardScoreCheck(cid, "unknown", snap.get("points"), None, r.problem or "Tỉnh không có bộ tiêu chí cấp "
                              "phường cho loại hồ sơ này: không đối chiếu được.")
    if snap.get("points") is None:
        return WardScoreCheck(cid, "unknown", None, r.points, "Phường không ghi điểm: không đối chiếu được.")
    mine = {c.code: c for c in r.criteria if c.method != "manual"}
    listed = {c.get("code"): c for c in snap.get("criteria") or [] if c.get("code")}
    named = snap.get("criteria_set")
    other_set = f" (phường chấm theo bộ “{named}”, tỉnh đối chiếu theo bộ “{r.criteria_set}”)" if named and \
        named != r.criteria_set else ""
    if listed:
        common = [code for code in mine if code in listed and listed[code].get("method") != "manual"]
        if not common:
            return WardScoreCheck(cid, "unknown", snap.get("points"), r.points,
                                  f"Không có tiêu chí chung để đối chiếu{other_set}.")
        diffs = [f"{mine[c].name}: phường {points_text(float(listed[c].get('points') or 0))}, dữ liệu cho "
                 f"{points_text(mine[c].points)}" for c in common
                 if abs(float(listed[c].get("points") or 0) - mine[c].points) > _EPS
                 or bool(listed[c].get("passed", mine[c].passed)) != mine[c].passed]
        theirs = sum(float(listed[c].get("points") or 0) for c in common)
        ours = sum(mine[c].points for c in common)
        if diffs:
            return WardScoreCheck(cid, "disagree", theirs, ours, "Điểm phường khai khác điểm dữ liệu cho"
                                  f"{other_set}: {'; '.join(diffs[:5])}.")
        return WardScoreCheck(cid, "agree", theirs, ours, f"Khớp với dữ liệu ({len(common)} tiêu chí tự động).")
    theirs, ours = float(snap["points"]), sum(c.points for c in mine.values())
    manual_max = sum(c.max_points for c in r.criteria if c.method == "manual")
    if manual_max:  # the council's points are unknown here: only a total outside [auto, auto + manual] is wrong
        if ours - _EPS <= theirs <= ours + manual_max + _EPS:
            return WardScoreCheck(cid, "unknown", theirs, ours, "Phường không gửi điểm từng tiêu chí; tổng điểm nằm "
                                  f"trong khoảng dữ liệu cho phép ({points_text(round(ours, 2))} điểm tự động, thêm tối "
                                  f"đa {points_text(manual_max)} điểm do Hội đồng chấm): không đối chiếu chi tiết được.")
        return WardScoreCheck(cid, "disagree", theirs, ours, f"Phường khai {points_text(theirs)} điểm, nhưng dữ liệu "
                              f"phường gửi chỉ cho {points_text(round(ours, 2))} điểm tự động cộng tối đa "
                              f"{points_text(manual_max)} điểm do Hội đồng chấm{other_set}.")
    if abs(theirs - ours) > _EPS:
        return WardScoreCheck(cid, "disagree", theirs, ours, f"Phường khai {points_text(theirs)} điểm, dữ liệu phường "
                              f"gửi cho {points_text(round(ours, 2))} điểm theo bộ tiêu chí cấp phường{other_set}.")
    return WardScoreCheck(cid, "agree", theirs, ours, "Khớp với dữ liệu.")
