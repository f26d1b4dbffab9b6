"""Character similarity graph: who gets confused with whom, ranked by weights learned from real errors.

Every character of the vocabulary (default: URO + Extension A, 27,584) gets up
to 100 neighbours (the 80 best of any relation, then the best similar-shape
ones to fill up, so that ``kind="visual"`` lists stay long), sorted by score,
each with a relation and a score:

======================== ==========================================================
relation                 meaning
======================== ==========================================================
``same-sound-same-tone`` some reading identical (all heteronym readings count)
``same-sound-other-tone`` identical up to tone
``similar-sound``        fuzzy initial or final (z/zh, n/l, in/ing, an/ang ...)
``similar-shape``        near in glyph embedding, IDS components or four-corner code
``observed``             seen as (wrong, right) in real learner errors, no other relation
``user``                 from a user confusion file (:meth:`SimilarityGraph.merge`)
======================== ==========================================================

Candidates come from :mod:`cjkglyph.graph.features`; the score is the
softmax probability, over all candidates of the character, of the shipped
ranker (``data/graph/ranker.json``, see ``scripts/train_graph.py``): roughly
P(the intended character is this neighbour | this character is an error).
The graph is built once (about a minute for the default vocabulary) and cached
as memory-mapped arrays keyed by the digests of all inputs; lookups are array
indexing. The default graph ships prebuilt (``data/prebuilt/simgraph.npz``,
``scripts/build_prebuilt.py``), so a fresh install only copies it into the cache.

>>> from cjkglyph.graph.similarity import similar, confusion_set
>>> [n.char for n in similar("在", k=3)]                      # doctest: +SKIP
['再', ...]
>>> similar("己", kind="visual", k=2)[0].relation              # doctest: +SKIP
'similar-shape'
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    from .features import FeatureContext
    from .ranker import Ranker

__all__ = [
    "GROUPS",
    "KINDS",
    "RELATIONS",
    "Neighbor",
    "SimilarityGraph",
    "build_graph",
    "confusion_set",
    "default_graph",
    "graph",
    "read_vocab",
    "similar",
    "with_confusion",
]

#: Relation labels by bit of the uint8 relation code, in priority order.
RELATIONS: tuple[str, ...] = (
    "same-sound-same-tone",
    "same-sound-other-tone",
    "similar-sound",
    "similar-shape",
    "observed",
    "user",
)
BIT: dict[str, int] = {name: 1 << k for k, name in enumerate(RELATIONS)}
#: Relation groups (bitmasks): ``kind`` of :func:`similar`, ``relations`` of :func:`graph`.
GROUPS: dict[str, int] = {
    "any": 0xFF,
    "phonetic": BIT["same-sound-same-tone"] | BIT["same-sound-other-tone"] | BIT["similar-sound"],
    "pronunciation": BIT["same-sound-same-tone"] | BIT["same-sound-other-tone"] | BIT["similar-sound"],
    "visual": BIT["similar-shape"],
    "shape": BIT["similar-shape"],
    **{name: bit for name, bit in BIT.items()},
}
KINDS = ("any", "phonetic", "visual")
MAX_NEIGHBORS = 100
BUILD_VERSION = "2"
_SOUND_FLOOR = -7.0  # channel log-prob from which a candidate outside the pools still counts as similar-sound
_SHAPE_IDS, _SHAPE_EMB = 0.3, 0.8  # IDS similarity / embedding cosine from which a pair counts as similar-shape
_NEAR_IDS, _NEAR_EMB = 0.15, 0.6  # ... or, for a nearest-glyph/IDS/four-corner candidate, from which it does
_STRONG_IDS, _STRONG_EMB = 0.45, 0.9  # ... from which similar-shape outranks similar-sound as the main relation
_STRONG = 1 << 6  # internal bit of the relation code: strong shape evidence


class Neighbor(NamedTuple):
    """One neighbour: the character, its main relation, its score, and every relation it has."""

    char: str
    relation: str
    score: float
    relations: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"char": self.char, "relation": self.relation, "score": self.score, "relations": list(self.relations)}


def _labels(code: int) -> tuple[str, ...]:
    """Relation names of a code, main relation first (similar-shape before similar-sound when strong)."""
    names = [name for name in RELATIONS if code & BIT[name]]
    if code & _STRONG and "similar-shape" in names and "similar-sound" in names:
        names.remove("similar-shape")
        names.insert(names.index("similar-sound"), "similar-shape")
    return tuple(names)


def _mask(kind: str | int) -> int:
    if isinstance(kind, int):
        return kind & 0xFF
    try:
        return GROUPS[kind]
    except KeyError:
        raise InputError(f"unknown relation kind {kind!r}; use one of {', '.join(GROUPS)}") from None


@dataclass(eq=False)
class SimilarityGraph:
    """Ranked neighbours of every vocabulary character (row ``i`` belongs to ``vocab[i]``).

    ``neighbors`` int32 (n, K) indices into ``vocab`` (-1 = none), ``scores``
    float16 (n, K) (higher = more similar, rows sorted), ``relations`` uint8
    (n, K) bitmasks over :data:`RELATIONS` (bit ``1 << k`` = ``RELATIONS[k]``;
    bit 64 marks strong shape evidence, which makes similar-shape the main relation).
    """

    vocab: str
    neighbors: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    relations: np.ndarray = field(repr=False)
    key: str = ""

    def __post_init__(self) -> None:
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.vocab)}

    def __len__(self) -> int:
        return len(self.vocab)

    def __contains__(self, char: object) -> bool:
        return isinstance(char, str) and char in self.index

    def similar(self, char: str, kind: str = "any", k: int = 20) -> list[Neighbor]:
        """The ``k`` best neighbours of ``char`` whose relation is of ``kind`` ([] outside the vocabulary)."""
        if not isinstance(char, str) or len(char) != 1:
            raise InputError(f"expected one character, got {char!r:.40}")
        if not isinstance(k, int) or k < 0:
            raise InputError(f"k must be a non-negative integer, got {k!r}")
        mask = _mask(kind)
        i = self.index.get(char)
        if i is None or k == 0:
            return []
        nb, sc, rel = self.neighbors[i], self.scores[i], self.relations[i]
        sel = np.flatnonzero((nb >= 0) & ((rel & mask) > 0))[:k]
        out = []
        for j in sel.tolist():
            full = int(rel[j])
            labels = _labels(full)
            main = labels[0] if kind == "any" else _labels((full & mask) | (full & _STRONG))[0]
            out.append(Neighbor(self.vocab[int(nb[j])], main, round(float(sc[j]), 6), labels))
        return out

    def confusion_set(self, char: str, k: int = 20, kind: str = "any") -> list[str]:
        """Just the characters of :meth:`similar`."""
        return [n.char for n in self.similar(char, kind, k)]

    def merge(self, triples: Iterable[tuple[str, str, int]], weight: float = 0.5) -> SimilarityGraph:
        """A copy with user pairs (wrong, candidate, count) added as relation ``user``.

        A pair already present keeps its place and gains the ``user`` bit; a new
        one gets ``weight`` times the best score of its row and displaces the
        weakest neighbour when the row is full. Pairs outside the vocabulary are ignored.
        """
        nb, sc, rel = self.neighbors.copy(), self.scores.astype(np.float32), self.relations.copy()
        by_row: dict[int, list[int]] = {}
        for a, b, _ in triples:
            i, j = self.index.get(a), self.index.get(b)
            if i is not None and j is not None and i != j:
                by_row.setdefault(i, []).append(j)
        K = nb.shape[1]
        for i, js in by_row.items():
            row_n, row_s, row_r = list(nb[i]), list(sc[i]), list(rel[i])
            top = max((s for n, s in zip(row_n, row_s) if n >= 0), default=1.0)
            for j in dict.fromkeys(js):
                if j in row_n:
                    p = row_n.index(j)
                    row_r[p] |= BIT["user"]
                    row_s[p] = max(row_s[p], weight * top)
                else:
                    row_n.append(j)
                    row_s.append(weight * top)
                    row_r.append(BIT["user"])
            order = sorted((p for p in range(len(row_n)) if row_n[p] >= 0), key=lambda p: -row_s[p])[:K]
            nb[i], sc[i], rel[i] = -1, 0.0, 0
            nb[i, : len(order)] = [row_n[p] for p in order]
            sc[i, : len(order)] = [row_s[p] for p in order]
            rel[i, : len(order)] = [row_r[p] for p in order]
        h = hashlib.blake2b(repr(sorted(by_row.items())).encode(), digest_size=6).hexdigest()
        return SimilarityGraph(self.vocab, nb, sc.astype(np.float16), rel, f"{self.key}+user{h}")

    def rows(self, kind: str = "any", k: int = MAX_NEIGHBORS, chars: str | None = None) -> Iterable[tuple[str, list[Neighbor]]]:
        """(char, neighbours) for every vocabulary character (or each of ``chars``), in order."""
        for c in self.vocab if chars is None else chars:
            yield c, self.similar(c, kind, k)

    def lines(self, format: str = "tsv", k: int = MAX_NEIGHBORS, kind: str = "any", chars: str | None = None) -> Iterable[str]:
        """Text lines (with ``\\n``) of an export: ``tsv`` (``char neighbor relation score``, no header),
        or a pycorrector-style confusion file (``candidates`` or ``pairs``, see :mod:`cjkglyph.graph.confusion`)."""
        if format in ("candidates", "pairs"):
            from .confusion import confusion_lines

            yield from confusion_lines(((c, [n.char for n in ns]) for c, ns in self.rows(kind, k, chars)), format)
            return
        if format != "tsv":
            raise InputError(f"unknown export format {format!r}; use tsv, candidates or pairs")
        for c, ns in self.rows(kind, k, chars):
            if ns:
                yield "".join(f"{c}\t{n.char}\t{n.relation}\t{n.score:.4g}\n" for n in ns)

    def export(self, path: str, format: str = "tsv", k: int = MAX_NEIGHBORS, kind: str = "any", chars: str | None = None) -> None:
        """Write :meth:`lines` to ``path`` (a ``tsv`` file gets a header line)."""
        from ..resources import atomic_write

        try:
            with atomic_write(path, "wb") as f:
                if format == "tsv":
                    f.write(b"char\tneighbor\trelation\tscore\n")
                for line in self.lines(format, k, kind, chars):
                    f.write(line.encode("utf-8"))
        except OSError as e:
            raise InputError(f"cannot write {path}: {e.strerror or e}") from None

    def adjacency(
        self, vocab: Sequence[str] | str | None = None, relations: str | int = "any", k: int = 20, weighted: bool = False
    ) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
        """Normalised adjacency ``D^-1/2 (A + I) D^-1/2`` as COO (indices (2, nnz) int64, values float32, shape).

        ``A`` links each character of ``vocab`` (default: the graph's own; any
        token list, entries that are not single vocabulary characters stay
        isolated) to its ``k`` best neighbours of ``relations`` inside
        ``vocab``, made symmetric (weights: 1, or the larger score of the two
        directions with ``weighted``).
        """
        tokens = list(self.vocab if vocab is None else vocab)
        n = len(tokens)
        pos = {t: p for p, t in enumerate(tokens) if isinstance(t, str) and len(t) == 1}
        to_node = np.full(len(self.vocab), -1, dtype=np.int64)
        for t, p in pos.items():
            i = self.index.get(t)
            if i is not None and to_node[i] < 0:
                to_node[i] = p
        mask = _mask(relations)
        rows_g = np.flatnonzero(to_node >= 0)
        nb = self.neighbors[rows_g].astype(np.int64)
        ok = (nb >= 0) & ((self.relations[rows_g] & mask) > 0)
        ok &= to_node[np.maximum(nb, 0)] >= 0
        # keep the first k valid neighbours per row
        ok &= np.cumsum(ok, axis=1) <= k
        src = np.repeat(to_node[rows_g], ok.sum(axis=1))
        dst = to_node[nb[ok]]
        val = self.scores[rows_g][ok].astype(np.float32) if weighted else np.ones(len(src), dtype=np.float32)
        keep = src != dst
        src, dst, val = src[keep], dst[keep], val[keep]
        # symmetric: max over both directions, plus the identity
        i_all = np.concatenate([src, dst, np.arange(n)])
        j_all = np.concatenate([dst, src, np.arange(n)])
        v_all = np.concatenate([val, val, np.ones(n, dtype=np.float32)])
        key = i_all * n + j_all
        order = np.lexsort((-v_all, key))
        key, v_all = key[order], v_all[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key, v_all = key[first], v_all[first]
        ii, jj = key // n, key % n
        deg = np.bincount(ii, v_all, minlength=n)
        inv = 1.0 / np.sqrt(np.maximum(deg, 1e-12))
        vals = (v_all * inv[ii] * inv[jj]).astype(np.float32)
        return np.stack([ii, jj]), vals, (n, n)


# --------------------------------------------------------------------------- building


def _relation_codes(x: np.ndarray, gen: np.ndarray, observed: np.ndarray) -> np.ndarray:
    from .features import FEATURES, GEN_FOURCORNER, GEN_PHONETIC, GEN_VISUAL

    col = {name: k for k, name in enumerate(FEATURES)}
    code = np.zeros(len(x), dtype=np.uint8)
    same = x[:, col["same_tone3"]] > 0
    toneless = (x[:, col["same_toneless"]] > 0) & ~same
    sound = ~same & ~toneless & (((gen & GEN_PHONETIC) > 0) | (x[:, col["ph_max"]] >= _SOUND_FLOOR))
    ids, emb = x[:, col["ids_sim"]], x[:, col["emb_cos"]]
    near = ((gen & (GEN_VISUAL | GEN_FOURCORNER)) > 0) & ((ids >= _NEAR_IDS) | (emb >= _NEAR_EMB))
    shape = near | (ids >= _SHAPE_IDS) | (emb >= _SHAPE_EMB)
    code[shape & ((ids >= _STRONG_IDS) | (emb >= _STRONG_EMB))] |= _STRONG
    code[same] |= BIT["same-sound-same-tone"]
    code[toneless] |= BIT["same-sound-other-tone"]
    code[sound] |= BIT["similar-sound"]
    code[shape] |= BIT["similar-shape"]
    code[observed > 0] |= BIT["observed"]
    return code


def _build(
    ctx: FeatureContext, ranker: Ranker, max_neighbors: int, chunk: int = 1024, workers: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(neighbours, scores, relations) of every vocabulary character; chunks of wrong characters run on ``workers`` threads."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from .features import ObservedPairs

    n = ctx.n
    K = max_neighbors
    reserve = K // 5
    nbr = np.full((n, K), -1, dtype=np.int32)
    score = np.zeros((n, K), dtype=np.float16)
    rel = np.zeros((n, K), dtype=np.uint8)
    found = [(ctx.index.get(a, -1), ctx.index.get(b, -1), cnt) for a, b, cnt in ranker.observed]
    found = [t for t in found if t[0] >= 0 and t[1] >= 0]
    observed = ObservedPairs.from_counts(
        np.array([t[0] for t in found], dtype=np.int64), np.array([t[1] for t in found], dtype=np.int64), np.array([t[2] for t in found]), n
    )
    ctx.prepare(ranker.channel, ranker.params)  # fill the lazy tables before threads share the context

    def run(wrong: np.ndarray) -> None:
        w, c, gen, vrank = ctx.candidates(wrong, ranker.channel, ranker.params, observed)
        if not len(w):
            return
        x = ctx.pair_features(w, c, ranker.channel, gen, vrank, observed, ranker.features)
        logit = ranker.score(x)
        # softmax within each wrong character's candidates
        starts = np.flatnonzero(np.r_[True, w[1:] != w[:-1]])
        m = np.maximum.reduceat(logit, starts)
        grp = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(w)]))
        e = np.exp(logit - m[grp])
        prob = e / np.add.reduceat(e, starts)[grp]
        code = _relation_codes(x, gen, observed.count(w, c))
        related = code > 0  # a weak nearest-glyph candidate with no relation is not listed
        w, c, prob, code = w[related], c[related], prob[related], code[related]
        order = np.lexsort((c, -prob, w))
        w, c, prob, code = w[order], c[order], prob[order], code[order]
        if not len(w):
            return
        starts = np.flatnonzero(np.r_[True, w[1:] != w[:-1]])
        first = np.repeat(starts, np.diff(np.r_[starts, len(w)]))
        rank = np.arange(len(w)) - first
        # the best K - reserve of any kind, then the best similar-shape ones up to K (so --kind visual lists stay full)
        shape = (code & BIT["similar-shape"]) > 0
        before = np.cumsum(shape) - shape
        shape_rank = before - before[first]
        keep = (rank < K - reserve) | (shape & (shape_rank < reserve))
        w, c, prob, code = w[keep], c[keep], prob[keep], code[keep]
        starts = np.flatnonzero(np.r_[True, w[1:] != w[:-1]])
        rank = np.arange(len(w)) - np.repeat(starts, np.diff(np.r_[starts, len(w)]))
        sel = rank < K
        nbr[w[sel], rank[sel]] = c[sel]  # each chunk writes its own rows
        score[w[sel], rank[sel]] = prob[sel]
        rel[w[sel], rank[sel]] = code[sel]

    wrong_all = np.flatnonzero(ctx.han)
    chunks = [wrong_all[s : s + chunk] for s in range(0, len(wrong_all), chunk)]
    workers = workers or min(2, os.cpu_count() or 1)
    if workers <= 1 or len(chunks) <= 1:
        for part in chunks:
            run(part)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, chunks))
    return nbr, score, rel


def _graph_key(ctx: FeatureContext, ranker_digest: str, max_neighbors: int) -> str:
    from .features import context_key

    return hashlib.blake2b(f"{context_key(ctx)}|{ranker_digest}|{max_neighbors}|v{BUILD_VERSION}".encode(), digest_size=10).hexdigest()


_GRAPHS: dict[str, SimilarityGraph] = {}
_LOCK = threading.Lock()


def build_graph(
    vocab: Sequence[str] | str | None = None, *, max_neighbors: int = MAX_NEIGHBORS, ranker: str | None = None
) -> SimilarityGraph:
    """The graph over ``vocab`` (default: URO + Extension A), built once and cached on disk.

    Neighbours are looked for inside ``vocab`` only; characters that are not Han
    ideographs get no neighbours. ``ranker`` is a path to another ranker file.

    >>> g = build_graph("在再己已门们")                               # doctest: +SKIP
    >>> g.confusion_set("在", 1)                                     # doctest: +SKIP
    ['再']
    """
    from ..resources import cached_array, data_path, file_digest
    from .features import FeatureContext
    from .ranker import RANKER, Ranker

    if not isinstance(max_neighbors, int) or not 1 <= max_neighbors <= 255:
        raise InputError(f"max_neighbors must be 1-255, got {max_neighbors!r}")
    ctx = FeatureContext(vocab)
    rpath = ranker or str(data_path(*RANKER, required=False))
    rank_model = Ranker.load(rpath)
    key = _graph_key(ctx, file_digest(rpath), max_neighbors)
    with _LOCK:
        hit = _GRAPHS.get(key)
    if hit is not None:
        return hit
    built: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def part(k: int) -> np.ndarray:
        if not built:
            built.append(_build(ctx, rank_model, max_neighbors))
        return built[0][k]

    usually = "about a minute on 2 cores" if ctx.n > 10000 else None
    nbr = cached_array("simgraph-nbr", key, lambda: part(0), what=f"the similarity graph over {ctx.n} characters", usually=usually)
    score = cached_array("simgraph-score", key, lambda: part(1))
    rel = cached_array("simgraph-rel", key, lambda: part(2))
    g = SimilarityGraph(ctx.vocab, nbr, score, rel, key)
    if nbr.shape != (ctx.n, max_neighbors) or score.shape != nbr.shape or rel.shape != nbr.shape:
        from ..errors import ResourceError

        raise ResourceError(f"inconsistent similarity graph cache (key {key}); delete the simgraph-* files in the cjkglyph cache directory")
    with _LOCK:
        _GRAPHS[key] = g
    return g


_DEFAULT: list[SimilarityGraph] = []


def default_graph() -> SimilarityGraph:
    """The shipped-ranker graph over URO + Extension A (cached; about a minute to build the first time)."""
    if not _DEFAULT:
        g = build_graph()
        with _LOCK:
            if not _DEFAULT:
                _DEFAULT.append(g)
    return _DEFAULT[0]


def similar(char: str, kind: str = "any", k: int = 20, *, graph: SimilarityGraph | None = None) -> list[Neighbor]:
    """The ``k`` characters most confusable with ``char``, best first, as (char, relation, score, relations).

    ``kind``: ``any``, ``phonetic`` (same or similar sound) or ``visual`` (similar shape).
    """
    if kind not in KINDS and kind not in GROUPS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    return (graph or default_graph()).similar(char, kind, k)


def confusion_set(char: str, k: int = 20, kind: str = "any", *, graph: SimilarityGraph | None = None) -> list[str]:
    """The characters of :func:`similar`: candidate corrections of ``char``, most likely first."""
    return [n.char for n in similar(char, kind, k, graph=graph)]


def with_confusion(path: str, graph: SimilarityGraph | None = None, weight: float = 0.5) -> SimilarityGraph:
    """``graph`` (default: the default graph) with a user confusion file merged in (see :meth:`SimilarityGraph.merge`)."""
    from .confusion import read_confusion

    return (graph or default_graph()).merge(read_confusion(path), weight)


def read_vocab(path: str) -> str:
    """Characters of a vocabulary file: each one-character line, and every Han character of longer lines."""
    from ..chars import HAN_RE

    seen: dict[str, None] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                t = line.strip("\r\n").strip()
                if len(t) == 1:
                    seen.setdefault(t, None)
                else:
                    for m in HAN_RE.finditer(t):
                        seen.setdefault(m.group(), None)
    except OSError as e:
        raise InputError(f"cannot read vocabulary {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"vocabulary {path}: invalid UTF-8 at byte {e.start + 1}") from None
    return "".join(seen)


def graph(
    vocab: Sequence[str] | str,
    relations: Sequence[str] | str = ("pronunciation", "shape"),
    *,
    k: int = 20,
    format: str = "coo",
    weighted: bool = False,
    confusion: str | None = None,
) -> dict[str, Any]:
    """Normalised adjacency matrices ``D^-1/2 (A + I) D^-1/2`` over ``vocab``, one per relation group (SpellGCN).

    ``vocab`` is a token list (e.g. a BERT vocabulary); only single Han
    characters get edges, to their ``k`` best neighbours found inside the
    vocabulary. ``format``: ``coo`` ((indices (2, nnz), values, shape) numpy
    triple), ``torch`` (``torch.sparse_coo_tensor``, coalesced) or ``dense``
    (numpy (n, n) float32, for small vocabularies). ``confusion`` merges a
    user confusion file first (relation ``user``, counted in every group).

    >>> a = graph("在再己已门们", "pronunciation", format="dense")["pronunciation"]   # doctest: +SKIP
    >>> a.shape                                                                     # doctest: +SKIP
    (6, 6)
    """
    if isinstance(relations, str):
        relations = (relations,)
    for r in relations:
        _mask(r)
    if format not in ("coo", "torch", "dense"):
        raise InputError(f"unknown adjacency format {format!r}; use coo, torch or dense")
    tokens = list(vocab)
    chars = "".join(dict.fromkeys(t for t in tokens if isinstance(t, str) and len(t) == 1))
    from ..chars import is_han

    han = "".join(c for c in chars if is_han(c))
    g = build_graph(han)
    if confusion:
        from .confusion import read_confusion

        g = g.merge(read_confusion(confusion))
    out: dict[str, Any] = {}
    for r in relations:
        mask = _mask(r) | (BIT["user"] if confusion else 0)
        idx, val, shape = g.adjacency(tokens, mask, k, weighted)
        if format == "coo":
            out[r] = (idx, val, shape)
        elif format == "dense":
            dense = np.zeros(shape, dtype=np.float32)
            dense[idx[0], idx[1]] = val
            out[r] = dense
        else:
            import torch

            # rows come sorted by (row, column) without duplicates: already coalesced
            out[r] = torch.sparse_coo_tensor(torch.from_numpy(idx), torch.from_numpy(val), shape, check_invariants=False, is_coalesced=True)
    return out
