"""The decision tables compared with the audit chain: the decision state of every candidate and
meeting in the tables against the last state the chain recorded, each difference said in a line
a user reads, and each decided result recomputed from the votes and attendance in the tables."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain import council as dc
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.vocab import CANDIDATE_STATUS_LABELS, MEETING_STATUS_LABELS
from bdhvs_desktop.services.audit.verify import ChainProblem, chained_entries
from bdhvs_desktop.storage import audit_chain as chain
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.models import AuditEntry

STATUS_TEXT = {k.value: v for k, v in CANDIDATE_STATUS_LABELS.items()}


MEETING_STATUS_TEXT = MEETING_STATUS_LABELS


def _show(field: str, value: Any) -> str:
    if value is None:
        return "(trống)"
    if field == "status" and value in STATUS_TEXT:
        return f"“{STATUS_TEXT[value]}”"
    if field == "locked":
        return "đã khóa" if value else "chưa khóa"
    if field == "votes":
        return "; ".join(f"phiên họp {m}: {v[0]} tán thành, {v[1]} không tán thành, {v[2]} không biểu quyết"
                         for m, v in sorted(value.items())) or "không có phiếu"
    if field == "attendance":
        present = sorted(int(k) for k, v in value.items() if v)
        absent = sorted(int(k) for k, v in value.items() if not v)
        return f"{len(present)} có mặt, {len(absent)} vắng" + (f" (vắng: thành viên {absent})" if absent else "")
    if field == "status" and value in MEETING_STATUS_TEXT:
        return f"“{MEETING_STATUS_TEXT[value]}”"
    if field == "ballots":
        return f"phát ra {value[0]}, thu về {value[1]}, hợp lệ {value[2]}"
    if isinstance(value, (dict, list)):
        return chain.canonical(value)
    return f"“{value}”"


def _points(value: Any) -> str:
    return vn_number(float(value), places=3) if isinstance(value, (int, float)) else _show("", value)


def _snapshot_difference(table: dict, logged: dict) -> str:
    """What differs between two score snapshots, in a line a user reads: the total, then each
    criterion whose points or result differ (never the whole documents)."""
    parts = []
    for name, label in (("points", "tổng điểm"), ("max_points", "điểm tối đa"), ("as_of", "ngày tính điểm"),
                        ("eligible", "đủ điều kiện")):
        if table.get(name) != logged.get(name):
            parts.append(f"{label} {_points(table.get(name))} (chuỗi nhật ký ghi {_points(logged.get(name))})")
    mine = {c.get("code"): c for c in table.get("criteria") or [] if isinstance(c, dict)}
    theirs = {c.get("code"): c for c in logged.get("criteria") or [] if isinstance(c, dict)}
    changed = []
    for code in sorted(set(mine) | set(theirs), key=str):
        a, b = mine.get(code), theirs.get(code)
        if a == b:
            continue
        if a is None or b is None:
            changed.append(f"{code} ({'thêm vào bảng' if b is None else 'bị xóa khỏi bảng'})")
        elif a.get("points") != b.get("points") or a.get("passed") != b.get("passed"):
            changed.append(f"{code}: {_points(a.get('points'))} (chuỗi nhật ký ghi {_points(b.get('points'))})")
        else:
            changed.append(f"{code} (phần diễn giải)")
    if changed:
        shown = changed[:5] + ([f"và {len(changed) - 5} tiêu chí khác"] if len(changed) > 5 else [])
        parts.append("tiêu chí " + "; ".join(shown))
    return ", ".join(parts) or "nội dung khác"


FIELD_TEXT = {"award": "hình thức khen thưởng", "status": "trạng thái", "locked": "khóa kết quả", "decision_reason": "lý do quyết định",
              "score_snapshot": "điểm chốt khi quyết định", "score_as_of": "ngày tính điểm",
              "votes": "kết quả biểu quyết", "member_scores": "điểm của thành viên Hội đồng",
              "voting_method": "hình thức biểu quyết", "rules": "quy tắc túc số và tỷ lệ thông qua",
              "ballots": "số phiếu", "attendance": "điểm danh"}


def _who(key: str, state: dict | None, other: dict | None) -> str:
    name = (state or {}).get("name") or (other or {}).get("name")
    kind, ident = key.split(":")
    if kind == "candidate":
        return f"Hồ sơ #{ident}" + (f" ({name})" if name else "")
    return f"Phiên họp #{ident}" + (f" ({name})" if name else "")


def _recorded_states(entries: list[AuditEntry]) -> tuple[dict[str, dict | None], list[ChainProblem]]:
    latest: dict[str, dict | None] = {}
    problems: list[ChainProblem] = []
    for e in entries:
        if not e.state:
            continue
        try:
            data = json.loads(e.state)
            subjects = data.get("subjects") or {}
        except (ValueError, AttributeError):
            problems.append(ChainProblem(e.id, f"Mục nhật ký {e.id}: phần trạng thái không đọc được."))
            continue
        for key, state in subjects.items():
            latest[key] = state
    return latest, problems


def verify_decisions(session: Session) -> list[ChainProblem]:
    """Compare the decision state in the tables with the last state the chain recorded, and
    recompute each decided result from the votes and attendance in the tables."""
    entries = chained_entries(session)
    recorded, problems = _recorded_states(entries)
    current = chain.collect_states(session.connection())
    for key in sorted(set(recorded) | {k for k, v in current.items() if chain.bearing(k, v)},
                      key=lambda k: (k.split(":")[0], int(k.split(":")[1]))):
        table, logged = current.get(key), recorded.get(key, "absent")
        if logged == "absent":
            problems.append(ChainProblem(None, f"{_who(key, table, None)}: bảng ghi {_summary(table)} nhưng chuỗi "
                                               "nhật ký không có quyết định nào về hồ sơ/phiên họp này (nhật ký đã bị "
                                               "xóa, hoặc dữ liệu được ghi ngoài chương trình)."))
            continue
        if table is None and logged is None:
            continue
        if table is None:
            problems.append(ChainProblem(None, f"{_who(key, None, logged)}: chuỗi nhật ký ghi {_summary(logged)} "
                                               "nhưng trong bảng không còn hồ sơ/phiên họp này (đã bị xóa ngoài "
                                               "chương trình)."))
            continue
        if logged is None:
            problems.append(ChainProblem(None, f"{_who(key, table, None)}: chuỗi nhật ký ghi là đã xóa nhưng bảng "
                                               f"vẫn có ({_summary(table)})."))
            continue
        for field in sorted(set(table) | set(logged)):
            if field == "name" or field not in logged:  # not yet recorded by the version that wrote the entry
                continue
            if field == "score_snapshot" and table.get(field) != logged.get(field) \
                    and isinstance(table.get(field), dict) and isinstance(logged.get(field), dict):
                problems.append(ChainProblem(None, f"{_who(key, table, logged)}: điểm chốt khi quyết định trong bảng "
                                                   "khác với chuỗi nhật ký: "
                                                   f"{_snapshot_difference(table[field], logged[field])}."))
            elif table.get(field) != logged.get(field):
                problems.append(ChainProblem(None, f"{_who(key, table, logged)}: {FIELD_TEXT.get(field, field)} "
                                                   f"trong bảng là {_show(field, table.get(field))}, chuỗi nhật ký "
                                                   f"ghi {_show(field, logged.get(field))}."))
    problems.extend(_recomputed(session, current))
    return problems


def _summary(state: dict | None) -> str:
    if not state:
        return "(không có)"
    if "locked" in state:
        return f"trạng thái {_show('status', state.get('status'))}, {_show('votes', state.get('votes') or {})}"
    return f"trạng thái {_show('status', state.get('status'))}, {_show('ballots', state.get('ballots'))}"


def _recomputed(session: Session, current: dict[str, dict]) -> list[ChainProblem]:
    """Each approved/rejected/issued candidate with a vote at its meeting: the decision
    recomputed from the tables' votes and attendance must match its status."""

    out: list[ChainProblem] = []
    rows = session.execute(select(m.Candidate.id, m.Candidate.status, m.Candidate.meeting_id)
                           .where(m.Candidate.status.in_(("approved", "rejected", "issued")),
                                  m.Candidate.meeting_id.is_not(None))).all()
    for cid, status, meeting_id in rows:
        state = current.get(f"candidate:{cid}") or {}
        tally = (state.get("votes") or {}).get(str(meeting_id))
        meeting = current.get(f"council_meeting:{meeting_id}")
        if tally is None or meeting is None:
            continue
        attendance = meeting["attendance"]
        try:
            rules = dc.CouncilRules.from_dict(meeting["rules"] or {})
            decision = dc.decide(len(attendance), sum(1 for v in attendance.values() if v),
                                 dc.Tally(*tally), rules, state.get("name") or "")
        except Exception as exc:  # noqa: BLE001 - a table edited into something the rules refuse
            out.append(ChainProblem(None, f"{_who(f'candidate:{cid}', state, None)}: không tính lại được kết quả "
                                          f"từ phiếu biểu quyết trong bảng ({exc})."))
            continue
        passed = status in ("approved", "issued")
        if decision.passed != passed:
            out.append(ChainProblem(None, f"{_who(f'candidate:{cid}', state, None)}: tính lại từ phiếu biểu quyết và "
                                          f"điểm danh trong bảng thì {'ĐƯỢC' if decision.passed else 'KHÔNG được'} "
                                          f"thông qua, nhưng trạng thái trong bảng là {_show('status', status)}."))
    return out
