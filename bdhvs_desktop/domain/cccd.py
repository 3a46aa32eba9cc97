"""The structure of a citizen ID number (số CCCD, 12 digits), checked against the birth
year and sex recorded for the same person (pitfalls #10).

Layout: 3 digits of the province where the birth was registered, 1 digit for century and
sex (0/1: born 1900-1999 male/female, 2/3: 2000-2099, 4/5: 2100-2199, ...), 2 digits of
the birth year, 6 random digits. There is no check digit, so this is all that can be
verified without the national database."""

from __future__ import annotations

from dataclasses import dataclass

from bdhvs_desktop.domain.vocab import SEX_LABELS, Sex

# Province codes of birth registration (63 provinces before the 2025 merger; a CCCD keeps
# the code it was issued with, so these stay valid).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 "
    "036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 "
    "074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)


@dataclass(frozen=True)
class CccdIssue:
    level: str  # "error" | "warning"
    message: str  # Vietnamese


def century_digit(birth_year: int, sex: str | None) -> int | None:
    """The 4th digit a CCCD must have for this birth year and sex ("M"/"F"); None if unknown sex."""
    if sex not in ("M", "F"):
        return None
    century = (birth_year // 100) - 19
    if not 0 <= century <= 4:
        return None
    return century * 2 + (1 if sex == "F" else 0)


def decode(cccd: str) -> tuple[str, int, str] | None:
    """(province code, birth year, sex) encoded in a well-formed CCCD, or None."""
    if len(cccd) != 12 or not cccd.isdigit():
        return None
    digit = int(cccd[3])
    year = 1900 + (digit // 2) * 100 + int(cccd[4:6])
    return cccd[:3], year, "F" if digit % 2 else "M"


def check(cccd: str, birth_year: int | None = None, sex: str | None = None) -> list[CccdIssue]:
    """Problems of a CCCD string: shape (errors), birth year or sex disagreeing (errors),
    an unknown province code (warning)."""
    if not cccd.isdigit():
        return [CccdIssue("error", f"Số CCCD \"{cccd}\" chỉ được gồm chữ số (0-9).")]
    if len(cccd) != 12:
        return [CccdIssue("error", f"Số CCCD phải có đúng 12 chữ số; \"{cccd}\" có {len(cccd)} chữ số.")]
    province, year, encoded_sex = decode(cccd)  # type: ignore[misc]
    issues: list[CccdIssue] = []
    if birth_year is not None and year != birth_year:
        issues.append(CccdIssue(
            "error", f"Số CCCD {cccd} mã hóa năm sinh {year}, khác năm sinh đã ghi ({birth_year})."))
    if sex in ("M", "F") and encoded_sex != sex:
        encoded, recorded = SEX_LABELS[Sex(encoded_sex)], SEX_LABELS[Sex(sex)]
        issues.append(CccdIssue(
            "error", f"Số CCCD {cccd} mã hóa giới tính {encoded}, khác giới tính đã ghi ({recorded})."))
    if province not in PROVINCE_CODES:
        issues.append(CccdIssue("warning", f"Số CCCD {cccd} có mã tỉnh {province} không có trong danh mục."))
    return issues


def is_consistent(cccd: str, birth_year: int | None, sex: str | None) -> bool:
    return not any(i.level == "error" for i in check(cccd, birth_year, sex))


@dataclass(frozen=True)
class Restored:
    value: str | None  # the 12-digit CCCD, or None when it cannot be determined
    restored: bool  # leading zeros were added back
    message: str | None  # Vietnamese: why it was restored, or why it cannot be


def restore_leading_zeros(digits: str, birth_year: int | None, sex: str | None) -> Restored:
    """A CCCD typed into a number cell loses its leading zeros ("001188456789" ->
    1188456789). Every province code starts with 0, so padding back to 12 digits is the
    only candidate; it is accepted only when it can be confirmed: the padded number has a
    known province code and agrees with the recorded birth year and sex."""
    if len(digits) >= 12 or not digits.isdigit():
        return Restored(digits, False, None)
    missing = 12 - len(digits)
    if missing > 2:
        return Restored(None, False, f"Số CCCD \"{digits}\" chỉ có {len(digits)} chữ số (cần 12).")
    candidate = digits.zfill(12)
    if birth_year is None or sex not in ("M", "F"):
        return Restored(None, False, (
            f"Số CCCD \"{digits}\" có {len(digits)} chữ số, có thể đã mất {missing} số 0 ở đầu khi ô được định dạng "
            "kiểu số, nhưng không có ngày sinh và giới tính để xác nhận. Hãy nhập lại số CCCD dạng văn bản."))
    if candidate[:3] not in PROVINCE_CODES or not is_consistent(candidate, birth_year, sex):
        return Restored(None, False, (
            f"Số CCCD \"{digits}\" có {len(digits)} chữ số; thêm {missing} số 0 ở đầu thành {candidate} cũng không "
            "khớp mã tỉnh, năm sinh hoặc giới tính. Hãy kiểm tra lại số CCCD."))
    return Restored(candidate, True, (
        f"Số CCCD \"{digits}\" đã mất {missing} số 0 ở đầu (ô định dạng kiểu số); đã khôi phục thành {candidate} "
        "(khớp năm sinh và giới tính). Nên định dạng cột Số CCCD là văn bản."))


# --------------------------------------------------------------------------- showing one in a list

#: What hides a digit of a citizen ID in a list.
MASK_CHAR = "•"


def mask(value: str | None, char: str = MASK_CHAR) -> str:
    """A citizen ID as every list shows it (personal data, Decree 13/2023/NĐ-CP): a 12-digit CCCD
    keeps its first three digits (the province) and its last three, the six between hidden; any
    other non-empty value (an old 9-digit CMND, a malformed entry) is hidden whole."""
    if not value:
        return ""
    if len(value) == 12 and value.isdigit():
        return value[:3] + char * 6 + value[-3:]
    return char * len(value)


def shown_reference(subject: str, reference: str, char: str = MASK_CHAR) -> str:
    """The reference of a scored subject in a list: a person's CCCD masked (`mask`); a unit's code
    and the "ID-<n>" a person without CCCD is known by are shown as they are (the command line
    takes them back as --person / --unit)."""
    if subject == "person" and reference.isdigit():
        return mask(reference, char)
    return reference
