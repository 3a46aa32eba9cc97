"""Pure rules of the award register (sổ theo dõi khen thưởng) and the award decision.

- one achievement, one award: the same campaign's achievement is not rewarded twice at the same
  or a lower level (Decree 152/2025, Art. 4);
- thematic and ad hoc awards do not count toward a later merit proposal (same article);
- matching an award to a subject: by CCCD when both sides have one, otherwise by the normalised
  name (domain.text.name_key), never by a name when the CCCDs disagree;
- the decision's number and symbol ("Số: 15/QĐ-UBND" or "Số 15-QĐ/ĐU") and its format (party or
  state) from the granting authority.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.numbers import vn_number
from bdhvs_desktop.domain.text import clean, name_key

#: Kinds of award that count toward a later merit proposal (Decree 152/2025, Art. 4).
MERIT_RELEVANT_KINDS = frozenset({vocab.AwardKind.CAMPAIGN.value, vocab.AwardKind.MERIT.value})

_DIGITS = re.compile(r"^\d{12}$")
_DECISION_NUMBER = re.compile(r"^[0-9A-Za-zĐđ./\-]{1,60}$")


@dataclass(frozen=True)
class AwardFact:
    """What the rules need to know about one award in the register."""

    id: int
    award_name: str
    level: str
    kind: str
    campaign_id: int | None = None
    decision_number: str | None = None
    decision_date: dt.date | None = None
    granting_authority: str | None = None


def vn_date(day: dt.date | None) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else "…"


def decision_ref(number: str | None, date: dt.date | None, authority: str | None = None) -> str:
    """'Quyết định số 15/QĐ-UBND ngày 20/12/2026 của Chủ tịch …' — how an earlier award is named."""
    text = f"Quyết định số {number or '…'} ngày {vn_date(date)}"
    if authority:
        text += f" của {authority}"
    return text


def level_rank(level: str) -> int:
    return vocab.award_level_rank(level)


def blocking_award(existing: Iterable[AwardFact], campaign_id: int, level: str) -> AwardFact | None:
    """The earlier award that makes a new proposal of the same campaign's achievement at *level*
    a second reward of one achievement (same campaign, same or higher level), or None."""
    wanted = level_rank(level)
    found = [a for a in existing if a.campaign_id == campaign_id and a.kind == vocab.AwardKind.CAMPAIGN.value
             and level_rank(a.level) >= wanted]
    if not found:
        return None
    return max(found, key=lambda a: (level_rank(a.level), a.decision_date or dt.date.min, a.id))


def one_award_message(subject_name: str, award: AwardFact) -> str:
    return (f"{subject_name} đã được khen thưởng cho thành tích của phong trào này ({award.award_name}, "
            f"{decision_ref(award.decision_number, award.decision_date, award.granting_authority)}); "
            "một thành tích chỉ được khen thưởng một lần, không đề nghị lại ở cùng cấp hoặc cấp thấp hơn "
            "(Nghị định 152/2025/NĐ-CP, Điều 4).")


def counts_toward_merit(award: AwardFact) -> bool:
    """Thematic and ad hoc awards are not counted toward a later merit proposal."""
    return award.kind in MERIT_RELEVANT_KINDS


def merit_awards(awards: Iterable[AwardFact], *, since: dt.date | None = None,
                 min_level: str | None = None) -> list[AwardFact]:
    """The awards that count toward a merit proposal, optionally since a date and from a level up."""
    out = []
    for a in awards:
        if not counts_toward_merit(a):
            continue
        if since is not None and (a.decision_date is None or a.decision_date < since):
            continue
        if min_level is not None and level_rank(a.level) < level_rank(min_level):
            continue
        out.append(a)
    return out


def count_merit_awards(awards: Iterable[AwardFact], *, since: dt.date | None = None,
                       min_level: str | None = None) -> int:
    return len(merit_awards(awards, since=since, min_level=min_level))


def carried_award(awards: Iterable[AwardFact], campaign_id: int, level: str) -> AwardFact | None:
    """The lower-level award of the same campaign a proposal at *level* carries (the ward's award
    that a province-level proposal builds on), the highest one first."""
    wanted = level_rank(level)
    lower = [a for a in awards if a.campaign_id == campaign_id and level_rank(a.level) < wanted]
    if not lower:
        return None
    return max(lower, key=lambda a: (level_rank(a.level), a.decision_date or dt.date.min, a.id))


# --------------------------------------------------------------------------- matching


def normal_cccd(value: object) -> str | None:
    text = clean(str(value)) if value is not None else ""
    text = text.replace(" ", "")
    return text or None


def same_subject(*, cccd_a: str | None, name_a: str, cccd_b: str | None, name_b: str) -> bool:
    """Two records concern the same person: equal CCCDs, or (a CCCD missing) equal normalised names.
    Two different CCCDs are two people whatever the names."""
    if cccd_a and cccd_b:
        return cccd_a == cccd_b
    return bool(name_a) and name_key(name_a) == name_key(name_b)


# --------------------------------------------------------------------------- validation


def validate_award(*, subject_type: str, subject_name: str, cccd: str | None, award_name: str, level: str,
                   kind: str, decision_number: str | None, decision_date: dt.date | None,
                   campaign_id: int | None, campaign_text: str | None, prize_amount: int | None,
                   today: dt.date | None = None) -> dict[str, str]:
    """Field -> Vietnamese message for everything wrong with one register entry."""
    errors: dict[str, str] = {}
    if subject_type not in ("unit", "person"):
        errors["subject_type"] = "Đối tượng phải là tập thể hoặc cá nhân."
    if not clean(subject_name):
        errors["subject_name"] = "Chưa có tên tập thể hoặc cá nhân được khen thưởng."
    elif any(ch.isdigit() for ch in subject_name) and subject_type == "person":
        errors["subject_name"] = "Họ và tên không được chứa chữ số."
    if cccd is not None:
        if subject_type != "person":
            errors["cccd"] = "Chỉ cá nhân mới có số CCCD."
        elif not _DIGITS.match(cccd):
            errors["cccd"] = f"Số CCCD “{cccd}” phải gồm đúng 12 chữ số."
    if not clean(award_name):
        errors["award_name"] = "Chưa có hình thức khen thưởng."
    if level not in {x.value for x in vocab.AwardLevel}:
        allowed = ", ".join(vocab.AWARD_LEVEL_LABELS.values())
        errors["level"] = f"Cấp khen thưởng “{level}” không hợp lệ (chọn một trong: {allowed})."
    if kind not in {x.value for x in vocab.AwardKind}:
        allowed = ", ".join(vocab.AWARD_KIND_LABELS.values())
        errors["kind"] = f"Loại khen thưởng “{kind}” không hợp lệ (chọn một trong: {allowed})."
    if not decision_number or not clean(decision_number):
        errors["decision_number"] = "Chưa có số quyết định khen thưởng."
    elif not _DECISION_NUMBER.match(clean(decision_number)):
        errors["decision_number"] = (f"Số quyết định “{decision_number}” chỉ gồm chữ số, chữ cái và các dấu "
                                     "“/”, “-”, “.” (ví dụ 15/QĐ-UBND hoặc 120-QĐ/ĐU).")
    if decision_date is None:
        errors["decision_date"] = "Chưa có ngày ký quyết định."
    else:
        if decision_date.year < 1945:
            errors["decision_date"] = f"Ngày quyết định {vn_date(decision_date)} không hợp lệ."
        elif today is not None and decision_date > today + dt.timedelta(days=366):
            errors["decision_date"] = f"Ngày quyết định {vn_date(decision_date)} ở quá xa trong tương lai."
    if kind == vocab.AwardKind.CAMPAIGN.value and campaign_id is None and not clean(campaign_text):
        errors["campaign"] = "Khen thưởng theo phong trào thi đua cần ghi tên phong trào."
    if prize_amount is not None and (prize_amount < 0 or prize_amount > 10_000_000_000):
        errors["prize_amount"] = "Tiền thưởng phải là số đồng không âm."
    return errors


# --------------------------------------------------------------------------- decision


def authority_format(authority: str | None) -> str:
    """'party' for a party body (Ban Thường vụ Đảng ủy, Tỉnh ủy…), otherwise 'state'."""
    text = clean(authority).lower()
    party_words = ("đảng ủy", "đảng uỷ", "tỉnh ủy", "tỉnh uỷ", "huyện ủy", "huyện uỷ", "thành ủy", "thành uỷ",
                   "ban thường vụ", "ban chấp hành đảng", "đảng bộ", "chi bộ")
    return "party" if any(w in text for w in party_words) else "state"


def decision_symbol(number: str | None, fmt: str, abbrev: str) -> str:
    """'15/QĐ-UBND' (state, Decree 30/2020) or '15-QĐ/ĐU' (party, HD 36); '…' without a number."""
    n = clean(number) or "   "
    if fmt == "party":
        return f"{n}-QĐ/{abbrev or 'ĐU'}"
    return f"{n}/QĐ-{abbrev or 'UBND'}"


def parse_prize(value: object) -> int | None:
    """A prize amount as typed: 500000, '500.000', '500.000 đồng' -> 500000; '' -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("không phải số tiền")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise ValueError("số tiền phải là số đồng nguyên")
        return int(value)
    text = clean(str(value)).lower().replace("đồng", "").replace("đ", "").replace(" ", "")
    if not text:
        return None
    text = text.replace(".", "").replace(",", "")
    if not text.isdigit():
        raise ValueError(f"“{value}” không phải số tiền")
    return int(text)


def vn_money(amount: int) -> str:
    """1500000 -> '1.500.000 đồng'."""
    return vn_number(amount) + " đồng"
