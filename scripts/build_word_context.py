#!/usr/bin/env python3
"""Rebuild data/lexicon/word_context.npz: word statistics for the abbreviation decoder.

Counted from ../shared/corpus (build-only data, never shipped) on the same lines
as the shipped character LM (scripts/build_lm.py: lines containing evaluation
sentences removed, 1 line in 100 of each file held out) but without the
technical files (Debian/LibreOffice/GNOME manuals, PRC laws) and classical
poetry: reviews, news headlines, Wikipedia, essays/fiction, app descriptions,
science abstracts, dialogue. Lines are segmented with jieba (HMM on).

The file holds, for the 65,535 most frequent Han words (id 0 is the sentence
boundary ``<s>``):

* ``counts`` (V, 3) uint32: counts in three genre groups (reviews, news, general);
* ``bigram_keys``/``bigram_counts``: adjacent word pairs seen at least
  ``--min-bigram`` times (key ``prev << 16 | next``), and ``left_totals`` (V,):
  every pair count with that word on the left, before pruning;
* ``emb`` (N, K) int8: unit vectors (x127) of the ``--emb-words`` most frequent
  words, from a truncated SVD of the positive PMI matrix of co-occurrence within
  ``--window`` words (context distribution smoothed with exponent 0.75),
  against the ``--contexts`` most frequent words;
* ``words`` (utf-8, newline separated) and ``meta`` (JSON).

No text is stored beyond the word list and the counts. Runtime on 2 shared
cores (nice -n 10): about 8 min (segmentation 5 min); peak memory about 3 GB.

    nice -n 10 python scripts/build_word_context.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from cjkglyph._splits import EVAL_SETS, corpus_part, need_data

from cjkglyph.lm.build import ContainmentFilter, CorpusStats, iter_corpus, parse_sample, read_sentences
from cjkglyph.lm.word_context import GROUPS, group_of

REPO = Path(__file__).resolve().parent.parent


def heldout(line: str) -> bool:
    """Lines kept out of training: the 'tune' and 'test' parts of the corpus split."""
    return corpus_part(line) != "train"

# technical text and classical poetry are left out; everything else as the LM reads it
SAMPLE = ["deb_*=0", "laws_*=0"]
HAN = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134f]+$")


def segment(args: argparse.Namespace) -> tuple[list[np.ndarray], list[str], list[int]]:
    """Token id arrays per line (Han words only; -1 marks a non-Han token), the vocabulary, group per line."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    corpus = Path(args.corpus)
    files = sorted(corpus.glob("*.txt.xz"))
    if not files:
        sys.exit(f"no *.txt.xz files in {corpus}")
    evals = [Path(args.bench) / name for name in EVAL_SETS]
    exclude = ContainmentFilter(read_sentences([p for p in evals if p.exists()]))
    stats = CorpusStats()
    vocab: dict[str, int] = {}
    lines: list[np.ndarray] = []
    groups: list[int] = []
    t0 = time.time()
    for line in iter_corpus(files, parse_sample(SAMPLE), holdout=heldout, stats=stats, exclude=exclude):
        g = group_of(stats.files[-1]["file"])
        ids = []
        for tok in jieba.lcut(line):
            if tok.isspace():
                continue
            if HAN.match(tok):
                i = vocab.get(tok)
                if i is None:
                    i = vocab[tok] = len(vocab)
                ids.append(i)
            else:
                ids.append(-1)
        lines.append(np.array(ids, dtype=np.int32))
        groups.append(g)
    print(f"segmented {len(lines)} lines, {sum(len(x) for x in lines)} tokens, {len(vocab)} word types "
          f"in {time.time() - t0:.0f}s", flush=True)
    return lines, list(vocab), groups


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--bench", default=str(REPO.parent / "shared" / "benchmarks"))
    ap.add_argument("--out", default=str(REPO / "data" / "lexicon" / "word_context.npz"))
    ap.add_argument("--vocab", type=int, default=65535, help="words kept, <s> included (at most 65535)")
    ap.add_argument("--min-bigram", type=int, default=3)
    ap.add_argument("--emb-words", type=int, default=50000)
    ap.add_argument("--contexts", type=int, default=6000)
    ap.add_argument("--dim", type=int, default=96)
    ap.add_argument("--window", type=int, default=10)
    args = ap.parse_args()
    need_data(args.corpus, "the shared corpus (corpus/)")
    if not 2 <= args.vocab <= 65535:
        sys.exit("--vocab must be in 2..65535")

    t0 = time.time()
    lines, types, groups = segment(args)
    ntypes = len(types)
    # counts per genre group
    per_group = np.zeros((ntypes, len(GROUPS)), dtype=np.int64)
    for ids, g in zip(lines, groups, strict=True):
        ids = ids[ids >= 0]
        if ids.size:
            per_group[:, g] += np.bincount(ids, minlength=ntypes)
    total = per_group.sum(1)
    order = np.argsort(-total, kind="stable")[: args.vocab - 1]
    order = order[total[order] > 0]
    V = len(order) + 1
    new_id = np.zeros(ntypes + 1, dtype=np.int64)  # type id -> vocab id (0: not kept / boundary)
    new_id[order] = np.arange(1, V)
    words = ["<s>", *(types[i] for i in order)]
    counts = np.zeros((V, len(GROUPS)), dtype=np.uint32)
    counts[1:] = np.minimum(per_group[order], 2**32 - 1)

    # adjacent pairs; a non-Han token breaks the chain (the next word follows <s>)
    unknown = V  # a Han word outside the vocabulary
    left_totals = np.zeros(V, dtype=np.int64)
    keys_all = []
    for ids in lines:
        if not ids.size:
            continue
        prev = np.concatenate([[-1], ids[:-1]])
        ok = ids >= 0
        a = np.where(prev >= 0, np.where(new_id[np.maximum(prev, 0)] > 0, new_id[np.maximum(prev, 0)], unknown), 0)[ok]
        b = new_id[ids[ok]]
        known_a = a < unknown
        np.add.at(left_totals, a[known_a], 1)
        keep = known_a & (b > 0)
        keys_all.append((a[keep] << 16) | b[keep])
    uk, uc = np.unique(np.concatenate(keys_all), return_counts=True)
    sel = uc >= args.min_bigram
    bigram_keys = uk[sel].astype(np.uint32)
    bigram_counts = np.minimum(uc[sel], 65535).astype(np.uint16)
    del keys_all
    print(f"{len(uk)} distinct word pairs, {sel.sum()} kept (count >= {args.min_bigram})", flush=True)

    emb = embeddings(lines, new_id, min(args.emb_words, V - 1), min(args.contexts, V - 1), args.dim, args.window)
    meta = {
        "trained_on": "cjkglyph shared corpus, jieba-segmented (reviews, news headlines, Wikipedia, essays/fiction, "
        "app descriptions, science abstracts, dialogue); manuals, laws and classical poetry skipped; lines "
        "containing evaluation sentences (abbrev dev, CPP dev, SIGHAN-14 test) removed; "
        "the 'tune'/'test' lines of cjkglyph._splits.corpus_part held out (as scripts/build_lm.py)",
        "groups": [name for name, _ in GROUPS],
        "min_bigram": args.min_bigram,
        "window": args.window,
        "contexts": args.contexts,
        "built_by": "scripts/build_word_context.py",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        np.savez_compressed(
            f,
            words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            counts=counts,
            left_totals=np.minimum(left_totals, 2**32 - 1).astype(np.uint32),
            bigram_keys=bigram_keys,
            bigram_counts=bigram_counts,
            emb=emb,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        )
    print(f"wrote {out}: {out.stat().st_size / 1e6:.1f} MB, {V} words, {len(bigram_keys)} pairs, "
          f"embeddings {emb.shape}; {time.time() - t0:.0f}s", flush=True)


def embeddings(lines: list[np.ndarray], new_id: np.ndarray, n: int, nc: int, dim: int, window: int) -> np.ndarray:
    """int8 unit vectors (x127) for vocab ids 1..n: SVD of the PPMI matrix against context ids 1..nc."""
    t0 = time.time()
    unknown = np.int64(2**40)  # a Han word outside the vocabulary: takes a position, matches nothing
    stream = []
    for x in lines:
        x = new_id[x[x >= 0]]
        stream.append(np.append(np.where(x > 0, x, unknown), -1))
    ids = np.concatenate(stream)
    del stream
    line = np.cumsum(ids < 0)
    M = np.zeros((n, nc), dtype=np.float32)
    flat = M.reshape(-1)
    for d in range(1, window + 1):
        a, b = ids[:-d], ids[d:]
        same = (line[:-d] == line[d:]) & (a >= 0) & (b >= 0)
        for x, y in ((a, b), (b, a)):
            m = same & (x >= 1) & (x <= n) & (y >= 1) & (y <= nc)
            k, c = np.unique((x[m] - 1) * nc + (y[m] - 1), return_counts=True)
            flat[k] += c
    tot = M.sum()
    pt = M.sum(1, keepdims=True) / tot
    pc = M.sum(0, keepdims=True) ** 0.75
    pc /= pc.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        P = np.log((M / tot) / (pt * pc))
    del M, flat
    P[~np.isfinite(P)] = 0
    np.maximum(P, 0, out=P)
    rng = np.random.default_rng(0)
    Q = P @ rng.standard_normal((nc, dim + 20)).astype(np.float32)
    for _ in range(2):
        Q, _ = np.linalg.qr(Q)
        Q = P @ (P.T @ Q)
    Q, _ = np.linalg.qr(Q)
    Ub, S, _ = np.linalg.svd(Q.T @ P, full_matrices=False)
    E = (Q @ Ub[:, :dim]) * np.sqrt(S[:dim])
    E /= np.linalg.norm(E, axis=1, keepdims=True) + 1e-9
    print(f"embeddings {E.shape} in {time.time() - t0:.0f}s", flush=True)
    return np.round(E * 127).astype(np.int8)


if __name__ == "__main__":
    main()
