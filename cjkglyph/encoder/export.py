"""Export a character MLM (a transformers ``BertForMaskedLM`` directory) to the ONNX file the runtime reads.

Needs torch, transformers and onnx (``pip install 'cjkglyph[models]'``); the
exported graph runs on onnxruntime alone. Inputs: ``input_ids`` and
``attention_mask`` (batch, length) int64 and ``index`` (n,) int64, flat
positions ``batch * length + position``; output: ``log_probs`` (n, vocab), the
log-softmax over the vocabulary at those positions only, ``hidden`` (n, width),
the last layer's states there (contextual character vectors), and, for a
corrector with a detection head, ``detect`` (n,), the logit that the character
is wrong.

    python -c "from cjkglyph.encoder.export import export_onnx; export_onnx('DIR', 'DIR/encoder.onnx')"
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["export_onnx"]


def _module(model: Any, detect: Any) -> Any:
    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.detect = detect

        def forward(self, input_ids: Any, attention_mask: Any, index: Any) -> Any:
            h = self.model.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            flat = h.reshape(-1, h.shape[-1]).index_select(0, index)
            lp = torch.log_softmax(self.model.cls(flat).float(), dim=-1)
            if self.detect is None:
                return lp, flat
            return lp, flat, self.detect(flat).squeeze(-1)

    return Wrapped().eval()


def export_onnx(model_dir: str | os.PathLike[str], out: str | os.PathLike[str], *, quantize: bool = False) -> Path:
    """Write ``out`` (and return its path); ``quantize``: int8 weights (onnxruntime dynamic quantisation)."""
    try:
        import torch
        from transformers import BertForMaskedLM
    except ImportError:
        raise InputError("exporting an encoder needs torch and transformers: pip install 'cjkglyph[models]'") from None
    model = BertForMaskedLM.from_pretrained(os.fspath(model_dir), dtype=torch.float32).eval()
    detect = None
    weights = Path(model_dir) / "model.safetensors"
    if weights.exists():
        from safetensors import safe_open

        with safe_open(os.fspath(weights), framework="pt") as f:
            state = {k.split(".", 1)[1]: f.get_tensor(k).float() for k in f.keys() if k.startswith("detect.")}
        if state:  # a corrector's detection head, stored beside the MLM weights
            detect = torch.nn.Linear(state["weight"].shape[1], 1)
            detect.load_state_dict(state)
    wrapped = _module(model, detect)
    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 14, 3, 0]])
    mask = (ids != 0).long()
    index = torch.tensor([1, 2, 6])
    out = Path(out)
    tmp = out.with_suffix(".fp32.onnx") if quantize else out
    names = ["log_probs", "hidden"] + (["detect"] if detect is not None else [])
    with torch.no_grad():
        torch.onnx.export(
            wrapped,
            (ids, mask, index),
            os.fspath(tmp),
            input_names=["input_ids", "attention_mask", "index"],
            output_names=names,
            dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"},
                          "index": {0: "n"}, **{n: {0: "n"} for n in names}},
            opset_version=17,
            dynamo=False,
        )
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(os.fspath(tmp), os.fspath(out), weight_type=QuantType.QInt8)
        tmp.unlink()
    return out
