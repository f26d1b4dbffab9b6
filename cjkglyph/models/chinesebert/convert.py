"""Conversion of a ChineseBERT checkpoint (published, pypi or native layout, see
:mod:`.checkpoint`) to the native layout, verified by loading it back through the Auto classes.

>>> convert_checkpoint("ChineseBERT-base", "chinesebert-base-native")    # doctest: +SKIP
{'layout': 'published', 'architecture': 'ChineseBertForMaskedLM', ..., 'max_abs_diff': 0.0}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cjkglyph.errors import InputError, ResourceError

from .._auto import register_auto_classes
from . import modeling_chinesebert as modeling
from .checkpoint import ARCHITECTURES, architecture_of, detect_layout
from .tokenization_chinesebert import ChineseBertTokenizer

__all__ = ["PROBE", "convert_checkpoint"]

#: Sentence used to check that a converted checkpoint gives the same outputs.
PROBE = "北京是[MASK]国的首都，银行行长说：ChineseBERT好用吗？"


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
