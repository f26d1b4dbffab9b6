"""Word-level evidence for the spelling checker: is a string a dictionary word, how frequent, which part of speech.

The words of :mod:`cjkglyph.lexicon` (jieba + pypinyin phrases + Rime) are
stored as sorted 64-bit hashes of their code points with their best log10
frequency and a coarse part-of-speech class from jieba's dictionary, cached as
memory-mapped arrays. Lookups are vectorised: :meth:`WordTable.cover` tells,
for many (sentence, position, replacement) triples at once, the longest and
the most frequent dictionary word that covers the position before and after
the replacement.

>>> from cjkglyph.spelling.words import default_word_table
>>> wt = default_word_table()                                  # doctest: +SKIP
>>> wt.contains(["辛苦", "幸苦"]).tolist()                      # doctest: +SKIP
[True, False]
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["POS_CLASSES", "WordTable", "default_word_table", "word_hashes"]

_BUILD_VERSION = "2"
#: Longest word looked up around an edit.
MAX_SPAN = 4
#: Coarse part-of-speech classes (code = index); 0 = not in jieba's dictionary.
POS_CLASSES: tuple[str, ...] = ("none", "n", "name", "proper", "v", "a", "d", "idiom", "num", "r", "func", "other")
_POS_MAP = {
    "n": 1, "ng": 1, "vn": 1, "an": 1,
    "nr": 2, "nrt": 2, "nrfg": 2,
    "ns": 3, "nt": 3, "nz": 3,
    "v": 4, "vg": 4, "vd": 4, "vi": 4, "vq": 4,
    "a": 5, "ad": 5, "ag": 5, "z": 5,
    "d": 6, "dg": 6, "df": 6,
    "i": 7, "l": 7,
    "m": 8, "q": 8, "mq": 8, "mg": 8,
    "r": 9, "rr": 9, "rz": 9, "rg": 9,
    "p": 10, "c": 10, "u": 10, "uj": 10, "ul": 10, "uv": 10, "ud": 10, "uz": 10, "ug": 10, "y": 10, "e": 10, "o": 10,
}  # fmt: skip
_FLOOR = -12.0


_SEED = np.uint64(0x6A09E667F3BCC908)
_K0, _K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _ONE = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(1)


def _step(h: np.ndarray, cp: np.ndarray) -> np.ndarray:
    """Extend rolling hashes ``h`` by code points ``cp`` (splitmix64 finaliser of h ^ f(cp))."""
    x = h ^ ((np.asarray(cp).astype(np.uint64) + _ONE) * _K0)
    x = (x ^ (x >> _S30)) * _K1
    x = (x ^ (x >> _S27)) * _K2
    return x ^ (x >> _S31)


def word_hashes(cps: np.ndarray) -> np.ndarray:
    """Hash of each row of an (R, L) matrix of code points (the key a word of length L is stored under)."""
    cps = np.asarray(cps, dtype=np.int64)
    h = np.full(cps.shape[0], _SEED, dtype=np.uint64)
    for k in range(cps.shape[1]):
        h = _step(h, cps[:, k])
    return h


def _build(lexicon_key: str) -> dict[str, np.ndarray]:
    from ..lexicon import default_lexicon, lexicon_sources

    lex = default_lexicon()
    lengths = np.diff(lex.offsets)
    keep = (lengths >= 1) & (lengths <= MAX_SPAN)
    hs, lp, ln = [], [], []
    chars = lex.chars.astype(np.int64)
    for length in range(1, MAX_SPAN + 1):
        idx = np.flatnonzero(keep & (lengths == length))
        if not len(idx):
            continue
        mat = chars[lex.offsets[idx][:, None] + np.arange(length)]
        hs.append(word_hashes(mat))
        lp.append(lex.logp[idx].astype(np.float32))
        ln.append(np.full(len(idx), length, dtype=np.uint8))
    h = np.concatenate(hs)
    p = np.concatenate(lp)
    n = np.concatenate(ln)
    order = np.lexsort((-p, h))  # best frequency first within a hash
    h, p, n = h[order], p[order], n[order]
    first = np.r_[True, h[1:] != h[:-1]]
    h, p, n = h[first], p[first], n[first]
    pos = np.zeros(len(h), dtype=np.uint8)
    path = lexicon_sources()["jieba"]
    words: list[str] = []
    tags: list[int] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and 1 <= len(parts[0]) <= MAX_SPAN:
                words.append(parts[0])
                tags.append(_POS_MAP.get(parts[2], 11))
    for length in range(1, MAX_SPAN + 1):
        sel = [k for k, w in enumerate(words) if len(w) == length]
        if not sel:
            continue
        cps = np.array([[ord(c) for c in words[k]] for k in sel], dtype=np.int64)
        wh = word_hashes(cps)
        at = np.minimum(np.searchsorted(h, wh), len(h) - 1)
        hit = h[at] == wh
        pos[at[hit]] = np.array(tags, dtype=np.uint8)[np.array(sel)[hit]]
    return {"hash": h, "logp": p, "len": n, "pos": pos}


@dataclass(frozen=True)
class WordTable:
    """Sorted word hashes with log10 frequency, length and part-of-speech class (see :data:`POS_CLASSES`)."""

    hash: np.ndarray
    logp: np.ndarray
    length: np.ndarray
    pos: np.ndarray

    def __post_init__(self) -> None:
        # bucket index over the top bits of the sorted hashes: a lookup is one gather and a compare or two
        bits = max(1, min(24, int(np.ceil(np.log2(max(len(self.hash), 2)))) + 1))
        top = (self.hash >> np.uint64(64 - bits)).astype(np.int64)
        object.__setattr__(self, "_shift", np.uint64(64 - bits))
        object.__setattr__(self, "_start", np.searchsorted(top, np.arange(2**bits + 1)).astype(np.int64))

    def lookup(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found, log10 frequency (floor where absent), part-of-speech class) of hashed strings."""
        h = np.asarray(h, dtype=np.uint64)
        b = (h >> self._shift).astype(np.intp)
        lo, hi = self._start[b], self._start[b + 1]
        at = np.zeros(len(h), dtype=np.int64)
        found = np.zeros(len(h), dtype=bool)
        act = np.flatnonzero(lo < hi)
        pos = lo[act]
        while act.size:
            eq = self.hash[pos] == h[act]
            found[act[eq]] = True
            at[act[eq]] = pos[eq]
            more = ~eq & (pos + 1 < hi[act])
            act, pos = act[more], pos[more] + 1
        return found, np.where(found, self.logp[at], _FLOOR), np.where(found, self.pos[at], 0)

    def contains(self, words: Sequence[str]) -> np.ndarray:
        """True for each string that is a dictionary word (1 to :data:`MAX_SPAN` characters)."""
        out = np.zeros(len(words), dtype=bool)
        for length in range(1, MAX_SPAN + 1):
            sel = [k for k, w in enumerate(words) if len(w) == length]
            if sel:
                cps = np.array([[ord(c) for c in words[k]] for k in sel], dtype=np.int64)
                out[sel] = self.lookup(word_hashes(cps))[0]
        return out

    def cover(self, cps: np.ndarray, pos: np.ndarray, new: np.ndarray | None = None, min_len: int = 2) -> dict[str, np.ndarray]:
        """Dictionary words of length ``min_len``..4 covering position ``pos[k]`` of row ``cps[k]``.

        ``cps`` is an (R, W) int64 matrix of code points (padded with 0; rows
        may repeat), ``pos`` (R,) the position in each row, ``new`` (R,) the
        replacement code point (None = the row as it is). Returns ``len`` (the
        longest covering word, 0 if none), ``logp`` (log10 frequency of the
        most frequent covering word, floor -12), ``pos_class`` of that longest word.
        """
        r, w = cps.shape
        best_len = np.zeros(r, dtype=np.int64)
        best_lp = np.full(r, _FLOOR)
        best_pos = np.zeros(r, dtype=np.int64)
        rows = np.arange(r)
        pos = np.asarray(pos, dtype=np.int64)
        mid = cps[rows, pos] if new is None else np.asarray(new, dtype=np.int64)
        seed = np.full(r, _SEED, dtype=np.uint64)
        for off in range(MAX_SPAN):
            start = pos - off
            ok = start >= 0
            # hash of the characters before the position (original text), then the (new) character
            state = seed.copy()
            for j in range(off):
                col = np.where(ok, cps[rows, np.maximum(start + j, 0)], 0)
                ok &= col > 0
                state = _step(state, col)
            state = _step(state, mid)
            for length in range(off + 1, MAX_SPAN + 1):
                if length > off + 1:
                    at = pos + length - off - 1
                    inside = at < w
                    col = np.where(inside, cps[rows, np.minimum(at, w - 1)], 0)
                    ok &= inside & (col > 0)
                    state = _step(state, col)
                if length < min_len or not ok.any():
                    continue
                idx = np.flatnonzero(ok)
                found, lp, pc = self.lookup(state[idx])
                if not found.any():
                    continue
                fr, flp, fpc = idx[found], lp[found], pc[found]
                longer = length >= best_len[fr]
                best_len[fr] = np.where(longer, length, best_len[fr])
                best_pos[fr] = np.where(longer, fpc, best_pos[fr])
                np.maximum.at(best_lp, fr, flp)
        return {"len": best_len, "logp": best_lp, "pos_class": best_pos}


_DEFAULT: list[WordTable] = []
_LOCK = threading.Lock()


def default_word_table() -> WordTable:
    """The word table of the default lexicon (built on first use, then memory-mapped from the cache)."""
    with _LOCK:
        if _DEFAULT:
            return _DEFAULT[0]
        from ..lexicon import lexicon_sources
        from ..resources import cached_array, file_digest

        srcs = lexicon_sources()
        import hashlib

        key = hashlib.blake2b(
            "-".join([_BUILD_VERSION, *(file_digest(srcs[k]) for k in sorted(srcs))]).encode(), digest_size=10
        ).hexdigest()
        built: dict[str, np.ndarray] = {}

        def part(name: str) -> np.ndarray:
            if not built:
                built.update(_build(key))
            return built[name]

        arrays = {name: cached_array(f"spellwords-{name}", key, lambda name=name: part(name)).view(np.ndarray) for name in ("hash", "logp", "len", "pos")}
        table = WordTable(arrays["hash"], arrays["logp"], arrays["len"], arrays["pos"])
        _DEFAULT.append(table)
        return table
