"""Recall of the similarity graph: is the correction of a real error among the top-K neighbours of the wrong character?

For every position where source and target differ (both Han) in

(a) the held-out slice of the SIGHAN-13/14/15 train sets (one sentence in five,
    :func:`cjkglyph._splits.graph_heldout`; the ranker never saw it), and
(b) sighan14_test.tsv (the development set),

counts the share whose target is among the first K neighbours of the source,
K = 5, 10, 20, 40, 100 (pairs outside the vocabulary count as misses). Also per
kind of error (by pinyin: same syllable and tone, same syllable other tone,
one of initial/final different, other), per relation filter (``--kind``
lists), the average neighbour count, and the build time of the graph.

For reference (numbers from the literature, not recomputed here): SIGHAN-2013's
hand-made confusion set reaches about 89% with ~86 unranked neighbours per
character, pycorrector's about 73% with 17.

    python benchmarks/bench_graph.py [--shared ../shared] [--no-build]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from cjkglyph._splits import CSC_DEV_FILE, CSC_TRAIN_FILES, need_data

REPO = Path(__file__).resolve().parent.parent

KS = (5, 10, 20, 40, 100)


def error_kind(a: str, b: str) -> str:
    """How the two characters' readings relate (any heteronym counts)."""
    from cjkglyph.pinyin import heteronyms
    from cjkglyph.pinyin.syllable import split_syllable

    ra, rb = heteronyms(a), heteronyms(b)
    if set(ra) & set(rb):
        return "same-sound-same-tone"
    if {x[:-1] for x in ra} & {x[:-1] for x in rb}:
        return "same-sound-other-tone"
    pa = [split_syllable(x)[:2] for x in ra]
    pb = [split_syllable(x)[:2] for x in rb]
    if any((i == j) != (f == g) for i, f in pa for j, g in pb):
        return "one-part-differs"
    return "other"


def ranks(g, pairs: list[tuple[str, str]], kind: str = "any") -> list[int]:  # type: ignore[no-untyped-def]
    """Rank (0 = first) of the right character among the wrong one's neighbours; 10**6 when absent."""
    out = []
    for a, b in pairs:
        lst = g.confusion_set(a, 255, kind) if a in g else []
        out.append(lst.index(b) if b in lst else 10**6)
    return out


def table(title: str, g, pairs: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    print(f"\n{title}: {len(pairs)} error pairs, {len(set(pairs))} distinct")
    head = "".ljust(26) + "".join(f"@{k}".rjust(8) for k in KS)
    print(head)
    r = np.array(ranks(g, pairs))
    print("all".ljust(26) + "".join(f"{(r < k).mean() * 100:7.1f}%" for k in KS))
    kinds = [error_kind(a, b) for a, b in pairs]
    counts = Counter(kinds)
    for name in ("same-sound-same-tone", "same-sound-other-tone", "one-part-differs", "other"):
        sel = np.array([k == name for k in kinds])
        if sel.any():
            label = f"  {name} ({sel.mean() * 100:.0f}%)"
            print(label.ljust(26) + "".join(f"{(r[sel] < k).mean() * 100:7.1f}%" for k in KS))
    for kind in ("phonetic", "visual"):
        rk = np.array(ranks(g, pairs, kind))
        print(f"--kind {kind} lists".ljust(26) + "".join(f"{(rk < k).mean() * 100:7.1f}%" for k in KS))
    assert sum(counts.values()) == len(pairs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--no-build", action="store_true", help="skip timing a fresh build (use the cached graph only)")
    args = ap.parse_args(argv)
    need_data(args.shared / "benchmarks" / "csc", "the SIGHAN CSC sets (benchmarks/csc/ under --shared)")
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    import numpy as np

    from cjkglyph.graph.confusion import read_parallel_pairs
    from cjkglyph.graph.features import FeatureContext
    from cjkglyph.graph.ranker import Ranker
    from cjkglyph.graph.similarity import _build, build_graph

    csc = args.shared / "benchmarks" / "csc"
    heldout = [(p.wrong, p.right) for f in CSC_TRAIN_FILES for p in read_parallel_pairs(csc / f) if p.heldout]
    test = [(p.wrong, p.right) for p in read_parallel_pairs(csc / CSC_DEV_FILE)]

    t0 = time.perf_counter()
    g = build_graph()
    t_load = time.perf_counter() - t0
    print(f"graph: {len(g)} characters, load/build {t_load:.1f}s (cache key {g.key})")
    if not args.no_build:
        t0 = time.perf_counter()
        ctx = FeatureContext()
        for name in ("readings", "logf", "unihan", "ids", "emb"):
            getattr(ctx, name)
        t_feat = time.perf_counter() - t0
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        _build(ctx, Ranker.load(), 100)
        print(
            f"fresh build from cached features: {time.perf_counter() - t0:.1f}s wall, {time.process_time() - cpu0:.1f}s CPU "
            f"(+ {t_feat:.1f}s to load the per-character features)"
        )
    counts = (np.asarray(g.neighbors) >= 0).sum(axis=1)
    print("average neighbours per character (all kinds): " + ", ".join(f"@{k} {np.minimum(counts, k).mean():.1f}" for k in KS))
    nbytes = sum(np.asarray(a).nbytes for a in (g.neighbors, g.scores, g.relations))
    print(f"cached arrays: {nbytes / 2**20:.1f} MiB (int32 neighbours, float16 scores, uint8 relations)")
    table("(a) held-out slice of SIGHAN-13/14/15 train", g, heldout)
    table("(b) sighan14_test (development set)", g, test)
    return 0


if __name__ == "__main__":
    sys.exit(main())
