"""Tiny synthetic ChineseBERT checkpoints in the published and the ``chinesebert`` PyPI-package layouts.

Key names and shapes follow the published ``pytorch_model.bin`` exactly (hidden size and depth shrunk).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

CHARS = "我爱和银行长在的北京是国首都说好用吗中文他了呢绿女，。！？"
WORDPIECES = ["python", "##3", "3", "chinese", "##bert", "p", "##y", "a", "ok"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *CHARS, *WORDPIECES]
HIDDEN, LAYERS, HEADS, INTER, POSITIONS = 32, 2, 2, 64, 64
IDX2CHAR = ["0", "1", "2", "3", "4", "5", *"abcdefghijklmnopqrstuvwxyz"]
CHAR2IDX = {c: i for i, c in enumerate(IDX2CHAR)}


def spell(s: str) -> list[int]:
    ids = [CHAR2IDX[c] for c in s]
    return ids + [0] * (8 - len(ids))


#: A partial pinyin2tensor.json: toneless keys carry tone 5 as in the published table; "yin2" and "ma"
#: are left out so the symbol-by-symbol fallback is exercised ("ma" then has no tone digit).
PINYIN2TENSOR = {
    "wo3": spell("wo3"),
    "ai4": spell("ai4"),
    "he2": spell("he2"),
    "hang2": spell("hang2"),
    "zhang3": spell("zhang3"),
    "de": spell("de5"),
    "le": spell("le5"),
    "ne": spell("ne5"),
}


def state_dict(seed: int = 0) -> dict:
    """Random weights under the published key names (transformers-3 style, incl. position_ids)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    V, H = len(VOCAB), HIDDEN

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g) * 0.1

    sd = {
        "bert.embeddings.position_ids": torch.arange(POSITIONS).unsqueeze(0),
        "bert.embeddings.word_embeddings.weight": r(V, H),
        "bert.embeddings.position_embeddings.weight": r(POSITIONS, H),
        "bert.embeddings.token_type_embeddings.weight": r(2, H),
        "bert.embeddings.LayerNorm.weight": 1 + r(H),
        "bert.embeddings.LayerNorm.bias": r(H),
        "bert.embeddings.pinyin_embeddings.embedding.weight": r(32, 128),
        "bert.embeddings.pinyin_embeddings.conv.weight": r(H, 128, 2),
        "bert.embeddings.pinyin_embeddings.conv.bias": r(H),
        "bert.embeddings.glyph_embeddings.embedding.weight": torch.rand(V, 1728, generator=g),
        "bert.embeddings.glyph_map.weight": r(H, 1728),
        "bert.embeddings.glyph_map.bias": r(H),
        "bert.embeddings.map_fc.weight": r(H, 3 * H),
        "bert.embeddings.map_fc.bias": r(H),
    }
    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            sd[p + name + ".weight"], sd[p + name + ".bias"] = r(H, H), r(H)
        sd[p + "intermediate.dense.weight"], sd[p + "intermediate.dense.bias"] = r(INTER, H), r(INTER)
        sd[p + "output.dense.weight"], sd[p + "output.dense.bias"] = r(H, INTER), r(H)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            sd[p + name + ".weight"], sd[p + name + ".bias"] = 1 + r(H), r(H)
    sd["bert.pooler.dense.weight"], sd["bert.pooler.dense.bias"] = r(H, H), r(H)
    sd["cls.predictions.bias"] = r(V)
    sd["cls.predictions.transform.dense.weight"], sd["cls.predictions.transform.dense.bias"] = r(H, H), r(H)
    sd["cls.predictions.transform.LayerNorm.weight"], sd["cls.predictions.transform.LayerNorm.bias"] = 1 + r(H), r(H)
    sd["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"]
    sd["cls.predictions.decoder.bias"] = sd["cls.predictions.bias"]
    return sd


def bert_config(**extra: object) -> dict:
    return {
        "architectures": ["BertForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": HIDDEN,
        "initializer_range": 0.02,
        "intermediate_size": INTER,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": POSITIONS,
        "model_type": "bert",
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "pad_token_id": 0,
        "type_vocab_size": 2,
        "vocab_size": len(VOCAB),
        **extra,
    }


def write_published(root: Path, seed: int = 0, glyph_weight: bool = True) -> Path:
    """The ShannonAI layout: config.json (model_type bert), vocab.txt, pytorch_model.bin, config/."""
    import torch

    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(json.dumps(bert_config()), encoding="utf-8")
    (root / "vocab.txt").write_text("".join(t + "\n" for t in VOCAB), encoding="utf-8")
    sd = state_dict(seed)
    cfg = root / "config"
    cfg.mkdir(exist_ok=True)
    glyph = sd["bert.embeddings.glyph_embeddings.embedding.weight"].numpy().reshape(len(VOCAB), 3, 24, 24)
    for i, name in enumerate(("STFANGSO.TTF24.npy", "STXINGKA.TTF24.npy", "方正古隶繁体.ttf24.npy")):
        np.save(cfg / name, glyph[:, i])
    if not glyph_weight:
        del sd["bert.embeddings.glyph_embeddings.embedding.weight"]
    torch.save(sd, root / "pytorch_model.bin")
    (cfg / "pinyin_map.json").write_text(json.dumps({"idx2char": IDX2CHAR, "char2idx": CHAR2IDX}), encoding="utf-8")
    (cfg / "pinyin2tensor.json").write_text(json.dumps(PINYIN2TENSOR), encoding="utf-8")
    (cfg / "id2pinyin.json").write_text(json.dumps({"5": spell("wo3")}), encoding="utf-8")
    return root


def write_pypi(root: Path, seed: int = 1) -> Path:
    """The ``chinesebert`` package layout: fusion fields in config.json, pinyin tables in tokenizer_config.json."""
    import torch

    root.mkdir(parents=True, exist_ok=True)
    cfg = bert_config(architectures=["ChineseBertForMaskedLM"], glyph_embedding_dim=1728, pinyin_map_len=32)
    (root / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    (root / "vocab.txt").write_text("".join(t + "\n" for t in VOCAB), encoding="utf-8")
    tok_cfg = {
        "do_lower_case": True,
        "tokenizer_class": "ChineseBertTokenizer",
        "pinyin_map": {"idx2char": IDX2CHAR, "char2idx": CHAR2IDX},
        "pinyin2tensor": PINYIN2TENSOR,
        "id2pinyin": {"5": spell("wo3")},
    }
    (root / "tokenizer_config.json").write_text(json.dumps(tok_cfg, ensure_ascii=False), encoding="utf-8")
    sd = state_dict(seed)
    del sd["bert.embeddings.position_ids"]
    torch.save(sd, root / "pytorch_model.bin")
    return root
