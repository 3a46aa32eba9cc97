"""Certificates (Giấy khen) and the award ceremony, from the records.

    awardees = list_awardees(db, decision="123", decision_date=date)   # who gets one
    layout = get_layout(db, "GK_CT_UBND")          # the office's copy, else the built-in one
    save_layout(db, layout); reset_layout(db, "GK_CT_UBND")
    outcome = print_certificates(db, out, plain=False, progress=..., cancel=...)
    calibrate(db, out)                               # a page per layout to check the blanks
    ceremony(db, out, seats=True)                     # the list the MC reads from (.docx)

Who is awarded comes from one place, :func:`list_awardees` (via :func:`_awardee`): the award
register's entries of the decisions issued here (number and date from the register), and the
candidates the council approved whose decision is not issued yet (number and date given by the
caller, so certificates can be prepared before the decision is entered).

The office's edited layouts are stored as JSON in the Setting table ("certificates.layout.<CODE>"),
so every PC of a shared office prints with the same positions; each is checked when read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session

from bdhvs_desktop.documents import certificate_layout as cl
from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.documents.certificates import (  # noqa: F401
    Awardee,
    CertificateError,
    CertificatesCancelled,
    calibration_pdf,
    certificates_pdf,
    write_pdf,
)
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

LAYOUT_SETTING = "certificates.layout."
AWARDED_STATUSES = (vocab.CandidateStatus.APPROVED, vocab.CandidateStatus.ISSUED)
#: Ceremony and printing order of award levels: the higher award is called first.
LEVEL_ORDER = {"province": 0, "ward": 1}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class AwardFormInfo:
    code: str
    name: str
    level: str
    issuer: str
    format: str  # "state" | "party"


@dataclass(frozen=True)
class PrintOutcome:
    path: Path
    count: int
    per_form: tuple[tuple[str, int], ...]


# ----------------------------------------------------------------------- award forms


def award_form_format(issuer: str | None) -> str:
    """"party" for a party body (Ban Thường vụ Đảng ủy, Tỉnh ủy), "state" for a People's Committee."""
    text = (issuer or "").lower()
    if "ủy ban nhân dân" in text or "uỷ ban nhân dân" in text:
        return "state"
    if "đảng" in text or "tỉnh ủy" in text or "huyện ủy" in text or "thường vụ" in text:
        return "party"
    return "state"


def _form_format(f: m.AwardForm, c: m.Campaign | None = None) -> str:
    """The form set's word first (as the dossier and the decision read it), else the issuer's name."""

    s = object_session(f)
    if c is None and s is not None:
        c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    info = (((c.details or {}).get("award_forms") or {}).get(f.code) or {}) if c is not None else {}
    fmt = info.get("authority")
    return fmt if fmt in ("state", "party") else award_form_format(f.issuer)


def _form_info(f: m.AwardForm, c: m.Campaign | None = None) -> AwardFormInfo:
    return AwardFormInfo(code=f.code, name=f.name, level=f.level or "", issuer=f.issuer or "",
                         format=_form_format(f, c))


def list_award_forms(db: Database) -> list[AwardFormInfo]:
    with db.read() as s:
        return [_form_info(f) for f in s.scalars(select(m.AwardForm).order_by(m.AwardForm.id))]


def _form_by_code(s: Session, code: str) -> m.AwardForm:
    f = s.scalar(select(m.AwardForm).where(m.AwardForm.code == code))
    if f is None:
        codes = ", ".join(s.scalars(select(m.AwardForm.code).order_by(m.AwardForm.id)))
        raise CertificateError(f"Không có hình thức khen thưởng mã “{code}” (có: {codes or 'chưa có'}).")
    return f


# -------------------------------------------------------------------------- layouts


def _read_layout(s: Session, code: str, fmt: str) -> tuple[cl.Layout, bool]:
    row = s.get(m.Setting, LAYOUT_SETTING + code)
    if row is not None and row.value is not None:
        layout = cl.layout_from_dict(row.value, f"{code} (bản của văn phòng)")
        return replace(layout, code=code), True
    return cl.builtin_layout(code, fmt), False


def get_layout(db: Database, code: str) -> cl.Layout:
    """The layout an award form prints with: the office's edited copy, else the built-in one."""
    with db.read() as s:
        f = _form_by_code(s, code)
        return _read_layout(s, code, _form_format(f))[0]


def layout_is_edited(db: Database, code: str) -> bool:
    with db.read() as s:
        row = s.get(m.Setting, LAYOUT_SETTING + code)
        return row is not None and row.value is not None


def default_layout(db: Database, code: str) -> cl.Layout:
    with db.read() as s:
        f = _form_by_code(s, code)
        return cl.builtin_layout(code, _form_format(f))


def save_layout(db: Database, layout: cl.Layout) -> cl.Layout:
    """Store the office's copy of an award form's layout (checked first; audited)."""
    require_role(db, "secretary", action="sửa mẫu in giấy khen")
    checked = cl.layout_from_dict(layout.to_dict(), layout.code or "?")
    with db.session() as s:
        _form_by_code(s, layout.code)
        key = LAYOUT_SETTING + layout.code
        row = s.get(m.Setting, key)
        old = row.value if row else None
        value = checked.to_dict()
        if old == value:
            return checked
        if row is None:
            s.add(m.Setting(key=key, value=value))
        else:
            row.value = value
        audit.record(s, user=db.user, action="update", entity="setting", field=key, old=old, new=value)
    return checked


def reset_layout(db: Database, code: str) -> cl.Layout:
    """Forget the office's copy: the award form prints with the built-in layout again."""
    require_role(db, "secretary", action="sửa mẫu in giấy khen")
    with db.session() as s:
        f = _form_by_code(s, code)
        row = s.get(m.Setting, LAYOUT_SETTING + code)
        if row is not None:
            audit.record(s, user=db.user, action="delete", entity="setting", field=row.key, old=row.value, new=None)
            s.delete(row)
        return cl.builtin_layout(code, _form_format(f))


def import_layout(db: Database, code: str, path: Path) -> cl.Layout:
    layout = cl.load_layout_file(Path(path))
    return save_layout(db, replace(layout, code=code))


def export_layout(db: Database, code: str, path: Path) -> Path:
    layout = get_layout(db, code)
    path = Path(path)
    if path.suffix.lower() not in (".toml", ".json"):
        raise CertificateError(f"Tệp “{path.name}” phải có đuôi .toml hoặc .json.")
    text = cl.layout_to_json(layout) if path.suffix.lower() == ".json" else cl.layout_to_toml(layout)
    return atomic_write_bytes(path, text.encode("utf-8"))


# -------------------------------------------------------------------------- awardees


def _campaign(s: Session) -> m.Campaign:
    c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    if c is None:
        raise CertificateError("Chưa có phong trào trong cơ sở dữ liệu (chạy 'bdhvs init' hoặc 'bdhvs demo').")
    return c


def _decision_symbol(number: str, fmt: str, c: m.Campaign) -> str:
    """A bare number ("123") gets the symbol of the granting body's format: "123/QĐ-UBND"
    (state) or "123-QĐ/ĐU" (party); a full symbol typed by the user is kept as typed."""

    number = (number or "").strip()
    if not number or not number.isdigit():
        return number
    abbrev = "UBND"
    if fmt == "party":
        symbol = ((c.details or {}).get("dossier") or {}).get("doc_symbol") or ""
        abbrev = symbol.split("/", 1)[1] if "/" in symbol and symbol.split("/", 1)[1] else "ĐU"
    return vn_format.document_symbol(number, "QĐ", abbrev, fmt)


def _achievement_line(c: m.Campaign, year: int | None) -> str:
    title = ((c.details or {}).get("dossier") or {}).get("campaign_title") or c.name or ""
    line = f"Đã có thành tích xuất sắc trong {title.strip()}"
    if year:
        line += f" năm {year}"
    return line


def _unit_line(cand: m.Candidate, c: m.Campaign) -> str:
    if cand.subject_type == "person" and cand.person is not None:
        p = cand.person
        parts = [x for x in ((p.position or "").strip(), p.unit.name if p.unit else "") if x]
        return ", ".join(parts)
    unit = cand.unit
    if unit is not None and unit.parent is not None:
        return unit.parent.name
    return (c.locality_full or "").strip()


def _awardee(cand: m.Candidate, c: m.Campaign, decision_number: str, decision_date: dt.date | None,
             record: "m.AwardRecord | None" = None) -> Awardee:
    """The one place an awardee is built from the records: the award register's entry when the
    decision has been issued (its number, date and the name as written on the decision), else
    the approved candidate with the decision number and date given by the caller."""
    person = cand.subject_type == "person"
    if record is not None:
        decision_number, decision_date = record.decision_number or "", record.decision_date
    if person:
        name = cand.person.full_name if cand.person else "?"
        sex = cand.person.sex if cand.person else None
        honorific = {"M": "Ông", "F": "Bà"}.get(sex or "", "Ông/Bà")
    else:
        name = cand.unit.name if cand.unit else "?"
        honorific = ""
    if record is not None and record.subject_name:
        name = record.subject_name
    form = cand.award_form
    info = _form_info(form, c) if form else AwardFormInfo("", "", "", "", "state")
    if record is not None:
        info = AwardFormInfo(code=record.award_code or info.code, name=record.award_name or info.name,
                             level=record.level or info.level, issuer=info.issuer, format=info.format)
    unit_line = _unit_line(cand, c)
    if record is not None and person:
        unit_line = ", ".join(x for x in ((record.position or "").strip(), (record.unit_name or "").strip()) if x)
    year = decision_date.year if decision_date else None
    return Awardee(
        key=f"candidate:{cand.id}", name=name, honorific=honorific, unit_line=unit_line,
        achievement_line=_achievement_line(c, year), award_code=info.code, award_name=info.name,
        award_level=info.level, award_issuer=info.issuer,
        decision_number=(decision_number or "").strip() if record is not None
        else _decision_symbol(decision_number, info.format, c),
        decision_date=decision_date, collective=not person,
        sort_key=(0 if not person else 1, LEVEL_ORDER.get(info.level, 9), info.code, name.casefold(), cand.id))


def _same_decision(symbol: str, wanted: str) -> bool:
    """"123", "123/QĐ-UBND" and "123-QĐ/ĐU" name the same decision as typed or as a bare number."""

    symbol, wanted = " ".join(symbol.split()).casefold(), " ".join(wanted.split()).casefold()
    if not wanted:
        return False
    if symbol == wanted:
        return True
    return wanted.isdigit() and re.split(r"[/-]", symbol, maxsplit=1)[0].strip() == wanted


def list_awardees(db: Database, *, decision: str | None = None, decision_date: dt.date | None = None,
                  award_form: str | None = None) -> list[Awardee]:
    """Who receives a certificate, in the order they are called: collectives first, then
    individuals, the higher award level first, then by award form and name.

    Candidates whose award decision was issued are read from the award register (their
    decision's number and date). *decision* names a decision of the register ("15" or
    "15/QĐ-UBND"): only its awards are listed. Candidates the council approved whose decision
    is not in the register yet are printed with *decision* and *decision_date* as given --
    all of them when *decision* names no decision of the register."""
    with db.read() as s:
        c = _campaign(s)
        if award_form:
            _form_by_code(s, award_form)
        q = (select(m.Candidate)
             .where(m.Candidate.status.in_([str(x) for x in AWARDED_STATUSES]))
             .options(joinedload(m.Candidate.unit).joinedload(m.Unit.parent),
                      joinedload(m.Candidate.person).joinedload(m.Person.unit),
                      joinedload(m.Candidate.award_form)))
        cands = list(s.scalars(q).unique())
        records: dict[int, m.AwardRecord] = {}
        if cands and hasattr(m, "AwardRecord"):
            ids = [x.id for x in cands]
            for i in range(0, len(ids), 500):
                for rec in s.scalars(select(m.AwardRecord).where(
                        m.AwardRecord.candidate_id.in_(ids[i:i + 500]),
                        m.AwardRecord.source == vocab.AwardSource.ISSUED.value)):
                    records[rec.candidate_id] = rec
        issued = [_awardee(x, c, "", None, records[x.id]) for x in cands if x.id in records]
        pending = [_awardee(x, c, decision or "", decision_date) for x in cands if x.id not in records]
    if decision:
        chosen = [a for a in issued if _same_decision(a.decision_number, decision)]
        result = chosen if chosen else pending
    else:
        result = issued + pending
    if award_form:
        result = [a for a in result if a.award_code == award_form]
    return sorted(result, key=lambda a: a.sort_key)


def place(db: Database) -> str:
    with db.read() as s:
        return (_campaign(s).locality or "").strip()


# -------------------------------------------------------------------------- printing


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
        awardees = list_awardees(db, decision=decision, decision_date=decision_date, award_form=award_form)
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
                _form_by_code(s, award_form)
    layouts = [get_layout(db, f.code) for f in forms]
    sample = None
    if with_sample:
        sample = Awardee(key="sample", name="Nguyễn Thị Thanh Hương", honorific="Bà",
                         unit_line="Bí thư Chi bộ, Trưởng khu phố 3, phường La Gi",
                         achievement_line="Đã có thành tích xuất sắc trong phong trào thi đua “Bình dân học vụ số”",
                         award_code="", award_name="", award_level="", award_issuer="",
                         decision_number="123/QĐ-UBND", decision_date=dt.date(2026, 12, 5), collective=False)
    return write_pdf(Path(out), calibration_pdf(layouts, sample=sample, place=place(db)))


# --------------------------------------------------------------------------- ceremony


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
        awardees = list_awardees(db, decision=decision, decision_date=decision_date)
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
        c = _campaign(s)
        title = ((c.details or {}).get("dossier") or {}).get("campaign_title") or c.name
        locality = c.locality_full or c.locality or ""
    try:
        return write_ceremony(Path(out), awardees, campaign_title=title, locality=locality, seats=seats,
                              seats_per_row=seats_per_row, first_row=first_row)
    except CeremonyError as exc:
        raise CertificateError(str(exc)) from exc
