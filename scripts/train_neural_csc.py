#!/usr/bin/env python3
"""Fine-tune the shipped character encoder into a neural spelling corrector on a CPU (data/spellcheck/neural/).

MacBERT4CSC-style: the model predicts the right character at every position (cross-entropy over the MLM
head at all positions) and a detection head says whether the character is wrong (binary cross-entropy);
loss = 0.7 x correction + 0.3 x detection. ``--head gcn`` puts a SpellGCN head on top: the classifier rows
of the graph characters are refined by a graph convolution over the similarity graph
(:class:`cjkglyph.models.spellgcn.SpellGcn`, pronunciation and shape graphs combined with attention; one
layer, initialised to zero so that training starts from the plain head). The refined rows are fixed once
trained, so both heads export to the same ONNX graph (a ``BertForMaskedLM`` whose decoder holds the
refined rows, plus ``detect.*``) that :class:`cjkglyph.spelling.onnx_corrector.OnnxCorrector` serves
with onnxruntime alone.

Data (build-only, never shipped): the SIGHAN train files (``cjkglyph._splits.CSC_TRAIN_FILES``), fold 0
of ``cjkglyph._splits.fold_of`` held out for model selection and the thresholds, plus synthetic errors
put into corpus sentences (``corpus_part(line) == 'train'`` only; classical poetry left out, laws and
manuals down-sampled, lines holding an evaluation sentence removed) by
:class:`cjkglyph.spelling.synth.ErrorSampler` with the statistics of the train files (errors per
sentence, relation mix, observed pairs). The held-out fold is scored every ``--eval-every`` minutes
(sentence-level correction F1 of the argmax rule) and the best state is kept (early stopping).

At the end: OUT/model (config.json, model.safetensors with ``detect.*``, vocab.txt), OUT/ship
(encoder.onnx int8 + vocab.txt + cjkglyph_corrector.json with the thresholds chosen on the held-out fold
(its sources plus its corrected targets as clean sentences) + training_info.json).

    nice -n 10 python scripts/train_neural_csc.py --head plain --minutes 30 --out build/csc-plain
    nice -n 10 python scripts/train_neural_csc.py --head gcn --minutes 30 --out build/csc-gcn
    python scripts/train_neural_csc.py --head gcn --out build/csc-gcn --finish     # export + thresholds only
    python scripts/train_neural_csc.py --smoke --out /tmp/smoke                    # seconds, tiny data
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = ["deb_fortunes-zh*=0", "laws_LawRefBook*=0.04", "deb_*=0.3"]
PAD, UNK, CLS, SEP = 0, 1, 2, 3
MAX_CHARS = 126
_SENT = re.compile(r"[^。！？!?；;…]*[。！？!?；;…]+[”’」』）)]*|[^。！？!?；;…]+$")
SMOKE_LINES = ["我们今天去公园玩，天气很好。", "老师经常表扬他的作业写得认真。", "这个问题我已经解决了。", "我们一起去吃饭吧，好不好？"]


def log(*parts: object) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- data


def read_pairs(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if len(f) >= 2 and len(f[0]) == len(f[1]) and f[0]:
            out.append((f[0], f[1]))
    return out


def sighan_split(bench: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held-out): fold 0 of ``fold_of(source)`` is held out."""
    from cjkglyph._splits import CSC_TRAIN_FILES, fold_of

    missing = [n for n in CSC_TRAIN_FILES if not (bench / n).exists()]
    if missing:
        sys.exit(f"{bench / missing[0]} not found: training needs the SIGHAN train files (../shared/benchmarks/csc/, see DATA.md)")
    train, held = [], []
    for name in CSC_TRAIN_FILES:
        for pair in read_pairs(bench / name):
            (held if fold_of(pair[0]) == 0 else train).append(pair)
    return train, held


def corpus_sentences(corpus: Path, bench_root: Path, every: int, limit: int) -> list[str]:
    """Sentences of 10-62 characters (70% Han) from 'train' corpus lines, one in ``every``."""
    from cjkglyph._splits import EVAL_SETS, corpus_part
    from cjkglyph.chars import han_mask
    from cjkglyph.lm.build import ContainmentFilter, CorpusStats, iter_corpus, parse_sample, read_sentences

    files = sorted(corpus.glob("*.txt.xz"))
    if not files:
        sys.exit(f"no *.txt.xz files in {corpus}: training needs the shared corpus (see DATA.md)")
    exclude = ContainmentFilter(read_sentences([p for p in (bench_root / n for n in EVAL_SETS) if p.exists()]))
    out: list[str] = []
    k = 0
    for line in iter_corpus(files, parse_sample(SAMPLE), stats=CorpusStats(), exclude=exclude):
        if corpus_part(line) != "train":
            continue
        for m in _SENT.finditer(line):
            s = m.group().strip()
            if not 10 <= len(s) <= 62:
                continue
            k += 1
            if k % every == 0 and sum(han_mask(s)) >= 0.7 * len(s):
                out.append(s)
    random.Random(0).shuffle(out)
    return out[:limit]


class Encoded:
    """(source ids, target ids) of a pair over the encoder vocabulary, whitespace left out as the runtime does."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, src: str, tgt: str, rng: random.Random) -> tuple[np.ndarray, np.ndarray] | None:
        keep = [not c.isspace() for c in src]
        if keep != [not c.isspace() for c in tgt] or not any(keep):
            return None
        s = "".join(c for c, k in zip(src, keep) if k)
        t = "".join(c for c, k in zip(tgt, keep) if k)
        if len(s) > MAX_CHARS:
            start = rng.randrange(len(s) - MAX_CHARS + 1)
            s, t = s[start : start + MAX_CHARS], t[start : start + MAX_CHARS]
        return self.vocab.ids(s).astype(np.int64), self.vocab.ids(t).astype(np.int64)


def collate(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[Any, Any, Any]:
    """input ids, attention mask and labels (-100 off the characters and where the target is [UNK])."""
    import torch

    width = max(len(x) for x, _ in rows) + 2
    ids = np.full((len(rows), width), PAD, dtype=np.int64)
    labels = np.full((len(rows), width), -100, dtype=np.int64)
    for i, (x, y) in enumerate(rows):
        ids[i, 0], ids[i, 1 : len(x) + 1], ids[i, len(x) + 1] = CLS, x, SEP
        labels[i, 1 : len(y) + 1] = np.where(y == UNK, -100, y)
    ids_t = torch.from_numpy(ids)
    return ids_t, (ids_t != PAD).long(), torch.from_numpy(labels)


# --------------------------------------------------------------------------------------------- model


class Corrector:
    """The encoder's MLM plus a detection head and, for ``head == "gcn"``, a SpellGCN classifier head."""

    def __init__(self, init: Path, head: str, tokens: list[str], k: int, smoke_chars: str | None = None) -> None:
        import torch
        from transformers import BertForMaskedLM

        self.mlm = BertForMaskedLM.from_pretrained(os.fspath(init), dtype=torch.float32)
        self.detect = torch.nn.Linear(self.mlm.config.hidden_size, 1)
        self.head = head
        self.gcn = None
        if head == "gcn":
            self.gcn = _spellgcn(self.mlm, tokens, k, smoke_chars)

    def modules(self) -> list[Any]:
        return [m for m in (self.mlm, self.detect, self.gcn) if m is not None]

    def train(self, mode: bool = True) -> None:
        for m in self.modules():
            m.train(mode)

    def classifier_weight(self) -> Any:
        emb = self.mlm.bert.embeddings.word_embeddings.weight
        if self.gcn is None:
            return emb
        nodes = self.gcn.nodes
        return emb.index_copy(0, nodes, self.gcn(emb[nodes]))

    def __call__(self, ids: Any, mask: Any, where: Any) -> tuple[Any, Any]:
        """Logits (n, vocab) and detection logits (n,) at the positions ``where`` (a boolean mask)."""
        import torch.nn.functional as F

        h = self.mlm.bert(input_ids=ids, attention_mask=mask).last_hidden_state[where]
        pred = self.mlm.cls.predictions
        logits = F.linear(pred.transform(h), self.classifier_weight(), pred.bias)
        return logits, self.detect(h).squeeze(-1)

    def state(self) -> dict[str, Any]:
        out = {f"mlm.{k}": v.detach().clone() for k, v in self.mlm.state_dict().items()}
        out.update({f"detect.{k}": v.detach().clone() for k, v in self.detect.state_dict().items()})
        if self.gcn is not None:
            out.update({f"gcn.{k}": v.detach().clone() for k, v in self.gcn.state_dict().items()})
        return out

    def load_state(self, state: dict[str, Any]) -> None:
        for name, m in (("mlm", self.mlm), ("detect", self.detect), ("gcn", self.gcn)):
            if m is not None:
                m.load_state_dict({k[len(name) + 1 :]: v for k, v in state.items() if k.startswith(name + ".")})


def _spellgcn(mlm: Any, tokens: list[str], k: int, smoke_chars: str | None) -> Any:
    """A one-layer SpellGCN over the shipped graph (pronunciation, shape), zero-initialised."""
    import torch

    from cjkglyph.models.spellgcn import SpellGcnConfig, SpellGcnForCSC, graph_for_vocab

    log("building the similarity graph over the vocabulary (about a minute the first time)")
    graph_tokens = [t if smoke_chars is None or t in smoke_chars else "[UNK]" for t in tokens]
    cfg = SpellGcnConfig(**{**mlm.config.to_dict(), "model_type": "spellgcn", "encoder_type": "bert", "gcn_layers": 1})
    holder = SpellGcnForCSC(cfg)
    holder.set_graph(graph_for_vocab(graph_tokens, ("pronunciation", "shape"), k), k=k)
    gcn = holder.gcn
    with torch.no_grad():
        for layer in gcn.layers:
            layer.weight.zero_()
    log(f"SpellGCN head: {gcn.nodes.numel()} graph characters, entries {[int(getattr(gcn, f'adj{i}_values').numel()) for i in range(gcn.n_graphs)]}")
    return gcn


def loss_of(model: Corrector, ids: Any, mask: Any, labels: Any) -> Any:
    import torch.nn.functional as F

    where = labels != -100
    logits, det = model(ids, mask, where)
    y = labels[where]
    wrong = (ids[where] != y).float()
    return 0.7 * F.cross_entropy(logits, y) + 0.3 * F.binary_cross_entropy_with_logits(det, wrong)


def heldout_f1(model: Corrector, rows: list[tuple[np.ndarray, np.ndarray]], han: Any) -> float:
    """Sentence-level correction F1 of the argmax rule (edit a Han character into another) on held-out pairs."""
    import torch

    model.train(False)
    tp = fp = fn = 0
    with torch.no_grad():
        for b in range(0, len(rows), 64):
            part = rows[b : b + 64]
            ids, mask, labels = collate(part)
            where = labels != -100
            logits, _ = model(ids, mask, where)
            pred = ids.clone()
            best = logits.argmax(-1)
            src = ids[where]
            edit = han[src] & han[best]
            pred[where] = torch.where(edit, best, src)
            for i, (x, y) in enumerate(part):
                p = pred[i, 1 : len(x) + 1].numpy()
                changed, gold = bool((p != x).any()), bool((y != x).any())
                ok = bool((np.where(y == UNK, x, y) == p).all())
                tp += changed and gold and ok
                fp += changed and not ok
                fn += gold and not (changed and ok)
    model.train(True)
    prec, rec = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return 2 * prec * rec / max(1e-9, prec + rec)


# --------------------------------------------------------------------------------------------- train


def train(args: argparse.Namespace) -> None:
    import torch

    from cjkglyph.chars import is_han
    from cjkglyph.encoder.vocab import CharVocab
    from cjkglyph.spelling.synth import ErrorSampler, error_stats

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    init = Path(args.init)
    tokens = (init / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    vocab = CharVocab(tokens)
    encode = Encoded(vocab)
    han = torch.tensor([len(t) == 1 and is_han(t) for t in tokens])
    if args.smoke:
        train_pairs = [("我们今天去公圆玩", "我们今天去公园玩"), ("老师经常表阳他", "老师经常表扬他")] * 4
        held = [("我门一起去吃饭吧", "我们一起去吃饭吧"), ("这个问题我已经解决了。", "这个问题我已经解决了。")]
        sents = SMOKE_LINES * 10
    else:
        train_pairs, held = sighan_split(Path(args.bench))
        t0 = time.time()
        log("reading corpus sentences ('train' lines)")
        sents = corpus_sentences(Path(args.corpus), Path(args.bench).parent, args.corpus_every, args.max_sentences)
        log(f"{len(sents)} corpus sentences in {time.time() - t0:.0f}s; SIGHAN train {len(train_pairs)}, held out {len(held)}")
    smoke_chars = "".join(sorted({c for s in sents + [x for p in train_pairs + held for x in p] for c in s})) if args.smoke else None
    from cjkglyph.graph.similarity import build_graph

    log("building the similarity graph for the error sampler")
    graph = build_graph("".join(t for t in tokens if len(t) == 1 and is_han(t) and (smoke_chars is None or t in smoke_chars)))
    stats = error_stats(train_pairs, graph)
    log(f"train error statistics: clean share {stats['clean_share']:.3f}, relation mix "
        f"{ {k: round(v, 3) for k, v in stats['relation_mix'].items()} }, not in graph {stats['not_in_graph']:.3f}")
    sampler = ErrorSampler(stats, graph, {t for t in tokens if len(t) == 1}, clean=args.clean, seed=args.seed)
    rng = random.Random(args.seed)
    held_rows = [r for r in (encode(s, t, rng) for s, t in held) if r is not None][: args.eval_sentences]
    model = Corrector(init, args.head, tokens, args.k, smoke_chars)
    heads = list(model.detect.parameters()) + (list(model.gcn.parameters()) if model.gcn is not None else [])
    opt = torch.optim.AdamW([{"params": list(model.mlm.parameters()), "lr": args.lr}, {"params": heads, "lr": args.head_lr}],
                            betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
    ckpt = out / "checkpoint.safetensors"
    info: dict[str, Any] = {"step": 0, "elapsed": 0.0, "seen": 0, "synthetic": 0, "evals": [], "best_f1": -1.0}
    if args.resume and ckpt.exists():
        from safetensors.torch import load_file

        model.load_state(load_file(os.fspath(ckpt)))
        info = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))
        log(f"resumed at step {info['step']} ({info['elapsed'] / 60:.1f} min trained)")
    budget = (0.1 if args.smoke else args.minutes) * 60.0
    batch = 4 if args.smoke else args.batch
    best = model.state() if info["best_f1"] < 0 else None
    model.train(True)
    start = time.time() - info["elapsed"]
    last_eval = last_save = time.time()
    losses: list[float] = []
    log(f"training the {args.head} head: batch {batch}, lr {args.lr}/{args.head_lr}, budget {budget / 60:.1f} min")
    while info["elapsed"] < budget:
        frac = info["elapsed"] / budget
        scale = min(1.0, (info["step"] + 1) / args.warmup) * max(0.05, 1.0 - frac)
        for g, base in zip(opt.param_groups, (args.lr, args.head_lr)):
            g["lr"] = base * scale
        rows = []
        while len(rows) < batch:
            if rng.random() < args.real:
                s, t = train_pairs[rng.randrange(len(train_pairs))]
                if rng.random() < args.real_clean:
                    s = t
            else:
                t = sents[rng.randrange(len(sents))]
                s = sampler.corrupt(t)
                info["synthetic"] += 1
            r = encode(s, t, rng)
            if r is not None:
                rows.append(r)
        loss = loss_of(model, *collate(rows))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for m in model.modules() for p in m.parameters()], 1.0)
        opt.step()
        losses.append(loss.item())
        info["step"] += 1
        info["seen"] += len(rows)
        info["elapsed"] = time.time() - start
        if info["step"] % 50 == 0:
            log(f"step {info['step']} loss {np.mean(losses):.4f} {info['elapsed'] / 60:.1f} min, {info['seen']} sentences")
            losses = []
        done = info["elapsed"] >= budget
        if done or time.time() - last_eval > args.eval_every * 60:
            f1 = heldout_f1(model, held_rows, han)
            info["evals"].append([info["step"], round(f1, 4)])
            log(f"held-out correction F1 (argmax) {100 * f1:.1f} at step {info['step']}")
            if f1 > info["best_f1"]:
                info["best_f1"], info["best_step"] = f1, info["step"]
                best = model.state()
            last_eval = time.time()
        if done or time.time() - last_save > args.save_every * 60:
            _save_checkpoint(model, info, out, best)
            last_save = time.time()
    if best is not None:
        model.load_state(best)
    info["head"], info["train_seconds"] = args.head, round(info["elapsed"], 1)
    save_model(model, out / "model", tokens, info)
    finish(args)


def _save_checkpoint(model: Corrector, info: dict[str, Any], out: Path, best: dict[str, Any] | None) -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in model.state().items()}, os.fspath(out / "checkpoint.safetensors"))
    if best is not None:
        save_file({k: v.contiguous() for k, v in best.items()}, os.fspath(out / "best.safetensors"))
    (out / "checkpoint.json").write_text(json.dumps(info), encoding="utf-8")
    log(f"checkpoint at step {info['step']}")


def save_model(model: Corrector, out: Path, tokens: list[str], info: dict[str, Any]) -> None:
    """A BertForMaskedLM directory (the decoder holds the GCN-refined rows, untied) with ``detect.*`` beside it."""
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    model.train(False)
    with torch.no_grad():
        state = {k: v.detach().float().contiguous() for k, v in model.mlm.state_dict().items()}
        state.pop("cls.predictions.decoder.weight", None)
        state.pop("cls.predictions.decoder.bias", None)
        cfg = model.mlm.config
        cfg.tie_word_embeddings = model.gcn is None
        if model.gcn is not None:
            state["cls.predictions.decoder.weight"] = model.classifier_weight().detach().float().contiguous()
            state["cls.predictions.decoder.bias"] = state["cls.predictions.bias"].clone()  # untied: stored twice
        state.update({f"detect.{k}": v.detach().float().contiguous() for k, v in model.detect.state_dict().items()})
    cfg.dtype = "float32"
    cfg.save_pretrained(out)
    save_file(state, os.fspath(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "vocab.txt").write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
    (out / "training_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    log(f"saved {out}")


# -------------------------------------------------------------------------------------------- finish


def _model_from_checkpoint(args: argparse.Namespace) -> None:
    """OUT/model from the best state of OUT/best.safetensors (when training stopped before saving it)."""
    from safetensors.torch import load_file

    out = Path(args.out)
    if not (out / "best.safetensors").exists():
        sys.exit(f"no {out / 'model'} and no {out / 'best.safetensors'} to make it from: train first")
    tokens = (Path(args.init) / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    model = Corrector(Path(args.init), args.head, tokens, args.k)
    model.load_state(load_file(os.fspath(out / "best.safetensors")))
    info = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))
    info["head"], info["train_seconds"] = args.head, round(info["elapsed"], 1)
    save_model(model, out / "model", tokens, info)


def finish(args: argparse.Namespace) -> None:
    """Export OUT/model to int8 ONNX in OUT/ship and choose its thresholds on the held-out fold."""
    import shutil

    from cjkglyph.encoder.export import export_onnx
    from cjkglyph.spelling.metrics import csc_metrics
    from cjkglyph.spelling.onnx_corrector import OnnxCorrector

    model_dir, ship = Path(args.out) / "model", Path(args.out) / "ship"
    if not (model_dir / "model.safetensors").exists():
        _model_from_checkpoint(args)
    ship.mkdir(parents=True, exist_ok=True)
    log("exporting to ONNX (int8)")
    export_onnx(model_dir, ship / "encoder.onnx", quantize=True)
    shutil.copy(model_dir / "vocab.txt", ship / "vocab.txt")
    if args.smoke:
        held = [("我门一起去吃饭吧", "我们一起去吃饭吧"), ("这个问题我已经解决了。", "这个问题我已经解决了。")]
    else:
        _, held = sighan_split(Path(args.bench))
    src = [s for s, _ in held] + [t for _, t in held]
    gold = [t for _, t in held] + [t for _, t in held]
    corr = OnnxCorrector.load(ship, threshold=0.0, script="as-is")
    t0 = time.time()
    preds = corr.predict(src)
    speed = len(src) / max(1e-9, time.time() - t0)
    table = []
    for thr in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99):
        for det in (0.0, 0.3, 0.5, 0.7, 0.9):
            pred = [corr.apply(s, p, thr, det)["target"] for s, p in zip(src, preds)]
            m = csc_metrics(src, gold, pred)["sentence"]["correction"]
            table.append((m["f1"], thr, det, m["p"], m["r"]))
    f1, thr, det, p, r = max(table)
    log(f"held-out fold (sources + targets, {len(src)} sentences): best correction F1 {100 * f1:.1f} "
        f"(P {100 * p:.1f} / R {100 * r:.1f}) at threshold {thr}, detect {det}; {speed:.0f} sentences/s")
    corr.save_settings(ship, threshold=thr, detect=det)
    info = json.loads((model_dir / "training_info.json").read_text(encoding="utf-8"))
    info.update(heldout_correction={"f1": round(f1, 4), "p": round(p, 4), "r": round(r, 4), "threshold": thr, "detect": det},
                heldout_table=[[round(x, 4) for x in row] for row in sorted(table, reverse=True)[:10]],
                init="data/encoder (char-mlm-small)", recipe="scripts/train_neural_csc.py")
    (ship / "training_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    log(f"done: {ship}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="work folder (checkpoints, OUT/model, OUT/ship)")
    ap.add_argument("--head", choices=("plain", "gcn"), default="plain")
    ap.add_argument("--init", default=str(REPO / "data" / "encoder"), help="the pretrained encoder (default: the shipped one)")
    ap.add_argument("--corpus", default=str(SHARED / "corpus"))
    ap.add_argument("--bench", default=str(SHARED / "benchmarks" / "csc"))
    ap.add_argument("--minutes", type=float, default=30.0, help="training wall-clock budget (default: %(default)s)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--head-lr", type=float, default=1e-3, help="learning rate of the detection and GCN heads")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--real", type=float, default=0.3, help="share of SIGHAN train pairs in a batch (default: %(default)s)")
    ap.add_argument("--real-clean", type=float, default=0.1, help="share of those given as their clean target")
    ap.add_argument("--clean", type=float, default=0.3, help="share of synthetic sentences left without errors")
    ap.add_argument("--k", type=int, default=8, help="graph neighbours per character and relation group (GCN head)")
    ap.add_argument("--corpus-every", type=int, default=3, help="keep one corpus sentence in N")
    ap.add_argument("--max-sentences", type=int, default=400_000)
    ap.add_argument("--eval-every", type=float, default=8.0, help="minutes between held-out evaluations")
    ap.add_argument("--eval-sentences", type=int, default=500, help="held-out sentences scored during training")
    ap.add_argument("--save-every", type=float, default=5.0, help="minutes between checkpoints")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--finish", action="store_true", help="only export OUT/model and choose its thresholds")
    ap.add_argument("--smoke", action="store_true", help="tiny data, a few seconds: checks the whole flow on a CPU")
    args = ap.parse_args()
    if args.finish:
        finish(args)
    else:
        train(args)


if __name__ == "__main__":
    main()
