"""Candidates and pair features for the character similarity graph (:mod:`cjkglyph.graph.similarity`).

For a vocabulary (default: Extension A + URO, 27,584 characters) this module
gathers, once, every per-character input the graph needs from the feature
modules: readings (:func:`cjkglyph.pinyin.heteronyms`, all of them, most likely
first), a unigram frequency prior (character counts summed over jieba's word
dictionary), IDS vectors (:mod:`cjkglyph.ids.compare`), glyph embeddings
and blurred images (:mod:`cjkglyph.glyph.similarity`,
:mod:`cjkglyph.glyph.encoder`), strokes, radicals and four-corner codes
(:mod:`cjkglyph.unihan`). It then

- proposes candidate pairs (wrong -> candidate): characters that share or
  nearly share a reading (syllable pools whose sizes follow a pinyin channel
  model learned from real errors), the nearest glyph embeddings and the same
  four-corner code;
- describes each pair by the feature row :data:`FEATURES` that the learned
  ranker scores.

>>> import numpy as np
>>> from cjkglyph.pinyin.channel import Channel
>>> from cjkglyph.graph.features import FEATURES, FeatureContext
>>> ctx = FeatureContext("在再己已门们")                                      # doctest: +SKIP
>>> ctx.pair_features(np.array([0]), np.array([1]), Channel.default()).shape  # doctest: +SKIP
(1, 31)
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..chars import is_han
from .._arrays import concat_ranges
from ..errors import InputError, ResourceError
from ..pinyin.channel import Channel, pinyin_parts, syllable_parts

if TYPE_CHECKING:
    from ..ids.compare import IDSSimilarityIndex

__all__ = [
    "FEATURES",
    "GEN_FOURCORNER",
    "GEN_OBSERVED",
    "GEN_PHONETIC",
    "GEN_VISUAL",
    "FeatureContext",
    "ObservedPairs",
    "char_counts",
    "context_key",
    "default_vocab",
]

#: Readings per character taken into account (most likely first).
N_READ = 4
#: Bits of the generator mask of a candidate pair.
GEN_PHONETIC, GEN_VISUAL, GEN_FOURCORNER, GEN_OBSERVED = 1, 2, 4, 8

#: Names of the pair feature columns, in order (the ranker's input).
FEATURES: tuple[str, ...] = (
    "ph_max",  # best pinyin channel log-prob over all reading pairs
    "ph_00",  # ... of the two most likely readings
    "ph_w0",  # ... with the wrong character's most likely reading
    "ph_c0",  # ... with the candidate's most likely reading
    "ph_rank_w",  # reading rank (0 = most likely) of the wrong character in the best pair
    "ph_rank_c",
    "same_tone3",  # some reading identical
    "same_tone3_00",
    "same_toneless",  # some reading identical up to tone
    "n_read_w",
    "n_read_c",
    # the columns above are the phonetic ones (see _PHONETIC)
    "ids_sim",  # weighted Jaccard of IDS component vectors
    "emb_cos",  # cosine of learned glyph embeddings
    "gray_cos",  # cosine of blurred glyph images over the fonts
    "emb_rank",  # log(1 + rank of the candidate among the wrong character's nearest glyphs)
    "stroke_diff",  # |strokes difference| (capped)
    "fc_agree",  # agreeing four-corner digits (0-4)
    "fc_known",
    "same_radical",
    "logf_c",  # log(1 + count) of the candidate in jieba's dictionary
    "logf_w",
    "logf_diff",
    "gen_phonetic",
    "gen_visual",
    "gen_fourcorner",
    "gen_observed",
    "ext_a_c",
    "obs_fwd",  # log(1 + times wrong -> candidate was seen in real errors)
    "obs_rev",  # log(1 + times candidate -> wrong was seen)
)

_PHONETIC = FEATURES[: FEATURES.index("ids_sim")]
_JIEBA_DICT = ("jieba", "dict.txt")


def default_vocab() -> str:
    """Extension A then the URO (code point order): the vocabulary of the shipped graph, 27,584 characters."""
    from ..chars import iter_block

    return "".join(iter_block("ext-a")) + "".join(iter_block("uro"))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


# --------------------------------------------------------------------------- per-character inputs

_LOCK = threading.Lock()
_COUNTS: dict[str, dict[str, int]] = {}


def _jieba_dict() -> Path:
    """jieba's main dictionary file (word, frequency, tag per line)."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise ResourceError("jieba is not installed; the similarity graph needs its dictionary (pip install jieba)")
    path = Path(spec.origin).parent.joinpath(*_JIEBA_DICT[1:])
    if not path.is_file():
        raise ResourceError(f"missing {path}; reinstall jieba")
    return path


def _jieba_counts() -> dict[str, int]:
    """Character -> summed frequency of the words of jieba's dictionary that contain it."""
    from ..resources import file_digest

    path = _jieba_dict()
    key = file_digest(path)
    with _LOCK:
        got = _COUNTS.get(key)
    if got is None:
        counts: dict[str, int] = {}
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.split(" ")
                    if len(parts) < 2:
                        continue
                    try:
                        n = int(parts[1])
                    except ValueError:
                        continue
                    for ch in parts[0]:
                        counts[ch] = counts.get(ch, 0) + n
        except OSError as e:
            raise ResourceError(f"cannot read {path}: {e.strerror or e}; reinstall jieba") from None
        with _LOCK:
            got = _COUNTS.setdefault(key, counts)
    return got


def char_counts(chars: str | Sequence[str]) -> np.ndarray:
    """Unigram prior: summed word frequencies in jieba's dictionary for each character (float64, 0 = unseen).

    >>> c = char_counts("的龘")
    >>> bool(c[0] > 1000 > c[1])
    True
    """
    counts = _jieba_counts()
    return np.array([counts.get(c, 0) for c in chars], dtype=np.float64)


def _readings(vocab: str) -> tuple[list[str], np.ndarray]:
    """(syllable inventory sorted, (n, N_READ) int32 syllable ids, -1 = none)."""
    from ..pinyin import heteronyms

    per_char = [heteronyms(c)[:N_READ] if is_han(c) else [] for c in vocab]
    inventory = sorted({s for r in per_char for s in r})
    pos = {s: k for k, s in enumerate(inventory)}
    table = np.full((len(vocab), N_READ), -1, dtype=np.int32)
    for i, r in enumerate(per_char):
        for k, s in enumerate(r):
            table[i, k] = pos[s]
    return inventory, table


@dataclass
class ObservedPairs:
    """Counts of (wrong, right) pairs seen in real errors, as vocabulary indices (``n`` = vocabulary size)."""

    keys: np.ndarray  # sorted int64 wrong * n + right
    counts: np.ndarray  # float64
    n: int

    @classmethod
    def from_pairs(cls, w: np.ndarray, r: np.ndarray, n: int) -> ObservedPairs:
        keys, counts = np.unique(np.asarray(w, dtype=np.int64) * n + np.asarray(r, dtype=np.int64), return_counts=True)
        return cls(keys, counts.astype(np.float64), n)

    @classmethod
    def from_counts(cls, w: np.ndarray, r: np.ndarray, counts: np.ndarray, n: int) -> ObservedPairs:
        """Like :meth:`from_pairs` for pairs given once each with their count (duplicates add up)."""
        keys, inv = np.unique(np.asarray(w, dtype=np.int64) * n + np.asarray(r, dtype=np.int64), return_inverse=True)
        total = np.zeros(len(keys))
        np.add.at(total, inv.reshape(-1), np.asarray(counts, dtype=np.float64))
        return cls(keys, total, n)

    def count(self, w: np.ndarray, c: np.ndarray) -> np.ndarray:
        q = np.asarray(w, dtype=np.int64) * self.n + np.asarray(c, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, q), max(len(self.keys) - 1, 0))
        if not len(self.keys):
            return np.zeros(len(q))
        return np.where(self.keys[pos] == q, self.counts[pos], 0.0)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        return self.keys // self.n, self.keys % self.n


class FeatureContext:
    """Everything the graph needs about one vocabulary, gathered once (see the module docstring).

    Per-character arrays are aligned with :attr:`vocab`; non-Han characters get
    empty readings, zero vectors and never become candidates.
    """

    def __init__(self, vocab: str | Sequence[str] | None = None) -> None:
        chars = default_vocab() if vocab is None else "".join(dict.fromkeys(vocab))
        for c in chars:
            if len(c) != 1:
                raise InputError(f"vocabulary entries must be single characters, got {c!r:.20}")
        self.vocab: str = chars
        self.is_default = vocab is None or chars == default_vocab()
        self.n = len(chars)
        self.index: dict[str, int] = {c: i for i, c in enumerate(chars)}
        self.han = np.array([is_han(c) for c in chars], dtype=bool)
        cps = np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        self.ext_a = (cps >= 0x3400) & (cps <= 0x4DBF)

    def prepare(self, channel: Channel, params: dict[str, Any]) -> None:
        """Compute every lazy table now (before several threads use the context)."""
        _ = (self.readings, self.logf, self.unihan, self.ids, self.emb, self._reading_set_ids, self._fourcorner_groups)
        self._pools(channel, params)
        self._syllable_matrix(channel)
        if int(params.get("ids_k", 0)) > 0:
            self.ids_neighbours(np.zeros(0, dtype=np.int64), 1, int(params.get("target_n", 8000)))

    # ---- cheap tables
    @cached_property
    def readings(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(inventory, (n, N_READ) syllable ids, (S, 3) syllable parts)."""
        inventory, table = _readings(self.vocab)
        return inventory, table, syllable_parts(inventory)

    @cached_property
    def logf(self) -> np.ndarray:
        return np.log1p(char_counts(self.vocab)).astype(np.float32)

    @cached_property
    def unihan(self) -> dict[str, np.ndarray]:
        from ..unihan import lookup

        return lookup(self.vocab)

    # ---- IDS
    @cached_property
    def ids(self) -> tuple[IDSSimilarityIndex, np.ndarray]:
        """(index, row of each vocabulary character in it, -1 = none)."""
        from ..ids import has_ids
        from ..ids.compare import IDSSimilarityIndex, default_vocabulary

        if self.is_default:
            index = IDSSimilarityIndex(default_vocabulary())
        else:
            index = IDSSimilarityIndex([c for c, h in zip(self.vocab, self.han.tolist()) if h and has_ids(c)])
        rows = np.array([index.position.get(c, -1) for c in self.vocab], dtype=np.int64)
        return index, rows

    # ---- glyphs
    @cached_property
    def emb(self) -> np.ndarray:
        """Glyph-encoder embeddings (n, D) float32, unit rows; zero rows = no glyph or not Han."""
        return self._glyph_rows("emb")

    @cached_property
    def gray(self) -> np.ndarray:
        """Blurred glyph images over the fonts (n, G) float16, unit rows (:mod:`cjkglyph.glyph.similarity`'s ``gray``)."""
        return self._glyph_rows("gray")

    def _glyph_rows(self, what: str) -> np.ndarray:
        han = np.flatnonzero(self.han)
        if not len(han):
            return np.zeros((self.n, 1), dtype=np.float32 if what == "emb" else np.float16)
        if self.is_default:
            return np.concatenate([_block_glyphs(b, what) for b in ("ext-a", "uro")])
        rows = _table_glyphs("".join(self.vocab[i] for i in han.tolist()), what)
        out = np.zeros((self.n, rows.shape[1]), dtype=rows.dtype)
        out[han] = rows
        return out

    def targets(self, n: int) -> np.ndarray:
        """Mask of the ``n`` most frequent Han characters: where corrections are looked for by shape."""
        mask = np.zeros(self.n, dtype=bool)
        order = np.argsort(-np.where(self.han, self.logf, -1.0), kind="stable")[: min(n, int(self.han.sum()))]
        mask[order] = True
        return mask

    def visual_neighbours(self, rows: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Nearest glyph embeddings: (len(rows), k) vocabulary indices (-1 = none), self and blanks excluded."""
        from ..glyph.similarity import topk

        emb = self.emb
        ok = self.han & (np.abs(emb).sum(axis=1) > 0)
        if allowed is not None:
            ok &= allowed
        idx, _ = topk(emb[rows], emb, k, allowed=ok, exclude=rows.astype(np.int64), block=512)
        return idx

    def ids_neighbours(self, rows: np.ndarray, k: int, target_n: int) -> np.ndarray:
        """Most IDS-similar characters among the ``target_n`` most frequent: (len(rows), k) indices, -1 = none."""
        from ..ids import has_ids
        from ..ids.compare import IDSSimilarityIndex

        cache = self.__dict__.setdefault("_ids_targets", {})
        if target_n not in cache:
            tgt = np.flatnonzero(self.targets(target_n))
            keep = [int(i) for i in tgt if has_ids(self.vocab[i])]
            cache[target_n] = (IDSSimilarityIndex("".join(self.vocab[i] for i in keep)), np.array(keep, dtype=np.int64))
        index, back = cache[target_n]
        queries = [self.vocab[i] for i in rows.tolist()]
        usable = np.array([has_ids(q) for q in queries], dtype=bool)
        out = np.full((len(rows), k), -1, dtype=np.int64)
        if usable.any() and len(back):
            nb, _ = index.top_k(k + 1, [q for q, u in zip(queries, usable.tolist()) if u], exact=False)
            mapped = np.where(nb >= 0, back[np.maximum(nb, 0)], -1)
            mapped[mapped == rows[usable][:, None]] = -1  # a query never neighbours itself
            # drop the self slot (or the last one) to keep k columns, best first
            order = np.argsort(mapped < 0, axis=1, kind="stable")
            out[usable] = np.take_along_axis(mapped, order, axis=1)[:, :k]
        return out

    # ---- candidates
    def syllable_pools(self, channel: Channel, quota: float, beta: float, gamma: float, qmin: int) -> list[list[np.ndarray]]:
        """pools[s][r]: candidates (vocabulary indices, best first) for a wrong character whose reading of rank r is s.

        From every syllable s' the pool takes the most frequent characters reading
        s' (a reading of rank k counts as ``k`` orders of magnitude rarer), as many
        as ``quota * exp(beta * (score(s, s') - score(s, s)) - gamma * r)``, at least ``qmin``.
        """
        inventory, table, parts = self.readings
        S = len(inventory)
        m = channel.syllable_matrix(parts)
        self_score = np.diag(m)
        # members of each syllable, most frequent first
        rows, ranks = np.nonzero(table >= 0)
        syl = table[rows, ranks]
        key = self.logf[rows] - np.float32(math.log(10.0)) * ranks
        order = np.lexsort((-key, syl))
        syl_sorted, members = syl[order], rows[order]
        start = np.searchsorted(syl_sorted, np.arange(S + 1))
        pools: list[list[np.ndarray]] = []
        for s in range(S):
            rel = m[s] - self_score[s]
            per_rank = []
            for r in range(N_READ):
                q = np.floor(quota * np.exp(beta * rel - gamma * r))
                targets = np.flatnonzero(q >= qmin)
                lens = np.minimum(q[targets].astype(np.int64), start[targets + 1] - start[targets])
                idx = members[concat_ranges(start[targets], lens)]
                per_rank.append(np.unique(idx).astype(np.int64))
            pools.append(per_rank)
        return pools

    def candidates(
        self,
        wrong: np.ndarray,
        channel: Channel,
        params: dict[str, Any],
        observed: ObservedPairs | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Candidate pairs for the wrong characters ``wrong`` (vocabulary indices).

        Returns (w, c, generator bitmask, rank among the nearest glyphs or ``visual_k``),
        sorted by w then c, without self pairs.
        """
        _, table, _ = self.readings
        pools = self._pools(channel, params)
        ws: list[np.ndarray] = []
        cs: list[np.ndarray] = []
        gs: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        kv = int(params.get("visual_k", 40))
        # phonetic: the pools of every reading
        sub = table[wrong]
        rr, kk = np.nonzero(sub >= 0)
        pool_lists = [pools[s][k] for s, k in zip(sub[rr, kk].tolist(), kk.tolist())]
        if pool_lists:
            lens = np.array([len(p) for p in pool_lists], dtype=np.int64)
            ws.append(np.repeat(wrong[rr], lens))
            cs.append(np.concatenate(pool_lists))
            gs.append(np.full(int(lens.sum()), GEN_PHONETIC, dtype=np.uint8))
            vs.append(np.full(int(lens.sum()), kv, dtype=np.int32))
        # visual: nearest glyph embeddings (among all characters and among the frequent ones), nearest IDS
        target_n = int(params.get("target_n", 8000))
        visual: list[np.ndarray] = []
        if kv > 0 and len(wrong):
            visual.append(self.visual_neighbours(wrong, kv))
        kt = int(params.get("visual_target_k", 30))
        if kt > 0 and len(wrong):
            visual.append(self.visual_neighbours(wrong, kt, self.targets(target_n)))
        ki = int(params.get("ids_k", 20))
        if ki > 0 and len(wrong):
            visual.append(self.ids_neighbours(wrong, ki, target_n))
        for nb in visual:
            ok = nb >= 0
            ws.append(np.repeat(wrong, ok.sum(axis=1)))
            cs.append(nb[ok].astype(np.int64))
            gs.append(np.full(int(ok.sum()), GEN_VISUAL, dtype=np.uint8))
            vs.append(np.nonzero(ok)[1].astype(np.int32))
        # pairs observed in real errors
        if observed is not None and len(observed.keys):
            ow, oc = observed.pairs()
            sel = np.isin(ow, wrong)
            ws.append(ow[sel])
            cs.append(oc[sel])
            gs.append(np.full(int(sel.sum()), GEN_OBSERVED, dtype=np.uint8))
            vs.append(np.full(int(sel.sum()), kv, dtype=np.int32))
        # same four-corner code, most frequent first
        kf = int(params.get("fourcorner_k", 10))
        if kf > 0:
            w2, c2 = self._fourcorner_pairs(wrong, kf)
            ws.append(w2)
            cs.append(c2)
            gs.append(np.full(len(w2), GEN_FOURCORNER, dtype=np.uint8))
            vs.append(np.full(len(w2), kv, dtype=np.int32))
        if not ws:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int32)
        w = np.concatenate(ws).astype(np.int64)
        c = np.concatenate(cs).astype(np.int64)
        g = np.concatenate(gs)
        v = np.concatenate(vs)
        keep = (w != c) & self.han[c]
        w, c, g, v = w[keep], c[keep], g[keep], v[keep]
        key = w * self.n + c
        uniq, inv = np.unique(key, return_inverse=True)
        mask = np.zeros(len(uniq), dtype=np.uint8)
        np.bitwise_or.at(mask, inv, g)
        vrank = np.full(len(uniq), kv, dtype=np.int32)
        np.minimum.at(vrank, inv, v)
        return uniq // self.n, uniq % self.n, mask, vrank

    _pool_cache: dict[str, list[list[np.ndarray]]]

    def _pools(self, channel: Channel, params: dict[str, Any]) -> list[list[np.ndarray]]:
        key = repr((id(channel), sorted(params.items())))
        cache = self.__dict__.setdefault("_pool_cache", {})
        if key not in cache:
            cache.clear()
            cache[key] = self.syllable_pools(
                channel,
                float(params.get("quota", 60)),
                float(params.get("beta", 1.0)),
                float(params.get("gamma", 0.7)),
                int(params.get("qmin", 2)),
            )
        return cache[key]

    @cached_property
    def _fourcorner_groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fc = self.unihan["four_corner"][:, :4].astype(np.int64)
        code = np.where((fc >= 0).all(axis=1), fc @ np.array([1000, 100, 10, 1]), -1)
        code[~self.han] = -1
        order = np.lexsort((-self.logf, code))
        sorted_code = code[order]
        return code, order, sorted_code

    def _fourcorner_pairs(self, wrong: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        code, order, sorted_code = self._fourcorner_groups
        wc = code[wrong]
        lo = np.searchsorted(sorted_code, wc, "left")
        hi = np.searchsorted(sorted_code, wc, "right")
        lens = np.where(wc >= 0, np.minimum(hi - lo, k + 1), 0)
        return np.repeat(wrong, lens), order[concat_ranges(lo, lens)]

    # ---- features
    def pair_features(
        self,
        w: np.ndarray,
        c: np.ndarray,
        channel: Channel,
        gen: np.ndarray | None = None,
        emb_rank: np.ndarray | None = None,
        observed: ObservedPairs | None = None,
        need: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Feature rows (len(w), len(FEATURES)) float32 for pairs wrong ``w[i]`` -> candidate ``c[i]``.

        ``need`` names the columns to compute (default: all); the others stay 0.
        """
        n = len(w)
        out = np.zeros((n, len(FEATURES)), dtype=np.float32)
        if n == 0:
            return out
        col = {name: k for k, name in enumerate(FEATURES)}
        # phonetic columns depend on the two reading sets only: compute them once per distinct combination
        rid = self._reading_set_ids
        nsets = int(rid.max()) + 1 if len(rid) else 1
        combo, inv = np.unique(rid[w] * nsets + rid[c], return_inverse=True)
        reps_w = self._reading_set_rep[combo // nsets]
        reps_c = self._reading_set_rep[combo % nsets]
        out[:, : len(_PHONETIC)] = self._phonetic(reps_w, reps_c, channel)[inv.reshape(-1)]
        out[:, col["ids_sim"]] = self.ids_similarity(w, c)
        out[:, col["emb_cos"]] = np.einsum("ij,ij->i", self.emb[w], self.emb[c])
        if need is None or "gray_cos" in need:
            out[:, col["gray_cos"]] = _rowdot(self.gray, w, c)
        if emb_rank is not None:
            out[:, col["emb_rank"]] = np.log1p(emb_rank)
        st = self.unihan["strokes"]
        known = (st[w] > 0) & (st[c] > 0)
        out[:, col["stroke_diff"]] = np.where(known, np.minimum(np.abs(st[w] - st[c]), 10), 5)
        fc = self.unihan["four_corner"]
        fw, fcc = fc[w, :4], fc[c, :4]
        fk = (fw >= 0).all(axis=1) & (fcc >= 0).all(axis=1)
        out[:, col["fc_agree"]] = np.where(fk, (fw == fcc).sum(axis=1), 0)
        out[:, col["fc_known"]] = fk
        rad = self.unihan["radical"]
        out[:, col["same_radical"]] = (rad[w] == rad[c]) & (rad[w] > 0)
        out[:, col["logf_c"]] = self.logf[c]
        out[:, col["logf_w"]] = self.logf[w]
        out[:, col["logf_diff"]] = self.logf[c] - self.logf[w]
        if gen is not None:
            out[:, col["gen_phonetic"]] = (gen & GEN_PHONETIC) > 0
            out[:, col["gen_visual"]] = (gen & GEN_VISUAL) > 0
            out[:, col["gen_fourcorner"]] = (gen & GEN_FOURCORNER) > 0
            out[:, col["gen_observed"]] = (gen & GEN_OBSERVED) > 0
        if observed is not None:
            out[:, col["obs_fwd"]] = np.log1p(observed.count(w, c))
            out[:, col["obs_rev"]] = np.log1p(observed.count(c, w))
        out[:, col["ext_a_c"]] = self.ext_a[c]
        return out

    @cached_property
    def _reading_set_ids(self) -> np.ndarray:
        table = self.readings[1]
        _, first, inv = np.unique(table, axis=0, return_index=True, return_inverse=True)
        self._reading_set_rep = first.astype(np.int64)
        return inv.reshape(-1).astype(np.int64)

    _reading_set_rep: np.ndarray

    def _phonetic(self, w: np.ndarray, c: np.ndarray, channel: Channel) -> np.ndarray:
        """The phonetic columns (the first ``len(_PHONETIC)`` of :data:`FEATURES`) for pairs."""
        n = len(w)
        out = np.zeros((n, len(_PHONETIC)), dtype=np.float32)
        col = {name: k for k, name in enumerate(_PHONETIC)}
        _, table, parts = self.readings
        sm = self._syllable_matrix(channel)
        sw, sc = table[w], table[c]
        valid = (sw[:, :, None] >= 0) & (sc[:, None, :] >= 0)
        score = np.where(valid, sm[np.maximum(sw, 0)[:, :, None], np.maximum(sc, 0)[:, None, :]], -30.0)
        flat = score.reshape(n, -1)
        best = flat.argmax(axis=1)
        out[:, col["ph_max"]] = flat[np.arange(n), best]
        out[:, col["ph_00"]] = score[:, 0, 0]
        out[:, col["ph_w0"]] = score[:, 0, :].max(axis=1)
        out[:, col["ph_c0"]] = score[:, :, 0].max(axis=1)
        out[:, col["ph_rank_w"]] = best // N_READ
        out[:, col["ph_rank_c"]] = best % N_READ
        same = valid & (sw[:, :, None] == sc[:, None, :])
        out[:, col["same_tone3"]] = same.any(axis=(1, 2))
        out[:, col["same_tone3_00"]] = same[:, 0, 0]
        toneless = (parts[:, 0] * 1000 + parts[:, 1]).astype(np.int64)
        tw, tc = toneless[np.maximum(sw, 0)], toneless[np.maximum(sc, 0)]
        out[:, col["same_toneless"]] = (valid & (tw[:, :, None] == tc[:, None, :])).any(axis=(1, 2))
        out[:, col["n_read_w"]] = (sw >= 0).sum(axis=1)
        out[:, col["n_read_c"]] = (sc >= 0).sum(axis=1)
        return out

    def fit_channel(self, w: np.ndarray, r: np.ndarray, kappa: float = 20.0) -> Channel:
        """Channel counted from error pairs (wrong ``w[i]`` -> right ``r[i]``).

        Each pair contributes the reading pair with the fewest differing parts
        (initial, final, tone), the most likely readings breaking ties.
        """
        ini, fin = pinyin_parts()
        _, table, parts = self.readings
        sw, sr = table[w], table[r]
        valid = (sw[:, :, None] >= 0) & (sr[:, None, :] >= 0)
        pw, pr = parts[np.maximum(sw, 0)], parts[np.maximum(sr, 0)]  # (n, R, 3)
        diff = (pw[:, :, None, :] != pr[:, None, :, :]).sum(axis=3)
        rank = np.arange(N_READ)[:, None] + np.arange(N_READ)[None, :]
        cost = np.where(valid, diff * 10 + rank[None], 10**6).reshape(len(w), -1)
        best = cost.argmin(axis=1)
        ok = cost[np.arange(len(w)), best] < 10**6
        a, b = best // N_READ, best % N_READ
        x, y = pw[np.arange(len(w)), a][ok], pr[np.arange(len(w)), b][ok]
        counts = []
        for k, size in ((0, len(ini)), (1, len(fin)), (2, 6)):
            m = np.zeros((size, size))
            np.add.at(m, (x[:, k], y[:, k]), 1.0)
            counts.append(m + 0.5 * m.T)  # confusions go both ways; the observed direction counts more
        return Channel.from_counts(counts[0], counts[1], counts[2], kappa=kappa)

    _sm_cache: tuple[int, np.ndarray] | None = None

    def _syllable_matrix(self, channel: Channel) -> np.ndarray:
        if self._sm_cache is None or self._sm_cache[0] != id(channel):
            self._sm_cache = (id(channel), channel.syllable_matrix(self.readings[2]))
        return self._sm_cache[1]

    def ids_similarity(self, w: np.ndarray, c: np.ndarray, block: int = 256) -> np.ndarray:
        """Weighted Jaccard of the IDS vectors (as :func:`cjkglyph.ids.compare.ids_similarity`) for pairs.

        Computed in bulk from the index's sparse vectors (the index offers
        neighbour search, not arbitrary pairs); 0 where a character has no IDS.
        """
        index, rows = self.ids
        ra, rb = rows[w], rows[c]
        out = np.zeros(len(w), dtype=np.float32)
        ok = np.flatnonzero((ra >= 0) & (rb >= 0))
        if not len(ok):
            return out
        order = ok[np.argsort(ra[ok], kind="stable")]
        ua, first = np.unique(ra[order], return_index=True)
        bounds = [*first.tolist(), len(order)]
        fmap = np.full(index.n_features, -1, dtype=np.int64)
        indptr, indices, data, total = index.indptr, index.indices, index.data, index.total
        for s in range(0, len(ua), block):
            sel = order[bounds[s] : bounds[min(s + block, len(ua))]]
            arow = ua[s : s + block]
            local = np.searchsorted(arow, ra[sel])
            lens = indptr[arow + 1] - indptr[arow]
            aidx = concat_ranges(indptr[arow], lens)
            feats = indices[aidx].astype(np.int64)
            uniq = np.unique(feats)
            fmap[uniq] = np.arange(len(uniq))
            dense = np.zeros((len(arow), len(uniq)), dtype=np.float32)
            dense[np.repeat(np.arange(len(arow)), lens), fmap[feats]] = data[aidx]
            b = rb[sel]
            blens = indptr[b + 1] - indptr[b]
            bidx = concat_ranges(indptr[b], blens)
            pair = np.repeat(np.arange(len(sel)), blens)
            colm = fmap[indices[bidx]]
            hit = colm >= 0
            add = np.minimum(dense[local[pair[hit]], colm[hit]], data[bidx][hit])
            inter = np.bincount(pair[hit], add, minlength=len(sel))
            union = total[ra[sel]] + total[b] - inter
            out[sel] = np.minimum(1.0, inter / np.maximum(union, 1e-12))
            fmap[uniq] = -1
        return out


def _rowdot(x: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 1 << 17) -> np.ndarray:
    """``sum(x[a] * x[b], axis=1)`` in float32, chunked to bound memory."""
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        xa = x[a[s : s + chunk]].astype(np.float32)
        xb = x[b[s : s + chunk]].astype(np.float32)
        out[s : s + chunk] = np.einsum("ij,ij->i", xa, xb)
    return out


# --------------------------------------------------------------------------- glyph adapters


def _embed_table(table: Any, chars: str) -> np.ndarray:
    """Glyph-encoder embeddings of ``chars`` drawn from ``table`` (the encoder's own helper reads the URO table only)."""
    from ..glyph.encoder import combine, embed_images, load_runtime

    model = load_runtime()
    images = table.lookup(chars)
    blank = images.reshape(*images.shape[:2], -1).max(axis=2) == 0
    return combine(embed_images(model, images), blank)


def _encoder_setup() -> tuple[tuple[str, ...], int, str]:
    import json

    from ..glyph.encoder import load_runtime, weights_path
    from ..resources import file_digest

    model = load_runtime()
    fonts = tuple(json.loads(model.meta.get("fonts", '["song", "hei", "kai"]')))
    return fonts, int(model.config["size"]), file_digest(weights_path())  # type: ignore[index]


def _gray(table: Any, chars: str) -> np.ndarray:
    from ..glyph.similarity import features

    parts = [features(chars[i : i + 4096], "gray", table=table) for i in range(0, len(chars), 4096)]
    return np.concatenate(parts).astype(np.float16) if parts else np.zeros((0, 1), dtype=np.float16)


def _table_glyphs(chars: str, what: str) -> np.ndarray:
    """Embeddings (``emb``) or gray features (``gray``) of a custom vocabulary, through a glyph table of those characters."""
    from ..glyph import glyph_table

    if what == "gray":
        return _gray(glyph_table(chars), chars)
    fonts, size, _ = _encoder_setup()
    return _embed_table(glyph_table(chars, fonts=fonts, size=size), chars)


def _block_glyphs(block: str, what: str) -> np.ndarray:
    """Embeddings or gray features of a whole Unicode block, cached (URO embeddings come from the cache of :mod:`cjkglyph.glyph.similarity`)."""
    from ..chars import iter_block
    from ..glyph import glyph_table
    from ..glyph.similarity import embeddings
    from ..resources import cached_array

    chars = "".join(iter_block(block))
    if what == "gray":
        gtable = glyph_table(blocks=(block,))
        return np.asarray(cached_array(f"graph-gray-{block}", gtable.key, lambda: _gray(gtable, chars)))
    if block == "uro":
        return np.asarray(embeddings(chars), dtype=np.float32)
    fonts, size, wkey = _encoder_setup()
    etable = glyph_table(blocks=(block,), fonts=fonts, size=size)
    return np.asarray(cached_array(f"graph-emb-{block}", f"{wkey}-{etable.key}", lambda: _embed_table(etable, chars)), dtype=np.float32)


def context_key(ctx: FeatureContext) -> str:
    """Digest of every input of a context: vocabulary, data files, encoder weights, pypinyin and jieba versions."""
    import importlib.metadata as md

    from ..glyph import DEFAULT_FONTS, RENDER_VERSION
    from ..resources import data_path, file_digest, font_path

    from ..glyph.encoder import weights_path

    parts = [_digest(ctx.vocab), file_digest(weights_path()), RENDER_VERSION, file_digest(_jieba_dict())]
    parts += [file_digest(data_path(*p)) for p in (("ids", "IDS.TXT"), ("unihan", "unihan.tsv"))]
    parts += [file_digest(font_path(f)) for f in DEFAULT_FONTS]
    try:
        parts.append(md.version("pypinyin"))
    except md.PackageNotFoundError:
        parts.append("none")
    return _digest("|".join(parts))
