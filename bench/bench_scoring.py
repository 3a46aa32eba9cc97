"""Benchmark: scoring a ward of 300 units and 30,000 people, and ten times that ward.

Targets: the ward scores in under 1 s (ratio = seconds / 1.0), and ten times the ward in at
most 12 times as long (ratio = t10 / t1). Scoring here is the full service call: bulk loading,
every criterion of the default La Gi criteria sets with its Vietnamese explanation, ranking."""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bdhvs_desktop.services.campaign import init_campaign  # noqa: E402
from bdhvs_desktop.services.scoring import compute_scores  # noqa: E402
from bdhvs_desktop.storage import models as m  # noqa: E402
from bdhvs_desktop.storage.engine import open_database  # noqa: E402

AT = dt.date(2026, 11, 15)


def build(path: Path, scale: int) -> None:
    """A synthetic ward: 300*scale units (a tenth of them party cells under 10 committees),
    100 people per unit, models, activities, solutions."""
    rng = random.Random(1234 + scale)
    db = open_database(path)
    init_campaign(db, "la-gi-004")
    n_units = 300 * scale
    with db.session() as s:
        base = 10_000
        units = []
        for i in range(n_units):
            uid = base + i
            party = i % 10 == 0
            parent = base + (i // 100) * 100 if i % 100 else None
            units.append(dict(id=uid, code=f"U{i:05d}", name=f"Đơn vị {i} (mô phỏng)",
                              kind="chi_bo" if party else ("to_dan_pho" if i % 3 else "co_quan"),
                              parent_id=parent, is_party_org=party, active=True, version=1))
        s.execute(insert(m.Unit), units)
        people = []
        pid = 0
        for i in range(n_units):
            for j in range(100):
                pid += 1
                party = j < 20
                on = dt.date(2026, rng.randint(1, 5), rng.randint(1, 28)) if rng.random() < 0.9 else None
                people.append(dict(id=pid, full_name=f"Người {pid}", name_key=f"nguoi {pid}",
                                   search_key=f"nguoi {pid}", sex="F" if rng.random() < 0.5 else "M",
                                   cccd=f"{pid:012d}", unit_id=base + i, is_party_member=party,
                                   is_public_servant=j < 30, vneid_proficient_on=on, can_guide=rng.random() < 0.7,
                                   people_guided=rng.randint(0, 60), under_discipline=rng.random() < 0.01,
                                   version=1))
        for k in range(0, len(people), 20_000):
            s.execute(insert(m.Person), people[k:k + 20_000])
        models, acts, sols = [], [], []
        for i in range(0, n_units, 2):
            models.append(dict(code=f"MH{i:05d}", name=f"Mô hình {i}", owner_unit_id=base + i,
                               status=rng.choice(["registered", "implementing", "evaluated", "excellent"]),
                               registered_on=dt.date(2026, 1, 10), implementing_on=dt.date(2026, 2, 1),
                               evaluated_on=dt.date(2026, 6, 1), excellent_on=dt.date(2026, 9, 1), version=1))
        s.execute(insert(m.DigitalModel), models)
        for i in range(n_units):
            for w in range(0, 26):
                if rng.random() < 0.9:
                    acts.append(dict(date=dt.date(2026, 4, 1) + dt.timedelta(days=7 * w + rng.randint(0, 5)),
                                     kind="guidance", unit_id=base + i, participants=10,
                                     host_person_id=(i * 100) + rng.randint(1, 100), version=1))
            acts.append(dict(date=dt.date(2026, 5, 5), kind="class", unit_id=base + i, participants=20, version=1))
            acts.append(dict(date=dt.date(2026, 2, 5), kind="thematic_meeting", unit_id=base + i, participants=20,
                             version=1))
        for k in range(0, len(acts), 20_000):
            s.execute(insert(m.Activity), acts[k:k + 20_000])
        for p in range(1, pid + 1, 7):
            sols.append(dict(person_id=p, title=f"Giải pháp {p}", applied=rng.random() < 0.7,
                             applied_on=dt.date(2026, 5, 1), effect="Hiệu quả (mô phỏng)", version=1))
        s.execute(insert(m.Solution), sols)
    db.dispose()


def timed(path: Path, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time of `repeat` full scorings (after one warm-up)."""
    db = open_database(path)
    compute_scores(db, AT)  # warm caches (imports, page cache)
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        board = compute_scores(db, AT)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        del board
    db.dispose()
    return best_wall, best_cpu


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        os.environ.setdefault("BDHVS_HOME", tmp)
        one, ten = Path(tmp) / "ward1.sqlite3", Path(tmp) / "ward10.sqlite3"
        build(one, 1)
        build(ten, 10)
        t1, c1 = timed(one, 7)
        print(f"ward of 300 units, 30,000 people: {t1:.3f} s wall, {c1:.3f} s CPU (best of 7)")
        t10, c10 = timed(ten, 3)
        print(f"ward of 3,000 units, 300,000 people: {t10:.3f} s wall, {c10:.3f} s CPU (best of 3)")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          f"(CPU-time ratio 10x/1x: {c10 / c1:.2f})")
    ratio1 = t1 / 1.0
    ratio10 = t10 / t1
    print(f"scoring_300_units: ratio {ratio1:.3f} (target <= 1.0) {'PASS' if ratio1 <= 1.0 else 'FAIL'}")
    print(f"scoring_scaling_10x: ratio {ratio10:.2f} (target <= 12) {'PASS' if ratio10 <= 12 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
