"""What a ward's proposal package to the province carries: the candidates the council approved for
an award form of the level asked for (refused while any is still undecided), each with its key and
identity in package.json, the ward's code, the council's rules and votes, read in one snapshot;
and the Tờ trình of the final dossier that carry only those candidates."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import dossier as dossier_service
from bdhvs_desktop.storage import models as m

PENDING = (vocab.CandidateStatus.PROPOSED, vocab.CandidateStatus.REVIEWED)


WARD_CODE_SETTING = "package.ward_code"


WARD_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,60}$")


class PackageExportError(Exception):
    """The package cannot be exported; the message is Vietnamese and says why and what to do."""


class ExportCancelled(PackageExportError):
    def __init__(self) -> None:
        super().__init__("Đã hủy xuất gói hồ sơ đề nghị; không có tệp nào được ghi.")


def ward_code_of(s: Any, c: m.Campaign) -> str:
    """The ward's code in packages: the office's setting, else the ward's name as an ASCII slug."""
    from bdhvs_desktop.documents.dossier_writer import slugify  # lazy: start-up

    row = s.get(m.Setting, WARD_CODE_SETTING)
    code = str(row.value).strip() if row is not None and row.value else ""
    return code or slugify(c.locality_full or c.locality or c.code, 60).upper()


def candidates_for(s: Any, c: m.Campaign, level: str) -> list[m.Candidate]:
    rows = list(s.scalars(select(m.Candidate).join(m.AwardForm, m.Candidate.award_form_id == m.AwardForm.id)
                          .where(m.Candidate.campaign_id == c.id, m.AwardForm.level == level)))
    pending = [x for x in rows if x.status in PENDING]
    if pending:
        names = "; ".join(f"{dossier_service._subject_name(x)} ({x.award_form.name})" for x in pending[:10])
        raise PackageExportError(
            f"Hội đồng Thi đua - Khen thưởng chưa quyết định {len(pending)} hồ sơ đề nghị khen thưởng cấp tỉnh: "
            f"{names}. Hãy ghi kết quả biểu quyết và quyết định (bdhvs council decide) trước khi xuất gói.")
    chosen = [x for x in rows if x.status in dossier_service.ISSUED_STATUSES]
    if not chosen:
        what = (f" ({len(rows)} hồ sơ đề nghị cấp tỉnh đều không được thông qua)" if rows else "")
        raise PackageExportError("Không có tập thể, cá nhân nào được Hội đồng thông qua đề nghị khen thưởng cấp tỉnh"
                                 f"{what}; không có gì để xuất.")
    return chosen


def _key(cand: m.Candidate) -> str:
    if cand.subject_type == "unit":
        code = cand.unit.code if cand.unit else ""
        return f"U-{code}" if WARD_CODE_PATTERN.match(code) else f"U-ID{cand.unit_id}"
    cccd = cand.person.cccd if cand.person else None
    return f"P-{cccd}" if cccd else f"P-ID{cand.person_id}"


def _unit_path(unit: m.Unit | None) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    while unit is not None and unit.id not in seen:
        seen.add(unit.id)
        out.append(unit.name)
        unit = unit.parent
    return out[::-1]


def iso_day(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def text_or_none(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


@dataclass
class Selection:
    """What the export read in one snapshot, as plain data (candidates in the dossier's order)."""

    ids: list[int]
    keys: dict[int, str]
    subjects: dict[int, tuple[str, int]]
    base: dict[int, dict]  # each candidate's identity fields of package.json
    meetings: dict[int, int | None]
    summaries: dict[int, str]
    votes: dict[tuple[int, int], tuple[int, int, int]]
    rules: dict[str, Any]
    ward: dict
    campaign: dict


def select_candidates(s: Any, ids: list[int], ward_code: str | None) -> Selection:
    c = dossier_service._campaign(s)
    cands = [s.get(m.Candidate, cid) for cid in ids]
    code = (ward_code or "").strip() or ward_code_of(s, c)
    if not WARD_CODE_PATTERN.match(code):
        raise PackageExportError(f"Mã phường “{code}” dùng trong gói không hợp lệ (chỉ chữ không dấu, số, "
                                 "dấu chấm, gạch, tối đa 61 ký tự); hãy sửa thiết lập package.ward_code.")
    if not (c.province or "").strip():
        raise PackageExportError("Phong trào chưa ghi tên tỉnh (province); gói đề nghị cấp tỉnh cần tên tỉnh.")
    meeting_ids = {x.meeting_id for x in cands if x.meeting_id is not None}
    rules = next((dict(mt.rules or {}) for mt in s.scalars(select(m.CouncilMeeting)
                  .where(m.CouncilMeeting.id.in_(meeting_ids)).order_by(m.CouncilMeeting.held_at))), {})
    base = {}
    for x in cands:
        person = x.person if x.subject_type == "person" else None
        unit = x.unit if x.subject_type == "unit" else (person.unit if person else None)
        form = x.award_form
        base[x.id] = {
            "key": _key(x), "subject_type": x.subject_type, "subject_kind": x.subject_kind,
            "name": dossier_service._subject_name(x), "unit_code": unit.code if unit else None,
            "cccd": person.cccd if person else None, "birth_date": iso_day(person.birth_date) if person else None,
            "birth_year": person.birth_date.year if person and person.birth_date else None,
            "sex": {"M": "male", "F": "female"}.get(person.sex) if person else None,
            "position": text_or_none(person.position) if person else None, "unit_path": _unit_path(unit),
            "award_form": {"code": form.code, "name": form.name, "level": form.level, "issuer": text_or_none(form.issuer)},
            "ward_status": x.status}
    party_unit = s.scalar(select(m.Unit).where(m.Unit.parent_id.is_(None), m.Unit.kind == "dang_bo").limit(1))
    ward_name = (c.locality_full or c.locality or c.name).strip()
    return Selection(
        ids=ids, keys={cid: b["key"] for cid, b in base.items()},
        subjects={x.id: (x.subject_type, x.unit_id if x.subject_type == "unit" else x.person_id) for x in cands},
        base=base, meetings={x.id: x.meeting_id for x in cands}, summaries={x.id: x.summary or "" for x in cands},
        votes={(v.meeting_id, v.candidate_id): (v.votes_for, v.votes_against, v.votes_abstain)
               for v in s.scalars(select(m.Vote).where(m.Vote.candidate_id.in_(ids)))},
        rules={k: text_or_none(v) for k, v in rules.items() if k in ("quorum", "pass", "base")},
        ward={"code": code, "name": ward_name[:1].upper() + ward_name[1:], "province": c.province.strip(),
              "party_org": party_unit.name if party_unit else None, "office": None},
        campaign={"code": c.code, "name": c.name,
                  "plan": text_or_none(((c.details or {}).get("preset") or {}).get("title"))})


def submissions_for(ctxs: Any, sel: Selection) -> list[tuple[str, dc.SubmissionContext, list[str]]]:
    """The Tờ trình that carry only the chosen candidates, with their keys: nominees are matched by
    (name, award) in the dossier's order, so two namesakes proposed for one award stay apart."""

    queue: dict[tuple[str, str], deque[int]] = {}
    for cid in sel.ids:
        b = sel.base[cid]
        queue.setdefault((b["name"], b["award_form"]["name"]), deque()).append(cid)
    out = []
    for name, sub in ctxs.submissions:
        listed = [(n.name, n.award) for n in (*sub.collectives, *sub.individuals)]
        if listed and all(p in queue for p in listed):
            out.append((name, sub, [sel.keys[queue[p].popleft()] for p in listed]))
    return out
