"""The Tờ trình (Form 01) context: the nominees, the meetings cited, the documents listed with
it, and the submission itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from bdhvs_desktop.documents import vn_format
from bdhvs_desktop.documents.context.common import (
    DocumentNumber,
    Issuer,
    VotingMethod,
    _non_negative,
    _tuples,
    counts_text,
)


@dataclass(frozen=True, kw_only=True)
class Nominee:
    """One row of the list attached to the Tờ trình."""

    #: Full name of the collective or person, not abbreviated.
    name: str
    #: "Chức vụ - đơn vị": "Bí thư Chi bộ, Trưởng Khu phố 3".
    position_unit: str = ""
    #: "Hình thức khen thưởng đề nghị": "Giấy khen của Chủ tịch UBND phường".
    award: str = ""
    #: "Tóm tắt thành tích" (line breaks allowed).
    achievement_summary: str = ""
    #: "Ghi chú".
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class MeetingCitation:
    """A council meeting whose approvals the Tờ trình carries, with the counts of its minutes."""

    #: "Hội đồng Thi đua - Khen thưởng phường La Gi".
    council_name: str
    date: datetime.date
    #: The minutes' symbol as printed: "01/BB-HĐTĐKT" ("" when not numbered yet).
    minutes_symbol: str = ""
    present: int
    total: int
    voting_method: VotingMethod = "show_of_hands"
    #: Collectives and individuals approved at that meeting and carried by the Tờ trình.
    collectives: int = 0
    individuals: int = 0

    def __post_init__(self) -> None:
        _non_negative(self, "present", "total", "collectives", "individuals")

    @property
    def date_text(self) -> str:
        return vn_format.vn_short_date(self.date)

    @property
    def citation(self) -> str:
        """"Căn cứ Biên bản họp Hội đồng … ngày 12/11/2026 (số 01/BB-HĐTĐKT);"."""
        number = f" (số {self.minutes_symbol})" if self.minutes_symbol else ""
        return f"Căn cứ Biên bản họp {self.council_name} ngày {self.date_text}{number};"

    @property
    def summary(self) -> str:
        method = "bỏ phiếu kín" if self.voting_method == "secret_ballot" else "biểu quyết giơ tay"
        return (f"Ngày {self.date_text}, {self.council_name} đã họp xét ({vn_format.vn_count(self.present)}/"
                f"{vn_format.vn_count(self.total)} thành viên có mặt, {method}); kết quả có "
                f"{counts_text(self.collectives, self.individuals)} đủ điều kiện đề nghị khen thưởng.")


class ListedDocument:
    """What the Tờ trình and the award decision print alike: their number and symbol, place and
    date, and the counts of the list they carry (needs ``number``, ``issuer``, ``date``,
    ``collectives`` and ``individuals``)."""

    @property
    def number_text(self) -> str:
        return self.number.text(self.issuer)

    @property
    def number_symbol(self) -> str:
        return self.number.symbol(self.issuer)

    @property
    def place_date(self) -> str:
        return vn_format.vn_date(self.date, self.issuer.place)

    @property
    def short_date(self) -> str:
        return vn_format.vn_short_date(self.date)

    @property
    def collective_count(self) -> str:
        return vn_format.vn_count(len(self.collectives))

    @property
    def individual_count(self) -> str:
        return vn_format.vn_count(len(self.individuals))


@dataclass(frozen=True, kw_only=True)
class SubmissionContext(ListedDocument):
    """Form 01 -- Tờ trình đề nghị khen thưởng, with its attached list."""

    issuer: Issuer
    number: DocumentNumber
    #: ``None`` prints blanks to be filled in by hand.
    date: datetime.date | None
    #: "Kính gửi: ...": "Chủ tịch Ủy ban nhân dân phường La Gi".
    recipient: str
    #: 'Phong trào thi đua “Bình dân học vụ số”'.
    campaign_name: str
    collectives: tuple[Nominee, ...] = ()
    individuals: tuple[Nominee, ...] = ()
    #: Replaces the default title line "Về việc đề nghị khen thưởng ...".
    subject: str = ""
    #: Local legal bases, after the form set's ones: "Căn cứ Kế hoạch số 08-KH/ĐU ...;".
    legal_bases: tuple[str, ...] = ()
    #: The award proposed, used in the default proposal sentence ("Giấy khen của ...").
    award_name: str = ""
    #: Free text (paragraphs): the campaign's results and the council's result.
    body: str = ""
    #: Replaces the default proposal sentence ("... kính trình ... xem xét, tặng ...").
    proposal: str = ""
    #: "Nơi nhận", one line each: "Như trên;", "Lưu: VT, VPĐU.".
    recipients: tuple[str, ...] = ()
    #: Prints "DỰ THẢO" at the top of the first page.
    draft: bool = False
    #: The council meetings whose approvals are carried: one "Căn cứ Biên bản họp …" each.
    meetings: tuple[MeetingCitation, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)
