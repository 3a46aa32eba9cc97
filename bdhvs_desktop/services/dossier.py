"""The award dossier: maps the records to the document contexts and writes the folder.

    settings = load_settings(db)                       # form set, issuer format, numbers
    save_settings(db, issuer_format="state", number="12")
    items = list_dossier_candidates(db, draft=False)   # who goes in, with their Form 08 text
    save_report_text(db, candidate_id, {"results": "...", ...}, version)
    outcome = generate_dossier(db, out_dir, draft=False, at=date, progress=..., cancel=...)

The Tờ trình (Form 01) is built from the campaign (Campaign.details["preset"] and
["dossier"]: issuer names, recipient, plan references), the council's result and the
approved candidates -- or, with draft=True, every proposed candidate, marked "DỰ THẢO".
The minutes come from the meeting, its attendance and votes; each Form 08 from the
candidate's own figures plus the sections the secretary writes (Candidate.report_text).
A final (non-draft) dossier records every file in GeneratedDocument and moves approved
candidates to "issued", in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import audit
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.services.auth import require_role

DEFAULT_FORM_SET = "decree-98-2023"

#: Form 08 sections the secretary writes: key -> Vietnamese label.
REPORT_SECTIONS: dict[str, str] = {
    "results": "Thành tích đạt được (phần viết thêm)",
    "measures": "Các biện pháp, giải pháp đã thực hiện",
    "lessons": "Bài học kinh nghiệm",
    "structure": "Cơ cấu tổ chức (tập thể)",
    "functions": "Chức năng, nhiệm vụ (tập thể)",
    "occupation": "Nghề nghiệp (cá nhân)",
    "professional": "Trình độ chuyên môn, nghiệp vụ (cá nhân)",
    "political_theory": "Trình độ lý luận chính trị (cá nhân)",
}
#: Everything of the narrative kept with the candidate: the sections above and the summary.
NARRATIVE_KEYS = ("summary", *REPORT_SECTIONS)
NARRATIVE_LABELS = {"summary": "Tóm tắt thành tích (danh sách kèm Tờ trình)", **REPORT_SECTIONS}

#: Settings (Setting table) and their defaults.
SETTING_KEYS = {
    "form_set": "dossier.form_set",
    "issuer_format": "dossier.issuer_format",
    "number": "dossier.number",
    "minutes_number": "dossier.minutes_number",
    "signer_name": "dossier.signer_name",
    "signer_title": "dossier.signer_title",
    "recipient": "dossier.recipient",
    "make_zip": "dossier.make_zip",
}

ISSUED_STATUSES = (vocab.CandidateStatus.APPROVED, vocab.CandidateStatus.ISSUED)
DRAFT_STATUSES = (vocab.CandidateStatus.PROPOSED, vocab.CandidateStatus.REVIEWED,
                  vocab.CandidateStatus.APPROVED, vocab.CandidateStatus.ISSUED)

Progress = Callable[[int, int, str], None]


class DossierError(Exception):
    """The dossier cannot be made from the records; the message says what is missing."""


class StaleEditError(DossierError):
    """Someone else changed the candidate since it was read."""


class MissingFieldsError(DossierError):
    """A final dossier with required Form 08 fields left empty: each named (candidate: field)."""

    def __init__(self, missing: tuple[str, ...] | list[str]):
        self.missing = tuple(missing)
        lines = "\n".join(f"- {x}" for x in self.missing)
        super().__init__(
            "Chưa lập được hồ sơ chính thức: Báo cáo thành tích (Mẫu 08) còn thiếu thông tin bắt buộc:\n"
            f"{lines}\nHãy bổ sung (trang Hồ sơ hoặc lệnh 'bdhvs candidate narrative', dữ liệu đơn vị, nhân sự, "
            "thiết lập người ký), hoặc lập bản dự thảo (--draft) để in dòng chấm điền tay.")


@dataclass(frozen=True)
class DossierSettings:
    form_set: str
    #: "party" (Hướng dẫn 36-HD/VPTW) | "state" (Nghị định 30/2020/NĐ-CP).
    issuer_format: str
    number: str
    minutes_number: str
    signer_name: str
    signer_title: str
    recipient: str
    make_zip: bool


@dataclass(frozen=True)
class DossierCandidate:
    id: int
    version: int
    name: str
    #: "collective" | "individual".
    kind: str
    kind_label: str
    award: str
    status: str
    status_label: str
    summary: str
    report_text: dict[str, str]


@dataclass(frozen=True)
class MinutesDocument:
    """One meeting's minutes in the dossier (meeting_id None: blank minutes of a meeting to come)."""

    file_name: str
    meeting_id: int | None
    context: dc.MinutesContext


@dataclass(frozen=True)
class DossierContexts:
    submission: dc.SubmissionContext
    #: One minutes document per meeting, in the order the meetings were held.
    minutes_docs: tuple[MinutesDocument, ...]
    achievements: tuple[dc.AchievementContext, ...]
    candidate_ids: tuple[int, ...]
    #: "Candidate: field" of every required Form 08 field with no data (a final dossier is refused).
    missing: tuple[str, ...] = ()

    @property
    def minutes(self) -> dc.MinutesContext:
        """The first (often the only) meeting's minutes."""
        return self.minutes_docs[0].context

    @property
    def meeting_id(self) -> int | None:
        """The latest meeting of the dossier."""
        ids = [x.meeting_id for x in self.minutes_docs if x.meeting_id is not None]
        return ids[-1] if ids else None


@dataclass(frozen=True)
class DossierOutcome:
    folder: Path
    files: tuple[Path, ...]
    manifest: Path
    zip_path: Path | None
    form_set: str
    draft: bool
    issued: tuple[int, ...]


# ------------------------------------------------------------------------ settings


def _setting(s: Session, key: str, default: Any = None) -> Any:
    row = s.get(m.Setting, key)
    return default if row is None or row.value is None else row.value


def _campaign(s: Session) -> m.Campaign:
    c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    if c is None:
        raise DossierError("Chưa có phong trào trong cơ sở dữ liệu (chạy 'bdhvs init' hoặc 'bdhvs demo').")
    return c


def _read_settings(s: Session) -> DossierSettings:
    c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    dossier = ((c.details or {}).get("dossier") or {}) if c else {}
    fmt = _setting(s, SETTING_KEYS["issuer_format"], dossier.get("issuer") or "party")
    return DossierSettings(
        form_set=str(_setting(s, SETTING_KEYS["form_set"], dossier.get("form_set") or DEFAULT_FORM_SET)),
        issuer_format=fmt if fmt in ("party", "state") else "party",
        number=str(_setting(s, SETTING_KEYS["number"], "") or ""),
        minutes_number=str(_setting(s, SETTING_KEYS["minutes_number"], "") or ""),
        signer_name=str(_setting(s, SETTING_KEYS["signer_name"], "") or ""),
        signer_title=str(_setting(s, SETTING_KEYS["signer_title"], "") or ""),
        recipient=str(_setting(s, SETTING_KEYS["recipient"], dossier.get("recipient") or "") or ""),
        make_zip=bool(_setting(s, SETTING_KEYS["make_zip"], False)),
    )


def load_settings(db: Database) -> DossierSettings:
    with db.read() as s:
        return _read_settings(s)


def save_settings(db: Database, **changes: Any) -> DossierSettings:
    """Change dossier settings (keys of SETTING_KEYS); each change is audited."""
    require_role(db, "secretary", action="sửa thiết lập hồ sơ")
    unknown = set(changes) - set(SETTING_KEYS)
    if unknown:
        raise DossierError(f"Không có thiết lập hồ sơ: {', '.join(sorted(unknown))}")
    if "issuer_format" in changes and changes["issuer_format"] not in ("party", "state"):
        raise DossierError("Thể thức văn bản phải là 'party' (văn bản của Đảng) hoặc 'state' (văn bản hành chính).")
    with db.session() as s:
        for name, value in changes.items():
            key = SETTING_KEYS[name]
            row = s.get(m.Setting, key)
            old = row.value if row else None
            if isinstance(value, str):
                value = value.strip()
            if old == value:
                continue
            if row is None:
                s.add(m.Setting(key=key, value=value))
            else:
                row.value = value
            audit.record(s, user=db.user, action="update", entity="setting", field=key, old=old, new=value)
        s.flush()
        return _read_settings(s)


def form_set_dirs() -> tuple[Path, Path]:
    """(built-in forms_templates/, the user's template folder that takes precedence)."""
    from bdhvs_desktop import paths

    return paths.forms_templates_dir(), paths.user_templates_dir()


def available_form_sets() -> list[tuple[str, str]]:
    """(name, title) of every form set found, built-in or the user's."""
    from bdhvs_desktop.documents.formsets import list_form_sets

    builtin, user = form_set_dirs()
    return [(fs.name, fs.title) for fs in list_form_sets(builtin, user)]


_CHECKED: dict[str, tuple[tuple, Any]] = {}


def _fingerprint(name: str, builtin: Path, user: Path) -> tuple:
    """Name, size and modification time of every file of the set in both folders."""
    out = []
    for root in (user, builtin):
        folder = Path(root) / name
        if folder.is_dir():
            for f in sorted(folder.iterdir()):
                try:
                    st = f.stat()
                except OSError:
                    continue
                out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


def load_checked_form_set(name: str):
    """The form set, every template checked (documents.formsets.FormSetError lists problems).

    A set whose files have not changed since it was last checked in this process is not
    checked again (the checked set holds the templates' bytes, so what is rendered is
    exactly what was checked); any edit, added or removed file means a new check."""
    from bdhvs_desktop.documents.formsets import load_form_set

    builtin, user = form_set_dirs()
    key = _fingerprint(name, builtin, user)
    cached = _CHECKED.get(name)
    if cached is not None and cached[0] == key and key:
        return cached[1]
    form_set = load_form_set(name, builtin, user)
    _CHECKED[name] = (key, form_set)
    return form_set


# ---------------------------------------------------------------------- candidates


def _subject_name(c: m.Candidate) -> str:
    if c.subject_type == "unit":
        return c.unit.name if c.unit else f"(tập thể #{c.unit_id})"
    return c.person.full_name if c.person else f"(cá nhân #{c.person_id})"


def _kind(c: m.Candidate) -> str:
    return "collective" if c.subject_type == "unit" else "individual"


def _status_label(code: str) -> str:
    try:
        return vocab.CANDIDATE_STATUS_LABELS[vocab.CandidateStatus(code)]
    except ValueError:
        return code


def _candidates(s: Session, campaign_id: int, draft: bool) -> list[m.Candidate]:
    statuses = [str(x) for x in (DRAFT_STATUSES if draft else ISSUED_STATUSES)]
    rows = list(s.scalars(select(m.Candidate).where(m.Candidate.campaign_id == campaign_id,
                                                    m.Candidate.status.in_(statuses))))
    # Collectives first (part I of the list), then individuals; by name within each.
    from bdhvs_desktop.domain.text import fold

    # Alphabetical the Vietnamese way, near enough: "Đặng" with the D's, not after "Z".
    rows.sort(key=lambda c: (c.subject_type != "unit", fold(_subject_name(c)), _subject_name(c), c.id))
    return rows


def list_dossier_candidates(db: Database, *, draft: bool = False) -> list[DossierCandidate]:
    with db.read() as s:
        c = _campaign(s)
        out = []
        for cand in _candidates(s, c.id, draft):
            out.append(DossierCandidate(
                id=cand.id, version=cand.version, name=_subject_name(cand), kind=_kind(cand),
                kind_label="Tập thể" if cand.subject_type == "unit" else "Cá nhân",
                award=cand.award_form.name if cand.award_form else "", status=cand.status,
                status_label=_status_label(cand.status), summary=cand.summary or "",
                report_text={k: str(v) for k, v in (cand.report_text or {}).items() if isinstance(v, (str, int, float))}))
        return out


def save_report_text(db: Database, candidate_id: int, sections: dict[str, str], version: int, *,
                     summary: str | None = None) -> int:
    """Save the Form 08 sections the secretary wrote (and the short summary of Form 01).

    *version* is the candidate's version when it was read: a colleague's newer save is
    never overwritten (StaleEditError). Returns the new version."""
    require_role(db, "secretary", action="sửa báo cáo thành tích")
    unknown = set(sections) - set(REPORT_SECTIONS)
    if unknown:
        raise DossierError(f"Mục báo cáo không hợp lệ: {', '.join(sorted(unknown))}")
    with db.session() as s:
        cand = s.get(m.Candidate, candidate_id)
        if cand is None:
            raise DossierError(f"Không tìm thấy ứng viên #{candidate_id}.")
        if cand.version != version:
            raise StaleEditError(f"Báo cáo thành tích của “{_subject_name(cand)}” vừa được người khác sửa. "
                                 "Hãy tải lại trước khi lưu.")
        if cand.locked and cand.status == vocab.CandidateStatus.ISSUED:
            raise DossierError(f"Hồ sơ của “{_subject_name(cand)}” đã lập và khóa; không sửa được nữa.")
        if cand.locked:  # the council approved this text: it is part of the locked result
            raise DossierError(f"Kết quả của “{_subject_name(cand)}” đã được Hội đồng thông qua và khóa; báo cáo "
                               "thành tích không sửa được nữa. Muốn sửa phải mở lại kết quả (ghi lý do) trước.")
        old = dict(cand.report_text or {})
        new = dict(old)
        for key, text in sections.items():
            text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
            if text.strip():
                new[key] = text
            else:
                new.pop(key, None)
        changes: dict[str, tuple[Any, Any]] = {
            f"report_text.{k}": (old.get(k), new.get(k)) for k in set(old) | set(new)}
        cand.report_text = new
        if summary is not None:
            changes["summary"] = (cand.summary, summary.strip() or None)
            cand.summary = summary.strip() or None
        audit.record_changes(s, user=db.user, entity="candidate", entity_id=cand.id, changes=changes)
        s.flush()
        return cand.version


@dataclass(frozen=True)
class Narrative:
    """A candidate's Form 08 narrative as the documents would print it today."""

    candidate_id: int
    version: int
    name: str
    kind: str
    #: Every key of NARRATIVE_KEYS: what the secretary saved, else the draft from the records.
    texts: dict[str, str]
    #: The keys whose text is the draft (nothing saved yet).
    drafted: frozenset[str]
    #: The draft from the records, whatever was saved.
    draft: dict[str, str]


def narrative(db: Database, candidate_id: int, *, at: dt.date | None = None) -> Narrative:
    """The narrative of one candidate (saved text, or drafted from the records as of *at*)."""
    from bdhvs_desktop.services import form08

    at = at or dt.date.today()
    results_at = form08.compute_results(db, at)
    with db.read() as s:
        cand = s.get(m.Candidate, candidate_id)
        if cand is None:
            raise DossierError(f"Không tìm thấy hồ sơ đề nghị số {candidate_id}.")
        src = form08.load_source(s, _campaign(s), at, *results_at)
        texts, drafted = form08.effective_texts(src, cand)
        draft = form08.draft_texts(src, cand)
        keys = [k for k in NARRATIVE_KEYS
                if not (cand.subject_type == "unit" and k in form08.INDIVIDUAL_ONLY)
                and not (cand.subject_type != "unit" and k in form08.COLLECTIVE_ONLY)]
        return Narrative(candidate_id=cand.id, version=cand.version, name=_subject_name(cand), kind=_kind(cand),
                         texts={k: texts.get(k, "") for k in keys}, drafted=frozenset(k for k in drafted if k in keys),
                         draft={k: draft.get(k, "") for k in keys})


def save_narrative(db: Database, candidate_id: int, texts: dict[str, str], version: int) -> int:
    """Save narrative fields (keys of NARRATIVE_KEYS; "summary" is the list's "Tóm tắt thành
    tích"), refusing a save over a colleague's newer one (StaleEditError). Returns the new version."""
    unknown = set(texts) - set(NARRATIVE_KEYS)
    if unknown:
        raise DossierError(f"Mục báo cáo không hợp lệ: {', '.join(sorted(unknown))} "
                           f"(các mục: {', '.join(NARRATIVE_KEYS)}).")
    sections = {k: v for k, v in texts.items() if k != "summary"}
    return save_report_text(db, candidate_id, sections, version, summary=texts.get("summary"))


def redraft_narrative(db: Database, candidate_id: int, version: int, *, fields: list[str] | None = None,
                      at: dt.date | None = None) -> int:
    """Replace the saved narrative (all fields, or *fields*) with a fresh draft from the records."""
    current = narrative(db, candidate_id, at=at)
    keys = list(fields) if fields else [k for k in current.draft if k != "results"]
    unknown = set(keys) - set(current.draft)
    if unknown:
        raise DossierError(f"Mục không soạn được cho {current.name}: {', '.join(sorted(unknown))}.")
    return save_narrative(db, candidate_id, {k: current.draft.get(k, "") for k in keys}, version)


# -------------------------------------------------------------------------- issuers


def _abbrev(doc_symbol: str, fmt: str) -> str:
    if fmt == "state":
        return "UBND"
    if "/" in (doc_symbol or ""):
        return doc_symbol.split("/", 1)[1] or "ĐU"
    return "ĐU"


def _ward_issuer(c: m.Campaign, st: DossierSettings) -> dc.Issuer:
    header = (c.details or {}).get("preset") or {}
    dossier = (c.details or {}).get("dossier") or {}
    place = c.locality or ""
    if st.issuer_format == "party":
        name = header.get("issuer_party") or f"ĐẢNG ỦY {(c.locality_full or '').upper()}"
        return dc.Issuer(format="party", name=name, abbreviation=_abbrev(dossier.get("doc_symbol", ""), "party"),
                         place=place, parent_name=header.get("issuer_party_parent") or "",
                         signer_authority=dossier.get("signing_authority") or "T/M BAN THƯỜNG VỤ",
                         signer_title=st.signer_title or "PHÓ BÍ THƯ", signer_name=st.signer_name,
                         name_in_text=f"Ban Thường vụ Đảng ủy {c.locality_full or place}")
    name = header.get("issuer_state") or f"ỦY BAN NHÂN DÂN {(c.locality_full or '').upper()}"
    return dc.Issuer(format="state", name=name, abbreviation="UBND", place=place,
                     signer_authority="TM. ỦY BAN NHÂN DÂN", signer_title=st.signer_title or "CHỦ TỊCH",
                     signer_name=st.signer_name, name_in_text=f"Ủy ban nhân dân {c.locality_full or place}")


def _council_issuer(c: m.Campaign, st: DossierSettings, chair: dc.Person) -> dc.Issuer:
    ward = _ward_issuer(c, st)
    return dc.Issuer(format=ward.format, name="HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", abbreviation="HĐTĐKT",
                     place=ward.place, parent_name=ward.name, signer_title="CHỦ TỊCH HỘI ĐỒNG",
                     signer_name=chair.name,
                     name_in_text=f"Hội đồng Thi đua - Khen thưởng {c.locality_full or ward.place}")


def _unit_issuer(c: m.Campaign, st: DossierSettings, unit: m.Unit | None) -> dc.Issuer:
    """The heading of a unit's own report: a party organisation writes in the party format
    under the ward party committee, any other unit in the state format under the People's
    Committee, whatever format the ward's own documents use."""
    if unit is None:
        return _ward_issuer(c, st)
    fmt = "party" if unit.is_party_org else "state"
    parent = _ward_issuer(c, DossierSettings(**{**st.__dict__, "issuer_format": fmt}))
    title = (unit.head_title or ("BÍ THƯ" if unit.is_party_org else "THỦ TRƯỞNG ĐƠN VỊ")).upper()
    return dc.Issuer(format=fmt, name=unit.name.upper(), abbreviation=_unit_abbrev(unit), place=parent.place,
                     parent_name=parent.name, signer_authority="", signer_title=title,
                     signer_name=unit.head_name or "", name_in_text=unit.name)


_KIND_SYMBOL = {"chi_bo": "CB", "dang_bo": "ĐU"}


def _unit_abbrev(unit: m.Unit) -> str:
    """Symbol of a unit's own document: "CB" (chi bộ), "ĐU" (đảng ủy), else the initials."""
    import re

    if unit.kind in ("chi_bo", "dang_bo"):
        return _KIND_SYMBOL[unit.kind]
    plain = re.sub(r"\([^)]*\)", "", unit.name)
    words = [w for w in plain.split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:6]) or "ĐV"


# ------------------------------------------------------------------------- Form 08


def _achievement(src, c: m.Campaign, st: DossierSettings, cand: m.Candidate, campaign_name: str,
                 date: dt.date | None, draft: bool, texts: dict[str, str]) -> tuple[dc.AchievementContext, list[str]]:
    """One Form 08 from services.form08 (figures from the status and scoring services, the
    narrative saved on the candidate or drafted from the records); with the required fields
    that have no data."""
    from bdhvs_desktop.documents import vn_format as vf
    from bdhvs_desktop.services import form08

    award = cand.award_form.name if cand.award_form else ""
    common = dict(award=award, campaign_name=campaign_name, date=date, results=texts.get("results", ""),
                  measures=texts.get("measures", ""), lessons=texts.get("lessons", ""), draft=draft)
    if cand.subject_type == "unit":
        unit = cand.unit
        if unit is None:
            raise DossierError(f"Ứng viên #{cand.id}: không tìm thấy tập thể.")
        facts = src.unit_facts.get(unit.id)
        members = [p for uid in src.subtree(unit.id) for p in _people_of(src, uid)]
        party = sum(1 for p in members if p.is_party_member)
        servants = sum(1 for p in members if p.is_public_servant)
        parts = []
        if party:
            parts.append(f"{party} đảng viên")
        if servants:
            parts.append(f"{servants} cán bộ, công chức, viên chức")
        structure = texts.get("structure", "").rstrip().rstrip(".")
        profile = dc.CollectiveProfile(address=unit.address or "", structure=structure,
                                       functions=texts.get("functions", ""),
                                       headcount=(facts.headcount if facts else len(members)) or None,
                                       headcount_detail="; ".join(parts), phone=unit.phone or "",
                                       vneid=form08.party_vneid(src, unit))
        own, related = form08.unit_models(src, unit)
        ctx = dc.AchievementContext(kind="collective", name=unit.name, issuer=_unit_issuer(c, st, unit),
                                    collective=profile, targets=tuple(form08.unit_target_rows(src, unit)),
                                    models=tuple(own), related_models=tuple(related),
                                    activities=tuple(form08.unit_activities(src, unit)),
                                    number=dc.DocumentNumber(kind="BC", number=None),
                                    confirmer=_ward_issuer(c, st), **common)
        return ctx, form08.missing_fields(ctx)
    person = cand.person
    if person is None:
        raise DossierError(f"Ứng viên #{cand.id}: không tìm thấy cá nhân.")
    unit = src.units.get(person.unit_id) if person.unit_id else None
    facts = src.person_facts.get(person.id)
    sols = [dc.Solution(name=sol.title, description=sol.description or "",
                        applied_from=sol.applied_on if sol.applied else None,
                        effect=sol.effect or ("" if sol.applied else "Chưa áp dụng"))
            for sol in src.solutions.get(person.id, ())]
    classes = [dc.ClassTaught(topic=a.content or form08._ACTIVITY_NAMES.get(a.kind, a.kind), held_on=a.date,
                              place=src.units[a.unit_id].name if a.unit_id in src.units else "",
                              participants=a.participants)
               for a in src.activities if a.host_person_id == person.id]
    mentees = facts.mentees if facts else 0
    guided = max(facts.people_guided, facts.mentees) if facts else (person.people_guided or 0)
    vneid_on = facts.vneid_on if facts else person.vneid_proficient_on
    sex = vocab.SEX_LABELS.get(vocab.Sex(person.sex), "") if person.sex in ("M", "F") else ""
    profile = dc.IndividualProfile(
        sex=sex, birth_date=person.birth_date, home_town=person.home_town or "", residence=person.residence or "",
        unit=unit.name if unit else "", position=person.position or "", occupation=texts.get("occupation", ""),
        qualifications=person.qualifications or "",
        professional_level=texts.get("professional") or person.qualifications or "",
        political_theory=texts.get("political_theory", ""),
        vneid_proficient_on=vneid_on if vneid_on and vneid_on <= src.at else None,
        vneid_deadline=src.vneid_deadline, can_guide=bool(facts.can_guide if facts else person.can_guide),
        people_guided=guided,
        people_guided_detail=(f"trong đó {vf.vn_count(mentees)} người được kèm cặp theo mô hình “Đại sứ số”"
                              if mentees else ""),
        solutions=tuple(sols), classes_taught=tuple(classes))
    pos_unit = ", ".join(x for x in (person.position or "", unit.name if unit else "") if x)
    ctx = dc.AchievementContext(kind="individual", name=person.full_name, issuer=_unit_issuer(c, st, unit),
                                position_unit=pos_unit, individual=profile,
                                targets=tuple(form08.person_criteria_rows(src, person)),
                                related_models=tuple(form08.person_models(src, person)),
                                confirmer=form08.individual_confirmer(src, person, _ward_issuer(c, st)), **common)
    return ctx, form08.missing_fields(ctx)


def _people_of(src, unit_id: int) -> list[m.Person]:
    return src.people_by_unit.get(unit_id, [])


# ----------------------------------------------------------------------- contexts


def _parse_committee(text: str | None) -> list[dc.CouncilMember]:
    """The ballot-counting committee, one member a line ("Họ tên | Vai trò", "Họ tên - Vai trò").

    A sentence that is not a list of names ("Ban kiểm phiếu gồm 03 đồng chí") gives no
    members: the minutes then leave the names to be written in, rather than print it as one."""
    import re

    out = []
    for line in (x.strip() for x in (text or "").splitlines()):
        line = re.sub(r"^(\d+[.)]|[-–•*])\s*", "", line)
        if not line:
            continue
        for sep in ("|", " - ", " – ", ":", ";", ","):
            if sep in line:
                name, role = (x.strip() for x in line.split(sep, 1))
                break
        else:
            name, role = line, ""
        lowered = name.lower()
        if len(name.split()) > 6 or any(w in lowered for w in ("gồm", "đồng chí", "ban kiểm phiếu")):
            continue
        out.append(dc.CouncilMember(name=name, role=role or ("Trưởng ban" if not out else "Thành viên")))
    return out


def _meeting_number(number: str | None) -> str | None:
    """The number of the minutes: "01/BB-HĐTĐKT" or "01" both give "01"."""
    import re

    m_ = re.match(r"\s*(\d+)", number or "")
    return m_.group(1) if m_ else None


def minutes_file_name(number: str | None, day: dt.date | None) -> str:
    """"bien-ban-hop-xet-so-01-ngay-12-11-2026.docx": the meeting's number and date in the name."""
    from bdhvs_desktop.documents.dossier_writer import MINUTES_FILE, slugify

    if day is None:
        return MINUTES_FILE
    parts = ["bien-ban-hop-xet"]
    num = _meeting_number(number)
    if num:
        parts.append(f"so-{slugify(num)}")
    parts.append(f"ngay-{day:%d-%m-%Y}")
    return "-".join(parts) + ".docx"


def _role_label(role: str | None) -> str:
    try:
        return vocab.COUNCIL_ROLE_LABELS.get(vocab.CouncilRole(role), "Ủy viên")
    except ValueError:
        return "Ủy viên"


def _minutes_context(c: m.Campaign, st: DossierSettings, rec: Any, campaign_name: str, pending: list[m.Candidate],
                     draft: bool, number: str | None, council: list[m.CouncilMember] | None = None) -> dc.MinutesContext:
    """The minutes of one meeting, from its record only (services.meeting: the members as they
    were, votes as cast); *rec* None gives blank minutes of a meeting to come (the council as
    it is now). *pending*: candidates not voted yet, rows to fill in at the meeting (drafts)."""
    if rec is not None:
        members = [dc.CouncilMember(name=x.full_name, position=x.position or "", role=_role_label(x.role),
                                    present=x.present, absence_reason=x.absence_reason or "") for x in rec.members]
        total = rec.total
        chair = dc.Person(name=rec.chair.full_name, position=rec.chair.position or "") if rec.chair else \
            dc.Person(name="")
        secretary = dc.Person(name=rec.secretary.full_name, position=rec.secretary.position or "") \
            if rec.secretary else dc.Person(name="")
        secret = rec.voting_method == "secret_ballot"
        results = [dc.VoteResult(name=v.subject_name, kind=v.kind, award=v.award_name,
                                 votes_for=min(v.tally.votes_for, total), total_members=total,
                                 votes_against=v.tally.votes_against if secret else None,
                                 note="Thông qua" if v.passed else "Không thông qua", passed=v.passed)
                   for v in rec.votes]
        conflicts = [dc.ConflictOfInterest(name=x.full_name, position=x.position or "",
                                           collectives=[r.candidate for r in x.recusals if r.kind != "self"],
                                           own=[r.candidate for r in x.recusals if r.kind == "self"])
                     for x in rec.members if x.present and x.recusals]
    else:
        council = council or []
        if not council:
            raise DossierError("Chưa có thành viên Hội đồng Thi đua - Khen thưởng; hãy nhập danh sách Hội đồng.")
        members = [dc.CouncilMember(name=x.full_name, position=x.position or "", role=_role_label(x.role))
                   for x in council]
        total = len(council)
        chair_m = next((x for x in council if x.role == "chair"), council[0])
        secretary_m = next((x for x in council if x.role == "secretary"), None)
        chair = dc.Person(name=chair_m.full_name, position=chair_m.position or "")
        secretary = dc.Person(name=secretary_m.full_name if secretary_m else "",
                              position=(secretary_m.position or "") if secretary_m else "")
        secret, results, conflicts = False, [], []
    for cand in pending:
        results.append(dc.VoteResult(name=_subject_name(cand), kind=_kind(cand),
                                     award=cand.award_form.name if cand.award_form else "",
                                     votes_for=0, total_members=total, note="Chưa biểu quyết"))
    results.sort(key=lambda r: r.kind != "collective")
    ballot = None
    if secret:
        issued_, returned_, valid_ = rec.ballots
        issued = issued_ if issued_ is not None else sum(1 for mm in members if mm.present)
        returned = returned_ if returned_ is not None else issued
        valid = valid_ if valid_ is not None else returned
        committee = [dc.CouncilMember(name=x.full_name, position=x.position or "",
                                      role="Trưởng ban" if x.counting_role == "head" else "Thành viên")
                     for x in rec.counting_committee]
        note = ""
        if not committee:  # recorded before members could be chosen: the old free text
            committee = _parse_committee(rec.counting_committee_text)
            note = "" if committee else " ".join((rec.counting_committee_text or "").split())
        ballot = dc.BallotCount(committee=tuple(committee), issued=issued, returned=returned, valid=valid,
                                invalid=max(returned - valid, 0), note=note)
    approved = [r for r in results if r.passed]
    lowered = campaign_name[0].lower() + campaign_name[1:]
    counts = dc.counts_text(sum(r.kind == "collective" for r in approved), sum(r.kind == "individual" for r in approved))
    conclusion = (
        f"Hội đồng thống nhất đề nghị khen thưởng {counts} có thành tích "
        f"xuất sắc trong {lowered} (có danh sách kèm theo)."
        if approved else "Hội đồng thống nhất kết quả biểu quyết như trên.")
    return dc.MinutesContext(
        issuer=_council_issuer(c, st, chair), number=dc.DocumentNumber(kind="BB", number=number),
        council_name=f"Hội đồng Thi đua - Khen thưởng {c.locality_full or c.locality or ''}".strip(),
        subject=f"Về việc xét, đề nghị khen thưởng trong {lowered}",
        start=rec.start if rec else None, end=rec.end if rec else None, place=(rec.place or "") if rec else "",
        chair=chair, secretary=secretary, members=tuple(members),
        voting_method="secret_ballot" if secret else "show_of_hands", results=tuple(results), conclusion=conclusion,
        content=(rec.discussion or "") if rec else "", ballot=ballot, date=rec.start.date() if rec else None,
        draft=draft, conflicts=tuple(conflicts))


def _minutes_documents(s: Session, c: m.Campaign, st: DossierSettings, cands: list[m.Candidate],
                       campaign_name: str, draft: bool, at: dt.date
                       ) -> tuple[list[MinutesDocument], list[dc.MeetingCitation]]:
    """One minutes document per meeting whose votes the dossier carries, and the Tờ trình's
    citation of each meeting whose approvals it carries, with that meeting's counts."""
    from bdhvs_desktop.services import meeting as meeting_service

    voted = {(v.meeting_id, v.candidate_id) for v in s.scalars(select(m.Vote).where(
        m.Vote.candidate_id.in_([x.id for x in cands])))}
    ids = list(dict.fromkeys(x.meeting_id for x in cands if x.meeting_id))
    if not ids and draft:  # nothing attached yet: the latest meeting, if it is still open
        latest = s.scalar(select(m.CouncilMeeting).where(m.CouncilMeeting.campaign_id == c.id)
                          .order_by(m.CouncilMeeting.held_at.desc(), m.CouncilMeeting.id.desc()).limit(1))
        if latest is not None and latest.status != "closed":
            ids = [latest.id]
    if not ids and not draft:
        raise DossierError("Chưa có phiên họp Hội đồng Thi đua - Khen thưởng nào; hãy ghi phiên họp và kết quả "
                           "bỏ phiếu trước khi lập hồ sơ chính thức (hoặc lập bản dự thảo với --draft).")
    records = sorted((meeting_service.read_record(s, mid) for mid in ids), key=lambda r: (r.start, r.id))
    open_ids = [r.id for r in records if r.status != "closed"]
    pending: dict[int | None, list[m.Candidate]] = defaultdict(list)
    for cand in cands:
        if (cand.meeting_id, cand.id) in voted:
            continue
        if not draft:
            continue  # approved without a vote at its meeting: check_counts names it
        target = cand.meeting_id if cand.meeting_id in open_ids else (open_ids[-1] if open_ids else None)
        pending[target].append(cand)
    docs: list[MinutesDocument] = []
    single = len(records) + (1 if pending.get(None) or not records else 0) == 1
    for rec in records:
        # The settings' minutes number can only number a dossier's one minutes document.
        number = st.minutes_number if single and st.minutes_number else _meeting_number(rec.number)
        ctx = _minutes_context(c, st, rec, campaign_name, pending.get(rec.id, []), draft, number)
        name = minutes_file_name(rec.number, rec.start.date())
        if any(d.file_name == name for d in docs):  # two meetings on one day with the same (or no) number
            name = name[:-5] + f"-phien-{len(docs) + 1}.docx"
        docs.append(MinutesDocument(name, rec.id, ctx))
    if pending.get(None) or not records:
        council = list(s.scalars(select(m.CouncilMember).where(m.CouncilMember.campaign_id == c.id,
                                                              m.CouncilMember.active.is_(True))
                                 .order_by(m.CouncilMember.sort_order, m.CouncilMember.id)))
        ctx = _minutes_context(c, st, None, campaign_name, pending.get(None, []), draft,
                               st.minutes_number or None, council)
        docs.append(MinutesDocument(minutes_file_name(None, None), None, ctx))
    citations = []
    by_meeting = defaultdict(list)
    for cand in cands:
        if cand.meeting_id is not None and cand.status in ISSUED_STATUSES:
            by_meeting[cand.meeting_id].append(cand)
    for rec, doc in zip(records, docs):
        carried = by_meeting.get(rec.id, [])
        if not carried:
            continue
        citations.append(dc.MeetingCitation(
            council_name=doc.context.council_name, date=rec.start.date(),
            minutes_symbol=doc.context.number.symbol(doc.context.issuer) if doc.context.number.number else "",
            present=rec.present, total=rec.total, voting_method=rec.voting_method,
            collectives=sum(1 for x in carried if x.subject_type == "unit"),
            individuals=sum(1 for x in carried if x.subject_type != "unit")))
    return docs, citations


def check_counts(submission: dc.SubmissionContext, minutes_docs: list[MinutesDocument] | tuple) -> None:
    """Refuse a Tờ trình whose counts differ from the minutes it cites: members present and in
    total, collectives and individuals approved -- per meeting -- and the proposal's totals."""
    by_key = {(x.context.start.date() if x.context.start else None, x.context.number.symbol(x.context.issuer)
               if x.context.number.number else ""): x.context for x in minutes_docs}
    problems = []
    for cite in submission.meetings:
        mins = by_key.get((cite.date, cite.minutes_symbol))
        where = f"Biên bản họp Hội đồng ngày {cite.date_text}" + (f" (số {cite.minutes_symbol})"
                                                                 if cite.minutes_symbol else "")
        if mins is None:
            problems.append(f"Tờ trình dẫn {where} nhưng hồ sơ không có biên bản đó.")
            continue
        pairs = (("số thành viên có mặt", cite.present, len(mins.present_members)),
                 ("tổng số thành viên Hội đồng", cite.total, len(mins.members)),
                 ("số tập thể được thông qua", cite.collectives, mins.passed_collectives),
                 ("số cá nhân được thông qua", cite.individuals, mins.passed_individuals))
        for label, ours, theirs in pairs:
            if ours != theirs:
                problems.append(f"{where}: Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
    for label, ours, cited in (("tập thể", len(submission.collectives), sum(x.collectives for x in submission.meetings)),
                               ("cá nhân", len(submission.individuals), sum(x.individuals for x in submission.meetings))):
        if ours != cited:
            problems.append(f"Tờ trình đề nghị {ours} {label} nhưng các biên bản họp Hội đồng được dẫn chỉ ghi "
                            f"{cited} {label} được thông qua (hồ sơ được thông qua mà không có kết quả biểu quyết "
                            "trong biên bản?).")
    if problems:
        raise DossierError("Tờ trình không khớp với biên bản họp Hội đồng; chưa lập hồ sơ:\n- "
                           + "\n- ".join(problems))


def build_contexts(db: Database, *, draft: bool = False, at: dt.date | None = None,
                   settings: DossierSettings | None = None) -> DossierContexts:
    """The three kinds of context, from the records as of *at* (default today)."""
    from bdhvs_desktop.services import form08

    at = at or dt.date.today()
    # Every Form 08 figure comes from these two (the numbers of `bdhvs status` / `bdhvs score`).
    results_at = form08.compute_results(db, at)
    with db.read() as s:
        c = _campaign(s)
        st = settings or _read_settings(s)
        cands = _candidates(s, c.id, draft)
        if not cands:
            raise DossierError(
                "Chưa có ứng viên nào được Hội đồng thông qua; không có gì để lập hồ sơ. "
                "Dùng --draft (bản dự thảo) để lập hồ sơ cho các ứng viên đã đề nghị."
                if not draft else "Chưa có ứng viên nào được đề nghị khen thưởng.")
        src = form08.load_source(s, c, at, *results_at)
        texts = {x.id: form08.effective_texts(src, x)[0] for x in cands}
        dossier = (c.details or {}).get("dossier") or {}
        campaign_name = dossier.get("campaign_title") or c.name
        if campaign_name and not campaign_name[0].isupper():
            campaign_name = campaign_name[0].upper() + campaign_name[1:]
        collectives = [x for x in cands if x.subject_type == "unit"]
        individuals = [x for x in cands if x.subject_type != "unit"]
        date = at if not draft else None
        minutes_docs, citations = _minutes_documents(s, c, st, cands, campaign_name, draft, at)
        body = "\n".join(x.summary for x in citations)
        ward = _ward_issuer(c, st)
        awards = {x.award_form.name for x in cands if x.award_form}
        nominees_c = [_nominee(x, draft, texts[x.id].get("summary", "")) for x in collectives]
        nominees_i = [_nominee(x, draft, texts[x.id].get("summary", "")) for x in individuals]
        submission = dc.SubmissionContext(
            issuer=ward, number=dc.DocumentNumber(kind="TTr", number=st.number or None), date=date,
            recipient=st.recipient or dossier.get("recipient") or "", campaign_name=campaign_name,
            collectives=tuple(nominees_c), individuals=tuple(nominees_i),
            legal_bases=tuple(f"Căn cứ {ref.rstrip(';. ')};" for ref in dossier.get("plan_ref") or ()),
            award_name=awards.pop() if len(awards) == 1 else "", body=body,
            recipients=("Như trên;", f"Lưu: VT{', VPĐU' if ward.format == 'party' else ', VP'}."), draft=draft,
            meetings=tuple(citations))
        if not draft:
            check_counts(submission, minutes_docs)
        built = [_achievement(src, c, st, x, campaign_name, date, draft, texts[x.id]) for x in cands]
        missing = tuple(f"{ctx.name}: {field}" for ctx, fields in built for field in fields)
        return DossierContexts(submission=submission, minutes_docs=tuple(minutes_docs),
                               achievements=tuple(ctx for ctx, _ in built),
                               candidate_ids=tuple(x.id for x in cands), missing=missing)


def _nominee(cand: m.Candidate, draft: bool, summary: str) -> dc.Nominee:
    if cand.subject_type == "unit":
        parent = cand.unit.parent.name if cand.unit and cand.unit.parent else ""
        pos_unit = parent
    else:
        p = cand.person
        pos_unit = ", ".join(x for x in ((p.position or "") if p else "", p.unit.name if p and p.unit else "") if x)
    note = "; ".join(x for x in (_status_label(cand.status) if draft else "", _carried_note(cand)) if x)
    return dc.Nominee(name=_subject_name(cand), position_unit=pos_unit,
                      award=cand.award_form.name if cand.award_form else "", achievement_summary=summary,
                      note=note)


def _carried_note(cand: m.Candidate) -> str:
    """A proposal to a higher level carries the ward's award of this campaign (from the register)."""
    from sqlalchemy.orm import object_session

    from bdhvs_desktop.services import awards as awards_service

    form = cand.award_form
    s = object_session(cand)
    if form is None or (form.level or "ward") in ("ward", "unit") or s is None:
        return ""
    award = awards_service.carried_award(s, subject_type=cand.subject_type,
                                         subject_id=(cand.unit_id if cand.subject_type == "unit" else cand.person_id),
                                         campaign_id=cand.campaign_id, level=form.level or "ward")
    return f"Đã được tặng {award.award_name} ({award.decision_ref})" if award else ""


# ----------------------------------------------------------------------- generating


def generate_dossier(db: Database, out_dir: Path | str, *, draft: bool = False, at: dt.date | None = None,
                     form_set: str | None = None, make_zip: bool | None = None, progress: Progress | None = None,
                     cancel: Any = None) -> DossierOutcome:
    """Write the dossier folder (all or nothing) and record it.

    Raises DossierError (missing records), documents.formsets.FormSetError (a template
    problem, listed before anything is written), documents.atomic.FileInUseError (a file
    of the previous dossier is open in Word), documents.dossier_writer.DossierCancelled."""
    require_role(db, "secretary", action="lập hồ sơ khen thưởng")
    from bdhvs_desktop.documents.dossier_writer import write_dossier

    st = load_settings(db)
    name = form_set or st.form_set
    if progress:
        progress(0, 1, f"Đang kiểm tra bộ mẫu “{name}”")
    fs = load_checked_form_set(name)
    if progress:
        progress(0, 1, "Đang đọc hồ sơ từ cơ sở dữ liệu")
    ctxs = build_contexts(db, draft=draft, at=at, settings=st)
    if not draft and ctxs.missing:
        raise MissingFieldsError(ctxs.missing)
    with db.read() as s:  # the decision chain's head, printed on the minutes and in the manifest
        anchor = audit.current_anchor(s)
    result = write_dossier(Path(out_dir), fs, ctxs.submission,
                           [(x.file_name, x.context) for x in ctxs.minutes_docs], ctxs.achievements,
                           make_zip=st.make_zip if make_zip is None else make_zip, progress=progress, cancel=cancel,
                           audit_anchor=anchor)
    issued: list[int] = []
    kinds = {"to_trinh": "to_trinh", "bien_ban": "bien_ban", "bao_cao_tap_the": "bao_cao_08",
             "bao_cao_ca_nhan": "bao_cao_08"}
    ach_ids = iter(ctxs.candidate_ids)
    minutes_meeting = {x.file_name: x.meeting_id for x in ctxs.minutes_docs}
    with db.session() as s:
        for f in result.files:
            cand_id = next(ach_ids) if f.form.startswith("bao_cao") else None
            s.add(m.GeneratedDocument(kind=kinds.get(f.form, f.form), path=str(result.folder / f.name),
                                      sha256=f.sha256, form_set=fs.name, candidate_id=cand_id,
                                      meeting_id=minutes_meeting.get(f.name, ctxs.meeting_id), draft=draft,
                                      created_by=db.user))
        if not draft:
            now = m.utcnow()
            for cand in s.scalars(select(m.Candidate).where(m.Candidate.id.in_(ctxs.candidate_ids))):
                if cand.status == vocab.CandidateStatus.APPROVED:
                    cand.status = vocab.CandidateStatus.ISSUED
                    cand.decided_at = cand.decided_at or now
                    issued.append(cand.id)
                    audit.record(s, user=db.user, action="status", entity="candidate", entity_id=cand.id,
                                 field="status", old=vocab.CandidateStatus.APPROVED.value,
                                 new=vocab.CandidateStatus.ISSUED.value,
                                 note=f"Lập hồ sơ khen thưởng: {result.folder}", chained=True)
        audit.save_anchor(s, anchor, user=db.user, purpose="minutes", note=str(result.folder))
        audit.record(s, user=db.user, action="generate", entity="dossier", entity_id=ctxs.meeting_id,
                     note=f"{'Dự thảo' if draft else 'Hồ sơ'} {len(result.files)} tệp, bộ mẫu {fs.name}: "
                          f"{result.folder}")
    return DossierOutcome(folder=result.folder, files=tuple(result.folder / f.name for f in result.files),
                          manifest=result.manifest_path, zip_path=result.zip_path, form_set=fs.name, draft=draft,
                          issued=tuple(issued))
