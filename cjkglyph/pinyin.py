"""Pronunciation features (work in progress: the pronunciation issue fills this module).

ChineseBERT's 32-symbol pinyin alphabet lives here so every consumer shares it.

>>> from cjkglyph.pinyin import syllable_ids
>>> syllable_ids("zhong1")
[31, 13, 20, 19, 12, 1, 0, 0]
"""

from __future__ import annotations

__all__ = ["PINYIN_CHAR2IDX", "PINYIN_IDX2CHAR", "syllable_ids"]

#: ChineseBERT's pinyin symbols: index 0 = padding, "1"-"5" = tones 1-5 (5 = neutral), "a"-"z" = 6-31.
PINYIN_IDX2CHAR: list[str] = ["0", "1", "2", "3", "4", "5", *"abcdefghijklmnopqrstuvwxyz"]
PINYIN_CHAR2IDX: dict[str, int] = {c: i for i, c in enumerate(PINYIN_IDX2CHAR)}


def syllable_ids(tone3: str, width: int = 8) -> list[int]:
    """Map a tone3 syllable (letters, then a tone digit 1-5; ü written v) to ``width`` ids.

    Returns all zeros when the syllable does not fit or uses a symbol outside the table.
    """
    ids = [PINYIN_CHAR2IDX.get(c, -1) for c in tone3]
    if len(ids) > width or -1 in ids:
        return [0] * width
    return ids + [0] * (width - len(ids))
