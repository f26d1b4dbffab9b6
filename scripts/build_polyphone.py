#!/usr/bin/env python
"""Build data/pinyin/polyphone.npz, the polyphone classifier behind cjkglyph.pinyin.

Training data:
1. CPP polyphone sentences (``../shared/benchmarks/pinyin/cpp_dev.tsv``) except
   the held-out fifth (:func:`cjkglyph._splits.polyphone_heldout`), which is only
   ever used for evaluation;
2. pseudo-labelled sentences mined from ``../shared/corpus``: a polyphone inside
   a multi-character word of pypinyin's phrase dictionary is labelled with the
   phrase's reading when the phrase gives one reading for it and jieba's
   segmentation agrees on the word boundaries. deb_fortunes-zh (classical
   poetry) is skipped, the laws corpus is down-sampled (every 20th line), and
   corpus sentences sharing a 12-character substring with any CPP sentence are
   dropped. (``--drop-phrase`` can show some of them without their phrase, as
   if the dictionary did not know the word; in 4-fold cross-validation on the
   CPP training part that hurt, so it is off by default.)

Model: per-character softmax over up to K readings, weights of hashed features
(see cjkglyph.pinyin.polyphone.features) trained with AdaGrad in numpy.

Usage (about 2 CPU-minutes, one core: mining the corpus, feature extraction,
10 s of training; 3-6 minutes wall-clock on a busy machine). The mined examples
are cached in --work (the cjkglyph cache directory by default), so a second run
takes about 1 minute. The output is deterministic (bit-identical rebuilds)::

    nice -n 10 python scripts/build_polyphone.py            # writes data/pinyin/polyphone.npz
    python scripts/build_polyphone.py --eval tune           # hyper-parameter check: train without the tune fifth
"""

from __future__ import annotations

import argparse
import collections
import lzma
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

os.environ.setdefault("OMP_NUM_THREADS", "1")

from cjkglyph._splits import CLASSICAL, need_data, polyphone_heldout  # noqa: E402
from cjkglyph.pinyin import analyse, char_readings, is_polyphone  # noqa: E402
from cjkglyph.pinyin.polyphone import FEATURE_VERSION, N_FEATURES, features, hash_features, lattice, word_context  # noqa: E402
from cjkglyph.pinyin.syllable import to_tone3  # noqa: E402

SUBSAMPLE = {"laws_LawRefBook": 20}
SHINGLE = 12
_SENT_END = re.compile(r"(?<=[。！？!?；;])")


def log(*a: object) -> None:
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- data


def read_cpp(path: Path) -> list[tuple[str, int, str]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            sent, idx, char, gold = line.rstrip("\n").split("\t")
            i = int(idx)
            if sent[i] != char:
                raise SystemExit(f"{path}: index {i} of {sent!r} is not {char}")
            rows.append((sent, i, to_tone3(gold)))
    return rows


def tune_split(sentence: str) -> bool:
    """A second fifth (disjoint from the held-out one) for hyper-parameter checks."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(sentence.encode("utf-8"), digest_size=8).digest(), "big") % 5 == 1


def sentences(line: str) -> list[str]:
    out = []
    for s in _SENT_END.split(line):
        s = s.strip()
        while len(s) > 120:
            cut = s.rfind("，", 20, 120)
            cut = cut + 1 if cut > 0 else 120
            out.append(s[:cut])
            s = s[cut:]
        if len(s) >= 6:
            out.append(s)
    return out


def mine(corpus: Path, cpp: list[tuple[str, int, str]], out: Path, per_word: int, per_char: int, seed: int) -> None:
    """Write pseudo-labelled examples (sentence, index, reading, file) to ``out``."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    from pypinyin.constants import PHRASES_DICT

    shingles = {s[k : k + SHINGLE] for s, _, _ in cpp for k in range(max(1, len(s) - SHINGLE + 1))}
    lines: list[tuple[str, str]] = []
    for path in sorted(corpus.glob("*.txt.xz")):
        name = path.name.removesuffix(".txt.xz")
        if name in CLASSICAL:
            continue
        step = SUBSAMPLE.get(name, 1)
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if n % step == 0:
                    lines.append((name, line.rstrip("\n")))
        log(f"read {name}: {len(lines)} lines so far")
    random.Random(seed).shuffle(lines)
    per_word_count: collections.Counter[tuple[str, str]] = collections.Counter()
    per_char_count: collections.Counter[tuple[str, str]] = collections.Counter()
    kept = dropped = 0
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as w:
        for ln, (name, line) in enumerate(lines):
            if ln % 20000 == 0:
                log(f"mined {ln}/{len(lines)} lines, {kept} examples, {dropped} sentences overlapping CPP")
            for sent in sentences(line):
                if any(sent[k : k + SHINGLE] in shingles for k in range(max(1, len(sent) - SHINGLE + 1))):
                    dropped += 1
                    continue
                a = analyse(sent)
                cands = []
                for s0, s1 in a.words:
                    if s1 - s0 < 2:
                        continue
                    word = sent[s0:s1]
                    entry = PHRASES_DICT.get(word)
                    if entry is None:
                        continue
                    for p in range(s0, s1):
                        ch = sent[p]
                        if len(entry[p - s0]) != 1 or not is_polyphone(ch) or not a.phrase[p]:
                            continue
                        label = a.readings[p] or ""
                        if per_word_count[ch, word] >= per_word or per_char_count[ch, label] >= per_char:
                            continue
                        cands.append((p, ch, word, s0, s1))
                if not cands:
                    continue
                spans = set()
                pos = 0
                for tok in jieba.cut(sent, HMM=False):
                    spans.add((pos, pos + len(tok)))
                    pos += len(tok)
                for p, ch, word, s0, s1 in cands:
                    if (s0, s1) not in spans:
                        continue
                    label = a.readings[p]
                    per_word_count[ch, word] += 1
                    per_char_count[ch, label] += 1
                    kept += 1
                    w.write(f"{sent}\t{p}\t{label}\t{name}\n")
    os.replace(tmp, out)
    log(f"mining done: {kept} examples, {len({c for c, _ in per_char_count})} characters")


def read_mined(path: Path) -> list[tuple[str, int, str]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            sent, idx, label, _ = line.rstrip("\n").split("\t")
            rows.append((sent, int(idx), label))
    return rows


# ---------------------------------------------------------------------------- features


def example_features(sent: str, i: int, drop_phrase: bool) -> tuple[list[str], str, str]:
    """(features, dictionary reading, model key) of position i."""
    a = analyse(sent)
    ctx = word_context(a)
    word, left, right = ctx[i]
    reading, phrase = a.readings[i] or "", a.phrase[i]
    if drop_phrase:
        own = char_readings(sent[i]) or char_readings(a.simp[i])
        reading, phrase, word = (own[0] if own else reading), False, a.simp[i]
    return features(a.simp, i, reading, phrase, word, left, right, lattice(a.simp, i)), reading, sent[i]


def build_matrix(
    examples: list[tuple[str, int, str, float, bool]], cand_index: dict[str, list[str]], n_buckets: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X = np.zeros((len(examples), N_FEATURES), dtype=np.int64)
    y = np.zeros(len(examples), dtype=np.int64)
    mask = np.zeros((len(examples), k), dtype=bool)
    wt = np.zeros(len(examples), dtype=np.float32)
    keep = np.zeros(len(examples), dtype=bool)
    for n, (sent, i, label, weight, drop) in enumerate(examples):
        cands = cand_index.get(sent[i])
        if not cands or label not in cands:
            continue
        feats, _, key = example_features(sent, i, drop)
        X[n] = hash_features(feats, key, n_buckets)
        y[n] = cands.index(label)
        mask[n, : len(cands)] = True
        wt[n] = weight
        keep[n] = True
    return X[keep], y[keep], mask[keep], wt[keep]


# ---------------------------------------------------------------------------- training


def train(
    X: np.ndarray, y: np.ndarray, mask: np.ndarray, wt: np.ndarray, n_buckets: int, k: int,
    epochs: int, lr: float, l2: float, batch: int, seed: int,
) -> np.ndarray:  # fmt: skip
    rng = np.random.default_rng(seed)
    W = np.zeros((n_buckets, k), dtype=np.float32)
    G = np.full((n_buckets, k), 1e-6, dtype=np.float32)
    n = len(y)
    for epoch in range(epochs):
        perm = rng.permutation(n)
        loss = 0.0
        for s in range(0, n, batch):
            b = perm[s : s + batch]
            xb = X[b]
            logits = W[xb].sum(axis=1)
            logits[~mask[b]] = -1e9
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            rows = np.arange(len(b))
            loss += float(-(np.log(p[rows, y[b]] + 1e-12) * wt[b]).sum())
            g = p
            g[rows, y[b]] -= 1.0
            g *= wt[b, None]
            uniq, inv = np.unique(xb.ravel(), return_inverse=True)
            grad = np.zeros((len(uniq), k), dtype=np.float32)
            np.add.at(grad, inv, np.repeat(g, N_FEATURES, axis=0))
            grad += l2 * W[uniq]
            G[uniq] += grad * grad
            W[uniq] -= lr * grad / np.sqrt(G[uniq])
        log(f"epoch {epoch + 1}: loss {loss / wt.sum():.4f}")
    return W


def predict(W: np.ndarray, X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    logits = W[X].sum(axis=1)
    logits[~mask] = -1e9
    return logits.argmax(axis=1)


# ---------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpp", default=str(REPO.parent / "shared/benchmarks/pinyin/cpp_dev.tsv"))
    ap.add_argument("--corpus", default=str(REPO.parent / "shared/corpus"))
    ap.add_argument("--work", default=None, help="cache for mined examples (default: <cjkglyph cache>/build_polyphone)")
    ap.add_argument("--out", default=str(REPO / "data/pinyin/polyphone.npz"))
    ap.add_argument("--eval", choices=("none", "tune", "heldout"), default="none",
                    help="tune: also leave the tune fifth out and report on it; heldout: report on the held-out fifth")  # fmt: skip
    ap.add_argument("--buckets", type=int, default=1 << 19)
    ap.add_argument("--k", type=int, default=4, help="readings per character")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=0.3)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--cpp-weight", type=float, default=10.0)
    ap.add_argument("--mined-weight", type=float, default=1.0)
    ap.add_argument("--drop-phrase", type=float, default=0.0)
    ap.add_argument("--per-word", type=int, default=20)
    ap.add_argument("--per-char", type=int, default=300, help="pseudo examples per (character, reading)")
    ap.add_argument("--min-count", type=int, default=10, help="pseudo examples a reading needs to become a candidate")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    need_data(args.cpp, "the CPP polyphone dev split (benchmarks/pinyin/cpp_dev.tsv)")
    need_data(args.corpus, "the shared corpus (corpus/)")

    cpp = read_cpp(Path(args.cpp))
    from cjkglyph.resources import cache_dir

    work = Path(args.work) if args.work else cache_dir("build_polyphone")
    work.mkdir(parents=True, exist_ok=True)
    mined_path = work / f"mined-w{args.per_word}-r{args.per_char}-s{args.seed}.tsv"
    if not mined_path.exists():
        mine(Path(args.corpus), cpp, mined_path, args.per_word, args.per_char, args.seed)
    mined = read_mined(mined_path)
    log(f"{len(mined)} mined examples")

    heldout = [r for r in cpp if polyphone_heldout(r[0])]
    cpp_train = [r for r in cpp if not polyphone_heldout(r[0])]
    if args.eval == "tune":
        evaluation = [r for r in cpp_train if tune_split(r[0])]
        cpp_train = [r for r in cpp_train if not tune_split(r[0])]
    else:
        evaluation = heldout if args.eval == "heldout" else []
    log(f"CPP: {len(cpp_train)} training sentences, {len(evaluation)} evaluation, {len(heldout)} held out")

    # candidates: readings seen in CPP training labels or often enough in mined data, most frequent first
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for sent, i, label in cpp_train:
        counts[sent[i]][label] += args.cpp_weight
    mined_counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for sent, i, label in mined:
        mined_counts[sent[i]][label] += 1
    for ch, c in mined_counts.items():
        for label, m in c.items():
            if m >= args.min_count:
                counts[ch][label] += m
    cand_index: dict[str, list[str]] = {}
    for ch, c in counts.items():
        own = char_readings(ch)
        cands = [r for r, _ in c.most_common()][: args.k]
        if own and own[0] not in cands and len(cands) < args.k:
            cands.append(own[0])
        if len(cands) > 1 or (own and cands[0] != own[0]):
            cand_index[ch] = cands
    log(f"{len(cand_index)} characters in the model")

    rng = random.Random(args.seed)
    examples = [(s, i, lab, args.cpp_weight, False) for s, i, lab in cpp_train]
    examples += [(s, i, lab, args.mined_weight, rng.random() < args.drop_phrase) for s, i, lab in mined]
    t = time.time()
    X, y, mask, wt = build_matrix(examples, cand_index, args.buckets, args.k)
    log(f"features for {len(y)} examples in {time.time() - t:.0f}s")
    W = train(X, y, mask, wt, args.buckets, args.k, args.epochs, args.lr, args.l2, 2048, args.seed)

    if evaluation:
        from cjkglyph.pinyin.polyphone import PolyphoneModel

        model = PolyphoneModel(to_arrays(W, cand_index, args.buckets, args.k))
        evaluate(model, evaluation, args.eval)
    if args.eval == "tune":
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **to_arrays(W, cand_index, args.buckets, args.k))
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


def to_arrays(W: np.ndarray, cand_index: dict[str, list[str]], n_buckets: int, k: int) -> dict[str, np.ndarray]:
    chars = sorted(cand_index)
    syllables = sorted({r for c in cand_index.values() for r in c})
    sid = {s: n for n, s in enumerate(syllables)}
    cands = np.full((len(chars), k), -1, dtype=np.int16)
    for n, ch in enumerate(chars):
        for j, r in enumerate(cand_index[ch]):
            cands[n, j] = sid[r]
    return {
        "meta": np.array([FEATURE_VERSION, n_buckets, k], dtype=np.int64),
        "chars": np.array(chars, dtype="U1"),
        "syllables": np.array(syllables),
        "cands": cands,
        "weights": W.astype(np.float16),
    }


def evaluate(model: object, rows: list[tuple[str, int, str]], name: str) -> None:
    from cjkglyph.pinyin import analyse

    ok = base = 0
    errors: collections.Counter[tuple[str, str | None, str]] = collections.Counter()
    for sent, i, gold in rows:
        a = analyse(sent)
        base += a.readings[i] == gold
        model.disambiguate(sent, a)  # type: ignore[attr-defined]
        ok += a.readings[i] == gold
        if a.readings[i] != gold:
            errors[sent[i], a.readings[i], gold] += 1
    log(f"{name}: model {ok / len(rows):.4f}, dictionary {base / len(rows):.4f} ({len(rows)} sentences)")
    log("most frequent errors: " + ", ".join(f"{c}{o}/{g}x{n}" for (c, o, g), n in errors.most_common(25)))


if __name__ == "__main__":
    raise SystemExit(main())
