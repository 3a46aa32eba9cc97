"""The keyed hash chain of council decisions: its key, its digests and the decision state
each chained entry records.

* Each chained audit entry is an HMAC-SHA-256 (key outside the database) over its own
  content, the canonical JSON of the decision state of the rows it is about (`state`)
  and the previous chained entry's hash. Anyone can recompute a plain SHA-256 chain; only
  the holder of the key can recompute this one.
* The key lives in a file in the user's data folder (owner-only permissions), created on
  first use; BDHVS_AUDIT_KEY_FILE points elsewhere (e.g. a key shared by the workstations
  of an office on PostgreSQL).
* `collect_states` reads the decision-relevant content of candidates (status, lock, score
  snapshot, votes, member scores) and meetings (status, rules, ballots, attendance) with
  plain SQL, so the migration and `bdhvs check` read them the same way.

Used by services/audit.py and by migration 0004 (which re-chains older, unkeyed entries)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bdhvs_desktop.paths import user_data_dir
from bdhvs_desktop.storage.engine import DatabaseError

KEY_ENV = "BDHVS_AUDIT_KEY_FILE"
KEY_FILE = "audit.key"
DOMAIN = b"bdhvs-audit-chain-v2\x00"


class AuditKeyError(DatabaseError):
    """The chain key cannot be read, created or used here (Vietnamese message)."""


# --------------------------------------------------------------------------- key


@dataclass(frozen=True)
class ChainKey:
    secret: bytes
    path: Path

    @property
    def key_id(self) -> str:
        """A short public fingerprint of the key (stored with each entry; reveals nothing)."""
        return hmac.new(self.secret, b"bdhvs-key-id", hashlib.sha256).hexdigest()[:12]


def key_path() -> Path:
    override = os.environ.get(KEY_ENV)
    if override:
        return Path(override)

    return user_data_dir() / KEY_FILE


def load_key(*, create: bool = True) -> ChainKey | None:
    """The chain key; created (32 random bytes, readable by the owner only) when missing."""
    path = key_path()
    try:
        raw = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it meanwhile
            return load_key(create=False)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(raw + "\n")
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass
    except OSError as exc:
        raise AuditKeyError(f"Không đọc được khóa của chuỗi nhật ký ({path}): {exc}.") from exc
    try:
        secret = bytes.fromhex(raw)
    except ValueError:
        secret = b""
    if len(secret) < 16:
        raise AuditKeyError(f"Tệp khóa của chuỗi nhật ký {path} bị hỏng (không phải khóa hợp lệ).")
    return ChainKey(secret, path)


# --------------------------------------------------------------------------- digests


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _at_text(at: Any) -> str:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return at.isoformat(timespec="microseconds")


def legacy_digest(e: Any) -> str:
    """The unkeyed SHA-256 of the first schema (kept to verify entries before migration 0004)."""
    payload = json.dumps(
        [_at_text(e.at), e.user, e.action, e.entity, e.entity_id, e.field, e.old_value, e.new_value, e.note,
         e.prev_hash],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def keyed_digest(key: ChainKey, e: Any, prev_hash: str | None) -> str:
    payload = json.dumps(
        [_at_text(e.at), e.user, e.action, e.entity, e.entity_id, e.field, e.old_value, e.new_value, e.note,
         e.state, e.key_id, prev_hash],
        ensure_ascii=False,
    )
    return hmac.new(key.secret, DOMAIN + payload.encode("utf-8"), hashlib.sha256).hexdigest()


def anchor_code(head_hash: str | None) -> str:
    """The printed anchor: the first 12 base32 characters of the head hash, in groups of 4."""
    if not head_hash:
        return "0000-0000-0000"
    chars = base64.b32encode(bytes.fromhex(head_hash)).decode("ascii")[:12]
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    """What the user typed ("abcd efgh-ijkl", with O/0 and I/1 confusions) as a code."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw.replace("0", "O").replace("1", "I").replace("8", "B") if raw != "0" * len(raw) else raw
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


# --------------------------------------------------------------------------- decision state


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value if value is not None else {}


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]


def _in(column: str, ids: list[int] | None) -> tuple[str, dict]:
    if ids is None:
        return "1=1", {}
    if not ids:
        return "1=0", {}
    names = {f"i{n}": v for n, v in enumerate(ids)}
    return f"{column} IN ({', '.join(':' + k for k in names)})", names


def collect_states(conn: Any, candidate_ids: list[int] | None = None,
                   meeting_ids: list[int] | None = None) -> dict[str, dict]:
    """{"candidate:<id>": state, "council_meeting:<id>": state} read from the tables (None
    ids: every row). `name` is for messages only and is never compared."""
    out: dict[str, dict] = {}
    where, params = _in("c.id", candidate_ids)
    rows = conn.execute(text(
        "SELECT c.id, c.subject_type, c.status, c.locked, c.decision_reason, c.score_snapshot, c.score_as_of, "
        "u.name, p.full_name, a.code FROM candidate c LEFT JOIN unit u ON u.id = c.unit_id "
        "LEFT JOIN person p ON p.id = c.person_id LEFT JOIN award_form a ON a.id = c.award_form_id "
        f"WHERE {where}"), params).all()
    for cid, stype, status, locked, reason, snap, as_of, uname, pname, award in rows:
        out[f"candidate:{cid}"] = {
            "name": (pname if stype == "person" else uname) or f"hồ sơ #{cid}",
            "status": status, "locked": bool(locked), "decision_reason": reason, "award": award,
            "score_snapshot": _json(snap), "score_as_of": _day(as_of), "votes": {}, "member_scores": {},
        }
    if rows:
        where, params = _in("candidate_id", None if candidate_ids is None else [r[0] for r in rows])
        for cid, mid, v_for, v_against, v_abstain in conn.execute(text(
                "SELECT candidate_id, meeting_id, votes_for, votes_against, votes_abstain FROM vote "
                f"WHERE {where}"), params):
            if f"candidate:{cid}" in out:
                out[f"candidate:{cid}"]["votes"][str(mid)] = [v_for, v_against, v_abstain]
        for cid, mid, member, points in conn.execute(text(
                f"SELECT candidate_id, meeting_id, member_id, points FROM member_score WHERE {where}"), params):
            if f"candidate:{cid}" in out:
                out[f"candidate:{cid}"]["member_scores"][f"{mid}:{member}"] = float(points)
    where, params = _in("id", meeting_ids)
    meetings = conn.execute(text(
        "SELECT id, number, status, voting_method, rules, ballots_issued, ballots_returned, ballots_valid "
        f"FROM council_meeting WHERE {where}"), params).all()
    for mid, number, status, method, rules, issued, returned, valid in meetings:
        out[f"council_meeting:{mid}"] = {
            "name": f"số {number}" if number else None, "status": status, "voting_method": method,
            "rules": _json(rules), "ballots": [issued, returned, valid], "attendance": {},
        }
    if meetings:
        where, params = _in("meeting_id", None if meeting_ids is None else [r[0] for r in meetings])
        for mid, member, present in conn.execute(text(
                f"SELECT meeting_id, member_id, present FROM meeting_attendance WHERE {where}"), params):
            if f"council_meeting:{mid}" in out:
                out[f"council_meeting:{mid}"]["attendance"][str(member)] = bool(present)
    return out


DECIDED = ("reviewed", "approved", "rejected", "issued")


def bearing(key: str, state: dict) -> bool:
    """Does this row carry a council decision (so the chain must know about it)?"""
    if key.startswith("candidate:"):
        return state["status"] in DECIDED or state["locked"] or bool(state["votes"]) or bool(state["member_scores"])
    return any(v is not None for v in state["ballots"]) or state["status"] == "closed"


# --------------------------------------------------------------------------- migration


def rechain_with_key(conn: Any) -> int:
    """Migration 0004: verify the old unkeyed chain, then re-chain every chained entry with
    the key and append a keyed marker recording the old chain's head, its length, how many
    places it was broken, and the decision state of every row at this point. Returns the
    number of entries re-chained (0 on an empty database: no key is created then)."""
    rows = conn.execute(text(
        "SELECT id, at, \"user\", action, entity, entity_id, field, old_value, new_value, note, prev_hash, hash "
        "FROM audit_log WHERE chained = :t ORDER BY id"), {"t": True}).all()
    states = {k: v for k, v in collect_states(conn).items() if bearing(k, v)}
    if not rows and not states:
        return 0
    key = load_key()

    @dataclass
    class E:
        at: Any
        user: Any
        action: Any
        entity: Any
        entity_id: Any
        field: Any
        old_value: Any
        new_value: Any
        note: Any
        prev_hash: Any = None
        state: Any = None
        key_id: Any = None

    problems, prev = 0, None
    for r in rows:
        e = E(r.at, r.user, r.action, r.entity, r.entity_id, r.field, r.old_value, r.new_value, r.note, r.prev_hash)
        if r.prev_hash != prev or r.hash != legacy_digest(e):
            problems += 1
        prev = r.hash
    legacy_head, new_prev = prev, None
    for r in rows:
        e = E(r.at, r.user, r.action, r.entity, r.entity_id, r.field, r.old_value, r.new_value, r.note,
              key_id=key.key_id)
        digest = keyed_digest(key, e, new_prev)
        conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h, key_id = :k WHERE id = :i"),
                     {"p": new_prev, "h": digest, "k": key.key_id, "i": r.id})
        new_prev = digest
    at: Any = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    marker_at = at
    if conn.dialect.name == "sqlite":  # the text SQLAlchemy's SQLite DateTime stores
        at = at.strftime("%Y-%m-%d %H:%M:%S.%f")
    note = (f"Chuyển chuỗi nhật ký quyết định sang khóa HMAC: {len(rows)} mục cũ, "
            + ("chuỗi cũ nguyên vẹn." if not problems else f"chuỗi cũ đã bị phá vỡ ở {problems} chỗ trước khi chuyển."))
    state = canonical({"legacy": {"entries": len(rows), "head": legacy_head, "problems": problems},
                       "subjects": states})
    marker = E(marker_at, None, "rekey", "audit_log", None, None, None, None, note, state=state, key_id=key.key_id)
    digest = keyed_digest(key, marker, new_prev)
    conn.execute(text(
        "INSERT INTO audit_log (at, \"user\", action, entity, entity_id, field, old_value, new_value, note, chained, "
        "prev_hash, hash, state, key_id) VALUES (:at, NULL, 'rekey', 'audit_log', NULL, NULL, NULL, NULL, :note, "
        ":t, :p, :h, :s, :k)"),
        {"at": at, "note": note, "t": True, "p": new_prev, "h": digest, "s": state, "k": key.key_id})
    return len(rows)
