"""ChineseBERT checkpoint layouts and conversion to the native one.

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
- ``native`` (what :func:`convert_checkpoint` and ``save_pretrained`` write):
  ``config.json`` with ``model_type: "chinesebert"``, ``model.safetensors``
  (the glyph table is the weight ``bert.embeddings.glyph_embeddings.embedding.weight``),
  ``tokenizer.json``/``vocab.txt``/``tokenizer_config.json`` and, when the
  source had them, ``pinyin_map.json`` and ``pinyin2tensor.json``.

>>> convert_checkpoint("ChineseBERT-base", "chinesebert-base-native")    # doctest: +SKIP
{'layout': 'published', 'architecture': 'ChineseBertForMaskedLM', ..., 'max_abs_diff': 0.0}
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
    "convert_checkpoint",
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
#: Sentence used to check that a converted checkpoint gives the same outputs.
PROBE = "北京是[MASK]国的首都，银行行长说：ChineseBERT好用吗？"


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


def convert_checkpoint(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    architecture: str | None = None,
    overwrite: bool = False,
    verify: bool = True,
) -> dict[str, Any]:
    """Write ``src`` (published, pypi or native layout) to ``dst`` in the native layout.

    Returns a report: layout, architecture, weights left unused/missing, and with
    ``verify`` the largest absolute output difference between ``src`` and ``dst``
    on :data:`PROBE` (0.0 expected).
    """
    import torch

    from . import modeling_chinesebert as modeling
    from .tokenization_chinesebert import ChineseBertTokenizer

    src_p, dst_p = Path(src), Path(dst)
    if not src_p.is_dir():
        raise InputError(f"{src_p}: no such checkpoint directory")
    if dst_p.exists() and dst_p.resolve() == src_p.resolve():
        raise InputError("destination is the source directory; choose another")
    if dst_p.exists() and any(dst_p.iterdir()) and not overwrite:
        raise InputError(f"{dst_p} exists and is not empty (use --overwrite)")
    layout = detect_layout(src_p)
    name = architecture or architecture_of(src_p)
    if name not in ARCHITECTURES.values():
        raise InputError(f"unknown architecture {name!r}: use one of {', '.join(ARCHITECTURES.values())}")
    cls = getattr(modeling, name)
    model, info = cls.from_pretrained(src_p, output_loading_info=True)
    model.eval()
    tokenizer = ChineseBertTokenizer.from_pretrained(src_p)
    dst_p.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dst_p)
    tokenizer.save_pretrained(dst_p)
    report: dict[str, Any] = {
        "layout": layout,
        "architecture": name,
        "unused_weights": sorted(info.get("unexpected_keys", [])),
        "missing_weights": sorted(info.get("missing_keys", [])),
        "destination": str(dst_p),
    }
    if verify:
        from cjkglyph.models._auto import register_auto_classes

        register_auto_classes()
        from transformers import AutoModel, AutoTokenizer

        auto_cls = {
            "ChineseBertForMaskedLM": "AutoModelForMaskedLM",
            "ChineseBertForSequenceClassification": "AutoModelForSequenceClassification",
            "ChineseBertForTokenClassification": "AutoModelForTokenClassification",
            "ChineseBertForQuestionAnswering": "AutoModelForQuestionAnswering",
        }.get(name)
        import transformers

        loader = getattr(transformers, auto_cls) if auto_cls else AutoModel
        reloaded = loader.from_pretrained(dst_p).eval()
        tok2 = AutoTokenizer.from_pretrained(dst_p)
        enc1, enc2 = tokenizer(PROBE, return_tensors="pt"), tok2(PROBE, return_tensors="pt")
        if any(not torch.equal(enc1[k], enc2[k]) for k in enc1):
            raise ResourceError(f"{dst_p}: the converted tokenizer encodes differently from the source")
        with torch.no_grad():
            a, b = model(**enc1), reloaded(**enc2)
        diffs = [
            float((x - y).abs().max()) for x, y in zip(a.to_tuple(), b.to_tuple(), strict=True) if torch.is_tensor(x)
        ]
        report["max_abs_diff"] = max(diffs) if diffs else 0.0
    return report
