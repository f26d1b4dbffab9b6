"""``cjkglyph pinyin``: the reading of every character, in context.

Text output: one line per record, the readings of Han characters separated by
spaces; each run of other characters (Latin, digits, punctuation, emoji ...)
appears once as its own token with surrounding whitespace trimmed, and
whitespace-only runs vanish. With ``--heteronym`` the readings of one character
are joined by ``/`` (context reading first). ``--format jsonl``/``json`` give
``{"text": line, "pinyin": [...]}`` with exactly one entry per character
(null for non-Han); ``tsv`` gives ``text<TAB>pinyin`` in the text rendering.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..pinyin.styles import STYLES
from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="pinyin or zhuyin of every character, polyphones read in context",
        description=(
            "Read every Han character in context (polyphones disambiguated). Text output joins readings "
            "with spaces and keeps each run of other characters as one token; json/jsonl give one entry "
            "per character, null for non-Han."
        ),
    )
    p.add_argument("--style", choices=STYLES, default="tone", help="reading style (default: %(default)s)")
    p.add_argument("--heteronym", action="store_true", help="list every reading of each character, context reading first")
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..pinyin import render_readings
    from ..pipelines.pinyin import PinyinPipeline

    pipe = PinyinPipeline(style=args.style, heteronym=args.heteronym)

    def text(r: dict[str, Any]) -> str:
        return render_readings(r["text"], r["pinyin"])

    return _io.run_records(
        args,
        pipe.batch,
        to_text=text,
        to_tsv=lambda r: f"{_io.tsv_field(r['text'])}\t{_io.tsv_field(text(r))}",
        tsv_header="text\tpinyin",
    )
