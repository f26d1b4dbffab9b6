"""Pronunciation features: one reading per character, aligned with the input string.

Entry ``i`` of every result belongs to ``text[i]``; it is None for characters
that are not Han ideographs (:func:`cjkglyph.chars.is_han`) and for the rare Han
characters without a known reading. Readings come from pypinyin's character and
phrase dictionaries; polyphonic characters are then read in context by the
shipped classifier (:mod:`cjkglyph.polyphone`). Traditional input is read
through its Simplified form (OpenCC t2s) so phrases match, but a reading is only
accepted when the original character has it. Set ``CJKGLYPH_PINYIN_MODEL=0``
to get the plain dictionary readings (pypinyin's choice) without the classifier.

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

Syllable spelling helpers (tone3 <-> tone marks <-> zhuyin, initial/final
split) live in :mod:`cjkglyph.syllable` and are re-exported here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

from .chars import han_mask
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

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Analysis",
    "analyse",
    "PINYIN_CHAR2IDX",
    "PINYIN_IDX2CHAR",
    "STYLES",
    "convert_style",
    "first_letter",
    "heteronyms",
    "is_polyphone",
    "join_syllable",
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

#: ChineseBERT's pinyin symbols: index 0 = padding, "1"-"5" = tones 1-5 (5 = neutral), "a"-"z" = 6-31.
PINYIN_IDX2CHAR: list[str] = ["0", "1", "2", "3", "4", "5", *"abcdefghijklmnopqrstuvwxyz"]
PINYIN_CHAR2IDX: dict[str, int] = {c: i for i, c in enumerate(PINYIN_IDX2CHAR)}

Style = Literal["tone", "tone3", "normal", "initials", "finals", "zhuyin", "first-letter"]

#: Style name -> function of one tone3 syllable.
_STYLE_FN: dict[str, Callable[[str], str]] = {
    "tone": tone3_to_mark,
    "tone3": lambda s: s,
    "normal": strip_tone,
    "initials": lambda s: split_syllable(s)[0],
    "finals": lambda s: split_syllable(s)[1],
    "zhuyin": tone3_to_zhuyin,
    "first-letter": first_letter,
}
#: Names accepted by ``style=``: tone (nǐ), tone3 (ni3), normal (ni), initials, finals, zhuyin, first-letter.
STYLES: tuple[str, ...] = tuple(_STYLE_FN)


def syllable_ids(tone3: str, width: int = 8) -> list[int]:
    """Map a tone3 syllable (letters, then a tone digit 1-5; ü written v) to ``width`` ids.

    Returns all zeros when the syllable does not fit or uses a symbol outside the table.
    """
    ids = [PINYIN_CHAR2IDX.get(c, -1) for c in tone3]
    if len(ids) > width or -1 in ids:
        return [0] * width
    return ids + [0] * (width - len(ids))


def style_fn(style: str) -> Callable[[str], str]:
    """The function of one tone3 syllable that ``style`` names (:class:`InputError` for an unknown style)."""
    try:
        fn = _STYLE_FN[style]
    except KeyError:
        from .errors import InputError

        raise InputError(f"unknown pinyin style {style!r}; use one of {', '.join(STYLES)}") from None
    return fn


@lru_cache(maxsize=8192)
def convert_style(tone3: str, style: str) -> str:
    """One tone3 syllable in ``style``: ``convert_style("lv4", "tone")`` -> ``lǜ``."""
    return style_fn(style)(tone3)


# ---------------------------------------------------------------------------
# dictionaries (pypinyin's data, converted to tone3 on first use)


@lru_cache(maxsize=1)
def _dicts() -> tuple[dict[int, str], dict[str, list[list[str]]]]:
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    return PINYIN_DICT, PHRASES_DICT


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], Any]:
    from pypinyin.seg.mmseg import seg

    return seg.cut  # type: ignore[no-any-return]


_CHAR_READINGS: dict[str, tuple[str, ...]] = {}


def _char_readings(char: str) -> tuple[str, ...]:
    """All tone3 readings of one character in dictionary order (most common first); () if unknown."""
    found = _CHAR_READINGS.get(char)
    if found is None:
        raw = _dicts()[0].get(ord(char)) if len(char) == 1 else None
        out: list[str] = []
        for r in raw.split(",") if raw else ():
            try:
                t = to_tone3(r)
            except ValueError:
                continue
            if t not in out:
                out.append(t)
        found = _CHAR_READINGS[char] = tuple(out)
    return found


# memo of phrase-dictionary entries only (never of misses, so arbitrary input cannot grow it)
_PHRASE_READINGS: dict[str, tuple[str, ...] | None] = {}


def _phrase_readings(word: str) -> tuple[str, ...] | None:
    """Tone3 reading of each character of a dictionary phrase, or None if not a phrase."""
    found = _PHRASE_READINGS.get(word)
    if found is not None:
        return found
    raw = _dicts()[1].get(word)
    if raw is None:
        return None
    if len(raw) == len(word):
        try:
            found = tuple(to_tone3(r[0]) for r in raw)
        except ValueError:
            found = None
    _PHRASE_READINGS[word] = found
    return found


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc

    converter: Any = opencc.OpenCC("t2s")
    return converter.convert  # type: ignore[no-any-return]


def _simplify(run: str) -> str:
    """Simplified form of ``run``, same length (character-wise when phrase conversion changes length)."""
    simp = _t2s()(run)
    if len(simp) != len(run):
        t2s = _t2s()
        simp = "".join(c if len(s := t2s(c)) != 1 else s for c in run)
    return simp


def is_polyphone(char: str) -> bool:
    """True when the dictionary lists more than one reading (tones included) for ``char``."""
    return len(_char_readings(char)) > 1


# ---------------------------------------------------------------------------
# reading in context


class Analysis(NamedTuple):
    """Dictionary reading of a text before polyphone disambiguation (see :func:`analyse`)."""

    #: tone3 reading per character (None outside Han runs or when unknown)
    readings: list[str | None]
    #: Simplified form of the text, same length (used for lookups and context features)
    simp: str
    #: word spans (start, end) covering every Han run, from forward maximum matching on the phrase dictionary
    words: list[tuple[int, int]]
    #: True where the reading came from a multi-character phrase entry
    phrase: list[bool]


def _dictionary_run(run: str, simp: str, start: int, analysis: Analysis) -> None:
    readings, phrase_flags, words = analysis.readings, analysis.phrase, analysis.words
    pos = 0
    for word in _segmenter()(simp):
        n = len(word)
        words.append((start + pos, start + pos + n))
        phrase = _phrase_readings(word) if n > 1 else None
        if phrase is None and n > 1 and word != run[pos : pos + n]:
            phrase = _phrase_readings(run[pos : pos + n])
        for k in range(n):
            orig = run[pos + k]
            own = _char_readings(orig)
            r: str | None = None
            if phrase is not None:
                r = phrase[k]
            elif simp[pos + k] != orig:
                simp_readings = _char_readings(simp[pos + k])
                r = simp_readings[0] if simp_readings else None
            if r is None or (own and r not in own):
                r = own[0] if own else r
            else:
                phrase_flags[start + pos + k] = phrase is not None
            readings[start + pos + k] = r
        pos += n


def analyse(text: str) -> Analysis:
    """Dictionary readings of ``text``: phrase matches first, else each character's most common reading.

    Traditional characters are looked up through their Simplified form; a
    reading found that way is kept only when the original character has it.
    """
    n = len(text)
    analysis = Analysis([None] * n, text, [], [False] * n)
    mask = han_mask(text)
    if not any(mask):
        return analysis
    simp = _simplify(text)
    analysis = analysis._replace(simp=simp)
    i = 0
    while i < n:
        if not mask[i]:
            i += 1
            continue
        j = i + 1
        while j < n and mask[j]:
            j += 1
        _dictionary_run(text[i:j], simp[i:j], i, analysis)
        i = j
    return analysis


def _tone3_runs(text: str) -> list[str | None]:
    """Context tone3 reading of every character of ``text`` (None outside Han runs)."""
    analysis = analyse(text)
    if analysis.words:
        model = _model()
        if model is not None:
            model.disambiguate(text, analysis)
    return analysis.readings


def _model() -> Any:
    """The shipped polyphone classifier, or None when disabled with ``CJKGLYPH_PINYIN_MODEL=0``."""
    if os.environ.get("CJKGLYPH_PINYIN_MODEL", "1") in ("0", "off", "none", "false"):
        return None
    from .polyphone import default_model

    return default_model()


def tone3(text: str) -> list[str | None]:
    """Context reading of each character as tone3 (``ni3``; neutral 5, ü as v), None for non-Han."""
    return _tone3_runs(text)


@overload
def pinyin(text: str, style: str = ..., *, heteronym: Literal[False] = ...) -> list[str | None]: ...
@overload
def pinyin(text: str, style: str = ..., *, heteronym: Literal[True]) -> list[list[str] | None]: ...
def pinyin(text: str, style: str = "tone", *, heteronym: bool = False) -> list[str | None] | list[list[str] | None]:
    """Reading of every character of ``text`` in ``style`` (see :data:`STYLES`), aligned with ``text``.

    With ``heteronym=True`` each Han entry lists every reading, the one chosen
    in context first (a style may merge readings: tones vanish in ``normal``).

    >>> pinyin("长大了", style="tone3")
    ['zhang3', 'da4', 'le5']
    >>> pinyin("银行", heteronym=True)[1][:2]
    ['háng', 'xíng']
    """
    fn = style_fn(style)
    readings = _tone3_runs(text)
    if not heteronym:
        return [None if r is None else fn(r) for r in readings]
    out: list[list[str] | None] = []
    for ch, r in zip(text, readings, strict=True):
        if r is None:
            out.append(None)
            continue
        seen: list[str] = []
        for cand in (r, *_char_readings(ch)):
            s = fn(cand)
            if s not in seen:
                seen.append(s)
        out.append(seen)
    return out


def heteronyms(char: str, style: str = "tone3") -> list[str]:
    """All readings of one character, most likely first; [] for non-Han or unknown characters.

    >>> heteronyms("乐"), heteronyms("a")
    (['le4', 'yue4'], [])
    """
    fn = style_fn(style)
    if len(char) != 1:
        from .errors import InputError

        raise InputError(f"heteronyms() takes one character, got {len(char)}")
    readings = _char_readings(char)
    if not readings and han_mask(char)[0]:
        simp = _simplify(char)
        readings = _char_readings(simp) if simp != char else ()
    out: list[str] = []
    for r in readings:
        s = fn(r)
        if s not in out:
            out.append(s)
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
    from .resources import atomic_write

    with atomic_write(path, "w") as f:
        json.dump({"idx2char": PINYIN_IDX2CHAR, "char2idx": PINYIN_CHAR2IDX}, f, ensure_ascii=False)


# ---------------------------------------------------------------------------
# text rendering (convert --to pinyin / zhuyin, CLI text format)


def render_readings(text: str, readings: Sequence[str | list[str] | None], separator: str = " ") -> str:
    """Join aligned readings into one line (the text rendering used by the CLI and ``convert``).

    Readings are separated by ``separator``; each run of characters without a
    reading (non-Han, or Han without a known reading) stays one token with
    surrounding whitespace trimmed, and whitespace-only runs vanish. A list
    entry (heteronym mode) is written ``a/b``.
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
    return separator.join(t for t in tokens if t)


def pinyin_text(text: str, style: str = "tone", *, heteronym: bool = False, separator: str = " ") -> str:
    """``text`` rendered as readings (see :func:`render_readings`).

    >>> pinyin_text("我有3个苹果。")
    'wǒ yǒu 3 gè píng guǒ 。'
    >>> pinyin_text("行", "tone3", heteronym=True)
    'xing2/hang2/heng2/xing4/hang4'
    """
    return render_readings(text, pinyin(text, style, heteronym=heteronym), separator)  # type: ignore[call-overload]


def to_pinyin(text: str) -> str:
    """``convert --to pinyin``: tone-marked readings separated by spaces (see :func:`pinyin_text`)."""
    return pinyin_text(text, "tone")


def to_zhuyin(text: str) -> str:
    """``convert --to zhuyin``: zhuyin readings separated by spaces (see :func:`pinyin_text`)."""
    return pinyin_text(text, "zhuyin")
