"""What the province office's own Tờ trình is rendered from (form ``to_trinh_tinh``): plain
frozen dataclasses, no database.

A province office does not propose its own people: it carries the wards' proposals, which its
council has considered, to the province's granting authority (Chủ tịch Ủy ban nhân dân tỉnh,
Ban Thường vụ Tỉnh ủy). So its Tờ trình cites each ward's Tờ trình ("Căn cứ Tờ trình số
12-TTr/ĐU ngày 20/11/2026 của Đảng ủy phường Bình Minh ...;") and its attached list is grouped
by ward: one heading row per ward naming that ward's proposal, then the ward's collectives
and individuals. The heading, the counts and the place and date work as in the ward's Tờ
trình (it is a :class:`~bdhvs_desktop.documents.context.SubmissionContext` with its wards).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from . import vn_format
from .context import Nominee, SubmissionContext, _tuples, counts_text

__all__ = ["ProvinceSubmissionContext", "WardGroup"]


@dataclass(frozen=True, kw_only=True)
class WardGroup:
    """One ward's proposal, as the province carries it: the ward, its Tờ trình, its nominees."""

    #: The list's numbering of the ward: 1, 2, 3 ...
    position: int
    #: "Phường Bình Minh".
    ward_name: str
    #: Who sent the proposal, as named in a sentence: "Đảng ủy phường Bình Minh" ("" unknown).
    proposer: str = ""
    #: The ward's Tờ trình symbol as printed on it: "12-TTr/ĐU" ("" when it had none).
    proposal_symbol: str = ""
    proposal_date: datetime.date | None = None
    collectives: tuple[Nominee, ...] = ()
    individuals: tuple[Nominee, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)
        if self.position < 1:
            raise ValueError(f"WardGroup.position phải từ 1: {self.position}")

    @property
    def proposal_text(self) -> str:
        """"Tờ trình số 12-TTr/ĐU ngày 20/11/2026 của Đảng ủy phường Bình Minh"."""
        parts = ["Tờ trình"]
        if self.proposal_symbol:
            parts.append(f"số {self.proposal_symbol}")
        if self.proposal_date:
            parts.append(f"ngày {vn_format.vn_short_date(self.proposal_date)}")
        parts.append(f"của {self.proposer or self.ward_name}")
        return " ".join(parts)

    @property
    def heading(self) -> str:
        """The list's row above the ward's nominees: "1. PHƯỜNG BÌNH MINH (Tờ trình số ...)"."""
        return f"{self.position}. {self.ward_name.upper()} ({self.proposal_text})"

    @property
    def citation(self) -> str:
        """"Căn cứ Tờ trình số … của Đảng ủy phường Bình Minh đề nghị khen thưởng 01 tập thể và 02 cá nhân;"."""
        return (f"Căn cứ {self.proposal_text} đề nghị khen thưởng "
                f"{counts_text(len(self.collectives), len(self.individuals))};")


@dataclass(frozen=True, kw_only=True)
class ProvinceSubmissionContext(SubmissionContext):
    """The province's Tờ trình to its granting authority: the ward's Tờ trình (its fields, the
    same heading, counts, place and date), plus the wards whose proposals it carries, the list
    grouped by them. ``collectives``/``individuals`` are every ward's, in the wards' order (given
    ``wards``, they are filled in from them)."""

    wards: tuple[WardGroup, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.wards:
            object.__setattr__(self, "collectives", tuple(n for w in self.wards for n in w.collectives))
            object.__setattr__(self, "individuals", tuple(n for w in self.wards for n in w.individuals))

    @property
    def ward_count(self) -> str:
        return vn_format.vn_count(len(self.wards))

    @property
    def counts(self) -> str:
        """"03 tập thể và 05 cá nhân"."""
        return counts_text(len(self.collectives), len(self.individuals))
