"""Keeping the data safe: automatic backups on exit, restoring from a backup, and the
product's own consistency checks that `bdhvs check` reports (with SQLite's integrity and
foreign-key checks in services/maintenance.py)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import aliased

from bdhvs_desktop.services.errors import Conflict, ServiceError
from bdhvs_desktop.services.upkeep import Finding
from bdhvs_desktop.storage import backup as store
from bdhvs_desktop.storage.engine import Database, DatabaseError
from bdhvs_desktop.storage.models import Setting

log = logging.getLogger(__name__)

SETTING_DEFAULTS = {
    "backup.keep_daily": 7,
    "backup.keep_weekly": 5,
    "backup.keep_monthly": 12,
    "backup.min_interval_minutes": 30,
}


class RestoreError(ServiceError):
    """A restore was refused or failed; the current database is unchanged (Vietnamese message)."""


# --------------------------------------------------------------------------- settings


def backup_settings(db: Database) -> tuple[store.Retention, dt.timedelta]:
    """How many daily/weekly/monthly automatic copies to keep, and the minimum interval
    between automatic copies (settings `backup.*`, with defaults 7/5/12 and 30 minutes)."""
    values = dict(SETTING_DEFAULTS)
    with db.read() as s:
        for row in s.scalars(select(Setting).where(Setting.key.in_(list(SETTING_DEFAULTS)))):
            try:
                number = int(row.value)
            except (TypeError, ValueError):
                log.warning("setting %s has a bad value %r; using the default", row.key, row.value)
                continue
            if number >= 0:
                values[row.key] = number
    retention = store.Retention(values["backup.keep_daily"], values["backup.keep_weekly"],
                                values["backup.keep_monthly"])
    return retention, dt.timedelta(minutes=values["backup.min_interval_minutes"])


# --------------------------------------------------------------------------- backup on exit


class ChangeTracker:
    """Notices whether the data changed while the program ran: the file's size and time
    (every commit, by this program or another, changes the database or its write-ahead
    log), plus every INSERT/UPDATE/DELETE this program sends once its engine is loaded.

    `start` is a fingerprint taken earlier (storage.backup.fingerprint), so the window can
    take it at start-up without loading SQLAlchemy."""

    def __init__(self, db: Database, start: tuple | None = None):
        self.db = db
        self.writes = 0
        path = db.path
        self._start = start if start is not None else (store.fingerprint(path) if path is not None else None)
        self._engine = None
        if getattr(db, "loaded", True):  # a lazily opened database has no engine yet: do not load it here
            self._engine = db.engine
            event.listen(self._engine, "after_cursor_execute", self._after_execute)

    def _after_execute(self, conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG002
        head = statement.lstrip()[:7].upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")) and (cursor.rowcount or 0) != 0:
            self.writes += 1

    @property
    def changed(self) -> bool:
        if self.writes:
            return True
        return self.db.path is not None and store.fingerprint(self.db.path) != self._start

    def mark_saved(self) -> None:
        self.writes = 0
        if self.db.path is not None:
            self._start = store.fingerprint(self.db.path)

    def close(self) -> None:
        if self._engine is not None and event.contains(self._engine, "after_cursor_execute", self._after_execute):
            event.remove(self._engine, "after_cursor_execute", self._after_execute)
        self._engine = None


def track_changes(db: Database, start: tuple | None = None) -> ChangeTracker:
    return ChangeTracker(db, start)


def backup_on_exit(db: Database, tracker: ChangeTracker | None, *, now: dt.datetime | None = None,
                   folder: Path | None = None) -> Path | None:
    """The automatic copy made when the program closes: only for a SQLite file, only when
    the data changed, at most one per `backup.min_interval_minutes`; then old automatic
    copies are thinned. Returns the copy made, or None."""
    if not db.is_sqlite or db.path is None or not db.path.exists():
        return None
    if tracker is not None and not tracker.changed:
        return None
    from bdhvs_desktop.paths import backups_dir

    retention, interval = backup_settings(db)
    dest = store.auto_backup(db.path, folder or backups_dir(), retention=retention, min_interval=interval, now=now)
    if dest is not None and tracker is not None:
        tracker.mark_saved()
    if dest is not None:
        log.info("automatic backup on exit: %s", dest)
    return dest


def backup_now(db: Database, out: Path | None = None) -> Path:
    """A copy made at the user's request (kept; never thinned)."""
    from bdhvs_desktop.services.upkeep import backup

    return backup(db, out)


def list_backups(db: Database, folder: Path | None = None) -> list[store.BackupInfo]:
    from bdhvs_desktop.paths import backups_dir

    if db.path is None:
        return []
    return store.list_backups(folder or backups_dir(), db.path.stem)


# --------------------------------------------------------------------------- a damaged database

_CORRUPTION_WORDS = ("malformed", "file is not a database", "database corrupt", "disk image", "btreeinitpage")


def is_corruption(exc: BaseException | None) -> bool:
    """Whether `exc` (or an exception it wraps) is SQLite saying the file is damaged."""
    import sqlite3

    seen = 0
    while exc is not None and seen < 10:
        orig = getattr(exc, "orig", None)
        for candidate in (exc, orig):
            if isinstance(candidate, sqlite3.DatabaseError) and not isinstance(candidate, sqlite3.IntegrityError):
                text = str(candidate).lower()
                if any(w in text for w in _CORRUPTION_WORDS):
                    return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def newest_good_backup(db_path: Path, folder: Path | None = None) -> store.BackupInfo | None:
    """The newest copy of `db_path` in the backups folder that is itself whole: SQLite's
    integrity check passes and this program knows its schema. Damaged copies are skipped."""
    from bdhvs_desktop.paths import backups_dir

    known = _known_revisions()
    for info in store.list_backups(folder or backups_dir(), Path(db_path).stem):
        try:
            store.inspect_database_file(info.path, known)
        except store.BackupError as exc:
            log.warning("backup %s is not usable: %s", info.path.name, exc)
            continue
        return info
    return None


def restore_advice(db_path: Path, folder: Path | None = None) -> str:
    """How to get a damaged database back, naming the newest backup that is whole."""
    from bdhvs_desktop.paths import backups_dir

    folder = folder or backups_dir()
    good = newest_good_backup(db_path, folder)
    if good is None:
        return (f"Chưa có bản sao lưu nào còn tốt của cơ sở dữ liệu này trong {folder}. Đừng xóa hay ghi đè tệp "
                f"{db_path}; hãy sao chép nó sang nơi an toàn và liên hệ người hỗ trợ kỹ thuật (có thể cứu một phần dữ "
                "liệu bằng công cụ sqlite3, lệnh .recover).")
    return (f"Cách khắc phục: đóng chương trình trên mọi máy đang mở tệp này, rồi khôi phục từ bản sao lưu gần nhất còn "
            f"tốt (đã kiểm tra toàn vẹn): {good.path} (lúc {good.taken_at:%H:%M %d/%m/%Y}). "
            f"Lệnh: bdhvs restore \"{good.path}\" — hoặc trong chương trình: Tệp → Khôi phục từ bản sao lưu…. "
            "Những gì nhập sau thời điểm đó cần nhập lại; khi khôi phục, tệp hỏng hiện tại được giữ nguyên trong thư "
            f"mục sao lưu (tên có chữ «{store.DAMAGED_TAG}») để có thể cứu thêm dữ liệu.")


def describe_problems(details: list[str]) -> str:
    """SQLite's integrity report, shortened to its first lines for a message."""
    lines = [line.strip() for d in details for line in str(d).splitlines() if line.strip() and "***" not in line]
    shown = "; ".join(lines[:3])[:300] or "không rõ"
    if len(lines) > 3:
        shown += f" … và {len(lines) - 3} dòng khác"
    return shown


def corruption_findings(db_path: Path, details: list[str], folder: Path | None = None) -> list[Finding]:
    """What `bdhvs check` says about a damaged SQLite file: the damage, then how to restore."""
    shown = describe_problems(details)
    return [
        Finding("error", f"Cơ sở dữ liệu {db_path} bị hỏng: SQLite không đọc được một phần tệp (báo lỗi: {shown}). "
                         "Dữ liệu trong phần hỏng có thể đã mất; đừng tiếp tục nhập liệu vào tệp này."),
        Finding("error", restore_advice(db_path, folder)),
    ]


def sqlite_file_problems(path: Path, *, quick: bool = False) -> list[str] | None:
    """SQLite's integrity check of the file at `path`, read-only, without this program's
    engine: None when it is whole, else what SQLite reports (also when it cannot read it).
    `quick` uses PRAGMA quick_check (no index contents; several times faster)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        rows = [r[0] for r in conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return None if rows == ["ok"] else rows


# --------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    restored_from: Path
    previous_copy: Path | None  # the database as it was before, kept in the backups folder
    revision: str
    counts: dict[str, int] = field(default_factory=dict)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from bdhvs_desktop.storage.migrate import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_backup_file(path: Path) -> store.FileCheck:
    """Is `path` a whole bdhvs database this program can use? Raises RestoreError saying why not."""
    try:
        return store.inspect_database_file(Path(path), _known_revisions())
    except store.BackupError as exc:
        raise RestoreError(str(exc)) from exc


def restore(database: str | Path, source: str | Path, *, user: str = "thu-ky",
            folder: Path | None = None) -> RestoreResult:
    """Replace the SQLite database at `database` with the backup `source`, all or nothing.

    Before: `source` must be a whole bdhvs database (integrity check, known schema,
    foreign keys). The current database is copied to the backups folder first. The copy
    into place is one SQLite transaction. After: the result is checked again (integrity,
    same schema and row counts as the backup); if that fails the previous copy is put back.
    The database must not be open elsewhere (close the program's own engine first).
    Finally the restore is written to the audit log (and an older schema is upgraded)."""
    from bdhvs_desktop.paths import backups_dir
    from bdhvs_desktop.storage.engine import network_share_reason, open_database

    if "://" in str(database):
        raise RestoreError("Khôi phục trong chương trình chỉ dành cho cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng "
                           "pg_restore trên máy chủ.")
    target, source = Path(database), Path(source)
    if reason := network_share_reason(target):
        raise RestoreError(f"Không khôi phục vào {target}: tệp nằm trên {reason}.")
    try:
        same = target.exists() and source.exists() and target.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise RestoreError("Tệp sao lưu chính là cơ sở dữ liệu đang dùng; hãy chọn một tệp sao lưu khác.")
    check = check_backup_file(source)
    folder = folder or backups_dir()
    previous: Path | None = None
    damaged: Path | None = None  # the current file kept as it was, when it is too damaged to back up
    if target.exists():
        if target.stat().st_size and not _is_sqlite(target):
            raise RestoreError(f"Tệp {target} không phải cơ sở dữ liệu SQLite; không ghi đè lên nó.")
        try:
            previous = store.backup_file(
                target, store.unique_path(folder / f"{target.stem}-{store.PRE_RESTORE_TAG}-{store.timestamp()}.sqlite3"))
        except Exception as exc:  # noqa: BLE001
            if sqlite_file_problems(target) is None:
                raise RestoreError(f"Không sao lưu được cơ sở dữ liệu hiện tại trước khi khôi phục ({exc}); "
                                   "chưa thay đổi gì.") from exc
            # Damaged: exactly what restoring is for. Its bytes are kept (for a rescue) and the
            # file is replaced whole, since SQLite cannot write into the damaged one.
            try:
                damaged = store.copy_as_is(target, store.unique_path(
                    folder / f"{target.stem}-{store.DAMAGED_TAG}-{store.timestamp()}.sqlite3"))
            except OSError as copy_exc:
                raise RestoreError(f"Không giữ lại được tệp hỏng trước khi khôi phục ({copy_exc}); chưa thay đổi "
                                   "gì.") from copy_exc
            log.warning("restoring over a damaged database; kept as %s", damaged.name)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if damaged is not None:
            store.replace_file(source, target)
        else:
            store.copy_into(source, target)
    except Exception as exc:  # noqa: BLE001
        if damaged is not None:  # the damaged file's -wal may be gone already: its bytes go back
            _put_back(target, None, damaged)
        if isinstance(exc, store.BackupError):
            raise RestoreError(f"{exc} Chưa thay đổi gì.") from exc
        raise RestoreError(f"Khôi phục thất bại ({exc}); cơ sở dữ liệu hiện tại giữ nguyên.") from exc
    try:
        after = store.inspect_database_file(target, _known_revisions())
        if after.revision != check.revision or after.counts != check.counts:
            raise store.BackupError("dữ liệu sau khi khôi phục không khớp với bản sao lưu")
    except store.BackupError as exc:
        _put_back(target, previous, damaged)
        raise RestoreError(f"Kiểm tra sau khi khôi phục không đạt: {exc}. Đã đặt lại cơ sở dữ liệu như trước.") from exc
    # An older copy is upgraded to this program's schema now. If that (or the audit entry)
    # fails, the previous database goes back: the user is never left with a database that
    # this program cannot open.
    try:
        db = open_database(target)
        try:
            from bdhvs_desktop.services import audit

            with db.session() as s:
                audit.record(s, user=user, action="restore", entity="database",
                             note=f"Khôi phục từ bản sao lưu {source.name}"
                                  + (f"; bản trước khi khôi phục: {previous.name}" if previous else ""),
                             chained=True)  # anchors taken before this point belong to the replaced data
        finally:
            db.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure: put the previous database back
        log.error("restore of %s failed after the copy (%s); putting the previous database back",
                  source.name, type(exc).__name__)
        _put_back(target, previous, damaged)
        reason = str(exc) if isinstance(exc, DatabaseError) else type(exc).__name__
        raise RestoreError(
            f"Bản sao lưu {source.name} (lược đồ {check.revision}) không dùng được với phiên bản chương trình này: "
            f"{reason} Đã đặt lại cơ sở dữ liệu như trước khi khôi phục"
            + (f" (bản sao trước khi khôi phục: {previous.name})" if previous else "") + "."
        ) from exc
    return RestoreResult(target, source, previous or damaged, check.revision, check.counts)


def _put_back(target: Path, previous: Path | None, damaged: Path | None = None) -> None:
    """Undo a restore: the copy taken before it goes back in place (one transaction), the
    damaged file's bytes when it was too damaged to copy otherwise, or the new file goes away
    when there was no database before."""
    if previous is not None:
        store.copy_into(previous, target)
        return
    if damaged is not None:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        store.copy_as_is(damaged, target)
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == store.SQLITE_HEADER
    except OSError:
        return False


# --------------------------------------------------------------------------- consistency


def _names(rows, limit: int = 5) -> str:  # noqa: ANN001
    names = [str(r) for r in rows]
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += f" và {len(names) - limit} người/mục khác"
    return text


def consistency_findings(db: Database, *, today: dt.date | None = None) -> list[Finding]:
    """The product's own checks, each a Vietnamese finding: records that the database
    accepts but that make the campaign's figures or the dossier wrong."""
    from bdhvs_desktop.storage import models as m

    findings: list[Finding] = []
    with db.read() as s:
        # People in inactive (dissolved or merged) units.
        rows = s.execute(
            select(m.Person.full_name, m.Unit.name, m.Unit.merged_into_id)
            .join(m.Unit, m.Person.unit_id == m.Unit.id).where(m.Unit.active.is_(False))
            .order_by(m.Unit.name, m.Person.full_name)
        ).all()
        if rows:
            by_unit: dict[str, list[str]] = {}
            for person, unit, _merged in rows:
                by_unit.setdefault(unit, []).append(person)
            detail = "; ".join(f"{u}: {_names(p, 3)}" for u, p in by_unit.items())
            findings.append(Finding("warning", f"{len(rows)} người thuộc đơn vị đã ngừng hoạt động hoặc đã sáp nhập "
                                               f"({detail}). Hãy chuyển họ sang đơn vị đang hoạt động."))
        # Candidates whose subject (unit or person) is gone.
        unit_alias, person_alias = aliased(m.Unit), aliased(m.Person)
        cands = s.execute(
            select(m.Candidate.id, m.Candidate.subject_type, m.Candidate.unit_id, m.Candidate.person_id,
                   unit_alias.id, unit_alias.active, unit_alias.name, person_alias.id, person_alias.full_name)
            .outerjoin(unit_alias, m.Candidate.unit_id == unit_alias.id)
            .outerjoin(person_alias, m.Candidate.person_id == person_alias.id)
            .order_by(m.Candidate.id)
        ).all()
        gone, inactive = [], []
        for cid, stype, unit_id, person_id, u_id, u_active, u_name, p_id, _p_name in cands:
            if stype == "unit":
                if unit_id is None or u_id is None:
                    gone.append(f"#{cid} (tập thể, đơn vị {unit_id if unit_id is not None else 'trống'})")
                elif not u_active:
                    inactive.append(f"#{cid} ({u_name})")
            elif stype == "person":
                if person_id is None or p_id is None:
                    gone.append(f"#{cid} (cá nhân, người {person_id if person_id is not None else 'trống'})")
            else:
                gone.append(f"#{cid} (loại đối tượng không rõ: {stype})")
        if gone:
            findings.append(Finding("error", f"{len(gone)} hồ sơ đề nghị khen thưởng không còn đối tượng (đơn vị hoặc "
                                             f"người đã bị xóa): {_names(gone)}."))
        if inactive:
            findings.append(Finding("warning", f"{len(inactive)} hồ sơ đề nghị khen thưởng tập thể của đơn vị đã ngừng "
                                               f"hoạt động: {_names(inactive)}."))
        # Candidates under discipline (Decree 152/2025, Art. 4: held back).
        disciplined = s.execute(
            select(m.Person.full_name).join(m.Candidate, m.Candidate.person_id == m.Person.id)
            .where(m.Person.under_discipline.is_(True), m.Candidate.status != "rejected")
        ).scalars().all()
        if disciplined:
            findings.append(Finding("warning", f"{len(disciplined)} người được đề nghị khen thưởng đang bị kỷ luật "
                                               f"hoặc xem xét kỷ luật: {_names(disciplined)}."))
        # Votes exceeding the council's members.
        members_by_campaign = dict(s.execute(
            select(m.CouncilMember.campaign_id, func.count()).where(m.CouncilMember.active.is_(True))
            .group_by(m.CouncilMember.campaign_id)).all())
        present_by_meeting = dict(s.execute(
            select(m.MeetingAttendance.meeting_id, func.count()).where(m.MeetingAttendance.present.is_(True))
            .group_by(m.MeetingAttendance.meeting_id)).all())
        subject_names = {cid: (p_name if stype == "person" else u_name) for cid, stype, _u, _p, _ui, _ua, u_name, _pi,
                         p_name in cands}
        votes = s.execute(
            select(m.Vote.id, m.Vote.meeting_id, m.Vote.candidate_id, m.Vote.votes_for, m.Vote.votes_against,
                   m.Vote.votes_abstain, m.CouncilMeeting.campaign_id, m.CouncilMeeting.number,
                   m.CouncilMeeting.ballots_valid)
            .join(m.CouncilMeeting, m.Vote.meeting_id == m.CouncilMeeting.id).order_by(m.Vote.id)
        ).all()
        for vid, meeting_id, cand_id, v_for, v_against, v_abstain, campaign_id, number, ballots_valid in votes:
            total = (v_for or 0) + (v_against or 0) + (v_abstain or 0)
            members = members_by_campaign.get(campaign_id, 0)
            who = subject_names.get(cand_id)
            meeting = f"cuộc họp {number or meeting_id}" + (f", {who}" if who else "")
            if min(v_for or 0, v_against or 0, v_abstain or 0) < 0:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}) có số phiếu âm."))
            if total > members:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}): tổng {total} "
                                                 f"phiếu nhiều hơn số thành viên Hội đồng ({members})."))
            elif meeting_id in present_by_meeting and total > present_by_meeting[meeting_id]:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}): tổng {total} "
                                                 f"phiếu nhiều hơn số thành viên có mặt ({present_by_meeting[meeting_id]})."))
            elif ballots_valid is not None and total > ballots_valid:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}): tổng {total} "
                                                 f"phiếu nhiều hơn số phiếu hợp lệ ({ballots_valid})."))
        # Manual criterion results about a unit or person that no longer exists.
        orphans = 0
        for subject_type, model in (("unit", m.Unit), ("person", m.Person)):
            orphans += s.scalar(
                select(func.count()).select_from(m.ManualResult)
                .where(m.ManualResult.subject_type == subject_type,
                       m.ManualResult.subject_id.notin_(select(model.id)))) or 0
        if orphans:
            findings.append(Finding("warning", f"{orphans} kết quả chấm tiêu chí thủ công thuộc về đơn vị hoặc người "
                                               "không còn tồn tại."))
        # Citizen IDs that are not 12 digits.
        bad_cccd = s.execute(select(m.Person.full_name, m.Person.cccd).where(m.Person.cccd.is_not(None))).all()
        bad = [name for name, cccd in bad_cccd if cccd and not (len(cccd) == 12 and cccd.isdigit())]
        if bad:
            findings.append(Finding("warning", f"{len(bad)} người có số CCCD không đủ 12 chữ số: {_names(bad)}."))
        # The keyed chain of council decisions, compared with the tables and the anchors.
        findings.extend(chain_findings(s))
    if db.is_sqlite and db.path is not None:
        findings.append(_backup_finding(db, today or dt.date.today()))
    elif not db.is_sqlite:
        findings.append(_server_finding(db))
    if not any(f.level != "ok" for f in findings):
        findings.insert(0, Finding("ok", "Kiểm tra nhất quán dữ liệu: không phát hiện vấn đề."))
    return findings


def chain_findings(s) -> list[Finding]:  # noqa: ANN001
    """The decision chain: keyed hashes intact, the tables' decisions equal to what the
    chain recorded (and recomputed from the votes), every recorded anchor still reached."""
    from bdhvs_desktop.services import audit
    from bdhvs_desktop.storage import models as m

    findings: list[Finding] = []
    chained = s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.chained.is_(True))) or 0
    problems = audit.verify_chain(s)
    if problems:
        findings.append(Finding("error", f"Chuỗi nhật ký các quyết định của Hội đồng bị phá vỡ ({len(problems)} "
                                         "chỗ): nhật ký đã bị sửa hoặc xóa ngoài chương trình."))
        findings.extend(Finding("error", p.message) for p in problems[:10])
    else:
        findings.append(Finding("ok", f"Chuỗi nhật ký quyết định của Hội đồng: {chained} mục, không bị sửa."))
    differences = audit.verify_decisions(s)
    if differences:
        findings.append(Finding("error", f"Quyết định của Hội đồng trong các bảng khác với chuỗi nhật ký "
                                         f"({len(differences)} chỗ): dữ liệu đã bị sửa ngoài chương trình."))
        findings.extend(Finding("error", p.message) for p in differences[:30])
    else:
        findings.append(Finding("ok", "Biểu quyết, điểm danh, số phiếu và trạng thái hồ sơ trong các bảng khớp với "
                                      "chuỗi nhật ký."))
    anchors = audit.verify_anchors(s)
    findings.extend(Finding("error", p.message) for p in anchors[:10])
    recorded = len(audit.stored_anchors(s)) + len(audit.local_anchors(s))
    if recorded and not anchors:
        findings.append(Finding("ok", f"Đã đối chiếu {recorded} mã neo đã ghi (trong cơ sở dữ liệu và trên máy này): "
                                      "chuỗi vẫn đi qua tất cả."))
    head = audit.current_anchor(s)
    findings.append(Finding("ok", f"Mã neo hiện tại của chuỗi nhật ký: {head.code} ({head.seq} mục); so với mã in "
                                  "trên biên bản bằng lệnh 'bdhvs audit verify --code ...'."))
    return findings


def _server_finding(db: Database) -> Finding:
    from sqlalchemy import text

    with db.read() as s:
        if db.engine.url.get_backend_name() == "postgresql":
            version = s.execute(text("SHOW server_version")).scalar()
            name = s.execute(text("SELECT current_database()")).scalar()
            return Finding("ok", f"Máy chủ PostgreSQL {version}, cơ sở dữ liệu {name}: kết nối tốt. Sao lưu bằng pg_dump "
                                 "trên máy chủ (chương trình không tự sao lưu cơ sở dữ liệu dùng chung).")
    return Finding("ok", f"Cơ sở dữ liệu {db.engine.url.get_backend_name()}: kết nối tốt.")


def _backup_finding(db: Database, today: dt.date) -> Finding:
    copies = list_backups(db)
    if not copies:
        return Finding("warning", "Chưa có bản sao lưu nào của cơ sở dữ liệu này (Tệp → Sao lưu ngay, "
                                  "hoặc lệnh 'bdhvs backup').")
    newest = copies[0]
    age = (today - newest.taken_at.date()).days
    when = f"{newest.taken_at:%d/%m/%Y %H:%M}"
    if age > 7:
        return Finding("warning", f"Bản sao lưu gần nhất đã cũ ({age} ngày, {when}); hãy sao lưu ngay.")
    return Finding("ok", f"Bản sao lưu gần nhất: {when} ({len(copies)} bản trong thư mục sao lưu).")


# --------------------------------------------------------------------------- concurrent edits


class EditConflict(Conflict):
    """Another workstation saved the record since it was loaded (services.errors.Conflict, with
    the positional signature its callers use). Nothing was written; `mine` holds the values this
    user wanted to save (so nothing is lost), `theirs` the values now stored ({} when deleted)
    and `current_version` the version to retry against after review."""

    def __init__(self, entity: str, entity_id: int, mine: dict, theirs: dict | None, current_version: int | None):
        super().__init__(entity=entity, entity_id=entity_id, mine=mine, theirs=theirs,
                         current_version=current_version, deleted=theirs is None)


def save_changes(db: Database, model: type, record_id: int, expected_version: int, changes: dict, *,
                 entity: str | None = None, audit_log: bool = True, chained: bool = False) -> int:
    """Apply `changes` ({attribute: new value}) to one versioned record loaded at
    `expected_version`, in one transaction, with one audit entry per changed field.
    Returns the new version. Raises EditConflict (nothing written) when another
    workstation saved or deleted the record meanwhile: also when the check passes but the
    UPDATE itself finds a newer version (SQLAlchemy's StaleDataError)."""
    from sqlalchemy.orm.exc import StaleDataError

    from bdhvs_desktop.services import audit

    entity = entity or model.__tablename__
    for key in changes:
        if key in ("id", "version") or not hasattr(model, key):
            raise ValueError(f"{model.__name__} has no editable attribute {key!r}")
    try:
        with db.session() as s:
            obj = s.get(model, record_id)
            if obj is None:
                raise EditConflict(entity, record_id, changes, None, None)
            if obj.version != expected_version:
                raise EditConflict(entity, record_id, changes, {k: getattr(obj, k) for k in changes}, obj.version)
            # Tell SQLAlchemy which version we loaded, so the UPDATE checks it too.
            old = {k: getattr(obj, k) for k in changes}
            for key, value in changes.items():
                setattr(obj, key, value)
            if audit_log:
                audit.record_changes(s, user=db.user, entity=entity, entity_id=record_id,
                                     changes={k: (old[k], changes[k]) for k in changes}, chained=chained)
            s.flush()
            return obj.version
    except StaleDataError:
        with db.read() as s:
            obj = s.get(model, record_id)
            theirs = None if obj is None else {k: getattr(obj, k) for k in changes}
            version = None if obj is None else obj.version
        raise EditConflict(entity, record_id, changes, theirs, version) from None


# --------------------------------------------------------------------------- history of one record


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime  # UTC, naive (as stored)
    user: str | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None
    chained: bool


@dataclass(frozen=True)
class RecordHistory:
    entity: str
    entity_id: int
    entries: list[HistoryEntry]
    chain_problems: list[str]  # empty when the chain of council decisions is intact


def record_history(db: Database, entity: str, entity_id: int) -> RecordHistory:
    """The audit entries of one record, newest first, and whether the decision chain holds."""
    from bdhvs_desktop.services.audit import verify_chain
    from bdhvs_desktop.storage.models import AuditEntry

    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
                         .order_by(AuditEntry.id.desc())).all()
        entries = [HistoryEntry(r.at, r.user, r.action, r.field, r.old_value, r.new_value, r.note, bool(r.chained))
                   for r in rows]
        problems = [p.message for p in verify_chain(s)] if any(e.chained for e in entries) else []
    return RecordHistory(entity, entity_id, entries, problems)
