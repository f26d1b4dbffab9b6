"""Rebuild the input-code tables in data/codes/ from ../shared/assets/codes.

Writes
- data/codes/wubi86.tsv: ``char<TAB>code<TAB>frequency`` for every Han character of
  the Wubi 86 (Jidian) ibus table: its full code (the longest code of the
  character, radical codes with ``z`` only as a last resort; ties by the table's
  frequency, then table order) and the largest frequency the table gives the
  character (used to rank characters that share a code),
- data/codes/cangjie5.tsv: ``char<TAB>code`` for every Han character with a
  Cangjie 5 code in libcangjie's table (first code when several are listed),
- copies of rime-stroke.dict.yaml (unmodified, LGPL-3.0; parsed at run time by
  :mod:`cjkglyph.input_codes`) and of the license files.

Usage: python scripts/build_codes.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from cjkglyph.chars import is_han

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent

WUBI_HEADER = "# Wubi 86 full code of each Han character, derived from wubi-jidian86.txt by scripts/build_codes.py\n"
CANGJIE_HEADER = "# Cangjie 5 code of each Han character, derived from cangjie_v3_v5.tsv by scripts/build_codes.py\n"

WUBI_LICENSE = """\
data/codes/wubi86.tsv is derived from wubi-jidian86.txt, the Wubi 86 "Jidian" table
of ibus-table-chinese (https://github.com/mike-fabian/ibus-table-chinese),
NAME = WuBi-Jidian-86-JiShuag-6.0, SERIAL_NUMBER = 20250526.

License, as stated in the table's own header:
  LICENSE = Freely redistributable without restriction

Original table author (from the header): Wozy <wozy.in@gmail.com>.
Changelog credits (from the header): Chen Xing (conversion from the JidianWubi
table, Jidian 6), Yu Yuwei (frequencies), Ding-Yi Chen.

cjkglyph keeps one code per character (its full code) and the largest frequency
the table lists for the character; scripts/build_codes.py regenerates the file.
"""


def build_wubi(src: Path) -> list[tuple[str, str, int]]:
    entries: dict[str, list[tuple[str, int, int]]] = {}
    inside = False
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if line == "BEGIN_TABLE":
                inside = True
                continue
            if line == "END_TABLE":
                break
            if not inside or not line or line.startswith("###"):
                continue
            code, word, freq = line.split("\t")
            if len(word) == 1 and is_han(word):
                entries.setdefault(word, []).append((code, int(freq), n))
    rows = []
    for char, codes in entries.items():
        best = min(codes, key=lambda e: ("z" in e[0], -len(e[0]), -e[1], e[2]))
        rows.append((char, best[0], max(e[1] for e in codes)))
    return sorted(rows, key=lambda r: ord(r[0]))


def build_cangjie(src: Path) -> list[tuple[str, str]]:
    codes: dict[str, str] = {}
    with open(src, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            char, version, code = fields[0], fields[1], fields[2]
            if version in ("5", "0") and is_han(char) and code.isalpha() and code.islower():
                codes.setdefault(char, code)
    return sorted(codes.items(), key=lambda r: ord(r[0]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="the shared data directory")
    ap.add_argument("--out", default=str(REPO / "data" / "codes"), help="output directory")
    args = ap.parse_args()
    need_data(Path(args.shared) / "assets" / "codes", "the input-code tables (assets/codes/ under --shared)")
    src = Path(args.shared) / "assets" / "codes"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    wubi = build_wubi(src / "wubi-jidian86.txt")
    with open(out / "wubi86.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write(WUBI_HEADER + "# char\tcode\tfrequency\n")
        f.writelines(f"{c}\t{code}\t{freq}\n" for c, code, freq in wubi)
    (out / "wubi-jidian86.license.txt").write_text(WUBI_LICENSE, encoding="utf-8")

    cangjie = build_cangjie(src / "cangjie_v3_v5.tsv")
    with open(out / "cangjie5.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write(CANGJIE_HEADER + "# char\tcode\n")
        f.writelines(f"{c}\t{code}\n" for c, code in cangjie)

    for name in ("libcangjie.copyright.txt", "rime-stroke.dict.yaml", "rime-stroke.copyright.txt"):
        shutil.copyfile(src / name, out / name)
    # rime-stroke.copyright.txt points to the LGPL-3 text (which builds on the GPL-3): ship both.
    for name in ("LGPL-3", "GPL-3"):
        lic = Path("/usr/share/common-licenses") / name
        if lic.is_file():
            shutil.copyfile(lic, out / f"{name}.txt")
        elif not (out / f"{name}.txt").is_file():
            print(f"warning: {lic} not found; add data/codes/{name}.txt by hand", file=sys.stderr)
    print(f"wubi86.tsv: {len(wubi)} characters; cangjie5.tsv: {len(cangjie)} characters")


if __name__ == "__main__":
    main()
