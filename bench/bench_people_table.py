"""Benchmark: the people table (gui/people_model.py) with 50,000 rows.

Target (issue #4): opening (set_rows), sorting and filtering each take under 0.1 s.
Each figure is the median of 5 runs; ratio = seconds / 0.1 (target <= 1.0). The ratio uses
the process's CPU time, so other programs competing for the processor (a shared build
machine) do not count; wall-clock figures are printed beside it."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bdhvs_desktop.domain.text import fold  # noqa: E402
from bdhvs_desktop.gui.people_model import PeopleTableModel  # noqa: E402
from bdhvs_desktop.services.records import PersonRow  # noqa: E402

N = 50_000
RUNS = 5
LIMIT = 0.1
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thu", "Đức", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hòa", "Lan", "Linh", "Mai", "Nam", "Phúc", "Thủy", "Yến"]


def rows() -> list[PersonRow]:
    rng = random.Random(50)
    out = []
    for i in range(N):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        unit = i % 300 + 1
        out.append(PersonRow(i + 1, name, fold(name), dt.date(rng.randint(1950, 2006), 1 + i % 12, 1 + i % 28),
                             "F" if i % 2 else "M", f"068{i:09d}", unit, f"Tổ dân phố {unit}", "Người dân",
                             rng.random() < 0.1, rng.random() < 0.05,
                             dt.date(2026, 1 + i % 9, 1 + i % 28) if rng.random() < 0.7 else None, None,
                             rng.random() < 0.4, rng.randint(0, 30), False))
    return out


WALL: dict[str, float] = {}


def median_time(fn, name: str = "") -> float:
    times, walls = [], []
    for _ in range(RUNS):
        w, t = time.perf_counter(), time.process_time()
        fn()
        times.append(time.process_time() - t)
        walls.append(time.perf_counter() - w)
    WALL[name] = max(WALL.get(name, 0.0), statistics.median(walls))
    return statistics.median(times)


def main() -> int:
    app = QApplication.instance() or QApplication([])  # noqa: F841
    data = rows()
    model = PeopleTableModel()
    t_open = median_time(lambda: model.set_rows(data), "open")
    orders = iter([Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder] * RUNS)
    t_sort = median_time(lambda: model.sort(0, next(orders)), "sort")
    t_sort_date = median_time(lambda: model.sort(1, Qt.SortOrder.AscendingOrder), "sort")

    def cold_sort() -> None:  # the first sort of a column after loading, with nothing cached
        model.set_rows(data)
        model._key_cache.clear()
        w, t = time.perf_counter(), time.process_time()
        model.sort(0, Qt.SortOrder.AscendingOrder)
        model._key_cache.clear()
        model.sort(1, Qt.SortOrder.DescendingOrder)
        cold.append((time.process_time() - t) / 2)
        cold_wall.append((time.perf_counter() - w) / 2)

    cold: list[float] = []
    cold_wall: list[float] = []
    for _ in range(RUNS):
        cold_sort()
    t_sort_cold = statistics.median(cold)
    WALL["sort"] = max(WALL["sort"], statistics.median(cold_wall))
    texts = iter(["nguyen van", "hoa", "tran thi mai", "le", "pham duc"] * 2)
    t_filter = median_time(lambda: model.set_filter(text=next(texts), vneid="proficient",
                                                    as_of=dt.date(2026, 3, 31)), "filter")
    t_filter_unit = median_time(lambda: model.set_filter(unit_ids=set(range(1, 40)), party_only=True), "filter")
    model.set_filter()
    print(f"sort, first time per column (order computed): {t_sort_cold * 1000:.1f} ms CPU")
    t_sort = max(t_sort, t_sort_date, t_sort_cold)
    t_filter = max(t_filter, t_filter_unit)
    print(f"rows: {N}")
    print(f"open (set_rows): {t_open * 1000:.1f} ms CPU, {WALL['open'] * 1000:.1f} ms wall")
    print(f"sort by name / birth date: {t_sort * 1000:.1f} ms CPU (worst), {WALL['sort'] * 1000:.1f} ms wall")
    print(f"filter by text+VNeID / unit+party: {t_filter * 1000:.1f} ms CPU (worst), "
          f"{WALL['filter'] * 1000:.1f} ms wall")
    ok = True
    for name, t in (("people_table_open", t_open), ("people_table_sort", t_sort), ("people_table_filter", t_filter)):
        ratio = t / LIMIT
        ok &= ratio <= 1.0
        print(f"{name}: ratio {ratio:.2f} (target <= 1.0) {'PASS' if ratio <= 1.0 else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
