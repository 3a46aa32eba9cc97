"""The plan's progress: a task's status, done date and evidence, and a phase's dates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.vocab import (
    TASK_STATUS_LABELS,
)
from bdhvs_desktop.services.activities.common import (
    NotFound,
    _audit_update,
    _Check,
    _fields,
    _load,
    _may_edit,
    _text,
)
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def update_task(db: Database, task_id: int, status: str, *, done_date: dt.date | None = None,
                evidence: str | None = None, due_date: dt.date | None = None, version: int | None = None) -> None:
    """Record a task's progress. "done" needs the day it was done and its evidence."""
    _may_edit(db, "cập nhật tiến độ nhiệm vụ")
    with db.session() as s:
        task = _load(s, m.Task, task_id, version, "nhiệm vụ", {"status": status, "done_date": done_date,
                                                                 "evidence": evidence, "due_date": due_date})
        check = _Check()
        allowed = ("not_started", "in_progress", "done")
        if status not in allowed:
            check.fail("status", f"Trạng thái “{status}” không dùng được; chọn: "
                                 + ", ".join(TASK_STATUS_LABELS[k] for k in allowed) + " (“Trễ hạn” được tính tự động).")
        ev = _text(evidence)
        if status == "done":
            if done_date is None:
                check.fail("done_date", "Ngày hoàn thành: chưa nhập.")
            if not ev:
                check.fail("evidence", "Minh chứng: nhiệm vụ đã hoàn thành phải ghi minh chứng (số văn bản, báo cáo...).")
        else:
            done_date = None
        check.done()
        before = _fields(task, ("status", "done_date", "evidence", "due_date"))
        task.status = status
        task.done_date = done_date
        task.evidence = ev
        if due_date is not None:
            task.due_date = due_date
        _audit_update(s, db, "task", task, before)


def update_phase(db: Database, number: int, start: dt.date, end: dt.date | None, version: int | None = None) -> None:
    """Edit a phase's dates (open-ended phases such as "from Q2/2026" are given an end that stays editable)."""
    _may_edit(db, "sửa ngày giai đoạn")
    with db.session() as s:
        phase_id = s.scalar(select(m.Phase.id).where(m.Phase.number == number))
        if phase_id is None:
            raise NotFound(f"Không có giai đoạn {number}.")
        # A colleague's newer save: a StaleRecord with the dates typed and the dates stored.
        phase = _load(s, m.Phase, phase_id, version, "giai đoạn", {"start_date": start, "end_date": end})
        check = _Check()
        if end is not None and end < start:
            check.fail("end_date", f"Ngày kết thúc ({vn_date(end)}) trước ngày bắt đầu ({vn_date(start)}).")
        others = s.scalars(select(m.Phase).where(m.Phase.campaign_id == phase.campaign_id,
                                                 m.Phase.number != number)).all()
        for other in others:
            if other.number < number and start <= other.start_date:
                check.fail("start_date", f"Giai đoạn {number} phải bắt đầu sau ngày bắt đầu giai đoạn {other.number} "
                                         f"({vn_date(other.start_date)}).")
            elif other.number < number and other.end_date is not None and start <= other.end_date:
                check.fail("start_date", f"Giai đoạn {number} bắt đầu ({vn_date(start)}) khi giai đoạn {other.number} "
                                         f"chưa kết thúc ({vn_date(other.end_date)}); sửa ngày kết thúc giai đoạn "
                                         f"{other.number} trước.")
            if other.number > number and end is not None and end >= other.start_date:
                check.fail("end_date", f"Giai đoạn {number} kết thúc sau khi giai đoạn {other.number} bắt đầu "
                                       f"({vn_date(other.start_date)}).")
        check.done()
        before = _fields(phase, ("start_date", "end_date"))
        phase.start_date, phase.end_date = start, end
        _audit_update(s, db, "phase", phase, before)
