"""``cjkglyph check``: Chinese spelling correction (statistical corrector, offline)."""

from __future__ import annotations

import argparse
from typing import Any

from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="correct Chinese spelling errors (wrong characters), offline",
        description=(
            "Correct each line: characters that sound or look like the intended one are replaced "
            "(same length; numbers and Latin text are never changed). Text output prints the corrected "
            "line; json/jsonl give the edits with positions in the original line; tsv prints source, target "
            "and the edits (pos:wrong->right)."
        ),
    )
    p.add_argument(
        "--threshold",
        type=float,
        metavar="P",
        help="probability an edit needs, 0-1 (default: the model's, tuned on SIGHAN train data); higher = fewer, surer edits",
    )
    p.add_argument("--lm", metavar="FILE", help="character language model to use (see 'cjkglyph lm train')")
    p.add_argument(
        "--confusion",
        metavar="FILE",
        action="append",
        help="user confusion file, pycorrector format: 'wrong right' pairs, 'word word' protects a word (repeatable)",
    )
    p.add_argument("--model", metavar="DIR", help="use a neural corrector from this directory instead (see cjkglyph.neural_check)")
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def _edits(r: dict[str, Any]) -> str:
    return " ".join(f"{e['pos']}:{e['wrong']}->{e['right']}" for e in r["errors"])


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..spellcheck import SpellCheckPipeline

    if args.threshold is not None and not 0.0 < args.threshold < 1.0:
        raise InputError(f"--threshold must be between 0 and 1 (exclusive), got {args.threshold}")
    pipe = SpellCheckPipeline(model=args.model, lm=args.lm, threshold=args.threshold, confusion=args.confusion)
    return _io.run_records(
        args,
        pipe.batch,
        to_text=lambda r: r["target"],
        to_tsv=lambda r: f"{_io.tsv_field(r['source'])}\t{_io.tsv_field(r['target'])}\t{_io.tsv_field(_edits(r))}",
        tsv_header="source\ttarget\terrors",
    )
