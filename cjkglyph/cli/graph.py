"""``cjkglyph graph``: build or export the character similarity graph.

    cjkglyph graph build                                   # build and cache the default graph, print stats
    cjkglyph graph export -o graph.tsv                     # char<TAB>neighbor<TAB>relation<TAB>score, 100 per URO char
    cjkglyph graph export --blocks uro,ext-a -o graph.tsv  # rows for Extension A too
    cjkglyph graph export --vocab vocab.txt --max-neighbors 20 --kind phonetic -o g.tsv
    cjkglyph graph export --format candidates -o same_pinyin.txt   # pycorrector style: char<TAB>candidates

The default graph covers URO + Extension A; ``--vocab FILE`` builds one over
the characters of FILE (one per line, or every Han character of a line; a BERT
vocab.txt works), neighbours looked for inside it.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="build or export the character similarity graph (TSV or pycorrector confusion files)",
        description="Build (and cache) or export the character similarity graph.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    for action, helptext in (("build", "build and cache the graph, print statistics"), ("export", "write the graph as TSV or a confusion file")):
        a = actions.add_parser(action, help=helptext, description=helptext)
        a.add_argument("--vocab", metavar="FILE", help="characters of the graph (default: URO + Extension A)")
        a.add_argument("--confusion", metavar="FILE", help="merge a pycorrector-style confusion file (relation 'user')")
        a.add_argument("--max-neighbors", type=int, default=100, metavar="K", help="neighbours per character (default: %(default)s, at most 255)")
        if action == "export":
            a.add_argument("--kind", choices=("any", "phonetic", "visual"), default="any", help="relation kind (default: %(default)s)")
            a.add_argument(
                "--format",
                choices=("tsv", "candidates", "pairs"),
                default="tsv",
                help="tsv: char neighbor relation score (with a header line); candidates: char<TAB>neighbours "
                "(pycorrector same_pinyin/SIGHAN style); pairs: one 'char neighbor' line each (default: %(default)s)",
            )
            a.add_argument("--no-header", action="store_true", help="tsv: leave out the header line")
            a.add_argument(
                "--blocks",
                default="uro",
                metavar="NAMES",
                help="without --vocab: comma-separated Unicode blocks whose characters get rows (uro, ext-a; default: %(default)s)",
            )
            a.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
        a.set_defaults(run=run)
    p.set_defaults(run=lambda args: _usage(p))
    return p


def _usage(p: argparse.ArgumentParser) -> int:
    import sys

    p.print_help(sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    import time

    from ..errors import InputError
    from .similar import load_graph

    if not 1 <= args.max_neighbors <= 255:
        raise InputError("--max-neighbors must be 1-255")
    args.build_k = max(100, args.max_neighbors)
    t0 = time.perf_counter()
    g = load_graph(args)
    if args.action == "build":
        import numpy as np

        counts = (np.asarray(g.neighbors) >= 0).sum(axis=1)
        print(
            f"{len(g)} characters, {counts.mean():.1f} neighbours on average (max {g.neighbors.shape[1]}), "
            f"{time.perf_counter() - t0:.1f}s, cache key {g.key}"
        )
        return 0
    return _export(args, g)


def _export(args: argparse.Namespace, g: Any) -> int:
    from ..chars import block
    from ..errors import InputError
    from . import _io

    k = args.max_neighbors
    chars = None
    if not args.vocab:
        blocks = {b.strip() for b in args.blocks.split(",") if b.strip()}
        unknown = blocks - {"uro", "ext-a"}
        if unknown:
            raise InputError(f"--blocks: the graph covers uro and ext-a, not {', '.join(sorted(unknown))}")
        chars = "".join(c for c in g.vocab if block(c, short=True) in blocks)
    with _io.open_output(args) as out:
        if args.format == "tsv" and not args.no_header:
            out.write("char\tneighbor\trelation\tscore\n")
        out.writelines(g.lines(args.format, k, args.kind, chars))
    return 0
