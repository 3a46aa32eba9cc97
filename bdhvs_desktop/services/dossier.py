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
from typing import Any, Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.errors import Conflict, ServiceError
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
    "issuer": "dossier.issuer",
    "date": "dossier.date",
    "number": "dossier.number",
    "minutes_number": "dossier.minutes_number",
    "signer_name": "dossier.signer_name",
    "signer_title": "dossier.signer_title",
    "recipient": "dossier.recipient",
    "make_zip": "dossier.make_zip",
}

#: The council as an issuing body, on two lines so it fits the heading's left column.
COUNCIL_HEADING = "HỘI ĐỒNG\nTHI ĐUA - KHEN THƯỞNG"

ISSUED_STATUSES = (vocab.CandidateStatus.APPROVED, vocab.CandidateStatus.ISSUED)
DRAFT_STATUSES = (vocab.CandidateStatus.PROPOSED, vocab.CandidateStatus.REVIEWED,
                  vocab.CandidateStatus.APPROVED, vocab.CandidateStatus.ISSUED)

Progress = Callable[[int, int, str], None]


class DossierError(ServiceError):
    """The dossier cannot be made from the records; the message says what is missing."""


class StaleEditError(DossierError, Conflict):
    """Someone else changed the candidate since it was read (a Conflict with mine/theirs)."""


#: Who proposes (sends the Tờ trình): "council" -- the emulation council (its standing
#: office on the party side) of the campaign's own level; "ward" -- the level below the
#: granting authority (the ward's People's Committee or party committee); "auto" -- the
#: council when the authority is of the campaign's own level, else the ward.
ISSUERS = ("auto", "council", "ward")
#: "auto": the format follows the granting authority. "party"/"state" force one; a forced
#: format that contradicts an award's authority is refused.
ISSUER_FORMATS = ("auto", "party", "state")


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
    #: "auto" | "party" (Hướng dẫn 36-HD/VPTW) | "state" (Nghị định 30/2020/NĐ-CP).
    issuer_format: str
    number: str
    minutes_number: str
    signer_name: str
    signer_title: str
    recipient: str
    make_zip: bool
    #: ISSUERS.
    issuer: str = "auto"
    #: The date printed on the documents; None: the day the dossier is made (``at``).
    date: dt.date | None = None


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
    #: The first Tờ trình (of ``submissions``).
    submission: dc.SubmissionContext
    #: One minutes document per meeting, in the order the meetings were held (none in a
    #: draft made before the council was entered).
    minutes_docs: tuple[MinutesDocument, ...]
    achievements: tuple[dc.AchievementContext, ...]
    candidate_ids: tuple[int, ...]
    #: One Tờ trình per granting authority: (file name, context).
    submissions: tuple[tuple[str, dc.SubmissionContext], ...] = ()
    #: What the user must know about this dossier (left-out minutes, an expired form set).
    notes: tuple[str, ...] = ()
    #: "Candidate: field" of every required Form 08 field with no data (a final dossier is refused).
    missing: tuple[str, ...] = ()

    @property
    def minutes(self) -> dc.MinutesContext | None:
        """The first (often the only) meeting's minutes."""
        return self.minutes_docs[0].context if self.minutes_docs else None

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
    #: Warnings and what was left out, in Vietnamese, to show the user.
    notes: tuple[str, ...] = ()


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
    # The preset's dossier.issuer used to choose the format; the award forms decide it now.
    fmt = _setting(s, SETTING_KEYS["issuer_format"], "auto")
    issuer = _setting(s, SETTING_KEYS["issuer"], "auto")
    day = _setting(s, SETTING_KEYS["date"], None)
    try:
        day = dt.date.fromisoformat(day) if day else None
    except (TypeError, ValueError):
        day = None
    return DossierSettings(
        form_set=str(_setting(s, SETTING_KEYS["form_set"], dossier.get("form_set") or DEFAULT_FORM_SET)),
        issuer_format=fmt if fmt in ISSUER_FORMATS else "auto",
        issuer=issuer if issuer in ISSUERS else "auto",
        date=day,
        number=str(_setting(s, SETTING_KEYS["number"], "") or ""),
        minutes_number=str(_setting(s, SETTING_KEYS["minutes_number"], "") or ""),
        signer_name=str(_setting(s, SETTING_KEYS["signer_name"], "") or ""),
        signer_title=str(_setting(s, SETTING_KEYS["signer_title"], "") or ""),
        # "Kính gửi" follows each award form's authority; this setting overrides it.
        recipient=str(_setting(s, SETTING_KEYS["recipient"], "") or ""),
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
    if "issuer_format" in changes and changes["issuer_format"] not in ISSUER_FORMATS:
        raise DossierError("Thể thức văn bản phải là 'auto' (theo thẩm quyền khen thưởng), 'party' (văn bản của "
                           f"Đảng) hoặc 'state' (văn bản hành chính), không phải “{changes['issuer_format']}”.")
    if "issuer" in changes and changes["issuer"] not in ISSUERS:
        raise DossierError("Người trình phải là 'auto', 'council' (Hội đồng Thi đua - Khen thưởng) hoặc 'ward' "
                           f"(Ủy ban nhân dân/Đảng ủy cấp dưới của cấp khen), không phải “{changes['issuer']}”.")
    if "date" in changes:
        value = changes["date"]
        if isinstance(value, dt.date):
            changes["date"] = value.isoformat()
        elif value not in (None, ""):
            raise DossierError(f"Ngày văn bản không hợp lệ: “{value}”.")
        else:
            changes["date"] = None
    if "form_set" in changes:
        names = {n for n, _t in available_form_sets()}
        if changes["form_set"] not in names:
            raise DossierError(f"Không có bộ mẫu “{changes['form_set']}” (có: {', '.join(sorted(names))}).")
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
            mine: dict[str, Any] = {f"report_text.{k}": v for k, v in sections.items()}
            theirs: dict[str, Any] = {f"report_text.{k}": (cand.report_text or {}).get(k) for k in sections}
            if summary is not None:
                mine["summary"], theirs["summary"] = summary, cand.summary
            raise StaleEditError(f"Báo cáo thành tích của “{_subject_name(cand)}” vừa được người khác sửa. "
                                 "Hãy tải lại trước khi lưu.", entity="candidate", entity_id=cand.id, mine=mine,
                                 theirs=theirs, current_version=cand.version)
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


# ------------------------------------------------------------------------ authorities


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
    from bdhvs_desktop.domain.presets import authority_of

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
    from bdhvs_desktop.domain.text import fold

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
        from bdhvs_desktop.domain.text import fold

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
    import re

    if unit.kind in ("chi_bo", "dang_bo"):
        return _KIND_SYMBOL[unit.kind]
    plain = re.sub(r"\([^)]*\)", "", unit.name)
    words = [w for w in plain.split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:6]) or "ĐV"


# ------------------------------------------------------------------------- Form 08


def _achievement(src, c: m.Campaign, st: DossierSettings, cand: m.Candidate, campaign_name: str,
                 date: dt.date | None, draft: bool, texts: dict[str, str], *, fmt: str | None = None,
                 confirmer: dc.Issuer | None = None) -> tuple[dc.AchievementContext, list[str]]:
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
        parts = []  # of whom (they need not add up to the total): "trong đó 03 đảng viên; …"
        if party:
            parts.append(f"{vf.vn_count(party)} đảng viên")
        if servants:
            parts.append(f"{vf.vn_count(servants)} cán bộ, công chức, viên chức")
        if parts:
            parts[0] = f"trong đó {parts[0]}"
        structure = texts.get("structure", "").rstrip().rstrip(".")
        profile = dc.CollectiveProfile(address=unit.address or "", structure=structure,
                                       functions=texts.get("functions", ""),
                                       headcount=(facts.headcount if facts else len(members)) or None,
                                       headcount_detail="; ".join(parts), phone=unit.phone or "",
                                       vneid=form08.party_vneid(src, unit))
        own, related = form08.unit_models(src, unit)
        ctx = dc.AchievementContext(kind="collective", name=unit.name, issuer=_unit_issuer(c, st, unit, fmt),
                                    collective=profile, targets=tuple(form08.unit_target_rows(src, unit)),
                                    models=tuple(own), related_models=tuple(related),
                                    activities=tuple(form08.unit_activities(src, unit)),
                                    number=dc.DocumentNumber(kind="BC", number=None),
                                    confirmer=confirmer or _ward_issuer(c, st), **common)
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
    ctx = dc.AchievementContext(kind="individual", name=person.full_name, issuer=_unit_issuer(c, st, unit, fmt),
                                position_unit=pos_unit, individual=profile,
                                targets=tuple(form08.person_criteria_rows(src, person)),
                                related_models=tuple(form08.person_models(src, person)),
                                confirmer=form08.individual_confirmer(src, person, confirmer or _ward_issuer(c, st)), **common)
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
        if council or not draft:  # a draft before the council exists has no minutes to fill in
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


def check_counts(submission: dc.SubmissionContext | Sequence[dc.SubmissionContext],
                 minutes_docs: list[MinutesDocument] | tuple) -> None:
    """Refuse Tờ trình whose counts differ from the minutes they cite: members present and in
    total, collectives and individuals approved -- per meeting, summed over the Tờ trình when
    a meeting's approvals go to several authorities -- and each proposal's totals."""
    submissions = [submission] if isinstance(submission, dc.SubmissionContext) else list(submission)
    by_key = {(x.context.start.date() if x.context.start else None, x.context.number.symbol(x.context.issuer)
               if x.context.number.number else ""): x.context for x in minutes_docs}
    problems = []
    carried: dict[tuple, list[int]] = {}
    for sub in submissions:
        for cite in sub.meetings:
            key = (cite.date, cite.minutes_symbol)
            mins = by_key.get(key)
            where = f"Biên bản họp Hội đồng ngày {cite.date_text}" + (f" (số {cite.minutes_symbol})"
                                                                     if cite.minutes_symbol else "")
            if mins is None:
                problems.append(f"Tờ trình dẫn {where} nhưng hồ sơ không có biên bản đó.")
                continue
            for label, ours, theirs in (("số thành viên có mặt", cite.present, len(mins.present_members)),
                                        ("tổng số thành viên Hội đồng", cite.total, len(mins.members))):
                if ours != theirs:
                    problems.append(f"{where}: Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
            sums = carried.setdefault(key, [0, 0])
            sums[0] += cite.collectives
            sums[1] += cite.individuals
        for label, ours, cited in (("tập thể", len(sub.collectives), sum(x.collectives for x in sub.meetings)),
                                   ("cá nhân", len(sub.individuals), sum(x.individuals for x in sub.meetings))):
            if ours != cited:
                which = f" (Tờ trình gửi {sub.recipient})" if len(submissions) > 1 else ""
                problems.append(f"Tờ trình đề nghị {ours} {label} nhưng các biên bản họp Hội đồng được dẫn chỉ ghi "
                                f"{cited} {label} được thông qua (hồ sơ được thông qua mà không có kết quả biểu quyết "
                                f"trong biên bản?){which}.")
    for key, (n_coll, n_ind) in carried.items():
        mins = by_key[key]
        where = f"Biên bản họp Hội đồng ngày {vn_short(key[0])}" + (f" (số {key[1]})" if key[1] else "")
        for label, ours, theirs in (("số tập thể được thông qua", n_coll, mins.passed_collectives),
                                    ("số cá nhân được thông qua", n_ind, mins.passed_individuals)):
            if ours != theirs:
                problems.append(f"{where}: các Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
    if problems:
        raise DossierError("Tờ trình không khớp với biên bản họp Hội đồng; chưa lập hồ sơ:\n- "
                           + "\n- ".join(problems))


def vn_short(day: dt.date | None) -> str:
    from bdhvs_desktop.documents import vn_format

    return vn_format.vn_short_date(day) if day else ""


def build_contexts(db: Database, *, draft: bool = False, at: dt.date | None = None,
                   settings: DossierSettings | None = None) -> DossierContexts:
    """The three kinds of context, from the records as of *at* (default today)."""
    from bdhvs_desktop.domain.text import fold
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
        date = (st.date or at) if not draft else None
        notes: list[str] = []
        has_council = s.scalar(select(m.CouncilMember.id).where(m.CouncilMember.campaign_id == c.id,
                                                                m.CouncilMember.active.is_(True)).limit(1))
        if has_council is None and not draft:
            raise DossierError("Chưa có thành viên Hội đồng Thi đua - Khen thưởng; hãy nhập danh sách Hội đồng "
                               "(hoặc lập bản dự thảo với --draft: bản dự thảo không có Biên bản họp xét).")
        minutes_docs, _citations = _minutes_documents(s, c, st, cands, campaign_name, draft, at)
        if has_council is None and not any(d.meeting_id is None for d in minutes_docs):
            notes.append("Chưa có thành viên Hội đồng Thi đua - Khen thưởng: bản dự thảo không có Biên bản họp xét "
                         "(bien-ban-hop-xet.docx) cho các ứng viên chưa được họp xét; Tờ trình và Báo cáo thành "
                         "tích vẫn được lập.")
        authorities = {x.id: _authority(c, x.award_form) for x in cands}
        chair_name = next((d.context.chair.name for d in reversed(minutes_docs) if d.context.chair.name), "")
        # The party office's head, as the latest minutes list him among the council's members.
        from bdhvs_desktop.domain.text import fold

        office_head = next((x.name for d in reversed(minutes_docs) for x in d.context.members
                            if fold(x.position or "").startswith("chanh van phong")), "")
        # One Tờ trình per granting authority: each goes to its own recipient with its own list.
        groups: dict[tuple[str, str], list[m.Candidate]] = {}
        for x in cands:
            a = authorities[x.id]
            groups.setdefault((a.format, a.name), []).append(x)
        order = sorted(groups, key=lambda k: (not authorities[groups[k][0].id].own_level, k[0] != "state",
                                              fold(k[1])))
        if st.recipient and len(order) > 1:
            raise DossierError(f"Hồ sơ có {len(order)} Tờ trình gửi {len(order)} cấp có thẩm quyền khác nhau ("
                               + "; ".join(k[1] for k in order) + "), nên không dùng một “Kính gửi” chung "
                               f"(“{st.recipient}”). Xóa thiết lập: bdhvs dossier settings --recipient \"\".")
        from bdhvs_desktop.documents.dossier_writer import SUBMISSION_FILE, slugify

        submissions: list[tuple[str, dc.SubmissionContext]] = []
        proposers: dict[int, dc.Issuer] = {}
        for key in order:
            group = groups[key]
            auth = authorities[group[0].id]
            proposer = _proposer(c, st, auth, chair_name, office_head)
            for x in group:
                proposers[x.id] = proposer
            citations = _citations_for(minutes_docs, group)
            awards = {x.award_form.name for x in group if x.award_form}
            name = SUBMISSION_FILE if len(order) == 1 else \
                f"{SUBMISSION_FILE.removesuffix('.docx')}-{slugify(auth.name, 40)}.docx"
            submission = dc.SubmissionContext(
                issuer=proposer, number=dc.DocumentNumber(kind="TTr", number=st.number or None), date=date,
                recipient=st.recipient or auth.recipient, campaign_name=campaign_name,
                collectives=tuple(_nominee(x, draft, texts[x.id].get("summary", "")) for x in group
                                  if x.subject_type == "unit"),
                individuals=tuple(_nominee(x, draft, texts[x.id].get("summary", "")) for x in group
                                  if x.subject_type != "unit"),
                legal_bases=tuple(f"Căn cứ {ref.rstrip(';. ')};" for ref in dossier.get("plan_ref") or ()),
                award_name=awards.pop() if len(awards) == 1 else "", body="\n".join(x.summary for x in citations),
                recipients=("Như trên;", f"Lưu: VT, {proposer.abbreviation}."), draft=draft,
                meetings=tuple(citations))
            submissions.append((name, submission))
        if not draft:
            check_counts([x for _n, x in submissions], minutes_docs)
        built = [_achievement(src, c, st, x, campaign_name, date, draft, texts[x.id],
                              fmt=authorities[x.id].format, confirmer=proposers[x.id]) for x in cands]
        missing = tuple(f"{ctx.name}: {field}" for ctx, fields in built for field in fields)
        return DossierContexts(submission=submissions[0][1], minutes_docs=tuple(minutes_docs),
                               achievements=tuple(ctx for ctx, _ in built),
                               candidate_ids=tuple(x.id for x in cands), submissions=tuple(submissions),
                               notes=tuple(notes), missing=missing)


def _citations_for(minutes_docs: list[MinutesDocument], cands: list[m.Candidate]) -> list[dc.MeetingCitation]:
    """The meetings whose approvals of *cands* a Tờ trình carries, with their minutes' counts."""
    by_meeting: dict[int, list[m.Candidate]] = defaultdict(list)
    for cand in cands:
        if cand.meeting_id is not None and cand.status in ISSUED_STATUSES:
            by_meeting[cand.meeting_id].append(cand)
    out = []
    for doc in minutes_docs:
        carried = by_meeting.get(doc.meeting_id, []) if doc.meeting_id is not None else []
        if not carried or doc.context.start is None:
            continue
        ctx = doc.context
        out.append(dc.MeetingCitation(
            council_name=ctx.council_name, date=ctx.start.date(),
            minutes_symbol=ctx.number.symbol(ctx.issuer) if ctx.number.number else "",
            present=len(ctx.present_members), total=len(ctx.members), voting_method=ctx.voting_method,
            collectives=sum(1 for x in carried if x.subject_type == "unit"),
            individuals=sum(1 for x in carried if x.subject_type != "unit")))
    return out


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
    notes = list(ctxs.notes)
    expired = form_set_warning(fs, (st.date or at or dt.date.today()) if not draft else (at or dt.date.today()))
    if expired:
        notes.insert(0, expired)
    if not draft and ctxs.missing:
        raise MissingFieldsError(ctxs.missing)
    with db.read() as s:  # the decision chain's head, in the manifest; each closed meeting's
        anchor = audit.current_anchor(s)  # minutes print the head at its close (the same on every reprint)
        closed = {x.file_name: audit.meeting_anchor(s, x.meeting_id) for x in ctxs.minutes_docs
                  if x.meeting_id is not None}
    result = write_dossier(Path(out_dir), fs, ctxs.submissions or ctxs.submission,
                           [(x.file_name, x.context) for x in ctxs.minutes_docs], ctxs.achievements,
                           make_zip=st.make_zip if make_zip is None else make_zip, progress=progress, cancel=cancel,
                           audit_anchor=anchor, minutes_anchors={k: v for k, v in closed.items() if v is not None})
    from bdhvs_desktop.documents.dossier_writer import manifest_is_valid

    # The database follows the folder: nothing is recorded unless the manifest, written
    # last, is in place and matches the files.
    if not manifest_is_valid(result.folder):
        raise DossierError(f"Thư mục hồ sơ “{result.folder}” không khớp với manifest.json vừa ghi; hồ sơ chưa được "
                           "ghi nhận. Hãy tạo lại.")
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
                          issued=tuple(issued), notes=tuple(notes))


def _decree_short(decree: str) -> str:
    """"Nghị định số 152/2025/NĐ-CP" out of the decree's full title."""
    import re

    m_ = re.search(r"Nghị định số\s+\S+", decree or "")
    return m_.group(0) if m_ else (decree or "")


def form_set_warning(fs: Any, day: dt.date | None) -> str:
    """A warning when *day* is after the form set's ``in_force_until``, naming the decree
    that replaced it ("" otherwise). The office may still choose the set (a local plan may
    cite the old decree)."""
    until = getattr(fs, "in_force_until", None)
    if day is None or until is None or day <= until:
        return ""
    replaced_by = getattr(fs, "replaced_by", "") or ""
    successor = ""
    if replaced_by:
        from bdhvs_desktop.documents.formsets import list_form_sets

        builtin, user = form_set_dirs()
        found = {x.name: x for x in list_form_sets(builtin, user)}.get(replaced_by)
        successor = _decree_short(found.decree) if found is not None else ""
        successor = f"{successor} (bộ mẫu “{replaced_by}”)" if successor else f"bộ mẫu “{replaced_by}”"
    return (f"Cảnh báo: bộ mẫu “{fs.name}” theo {_decree_short(fs.decree)} chỉ còn hiệu lực đến ngày "
            f"{until.strftime('%d/%m/%Y')}" + (f", đã được thay thế bởi {successor}" if successor else "")
            + f"; hồ sơ ghi ngày {day.strftime('%d/%m/%Y')}. Văn phòng vẫn có thể dùng bộ mẫu này nếu kế hoạch "
            "thi đua dẫn chiếu nó.")


def form_set_warning_named(name: str, day: dt.date | None) -> str:
    """form_set_warning for the form set called *name* ("" when it is not found)."""
    from bdhvs_desktop.documents.formsets import list_form_sets

    builtin, user = form_set_dirs()
    found = {x.name: x for x in list_form_sets(builtin, user)}.get(name)
    return form_set_warning(found, day or dt.date.today()) if found is not None else ""


def settings_warning(db: Database, day: dt.date | None = None) -> str:
    """The form set warning for the current settings (for the command line)."""
    st = load_settings(db)
    return form_set_warning_named(st.form_set, st.date or day or dt.date.today())
