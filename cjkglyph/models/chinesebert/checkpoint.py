"""ChineseBERT checkpoint layouts: which one a directory holds, its architecture, its published glyph tables.

Layouts (all hold the same weight names: ``bert.embeddings.*`` incl. the fusion
layers, ``bert.encoder.*``, ``bert.pooler.*``, ``cls.predictions.*`` ...):

- ``published`` (ShannonAI/ChineseBERT-base, -large): ``config.json`` with
  ``model_type: "bert"`` and no fusion fields, ``vocab.txt``,
  ``pytorch_model.bin``, and ``config/`` with ``pinyin_map.json``,
  ``pinyin2tensor.json``, ``id2pinyin.json`` and three glyph image tables
  ``*.npy`` of shape (V, 24, 24).
- ``pypi`` (the ``chinesebert`` package): ``config.json`` with
  ``model_type: "bert"`` plus ``glyph_embedding_dim``/``pinyin_map_len``,
  ``vocab.txt``, the pinyin tables inside ``tokenizer_config.json``
  (``pinyin_map``, ``pinyin2tensor``, ``id2pinyin``), weights as
  ``pytorch_model.bin`` or ``model.safetensors``.
- ``native`` (what :func:`~cjkglyph.models.chinesebert.convert.convert_checkpoint` and ``save_pretrained`` write):
  ``config.json`` with ``model_type: "chinesebert"``, ``model.safetensors``
  (the glyph table is the weight ``bert.embeddings.glyph_embeddings.embedding.weight``),
  ``tokenizer.json``/``vocab.txt``/``tokenizer_config.json`` and, when the
  source had them, ``pinyin_map.json`` and ``pinyin2tensor.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cjkglyph.errors import InputError, ResourceError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ARCHITECTURES",
    "LAYOUTS",
    "architecture_of",
    "detect_layout",
    "published_glyph_table",
    "weight_names",
]

LAYOUTS: tuple[str, ...] = ("native", "published", "pypi")
#: Head name -> class name in :mod:`cjkglyph.models.chinesebert`.
ARCHITECTURES: dict[str, str] = {
    "MaskedLM": "ChineseBertForMaskedLM",
    "SequenceClassification": "ChineseBertForSequenceClassification",
    "TokenClassification": "ChineseBertForTokenClassification",
    "QuestionAnswering": "ChineseBertForQuestionAnswering",
    "Model": "ChineseBertModel",
}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ResourceError(f"cannot read {path}: {e}") from None
    if not isinstance(data, dict):
        raise ResourceError(f"{path} is not a JSON object")
    return data


def detect_layout(path: str | os.PathLike[str]) -> str:
    """``"native"``, ``"published"`` or ``"pypi"``; InputError for anything else (e.g. a plain BERT)."""
    root = Path(path)
    if not (root / "config.json").is_file():
        raise InputError(f"{root}: not a checkpoint directory (no config.json)")
    config = _read_json(root / "config.json")
    if config.get("model_type") == "chinesebert":
        return "native"
    if (root / "config" / "pinyin_map.json").is_file() or (root / "config" / "pinyin2tensor.json").is_file():
        return "published"
    tok_cfg = root / "tokenizer_config.json"
    if "glyph_embedding_dim" in config or "pinyin_map_len" in config or (
        tok_cfg.is_file() and "pinyin2tensor" in _read_json(tok_cfg)
    ):
        return "pypi"
    raise InputError(
        f"{root}: not a ChineseBERT checkpoint (no pinyin tables, no fusion fields); "
        "to add glyph and pinyin layers to a plain BERT use ChineseBertForMaskedLM.from_bert()"
    )


def published_glyph_table(path: str | os.PathLike[str]) -> np.ndarray | None:
    """The ``config/*.npy`` glyph images as one (V, fonts * 24 * 24) float32 table, None when absent.

    The published code stacked the files in ``os.listdir`` order, which the file
    system decides; the published weights carry the trained table, so this is
    only a fallback. Files are taken in sorted name order.
    """
    import numpy as np

    files = sorted((Path(path) / "config").glob("*.npy"))
    if not files:
        return None
    try:
        arrays = [np.load(f, allow_pickle=False).astype(np.float32) for f in files]
    except (OSError, ValueError) as e:
        raise ResourceError(f"cannot read glyph images in {Path(path) / 'config'}: {e}") from None
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1 or len(arrays[0].shape) != 3:
        raise ResourceError(f"glyph images in {Path(path) / 'config'} must all have shape (V, size, size); got {sorted(shapes)}")
    return np.stack(arrays, axis=1).reshape(len(arrays[0]), -1)


def _weights_file(root: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (root / name).is_file():
            return root / name
    raise InputError(f"{root}: no model.safetensors or pytorch_model.bin")


def weight_names(path: str | os.PathLike[str]) -> list[str]:
    """Parameter names stored in a checkpoint directory (safetensors or torch.load(weights_only=True))."""
    f = _weights_file(Path(path))
    if f.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(f), framework="pt") as st:
            return list(st.keys())
    import torch

    state = torch.load(f, map_location="cpu", weights_only=True, mmap=True)
    return list(state)


def architecture_of(path: str | os.PathLike[str]) -> str:
    """Class name to load a checkpoint with: from ``config.architectures``, else from its weight names."""
    root = Path(path)
    for name in _read_json(root / "config.json").get("architectures") or []:
        for head, cls in ARCHITECTURES.items():
            if head != "Model" and head in name:
                return cls
    names = weight_names(root)
    if any(n.startswith("cls.predictions.") for n in names):
        return ARCHITECTURES["MaskedLM"]
    if any(n.startswith("qa_outputs.") for n in names):
        return ARCHITECTURES["QuestionAnswering"]
    if any(n.startswith("classifier.") for n in names):
        return ARCHITECTURES["SequenceClassification"]
    return ARCHITECTURES["Model"]
