"""Benchmark: import and export of 20,000 people in the import layout.

Targets (issue #4): importing a workbook of 20,000 people takes at most 2x the time
openpyxl's read-only mode takes just to iterate over the same file; exporting 20,000
people takes at most 2x openpyxl's write-only mode writing the same rows.
Each figure is the best of 3 runs, the runs of both sides interleaved; every import starts from a
fresh copy of the database. The verdict uses the process's CPU time (other programs on a shared
build machine do not count); wall-clock figures and ratios are printed beside it."""

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

from bdhvs_desktop.documents import excel_io as xio  # noqa: E402
from bdhvs_desktop.services import exporter, importer  # noqa: E402
from bdhvs_desktop.services.campaign import init_campaign  # noqa: E402
from bdhvs_desktop.services.units import UnitData, add_unit  # noqa: E402
from bdhvs_desktop.storage.engine import open_database  # noqa: E402

N = 20_000
RUNS = 3
TODAY = dt.date(2026, 11, 20)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thu", "Đức", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hòa", "Lan", "Linh", "Mai", "Nam", "Phúc", "Thủy", "Yến"]


def people_rows(unit_codes: list[str]) -> list[tuple]:
    rng = random.Random(4)
    rows, used = [], set()
    for i in range(N):
        female = rng.random() < 0.5
        birth = dt.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
        while True:
            cccd = f"068{(0 if birth.year < 2000 else 2) + female}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
            if cccd not in used:
                used.add(cccd)
                break
        proficient = dt.date(2026, rng.randint(1, 9), rng.randint(1, 28)) if rng.random() < 0.7 else None
        rows.append((f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", birth,
                     "Nữ" if female else "Nam", cccd, unit_codes[i % len(unit_codes)], "Người dân",
                     "Có" if rng.random() < 0.1 else "Không", "Không", proficient,
                     "Có" if proficient and rng.random() < 0.5 else "Không", rng.randint(0, 20), "Không"))
    return rows


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def best(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(p[0] for p in pairs), min(p[1] for p in pairs)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        base = tmp / "base.sqlite3"
        db = open_database(base)
        init_campaign(db, None)
        codes = [f"TDP-{i:02d}" for i in range(1, 41)]
        for code in codes:
            add_unit(db, UnitData(code, f"Tổ dân phố {code[-2:]}", "to_dan_pho", None))
        db.dispose()
        rows = people_rows(codes)
        book = tmp / "people.xlsx"
        xio.write_sheets(book, [(xio.PEOPLE, rows)])
        print(f"workbook: {N} people, {book.stat().st_size / 1024:.0f} KB")

        import openpyxl

        def iterate() -> None:
            wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
            for ws in wb.worksheets:
                for _row in ws.iter_rows(values_only=True):
                    pass
            wb.close()

        iter_times, import_times = [], []
        export_db = None
        for run in range(RUNS):
            iter_times.append(timed(iterate))
            copy = tmp / f"run{run}.sqlite3"
            shutil.copy(base, copy)
            target = open_database(copy)
            holder = {}
            import_times.append(timed(lambda: holder.setdefault("r", importer.import_workbook(target, book,  # noqa: B023 - timed() calls it at once
                                                                                             today=TODAY))))
            result = holder["r"]
            assert result.written and result.counts["NhanSu"].created == N, result.status_line()
            if run == RUNS - 1:
                again_holder = {}
                t_again = timed(lambda: again_holder.setdefault("r", importer.import_workbook(target, book,  # noqa: B023 - timed() calls it at once
                                                                                               today=TODAY)))
                assert again_holder["r"].changes == 0
                export_db = target
            else:
                target.dispose()
        t_iter, t_import = best(iter_times), best(import_times)

        out = tmp / "export.xlsx"
        with export_db.read() as s:
            exported = list(exporter.people_rows(s))

        def plain_write() -> None:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet("NhanSu")
            ws.append(xio.PEOPLE.headers)
            for r in exported:
                ws.append(r)
            wb.save(tmp / "plain.xlsx")

        plain_times, export_times = [], []
        for _ in range(RUNS):
            plain_times.append(timed(plain_write))
            export_times.append(timed(lambda: exporter.export(export_db, "people", out)))
        export_db.dispose()
        t_plain, t_export = best(plain_times), best(export_times)
        print("                               wall      CPU")
        print(f"openpyxl read-only iteration: {t_iter[0]:6.2f} s {t_iter[1]:6.2f} s")
        print(f"import 20k people (new):      {t_import[0]:6.2f} s {t_import[1]:6.2f} s")
        print(f"re-import, nothing changes:   {t_again[0]:6.2f} s {t_again[1]:6.2f} s")
        print(f"openpyxl write-only:          {t_plain[0]:6.2f} s {t_plain[1]:6.2f} s")
        print(f"export 20k people:            {t_export[0]:6.2f} s {t_export[1]:6.2f} s")
        print(f"wall-clock ratios: import {t_import[0] / t_iter[0]:.2f}, export {t_export[0] / t_plain[0]:.2f}")
        r_import, r_export = t_import[1] / t_iter[1], t_export[1] / t_plain[1]
        print(f"import_20k: ratio {r_import:.2f} (target <= 2.0) {'PASS' if r_import <= 2.0 else 'FAIL'}")
        print(f"export_20k: ratio {r_export:.2f} (target <= 2.0) {'PASS' if r_export <= 2.0 else 'FAIL'}")
        return 0 if r_import <= 2.0 and r_export <= 2.0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
