#!/usr/bin/env python
"""Polyphone accuracy on a CPP-format file, cjkglyph vs pypinyin, and throughput as a ratio to pypinyin.

File format (with a header line): sentence, 0-based index, character, gold
tone3 reading (neutral tone 5, ü as ``u:`` or ``v``). The default file,
``../shared/benchmarks/pinyin/cpp_dev.tsv``, also trained the shipped model, so
by default only its held-out fifth (:func:`cjkglyph._splits.polyphone_heldout`) is
scored; ``--split all`` scores every line (use it for files the model never saw).

Throughput: every sentence of the evaluated split through
``cjkglyph.pinyin.pinyin(s, "tone3")`` and through ``pypinyin.lazy_pinyin(s)``
in this process, best of ``--repeat`` rounds each.

    python benchmarks/bench_pinyin.py                       # held-out split of the default file
    python benchmarks/bench_pinyin.py FILE --split all      # another CPP-format file
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(REPO.parent / "shared/benchmarks/pinyin/cpp_dev.tsv"))
    ap.add_argument("--split", choices=("heldout", "train", "all"), default="heldout",
                    help="which sentences to score (default: heldout, those the shipped model never saw)")  # fmt: skip
    ap.add_argument("--repeat", type=int, default=3, help="timing rounds (best is kept)")
    ap.add_argument("--errors", type=int, default=0, help="print the N most frequent errors of cjkglyph")
    args = ap.parse_args()
    need_data(args.file, "the CPP polyphone dev split (benchmarks/pinyin/cpp_dev.tsv)")

    from pypinyin import Style, lazy_pinyin

    from cjkglyph._splits import polyphone_heldout
    from cjkglyph.pinyin import pinyin
    from cjkglyph.pinyin.syllable import to_tone3

    rows = []
    with open(args.file, encoding="utf-8") as f:
        next(f)
        for line in f:
            sent, idx, char, gold = line.rstrip("\n").split("\t")
            if args.split == "all" or (args.split == "heldout") == polyphone_heldout(sent):
                rows.append((sent, int(idx), char, to_tone3(gold)))
    if not rows:
        print("no sentences to score", file=sys.stderr)
        return 1

    ours_ok = theirs_ok = 0
    errors: collections.Counter[tuple[str, str | None, str]] = collections.Counter()
    for sent, i, char, gold in rows:
        ours = pinyin(sent, "tone3")[i]
        theirs = lazy_pinyin(sent, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: list(s))[i]
        ours_ok += ours == gold
        try:
            theirs_ok += to_tone3(theirs) == gold
        except ValueError:
            pass
        if ours != gold:
            errors[char, ours, gold] += 1

    sents = [r[0] for r in rows]
    n_chars = sum(map(len, sents))
    pinyin(sents[0], "tone3")
    lazy_pinyin(sents[0])

    def best(fn: object) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            for s in sents:
                fn(s)  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return min(times)

    t_ours = best(lambda s: pinyin(s, "tone3"))
    t_theirs = best(lazy_pinyin)
    n = len(rows)
    print(f"file: {args.file} split={args.split}: {n} sentences, {n_chars} characters")
    print(f"accuracy cjkglyph: {ours_ok / n:.4f} ({ours_ok}/{n})")
    print(f"accuracy pypinyin: {theirs_ok / n:.4f} ({theirs_ok}/{n})")
    print(f"throughput cjkglyph: {n_chars / t_ours:,.0f} chars/s; pypinyin lazy_pinyin: {n_chars / t_theirs:,.0f} chars/s")
    print(f"throughput ratio cjkglyph/pypinyin: {t_theirs / t_ours:.2f}")
    for (char, ours, gold), c in errors.most_common(args.errors):
        print(f"  {c:3d} {char} {ours} (gold {gold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
