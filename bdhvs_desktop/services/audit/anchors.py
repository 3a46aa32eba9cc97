"""The chain's anchors outside the database: the head as a short code (printed on the minutes,
written in the dossier manifest), kept in the database and in a file on this computer; checking
that the chain still reaches and matches them. Finding an entry by a printed code is in codes.py."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bdhvs_desktop.paths import user_data_dir
from bdhvs_desktop.services.audit.log import ANCHORS_FILE, _last_link, log
from bdhvs_desktop.services.audit.verify import ChainProblem, chained_entries
from bdhvs_desktop.storage import audit_chain as chain
from bdhvs_desktop.storage.models import AuditAnchor, AuditEntry, utcnow


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
        from bdhvs_desktop.documents.qr import qr_png  # lazy: start-up

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
    entries = chained_entries(session)
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
        entries = chained_entries(s)
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


def take_anchor(db: Any, *, purpose: str = "manual", note: str | None = None) -> Anchor:
    """Record the current chain head (to print or write down); returns it."""
    with db.session() as s:
        return record_anchor(s, user=db.user, purpose=purpose, note=note)


def anchor_now(db: Any) -> Anchor:
    """The current anchor (code and QR data), without recording it."""
    with db.read() as s:
        return current_anchor(s)
