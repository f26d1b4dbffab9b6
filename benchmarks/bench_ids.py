#!/usr/bin/env python3
"""Timings of cjkglyph.ids: table load (cold and cached), reverse index, and IDS similarity at graph scale.

Usage: python benchmarks/bench_ids.py [--k 10] [--sample 200]

Each load timing runs in a fresh process with its own cache directory
(cold = empty cache, cached = second run). The similarity search over every
URO + Extension A character is compared with a brute-force numpy scan of the
same feature vectors (run on a sample of queries in this process and
extrapolated), which gives the same lists.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_LOAD = """
import time
t = time.perf_counter()
import cjkglyph.ids as I
I.ids("好")
t1 = time.perf_counter()
I.containing("氵", "left")
t2 = time.perf_counter()
from cjkglyph import unihan
unihan.strokes("好")
t3 = time.perf_counter()
print(f"{t1 - t:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
"""


def _run_load(cache: str) -> list[float]:
    env = dict(os.environ, CJKGLYPH_CACHE=cache)
    out = subprocess.run([sys.executable, "-c", _LOAD], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return [float(x) for x in out.stdout.split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--sample", type=int, default=200, help="queries for the brute-force baseline")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        cold = _run_load(cache)
        warm = _run_load(cache)
        print(f"ids table load: cold {cold[0]:.2f} s (parse + validate 108,425 sequences), cached {warm[0]:.2f} s")
        print(f"reverse index:  cold {cold[1]:.2f} s, cached {warm[1]:.2f} s")
        print(f"unihan table:   cold {cold[2]:.2f} s, cached {warm[2]:.2f} s")

        os.environ["CJKGLYPH_CACHE"] = cache
        import numpy as np

        from cjkglyph.ids.compare import IDSSimilarityIndex

        t = time.perf_counter()
        index = IDSSimilarityIndex()
        build = time.perf_counter() - t
        t = time.perf_counter()
        IDSSimilarityIndex()
        reload = time.perf_counter() - t
        n = len(index)
        print(f"similarity features for {n} URO + Ext A characters: build {build:.2f} s, cached {reload:.2f} s")

        t = time.perf_counter()
        idx, scores = index.top_k(args.k)
        exact = time.perf_counter() - t
        t = time.perf_counter()
        index.top_k(args.k, exact=False)
        fast = time.perf_counter() - t
        print(f"top-{args.k} neighbours of all {n}: {exact:.2f} s exact, {fast:.2f} s with exact=False")

        rng = np.random.default_rng(0)
        sample = rng.choice(n, size=min(args.sample, n), replace=False)
        rows = np.repeat(np.arange(n), np.diff(index.indptr))
        dense = np.zeros(index.n_features)
        t = time.perf_counter()
        agree = 0
        for q in sample:
            s, e = index.indptr[q], index.indptr[q + 1]
            dense[index.indices[s:e]] = index.data[s:e]
            inter = np.bincount(rows, np.minimum(dense[index.indices], index.data), minlength=n)
            dense[index.indices[s:e]] = 0.0
            sim = inter / (index.total[q] + index.total - inter)
            sim[q] = -1.0
            best = np.sort(sim)[::-1][: args.k]
            agree += bool(np.allclose(best, scores[q], atol=1e-5))
        brute = (time.perf_counter() - t) / len(sample) * n
        print(f"brute-force baseline (extrapolated from {len(sample)} queries): {brute:.1f} s")
        print(f"speed-up over brute force: {brute / exact:.1f}x; lists equal to brute force on {agree}/{len(sample)} queries")
        print(f"mean score of the {args.k}-th neighbour: {scores[:, -1].mean():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
