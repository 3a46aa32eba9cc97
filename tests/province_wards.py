"""Three demo wards of one province, different in people, CCCDs and figures, with candidates
proposed to province-level award forms and one person proposed by two of them. Shared by the
province tests (services, documents, GUI, the end-to-end test)."""

from __future__ import annotations

from pathlib import Path

from bdhvs_desktop.services.demo import SHARED_PERSON, DemoVariant

WARDS = (
    DemoVariant(ward_code="BM", ward_name="Phường Bình Minh", seed=101, province_candidates=4, shared_person=True),
    DemoVariant(ward_code="TH", ward_name="Phường Tân Hà", seed=202, province_candidates=3, shared_person=True),
    DemoVariant(ward_code="HD", ward_name="Phường Hòa Đông", seed=303, province_candidates=5),
)
SHARED_CCCD = SHARED_PERSON["cccd"]


def make_ward(folder: Path, variant: DemoVariant) -> Path:
    """One ward database built from the demo variant; returns its path."""
    from bdhvs_desktop.services.demo import create_demo
    from bdhvs_desktop.storage.engine import open_database

    path = Path(folder) / f"ward-{variant.ward_code}.sqlite3"
    database = open_database(path)
    try:
        create_demo(database, variant=variant)
    finally:
        database.dispose()
    return path
