"""The learned ranker of the similarity graph: a tiny MLP over pair features, stored as JSON.

``data/graph/ranker.json`` (written by ``scripts/train_graph.py``) holds the
feature names, their standardisation, the MLP layers, the pinyin channel
tables, the candidate-generation parameters and the (wrong, right) pairs seen
in the training errors. Scoring is plain numpy: ``score(x)`` gives one logit
per pair; a softmax over the candidates of one wrong character turns logits
into P(right = candidate | wrong character was an error).

>>> from cjkglyph.similarity_ranker import Ranker
>>> r = Ranker.load()                       # doctest: +SKIP
>>> r.score(x).shape                        # doctest: +SKIP
(n,)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ResourceError
from .pinyin_channel import Channel
from .similarity_features import FEATURES

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
            h = (x[s : s + chunk, cols] - self.mean) / self.std
            for k, (wt, b) in enumerate(self.layers):
                h = h @ wt + b
                if k < len(self.layers) - 1:
                    np.tanh(h, out=h)
            out[s : s + chunk] = h[:, 0]
        return out

    # ------------------------------------------------------------------ (de)serialisation
    def to_json(self) -> dict[str, Any]:
        r = lambda a: np.round(np.asarray(a, dtype=np.float64), 6).tolist()  # noqa: E731
        return {
            "format": FORMAT,
            "version": 1,
            "features": list(self.features),
            "mean": r(self.mean),
            "std": r(self.std),
            "layers": [{"weight": r(w), "bias": r(b)} for w, b in self.layers],
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
            layers = [(np.asarray(l["weight"], dtype=np.float32), np.asarray(l["bias"], dtype=np.float32)) for l in blob["layers"]]
            width = len(features)
            for w, b in layers:
                if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
                    raise ValueError("layer shapes do not chain")
                width = w.shape[1]
            if width != 1:
                raise ValueError("the last layer must have one output")
            observed = [(str(a), str(b), int(n)) for a, b, n in blob.get("observed", [])]
            return cls(
                features=features,
                mean=np.asarray(blob["mean"], dtype=np.float32),
                std=np.maximum(np.asarray(blob["std"], dtype=np.float32), 1e-6),
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
        from .resources import data_path

        p = Path(path) if path is not None else data_path(*RANKER, required=False)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ResourceError(f"missing ranker {p}; {_REBUILD}") from None
        except OSError as e:
            raise ResourceError(f"cannot read {p}: {e.strerror or e}; {_REBUILD}") from None
        try:
            blob = json.loads(text)
        except json.JSONDecodeError as e:
            raise ResourceError(f"corrupt ranker {p}: {e}; {_REBUILD}") from None
        return cls.from_json(blob, str(p))

    def save(self, path: str | os.PathLike[str]) -> None:
        from .resources import atomic_write

        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
        with atomic_write(path, "wb") as f:
            f.write(text.encode("utf-8"))
