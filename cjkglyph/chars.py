"""Character classes: Unicode blocks of CJK characters, Han detection, width normalisation.

>>> from cjkglyph.chars import block, is_han, to_halfwidth
>>> block("字"), block("\U00020000"), is_han("a")
('CJK Unified Ideographs', 'CJK Unified Ideographs Extension B', False)
>>> to_halfwidth("ＡＢＣ１２３，")
'ABC123,'
"""

from __future__ import annotations

import bisect
import re

__all__ = [
    "BLOCKS",
    "HAN_BLOCKS",
    "HAN_RE",
    "block",
    "block_range",
    "han_mask",
    "is_han",
    "iter_block",
    "to_fullwidth",
    "to_halfwidth",
]

#: (first, last, name, short name) of the blocks cjkglyph reports on, sorted by first code point.
BLOCKS: list[tuple[int, int, str, str]] = [
    (0x2E80, 0x2EFF, "CJK Radicals Supplement", "radicals-supplement"),
    (0x2F00, 0x2FDF, "Kangxi Radicals", "kangxi-radicals"),
    (0x2FF0, 0x2FFF, "Ideographic Description Characters", "idc"),
    (0x3000, 0x303F, "CJK Symbols and Punctuation", "punctuation"),
    (0x3040, 0x309F, "Hiragana", "hiragana"),
    (0x30A0, 0x30FF, "Katakana", "katakana"),
    (0x3100, 0x312F, "Bopomofo", "bopomofo"),
    (0x31A0, 0x31BF, "Bopomofo Extended", "bopomofo-extended"),
    (0x31C0, 0x31EF, "CJK Strokes", "strokes"),
    (0x3200, 0x32FF, "Enclosed CJK Letters and Months", "enclosed"),
    (0x3300, 0x33FF, "CJK Compatibility", "compatibility"),
    (0x3400, 0x4DBF, "CJK Unified Ideographs Extension A", "ext-a"),
    (0x4E00, 0x9FFF, "CJK Unified Ideographs", "uro"),
    (0xAC00, 0xD7AF, "Hangul Syllables", "hangul"),
    (0xF900, 0xFAFF, "CJK Compatibility Ideographs", "compat-ideographs"),
    (0xFE30, 0xFE4F, "CJK Compatibility Forms", "compat-forms"),
    (0xFF00, 0xFFEF, "Halfwidth and Fullwidth Forms", "fullwidth"),
    (0x20000, 0x2A6DF, "CJK Unified Ideographs Extension B", "ext-b"),
    (0x2A700, 0x2B73F, "CJK Unified Ideographs Extension C", "ext-c"),
    (0x2B740, 0x2B81F, "CJK Unified Ideographs Extension D", "ext-d"),
    (0x2B820, 0x2CEAF, "CJK Unified Ideographs Extension E", "ext-e"),
    (0x2CEB0, 0x2EBEF, "CJK Unified Ideographs Extension F", "ext-f"),
    (0x2EBF0, 0x2EE5F, "CJK Unified Ideographs Extension I", "ext-i"),
    (0x2F800, 0x2FA1F, "CJK Compatibility Ideographs Supplement", "compat-supplement"),
    (0x30000, 0x3134F, "CJK Unified Ideographs Extension G", "ext-g"),
    (0x31350, 0x323AF, "CJK Unified Ideographs Extension H", "ext-h"),
    (0x323B0, 0x3347F, "CJK Unified Ideographs Extension J", "ext-j"),
]
_STARTS = [b[0] for b in BLOCKS]

#: Short names of the blocks whose characters count as Han ideographs.
HAN_BLOCKS: tuple[str, ...] = (
    "uro", "ext-a", "ext-b", "ext-c", "ext-d", "ext-e", "ext-f", "ext-g", "ext-h", "ext-i", "ext-j",
    "compat-ideographs", "compat-supplement",
)  # fmt: skip
_HAN_RANGES = [(b[0], b[1]) for b in BLOCKS if b[3] in HAN_BLOCKS]

#: Regular expression matching one Han ideograph (any block in :data:`HAN_BLOCKS`).
HAN_RE = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _HAN_RANGES) + "]")


def _find(cp: int) -> tuple[int, int, str, str] | None:
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and BLOCKS[i][0] <= cp <= BLOCKS[i][1]:
        return BLOCKS[i]
    return None


def block(char: str, short: bool = False) -> str | None:
    """Name of the CJK-related Unicode block of ``char``, or None outside those blocks."""
    found = _find(ord(char))
    if found is None:
        return None
    return found[3] if short else found[2]


def block_range(name: str) -> range:
    """Code points of a block given by full or short name (``"uro"``, ``"ext-b"`` ...)."""
    for first, last, full, short in BLOCKS:
        if name in (full, short):
            return range(first, last + 1)
    raise KeyError(f"unknown block {name!r}; known: {', '.join(b[3] for b in BLOCKS)}")


def iter_block(name: str) -> list[str]:
    """All code points of a block as characters (assigned or not)."""
    return [chr(cp) for cp in block_range(name)]


def is_han(char: str) -> bool:
    """True for one Han ideograph: URO, Extensions A-J or the compatibility ideographs."""
    if len(char) != 1:
        return False
    cp = ord(char)
    return any(a <= cp <= b for a, b in _HAN_RANGES)


def han_mask(text: str) -> list[bool]:
    """``[is_han(c) for c in text]``, computed with one regex scan."""
    mask = [False] * len(text)
    for m in HAN_RE.finditer(text):
        mask[m.start()] = True
    return mask


_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TO_HALF[0x3000] = 0x20
_TO_FULL = {v: k for k, v in _TO_HALF.items()}


def to_halfwidth(text: str) -> str:
    """Map full-width ASCII variants (U+FF01-FF5E) and the ideographic space to ASCII."""
    return text.translate(_TO_HALF)


def to_fullwidth(text: str) -> str:
    """Map printable ASCII and space to their full-width forms."""
    return text.translate(_TO_FULL)
