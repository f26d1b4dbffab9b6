"""``cjkglyph ids``: ideographic description sequences, structure and components; search by component.

Each record (argument or input line) gives one result. A record that is
exactly one character gives that character's object
``{"char", "ids", "structure", "components", "strokes", "radical"}`` (plus
``"decomposition"`` when ``--depth`` is not 1); any other record gives
``{"text": record, "chars": [one such object per Han character]}``. Text output
prints ``char ids structure components strokes radical`` for a one-character
record and ``char=ids`` pairs for longer ones; tsv has the same columns with
space-separated values per character.

``--containing C [--position P] [--deep]`` lists the characters whose IDS
contains component C instead (text: the characters on one line; tsv: char and
IDS per row; json/jsonl: one object).
"""

from __future__ import annotations

import argparse
from typing import Any

from . import _io


def _depth(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid depth {value!r}: give an integer >= 0") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"invalid depth {value!r}: give an integer >= 0")
    return n


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="IDS decomposition, structure, strokes and radical; find characters by component",
        description=(
            "Describe each character by its ideographic description sequence (BabelStone IDS, Unicode 16): "
            "structure, components with positions and boxes, strokes and radical (Unihan). A one-character "
            "record gives one object, a longer record {text, chars: [one per Han character]}. With "
            "--containing, list the characters that contain a component instead."
        ),
    )
    p.add_argument(
        "--depth",
        type=_depth,
        default=1,
        metavar="N",
        help="levels of components to expand (1 = the character's own IDS, 0 = down to atomic components; default: 1)",
    )
    p.add_argument(
        "--region",
        default="G",
        metavar="R",
        help="source whose glyphs to describe: G H M T J K P V U S B (default: G; another source when there is no G form)",
    )
    p.add_argument("--containing", metavar="COMPONENT", help="list the characters whose IDS contains COMPONENT (a character, {n} or ？)")
    p.add_argument(
        "--position",
        metavar="POS",
        help="with --containing: where the component sits (left, right, top, bottom, middle, outside, inside, overlaid ...; "
        "dotted for nesting, e.g. top.left)",
    )
    p.add_argument("--deep", action="store_true", help="with --containing: also search inside components (口 in 湖 through 胡)")
    p.add_argument("--any-region", action="store_true", help="with --containing: search every listed sequence, not just the --region one")
    _io.add_io_arguments(p, formats=("text", "json", "jsonl", "tsv"))
    p.set_defaults(run=run)
    return p


def _comp_text(info: dict[str, Any]) -> str:
    return ",".join(f"{c['component']}:{c['position'] or 'whole'}" for c in info["components"])


def _radical_text(info: dict[str, Any]) -> str:
    r = info.get("radical")
    return f"{r['char']}{r['number']}{chr(39) if r['simplified'] else ''}+{r['residual']}" if r else "-"


def _one(info: dict[str, Any]) -> str:
    strokes = info["strokes"] if info["strokes"] is not None else "-"
    ids = info.get("decomposition") or info["ids"] or "-"
    return f"{info['char']}\t{ids}\t{info['structure'] or '-'}\t{_comp_text(info) or '-'}\t{strokes}\t{_radical_text(info)}"


def _items(r: dict[str, Any]) -> list[dict[str, Any]]:
    return r["chars"] if "chars" in r else [r]


def _to_text(r: dict[str, Any]) -> str:
    if "chars" not in r:
        return _one(r)
    return " ".join(f"{c['char']}={c.get('decomposition') or c['ids'] or c['char']}" for c in r["chars"])


def _to_tsv(r: dict[str, Any]) -> str:
    items = _items(r)
    cells = [
        r.get("text", r.get("char", "")),
        " ".join(c.get("decomposition") or c["ids"] or "-" for c in items),
        " ".join(c["structure"] or "-" for c in items),
        " ".join(_comp_text(c) or "-" for c in items),
        " ".join(str(c["strokes"]) if c["strokes"] is not None else "-" for c in items),
        " ".join(_radical_text(c) for c in items),
    ]
    return "\t".join(_io.tsv_field(c) for c in cells)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..ids import check_region

    region = check_region(args.region)
    depth = None if args.depth == 0 else args.depth
    if args.containing is not None:
        return _run_containing(args, region)
    if args.position is not None or args.deep or args.any_region:
        raise InputError("--position, --deep and --any-region need --containing COMPONENT")
    from ..charinfo import char_info, text_info

    def process(batch: list[str]) -> list[dict[str, Any]]:
        return [char_info(t, depth, region) if len(t) == 1 else text_info(t, depth, region) for t in batch]

    return _io.run_records(
        args,
        process,
        to_text=_to_text,
        to_tsv=_to_tsv,
        tsv_header="text\tids\tstructure\tcomponents\tstrokes\tradical",
    )


def _run_containing(args: argparse.Namespace, region: str | None) -> int:
    from ..errors import InputError
    from ..ids import containing, ids

    if args.text or args.input:
        raise InputError("--containing takes no TEXT or -i input")
    found = containing(args.containing, args.position, region=None if args.any_region else region, deep=args.deep)
    with _io.open_output(args) as out:
        if args.format in ("json", "jsonl"):
            obj = {"component": args.containing, "position": args.position, "deep": args.deep, "count": len(found), "chars": found}
            out.write(_io.dumps(obj, pretty=args.format == "json") + "\n")
        elif args.format == "tsv":
            out.write("char\tids\n")
            for c in found:
                out.write(f"{c}\t{_io.tsv_field(ids(c, region) or '')}\n")
        else:
            out.write("".join(found) + "\n")
    return 0
