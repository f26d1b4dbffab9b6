"""Benchmark the pinyin-abbreviation decoder on ../shared/benchmarks/abbrev/dev.tsv.

Each line: abbreviated sentence, gold expansion, original sentence (one word
replaced by the first letters of its syllables). A prediction is right when the
whole decoded line equals the original sentence.

The file is split once with a fixed seed into a tuning half (used to diagnose
errors and choose feature families) and a reporting half; both are reported.
Neither half trains anything: the ranking weights are fitted on synthetic
examples from corpus 'tune' lines (scripts/train_abbrev_ranker.py), and the
shipped character LM and word statistics were built on 'train' lines without
the lines that contain dev.tsv sentences. Also run: the context-free
dictionary-frequency baseline (same lexicon and segmentation, no language model
or context), whose speed is the reference for the speed ratio, and the shipped
ranker's first stage alone (no encoder).

Transfer: the leave-one-genre-out table that scripts/train_abbrev_ranker.py
measured and stored in the ranker file (per genre: both stages fitted on the
'tune' examples of the other genres, measured on the 'test' examples of this
one; ``before``: the previous ranker file on the same examples).

    python benchmarks/bench_abbrev.py [--data PATH] [--lm FILE] [--model DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

from cjkglyph.abbrev import AbbreviationDecoder
from cjkglyph.resources import data_path

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
    ap.add_argument("--weights", help="ranker file (default: the shipped abbrev_ranker.json)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, help="use only the first N lines of each half")
    ap.add_argument("-k", type=int, default=10)
    args = ap.parse_args()
    need_data(args.data, "the abbreviation dev set (benchmarks/abbrev/dev.tsv)")

    if not Path(args.data).is_file():
        sys.exit(f"needs the abbreviation dev set (../shared/benchmarks/abbrev/dev.tsv): {args.data} not found")
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
    if args.weights:
        options["weights"] = args.weights
    decoder = AbbreviationDecoder(lm=args.lm, **options)
    systems = [("dictionary frequency", baseline)]
    if decoder.rescore:
        systems.append(("first stage (no encoder)", AbbreviationDecoder(lm=decoder.lm, encoder=None, letter_encoder=None, **options)))
    label = "two stages + encoder" if decoder.rescore else "lexicon + LM + context"
    systems.append((label + (" + neural" if args.model else ""), decoder))
    # warm up: lexicon, LM, word statistics, jieba, the encoder and lazy tables are loaded before timing
    for _, dec in systems:
        dec.decode("真的bhys，我来晚了")

    print(f"data: {args.data} ({len(rows)} lines; seed {args.seed}: tuning {len(tune)}, reporting {len(report)})")
    threads = os.environ.get("CJKGLYPH_THREADS") or "default"
    print(f"encoder threads: {threads}; timings include the lexicon search (fresh caches per half)")
    print(f"{'half':<10} {'system':<26} {'acc@1':>7} {'MRR@10':>7} {'ms/sent':>8} {'x baseline':>10}")
    for name, part in (("tuning", tune), ("reporting", report)):
        base_ms = None
        for label, dec in systems:
            dec.clear_cache()
            r = evaluate(dec, part, args.k)
            base_ms = base_ms or r["ms"]
            print(f"{name:<10} {label:<26} {r['acc']:7.1f} {r['mrr']:7.1f} {r['ms']:8.2f} {r['ms'] / max(base_ms, 1e-9):10.2f}")
    logo_table(Path(args.weights) if args.weights else data_path("lexicon", "abbrev_ranker.json"))


def logo_table(path: Path) -> None:
    """Print the leave-one-genre-out table stored in a ranker file."""
    logo = json.loads(path.read_text(encoding="utf-8")).get("logo")
    if not logo:
        print(f"{path}: no leave-one-genre-out table (rebuild with scripts/train_abbrev_ranker.py)")
        return
    cols = [c for c in ("before", "stage1", "after") if c in logo["mean"]]
    print(f"leave-one-genre-out (synthetic abbreviations of corpus 'test' lines; from {path.name}): acc@1 / MRR@10")
    print(f"{'left-out genre':<26} {'n':>5} {'recall':>6} " + " ".join(f"{c:>13}" for c in cols))
    for row in logo["per_genre"]:
        print(f"{row['genre']:<26} {row['examples']:5d} {row['recall']:6.1f} "
              + " ".join(f"{row[c][0]:6.1f} {row[c][1]:6.1f}" for c in cols))
    print(f"{'mean over genres':<26} {'':5} {'':6} " + " ".join(f"{logo['mean'][c][0]:6.1f} {logo['mean'][c][1]:6.1f}" for c in cols))


if __name__ == "__main__":
    main()
