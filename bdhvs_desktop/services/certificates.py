"""Printing the certificates (Giấy khen) and the award ceremony's list, from the records.

    outcome = print_certificates(db, out, plain=False, progress=..., cancel=...)
    calibrate(db, out)                               # a page per layout to check the blanks
    ceremony(db, out, seats=True)                     # the list the MC reads from (.docx)

Who is awarded: services/certificate_awardees.py; the award forms and their layouts on the
blank: services/certificate_layouts.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bdhvs_desktop.documents import certificate_layout as cl
from bdhvs_desktop.documents.certificates import (
    Awardee,
    CertificateError,
    calibration_pdf,
    certificates_pdf,
    write_pdf,
)
from bdhvs_desktop.services import certificate_awardees  # called through it: a test replaces list_awardees
from bdhvs_desktop.services.certificate_awardees import campaign_of, place
from bdhvs_desktop.services.certificate_layouts import form_by_code, get_layout, list_award_forms
from bdhvs_desktop.storage.engine import Database

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PrintOutcome:
    path: Path
    count: int
    per_form: tuple[tuple[str, int], ...]


def _layout_lookup(db: Database) -> Callable[[str], cl.Layout]:
    cache: dict[str, cl.Layout] = {}

    def layout_for(code: str) -> cl.Layout:
        if code not in cache:
            cache[code] = get_layout(db, code) if code else cl.builtin_layout("", "state")
        return cache[code]

    return layout_for


def print_certificates(db: Database, out: Path, *, plain: bool = False, award_form: str | None = None,
                       decision: str | None = None, decision_date: dt.date | None = None, awardees: Sequence[Awardee] | None = None,
                       progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> PrintOutcome:
    """One PDF with every certificate (a page each), on the blanks or on plain paper."""

    if awardees is None:
        awardees = certificate_awardees.list_awardees(db, decision=decision, decision_date=decision_date, award_form=award_form)
    if not awardees:
        raise CertificateError("Không có tập thể, cá nhân nào được khen thưởng (đã thông qua hoặc đã có quyết định)"
                               + (f" với hình thức “{award_form}”" if award_form else "")
                               + (f" theo quyết định số {decision}" if decision else "") + ".")
    data = certificates_pdf(awardees, _layout_lookup(db), place=place(db), plain=plain, progress=progress,
                            cancel=cancel)
    path = write_pdf(Path(out), data)
    counts = Counter(a.award_name or a.award_code for a in awardees)
    return PrintOutcome(path=path, count=len(awardees), per_form=tuple(counts.items()))


def calibrate(db: Database, out: Path, *, award_form: str | None = None, with_sample: bool = True) -> Path:
    """A calibration page per award form (or for one), with a sample awardee in the boxes."""

    forms = list_award_forms(db)
    if award_form:
        forms = [f for f in forms if f.code == award_form]
        if not forms:
            with db.read() as s:
                form_by_code(s, award_form)
    layouts = [get_layout(db, f.code) for f in forms]
    sample = None
    if with_sample:
        sample = Awardee(key="sample", name="Nguyễn Thị Thanh Hương", honorific="Bà",
                         unit_line="Bí thư Chi bộ, Trưởng khu phố 3, phường La Gi",
                         achievement_line="Đã có thành tích xuất sắc trong phong trào thi đua “Bình dân học vụ số”",
                         award_code="", award_name="", award_level="", award_issuer="",
                         decision_number="123/QĐ-UBND", decision_date=dt.date(2026, 12, 5), collective=False)
    return write_pdf(Path(out), calibration_pdf(layouts, sample=sample, place=place(db)))


def ceremony(db: Database, out: Path, *, seats: bool = False, seats_per_row: int = 10, first_row: int = 1,
             decision: str | None = None, decision_date: dt.date | None = None,
             awardees: Sequence[Awardee] | None = None, order: Sequence[str] | None = None) -> Path:
    """The list the MC reads from at the award conference (.docx, written atomically).

    *order* is the office's own calling order as awardee keys; those not named follow in the
    default order (collectives first, then individuals, higher award level first)."""
    from bdhvs_desktop.documents.ceremony import CeremonyError, write_ceremony  # lazy: start-up

    if seats and not (1 <= seats_per_row <= 200):
        raise CertificateError(f"Số ghế mỗi hàng phải từ 1 đến 200, không phải {seats_per_row}.")
    if awardees is None:
        awardees = certificate_awardees.list_awardees(db, decision=decision, decision_date=decision_date)
    awardees = list(awardees)
    if order:
        rank = {k: i for i, k in enumerate(order)}
        unknown = [k for k in order if k not in {a.key for a in awardees}]
        if unknown:
            raise CertificateError("Thứ tự xướng danh có mục không có trong danh sách khen thưởng: "
                                   + ", ".join(unknown[:5]))
        awardees.sort(key=lambda a: (rank.get(a.key, len(rank)), a.sort_key))
    if not awardees:
        raise CertificateError("Không có tập thể, cá nhân nào được khen thưởng để lập danh sách xướng danh.")
    with db.read() as s:
        c = campaign_of(s)
        title = ((c.details or {}).get("dossier") or {}).get("campaign_title") or c.name
        locality = c.locality_full or c.locality or ""
    try:
        return write_ceremony(Path(out), awardees, campaign_title=title, locality=locality, seats=seats,
                              seats_per_row=seats_per_row, first_row=first_row)
    except CeremonyError as exc:
        raise CertificateError(str(exc)) from exc
