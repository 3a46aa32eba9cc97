"""What the province office's own dossier prints: its Tờ trình to the province's granting
authority (one per authority), citing each ward's proposal, with the list grouped by ward, and
the minutes of the province's council. Written by services/province_dossier.py.

    ctxs = build_province_contexts(db, draft=False, at=day)     # what would be printed

The candidates are the wards' proposals imported by services/province.py: ordinary `candidate`
rows of the province's campaign, each linked to its `ward_proposal` and through it to the
ward's package (ward name, the ward's Tờ trình number and date). The province's council
considers them with the ordinary council features (one file per person: a final dossier with the
same person approved twice is refused); what it approved goes into one Tờ trình per granting
authority (as the ward's dossier does), each ward cited in the legal bases and given its own
group in the attached list. The settings (number, date, signer, form set) are the dossier
settings of services/dossier, which also provides the council's minutes.

The province office's own identity (its People's Committee, party committee, place) is the
province named by the plan (`campaign.province`), whatever ward the preset was written for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents.province_context import ProvinceSubmissionContext, WardGroup
from bdhvs_desktop.domain.text import fold
from bdhvs_desktop.services import dossier as ward_dossier
from bdhvs_desktop.services.council.twins import TwinApproved, refuse_twins_among
from bdhvs_desktop.services.dossier import DossierError
from bdhvs_desktop.services.office import OfficeError, require_province
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database

PROVINCE_SUBMISSION_FILE = "to-trinh-tinh.docx"


@dataclass(frozen=True)
class ProvinceContexts:
    #: One Tờ trình per granting authority: (file name, context).
    submissions: tuple[tuple[str, ProvinceSubmissionContext], ...]
    minutes_docs: tuple[ward_dossier.MinutesDocument, ...]
    candidate_ids: tuple[int, ...]
    notes: tuple[str, ...] = ()


class _ProvinceCampaign:
    """The province's campaign seen as the province office: locality "tỉnh Lâm Đồng", the
    province's People's Committee and party committee as issuers, and only the plan references
    that are not the ward's own (a preset written for a ward names its ward in them)."""

    def __init__(self, c: m.Campaign):
        self._c = c
        province = (c.province or "").strip()
        if not province:
            raise DossierError("Phong trào của văn phòng tỉnh chưa ghi tên tỉnh (khóa province của kế hoạch mẫu); "
                               "không lập được Tờ trình của tỉnh.")
        own = (c.locality_full or "").lower().startswith("tỉnh ")
        self.locality = c.locality if own else province
        self.locality_full = c.locality_full if own else f"tỉnh {province}"
        details = dict(c.details or {})
        header = dict(details.get("preset") or {})
        dossier = dict(details.get("dossier") or {})
        if not own:
            header["issuer_state"] = f"ỦY BAN NHÂN DÂN\nTỈNH {province.upper()}"
            header["issuer_party"] = f"TỈNH ỦY {province.upper()}"
            header["issuer_party_parent"] = f"ĐẢNG BỘ TỈNH {province.upper()}"
            ward = fold(c.locality or "")
            dossier["plan_ref"] = [ref for ref in dossier.get("plan_ref") or () if not ward or ward not in fold(ref)]
        details["preset"], details["dossier"] = header, dossier
        self.details = details

    def __getattr__(self, name: str) -> Any:
        return getattr(self._c, name)


def _campaign_name(c: Any) -> str:
    name = ((c.details or {}).get("dossier") or {}).get("campaign_title") or c.name
    return name[0].upper() + name[1:] if name else name


def _proposals(s: Session, cands: list[m.Candidate]) -> dict[int, tuple[pm.WardProposal, pm.WardPackage]]:
    rows = s.execute(select(pm.WardProposal, pm.WardPackage)
                     .join(pm.WardPackage, pm.WardProposal.package_id == pm.WardPackage.id)
                     .where(pm.WardProposal.candidate_id.in_([x.id for x in cands]))).all()
    return {wp.candidate_id: (wp, pkg) for wp, pkg in rows}


def _ward_proposal(pkg: pm.WardPackage, keys: set[str]) -> tuple[str, dt.date | None, str]:
    """(the ward's Tờ trình number as printed, its date, who sent it) for the candidates *keys*:
    the ward's submission that carries them (a ward sends one Tờ trình per granting authority),
    else the package's proposal."""
    data = pkg.ward_data or {}
    proposal = data.get("proposal") if isinstance(data.get("proposal"), dict) else {}
    chosen: dict[str, Any] = {}
    for sub in proposal.get("submissions") or ():
        if isinstance(sub, dict) and keys & set(sub.get("candidates") or ()):
            chosen = sub
            break
    number = str(chosen.get("number") or proposal.get("number") or pkg.proposal_number or "").strip()
    day = _date(chosen.get("date")) or pkg.proposal_date
    ward = data.get("ward") if isinstance(data.get("ward"), dict) else {}
    place = pkg.ward_name[:1].lower() + pkg.ward_name[1:]  # "phường Bình Minh"
    if chosen.get("authority") == "party":
        proposer = f"Ban Thường vụ Đảng ủy {place}"
    elif chosen.get("authority") == "state":
        proposer = f"Ủy ban nhân dân {place}"
    else:
        proposer = str(ward.get("office") or pkg.ward_name)
    return number, day, " ".join(proposer.split())


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _summary(cand: m.Candidate, wp: pm.WardProposal) -> str:
    narrative = wp.narrative or {}
    text = narrative.get("summary") if isinstance(narrative, dict) else None
    return str(text or cand.summary or "")


def _proposer(view: _ProvinceCampaign, st: ward_dossier.DossierSettings, auth: ward_dossier.Authority,
              chair_name: str, office_head: str) -> dc.Issuer:
    """The province's council (state awards) or the provincial party office (party awards): the
    ward's rule for a council of the campaign's own level, at the province."""
    # The province is the authority's own level: its council (its party office) always sends.
    return ward_dossier._proposer(view, replace(st, issuer="council"), auth, chair_name, office_head)


def build_province_contexts(db: Database, *, draft: bool = False, at: dt.date | None = None,
                            settings: ward_dossier.DossierSettings | None = None) -> ProvinceContexts:
    """What the province's dossier prints, from the province council's results as of *at*."""

    at = at or dt.date.today()
    with db.read() as s:
        try:
            c = require_province(s)
        except OfficeError as exc:
            raise DossierError(str(exc)) from exc
        st = settings or ward_dossier._read_settings(s)
        cands = ward_dossier._candidates(s, c.id, draft)
        if not cands:
            raise DossierError(
                "Hội đồng của tỉnh chưa thông qua hồ sơ đề nghị nào của các phường; chưa có gì để trình. "
                "Lập bản dự thảo (--draft) để xem danh sách các hồ sơ đã đề nghị." if not draft
                else "Chưa có hồ sơ đề nghị nào của các phường (hãy nhập gói hồ sơ của phường trước).")
        if not draft:  # one file per person: approved twice before the council refused it
            try:
                refuse_twins_among(s, {x.id for x in cands})
            except TwinApproved as exc:
                raise DossierError(str(exc)) from exc
        proposals = _proposals(s, cands)
        orphans = [ward_dossier._subject_name(x) for x in cands if x.id not in proposals]
        if orphans:
            raise DossierError("Tờ trình của tỉnh chỉ trình hồ sơ do các phường gửi; không tìm thấy gói hồ sơ của "
                               "phường nào cho: " + ", ".join(orphans) + ".")
        view = _ProvinceCampaign(c)
        campaign_name = _campaign_name(view)
        date = (st.date or at) if not draft else None
        minutes_docs, _ = ward_dossier._minutes_documents(s, view, st, cands, campaign_name, draft, at)
        chair_name = next((d.context.chair.name for d in reversed(minutes_docs) if d.context.chair.name), "")
        office_head = next((x.name for d in reversed(minutes_docs) for x in d.context.members
                            if fold(x.position or "").startswith("chanh van phong")), "")
        authorities = {x.id: ward_dossier._authority(view, x.award_form) for x in cands}
        groups: dict[tuple[str, str], list[m.Candidate]] = {}
        for x in cands:
            groups.setdefault((authorities[x.id].format, authorities[x.id].name), []).append(x)
        order = sorted(groups, key=lambda k: (k[0] != "state", fold(k[1])))
        if st.recipient and len(order) > 1:
            raise DossierError(f"Hồ sơ có {len(order)} Tờ trình gửi {len(order)} cấp có thẩm quyền khác nhau; "
                               f"không dùng một “Kính gửi” chung (“{st.recipient}”). Xóa thiết lập: "
                               "bdhvs dossier settings --recipient \"\".")
        from bdhvs_desktop.documents.dossier_writer import slugify  # lazy: start-up

        legal = tuple(f"Căn cứ {ref.rstrip(';. ')};" for ref in view.details["dossier"].get("plan_ref") or ())
        submissions = []
        for key in order:
            group = groups[key]
            auth = authorities[group[0].id]
            issuer = _proposer(view, st, auth, chair_name, office_head)
            wards = _ward_groups(group, proposals, draft)
            awards = {x.award_form.name for x in group if x.award_form}
            citations = ward_dossier._citations_for(minutes_docs, group)
            name = PROVINCE_SUBMISSION_FILE if len(order) == 1 else \
                f"{PROVINCE_SUBMISSION_FILE.removesuffix('.docx')}-{slugify(auth.name, 40)}.docx"
            submissions.append((name, ProvinceSubmissionContext(
                issuer=issuer, number=dc.DocumentNumber(kind="TTr", number=st.number or None), date=date,
                recipient=st.recipient or auth.recipient, campaign_name=campaign_name, wards=wards,
                legal_bases=legal, award_name=awards.pop() if len(awards) == 1 else "",
                body="\n".join(x.summary for x in citations),
                recipients=("Như trên;", f"Lưu: VT, {issuer.abbreviation}."), draft=draft,
                meetings=tuple(citations))))
        if not draft:
            ward_dossier.check_counts([x for _n, x in submissions], minutes_docs)
        return ProvinceContexts(submissions=tuple(submissions), minutes_docs=tuple(minutes_docs),
                                candidate_ids=tuple(x.id for x in cands))


def _ward_groups(cands: list[m.Candidate], proposals: dict[int, tuple[pm.WardProposal, pm.WardPackage]],
                 draft: bool) -> tuple[WardGroup, ...]:
    """The candidates grouped by the ward package that proposed them, wards by name."""
    by_package: dict[int, list[m.Candidate]] = {}
    packages: dict[int, pm.WardPackage] = {}
    for cand in cands:
        wp, pkg = proposals[cand.id]
        by_package.setdefault(pkg.id, []).append(cand)
        packages[pkg.id] = pkg
    out = []
    for position, pid in enumerate(sorted(packages, key=lambda p: (fold(packages[p].ward_name), packages[p].ward_code)),
                                   start=1):
        pkg = packages[pid]
        symbol, day, proposer = _ward_proposal(pkg, {proposals[x.id][0].candidate_key for x in by_package[pid]})
        nominees = [(x, ward_dossier._nominee(x, draft, _summary(x, proposals[x.id][0]))) for x in by_package[pid]]
        out.append(WardGroup(position=position, ward_name=pkg.ward_name, proposer=proposer, proposal_symbol=symbol,
                             proposal_date=day,
                             collectives=tuple(n for x, n in nominees if x.subject_type == "unit"),
                             individuals=tuple(n for x, n in nominees if x.subject_type != "unit")))
    return tuple(out)
