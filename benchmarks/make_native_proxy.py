"""Write a proxy out-of-domain spelling set: held-out corpus lines with synthetic native typing errors.

Lines: the 'test' part of the corpus files of edited text (as the clean-text
columns of bench_spellcheck.py, up to 150 per file; never in the LM's or the
scorer's training). Each line is written twice: once with errors from
:func:`cjkglyph.spelling.synth.native_sampler` (errors per sentence as in the
SIGHAN train files, graph neighbours 60% same sound and tone, 30% same sound,
10% similar sound, no learner pairs) and once as it is (half the sentences
error-free, as in SIGHAN test sets). Real native errors are rarer and harder, so
this measures direction, not the level of out-of-domain F1; a scorer trained
with ``scripts/train_spellcheck.py --synthetic`` shares this generator, which
favours it here.

    python benchmarks/make_native_proxy.py OUT.tsv && python benchmarks/bench_spellcheck.py OUT.tsv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_spellcheck import clean_test_lines  # noqa: E402

from cjkglyph._splits import CSC_TRAIN_FILES, USER_TEXT, need_data  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="TSV to write (source<TAB>target)")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--per-file", type=int, default=150)
    ap.add_argument("--seed", type=int, default=99)
    args = ap.parse_args()
    shared = Path(args.shared)
    need_data(shared / "benchmarks" / "csc", "the SIGHAN CSC train sets (benchmarks/csc/ under --shared)")
    need_data(shared / "corpus", "the shared corpus (corpus/ under --shared)")

    from cjkglyph.spelling.channel import read_parallel
    from cjkglyph.spelling.synth import native_sampler

    train = [p for name in CSC_TRAIN_FILES for p in read_parallel(shared / "benchmarks" / "csc" / name)]
    lines = [line for g, line in clean_test_lines(shared / "corpus", args.per_file) if g not in USER_TEXT]
    sampler = native_sampler(train, lines, seed=args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(f"{sampler.corrupt(line)}\t{line}\n{line}\t{line}\n")
    print(f"wrote {args.out}: {len(lines)} lines, each with errors and as it is", file=sys.stderr)


if __name__ == "__main__":
    main()
