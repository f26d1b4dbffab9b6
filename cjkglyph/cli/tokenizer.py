"""``cjkglyph tokenizer train``: learn a SubChar tokenizer on text files.

    cjkglyph tokenizer train --scheme wubi --vocab-size 22675 corpus1.txt corpus2.txt.xz -o my-tokenizer/

Each non-empty line of the corpus files (plain UTF-8, or ``.xz``/``.gz``/``.bz2``)
is one training text. The directory written can be loaded with
``SubCharTokenizer.from_pretrained(DIR)`` or used by ``cjkglyph tokenize --tokenizer DIR``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..subchar import SCHEMES


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="train SubChar tokenizers",
        description="Train a sub-character (SubChar) tokenizer: a Unigram vocabulary over encoded text.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    t = actions.add_parser(
        "train", help="learn a vocabulary on corpus files", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    t.add_argument("corpus", nargs="+", metavar="CORPUS", help="text files, one text per line (.xz/.gz/.bz2 read directly)")
    t.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write tokenizer.json and subchar_config.json to")
    t.add_argument("--scheme", choices=SCHEMES, default="wubi", help="encoding (default: %(default)s)")
    t.add_argument("--vocab-size", type=int, default=22675, help="vocabulary size before byte pieces (default: %(default)s)")
    t.add_argument("--max-chars", type=int, default=None, help="stop reading after this many characters")
    t.add_argument("--max-piece-length", type=int, default=16, help="longest piece, in encoded characters (default: %(default)s)")
    t.add_argument("--model-max-length", type=int, default=512, help="default truncation length saved with the tokenizer")
    t.add_argument("--progress", action="store_true", help="show the trainer's progress bars")
    t.set_defaults(run=run_train)
    p.set_defaults(run=lambda args: (p.print_help(sys.stderr), 2)[1])
    return p


def run_train(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..subchar.tokenization import read_corpus, train_tokenizer

    if args.vocab_size < 10:
        raise InputError("--vocab-size must be at least 10")
    tok = train_tokenizer(
        read_corpus(args.corpus, args.max_chars),
        args.scheme,
        args.vocab_size,
        max_piece_length=args.max_piece_length,
        model_max_length=args.model_max_length,
        metadata={"corpus": [str(c) for c in args.corpus], "vocab_size": args.vocab_size, "max_chars": args.max_chars},
        show_progress=args.progress,
    )
    files = tok.save_pretrained(args.output)
    print(f"wrote {', '.join(files)} ({tok.vocab_size} pieces)", file=sys.stderr)
    return 0
