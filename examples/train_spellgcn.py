#!/usr/bin/env python3
"""Train a tiny SpellGCN corrector from scratch on SIGHAN train data plus synthetic errors (CPU, resumable).

Data (build-only, never shipped):

- ``../shared/benchmarks/csc/sighan1{3,4,5}_train.tsv``: every 10th line of each file is held
  out (the *tune* split, for the decision threshold); the rest is trained on.
- synthetic pairs from ``../shared/corpus``: sentences of 10-62 characters (classical poetry
  skipped, laws and manuals down-sampled; lines containing an evaluation sentence removed with
  :class:`cjkglyph.lm.build.ContainmentFilter`, as ``scripts/build_lm.py`` does). Errors are
  sampled with the statistics of the train split: how many errors a sentence has (given that it
  has some; ``--clean`` of the synthetic sentences stay clean, since real text mostly is, unlike the
  train files), which characters get them (smoothed per-character error rate), and the
  replacement: an observed train pair (right -> wrong) with the observed-pair share, otherwise a
  neighbour of the similarity graph (:mod:`cjkglyph.graph.similarity`) of a relation drawn with the train
  relation mix, weighted by the graph score.

Model: :class:`cjkglyph.models.spellgcn.SpellGcnForCSC` on a BERT encoder trained from scratch
(no pretrained Chinese BERT offline), or, with ``--encoder DIR``, on a pretrained BERT-style masked
LM from a local directory (its ``vocab.txt`` becomes the vocabulary; e.g. bert-base-chinese or
MacBERT); otherwise the vocabulary = the characters of the train files and the
corpus sample (count >= ``--min-count``) plus specials; the graph is
:func:`cjkglyph.graph.similarity.graph` (pronunciation, shape; ``--k`` neighbours) over it.

Runs for ``--minutes`` of training time (learning rate: warm-up, then cosine over the budget),
saving a checkpoint every ``--save-every`` minutes; ``--resume`` continues one. At the end
the model, tokenizer and the threshold chosen on the tune split go to ``OUT/model``
(loadable with :meth:`cjkglyph.spelling.neural.NeuralCorrector.from_pretrained`). ``--eval``
scores a finished model on the development set (sighan14_test.tsv: never trained or tuned on),
alone and combined with the n-gram corrector.

    nice -n 10 python examples/train_spellgcn.py --out /work/scratch/spellgcn/run --minutes 50
    nice -n 10 python examples/train_spellgcn.py --out /work/scratch/spellgcn/run --resume
    nice -n 10 python examples/train_spellgcn.py --out /work/scratch/spellgcn/run --eval
    nice -n 10 python examples/train_spellgcn.py --out /work/scratch/spellgcn/mac --encoder path/to/chinese-macbert-base --minutes 50
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any


from cjkglyph._splits import CSC_DEV_FILE, CSC_TRAIN_FILES, EVAL_SETS, need_data
from cjkglyph.spelling.synth import ErrorSampler, error_stats

REPO = Path(__file__).resolve().parent.parent

SHARED = REPO.parent / "shared"
SAMPLE = ["deb_fortunes-zh*=0", "laws_LawRefBook*=0.04", "deb_*=0.3"]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_SENT = re.compile(r"[^。！？!?；;…]*[。！？!?；;…]+[”’」』）)]*|[^。！？!?；;…]+$")


def log(msg: str) -> None:
    print(time.strftime("[%H:%M:%S] ") + msg, flush=True)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if len(f) >= 2 and len(f[0]) == len(f[1]) and f[0]:
            out.append((f[0], f[1]))
    return out


def split_train(bench: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, tune): every 10th line of each train file is held out for tuning."""
    train, tune = [], []
    for name in CSC_TRAIN_FILES:
        for i, pair in enumerate(read_pairs(bench / name)):
            (tune if i % 10 == 5 else train).append(pair)
    return train, tune


# ----------------------------------------------------------------------------- data preparation


def corpus_sentences(corpus: Path, bench_root: Path, every: int) -> list[str]:
    from cjkglyph.chars import han_mask
    from cjkglyph.lm.build import ContainmentFilter, CorpusStats, iter_corpus, parse_sample, read_sentences

    files = sorted(corpus.glob("*.txt.xz"))
    exclude = ContainmentFilter(read_sentences([p for p in (bench_root / n for n in EVAL_SETS) if p.exists()]))
    stats = CorpusStats()
    out = []
    k = 0
    for line in iter_corpus(files, parse_sample(SAMPLE), stats=stats, exclude=exclude):
        for m in _SENT.finditer(line):
            s = m.group().strip()
            if not 10 <= len(s) <= 62:
                continue
            k += 1
            if k % every:
                continue
            if sum(han_mask(s)) >= 0.7 * len(s):
                out.append(s)
    log(f"corpus: {len(out)} sentences (1 in {every}); excluded {sum(f['excluded'] for f in stats.files)} lines with evaluation sentences")
    return out


def prepare(args: argparse.Namespace, prep: Path) -> None:
    from cjkglyph.chars import is_han
    from cjkglyph.graph.similarity import build_graph

    bench = Path(args.bench)
    train, tune = split_train(bench)
    sents = corpus_sentences(Path(args.corpus), bench.parent, args.corpus_every)
    counts: collections.Counter[str] = collections.Counter()
    for s in sents:
        counts.update(s)
    keep = {c for c, n in counts.items() if n >= args.min_count and not c.isspace()}
    for s, t in train + tune:
        keep.update(c for c in s + t if not c.isspace())
    chars = sorted(keep, key=lambda c: (-counts[c], c))
    alnum = [c for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    tokens = SPECIALS + chars + ["##" + c for c in alnum]
    if args.encoder:  # the pretrained encoder's own vocabulary
        tokens = (Path(args.encoder) / "vocab.txt").read_text(encoding="utf-8").splitlines()
        chars = [t for t in tokens if len(t) == 1]
    prep.mkdir(parents=True, exist_ok=True)
    (prep / "vocab.txt").write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
    han = "".join(c for c in chars if is_han(c))
    log(f"vocabulary: {len(tokens)} tokens ({len(han)} Han); building the similarity graph over them")
    graph = build_graph(han)
    stats = error_stats(train, graph)
    log(f"train split: {len(train)} sentences, tune split {len(tune)}; clean share {stats['clean_share']:.3f}; "
        f"relation mix {json.dumps({k: round(v, 3) for k, v in stats['relation_mix'].items()})}; "
        f"not in graph {stats['not_in_graph']:.3f}")
    (prep / "stats.json").write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")
    (prep / "corpus.txt").write_text("\n".join(sents) + "\n", encoding="utf-8")


def make_tokenizer(vocab_file: Path, max_len: int) -> Any:
    """A character-level BERT WordPiece tokenizer over ``vocab_file`` (no lower-casing)."""
    import inspect

    from transformers import BertTokenizerFast

    kwargs: dict[str, Any] = {"vocab_file": str(vocab_file)}
    if "vocab" in inspect.signature(BertTokenizerFast.__init__).parameters:
        kwargs["vocab"] = str(vocab_file)  # transformers >= 5 builds from `vocab`
    return BertTokenizerFast(
        **kwargs, do_lower_case=False, strip_accents=False, tokenize_chinese_chars=True, model_max_length=max_len
    )


def encode_pairs(tok: Any, pairs: list[tuple[str, str]], max_len: int) -> list[tuple[list[int], list[int]]]:
    """Token ids of (source, target) pairs that tokenise to the same length (cut to ``max_len`` tokens)."""
    if not pairs:
        return []
    a = tok([s for s, _ in pairs], add_special_tokens=False)["input_ids"]
    b = tok([t for _, t in pairs], add_special_tokens=False)["input_ids"]
    out = []
    for x, y in zip(a, b):
        if len(x) != len(y) or not x:
            continue
        if len(x) > max_len - 2:
            start = random.randrange(len(x) - (max_len - 2) + 1)
            x, y = x[start : start + max_len - 2], y[start : start + max_len - 2]
        out.append((x, y))
    return out


def collate(batch: list[tuple[list[int], list[int]]], tok: Any) -> dict[str, Any]:
    import torch

    cls, sep, pad = tok.cls_token_id, tok.sep_token_id, tok.pad_token_id
    width = max(len(x) for x, _ in batch) + 2
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, (x, y) in enumerate(batch):
        n = len(x)
        ids[i, : n + 2] = torch.tensor([cls, *x, sep])
        labels[i, 1 : n + 1] = torch.tensor(y)
        mask[i, : n + 2] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


# ----------------------------------------------------------------------------- training


def build_model(args: argparse.Namespace, tokens: list[str]) -> Any:
    from cjkglyph.models.spellgcn import SpellGcnConfig, SpellGcnForCSC, graph_for_vocab

    if args.encoder:
        return SpellGcnForCSC.from_encoder(args.encoder, tokens, k=args.k)

    cfg = SpellGcnConfig(
        vocab_size=len(tokens),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.hidden // 64,
        intermediate_size=4 * args.hidden,
        max_position_embeddings=args.max_len,
        type_vocab_size=1,
        encoder_type="bert",
    )
    model = SpellGcnForCSC(cfg)
    model.set_graph(graph_for_vocab(tokens, ("pronunciation", "shape"), args.k), k=args.k)
    return model


def train(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    prep, ckpt = out / "prepared", out / "checkpoint"
    if not (prep / "corpus.txt").exists():
        prepare(args, prep)
    from cjkglyph.graph.similarity import build_graph

    tok = make_tokenizer(prep / "vocab.txt", args.max_len)
    tokens = (prep / "vocab.txt").read_text(encoding="utf-8").splitlines()
    stats = json.loads((prep / "stats.json").read_text(encoding="utf-8"))
    sents = (prep / "corpus.txt").read_text(encoding="utf-8").splitlines()
    train_pairs, _ = split_train(Path(args.bench))
    from cjkglyph.chars import is_han

    graph = build_graph("".join(t for t in tokens if len(t) == 1 and is_han(t)))
    sampler = ErrorSampler(stats, graph, set(tokens), clean=args.clean, seed=args.seed)

    from cjkglyph.models.spellgcn import SpellGcnForCSC

    state: dict[str, Any] = {"step": 0, "elapsed": 0.0, "seen": 0}
    if args.resume and (ckpt / "config.json").exists():
        model = SpellGcnForCSC.from_pretrained(str(ckpt))
        state = json.loads((ckpt / "state.json").read_text())
        log(f"resumed at step {state['step']} ({state['elapsed'] / 60:.1f} min trained)")
    else:
        model = build_model(args, tokens)
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params / 1e6:.2f}M parameters, graph {model.config.graph_nodes} nodes, nnz {model.config.graph_nnz}")
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embeddings" not in n]
    other = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embeddings" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}], lr=args.lr)
    if args.resume and (ckpt / "optimizer.pt").exists():
        opt.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
    rng = random.Random(args.seed + state["step"])
    sampler.rng = random.Random(args.seed * 7 + state["step"])
    budget = args.minutes * 60.0
    last_save = time.time()
    losses: list[float] = []
    t_start = time.time() - state["elapsed"]
    while state["elapsed"] < budget:
        n_real = sum(rng.random() < args.real for _ in range(args.batch))
        pairs = [train_pairs[rng.randrange(len(train_pairs))] for _ in range(n_real)]
        for _ in range(args.batch - n_real):
            s = sents[rng.randrange(len(sents))]
            pairs.append((sampler.corrupt(s), s))
        batch = encode_pairs(tok, pairs, args.max_len)
        if not batch:
            continue
        frac = state["elapsed"] / budget
        warm = min(1.0, (state["step"] + 1) / args.warmup)
        lr = args.lr * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = batch_loss(model, collate(batch, tok), args.error_weight)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        state["step"] += 1
        state["seen"] += len(batch)
        state["elapsed"] = time.time() - t_start
        losses.append(loss.item())
        if state["step"] % 20 == 0:
            log(f"step {state['step']} loss {sum(losses) / len(losses):.4f} lr {lr:.2e} "
                f"{state['elapsed'] / 60:.1f} min, {state['seen']} sentences")
            losses = []
        if time.time() - last_save > args.save_every * 60:
            save_checkpoint(model, opt, state, ckpt)
            last_save = time.time()
    save_checkpoint(model, opt, state, ckpt)
    finish(args, model, tok)


def batch_loss(model: Any, inputs: dict[str, Any], error_weight: float) -> Any:
    """Mean cross-entropy over the labelled positions; positions whose label differs from the input
    (the errors) count ``error_weight`` times (1 = the plain SpellGCN loss)."""
    import torch

    if error_weight == 1.0:
        return model(**inputs).loss
    labels = inputs.pop("labels")
    logits = model(**inputs).logits
    ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none", ignore_index=-100)
    weight = (labels.reshape(-1) != -100).float()
    weight = weight * torch.where(labels.reshape(-1) != inputs["input_ids"].reshape(-1), error_weight, 1.0)
    return (ce * weight).sum() / weight.sum().clamp(min=1.0)


def save_checkpoint(model: Any, opt: Any, state: dict[str, Any], ckpt: Path) -> None:
    import torch

    tmp = ckpt.with_name(ckpt.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(tmp))
    torch.save(opt.state_dict(), tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps(state))
    if ckpt.exists():
        old = ckpt.with_name(ckpt.name + ".old")
        if old.exists():
            import shutil

            shutil.rmtree(old)
        ckpt.rename(old)
    tmp.rename(ckpt)
    log(f"checkpoint at step {state['step']}")


def finish(args: argparse.Namespace, model: Any, tok: Any) -> None:
    """Save the final model with its tokenizer and the settings chosen on the tune split."""
    from cjkglyph.spelling.neural import NeuralCorrector
    from cjkglyph.spelling.tuning import tune_settings

    out = Path(args.out) / "model"
    model.eval()
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    _, tune = split_train(Path(args.bench))
    corrector = NeuralCorrector.from_pretrained(out)
    t = time.time()
    best, tables = tune_settings(corrector, [s for s, _ in tune], [t for _, t in tune])
    for mode, table in tables.items():
        log(f"tune split, correction F1, {mode}: " + " ".join(f"{k}:{f:.3f}" for k, f in table))
    corrector.save_settings(out, **best)
    log(f"saved {out} with settings {best} (tuning {time.time() - t:.0f}s)")


def finish_from_checkpoint(args: argparse.Namespace) -> None:
    import torch

    from cjkglyph.models.spellgcn import SpellGcnForCSC

    torch.set_num_threads(args.threads)
    ckpt = Path(args.out) / "checkpoint"
    finish(args, SpellGcnForCSC.from_pretrained(str(ckpt)), make_tokenizer(Path(args.out) / "prepared" / "vocab.txt", args.max_len))


def evaluate(args: argparse.Namespace) -> None:
    """Development-set numbers: the neural model alone, with the LM veto, the n-gram corrector, and both."""
    import torch

    from cjkglyph.spelling.metrics import csc_metrics
    from cjkglyph.spelling.neural import NeuralCorrector
    from cjkglyph.spelling.corrector import Corrector

    torch.set_num_threads(args.threads)
    dev = read_pairs(Path(args.bench) / CSC_DEV_FILE)
    if args.limit:
        dev = dev[: args.limit]
    src, gold = [s for s, _ in dev], [t for _, t in dev]
    model_dir = Path(args.model or Path(args.out) / "model")
    rows = []
    for name, make in [
        ("neural alone", lambda: NeuralCorrector.from_pretrained(model_dir)),
        ("neural + LM veto", lambda: NeuralCorrector.from_pretrained(model_dir, combine="lm")),
        ("n-gram corrector", lambda: Corrector()),
        ("n-gram confirmed by neural", lambda: NeuralCorrector.from_pretrained(model_dir, combine="ngram")),
    ]:
        c = make()
        c.correct_batch(src[:8])  # load lazily held resources before timing
        t = time.time()
        pred = [r["target"] for r in c.correct_batch(src)]
        el = time.time() - t
        m = csc_metrics(src, gold, pred)["sentence"]
        rows.append((name, m, len(src) / el))
        log(f"{name}: detection P/R/F1 {fmt(m['detection'])}, correction {fmt(m['correction'])}, {len(src) / el:.0f} sentences/s")
    (Path(args.out) / "dev_results.json").write_text(json.dumps([{"name": n, **m, "speed": v} for n, m, v in rows], indent=1))


def fmt(s: dict[str, float]) -> str:
    return f"{100 * s['p']:.1f}/{100 * s['r']:.1f}/{100 * s['f1']:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="work directory (prepared data, checkpoint, final model)")
    ap.add_argument("--corpus", default=str(SHARED / "corpus"))
    ap.add_argument("--bench", default=str(SHARED / "benchmarks" / "csc"))
    ap.add_argument("--minutes", type=float, default=50.0, help="training time budget (default: %(default)s)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--prepare", action="store_true", help="only prepare the data (vocabulary, statistics, corpus sample)")
    ap.add_argument("--finish", action="store_true", help="only tune and save OUT/model from the last checkpoint")
    ap.add_argument("--eval", action="store_true", help="only evaluate OUT/model (or --model) on the development set")
    ap.add_argument("--model", help="model directory for --eval")
    ap.add_argument("--limit", type=int, default=0, help="evaluate on the first N development sentences only")
    ap.add_argument("--encoder", metavar="DIR", help="start from this pretrained BERT-style masked LM directory (with vocab.txt)")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--k", type=int, default=8, help="graph neighbours per character and relation group")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--real", type=float, default=0.4, help="share of SIGHAN train sentences in a batch")
    ap.add_argument("--error-weight", type=float, default=1.0, help="loss weight of error positions (default: %(default)s)")
    ap.add_argument("--clean", type=float, default=0.5, help="share of synthetic sentences left without errors")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--corpus-every", type=int, default=4, help="keep 1 corpus sentence in N")
    ap.add_argument("--save-every", type=float, default=5.0, help="minutes between checkpoints")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1: on a shared machine more threads are much slower)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    need_data(args.bench, "the SIGHAN CSC sets (benchmarks/csc/)")
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ModuleNotFoundError:
        print("train_spellgcn.py: needs torch and transformers: pip install 'cjkglyph[models]'", file=sys.stderr)
        return 2
    if args.prepare:
        prepare(args, Path(args.out) / "prepared")
    elif args.finish:
        finish_from_checkpoint(args)
    elif args.eval:
        evaluate(args)
    else:
        train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
