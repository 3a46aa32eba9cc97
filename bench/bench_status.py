"""Benchmark: the whole status of a ward (every target of the La Gi plan with its per-unit rows
and shortfalls, every task) at realistic scale and at ten times that scale.

Realistic scale: 300 units, 30,000 people, 100,000 activities (plus models, mentorships and
reported figures). Targets: under 0.5 s (ratio = seconds / 0.5 <= 1.0), and the ten-fold ward
at most 12 times as long (ratio = t10 / t1 <= 12). The data is built with bulk inserts."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bdhvs_desktop.services.campaign import init_campaign  # noqa: E402
from bdhvs_desktop.services.status import compute_status  # noqa: E402
from bdhvs_desktop.storage import models as m  # noqa: E402
from bdhvs_desktop.storage.engine import open_database  # noqa: E402

AT = dt.date(2026, 10, 15)
START = dt.date(2025, 12, 1)
LAST = dt.date(2026, 10, 14)
KINDS = ["guidance"] * 50 + ["class"] * 20 + ["training"] * 10 + ["other"] * 18 + ["thematic_meeting"] * 2


def _chunks(rows: list[dict], size: int = 20_000):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def build(path: Path, scale: int) -> dict[str, int]:
    rng = random.Random(20260331 + scale)
    db = open_database(path)
    init_campaign(db, "la-gi-004")
    n_units = 300 * scale
    n_people = 30_000 * scale
    n_activities = 100_000 * scale
    with db.session() as s:
        root = s.scalar(select(m.Unit.id).where(m.Unit.code == "DU-PHUONG"))
        existing = s.scalar(select(m.Unit.id).order_by(m.Unit.id.desc()).limit(1))
        base = existing + 1
        units = []
        committees = []
        cells = []
        groups = []
        for i in range(n_units):
            uid = base + i
            if i % 30 == 0:  # party committees under the ward committee
                kind, parent, party = "dang_bo", root, True
                committees.append(uid)
            elif i % 3 == 0:  # party cells under a committee
                kind, parent, party = "chi_bo", committees[-1], True
                cells.append(uid)
            elif i % 3 == 1:
                kind, parent, party = "to_dan_pho", None, False
                groups.append(uid)
            else:
                kind, parent, party = "co_quan", committees[-1], False
            units.append(dict(id=uid, code=f"B{i:05d}", name=f"Đơn vị {i} (mô phỏng)", kind=kind, parent_id=parent,
                              is_party_org=party, active=True, version=1))
        s.execute(insert(m.Unit), units)
        all_units = [u["id"] for u in units]
        people = []
        for pid in range(1, n_people + 1):
            unit = all_units[pid % n_units]
            party = rng.random() < 0.15
            servant = rng.random() < 0.10
            on = None
            if rng.random() < 0.93:
                on = START + dt.timedelta(days=rng.randint(0, 150))
            people.append(dict(id=pid, full_name=f"Người {pid}", name_key=f"nguoi {pid}", search_key=f"nguoi {pid}",
                               unit_id=unit, is_party_member=party, is_public_servant=servant,
                               vneid_proficient_on=on, can_guide=rng.random() < 0.9, people_guided=0,
                               under_discipline=False, version=1))
        for chunk in _chunks(people):
            s.execute(insert(m.Person), chunk)
        acts = []
        days = (LAST - START).days
        broadcast_day = dt.date(2026, 4, 1)
        while broadcast_day <= LAST and len(acts) < n_activities:
            if rng.random() > 0.01:
                acts.append(dict(date=broadcast_day, kind="broadcast", unit_id=all_units[0], participants=0, version=1))
            broadcast_day += dt.timedelta(days=1)
        while len(acts) < n_activities:
            kind = rng.choice(KINDS)
            if kind == "guidance":
                unit = rng.choice(groups)
            elif kind == "thematic_meeting":
                unit = rng.choice(cells + committees)
            else:
                unit = rng.choice(all_units)
            acts.append(dict(date=START + dt.timedelta(days=rng.randint(0, days)), kind=kind, unit_id=unit,
                             skills="1,2", participants=rng.randint(5, 40),
                             host_person_id=rng.randint(1, n_people), version=1))
        for chunk in _chunks(acts):
            s.execute(insert(m.Activity), chunk)
        models = []
        statuses = ["registered", "implementing", "evaluated", "excellent"]
        for i in range(n_units // 2):
            st = rng.choice(statuses)
            reg = START + dt.timedelta(days=rng.randint(0, 150))
            rank = statuses.index(st)
            models.append(dict(code=f"MB-{i:05d}", name=f"Mô hình {i}", owner_unit_id=rng.choice(all_units), status=st,
                               registered_on=reg, implementing_on=reg + dt.timedelta(days=20) if rank >= 1 else None,
                               evaluated_on=reg + dt.timedelta(days=120) if rank >= 2 else None,
                               excellent_on=reg + dt.timedelta(days=200) if rank >= 3 else None,
                               rating="Tốt" if rank >= 2 else None, evaluation_quarter="Q2/2026" if rank >= 2 else None,
                               version=1))
        s.execute(insert(m.DigitalModel), models)
        mentors = [dict(mentor_id=rng.randint(1, n_people), mentee_name=f"Người học {i}",
                        started_on=dt.date(2026, 4, 1), version=1) for i in range(20 * scale * 10)]
        s.execute(insert(m.Mentorship), mentors)
        reported = s.scalars(select(m.Target.id).where(m.Target.measure == "reported")).all()
        figures = []
        for t in reported:
            for g in groups:
                for when in (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)):
                    den = rng.randint(200, 600)
                    figures.append(dict(target_id=t, unit_id=g, as_of=when, numerator=int(den * rng.uniform(0.5, 1.0)),
                                        denominator=den, version=1))
        s.execute(insert(m.ReportedFigure), figures)
    db.dispose()
    return {"units": n_units, "people": n_people, "activities": n_activities}


def measure(paths: dict[int, Path], rounds: int = 9) -> dict[int, tuple[float, float, int, float]]:
    """Best and median of `rounds` timed runs per ward after a warm-up run, the wards taken in
    turn each round, so a burst of load on a shared machine hits both sides of the ratio alike."""
    dbs = {scale: open_database(path) for scale, path in paths.items()}
    rows = {}
    for scale, db in dbs.items():  # warm-up: statement compilation, page cache
        report = compute_status(db, AT)
        rows[scale] = sum(len(t.per_unit) for t in report.targets)
    times: dict[int, list[float]] = {scale: [] for scale in dbs}
    cpu: dict[int, list[float]] = {scale: [] for scale in dbs}
    for _ in range(rounds):
        for scale, db in dbs.items():
            c0, t0 = time.process_time(), time.perf_counter()
            compute_status(db, AT)
            times[scale].append(time.perf_counter() - t0)
            cpu[scale].append(time.process_time() - c0)
    for db in dbs.values():
        db.dispose()
    return {scale: (min(t), statistics.median(t), rows[scale], min(cpu[scale])) for scale, t in times.items()}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench_status_") as tmp:
        paths = {}
        for scale in (1, 10):
            path = Path(tmp) / f"ward_{scale}.sqlite3"
            t0 = time.perf_counter()
            counts = build(path, scale)
            print(f"scale {scale:>2}: {counts['units']} units, {counts['people']} people, "
                  f"{counts['activities']} activities; built in {time.perf_counter() - t0:.1f} s", flush=True)
            paths[scale] = path
        results = measure(paths)
    for scale, (best, median, rows, cpu) in results.items():
        print(f"scale {scale:>2}: compute_status wall best {best * 1000:.1f} ms, median {median * 1000:.1f} ms, "
              f"CPU best {cpu * 1000:.1f} ms ({rows} per-unit rows)")
    t1, t10 = results[1][0], results[10][0]
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          f"(CPU-time ratio 10x/1x: {results[10][3] / results[1][3]:.2f})")
    r1 = t1 / 0.5
    r10 = t10 / t1
    print(f"status_300_units: ratio {r1:.3f} (target <= 1.0) {'PASS' if r1 <= 1.0 else 'FAIL'}")
    print(f"status_scaling_10x: ratio {r10:.2f} (target <= 12) {'PASS' if r10 <= 12 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
