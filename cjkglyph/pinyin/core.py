"""Pronunciation features: one reading per character, aligned with the input string.

Entry ``i`` of every result belongs to ``text[i]``; it is None for characters
that are not Han ideographs (:func:`cjkglyph.chars.is_han`) and for the rare Han
characters without a known reading. Readings come from pypinyin's character and
phrase dictionaries and the Rime lexicon's words (:mod:`cjkglyph.pinyin.readings`);
polyphonic characters are then read in context by the shipped classifier
(:mod:`cjkglyph.pinyin.polyphone`), and with an ``encoder`` the ones it is unsure
of by the context model too; 得 after a personal subject is then read děi by a
small rule (:mod:`cjkglyph.pinyin.dei`: 你得努力). Tones are citation tones (一 yi1, 不 bu4) unless
``sandhi=True`` (:mod:`cjkglyph.pinyin.sandhi`). Traditional input is read
through its Simplified form (OpenCC t2s) so phrases match, but a reading is only
accepted when the original character has it. Set ``CJKGLYPH_PINYIN_MODEL=0``
to get the plain dictionary readings without the classifier.

>>> from cjkglyph.pinyin import pinyin, heteronyms, pinyin_ids, syllable_ids
>>> pinyin("银行行长")
['yín', 'háng', 'háng', 'zhǎng']
>>> pinyin("頭髮 ok", style="tone3")
['tou2', 'fa4', None, None, None]
>>> pinyin("你好", style="zhuyin"), pinyin("绿", style="initials"), pinyin("绿", style="finals")
(['ㄋㄧˇ', 'ㄏㄠˇ'], ['l'], ['v'])
>>> heteronyms("行")[:2]
['xing2', 'hang2']
>>> syllable_ids("zhong1")
[31, 13, 20, 19, 12, 1, 0, 0]
>>> pinyin_ids("中a").tolist()
[[31, 13, 20, 19, 12, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]

Dictionary readings are in :mod:`cjkglyph.pinyin.readings`, the styles in
:mod:`cjkglyph.pinyin.styles`, syllable spelling helpers (tone3 <-> tone marks
<-> zhuyin, initial/final split) in :mod:`cjkglyph.pinyin.syllable`; the
package re-exports them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, overload

from .dei import apply_dei
from .readings import analyse, char_readings
from .sandhi import apply_sandhi
from .styles import style_fn

if TYPE_CHECKING:
    import numpy as np

    from .polyphone import HiddenStates

__all__ = [
    "PINYIN_CHAR2IDX",
    "PINYIN_IDX2CHAR",
    "pinyin",
    "pinyin_ids",
    "pinyin_text",
    "render_readings",
    "syllable_ids",
    "to_pinyin",
    "to_zhuyin",
    "tone3",
    "write_pinyin_map",
]

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


def _tone3_runs(text: str, encoder: HiddenStates | None = None, sandhi: bool = False) -> list[str | None]:
    """Context tone3 reading of every character of ``text`` (None outside Han runs)."""
    analysis = analyse(text)
    if not analysis.words:
        return analysis.readings
    model = _model()
    if model is not None:
        dictionary = list(analysis.readings)
        model.disambiguate(text, analysis, encoder)
        apply_dei(analysis.simp, analysis.readings, dictionary)
    if sandhi:
        return apply_sandhi(analysis.simp, analysis.readings, analysis.words)
    return analysis.readings


def _model() -> Any:
    """The shipped polyphone classifier, or None when disabled with ``CJKGLYPH_PINYIN_MODEL=0``."""
    if os.environ.get("CJKGLYPH_PINYIN_MODEL", "1") in ("0", "off", "none", "false"):
        return None
    from .polyphone import default_model

    return default_model()


def tone3(text: str, *, sandhi: bool = False, encoder: HiddenStates | None = None) -> list[str | None]:
    """Context reading of each character as tone3 (``ni3``; neutral 5, ü as v), None for non-Han."""
    return _tone3_runs(text, encoder, sandhi)


@overload
def pinyin(
    text: str, style: str = ..., *, heteronym: Literal[False] = ..., sandhi: bool = ..., encoder: HiddenStates | None = ...
) -> list[str | None]: ...
@overload
def pinyin(
    text: str, style: str = ..., *, heteronym: Literal[True], sandhi: bool = ..., encoder: HiddenStates | None = ...
) -> list[list[str] | None]: ...
def pinyin(
    text: str, style: str = "tone", *, heteronym: bool = False, sandhi: bool = False, encoder: HiddenStates | None = None
) -> list[str | None] | list[list[str] | None]:
    """Reading of every character of ``text`` in ``style`` (see :data:`~cjkglyph.pinyin.styles.STYLES`), aligned with ``text``.

    With ``heteronym=True`` each Han entry lists every reading, the one chosen
    in context first (a style may merge readings: tones vanish in ``normal``).
    ``sandhi=True`` gives surface tones (一/不 and third-tone sandhi, see
    :mod:`cjkglyph.pinyin.sandhi`); by default tones are citation tones.
    ``encoder`` (the shared character encoder, ``cjkglyph.encoder.default_encoder()``;
    the ``pinyin`` pipeline and CLI pass it) lets the context model decide the
    polyphones the fast model is unsure of.

    >>> pinyin("长大了", style="tone3")
    ['zhang3', 'da4', 'le5']
    >>> pinyin("银行", heteronym=True)[1][:2]
    ['háng', 'xíng']
    >>> pinyin("一起去", style="tone3"), pinyin("一起去", style="tone3", sandhi=True)
    (['yi1', 'qi3', 'qu4'], ['yi4', 'qi3', 'qu4'])
    """
    fn = style_fn(style)
    readings = _tone3_runs(text, encoder, sandhi)
    if not heteronym:
        return [None if r is None else fn(r) for r in readings]
    out: list[list[str] | None] = []
    for ch, r in zip(text, readings, strict=True):
        if r is None:
            out.append(None)
            continue
        seen: list[str] = []
        for cand in (r, *char_readings(ch)):
            s = fn(cand)
            if s not in seen:
                seen.append(s)
        out.append(seen)
    return out


def pinyin_ids(text: str, width: int = 8) -> np.ndarray:
    """ChineseBERT pinyin ids, shape ``(len(text), width)``, int64; zero rows for non-Han.

    Each row holds the letters of the context tone3 reading, then its tone digit.
    """
    import numpy as np

    out = np.zeros((len(text), width), dtype=np.int64)
    for i, r in enumerate(_tone3_runs(text)):
        if r is not None:
            out[i] = _syllable_ids_cached(r, width)
    return out


@lru_cache(maxsize=8192)
def _syllable_ids_cached(tone3: str, width: int) -> tuple[int, ...]:
    return tuple(syllable_ids(tone3, width))


def write_pinyin_map(path: str | os.PathLike[str]) -> None:
    """Write ChineseBERT's ``pinyin_map.json``: ``{"idx2char": [...], "char2idx": {...}}``."""
    from ..resources import atomic_write

    with atomic_write(path, "w") as f:
        json.dump({"idx2char": PINYIN_IDX2CHAR, "char2idx": PINYIN_CHAR2IDX}, f, ensure_ascii=False)


# ---------------------------------------------------------------------------
# text rendering (convert --to pinyin / zhuyin, CLI text format)


def render_readings(text: str, readings: Sequence[str | list[str] | None], separator: str = " ") -> str:
    """Join aligned readings into one line (the text rendering used by the CLI and ``convert``).

    Readings are separated by ``separator``; each run of characters without a
    reading (non-Han, or Han without a known reading) stays one token as
    written, surrounding whitespace trimmed, and whitespace-only runs vanish.
    Punctuation sticks to its neighbour whatever it is: a run that starts with
    punctuation (other than an opening bracket or quote) follows the previous
    token without a separator, one that ends with an opening bracket or quote
    precedes the next. A list entry (heteronym mode) is written ``a/b``.

    >>> render_readings("你好，hi！", ["nǐ", "hǎo", None, None, None, None])
    'nǐ hǎo，hi！'
    """
    tokens: list[str] = []
    other: list[str] = []
    for ch, r in zip(text, readings, strict=True):
        if r is None:
            other.append(ch)
            continue
        if other:
            tokens.append("".join(other).strip())
            other = []
        tokens.append(r if isinstance(r, str) else "/".join(r))
    if other:
        tokens.append("".join(other).strip())
    out: list[str] = []
    for t in tokens:
        if not t:
            continue
        if out and not (_punct(t[0]) and not _opening(t[0])) and not _opening(out[-1][-1]):
            out.append(separator)
        out.append(t)
    return "".join(out)


def _punct(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch).startswith("P")


def _opening(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) in ("Ps", "Pi")


def pinyin_text(
    text: str,
    style: str = "tone",
    *,
    heteronym: bool = False,
    separator: str = " ",
    sandhi: bool = False,
    encoder: HiddenStates | None = None,
) -> str:
    """``text`` rendered as readings (see :func:`render_readings`).

    >>> pinyin_text("我有3个苹果。")
    'wǒ yǒu 3 gè píng guǒ。'
    >>> pinyin_text("行", "tone3", heteronym=True)
    'xing2/hang2/heng2/xing4/hang4'
    """
    readings = pinyin(text, style, heteronym=heteronym, sandhi=sandhi, encoder=encoder)  # type: ignore[call-overload]
    return render_readings(text, readings, separator)


def to_pinyin(text: str) -> str:
    """``convert --to pinyin``: tone-marked readings separated by spaces (see :func:`pinyin_text`)."""
    return pinyin_text(text, "tone")


def to_zhuyin(text: str) -> str:
    """``convert --to zhuyin``: zhuyin readings separated by spaces (see :func:`pinyin_text`)."""
    return pinyin_text(text, "zhuyin")
