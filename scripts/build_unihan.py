#!/usr/bin/env python3
"""Rebuild data/unihan/unihan.tsv from the Unihan database files.

Extracts the three fields cjkglyph uses (kTotalStrokes, kRSUnicode,
kFourCornerCode) for every character that has a kTotalStrokes value and
writes them as one compact TSV, sorted by code point.

Usage::

    python scripts/build_unihan.py [UNIHAN_DIR] [-o data/unihan/unihan.tsv]

UNIHAN_DIR holds ``Unihan_IRGSources.txt(.bz2)`` and
``Unihan_DictionaryLikeData.txt(.bz2)`` (default: ``../shared/assets/unihan``).
The Unicode license notice must be kept next to the output
(``data/unihan/copyright``).
"""

from __future__ import annotations

import argparse
import bz2
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from cjkglyph._splits import need_data

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("kTotalStrokes", "kRSUnicode", "kFourCornerCode")
FILES = {"kTotalStrokes": "Unihan_IRGSources", "kRSUnicode": "Unihan_IRGSources", "kFourCornerCode": "Unihan_DictionaryLikeData"}
VALID = {
    "kTotalStrokes": re.compile(r"[1-9][0-9]*( [1-9][0-9]*)*"),
    "kRSUnicode": re.compile(r"[1-9][0-9]*'{0,2}\.-?[0-9]+( [1-9][0-9]*'{0,2}\.-?[0-9]+)*"),
    "kFourCornerCode": re.compile(r"[0-9]{4}(\.[0-9])?( [0-9]{4}(\.[0-9])?)*"),
}


def _open_lines(directory: Path, stem: str) -> tuple[Iterator[str], str]:
    for name in (f"{stem}.txt.bz2", f"{stem}.txt"):
        path = directory / name
        if path.is_file():
            if name.endswith(".bz2"):
                return iter(bz2.open(path, "rt", encoding="utf-8")), name
            return iter(path.open(encoding="utf-8")), name
    sys.exit(f"build_unihan: cannot find {stem}.txt(.bz2) in {directory}")


def read_fields(directory: Path) -> tuple[dict[int, dict[str, str]], list[str]]:
    """code point -> {field: value} for FIELDS, plus the version lines of the files read."""
    table: dict[int, dict[str, str]] = {}
    versions: list[str] = []
    for stem in sorted(set(FILES.values())):
        lines, name = _open_lines(directory, stem)
        wanted = {f for f, s in FILES.items() if s == stem}
        for line in lines:
            if line.startswith("#"):
                if "Unicode version" in line or line.startswith("# Date"):
                    versions.append(f"{name}: {line[1:].strip()}")
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[1] not in wanted:
                continue
            cp = int(parts[0][2:], 16)
            value = parts[2].strip()
            if not VALID[parts[1]].fullmatch(value):
                sys.exit(f"build_unihan: unexpected {parts[1]} value {value!r} for {parts[0]} in {name}")
            table.setdefault(cp, {})[parts[1]] = value
    return table, versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("unihan_dir", nargs="?", default=str(ROOT.parent / "shared" / "assets" / "unihan"))
    parser.add_argument("-o", "--output", default=str(ROOT / "data" / "unihan" / "unihan.tsv"))
    args = parser.parse_args(argv)
    need_data(args.unihan_dir, "the Unihan files (assets/unihan/)")
    table, versions = read_fields(Path(args.unihan_dir))
    rows = [(cp, f) for cp, f in sorted(table.items()) if "kTotalStrokes" in f]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# Extract of the Unicode Han Database (Unihan), (c) Unicode, Inc.; Unicode License (see copyright).\n")
        for v in versions:
            f.write(f"# {v}\n")
        f.write("# Rebuild: python scripts/build_unihan.py UNIHAN_DIR. Values are copied verbatim (space-separated\n")
        f.write("# when a field has several); an empty cell means the field is absent.\n")
        f.write("char\t" + "\t".join(FIELDS) + "\n")
        for cp, fields in rows:
            f.write(chr(cp) + "\t" + "\t".join(fields.get(k, "") for k in FIELDS) + "\n")
    print(f"wrote {len(rows)} characters to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
