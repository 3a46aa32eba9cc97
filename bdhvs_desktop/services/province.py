"""The province office imports the wards' signed proposal packages (issue #14).

Each package is checked whole before anything is written (services/province_check.py): the
canonical bytes and every hash (documents/package_format.py: read_package), the signatures of the
manifest and of the signed PDFs against the province's trust roots (documents/signing.py), and that
it was not imported before (same package id, or the same file). Then it is written in ONE
transaction: the ward's scope (a top-level unit of kind `phuong_xa`, code = the ward's code),
the units and persons of its candidates inside that scope (codes `<ward>/<…>`; persons without
CCCD, which stays in the proposal row), one ordinary `candidate` of the province's campaign per
proposed subject (so the council works unchanged), the ward's proposal of each (facts, figures,
votes, scores), the package file byte for byte and where each document sits in it, and one
audit entry. A package that fails is reported with its ward and why, in Vietnamese, and does
not stop the others; one killed or cancelled halfway leaves nothing of itself.

Two workstations of a shared PostgreSQL office importing the same package at once: the writes
take `pg_advisory_xact_lock` (storage/locks.py), so the second one waits, then sees the first's
package and refuses the replay. What the office reads afterwards (wards, candidates,
duplicates, the ranking) is in services/province_views.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bdhvs_desktop.domain.dates import vn_date
from bdhvs_desktop.domain.text import clean, fold, name_key, slug
from bdhvs_desktop.domain.vocab import CandidateStatus, SubjectKind, UnitKind
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.office import OfficeError, as_der, require_province
from bdhvs_desktop.services.office import trust_roots as stored_trust_roots
from bdhvs_desktop.services.province_check import (  # noqa: F401 - PackageRefused, MAX_WARD_CODE: public here too
    MAX_WARD_CODE,
    VN_OFFSET,
    Checked,
    PackageRefused,
    check_package,
    earlier_import,
    refuse,
    replay_message,
    signature_phrase,
    ward_label,
)
from bdhvs_desktop.services.province_rank import facts_digest, store_scores, ward_approval
from bdhvs_desktop.services.province_replace import REPLACE_HINT, council_blockers, current_packages, supersede
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage import province_models as pm
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize

Progress = Callable[[int, int, str], None]

#: storage/locks.py: imports of packages happen one after another on a shared server.
PROVINCE_IMPORT_LOCK = "province.import"
_SEX = {"male": "M", "female": "F"}


class ImportCancelled(Exception):
    """The user cancelled: the package being written is rolled back."""


@dataclass(frozen=True)
class PackageOutcome:
    """What happened to one file."""

    path: str
    ward_code: str | None
    ward_name: str | None
    imported: bool
    message: str  # Vietnamese, names the ward
    package_id: str | None = None
    candidates: int = 0
    signer: str | None = None
    trusted: bool = False
    warnings: tuple[str, ...] = ()
    resent: bool = False  # refused as subjects the ward already sent: importable with replace=True


    @property
    def file_name(self) -> str:
        return Path(self.path).name


@dataclass
class ImportReport:
    outcomes: list[PackageOutcome] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def imported(self) -> list[PackageOutcome]:
        return [o for o in self.outcomes if o.imported]

    @property
    def refused(self) -> list[PackageOutcome]:
        return [o for o in self.outcomes if not o.imported]

    def summary_lines(self) -> list[str]:
        lines = [o.message for o in self.outcomes]
        lines.extend(f"  Lưu ý ({o.ward_name or o.file_name}): {w}" for o in self.outcomes for w in o.warnings)
        total = sum(o.candidates for o in self.imported)
        lines.append(f"Đã nhập {len(self.imported)} gói ({total} hồ sơ đề nghị), từ chối {len(self.refused)} gói.")
        if self.cancelled:
            lines.append("Đã hủy: gói đang nhập dở không được ghi; các gói đã nhập trước đó được giữ.")
        return lines


def import_packages(db: Database, paths: Iterable[str | Path], *, trust_roots: Sequence[bytes] | None = None,
                    progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                    user: str | None = None, replace: bool = False) -> ImportReport:
    """Import every package in `paths`, each whole or not at all; returns what happened to each.

    trust_roots: the CA certificates (PEM or DER) whose signatures the province accepts; None
    takes the province's stored ones (services/office.py). With trust roots, a package must be
    signed by a certificate that chains to one of them; without any, a signed or unsigned
    package is imported with a warning that its signer could not be checked. A signature that
    does not match the bytes is refused in every case. Raises OfficeError when the database is
    not a province office (nothing is read then).

    replace: each package is the ward's corrected package and replaces the ward's current one(s)
    (services/province_replace.py); refused when the ward sent nothing before or the province
    council already voted on its candidates."""
    require_role(db, "secretary", action="nhập gói hồ sơ đề nghị của phường")
    with db.read() as s:
        require_province(s)
    roots = [as_der(r) for r in (trust_roots if trust_roots is not None else stored_trust_roots(db))]
    paths = [Path(p) for p in paths]
    report = ImportReport()
    started = time.perf_counter()
    who = user or db.user
    for i, path in enumerate(paths):
        if cancel and cancel():
            report.cancelled = True
            break
        if progress:
            progress(i, len(paths), f"Đang kiểm tra {path.name}")
        try:
            checked = check_package(db, path, roots)
            if progress:
                progress(i, len(paths), f"Đang ghi gói của {checked.opened.ward_name}")
            count, replaced = _write(db, checked, who, cancel, replace)
        except ImportCancelled:
            report.cancelled = True
            break
        except PackageRefused as exc:
            ward = getattr(exc, "ward", (None, None))
            report.outcomes.append(PackageOutcome(str(path), ward[0], ward[1], False, str(exc),
                                                  resent=getattr(exc, "resent", False)))
            continue
        o = checked.opened
        report.outcomes.append(PackageOutcome(
            str(path), o.ward_code, o.ward_name, True,
            f"Đã nhập gói hồ sơ của {o.ward_name} ({o.ward_code}, tệp {path.name}): {count} hồ sơ đề nghị; "
            f"{signature_phrase(checked)}.{replaced}",
            o.package_id, count, checked.signer, checked.trusted, checked.warnings))
    if progress:
        progress(len(paths), len(paths), "Xong")
    report.seconds = time.perf_counter() - started
    return report


# --------------------------------------------------------------------------- the write


def _write(db: Database, checked: Checked, user: str, cancel: Callable[[], bool] | None,
           replace: bool = False) -> tuple[int, str]:
    o = checked.opened
    label = ward_label(o.ward_code, o.ward_name, checked.path)
    ward = (o.ward_code, o.ward_name)
    try:
        with db.session() as s:
            serialize(s, PROVINCE_IMPORT_LOCK)  # the second workstation waits, then sees the replay
            campaign = require_province(s)
            earlier = earlier_import(s, o.package_id, o.sha256)
            if earlier is not None:
                raise refuse(replay_message(label, earlier, o.sha256), ward)
            writer = _Writer(s, checked, campaign, user, label, cancel, replace)
            return writer.run(), writer.replaced_note
    except OfficeError as exc:
        raise refuse(f"{label} bị từ chối: {exc}", ward) from exc


def _resent(exc: PackageRefused) -> PackageRefused:
    exc.resent = True  # type: ignore[attr-defined]  # the GUI offers to replace the earlier package
    return exc


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _created_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None) if when.tzinfo else when


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


class _Writer:
    """Writes one checked package inside the caller's transaction."""

    def __init__(self, s: Session, checked: Checked, campaign: m.Campaign, user: str, label: str,
                 cancel: Callable[[], bool] | None, replace: bool = False):
        self.s = s
        self.replace = replace
        self.replaced: list[pm.WardPackage] = []  # the ward's packages this one supersedes
        self.replaced_note = ""
        self.checked = checked
        self.o = checked.opened
        self.campaign = campaign
        self.user = user
        self.label = label
        self.cancel = cancel
        self.ward = (self.o.ward_code, self.o.ward_name)

    def run(self) -> int:
        s, o, data = self.s, self.o, self.o.data
        scope = self._scope()
        if self.replace:
            self.replaced = self._packages_to_replace(scope)
        self._refuse_known_keys()
        self._refuse_same_subject_twice()
        forms = self._award_forms()
        proposal = data.get("proposal") or {}
        signer = proposal.get("signer") or {}
        package = pm.WardPackage(
            package_id=o.package_id, file_sha256=o.sha256, file_name=self.checked.path.name[:300], file_size=o.size,
            schema_version=o.schema_version, ward_unit_id=scope.id, ward_code=o.ward_code, ward_name=o.ward_name,
            province=data["ward"].get("province"), campaign_code=data["campaign"].get("code"),
            campaign_name=data["campaign"].get("name"), level=data.get("level"),
            proposal_number=proposal.get("number"), proposal_date=_date(proposal.get("date")),
            proposal_signer=", ".join(x for x in (signer.get("name"), signer.get("position")) if x) or None,
            created_at=_created_at(o.created_at), signer_subject=self.checked.signer,
            signed_at=_naive_utc(self.checked.signed_at), trusted=self.checked.trusted,
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
        paths = [self._path(c) for c in cands]
        unit_ids = self._ensure_units(scope, paths, cands)
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

    # -- the ward's scope and its units
    def _scope(self) -> m.Unit:
        o = self.o
        unit = self.s.scalar(select(m.Unit).where(m.Unit.code == o.ward_code))
        if unit is not None and unit.kind == UnitKind.WARD_SCOPE.value and fold(unit.name) != fold(o.ward_name):
            raise refuse(f"{self.label} bị từ chối: mã phường “{o.ward_code}” đã là của {unit.name} (nhập từ gói trước); "
                          f"gói của {o.ward_name} không được ghi vào phạm vi của phường khác.", self.ward)
        if unit is None:
            same_name = self.s.scalars(select(m.Unit).where(m.Unit.kind == UnitKind.WARD_SCOPE.value,
                                                            m.Unit.parent_id.is_(None))).all()
            other = next((u for u in same_name if fold(u.name) == fold(o.ward_name)), None)
            if other is not None:
                raise refuse(f"{self.label} bị từ chối: {o.ward_name} đã gửi gói với mã phường “{other.code}”, "
                              f"gói này lại ghi mã “{o.ward_code}”; một phường chỉ có một mã.", self.ward)
            unit = m.Unit(code=o.ward_code, name=o.ward_name[:300], kind=UnitKind.WARD_SCOPE.value, parent_id=None,
                          is_party_org=False)
            self.s.add(unit)
            self.s.flush()
        elif unit.kind != UnitKind.WARD_SCOPE.value:
            raise refuse(f"{self.label} bị từ chối: mã phường “{o.ward_code}” trùng mã đơn vị “{unit.name}” của văn "
                          "phòng tỉnh; dữ liệu của phường không được trộn với đơn vị khác.", self.ward)
        return unit

    def _packages_to_replace(self, scope: m.Unit) -> list[pm.WardPackage]:
        old = current_packages(self.s, scope.id)
        if not old:
            raise refuse(f"{self.label} bị từ chối: {self.o.ward_name} ({self.o.ward_code}) chưa gửi gói nào trước đây, "
                          "nên không có gói nào để thay thế; nhập gói này không kèm tùy chọn thay thế.", self.ward)
        blocked = council_blockers(self.s, old)
        if blocked:
            raise refuse(f"{self.label} bị từ chối: không thể thay thế gói trước của {self.o.ward_name} "
                          f"({', '.join(p.file_name for p in old)}) vì Hội đồng Thi đua - Khen thưởng của tỉnh đã "
                          f"biểu quyết hoặc quyết định về hồ sơ của phường: {'; '.join(blocked[:10])}"
                          f"{f' và {len(blocked) - 10} hồ sơ khác' if len(blocked) > 10 else ''}.", self.ward)
        if any(p.created_at and self.o.created_at and _created_at(self.o.created_at) and
               _created_at(self.o.created_at) < p.created_at for p in old):
            raise refuse(f"{self.label} bị từ chối: gói này được lập trước gói hiện hành của {self.o.ward_name}; "
                          "gói cũ hơn không thay thế được gói mới hơn.", self.ward)
        return old

    def _current(self):  # proposals that count: current ones, less those this package replaces
        wp = pm.WardProposal
        cond = wp.candidate_id.is_not(None)
        if self.replaced:
            cond = cond & wp.package_id.not_in([p.id for p in self.replaced])
        return cond

    def _refuse_known_keys(self) -> None:
        keys = [c["key"] for c in self.o.data["candidates"]]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise refuse(f"{self.label} bị từ chối: mã hồ sơ lặp lại trong gói: {', '.join(dupes)}.", self.ward)
        rows = self.s.execute(
            select(pm.WardProposal.candidate_key, pm.WardProposal.name, pm.WardPackage.imported_at,
                   pm.WardPackage.imported_by, pm.WardPackage.file_name)
            .join(pm.WardPackage, pm.WardPackage.id == pm.WardProposal.package_id)
            .where(pm.WardProposal.ward_code == self.o.ward_code, pm.WardProposal.candidate_key.in_(keys),
                   self._current())).all()
        if rows:
            named = "; ".join(f"{r.name} (nhập ngày {vn_date((r.imported_at + VN_OFFSET).date())} bởi "
                              f"{r.imported_by or 'không rõ'}, "
                              f"tệp {r.file_name})" for r in rows[:5])
            more = f" và {len(rows) - 5} hồ sơ khác" if len(rows) > 5 else ""
            raise _resent(refuse(f"{self.label} bị từ chối: phường đã gửi các hồ sơ này trong một gói trước: "
                                 f"{named}{more}. Một hồ sơ chỉ được đề nghị một lần. {REPLACE_HINT}", self.ward))

    def _refuse_same_subject_twice(self) -> None:
        """A ward proposes a subject once for an award form: not twice in one package (two keys for one
        CCCD, or for the same name and birth date without CCCDs telling them apart, or for the same
        unit), nor again in a later package under a new key (the ranking would count them twice)."""
        subjects = [_Subject.of(c) for c in self.o.data["candidates"]]
        twice = [f"{a.name} ({a.key} và {b.key})" for i, a in enumerate(subjects) for b in subjects[i + 1:]
                 if a.same(b)]
        if twice:
            raise refuse(f"{self.label} bị từ chối: một đối tượng được đề nghị hai lần trong gói: "
                         f"{'; '.join(twice[:5])}.", self.ward)
        if not subjects:
            return
        cccds = [x.cccd for x in subjects if x.cccd]
        names = [x.name_key for x in subjects]
        wp = pm.WardProposal
        earlier = self.s.execute(
            select(wp.candidate_key, wp.subject_type, wp.subject_kind, wp.name, wp.cccd, wp.birth_date, wp.unit_path,
                   wp.award_code, pm.WardPackage.file_name)
            .join(pm.WardPackage, pm.WardPackage.id == wp.package_id)
            .where(wp.ward_code == self.o.ward_code, wp.cccd.in_(cccds) | wp.name_key.in_(names),
                   self._current())).all()
        again = [f"{x.name} (mã {x.key}; đã đề nghị với mã {r.candidate_key} trong tệp {r.file_name})"
                 for x in subjects for r in earlier
                 if x.same(_Subject.make(r.candidate_key, r.subject_type, r.subject_kind, r.name, r.cccd,
                                         r.birth_date, r.unit_path, r.award_code))]
        if again:
            raise _resent(refuse(f"{self.label} bị từ chối: phường đã đề nghị đối tượng này trong một gói trước: "
                         f"{'; '.join(again[:5])}. Mỗi tập thể, cá nhân chỉ được phường đề nghị một lần cho một "
                         f"hình thức khen thưởng; gói sửa đổi không được nhập chồng lên gói trước. {REPLACE_HINT}",
                         self.ward))

    def _scope_units(self, scope: m.Unit) -> dict[str, m.Unit]:
        prefix = scope.code + "/"
        return {u.code: u for u in self.s.scalars(select(m.Unit).where(m.Unit.code.startswith(prefix, autoescape=True)))}

    def _path(self, c: dict) -> tuple[str, ...]:
        """The unit a candidate is (a unit) or belongs to (a person), as names from the ward down."""
        path = [clean(p) for p in c["unit_path"] if clean(p)]
        if c["subject_type"] == "unit" and (not path or fold(path[-1]) != fold(clean(c["name"]))):
            path.append(clean(c["name"]))
        return tuple(path)

    def _ensure_units(self, scope: m.Unit, paths: list[tuple[str, ...]],
                      cands: list[dict]) -> dict[tuple[str, ...], int]:
        """The id of the unit at the end of every path (and of every path's start); missing ones are
        created inside the ward's scope, level by level (one flush per level)."""
        existing = self._scope_units(scope)
        party = {self._code(p) for p, c in zip(paths, cands)
                 if c["subject_type"] == "unit" and c["subject_kind"] == SubjectKind.PARTY_ORG and p}
        code_of: dict[tuple[str, ...], str] = {}
        for depth in range(1, max((len(p) for p in paths), default=0) + 1):
            created = []
            for path in dict.fromkeys(p[:depth] for p in paths if len(p) >= depth):
                code = code_of[path] = self._code(path)
                if code in existing:
                    continue
                parent = existing[code_of[path[:-1]]].id if depth > 1 else scope.id
                name = path[-1][:300]
                unit = m.Unit(code=code, name=name, kind=_kind_for(name, code in party), parent_id=parent,
                              is_party_org=code in party)
                existing[code] = unit
                created.append(unit)
            if created:
                self.s.add_all(created)
                self.s.flush()
        return {path: existing[code].id for path, code in code_of.items()}

    def _code(self, path: tuple[str, ...]) -> str:
        return scoped_code(self.o.ward_code, path)

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
                    birth_date=_date(c.get("birth_date")), sex=_SEX.get(c.get("sex") or ""), cccd=None,
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
        birth = _date(c.get("birth_date"))
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


@dataclass(frozen=True)
class _Subject:
    """Who a candidate of a package is, to find the same one proposed twice by a ward."""

    key: str
    subject_type: str
    subject_kind: str
    name: str
    cccd: str | None
    birth_date: dt.date | None
    path_keys: tuple[str, ...]
    award_code: str | None
    name_key: str

    @classmethod
    def make(cls, key: str, subject_type: str, subject_kind: str, name: str, cccd: str | None,
             birth_date: dt.date | None, unit_path: Sequence[str] | None, award_code: str | None) -> _Subject:
        name = clean(name)
        return cls(key, subject_type, subject_kind, name, cccd or None, birth_date,
                   tuple(name_key(p) for p in unit_path or ()), award_code, name_key(name)[:300])

    @classmethod
    def of(cls, c: dict) -> _Subject:
        return cls.make(c["key"], c["subject_type"], c["subject_kind"], c["name"], c.get("cccd"),
                        _date(c.get("birth_date")), c.get("unit_path"), c["award_form"]["code"])

    def same(self, other: _Subject) -> bool:
        if (self.subject_type, self.award_code) != (other.subject_type, other.award_code):
            return False
        if self.subject_type == "unit":
            return (self.subject_kind, self.name_key, self.path_keys) == (other.subject_kind, other.name_key,
                                                                          other.path_keys)
        if self.cccd and other.cccd:
            return self.cccd == other.cccd
        return self.birth_date is not None and self.birth_date == other.birth_date and self.name_key == other.name_key


def scoped_code(ward_code: str, path: Sequence[str]) -> str:
    """The code of a unit inside a ward's scope: "<ward>/<slug of its name>-<hash of its path>"
    (unique in the scope, never equal to another ward's, at most 64 characters)."""
    digest = hashlib.sha1("\x1f".join(name_key(p) for p in path).encode("utf-8")).hexdigest()[:8]
    room = 64 - len(ward_code) - 1 - len(digest) - 1
    return f"{ward_code}/{slug(path[-1], room)}-{digest}" if room >= 4 else f"{ward_code}/{digest}"


def _kind_for(name: str, party: bool) -> str:
    folded = fold(name)
    if folded.startswith("chi bo"):
        return UnitKind.PARTY_CELL.value
    if folded.startswith("dang bo") or (party and "dang" in folded):
        return UnitKind.PARTY_COMMITTEE.value
    if folded.startswith("to dan pho") or folded.startswith("khu pho"):
        return UnitKind.RESIDENTIAL_GROUP.value
    if folded.startswith("truong"):
        return UnitKind.SCHOOL.value
    return UnitKind.OTHER.value


def _naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
