"""Forward throughput of ChineseBertModel vs a plain BertModel of the same size, in the same run.

Inputs are real text (default: hotel reviews from ../shared/corpus) cut into
sequences of ``--seq-len`` characters; each character gets a token id by first
appearance (vocabulary of the published 23,236 entries) and the published
pinyin ids, so the id and pinyin-row repetition is that of real Chinese. When
the corpus is absent, ids follow a Zipf law over the vocabulary instead.

Reported per config: ms per batch and tokens/s for BERT, for ChineseBERT
(cjkglyph's fusion), and for the published fusion formula (concatenate then
map_fc for every token), plus each fusion's overhead over BERT. Random weights;
eval mode; ``torch.no_grad``; one thread by default; runs alternate between the
models and the median is kept.

    python benchmarks/bench_chinesebert.py [--corpus FILE] [--batch 8] [--seq-len 128] [--iters 10] [--threads 1]
"""

from __future__ import annotations

import argparse
import lzma
import statistics
import time
from pathlib import Path
from typing import Any

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent

CONFIGS: dict[str, dict[str, int]] = {
    "small (H=256, 4 layers)": {"hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 1024},
    "base (H=768, 12 layers)": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
}
VOCAB = 23236


def make_inputs(corpus: Path, batch: int, seq_len: int, seed: int = 0) -> tuple[Any, Any, str]:
    import numpy as np
    import torch

    from cjkglyph.models.chinesebert.pinyin_features import PinyinVocab, char_pinyin_ids

    need = batch * (seq_len - 2)
    if corpus.is_file():
        text, source = "", f"{corpus.name}"
        with lzma.open(corpus, "rt", encoding="utf-8") as f:
            for line in f:
                text += line.strip()
                if len(text) >= need:
                    break
        chars = text[:need]
        ids_of: dict[str, int] = {}
        ids = [ids_of.setdefault(c, 5 + len(ids_of) % (VOCAB - 5)) for c in chars]
        vocab = PinyinVocab()
        pinyin = [row or (0,) * 8 for row in char_pinyin_ids(chars, vocab)]
    else:
        source = "synthetic Zipf ids (corpus not found), no pinyin"
        rng = np.random.default_rng(seed)
        ids = (rng.zipf(1.3, need) % (VOCAB - 5) + 5).tolist()
        pinyin = [(0,) * 8] * need
    ids_t = torch.tensor(ids).view(batch, seq_len - 2)
    cls, sep = torch.full((batch, 1), 2), torch.full((batch, 1), 3)
    input_ids = torch.cat([cls, ids_t, sep], 1)
    pin = torch.tensor(pinyin, dtype=torch.long).view(batch, seq_len - 2, 8)
    zeros = torch.zeros(batch, 1, 8, dtype=torch.long)
    return input_ids, torch.cat([zeros, pin, zeros], 1), source


def bench(name: str, overrides: dict[str, int], input_ids: Any, pinyin_ids: Any, iters: int) -> None:
    import torch
    from transformers import BertConfig, BertModel

    from cjkglyph.models.chinesebert import ChineseBertConfig, ChineseBertModel

    torch.manual_seed(0)
    bert = BertModel(BertConfig(vocab_size=VOCAB, **overrides)).eval()
    cb = ChineseBertModel(ChineseBertConfig(vocab_size=VOCAB, **overrides)).eval()
    emb = cb.embeddings
    mask = torch.ones_like(input_ids)

    def run_bert() -> None:
        bert(input_ids=input_ids, attention_mask=mask)

    def run_cb() -> None:
        cb(input_ids=input_ids, pinyin_ids=pinyin_ids, attention_mask=mask)

    def run_ref() -> None:  # the published formula: concatenate, then map_fc, for every token
        fused = emb._fuse_concat(input_ids, pinyin_ids)
        BertModel.forward(cb, inputs_embeds=fused, attention_mask=mask)

    runs = {"bert": run_bert, "chinesebert": run_cb, "published fusion": run_ref}
    times: dict[str, list[float]] = {k: [] for k in runs}
    with torch.no_grad():
        for fn in runs.values():
            fn()  # warm-up
        for _ in range(iters):
            for key, fn in runs.items():
                t = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - t)
    ntok = input_ids.numel()
    base = statistics.median(times["bert"])
    print(f"\n{name}: batch {input_ids.shape[0]} x {input_ids.shape[1]} tokens, {iters} iterations (median)")
    for key, ts in times.items():
        med = statistics.median(ts)
        extra = "" if key == "bert" else f"   overhead {100 * (med / base - 1):+.1f}%"
        print(f"  {key:17s} {1000 * med:8.1f} ms/batch  {ntok / med:9.0f} tokens/s{extra}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "chnsenticorp_htl.txt.xz")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--configs", nargs="*", choices=sorted(CONFIGS), default=list(CONFIGS))
    args = ap.parse_args()
    need_data(args.corpus, "the ChnSentiCorp hotel reviews (corpus/chnsenticorp_htl.txt.xz)")

    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    input_ids, pinyin_ids, source = make_inputs(args.corpus, args.batch, args.seq_len)
    distinct_ids = len(set(input_ids.view(-1).tolist()))
    distinct_pinyin = len({tuple(r) for r in pinyin_ids.view(-1, 8).tolist()})
    print(f"torch {torch.__version__}, {args.threads} thread(s); inputs: {source}")
    print(f"{input_ids.numel()} tokens: {distinct_ids} distinct ids, {distinct_pinyin} distinct pinyin rows")
    for name in args.configs:
        bench(name, CONFIGS[name], input_ids, pinyin_ids, args.iters)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
