"""Tone sandhi: the surface tones of connected speech, as TTS front-ends need them.

Readings are citation tones by default (一 yi1, 不 bu4, third tones as written);
:func:`apply_sandhi` rewrites them to what is spoken:

* 不 is bu2 before a fourth tone;
* 一 is yi2 before a fourth tone and yi4 before the other tones, but stays yi1
  at the end of a Han run, after 第, inside numbers (十一, 一九九八) and in dates;
  between a reduplicated verb (看一看) it is neutral, yi5;
* third tone: inside a word every third tone of a run of third tones but the last
  becomes second (展览 zhan2 lan3); a one-syllable word groups with its
  neighbour (up to 3 syllables, from the right), and across the words of a
  group a third tone becomes second only when the next syllable is still third
  (很好 hen2 hao3, 展览馆 zhan2 lan2 guan3, but 小老虎 xiao3 lao2 hu3).

Only tone digits change; positions without a reading stay None.

>>> from cjkglyph.pinyin import pinyin
>>> pinyin("一起", "tone3"), pinyin("一起", "tone3", sandhi=True)
(['yi1', 'qi3'], ['yi4', 'qi3'])
>>> pinyin("不对，我很好", "tone3", sandhi=True)
['bu2', 'dui4', None, 'wo3', 'hen2', 'hao3']
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["apply_sandhi"]

_NUMERALS = frozenset("零〇一二三四五六七八九十两")
_COUNT_UNITS = frozenset("百千万亿")
_DATE_UNITS = frozenset("月号日")


def _tone(r: str | None) -> str | None:
    return r[-1] if r else None


def _with_tone(r: str, tone: str) -> str:
    return r[:-1] + tone


def _yi_bu(simp: str, base: Sequence[str | None], out: list[str | None]) -> None:
    n = len(simp)
    for i, ch in enumerate(simp):
        r = base[i]
        if ch not in "一不" or r not in ("yi1", "bu4"):
            continue
        nxt = base[i + 1] if i + 1 < n else None
        if nxt is None:
            continue
        after = simp[i + 1]
        before = simp[i - 1] if i > 0 and base[i - 1] is not None else ""
        if ch == "不":
            if _tone(nxt) == "4":
                out[i] = "bu2"
            continue
        if before == "第" or before in _NUMERALS or (after in _NUMERALS and after not in "两"):
            continue
        if after in _DATE_UNITS and before in _NUMERALS:
            continue
        if before and before == after:
            out[i] = "yi5"
        elif _tone(nxt) == "4" or after == "个":
            out[i] = "yi2"
        else:
            out[i] = "yi4"


def _groups(words: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Prosodic groups, built from the right: a one-syllable word joins the word after it, and a
    one-syllable word joins the word before it, while the group stays within 3 syllables."""
    groups: list[list[tuple[int, int]]] = []
    for a, b in reversed(words):
        group = groups[-1] if groups else None
        if group is not None and group[0][0] == b:
            size = group[-1][1] - group[0][0]
            if size + (b - a) <= 3 and (b - a == 1 or size == 1):
                group.insert(0, (a, b))
                continue
        groups.append([(a, b)])
    return groups


def _third(base: Sequence[str | None], words: Sequence[tuple[int, int]], out: list[str | None]) -> None:
    for group in _groups(words):
        for a, b in group:
            for p in range(a, b - 1):
                if _tone(base[p]) == "3" and _tone(base[p + 1]) == "3":
                    out[p] = _with_tone(base[p], "2")  # type: ignore[arg-type]
        for k in range(len(group) - 2, -1, -1):
            p = group[k][1] - 1
            if _tone(base[p]) == "3" and _tone(out[p + 1]) == "3":
                out[p] = _with_tone(base[p], "2")  # type: ignore[arg-type]


def apply_sandhi(simp: str, readings: Sequence[str | None], words: Sequence[tuple[int, int]]) -> list[str | None]:
    """Surface tones of citation ``readings`` (tone3, aligned with the Simplified text ``simp``).

    ``words``: word spans (start, end) as :func:`cjkglyph.pinyin.readings.analyse` gives them.

    >>> apply_sandhi("你好", ["ni3", "hao3"], [(0, 2)])
    ['ni2', 'hao3']
    """
    out = list(readings)
    _yi_bu(simp, readings, out)
    _third(readings, words, out)
    return out
