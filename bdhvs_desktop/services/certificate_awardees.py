"""Who gets a certificate, and the lines printed on it, from the records.

One place, :func:`list_awardees`: the award register's entries of the decisions issued here
(number and date from the register), and the candidates the council approved whose decision is
not issued yet (number and date given by the caller, so certificates can be prepared before the
decision is entered).

    awardees = list_awardees(db, decision="123", decision_date=date)   # who gets one"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.certificates import (
    Awardee,
    CertificateError,
)
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.certificate_layouts import AwardFormInfo, form_by_code, form_info
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

AWARDED_STATUSES = (vocab.CandidateStatus.APPROVED, vocab.CandidateStatus.ISSUED)


#: Ceremony and printing order of award levels: the higher award is called first.
LEVEL_ORDER = {"province": 0, "ward": 1}


def campaign_of(s: Session) -> m.Campaign:
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
             record: m.AwardRecord | None = None) -> Awardee:
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
    info = form_info(form, c) if form else AwardFormInfo("", "", "", "", "state")
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
        c = campaign_of(s)
        if award_form:
            form_by_code(s, award_form)
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
        return (campaign_of(s).locality or "").strip()
