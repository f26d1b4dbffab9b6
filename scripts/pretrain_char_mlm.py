#!/usr/bin/env python3
"""Pretrain the shipped character encoder (data/encoder/): a small BERT with a confusion-aware MLM.

Two steps, so that the GPU step needs nothing but torch, transformers, numpy and safetensors:

    # 1. CPU, here: corpus -> token stream, held-out lines, graph-neighbour tables (about 2 min)
    python scripts/pretrain_char_mlm.py prep --out build/mlm
    # 2. GPU (a 4 x 256 model: about 4 min on one H200), or --smoke on a CPU (seconds)
    python scripts/pretrain_char_mlm.py train --data build/mlm --size small --budget 240 --out build/mlm-small
    python scripts/pretrain_char_mlm.py train --data build/mlm --smoke --out /tmp/smoke

Data (prep): the shared corpus read as the n-gram LM reads it (scripts/build_lm.py: classical poetry left
out, laws one line in four, lines containing an evaluation sentence removed) and split by
``cjkglyph._splits.corpus_part``: only 'train' lines are pretrained on; 'tune' and 'test' lines are written
out for scorers and for measuring false alarms on clean text.

The encoder shipped today (data/encoder/) is ``shared/models/char-mlm-small``, made by the same objective
and sizes ('small', 100 s on one H200) from all corpus lines except classical poetry and 5 law lines in 6;
this script, run on a GPU, makes its successor with the held-out split above. Whitespace is removed, full-width ASCII folded, Latin lower-cased,
lines with fewer than 4 Han characters dropped; lines are packed into 128-token blocks ([CLS] + 127,
lines separated by [SEP]). The vocabulary is the shipped one (data/encoder/vocab.txt).

Objective (PLOME/MacBERT-style): 15% of character positions are selected; of those 60% are replaced by a
similarity-graph neighbour (top 24 of the shipped graph, sampled with weight score^0.5), 10% by [MASK],
10% by a random character, 20% left as they are; loss = cross-entropy of the original character at the
selected positions. AdamW (betas 0.9/0.98, weight decay 0.01), 4% warm-up then linear decay, bf16 on GPU,
a time budget instead of a step count. Output: config.json, model.safetensors (fp16, tied decoder kept
once; large models in shards under 16 MB), vocab.txt, training_info.json with held-out MLM accuracy.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PAD, UNK, CLS, SEP, MASK, NSPECIAL = 0, 1, 2, 3, 4, 5
BLOCK = 128
NEIGHBOURS = 24

SIZES = {
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
    "medium": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, intermediate_size=1536),
    "base": dict(hidden_size=512, num_hidden_layers=6, num_attention_heads=8, intermediate_size=2048),
    "smoke": dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64),
}
LR = {"small": 1e-3, "medium": 8e-4, "base": 6e-4, "smoke": 1e-3}


def log(*parts: object) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


def fold(ch: str) -> str:
    """The encoder's character normalisation: full-width ASCII to half-width, lower case."""
    if "\uff01" <= ch <= "\uff5e":
        ch = chr(ord(ch) - 0xFEE0)
    return ch.lower()


# ---------------------------------------------------------------------------------------------- prep


def prep(args: argparse.Namespace) -> None:
    from cjkglyph._splits import EVAL_SETS, LM_SAMPLE, corpus_part
    from cjkglyph.lm.build import ContainmentFilter, CorpusStats, iter_corpus, parse_sample, read_sentences

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    vocab = Path(args.vocab).read_text(encoding="utf-8").split("\n")[:-1]
    idx = {t: i for i, t in enumerate(vocab)}
    files = sorted(Path(args.corpus).glob("*.txt.xz"))
    if not files:
        sys.exit(f"no *.txt.xz files in {args.corpus}: this step needs the shared corpus (see DATA.md)")
    bench = Path(args.bench)
    evals = [bench / name for name in EVAL_SETS]
    exclude = ContainmentFilter(read_sentences([p for p in evals if p.exists()]))
    stats = CorpusStats()
    sample = parse_sample(list(LM_SAMPLE))
    ids: list[np.ndarray] = []
    held: dict[str, list[tuple[str, str]]] = {"tune": [], "test": []}
    n_lines = 0
    for path in files:
        genre = path.name.split(".")[0]
        for line in iter_corpus([path], sample, stats=stats, exclude=exclude):
            part = corpus_part(line)
            if part != "train":
                held[part].append((genre, line))
                continue
            text = "".join(fold(c) for c in line if not c.isspace())
            if sum("\u4e00" <= c <= "\u9fff" for c in text) < 4:
                continue
            ids.append(np.fromiter((idx.get(c, UNK) for c in text), dtype=np.uint16, count=len(text)))
            ids.append(np.array([SEP], dtype=np.uint16))
            n_lines += 1
    tokens = np.concatenate(ids)
    with lzma.open(out / "tokens.u16.xz", "wb", preset=6) as f:
        f.write(tokens.tobytes())
    (out / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    for part, rows in held.items():
        with lzma.open(out / f"{part}.tsv.xz", "wt", encoding="utf-8") as f:
            f.writelines(f"{genre}\t{line}\n" for genre, line in rows)
    conf_ids, conf_cdf = _neighbour_tables(vocab, idx, args.graph)
    np.save(out / "conf_ids.npy", conf_ids)
    np.save(out / "conf_cdf.npy", conf_cdf)
    info = dict(
        lines=n_lines,
        tokens=int(tokens.size),
        unk_rate=float((tokens == UNK).mean()),
        tune_lines=len(held["tune"]),
        test_lines=len(held["test"]),
        excluded_lines=sum(e["excluded"] for e in stats.files),
        vocab=len(vocab),
        with_neighbours=int((conf_ids[:, 0] >= 0).sum()),
    )
    (out / "stats.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    log("prep", info)


def _neighbour_tables(vocab: list[str], idx: dict[str, int], graph: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Top neighbours in the similarity graph (``cjkglyph graph export``, or the TSV file ``graph``)."""
    if graph:
        text = Path(graph).read_text(encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "graph.tsv"
            cmd = [sys.executable, "-m", "cjkglyph", "graph", "export", "--max-neighbors", "40", "--no-header", "-o", str(path)]
            subprocess.run(cmd, check=True)
            text = path.read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.count("\t") == 3]
    lists: dict[int, list[tuple[int, float]]] = {}
    for a, b, _rel, score in rows:
        if a in idx and b in idx and a != b:
            lst = lists.setdefault(idx[a], [])
            if len(lst) < NEIGHBOURS:
                lst.append((idx[b], float(score)))
    conf_ids = np.full((len(vocab), NEIGHBOURS), -1, dtype=np.int32)
    conf_cdf = np.ones((len(vocab), NEIGHBOURS), dtype=np.float32)
    for i, lst in lists.items():
        w = np.array([max(s, 1e-4) ** 0.5 for _, s in lst])
        conf_ids[i, : len(lst)] = [j for j, _ in lst]
        conf_cdf[i, : len(lst)] = np.cumsum(w / w.sum())
        conf_cdf[i, len(lst) - 1 :] = 1.0
    return conf_ids, conf_cdf


# --------------------------------------------------------------------------------------------- train


class Corrupter:
    """Select 15% of positions: 60% graph neighbour, 10% [MASK], 10% random, 20% kept."""

    def __init__(self, data: Path, vocab_size: int, device: "torch.device") -> None:  # noqa: F821
        import torch

        self.torch = torch
        self.ids = torch.from_numpy(np.load(data / "conf_ids.npy").astype(np.int64)).to(device)
        self.cdf = torch.from_numpy(np.load(data / "conf_cdf.npy")).to(device)
        self.k = self.ids.shape[1]
        self.vocab_size = vocab_size
        self.device = device

    def __call__(self, x, gen):  # type: ignore[no-untyped-def]
        torch = self.torch
        sel = (torch.rand(x.shape, device=self.device, generator=gen) < 0.15) & (x >= NSPECIAL)
        r = torch.rand(x.shape, device=self.device, generator=gen)
        inp = x.clone()
        graph = sel & (r < 0.6)
        orig = x[graph]
        u = torch.rand(orig.shape[0], 1, device=self.device, generator=gen)
        k = torch.searchsorted(self.cdf[orig], u).clamp(max=self.k - 1)
        rep = self.ids[orig].gather(1, k).squeeze(1)
        inp[graph] = torch.where(rep >= 0, rep, torch.full_like(rep, MASK))
        inp[sel & (r >= 0.6) & (r < 0.7)] = MASK
        rnd = sel & (r >= 0.7) & (r < 0.8)
        inp[rnd] = torch.randint(NSPECIAL, self.vocab_size, (int(rnd.sum()),), device=self.device, generator=gen)
        return inp, sel, graph, sel & (r >= 0.8)


def _blocks(tokens: np.ndarray) -> np.ndarray:
    n = len(tokens) // (BLOCK - 1)
    body = tokens[: n * (BLOCK - 1)].reshape(n, BLOCK - 1).astype(np.int64)
    return np.concatenate([np.full((n, 1), CLS, dtype=np.int64), body], axis=1)


def _heldout_blocks(data: Path, idx: dict[str, int]) -> np.ndarray:
    ids: list[int] = []
    with lzma.open(data / "test.tsv.xz", "rt", encoding="utf-8") as f:
        for row in f:
            text = "".join(fold(c) for c in row.rstrip("\n").split("\t", 1)[1] if not c.isspace())
            if sum("\u4e00" <= c <= "\u9fff" for c in text) >= 4:
                ids.extend(idx.get(c, UNK) for c in text)
                ids.append(SEP)
    return _blocks(np.asarray(ids, dtype=np.uint16))


def train(args: argparse.Namespace) -> None:
    import torch
    import torch.nn.functional as F
    from transformers import BertConfig, BertForMaskedLM

    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    size = "smoke" if args.smoke else args.size
    budget = min(args.budget, 4.0) if args.smoke else args.budget
    batch = 8 if args.smoke else args.batch
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    vocab = (data / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    idx = {t: i for i, t in enumerate(vocab)}
    t0 = time.time()
    with lzma.open(data / "tokens.u16.xz", "rb") as f:
        tokens = np.frombuffer(f.read(), dtype=np.uint16)
    if args.smoke:
        tokens = tokens[:200_000]
    train_blocks = torch.from_numpy(_blocks(tokens)).to(dev)
    val_blocks = torch.from_numpy(_heldout_blocks(data, idx)[: 64 if args.smoke else 4096]).to(dev)
    log(f"{len(train_blocks)} train blocks, {len(val_blocks)} held-out blocks, vocab {len(vocab)}, "
        f"load {time.time() - t0:.1f}s, device {dev}")
    cfg = BertConfig(vocab_size=len(vocab), max_position_embeddings=BLOCK, type_vocab_size=2, pad_token_id=PAD,
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, tie_word_embeddings=True, **SIZES[size])
    model = BertForMaskedLM(cfg).to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    lr = args.lr or LR[size]
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01,
                            fused=dev.type == "cuda")
    corrupt = Corrupter(data, len(vocab), dev)
    gen = torch.Generator(device=dev).manual_seed(args.seed + 1)
    amp = dict(device_type=dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda")
    log(f"model {size}: {n_params / 1e6:.1f}M parameters, lr {lr}, batch {batch}, budget {budget:.0f}s")
    step, start = 0, time.time()
    model.train()
    while (elapsed := time.time() - start) < budget:
        frac = elapsed / budget
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, frac / 0.04) * max(0.02, 1 - frac)
        x = train_blocks[torch.randint(0, len(train_blocks), (batch,), device=dev, generator=gen)]
        inp, sel, _, _ = corrupt(x, gen)
        with torch.autocast(**amp):
            h = model.bert(input_ids=inp).last_hidden_state
            logits = model.cls(h[sel])
        loss = F.cross_entropy(logits.float(), x[sel])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 1000 == 0 or step == 1:
            log(f"step {step} loss {loss.item():.4f} ({step * batch * BLOCK / len(tokens):.1f} passes over the data)")
    train_s = time.time() - start
    accuracy = _heldout_accuracy(model, corrupt, val_blocks, dev, amp)
    log("held-out MLM accuracy", accuracy)
    files = _save(model, out)
    (out / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    info = dict(size=size, parameters=n_params, steps=step, batch=batch, block=BLOCK, lr=lr, seed=args.seed,
                train_seconds=round(train_s, 1), passes=round(step * batch * BLOCK / len(tokens), 2),
                heldout_mlm_accuracy=accuracy, weights=files, device=str(dev),
                gpu=torch.cuda.get_device_name() if dev.type == "cuda" else None, torch=torch.__version__,
                recipe="scripts/pretrain_char_mlm.py")
    (out / "training_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    log("done", size, files, f"{time.time() - t0:.0f}s in all")


def _heldout_accuracy(model, corrupt, val, dev, amp) -> dict[str, float]:  # type: ignore[no-untyped-def]
    import torch

    model.eval()
    gen = torch.Generator(device=dev).manual_seed(7)
    hits = {"graph_substituted": [0, 0], "masked_or_random": [0, 0], "kept": [0, 0]}
    with torch.no_grad():
        for i in range(0, len(val), 256):
            x = val[i : i + 256]
            inp, sel, graph, keep = corrupt(x, gen)
            with torch.autocast(**amp):
                pred = model.cls(model.bert(input_ids=inp).last_hidden_state[sel]).argmax(-1)
            ok = pred == x[sel]
            for name, m in (("graph_substituted", graph[sel]), ("kept", keep[sel]), ("masked_or_random", ~(graph | keep)[sel])):
                hits[name][0] += int(ok[m].sum())
                hits[name][1] += int(m.sum())
    return {k: round(100 * h / max(1, t), 2) for k, (h, t) in hits.items()}


def _save(model, out: Path, max_bytes: int = 15_000_000, detect=None) -> list[str]:  # type: ignore[no-untyped-def]
    import torch
    from safetensors.torch import save_file

    state = {k: v.detach().to(torch.float16).contiguous().cpu() for k, v in model.state_dict().items()}
    state.pop("cls.predictions.decoder.weight", None)  # tied to the word embeddings
    if detect is not None:  # the corrector's detection head travels in the same file
        state.update({f"detect.{k}": v.detach().to(torch.float16).contiguous().cpu() for k, v in detect.state_dict().items()})
    model.config.dtype = "float16"
    model.config.save_pretrained(out)
    shards: list[dict] = [{}]
    size = 0
    for k in sorted(state, key=lambda k: -state[k].numel()):
        nbytes = state[k].numel() * 2
        if shards[-1] and size + nbytes > max_bytes:
            shards.append({})
            size = 0
        shards[-1][k] = state[k]
        size += nbytes
    if len(shards) == 1:
        save_file(shards[0], out / "model.safetensors", metadata={"format": "pt"})
        return ["model.safetensors"]
    names = [f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    weight_map = {}
    for name, shard in zip(names, shards):
        save_file(shard, out / name, metadata={"format": "pt"})
        weight_map.update({k: name for k in shard})
    index = {"metadata": {"total_size": sum(v.numel() * 2 for v in state.values())}, "weight_map": weight_map}
    (out / "model.safetensors.index.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    return names


def finetune(args: argparse.Namespace) -> None:
    """MacBERT4CSC-style correction fine-tuning: predict the right character at every position, plus a
    detection head (is this character wrong?), on graph-neighbour errors put into corpus blocks at a
    realistic rate, optionally mixed with real learner pairs (``--pairs``)."""
    import torch
    import torch.nn.functional as F
    from transformers import BertForMaskedLM

    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    budget = min(args.budget, 4.0) if args.smoke else args.budget
    batch = 8 if args.smoke else args.batch
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    vocab = (data / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    idx = {t: i for i, t in enumerate(vocab)}
    with lzma.open(data / "tokens.u16.xz", "rb") as f:
        tokens = np.frombuffer(f.read(), dtype=np.uint16)
    if args.smoke:
        tokens = tokens[:200_000]
    blocks = torch.from_numpy(_blocks(tokens)).to(dev)
    pairs = _pair_blocks([Path(p) for p in args.pairs], idx)
    pair_x = torch.from_numpy(pairs[0]).to(dev) if len(pairs[0]) else None
    pair_y = torch.from_numpy(pairs[1]).to(dev) if len(pairs[0]) else None
    model = BertForMaskedLM.from_pretrained(args.init, dtype=torch.float32).to(dev)
    detect = torch.nn.Linear(model.config.hidden_size, 1).to(dev)
    params = list(model.parameters()) + list(detect.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr or 1e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01, fused=dev.type == "cuda")
    ids = torch.from_numpy(np.load(data / "conf_ids.npy").astype(np.int64)).to(dev)
    w = torch.from_numpy(np.load(data / "conf_cdf.npy")).to(dev)
    # score-weighted sampling for realistic errors: the cdf was built with score^0.5, square its increments back
    inc = torch.diff(w, dim=1, prepend=torch.zeros_like(w[:, :1])).clamp(min=0) ** 2
    cdf = torch.cumsum(inc, 1) / inc.sum(1, keepdim=True).clamp(min=1e-9)
    cdf[:, -1] = 1.0
    gen = torch.Generator(device=dev).manual_seed(args.seed + 1)
    amp = dict(device_type=dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda")
    log(f"fine-tune from {args.init}: {len(blocks)} blocks, {0 if pair_x is None else len(pair_x)} learner pairs, "
        f"error rate {args.error_rate}, budget {budget:.0f}s, batch {batch}, device {dev}")
    step, start = 0, time.time()
    model.train()
    lr = args.lr or 1e-4
    while (elapsed := time.time() - start) < budget:
        frac = elapsed / budget
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, frac / 0.05) * max(0.02, 1 - frac)
        if pair_x is not None and step % args.pair_every == 0:
            j = torch.randint(0, len(pair_x), (batch,), device=dev, generator=gen)
            inp, y = pair_x[j], pair_y[j]
        else:
            y = blocks[torch.randint(0, len(blocks), (batch,), device=dev, generator=gen)]
            inp = y.clone()
            r = torch.rand(y.shape, device=dev, generator=gen)
            han = y >= NSPECIAL
            graph = han & (r < args.error_rate) & (ids[y, 0] >= 0)
            orig = y[graph]
            u = torch.rand(orig.shape[0], 1, device=dev, generator=gen)
            k = torch.searchsorted(cdf[orig], u).clamp(max=ids.shape[1] - 1)
            rep = ids[orig].gather(1, k).squeeze(1)
            inp[graph] = torch.where(rep >= 0, rep, orig)
            rnd = han & (r >= args.error_rate) & (r < args.error_rate * 1.1)
            inp[rnd] = torch.randint(NSPECIAL, len(vocab), (int(rnd.sum()),), device=dev, generator=gen)
        att = (inp != PAD).long()
        with torch.autocast(**amp):
            h = model.bert(input_ids=inp, attention_mask=att).last_hidden_state
            real = (y != PAD) & (inp != CLS) & (inp != SEP)
            logits = model.cls(h[real])
            det = detect(h[real]).squeeze(-1)
        loss = F.cross_entropy(logits.float(), y[real]) + F.binary_cross_entropy_with_logits(det.float(), (inp[real] != y[real]).float())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 500 == 0 or step == 1:
            log(f"step {step} loss {loss.item():.4f}")
    model.eval()
    files = _save(model, out, detect=detect)
    (out / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    info = dict(init=str(args.init), steps=step, batch=batch, lr=lr, error_rate=args.error_rate, pairs=[Path(p).name for p in args.pairs],
                pair_every=args.pair_every, train_seconds=round(time.time() - start, 1), weights=files, device=str(dev),
                config=model.config.to_dict(), recipe="scripts/pretrain_char_mlm.py finetune")
    (out / "training_info.json").write_text(json.dumps(info, indent=1, default=str), encoding="utf-8")
    log("done fine-tune", files)


def _pair_blocks(paths: list[Path], idx: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Learner pairs (source<TAB>target, same length) as padded [CLS] ... [SEP] id rows of 128."""
    xs, ys = [], []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            f = line.split("\t")
            if len(f) < 2:
                continue
            a = [c for c in f[0] if not c.isspace()]
            b = [c for c in f[1] if not c.isspace()]
            if len(a) != len(b) or not a:
                continue
            for s in range(0, len(a), BLOCK - 2):
                x = np.zeros(BLOCK, dtype=np.int64)
                y = np.zeros(BLOCK, dtype=np.int64)
                pa, pb = a[s : s + BLOCK - 2], b[s : s + BLOCK - 2]
                x[0] = y[0] = CLS
                x[1 : 1 + len(pa)] = [idx.get(fold(c), UNK) for c in pa]
                y[1 : 1 + len(pb)] = [idx.get(fold(c), UNK) for c in pb]
                x[1 + len(pa)] = y[1 + len(pb)] = SEP
                xs.append(x)
                ys.append(y)
    if not xs:
        return np.zeros((0, BLOCK), dtype=np.int64), np.zeros((0, BLOCK), dtype=np.int64)
    return np.stack(xs), np.stack(ys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prep", help="corpus -> token stream, held-out lines and neighbour tables (CPU)")
    p.add_argument("--corpus", default=str(SHARED / "corpus"))
    p.add_argument("--bench", default=str(SHARED / "benchmarks"))
    p.add_argument("--vocab", default=str(REPO / "data" / "encoder" / "vocab.txt"))
    p.add_argument("--graph", help="a graph TSV (char, neighbour, relation, score) instead of exporting the shipped graph")
    p.add_argument("--out", required=True)
    t = sub.add_parser("train", help="pretrain one model (GPU; --smoke runs a tiny one on a CPU)")
    t.add_argument("--data", required=True, help="the prep step's output folder")
    t.add_argument("--size", choices=sorted(SIZES), default="small")
    t.add_argument("--budget", type=float, default=240, help="training seconds (default: %(default)s)")
    t.add_argument("--batch", type=int, default=512)
    t.add_argument("--lr", type=float)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--smoke", action="store_true", help="a tiny model for a few seconds: checks the whole flow")
    t.add_argument("--out", required=True)
    f = sub.add_parser("finetune", help="correction fine-tuning with a detection head (GPU; --smoke on a CPU)")
    f.add_argument("--data", required=True, help="the prep step's output folder")
    f.add_argument("--init", required=True, help="a pretrained model folder (the train step's output)")
    f.add_argument("--pairs", nargs="*", default=[], help="learner pairs, source<TAB>target (e.g. the SIGHAN train files)")
    f.add_argument("--pair-every", type=int, default=4, help="every N-th batch is learner pairs (default: %(default)s)")
    f.add_argument("--error-rate", type=float, default=0.03, help="share of Han characters made wrong (default: %(default)s)")
    f.add_argument("--budget", type=float, default=120)
    f.add_argument("--batch", type=int, default=256)
    f.add_argument("--lr", type=float)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--smoke", action="store_true")
    f.add_argument("--out", required=True)
    args = ap.parse_args()
    {"prep": prep, "train": train, "finetune": finetune}[args.step](args)


if __name__ == "__main__":
    main()
