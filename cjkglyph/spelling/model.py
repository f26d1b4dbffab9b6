"""The learned scorer of the spelling checker: tiny MLPs over candidate features, stored as JSON.

``data/spellcheck/model.json`` (written by ``scripts/train_spellcheck.py``)
holds the feature names, their standardisation, the layers (of each member
when several seeds are averaged), the decision
threshold chosen by cross-validation on the SIGHAN train sets, the decoding
parameters and the 的/地/得 context counts; and a second stage of the same
form over the encoder features, applied to the candidates the first stage
lets through its gate. Scoring is plain numpy: one logit
per candidate, ``sigmoid(logit)`` = P(the candidate is the right correction).

>>> from cjkglyph.spelling.model import SpellModel
>>> m = SpellModel.load()                       # doctest: +SKIP
>>> m.logits(batch.x).shape                     # doctest: +SKIP
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
from ..resources import data_path, read_json, write_json

__all__ = ["MODEL", "SpellModel"]

#: Shipped model, relative to ``data/``.
MODEL = ("spellcheck", "model.json")
FORMAT = "cjkglyph-spell-model"
_REBUILD = "rebuild it with 'python scripts/train_spellcheck.py' or reinstall cjkglyph"


@dataclass
class SpellModel:
    """Standardise, then ``tanh`` hidden layers, then a linear output (one logit per candidate)."""

    features: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    threshold: float = 0.5
    params: dict[str, Any] = field(default_factory=dict)
    de_counts: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)
    #: Directory of the model file: companion files named in ``params`` (e.g. ``domain_lm``) live there.
    directory: Path | None = None
    #: Further MLPs ``(mean, std, layers)`` over the same features (e.g. other training seeds): the
    #: logit is the mean of all members' logits.
    ensemble: list[tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]] = field(default_factory=list)
    #: The second stage: a model over the same features plus the encoder's (:data:`~cjkglyph.spelling.features.ENCODER_FEATURES`),
    #: applied to candidates whose first-stage logit exceeds ``params["gate"]``; its own threshold and group offsets.
    stage2: SpellModel | None = None

    def logits(self, x: np.ndarray, columns: tuple[str, ...] | None = None) -> np.ndarray:
        """Logits (n,) for feature rows whose columns are named ``columns`` (default: :data:`cjkglyph.spelling.features.FEATURES`)."""
        if columns is None:
            from .features import FEATURES

            columns = FEATURES
        idx = [columns.index(f) for f in self.features]
        xs = x[:, idx].astype(np.float32)
        out = mlp_logits(xs, self.mean, self.std, self.layers)
        for mean, std, layers in self.ensemble:
            out += mlp_logits(xs, mean, std, layers)
        if self.ensemble:
            out /= 1 + len(self.ensemble)
        return out

    # ------------------------------------------------------------------ (de)serialisation
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 1,
            "features": list(self.features),
            **mlp_to_json(self.mean, self.std, self.layers),
            **({"ensemble": [mlp_to_json(*m) for m in self.ensemble]} if self.ensemble else {}),
            "threshold": float(self.threshold),
            "params": self.params,
            "de_counts": None if self.de_counts is None else np.asarray(self.de_counts).astype(int).tolist(),
            "info": self.info,
            **({"stage2": self.stage2.to_json()} if self.stage2 is not None else {}),
        }

    @classmethod
    def from_json(cls, blob: dict[str, Any], where: str = "<memory>") -> SpellModel:
        from .features import FEATURES, N_CLASSES

        try:
            if blob.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file")
            features = tuple(blob["features"])
            unknown = [f for f in features if f not in FEATURES]
            if unknown:
                raise ValueError(f"unknown features {unknown} (written by a newer cjkglyph?)")
            mean, std, layers = mlp_from_json(blob, len(features))
            ensemble = [mlp_from_json(m, len(features)) for m in blob.get("ensemble", [])]
            de = blob.get("de_counts")
            de_counts = None if de is None else np.asarray(de, dtype=np.int64)
            if de_counts is not None and de_counts.shape != (3, N_CLASSES, N_CLASSES):
                raise ValueError("de_counts has the wrong shape")
            return cls(
                features=features,
                mean=mean,
                std=std,
                layers=layers,
                threshold=float(blob.get("threshold", 0.5)),
                params=dict(blob.get("params", {})),
                de_counts=de_counts,
                info=dict(blob.get("info", {})),
                ensemble=ensemble,
                stage2=cls.from_json(blob["stage2"], where) if blob.get("stage2") else None,
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ResourceError(f"corrupt spelling model {where}: {e}; {_REBUILD}") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> SpellModel:
        """The model at ``path`` (default: the shipped ``data/spellcheck/model.json``)."""
        p = Path(path) if path is not None else data_path(*MODEL)
        blob = read_json(p, "spelling model", _REBUILD)
        model = cls.from_json(blob, str(p))
        model.directory = p.parent
        return model

    def companion(self, name: str) -> Path:
        """Path of a file that goes with the model (next to the model file, else in ``data/spellcheck``)."""
        if self.directory is not None:
            return self.directory / name
        return data_path(MODEL[0], name)

    def save(self, path: str | os.PathLike[str]) -> None:
        write_json(path, self.to_json())
