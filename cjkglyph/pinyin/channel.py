"""Pinyin confusion channel: how likely one syllable is written for another.

log P(initial' | initial) + log P(final' | final) + log P(tone' | tone),
counted from real errors (``scripts/train_graph.py``) and smoothed towards the
usual fuzzy-pinyin pairs (z/zh, c/ch, s/sh, n/l, f/h, r/l, an/ang, en/eng,
in/ing ...) plus those frequent in learners' errors (j/q, ou/uo, u/ü ...). The
similarity graph sizes its candidate pools and scores sound similarity with it.

>>> import numpy as np
>>> from cjkglyph.pinyin.channel import Channel, syllable_parts
>>> ch = Channel.default()
>>> m = ch.syllable_matrix(syllable_parts(["zhi1", "zi1", "bo1"]))
>>> bool(m[0, 0] > m[0, 1] > m[0, 2])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FUZZY_FINALS", "FUZZY_INITIALS", "Channel", "fuzzy_priors", "pinyin_parts", "syllable_parts"]


def pinyin_parts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Initial and final inventories of the channel tables ('' = no initial; the last final is 'other')."""
    from .syllable import FINALS, INITIALS

    return ("", *INITIALS), (*FINALS, "?")


@dataclass
class Channel:
    """Pinyin confusion channel: log P(initial'|initial), log P(final'|final), log P(tone'|tone).

    Learned from real errors by ``scripts/train_graph.py`` (smoothed towards the
    usual fuzzy-pinyin pairs) and shipped inside the ranker file. The score of a
    syllable pair (:meth:`syllable_matrix`) is the sum of the three log-probabilities.
    """

    initial: np.ndarray  # (I, I) log-probs, rows = wrong character's initial
    final: np.ndarray  # (F, F)
    tone: np.ndarray  # (6, 6), tones 1-5 (row/column 0 unused)

    @classmethod
    def from_counts(cls, ci: np.ndarray, cf: np.ndarray, ct: np.ndarray, kappa: float = 20.0) -> Channel:
        """Smoothed conditional log-probabilities from count matrices (rows: the wrong character's part).

        The prior puts half the mass on no change, 30% on the usual fuzzy pairs
        (:data:`FUZZY_INITIALS`, :data:`FUZZY_FINALS`; any other tone) and spreads the rest.
        """
        fuzzy_i, fuzzy_f = fuzzy_priors()

        def norm(c: np.ndarray, fuzzy: np.ndarray) -> np.ndarray:
            n = len(c)
            prior = np.full((n, n), 0.2 / n) + 0.5 * np.eye(n)
            fz = fuzzy / np.maximum(fuzzy.sum(axis=1, keepdims=True), 1)
            prior += 0.3 * fz
            prior /= prior.sum(axis=1, keepdims=True)
            p = (c + kappa * prior) / (c.sum(axis=1, keepdims=True) + kappa)
            return np.log(p).astype(np.float32)

        tone_fuzzy = np.zeros((6, 6))
        tone_fuzzy[1:, 1:] = 1 - np.eye(5)
        lt = norm(ct, tone_fuzzy)
        return cls(norm(ci, fuzzy_i), norm(cf, fuzzy_f), lt)

    @classmethod
    def from_json(cls, blob: dict[str, Any]) -> Channel:
        ini, fin = pinyin_parts()
        try:
            out = cls(*(np.asarray(blob[k], dtype=np.float32) for k in ("initial", "final", "tone")))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"bad channel tables ({e})") from None
        if out.initial.shape != (len(ini), len(ini)) or out.final.shape != (len(fin), len(fin)) or out.tone.shape != (6, 6):
            raise ValueError("channel tables have the wrong shape")
        return out

    def to_json(self) -> dict[str, Any]:
        ini, fin = pinyin_parts()
        r = lambda a: np.round(a.astype(np.float64), 4).tolist()  # noqa: E731
        return {"initials": list(ini), "finals": list(fin), "initial": r(self.initial), "final": r(self.final), "tone": r(self.tone)}

    @classmethod
    def default(cls) -> Channel:
        """An untrained channel (prior only): for tests and bootstrapping."""
        ini, fin = pinyin_parts()
        return cls.from_counts(np.zeros((len(ini),) * 2), np.zeros((len(fin),) * 2), np.zeros((6, 6)))

    def syllable_matrix(self, parts: np.ndarray) -> np.ndarray:
        """(S, S) float32 channel scores for syllables given as (S, 3) [initial, final, tone] indices."""
        i, f, t = parts[:, 0], parts[:, 1], parts[:, 2]
        return (self.initial[i][:, i] + self.final[f][:, f] + self.tone[t][:, t]).astype(np.float32)


#: The usual fuzzy-pinyin pairs (input methods' 模糊音) plus those frequent in learners' errors.
FUZZY_INITIALS = ("z zh", "c ch", "s sh", "n l", "f h", "r l", "j q", "q x", "j x", "d t", "b p", "g k", "h k", "c z", "zh ch")
FUZZY_FINALS = (
    "an ang", "en eng", "in ing", "ian iang", "uan uang", "ou uo", "u v", "e i", "i v", "on ong", "e en",
    "ie ve", "i ing", "a ai", "ai ao", "ei i", "ian ie", "ian in", "iu v", "un ong", "eng ong",
)  # fmt: skip


def fuzzy_priors() -> tuple[np.ndarray, np.ndarray]:
    """0/1 symmetric matrices of the prior fuzzy initial and final pairs (see FUZZY_INITIALS/FUZZY_FINALS)."""
    ini, fin = pinyin_parts()
    out = []
    for names, pairs in ((ini, FUZZY_INITIALS), (fin, FUZZY_FINALS)):
        pos = {x: k for k, x in enumerate(names)}
        m = np.zeros((len(names), len(names)))
        for pair in pairs:
            a, b = pair.split()
            if a in pos and b in pos:
                m[pos[a], pos[b]] = m[pos[b], pos[a]] = 1
        out.append(m)
    return out[0], out[1]


def syllable_parts(inventory: Sequence[str]) -> np.ndarray:
    """(S, 3) int32: initial index, final index (see :func:`pinyin_parts`), tone (1-5) of tone3 syllables."""
    from .syllable import split_syllable

    ini, fin = pinyin_parts()
    ipos = {x: k for k, x in enumerate(ini)}
    fpos = {x: k for k, x in enumerate(fin)}
    out = np.zeros((len(inventory), 3), dtype=np.int32)
    for k, s in enumerate(inventory):
        try:
            i, f, t = split_syllable(s)
        except ValueError:
            i, f, t = "", "?", 5
        out[k] = (ipos.get(i, 0), fpos.get(f, len(fin) - 1), t if 1 <= t <= 5 else 5)
    return out
