"""IDS-based similarity of characters: shared components weighted by size and position.

A character becomes a sparse vector over (component, slot) features. Every
component met while decomposing it fully (the parts, their parts ... down to
strokes) contributes its box area, damped by ``GAMMA`` per nesting level and by
how common the component is (an inverse document frequency over the URO and
Extension A characters), spread over three kinds of slot: *anywhere*, the soft
3x3 cell of its centre, and its soft width/height class. The character itself
adds a small *anywhere* feature, so 想 stays close to 相. The similarity of two
characters is the weighted Jaccard index ``sum(min) / sum(max)`` of their
vectors: 1 for identical decompositions, 0 when nothing is shared.

:class:`IDSSimilarityIndex` finds the most similar characters of a whole
vocabulary through an inverted index (candidates share a heavy feature, a bound
prunes the rest, survivors are scored exactly), so every URO + Extension A
character gets its neighbours in seconds.

>>> from cjkglyph.ids.compare import ids_similarity, most_similar, tree_distance
>>> ids_similarity("湖", "糊") > ids_similarity("湖", "江") > ids_similarity("湖", "一")
True
>>> "晴" in [c for c, _ in most_similar("睛", k=5)]
True
>>> tree_distance("好", "妈"), tree_distance("好", "字")
(1, 2)
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._arrays import concat_ranges
from ..errors import InputError, ResourceError
from ..resources import cached_json
from ._table import load
from .core import characters, decompose
from .tree import IDC, IDSNode, check_char, check_region

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "IDSSimilarityIndex",
    "default_vocabulary",
    "feature_vector",
    "ids_similarity",
    "most_similar",
    "tree_distance",
    "tree_similarity",
]

ROOT = 0.15  # weight of the character's own *anywhere* feature, relative to its parts
GAMMA = 0.5  # damping per nesting level of components
W_ANY, W_CELL, W_SHAPE = 0.3, 0.35, 0.35  # split of a component's weight over the three slot kinds
IDF_MIN, IDF_FULL_DF = 0.1, 100  # components in <= 100 reference characters weigh fully; the commonest 0.1
PRUNE = 0.01  # features lighter than 1% of a character's total are dropped
EPS = 0.3  # share of a query's weight (its lightest, commonest features) not used to find candidates
SLOTS = 14  # 0: anywhere, 1-9: centre cell (3x3), 10-13: width x height class (2x2)
_PARAMS = f"r{ROOT}-g{GAMMA}-w{W_ANY},{W_CELL},{W_SHAPE}-i{IDF_MIN},{IDF_FULL_DF}-p{PRUNE}-v2"

Occ = tuple[str, float, float, float, float, float]  # component, x0, y0, x1, y1, weight


def _stroke_weight() -> Callable[[str], float]:
    from ..unihan import strokes

    def weight(c: str) -> float:
        if len(c) == 1:
            n = strokes(c)
            if n:
                return float(n)
            if 0x31C0 <= ord(c) <= 0x31EF:
                return 1.0
        return 3.0

    return weight


class _Features:
    """Occurrence lists per character (memoised per component) and the reference document frequencies."""

    def __init__(self, region: str | None) -> None:
        self.region = region
        self.data = load()
        self.weight = _stroke_weight()
        self.rel: dict[str, list[Occ]] = {}
        self.visiting: set[str] = set()
        self.cycles = 0
        self._df: dict[str, int] | None = None
        self.lock = threading.RLock()

    def _tree(self, char: str) -> IDSNode | None:
        k = self.data.select(char, self.region)
        if k < 0:
            return None
        tree = self.data.tree(k)
        return tree if tree.children else None

    def _layout(self, tree: IDSNode) -> list[Occ]:
        """Occurrences inside ``tree`` (its leaves and everything inside them), in the unit square."""
        out: list[Occ] = []

        def share_of(parent: IDSNode, i: int, share: float) -> float:
            if IDC[parent.label][2][i] == "removed":
                return 0.0
            return share / len(parent.children) if parent.label == "⿻" else share

        for node, _, (x0, y0, x1, y1), share in tree.visit(self.weight, 1.0, share_of):
            if node.children or share <= 0.0:
                continue
            w, h = x1 - x0, y1 - y0
            out.append((node.label, x0, y0, x1, y1, w * h * share))
            for label, a0, b0, a1, b1, rw in self.inner(node.label):
                out.append((label, x0 + a0 * w, y0 + b0 * h, x0 + a1 * w, y0 + b1 * h, rw * share * w * h * GAMMA))
        return out

    def inner(self, component: str) -> list[Occ]:
        """Occurrences inside a component (not itself), memoised; cycles stop at the repeated component."""
        got = self.rel.get(component)
        if got is not None:
            return got
        if len(component) != 1 or component in self.visiting:
            self.cycles += component in self.visiting
            return []
        tree = self._tree(component)
        if tree is None:
            self.rel[component] = []
            return []
        cycles = self.cycles
        self.visiting.add(component)
        try:
            got = self._layout(tree)
        finally:
            self.visiting.discard(component)
        if self.cycles == cycles:
            self.rel[component] = got
        return got

    def occurrences(self, char: str) -> list[Occ]:
        """Every component occurrence of ``char`` (the character itself for an atomic one)."""
        with self.lock:
            tree = self._tree(char)
            if tree is None:
                return [(char, 0.0, 0.0, 1.0, 1.0, 1.0)]
            self.visiting.add(char)
            try:
                return self._layout(tree)
            finally:
                self.visiting.discard(char)

    def df(self) -> dict[str, int]:
        """Component -> number of reference characters (URO + Ext A) containing it."""
        if self._df is None:
            key = hashlib.blake2b(f"{self.data.key}|{_unihan_key()}|{self.region}|{_PARAMS}".encode(), digest_size=10).hexdigest()

            def build() -> dict[str, Any]:
                counts: dict[str, int] = {}
                for c in default_vocabulary():
                    for label in {o[0] for o in self.occurrences(c)}:
                        counts[label] = counts.get(label, 0) + 1
                return {"n": len(default_vocabulary()), "df": counts}

            blob = cached_json("ids-sim-df", key, build)
            self._df = blob["df"]
            self.n_ref = int(blob["n"])
        return self._df

    def idf(self, label: str) -> float:
        df = self.df().get(label, 0)
        if df <= IDF_FULL_DF:
            return 1.0
        return max(IDF_MIN, math.log(self.n_ref / df) / math.log(self.n_ref / IDF_FULL_DF))


_FEATURES: dict[str | None, _Features] = {}
_LOCK = threading.Lock()


def _features(region: str | None) -> _Features:
    got = _FEATURES.get(region)
    if got is None:
        with _LOCK:
            got = _FEATURES.setdefault(region, _Features(check_region(region)))
    return got


def _unihan_key() -> str:
    from ..resources import data_path, file_digest

    return file_digest(data_path("unihan", "unihan.tsv"))


def default_vocabulary() -> str:
    """The characters of IDS.TXT in the URO and Extension A (27,584), in file order."""
    return "".join(c for c in characters() if 0x3400 <= ord(c) <= 0x4DBF or 0x4E00 <= ord(c) <= 0x9FFF)


def _soft(x: np.ndarray, centres: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Index of the lower of the two nearest centres and the weight of the upper one."""
    import numpy as np

    c = np.asarray(centres)
    lo = np.clip(np.searchsorted(c, x, side="right") - 1, 0, len(c) - 2)
    frac = np.clip((x - c[lo]) / (c[lo + 1] - c[lo]), 0.0, 1.0)
    return lo, frac


def _encode(feats: _Features, chars: Sequence[str], labels: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR rows (indptr, feature ids, values) of ``chars``; new component labels are added to ``labels``."""
    import numpy as np

    rows: list[int] = []
    lab: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    weights: list[float] = []
    idf_cache: dict[str, float] = {}
    for r, c in enumerate(chars):
        occ = feats.occurrences(c)
        for label, x0, y0, x1, y1, w in occ:
            f = idf_cache.get(label)
            if f is None:
                f = idf_cache[label] = feats.idf(label)
            rows.append(r)
            lab.append(labels.setdefault(label, len(labels)))
            boxes.append((x0, y0, x1, y1))
            weights.append(w * f)
        if not (len(occ) == 1 and occ[0][0] == c):
            rows.append(r)
            lab.append(labels.setdefault(c, len(labels)))
            boxes.append((-1.0, -1.0, -1.0, -1.0))  # marks the character's own anywhere-only feature
            weights.append(-1.0)
    n = len(chars)
    row = np.array(rows, dtype=np.int64)
    lab_a = np.array(lab, dtype=np.int64)
    box = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    w = np.array(weights, dtype=np.float64)
    own = w < 0
    total = np.bincount(row[~own], w[~own], minlength=n)
    w = np.where(own, ROOT * total[row], w)
    part = ~own
    cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    bw, bh = box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]
    xi, xf = _soft(cx, (1 / 6, 1 / 2, 5 / 6))
    yi, yf = _soft(cy, (1 / 6, 1 / 2, 5 / 6))
    wi, wf = _soft(bw, (0.4, 1.0))
    hi, hf = _soft(bh, (0.4, 1.0))
    parts_r, parts_f, parts_v = [row], [lab_a * SLOTS], [np.where(part, W_ANY * w, w)]
    for dx, fx in ((0, 1 - xf), (1, xf)):
        for dy, fy in ((0, 1 - yf), (1, yf)):
            parts_r.append(row[part])
            parts_f.append((lab_a * SLOTS + 1 + (xi + dx) * 3 + (yi + dy))[part])
            parts_v.append((W_CELL * w * fx * fy)[part])
    for dx, fx in ((0, 1 - wf), (1, wf)):
        for dy, fy in ((0, 1 - hf), (1, hf)):
            parts_r.append(row[part])
            parts_f.append((lab_a * SLOTS + 10 + (wi + dx) * 2 + (hi + dy))[part])
            parts_v.append((W_SHAPE * w * fx * fy)[part])
    r_all = np.concatenate(parts_r)
    f_all = np.concatenate(parts_f)
    v_all = np.concatenate(parts_v)
    keep = v_all > 0
    width = max(len(labels), 1) * SLOTS
    keys, inverse = np.unique(r_all[keep] * width + f_all[keep], return_inverse=True)
    vals = np.bincount(inverse, v_all[keep], minlength=len(keys))
    r_k, f_k = keys // width, keys % width
    tot = np.bincount(r_k, vals, minlength=n)
    big = vals >= PRUNE * tot[r_k]
    r_k, f_k, vals = r_k[big], f_k[big], vals[big]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r_k, minlength=n), out=indptr[1:])
    return indptr, f_k.astype(np.int64), vals.astype(np.float32)


def feature_vector(char: str, region: str | None = "G") -> dict[tuple[str, int], float]:
    """The sparse feature vector of one character: (component, slot) -> weight (see the module docstring)."""
    check_char(char)
    labels: dict[str, int] = {}
    indptr, f, v = _encode(_features(region), [char], labels)
    names = list(labels)
    return {(names[int(k) // SLOTS], int(k) % SLOTS): float(x) for k, x in zip(f.tolist(), v.tolist())}


def ids_similarity(a: str, b: str, region: str | None = "G") -> float:
    """Similarity of two characters in [0, 1] from their decompositions (weighted Jaccard index).

    >>> round(ids_similarity("辨", "辩"), 2), ids_similarity("好", "好")
    (0.62, 1.0)
    """
    if a == b:
        check_char(a)
        return 1.0
    va, vb = feature_vector(a, region), feature_vector(b, region)
    inter = sum(min(x, vb[k]) for k, x in va.items() if k in vb)
    union = sum(va.values()) + sum(vb.values()) - inter
    return float(min(1.0, inter / union)) if union > 0 else 0.0


class IDSSimilarityIndex:
    """Nearest neighbours by :func:`ids_similarity` over a vocabulary.

    >>> index = IDSSimilarityIndex("湖糊江河好妈")
    >>> [c for c, _ in index.most_similar("湖", k=2)]
    ['糊', '江']
    >>> neighbours, scores = index.top_k(k=1)
    >>> index.vocab[int(neighbours[0, 0])]
    '糊'

    ``top_k`` returns, for every vocabulary character, the ``k`` most similar
    others (indices into :attr:`vocab`, -1 where fewer exist) and their scores.
    Candidates come from the query's heavier features (all but the lightest,
    commonest 30% of its weight); a bound then decides whether a character
    sharing only light features could still enter the list, and if so the query
    is searched again more widely, so lists and scores are exact. With
    ``exact=False`` that second pass runs only for queries with fewer than
    ``k`` candidates: faster, and exact down to a score of about 0.3.
    """

    def __init__(self, vocab: Sequence[str] | str | None = None, region: str | None = "G") -> None:
        import numpy as np

        from ..resources import cached_array

        self.region = check_region(region)
        chars = default_vocabulary() if vocab is None else vocab
        seen: dict[str, None] = {}
        for c in chars:
            check_char(c)
            seen.setdefault(c, None)
        self.vocab: list[str] = list(seen)
        self.position = {c: i for i, c in enumerate(self.vocab)}
        feats = _features(self.region)
        digest = hashlib.blake2b("".join(self.vocab).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        key = hashlib.blake2b(
            f"{feats.data.key}|{_unihan_key()}|{self.region}|{_PARAMS}|{digest}".encode(), digest_size=10
        ).hexdigest()
        built: list[Any] = []

        def build() -> tuple[dict[str, Any], tuple[np.ndarray, np.ndarray, np.ndarray]]:
            if not built:
                labels: dict[str, int] = {}
                arrays = _encode(feats, self.vocab, labels)
                built.append(({"labels": list(labels)}, arrays))
            return built[0]  # type: ignore[no-any-return]

        blob = cached_json("ids-sim-labels", key, lambda: build()[0])
        self.labels: dict[str, int] = {c: i for i, c in enumerate(blob["labels"])}
        self.indptr = np.asarray(cached_array("ids-sim-indptr", key, lambda: build()[1][0]))
        self.indices = np.asarray(cached_array("ids-sim-indices", key, lambda: build()[1][1]))
        self.data = np.asarray(cached_array("ids-sim-data", key, lambda: build()[1][2]))
        n = len(self.vocab)
        if len(self.indptr) != n + 1 or self.indptr[-1] != len(self.indices) or len(self.indices) != len(self.data):
            raise ResourceError("inconsistent IDS similarity cache; delete the ids-sim-* files in the cjkglyph cache directory")
        self.n_features = len(self.labels) * SLOTS
        row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.indptr))
        self.total = np.bincount(row_of, self.data.astype(np.float64), minlength=n)
        order = np.argsort(self.indices, kind="stable")
        self.post_rows = row_of[order]
        self.post_vals = self.data[order].astype(np.float64)
        self.fptr = np.zeros(self.n_features + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self.n_features), out=self.fptr[1:])
        self.df = np.diff(self.fptr)
        self._fmap = np.full(self.n_features, -1, dtype=np.int64)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.vocab)

    def _query_rows(self, chars: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """CSR (indptr, features, values) and vocabulary rows (-1 = not in it) for query characters."""
        import numpy as np

        inside = [self.position.get(c, -1) for c in chars]
        if all(i >= 0 for i in inside):
            rows = np.array(inside, dtype=np.int64)
            lens = self.indptr[rows + 1] - self.indptr[rows]
            idx = concat_ranges(self.indptr[rows], lens)
            indptr = np.zeros(len(rows) + 1, dtype=np.int64)
            np.cumsum(lens, out=indptr[1:])
            return indptr, self.indices[idx].astype(np.int64), self.data[idx], rows
        labels = dict(self.labels)
        indptr, f, v = _encode(_features(self.region), list(chars), labels)
        return indptr, f, v, np.array(inside, dtype=np.int64)

    def _search(self, chars: Sequence[str], k: int, exact: bool = True) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        n = len(self.vocab)
        b = len(chars)
        if n == 0 or k == 0 or b == 0:
            return np.full((b, k), -1, dtype=np.int32), np.zeros((b, k), dtype=np.float32)
        qptr, qf, qv, qrow = self._query_rows(chars)
        qv = qv.astype(np.float64)
        out_i, out_s, bound = self._scan(qptr, qf, qv, qrow, k, np.full(b, EPS))
        # A character sharing only light features scores at most `bound`; when that could beat the
        # k-th result, search again with a light share below the k-th score (exact by construction).
        filled = (out_i >= 0).sum(axis=1) >= min(k, n - 1)
        kth = np.where(filled, out_s[:, -1], 0.0)
        again = (bound > kth + 1e-9) if exact else ~filled & (bound > 0)
        if again.any():
            rows = np.flatnonzero(again)
            lens = qptr[rows + 1] - qptr[rows]
            idx = concat_ranges(qptr[rows], lens)
            sub = np.zeros(len(rows) + 1, dtype=np.int64)
            np.cumsum(lens, out=sub[1:])
            i2, s2, _ = self._scan(sub, qf[idx], qv[idx], qrow[rows], k, np.maximum(kth[rows] * 0.99, 0.0))
            out_i[rows], out_s[rows] = i2, s2
        return out_i, out_s

    def _scan(
        self, qptr: np.ndarray, qf: np.ndarray, qv: np.ndarray, qrow: np.ndarray, k: int, eps: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top-k of each query; also the best score a character sharing only light features could reach."""
        import numpy as np

        n = len(self.vocab)
        b = len(qptr) - 1
        out_i = np.full((b, k), -1, dtype=np.int32)
        out_s = np.zeros((b, k), dtype=np.float32)
        qid = np.repeat(np.arange(b, dtype=np.int64), np.diff(qptr))
        tq = np.bincount(qid, qv, minlength=b)
        known = qf < self.n_features
        df = np.where(known, self.df[np.minimum(qf, self.n_features - 1)], 0)
        known &= df > 0  # features no vocabulary character has cannot match: neither heavy nor light
        # Light features: the commonest per unit of weight, up to EPS of the query's total.
        order = np.lexsort((-(df / np.maximum(qv, 1e-12)), qid))
        qid, qf, qv, df, known = qid[order], qf[order], qv[order], df[order], known[order]
        cum = np.cumsum(np.where(known, qv, 0.0))
        start = np.concatenate(([0.0], cum))[qptr[:-1]]
        light = known & ((cum - start[qid]) <= eps[qid] * tq[qid])
        wl = np.bincount(qid, np.where(light, qv, 0.0), minlength=b)
        heavy = known & ~light
        hq, hf, hv = qid[heavy], qf[heavy], qv[heavy]
        idx = concat_ranges(self.fptr[hf], self.df[hf])
        reps = self.df[hf]
        key = np.repeat(hq, reps) * n + self.post_rows[idx]
        contrib = np.minimum(np.repeat(hv, reps), self.post_vals[idx])
        flat, inverse = np.unique(key, return_inverse=True)
        inter = np.bincount(inverse, contrib, minlength=len(flat))
        pq, pb = flat // n, flat % n
        other = pb != qrow[pq]
        pq, pb, inter = pq[other], pb[other], inter[other]
        # Keep the candidates whose upper bound reaches the k-th best lower bound of their query.
        lower = inter / np.maximum(tq[pq] + self.total[pb] - inter, 1e-12)
        upper = (inter + wl[pq]) / np.maximum(tq[pq] + self.total[pb] - inter - wl[pq], 1e-12)
        order = np.lexsort((-lower, pq))
        first = np.searchsorted(pq[order], np.arange(b))
        count = np.bincount(pq, minlength=b)
        kth = first + np.minimum(k, count) - 1
        theta = np.where(count >= k, lower[order][np.maximum(kth, 0)], 0.0) if len(pq) else np.zeros(b)
        keep = upper >= theta[pq] - 1e-9
        pq, pb, inter = pq[keep], pb[keep], inter[keep]
        # Exact score of the survivors: add the light features' share.
        lq, lf, lv = qid[light], qf[light], qv[light]
        if len(lq) and len(pq):
            with self._lock:
                uniq = np.unique(lf)
                self._fmap[uniq] = np.arange(len(uniq))
                try:
                    dense = np.zeros((b, len(uniq)), dtype=np.float64)
                    dense[lq, self._fmap[lf]] = lv
                    lens = self.indptr[pb + 1] - self.indptr[pb]
                    idx = concat_ranges(self.indptr[pb], lens)
                    pair = np.repeat(np.arange(len(pq), dtype=np.int64), lens)
                    col = self._fmap[self.indices[idx]]
                    hit = col >= 0
                    add = np.minimum(dense[pq[pair[hit]], col[hit]], self.data[idx][hit])
                    inter = inter + np.bincount(pair[hit], add, minlength=len(pq))
                finally:
                    self._fmap[uniq] = -1
        sim = inter / np.maximum(tq[pq] + self.total[pb] - inter, 1e-12)
        sim = np.minimum(sim, 1.0)
        order = np.lexsort((pb, -sim, pq))
        pq, pb, sim = pq[order], pb[order], sim[order]
        first = np.searchsorted(pq, np.arange(b))
        rank = np.arange(len(pq)) - first[pq]
        sel = rank < k
        out_i[pq[sel], rank[sel]] = pb[sel]
        out_s[pq[sel], rank[sel]] = sim[sel]
        return out_i, out_s, wl / np.maximum(tq, 1e-12)

    def pairs(self, a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray, block: int = 512) -> np.ndarray:
        """:func:`ids_similarity` of many vocabulary pairs ``(vocab[a[i]], vocab[b[i]])`` as float32, vectorised.

        >>> index = IDSSimilarityIndex("湖糊江")
        >>> [round(float(s), 2) for s in index.pairs([0, 0, 1], [1, 2, 1])]
        [0.41, 0.11, 1.0]
        """
        import numpy as np

        ra = np.asarray(a, dtype=np.int64).reshape(-1)
        rb = np.asarray(b, dtype=np.int64).reshape(-1)
        n = len(self.vocab)
        if len(ra) != len(rb):
            raise InputError(f"pairs: {len(ra)} left rows but {len(rb)} right rows")
        if len(ra) and (min(ra.min(), rb.min()) < 0 or max(ra.max(), rb.max()) >= n):
            raise InputError(f"pairs: rows must lie in 0..{n - 1}")
        out = np.zeros(len(ra), dtype=np.float32)
        order = np.argsort(ra, kind="stable")
        heads, first = np.unique(ra[order], return_index=True)
        bounds = np.append(first, len(order))
        fmap = np.full(self.n_features, -1, dtype=np.int64)
        for s in range(0, len(heads), block):
            rows = heads[s : s + block]
            sel = order[bounds[s] : bounds[min(s + block, len(heads))]]
            lens = self.indptr[rows + 1] - self.indptr[rows]
            idx = concat_ranges(self.indptr[rows], lens)
            feats = self.indices[idx]
            uniq = np.unique(feats)
            fmap[uniq] = np.arange(len(uniq))
            dense = np.zeros((len(rows), len(uniq)), dtype=np.float64)
            dense[np.repeat(np.arange(len(rows)), lens), fmap[feats]] = self.data[idx]
            local = np.searchsorted(rows, ra[sel])
            other = rb[sel]
            blens = self.indptr[other + 1] - self.indptr[other]
            bidx = concat_ranges(self.indptr[other], blens)
            pair = np.repeat(np.arange(len(sel)), blens)
            col = fmap[self.indices[bidx]]
            hit = col >= 0
            inter = np.bincount(pair[hit], np.minimum(dense[local[pair[hit]], col[hit]], self.data[bidx][hit]), minlength=len(sel))
            union = self.total[ra[sel]] + self.total[other] - inter
            out[sel] = np.minimum(1.0, inter / np.maximum(union, 1e-12))
            fmap[uniq] = -1
        return out

    def most_similar(self, char: str, k: int = 10, exact: bool = True) -> list[tuple[str, float]]:
        """The ``k`` vocabulary characters most similar to ``char`` (which need not be in the vocabulary)."""
        check_char(char)
        if k < 0:
            raise InputError(f"k must be non-negative, got {k}")
        idx, sim = self._search([char], k, exact)
        return [(self.vocab[int(i)], round(float(s), 6)) for i, s in zip(idx[0], sim[0]) if i >= 0]

    def top_k(
        self, k: int = 10, chars: Sequence[str] | None = None, *, exact: bool = True, batch: int = 256
    ) -> tuple[np.ndarray, np.ndarray]:
        """Neighbours of many characters at once: (indices into vocab (n, k) int32, scores (n, k) float32).

        ``chars`` defaults to the whole vocabulary (each character excluded from its own list).
        ``exact=False`` skips the second pass that guarantees the lists (see the class docstring).
        """
        import numpy as np

        if k < 0:
            raise InputError(f"k must be non-negative, got {k}")
        queries = self.vocab if chars is None else list(chars)
        parts_i, parts_s = [], []
        for s in range(0, len(queries), batch):
            i, sc = self._search(queries[s : s + batch], k, exact)
            parts_i.append(i)
            parts_s.append(sc)
        if not parts_i:
            return np.zeros((0, k), dtype=np.int32), np.zeros((0, k), dtype=np.float32)
        return np.concatenate(parts_i), np.concatenate(parts_s)


_DEFAULT: dict[str | None, IDSSimilarityIndex] = {}


def most_similar(char: str, k: int = 10, vocab: Sequence[str] | str | None = None, region: str | None = "G") -> list[tuple[str, float]]:
    """The ``k`` characters of ``vocab`` (default: URO + Ext A) most similar to ``char``, best first.

    >>> [c for c, _ in most_similar("辨", k=3, vocab="辩辫瓣好")]
    ['辩', '辫', '瓣']
    """
    if vocab is not None:
        return IDSSimilarityIndex(vocab, region).most_similar(char, k)
    index = _DEFAULT.get(region)
    if index is None:
        index = _DEFAULT[region] = IDSSimilarityIndex(None, region)
    return index.most_similar(char, k)


# --------------------------------------------------------------------------- tree edit distance


def _postorder(tree: IDSNode) -> tuple[list[str], list[int]]:
    """Labels in postorder and the leftmost leaf descendant of each node."""
    labels: list[str] = []
    leftmost: list[int] = []

    def visit(node: IDSNode) -> int:
        first = -1
        for child in node.children:
            lm = visit(child)
            if first < 0:
                first = lm
        labels.append(node.label)
        leftmost.append(first if first >= 0 else len(labels) - 1)
        return leftmost[-1]

    visit(tree)
    return labels, leftmost


def _ted(ta: IDSNode, tb: IDSNode) -> int:
    la, lma = _postorder(ta)
    lb, lmb = _postorder(tb)
    keys_a = [i for i in range(len(la)) if all(lma[j] != lma[i] for j in range(i + 1, len(la)))]
    keys_b = [j for j in range(len(lb)) if all(lmb[m] != lmb[j] for m in range(j + 1, len(lb)))]
    dist = [[0] * len(lb) for _ in range(len(la))]
    for i in keys_a:
        for j in keys_b:
            i0, j0 = lma[i], lmb[j]
            rows, cols = i - i0 + 2, j - j0 + 2
            fd = [[0] * cols for _ in range(rows)]
            for x in range(1, rows):
                fd[x][0] = fd[x - 1][0] + 1
            for y in range(1, cols):
                fd[0][y] = fd[0][y - 1] + 1
            for x in range(1, rows):
                for y in range(1, cols):
                    ia, jb = i0 + x - 1, j0 + y - 1
                    if lma[ia] == i0 and lmb[jb] == j0:
                        fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[x - 1][y - 1] + (la[ia] != lb[jb]))
                        dist[ia][jb] = fd[x][y]
                    else:
                        fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[lma[ia] - i0][lmb[jb] - j0] + dist[ia][jb])
    return dist[len(la) - 1][len(lb) - 1]


def tree_distance(a: str | IDSNode, b: str | IDSNode, depth: int | None = 1, region: str | None = "G") -> int:
    """Unit-cost tree edit distance (Zhang-Shasha) between two IDS trees.

    ``a`` and ``b`` are characters (decomposed to ``depth``), IDS strings or
    trees; inserting, deleting or relabelling a node (operator or component)
    costs 1.
    """
    return _ted(decompose(a, depth, region), decompose(b, depth, region))


def tree_similarity(a: str | IDSNode, b: str | IDSNode, depth: int | None = 1, region: str | None = "G") -> float:
    """``1 - tree_distance / size of the larger tree``, in [0, 1].

    >>> tree_similarity("好", "妈")
    0.6666666666666667
    """
    ta = decompose(a, depth, region)
    tb = decompose(b, depth, region)
    return 1.0 - _ted(ta, tb) / max(ta.size(), tb.size())
