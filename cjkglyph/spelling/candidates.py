"""Candidate corrections of the spelling checker: a compact snapshot of the similarity graph plus other sources.

For every character the checker may change, :class:`CandidateTable` lists
the characters it may become (CSR layout: ``ptr``, ``cand``), each with the
graph's score, rank and relation bits and the sources it came from. The shipped table
(``data/spellcheck/candidates.npz``, written by ``scripts/train_spellcheck.py``)
is the top of every row of :mod:`cjkglyph.graph.similarity`'s graph restricted to
characters the language model knows (:func:`graph_candidates`), so the checker
starts without building the graph.

Candidate sources are registered below with :func:`candidate_source`, one
function each (graph, observed learner errors, user confusion files); each
gets its bit in ``src`` and :func:`build_candidate_table` merges them in
registration order. A new source is one decorated function here.

>>> from cjkglyph.spelling.candidates import CandidateTable
>>> t = CandidateTable.from_pairs([("圆", "园"), ("圆", "元")])
>>> t.candidates("圆")
['园', '元']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ResourceError
from ..graph.similarity import RELATIONS

if TYPE_CHECKING:
    from ..graph.similarity import SimilarityGraph
    from ..lm import LanguageModel
    from .channel import ChannelStats

__all__ = [
    "CANDIDATES",
    "SOURCES",
    "SRC_GRAPH",
    "SRC_OBSERVED",
    "SRC_USER",
    "CandidateTable",
    "SourceInputs",
    "build_candidate_table",
    "candidate_source",
    "graph_candidates",
    "script_changes",
]

#: Shipped table, relative to ``data/``.
CANDIDATES = ("spellcheck", "candidates.npz")
_NO_RANK = 255


# --------------------------------------------------------------------------- sources


@dataclass
class SourceInputs:
    """What the candidate sources draw from: the graph's table, learner-error counts, user pairs."""

    graph: CandidateTable
    channel: ChannelStats | None = None
    user_pairs: Sequence[tuple[str, str]] = ()


Source = Callable[[SourceInputs], "CandidateTable | None"]
#: Source name -> (its ``src`` bit, its function), in merge order.
SOURCES: dict[str, tuple[int, Source]] = {}


def candidate_source(name: str) -> Callable[[Source], Source]:
    """Decorator: register a candidate source; its entries get the next ``src`` bit (at most 8 sources)."""

    def add(fn: Source) -> Source:
        SOURCES[name] = (1 << len(SOURCES), fn)
        return fn

    return add


@candidate_source("graph")
def _graph(inputs: SourceInputs) -> CandidateTable:
    """The similarity graph's best neighbours (the shipped table, or :func:`graph_candidates`)."""
    return inputs.graph


@candidate_source("observed")
def _observed(inputs: SourceInputs) -> CandidateTable | None:
    """Pairs seen in learner errors (the channel table's counts)."""
    if inputs.channel is None or not inputs.channel.pairs:
        return None
    return CandidateTable.from_pairs(list(inputs.channel.pairs), src=SRC_OBSERVED)


@candidate_source("user")
def _user(inputs: SourceInputs) -> CandidateTable | None:
    """Pairs from user confusion files."""
    return CandidateTable.from_pairs(inputs.user_pairs, src=SRC_USER) if inputs.user_pairs else None


SRC_GRAPH, SRC_OBSERVED, SRC_USER = (SOURCES[name][0] for name in ("graph", "observed", "user"))


def build_candidate_table(
    graph: CandidateTable, *, channel: ChannelStats | None = None, user_pairs: Sequence[tuple[str, str]] = ()
) -> CandidateTable:
    """The candidates of every registered source, merged in registration order (entries of earlier sources first)."""
    inputs = SourceInputs(graph, channel, user_pairs)
    table: CandidateTable | None = None
    for _, make in SOURCES.values():
        part = make(inputs)
        if part is not None:
            table = part if table is None else table.merge(part)
    assert table is not None
    return table.keep(~script_changes(table))


def script_changes(table: CandidateTable) -> np.ndarray:
    """Mask over the table's entries whose candidate is the wrong character's other-script form (们/們, 发/髮):
    spelling correction never converts between Simplified and Traditional (the user's own confusion pairs are kept)."""
    simp = _simplified_of()
    rows = np.repeat(table.chars, np.diff(table.ptr))

    def simplified(cps: np.ndarray) -> np.ndarray:
        inside = (cps >= _HAN_FROM) & (cps < _HAN_FROM + len(simp))
        return np.where(inside, simp[np.clip(cps - _HAN_FROM, 0, len(simp) - 1)], cps)

    hit = ((simplified(table.cand) == rows) | (simplified(rows) == table.cand)) & (rows != table.cand)
    return hit & ((table.src & SRC_USER) == 0)


_HAN_FROM = 0x3400  # Extension A, then URO: where Simplified/Traditional pairs live


@lru_cache(maxsize=1)
def _simplified_of() -> np.ndarray:
    """Code point of the Simplified form (OpenCC t2s) of every character from U+3400 to U+9FFF."""
    from ..script import simplified_aligned

    cps = np.arange(_HAN_FROM, 0xA000)
    lines = simplified_aligned("\n".join(map(chr, cps.tolist())))  # one per line: no phrase conversion across them
    return np.frombuffer(lines[::2].encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def graph_candidates(graph: SimilarityGraph, lm: LanguageModel, k: int = 40, k_rare: int = 10) -> CandidateTable:
    """The graph source for ``lm``: candidates restricted to its Han characters (see :meth:`CandidateTable.from_graph`),
    with character frequencies."""
    lm_han = "".join(c for c in lm.chars if "\u3400" <= c <= "\u9fff")
    return CandidateTable.from_graph(graph, lm_han, k, k_rare).with_frequencies()


# --------------------------------------------------------------------------- the table


@dataclass
class CandidateTable:
    """Rows: ``chars`` (sorted code points); row ``i``'s candidates are ``cand[ptr[i]:ptr[i+1]]``.

    Per entry: ``score`` (graph probability, 0 when not from the graph),
    ``rank`` (0-based rank in the graph row, 255 = absent), ``rel`` (relation
    bits), ``src`` (:data:`SRC_GRAPH` | :data:`SRC_OBSERVED` | :data:`SRC_USER`).
    ``logf`` holds character frequencies (log1p of jieba's summed word counts).
    """

    chars: np.ndarray  # int64 sorted code points
    ptr: np.ndarray  # int64 (n + 1,)
    cand: np.ndarray  # int64 code points
    score: np.ndarray  # float32
    rank: np.ndarray  # uint8
    rel: np.ndarray  # uint8
    src: np.ndarray  # uint8
    #: log1p(frequency) of characters (code point -> value), for the features; shipped with the table.
    logf: dict[int, float] = field(default_factory=dict)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_graph(cls, graph: SimilarityGraph, allowed: str | None = None, k: int = 40, k_rare: int = 10) -> CandidateTable:
        """The best neighbours of every graph character, candidates restricted to ``allowed`` (None = all).

        Characters in ``allowed`` keep ``k`` candidates, the others (rare
        characters, often themselves the error) ``k_rare``.
        """
        vocab = graph.vocab
        cps = np.frombuffer(vocab.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        ok_char = np.ones(len(vocab), dtype=bool)
        if allowed is not None:
            allow = np.frombuffer(allowed.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
            ok_char = np.isin(cps, allow)
        nb = np.asarray(graph.neighbors)
        valid = (nb >= 0) & ok_char[np.maximum(nb, 0)]
        rank = np.cumsum(valid, axis=1) - 1
        valid &= rank < np.where(ok_char, k, k_rare)[:, None]
        rows, cols = np.nonzero(valid)
        w = cps[rows]
        c = cps[nb[rows, cols]]
        return cls._assemble(
            w, c, np.asarray(graph.scores)[rows, cols].astype(np.float32), cols.astype(np.int64),
            np.asarray(graph.relations)[rows, cols], np.full(len(w), SRC_GRAPH, dtype=np.uint8),
        )  # fmt: skip

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], src: int = SRC_USER) -> CandidateTable:
        """A table of explicit (wrong, right) character pairs, in the order given."""
        w, c = [], []
        for a, b in pairs:
            if len(a) == 1 and len(b) == 1 and a != b:
                w.append(ord(a))
                c.append(ord(b))
        n = len(w)
        rel = 1 << 5 if src == SRC_USER else 1 << 4
        return cls._assemble(
            np.array(w, dtype=np.int64), np.array(c, dtype=np.int64), np.zeros(n, dtype=np.float32),
            np.full(n, _NO_RANK, dtype=np.int64), np.full(n, rel, dtype=np.uint8), np.full(n, src, dtype=np.uint8),
        )  # fmt: skip

    @classmethod
    def _assemble(
        cls, w: np.ndarray, c: np.ndarray, score: np.ndarray, rank: np.ndarray, rel: np.ndarray, src: np.ndarray
    ) -> CandidateTable:
        """Group entries by wrong character (stable: the given order is kept within a row); merge duplicates."""
        key = w * 0x110000 + c
        order = np.lexsort((np.arange(len(w)), w))
        w, c, key = w[order], c[order], key[order]
        score, rank, rel, src = score[order], rank[order], rel[order], src[order]
        # duplicates (same wrong and candidate): keep the first place, merge the flags
        uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
        rel_m = np.zeros(len(uniq), dtype=np.uint8)
        src_m = np.zeros(len(uniq), dtype=np.uint8)
        np.bitwise_or.at(rel_m, inv, rel)
        np.bitwise_or.at(src_m, inv, src)
        sc_m = np.zeros(len(uniq), dtype=np.float32)
        np.maximum.at(sc_m, inv, score)
        rk_m = np.full(len(uniq), _NO_RANK, dtype=np.int64)
        np.minimum.at(rk_m, inv, rank)
        keep = np.sort(first)
        pos_of = inv[keep]
        w, c = w[keep], c[keep]
        chars, starts = np.unique(w, return_index=True)
        ptr = np.append(starts, len(w)).astype(np.int64)
        return cls(
            chars.astype(np.int64), ptr, c.astype(np.int64), sc_m[pos_of], np.minimum(rk_m[pos_of], _NO_RANK).astype(np.uint8),
            rel_m[pos_of], src_m[pos_of],
        )  # fmt: skip

    def merge(self, other: CandidateTable) -> CandidateTable:
        """Union of two tables; entries of ``self`` come first in each row, flags of shared entries are merged."""
        rows_self = np.repeat(self.chars, np.diff(self.ptr))
        rows_other = np.repeat(other.chars, np.diff(other.ptr))
        out = CandidateTable._assemble(
            np.concatenate([rows_self, rows_other]), np.concatenate([self.cand, other.cand]),
            np.concatenate([self.score, other.score]), np.concatenate([self.rank, other.rank]).astype(np.int64),
            np.concatenate([self.rel, other.rel]), np.concatenate([self.src, other.src]),
        )  # fmt: skip
        out.logf = {**other.logf, **self.logf}
        return out

    def without(self, pairs: set[tuple[int, int]]) -> CandidateTable:
        """The table less some (wrong, candidate) code-point pairs."""
        if not pairs:
            return self
        rows = np.repeat(self.chars, np.diff(self.ptr))
        key = rows * 0x110000 + self.cand
        drop = np.isin(key, np.array([a * 0x110000 + b for a, b in pairs], dtype=np.int64))
        keep = ~drop
        out = CandidateTable._assemble(
            rows[keep], self.cand[keep], self.score[keep], self.rank[keep].astype(np.int64), self.rel[keep], self.src[keep]
        )
        out.logf = self.logf
        return out

    def keep(self, mask: np.ndarray) -> CandidateTable:
        """The table with only the entries where ``mask`` (over all entries, in order) is true."""
        if mask.all():
            return self
        row = np.repeat(np.arange(len(self.chars)), np.diff(self.ptr))
        counts = np.bincount(row[mask], minlength=len(self.chars))
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        out = CandidateTable(self.chars, ptr, self.cand[mask], self.score[mask], self.rank[mask], self.rel[mask], self.src[mask])
        out.logf = self.logf
        return out

    def with_frequencies(self) -> CandidateTable:
        """The table with :attr:`logf` filled for all its characters (reads jieba's dictionary)."""
        from ..graph.features import char_counts

        cps = np.unique(np.concatenate([self.chars, self.cand]))
        counts = np.log1p(char_counts(chars_of(cps)))
        self.logf = dict(zip(cps.tolist(), np.round(counts, 4).tolist()))
        return self

    # ------------------------------------------------------------------ lookups
    def __len__(self) -> int:
        return int(self.chars.shape[0])

    @property
    def n_entries(self) -> int:
        return int(self.cand.shape[0])

    def rows_of(self, cps: np.ndarray) -> np.ndarray:
        """Row index of each code point, -1 where it has no candidates."""
        cps = np.asarray(cps, dtype=np.int64)
        if not len(self.chars):
            return np.full(cps.shape, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.chars, cps), len(self.chars) - 1)
        return np.where(self.chars[at] == cps, at, -1)

    def entries(self, rows: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(owner, entry) index pairs: every candidate entry of each row (owner = index into ``rows``)."""
        rows = np.asarray(rows, dtype=np.int64)
        ok = rows >= 0
        lo = np.where(ok, self.ptr[np.maximum(rows, 0)], 0)
        n = np.where(ok, self.ptr[np.maximum(rows, 0) + 1] - lo, 0)
        if limit is not None:
            n = np.minimum(n, limit)
        owner = np.repeat(np.arange(len(rows)), n)
        start = np.repeat(lo - np.cumsum(n) + n, n)
        return owner, start + np.arange(int(n.sum()))

    def relation(self, entry: int) -> str:
        """Name of an entry's relation: its graph relation, else the source it came from (the last registered first)."""
        rel, src = int(self.rel[entry]), int(self.src[entry])
        for k, name in enumerate(RELATIONS[:4]):
            if rel >> k & 1:
                return name
        if src & SRC_GRAPH:
            return "observed"
        return next((name for name, (bit, _) in reversed(SOURCES.items()) if src & bit), "observed")

    def candidates(self, char: str) -> list[str]:
        """The candidate characters of ``char`` (graph order first)."""
        r = int(self.rows_of(np.array([ord(char)]))[0])
        if r < 0:
            return []
        return [chr(x) for x in self.cand[self.ptr[r] : self.ptr[r + 1]].tolist()]

    # ------------------------------------------------------------------ (de)serialisation
    def save(self, path: str | os.PathLike[str]) -> None:
        from ..resources import atomic_write

        with atomic_write(path, "wb") as f:
            np.savez_compressed(
                f, chars=self.chars.astype(np.int32), ptr=self.ptr.astype(np.int32), cand=self.cand.astype(np.int32),
                score=self.score.astype(np.float16), rank=self.rank, rel=self.rel, src=self.src,
                fchars=np.array(list(self.logf), dtype=np.int32), flogf=np.array(list(self.logf.values()), dtype=np.float32),
            )  # fmt: skip

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> CandidateTable:
        """The table at ``path`` (default: the shipped ``data/spellcheck/candidates.npz``)."""
        from ..resources import data_path

        p = Path(path) if path is not None else data_path(*CANDIDATES)
        try:
            with np.load(p, allow_pickle=False) as z:
                t = cls(
                    z["chars"].astype(np.int64), z["ptr"].astype(np.int64), z["cand"].astype(np.int64),
                    z["score"].astype(np.float32), z["rank"].astype(np.uint8), z["rel"].astype(np.uint8), z["src"].astype(np.uint8),
                    dict(zip(z["fchars"].tolist(), z["flogf"].astype(np.float64).tolist())) if "fchars" in z.files else {},
                )  # fmt: skip
        except FileNotFoundError:
            raise ResourceError(f"missing candidate table {p}; rebuild it with scripts/train_spellcheck.py") from None
        except (OSError, ValueError, KeyError) as e:
            raise ResourceError(f"corrupt candidate table {p}: {e}; rebuild it with scripts/train_spellcheck.py") from None
        if t.ptr.shape != (len(t.chars) + 1,) or int(t.ptr[-1]) != len(t.cand) or any(
            a.shape != t.cand.shape for a in (t.score, t.rank, t.rel, t.src)
        ):
            raise ResourceError(f"corrupt candidate table {p}: inconsistent shapes; rebuild it with scripts/train_spellcheck.py")
        return t


def chars_of(cps: Sequence[int] | np.ndarray) -> str:
    """Code points back to a string."""
    return "".join(map(chr, np.asarray(cps).tolist()))
