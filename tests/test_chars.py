from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cjkglyph import chars


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("字", "uro"),
        ("㐀", "ext-a"),
        ("\U00020000", "ext-b"),
        ("\U0002a700", "ext-c"),
        ("\U00030000", "ext-g"),
        ("\U00031350", "ext-h"),
        ("\U000323b0", "ext-j"),
        ("\U0002ebf0", "ext-i"),
        ("\uf900", "compat-ideographs"),
        ("，", "fullwidth"),
        ("。", "punctuation"),
        ("⿰", "idc"),
        ("ㄅ", "bopomofo"),
    ],
)
def test_block(char: str, name: str) -> None:
    assert chars.block(char, short=True) == name


def test_block_outside_cjk() -> None:
    assert chars.block("a") is None
    assert chars.block("😀") is None


def test_is_han() -> None:
    assert chars.is_han("字")
    assert chars.is_han("\U0002a6d6")
    assert not chars.is_han("，")
    assert not chars.is_han("ㄅ")
    assert not chars.is_han("字字")
    assert not chars.is_han("")


def test_block_range() -> None:
    assert len(chars.block_range("uro")) == 20992
    assert chars.iter_block("CJK Unified Ideographs")[0] == "一"
    with pytest.raises(KeyError):
        chars.block_range("nope")


@given(st.text())
def test_han_mask_matches_is_han(text: str) -> None:
    assert chars.han_mask(text) == [chars.is_han(c) for c in text]


def test_width() -> None:
    assert chars.to_halfwidth("ＡＢＣ１２３，！　") == "ABC123,! "
    assert chars.to_fullwidth("Abc 1!") == "Ａｂｃ　１！"


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_width_round_trip(text: str) -> None:
    assert chars.to_halfwidth(chars.to_fullwidth(text)) == text
