#!/usr/bin/env python3
"""Rebuild the shipped character language model data/lm/zh_char.lm.

Trained on ../shared/corpus (build-only data, never shipped): every file except
deb_fortunes-zh (classical poetry), with laws_LawRefBook down-sampled to one
line in four (it is half of the text); the tune and test parts of cjkglyph._splits.corpus_part (6% of lines) are held out
for perplexity. Also reports perplexity on the target side of the SIGHAN train
files (never on sighan14_test.tsv, the development set).

Order 5, keeping n-grams seen at least 1/2/3/4 times (orders 2/3/4/5): about
4.8M n-grams, 33 MB; held-out perplexity 31.1 (22 MB with --prune 1,3,4,5: 33.9).
The larger model gains 1.4 points of abbreviation accuracy@1 over the smaller one
(benchmarks/bench_abbrev.py, reporting half: 54.2 vs 52.8); a right-to-left model
(--reverse) scored the same as the left-to-right one for spelling correction, so
none ships.

Runtime on 2 shared cores (nice -n 10): 2-3 min; peak memory 3.4 GB.

    nice -n 10 python scripts/build_lm.py
    nice -n 10 python scripts/build_lm.py --reverse      # also data/lm/zh_char_rev.lm
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from cjkglyph._splits import EVAL_SETS, LM_SAMPLE, corpus_part, need_data
from cjkglyph.lm import LanguageModel
from cjkglyph.lm.build import (
    ContainmentFilter,
    CorpusStats,
    iter_corpus,
    parse_sample,
    read_sentences,
    train_lines,
    write_model,
)

REPO = Path(__file__).resolve().parent.parent


def heldout(line: str) -> bool:
    """Lines kept out of training: the 'tune' and 'test' parts of the corpus split."""
    return corpus_part(line) != "train"


def sighan_targets(bench: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in ("sighan13_train", "sighan14_train", "sighan15_train"):
        path = bench / f"{name}.tsv"
        if path.exists():
            rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
            out[name] = [r[1] for r in rows if len(r) >= 2 and r[1]]
    return out


def build(args: argparse.Namespace, reverse: bool, out: Path) -> None:
    corpus = Path(args.corpus)
    files = sorted(corpus.glob("*.txt.xz"))
    if not files:
        sys.exit(f"no *.txt.xz files in {corpus}")
    stats = CorpusStats()
    t0 = time.time()
    evals = [Path(args.bench).parent / name for name in EVAL_SETS]
    exclude = ContainmentFilter(read_sentences([p for p in evals if p.exists()]))
    lines = list(iter_corpus(files, parse_sample(LM_SAMPLE), holdout=heldout, stats=stats, exclude=exclude))
    print(f"excluded {sum(f['excluded'] for f in stats.files)} lines containing one of {len(exclude)} evaluation sentences", flush=True)
    t_read = time.time() - t0
    meta = {
        "trained_on": "cjkglyph shared corpus (modern Simplified Chinese: reviews, Wikipedia, app descriptions, "
        "science abstracts, news headlines, essays/fiction passages, software manuals, PRC laws); "
        "fortunes-zh skipped, laws 1 line in 4, lines containing evaluation sentences (abbrev dev, CPP dev, "
        "SIGHAN-14 test) removed; "
        "the 6% of lines that cjkglyph._splits.corpus_part puts in 'tune'/'test' held out",
        "corpus_files": [f for f in stats.files],
        "built_by": "scripts/build_lm.py",
    }
    header, arrays = train_lines(
        lines,
        order=args.order,
        prune=[int(x) for x in args.prune.split(",")],
        min_count=args.min_count,
        reverse=reverse,
        quantize=True,
        meta=meta,
        log=lambda m: print(m, flush=True),
    )
    del lines
    t_train = time.time() - t0 - t_read
    write_model(out, header, arrays)
    del arrays
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.time()
    lm = LanguageModel.load(out)
    t_load = time.time() - t1
    print(f"wrote {out}: {out.stat().st_size / 1e6:.1f} MB; read {t_read:.0f}s, train {t_train:.0f}s, "
          f"load {t_load * 1000:.0f} ms, peak RSS {rss:.0f} MB", flush=True)
    print("n-grams per order:", header["ngrams"], "of", header["ngrams_seen"], flush=True)
    report = {"heldout": lm.perplexity(stats.heldout)}
    for name, targets in sighan_targets(Path(args.bench)).items():
        report[name + "_target"] = lm.perplexity(targets)
    print("perplexity:", json.dumps({k: round(v, 2) for k, v in report.items()}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--bench", default=str(REPO.parent / "shared" / "benchmarks" / "csc"))
    ap.add_argument("--out-dir", default=str(REPO / "data" / "lm"))
    ap.add_argument("--order", type=int, default=5)
    ap.add_argument("--prune", default="1,2,3,4", help="minimum count for orders 2..N (default: %(default)s)")
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--reverse", action="store_true", help="also build zh_char_rev.lm, a right-to-left model (not shipped)")
    ap.add_argument("--only-reverse", action="store_true", help="build only the right-to-left model")
    ap.add_argument("--suffix", default="", help="file name suffix, for experiments")
    args = ap.parse_args()
    need_data(args.corpus, "the shared corpus (corpus/)")
    os.makedirs(args.out_dir, exist_ok=True)
    if not args.only_reverse:
        build(args, False, Path(args.out_dir) / f"zh_char{args.suffix}.lm")
    if args.reverse or args.only_reverse:
        build(args, True, Path(args.out_dir) / f"zh_char_rev{args.suffix}.lm")


if __name__ == "__main__":
    main()
