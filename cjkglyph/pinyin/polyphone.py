"""Polyphone disambiguation: a hashed log-linear classifier over context n-grams and words.

For each polyphonic character the model knows, every reading candidate gets a
score: the sum of the weights of the context features (neighbouring characters
and bigrams, the dictionary word containing the character and its neighbours,
the dictionary's own reading) conjoined with the character. Features are
hashed (CRC-32) into a fixed weight table, so the shipped artifact is one
``.npz`` of plain arrays (``data/pinyin/polyphone.npz``, rebuilt by
``scripts/build_polyphone.py``). Inference is pure Python feature extraction
plus one numpy gather per text.

Where this fast model is unsure (its best reading below the context model's
gate probability), :class:`ContextModel` adds the vote of a per-character
softmax over the shared character encoder's contextual vectors
(``data/pinyin/polyphone_context.npz``, numpy only); it runs only when the
caller passes an encoder (:func:`cjkglyph.pinyin.pinyin`'s ``encoder``).

>>> from cjkglyph.pinyin import pinyin
>>> pinyin("他长大了，头发长了。", "tone3")[:4]
['ta1', 'zhang3', 'da4', 'le5']
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ResourceError
from .readings import SANDHI_CHARS, char_readings, phrase_readings

if TYPE_CHECKING:
    import numpy as np

    from .readings import Analysis

__all__ = [
    "FEATURE_VERSION",
    "ContextModel",
    "HiddenStates",
    "PolyphoneModel",
    "default_context_model",
    "default_model",
    "features",
    "hash_features",
    "lattice",
    "word_context",
]

#: Bumped whenever :func:`features` or :func:`hash_features` change: a model built for another version is refused.
FEATURE_VERSION = 1

_FIX = "rebuild it with scripts/build_polyphone.py or reinstall cjkglyph"

#: A dictionary phrase reading (pypinyin's phrase dictionary, the Rime lexicon) stands unless the
#: models give it less than this probability (on the CPP tune fifth accuracy is flat from 0.01 to
#: 0.3; at 0.02 frequent words keep their dictionary reading: 长得 zhang3, 照片 pian1).
PHRASE_KEEP = 0.02


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


class HiddenStates(Protocol):
    """What the context model needs of an encoder (:class:`cjkglyph.encoder.CharEncoder` has it)."""

    def hidden(self, texts: Sequence[str], row: Sequence[int], pos: Sequence[int]) -> np.ndarray: ...


class ContextModel:
    """Per-character softmax over readings on contextual vectors, combined with the fast model where it is unsure.

    Arrays: ``chars`` and ``cands`` exactly as the fast model's; ``weights`` (n, K, D)
    and ``bias`` (n, K) float16; ``gate`` = [probability, fast weight]: a target whose
    fast best reading has a lower probability is decided by
    ``fast weight * fast log-probability + context log-probability``.
    """

    def __init__(self, arrays: dict[str, np.ndarray], source: str = "<memory>") -> None:
        import numpy as np

        try:
            self.chars = [str(c) for c in arrays["chars"]]
            self.cands = np.asarray(arrays["cands"])
            self.weights = np.asarray(arrays["weights"], dtype=np.float32)
            self.bias = np.asarray(arrays["bias"], dtype=np.float32)
            self.gate, self.fast_weight = (float(x) for x in arrays["gate"])
        except (KeyError, ValueError, TypeError) as e:
            raise ResourceError(f"corrupt polyphone context model {source} ({e}); {_FIX}") from None
        if self.weights.shape[:2] != self.cands.shape or self.bias.shape != self.cands.shape:
            raise ResourceError(f"corrupt polyphone context model {source} (shapes); {_FIX}")
        self.index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def load(cls, path: Any) -> ContextModel:
        """Load from an ``.npz`` file; raises :class:`ResourceError` when missing or corrupt."""
        from ..resources import read_npz

        return cls(read_npz(path, "polyphone context model", _FIX), str(path))

    def log_probs(self, keys: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """(n, K) log-probabilities of the candidates of each model character given its vector."""
        import numpy as np

        rows = np.asarray([self.index[k] for k in keys], dtype=np.intp)
        logits = np.einsum("nkd,nd->nk", self.weights[rows], vectors.astype(np.float32)) + self.bias[rows]
        logits[self.cands[rows] < 0] = -1e9
        return _log_softmax(logits)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    import numpy as np

    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


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
            if key is None or key in SANDHI_CHARS:
                continue
            cands = self.candidates[index[key]]
            if key != ch:
                own = char_readings(ch)
                cands = tuple(c for c in cands if c in own)
            if analysis.phrase[i] and readings[i] not in cands:
                continue  # a phrase reading the model cannot score stands (和面 huo2)
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

    def log_probs(self, text: str, analysis: Analysis, targets: list[tuple[int, str, tuple[str, ...]]]) -> np.ndarray:
        """(len(targets), K) log-probabilities over each target's allowed candidates (-1e9 elsewhere)."""
        import numpy as np

        scores = self.scores(text, analysis, targets)
        allowed = np.zeros(scores.shape, dtype=bool)
        for n, (_, key, cands) in enumerate(targets):
            full = self.candidates[self.index[key]]
            allowed[n, [full.index(c) for c in cands]] = True
        return _log_softmax(np.where(allowed, scores, -1e9))

    def disambiguate(
        self, text: str, analysis: Analysis, encoder: HiddenStates | None = None, context: ContextModel | None = None
    ) -> None:
        """Replace the dictionary readings of polyphones in ``analysis.readings`` by the model's choice.

        With ``encoder``, targets the fast model is unsure of are decided together with
        ``context`` (default: :func:`default_context_model`) on the encoder's vectors.
        """
        targets = self.targets(text, analysis)
        if not targets:
            return
        logp = self.log_probs(text, analysis, targets)
        if encoder is not None:
            free = [not analysis.phrase[i] for i, _, _ in targets]  # phrase readings: fast model and PHRASE_KEEP only
            logp = self._with_context(text, targets, free, logp, encoder, context or default_context_model())
        best = logp.argmax(axis=1).tolist()
        readings, keep = analysis.readings, math.log(PHRASE_KEEP)
        for n, ((i, key, _), j) in enumerate(zip(targets, best, strict=True)):
            full = self.candidates[self.index[key]]
            if analysis.phrase[i] and readings[i] in full and logp[n, full.index(readings[i])] >= keep:
                continue
            if analysis.phrase[i] and readings[i][-1] == "5" and readings[i][:-1] == full[j][:-1]:
                continue  # the phrase's neutral tone (弟弟 di4 di5) stands against the same syllable in full tone
            readings[i] = full[j]

    @staticmethod
    def _with_context(
        text: str,
        targets: list[tuple[int, str, tuple[str, ...]]],
        free: list[bool],
        logp: np.ndarray,
        encoder: HiddenStates,
        context: ContextModel,
    ) -> np.ndarray:
        import numpy as np

        low = np.flatnonzero(logp.max(axis=1) < np.log(context.gate)).tolist()
        unsure = [n for n in low if free[n] and targets[n][1] in context.index]
        if not unsure:
            return logp
        keys = [targets[n][1] for n in unsure]
        vectors = encoder.hidden([text], [0] * len(unsure), [targets[n][0] for n in unsure])
        ctx = context.log_probs(keys, vectors)
        logp = logp.copy()
        logp[unsure] = _log_softmax(context.fast_weight * logp[unsure] + ctx)
        return logp


@lru_cache(maxsize=1)
def default_context_model() -> ContextModel:
    """The shipped context model, ``data/pinyin/polyphone_context.npz`` (ResourceError when missing or corrupt)."""
    from ..resources import data_path

    return ContextModel.load(data_path("pinyin", "polyphone_context.npz"))


@lru_cache(maxsize=1)
def default_model() -> PolyphoneModel:
    """The shipped model, ``data/pinyin/polyphone.npz`` (ResourceError when missing or corrupt)."""
    from ..resources import data_path

    return PolyphoneModel.load(data_path("pinyin", "polyphone.npz"))
