"""Rebuild the shipped SubChar tokenizers in data/tokenizers/<scheme>/ from ../shared/corpus.

Training sample: every corpus file except deb_fortunes-zh (classical poetry),
lines chosen by a hash so that about ``--chars`` characters are drawn, with
laws_LawRefBook weighted 0.1 (half of the corpus, formal and repetitive).
Lines with ``crc32(line) % 100 == 0`` are held out for benchmarks/bench_subchar.py
(:func:`cjkglyph._splits.tokenizer_heldout`) and never trained on.

Usage (CPU only; about 5-20 minutes per scheme):

    nice -n 10 python scripts/build_tokenizers.py [--schemes wubi cangjie ...] [--chars 2500000] [--vocab-size 22675]
"""

from __future__ import annotations

import argparse
import lzma
import time
import zlib
from pathlib import Path

from cjkglyph._splits import CLASSICAL, need_data, tokenizer_heldout
from cjkglyph.subchar import SCHEMES

REPO = Path(__file__).resolve().parent.parent

WEIGHTS = {"laws_LawRefBook": 0.1}


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*.txt.xz") if p.name.removesuffix(".txt.xz") not in CLASSICAL)


def _read_lines(path: Path) -> list[str]:
    with lzma.open(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def training_lines(corpus: Path, chars: int) -> list[str]:
    """The deterministic training sample (see the module docs)."""
    files = {p: _read_lines(p) for p in corpus_files(corpus)}
    weighted = sum(WEIGHTS.get(p.name.removesuffix(".txt.xz"), 1.0) * sum(map(len, lines)) for p, lines in files.items())
    base = chars / weighted
    out: list[str] = []
    for p, lines in files.items():
        rate = min(1.0, base * WEIGHTS.get(p.name.removesuffix(".txt.xz"), 1.0))
        threshold = int(rate * 1_000_000)
        out.extend(
            line
            for line in lines
            if not tokenizer_heldout(line) and zlib.crc32(b"train:" + line.encode("utf-8")) % 1_000_000 < threshold
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="the shared data directory")
    ap.add_argument("--out", default=str(REPO / "data" / "tokenizers"), help="output directory")
    ap.add_argument("--schemes", nargs="+", default=list(SCHEMES), choices=SCHEMES)
    ap.add_argument("--chars", type=int, default=2_500_000, help="training sample size in characters")
    ap.add_argument("--vocab-size", type=int, default=22675, help="pieces before byte fallback (SubChar paper: 22,675)")
    args = ap.parse_args()
    need_data(Path(args.shared) / "corpus", "the shared corpus (corpus/ under --shared)")

    from cjkglyph.subchar.tokenization import train_tokenizer

    lines = training_lines(Path(args.shared) / "corpus", args.chars)
    n_chars = sum(map(len, lines))
    print(f"training sample: {len(lines)} lines, {n_chars} characters", flush=True)
    for scheme in args.schemes:
        t0 = time.time()
        metadata = {
            "corpus": "../shared/corpus: every file but deb_fortunes-zh, laws_LawRefBook weighted 0.1, "
            "lines with crc32 % 100 == 0 held out (scripts/build_tokenizers.py)",
            "lines": len(lines),
            "chars": n_chars,
            "vocab_size": args.vocab_size,
        }
        tok = train_tokenizer(lines, scheme, args.vocab_size, metadata=metadata)
        out = Path(args.out) / scheme
        tok.save_pretrained(out)
        size = (out / "tokenizer.json").stat().st_size
        print(f"{scheme}: {tok.vocab_size} pieces, tokenizer.json {size / 1e6:.2f} MB, {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
