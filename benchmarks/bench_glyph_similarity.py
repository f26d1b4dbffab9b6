"""How often is a spelling error's correction among the visual neighbours of the wrong character?

For every position where source and target differ in the SIGHAN 13/14/15 training
sets (both URO characters), checks whether the target is among the top-k visual
neighbours (over all 20,992 URO characters) of the source, per similarity method.
Only part of SIGHAN's errors are visual (most are phonetic), so the shares are a
relative measure between methods, not an absolute quality.

    python benchmarks/bench_glyph_similarity.py [--shared ../shared] [--methods embedding gray binary] [--common 6000]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent


def error_pairs(shared: Path) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name in ("sighan13_train.tsv", "sighan14_train.tsv", "sighan15_train.tsv"):
        for line in (shared / "benchmarks" / "csc" / name).read_text(encoding="utf-8").splitlines():
            src, _, tgt = line.partition("\t")
            if len(src) != len(tgt):
                continue
            pairs += [(a, b) for a, b in zip(src, tgt) if a != b and "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff"]
    return pairs


def _component_sharing(pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Pairs whose IDS share a component (2 levels deep) or where one contains the other: likely visual errors."""
    try:
        from cjkglyph.ids import components
    except ImportError:
        return set()

    def parts(c: str) -> set[str]:
        try:
            return {p.component for p in components(c, depth=2, named=True)} | {c}
        except Exception:  # noqa: BLE001 - a character without IDS counts as atomic
            return {c}

    cache: dict[str, set[str]] = {}
    out = set()
    for a, b in set(pairs):
        pa = cache.setdefault(a, parts(a))
        pb = cache.setdefault(b, parts(b))
        if len(pa & pb - {"？"}) > 0:
            out.add((a, b))
    return out


def common_chars(shared: Path, n: int) -> str:
    """The n most frequent URO characters of a few modern corpus files (evaluation only)."""
    import lzma
    from collections import Counter

    counts: Counter[str] = Counter()
    for name in ("cmrc2018_wiki", "fewclue_chid", "online_shopping_10_cats", "nlpcc2017_headlines_test"):
        with lzma.open(shared / "corpus" / f"{name}.txt.xz", "rt", encoding="utf-8") as f:
            counts.update(c for c in f.read() if "\u4e00" <= c <= "\u9fff")
    return "".join(c for c, _ in counts.most_common(n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--methods", nargs="+", default=["embedding", "gray", "binary"])
    ap.add_argument("--weights", type=Path, help="evaluate this encoder file instead of the shipped one")
    ap.add_argument("--common", type=int, default=0, help="also rank within the N most frequent characters (from ../shared/corpus)")
    ap.add_argument("--k", type=int, nargs="+", default=[5, 20, 40])
    ap.add_argument("--subset", choices=("all", "shared-component"), default="all", help="shared-component: only pairs whose IDS share a component")
    args = ap.parse_args()
    need_data(args.shared / "benchmarks" / "csc", "the SIGHAN CSC sets (benchmarks/csc/ under --shared)")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    import numpy as np

    from cjkglyph.chars import iter_block
    from cjkglyph.glyph import glyph_table
    from cjkglyph.glyph.similarity import features, topk

    pairs = error_pairs(args.shared)
    uro = "".join(iter_block("uro"))
    table = glyph_table(blocks=("uro",))
    ink = np.zeros(len(uro), dtype=bool)
    for i in range(0, len(uro), 4096):
        ink[i : i + 4096] = table.lookup_uint8(uro[i : i + 4096]).reshape(-1, 3 * 24 * 24).max(axis=1) > 0
    vocabs = [("URO", uro)]
    if args.common:
        vocabs.append((f"top-{args.common}", common_chars(args.shared, args.common)))
    shared_part = _component_sharing(pairs)
    kmax = max(args.k)
    feats: dict[str, np.ndarray] = {}
    for method in args.methods:
        t = time.perf_counter()
        try:
            if method == "embedding" and args.weights:
                from cjkglyph.glyph.encoder import embed_chars

                feats[method] = embed_chars(uro, path=args.weights)
            else:
                feats[method] = features(uro, method, table=table)
        except Exception as e:  # noqa: BLE001 - report and go on with the other methods
            print(f"{method}: unavailable: {e}")
            continue
        print(f"{method}: features for URO in {time.perf_counter() - t:.1f}s")
    for vname, vocab in vocabs:
        vset = set(vocab)
        vp = [(a, b) for a, b in pairs if a in vset and b in vset]
        if args.subset == "shared-component":
            vp = [p for p in vp if p in shared_part]
        unique = sorted(set(vp))
        queries = "".join(sorted({a for a, _ in vp}))
        pos = {c: i for i, c in enumerate(vocab)}
        rows = table.rows(vocab)
        print(f"\nvocabulary {vname} ({len(vocab)} chars), {args.subset} pairs: {len(vp)} error positions, {len(unique)} distinct pairs, {len(queries)} wrong chars")
        print("method     " + "  ".join(f"top-{k:<3} pos / pairs" for k in args.k) + "   seconds")
        for method, allf in feats.items():
            t = time.perf_counter()
            vf = allf[rows]
            qsel = np.array([pos[c] for c in queries])
            index, _ = topk(vf[qsel], vf, kmax, binary=method == "binary", allowed=ink[rows], exclude=qsel)
            dt = time.perf_counter() - t
            rank: dict[tuple[str, str], int] = {}
            for qi, a in enumerate(queries):
                for r, j in enumerate(index[qi].tolist()):
                    if j >= 0:
                        rank[(a, vocab[j])] = r
            cells = []
            for k in args.k:
                p_share = sum(rank.get(p, kmax) < k for p in vp) / max(1, len(vp))
                u_share = sum(rank.get(p, kmax) < k for p in unique) / max(1, len(unique))
                cells.append(f"{p_share:6.1%} / {u_share:6.1%}  ")
            print(f"{method:<10} " + "  ".join(cells) + f" {dt:7.1f}")


if __name__ == "__main__":
    main()
