"""The learned ranker of the similarity graph: a tiny MLP over pair features, stored as JSON.

``data/graph/ranker.json`` (written by ``scripts/train_graph.py``) holds the
feature names, their standardisation, the MLP layers, the pinyin channel
tables, the candidate-generation parameters and the (wrong, right) pairs seen
in the training errors. Scoring is plain numpy: ``score(x)`` gives one logit
per pair; a softmax over the candidates of one wrong character turns logits
into P(right = candidate | wrong character was an error).

>>> from cjkglyph.graph.ranker import Ranker
>>> r = Ranker.load()                       # doctest: +SKIP
>>> r.score(x).shape                        # doctest: +SKIP
(n,)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ResourceError
from ..json_mlp import mlp_from_json, mlp_logits, mlp_to_json
from ..pinyin.channel import Channel
from ..resources import data_path, read_json, write_json
from .features import FEATURES

__all__ = ["FORMAT", "RANKER", "Ranker"]

#: Shipped ranker, relative to ``data/``.
RANKER = ("graph", "ranker.json")
FORMAT = "cjkglyph-similarity-ranker"
_REBUILD = "rebuild it with 'python scripts/train_graph.py' or reinstall cjkglyph"


@dataclass
class Ranker:
    """Standardise, then ``tanh`` hidden layers, then a linear output (one logit per row)."""

    features: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]  # (weight (in, out), bias (out,))
    channel: Channel
    params: dict[str, Any] = field(default_factory=dict)
    observed: list[tuple[str, str, int]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def score(self, x: np.ndarray, chunk: int = 1 << 18) -> np.ndarray:
        """Logits (n,) float32 for feature rows (n, len(features)) in :data:`FEATURES` order."""
        cols = [FEATURES.index(f) for f in self.features]
        out = np.empty(len(x), dtype=np.float32)
        for s in range(0, len(x), chunk):
            out[s : s + chunk] = mlp_logits(x[s : s + chunk, cols], self.mean, self.std, self.layers)
        return out

    # ------------------------------------------------------------------ (de)serialisation
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 1,
            "features": list(self.features),
            **mlp_to_json(self.mean, self.std, self.layers),
            "params": self.params,
            "channel": self.channel.to_json(),
            "observed": [[a, b, int(n)] for a, b, n in self.observed],
            "info": self.info,
        }

    @classmethod
    def from_json(cls, blob: dict[str, Any], where: str = "<memory>") -> Ranker:
        try:
            if blob.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file")
            features = tuple(blob["features"])
            unknown = [f for f in features if f not in FEATURES]
            if unknown:
                raise ValueError(f"unknown features {unknown}")
            mean, std, layers = mlp_from_json(blob, len(features))
            observed = [(str(a), str(b), int(n)) for a, b, n in blob.get("observed", [])]
            return cls(
                features=features,
                mean=mean,
                std=std,
                layers=layers,
                channel=Channel.from_json(blob["channel"]),
                params=dict(blob.get("params", {})),
                observed=observed,
                info=dict(blob.get("info", {})),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ResourceError(f"corrupt ranker {where}: {e}; {_REBUILD}") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Ranker:
        """The ranker at ``path`` (default: the shipped ``data/graph/ranker.json``)."""
        p = Path(path) if path is not None else data_path(*RANKER, required=False)
        blob = read_json(p, "ranker", _REBUILD)
        return cls.from_json(blob, str(p))

    def save(self, path: str | os.PathLike[str]) -> None:
        write_json(path, self.to_json())
