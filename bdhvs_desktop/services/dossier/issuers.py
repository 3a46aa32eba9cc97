"""Who issues, proposes and signs each document: the ward, the council, a unit; the granting
authority of an award and the proposer it implies (party or state format)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain.presets import authority_of
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services.dossier.common import COUNCIL_HEADING, DossierError, DossierSettings
from bdhvs_desktop.storage import models as m


def _abbrev(doc_symbol: str, fmt: str) -> str:
    if fmt == "state":
        return "UBND"
    if "/" in (doc_symbol or ""):
        return doc_symbol.split("/", 1)[1] or "ĐU"
    return "ĐU"


def _ward_issuer(c: m.Campaign, st: DossierSettings, fmt: str | None = None) -> dc.Issuer:
    """The campaign's own level as a body: its party committee ("ĐẢNG BỘ TỈNH … / ĐẢNG ỦY
    PHƯỜNG …", signed for its standing committee) or its People's Committee."""
    header = (c.details or {}).get("preset") or {}
    dossier = (c.details or {}).get("dossier") or {}
    place = c.locality or ""
    fmt = fmt or (st.issuer_format if st.issuer_format in ("party", "state") else "state")
    if fmt == "party":
        name = header.get("issuer_party") or f"ĐẢNG ỦY {(c.locality_full or '').upper()}"
        return dc.Issuer(format="party", name=name, abbreviation=_abbrev(dossier.get("doc_symbol", ""), "party"),
                         place=place, parent_name=header.get("issuer_party_parent") or "",
                         signer_authority=dossier.get("signing_authority") or "T/M BAN THƯỜNG VỤ",
                         signer_title=st.signer_title or "PHÓ BÍ THƯ", signer_name=st.signer_name,
                         name_in_text=f"Ban Thường vụ {_party_committee(c)}")
    name = header.get("issuer_state") or f"ỦY BAN NHÂN DÂN {(c.locality_full or '').upper()}"
    return dc.Issuer(format="state", name=name, abbreviation="UBND", place=place,
                     signer_authority="TM. ỦY BAN NHÂN DÂN", signer_title=st.signer_title or "CHỦ TỊCH",
                     signer_name=st.signer_name, name_in_text=f"Ủy ban nhân dân {c.locality_full or place}")


def _party_committee(c: m.Campaign) -> str:
    """"Đảng ủy phường La Gi", "Tỉnh ủy Sơn La"."""
    loc = c.locality_full or c.locality or ""
    if loc.lower().startswith("tỉnh "):
        return f"Tỉnh ủy {loc[5:]}"
    return f"Đảng ủy {loc}"


def _party_parent(c: m.Campaign) -> str:
    """The party organisation of the campaign's level, the first line of the heading of
    anything under its committee (Hướng dẫn 36-HD/VPTW): "ĐẢNG BỘ PHƯỜNG LA GI"."""
    return f"ĐẢNG BỘ {(c.locality_full or c.locality or '').upper()}".strip()


def _council_issuer(c: m.Campaign, st: DossierSettings, chair: dc.Person, fmt: str = "state") -> dc.Issuer:
    """The emulation council as the author of its minutes: the People's Committee's council
    ("ỦY BAN NHÂN DÂN PHƯỜNG … / HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"); in the party format (every
    award it considered is the party's) under "ĐẢNG BỘ PHƯỜNG …"."""
    ward = _ward_issuer(c, st, "state")
    return dc.Issuer(format=fmt, name=COUNCIL_HEADING, abbreviation="HĐTĐKT",
                     place=ward.place, parent_name=ward.name if fmt == "state" else _party_parent(c),
                     signer_title="CHỦ TỊCH HỘI ĐỒNG", signer_name=chair.name,
                     name_in_text=f"Hội đồng Thi đua - Khen thưởng {c.locality_full or ward.place}")


def _unit_issuer(c: m.Campaign, st: DossierSettings, unit: m.Unit | None, fmt: str | None = None) -> dc.Issuer:
    """The heading of a unit's own report, in the format of the award it proposes (*fmt*;
    without it, a party organisation writes as one and any other unit as a state body).
    In the party format a party organisation's parent line is "ĐẢNG BỘ PHƯỜNG …"
    (Hướng dẫn 36-HD/VPTW); in the state format a unit under the People's Committee
    carries it as its parent line, a party organisation none."""
    fmt = fmt or ("party" if unit is not None and unit.is_party_org else "state")
    if unit is None:
        return _ward_issuer(c, st, fmt)
    ward = _ward_issuer(c, st, "state")
    if fmt == "party":
        parent_name = _party_parent(c) if unit.is_party_org else ""
    else:
        parent_name = "" if unit.is_party_org else ward.name
    title = (unit.head_title or ("BÍ THƯ" if unit.is_party_org else "THỦ TRƯỞNG ĐƠN VỊ")).upper()
    return dc.Issuer(format=fmt, name=unit.name.upper(), abbreviation=_unit_abbrev(unit), place=ward.place,
                     parent_name=parent_name, signer_authority="", signer_title=title,
                     signer_name=unit.head_name or "", name_in_text=unit.name)


@dataclass(frozen=True)
class Authority:
    """Who grants an award form, hence where its Tờ trình goes and in which format."""

    #: "state" | "party".
    format: str
    #: "Chủ tịch Ủy ban nhân dân phường La Gi".
    name: str
    #: "Kính gửi" of the Tờ trình.
    recipient: str
    #: True when the authority is of the campaign's own level (the ward's chairman).
    own_level: bool


def _authority(c: m.Campaign, af: m.AwardForm | None) -> Authority:

    if af is None:
        raise DossierError("Có ứng viên chưa chọn hình thức khen thưởng; hãy chọn trước khi lập hồ sơ.")
    info = ((c.details or {}).get("award_forms") or {}).get(af.code) or {}
    name = (af.issuer or "").strip()
    fmt = info.get("authority") or authority_of(name) or authority_of(af.name)
    if fmt not in ("state", "party"):
        raise DossierError(f"Hình thức khen thưởng “{af.name}” ({af.code}): không rõ thẩm quyền khen là cơ quan nhà "
                           f"nước hay của Đảng (“{name or 'chưa ghi'}”); hãy ghi authority trong preset.")
    if not name:
        raise DossierError(f"Hình thức khen thưởng “{af.name}” ({af.code}) chưa ghi người/cơ quan khen (issuer).")

    loc = c.locality_full or c.locality or ""
    own = bool(loc) and fold(loc) in fold(name)
    return Authority(format=fmt, name=name, recipient=info.get("recipient") or name, own_level=own)


def _proposer(c: m.Campaign, st: DossierSettings, auth: Authority, chair_name: str, office_head: str = "") -> dc.Issuer:
    """The body that sends the Tờ trình to *auth*: the council of the campaign's level (its
    standing office on the party side) or the level below the authority (the ward)."""
    if st.issuer_format in ("party", "state") and st.issuer_format != auth.format:
        words = {"state": "văn bản hành chính (Nghị định 30/2020/NĐ-CP)", "party": "văn bản của Đảng (Hướng dẫn "
                 "36-HD/VPTW)"}
        raise DossierError(f"Tờ trình gửi {auth.name} phải theo thể thức {words[auth.format]}, nhưng thiết lập thể "
                           f"thức đang là “{st.issuer_format}”. Đặt lại: bdhvs dossier settings --issuer-format auto.")
    who = st.issuer if st.issuer in ("council", "ward") else ("council" if auth.own_level else "ward")
    loc = c.locality_full or c.locality or ""
    place = c.locality or ""
    if who == "ward":
        issuer = _ward_issuer(c, st, auth.format)

        body = issuer.text_name.removeprefix("Ban Thường vụ ").strip()
        if fold(body) in fold(auth.name):
            raise DossierError(f"{issuer.text_name} không thể trình chính {auth.name}: Tờ trình do Hội đồng Thi đua "
                               "- Khen thưởng (hoặc cơ quan thường trực) gửi người có thẩm quyền khen. Đặt lại: "
                               "bdhvs dossier settings --issuer council (hoặc auto).")
        return issuer
    if auth.format == "state":
        ward = _ward_issuer(c, st, "state")
        return dc.Issuer(format="state", name=COUNCIL_HEADING, abbreviation="HĐTĐKT", place=place,
                         parent_name=ward.name, signer_authority="TM. HỘI ĐỒNG",
                         signer_title=st.signer_title or "CHỦ TỊCH",
                         # The office's setting, else the council's chair as the minutes name him.
                         signer_name=st.signer_name or chair_name,
                         name_in_text=f"Hội đồng Thi đua - Khen thưởng {loc}")
    province = _party_committee(c).startswith("Tỉnh ủy")
    office = "Văn phòng Tỉnh ủy" if province else "Văn phòng Đảng ủy"
    return dc.Issuer(format="party", name=office.upper(), abbreviation="VPTU" if province else "VPĐU", place=place,
                     parent_name=_party_parent(c), signer_authority="",
                     signer_title=st.signer_title or "CHÁNH VĂN PHÒNG",
                     # The office's setting, else the office head as the minutes list him.
                     signer_name=st.signer_name or office_head,
                     name_in_text=f"Văn phòng {_party_committee(c)}")


_KIND_SYMBOL = {"chi_bo": "CB", "dang_bo": "ĐU"}


def _unit_abbrev(unit: m.Unit) -> str:
    """Symbol of a unit's own document: "CB" (chi bộ), "ĐU" (đảng ủy), else the initials."""

    if unit.kind in ("chi_bo", "dang_bo"):
        return _KIND_SYMBOL[unit.kind]
    plain = re.sub(r"\([^)]*\)", "", unit.name)
    words = [w for w in plain.split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:6]) or "ĐV"
