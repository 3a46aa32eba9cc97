"""The status on a date is the same on PostgreSQL as on SQLite (ISO weeks, dates, groupings)."""

from __future__ import annotations

import datetime as dt

from bdhvs_desktop.services.auth import act_as_administrator
from bdhvs_desktop.services.demo import create_demo
from bdhvs_desktop.services.status import compute_status, status_to_json


def test_demo_status_is_identical_on_both_backends(backend_db, tmp_path):
    from bdhvs_desktop.storage.engine import open_database

    act_as_administrator(backend_db)  # as `bdhvs demo` does on a shared database
    create_demo(backend_db)
    reference = open_database(tmp_path / "reference.sqlite3")
    try:
        act_as_administrator(reference)
        create_demo(reference)
        for day in (dt.date(2026, 3, 31), dt.date(2026, 5, 20), dt.date(2026, 8, 20), dt.date(2026, 10, 15)):
            got = status_to_json(compute_status(backend_db, day))
            want = status_to_json(compute_status(reference, day))
            assert got == want, day
        weekly = compute_status(backend_db, dt.date(2026, 5, 20)).target("HUONG_DAN_TUAN")
        assert "Tổ dân phố 4 (mô phỏng): Tuần 19/2026 (04/05–10/05)" in weekly.shortfall
    finally:
        reference.dispose()
