"""``cjkglyph convert-checkpoint SRC DST``: a published or ``chinesebert``-package ChineseBERT to the native layout.

The result (``model_type: "chinesebert"``, safetensors, tokenizer files) loads
with ``AutoModelForMaskedLM.from_pretrained(DST)`` and ``AutoTokenizer`` after
``import cjkglyph``; the command checks that it gives the source's outputs.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="convert a ChineseBERT checkpoint (published/ShannonAI or chinesebert-package layout) to the native one",
        description=(
            "Read a ChineseBERT checkpoint directory (the published ShannonAI layout with config/ pinyin tables "
            "and glyph images, or the chinesebert PyPI package's) and write it as a native cjkglyph checkpoint "
            "(model_type chinesebert, model.safetensors with the glyph table as a weight, tokenizer files). "
            "Then AutoModelForMaskedLM/AutoTokenizer.from_pretrained(DST) work after `import cjkglyph`."
        ),
    )
    p.add_argument("src", metavar="SRC", help="source checkpoint directory")
    p.add_argument("dst", metavar="DST", help="destination directory (created)")
    p.add_argument(
        "--architecture",
        choices=[
            "ChineseBertModel",
            "ChineseBertForMaskedLM",
            "ChineseBertForSequenceClassification",
            "ChineseBertForTokenClassification",
            "ChineseBertForQuestionAnswering",
        ],
        help="model class to convert with (default: from config.json's architectures, else from the weight names)",
    )
    p.add_argument("--overwrite", action="store_true", help="write into DST even if it is not empty")
    p.add_argument("--no-verify", action="store_true", help="skip reloading DST and comparing outputs with SRC")
    p.add_argument("--format", choices=["text", "json"], default="text", help="report format (default: %(default)s)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers.utils import logging as hf_logging

    from ..errors import ResourceError
    from ..models.chinesebert.convert import convert_checkpoint

    hf_logging.disable_progress_bar()

    report = convert_checkpoint(
        args.src, args.dst, architecture=args.architecture, overwrite=args.overwrite, verify=not args.no_verify
    )
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        line = f"{report['layout']} -> native: {report['architecture']} written to {report['destination']}"
        if "max_abs_diff" in report:
            line += f" (outputs match: max |diff| = {report['max_abs_diff']:.3g})"
        print(line)
        for key in ("unused_weights", "missing_weights"):
            if report[key]:
                print(f"{key.replace('_', ' ')}: {', '.join(report[key])}")
    diff = report.get("max_abs_diff", 0.0)
    if diff > 1e-5:
        raise ResourceError(f"converted model differs from the source (max |diff| = {diff:.3g})")
    return 0
