"""Benchmark the pinyin-abbreviation decoder on ../shared/benchmarks/abbrev/dev.tsv.

Each line: abbreviated sentence, gold expansion, original sentence (one word
replaced by the first letters of its syllables). A prediction is right when the
whole decoded line equals the original sentence.

The file is split once with a fixed seed into a tuning half (used to diagnose
errors and choose feature families) and a reporting half; both are reported.
Neither half trains anything: the ranking weights are fitted on synthetic
examples from held-out corpus lines (scripts/train_abbrev_ranker.py), and the
shipped character LM and word statistics were built without the lines that
contain dev.tsv sentences. Also run: the context-free dictionary-frequency
baseline (same lexicon and segmentation, no language model or context), whose
speed is the reference for the speed ratio.

    python benchmarks/bench_abbrev.py [--data PATH] [--lm FILE] [--model DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from cjkglyph.abbrev import AbbreviationDecoder

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent


def read(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                rows.append((parts[0], parts[1], parts[2]))
    return rows


def split(rows: list[tuple[str, str, str]], seed: int) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The fixed tuning/reporting halves."""
    idx = list(range(len(rows)))
    random.Random(seed).shuffle(idx)
    half = len(rows) // 2
    return [rows[i] for i in idx[:half]], [rows[i] for i in idx[half:]]


def evaluate(dec: AbbreviationDecoder, rows: list[tuple[str, str, str]], k: int = 10) -> dict[str, float]:
    acc = mrr = 0.0
    start = time.perf_counter()
    for src, _gold, orig in rows:
        texts = [c["text"] for c in dec.decode(src, k)["candidates"]]
        if texts and texts[0] == orig:
            acc += 1
        if orig in texts:
            mrr += 1 / (texts.index(orig) + 1)
    elapsed = time.perf_counter() - start
    n = max(1, len(rows))
    return {"acc": 100 * acc / n, "mrr": 100 * mrr / n, "ms": 1000 * elapsed / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "benchmarks" / "abbrev" / "dev.tsv"))
    ap.add_argument("--lm", default="default", help="character LM file (default: the shipped one)")
    ap.add_argument("--model", help="masked LM / CNMBert directory for neural re-ranking")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, help="use only the first N lines of each half")
    ap.add_argument("-k", type=int, default=10)
    args = ap.parse_args()
    need_data(args.data, "the abbreviation dev set (benchmarks/abbrev/dev.tsv)")

    rows = read(Path(args.data))
    tune, report = split(rows, args.seed)
    if args.limit:
        tune, report = tune[: args.limit], report[: args.limit]

    # context-free: lexicon frequencies, a per-word penalty and the curated-slang bonus only
    baseline = AbbreviationDecoder(lm=None, word_context=None, weights={"lexicon": 1.0, "words": -3.0, "curated": 3.0})
    options = {}
    if args.model:
        from cjkglyph.abbrev.neural import load_reranker

        options["reranker"] = load_reranker(args.model)
    decoder = AbbreviationDecoder(lm=args.lm, **options)
    # warm up: lexicon, LM, word statistics, jieba and lazy tables are loaded before timing
    decoder.decode("真的bhys，我来晚了")
    baseline.decode("真的bhys，我来晚了")

    print(f"data: {args.data} ({len(rows)} lines; seed {args.seed}: tuning {len(tune)}, reporting {len(report)})")
    print(f"{'half':<10} {'system':<22} {'acc@1':>7} {'MRR@10':>7} {'ms/sent':>8} {'x baseline':>10}")
    for name, part in (("tuning", tune), ("reporting", report)):
        # a fresh cache per half so timings include the lexicon search
        baseline.clear_cache()
        decoder.clear_cache()
        b = evaluate(baseline, part, args.k)
        decoder.clear_cache()
        d = evaluate(decoder, part, args.k)
        print(f"{name:<10} {'dictionary frequency':<22} {b['acc']:7.1f} {b['mrr']:7.1f} {b['ms']:8.2f} {1.0:10.2f}")
        label = "lexicon + LM + context" + (" + neural" if args.model else "")
        print(f"{name:<10} {label:<22} {d['acc']:7.1f} {d['mrr']:7.1f} {d['ms']:8.2f} {d['ms'] / max(b['ms'], 1e-9):10.2f}")


if __name__ == "__main__":
    main()
