"""``cjkglyph check``: Chinese spelling correction (statistical corrector, offline)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..spelling.base import SCRIPTS
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
    p.add_argument(
        "--script",
        choices=SCRIPTS,
        default="auto",
        help="auto (default): Traditional lines are checked in Simplified and edited in Traditional (also with --model); "
        "as-is: no conversion",
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="skip the character-encoder stage of a --model FILE.json that has one (the shipped default scorer "
        "is the n-gram stage alone: nothing to skip)",
    )
    p.add_argument(
        "--model",
        metavar="PATH",
        help="DIR: a neural corrector instead (see cjkglyph.spelling.neural); FILE.json: another statistical scorer, "
        "such as data/spellcheck/model_stage2.json (the opt-in encoder stage: slower, edits less correct text)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="worker processes for file or piped input (default 0: one per CPU, at most 4, once the input has "
        f"{PARALLEL_BATCHES * JOB_BATCH}+ lines; 1: this process only); output is the same, in input order",
    )
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def _edits(r: dict[str, Any]) -> str:
    return " ".join(f"{e['pos']}:{e['wrong']}->{e['right']}" for e in r["errors"])


#: Lines per batch handed to a worker with ``--jobs`` (small enough to keep the workers evenly busy).
JOB_BATCH = 64
#: Batches the input must reach before worker processes start (fewer are corrected in this process).
PARALLEL_BATCHES = 4


def processor(**options: Any) -> Any:
    """The batch function of the corrector ``options`` describe (what every ``--jobs`` worker runs)."""
    from ..pipelines.spelling import SpellCheckPipeline

    return SpellCheckPipeline(**options).batch


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    if args.threshold is not None and not 0.0 < args.threshold < 1.0:
        raise InputError(f"--threshold must be between 0 and 1 (exclusive), got {args.threshold}")
    jobs = getattr(args, "jobs", 1)
    if jobs < 0:
        raise InputError(f"--jobs must be 0 (automatic) or more, got {jobs}")
    options: dict[str, Any] = {
        "model": args.model, "lm": args.lm, "threshold": args.threshold, "confusion": args.confusion,
        "script": getattr(args, "script", "auto"),
    }  # fmt: skip
    if getattr(args, "fast", False):
        options["fast"] = True
    # before numpy loads: the scorer multiplies many small matrices, and BLAS threads spinning beside it
    # cost more than they gain (measured: 1 process 226 -> 266 lines/s, --jobs 2 287 -> 426)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if jobs != 1:
        # one onnxruntime thread per worker process: the workers are the parallelism (and a forked
        # session must not own a thread pool)
        os.environ.setdefault("CJKGLYPH_THREADS", "1")
    process = processor(**options)  # loaded here first: a bad model or file is reported before any worker starts
    parallel = None
    if jobs != 1:
        from ._parallel import auto_jobs, ordered_map_if_large

        workers = jobs or auto_jobs()

        def parallel(batches: Any) -> Any:
            return ordered_map_if_large(processor, options, batches, workers, prebuilt=process, min_batches=PARALLEL_BATCHES)

    return _io.run_records(
        args,
        process,
        batch_size=JOB_BATCH if jobs != 1 else 256,
        parallel=parallel,
        to_text=lambda r: r["target"],
        to_tsv=lambda r: f"{_io.tsv_field(r['source'])}\t{_io.tsv_field(r['target'])}\t{_io.tsv_field(_edits(r))}",
        tsv_header="source\ttarget\terrors",
    )
