"""Train a character n-gram language model (interpolated modified Kneser-Ney, count-pruned).

The corpus is held in memory as one id stream (peak about 150 bytes per
character, 3.4 GB for 22M characters); each order's n-grams are counted
with one ``np.unique`` over keys ``(rank of the (n-1)-gram prefix, last id)``.
Probabilities follow Chen & Goodman's interpolated modified Kneser-Ney
(three discounts per order from count-of-counts; lower orders use
continuation counts, except n-grams that start at ``<s>``). N-grams seen
fewer than ``prune[n]`` times are dropped after estimation and their mass is
moved to the backoff weights, so every context stays normalised. Values are
quantised to 8 bits (k-means codebooks) unless ``quantize=False``.

>>> from cjkglyph.lm.build import train_lines, write_model
>>> model = train_lines(["我们今天去公园玩", "今天天气很好"], order=3)   # doctest: +SKIP
>>> write_model("tiny.lm", *model)                                    # doctest: +SKIP
"""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import json
import lzma
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import InputError
from .model import (
    ALIGN,
    FORMAT,
    FORMAT_VERSION,
    MAGIC,
    MAX_CP,
    NORMALIZATION,
    SEP,
    UNK,
    canonical_table,
    content_digest,
    ngram_hashes,
)

__all__ = [
    "ContainmentFilter",
    "CorpusStats",
    "default_prune",
    "iter_corpus",
    "parse_sample",
    "read_sentences",
    "train_lines",
    "write_model",
]

MAX_VOCAB = 65000


def default_prune(order: int) -> list[int]:
    """Minimum raw count kept per order, unigrams first (always kept): [1, 1, 2, 2, 3, 3, ...]."""
    return [1] + [max(1, (n + 1) // 2) for n in range(2, order + 1)]


def parse_sample(specs: Sequence[str]) -> list[tuple[str, float]]:
    """``["laws*=0.25", "fortunes*=0"]`` -> [(glob, rate)]; rate 0 skips a file."""
    out = []
    for spec in specs:
        glob, sep, rate = spec.rpartition("=")
        try:
            r = float(rate)
        except ValueError:
            r = -1.0
        if not sep or not glob or not 0.0 <= r <= 1.0:
            raise InputError(f"bad --sample {spec!r}: use GLOB=RATE with 0 <= RATE <= 1 (e.g. 'laws*=0.25')")
        out.append((glob, r))
    return out


def _open_text(path: Path) -> IO[str]:
    name = path.name.lower()
    opener: Any = open
    if name.endswith(".xz"):
        opener = lzma.open
    elif name.endswith(".gz"):
        opener = gzip.open
    elif name.endswith(".bz2"):
        opener = bz2.open
    try:
        return opener(path, "rt", encoding="utf-8", newline=None)  # type: ignore[no-any-return]
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None


def _stem(path: Path) -> str:
    name = path.name
    for ext in (".xz", ".gz", ".bz2", ".txt"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name


@dataclass
class CorpusStats:
    """What went into a model: per file lines/characters read, kept and held out."""

    files: list[dict[str, Any]] = field(default_factory=list)
    heldout: list[str] = field(default_factory=list)


class ContainmentFilter:
    """True for lines containing any of the given sentences (e.g. evaluation sets kept out of training).

    Sentences shorter than ``key_len`` characters are ignored; matching is exact
    substring search, indexed by each sentence's first ``key_len`` characters.

    >>> f = ContainmentFilter(["我们今天去公园玩"])
    >>> f("昨天我们今天去公园玩了"), f("我们明天去公园玩")
    (True, False)
    """

    def __init__(self, sentences: Iterable[str], key_len: int = 6) -> None:
        self.key_len = key_len
        self._by_key: dict[str, list[str]] = {}
        for s in sentences:
            s = s.strip()
            if len(s) >= key_len:
                self._by_key.setdefault(s[:key_len], []).append(s)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def __call__(self, line: str) -> bool:
        k, index = self.key_len, self._by_key
        if not index:
            return False
        for i in range(len(line) - k + 1):
            found = index.get(line[i : i + k])
            if found and any(line.startswith(s, i) for s in found):
                return True
        return False


def read_sentences(paths: Sequence[str | Path]) -> list[str]:
    """Every tab-separated field of every line of ``paths`` (for :class:`ContainmentFilter`)."""
    out: list[str] = []
    for p in paths:
        try:
            text = Path(p).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read {p}: {e}") from None
        for line in text.splitlines():
            out.extend(field for field in line.split("\t") if field.strip())
    return out


def iter_corpus(
    paths: Sequence[str | Path],
    sample: Sequence[tuple[str, float]] = (),
    *,
    holdout_every: int = 0,
    holdout: Callable[[str], bool] | None = None,
    stats: CorpusStats | None = None,
    exclude: Callable[[str], bool] | None = None,
) -> Iterator[str]:
    """Yield training lines (stripped, non-empty) from ``.txt``/``.txt.xz``/``.gz``/``.bz2`` files.

    ``sample`` rates (first matching glob on the file name or its stem) keep
    every ``1/rate``-th line, deterministically. With ``holdout_every=K`` every
    K-th kept line goes to ``stats.heldout`` instead (for perplexity); so does
    every line for which ``holdout(line)`` is true (e.g. ``corpus_part(line) != "train"``
    of :mod:`cjkglyph._splits`). Lines
    for which ``exclude(line)`` is true are dropped (counted as ``excluded``).
    """
    for p in paths:
        path = Path(p)
        rate = 1.0
        for glob, r in sample:
            if fnmatch.fnmatch(path.name, glob) or fnmatch.fnmatch(_stem(path), glob):
                rate = r
                break
        entry = {"file": _stem(path), "rate": rate, "lines": 0, "chars": 0, "heldout_lines": 0, "excluded": 0}
        if stats is not None:
            stats.files.append(entry)
        if rate == 0.0:
            continue
        kept = i = 0
        with _open_text(path) as f:
            try:
                for i, raw in enumerate(f):
                    if math.floor((i + 1) * rate) == math.floor(i * rate):
                        continue
                    line = raw.strip()
                    if not line:
                        continue
                    if exclude is not None and exclude(line):
                        entry["excluded"] += 1
                        continue
                    kept += 1
                    if (holdout_every and kept % holdout_every == holdout_every // 2) or (holdout and holdout(line)):
                        entry["heldout_lines"] += 1
                        if stats is not None:
                            stats.heldout.append(line)
                        continue
                    entry["lines"] += 1
                    entry["chars"] += len(line)
                    yield line
            except UnicodeDecodeError as e:
                raise InputError(f"{path}: invalid UTF-8 near line {i + 1} ({e.reason})") from None
            except (OSError, EOFError, lzma.LZMAError) as e:
                raise InputError(f"cannot read {path}: {e}") from None


# ---------------------------------------------------------------------------- estimation


@dataclass
class _Level:
    count: np.ndarray  # raw counts
    adjusted: np.ndarray  # KN counts used for estimation
    prefix: np.ndarray  # rank of the (n-1)-gram prefix
    suffix: np.ndarray  # rank of the (n-1)-gram suffix
    pos: np.ndarray  # a stream position where the n-gram starts


def _discounts(a: np.ndarray) -> tuple[float, float, float]:
    n = [int(np.count_nonzero(a == k)) for k in (1, 2, 3, 4)]
    if min(n) == 0:
        return (0.5, 1.0, 1.5)
    y = n[0] / (n[0] + 2 * n[1])
    d = [k - (k + 1) * y * n[k] / n[k - 1] for k in (1, 2, 3)]
    return tuple(float(min(max(x, 0.05), k - 0.05)) for k, x in zip((1, 2, 3), d))  # type: ignore[return-value]


def _dvec(a: np.ndarray, d: tuple[float, float, float]) -> np.ndarray:
    return np.select([a == 0, a == 1, a == 2], [0.0, d[0], d[1]], d[2])


def _kmeans_codebook(values: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """1-D k-means (Lloyd, quantile start) on up to 2M samples; sorted centroids."""
    v = values[np.isfinite(values)]
    if v.size > 2_000_000:
        v = np.random.default_rng(seed).choice(v, 2_000_000, replace=False)
    uniq = np.unique(v)
    if uniq.size <= k:
        return np.concatenate([uniq, np.full(k - uniq.size, uniq[-1] if uniq.size else 0.0)])
    c = np.quantile(v, (np.arange(k) + 0.5) / k)
    for _ in range(30):
        c = np.unique(c)
        edges = (c[1:] + c[:-1]) / 2
        a = np.searchsorted(edges, v)
        sums = np.bincount(a, weights=v, minlength=c.size)
        cnt = np.bincount(a, minlength=c.size)
        nz = cnt > 0
        new = c.copy()
        new[nz] = sums[nz] / cnt[nz]
        if np.allclose(new, c):
            break
        c = new
    c = np.sort(c)
    if c.size < k:
        c = np.concatenate([c, np.full(k - c.size, c[-1])])
    return c


def _encode(values: np.ndarray, book: np.ndarray) -> np.ndarray:
    edges = (book[1:] + book[:-1]) / 2
    return np.searchsorted(edges, values).astype(np.uint8)


def train_lines(
    lines: Iterable[str],
    *,
    order: int = 5,
    prune: Sequence[int] | None = None,
    min_count: int = 2,
    reverse: bool = False,
    quantize: bool = True,
    meta: dict[str, Any] | None = None,
    log: Any = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Estimate a model from sentences; returns ``(header, arrays)`` for :func:`write_model`.

    ``prune[n-1]`` is the minimum raw count of a kept n-gram (non-decreasing;
    unigrams are always kept); ``min_count`` the minimum count of a vocabulary
    character (rarer ones become ``<unk>``).
    """
    t0 = time.time()

    def say(msg: str) -> None:
        if log is not None:
            log(f"[{time.time() - t0:6.1f}s] {msg}")

    if not 1 <= order <= 12:
        raise InputError(f"order must be between 1 and 12, not {order}")
    prune = list(prune) if prune is not None else default_prune(order)
    if len(prune) == order - 1:
        prune = [1, *prune]
    if len(prune) != order or any(k < 1 for k in prune) or any(b < a for a, b in zip(prune[1:], prune[2:])):
        raise InputError(f"prune needs {order - 1} non-decreasing counts >= 1 (orders 2..{order}), got {prune[1:]}")
    if min_count < 1:
        raise InputError("min_count must be >= 1")

    texts = [t.replace("\n", " ") for t in lines if t]
    if reverse:
        texts = [t[::-1] for t in texts]
    if not texts:
        raise InputError("the training corpus is empty")
    joined = "\n" + "\n".join(texts) + "\n"
    n_sent = len(texts)
    del texts
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    del joined
    canon = canonical_table()
    ccp = canon[cps]
    ccp[cps == 0x0A] = 0x0A
    del cps
    freq = np.bincount(ccp, minlength=MAX_CP)
    freq[0x0A] = 0
    cand = np.flatnonzero(freq >= min_count)
    cand = cand[np.lexsort((cand, -freq[cand]))][: MAX_VOCAB - 2]
    unk_types = int(np.count_nonzero(freq)) - cand.size
    vocab = np.concatenate([[0x0A, 0xFFFD], cand]).astype(np.uint32)
    v = int(vocab.size)
    table = np.full(MAX_CP, UNK, dtype=np.int32)
    table[cand] = np.arange(2, v, dtype=np.int32)
    table[0x0A] = SEP
    tok = table[ccp].astype(np.int64)
    del ccp, table, freq
    s = tok.size
    say(f"{n_sent} sentences, {s - n_sent - 1} characters, vocabulary {v} (+{unk_types} rare types as <unk>)")

    # ---- counting
    sep = tok == SEP
    csum = np.concatenate([[0], np.cumsum(sep, dtype=np.int64)])
    del sep
    levels: list[_Level] = [
        _Level(
            count=np.bincount(tok, minlength=v),
            adjusted=np.zeros(v, dtype=np.int64),
            prefix=np.zeros(v, dtype=np.int64),
            suffix=np.zeros(v, dtype=np.int64),
            pos=np.zeros(v, dtype=np.int64),
        )
    ]
    rank_prev = tok
    for n in range(2, order + 1):
        m = s - n + 1
        if m <= 0:
            break
        if n >= 3:
            vi = np.flatnonzero(csum[n - 1 : n - 1 + m] - csum[1 : 1 + m] == 0)
        else:
            vi = np.arange(m, dtype=np.int64)
        key = rank_prev[vi] * v + tok[vi + n - 1]
        u, first, inv, cnt = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        del key
        pos = vi[first]
        rank = np.full(m, -1, dtype=np.int64)
        rank[vi] = inv.ravel()
        del inv, vi, first
        lev = _Level(count=cnt, adjusted=cnt.copy(), prefix=u // v, suffix=rank_prev[pos + 1], pos=pos)
        del u
        # continuation counts of order n-1: distinct left extensions (raw counts for <s>-initial n-grams)
        below = levels[-1]
        cont = np.bincount(lev.suffix, minlength=below.count.size)
        if n - 1 == 1:
            below.adjusted = cont
        else:
            starts_s = tok[below.pos] == SEP
            below.adjusted = np.where(starts_s, below.count, cont)
        levels.append(lev)
        rank_prev = rank
        say(f"order {n}: {cnt.size} distinct n-grams")
    del rank_prev
    top = len(levels)

    # ---- probabilities (log10) of the full model, then pruning and backoffs
    disc = [_discounts(lev.adjusted if i + 1 < top else lev.count) for i, lev in enumerate(levels)]
    a1 = levels[0].adjusted.astype(np.float64)
    if top == 1:
        a1 = levels[0].count.astype(np.float64)
        a1[SEP] = max(a1[SEP] - 1, 0)
    d1 = _dvec(a1, disc[0])
    gamma0 = float(d1.sum() / a1.sum())
    probs = [(a1 - d1) / a1.sum() + gamma0 / v]
    gammas: list[np.ndarray] = [np.array([gamma0])]
    for i in range(1, top):
        lev = levels[i]
        a = (lev.adjusted if i + 1 < top else lev.count).astype(np.float64)
        dv = _dvec(a, disc[i])
        nctx = levels[i - 1].count.size
        big_a = np.bincount(lev.prefix, weights=a, minlength=nctx)
        dmass = np.bincount(lev.prefix, weights=dv, minlength=nctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            gamma = np.where(big_a > 0, dmass / big_a, 1.0)
        probs.append((a - dv) / big_a[lev.prefix] + gamma[lev.prefix] * probs[i - 1][lev.suffix])
        gammas.append(gamma)
        lev.adjusted = a  # keep the count used, as float, for the pruned mass below
    kept = [np.ones(v, dtype=bool)] + [lev.count >= prune[i] for i, lev in enumerate(levels) if i > 0]
    backoffs: list[np.ndarray] = []
    for i in range(top):
        if i + 1 >= top:
            backoffs.append(np.zeros(levels[i].count.size))
            continue
        up = levels[i + 1]
        nctx = levels[i].count.size
        a = up.adjusted
        dv = _dvec(a, disc[i + 1])
        k = kept[i + 1]
        big_a = np.bincount(up.prefix, weights=a, minlength=nctx)
        s_kept = np.bincount(up.prefix[k], weights=probs[i][up.suffix[k]], minlength=nctx)
        pruned = np.bincount(up.prefix[~k], weights=(a - dv)[~k], minlength=nctx)
        with np.errstate(divide="ignore", invalid="ignore"):
            extra = np.where(pruned > 0, pruned / np.where(big_a > 0, big_a, 1.0) / np.maximum(1.0 - s_kept, 1e-12), 0.0)
        bo = np.where(big_a > 0, gammas[i + 1] + extra, 1.0)
        backoffs.append(np.log10(bo))
    logp = [np.log10(p) for p in probs]
    say("estimated; discounts " + ", ".join("(" + ", ".join(f"{x:.3f}" for x in d) + ")" for d in disc))

    # ---- hashing kept n-grams
    seen = [int(k.size) for k in kept]
    hashes, lp_all, bo_all, counts_kept = [], [], [], []
    for i in range(top):
        k = np.flatnonzero(kept[i])
        counts_kept.append(int(k.size))
        if i == 0:
            grams = k[:, None]
        else:
            grams = tok[levels[i].pos[k][:, None] + np.arange(i + 1)]
        hashes.append(ngram_hashes(grams))
        lp_all.append(logp[i][k])
        bo_all.append(backoffs[i][k])
    del tok, levels, probs, logp, backoffs
    h = np.concatenate(hashes)
    lp = np.concatenate(lp_all)
    bo = np.concatenate(bo_all)
    del hashes, lp_all, bo_all
    total = h.size
    bits = max(1, int(math.ceil(math.log2(max(total, 2)))) - 2)  # 2-4 entries per bucket
    order_idx = np.argsort(h, kind="stable")
    h, lp, bo = h[order_idx], lp[order_idx], bo[order_idx]
    del order_idx
    trunc = h >> np.uint64(32 - bits)
    dup = np.concatenate([[False], trunc[1:] == trunc[:-1]])
    del trunc
    collisions = int(dup.sum())
    if collisions:
        h, lp, bo = h[~dup], lp[~dup], bo[~dup]
    fp = ((h >> np.uint64(32 - bits)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    offsets = np.zeros(2**bits + 1, dtype=np.int64)
    np.cumsum(np.bincount((h >> np.uint64(64 - bits)).astype(np.int64), minlength=2**bits), out=offsets[1:])
    del h
    block = min(8, bits)
    while True:  # bucket offsets = uint32 base per block of 2**block buckets + uint16 offset within it
        base = offsets[:: 2**block]
        rel = offsets - np.repeat(base, 2**block)[: offsets.size]
        if rel.max() < 2**16:
            break
        block -= 1
    del offsets

    arrays: dict[str, np.ndarray] = {
        "vocab": vocab,
        "fp": fp,
        "base": base.astype(np.uint32),
        "rel": rel.astype(np.uint16),
    }
    bo_zero = np.abs(bo) < 1e-7
    if quantize:
        p_book = _kmeans_codebook(lp, 256)
        nz = bo[~bo_zero]
        b_book = np.concatenate([[0.0], _kmeans_codebook(nz, 255) if nz.size else np.zeros(255)])
        arrays["p"] = _encode(lp, p_book)
        bq = _encode(bo, b_book[1:]) + np.uint8(1)
        bq[bo_zero] = 0
        arrays["b"] = bq
        arrays["p_book"] = p_book.astype(np.float32)
        arrays["b_book"] = b_book.astype(np.float32)
        qerr = float(np.sqrt(np.mean((p_book[arrays["p"]] - lp) ** 2)))
    else:
        arrays["p"] = lp.astype(np.float32)
        arrays["b"] = np.where(bo_zero, 0.0, bo).astype(np.float32)
        qerr = 0.0
    say(f"{fp.size} n-grams stored ({collisions} hash collisions dropped), quantisation rms {qerr:.4f}")

    header: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "normalization": NORMALIZATION,
        "order": top,
        "reverse": bool(reverse),
        "vocab_size": v,
        "unk_types": unk_types,
        "unk_penalty": -math.log10(max(unk_types, 1)),
        "bucket_bits": bits,
        "block_bits": block,
        "ngrams": counts_kept,
        "ngrams_seen": seen,
        "prune": [int(x) for x in prune[:top]],
        "min_count": min_count,
        "discounts": [list(d) for d in disc],
        "quantization": "uint8 k-means codebooks" if quantize else "float32",
        "quantization_rms_log10": qerr,
        "hash_collisions_dropped": collisions,
        "sentences": n_sent,
        "tokens": int(s - 1),
        "smoothing": "interpolated modified Kneser-Ney, count-pruned, backoff form",
    }
    if meta:
        header.update(meta)
    return header, arrays


def write_model(path: str | Path, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    """Write ``header`` + ``arrays`` as one memory-mappable model file (atomically)."""
    from ..resources import atomic_write

    layout: dict[str, dict[str, Any]] = {}
    chunks: list[bytes] = []
    off = 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        pad = (-off) % ALIGN
        if pad:
            chunks.append(b"\0" * pad)
            off += pad
        layout[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": off}
        raw = arr.tobytes()
        chunks.append(raw)
        off += len(raw)
    data = b"".join(chunks)
    del chunks
    head = dict(header, arrays=layout)
    head = dict(head, digest=content_digest(head, data), data_offset=0)
    probe = json.dumps(head, ensure_ascii=False).encode("utf-8")
    data_offset = 16 + len(probe) + 32
    data_offset += (-data_offset) % ALIGN
    head["data_offset"] = data_offset
    hbytes = json.dumps(head, ensure_ascii=False).encode("utf-8")
    hbytes += b" " * (data_offset - 16 - len(hbytes))
    path = Path(path)
    with atomic_write(path) as f:
        f.write(MAGIC)
        f.write(len(hbytes).to_bytes(8, "little"))
        f.write(hbytes)
        f.write(data)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)  # mkstemp made it private
    return path
