"""Polyphone disambiguation: a hashed log-linear classifier over context n-grams and words.

For each polyphonic character the model knows, every reading candidate gets a
score: the sum of the weights of the context features (neighbouring characters
and bigrams, the dictionary word containing the character and its neighbours,
the dictionary's own reading) conjoined with the character. Features are
hashed (CRC-32) into a fixed weight table, so the shipped artifact is one
``.npz`` of plain arrays (``data/pinyin/polyphone.npz``, rebuilt by
``scripts/build_polyphone.py``). Inference is pure Python feature extraction
plus one numpy gather per text.

>>> from cjkglyph.pinyin import pinyin
>>> pinyin("他长大了，头发长了。", "tone3")[:4]
['ta1', 'zhang3', 'da4', 'le5']
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..errors import ResourceError
from .readings import char_readings, phrase_readings

if TYPE_CHECKING:
    import numpy as np

    from .readings import Analysis

__all__ = ["FEATURE_VERSION", "PolyphoneModel", "default_model", "features", "hash_features", "lattice", "word_context"]

#: Bumped whenever :func:`features` or :func:`hash_features` change: a model built for another version is refused.
FEATURE_VERSION = 1

_FIX = "rebuild it with scripts/build_polyphone.py or reinstall cjkglyph"


def _norm(ch: str) -> str:
    if ch.isdigit():
        return "0"
    if ch.isascii() and ch.isalpha():
        return "a"
    if ch.isspace():
        return " "
    return ch


_LATTICE_SLOTS = 3


def lattice(simp: str, i: int) -> list[str]:
    """Readings of ``simp[i]`` in every phrase-dictionary word of 2-4 characters covering ``i`` (sorted, unique)."""
    n = len(simp)
    seen: set[str] = set()
    for length in (2, 3, 4):
        for s0 in range(max(0, i - length + 1), min(i, n - length) + 1):
            found = phrase_readings(simp[s0 : s0 + length])
            if found is not None:
                seen.add(found[i - s0])
    return sorted(seen)


def features(
    simp: str, i: int, reading: str, phrase: bool, word: str, left_word: str, right_word: str, covering: list[str]
) -> list[str]:
    """Context features of position ``i`` of the Simplified text ``simp`` (:data:`N_FEATURES` strings).

    ``reading``/``phrase``: the dictionary's reading and whether it came from a
    multi-character phrase; ``word``/``left_word``/``right_word``: the word
    containing ``i`` and its neighbours ("" at the edges of a Han run);
    ``covering``: :func:`lattice` (readings in every dictionary word covering ``i``).
    """
    n = len(simp)
    l1 = _norm(simp[i - 1]) if i >= 1 else "^"
    l2 = _norm(simp[i - 2]) if i >= 2 else "^"
    r1 = _norm(simp[i + 1]) if i + 1 < n else "$"
    r2 = _norm(simp[i + 2]) if i + 2 < n else "$"
    return [
        "b",
        ("dp" if phrase else "dc") + reading,
        "w" + word,
        "l1" + l1,
        "r1" + r1,
        "l2" + l2 + l1,
        "r2" + r1 + r2,
        "lr" + l1 + r1,
        "L2" + l2,
        "R2" + r2,
        "lw" + left_word,
        "rw" + right_word,
        *("pc" + r for r in covering[:_LATTICE_SLOTS]),
        *(f"pc-{j}" for j in range(len(covering), _LATTICE_SLOTS)),
    ]


#: Number of features :func:`features` returns.
N_FEATURES = 12 + _LATTICE_SLOTS


def hash_features(feats: list[str], char: str, n_buckets: int) -> list[int]:
    """Bucket of each feature conjoined with ``char`` (stable across processes and platforms)."""
    seed = zlib.crc32(char.encode("utf-8"))
    return [zlib.crc32(f.encode("utf-8"), seed) % n_buckets for f in feats]


def word_context(analysis: Analysis) -> list[tuple[str, str, str]]:
    """(word, left word, right word) for every character inside a Han run, "" elsewhere."""
    simp = analysis.simp
    out: list[tuple[str, str, str]] = [("", "", "")] * len(simp)
    words = analysis.words
    for k, (a, b) in enumerate(words):
        left = simp[words[k - 1][0] : words[k - 1][1]] if k > 0 and words[k - 1][1] == a else ""
        right = simp[words[k + 1][0] : words[k + 1][1]] if k + 1 < len(words) and words[k + 1][0] == b else ""
        ctx = (simp[a:b], left, right)
        for p in range(a, b):
            out[p] = ctx
    return out


class PolyphoneModel:
    """Hashed log-linear polyphone classifier loaded from an ``.npz`` of plain arrays.

    Arrays: ``chars`` (n,) the characters it disambiguates; ``cands`` (n, K)
    int16 indices into ``syllables`` (-1 = no candidate); ``weights`` (B, K)
    float16; ``meta`` = [FEATURE_VERSION, B, K].
    """

    def __init__(self, arrays: dict[str, np.ndarray], source: str = "<memory>") -> None:
        import numpy as np

        try:
            meta = [int(x) for x in arrays["meta"]]
            chars = [str(c) for c in arrays["chars"]]
            syllables = [str(s) for s in arrays["syllables"]]
            cands = np.asarray(arrays["cands"])
            weights = np.asarray(arrays["weights"], dtype=np.float32)
        except (KeyError, ValueError, TypeError) as e:
            raise ResourceError(f"corrupt polyphone model {source} ({e}); {_FIX}") from None
        if meta[0] != FEATURE_VERSION or weights.shape != (meta[1], meta[2]) or cands.shape != (len(chars), meta[2]):
            raise ResourceError(f"polyphone model {source} does not match this cjkglyph version; {_FIX}")
        self.n_buckets, self.k = meta[1], meta[2]
        self.weights = weights
        self.index: dict[str, int] = {c: i for i, c in enumerate(chars)}
        self.candidates: list[tuple[str, ...]] = [tuple(syllables[j] for j in row if j >= 0) for row in cands.tolist()]

    @classmethod
    def load(cls, path: Any) -> PolyphoneModel:
        """Load from an ``.npz`` file; raises :class:`ResourceError` when missing or corrupt."""
        from ..resources import read_npz

        return cls(read_npz(path, "polyphone model", _FIX), str(path))

    def targets(self, text: str, analysis: Analysis) -> list[tuple[int, str, tuple[str, ...]]]:
        """(position, model character, allowed candidates) for each character the model should decide."""
        out = []
        index, simp, readings = self.index, analysis.simp, analysis.readings
        for i, ch in enumerate(text):
            if readings[i] is None:
                continue
            key = ch if ch in index else simp[i] if simp[i] in index else None
            if key is None:
                continue
            cands = self.candidates[index[key]]
            if key != ch:
                own = char_readings(ch)
                cands = tuple(c for c in cands if c in own)
            if len(cands) > 1 or (cands and cands[0] != readings[i]):
                out.append((i, key, cands))
        return out

    def scores(self, text: str, analysis: Analysis, targets: list[tuple[int, str, tuple[str, ...]]]) -> np.ndarray:
        """(len(targets), K) candidate scores (column j = j-th candidate of the model character)."""
        import numpy as np

        ctx = word_context(analysis)
        buckets: list[int] = []
        for i, key, _ in targets:
            word, left, right = ctx[i]
            simp = analysis.simp
            reading = analysis.readings[i] or ""
            feats = features(simp, i, reading, analysis.phrase[i], word, left, right, lattice(simp, i))
            buckets.extend(hash_features(feats, key, self.n_buckets))
        rows = self.weights[np.asarray(buckets, dtype=np.intp)]
        return rows.reshape(len(targets), N_FEATURES, self.k).sum(axis=1)

    def disambiguate(self, text: str, analysis: Analysis) -> None:
        """Replace the dictionary readings of polyphones in ``analysis.readings`` by the model's choice."""
        targets = self.targets(text, analysis)
        if not targets:
            return
        scores = self.scores(text, analysis, targets).tolist()
        readings = analysis.readings
        for (i, key, cands), row in zip(targets, scores, strict=True):
            full = self.candidates[self.index[key]]
            best = max(cands, key=lambda c: row[full.index(c)])
            readings[i] = best


@lru_cache(maxsize=1)
def default_model() -> PolyphoneModel:
    """The shipped model, ``data/pinyin/polyphone.npz`` (ResourceError when missing or corrupt)."""
    from ..resources import data_path

    return PolyphoneModel.load(data_path("pinyin", "polyphone.npz"))
