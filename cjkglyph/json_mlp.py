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

from typing import Any

import numpy as np

__all__ = ["Layers", "mlp_from_json", "mlp_logits", "mlp_to_json"]

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
