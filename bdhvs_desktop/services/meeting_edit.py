"""Editing an open meeting's own details: start and end time, place, number, discussion, and the
ballot-counting committee (ban kiểm phiếu), in one transaction, refused once the meeting is closed.

    update_meeting(db, meeting_id, start=..., end=..., discussion=...)
    set_counting_committee(db, meeting_id, [2, 3], head_id=2)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.services import audit
from bdhvs_desktop.services import meeting as ms  # a module import: council -> meeting_edit -> meeting -> council
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.council.common import _meeting as _find_meeting
from bdhvs_desktop.services.edits import EditConflict
from bdhvs_desktop.services.meeting_time import MEETING_TZ
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def check_times(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is not None and end is not None and end <= start:
        raise ms.MeetingError(f"Giờ kết thúc ({end:%H:%M %d/%m/%Y}) phải sau giờ bắt đầu ({start:%H:%M %d/%m/%Y}).")
    if start is not None and end is not None and end - start > dt.timedelta(days=2):
        raise ms.MeetingError(f"Phiên họp từ {start:%H:%M %d/%m/%Y} đến {end:%H:%M %d/%m/%Y} dài quá 2 ngày; "
                           "hãy kiểm tra lại ngày giờ.")


_UNSET: Any = object()


def update_meeting(db: Database, meeting_id: int | None, *, start: dt.datetime | None = _UNSET,
                   end: dt.datetime | None = _UNSET, discussion: str | None = _UNSET, place: str | None = _UNSET,
                   number: str | None = _UNSET) -> None:
    """Change the meeting's own details (times are local wall-clock time, Asia/Ho_Chi_Minh).
    Refused once the meeting is closed: the minutes are then what was recorded."""
    save_meeting_details(db, meeting_id, start=start, end=end, discussion=discussion, place=place, number=number)


def set_counting_committee(db: Database, meeting_id: int | None, member_ids: list[int], head_id: int | None) -> None:
    """The ballot-counting committee: members present at the meeting, one of them its head.
    An empty list clears it."""
    save_meeting_details(db, meeting_id, counting=(member_ids, head_id))


def save_meeting_details(db: Database, meeting_id: int | None, *, start: dt.datetime | None = _UNSET,
                         end: dt.datetime | None = _UNSET, discussion: str | None = _UNSET,
                         place: str | None = _UNSET, number: str | None = _UNSET,
                         counting: tuple[list[int], int | None] | None = None, version: int | None = None) -> None:
    """Details and counting committee in one transaction (the meeting editor saves both or neither).
    With `version` (the editor's), a colleague's newer save is never overwritten: EditConflict,
    nothing written."""
    require_role(db, "secretary", action="lập hồ sơ đề nghị và phiên họp")
    with db.session() as s:
        meeting = _find_meeting(s, meeting_id)
        if meeting.status == "closed":
            raise ms.MeetingClosed(ms.NO_UNDO)
        if version is not None and meeting.version != version:
            mine = {k: v for k, v in (("held_at", start), ("ended_at", end), ("discussion", discussion),
                                      ("place", place), ("number", number)) if v is not _UNSET}
            raise EditConflict("council_meeting", meeting.id, mine, {k: getattr(meeting, k) for k in mine},
                               meeting.version)
        _apply_details(s, db.user, meeting, start=start, end=end, discussion=discussion, place=place, number=number)
        if counting is not None:
            _apply_counting(s, db.user, meeting, *counting)


def _apply_details(s: Session, user: str | None, meeting: m.CouncilMeeting, *, start: Any, end: Any,
                   discussion: Any, place: Any, number: Any) -> None:
    new_start = meeting.held_at if start is _UNSET else start
    new_end = meeting.ended_at if end is _UNSET else end
    if new_start is None:
        raise ms.MeetingError("Phiên họp phải có giờ bắt đầu.")
    check_times(new_start, new_end)
    changes: dict[str, tuple[Any, Any]] = {}
    if start is not _UNSET:
        value = start.replace(second=0, microsecond=0, tzinfo=None)
        changes["held_at"] = (meeting.held_at, value)
        meeting.held_at = value
    if end is not _UNSET:
        value = end.replace(second=0, microsecond=0, tzinfo=None) if end else None
        changes["ended_at"] = (meeting.ended_at, value)
        meeting.ended_at = value
    for name, value in (("discussion", discussion), ("place", place), ("number", number)):
        if value is not _UNSET:
            value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip() or None
            changes[name] = (getattr(meeting, name), value)
            setattr(meeting, name, value)
    meeting.timezone = meeting.timezone or MEETING_TZ
    audit.record_changes(s, user=user, entity="council_meeting", entity_id=meeting.id, changes=changes)


def _apply_counting(s: Session, user: str | None, meeting: m.CouncilMeeting, member_ids: list[int],
                    head_id: int | None) -> None:
    ids = list(dict.fromkeys(member_ids))
    if ids and head_id is None:
        raise ms.MeetingError("Ban kiểm phiếu phải có Trưởng ban (--head SỐ_THÀNH_VIÊN).")
    if head_id is not None and head_id not in ids:
        raise ms.MeetingError(f"Trưởng ban kiểm phiếu (thành viên số {head_id}) phải là một thành viên của Ban kiểm phiếu.")
    if ids and meeting.voting_method != "secret_ballot":
        raise ms.MeetingError("Phiên họp này biểu quyết giơ tay; chỉ phiên bỏ phiếu kín mới có Ban kiểm phiếu.")
    rows = {r.member_id: r for r in s.scalars(select(m.MeetingAttendance)
                                             .where(m.MeetingAttendance.meeting_id == meeting.id))}
    for mid in ids:
        row = rows.get(mid)
        if row is None:
            raise ms.MeetingError(f"Thành viên số {mid} không có trong thành phần phiên họp này.")
        if not row.present:
            raise ms.MeetingError(f"{row.full_name or mid} vắng mặt ở phiên họp này nên không vào Ban kiểm phiếu.")
    old = {mid: r.counting_role for mid, r in rows.items() if r.counting_role}
    for mid, row in rows.items():
        row.counting_role = ("head" if mid == head_id else "member") if mid in ids else None
    new = {mid: r.counting_role for mid, r in rows.items() if r.counting_role}
    if old != new:
        audit.record(s, user=user, action="update", entity="council_meeting", entity_id=meeting.id,
                     field="counting_committee", old=old or None, new=new or None, chained=True)
