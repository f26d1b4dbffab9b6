"""Visual similarity between characters: image distances, learned embeddings, top-k neighbours.

Methods (higher score = more similar):

- ``"embedding"``: cosine of the learned glyph embeddings (:mod:`cjkglyph.glyph.encoder`),
- ``"gray"``: cosine of the grayscale images, blurred (sigma = size / 10) and pooled to half size,
  concatenated over the fonts,
- ``"binary"``: intersection over union of the binarised images (ink > 0.5), over all fonts.

Neighbour search runs as blocked matrix products, so all 20,992 URO characters
take seconds; results for whole vocabularies are cached.

>>> from cjkglyph.glyph.similarity import image_distance, similar
>>> image_distance("未", "末") < image_distance("未", "我")
True
>>> [c for c, _ in similar("己", 5, method="binary")][:2] in (["已", "巳"], ["巳", "已"])   # doctest: +SKIP
True
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ._draw import FontSpec
from .fonts import DEFAULT_FONTS
from .rendering import GlyphTable, glyph_table

__all__ = [
    "FEATURE_VERSION",
    "METHODS",
    "Neighbours",
    "embeddings",
    "features",
    "image_distance",
    "neighbours",
    "similar",
    "similarity_matrix",
    "topk",
]

METHODS = ("embedding", "gray", "binary")
#: Changes whenever the image features change (v2: gray blur sigma 1 -> 2.5 px at 24 px);
#: include it in the cache keys of anything derived from :func:`features`.
FEATURE_VERSION = "2"

_LOCK = threading.Lock()
_FEATURES: dict[tuple[str, str, str], np.ndarray] = {}  # URO embeddings by weights + table key
_VOCAB: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}  # (features, has ink) per vocabulary


def _blur_pool(images: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """Gaussian blur (separable; sigma 2.5 px at 24 px, scaled with the size) then 2 x 2 mean pooling.

    The strong blur makes the distance tolerant of small shifts and stroke-style
    differences; it was chosen on SIGHAN training error pairs
    (benchmarks/bench_glyph_similarity.py): sigma 1 -> 2.5 raised top-40 recall by half.
    """
    side = images.shape[-1]
    sigma = 2.5 * side / 24 if sigma is None else sigma
    r = max(1, int(np.ceil(2 * sigma)))
    t = np.arange(-r, r + 1, dtype=np.float32)
    k = np.exp(-(t**2) / (2 * sigma**2))
    k /= k.sum()
    x = images.astype(np.float32, copy=False)
    for axis in (-1, -2):
        pad = [(0, 0)] * x.ndim
        pad[axis] = (r, r)
        xp = np.pad(x, pad)
        n = x.shape[axis]
        x = sum(w * np.take(xp, np.arange(i, i + n), axis=axis) for i, w in enumerate(k.tolist()))
    h, w = x.shape[-2] // 2 * 2, x.shape[-1] // 2 * 2
    x = x[..., :h, :w]
    return x.reshape(*x.shape[:-2], h // 2, 2, w // 2, 2).mean(axis=(-1, -3))


def _normalise(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norm, 1e-12)).astype(np.float32)


def _image_features(images: np.ndarray, method: str) -> np.ndarray:
    """(N, F, S, S) float images -> (N, D) feature rows for ``method``."""
    n = len(images)
    if method == "gray":
        return _normalise(_blur_pool(images).reshape(n, -1))
    if method == "binary":
        return (images > 0.5).reshape(n, -1).astype(np.float32)
    raise InputError(f"unknown similarity method {method!r}; use one of {', '.join(METHODS)}")


def features(
    chars: str | Sequence[str],
    method: str = "gray",
    *,
    fonts: Sequence[FontSpec] = DEFAULT_FONTS,
    size: int = 24,
    table: GlyphTable | None = None,
) -> np.ndarray:
    """Feature rows for ``method`` (see the module docstring), float32 (N, D).

    ``embedding`` rows are unit vectors (always the encoder's own fonts and size);
    ``gray`` rows too; ``binary`` rows are 0/1 pixels.
    """
    if method == "embedding":
        return embeddings(chars)
    if table is None and len(chars) < 2000:  # small inputs: drawing beats building the URO table
        from .rendering import render

        return _image_features(render(chars, fonts, size), method)  # type: ignore[arg-type]
    table = table or glyph_table(blocks=("uro",), fonts=fonts, size=size)
    return _image_features(table.lookup(chars), method)


def embeddings(chars: str | Sequence[str]) -> np.ndarray:
    """Learned glyph embeddings, float32 (N, D), L2-normalised (a zero row for a character with no glyph).

    Embeddings of all URO characters are computed once (about 63,000 images
    through the CNN: tens of seconds) and cached on disk; until then, fewer than
    2,000 characters are embedded directly.

    >>> embeddings("未末").shape[0]            # doctest: +SKIP
    2
    """
    from ._draw import as_chars
    from .encoder import embed_chars

    text = chars if isinstance(chars, str) else "".join(as_chars(chars))
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64) - 0x4E00
    inside = (cps >= 0) & (cps < 0xA000 - 0x4E00)
    if len(text) < 2000 and not _uro_embeddings(build=False).size:
        return embed_chars(text)
    uro = _uro_embeddings(build=True)
    out = np.empty((len(cps), uro.shape[1]), dtype=np.float32)
    out[inside] = uro[cps[inside]]
    if not inside.all():
        rest = "".join(c for c, ok in zip(text, inside.tolist()) if not ok)
        out[~inside] = embed_chars(rest)
    return out


def _uro_embeddings(build: bool) -> np.ndarray:
    """URO embeddings (20,992 rows) from memory or the cache; an empty array if absent and not ``build``."""
    from ..chars import iter_block
    from .rendering import table_key
    from .encoder import embed_chars, weights_path
    from ..resources import cache_dir, cached_array, file_digest

    key = f"{file_digest(weights_path())}-{table_key(blocks=('uro',))}"
    with _LOCK:
        hit = _FEATURES.get(("embedding", "uro", key))
    if hit is not None:
        return hit
    if not build and not (cache_dir() / f"glyphemb-{key}.npy").exists():
        return np.zeros((0, 0), dtype=np.float32)
    arr = cached_array("glyphemb", key, lambda: embed_chars("".join(iter_block("uro"))))
    with _LOCK:
        _FEATURES[("embedding", "uro", key)] = arr
    return arr


def _vocab_features(vocab: str, method: str, table: GlyphTable | None) -> tuple[np.ndarray, np.ndarray]:
    """(features, usable) for a vocabulary; usable = the character has ink in some font."""
    t = table or glyph_table(vocab)
    vkey = hashlib.blake2b(vocab.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
    cache_key = (method, vkey, t.key)
    with _LOCK:
        hit = _VOCAB.get(cache_key)
    if hit is not None:
        return hit
    ink = np.zeros(len(vocab), dtype=bool)
    feats: list[np.ndarray] = []
    for i in range(0, len(vocab), 4096):
        images = t.lookup(vocab[i : i + 4096])
        ink[i : i + 4096] = images.reshape(len(images), -1).max(axis=1) > 0
        if method != "embedding":
            feats.append(_image_features(images, method))
    f = embeddings(vocab) if method == "embedding" else np.concatenate(feats)
    hit = (np.ascontiguousarray(f), ink)
    with _LOCK:
        if len(_VOCAB) >= 16:  # many different vocabularies: start over rather than grow
            _VOCAB.clear()
        _VOCAB[cache_key] = hit
    return hit


def _scores(q: np.ndarray, v: np.ndarray, method: str, v_norm: np.ndarray | None = None) -> np.ndarray:
    """Similarity block (len(q), len(v)) for feature rows."""
    s = q @ v.T
    if method == "binary":
        qn = q.sum(axis=1)[:, None]
        vn = (v.sum(axis=1) if v_norm is None else v_norm)[None, :]
        union = qn + vn - s
        np.divide(s, union, out=s, where=union > 0)
        s[union <= 0] = 0.0
    return s


def _topk(s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest entries per row, best first (torch.topk is ~10x argpartition)."""
    try:
        if s.size < 4_000_000:  # not worth importing torch
            raise ImportError
        import torch
    except ImportError:
        part = np.argpartition(-s, k - 1, axis=1)[:, :k] if k < s.shape[1] else np.tile(np.arange(s.shape[1]), (len(s), 1))
        ps = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-ps, axis=1, kind="stable")
        return np.take_along_axis(part, order, axis=1), np.take_along_axis(ps, order, axis=1)
    values, index = torch.topk(torch.from_numpy(s), k, dim=1, largest=True, sorted=True)
    return index.numpy(), values.numpy()


def similarity_matrix(
    a: str | Sequence[str], b: str | Sequence[str] | None = None, *, method: str = "embedding"
) -> np.ndarray:
    """Pairwise similarity (len(a), len(b)) float32 between two character lists (b defaults to a)."""
    fa = features(a, method)
    fb = fa if b is None else features(b, method)
    return _scores(fa, fb, method)


def image_distance(
    a: str, b: str, mode: str = "gray", *, fonts: Sequence[FontSpec] = DEFAULT_FONTS, size: int = 24
) -> float:
    """1 - similarity of two characters' images across ``fonts``: ``gray`` (cosine) or ``binary`` (1 - IoU).

    >>> round(image_distance("日", "日"), 6)
    0.0
    """
    if mode not in ("gray", "binary"):
        raise InputError(f"image distance mode must be gray or binary, not {mode!r}")
    from .rendering import render

    f = _image_features(render([a, b], fonts, size), mode)  # type: ignore[arg-type]
    return float(max(0.0, 1.0 - _scores(f[:1], f[1:], mode)[0, 0]))


@dataclass(frozen=True)
class Neighbours:
    """Top-k neighbours: ``index[i]`` (into ``vocab``) and ``scores[i]`` for ``queries[i]``, best first."""

    queries: str
    vocab: str
    index: np.ndarray = field(repr=False)  # int32 (Q, k), -1 = none
    scores: np.ndarray = field(repr=False)  # float32 (Q, k)

    def get(self, char: str) -> list[tuple[str, float]]:
        """Neighbours of one query character as (char, score)."""
        i = self.queries.find(char)
        if i < 0 or len(char) != 1:
            raise InputError(f"{char!r} is not among the queries")
        return [(self.vocab[j], float(s)) for j, s in zip(self.index[i].tolist(), self.scores[i].tolist()) if j >= 0]


def topk(
    queries: np.ndarray,
    vocab: np.ndarray,
    k: int,
    *,
    binary: bool = False,
    allowed: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
    block: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """Blocked top-k over feature rows: (index int32 (Q, k), scores float32 (Q, k)), best first, -1 = none.

    Scores are dot products (cosine for unit rows) or, with ``binary``, intersection
    over union of 0/1 rows. ``allowed`` (bool per vocab row) masks candidates;
    ``exclude[i]`` (a vocab row or -1) is never returned for query i.

    >>> v = np.eye(3, dtype=np.float32); topk(v[:1], v, 2, exclude=np.array([0]))[0].tolist()
    [[1, 2]]
    """
    kk = min(k, len(vocab))
    index = np.full((len(queries), kk), -1, dtype=np.int32)
    scores = np.full((len(queries), kk), -np.inf, dtype=np.float32)
    if kk == 0:
        return index, scores
    method = "binary" if binary else "cosine"
    v_norm = vocab.sum(axis=1) if binary else None
    for start in range(0, len(queries), block):
        s = _scores(queries[start : start + block], vocab, method, v_norm)
        if allowed is not None:
            s[:, ~allowed] = -np.inf
        if exclude is not None:
            r = exclude[start : start + block]
            ok = np.nonzero(r >= 0)[0]
            s[ok, r[ok]] = -np.inf
        idx, sc = _topk(s, kk)
        idx = idx.astype(np.int32, copy=False)
        idx[~np.isfinite(sc)] = -1
        index[start : start + block] = idx
        scores[start : start + block] = sc
    return index, scores


def neighbours(
    vocab: str | Sequence[str] | None = None,
    k: int = 20,
    *,
    method: str = "embedding",
    queries: str | Sequence[str] | None = None,
    block: int = 1024,
    exclude_self: bool = True,
) -> Neighbours:
    """Top-``k`` most similar characters of ``vocab`` (default: URO) for every query (default: the vocab).

    Blank glyphs (no font, no synthesis) are never neighbours. Runs as blocked
    matrix products: memory stays at ``block`` x len(vocab) floats.

    >>> nb = neighbours("未末本木禾大天夫", k=2, method="gray")
    >>> nb.get("未")[0][0] in "末木"
    True
    """
    from ..chars import iter_block

    if method not in METHODS:
        raise InputError(f"unknown similarity method {method!r}; use one of {', '.join(METHODS)}")
    if not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a positive integer, got {k!r}")
    if vocab is None:
        vocab_s = "".join(iter_block("uro"))
        table = glyph_table(blocks=("uro",))
    else:
        vocab_s = "".join(dict.fromkeys(vocab))
        table = glyph_table(vocab_s)
    vfeat, ink = _vocab_features(vocab_s, method, table)
    q_s = vocab_s if queries is None else (queries if isinstance(queries, str) else "".join(queries))
    if queries is None:
        qfeat = vfeat
    elif method == "embedding":
        qfeat = embeddings(q_s)
    else:
        qfeat = _image_features(table.lookup(q_s), method)
    self_rows = table.rows(q_s) if exclude_self else None  # table rows == vocab positions
    index, scores = topk(qfeat, vfeat, k, binary=method == "binary", allowed=ink, exclude=self_rows, block=block)
    return Neighbours(queries=q_s, vocab=vocab_s, index=index, scores=scores)


def similar(
    char: str, k: int = 10, *, method: str = "embedding", vocab: str | Sequence[str] | None = None
) -> list[tuple[str, float]]:
    """The ``k`` characters of ``vocab`` (default: URO) that look most like ``char``, best first.

    >>> [c for c, _ in similar("日", 3, method="gray")][0] in "曰目白旧"
    True
    """
    if not isinstance(char, str) or len(char) != 1:
        raise InputError(f"expected one character, got {char!r:.40}")
    return neighbours(vocab, k, method=method, queries=char).get(char)
