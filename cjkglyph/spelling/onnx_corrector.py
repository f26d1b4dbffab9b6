"""A fine-tuned character corrector served by onnxruntime alone (no torch): ``check --model DIR``.

A directory with ``encoder.onnx`` + ``vocab.txt`` (a corrector exported by
``scripts/train_neural_csc.py`` through :mod:`cjkglyph.encoder.export`, with a
detection head) is read by :class:`~cjkglyph.encoder.CharEncoder`; the shipped
one is ``data/spellcheck/neural``. The rules are those of
:class:`~cjkglyph.spelling.neural.NeuralCorrector`: length-preserving, a
position changes only when it is a Han character in the vocabulary and the
model's top character is another Han character of probability >= ``threshold``
(and, with the ``detect`` setting, detection probability >= ``detect``); the
combine modes (``lm``, ``ngram``) work the same way.

:func:`shipped_scores` is the cheap call for other correctors: the fine-tuned
model's log p(candidate), log p(original) and detection logit for given
(sentence, position, candidate) queries.

>>> from cjkglyph.spelling.onnx_corrector import OnnxCorrector, shipped_scores
>>> c = OnnxCorrector.load()                                     # doctest: +SKIP
>>> c.correct("我们今天去公圆玩")["target"]                        # doctest: +SKIP
'我们今天去公园玩'
>>> s = shipped_scores(["我们今天去公圆玩"], [0], [6], [ord("园")])  # doctest: +SKIP
>>> bool(s.cand[0] > s.orig[0])                                  # doctest: +SKIP
True
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..chars import is_han
from ..encoder import CharEncoder, EncoderScores
from ..encoder.vocab import UNK
from ..errors import InputError
from .base import check_script
from .neural import COMBINE, DEFAULT_SETTINGS, NeuralCorrector, Prediction, read_settings

__all__ = ["OnnxCorrector", "OnnxPrediction", "is_onnx_dir", "shipped_dir", "shipped_scores"]

#: Positions scored per onnxruntime batch of queries (bounds the (positions, vocabulary) arrays).
_CHUNK = 512


def shipped_dir() -> Path:
    """The shipped fine-tuned corrector, ``data/spellcheck/neural``."""
    from ..resources import data_path

    return data_path("spellcheck", "neural", "encoder.onnx").parent


def is_onnx_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a directory this module serves (``encoder.onnx`` and ``vocab.txt``)."""
    root = Path(os.fspath(path))
    return (root / "encoder.onnx").is_file() and (root / "vocab.txt").is_file()


@lru_cache(maxsize=1)
def _shipped_encoder() -> CharEncoder:
    return CharEncoder.load(shipped_dir())


def shipped_scores(texts: Sequence[str], row: Sequence[int], pos: Sequence[int], cand: Sequence[int]) -> EncoderScores:
    """The shipped fine-tuned corrector's scores of replacing character ``pos`` of ``texts[row]`` by code point ``cand``:
    log p(candidate), log p(original), best log p, rank and detection logit (:meth:`CharEncoder.score`)."""
    return _shipped_encoder().score(texts, row, pos, cand)


@dataclass
class OnnxPrediction(Prediction):
    """:class:`~cjkglyph.spelling.neural.Prediction` plus the detection probability per position (NaN where unscored)."""

    detect: np.ndarray


class OnnxCorrector(NeuralCorrector):
    """Serve an exported corrector directory with onnxruntime; use :meth:`load`."""

    def __init__(
        self,
        encoder: CharEncoder,
        *,
        threshold: float | None = None,
        combine: str | None = None,
        lm: Any = None,
        confusion: Any = None,
        ngram: Any = None,
        settings: dict[str, float] | None = None,
        script: str = "auto",
    ) -> None:
        self.script = check_script(script)
        if combine not in COMBINE:
            raise InputError(f"unknown combine mode {combine!r}; use one of lm, ngram (or none)")
        self.encoder = encoder
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        if threshold is not None:
            if not isinstance(threshold, (int, float)) or not 0.0 <= float(threshold) < 1.0:
                raise InputError(f"threshold must be a probability in [0, 1), got {threshold!r}")
            self.settings["threshold"] = self.settings["lm_threshold"] = float(threshold)
        self.combine = combine
        tokens = encoder.vocab.tokens
        self._han_token = np.array([len(t) == 1 and is_han(t) for t in tokens], dtype=bool)
        self._lm_arg = lm
        self._lm: Any = None
        self._ngram: Any = ngram
        self._confusion = confusion
        self._relations: Any = None
        self._candidates: Any = False

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        threshold: float | None = None,
        combine: str | None = None,
        threads: int | None = None,
        **options: Any,
    ) -> OnnxCorrector:
        """Load an exported corrector directory (default: the shipped one); ``threshold`` overrides its setting."""
        root = Path(os.fspath(path)) if path is not None else shipped_dir()
        if not is_onnx_dir(root):
            raise InputError(f"{root} is not an exported corrector directory (encoder.onnx + vocab.txt)")
        settings, default_combine = read_settings(root)
        encoder = CharEncoder.load(root, threads=threads)
        return cls(encoder, threshold=threshold, combine=combine or default_combine, settings=settings, **options)

    def predict(self, texts: Sequence[str], queries: Sequence[Sequence[tuple[int, str]]] | None = None) -> list[OnnxPrediction]:
        """Per-position predictions of every line (Han positions); ``queries[i]`` = (position, char) pairs whose probability to report."""
        if queries is not None and len(queries) != len(texts):
            raise InputError("queries must have one entry per text")
        vocab = self.encoder.vocab
        rows, poss = [], []
        for i, t in enumerate(texts):
            want = {p for p, c in enumerate(t) if is_han(c)}
            want.update(p for p, _ in (queries[i] if queries else []) if 0 <= p < len(t) and not t[p].isspace())
            rows.extend([i] * len(want))
            poss.extend(sorted(want))
        n = len(rows)
        top_id = np.full(n, -1, dtype=np.int64)
        top_p = np.full(n, np.nan)
        src_p = np.full(n, np.nan)
        det_p = np.full(n, np.nan)
        row_a, pos_a = np.asarray(rows, dtype=np.int64), np.asarray(poss, dtype=np.int64)
        src_id = vocab.ids_of(np.array([ord(texts[r][p]) for r, p in zip(rows, poss)], dtype=np.int64)) if n else np.zeros(0, np.int64)
        lookup: dict[tuple[int, int], int] = {(r, p): k for k, (r, p) in enumerate(zip(rows, poss))}
        q_out = [[math.nan] * len(q) for q in (queries or [[] for _ in texts])]
        q_ids = [[(qi, lookup.get((i, p)), vocab.id(ch)) for qi, (p, ch) in enumerate(qs)] for i, qs in enumerate(queries or [])]
        q_by_slot: dict[int, list[tuple[int, int, int]]] = {}
        for i, qs in enumerate(q_ids):
            for qi, slot, vid in qs:
                if slot is not None and vid != UNK:
                    q_by_slot.setdefault(slot, []).append((i, qi, vid))
        for lo in range(0, n, _CHUNK):
            hi = min(n, lo + _CHUNK)
            lp, det = self.encoder.log_probs(texts, row_a[lo:hi], pos_a[lo:hi])
            best = lp.argmax(axis=1)
            top_id[lo:hi] = best
            top_p[lo:hi] = np.exp(lp[np.arange(hi - lo), best])
            src_p[lo:hi] = np.exp(lp[np.arange(hi - lo), src_id[lo:hi]])
            det_p[lo:hi] = 1.0 / (1.0 + np.exp(-det.astype(np.float64)))
            for slot in range(lo, hi):
                for i, qi, vid in q_by_slot.get(slot, ()):
                    q_out[i][qi] = float(np.exp(lp[slot - lo, vid]))
        out = []
        tokens = vocab.tokens
        k = 0
        for i, t in enumerate(texts):
            m = len(t)
            top = [""] * m
            prob, sprob, dprob = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
            editable = np.zeros(m, dtype=bool)
            while k < n and rows[k] == i:
                p = poss[k]
                editable[p] = src_id[k] != UNK and is_han(t[p])
                top[p] = tokens[top_id[k]] if self._han_token[top_id[k]] else ""
                prob[p], sprob[p], dprob[p] = top_p[k], src_p[k], det_p[k]
                k += 1
            out.append(OnnxPrediction(top, prob, sprob, editable, q_out[i], dprob))
        return out

    def neural_edits(self, text: str, p: Prediction, threshold: float) -> list[tuple[int, str, float]]:
        """(position, predicted character, probability) where ``p`` proposes a change of probability >=
        ``threshold`` and detection probability >= the ``detect`` setting."""
        edits = super().neural_edits(text, p, threshold)
        det = self.settings.get("detect", 0.0)
        if det <= 0.0 or not isinstance(p, OnnxPrediction):
            return edits
        return [e for e in edits if p.detect[e[0]] >= det]

    def apply(self, text: str, p: Prediction, threshold: float, detect: float = 0.0) -> dict[str, Any]:
        """The result for ``text`` from a prediction at the given thresholds (for choosing them without rerunning the model)."""
        keep = self.settings.get("detect", 0.0)
        self.settings["detect"] = detect
        try:
            return self.to_result(text, self.neural_edits(text, p, threshold))
        finally:
            self.settings["detect"] = keep
