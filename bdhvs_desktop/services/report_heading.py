"""Who issues a printed report: the campaign, the issuing body's name, and the ward's heading in the
format the dossier settings choose (party or state), with a number left blank for the clerk,
place and date, and the signer the settings name. Bad input to a report is a ReportInputError."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.report_data import (
    Heading,
)
from bdhvs_desktop.services.dossier import load_settings
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


class ReportInputError(ServiceError):
    """Bad input for a report (unknown kind, suffix); the message is Vietnamese."""


def first_campaign(s) -> m.Campaign | None:
    return s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))


def issuer_name_of(c: m.Campaign | None) -> str:
    header = (c.details or {}).get("preset", {}) if c else {}
    return header.get("issuer_party") or header.get("issuer_state") or (c.locality_full or "").upper() if c else ""


def dossier_settings(db: Database):
    return load_settings(db)


def ward_heading(st, c: m.Campaign, as_of: dt.date, kind: str) -> Heading:
    """The ward's heading in the format the dossier settings `st` choose (party or state), with a
    number left blank for the clerk, place and date, and the signer the dossier settings name."""

    header = (c.details or {}).get("preset") or {}
    dossier = (c.details or {}).get("dossier") or {}
    place = c.locality or ""
    locality = c.locality_full or place
    if st.issuer_format == "state":
        name = header.get("issuer_state") or f"ỦY BAN NHÂN DÂN {locality.upper()}"
        return Heading("state", name, "", vn_format.document_number(None, kind, "UBND", "state"),
                       vn_format.vn_date(as_of, place),
                       (("TM. ỦY BAN NHÂN DÂN", st.signer_title or "CHỦ TỊCH", st.signer_name),),
                       ("Thường trực Đảng ủy phường (để báo cáo);", "Các cơ quan, đơn vị trực thuộc;", "Lưu: VT."))
    name = header.get("issuer_party") or f"ĐẢNG ỦY {locality.upper()}"
    symbol = dossier.get("doc_symbol") or ""
    abbreviation = symbol.split("/", 1)[1] if "/" in symbol and symbol.split("/", 1)[1] else "ĐU"
    return Heading("party", name, header.get("issuer_party_parent") or "",
                   vn_format.document_number(None, kind, abbreviation, "party"), vn_format.vn_date(as_of, place),
                   ((dossier.get("signing_authority") or "T/M BAN THƯỜNG VỤ", st.signer_title or "PHÓ BÍ THƯ",
                     st.signer_name),),
                   ("Thường trực Đảng ủy (để báo cáo);", "Các chi bộ, đảng bộ trực thuộc;", "Lưu Văn phòng Đảng ủy."))
