"""The audit log: who changed what, when, from which value to which.

Entries about council decisions (votes, attendance, ballots, status, locks, score
snapshots, member scores, reopenings) are chained, and what protects them is:

* **a keyed chain**: each chained entry's HMAC-SHA-256 (key outside the database,
  storage/audit_chain.py) covers its content, the decision state of the rows it is about
  (canonical JSON in `state`) and the previous chained entry's hash;
* **the tables compared with the chain**: `verify_decisions` reads the decision state of
  every candidate and meeting from the tables and compares it with the last state the chain
  recorded, and recomputes each decided result from the votes and attendance in the tables;
* **anchors outside the database**: the chain head as a short code and a QR code, printed
  on the minutes and written in the dossier manifest, kept in `audit_anchor` (so a backup
  carries them) and in a file in the user's data folder; a rewritten chain no longer has
  the printed code, a chain missing its tail no longer reaches the last anchor.

Chained entries are added to the database when the transaction commits, under a
transaction-level lock (storage/locks.serialize), so two workstations never fork the chain."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.vocab import CANDIDATE_STATUS_LABELS
from bdhvs_desktop.storage import audit_chain as chain
from bdhvs_desktop.storage.locks import serialize
from bdhvs_desktop.storage.models import AuditAnchor, AuditEntry, utcnow

log = logging.getLogger(__name__)

CHAIN_LOCK = "bdhvs.audit_chain"
_PENDING = "bdhvs_audit_pending"
ANCHORS_FILE = "audit-anchors.jsonl"

#: Rows whose every change is a council decision: always chained, whatever the caller says.
ALWAYS_CHAINED = {
    ("candidate", "status"), ("candidate", "locked"), ("candidate", "votes"), ("candidate", "member_score"),
    ("meeting_attendance", "present"), ("meeting_attendance", "absence_reason"),
    ("council_meeting", "ballots_issued"), ("council_meeting", "ballots_returned"),
    ("council_meeting", "ballots_valid"), ("council_meeting", "status"),
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def record(session: Session, *, user: str | None, action: str, entity: str, entity_id: int | None = None,
           field: str | None = None, old: Any = None, new: Any = None, note: str | None = None,
           chained: bool = False) -> AuditEntry:
    """Add one audit entry in the caller's transaction (so it commits or rolls back with the change).

    A chained entry is written when the transaction commits, after the changes it describes,
    with the decision state of its rows as they are then."""
    chained = chained or (entity, field) in ALWAYS_CHAINED
    entry = AuditEntry(at=utcnow(), user=user, action=action, entity=entity, entity_id=entity_id, field=field,
                       old_value=_text(old), new_value=_text(new), note=note, chained=chained)
    if chained:
        session.info.setdefault(_PENDING, []).append(entry)
    else:
        session.add(entry)
    return entry


def record_changes(session: Session, *, user: str | None, entity: str, entity_id: int | None,
                   changes: dict[str, tuple[Any, Any]], action: str = "update", chained: bool = False) -> None:
    """One entry per changed field: changes = {field: (old, new)}; unchanged fields are skipped."""
    for field, (old, new) in changes.items():
        if old != new:
            record(session, user=user, action=action, entity=entity, entity_id=entity_id, field=field,
                   old=old, new=new, chained=chained)


def _subjects(session: Session, entries: list[AuditEntry]) -> dict[int, list[str]]:
    """The state keys each pending entry covers."""
    attendance = [e.entity_id for e in entries if e.entity == "meeting_attendance" and e.entity_id is not None]
    meeting_of = {}
    if attendance:
        from bdhvs_desktop.storage.models import MeetingAttendance

        meeting_of = dict(session.execute(select(MeetingAttendance.id, MeetingAttendance.meeting_id)
                                          .where(MeetingAttendance.id.in_(attendance))).all())
    out = {}
    for i, e in enumerate(entries):
        if e.entity == "candidate" and e.entity_id is not None:
            out[i] = [f"candidate:{e.entity_id}"]
        elif e.entity == "council_meeting" and e.entity_id is not None:
            out[i] = [f"council_meeting:{e.entity_id}"]
        elif e.entity == "meeting_attendance" and e.entity_id in meeting_of:
            out[i] = [f"council_meeting:{meeting_of[e.entity_id]}"]
        else:
            out[i] = []
    return out


def _last_link(session: Session) -> str | None:
    return session.scalar(select(AuditEntry.hash).where(AuditEntry.chained.is_(True))
                          .order_by(AuditEntry.id.desc()).limit(1))


def _signing_key(session: Session) -> chain.ChainKey:
    """This computer's key, refusing to sign a chain that another key started (a second
    workstation without the office's key file, a database moved without its key): the
    decision is not written, and the message says which file to copy."""
    last = session.scalar(select(AuditEntry.key_id).where(AuditEntry.chained.is_(True), AuditEntry.key_id.is_not(None))
                          .order_by(AuditEntry.id.desc()).limit(1))
    key = chain.load_key(create=last is None)
    if key is None or (last is not None and key.key_id != last):
        raise chain.AuditKeyError(
            f"Chuỗi nhật ký quyết định của cơ sở dữ liệu này được ký bằng khóa mã {last}, nhưng máy này "
            + ("chưa có tệp khóa" if key is None else f"có khóa khác (mã {key.key_id})")
            + f" ({chain.key_path()}). Hãy chép tệp audit.key từ máy đã ghi các quyết định vào đường dẫn đó "
              "(hoặc đặt biến môi trường BDHVS_AUDIT_KEY_FILE); quyết định này chưa được ghi.")
    return key


@event.listens_for(Session, "before_commit")
def _write_chained(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, None) or []
    if not pending:
        return
    session.flush()  # the changes the entries describe
    serialize(session, CHAIN_LOCK)  # until commit: no other writer links to the same head
    key = _signing_key(session)
    keys = _subjects(session, pending)
    wanted = {k for ks in keys.values() for k in ks}
    cands = [int(k.split(":")[1]) for k in wanted if k.startswith("candidate:")]
    meets = [int(k.split(":")[1]) for k in wanted if k.startswith("council_meeting:")]
    states = chain.collect_states(session.connection(), cands, meets) if wanted else {}
    prev = _last_link(session)
    for i, entry in enumerate(pending):
        entry.state = chain.canonical({"subjects": {k: states.get(k) for k in keys[i]}})
        entry.key_id = key.key_id
        entry.prev_hash = prev
        entry.hash = chain.keyed_digest(key, entry, prev)
        session.add(entry)
        session.flush()  # ids in chain order
        prev = entry.hash


def _discard_pending(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_rollback", _discard_pending)


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    message: str  # Vietnamese


def _chained(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.chained.is_(True)).order_by(AuditEntry.id)))


def verify_chain(session: Session) -> list[ChainProblem]:
    """Recompute the keyed chain of decision entries: an edited entry, an entry removed or
    inserted in the middle, or a chain recomputed without the key are each a problem."""
    problems: list[ChainProblem] = []
    entries = _chained(session)
    if not entries:
        return problems
    key = chain.load_key(create=False)
    if key is None:
        return [ChainProblem(None, f"Không kiểm tra được chuỗi nhật ký: máy này không có tệp khóa của chuỗi "
                                   f"({chain.key_path()}). Hãy chép tệp khóa từ máy đã ghi các quyết định.")]
    foreign = {e.key_id for e in entries if e.key_id and e.key_id != key.key_id}
    prev: str | None = None
    for entry in entries:
        if entry.prev_hash != prev:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: liên kết với mục trước bị sai "
                                                   "(một mục đã bị xóa hoặc chèn thêm)."))
        if entry.key_id is None:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: không được ký bằng khóa của chuỗi "
                                                   "(được tính lại bằng SHA-256 thường, không có khóa)."))
        elif entry.key_id in foreign:
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: ghi bằng một khóa khác (mã khóa "
                                                   f"{entry.key_id}) không có trên máy này; không xác minh được."))
        elif entry.hash != chain.keyed_digest(key, entry, entry.prev_hash):
            problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: nội dung đã bị sửa sau khi ghi (hoặc "
                                                   "chuỗi đã được tính lại không có khóa)."))
        elif entry.action == "rekey" and entry.state:
            legacy = (json.loads(entry.state).get("legacy") or {})
            if legacy.get("problems"):
                problems.append(ChainProblem(entry.id, f"Mục nhật ký {entry.id}: khi chuyển sang chuỗi có khóa, chuỗi "
                                                       f"cũ ({legacy.get('entries')} mục) đã bị phá vỡ ở "
                                                       f"{legacy['problems']} chỗ."))
        prev = entry.hash
    return problems


STATUS_TEXT = {k.value: v for k, v in CANDIDATE_STATUS_LABELS.items()}
MEETING_STATUS_TEXT = {"open": "đang họp", "closed": "đã kết thúc"}


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
    return f"{value:g}".replace(".", ",") if isinstance(value, (int, float)) else _show("", value)


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
    entries = _chained(session)
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
    from bdhvs_desktop.domain import council as dc
    from bdhvs_desktop.storage import models as m

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


# --------------------------------------------------------------------------- anchors


@dataclass(frozen=True)
class Anchor:
    seq: int  # how many chained entries the anchor covers
    head_hash: str | None
    code: str  # printed: "ABCD-EFGH-IJKL"
    at: dt.datetime | None = None
    purpose: str | None = None
    note: str | None = None

    @property
    def qr_data(self) -> str:
        """What the QR code holds: the position and the whole head hash."""
        return f"BDHVS-NEO|{self.seq}|{self.code}|{self.head_hash or '-'}"

    def qr_png(self) -> bytes:
        from bdhvs_desktop.documents.qr import qr_png

        return qr_png(self.qr_data)


def current_anchor(session: Session) -> Anchor:
    """The chain head now (the code to print on the minutes, the data for its QR code)."""
    count = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.chained.is_(True))) or 0
    head = _last_link(session)
    return Anchor(count, head, chain.anchor_code(head))


def meeting_anchor(session: Session, meeting_id: int) -> Anchor | None:
    """The chain head when the meeting was (last) closed: what its minutes print, so that a
    past meeting's minutes read the same whatever is decided after it. None while the
    meeting has no close in the chain (an open meeting's minutes take the head now)."""
    closed = session.scalar(select(AuditEntry.id).where(
        AuditEntry.chained.is_(True), AuditEntry.entity == "council_meeting", AuditEntry.entity_id == meeting_id,
        AuditEntry.action == "close").order_by(AuditEntry.id.desc()).limit(1))
    if closed is None:
        return None
    head = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == closed))
    count = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.chained.is_(True), AuditEntry.id <= closed)) or 0
    return Anchor(count, head, chain.anchor_code(head))


def _db_identity(session: Session) -> str:
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(Path(url.database).resolve())
    return url.render_as_string(hide_password=True)


def anchors_file() -> Path:
    from bdhvs_desktop.paths import user_data_dir

    return user_data_dir() / ANCHORS_FILE


def _append_local(identity: str, anchor: Anchor) -> None:
    path = anchors_file()
    line = json.dumps({"db": identity, "at": anchor.at.isoformat() if anchor.at else None, "seq": anchor.seq,
                       "head": anchor.head_hash, "code": anchor.code, "purpose": anchor.purpose,
                       "note": anchor.note}, ensure_ascii=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def local_anchors(session: Session) -> list[Anchor]:
    """Anchors of this database kept in the user's data folder (outside the database)."""
    identity, out = _db_identity(session), []
    try:
        lines = anchors_file().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if d.get("db") == identity:
            out.append(Anchor(int(d["seq"]), d.get("head"), d["code"],
                              dt.datetime.fromisoformat(d["at"]) if d.get("at") else None, d.get("purpose"),
                              d.get("note")))
    return out


def record_anchor(session: Session, *, user: str | None, purpose: str, note: str | None = None) -> Anchor:
    """Take the current chain head as an anchor (see save_anchor)."""
    return save_anchor(session, current_anchor(session), user=user, purpose=purpose, note=note)


def save_anchor(session: Session, head: Anchor, *, user: str | None, purpose: str,
                note: str | None = None) -> Anchor:
    """Keep a chain head that was printed: in `audit_anchor` (carried by backups) and in
    the anchors file of the user's data folder (which editing the database cannot erase)."""
    anchor = Anchor(head.seq, head.head_hash, head.code, utcnow(), purpose, note)
    session.add(AuditAnchor(at=anchor.at, seq=anchor.seq, head_hash=anchor.head_hash, code=anchor.code,
                            purpose=purpose, note=note, created_by=user))
    try:
        _append_local(_db_identity(session), anchor)
    except OSError as exc:  # the database copy still holds it
        log.warning("could not append to the anchors file: %s", exc)
    return anchor


def stored_anchors(session: Session) -> list[Anchor]:
    return [Anchor(a.seq, a.head_hash, a.code, a.at, a.purpose, a.note)
            for a in session.scalars(select(AuditAnchor).order_by(AuditAnchor.id))]


def verify_anchors(session: Session) -> list[ChainProblem]:
    """Each recorded anchor (in the database and in the local anchors file) must still be a
    head of the chain: same hash at the same position. A chain that no longer reaches an
    anchor lost its tail; a different hash there means the chain was rewritten. Anchors
    taken before a restore (a keyed "restore" entry later in the chain) are superseded."""
    entries = _chained(session)
    restores = [e.at for e in entries if e.action == "restore"]
    problems: list[ChainProblem] = []
    seen: set[tuple[int, str | None]] = set()
    for where, anchors in (("cơ sở dữ liệu", stored_anchors(session)), ("tệp neo trên máy này", local_anchors(session))):
        for a in anchors:
            if (a.seq, a.head_hash) in seen:
                continue
            seen.add((a.seq, a.head_hash))
            if a.at is not None and any(r >= a.at for r in restores):
                continue
            when = f"{a.at:%d/%m/%Y %H:%M}" if a.at else "?"
            label = f"mã neo {a.code} ({_purpose(a.purpose)}, {when} UTC, lưu trong {where})"
            if a.seq > len(entries):
                problems.append(ChainProblem(None, f"Chuỗi nhật ký thiếu phần cuối: {label} phủ {a.seq} mục, nay "
                                                   f"chuỗi chỉ còn {len(entries)} mục."))
            elif a.seq and entries[a.seq - 1].hash != a.head_hash:
                problems.append(ChainProblem(None, f"Chuỗi nhật ký đã bị viết lại: {label} không còn khớp với mục "
                                                   f"thứ {a.seq} của chuỗi."))
    return problems


def _purpose(purpose: str | None) -> str:
    return {"minutes": "in trên biên bản/hồ sơ", "dossier": "in trên biên bản/hồ sơ", "manual": "ghi tay",
            "restore": "khi khôi phục"}.get(purpose or "", purpose or "?")


@dataclass(frozen=True)
class CodeMatch:
    found: bool
    position: int | None  # 1-based position in the chain of the matching head
    length: int  # chained entries now
    at: dt.datetime | None
    message: str  # Vietnamese


def match_code(session: Session, code: str) -> CodeMatch:
    """Compare a code printed on paper with every head the chain has had."""
    wanted = chain.normalise_code(code)
    entries = _chained(session)
    if len(wanted.replace("-", "")) < 8:
        return CodeMatch(False, None, len(entries), None, f"Mã “{code}” quá ngắn; hãy nhập đủ 12 ký tự in trên "
                                                          "biên bản.")
    if not entries and wanted.replace("-", "") == "0" * len(wanted.replace("-", "")):
        return CodeMatch(True, 0, 0, None, "Mã khớp: chuỗi nhật ký trống.")
    for i, e in enumerate(entries, start=1):
        if chain.anchor_code(e.hash).startswith(wanted):
            later = len(entries) - i
            return CodeMatch(True, i, len(entries), e.at,
                             f"Mã {chain.anchor_code(e.hash)} khớp với chuỗi nhật ký tại mục thứ {i} (ghi lúc "
                             f"{e.at:%d/%m/%Y %H:%M} UTC); sau đó chuỗi có thêm {later} mục.")
    return CodeMatch(False, None, len(entries), None,
                     f"Mã {wanted} KHÔNG khớp với bất kỳ điểm nào của chuỗi nhật ký hiện tại ({len(entries)} mục): "
                     "chuỗi đã bị viết lại hoặc bị cắt, hoặc mã thuộc một cơ sở dữ liệu khác.")


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    user: str | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None


def history(session: Session, entity: str, entity_id: int) -> list[HistoryRow]:
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
    )
    return [HistoryRow(r.at, r.user, r.action, r.field, r.old_value, r.new_value, r.note) for r in rows]


# --------------------------------------------------------------------------- for the command line and the GUI


@dataclass(frozen=True)
class AnchorStatus:
    anchor: Anchor
    where: str  # Vietnamese: where it is kept
    ok: bool
    message: str  # Vietnamese


def anchor_statuses(db: Any) -> list[AnchorStatus]:
    """Every recorded anchor of this database (in it, and in this computer's anchors file),
    each with whether the chain still has it."""
    out: list[AnchorStatus] = []
    with db.read() as s:
        entries = _chained(s)
        for where, anchors in (("trong cơ sở dữ liệu", stored_anchors(s)), ("tệp neo trên máy này", local_anchors(s))):
            for a in anchors:
                if a.seq > len(entries):
                    ok, msg = False, f"chuỗi chỉ còn {len(entries)} mục, thiếu phần cuối"
                elif a.seq and entries[a.seq - 1].hash != a.head_hash:
                    ok, msg = False, f"mục thứ {a.seq} của chuỗi không còn khớp: chuỗi đã bị viết lại"
                else:
                    ok, msg = True, "khớp"
                out.append(AnchorStatus(a, where, ok, msg))
    return out


def verify_code(db: Any, code: str) -> CodeMatch:
    with db.read() as s:
        return match_code(s, code)


def take_anchor(db: Any, *, purpose: str = "manual", note: str | None = None) -> Anchor:
    """Record the current chain head (to print or write down); returns it."""
    with db.session() as s:
        return record_anchor(s, user=db.user, purpose=purpose, note=note)


def anchor_now(db: Any) -> Anchor:
    """The current anchor (code and QR data), without recording it."""
    with db.read() as s:
        return current_anchor(s)
