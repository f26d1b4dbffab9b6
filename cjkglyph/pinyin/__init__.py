"""Pronunciation features: readings in context (:mod:`.core`), dictionary readings (:mod:`.readings`),
polyphone disambiguation (:mod:`.polyphone`), romanisation styles (:mod:`.styles`), syllable spelling
(:mod:`.syllable`) and the pinyin confusion channel (:mod:`.channel`).

>>> from cjkglyph.pinyin import pinyin
>>> pinyin("银行行长", style="tone3")
['yin2', 'hang2', 'hang2', 'zhang3']
"""

from __future__ import annotations

from .core import (
    PINYIN_CHAR2IDX,
    PINYIN_IDX2CHAR,
    pinyin,
    pinyin_ids,
    pinyin_text,
    render_readings,
    syllable_ids,
    to_pinyin,
    to_zhuyin,
    tone3,
    write_pinyin_map,
)
from .readings import Analysis, analyse, char_readings, heteronyms, is_polyphone, phrase_readings
from .styles import STYLES, Style, convert_style, style_fn
from .syllable import (
    first_letter,
    join_syllable,
    split_syllable,
    strip_tone,
    to_tone3,
    tone3_to_mark,
    tone3_to_zhuyin,
    zhuyin_to_tone3,
)

__all__ = [
    "PINYIN_CHAR2IDX",
    "PINYIN_IDX2CHAR",
    "STYLES",
    "Analysis",
    "Style",
    "analyse",
    "char_readings",
    "convert_style",
    "first_letter",
    "heteronyms",
    "is_polyphone",
    "join_syllable",
    "phrase_readings",
    "pinyin",
    "pinyin_ids",
    "pinyin_text",
    "render_readings",
    "split_syllable",
    "strip_tone",
    "style_fn",
    "syllable_ids",
    "to_pinyin",
    "to_tone3",
    "to_zhuyin",
    "tone3",
    "tone3_to_mark",
    "tone3_to_zhuyin",
    "write_pinyin_map",
    "zhuyin_to_tone3",
]
