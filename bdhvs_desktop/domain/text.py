"""Vietnamese text: one stored spelling (NFC) and keys for matching and searching.

NFC alone does not unify "Hòa"/"Hoà" (old and new tone placement) nor "Đ" (U+0110) and
its look-alike "Ð" (U+00D0) (pitfalls #9). Display keeps what the user typed."""

from __future__ import annotations

import re
import unicodedata

# Combining marks that carry the tone (dấu thanh); the others (â ă ê ô ơ ư) belong to the vowel.
_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110"})
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None) -> str:
    """NFC, look-alike letters unified, control characters removed, spaces collapsed."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text)).translate(_LOOKALIKES)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _syllable_key(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def name_key(name: str | None) -> str:
    """A key equal for every spelling of the same Vietnamese name: case, NFC/NFD, old or new
    tone placement, Đ look-alikes and spacing do not matter; the tones themselves do."""
    return " ".join(_syllable_key(w) for w in clean(name).split(" ") if w)


def fold(text: str | None) -> str:
    """Lower case without any diacritics ("Nguyễn Thị Đào" -> "nguyen thi dao"), for search."""
    text = clean(text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str | None, max_length: int = 60) -> str:
    """An ASCII file-name part: "Chi bộ Khu phố 3" -> "chi-bo-khu-pho-3"."""
    folded = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return folded[:max_length].rstrip("-") or "khong-ten"
