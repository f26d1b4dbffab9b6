"""``cjkglyph abbrev``: expand pinyin abbreviations (``bhys`` -> ``不好意思``) in context."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..abbrev.decoder import MAX_RUN
from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="expand pinyin abbreviations (bhys -> 不好意思) in context",
        description=(
            "Decode every run of lowercase ASCII letters in each line (first letters of syllables, zh/ch/sh as one "
            "or two letters, full syllables mixed in) into Chinese characters, chosen with a word lexicon, the "
            "character language model, word statistics (neighbouring words, topic of the line) and, where the "
            "best candidates are close, the character encoder fine-tuned to read the typed letters (CNMBert-style), "
            "using the context on both sides. Every run "
            "is decoded (except runs longer than --max-run letters, counted on stderr); English words and common "
            "Latin tokens are kept unless --no-keep-english. Several runs in a line are decoded one "
            "after the other, each seeing the others' best expansions. text: the best line; jsonl/json: "
            '{"source", "runs", "candidates": [{"text", "expansion", "expansions", "score"}]} best first.'
        ),
    )
    p.add_argument("-k", type=int, default=10, metavar="K", help="candidates per line (default: %(default)s)")
    p.add_argument(
        "--keep-english",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="leave runs that read as English words or common Latin tokens alone (app, ok, wifi, vip, hello; two-letter "
        "and vowel-less runs such as my, cs, xxx are still decoded); --no-keep-english decodes them too (default: keep)",
    )
    p.add_argument(
        "--max-run",
        type=int,
        default=MAX_RUN,
        metavar="N",
        help="runs longer than N letters are left as they are and counted on stderr (default: %(default)s); "
        "every shorter run is decoded, however many a line holds",
    )
    p.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="WORDS|FILE",
        help="leave these runs alone: comma-separated words, or a file with one word per line (repeatable)",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="re-rank with a local masked LM (BertForMaskedLM-like) or CNMBert checkpoint directory (needs torch)",
    )
    p.add_argument("--device", default=None, help="torch device for --model (default: cpu)")
    p.add_argument("--lm", metavar="FILE", help="character LM file to use instead of the shipped one")
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def _keep_words(specs: list[str]) -> frozenset[str]:
    import os

    from ..errors import InputError

    words: set[str] = set()
    for spec in specs:
        if os.path.isfile(spec):
            try:
                with open(spec, encoding="utf-8") as f:
                    words.update(w.strip() for w in f if w.strip())
            except (OSError, UnicodeDecodeError) as e:
                raise InputError(f"cannot read --keep file {spec}: {e}") from None
        else:
            words.update(w.strip() for w in spec.split(",") if w.strip())
    return frozenset(words)


def run(args: argparse.Namespace) -> int:
    from ..pipelines.abbreviation import AbbreviationPipeline
    from ..errors import InputError

    if args.k < 1:
        raise InputError("-k must be at least 1")
    if args.max_run < 1:
        raise InputError("--max-run must be at least 1")
    options: dict[str, Any] = {}
    if not args.keep_english:
        options["keep_english"] = False
    if args.max_run != MAX_RUN:
        options["max_run"] = args.max_run
    if args.keep:
        options["keep"] = _keep_words(args.keep)
    if args.lm:
        options["lm"] = args.lm
    pipe = AbbreviationPipeline(k=args.k, model=args.model, device=args.device, **options)

    def best(r: dict[str, Any]) -> str:
        return str(r["candidates"][0]["text"])

    skipped = [0, 0]  # runs, lines

    def process(texts: list[str]) -> list[dict[str, Any]]:
        out = pipe.batch(texts)
        for r in out:
            if r.get("skipped"):
                skipped[0] += len(r["skipped"])
                skipped[1] += 1
        return out

    code = _io.run_records(
        args,
        process,
        to_text=best,
        to_tsv=lambda r: f"{_io.tsv_field(r['source'])}\t{_io.tsv_field(best(r))}\t{_io.tsv_field(r['candidates'][0]['expansion'])}",
        tsv_header="source\ttext\texpansion",
    )
    if skipped[0]:
        print(
            f"abbrev: {skipped[0]} run(s) in {skipped[1]} line(s) longer than {args.max_run} letters left as they are "
            "(--max-run N to decode longer runs)",
            file=sys.stderr,
        )
    return code
