#!/usr/bin/env python3
"""Speed of the character language model: load time, score() sentences/s, substitution windows/s.

Sentences are the source side of ../shared/benchmarks/csc/sighan15_train.tsv
(never the development set); each Han character gets ``--cands`` random
replacement characters from the model's 3,000 most frequent, as a corrector
would generate. The baseline, run in the same process, rescoring every
substituted sentence with score(); the ratio is the speed-up of
substitution_deltas_batch over it.

    python benchmarks/bench_lm.py [--lm FILE] [--data ../shared/benchmarks/csc/sighan15_train.tsv]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np

from cjkglyph.lm import LanguageModel

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent


def best_of(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lm", default=None, help="model file (default: shipped)")
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "benchmarks" / "csc" / "sighan15_train.tsv"))
    ap.add_argument("--sentences", type=int, default=1000)
    ap.add_argument("--cands", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32, help="sentences per substitution_deltas_batch call")
    args = ap.parse_args()
    need_data(args.data, "a SIGHAN train set (benchmarks/csc/sighan15_train.tsv)")

    t = time.perf_counter()
    lm = LanguageModel.load(args.lm)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    LanguageModel(lm.header, {k: v for k, v in _arrays(lm).items()}, lm.path)
    t_index = time.perf_counter() - t
    print(f"model: {lm}  file {os.path.getsize(lm.path) / 1e6:.1f} MB")
    print(f"load (first, with checksum): {t_load * 1000:.0f} ms; constructor alone (mmap, no checksum): {t_index * 1000:.0f} ms")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings scale with it)")

    lines = [ln.split("\t")[0] for ln in Path(args.data).read_text(encoding="utf-8").splitlines() if ln.strip()]
    sents = lines[: args.sentences]
    chars = sum(len(s) for s in sents)
    dt = best_of(lambda: lm.score(sents))
    print(f"score(): {len(sents) / dt:,.0f} sentences/s ({chars / dt:,.0f} chars/s), batch of {len(sents)}")
    dt1 = best_of(lambda: [lm.score([s]) for s in sents[:200]], 1)
    print(f"score() one sentence per call: {200 / dt1:,.0f} sentences/s")

    rng = np.random.default_rng(0)
    pool = np.array([ord(c) for c in lm.chars[:3000] if "\u4e00" <= c <= "\u9fff"])
    rows, poss = [], []
    for r, s in enumerate(sents):
        for p, ch in enumerate(s):
            if "\u4e00" <= ch <= "\u9fff":
                rows.extend([r] * args.cands)
                poss.extend([p] * args.cands)
    rows_a = np.array(rows)
    pos_a = np.array(poss)
    cps = rng.choice(pool, rows_a.size)
    n_sub = rows_a.size
    print(f"{n_sub:,} substitutions ({n_sub / len(sents):.0f} per sentence, {args.cands} per Han character)")

    def run_batches() -> None:
        for b in range(0, len(sents), args.batch):
            m = (rows_a >= b) & (rows_a < b + args.batch)
            lm.substitution_deltas_batch(sents[b : b + args.batch], rows_a[m] - b, pos_a[m], cps[m])

    dt = best_of(run_batches, 2)
    print(f"substitution_deltas_batch: {n_sub / dt:,.0f} windows/s = {len(sents) / dt:,.0f} sentences/s "
          f"(batches of {args.batch} sentences, one core)")

    k = 3000
    sub_s = [sents[r][:p] + chr(c) + sents[r][p + 1 :] for r, p, c in zip(rows_a[:k], pos_a[:k], cps[:k])]
    dt_base = best_of(lambda: (lm.score(sub_s), lm.score([sents[r] for r in rows_a[:k]])), 2)
    base_rate = k / dt_base
    print(f"baseline (rescore each edited sentence with score()): {base_rate:,.0f} windows/s; "
          f"ratio {n_sub / dt / base_rate:.1f}x")
    d = lm.substitution_deltas_batch(sents, rows_a[:k], pos_a[:k], cps[:k])
    ref = lm.score(sub_s) - lm.score([sents[r] for r in rows_a[:k]])
    print(f"max |delta - rescored difference| = {np.abs(d - ref).max():.2e}")


def _arrays(lm: LanguageModel) -> dict[str, np.ndarray]:
    from cjkglyph.lm import read_model_file

    return read_model_file(lm.path, verify=False)[1]


if __name__ == "__main__":
    main()
