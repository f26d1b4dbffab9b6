"""``cjkglyph tokenize``: SubChar tokenization of every record, offsets into the record.

Text output: the pieces of each record separated by spaces; ``--format jsonl``
gives ``{"text", "tokens", "ids", "offsets"}`` with ``[start, end)`` character
offsets into the original record (a piece that covers part of a character's
code maps to the whole character).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..subchar import SCHEMES
from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="split text into SubChar pieces (Wubi, Cangjie, stroke, pinyin or zhuyin codes)",
        description="Tokenize each record with a shipped SubChar tokenizer (or one saved by 'cjkglyph tokenizer train').",
    )
    p.add_argument("--scheme", choices=SCHEMES, default="wubi", help="shipped tokenizer to use (default: %(default)s)")
    p.add_argument("--tokenizer", metavar="DIR", help="a tokenizer directory instead of a shipped one")
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..pipelines.tokenization import SubCharPipeline

    pipe = SubCharPipeline(scheme=args.scheme, tokenizer=args.tokenizer)
    return _io.run_records(
        args,
        pipe.batch,
        to_text=lambda r: " ".join(r["tokens"]),
        to_tsv=lambda r: f"{_io.tsv_field(r['text'])}\t{_io.tsv_field(r['tokens'])}\t{_io.tsv_field(r['offsets'])}",
        tsv_header="text\ttokens\toffsets",
    )
