"""Simplified or Traditional? Per-line script detection and length-preserving conversion (OpenCC).

Models trained on Simplified text (the character LM, the spell checker) work
on Traditional input through these helpers: convert the line with
:func:`simplified_aligned` (same length, so positions still index the
original), process it, and bring changed characters back with
:func:`traditional_aligned` (the correctors do this in
:func:`cjkglyph.spelling.base.correct_in_script`).

>>> from cjkglyph.script import detect_script, simplified_aligned
>>> detect_script("他說的話很有道理"), detect_script("他说的话很有道理"), detect_script("123")
('traditional', 'simplified', 'simplified')
>>> simplified_aligned("頭髮")
'头发'
"""

from __future__ import annotations

from .conversion import opencc

__all__ = ["detect_script", "simplified_aligned", "traditional_aligned"]


def _aligned(text: str, config: str) -> str:
    convert = opencc(config)
    out = convert(text)
    if len(out) == len(text):
        return out
    # a phrase changed length: convert character by character, keeping any that would not stay one character
    return "".join(c2 if len(c2 := convert(c)) == 1 else c for c in text)


def simplified_aligned(text: str) -> str:
    """``text`` in Simplified characters (OpenCC t2s), with exactly one character per input character."""
    return _aligned(text, "t2s")


def traditional_aligned(text: str) -> str:
    """``text`` in Traditional characters (OpenCC s2t), with exactly one character per input character."""
    return _aligned(text, "s2t")


def _changed(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def detect_script(text: str) -> str:
    """``"traditional"`` when converting to Simplified changes more characters than converting to Traditional, else ``"simplified"``."""
    simp = simplified_aligned(text)
    if simp == text:
        return "simplified"
    return "traditional" if _changed(text, simp) > _changed(text, traditional_aligned(text)) else "simplified"
