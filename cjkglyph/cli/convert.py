"""``cjkglyph convert``: Simplified/Traditional conversion and every registered target."""

from __future__ import annotations

import argparse
from typing import Any

from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    from ..conversion import decoders, targets

    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="convert text: simplified/traditional/taiwan/hongkong and other targets",
        description="Convert each record. Chinese scripts go through OpenCC's phrase-level configurations.",
    )
    p.add_argument("--to", choices=targets(), help="target (required unless --from names an encoding to decode)")
    p.add_argument(
        "--from",
        dest="source",
        choices=sorted({"simplified", "traditional", "taiwan", "hongkong", *decoders()}),
        help="source variant for script conversion, or an encoding to decode",
    )
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..pipelines.conversion import ConversionPipeline
    from ..errors import InputError

    if args.to is None and args.source is None:
        raise InputError("give --to TARGET (or --from ENCODING to decode)")
    pipe = ConversionPipeline(to=args.to, source=args.source)
    return _io.run_records(
        args,
        pipe.batch,
        to_text=lambda r: r["output"],
        to_tsv=lambda r: f"{_io.tsv_field(r['text'])}\t{_io.tsv_field(r['output'])}",
        tsv_header="text\toutput",
    )
