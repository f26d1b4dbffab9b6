"""``--shard I/N``: which records one of N independent jobs processes.

``stride`` (default) takes every N-th record starting at record I (0-based),
so shard outputs interleave back into the unsharded order; ``range`` takes the
I-th of N contiguous, near-equal blocks of records, so shard outputs simply
concatenate (it counts the file's lines first, so it needs ``-i FILE``).
Either way the shards of 0..N-1 partition the input and keep its order.

>>> from cjkglyph.cli._shard import parse_shard, shard_indices
>>> parse_shard("1/3")
(1, 3)
>>> list(shard_indices(8, (1, 3), "stride")), list(shard_indices(8, (1, 3), "range"))
([1, 4, 7], [2, 3, 4])
"""

from __future__ import annotations

import argparse

__all__ = ["SHARD_MODES", "Shard", "count_lines", "parse_shard", "shard_indices"]

SHARD_MODES = ("stride", "range")

Shard = tuple[int, int]


def parse_shard(spec: str) -> Shard:
    """``"I/N"`` -> ``(I, N)`` with ``0 <= I < N`` (an argparse type: a bad spec is a usage error)."""
    head, sep, tail = spec.partition("/")
    try:
        index, count = int(head), int(tail)
    except ValueError:
        index, count = -1, 0
    if not sep or count < 1 or not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"bad shard {spec!r}: give I/N with 0 <= I < N, e.g. 0/4")
    return index, count


def range_bounds(total: int, shard: Shard) -> tuple[int, int]:
    """``[start, stop)`` record indices of ``shard`` among ``total`` records in ``range`` mode."""
    index, count = shard
    return total * index // count, total * (index + 1) // count


def shard_indices(total: int, shard: Shard, mode: str = "stride") -> range:
    """The 0-based indices of the records ``shard`` takes out of ``total``, in order."""
    if mode == "range":
        return range(*range_bounds(total, shard))
    index, count = shard
    return range(index, total, count)


def count_lines(path: str) -> int:
    """Lines in a file as the CLI reads them (a last line without ``\\n`` counts)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")
