"""What every dossier document's context shares: the issuer of a document (party or state
format), its number, a person, the literal choices (issuer format, voting method, candidate
kind) and the checks of counts every context runs."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from bdhvs_desktop.documents import vn_format

IssuerFormat = Literal["party", "state"]


VotingMethod = Literal["show_of_hands", "secret_ballot"]


CandidateKind = Literal["collective", "individual"]


_FORMATS = ("party", "state")


_VOTING = ("show_of_hands", "secret_ballot")


_KINDS = ("collective", "individual")


def _tuples(obj) -> None:
    """Store list-valued fields as tuples (frozen dataclasses, stable templates)."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list):
            object.__setattr__(obj, f.name, tuple(value))


def counts_text(collectives: int, individuals: int) -> str:
    """"02 tập thể và 01 cá nhân"; a zero part is left out ("03 cá nhân")."""
    parts = [f"{vn_format.vn_count(n)} {label}" for n, label in ((collectives, "tập thể"), (individuals, "cá nhân"))
             if n]
    return " và ".join(parts) or "0 tập thể, cá nhân"


def _non_negative(obj, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < 0:
            raise ValueError(f"{type(obj).__name__}.{name} không được âm: {value}")


@dataclass(frozen=True, kw_only=True)
class Issuer:
    """The body that issues (or signs) a document, and its heading format.

    ``format="party"`` prints the party heading (Hướng dẫn 36-HD/VPTW):
    "ĐẢNG CỘNG SẢN VIỆT NAM", parent level and issuing body with "*", "Số 12-TTr/ĐU".
    ``format="state"`` prints the national heading (Decree 30/2020):
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/TTr-UBND".
    """

    format: IssuerFormat
    #: Issuing body in capitals as printed: "ĐẢNG ỦY PHƯỜNG LA GI" (may contain "\n").
    name: str
    #: Used in the document symbol: "ĐU", "UBND", "HĐTĐKT".
    abbreviation: str
    #: Place name for "La Gi, ngày ...".
    place: str
    #: Parent level printed above the name: "ĐẢNG BỘ TỈNH LÂM ĐỒNG"; "" for none.
    parent_name: str = ""
    #: "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN"; "" when the head signs in person.
    signer_authority: str = ""
    #: "PHÓ BÍ THƯ", "CHỦ TỊCH".
    signer_title: str = ""
    signer_name: str = ""
    #: How the body is named inside sentences: "Ban Thường vụ Đảng ủy phường La Gi".
    #: Defaults to ``name`` on one line.
    name_in_text: str = ""

    def __post_init__(self) -> None:
        if self.format not in _FORMATS:
            raise ValueError(
                f"Issuer.format phải là 'party' hoặc 'state', không phải {self.format!r}"
            )

    @property
    def is_party(self) -> bool:
        return self.format == "party"

    @property
    def text_name(self) -> str:
        return self.name_in_text or " ".join(self.name.split())


@dataclass(frozen=True, kw_only=True)
class DocumentNumber:
    """Number and symbol: ``kind`` is the document type ("TTr", "BB", "BC")."""

    kind: str
    #: ``None`` leaves the number blank for the clerk (văn thư) to write in.
    number: int | str | None = None

    def text(self, issuer: Issuer) -> str:
        """"Số 12-TTr/ĐU" (party) or "Số: 12/TTr-UBND" (state)."""
        return vn_format.document_number(
            self.number, self.kind, issuer.abbreviation, issuer.format
        )

    def symbol(self, issuer: Issuer) -> str:
        """"12-TTr/ĐU" (party) or "12/TTr-UBND" (state), without "Số"."""
        return vn_format.document_symbol(
            self.number, self.kind, issuer.abbreviation, issuer.format
        )


@dataclass(frozen=True, kw_only=True)
class Person:
    name: str
    #: "Phó Bí thư Thường trực Đảng ủy phường".
    position: str = ""
