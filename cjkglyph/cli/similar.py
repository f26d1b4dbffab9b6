"""``cjkglyph similar``: the characters most confusable with each given one, ranked.

    cjkglyph similar 在                      # 在<TAB>再 才 载 ...
    cjkglyph similar 己 --kind visual -k 5 --format jsonl
    cjkglyph similar -i chars.txt --format tsv -o out.tsv   # every Han character of every line

One result per Han character of the input, in order (a line that is a single
non-Han character gives an empty result). ``text``: the character, a tab and
its neighbours; ``jsonl``/``json``: ``{"char", "neighbors": [{"char",
"relation", "score", "relations"}]}``; ``tsv``: one ``char neighbor relation
score`` row per neighbour, like ``cjkglyph graph export``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from . import _io


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="characters that sound or look alike, ranked by how often they are confused",
        description=(
            "List the neighbours of each Han character of the input in the similarity graph "
            "(same or similar sound, similar shape), best first, with relation and score "
            "(P(intended character | this one is an error), learned from real spelling errors)."
        ),
    )
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"), text_help="characters; every Han character of each argument is looked up")
    p.add_argument("-k", type=int, default=20, help="neighbours per character (default: %(default)s)")
    p.add_argument("--kind", choices=("any", "phonetic", "visual"), default="any", help="relation kind (default: %(default)s)")
    p.add_argument("--vocab", metavar="FILE", help="look for neighbours only among the characters of FILE (one per line, or every Han character)")
    p.add_argument("--confusion", metavar="FILE", help="merge a pycorrector-style confusion file (relation 'user')")
    p.set_defaults(run=run)
    return p


def _chars(records: Iterator[str]) -> Iterator[str]:
    from ..chars import HAN_RE

    for record in records:
        found = [m.group() for m in HAN_RE.finditer(record)]
        if found:
            yield from found
        elif len(record.strip()) == 1:
            yield record.strip()


def load_graph(args: argparse.Namespace) -> Any:
    """The graph selected by --vocab/--confusion (shared with ``cjkglyph graph``)."""
    from ..graph.similarity import build_graph, default_graph, read_vocab

    g = build_graph(read_vocab(args.vocab), max_neighbors=getattr(args, "build_k", 100)) if args.vocab else None
    if g is None:
        g = default_graph() if getattr(args, "build_k", 100) == 100 else build_graph(max_neighbors=args.build_k)
    if args.confusion:
        from ..graph.confusion import read_confusion

        g = g.merge(read_confusion(args.confusion))
    return g


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    if args.k < 0:
        raise InputError("-k must be non-negative")
    chars = list(_chars(_io.read_records(args)))
    g = load_graph(args)
    results = [{"char": c, "neighbors": [n.as_dict() for n in g.similar(c, args.kind, args.k)]} for c in chars]
    with _io.open_output(args) as out:
        if args.format == "json":
            single = len(getattr(args, "text", None) or []) == 1 and len(results) == 1
            out.write(_io.dumps(results[0] if single else results, pretty=True) + "\n")
        elif args.format == "jsonl":
            out.writelines(_io.dumps(r) + "\n" for r in results)
        elif args.format == "tsv":
            out.write("char\tneighbor\trelation\tscore\n")
            for r in results:
                out.writelines(f"{r['char']}\t{n['char']}\t{n['relation']}\t{n['score']:.4g}\n" for n in r["neighbors"])
        else:
            out.writelines(f"{r['char']}\t{' '.join(n['char'] for n in r['neighbors'])}\n" for r in results)
    return 0
