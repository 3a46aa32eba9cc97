"""Backups: online copies, automatic copies on exit (only when data changed, at most one per
interval), thinning to daily/weekly/monthly copies, and all-or-nothing restore."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bdhvs_desktop.services import restore, safety
from bdhvs_desktop.storage import backup as store
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database


def _count_people(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        conn.close()


def _add_person(db, name: str = "Trần Thị Mai") -> int:
    with db.session() as s:
        p = m.Person(full_name=name, name_key=name.lower(), search_key=name.lower())
        s.add(p)
        s.flush()
        return p.id


# --------------------------------------------------------------------------- thinning


def test_retention_keeps_newest_per_day_week_month():
    start = dt.datetime(2026, 1, 1, 9, 0)
    # Four copies a day for 200 days.
    taken = [start + dt.timedelta(hours=6 * i) for i in range(200 * 4)]
    keep = store.backups_to_keep(taken, store.Retention(daily=7, weekly=5, monthly=12))
    kept = sorted(taken[i] for i in keep)
    newest = max(taken)
    assert newest in kept
    days = {t.date() for t in kept}
    # The last 7 days each have exactly one copy: the newest of that day.
    for d in range(7):
        day = newest.date() - dt.timedelta(days=d)
        assert [t for t in kept if t.date() == day] == [max(t for t in taken if t.date() == day)]
    weeks = {tuple(t.isocalendar())[:2] for t in kept}
    months = {(t.year, t.month) for t in kept}
    assert len(weeks) >= 5 and len(months) == 7  # Jan-Jul 2026: all months that have copies
    assert len(kept) <= 7 + 5 + 12
    assert len(days) == len(kept)  # never two copies of one day


def test_retention_zero_keeps_only_the_newest():
    taken = [dt.datetime(2026, 5, d) for d in range(1, 20)]
    keep = store.backups_to_keep(taken, store.Retention(0, 0, 0))
    assert [taken[i] for i in keep] == [dt.datetime(2026, 5, 19)]


def test_thinning_deletes_only_automatic_copies(tmp_path, db):
    folder = tmp_path / "bk"
    stem = db.path.stem
    base = dt.datetime(2026, 3, 1, 8, 0)
    for i in range(40):
        store.backup_file(db.path, folder / f"{stem}-tu-dong-{store.timestamp(base + dt.timedelta(days=i))}.sqlite3")
    manual = store.backup_file(db.path, folder / f"{stem}-{store.timestamp(base)}.sqlite3")
    pre = store.backup_file(db.path, folder / f"{stem}-truoc-nang-cap-0001-{store.timestamp(base)}.sqlite3")
    other = store.backup_file(db.path, folder / f"khac-tu-dong-{store.timestamp(base)}.sqlite3")
    deleted = store.thin_backups(folder, stem, store.Retention(daily=3, weekly=2, monthly=2))
    remaining = [b for b in store.list_backups(folder, stem) if b.kind == "auto"]
    assert len(deleted) + len(remaining) == 40
    assert [b.taken_at.date() for b in remaining][:3] == [dt.date(2026, 4, 9), dt.date(2026, 4, 8), dt.date(2026, 4, 7)]
    assert len(remaining) <= 3 + 2 + 2
    assert manual.exists() and pre.exists() and other.exists()


# --------------------------------------------------------------------------- automatic copies on exit


def test_backup_on_exit_only_when_changed_and_at_most_every_30_minutes(db, tmp_path):
    folder = tmp_path / "bk"
    tracker = safety.track_changes(db)
    t0 = dt.datetime(2026, 6, 1, 10, 0)
    assert safety.backup_on_exit(db, tracker, now=t0, folder=folder) is None  # nothing changed
    with db.read() as s:
        s.scalar(select(func.count()).select_from(m.Person))
    assert safety.backup_on_exit(db, tracker, now=t0, folder=folder) is None  # reads are not changes
    _add_person(db)
    first = safety.backup_on_exit(db, tracker, now=t0, folder=folder)
    assert first is not None and _count_people(first) == 1
    _add_person(db, "Lê Văn Nam")
    assert safety.backup_on_exit(db, tracker, now=t0 + dt.timedelta(minutes=29), folder=folder) is None
    second = safety.backup_on_exit(db, tracker, now=t0 + dt.timedelta(minutes=31), folder=folder)
    assert second is not None and _count_people(second) == 2
    assert safety.backup_on_exit(db, tracker, now=t0 + dt.timedelta(hours=5), folder=folder) is None  # saved already
    tracker.close()


def test_change_by_another_program_is_noticed(db, tmp_path):
    tracker = safety.track_changes(db)
    other = open_database(db.path)
    _add_person(other)
    other.dispose()
    assert tracker.changed
    assert safety.backup_on_exit(db, tracker, folder=tmp_path / "bk") is not None
    tracker.close()


def test_backup_settings_come_from_the_database(db, tmp_path):
    with db.session() as s:
        s.add(m.Setting(key="backup.min_interval_minutes", value=0))
        s.add(m.Setting(key="backup.keep_daily", value=2))
        s.add(m.Setting(key="backup.keep_weekly", value="sai"))
    retention, interval = safety.backup_settings(db)
    assert retention == store.Retention(daily=2, weekly=5, monthly=12) and interval == dt.timedelta(0)
    tracker = safety.track_changes(db)
    folder = tmp_path / "bk"
    for day in range(1, 6):
        _add_person(db, f"Người {day}")
        assert safety.backup_on_exit(db, tracker, now=dt.datetime(2026, 6, day, 9), folder=folder) is not None
    autos = [b for b in store.list_backups(folder, db.path.stem) if b.kind == "auto"]
    assert [b.taken_at.day for b in autos][:2] == [5, 4] and len(autos) <= 2 + 5 + 12
    tracker.close()


def test_postgres_databases_have_no_file_backup(db):
    class Fake:
        is_sqlite = False
        path = None

    assert safety.backup_on_exit(Fake(), None) is None  # type: ignore[arg-type]


def test_migration_still_backs_up_first(tmp_path, user_home):
    from bdhvs_desktop.storage.migrate import upgrade_to_head

    path = tmp_path / "old.sqlite3"
    upgrade_to_head("sqlite:///" + path.as_posix(), target="0001")
    made = upgrade_to_head("sqlite:///" + path.as_posix())
    assert made and Path(made).exists() and "truoc-nang-cap-0001" in Path(made).name
    assert store.list_backups(Path(made).parent, "old")[0].kind == "pre_migration"


# --------------------------------------------------------------------------- restore


def test_restore_round_trip_with_previous_copy_kept(demo_db, tmp_path):
    path = demo_db.path
    copy = store.backup_file(path, tmp_path / "sao-luu.sqlite3")
    before = _count_people(path)
    _add_person(demo_db, "Người thêm sau sao lưu")
    demo_db.dispose()
    result = restore.restore(path, copy, user="thu-ky", folder=tmp_path / "bk")
    assert _count_people(path) == before
    assert result.previous_copy is not None and _count_people(result.previous_copy) == before + 1
    assert result.previous_copy.name.startswith("demo-truoc-khoi-phuc-")
    reopened = open_database(path)
    try:
        with reopened.read() as s:
            entry = s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "restore"))
            assert entry is not None and "sao-luu.sqlite3" in entry.note
        from bdhvs_desktop.services.maintenance import check_database

        assert not [f for f in check_database(reopened) if f.level == "error"]
    finally:
        reopened.dispose()


@pytest.mark.parametrize("make_bad,message", [
    (lambda p: p.write_bytes(b"not a database at all" * 100), "không phải cơ sở dữ liệu SQLite"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE x (a)").connection.commit(), "không phải cơ sở dữ liệu của"),
    (None, "Không tìm thấy tệp"),
])
def test_restore_refuses_bad_files_and_changes_nothing(db, tmp_path, make_bad, message):
    _add_person(db)
    bad = tmp_path / "bad.sqlite3"
    if make_bad is not None:
        make_bad(bad)
    db.dispose()
    before = db.path.read_bytes()
    with pytest.raises(restore.RestoreError, match=message):
        restore.restore(db.path, bad, folder=tmp_path / "bk")
    assert db.path.read_bytes() == before
    assert not (tmp_path / "bk").exists()  # refused before anything was done


def test_restore_refuses_a_corrupt_copy(db, tmp_path):
    _add_person(db)
    copy = store.backup_file(db.path, tmp_path / "copy.sqlite3")
    data = bytearray(copy.read_bytes())
    page = 4096
    for i in range(page * 2 + 100, min(len(data), page * 6)):  # scribble over table pages
        data[i] = 0xA5
    copy.write_bytes(bytes(data))
    db.dispose()
    with pytest.raises(restore.RestoreError, match="hỏng|toàn vẹn|không phải"):
        restore.restore(db.path, copy, folder=tmp_path / "bk")
    assert _count_people(db.path) == 1


def test_restore_refuses_a_newer_schema(db, tmp_path):
    copy = store.backup_file(db.path, tmp_path / "copy.sqlite3")
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    db.dispose()
    with pytest.raises(restore.RestoreError, match="phiên bản mới hơn"):
        restore.restore(db.path, copy, folder=tmp_path / "bk")


def test_restore_refused_while_another_program_has_the_database_open(db, tmp_path):
    copy = store.backup_file(db.path, tmp_path / "copy.sqlite3")
    _add_person(db)
    holder = sqlite3.connect(db.path)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM person").fetchone()  # an open reader
    db.dispose()
    try:
        with pytest.raises(restore.RestoreError, match="đang được mở"):
            restore.restore(db.path, copy, folder=tmp_path / "bk")
    finally:
        holder.close()
    assert _count_people(db.path) == 1


def test_restore_puts_back_the_old_database_when_the_after_check_fails(db, tmp_path, monkeypatch):
    copy = store.backup_file(db.path, tmp_path / "copy.sqlite3")
    _add_person(db, "Phải còn sau khi khôi phục hỏng")
    db.dispose()
    real_copy_into = store.copy_into
    calls = []

    def copy_then_damage(src, dest):
        real_copy_into(src, dest)
        calls.append(src)
        if len(calls) == 1:  # the restore itself "loses" a row
            conn = sqlite3.connect(dest)
            conn.execute("INSERT INTO setting (key, value) VALUES ('x', '1')")
            conn.commit()
            conn.close()

    monkeypatch.setattr(store, "copy_into", copy_then_damage)
    with pytest.raises(restore.RestoreError, match="Đã đặt lại"):
        restore.restore(db.path, copy, folder=tmp_path / "bk")
    assert _count_people(db.path) == 1


def test_restore_into_itself_is_refused(db, tmp_path):
    db.dispose()
    with pytest.raises(restore.RestoreError, match="chính là"):
        restore.restore(db.path, db.path, folder=tmp_path / "bk")


def test_cli_restore_and_backups(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    path = demo_db.path
    demo_db.dispose()
    assert main(["--db", str(path), "backup", "--out", str(tmp_path / "a.sqlite3")]) == 0
    assert main(["--db", str(path), "restore", str(tmp_path / "a.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục" in out and "trước khi khôi phục được giữ ở" in out
    assert main(["--db", str(path), "backups"]) == 0
    assert "trước khôi phục" in capsys.readouterr().out
    (tmp_path / "rac.sqlite3").write_text("rác")
    assert main(["--db", str(path), "restore", str(tmp_path / "rac.sqlite3")]) == 2
    assert "không phải cơ sở dữ liệu SQLite" in capsys.readouterr().err


def test_restore_of_an_older_schema_is_upgraded_after(db, tmp_path, user_home):
    from bdhvs_desktop.storage.migrate import upgrade_to_head
    from bdhvs_desktop.storage.schema_version import SCHEMA_HEAD

    old = tmp_path / "cu.sqlite3"
    upgrade_to_head("sqlite:///" + old.as_posix(), target="0001")
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO unit (code, name, kind, is_party_org, active, version) "
                 "VALUES ('CB1', 'Chi bộ 1', 'chi_bo', 1, 1, 1)")
    conn.commit()
    conn.close()
    db.dispose()
    result = restore.restore(db.path, old, folder=tmp_path / "bk")
    assert result.revision == "0001"
    conn = sqlite3.connect(db.path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
        assert conn.execute("SELECT name FROM unit").fetchall() == [("Chi bộ 1",)]
    finally:
        conn.close()
    kinds = {b.kind for b in list_all(user_home / "backups", db.path.stem)}
    assert "pre_migration" in kinds  # the upgrade after the restore backed up first


def list_all(folder, stem):
    return store.list_backups(folder, stem)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=60 * 24 * 500), min_size=1, max_size=120),
    daily=st.integers(0, 10), weekly=st.integers(0, 8), monthly=st.integers(0, 14),
)
def test_retention_properties(offsets, daily, weekly, monthly):
    start = dt.datetime(2025, 1, 1)
    taken = [start + dt.timedelta(minutes=o) for o in offsets]
    retention = store.Retention(daily, weekly, monthly)
    keep = store.backups_to_keep(taken, retention)
    kept = [taken[i] for i in keep]
    assert max(taken) in kept  # the newest copy is never deleted
    assert len(keep) <= 1 + daily + weekly + monthly
    days = sorted({t.date() for t in taken}, reverse=True)
    for day in days[:daily]:  # the newest copy of each of the last `daily` days
        assert max(t for t in taken if t.date() == day) in kept
    months = sorted({(t.year, t.month) for t in taken}, reverse=True)
    for month in months[:monthly]:
        assert max(t for t in taken if (t.year, t.month) == month) in kept
    weeks = sorted({tuple(t.isocalendar())[:2] for t in taken}, reverse=True)
    for week in weeks[:weekly]:
        assert max(t for t in taken if tuple(t.isocalendar())[:2] == week) in kept
    # Thinning again keeps everything that was kept (a second run deletes nothing more).
    again = store.backups_to_keep(kept, retention)
    assert len(set(kept)) == len(kept) and len(again) == len(kept)


def test_backup_retries_a_file_held_for_a_moment(db, tmp_path, monkeypatch):
    """Windows antivirus: the first attempts to move the finished copy fail, then it works."""
    real = Path.replace
    failures = []

    def flaky(self, target):
        if len(failures) < 2:
            failures.append(target)
            raise PermissionError(32, "The process cannot access the file")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    dest = store.backup_file(db.path, tmp_path / "held.sqlite3")
    assert dest.exists() and len(failures) == 2 and not (tmp_path / "held.sqlite3.tmp").exists()
