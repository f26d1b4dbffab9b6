#!/usr/bin/env python
"""Build the polyphone models behind cjkglyph.pinyin: data/pinyin/polyphone.npz (the fast
hashed log-linear model), data/pinyin/polyphone_context.npz (the per-character
softmax on the shared encoder's vectors) and data/pinyin/lexicon_phrases.tsv
(Rime lexicon words pypinyin's phrase dictionary lacks, with their certain readings).

Training data:
1. CPP polyphone sentences (``../shared/benchmarks/pinyin/cpp_dev.tsv``) except
   the held-out fifth (:func:`cjkglyph._splits.polyphone_heldout`), which is only
   ever used for evaluation;
2. pseudo-labelled sentences mined from ``../shared/corpus`` ('train' and 'tune'
   lines only, :func:`cjkglyph._splits.corpus_part`): a polyphone inside a word
   that jieba finds is labelled when the reading is certain: pypinyin's phrase
   dictionary lists one reading, or (words it lacks) the Rime lexicon's toneless
   syllable fits one reading (:func:`rime_readings`). 一 and 不 are left out (their
   tone changes are sandhi). deb_fortunes-zh (classical poetry) is skipped, the
   laws corpus is down-sampled (every 20th line), and corpus sentences sharing a
   12-character substring with any CPP sentence are dropped;
3. teacher-labelled examples (:func:`teach`): the readings g2pM (Park & Lee 2020,
   Apache-2.0, ``pip install g2pM``; a BiLSTM trained on the CPP training split,
   which this project does not have) gives polyphones in the same corpus
   sentences, at most 600 per character, weighted 0.3 (a CPP sentence: 10); rare
   characters also get the teacher's reading of them put into other sentences.
   In 4-fold cross-validation on the training fifths this took the fast model
   from 95.5% to 96.3% (``--eval cv``; ``--teacher-per-char 0`` builds without it).

Models: the fast model is a per-character softmax over up to K readings, weights
of hashed features (see cjkglyph.pinyin.polyphone.features) trained with AdaGrad
in numpy. The context model is a per-character softmax regression (torch, CPU) on
the shared encoder's 256-d vectors at the character, same characters and
candidates; at run time it joins in where the fast model's best probability is
below ``--gate`` (0.95, with the fast model's log-probability weighted 2: chosen on
the tune fifth, where ``--eval tune`` prints the grid; ``--eval heldout`` prints it
on the held-out fifth).

Usage (mining, teaching, encoder vectors for ~200k examples and training: about
15 CPU-minutes, one core; mined and taught examples and vectors are cached in
--work, the cjkglyph cache directory by default, so a second run takes 3-4 minutes)::

    nice -n 10 python scripts/build_polyphone.py            # writes data/pinyin/
    python scripts/build_polyphone.py --eval cv --no-context  # 4-fold CV of the fast model on the training fifths
    python scripts/build_polyphone.py --eval heldout        # also prints held-out accuracy and the gate grid
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
from functools import lru_cache
from typing import Any
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

os.environ.setdefault("OMP_NUM_THREADS", "1")

from cjkglyph._splits import CLASSICAL, corpus_part, need_data, polyphone_fold, polyphone_heldout  # noqa: E402
from cjkglyph.pinyin import analyse, char_readings, is_polyphone  # noqa: E402
from cjkglyph.pinyin.polyphone import FEATURE_VERSION, N_FEATURES, features, hash_features, lattice, word_context  # noqa: E402
from cjkglyph.pinyin.readings import SANDHI_CHARS as CITATION  # noqa: E402
from cjkglyph.pinyin.syllable import to_tone3  # noqa: E402

SUBSAMPLE = {"laws_LawRefBook": 20}
#: Characters whose teacher-labelled examples are not used: the corpus often writes one of 的/地/得 for
#: another (他得了 for 他的), where the teacher's reading of the sentence says little (他得了冠军 dé).
UNTAUGHT = frozenset("的地得")
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
    return polyphone_fold(sentence) == 1


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


def rime_readings(lexicon: Path) -> dict[str, list[str | None]]:
    """Words of the Rime lexicon that pypinyin's phrase dictionary lacks -> tone3 per character, None where unsure.

    A polyphone's reading is certain when the word has one spelling and its
    toneless syllable fits one reading of the character, or, for the last
    character of the word, fits one full tone and the neutral tone (长得 zhang3 de5).
    """
    from pypinyin.constants import PHRASES_DICT

    spellings: dict[str, set[str]] = collections.defaultdict(set)
    with open(lexicon, encoding="utf-8") as f:
        next(f)
        for line in f:
            word, syl = line.split("\t")[:2]
            if 2 <= len(word) <= 4 and word not in PHRASES_DICT:
                spellings[word].add(syl)
    out: dict[str, list[str | None]] = {}
    for word, syls in sorted(spellings.items()):
        parts = next(iter(syls)).split()
        if len(syls) != 1 or len(parts) != len(word):
            continue
        readings: list[str | None] = []
        for p, (ch, syl) in enumerate(zip(word, parts, strict=True)):
            match = [r for r in char_readings(ch) if r[:-1] == syl.replace("u:", "v")]
            if len(match) == 2 and p == len(word) - 1 and sum(r.endswith("5") for r in match) == 1:
                match = [r for r in match if r.endswith("5")]
            readings.append(match[0] if len(match) == 1 and ch not in CITATION else None)
        if any(r is not None and is_polyphone(ch) for ch, r in zip(word, readings, strict=True)):
            out[word] = readings
    return out


def certain_readings(lexicon: Path) -> dict[str, list[tuple[int, str]]]:
    """Word -> [(offset, tone3)] for the polyphones whose reading in that word is certain.

    From pypinyin's phrase dictionary (one reading listed) and, for words it
    lacks, the Rime lexicon (:func:`rime_readings`).
    """
    from pypinyin.constants import PHRASES_DICT

    out: dict[str, list[tuple[int, str]]] = {}
    for word, entry in PHRASES_DICT.items():
        if len(word) < 2 or len(entry) != len(word):
            continue
        labels = []
        for p, (ch, rs) in enumerate(zip(word, entry, strict=True)):
            if len(rs) != 1 or not is_polyphone(ch) or ch in CITATION:
                continue
            try:
                labels.append((p, to_tone3(rs[0])))
            except ValueError:
                continue
        if labels:
            out[word] = labels
    for word, readings in rime_readings(lexicon).items():
        labels = [(p, r) for p, (ch, r) in enumerate(zip(word, readings, strict=True)) if r is not None and is_polyphone(ch)]
        if labels:
            out[word] = labels
    return out


def write_phrases(lexicon: Path, out: Path) -> None:
    """data/pinyin/lexicon_phrases.tsv: :func:`rime_readings`, one word a line, "-" where unsure."""
    rows = rime_readings(lexicon)
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("# derived from the Rime pinyin_simp lexicon (Apache-2.0) by scripts/build_polyphone.py\n")
        for word, readings in rows.items():
            f.write(f"{word}\t{' '.join(r or '-' for r in readings)}\n")
    os.replace(tmp, out)
    log(f"wrote {out} ({len(rows)} words)")


def certain_in(sent: str, certain: dict[str, list[tuple[int, str]]], cut: Any) -> list[tuple[int, str, str]]:
    """(position, certain reading, word) of each polyphone of ``sent`` inside a jieba word of ``certain``."""
    out = []
    pos = 0
    for tok in cut(sent, HMM=False):
        out.extend((pos + off, label, tok) for off, label in certain.get(tok, ()))
        pos += len(tok)
    return out


def word_cutter() -> Any:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba.cut


def cpp_shingles(cpp: list[tuple[str, int, str]]) -> set[str]:
    return {s[k : k + SHINGLE] for s, _, _ in cpp for k in range(max(1, len(s) - SHINGLE + 1))}


def overlaps(sent: str, shingles: set[str]) -> bool:
    return any(sent[k : k + SHINGLE] in shingles for k in range(max(1, len(sent) - SHINGLE + 1)))


def corpus_lines(corpus: Path, seed: int) -> list[tuple[str, str]]:
    """(file name, line) of the corpus's 'train' and 'tune' lines, classical text skipped, shuffled."""
    lines: list[tuple[str, str]] = []
    for path in sorted(corpus.glob("*.txt.xz")):
        name = path.name.removesuffix(".txt.xz")
        if name in CLASSICAL:
            continue
        step = SUBSAMPLE.get(name, 1)
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if n % step == 0 and corpus_part(line) != "test":
                    lines.append((name, line.rstrip("\n")))
        log(f"read {name}: {len(lines)} lines so far")
    random.Random(seed).shuffle(lines)
    return lines


def teach(
    corpus: Path, lexicon: Path, cpp: list[tuple[str, int, str]], out: Path, per_char: int, rare: int, contexts: int,
    seed: int,
) -> None:  # fmt: skip
    """Write examples labelled by the g2pM teacher (sentence, index, reading, file) to ``out``.

    g2pM (Park & Lee 2020, Apache-2.0, ``pip install g2pM``) is a BiLSTM trained on the
    CPP training split, which this project does not have; its readings of polyphones
    in corpus sentences ('train' and 'tune' lines, none sharing a 12-character
    substring with a CPP dev sentence) carry that knowledge into the fast model
    (distillation). At most ``per_char`` examples per character; 一 and 不 are left out.
    A polyphone with fewer than ``rare`` corpus examples also gets ``contexts``
    examples of the teacher's reading of it put in place of a character of other
    corpus sentences (file name "prior"): mostly its prior for that character.
    A teacher reading that contradicts the certain reading of the word the
    polyphone is in (:func:`certain_readings`: 部分 fen4, 便宜 pian2) is dropped.
    """
    cut = word_cutter()
    certain = certain_readings(lexicon)
    try:
        from g2pM import G2pM
    except ImportError:
        raise SystemExit("the g2pM teacher is not installed: pip install g2pM (or pass --teacher-per-char 0)") from None
    from cjkglyph.pinyin.syllable import to_tone3 as tone3

    g2pm = G2pM()
    poly = {c for c, prons in g2pm.cedict.items() if len(c) == 1 and len(prons) > 1 and c not in CITATION}
    shingles = cpp_shingles(cpp)
    count: collections.Counter[str] = collections.Counter()
    kept = contradicted = 0
    tmp = out.with_suffix(".tmp")
    lines = corpus_lines(corpus, seed)
    with open(tmp, "w", encoding="utf-8") as w:
        for ln, (name, line) in enumerate(lines):
            if ln % 20000 == 0:
                log(f"taught {ln} lines, {kept} examples, {len(count)} characters")
            for sent in sentences(line):
                want = [i for i, ch in enumerate(sent) if ch in poly and count[ch] < per_char and is_polyphone(ch)]
                if not want or overlaps(sent, shingles):
                    continue
                readings = g2pm(sent, char_split=True, tone=True)
                if len(readings) != len(sent):
                    continue
                known = {p: label for p, label, _ in certain_in(sent, certain, cut)}
                for i in want:
                    try:
                        label = tone3(readings[i])
                    except ValueError:
                        continue
                    if known.get(i, label) != label:
                        contradicted += 1
                        continue
                    if label in char_readings(sent[i]) and count[sent[i]] < per_char:
                        count[sent[i]] += 1
                        kept += 1
                        w.write(f"{sent}\t{i}\t{label}\t{name}\n")
        pool = [s for _, line in lines[:5000] for s in sentences(line) if 12 <= len(s) <= 40]
        rng = random.Random(seed)
        few = sorted(c for c in poly if count[c] < rare and is_polyphone(c))
        for ch in few:
            for sent in rng.sample(pool, min(contexts, len(pool))):
                j = rng.randrange(2, len(sent) - 2)
                sent = sent[:j] + ch + sent[j + 1 :]
                readings = g2pm(sent, char_split=True, tone=True)
                try:
                    label = tone3(readings[j]) if len(readings) == len(sent) else ""
                except ValueError:
                    continue
                if label in char_readings(ch):
                    kept += 1
                    w.write(f"{sent}\t{j}\t{label}\tprior\n")
    os.replace(tmp, out)
    log(f"teaching done: {kept} examples, {len(count)} characters from the corpus, {len(few)} rare ones in other "
        f"sentences; {contradicted} readings dropped that contradict a word's certain reading")


def mine(
    corpus: Path, lexicon: Path, cpp: list[tuple[str, int, str]], out: Path, per_word: int, per_char: int, seed: int
) -> None:
    """Write pseudo-labelled examples (sentence, index, reading, file) to ``out``.

    Only 'train' and 'tune' corpus lines (:func:`cjkglyph._splits.corpus_part`) are read.
    """
    cut = word_cutter()
    certain = certain_readings(lexicon)
    log(f"{len(certain)} words with a certain polyphone reading")
    shingles = cpp_shingles(cpp)
    lines = corpus_lines(corpus, seed)
    per_word_count: collections.Counter[tuple[str, str]] = collections.Counter()
    per_char_count: collections.Counter[tuple[str, str]] = collections.Counter()
    kept = dropped = 0
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as w:
        for ln, (name, line) in enumerate(lines):
            if ln % 20000 == 0:
                log(f"mined {ln}/{len(lines)} lines, {kept} examples, {dropped} sentences overlapping CPP")
            for sent in sentences(line):
                if overlaps(sent, shingles):
                    dropped += 1
                    continue
                for i, label, tok in certain_in(sent, certain, cut):
                    ch = sent[i]
                    if per_word_count[ch, tok] >= per_word or per_char_count[ch, label] >= per_char:
                        continue
                    per_word_count[ch, tok] += 1
                    per_char_count[ch, label] += 1
                    kept += 1
                    w.write(f"{sent}\t{i}\t{label}\t{name}\n")
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


@lru_cache(maxsize=None)  # reused across the --eval cv folds
def example_buckets(sent: str, i: int, drop_phrase: bool, n_buckets: int) -> tuple[int, ...]:
    feats, _, key = example_features(sent, i, drop_phrase)
    return tuple(hash_features(feats, key, n_buckets))


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
        X[n] = example_buckets(sent, i, drop, n_buckets)
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


# ---------------------------------------------------------------------------- context model


def encoder_vectors(rows: list[tuple[str, int, str]], cache: Path) -> np.ndarray:
    """Shared-encoder vectors (n, D) at each example's position, cached in ``cache`` (.npy, float16)."""
    import hashlib

    key = hashlib.blake2b("\n".join(f"{s}\t{i}" for s, i, _ in rows).encode("utf-8"), digest_size=8).hexdigest()
    path = cache / f"vectors-{key}.npy"
    if path.exists():
        return np.load(path)
    from cjkglyph.encoder import default_encoder

    enc = default_encoder()
    log(f"encoder vectors for {len(rows)} examples (about 1.5 ms each on one core)")
    out = np.zeros((len(rows), enc.hidden(["一"], [0], [0]).shape[1]), dtype=np.float16)
    step = 512
    for s in range(0, len(rows), step):
        chunk = rows[s : s + step]
        texts = sorted({r[0] for r in chunk})
        tid = {t: n for n, t in enumerate(texts)}
        out[s : s + len(chunk)] = enc.hidden(texts, [tid[r[0]] for r in chunk], [r[1] for r in chunk])
        if s % (step * 40) == 0:
            log(f"vectors {s}/{len(rows)}")
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, out)
    os.replace(tmp, path)
    return out


def train_context(
    H: np.ndarray, keys: np.ndarray, y: np.ndarray, wt: np.ndarray, mask: np.ndarray,
    epochs: int, l2: float, seed: int,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per-character softmax regression on the vectors (torch, CPU); returns (weights (n, K, D), bias (n, K))."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    n_chars, k = mask.shape
    W = torch.zeros(n_chars, k, H.shape[1], requires_grad=True)
    b = torch.zeros(n_chars, k, requires_grad=True)
    opt = torch.optim.Adam([W, b], lr=1e-2)
    Ht, Kt, Yt = torch.tensor(H, dtype=torch.float32), torch.tensor(keys), torch.tensor(y)
    Wt, Mt = torch.tensor(wt), torch.tensor(mask)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        perm = torch.randperm(len(y), generator=gen)
        total = 0.0
        for s in range(0, len(y), 1024):
            j = perm[s : s + 1024]
            logits = torch.einsum("nkd,nd->nk", W[Kt[j]], Ht[j]) + b[Kt[j]]
            logits = logits.masked_fill(~Mt[Kt[j]], -1e9)
            loss = (torch.nn.functional.cross_entropy(logits, Yt[j], reduction="none") * Wt[j]).sum() / Wt[j].sum()
            loss = loss + l2 * (W[Kt[j]] ** 2).sum() / len(j)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(j)
        log(f"context epoch {epoch + 1}: loss {total / len(y):.4f}")
    return W.detach().numpy(), b.detach().numpy()


def context_examples(
    rows: list[tuple[str, int, str, float]], cand_index: dict[str, list[str]], chars: list[str]
) -> tuple[list[tuple[str, int, str]], np.ndarray, np.ndarray, np.ndarray]:
    cid = {c: n for n, c in enumerate(chars)}
    keep = [(s, i, lab, w) for s, i, lab, w in rows if s[i] in cid and lab in cand_index[s[i]]]
    keys = np.array([cid[s[i]] for s, i, _, _ in keep], dtype=np.int64)
    y = np.array([cand_index[s[i]].index(lab) for s, i, lab, _ in keep], dtype=np.int64)
    wt = np.array([w for *_, w in keep], dtype=np.float32)
    return [(s, i, lab) for s, i, lab, _ in keep], keys, y, wt


def evaluate_context(
    fast: object, ctx: object, rows: list[tuple[str, int, str]], H: np.ndarray, name: str
) -> None:  # fmt: skip
    """Accuracy on ``rows`` for a grid of gates and fast-model weights (and how many targets each gate sends on)."""
    from cjkglyph.pinyin import analyse

    fast_lp, ctx_lp, gold, ok_fast = [], [], [], 0
    for (sent, i, g), h in zip(rows, H, strict=True):
        a = analyse(sent)
        targets = [t for t in fast.targets(sent, a) if t[0] == i]  # type: ignore[attr-defined]
        if not targets or targets[0][1] not in ctx.index:  # type: ignore[attr-defined]
            fast.disambiguate(sent, a)  # type: ignore[attr-defined]
            ok_fast += a.readings[i] == g
            continue
        cands = fast.candidates[fast.index[targets[0][1]]]  # type: ignore[attr-defined]
        fast_lp.append(fast.log_probs(sent, a, targets)[0])  # type: ignore[attr-defined]
        ctx_lp.append(ctx.log_probs([targets[0][1]], h[None])[0])  # type: ignore[attr-defined]
        gold.append(cands.index(g) if g in cands else -1)
    F, C, G = np.array(fast_lp), np.array(ctx_lp), np.array(gold)
    n = len(rows)
    log(f"{name}: fast model {(ok_fast + (F.argmax(1) == G).sum()) / n:.4f}, context model alone {(ok_fast + (C.argmax(1) == G).sum()) / n:.4f}")
    for gate in (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01):
        unsure = F.max(1) < np.log(gate)
        line = []
        for fw in (0.0, 0.5, 1.0, 2.0):
            pred = np.where(unsure, (fw * F + C).argmax(1), F.argmax(1))
            line.append(f"w{fw}: {(ok_fast + (pred == G).sum()) / n:.4f}")
        log(f"gate {gate}: {unsure.mean():.3f} of targets to the encoder; " + ", ".join(line))


# ---------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpp", default=str(REPO.parent / "shared/benchmarks/pinyin/cpp_dev.tsv"))
    ap.add_argument("--corpus", default=str(REPO.parent / "shared/corpus"))
    ap.add_argument("--lexicon", default=str(REPO / "data/lexicon/rime_pinyin_simp_dict.tsv"))
    ap.add_argument("--work", default=None, help="cache for mined examples (default: <cjkglyph cache>/build_polyphone)")
    ap.add_argument("--out", default=str(REPO / "data/pinyin/polyphone.npz"))
    ap.add_argument("--eval", choices=("none", "tune", "cv", "heldout"), default="none",
                    help="tune: also leave the tune fifth out and report on it; cv: fast model, 4-fold cross-validation on "
                    "the training fifths (writes nothing); heldout: report on the held-out fifth")  # fmt: skip
    ap.add_argument("--tune-out", default=None, help="with --eval tune: write the fast model trained without the tune fifth here")
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
    ap.add_argument("--no-fill", dest="fill", action="store_false",
                    help="do not fill the candidates of a character of the CPP training sentences up to --k with its unseen "
                    "dictionary readings (filled, the model can overrule a dictionary phrase reading CPP never shows)")  # fmt: skip
    ap.add_argument("--teacher-per-char", type=int, default=600,
                    help="g2pM-labelled corpus examples per character (0: no teacher; see teach())")  # fmt: skip
    ap.add_argument("--teacher-weight", type=float, default=0.3, help="weight of a teacher-labelled example (CPP: --cpp-weight)")
    ap.add_argument("--teacher-rare", type=int, default=30, help="corpus examples below which a character gets prior examples")
    ap.add_argument("--teacher-contexts", type=int, default=20, help="prior examples per rare character")
    ap.add_argument("--context-out", default=str(REPO / "data/pinyin/polyphone_context.npz"))
    ap.add_argument("--context-epochs", type=int, default=8)
    ap.add_argument("--context-l2", type=float, default=1e-4)
    ap.add_argument("--context-cpp-weight", type=float, default=1.0)
    ap.add_argument("--context-mined-weight", type=float, default=0.0,
                    help="weight of mined examples in the context model (0: CPP and teacher examples only)")  # fmt: skip
    ap.add_argument("--context-teacher-weight", type=float, default=1.0, help="weight of teacher-labelled examples there")
    ap.add_argument("--gate", type=float, default=0.95, help="fast-model probability below which the encoder decides too")
    ap.add_argument("--fast-weight", type=float, default=2.0, help="weight of the fast model's log-probability there")
    ap.add_argument("--no-context", action="store_true", help="build only the fast model")
    ap.add_argument("--phrases-out", default=None, help="where the lexicon phrase table goes (default: data/pinyin/; written first)")
    args = ap.parse_args()
    need_data(args.cpp, "the CPP polyphone dev split (benchmarks/pinyin/cpp_dev.tsv)")
    need_data(args.corpus, "the shared corpus (corpus/)")

    cpp = read_cpp(Path(args.cpp))
    if args.eval == "none" or args.phrases_out:
        write_phrases(Path(args.lexicon), Path(args.phrases_out or REPO / "data/pinyin/lexicon_phrases.tsv"))
    from cjkglyph.resources import cache_dir

    work = Path(args.work) if args.work else cache_dir("build_polyphone")
    work.mkdir(parents=True, exist_ok=True)
    mined_path = work / f"mined3-w{args.per_word}-r{args.per_char}-s{args.seed}.tsv"
    if not mined_path.exists():
        mine(Path(args.corpus), Path(args.lexicon), cpp, mined_path, args.per_word, args.per_char, args.seed)
    mined = read_mined(mined_path)
    log(f"{len(mined)} mined examples")
    taught: list[tuple[str, int, str]] = []
    if args.teacher_per_char > 0:
        taught_path = work / f"taught3-c{args.teacher_per_char}-r{args.teacher_rare}x{args.teacher_contexts}-s{args.seed}.tsv"
        if not taught_path.exists():
            teach(Path(args.corpus), Path(args.lexicon), cpp, taught_path, args.teacher_per_char, args.teacher_rare, args.teacher_contexts, args.seed)
        taught = [r for r in read_mined(taught_path) if r[0][r[1]] not in UNTAUGHT]
        log(f"{len(taught)} examples labelled by the teacher")

    heldout = [r for r in cpp if polyphone_heldout(r[0])]
    cpp_train = [r for r in cpp if not polyphone_heldout(r[0])]
    if args.eval == "tune":
        evaluation = [r for r in cpp_train if tune_split(r[0])]
        cpp_train = [r for r in cpp_train if not tune_split(r[0])]
    else:
        evaluation = heldout if args.eval == "heldout" else []
    log(f"CPP: {len(cpp_train)} training sentences, {len(evaluation)} evaluation, {len(heldout)} held out")

    if args.eval == "cv":
        folds = collections.defaultdict(list)
        for r in cpp_train:
            folds[polyphone_fold(r[0])].append(r)
        from cjkglyph.pinyin.polyphone import PolyphoneModel

        accs = []
        for f in sorted(folds):
            rest = [r for g, rows in folds.items() if g != f for r in rows]
            fast_arrays, _ = fit_fast(args, rest, mined, taught)
            accs.append(evaluate(PolyphoneModel(fast_arrays), folds[f], f"cv fold {f}"))
        log(f"cv: mean accuracy {sum(accs) / len(accs):.4f} over {len(cpp_train)} sentences ({', '.join(f'{a:.4f}' for a in accs)})")
        return 0
    fast_arrays, cand_index = fit_fast(args, cpp_train, mined, taught)

    from cjkglyph.pinyin.polyphone import ContextModel, PolyphoneModel

    model = PolyphoneModel(fast_arrays)
    if evaluation:
        evaluate(model, evaluation, args.eval)
    ctx_arrays = None
    if not args.no_context:
        chars = [str(c) for c in fast_arrays["chars"]]
        rows = [(s, i, lab, args.context_cpp_weight) for s, i, lab in cpp_train]
        if args.context_mined_weight > 0:
            rows += [(s, i, lab, args.context_mined_weight) for s, i, lab in mined]
        if args.context_teacher_weight > 0:
            rows += [(s, i, lab, args.context_teacher_weight) for s, i, lab in taught]
        ex, keys, y, wt = context_examples(rows, cand_index, chars)
        H = encoder_vectors(ex, work)
        mask = fast_arrays["cands"] >= 0
        Wc, bc = train_context(H, keys, y, wt, mask, args.context_epochs, args.context_l2, args.seed)
        ctx_arrays = {
            "chars": fast_arrays["chars"],
            "cands": fast_arrays["cands"],
            "weights": Wc.astype(np.float16),
            "bias": bc.astype(np.float16),
            "gate": np.array([args.gate, args.fast_weight], dtype=np.float32),
        }
        if evaluation:
            evaluate_context(model, ContextModel(ctx_arrays), evaluation, encoder_vectors(evaluation, work), args.eval)
    if args.eval == "tune":
        if args.tune_out:
            np.savez_compressed(args.tune_out, **fast_arrays)
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **fast_arrays)
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if ctx_arrays is not None:
        np.savez_compressed(args.context_out, **ctx_arrays)
        log(f"wrote {args.context_out} ({Path(args.context_out).stat().st_size / 1e6:.1f} MB)")
    return 0


def fit_fast(
    args: argparse.Namespace, cpp_train: list[tuple[str, int, str]], mined: list[tuple[str, int, str]],
    taught: list[tuple[str, int, str]],
) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:  # fmt: skip
    """The fast model's arrays and candidates, trained on CPP sentences, mined and teacher-labelled examples."""
    # candidates: readings seen in CPP training labels or often enough in mined data, most frequent first
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for sent, i, label in cpp_train:
        counts[sent[i]][label] += args.cpp_weight
    mined_counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for sent, i, label in mined:
        mined_counts[sent[i]][label] += 1
    for sent, i, label in taught:
        mined_counts[sent[i]][label] += 1
    for ch, c in mined_counts.items():
        for label, m in c.items():
            if m >= args.min_count:
                counts[ch][label] += m
    cand_index: dict[str, list[str]] = {}
    cpp_chars = {sent[i] for sent, i, _ in cpp_train}
    for ch, c in counts.items():
        own = char_readings(ch)
        cands = [r for r, _ in c.most_common()][: args.k]
        for r in own[: args.k if args.fill and ch in cpp_chars else 1]:
            if r not in cands and len(cands) < args.k:
                cands.append(r)
        if len(cands) > 1 or (own and cands[0] != own[0]):
            cand_index[ch] = cands
    log(f"{len(cand_index)} characters in the model")

    rng = random.Random(args.seed)
    examples = [(s, i, lab, args.cpp_weight, False) for s, i, lab in cpp_train]
    examples += [(s, i, lab, args.mined_weight, rng.random() < args.drop_phrase) for s, i, lab in mined]
    examples += [(s, i, lab, args.teacher_weight, False) for s, i, lab in taught]
    t = time.time()
    X, y, mask, wt = build_matrix(examples, cand_index, args.buckets, args.k)
    log(f"features for {len(y)} examples in {time.time() - t:.0f}s")
    W = train(X, y, mask, wt, args.buckets, args.k, args.epochs, args.lr, args.l2, 2048, args.seed)
    return to_arrays(W, cand_index, args.buckets, args.k), cand_index


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


def evaluate(model: object, rows: list[tuple[str, int, str]], name: str) -> float:
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
    return ok / len(rows)


if __name__ == "__main__":
    raise SystemExit(main())
