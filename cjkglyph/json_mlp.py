"""Tiny MLPs stored as JSON: the shared part of the similarity ranker and the spelling scorer.

An MLP here standardises its inputs (``mean``, ``std``), applies ``tanh``
hidden layers and a linear output with one unit: one logit per row. Layers
are ``(weight (in, out), bias (out,))`` float32 pairs.

>>> import numpy as np
>>> blob = {"mean": [0.0], "std": [1.0], "layers": [{"weight": [[2.0]], "bias": [1.0]}]}
>>> mean, std, layers = mlp_from_json(blob, 1)
>>> mlp_logits(np.array([[1.0], [0.0]], dtype=np.float32), mean, std, layers).tolist()
[3.0, 1.0]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ResourceError

__all__ = ["Layers", "mlp_from_json", "mlp_logits", "mlp_to_json", "read_json", "write_json"]

Layers = list[tuple[np.ndarray, np.ndarray]]


def mlp_logits(x: np.ndarray, mean: np.ndarray, std: np.ndarray, layers: Layers) -> np.ndarray:
    """Logits (n,) of feature rows ``x`` (n, in)."""
    h = (x - mean) / std
    for k, (w, b) in enumerate(layers):
        h = h @ w + b
        if k < len(layers) - 1:
            np.tanh(h, out=h)
    return h[:, 0]


def mlp_to_json(mean: np.ndarray, std: np.ndarray, layers: Layers) -> dict[str, Any]:
    """``{"mean", "std", "layers"}`` with values rounded to 6 decimals."""
    r = lambda a: np.round(np.asarray(a, dtype=np.float64), 6).tolist()  # noqa: E731
    return {"mean": r(mean), "std": r(std), "layers": [{"weight": r(w), "bias": r(b)} for w, b in layers]}


def mlp_from_json(blob: dict[str, Any], n_features: int) -> tuple[np.ndarray, np.ndarray, Layers]:
    """``(mean, std, layers)`` from a blob with those keys; ValueError/KeyError/TypeError when they do not fit."""
    layers = [(np.asarray(l["weight"], dtype=np.float32), np.asarray(l["bias"], dtype=np.float32)) for l in blob["layers"]]
    width = n_features
    for w, b in layers:
        if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
            raise ValueError("layer shapes do not chain")
        width = w.shape[1]
    if width != 1:
        raise ValueError("the last layer must have one output")
    mean = np.asarray(blob["mean"], dtype=np.float32)
    std = np.maximum(np.asarray(blob["std"], dtype=np.float32), 1e-6)
    if mean.shape != (n_features,) or std.shape != mean.shape:
        raise ValueError("standardisation does not match the features")
    return mean, std, layers


def read_json(path: Path, what: str, fix: str) -> dict[str, Any]:
    """The JSON object in ``path``; a one-line :class:`ResourceError` naming ``what`` and ``fix`` otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResourceError(f"missing {what} {path}; {fix}") from None
    except OSError as e:
        raise ResourceError(f"cannot read {path}: {e.strerror or e}; {fix}") from None
    try:
        blob: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as e:
        raise ResourceError(f"corrupt {what} {path}: {e}; {fix}") from None
    return blob


def write_json(path: str | os.PathLike[str], blob: dict[str, Any]) -> None:
    """Write ``blob`` compactly (UTF-8) with an atomic replace."""
    from .resources import atomic_write

    text = json.dumps(blob, ensure_ascii=False, separators=(",", ":")) + "\n"
    with atomic_write(path, "wb") as f:
        f.write(text.encode("utf-8"))
