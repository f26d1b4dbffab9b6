"""Dictionary readings: every reading of a character, phrase readings, and a text's readings before
polyphones are disambiguated in context (:func:`analyse`).

Readings come from pypinyin's character and phrase dictionaries, converted to tone3 on first use,
and, for words pypinyin lacks, the readings the Rime lexicon makes certain (长得 zhang3 de5).
Traditional characters are looked up through their Simplified form (:func:`cjkglyph.script.simplified_aligned`).

>>> char_readings("行")[:2], phrase_readings("银行")
(('xing2', 'hang2'), ('yin2', 'hang2'))
>>> heteronyms("乐"), is_polyphone("乐")
(['le4', 'yue4'], True)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from ..chars import han_mask
from ..errors import InputError
from ..script import simplified_aligned
from .styles import style_fn
from .syllable import to_tone3

__all__ = ["Analysis", "analyse", "char_readings", "heteronyms", "is_polyphone", "phrase_readings"]


@lru_cache(maxsize=1)
def _dicts() -> tuple[dict[int, str], dict[str, list[list[str]]]]:
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    return PINYIN_DICT, PHRASES_DICT


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], Any]:
    from pypinyin.seg.mmseg import seg

    return seg.cut  # type: ignore[no-any-return]


_CHAR_READINGS: dict[str, tuple[str, ...]] = {}


def char_readings(char: str) -> tuple[str, ...]:
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


def phrase_readings(word: str) -> tuple[str, ...] | None:
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


def is_polyphone(char: str) -> bool:
    """True when the dictionary lists more than one reading (tones included) for ``char``."""
    return len(char_readings(char)) > 1


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


#: Characters whose tone changes with the next syllable. The dictionary writes them with their tone
#: changes inside phrases (一起 yi4, 不是 bu2) but not elsewhere; readings use the citation tone
#: everywhere, and :mod:`.sandhi` applies the changes.
SANDHI_CHARS = frozenset("一不")
_CITATION = {("一", "yi2"): "yi1", ("一", "yi4"): "yi1", ("不", "bu2"): "bu4"}


@lru_cache(maxsize=1)
def _lexicon_phrases() -> dict[str, tuple[str | None, ...]]:
    """Words pypinyin's phrase dictionary lacks, with the readings the Rime lexicon makes certain
    (``data/pinyin/lexicon_phrases.tsv``, built by scripts/build_polyphone.py; "-" = unsure)."""
    from ..resources import data_path

    out: dict[str, tuple[str | None, ...]] = {}
    with open(data_path("pinyin", "lexicon_phrases.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                word, readings = line.rstrip("\n").split("\t")
                out[word] = tuple(None if r == "-" else r for r in readings.split(" "))
    return out


def _lexicon_pass(run: str, simp: str, start: int, analysis: Analysis) -> None:
    """Readings from :func:`_lexicon_phrases` where no phrase-dictionary word covers the characters (longest first)."""
    table = _lexicon_phrases()
    flags, readings = analysis.phrase, analysis.readings
    n, p = len(simp), 0
    while p < n - 1:
        for length in (4, 3, 2):
            found = table.get(simp[p : p + length]) if p + length <= n else None
            if found is not None and not any(flags[start + p : start + p + length]):
                for k, r in enumerate(found):
                    if r is not None and _has(char_readings(run[p + k]), r):
                        readings[start + p + k] = r
                        flags[start + p + k] = True
                p += length
                break
        else:
            p += 1


def _has(own: tuple[str, ...], reading: str) -> bool:
    """``reading`` is one of ``own`` or the neutral tone of one (phrases write 便宜 yi5, 宜 alone has yi2 only)."""
    return reading in own or (reading[-1:] == "5" and any(r[:-1] == reading[:-1] for r in own))


def _dictionary_run(run: str, simp: str, start: int, analysis: Analysis) -> None:
    readings, phrase_flags, words = analysis.readings, analysis.phrase, analysis.words
    pos = 0
    citation = _CITATION
    for word in _segmenter()(simp):
        n = len(word)
        words.append((start + pos, start + pos + n))
        phrase = phrase_readings(word) if n > 1 else None
        if phrase is None and n > 1 and word != run[pos : pos + n]:
            phrase = phrase_readings(run[pos : pos + n])
        for k in range(n):
            orig = run[pos + k]
            own = char_readings(orig)
            r: str | None = None
            if phrase is not None:
                r = phrase[k]
            elif simp[pos + k] != orig:
                simp_readings = char_readings(simp[pos + k])
                r = simp_readings[0] if simp_readings else None
            if r is None or (own and not _has(own, r)):
                r = own[0] if own else r
            else:
                phrase_flags[start + pos + k] = phrase is not None
            r = citation.get((orig, r), r)
            readings[start + pos + k] = r
        pos += n
    _lexicon_pass(run, simp, start, analysis)


def analyse(text: str) -> Analysis:
    """Dictionary readings of ``text``: phrase matches first, else each character's most common reading.

    一 and 不 get their citation tones (yi1, bu4) whatever the phrase dictionary writes; tone sandhi is
    :func:`cjkglyph.pinyin.sandhi.apply_sandhi`.

    Traditional characters are looked up through their Simplified form; a
    reading found that way is kept only when the original character has it.
    """
    n = len(text)
    analysis = Analysis([None] * n, text, [], [False] * n)
    mask = han_mask(text)
    if not any(mask):
        return analysis
    simp = simplified_aligned(text)
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


def heteronyms(char: str, style: str = "tone3") -> list[str]:
    """All readings of one character, most likely first; [] for non-Han or unknown characters.

    >>> heteronyms("乐"), heteronyms("a")
    (['le4', 'yue4'], [])
    """
    fn = style_fn(style)
    if len(char) != 1:
        raise InputError(f"heteronyms() takes one character, got {len(char)}")
    readings = char_readings(char)
    if not readings and han_mask(char)[0]:
        simp = simplified_aligned(char)
        readings = char_readings(simp) if simp != char else ()
    out: list[str] = []
    for r in readings:
        s = fn(r)
        if s not in out:
            out.append(s)
    return out
