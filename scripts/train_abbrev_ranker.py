#!/usr/bin/env python3
"""Fit the abbreviation decoder's two-stage ranker (data/lexicon/abbrev_ranker.json) and measure its transfer.

Training signal: synthetic examples made the way benchmarks/abbrev/dev.tsv was
made, from corpus lines of the 'tune' part (:func:`cjkglyph._splits.corpus_part`;
the shipped character LM and word statistics were built on 'train' lines only),
lines containing an evaluation sentence dropped. Genres are corpus files:
reviews, news headlines, essays/fiction, dialogue, NLI sentences, Wikipedia, app
descriptions, science abstracts and laws (at most ``--lines`` lines and ``--examples``
examples each, so no genre dominates). Long lines are cut into sentences of 8-60 characters; in each
sentence up to two jieba words of 2-4 Han characters that are in jieba's
dictionary are replaced, one per example, by the first letters of their syllables
(pypinyin); for 30% of the examples with a zh/ch/sh syllable that one is written
with two letters instead.

Stage 1: a softmax over each example's candidates on the decoder's features
without the encoder (Adam, L2). Stage 2: the same over the ``--top`` best
stage-1 candidates, with the encoder features (``enc_masked``, ``enc_letters``: the
letter-aware encoder of scripts/finetune_abbrev_encoder.py) added.
Stage 2 runs only where the best two stage-1 scores are less than a margin
apart: the smallest of a few margins that keeps acc@1 on the 'tune' examples
within 0.1 of running it everywhere (it saves the encoder call on clear cases).
``curated`` is not fitted (chat slang is absent from the corpus): it is set to
``--curated`` times the LM weight; ``--drop`` features are held at 0 (the
shipped file: the genre frequencies ``freq_*``, which did not transfer better
than without them in the leave-one-genre-out table).

Transfer: leave-one-genre-out. For each genre, both stages are fitted on the
'tune' examples of all other genres and measured on the 'test' examples of the
left-out genre ('test' lines are never fitted on); the table is printed with the
previous weights file measured on the same examples (``before``) and written
into the output's ``logo``. The shipped weights are then fitted on all 'tune'
examples. benchmarks/abbrev/dev.tsv is never read except to drop lines that
contain its sentences.

    nice -n 10 python scripts/train_abbrev_ranker.py            # about 6 min on 2 shared cores
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from cjkglyph._splits import ABBREV_GENRES, EVAL_SETS, corpus_part, need_data

from cjkglyph.abbrev import FEATURES, AbbreviationDecoder, find_runs
from cjkglyph.abbrev.encoder_features import ENCODER_FEATURES
from cjkglyph.encoder import CharEncoder, default_encoder
from cjkglyph.lm.build import ContainmentFilter, read_sentences

REPO = Path(__file__).resolve().parent.parent

GENRES = ABBREV_GENRES
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
Example = tuple[str, str, str]  # abbreviated sentence, gold expansion, original
Data = list[tuple[np.ndarray, int]]  # (feature matrix, gold index or -1) per example


def part_lines(corpus: Path, bench: Path, per_genre: int, seed: int) -> dict[tuple[str, str], list[str]]:
    """{(genre, part): lines} for the 'tune' and 'test' parts, at most ``per_genre`` lines each."""
    contains_eval = ContainmentFilter(read_sentences([p for p in (bench / n for n in EVAL_SETS) if p.exists()]))
    out: dict[tuple[str, str], list[str]] = {}
    for genre in GENRES:
        path = corpus / f"{genre}.txt.xz"
        if not path.exists():
            continue
        found: dict[str, list[str]] = {"tune": [], "test": []}
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for raw in f:
                line = raw.strip()
                part = corpus_part(line) if line else "train"
                if part != "train" and not contains_eval(line):
                    found[part].append(line)
        for part, lines in found.items():
            lines = sorted(set(lines))
            random.Random(f"{seed}:{genre}:{part}").shuffle(lines)
            out[genre, part] = lines[:per_genre]
    return out


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


def featurize(dec: AbbreviationDecoder, examples: list[Example]) -> tuple[Data, list[list[str]]]:
    """(feature matrix, gold index or -1) and the candidates per example; encoder columns left at 0."""
    out, cands = [], []
    for src, gold, _ in examples:
        run = find_runs(src)[0]
        texts, X = dec.candidate_features(src, run)
        out.append((X, texts.index(gold) if gold in texts else -1))
        cands.append(texts)
    return out, cands


def fit(data: Data, free: np.ndarray, l2: float, iters: int = 300, lr: float = 0.05, cap: int = 80) -> np.ndarray:
    """Weights of the ``free`` features maximising the mean log softmax probability of the gold candidate."""
    # the first ``cap`` proposals (and the gold one) of each example: the rest barely move the fit
    data = [(X[:cap], y) if y < cap else (np.vstack([X[: cap - 1], X[y]]), cap - 1) for X, y in data if y >= 0 and len(X) > 1]
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


class Ranker:
    """Both stages' free features, the fixed ``curated`` ratio and the stage-2 depth."""

    def __init__(self, drop: set[str], curated: float, top: int, l2: float) -> None:
        enc = np.array([f in ENCODER_FEATURES for f in FEATURES])
        fixed = np.array([f == "curated" or f in drop for f in FEATURES])
        self.free1 = ~fixed & ~enc
        self.free2 = ~fixed
        self.curated, self.top, self.l2 = curated, top, l2

    def _full(self, wf: np.ndarray, free: np.ndarray) -> np.ndarray:
        w = np.zeros(len(FEATURES))
        w[free] = wf
        w[FEATURES.index("curated")] = self.curated * w[FEATURES.index("lm")]
        return w

    def stage2_data(self, data: Data, w1: np.ndarray) -> Data:
        """Each example's ``top`` best candidates under ``w1`` (gold index among them, or -1)."""
        out = []
        for X, y in data:
            order = np.argsort(-(X @ w1), kind="stable")[: self.top]
            out.append((X[order], int(np.flatnonzero(order == y)[0]) if y in order else -1))
        return out

    def fit(self, data: Data) -> tuple[np.ndarray, np.ndarray]:
        w1 = self._full(fit(data, self.free1, self.l2), self.free1)
        w2 = self._full(fit(self.stage2_data(data, w1), self.free2, self.l2), self.free2)
        return w1, w2

    def evaluate(self, data: Data, w1: np.ndarray, w2: np.ndarray | None, margin: float = np.inf) -> tuple[float, float]:
        """accuracy@1 and MRR@10 (percent; an example whose gold is no candidate counts as wrong). Stage 2 runs
        where the best two stage-1 scores are less than ``margin`` apart."""
        acc = mrr = 0.0
        for X, y in data:
            if y < 0:
                continue
            s1 = X @ w1
            order = np.argsort(-s1, kind="stable")
            r = 1 + int(np.flatnonzero(order == y)[0])
            close = len(order) > 1 and s1[order[0]] - s1[order[1]] < margin
            if w2 is not None and r <= self.top and close:
                top = order[: self.top]
                s2 = X[top] @ w2
                r = 1 + int((s2 > s2[r - 1]).sum())
            acc += r == 1
            mrr += 1 / r if r <= 10 else 0.0
        n = max(1, len(data))
        return 100 * acc / n, 100 * mrr / n


def add_encoder(dec: AbbreviationDecoder, examples: list[Example], data: Data, cands: list[list[str]], w1: np.ndarray,
                pool: int) -> None:
    """Fill the encoder columns for each example's ``pool`` best candidates under ``w1`` (the rest keep 0)."""
    for (src, _, _), (X, _), texts in zip(examples, data, cands, strict=True):
        if len(texts):
            dec.add_encoder_features(src, find_runs(src)[0], texts, X, np.argsort(-(X @ w1), kind="stable")[:pool])


def weights_of(path: Path) -> tuple[np.ndarray, np.ndarray | None, int]:
    """A ranker file's stage-1 and stage-2 weight vectors (None without a second stage) and its depth."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    w1 = np.array([raw["weights"].get(f, 0.0) for f in FEATURES])
    second = raw.get("rescore")
    if second is None:
        return w1, None, 0
    return w1, np.array([second["weights"].get(f, 0.0) for f in FEATURES]), int(second["top"])


def build_features(args: argparse.Namespace, corpus: Path, t0: float) -> tuple[dict[tuple[str, str], Data], int, int]:
    """Examples of every genre and part, featurised, with the encoder column filled for the best candidates."""
    lines = part_lines(corpus, Path(args.bench), args.lines, args.seed)
    examples = {key: [e for _, e in make_examples([("", x) for x in ls], args.seed, args.per_line, args.two_letter)]
                [: args.examples] for key, ls in lines.items()}
    n_tune = sum(len(v) for (g, p), v in examples.items() if p == "tune")
    n_test = sum(len(v) for (g, p), v in examples.items() if p == "test")
    print(f"{sum(len(v) for v in lines.values())} lines -> {n_tune} tune / {n_test} test examples "
          f"({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
    # features computed with every weight non-zero so that all of them are filled in
    dec = AbbreviationDecoder(
        word_context=args.word_context, weights=dict.fromkeys(FEATURES, 1.0), rescore=None, encoder=default_encoder(),
        letter_encoder=CharEncoder.load(args.letter_encoder) if args.letter_encoder != "none" else None,
    )
    feats = {key: featurize(dec, ex) for key, ex in examples.items()}
    data = {key: f[0] for key, f in feats.items()}
    print(f"features in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    # the encoder column for the best candidates under a first stage fitted on all 'tune' examples
    free1 = np.array([f not in ENCODER_FEATURES for f in FEATURES])
    w1 = np.zeros(len(FEATURES))
    w1[free1] = fit([d for (g, p), v in data.items() if p == "tune" for d in v], free1, args.l2)
    for key, ex in examples.items():
        add_encoder(dec, ex, data[key], feats[key][1], w1, 4 * args.top)
    print(f"encoder feature in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    return data, n_tune, n_test


def save_cache(path: Path, data: dict[tuple[str, str], Data]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for (genre, part), items in data.items():
        for i, (X, y) in enumerate(items):
            arrays[f"{genre}|{part}|{i}|{y}"] = X.astype(np.float32)
    np.savez_compressed(path, **arrays)


def load_cache(path: Path) -> tuple[dict[tuple[str, str], Data], int, int]:
    data: dict[tuple[str, str], Data] = {}
    with np.load(path) as z:
        for name in sorted(z.files, key=lambda n: (n.split("|")[:2], int(n.split("|")[2]))):
            genre, part, _, y = name.split("|")
            data.setdefault((genre, part), []).append((z[name].astype(np.float64), int(y)))
    n = {p: sum(len(v) for (g, pp), v in data.items() if pp == p) for p in ("tune", "test")}
    return data, n["tune"], n["test"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--bench", default=str(REPO.parent / "shared" / "benchmarks"))
    ap.add_argument("--out", default=str(REPO / "data" / "lexicon" / "abbrev_ranker.json"))
    ap.add_argument("--before", help="ranker file measured as 'before' in the table (default: --out as it is)")
    ap.add_argument("--word-context", default="default", help="word_context.npz to use (default: the shipped one)")
    ap.add_argument("--lines", type=int, default=300, help="lines per genre and part")
    ap.add_argument("--examples", type=int, default=400, help="examples per genre and part")
    ap.add_argument("--per-line", type=int, default=2)
    ap.add_argument("--two-letter", type=float, default=0.3, help="share of zh/ch/sh examples spelled with two letters")
    ap.add_argument(
        "--curated", type=float, default=5.0, help="weight of curated chat slang (3+ syllables), in units of the LM weight"
    )
    ap.add_argument("--drop", default="freq_reviews,freq_news,freq_general", help="comma-separated features held at 0")
    ap.add_argument("--letter-encoder", default=str(REPO / "data" / "abbrev" / "encoder"),
                    help="the letter-aware encoder folder for enc_letters ('none': the column stays 0)")
    ap.add_argument("--top", type=int, default=5, help="stage-1 candidates re-scored with the encoder")
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-write", action="store_true", help="measure only")
    ap.add_argument("--cache", help="npz of the featurised examples: written when missing, read when present")
    args = ap.parse_args()
    need_data(args.corpus, "the shared corpus (corpus/)")
    drop = {f for f in args.drop.split(",") if f}
    if drop - set(FEATURES):
        sys.exit(f"unknown features in --drop: {sorted(drop - set(FEATURES))}")
    corpus = Path(args.corpus)
    if not any((corpus / f"{g}.txt.xz").exists() for g in GENRES):
        sys.exit(f"needs the shared corpus (../shared/corpus/*.txt.xz): none of its files in {corpus}")

    t0 = time.time()
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.exists():
        data, n_tune, n_test = load_cache(cache)
        print(f"features from {cache}", file=sys.stderr, flush=True)
    else:
        data, n_tune, n_test = build_features(args, corpus, t0)
        if cache is not None:
            save_cache(cache, data)
    recall = {key: 100 * sum(y >= 0 for _, y in d) / max(1, len(d)) for key, d in data.items()}
    ranker = Ranker(drop, args.curated, args.top, args.l2)
    tune_all = [d for (g, p), v in data.items() if p == "tune" for d in v]

    w1, w2 = ranker.fit(tune_all)
    # the gate: stage 2 only where stage 1 is unsure (saves the encoder call on clear cases), chosen on 'tune'
    full = ranker.evaluate(tune_all, w1, w2)[0]
    margin = float("inf")
    for m in (0.5, 1.0, 2.0, 4.0):
        acc = ranker.evaluate(tune_all, w1, w2, m)[0]
        share = 100 * np.mean([len(X) > 1 and np.diff(np.sort(X @ w1)[-2:])[0] < m for X, _ in tune_all])
        print(f"gate {m}: stage 2 on {share:.0f}% of 'tune' runs, acc@1 {acc:.1f} (ungated {full:.1f})", file=sys.stderr)
        if acc >= full - 0.1 and margin == float("inf"):
            margin = m
    before_path = Path(args.before or args.out)
    before = weights_of(before_path) if before_path.exists() else None
    genres = [g for g in GENRES if (g, "test") in data and data[g, "test"]]
    table = []
    head = f"{'left-out genre':<26} {'test':>5} {'recall':>6}  {'before':>11}  {'stage 1':>11}  {'+ encoder':>11}"
    print(head + "\n" + " " * 42 + "acc@1 MRR   acc@1 MRR   acc@1 MRR")
    for g in genres:
        train = [d for (gg, p), v in data.items() if p == "tune" and gg != g for d in v]
        f1, f2 = ranker.fit(train)
        test = data[g, "test"]
        row = {"genre": g, "examples": len(test), "recall": round(recall[g, "test"], 1)}
        if before is not None:
            old = Ranker(set(), args.curated, before[2] or 1, args.l2)
            row["before"] = [round(x, 1) for x in old.evaluate(test, before[0], before[1])]
        row["stage1"] = [round(x, 1) for x in ranker.evaluate(test, f1, None)]
        row["after"] = [round(x, 1) for x in ranker.evaluate(test, f1, f2, margin)]
        table.append(row)
        b = row.get("before", [float("nan")] * 2)
        print(f"{g:<26} {len(test):5d} {row['recall']:6.1f}  {b[0]:5.1f} {b[1]:5.1f}  {row['stage1'][0]:5.1f} "
              f"{row['stage1'][1]:5.1f}  {row['after'][0]:5.1f} {row['after'][1]:5.1f}", flush=True)
    mean = {k: [round(float(np.mean([r[k][i] for r in table])), 1) for i in (0, 1)] for k in ("before", "stage1", "after")
            if all(k in r for r in table)}
    print(f"{'mean over genres':<26} {'':5} {'':6}  " + "  ".join(f"{mean[k][0]:5.1f} {mean[k][1]:5.1f}"
          if k in mean else f"{'':11}" for k in ("before", "stage1", "after")), flush=True)

    if args.no_write:
        return
    report = {
        "weights": {f: round(float(x), 5) for f, x in zip(FEATURES, w1, strict=True)},
        "rescore": {"top": args.top, "margin": margin if np.isfinite(margin) else None, "weights": {f: round(float(x), 5) for f, x in zip(FEATURES, w2, strict=True)}},
        "trained_on": f"synthetic abbreviations of corpus 'tune' lines ({n_tune} examples, {len(GENRES)} genres: "
        "reviews, news headlines, essays/fiction, dialogue, NLI, Wikipedia, app descriptions, science abstracts, "
        "laws); curated set by hand" + (f"; held at 0: {', '.join(sorted(drop))}" if drop else ""),
        "logo": {"per_genre": table, "mean": mean, "examples": n_test},
        "built_by": "scripts/train_abbrev_ranker.py",
    }
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report["rescore"]["weights"]), file=sys.stderr, flush=True)
    print(f"wrote {args.out} ({time.time() - t0:.0f}s)", file=sys.stderr)


if __name__ == "__main__":
    main()
