"""Benchmark: the award dossier for 100 candidates, and the progress report of a 300-unit ward.

Targets:
* dossier_100: the whole service call (checked form set, contexts from the database, safe
  rendering with the read-back checks, the folder written all-or-nothing, the records) takes
  at most 1.3 x the time docxtpl alone takes to render the same templates with the same
  contexts (ratio = t_service / t_docxtpl).
* progress_report_300_units: the PDF progress report of a ward of 300 units and 30,000 people
  in under 2 s (ratio = seconds / 2.0).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bdhvs_desktop.storage import models as m  # noqa: E402
from bdhvs_desktop.storage.engine import open_database  # noqa: E402

AT = dt.date(2026, 11, 10)


# ---------------------------------------------------------------- dossier of 100


def build_dossier_db(path: Path) -> None:
    from dossier_setup import add_council_round

    from bdhvs_desktop.services.demo import create_demo

    db = open_database(path)
    create_demo(db)
    add_council_round(db, n_extra_people=96)  # 4 + 96 approved candidates
    db.dispose()


def docxtpl_alone(db, form_set) -> float:
    """The anchor: plain docxtpl (autoescaping Jinja environment), the same templates and
    contexts, every document rendered and saved to memory."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    from bdhvs_desktop.documents.render import TEMPLATE_GLOBALS, form_key_for, paragraphs
    from bdhvs_desktop.services.dossier import build_contexts

    ctxs = build_contexts(db, at=AT)
    # every document the service writes: one Tờ trình per granting authority, every meeting's
    # minutes, the Form 08s
    jobs = [*(c for _name, c in ctxs.submissions), *(x.context for x in ctxs.minutes_docs), *ctxs.achievements]
    env = Environment(autoescape=True)
    env.filters["paragraphs"] = paragraphs
    env.globals.update(TEMPLATE_GLOBALS)
    start = time.perf_counter()
    for ctx in jobs:
        spec = form_set.form(form_key_for(ctx))
        tpl = DocxTemplate(io.BytesIO(spec.template_bytes))
        tpl.render({spec.context: ctx, "form": spec, "formset": form_set}, jinja_env=env, autoescape=True)
        tpl.save(io.BytesIO())
    return time.perf_counter() - start


def service(db, out: Path) -> tuple[float, int]:
    from bdhvs_desktop.services.dossier import generate_dossier

    start = time.perf_counter()
    outcome = generate_dossier(db, out, at=AT)
    return time.perf_counter() - start, len(outcome.files)


def bench_dossier(tmp: Path) -> float:
    from bdhvs_desktop.services.dossier import load_checked_form_set

    template = tmp / "dossier.sqlite3"
    build_dossier_db(template)
    form_set = load_checked_form_set("decree-98-2023")
    anchors, ours = [], []
    for i in range(3):
        work = tmp / f"d{i}.sqlite3"
        shutil.copy(template, work)
        db = open_database(work)
        with db.read() as s:
            n = len(list(s.scalars(select(m.Candidate.id).where(m.Candidate.status == "approved"))))
        anchors.append(docxtpl_alone(db, form_set))
        t, files = service(db, tmp / f"hs{i}")
        ours.append(t)
        db.dispose()
    t_anchor, t_ours = min(anchors), min(ours)
    print(f"dossier of {n} candidates ({files} documents): docxtpl alone {t_anchor:.3f} s, "
          f"service {t_ours:.3f} s")
    return t_ours / t_anchor


# ------------------------------------------------------------ 300-unit progress report


def build_ward(path: Path) -> None:
    from bdhvs_desktop.services.campaign import init_campaign

    rng = random.Random(300)
    db = open_database(path)
    init_campaign(db, "la-gi-004")
    with db.session() as s:
        base = 10_000
        units = []
        for i in range(300):
            party = i % 10 == 0
            units.append(dict(id=base + i, code=f"U{i:05d}", name=f"Đơn vị {i} (mô phỏng)",
                              kind="chi_bo" if party else ("to_dan_pho" if i % 3 else "co_quan"),
                              parent_id=base if i else None, is_party_org=party, active=True, version=1))
        s.execute(insert(m.Unit), units)
        people, pid = [], 0
        for i in range(300):
            for j in range(100):
                pid += 1
                on = dt.date(2026, rng.randint(1, 5), rng.randint(1, 28)) if rng.random() < 0.93 else None
                people.append(dict(id=pid, full_name=f"Người {pid}", name_key=f"nguoi {pid}", search_key=f"nguoi {pid}",
                                   sex="F" if rng.random() < 0.5 else "M", unit_id=base + i,
                                   is_party_member=j < 20, is_public_servant=j < 30, vneid_proficient_on=on,
                                   can_guide=rng.random() < 0.8, people_guided=rng.randint(0, 60), version=1))
        for k in range(0, len(people), 20_000):
            s.execute(insert(m.Person), people[k:k + 20_000])
        acts = []
        for i in range(300):
            for w in range(26):
                if rng.random() < 0.85:
                    acts.append(dict(date=dt.date(2026, 4, 1) + dt.timedelta(days=7 * w + rng.randint(0, 5)),
                                     kind="guidance", unit_id=base + i, participants=10, version=1))
            acts.append(dict(date=dt.date(2026, 5, 5), kind="class", unit_id=base + i, participants=20, version=1))
            acts.append(dict(date=dt.date(2026, 2, 5), kind="thematic_meeting", unit_id=base + i, participants=20,
                             version=1))
        for d in range(180):
            acts.append(dict(date=dt.date(2026, 1, 1) + dt.timedelta(days=d), kind="broadcast", unit_id=base,
                             participants=0, version=1))
        s.execute(insert(m.Activity), acts)
    db.dispose()


def bench_progress(tmp: Path) -> float:
    from bdhvs_desktop.services.reports import write_report

    path = tmp / "ward300.sqlite3"
    build_ward(path)
    db = open_database(path)
    write_report(db, "progress", tmp / "warm.pdf", AT)  # imports, fonts, page cache
    best = float("inf")
    for i in range(3):
        start = time.perf_counter()
        result = write_report(db, "progress", tmp / f"p{i}.pdf", AT)
        best = min(best, time.perf_counter() - start)
    db.dispose()
    print(f"progress report, 300 units / 30,000 people: {best:.3f} s ({result.size // 1024} KB)")
    return best / 2.0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-dossier-") as tmp:
        os.environ.setdefault("BDHVS_HOME", tmp)
        ratio_d = bench_dossier(Path(tmp))
        ratio_p = bench_progress(Path(tmp))
    print(f"dossier_100: ratio {ratio_d:.3f} (target <= 1.3) {'PASS' if ratio_d <= 1.3 else 'FAIL'}")
    print(f"progress_report_300_units: ratio {ratio_p:.3f} (target <= 1.0) {'PASS' if ratio_p <= 1.0 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
