"""Issue #15, point 2: writes "by batch" are serialised on a shared PostgreSQL server too.

Two imports of one workbook at once made every person twice on PostgreSQL (SQLite's
BEGIN IMMEDIATE serialises them); two `decide` at once both applied. Each test runs the two
writers at the same moment, from two threads with their own Database (own engine, own
connections), on both backends, and checks that the result is what ONE writer makes."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from sqlalchemy import func, select

from bdhvs_desktop.services import auth
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import open_database

PEOPLE = 400


def _open(url: str):
    db = open_database(url)
    auth.act_as_administrator(db)
    return db


def _workbook(path: Path) -> Path:
    """One unit and PEOPLE people with no CCCD (matched by name, birth date and unit)."""
    from openpyxl import Workbook

    from bdhvs_desktop.documents import excel_io as xio

    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("DonVi")
    ws.append(xio.SHEETS["DonVi"].headers)
    ws.append(["TDP-99", "Tổ dân phố 99", "Tổ dân phố", None, "Không", 100, 200])
    ws = wb.create_sheet("NhanSu")
    ws.append(xio.SHEETS["NhanSu"].headers)
    given = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hòa", "Lan"]
    for i in range(PEOPLE):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=37 * i)
        ws.append([f"Nguyễn Văn {given[i % len(given)]}", f"{birth:%d/%m/%Y}", "Nam", None, "TDP-99",
                   "Người dân", "Không", "Không", "15/02/2026", "Có", 3, "Không"])
    wb.save(path)
    return path


def _run_together(*jobs):
    """Run the jobs in threads released at the same moment; re-raise the first error."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        try:
            start.wait(30)
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    if errors:
        raise errors[0]
    return results


def test_two_imports_of_one_file_at_once_make_no_duplicate(backend_url, tmp_path):
    from bdhvs_desktop.services.importer import import_workbook

    book = _workbook(tmp_path / "nhan-su.xlsx")
    first, second = _open(backend_url), _open(backend_url)
    with first.session() as s:  # the unit exists: both imports only add people (as in the office)
        s.add(m.Unit(code="TDP-99", name="Tổ dân phố 99", kind="to_dan_pho", households=100, adult_residents=200))
    try:
        results = _run_together(lambda: import_workbook(first, book, today=dt.date(2026, 11, 20)),
                                lambda: import_workbook(second, book, today=dt.date(2026, 11, 20)))
        assert all(r.written and not r.errors for r in results), [r.problems[:3] for r in results]
        with first.read() as s:
            people = s.scalar(select(func.count()).select_from(m.Person))
            distinct = s.scalar(select(func.count()).select_from(
                select(m.Person.name_key, m.Person.birth_date, m.Person.unit_id).distinct().subquery()))
            units = s.scalar(select(func.count()).select_from(m.Unit).where(m.Unit.code == "TDP-99"))
        assert (people, distinct, units) == (PEOPLE, PEOPLE, 1)
        # One import created them, the other found them all there and added nobody.
        assert sorted(r.counts["NhanSu"].created for r in results) == [0, PEOPLE]
    finally:
        first.dispose()
        second.dispose()


def _council(db) -> tuple[int, int]:
    """A campaign, a unit, a council of 5, a proposed unit and a meeting where it passed the vote."""
    from bdhvs_desktop.services import council as cs
    from bdhvs_desktop.services.campaign import init_campaign

    init_campaign(db)
    with db.session() as s:
        s.add(m.Unit(code="TDP-01", name="Tổ dân phố 1", kind="to_dan_pho"))
    for i in range(5):
        cs.add_member(db, f"Ủy viên {i}", role="chair" if i == 0 else "member")
    with db.read() as s:
        unit = s.scalar(select(m.Unit.id).where(m.Unit.code == "TDP-01"))
    cid = cs.propose(db, "unit", unit, at=dt.date(2026, 11, 15))
    mid = cs.new_meeting(db, dt.datetime(2026, 11, 20, 8, 30))
    cs.record_vote(db, mid, cid, 5, 0, 0)
    return mid, cid


def test_two_decides_at_once_apply_once(backend_url, monkeypatch):
    from bdhvs_desktop.services import council as cs
    from bdhvs_desktop.services import scoring as scoring_service

    setup = _open(backend_url)
    mid, cid = _council(setup)
    setup.dispose()
    # Both decides have read the undecided candidate before either writes.
    real, both_read = scoring_service.compute_scores, threading.Barrier(2)

    def compute_after_both_read(db, day):
        both_read.wait(30)
        return real(db, day)

    monkeypatch.setattr(scoring_service, "compute_scores", compute_after_both_read)
    first, second = _open(backend_url), _open(backend_url)
    try:
        results = _run_together(lambda: cs.decide(first, mid), lambda: cs.decide(second, mid))
        assert sorted(len(r) for r in results) == [0, 1]  # the second saw it decided and changed nothing
        with first.read() as s:
            c = s.get(m.Candidate, cid)
            decisions = s.scalar(select(func.count()).select_from(m.AuditEntry).where(
                m.AuditEntry.action.in_(("decide", "lock")), m.AuditEntry.entity_id == cid))
        assert c.status == "approved" and c.locked and decisions == 2  # one "decide", one "lock"
    finally:
        first.dispose()
        second.dispose()


def test_the_lock_is_taken_and_released_with_the_transaction(backend_db):
    from sqlalchemy import text

    from bdhvs_desktop.storage.locks import lock_id, serialize

    assert lock_id("import") == lock_id("import") != lock_id("council")
    with backend_db.session() as s:
        serialize(s, "import")
        if backend_db.is_sqlite:
            return
        held = s.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                             "AND pid = pg_backend_pid()"))
        assert held == 1
    with backend_db.read() as s:
        assert s.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) == 0
