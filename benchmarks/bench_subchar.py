"""SubChar tokenizers on held-out text: sequence length and homophone-typo robustness.

For every shipped tokenizer (data/tokenizers/<scheme>/) on corpus lines held
out from tokenizer training (scripts/build_tokenizers.py: crc32(line) % 100 == 0;
laws_LawRefBook thinned to a tenth, deb_fortunes-zh skipped):

- tokens per character, and relative to a character-level tokenizer (one token
  per character, as BERT-Chinese does for Han text);
- homophone-typo robustness: a share (``--rate``, default 10%) of the Han
  characters is replaced by a common homophone (a non-polyphonic character
  among the 6,000 most frequent whose reading equals the replaced character's
  reading in context, found with :mod:`cjkglyph.pinyin`); reported is the share
  of the original tokens that survive unchanged (longest matching blocks of the
  two token sequences, :class:`difflib.SequenceMatcher`);
- code-table coverage per scheme (URO, Ext A, Ext B and later) against the
  characters of ../shared/assets/ids/IDS.TXT (Unicode 16);
- tokenization speed relative to a character-level dictionary lookup run in the same process.

Usage: python benchmarks/bench_subchar.py [--shared ../shared] [--chars 200000] [--rate 0.1] [--seed 0]
"""

from __future__ import annotations

import argparse
import difflib
import lzma
import random
import sys
import time
import zlib
from pathlib import Path

from cjkglyph._splits import CLASSICAL, need_data, tokenizer_heldout
from cjkglyph.subchar import SCHEMES

REPO = Path(__file__).resolve().parent.parent


def held_out_text(corpus: Path, chars: int, seed: int) -> list[str]:
    lines: list[str] = []
    for path in sorted(corpus.glob("*.txt.xz")):
        name = path.name.removesuffix(".txt.xz")
        if name in CLASSICAL:
            continue
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip() or not tokenizer_heldout(line):
                    continue
                if name == "laws_LawRefBook" and zlib.crc32(b"bench:" + line.encode()) % 10:
                    continue
                lines.append(line)
    random.Random(seed).shuffle(lines)
    out, total = [], 0
    for line in lines:
        if total >= chars:
            break
        out.append(line)
        total += len(line)
    return out


def homophone_table(top: int = 6000) -> dict[str, list[str]]:
    """tone3 reading -> common non-polyphonic URO characters with that reading."""
    from cjkglyph.input_codes import char_frequency
    from cjkglyph.pinyin import heteronyms

    freq = char_frequency()
    common = sorted((c for c in freq if "\u4e00" <= c <= "\u9fff"), key=lambda c: -freq[c])[:top]
    table: dict[str, list[str]] = {}
    for c in common:
        readings = heteronyms(c, "tone3")
        if len(readings) == 1:
            table.setdefault(readings[0], []).append(c)
    return table


def add_typos(text: str, table: dict[str, list[str]], rate: float, rng: random.Random) -> str:
    from cjkglyph.pinyin import pinyin

    chars = list(text)
    for i, r in enumerate(pinyin(text, style="tone3")):
        if r is None or rng.random() >= rate:
            continue
        options = [c for c in table.get(r, ()) if c != chars[i]]
        if options:
            chars[i] = rng.choice(options)
    return "".join(chars)


def unchanged_share(a: list, b: list) -> float:
    if not a:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(m.size for m in matcher.get_matching_blocks()) / len(a)


def coverage(shared: Path) -> list[tuple[str, int, int, int]]:
    """(scheme, URO, Ext A, Ext B+) counts of characters with a code."""
    from cjkglyph.input_codes import code_table
    from cjkglyph.pinyin import heteronyms

    assigned: set[str] = set()
    with open(shared / "assets" / "ids" / "IDS.TXT", encoding="utf-8") as f:
        for line in f:
            if line.startswith("U+"):
                assigned.add(line.split("\t")[1])
    groups = {
        "uro": {c for c in assigned if "\u4e00" <= c <= "\u9fff"},
        "ext-a": {c for c in assigned if "\u3400" <= c <= "\u4dbf"},
        "ext-b+": {c for c in assigned if ord(c) >= 0x20000 and not 0x2F800 <= ord(c) <= 0x2FA1F},
    }
    rows = [("assigned (IDS.TXT, Unicode 16)", *(len(g) for g in groups.values()))]
    for scheme in ("wubi", "cangjie", "stroke"):
        table = code_table(scheme)
        rows.append((scheme, *(sum(c in table for c in g) for g in groups.values())))
    rows.append(("pinyin / zhuyin", *(sum(bool(heteronyms(c)) for c in g) for g in groups.values())))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--chars", type=int, default=200_000, help="held-out characters to measure on")
    ap.add_argument("--rate", type=float, default=0.1, help="share of Han characters replaced by homophones")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--schemes", nargs="+", default=list(SCHEMES), choices=SCHEMES)
    args = ap.parse_args()
    need_data(Path(args.shared) / "corpus", "the shared corpus (corpus/ under --shared)")

    from cjkglyph.chars import han_mask
    from cjkglyph.errors import ResourceError
    from cjkglyph.subchar.tokenization import SubCharTokenizer

    shared = Path(args.shared)
    lines = held_out_text(shared / "corpus", args.chars, args.seed)
    n_chars = sum(map(len, lines))
    table = homophone_table()
    rng = random.Random(args.seed)
    typo_lines = [add_typos(line, table, args.rate, rng) for line in lines]
    changed = sum(a != b for x, y in zip(lines, typo_lines, strict=True) for a, b in zip(x, y, strict=True))
    n_han = sum(map(sum, map(han_mask, lines)))
    print(
        f"held-out text: {len(lines)} lines, {n_chars} characters ({n_han} Han); "
        f"{changed} Han characters ({changed / n_han:.1%}) replaced by homophones\n"
    )

    # character-level baseline: one token per character, dictionary lookup
    vocab: dict[str, int] = {}
    t0 = time.perf_counter()
    char_ids = [[vocab.setdefault(c, len(vocab)) for c in line] for line in lines]
    char_time = time.perf_counter() - t0
    char_robust = sum(unchanged_share(list(a), list(b)) * len(a) for a, b in zip(lines, typo_lines, strict=True)) / n_chars
    assert sum(map(len, char_ids)) == n_chars

    rows = [("character-level", "-", 1.0, 1.0, char_robust, 1.0)]
    for scheme in args.schemes:
        try:
            tok = SubCharTokenizer.from_pretrained(scheme)
        except ResourceError:
            print(f"  {scheme}: no shipped tokenizer, skipped", file=sys.stderr, flush=True)
            continue
        t0 = time.perf_counter()
        ids = tok(lines, add_special_tokens=False)["input_ids"]
        elapsed = time.perf_counter() - t0
        typo_ids = tok(typo_lines, add_special_tokens=False)["input_ids"]
        n_tokens = sum(map(len, ids))
        robust = sum(unchanged_share(a, b) * len(a) for a, b in zip(ids, typo_ids, strict=True)) / n_tokens
        rows.append((scheme, f"{tok.vocab_size:,}", n_tokens / n_chars, n_tokens / n_chars, robust, char_time / elapsed))
        print(f"  {scheme}: {n_tokens} tokens, {elapsed:.1f} s", file=sys.stderr, flush=True)

    print("| tokenizer | vocab | tokens / char | length vs char-level | tokens unchanged after homophone typos | speed vs char lookup |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, tpc, rel, robust, speed in rows:
        print(f"| {name} | {size} | {tpc:.3f} | {rel - 1:+.1%} | {robust:.1%} | {speed:.3f}x |")

    print("\n| code table | URO | Ext A | Ext B+ |")
    print("|---|---:|---:|---:|")
    cov = coverage(shared)
    total = cov[0]
    for name, *counts in cov:
        if name == total[0]:
            print(f"| {name} | {counts[0]:,} | {counts[1]:,} | {counts[2]:,} |")
        else:
            print("| " + name + " | " + " | ".join(f"{c:,} ({c / t:.1%})" for c, t in zip(counts, total[1:], strict=True)) + " |")


if __name__ == "__main__":
    main()
