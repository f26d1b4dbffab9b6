"""ChineseBERT pinyin ids: 8 slots per token over the 32-symbol alphabet (no torch, no transformers).

Two sources of readings, chosen per tokenizer:

- ``"pypinyin"`` reproduces the published ChineseBERT data code exactly:
  ``pypinyin.pinyin(sentence, Style.TONE3, heteronym=True)`` over the whole
  sentence, first reading of each character, non-Chinese runs expanded to one
  entry per character; each syllable is looked up in the checkpoint's
  ``pinyin2tensor.json`` and, when absent, spelled symbol by symbol through
  ``pinyin_map.json`` (all zeros when a symbol is unknown).
- ``"cjkglyph"`` uses :func:`cjkglyph.pinyin.tone3` (context-aware readings, one
  per character) for new models.

Neutral tone: pypinyin's TONE3 writes it without a digit (``的`` -> ``de``); the
published ``pinyin2tensor.json`` maps those toneless keys to the tone-5 vector
(``的`` -> ``d e 5``), as the ``chinesebert`` package's documented output shows.
A toneless syllable missing from a checkpoint's table falls back to the
published symbol-by-symbol spelling, which has no tone digit. Without a
checkpoint table (new models) every syllable is spelled as letters + tone with
neutral = 5, i.e. what a complete table gives.

Token ids: a token gets its character's ids when its offset span is exactly one
character of the sentence; [CLS], [SEP], [MASK], padding, multi-character
tokens and non-Chinese characters get zeros.

>>> from cjkglyph.models.chinesebert.pinyin_features import PinyinVocab, char_pinyin_ids, token_pinyin_ids
>>> vocab = PinyinVocab()
>>> vocab.syllable("zhong1"), vocab.syllable("de")
([31, 13, 20, 19, 12, 1, 0, 0], [9, 10, 5, 0, 0, 0, 0, 0])
>>> chars = char_pinyin_ids("行长a", vocab)
>>> token_pinyin_ids(chars, [(0, 0), (0, 1), (1, 2), (2, 3), (0, 0)])[1:3]
[[13, 6, 19, 12, 2, 0, 0, 0], [31, 13, 6, 19, 12, 3, 0, 0]]
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "NOT_CHINESE",
    "PINYIN_SOURCES",
    "PinyinVocab",
    "char_pinyin_ids",
    "sentence_readings",
    "token_pinyin_ids",
]

#: Marker the published data code gives non-Chinese characters.
NOT_CHINESE = "not chinese"
#: Reading sources a tokenizer can use.
PINYIN_SOURCES: tuple[str, ...] = ("pypinyin", "cjkglyph")

CharIds = tuple[tuple[int, ...] | None, ...]


class PinyinVocab:
    """A checkpoint's pinyin alphabet (``pinyin_map.json``) and syllable table (``pinyin2tensor.json``).

    Without arguments: cjkglyph's alphabet (identical to ChineseBERT's) and the
    complete letters + tone rule (neutral = 5).
    """

    def __init__(
        self,
        idx2char: Sequence[str] | None = None,
        syllables: dict[str, Sequence[int]] | None = None,
        width: int = 8,
    ) -> None:
        from cjkglyph.pinyin import PINYIN_IDX2CHAR

        self.idx2char: list[str] = list(PINYIN_IDX2CHAR if idx2char is None else idx2char)
        self.char2idx: dict[str, int] = {c: i for i, c in enumerate(self.idx2char)}
        self.builtin_alphabet = self.idx2char == PINYIN_IDX2CHAR
        self.syllables: dict[str, tuple[int, ...]] | None = (
            None if syllables is None else {k: tuple(int(x) for x in v) for k, v in syllables.items()}
        )
        self.width = width
        self._cache: dict[str, tuple[int, ...]] = {}

    @property
    def is_builtin(self) -> bool:
        """True when nothing differs from cjkglyph's own alphabet and rule (nothing to save)."""
        return self.builtin_alphabet and self.syllables is None

    @classmethod
    def from_json(cls, pinyin_map: str | os.PathLike[str] | dict | None, pinyin2tensor: str | os.PathLike[str] | dict | None) -> PinyinVocab:
        """Build from the published files (paths) or their parsed contents (dicts, as the PyPI package stores them)."""
        from cjkglyph.errors import ResourceError

        def load(x: str | os.PathLike[str] | dict | None, name: str) -> dict | None:
            if x is None or isinstance(x, dict):
                return x
            try:
                with open(x, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError) as e:
                raise ResourceError(f"cannot read {name} {x}: {e}; restore the file from the checkpoint") from None
            if not isinstance(data, dict):
                raise ResourceError(f"{name} {x} is not a JSON object; restore the file from the checkpoint")
            return data

        pmap = load(pinyin_map, "pinyin_map.json")
        table = load(pinyin2tensor, "pinyin2tensor.json")
        idx2char = None
        if pmap is not None:
            idx2char = pmap.get("idx2char")
            if idx2char is None and "char2idx" in pmap:
                c2i = pmap["char2idx"]
                idx2char = [c for c, _ in sorted(c2i.items(), key=lambda kv: kv[1])]
        width = 8
        if table:
            width = len(next(iter(table.values())))
        return cls(idx2char, table, width)

    def to_json(self) -> tuple[dict, dict | None]:
        """``(pinyin_map, pinyin2tensor)`` contents in the published format (table None when built in)."""
        pmap = {"idx2char": self.idx2char, "char2idx": self.char2idx}
        table = None if self.syllables is None else {k: list(v) for k, v in self.syllables.items()}
        return pmap, table

    def syllable(self, tone3: str) -> list[int]:
        """The ``width`` ids of one tone3 syllable (see the module docstring for the rules)."""
        hit = self._cache.get(tone3)
        if hit is None:
            hit = self._cache[tone3] = self._syllable(tone3)
        return list(hit)

    def _syllable(self, tone3: str) -> tuple[int, ...]:
        zeros = (0,) * self.width
        if self.syllables is not None:
            row = self.syllables.get(tone3)
            if row is not None:
                return row
            spelled = tone3  # published fallback: symbol by symbol, no tone added
        else:
            spelled = tone3 + "5" if tone3.isalpha() else tone3
        if self.builtin_alphabet and self.width == 8:
            from cjkglyph.pinyin import syllable_ids

            return tuple(syllable_ids(spelled))
        ids = [self.char2idx.get(c, -1) for c in spelled]
        if -1 in ids or len(ids) > self.width:
            return zeros
        return (*ids, *(0,) * (self.width - len(ids)))


def _pypinyin_not_chinese(chars: str) -> list[list[str]]:
    return [[NOT_CHINESE] for _ in chars]


@lru_cache(maxsize=4096)
def sentence_readings(text: str, source: str = "pypinyin") -> tuple[str | None, ...]:
    """One tone3 reading (or None) per position, as the chosen source aligns them with ``text``."""
    if source == "pypinyin":
        from pypinyin import Style, pinyin

        items = pinyin(text, style=Style.TONE3, heteronym=True, errors=_pypinyin_not_chinese)
        return tuple(None if item[0] == NOT_CHINESE else item[0] for item in items)
    if source == "cjkglyph":
        from cjkglyph.pinyin import tone3

        return tuple(tone3(text))
    from cjkglyph.errors import InputError

    raise InputError(f"unknown pinyin source {source!r}: use one of {', '.join(PINYIN_SOURCES)}")


def char_pinyin_ids(text: str, vocab: PinyinVocab, source: str = "pypinyin") -> CharIds:
    """Ids per position of ``text`` (None where the source gives no reading)."""
    return tuple(None if r is None else tuple(vocab.syllable(r)) for r in sentence_readings(text, source))


def token_pinyin_ids(
    char_ids: Sequence[Sequence[int] | None],
    offsets: Sequence[tuple[int, int] | Sequence[int]],
    width: int = 8,
    base: int = 0,
) -> list[list[int]]:
    """Ids per token from its character offsets (``base`` shifts offsets into ``char_ids``)."""
    out: list[list[int]] = []
    n = len(char_ids)
    for start, end in offsets:
        pos = start + base
        ids = char_ids[pos] if end - start == 1 and 0 <= pos < n else None
        out.append([0] * width if ids is None else list(ids))
    return out
