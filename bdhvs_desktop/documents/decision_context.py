"""The data the award decision (Quyết định khen thưởng) is rendered from, visible to the
template as ``decision``. Plain frozen dataclasses, no database (see documents/context.py
for the conventions: text printed as given, ``None`` dates print blanks)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from . import vn_format
from .context import DocumentNumber, Issuer, ListedDocument
from .context.common import _tuples

__all__ = ["Awardee", "DecisionContext", "PrizeLine"]


@dataclass(frozen=True, kw_only=True)
class Awardee:
    """One row of the list attached to the decision."""

    name: str
    #: "Chức vụ - đơn vị" of a person; the parent unit of a collective.
    position_unit: str = ""
    #: "Giấy khen của Chủ tịch Ủy ban nhân dân phường La Gi".
    award: str = ""
    #: The achievement the award is for (line breaks allowed).
    achievement: str = ""
    #: "500.000 đồng" or "".
    prize_text: str = ""


@dataclass(frozen=True, kw_only=True)
class PrizeLine:
    """One sentence of Điều 2: the prize that goes with one award form."""

    award: str
    amount_text: str
    collective_count: int = 0
    individual_count: int = 0
    total_text: str = ""

    @property
    def recipients_text(self) -> str:
        parts = []
        if self.collective_count:
            parts.append(f"{vn_format.vn_count(self.collective_count)} tập thể")
        if self.individual_count:
            parts.append(f"{vn_format.vn_count(self.individual_count)} cá nhân")
        return " và ".join(parts)


@dataclass(frozen=True, kw_only=True)
class DecisionContext(ListedDocument):
    """Quyết định khen thưởng with its attached list (I. Tập thể / II. Cá nhân)."""

    #: The granting authority's heading (party or state format).
    issuer: Issuer
    number: DocumentNumber
    #: ``None`` prints blanks (a draft before it has a number and date).
    date: datetime.date | None
    #: The line under "QUYẾT ĐỊNH", in capitals: "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG LA GI".
    authority_title: str
    #: "Về việc khen thưởng ... trong thực hiện Phong trào thi đua “Bình dân học vụ số”".
    subject: str
    campaign_name: str
    #: Local bases after the form set's: "Căn cứ Kế hoạch số ...;", "Xét đề nghị ... tại Tờ trình số ...".
    legal_bases: tuple[str, ...] = ()
    #: How Điều 1 names the award when every awardee has the same one ("" if they differ).
    award_name: str = ""
    collectives: tuple[Awardee, ...] = ()
    individuals: tuple[Awardee, ...] = ()
    #: Điều 2, one line per award form carrying a prize (empty: no prize article).
    prizes: tuple[PrizeLine, ...] = ()
    #: Where the prize money comes from ("" to leave it out).
    prize_source: str = ""
    #: Điều 3: who carries the decision out.
    executors: str = ""
    #: "Nơi nhận", one line each.
    recipients: tuple[str, ...] = ()
    draft: bool = False

    def __post_init__(self) -> None:
        _tuples(self)

    @property
    def awarded_text(self) -> str:
        """"01 tập thể và 02 cá nhân", "01 tập thể" or "02 cá nhân"."""
        parts = []
        if self.collectives:
            parts.append(f"{self.collective_count} tập thể")
        if self.individuals:
            parts.append(f"{self.individual_count} cá nhân")
        return " và ".join(parts)

    @property
    def has_prizes(self) -> bool:
        return bool(self.prizes)

    @property
    def last_article(self) -> str:
        """"Điều 3." (effect and execution) after a prize article, "Điều 2." without one."""
        return "Điều 3." if self.prizes else "Điều 2."
