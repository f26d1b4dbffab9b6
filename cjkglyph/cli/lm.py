"""``cjkglyph lm``: train a character language model on your own text, score text, show a model's header.

    cjkglyph lm train notes/*.txt -o mydomain.lm --order 5 --prune 1,2,3,4
    cjkglyph lm score "我们今天去公园玩" --lm mydomain.lm --format jsonl
    cjkglyph lm info mydomain.lm
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="character n-gram language model: train on your text, score lines",
        description="Character n-gram language models (interpolated modified Kneser-Ney, pruned). "
        "Scores are log10 probabilities; each line is one sentence.",
    )
    lsub = p.add_subparsers(dest="lm_command", metavar="ACTION", parser_class=type(p))

    t = lsub.add_parser(
        "train",
        help="build a model from text files (one paragraph per line)",
        description="Build a model from .txt/.txt.xz/.txt.gz files, one paragraph or sentence per line. "
        "The whole corpus is held in memory (peak about 150 bytes per character: 3.4 GB for 22M).",
    )
    t.add_argument("corpus", nargs="+", metavar="CORPUS", help="training files (.txt, .txt.xz, .txt.gz, .txt.bz2)")
    t.add_argument("-o", "--output", required=True, metavar="FILE", help="model file to write")
    t.add_argument("--order", type=int, default=5, help="n-gram order (default: %(default)s)")
    t.add_argument(
        "--prune",
        metavar="K",
        help="minimum count kept: one number for every order >= 2, or one per order 2..N "
        "(comma-separated, non-decreasing; default 1,2,2,3,3,... for orders 2,3,4,5,6,...)",
    )
    t.add_argument("--min-count", type=int, default=2, help="rarer characters become <unk> (default: %(default)s)")
    t.add_argument(
        "--sample",
        action="append",
        default=[],
        metavar="GLOB=RATE",
        help="keep this fraction of the lines of files whose name matches GLOB (0 skips them); repeatable",
    )
    t.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="FILE",
        help="drop training lines containing any sentence (tab-separated field) of FILE, e.g. an evaluation set; repeatable",
    )
    t.add_argument("--reverse", action="store_true", help="right-to-left model (scores each character given its right context)")
    t.add_argument("--no-quantize", action="store_true", help="store float32 values instead of 8-bit codes (larger)")
    t.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    t.set_defaults(run=run_train)

    s = lsub.add_parser(
        "score",
        help="log10 probability and perplexity of each line",
        description="Print each line's total log10 probability, token count (characters + sentence end) and perplexity.",
    )
    s.add_argument("--lm", metavar="FILE", help="model file (default: the shipped model)")
    _io.add_io_arguments(s, formats=("text", "json", "jsonl", "tsv"))
    s.set_defaults(run=run_score)

    i = lsub.add_parser("info", help="print a model file's header (build parameters, corpus, n-gram counts) as JSON")
    i.add_argument("model", nargs="?", metavar="FILE", help="model file (default: the shipped model)")
    i.set_defaults(run=run_info)

    p.set_defaults(run=lambda args: (p.print_help(sys.stderr), 2)[1])
    return p


def _prune(spec: str | None, order: int) -> list[int] | None:
    from ..errors import InputError

    if spec is None:
        return None
    try:
        vals = [int(x) for x in spec.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"bad --prune {spec!r}: give counts like 2 or 1,2,3,4") from None
    if len(vals) == 1:
        return [1] + vals * (order - 1)
    return [1, *vals]


def run_train(args: argparse.Namespace) -> int:
    from ..lm.build import ContainmentFilter, CorpusStats, iter_corpus, parse_sample, read_sentences, train_lines, write_model

    sample = parse_sample(args.sample)
    stats = CorpusStats()
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    exclude = ContainmentFilter(read_sentences(args.exclude)) if args.exclude else None
    lines = iter_corpus(args.corpus, sample, stats=stats, exclude=exclude)
    header, arrays = train_lines(
        lines,
        order=args.order,
        prune=_prune(args.prune, args.order),
        min_count=args.min_count,
        reverse=args.reverse,
        quantize=not args.no_quantize,
        meta={"corpus_files": stats.files, "built_by": "cjkglyph lm train"},
        log=log,
    )
    path = write_model(args.output, header, arrays)
    if log:
        log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, {sum(header['ngrams'])} n-grams)")
    return 0


def run_score(args: argparse.Namespace) -> int:
    from ..lm import LanguageModel

    lm = LanguageModel.load(args.lm)

    def process(batch: list[str]) -> list[dict[str, Any]]:
        scores = lm.score(batch)
        out = []
        for text, lp in zip(batch, scores.tolist()):
            n = len(text) + 1
            out.append({"text": text, "logprob": round(lp, 4), "tokens": n, "ppl": round(10 ** (-lp / n), 3)})
        return out

    return _io.run_records(
        args,
        process,
        to_text=lambda r: f"{r['logprob']:.4f}\t{r['ppl']:.3f}\t{r['text']}",
        to_tsv=lambda r: f"{_io.tsv_field(r['text'])}\t{r['logprob']}\t{r['tokens']}\t{r['ppl']}",
        tsv_header="text\tlogprob\ttokens\tppl",
    )


def run_info(args: argparse.Namespace) -> int:
    from ..lm import LanguageModel

    lm = LanguageModel.load(args.model, verify=True)
    print(_io.dumps(lm.info(), pretty=True))
    return 0
