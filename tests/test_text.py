"""Vietnamese names: one key for every spelling (pitfalls #9)."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bdhvs_desktop.domain.text import clean, fold, name_key, slug


def test_tone_placement_and_composition_do_not_matter():
    assert name_key("Nguyễn Thị Hòa") == name_key("Nguyễn Thị Hoà")
    assert name_key("Lê Thủy") == name_key("Lê Thuỷ")
    assert name_key(unicodedata.normalize("NFD", "Đặng Văn Khánh")) == name_key("Đặng Văn Khánh")
    assert name_key("\u00d0ặng  Văn khánh ") == name_key("Đặng Văn Khánh")


def test_different_tones_stay_different():
    assert name_key("Hòa") != name_key("Hóa")
    assert name_key("Mai") != name_key("Mài")


def test_fold_and_slug():
    assert fold("Nguyễn Thị Đào") == "nguyen thi dao"
    assert slug("Chi bộ Khu phố 3") == "chi-bo-khu-pho-3"


def test_clean_keeps_nfc_and_strips_control_characters():
    assert clean("A\x00B\u0301") == "AB\u0301".replace("B\u0301", unicodedata.normalize("NFC", "B\u0301"))
    assert unicodedata.is_normalized("NFC", clean(unicodedata.normalize("NFD", "Phạm Thị Hường")))


@given(st.text())
def test_name_key_is_stable(text):
    assert name_key(name_key(text)) == name_key(name_key(name_key(text)))
    assert name_key(text) == name_key(unicodedata.normalize("NFD", text))
