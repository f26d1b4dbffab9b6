"""Character ids of the shipped encoder: one token per character.

Before lookup a character is folded as in pretraining (full-width ASCII to
half-width, then lower case); anything outside the vocabulary is ``[UNK]``.

>>> from cjkglyph.encoder.vocab import CharVocab
>>> v = CharVocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "你"])
>>> v.ids("你Ａ好").tolist()
[6, 5, 1]
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ..errors import ResourceError

__all__ = ["CLS", "MASK", "PAD", "SEP", "UNK", "CharVocab", "fold"]

PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4


def fold(ch: str) -> str:
    """The encoder's character normalisation: full-width ASCII to half-width, then lower case."""
    if "\uff01" <= ch <= "\uff5e":
        ch = chr(ord(ch) - 0xFEE0)
    return ch.lower()


class CharVocab:
    """Token list -> vectorised character lookup (a table over the Basic Multilingual Plane, a dict beyond)."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = list(tokens)
        if self.tokens[:5] != ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]:
            raise ResourceError("encoder vocabulary must start with [PAD] [UNK] [CLS] [SEP] [MASK]")
        index = {t: i for i, t in enumerate(self.tokens) if len(t) == 1}
        self._index = index
        lut = np.full(0x10000, UNK, dtype=np.int32)
        for cp in range(0x10000):
            i = index.get(fold(chr(cp)))
            if i is not None:
                lut[cp] = i
        self._lut = lut
        self._astral = {ord(t): i for t, i in index.items() if ord(t) >= 0x10000}

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CharVocab:
        try:
            with open(path, encoding="utf-8") as f:
                return cls(f.read().split("\n")[:-1])
        except (OSError, UnicodeDecodeError) as e:
            raise ResourceError(f"cannot read encoder vocabulary {path}: {e}") from None

    def __len__(self) -> int:
        return len(self.tokens)

    def ids_of(self, cps: np.ndarray) -> np.ndarray:
        """Token id of every code point (int32)."""
        cps = np.asarray(cps, dtype=np.int64)
        out = self._lut[np.minimum(cps, 0xFFFF)]
        far = np.flatnonzero(cps > 0xFFFF)
        if len(far):
            out = out.copy()
            out[far] = [self._astral.get(int(c), UNK) for c in cps[far]]
        return out

    def ids(self, text: str) -> np.ndarray:
        """Token id of every character of ``text``."""
        return self.ids_of(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))

    def id(self, ch: str) -> int:
        return int(self.ids(ch)[0]) if len(ch) == 1 else UNK
