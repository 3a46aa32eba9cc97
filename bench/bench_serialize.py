"""Benchmark: serialising imports (storage/locks.serialize, issue #15 point 2) does not slow a
single import.

Target: an import of N people with the advisory lock takes at most 1.05x the same import
without it (the lock replaced by a no-op). On PostgreSQL, where the lock is a real
`pg_advisory_xact_lock`, when the PostgreSQL binaries are installed: a throwaway cluster is
started the way tests/pg/conftest.py does (127.0.0.1, free port, deleted at the end), every
import starts from a fresh copy of one migrated database, the runs of both sides are
interleaved and the best wall-clock time of each side counts (the server's work is not in this
process's CPU time). Without PostgreSQL the lock is a no-op on SQLite (BEGIN IMMEDIATE already
serialises writers): the bench then measures what serialize() adds to a small write transaction
on SQLite, which is the whole cost there."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bdhvs_desktop.services import importer  # noqa: E402
from bdhvs_desktop.storage import locks  # noqa: E402

N = 4000
RUNS = 4
TARGET = 1.05
TODAY = dt.date(2026, 11, 20)
UNITS = [f"TDP-{i:02d}" for i in range(1, 21)]


def _workbook(path: Path) -> Path:
    from bdhvs_desktop.documents import excel_io as xio

    rng = random.Random(15)
    family, given = ["Nguyễn", "Trần", "Lê", "Phạm", "Võ", "Đặng"], ["An", "Bình", "Hà", "Lan", "Nam", "Yến"]
    rows = []
    for i in range(N):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=5 * i)
        rows.append((f"{rng.choice(family)} Văn {rng.choice(given)}", birth, "Nam", None, UNITS[i % len(UNITS)],
                     "Người dân", "Không", "Không", None, "Không", 0, "Không"))
    xio.write_sheets(path, [(xio.PEOPLE, rows)])
    return path


def _prepare(db) -> None:
    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.services.campaign import init_campaign
    from bdhvs_desktop.services.units import UnitData, add_unit

    act_as_administrator(db)
    init_campaign(db, None)
    for code in UNITS:
        add_unit(db, UnitData(code, f"Tổ dân phố {code[-2:]}", "to_dan_pho", None))


def _import(url: str, book: Path, locked: bool) -> float:
    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.storage.engine import open_database

    importer.serialize = locks.serialize if locked else (lambda session, key: None)
    db = open_database(url)
    act_as_administrator(db)
    try:
        start = time.perf_counter()
        result = importer.import_workbook(db, book, today=TODAY)
        elapsed = time.perf_counter() - start
        assert result.written and result.counts["NhanSu"].created == N, result.status_line()
        return elapsed
    finally:
        db.dispose()
        importer.serialize = locks.serialize


def bench_postgresql(tmp: Path) -> float | None:
    sys.path.insert(0, str(ROOT / "tests" / "pg"))
    try:
        import conftest as pg  # tests/pg/conftest.py: PgCluster, create_pg_database
    except ImportError:
        return None
    bin_dir = pg._bin_dir()
    if bin_dir is None:
        return None
    try:
        cluster = pg.PgCluster(bin_dir)
        cluster.start()
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL did not start ({exc}); measuring on SQLite instead")
        return None
    try:
        from bdhvs_desktop.storage.engine import open_database

        template_url = pg.create_pg_database(cluster.url)
        db = open_database(template_url)
        _prepare(db)
        db.dispose()
        from sqlalchemy.engine import make_url

        template = make_url(template_url).database
        book = _workbook(tmp / "people.xlsx")
        times: dict[bool, list[float]] = {True: [], False: []}
        for run in range(RUNS):
            for locked in ((False, True) if run % 2 == 0 else (True, False)):
                url = pg.create_pg_database(cluster.url, template)
                times[locked].append(_import(url, book, locked))
                pg.drop_pg_database(cluster.url, url)
        with_lock, without = min(times[True]), min(times[False])
        print(f"PostgreSQL import of {N} people, best of {RUNS}: without lock {without:.2f} s, "
              f"with lock {with_lock:.2f} s")
        return with_lock / without
    finally:
        cluster.stop()


def bench_sqlite(tmp: Path) -> float:
    """What serialize() adds to a write transaction on SQLite (a dialect check, no SQL)."""
    from bdhvs_desktop.storage import models as m
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(tmp / "bench.sqlite3")
    count = 300

    def run(locked: bool) -> float:
        start = time.perf_counter()
        for i in range(count):
            with db.session() as s:
                if locked:
                    locks.serialize(s, "import")
                s.merge(m.Setting(key="bench.serialize", value=i))
        return time.perf_counter() - start

    times: dict[bool, list[float]] = {True: [], False: []}
    for r in range(RUNS):
        for locked in ((False, True) if r % 2 == 0 else (True, False)):
            times[locked].append(run(locked))
    db.dispose()
    with_lock, without = min(times[True]), min(times[False])
    print(f"SQLite: {count} write transactions, best of {RUNS}: without serialize {without:.3f} s, "
          f"with serialize {with_lock:.3f} s")
    return with_lock / without


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-serialize-"))
    try:
        ratio = bench_postgresql(tmp)
        name = "import_lock_postgresql"
        if ratio is None:
            ratio, name = bench_sqlite(tmp), "serialize_sqlite_transaction"
        print(f"{name}: ratio {ratio:.3f} (target <= {TARGET}) {'PASS' if ratio <= TARGET else 'FAIL'}")
        return 0 if ratio <= TARGET else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
