"""What every part of the award register shares: its errors (AwardError; AwardValidationError, a
services.errors.Invalid; AwardConcurrentEdit, a Conflict; AlreadyAwarded), AwardData (an entry
as typed or imported) and AwardInfo (an entry as read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.errors import Conflict, Invalid, ServiceError
from bdhvs_desktop.storage import models as m

STALE_MESSAGE = ("Mục này trong sổ khen thưởng vừa được người khác sửa trên máy khác; dữ liệu của bạn chưa bị "
                 "mất. Hãy tải lại rồi sửa lại.")


class AwardError(ServiceError):
    """A register action the user must correct; the message is Vietnamese."""


class AwardValidationError(AwardError, Invalid):
    """{field: message} (`errors`) the register's form shows next to each field."""

    def __init__(self, errors: dict[str, str]):
        Invalid.__init__(self, errors)


class AwardConcurrentEdit(AwardError, Conflict):
    """Someone else changed the register entry since it was read (mine/theirs)."""


class AlreadyAwarded(AwardError):
    """One achievement, one award: the message names the earlier decision."""

    def __init__(self, message: str, award_id: int):
        self.award_id = award_id
        super().__init__(message)


@dataclass(frozen=True)
class AwardData:
    """One register entry as a form or an import row gives it."""

    subject_type: str  # unit | person
    subject_name: str
    award_name: str
    level: str  # vocab.AwardLevel
    kind: str  # vocab.AwardKind
    decision_number: str | None
    decision_date: dt.date | None
    cccd: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    position: str | None = None
    award_code: str | None = None
    granting_authority: str | None = None
    campaign_id: int | None = None
    campaign_text: str | None = None
    achievement: str | None = None
    prize_amount: int | None = None
    note: str | None = None
    source: str = vocab.AwardSource.TYPED.value
    # Links, when known; otherwise found from the CCCD / unit code.
    person_id: int | None = None
    unit_id: int | None = None
    candidate_id: int | None = None


@dataclass(frozen=True)
class AwardInfo:
    id: int
    version: int
    subject_type: str
    subject_name: str
    cccd: str | None
    unit_code: str | None
    unit_name: str | None
    position: str | None
    person_id: int | None
    unit_id: int | None
    award_code: str | None
    award_name: str
    level: str
    level_label: str
    granting_authority: str | None
    decision_number: str | None
    decision_date: dt.date | None
    kind: str
    kind_label: str
    campaign_id: int | None
    campaign_text: str | None
    achievement: str | None
    prize_amount: int | None
    source: str
    source_label: str
    candidate_id: int | None
    note: str | None
    #: How this entry was matched to the subject asked about: "link" | "cccd" | "name" | "".
    match: str = ""

    @property
    def decision_ref(self) -> str:
        return rules.decision_ref(self.decision_number, self.decision_date, self.granting_authority)

    @property
    def counts_toward_merit(self) -> bool:
        return self.kind in rules.MERIT_RELEVANT_KINDS

    def fact(self) -> rules.AwardFact:
        return rules.AwardFact(id=self.id, award_name=self.award_name, level=self.level, kind=self.kind,
                               campaign_id=self.campaign_id, decision_number=self.decision_number,
                               decision_date=self.decision_date, granting_authority=self.granting_authority)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["decision_date"] = self.decision_date.isoformat() if self.decision_date else None
        d["decision_ref"] = self.decision_ref
        d["counts_toward_merit"] = self.counts_toward_merit
        return d


def _label(mapping: dict, code: str) -> str:
    for k, v in mapping.items():
        if k.value == code:
            return v
    return code


def _info(r: m.AwardRecord, match: str = "") -> AwardInfo:
    return AwardInfo(
        id=r.id, version=r.version, subject_type=r.subject_type, subject_name=r.subject_name, cccd=r.cccd,
        unit_code=r.unit_code, unit_name=r.unit_name, position=r.position, person_id=r.person_id,
        unit_id=r.unit_id, award_code=r.award_code, award_name=r.award_name, level=r.level,
        level_label=_label(vocab.AWARD_LEVEL_LABELS, r.level), granting_authority=r.granting_authority,
        decision_number=r.decision_number, decision_date=r.decision_date, kind=r.kind,
        kind_label=_label(vocab.AWARD_KIND_LABELS, r.kind), campaign_id=r.campaign_id,
        campaign_text=r.campaign_text, achievement=r.achievement, prize_amount=r.prize_amount, source=r.source,
        source_label=_label(vocab.AWARD_SOURCE_LABELS, r.source), candidate_id=r.candidate_id, note=r.note,
        match=match)


def _sort_key(a: AwardInfo) -> tuple:
    return (a.decision_date or dt.date.min, a.id)
