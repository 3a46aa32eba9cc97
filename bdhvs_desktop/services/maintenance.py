"""Checking and backing up the database (`bdhvs check`, `bdhvs backup`)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bdhvs_desktop.services import safety
from bdhvs_desktop.services.awards import register_findings
from bdhvs_desktop.services.upkeep import Finding, backup  # noqa: F401 - backup: `bdhvs backup` imports it from here
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.models import Campaign, Person, Unit


def schema_revision(db: Database) -> str | None:
    with db.read() as s:
        try:
            return s.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001
            return None


def check_database(db: Database) -> list[Finding]:
    """SQLite integrity and foreign keys, the schema version, and the records' own consistency."""

    from bdhvs_desktop.storage.migrate import head_revision  # lazy: start-up

    findings: list[Finding] = []
    if db.is_sqlite:
        try:
            with db.read() as s:
                rows = [r[0] for r in s.execute(text("PRAGMA integrity_check")).all()]
        except DBAPIError as exc:  # so damaged that the check itself cannot run
            rows = [str(getattr(exc, "orig", exc))]
        if rows != ["ok"]:
            # The other checks would read the damaged pages and fail or mislead: report the
            # damage and the way back (the newest backup that is whole) instead.
            if db.path is None:
                return [Finding("error", f"Lỗi toàn vẹn SQLite: {r}") for r in rows[:20]]
            return safety.corruption_findings(db.path, rows)
        findings.append(Finding("ok", "Kiểm tra toàn vẹn SQLite: không có lỗi."))
        with db.read() as s:
            fk = s.execute(text("PRAGMA foreign_key_check")).all()
            if fk:
                findings.extend(
                    Finding("error", f"Khóa ngoại không hợp lệ: bảng {r[0]}, dòng {r[1]} trỏ tới {r[2]} không tồn tại.")
                    for r in fk[:20]
                )
            else:
                findings.append(Finding("ok", "Kiểm tra khóa ngoại: không có lỗi."))
    revision, head = schema_revision(db), head_revision()
    if revision == head:
        findings.append(Finding("ok", f"Phiên bản lược đồ: {revision} (mới nhất)."))
    else:
        findings.append(Finding("error", f"Phiên bản lược đồ {revision}, chương trình cần {head}."))
    with db.read() as s:
        campaigns = s.scalar(select(func.count()).select_from(Campaign))
        units = s.scalar(select(func.count()).select_from(Unit))
        people = s.scalar(select(func.count()).select_from(Person))
        findings.append(Finding("ok" if campaigns else "warning",
                                f"Phong trào: {campaigns}; đơn vị: {units}; nhân sự: {people}."
                                + ("" if campaigns else " Chưa có phong trào nào (chạy 'bdhvs init' hoặc 'bdhvs demo').")))
        orphan_people = s.scalar(select(func.count()).select_from(Person).where(Person.unit_id.is_(None)))
        if orphan_people:
            findings.append(Finding("warning", f"{orphan_people} người chưa thuộc đơn vị nào."))
        future = s.scalar(
            select(func.count()).select_from(Person).where(Person.vneid_proficient_on > func.current_date())
        )
        if future:
            findings.append(Finding("warning", f"{future} người có ngày thành thạo VNeID ở tương lai."))
    findings.extend(safety.consistency_findings(db))
    if revision == head:  # an older schema may not have the register yet

        findings.extend(Finding(level, message) for level, message in register_findings(db))
    return findings
