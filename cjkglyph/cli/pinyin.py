"""``cjkglyph pinyin``: the reading of every character, in context.

Text output: one line per record, the readings of Han characters separated by
spaces; each run of other characters (Latin, digits, punctuation, emoji ...)
appears once as its own token with surrounding whitespace trimmed, and
whitespace-only runs vanish. With ``--heteronym`` the readings of one character
are joined by ``/`` (context reading first). ``--format jsonl``/``json`` give
``{"text": line, "pinyin": [...]}`` with exactly one entry per character
(null for non-Han); ``tsv`` gives ``text<TAB>pinyin`` in the text rendering.
Tones are citation tones (一 yi1, 不 bu4) unless ``--sandhi`` asks for surface
tones; ``--context`` sends the polyphones the fast model is unsure of to the
character encoder too.
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
    p.add_argument("--sandhi", action="store_true", help="surface tones: 一/不 and third-tone sandhi (default: citation tones)")
    p.add_argument("--context", action="store_true",
                   help="also run the character encoder on polyphones the fast model is unsure of (slower)")  # fmt: skip
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..pinyin import render_readings
    from ..pipelines.pinyin import PinyinPipeline

    pipe = PinyinPipeline(style=args.style, heteronym=args.heteronym, sandhi=args.sandhi, context=args.context)

    def text(r: dict[str, Any]) -> str:
        return render_readings(r["text"], r["pinyin"])

    return _io.run_records(
        args,
        pipe.batch,
        to_text=text,
        to_tsv=lambda r: f"{_io.tsv_field(r['text'])}\t{_io.tsv_field(text(r))}",
        tsv_header="text\tpinyin",
    )
