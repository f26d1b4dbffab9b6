"""Fine-tune a tiny ChineseBERT on hotel-review sentiment with the Trainer API, on CPU, in minutes.

Data: ``../shared/corpus/chnsenticorp_htl.txt.xz`` (ChnSentiCorp hotel reviews,
one review per line). The file keeps the order of its source CSV, which lists
the 5,322 positive reviews first and then the 2,444 negative ones (one
duplicate was removed), so labels are recoverable from the line number. Lines
around the boundary are skipped (lines < 5300 positive, >= 5345 negative); the
classes are balanced and 20 % is held out.

Model: a randomly initialised ChineseBERT (hidden 128, 2 layers), vocabulary =
the most frequent characters of the training split, glyph table drawn from
cjkglyph's three fonts (normalised, frozen), pinyin ids from pypinyin (``--pinyin-source
cjkglyph`` for cjkglyph's context-aware readings). ``--baseline`` also trains a
plain BERT of the same size on the same data. Needs ``accelerate`` (Trainer).

    nice -n 10 python examples/finetune_chinesebert.py [--corpus PATH] [--epochs 3] [--out DIR] [--baseline]
"""

from __future__ import annotations

import argparse
import lzma
import math
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent

POSITIVE_END, NEGATIVE_START = 5300, 5345
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def load_reviews(path: Path, per_class: int, seed: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Balanced (text, label) train and test lists; label 1 = positive."""
    with lzma.open(path, "rt", encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    pos = [(t, 1) for t in lines[:POSITIVE_END] if t]
    neg = [(t, 0) for t in lines[NEGATIVE_START:] if t]
    rng = random.Random(seed)
    rng.shuffle(pos)
    rng.shuffle(neg)
    n = min(per_class, len(pos), len(neg))
    data = pos[:n] + neg[:n]
    rng.shuffle(data)
    cut = int(0.8 * len(data))
    return data[:cut], data[cut:]


def write_vocab(texts: list[str], size: int, path: Path) -> list[str]:
    counts = Counter(c for t in texts for c in t if not c.isspace())
    tokens = SPECIALS + [c for c, _ in counts.most_common(size)]
    path.write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
    return tokens


class Encoded:
    """A list of tokenizer outputs usable as a torch Dataset."""

    def __init__(self, tokenizer: Any, data: list[tuple[str, int]], max_len: int, keep_pinyin: bool = True) -> None:
        self.rows = []
        for text, label in data:
            enc = dict(tokenizer(text[: max_len - 2], truncation=True, max_length=max_len))
            if not keep_pinyin:
                enc.pop("pinyin_ids")
            enc["labels"] = label
            self.rows.append(enc)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.rows[i]


def train_and_score(model: Any, tokenizer: Any, train: Encoded, test: Encoded, args: argparse.Namespace, out: Path) -> float:
    import numpy as np
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    steps = math.ceil(len(train) / 32) * args.epochs
    targs = TrainingArguments(
        output_dir=str(out),
        num_train_epochs=args.epochs,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        learning_rate=args.lr,
        warmup_steps=int(0.1 * steps),
        weight_decay=0.01,
        save_strategy="no",
        logging_steps=50,
        report_to=[],
        use_cpu=True,
        seed=args.seed,
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=targs, train_dataset=train, data_collator=DataCollatorWithPadding(tokenizer))
    trainer.train()
    pred = trainer.predict(test)
    return float((np.argmax(pred.predictions, axis=-1) == pred.label_ids).mean())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "chnsenticorp_htl.txt.xz")
    ap.add_argument("--out", type=Path, default=None, help="where to save the fine-tuned model (default: a temp dir)")
    ap.add_argument("--per-class", type=int, default=2000)
    ap.add_argument("--vocab-size", type=int, default=3000)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--pinyin-source", choices=["pypinyin", "cjkglyph"], default="pypinyin")
    ap.add_argument("--baseline", action="store_true", help="also train a plain BERT of the same size")
    args = ap.parse_args()
    need_data(args.corpus, "the ChnSentiCorp hotel reviews (corpus/chnsenticorp_htl.txt.xz)")
    try:
        import accelerate  # noqa: F401 - the Trainer needs it
    except ModuleNotFoundError:
        print("finetune_chinesebert.py: needs torch, transformers and accelerate: pip install 'cjkglyph[train]'", file=sys.stderr)
        return 2

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertForSequenceClassification
    from transformers.utils import logging as hf_logging

    import cjkglyph  # noqa: F401  (registers ChineseBERT with the Auto classes)
    from cjkglyph.models.chinesebert import (
        ChineseBertConfig,
        ChineseBertForSequenceClassification,
        ChineseBertTokenizer,
        glyph_rows,
    )

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = args.out or Path(tempfile.mkdtemp(prefix="chinesebert-sentiment-"))
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    train_data, test_data = load_reviews(args.corpus, args.per_class, args.seed)
    tokens = write_vocab([t for t, _ in train_data], args.vocab_size, out / "vocab.txt")
    tokenizer = ChineseBertTokenizer(vocab_file=str(out / "vocab.txt"), pinyin_source=args.pinyin_source)
    train, test = Encoded(tokenizer, train_data, args.max_len), Encoded(tokenizer, test_data, args.max_len)
    t1 = time.perf_counter()
    print(f"data: {len(train)} train / {len(test)} test reviews (balanced), vocab {len(tokens)}; "
          f"tokenised with pinyin in {t1 - t0:.1f} s")

    size = {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 256,
            "max_position_embeddings": 128, "num_labels": 2, "id2label": {0: "negative", 1: "positive"},
            "label2id": {"negative": 0, "positive": 1}}
    fonts = ("song", "hei", "kai")
    config = ChineseBertConfig(vocab_size=len(tokens), glyph_embedding_dim=len(fonts) * 24 * 24, glyph_fonts=list(fonts), **size)
    model = ChineseBertForSequenceClassification(config)
    model.set_glyph_table(glyph_rows(tokens, fonts, 24))
    model.bert.embeddings.glyph_embeddings.embedding.weight.requires_grad_(False)
    t2 = time.perf_counter()
    print(f"model: {sum(p.numel() for p in model.parameters() if p.requires_grad):,} trainable parameters; "
          f"glyph table {tuple(model.bert.embeddings.glyph_embeddings.embedding.weight.shape)} drawn in {t2 - t1:.1f} s")

    acc = train_and_score(model, tokenizer, train, test, args, out / "trainer")
    t3 = time.perf_counter()
    print(f"ChineseBERT held-out accuracy: {acc:.4f}  (fine-tuning {t3 - t2:.0f} s)")

    model.save_pretrained(out / "model")
    tokenizer.save_pretrained(out / "model")
    reloaded = AutoModelForSequenceClassification.from_pretrained(out / "model").eval()
    tok2 = AutoTokenizer.from_pretrained(out / "model")
    demo = ["房间干净，服务热情，下次还来！", "隔音太差，前台态度恶劣，不会再住了。"]
    with torch.no_grad():
        labels = reloaded(**tok2(demo, padding=True, return_tensors="pt")).logits.argmax(-1).tolist()
    for text, label in zip(demo, labels, strict=True):
        print(f"  {reloaded.config.id2label[label]:8s} {text}")
    print(f"saved to {out / 'model'} ({type(reloaded).__name__} via AutoModelForSequenceClassification)")

    if args.baseline:
        torch.manual_seed(args.seed)
        bert = BertForSequenceClassification(BertConfig(vocab_size=len(tokens), **size))
        btrain = Encoded(tokenizer, train_data, args.max_len, keep_pinyin=False)
        btest = Encoded(tokenizer, test_data, args.max_len, keep_pinyin=False)
        t4 = time.perf_counter()
        bacc = train_and_score(bert, tokenizer, btrain, btest, args, out / "trainer-bert")
        print(f"plain BERT (same size, same data) held-out accuracy: {bacc:.4f}  (fine-tuning {time.perf_counter() - t4:.0f} s)")
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
