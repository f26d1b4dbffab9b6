#!/usr/bin/env python3
"""Rebuild data/prebuilt/*.npz: the cache tables a first run would otherwise build.

Ships what makes the first ``cjkglyph similar``/``check``/``abbrev`` fast on a
fresh install: the default similarity graph (``simgraph``, about a minute to
build), the word lexicon (``lexicon``, 10-20 s) and the spelling word table
(``spellwords``). Each group is one compact zip (:func:`cjkglyph.resources.write_prebuilt`:
integers narrowed, bytes split into planes, deflated) holding its arrays and
the cache key they were built for (:func:`cjkglyph.resources.cached_array`
uses them only when the key matches, i.e. when the same data files, fonts,
ranker and pypinyin/jieba versions are installed; otherwise it builds as before).

Everything is rebuilt from shipped data in an empty temporary cache (no
training data needed). Runtime on 2 shared cores: 2-3 min; about 13 MB written.

    nice -n 10 python scripts/build_prebuilt.py
    python scripts/build_prebuilt.py --out /tmp/prebuilt --groups lexicon
    python scripts/build_prebuilt.py --from-cache ~/.cache/cjkglyph    # pack tables built earlier
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

GROUPS = ("simgraph", "lexicon", "spellwords")


def _build(group: str) -> None:
    if group == "simgraph":
        from cjkglyph.graph.similarity import default_graph

        default_graph()
    elif group == "lexicon":
        from cjkglyph.lexicon import default_lexicon

        default_lexicon()
    else:
        from cjkglyph.spelling.words import default_word_table

        default_word_table()


def _pack(cache: Path, group: str, out: Path) -> int:
    """Write ``out/<group>.npz`` from the cache files ``<group>-<member>-<key>.npy``; returns its size."""
    import numpy as np

    from cjkglyph.resources import write_prebuilt

    pattern = re.compile(rf"^{re.escape(group)}-([a-z]+)-([0-9a-f]+)\.npy$")
    found = {m.group(1): (m.group(2), p) for p in cache.iterdir() if (m := pattern.match(p.name))}
    keys = {k for k, _ in found.values()}
    if len(keys) != 1:
        sys.exit(f"build_prebuilt: expected one {group} key in {cache}, found {sorted(keys)}")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{group}.npz"
    write_prebuilt(target, keys.pop(), {member: np.load(path, allow_pickle=False) for member, (_, path) in sorted(found.items())})
    return target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "prebuilt")
    parser.add_argument("--groups", nargs="+", choices=GROUPS, default=list(GROUPS))
    parser.add_argument("--from-cache", type=Path, metavar="DIR", help="pack the tables already built in this cache directory instead")
    args = parser.parse_args(argv)
    if args.from_cache:
        for group in args.groups:
            print(f"{group}: {args.out / group}.npz {_pack(args.from_cache, group, args.out) / 1e6:.1f} MB")
        return 0
    with tempfile.TemporaryDirectory(prefix="cjkglyph-prebuilt-") as tmp:
        os.environ["CJKGLYPH_CACHE"] = tmp  # an empty cache: every table is really built
        os.environ["CJKGLYPH_PREBUILT"] = "0"
        for group in args.groups:
            t = time.perf_counter()
            _build(group)
            size = _pack(Path(tmp), group, args.out)
            print(f"{group}: built in {time.perf_counter() - t:.0f} s, {args.out / group}.npz {size / 1e6:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
