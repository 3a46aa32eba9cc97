"""Writing one checked package of a ward into the province's database, inside the caller's transaction.

The package row and its file byte for byte, one ordinary `candidate` of the province's campaign per
proposed subject (so the council works unchanged) with its person or unit inside the ward's scope
(services/province_scope.py), the ward's proposal of each (facts, figures, votes, scores), where each
document sits in the file, the first stored scores, and one audit entry. Bulk inserts: a package is
a handful of statements. A cancel between steps raises ImportCancelled (the caller rolls back)."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.text import clean, fold, name_key
from bdhvs_desktop.domain.vocab import CandidateStatus
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.province_check import Checked, signature_phrase
from bdhvs_desktop.services.province_replace import supersede
from bdhvs_desktop.services.province_scope import ensure_units, unit_path
from bdhvs_desktop.services.province_score_store import facts_digest, store_scores, ward_approval
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm

_SEX = {"male": "M", "female": "F"}


class ImportCancelled(Exception):
    """The user cancelled: the package being written is rolled back."""


def package_date(value: str | None) -> dt.date | None:
    """A date of the package (ISO text), or None."""
    return dt.date.fromisoformat(value) if value else None


def package_time(value: str | None) -> dt.datetime | None:
    """A time of the package (ISO text) as naive UTC; None when missing or unreadable."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def member_offsets(blob: bytes) -> dict[str, tuple[int, int]]:
    """Where each member's data starts in a STORED ZIP, and its size: {name: (offset, size)}."""
    out: dict[str, tuple[int, int]] = {}
    pos = 0
    header = struct.Struct("<IHHHHHIIIHH")
    while pos + header.size <= len(blob) and blob[pos:pos + 4] == b"PK\x03\x04":
        fields = header.unpack_from(blob, pos)
        csize, nlen, xlen = fields[7], fields[9], fields[10]
        name = blob[pos + header.size:pos + header.size + nlen].decode("utf-8")
        start = pos + header.size + nlen + xlen
        out[name] = (start, csize)
        pos = start + csize
    return out


def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


class PackageWriter:
    """Writes one checked package inside the caller's transaction."""

    def __init__(self, s: Session, checked: Checked, campaign: m.Campaign, user: str,
                 cancel: Callable[[], bool] | None, scope: m.Unit, replaced: list[pm.WardPackage]):
        self.s = s
        self.scope = scope
        self.replaced = replaced  # the ward's packages this one supersedes
        self.replaced_note = ""
        self.checked = checked
        self.o = checked.opened
        self.campaign = campaign
        self.user = user
        self.cancel = cancel

    def run(self) -> int:
        s, o, data = self.s, self.o, self.o.data
        scope = self.scope
        forms = self._award_forms()
        proposal = data.get("proposal") or {}
        signer = proposal.get("signer") or {}
        package = pm.WardPackage(
            package_id=o.package_id, file_sha256=o.sha256, file_name=self.checked.path.name[:300], file_size=o.size,
            schema_version=o.schema_version, ward_unit_id=scope.id, ward_code=o.ward_code, ward_name=o.ward_name,
            province=data["ward"].get("province"), campaign_code=data["campaign"].get("code"),
            campaign_name=data["campaign"].get("name"), level=data.get("level"),
            proposal_number=proposal.get("number"), proposal_date=package_date(proposal.get("date")),
            proposal_signer=", ".join(x for x in (signer.get("name"), signer.get("position")) if x) or None,
            created_at=package_time(o.created_at), signer_subject=self.checked.signer,
            signed_at=naive_utc(self.checked.signed_at), trusted=self.checked.trusted,
            verification=self.checked.verification, candidate_count=len(data["candidates"]),
            ward_data={k: v for k, v in data.items() if k != "candidates"},
            imported_at=m.utcnow(), imported_by=self.user)
        s.add(package)
        s.flush()
        if self.replaced:  # in this transaction: a failure below leaves the old package current
            withdrawn = supersede(s, self.replaced, package, self.user)
            files = ", ".join(p.file_name for p in self.replaced)
            self.replaced_note = (f" Gói này thay thế gói trước của phường ({files}; rút {len(withdrawn)} hồ sơ cũ, "
                                  "gói cũ được giữ lại làm lịch sử).")
        s.add(pm.WardPackageFile(package_id=package.id, content=self.checked.blob))
        cands = data["candidates"]
        proposed_at = dt.datetime.combine(package.proposal_date, dt.time()) if package.proposal_date else package.imported_at
        # Bulk inserts (one statement per table, ids returned in order): a package is ~5 statements, not ~150.
        paths = [unit_path(c) for c in cands]
        unit_ids = ensure_units(s, o.ward_code, scope, paths, cands)
        self._check_cancel()
        persons = [(i, c) for i, c in enumerate(cands) if c["subject_type"] == "person"]
        person_ids = dict(zip((i for i, _c in persons), self._insert_ids(m.Person, [
            self._person_row(c, unit_ids[paths[i]] if paths[i] else scope.id) for i, c in persons])))
        self._check_cancel()
        cand_ids = self._insert_ids(m.Candidate, [
            self._candidate_row(c, forms, proposed_at, unit_ids[paths[i]] if c["subject_type"] == "unit" else None,
                                person_ids.get(i)) for i, c in enumerate(cands)])
        self._check_cancel()
        votes = self._votes_by_key(data)
        s.execute(insert(pm.WardProposal), [self._proposal_row(c, cid, package, scope, votes)
                                            for c, cid in zip(cands, cand_ids)])
        store_scores(s, package.id)  # the first ranking, on any workstation, reads them
        self._check_cancel()
        owner_of: dict[str, int] = {}
        for c, cid in zip(cands, cand_ids):
            for member in c["documents"]:
                owner_of[member] = cid if member not in owner_of else -1  # -1: shared by several
        self._documents(package, owner_of)
        audit.record(s, user=self.user, action="import", entity="ward_package", entity_id=package.id, note=(
            f"Nhập gói hồ sơ đề nghị của {o.ward_name} ({o.ward_code}): {len(cands)} hồ sơ; "
            f"mã gói {o.package_id}; tệp {self.checked.path.name}, SHA-256 {o.sha256}; "
            f"{signature_phrase(self.checked)}."))
        return len(cands)

    def _check_cancel(self) -> None:
        if self.cancel and self.cancel():
            raise ImportCancelled

    def _insert_ids(self, model: type, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        return list(self.s.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


    def _award_forms(self) -> dict[str, m.AwardForm]:
        wanted = {c["award_form"]["code"]: c["award_form"] for c in self.o.data["candidates"]}
        forms = {f.code: f for f in self.s.scalars(select(m.AwardForm).where(m.AwardForm.code.in_(wanted)))}
        for code, af in wanted.items():
            if code not in forms:
                forms[code] = m.AwardForm(code=code, name=clean(af["name"])[:300], level=af.get("level"),
                                          issuer=af.get("issuer"), subject_kinds=[])
                self.s.add(forms[code])
        self.s.flush()
        return forms

    # -- one candidate
    def _person_row(self, c: dict, unit_id: int) -> dict[str, Any]:
        name = clean(c["name"])
        return dict(full_name=name[:200], name_key=name_key(name)[:200], search_key=fold(name)[:200],
                    birth_date=package_date(c.get("birth_date")), sex=_SEX.get(c.get("sex") or ""), cccd=None,
                    unit_id=unit_id, position=(c.get("position") or None))

    def _candidate_row(self, c: dict, forms: dict[str, m.AwardForm], proposed_at: dt.datetime, unit_id: int | None,
                       person_id: int | None) -> dict[str, Any]:
        narrative = {k: v for k, v in (c.get("narrative") or {}).items() if v}
        return dict(campaign_id=self.campaign.id, subject_type=c["subject_type"], subject_kind=c["subject_kind"],
                    unit_id=unit_id, person_id=person_id, award_form_id=forms[c["award_form"]["code"]].id,
                    summary=narrative.get("summary"), report_text=narrative, status=CandidateStatus.PROPOSED.value,
                    proposed_at=proposed_at, score_snapshot={})

    def _proposal_row(self, c: dict, candidate_id: int, package: pm.WardPackage, scope: m.Unit,
                      votes: dict[str, list[dict]]) -> dict[str, Any]:
        name = clean(c["name"])
        birth = package_date(c.get("birth_date"))
        ward_score = c.get("ward_score") or {}
        ward_votes = dict(c.get("ward_votes") or {})
        if votes.get(c["key"]):
            ward_votes["meetings"] = votes[c["key"]]
        return dict(
            candidate_id=candidate_id, package_id=package.id, ward_unit_id=scope.id, ward_code=self.o.ward_code,
            candidate_key=c["key"], subject_type=c["subject_type"], subject_kind=c["subject_kind"], name=name[:300],
            name_key=name_key(name)[:300], birth_date=birth,
            birth_year=c.get("birth_year") or (birth.year if birth else None), cccd=c.get("cccd") or None,
            sex=_SEX.get(c.get("sex") or ""), position=c.get("position"), unit_path=list(c["unit_path"]),
            award_code=c["award_form"]["code"], award_name=c["award_form"]["name"],
            award_level=c["award_form"].get("level"), ward_status=c.get("ward_status"), facts=c.get("facts") or {},
            facts_sha256=facts_digest(c.get("facts") or {}),
            figures={"rows": c.get("figures") or []}, ward_votes=ward_votes, ward_score=ward_score,
            ward_points=ward_score.get("points"), ward_approval=ward_approval(c.get("ward_votes")),
            claimed_province_score=c.get("province_score") or {},
            narrative=c.get("narrative") or {}, register=c.get("register") or [], documents=list(c["documents"]))

    @staticmethod
    def _votes_by_key(data: dict) -> dict[str, list[dict]]:
        """Each candidate's votes at each ward meeting, with the meeting's number, date and attendance."""
        out: dict[str, list[dict]] = {}
        for meeting in (data.get("council") or {}).get("meetings", []):
            head = {"meeting": meeting.get("number"), "date": meeting.get("date"),
                    "present": len(meeting.get("present") or []), "absent": len(meeting.get("absent") or []),
                    "method": meeting.get("method"), "document": meeting.get("document")}
            for v in meeting.get("votes") or []:
                out.setdefault(v["candidate"], []).append({**head, "for": v["for"], "against": v["against"],
                                                           "abstain": v["abstain"], "passed": v.get("passed")})
        return out

    def _documents(self, package: pm.WardPackage, owner_of: dict[str, int]) -> None:
        offsets = member_offsets(self.checked.blob)
        described = {d["path"]: d for d in self.o.data.get("documents") or []}
        signed = set(self.checked.verification["pdfs"])
        rows = []
        for member, content in sorted(self.o.documents.items()):
            start, size = offsets[member]
            owner = owner_of.get(member)
            desc = described.get(member) or {}
            rows.append(dict(
                package_id=package.id, candidate_id=owner if owner and owner > 0 else None, member=member,
                kind=member.rsplit(".", 1)[-1].lower(), sha256=hashlib.sha256(content).hexdigest(), size=size,
                data_offset=start, signed=member in signed, note=desc.get("title")))
        if rows:
            self.s.execute(insert(pm.WardPackageDocument), rows)

