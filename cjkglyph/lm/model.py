"""Character n-gram language model: loading and vectorised scoring (numpy only).

A model file (built by :mod:`cjkglyph.lm.build` or ``cjkglyph lm train``) holds
an interpolated modified Kneser-Ney model in backoff form: for every kept
n-gram a quantised log10 probability and log10 backoff weight, found through
a 64-bit rolling hash of its character ids (bucketed, 32-bit fingerprints).
Everything is memory-mapped; lookups are batched ``numpy`` gathers.

Text is normalised one character to one token, so token ``i`` is character
``i``: full-width ASCII folds to ASCII, every ASCII digit to ``0``, every ASCII
letter to ``A``, whitespace to a space; characters outside the vocabulary
share the ``<unk>`` token (scored with ``unk_penalty``, i.e. divided by the
number of rare character types seen in training). Each text is one sentence
with boundary ``<s>``...``</s>``.

File layout: 8-byte magic, uint64 header length, a JSON header (build
parameters, corpus, n-gram counts, array table, blake2b checksum of header and
data), then 64-byte aligned arrays: ``vocab`` (code points of ids 2..),
``fp`` (uint32 fingerprints sorted by hash), ``base``/``rel`` (bucket offsets:
uint32 per block of 256 buckets + uint16 within it), ``p``/``b`` (uint8 codes)
and ``p_book``/``b_book`` (float32 codebooks; code 0 of ``b`` is exactly 0).

>>> from cjkglyph.lm import LanguageModel
>>> lm = LanguageModel.load()                           # doctest: +SKIP
>>> lm.score(["我们今天去公园玩", "我们今天去公圆玩"])    # doctest: +SKIP
array([-16.35, -20.72])
>>> lm.substitution_deltas("我们今天去公圆玩", [6], ["园"])  # doctest: +SKIP
array([4.371])
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ResourceError

__all__ = [
    "DEFAULT_MODEL",
    "FORMAT",
    "LanguageModel",
    "canonical_table",
    "content_digest",
    "ngram_hashes",
    "read_model_file",
]

#: Shipped model, relative to ``data/``.
DEFAULT_MODEL = ("lm", "zh_char.lm")

FORMAT = "cjkglyph-char-lm"
FORMAT_VERSION = 1
NORMALIZATION = "v1"
MAGIC = b"CJKGLM\x00\x01"
ALIGN = 64

SEP = 0  # sentence boundary: </s> when predicted, <s> as context
UNK = 1
MAX_CP = 0x110000

_SEED = np.uint64(0x2545F4914F6CDD1D)
_M0 = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_ONE = np.uint64(1)
_MASK32 = np.uint64(0xFFFFFFFF)

_WHITESPACE = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
_canon_cache: np.ndarray | None = None
_canon_lock = threading.Lock()


def canonical_table() -> np.ndarray:
    """uint32 array mapping every code point to its normalised code point (see module doc)."""
    global _canon_cache
    with _canon_lock:
        if _canon_cache is None:
            t = np.arange(MAX_CP, dtype=np.uint32)
            t[0xFF01:0xFF5F] -= 0xFEE0  # full-width ASCII forms
            t[_WHITESPACE] = 0x20
            t[ord("0") : ord("9") + 1] = ord("0")
            t[ord("a") : ord("z") + 1] = ord("A")
            t[ord("A") : ord("Z") + 1] = ord("A")
            t = t[t]  # full-width digits/letters reach their class in two steps
            t.flags.writeable = False
            _canon_cache = t
        return _canon_cache


def _step(h: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Extend rolling hashes ``h`` by token ids ``t`` (splitmix64 finaliser; a bijection of h ^ f(t))."""
    x = h ^ ((t.astype(np.uint64) + _ONE) * _M0)
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def ngram_hashes(tokens: np.ndarray) -> np.ndarray:
    """Hash of each row of an (R, n) id matrix: the key under which that n-gram is stored."""
    tokens = np.asarray(tokens)
    h = np.full(tokens.shape[0], _SEED, dtype=np.uint64)
    for k in range(tokens.shape[1]):
        h = _step(h, tokens[:, k])
    return h


def _bad(path: Path | str, why: str) -> ResourceError:
    return ResourceError(
        f"{path}: {why}; not a usable cjkglyph language model (rebuild it with 'cjkglyph lm train' "
        "or scripts/build_lm.py)"
    )


def content_digest(header: dict[str, Any], data: bytes | memoryview) -> str:
    """Checksum of a model file: its header (less the checksum itself and the data offset) and its data."""
    h = hashlib.blake2b(digest_size=16)
    meta = {k: v for k, v in header.items() if k not in ("digest", "data_offset")}
    h.update(json.dumps(meta, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    h.update(data)
    return h.hexdigest()


def read_model_file(path: Path | str, *, verify: bool = True) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Open a model file: its JSON header and its arrays, memory-mapped (read-only)."""
    path = Path(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - mmap outlives the handle
    except OSError as e:
        raise ResourceError(f"cannot read language model {path}: {e.strerror or e}") from None
    with f:
        size = os.fstat(f.fileno()).st_size
        if size < 16:
            raise _bad(path, "file too short")
        head = f.read(16)
        if head[:8] != MAGIC:
            raise _bad(path, "bad magic number")
        hlen = int.from_bytes(head[8:16], "little")
        if hlen <= 0 or 16 + hlen > size:
            raise _bad(path, "truncated header")
        try:
            header = json.loads(f.read(hlen).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _bad(path, "corrupt header") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _bad(path, "unknown format")
        if header.get("version") != FORMAT_VERSION:
            raise _bad(path, f"format version {header.get('version')} (this cjkglyph reads {FORMAT_VERSION})")
        if header.get("normalization") != NORMALIZATION:
            raise _bad(path, f"text normalization {header.get('normalization')!r} is unknown to this cjkglyph")
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    start = int(header.get("data_offset", -1))
    arrays: dict[str, np.ndarray] = {}
    try:
        specs = header["arrays"]
        for name, spec in specs.items():
            dtype = np.dtype(spec["dtype"])
            if dtype.kind not in "uif" or dtype.itemsize > 8:
                raise ValueError(name)
            shape = tuple(int(s) for s in spec["shape"])
            off = start + int(spec["offset"])
            nbytes = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
            if off < start or off + nbytes > size or min(shape, default=0) < 0:
                raise _bad(path, f"array {name!r} lies outside the file (truncated?)")
            arrays[name] = np.frombuffer(buf, dtype=dtype, count=nbytes // dtype.itemsize, offset=off).reshape(shape)
    except ResourceError:
        raise
    except (KeyError, TypeError, ValueError):
        raise _bad(path, "corrupt array table") from None
    if verify:
        if content_digest(header, memoryview(buf)[start:]) != header.get("digest"):
            raise _bad(path, "checksum mismatch (file damaged)")
    return header, arrays


class LanguageModel:
    """A character n-gram model; see the module docstring.

    Scores are log10 probabilities. ``score`` and ``substitution_deltas``
    handle whole batches in one numpy pass; create one instance per process
    (``load()`` caches it) and call it with many texts at once.
    """

    _cache: dict[tuple[str, bool], LanguageModel] = {}
    _cache_lock = threading.Lock()

    def __init__(self, header: dict[str, Any], arrays: dict[str, np.ndarray], path: str = "<memory>") -> None:
        self.path = path
        self.header = header
        try:
            self.order: int = int(header["order"])
            self.reverse: bool = bool(header.get("reverse", False))
            self.bucket_bits: int = int(header["bucket_bits"])
            self.block_bits: int = int(header["block_bits"])
            vocab = arrays["vocab"]
            fp = arrays["fp"]
            base = arrays["base"]
            rel = arrays["rel"]
            n = fp.shape[0]
            nb = 2**self.bucket_bits
            ok = (
                1 <= self.order <= 12
                and 0 <= self.block_bits <= self.bucket_bits <= 32
                and vocab.ndim == 1
                and 2 <= vocab.shape[0] <= 65535
                and rel.shape == (nb + 1,)
                and base.shape == ((nb >> self.block_bits) + 1,)
                and int(base[-1]) + int(rel[-1]) == n
                and all(arrays[k].shape[0] == n for k in ("p", "b"))
            )
            if not ok:
                raise ValueError("inconsistent shapes")
            if arrays["p"].dtype == np.uint8:
                self._p_book = np.asarray(arrays["p_book"], dtype=np.float64)
                self._b_book = np.asarray(arrays["b_book"], dtype=np.float64)
                if self._p_book.shape != (256,) or self._b_book.shape != (256,):
                    raise ValueError("codebooks")
            else:
                self._p_book = self._b_book = None  # type: ignore[assignment]
        except (KeyError, ValueError, TypeError) as e:
            raise _bad(path, f"inconsistent model ({e})") from None
        self.unk_penalty: float = float(header.get("unk_penalty", 0.0))
        self._fp = fp
        self._pq = arrays["p"]
        self._bq = arrays["b"]
        self.vocab_codepoints = vocab
        self.vocab_size = int(vocab.shape[0])
        self._base = base
        self._rel = rel
        self._shift_bucket = np.uint64(64 - self.bucket_bits)
        self._shift_fp = np.uint64(32 - self.bucket_bits)
        self._build_id_table()
        uni = np.arange(self.vocab_size, dtype=np.int64)[:, None]
        idx = self._lookup(ngram_hashes(uni))
        if (idx < 0).any():
            raise _bad(path, "unigram table incomplete")
        self._uni_p = self._pval(idx)
        self._uni_b = self._bval(idx)
        # the edit grids of _deltas hold stored values only: float32 when that is exact (quantised models)
        books = [self._p_book, self._b_book] if self._p_book is not None else [self._pq, self._bq]
        exact = all(np.array_equal(np.asarray(a, dtype=np.float32).astype(np.float64), np.asarray(a, dtype=np.float64)) for a in books)
        self._grid_dtype = np.float32 if exact else np.float64

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, verify: bool = True) -> LanguageModel:
        """Load a model file (memory-mapped); ``None`` = the shipped model. Cached per path.

        ``verify`` checks the file's checksum (about 2 ms per MB). Raises
        :class:`ResourceError` for a missing, corrupt or incompatible file.
        """
        if path is None:
            from ..resources import data_path

            path = data_path(*DEFAULT_MODEL)
        key = (os.path.realpath(os.fspath(path)), verify)
        with cls._cache_lock:
            model = cls._cache.get(key)
            if model is None:
                header, arrays = read_model_file(path, verify=verify)
                model = cls(header, arrays, os.fspath(path))
                cls._cache[key] = model
        return model

    def _build_id_table(self) -> None:
        table = np.full(MAX_CP, UNK, dtype=np.uint16)
        cps = self.vocab_codepoints[2:].astype(np.int64)
        if (cps >= MAX_CP).any():
            raise _bad(self.path, "vocabulary holds invalid code points")
        table[cps] = np.arange(2, self.vocab_size, dtype=np.uint16)
        table = table[canonical_table()]
        table[0x0A] = SEP  # the stream separator; texts never contain it (see _stream)
        self._ids = table

    # ------------------------------------------------------------------ lookups
    def _lookup(self, h: np.ndarray) -> np.ndarray:
        """Index of each hashed n-gram in the table, -1 where absent.

        The top ``bucket_bits`` of the hash pick a bucket (2-4 entries on
        average); the next 32 bits are the stored fingerprint.
        """
        f = (h >> self._shift_bucket).astype(np.intp)
        qfp = ((h >> self._shift_fp) & _MASK32).astype(np.uint32)
        kb = self.block_bits
        lo = self._base[f >> kb].astype(np.int64) + self._rel[f]
        f += 1
        hi = self._base[f >> kb].astype(np.int64) + self._rel[f]
        out = np.full(h.shape[0], -1, dtype=np.int64)
        act = np.flatnonzero(lo < hi)
        pos = lo[act]
        fp = self._fp
        while act.size:
            v = fp[pos]
            q = qfp[act]
            eq = v == q
            if eq.any():
                out[act[eq]] = pos[eq]
            more = (v < q) & (pos + 1 < hi[act])
            act = act[more]
            pos = pos[more] + 1
        return out

    def _pval(self, idx: np.ndarray) -> np.ndarray:
        q = self._pq[idx]
        return self._p_book[q] if self._p_book is not None else q.astype(np.float64)

    def _bval(self, idx: np.ndarray) -> np.ndarray:
        q = self._bq[idx]
        return self._b_book[q] if self._b_book is not None else q.astype(np.float64)

    # ------------------------------------------------------------------ encoding
    def encode(self, text: str) -> np.ndarray:
        """Token ids of ``text`` (one per character; ``<unk>`` = 1), as int64."""
        if not text:
            return np.zeros(0, dtype=np.int64)
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids = self._ids[cps].astype(np.int64)
        ids[ids == SEP] = self._ids[0x20]
        return ids

    def ids_of(self, chars: str | Sequence[str] | np.ndarray) -> np.ndarray:
        """Token ids of single characters (a string, a list of 1-char strings, or code points)."""
        if isinstance(chars, np.ndarray) and chars.dtype.kind in "iu":
            cps = chars.astype(np.int64)
            if cps.size and (cps.min() < 0 or cps.max() >= MAX_CP):
                raise InputError("code point out of range")
        else:
            s = chars if isinstance(chars, str) else "".join(chars)
            if not isinstance(chars, str) and len(s) != len(chars):
                raise InputError("each substitution must be exactly one character")
            cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        ids = self._ids[cps].astype(np.int64)
        ids[ids == SEP] = self._ids[0x20]
        return ids

    def _stream(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ids of ``pad <s> t1 </s>=<s> t2 </s> ... pad``; start index and length of each text."""
        clean = [t.replace("\n", " ") if "\n" in t else t for t in texts]
        if self.reverse:
            clean = [t[::-1] for t in clean]
        pad = "\n" * (self.order - 1)
        joined = pad + "\n" + "\n".join(clean) + "\n" + pad
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids = self._ids[cps].astype(np.int64)
        lens = np.fromiter((len(t) for t in clean), dtype=np.int64, count=len(clean))
        starts = np.empty(len(clean), dtype=np.int64)
        if len(clean):
            starts[0] = self.order
            np.cumsum(lens[:-1] + 1, out=starts[1:])
            starts[1:] += self.order
        return ids, starts, lens

    # ------------------------------------------------------------------ core
    def _analyse(self, ids: np.ndarray) -> dict[str, np.ndarray]:
        """Look up every n-gram ending at every stream position; each position's event log prob.

        Returns arrays indexed ``[order-1, position]``: ``found``, ``p`` and
        ``b`` (log10 prob and backoff of the n-gram ending there) and ``h``
        (its hash), plus ``d`` (distance to the previous boundary) and ``lp``.
        """
        n_ord = self.order
        s = ids.shape[0]
        pos = np.arange(s, dtype=np.int64)
        last = np.maximum.accumulate(np.where(ids == SEP, pos, -(2**40)))
        d = np.empty(s, dtype=np.int64)  # distance to the last boundary strictly before
        d[0] = 0
        d[1:] = pos[1:] - last[:-1]
        found = np.zeros((n_ord, s), dtype=bool)
        pv = np.zeros((n_ord, s))
        bv = np.zeros((n_ord, s))
        hs = np.zeros((n_ord, s), dtype=np.uint64)
        found[0] = True
        pv[0] = self._uni_p[ids]
        bv[0] = self._uni_b[ids]
        hs[0] = _step(np.full(s, _SEED, dtype=np.uint64), ids)
        for n in range(2, n_ord + 1):
            hs[n - 1, 1:] = _step(hs[n - 2, :-1], ids[1:])
            alive = np.zeros(s, dtype=bool)
            alive[1:] = found[n - 2, 1:] & found[n - 2, :-1] & (d[1:] >= n - 1)
            where = np.flatnonzero(alive)
            if where.size == 0:
                continue
            idx = self._lookup(hs[n - 1, where])
            hit = idx >= 0
            where, idx = where[hit], idx[hit]
            found[n - 1, where] = True
            pv[n - 1, where] = self._pval(idx)
            bv[n - 1, where] = self._bval(idx)
        lp = np.zeros(s)
        lp[1:] = self._events(found[:, 1:], pv[:, 1:], found[:, :-1], bv[:, :-1], d[1:], ids[1:])
        return {"ids": ids, "d": d, "found": found, "p": pv, "b": bv, "h": hs, "lp": lp}

    def _events(
        self, f_here: np.ndarray, p_here: np.ndarray, f_prev: np.ndarray, b_prev: np.ndarray, d: np.ndarray, tok: np.ndarray
    ) -> np.ndarray:
        """Backoff-form log10 P(token | context) from the n-grams ending here and one position before.

        Arrays have the order as first axis; ``d`` (distance to the previous
        boundary) limits the usable context length to ``min(order-1, d)``.
        Found n-grams are suffix-closed, so the longest match is the number found.
        """
        n_ord = self.order
        ctx = np.minimum(d, n_ord - 1)
        k = np.arange(n_ord).reshape((n_ord,) + (1,) * d.ndim)  # order - 1
        nstar = (f_here & (k <= ctx)).sum(axis=0)  # longest matching order (>= 1)
        best = np.take_along_axis(p_here, (nstar - 1)[None], axis=0)[0]
        # backoff weights of the contexts longer than the match: lengths nstar .. ctx
        m = f_prev[:-1] & (k[:-1] >= nstar - 1) & (k[:-1] < ctx)
        best = best + np.where(m, b_prev[:-1], 0.0).sum(axis=0)
        if self.unk_penalty:
            best = best + np.where(tok == UNK, self.unk_penalty, 0.0)
        return best

    # ------------------------------------------------------------------ public scoring
    def token_logprobs(self, text: str, *, eos: bool = True) -> np.ndarray:
        """log10 P of each character given its context, plus the sentence-end event when ``eos``.

        For a right-to-left model entry ``i`` is still character ``i`` (scored
        given the characters to its right); the last entry is the sentence-start event.
        """
        ids, starts, lens = self._stream([text])
        lp = self._analyse(ids)["lp"]
        out = lp[starts[0] : starts[0] + lens[0] + 1]
        if self.reverse:
            out = np.concatenate([out[:-1][::-1], out[-1:]])
        return out if eos else out[:-1]

    def score(self, texts: Sequence[str] | str, *, eos: bool = True) -> np.ndarray:
        """Total log10 probability of each text (one sentence each), float64 array."""
        if isinstance(texts, str):
            texts = [texts]
        if not len(texts):
            return np.zeros(0)
        ids, starts, lens = self._stream(texts)
        lp = self._analyse(ids)["lp"]
        if not eos:
            lp[starts + lens] = 0.0
        lp[starts[-1] + lens[-1] + 1 :] = 0.0  # trailing padding
        return np.add.reduceat(lp, starts)

    def perplexity(self, texts: Sequence[str] | str) -> float:
        """Per-token perplexity over ``texts`` (each character and each sentence end is a token)."""
        if isinstance(texts, str):
            texts = [texts]
        total = float(self.score(texts).sum())
        n = sum(len(t) + 1 for t in texts)
        return float(10 ** (-total / n)) if n else float("nan")

    def next_logprobs(self, context: str, *, unk_penalty: bool = True) -> np.ndarray:
        """log10 P(id | context) for every vocabulary id (id 0 = sentence end, 1 = ``<unk>``).

        ``context`` starts at the sentence start; for a right-to-left model it
        is the text to the right of the predicted character.
        """
        keep = self.order - 1
        rev = context[::-1] if self.reverse else context
        tail = self.encode(rev[len(rev) - keep :] if keep else "")
        v = self.vocab_size
        w = tail.shape[0] + 2  # <s> (out of reach when the context is longer) + context + candidate
        mat = np.empty((v, w), dtype=np.int64)
        mat[:, 0] = SEP
        mat[:, 1:-1] = tail
        mat[:, -1] = np.arange(v)
        ids = np.concatenate([np.full(self.order - 1, SEP), mat.ravel(), np.full(self.order, SEP)])
        lp = self._analyse(ids)["lp"][self.order - 1 + np.arange(v) * w + w - 1]
        if not unk_penalty and self.unk_penalty:
            lp = lp - np.where(np.arange(v) == UNK, self.unk_penalty, 0.0)
        return lp

    def substitution_deltas(
        self, text: str, positions: Sequence[int] | np.ndarray, chars: str | Sequence[str] | np.ndarray
    ) -> np.ndarray:
        """Change in total log10 P when character ``positions[k]`` is replaced by ``chars[k]``.

        One independent substitution per entry; equals
        ``score(text with the edit) - score(text)`` (only the n-grams that
        touch the edited position are looked up).
        """
        pos = np.asarray(positions, dtype=np.int64)
        rows = np.zeros(pos.shape[0], dtype=np.int64)
        return self.substitution_deltas_batch([text], rows, pos, chars)

    def substitution_deltas_batch(
        self,
        texts: Sequence[str],
        rows: Sequence[int] | np.ndarray,
        positions: Sequence[int] | np.ndarray,
        chars: str | Sequence[str] | np.ndarray,
    ) -> np.ndarray:
        """:meth:`substitution_deltas` for many sentences at once: edit k is ``texts[rows[k]]``,
        position ``positions[k]``, new character ``chars[k]`` (or its code point)."""
        rows = np.asarray(rows, dtype=np.int64)
        pos = np.asarray(positions, dtype=np.int64)
        new = self.ids_of(chars)
        if not (rows.shape == pos.shape == new.shape):
            raise InputError("rows, positions and chars must have the same length")
        if rows.size == 0:
            return np.zeros(0)
        ids, starts, lens = self._stream(texts)
        if rows.min() < 0 or rows.max() >= len(texts):
            raise InputError("substitution row out of range")
        if pos.min() < 0 or (pos >= lens[rows]).any():
            raise InputError("substitution position out of range")
        if self.reverse:
            pos = lens[rows] - 1 - pos
        base = self._analyse(ids)
        return self._deltas(base, starts[rows] + pos, lens[rows] + starts[rows], new)

    def _deltas(self, base: dict[str, np.ndarray], g: np.ndarray, end: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Window deltas for edits at stream positions ``g`` (sentence end at ``end``) to ids ``new``.

        Per edit and offset ``o`` (the event at ``g + o``): ``nstar``/``best``,
        the longest matching n-gram ending there and its log10 prob, and
        ``b_prev[order-1, edit, o]``, the backoff of each context n-gram ending
        one position earlier (0 where not stored). Only n-grams containing the
        edit are looked up, shortest first, and only where both their prefix
        and suffix were found (the stored n-grams are prefix- and suffix-closed,
        so the found orders always form a run from 1). Edits at one position
        (consecutive in ``g``) share the window of the unedited text, gathered once.
        The sums are those of :meth:`_events`, in the same order (bit-identical).
        """
        n_ord = self.order
        ids = base["ids"]
        found = base["found"]
        k = g.shape[0]
        first = np.empty(k, dtype=bool)
        first[:1] = True
        np.not_equal(g[1:], g[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, k))
        here_u = g[starts][:, None] + np.arange(n_ord)  # (positions, offsets)
        # the unedited text: longest match at g+o among the orders <= o (the n-grams without the edit)
        nb = np.take(found, here_u, axis=1).view(np.uint8).sum(axis=0, dtype=np.uint8)
        nb = np.minimum(nb, np.arange(n_ord, dtype=np.uint8))
        pick = np.maximum(nb.astype(np.intp) - 1, 0)[None]
        best_u = np.take_along_axis(np.take(base["p"], here_u, axis=1), pick, axis=0)[0].astype(self._grid_dtype)
        prev_u = here_u - 1
        ctx_found = np.take(found[: n_ord - 1], prev_u, axis=1)
        b_u = np.where(ctx_found, np.take(base["b"][: n_ord - 1], prev_u, axis=1), 0.0).astype(self._grid_dtype)
        for o in range(1, n_ord):  # forget every context that contains the edit
            b_u[o - 1 :, :, o] = 0
        left_u = np.take(found[: n_ord - 1], g[starts] - 1, axis=1)  # n-grams ending just before the edit
        nstar = np.repeat(nb, counts, axis=0)
        nstar[:, 0] = 1
        best = np.repeat(best_u, counts, axis=0)
        best[:, 0] = self._uni_p[new]
        b_prev = np.repeat(b_u, counts, axis=1)
        if n_ord > 1:
            b_prev[0, :, 1] = self._uni_b[new]
        d = np.repeat(np.minimum(np.take(base["d"], here_u), 255).astype(np.uint8), counts, axis=0)
        valid = np.repeat(here_u <= end[starts][:, None], counts, axis=0)
        left0 = np.repeat(left_u, counts, axis=1)
        hashes = np.zeros((n_ord, k), dtype=np.uint64)  # hash of the current-length n-gram ending at g+o
        hashes[0] = _step(np.full(k, _SEED, dtype=np.uint64), new)
        h_left = base["h"]
        for n in range(2, n_ord + 1):
            rs, os_, hs = [], [], []
            nxt = np.zeros_like(hashes)
            have = nstar >= np.uint8(n - 1)  # the (n-1)-gram ending at g+o was found
            ok = have & (d >= np.uint8(n - 1)) & valid
            for o in range(n):
                left = left0[n - 2] if o == 0 else have[:, o - 1]
                r = np.flatnonzero(ok[:, o] & left)
                if o == 0:  # n-1 characters of left context, then the new one
                    hr = _step(np.take(h_left[n - 2], g[r] - 1), new[r])
                else:
                    hr = _step(hashes[o - 1, r], np.take(ids, g[r] + o))
                nxt[o, r] = hr
                rs.append(r)
                os_.append(np.full(r.shape[0], o, dtype=np.int64))
                hs.append(hr)
            hashes = nxt
            r = np.concatenate(rs)
            if r.size == 0:
                break
            o = np.concatenate(os_)
            idx = self._lookup(np.concatenate(hs))
            hit = idx >= 0
            flat, o, idx = r[hit] * n_ord + o[hit], o[hit], idx[hit]
            nstar.reshape(-1)[flat] = n
            best.reshape(-1)[flat] = self._pval(idx)
            if n < n_ord:  # also the context of the next offset's event
                inner = o + 1 < n_ord
                b_prev[n - 1].reshape(-1)[flat[inner] + 1] = self._bval(idx[inner])
        # events as in _events: the best match plus the backoffs of the contexts longer than it
        ctx = np.minimum(d, np.uint8(n_ord - 1))
        j = np.arange(n_ord - 1, dtype=np.uint8).reshape(n_ord - 1, 1, 1)
        m = (j + 1 >= nstar) & (j < ctx)
        lp = best.astype(np.float64) + np.where(m, b_prev, b_prev.dtype.type(0)).sum(axis=0, dtype=np.float64)
        here = g[:, None] + np.arange(n_ord)
        if self.unk_penalty:
            tok = np.take(ids, here)
            tok[:, 0] = new
            lp = lp + np.where(tok == UNK, self.unk_penalty, 0.0)
        old = np.take(base["lp"], here)
        return np.where(valid, lp - old, 0.0).sum(axis=1)

    # ------------------------------------------------------------------ info
    @property
    def chars(self) -> str:
        """The vocabulary as a string of normalised characters (ids 2..)."""
        return "".join(map(chr, self.vocab_codepoints[2:].tolist()))

    def info(self) -> dict[str, Any]:
        """The model's header (build parameters, corpus, n-gram counts), without the array table."""
        return {k: v for k, v in self.header.items() if k not in ("arrays", "data_offset")}

    def __repr__(self) -> str:
        direction = "right-to-left" if self.reverse else "left-to-right"
        return f"LanguageModel({self.path!r}, order={self.order}, {direction}, ngrams={self._fp.shape[0]})"
