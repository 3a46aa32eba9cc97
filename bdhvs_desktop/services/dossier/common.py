"""What every part of the dossier service shares: its errors (DossierError; StaleEditError, a
services.errors.Conflict; MissingFieldsError), constants (report sections, setting keys, issuer
choices) and the plain data it hands out (settings, candidates, contexts, outcome)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.errors import Conflict, Locked, ServiceError
from bdhvs_desktop.storage import models as m

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


class DossierLocked(DossierError, Locked):
    """The candidate's result is locked (approved by the council, or its dossier issued)."""


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


def _setting(s: Session, key: str, default: Any = None) -> Any:
    row = s.get(m.Setting, key)
    return default if row is None or row.value is None else row.value


def _campaign(s: Session) -> m.Campaign:
    c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    if c is None:
        raise DossierError("Chưa có phong trào trong cơ sở dữ liệu (chạy 'bdhvs init' hoặc 'bdhvs demo').")
    return c


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


def vn_short(day: dt.date | None) -> str:

    return vn_format.vn_short_date(day) if day else ""
