#!/usr/bin/env python3
"""Fine-tune the shared character encoder to read pinyin initials (CNMBert-style): data/abbrev/encoder/.

The abbreviation decoder's second stage asks the encoder how well a candidate
expansion's characters fit the sentence. The pretrained MLM only sees [MASK]
there, so it guesses each masked character without knowing which letter was
typed. This model gets 26 new tokens, ``[a]`` .. ``[z]``, one per abbreviated
character (the first letter of its syllable: ``bhys`` -> ``[b][h][y][s]``), and
is trained to predict the character at those positions.

Training data: corpus 'train' lines (:func:`cjkglyph._splits.corpus_part`; the
ranker is fitted on 'tune' lines and measured on 'test' lines) of the genres the
ranker uses, cut into sentences of 8-60 characters without Latin letters; in
each, one jieba word of 2-4 Han characters (30%: two words; 15%: a word joined
with the next one, up to 6 characters) is replaced by the letters of its
syllables (pypinyin over the whole sentence, so polyphones read in context).
The new letter embeddings start as the mean embedding of the characters whose
reading starts with that letter. Loss: cross-entropy of the original character
at the letter positions. The model is exported to int8 ONNX for
:class:`cjkglyph.encoder.CharEncoder`.

    nice -n 5 python scripts/finetune_abbrev_encoder.py --minutes 45     # CPU, 2 threads
    python scripts/finetune_abbrev_encoder.py --smoke                      # a few steps on a few lines

``--init`` continues from a model this script wrote (for example on other
lines and words: ``--sample-seed``, ``--per-genre``), with a new warm-up and decay.
The shipped model is the first command above (``--minutes 40``), then::

    nice -n 5 python scripts/finetune_abbrev_encoder.py --init build/abbrev_encoder/final --sample-seed 14 \
        --per-genre 40000 --lr 1.5e-4 --minutes 32 --work build/abbrev_encoder2
"""

from __future__ import annotations

import argparse
import lzma
import math
import random
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from cjkglyph._splits import ABBREV_GENRES, EVAL_SETS, corpus_part, need_data
from cjkglyph.encoder.vocab import CLS, MASK, PAD, SEP, CharVocab
from cjkglyph.lm.build import ContainmentFilter, read_sentences

REPO = Path(__file__).resolve().parent.parent
LETTERS = "abcdefghijklmnopqrstuvwxyz"
GENRES = ABBREV_GENRES
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
Example = tuple[np.ndarray, np.ndarray]  # input ids ([CLS] .. [SEP]), target ids (-100 except at letters)


def log(*a: object) -> None:
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def read_lines(corpus: Path, bench: Path, part: str, per_genre: int, seed: int) -> list[str]:
    contains_eval = ContainmentFilter(read_sentences([p for p in (bench / n for n in EVAL_SETS) if p.exists()]))
    out: list[str] = []
    for genre in GENRES:
        path = corpus / f"{genre}.txt.xz"
        if not path.exists():
            continue
        with lzma.open(path, "rt", encoding="utf-8") as f:
            lines = sorted({ln.strip() for ln in f if ln.strip() and corpus_part(ln.strip()) == part})
        random.Random(f"{seed}:{genre}").shuffle(lines)
        out += [ln for ln in lines[:per_genre] if not contains_eval(ln)]
    return out


def make_examples(lines: list[str], vocab: CharVocab, letter_ids: dict[str, int], seed: int) -> list[Example]:
    import jieba
    from pypinyin import lazy_pinyin

    jieba.setLogLevel(60)
    jieba.initialize()
    freq = jieba.dt.FREQ
    rng = random.Random(seed)
    out: list[Example] = []
    for line in lines:
        pieces = [line] if len(line) <= 60 else re.findall(r"[^。！？!?]+[。！？!?]*", line)
        for piece in pieces:
            piece = piece.strip()
            if not 8 <= len(piece) <= 60 or re.search("[A-Za-z]", piece) or any(c.isspace() for c in piece):
                continue
            toks = jieba.lcut(piece)
            spans, pos = [], 0
            for i, tok in enumerate(toks):
                if HAN.match(tok) and 2 <= len(tok) <= 4 and freq.get(tok, 0) > 0:
                    end = pos + len(tok)
                    if rng.random() < 0.15 and i + 1 < len(toks) and HAN.match(toks[i + 1]) and len(tok) + len(toks[i + 1]) <= 6:
                        end += len(toks[i + 1])
                    spans.append((pos, end))
                pos += len(tok)
            if not spans:
                continue
            syl = lazy_pinyin(piece)
            if len(syl) != len(piece):
                continue
            rng.shuffle(spans)
            chosen: list[tuple[int, int]] = []
            for s, e in spans[: 2 if rng.random() < 0.3 else 1]:
                if all(e <= a or s >= b for a, b in chosen):
                    chosen.append((s, e))
            ids = vocab.ids(piece).astype(np.int64)
            target = np.full(len(piece), -100, dtype=np.int64)
            ok = True
            for s, e in chosen:
                for p in range(s, e):
                    if not (syl[p].isascii() and syl[p].isalpha()):
                        ok = False
                        break
                    target[p] = ids[p]
                    ids[p] = letter_ids[syl[p][0]]
            if ok and (target >= 0).any():
                x = np.concatenate([[CLS], ids, [SEP]])
                y = np.concatenate([[-100], target, [-100]])
                out.append((x, y))
    return out


def batches(examples: list[Example], size: int, rng: random.Random) -> list[list[int]]:
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def collate(examples: list[Example], idx: list[int]):  # type: ignore[no-untyped-def]
    import torch

    n = max(len(examples[i][0]) for i in idx)
    x = np.full((len(idx), n), PAD, dtype=np.int64)
    y = np.full((len(idx), n), -100, dtype=np.int64)
    for r, i in enumerate(idx):
        a, b = examples[i]
        x[r, : len(a)] = a
        y[r, : len(b)] = b
    return torch.from_numpy(x), torch.from_numpy(y)


def loss_and_hits(model, x, y):  # type: ignore[no-untyped-def]
    import torch

    h = model.bert(input_ids=x, attention_mask=(x != PAD).long()).last_hidden_state
    sel = y.reshape(-1) >= 0
    flat = h.reshape(-1, h.shape[-1])[sel]
    logits = model.cls(flat).float()
    gold = y.reshape(-1)[sel]
    loss = torch.nn.functional.cross_entropy(logits, gold)
    return loss, (logits.argmax(-1) == gold).sum().item(), int(sel.sum())


def evaluate(model, examples: list[Example], mask_letters: bool = False) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(mean loss, accuracy) at the letter positions; ``mask_letters``: [MASK] instead (the pretrained model)."""
    import torch

    model.eval()
    tot, hits, n = 0.0, 0, 0
    with torch.no_grad():
        for i in range(0, len(examples), 128):
            x, y = collate(examples, list(range(i, min(i + 128, len(examples)))))
            if mask_letters:
                x = torch.where(y >= 0, torch.full_like(x, MASK), x)
            loss, h, m = loss_and_hits(model, x, y)
            tot += float(loss) * m
            hits += h
            n += m
    model.train()
    return tot / max(n, 1), hits / max(n, 1)


def add_letter_tokens(model, tokens: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Append the letter tokens, each initialised as the mean embedding of the characters read with that letter."""
    import torch
    from pypinyin import Style, pinyin

    emb = model.get_input_embeddings().weight.detach()
    init = torch.zeros(len(LETTERS), emb.shape[1])
    for i, c in enumerate(LETTERS):
        rows = [j for j, t in enumerate(tokens) if len(t) == 1 and "\u4e00" <= t <= "\u9fff"
                and any(r.startswith(c) for r in pinyin(t, style=Style.NORMAL, heteronym=True)[0])]
        init[i] = emb[rows].mean(0) if rows else emb[MASK]
    model.resize_token_embeddings(len(tokens) + len(LETTERS))
    with torch.no_grad():
        model.get_input_embeddings().weight[len(tokens) :] = init


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(REPO.parent / "shared/corpus"))
    ap.add_argument("--bench", default=str(REPO.parent / "shared/benchmarks"))
    ap.add_argument("--base", default=str(REPO / "data/encoder"), help="pretrained encoder (safetensors + config)")
    ap.add_argument("--work", default=str(REPO / "build/abbrev_encoder"))
    ap.add_argument("--out", default=str(REPO / "data/abbrev/encoder"))
    ap.add_argument("--init", help="continue from a model this script wrote (its work folder's final/)")
    ap.add_argument("--per-genre", type=int, default=20000, help="'train' lines per genre")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--minutes", type=float, default=45.0, help="training time budget (the schedule is fitted to it)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--sample-seed", type=int, help="seed of the training lines and abbreviated words (default: --seed); "
                    "the held-out examples always follow --seed")
    ap.add_argument("--smoke", action="store_true", help="a few lines and steps (tests)")
    a = ap.parse_args()
    corpus = Path(need_data(a.corpus, "the corpus"))
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    work, out = Path(a.work), Path(a.out)
    work.mkdir(parents=True, exist_ok=True)
    base = Path(a.base)
    tokens = (base / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    vocab = CharVocab(tokens)
    letter_ids = {c: len(tokens) + i for i, c in enumerate(LETTERS)}
    per_genre = 30 if a.smoke else a.per_genre
    log("reading corpus lines")
    sample = a.seed if a.sample_seed is None else a.sample_seed
    train_lines = read_lines(corpus, Path(a.bench), "train", per_genre, sample)
    dev_lines = read_lines(corpus, Path(a.bench), "tune", 8 if a.smoke else 150, a.seed)
    log(f"making examples from {len(train_lines)} lines (jieba + pypinyin)")
    train = make_examples(train_lines, vocab, letter_ids, sample)
    dev = make_examples(dev_lines, vocab, letter_ids, a.seed + 1)
    log(f"{len(train)} training examples, {len(dev)} held-out ('tune' lines)")

    if a.init:  # a model of this script (letter tokens already in): train on
        model = BertForMaskedLM.from_pretrained(a.init, dtype=torch.float32)
        if model.config.vocab_size != len(tokens) + len(LETTERS):
            sys.exit(f"{a.init} is not a model of this script (vocabulary {model.config.vocab_size})")
        dl, da = evaluate(model, dev)
        log(f"{a.init}: held-out loss {dl:.3f}, accuracy {da:.3f}")
    else:
        model = BertForMaskedLM.from_pretrained(str(base), dtype=torch.float32)
        if not a.smoke:
            base_loss, base_acc = evaluate(model, dev, mask_letters=True)
            log(f"pretrained encoder, [MASK] at the letters: loss {base_loss:.3f}, accuracy {base_acc:.3f}")
        add_letter_tokens(model, tokens)
    model.train()

    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    rng = random.Random(a.seed)
    budget = 20.0 if a.smoke else a.minutes * 60
    # the schedule needs a step count: measure the first 20 steps, then fit warm-up + linear decay to the budget
    step, total, t0 = 0, None, time.time()
    seen = 0
    stop = False
    while not stop:
        for idx in batches(train, a.batch, rng):
            x, y = collate(train, idx)
            if total is None and step == 20:
                total = max(40, int(budget / ((time.time() - t0) / 20)))
                log(f"{total} steps fit the budget")
            frac = step / total if total else 0.0
            warm = 0.04
            scale = min(1.0, (step + 1) / max(1, warm * (total or 500))) * (1 - frac if frac > warm else 1.0)
            for g in opt.param_groups:
                g["lr"] = a.lr * max(0.0, scale)
            loss, _, _ = loss_and_hits(model, x, y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += len(idx)
            if step % 200 == 0 or (total and step >= total) or a.smoke:
                msg = f"step {step}/{total or '?'}: loss {float(loss):.3f}, {seen} examples, {time.time() - t0:.0f}s"
                if step % 1000 == 0 or (total and step >= total):
                    dl, da = evaluate(model, dev)
                    msg += f"; held-out loss {dl:.3f}, accuracy {da:.3f}"
                    model.save_pretrained(work / "checkpoint")
                log(msg)
            if (total and step >= total) or (a.smoke and step >= 3):
                stop = True
                break
    dl, da = evaluate(model, dev)
    log(f"final held-out loss {dl:.3f}, accuracy {da:.3f}")
    model.save_pretrained(work / "final")
    (work / "final" / "vocab.txt").write_text("\n".join(tokens + [f"[{c}]" for c in LETTERS]) + "\n", encoding="utf-8")
    from cjkglyph.encoder.export import export_onnx

    out.mkdir(parents=True, exist_ok=True)
    export_onnx(work / "final", out / "encoder.onnx", quantize=True)
    shutil.copy(work / "final" / "vocab.txt", out / "vocab.txt")
    shutil.copy(work / "final" / "config.json", out / "config.json")
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
