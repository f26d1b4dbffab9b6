"""Encoder feature of candidate expansions: how well each candidate's characters fit their sentence.

The shipped character encoder (:func:`cjkglyph.encoder.default_encoder`) reads
the sentence both ways. ``enc_masked``: the run's positions all [MASK]ed, the
sum of the natural-log probabilities of the candidate's characters there, one
onnxruntime call per distinct candidate length (usually one per run), read in a
window of ``context`` characters on each side of the run.

Scoring with the candidate's characters in place (one call per candidate) was
measured too and left out: the encoder copies a character it can see (log p near
0 for every candidate), and the calls cost several milliseconds per sentence.

>>> from cjkglyph.abbrev.encoder_features import encoder_features
>>> from cjkglyph.encoder import default_encoder
>>> X = encoder_features(default_encoder(), "真的", ["不好意思", "保护意识"], "，我来晚了")
>>> X.shape, bool(X[0, 0] > X[1, 0])
((2, 1), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ENCODER_FEATURES", "encoder_features"]

#: Column names of :func:`encoder_features`.
ENCODER_FEATURES: tuple[str, ...] = ("enc_masked",)
#: Placeholder for masked positions (any single in-vocabulary character: it is masked).
_PLACEHOLDER = "一"


def encoder_features(encoder: Any, left: str, texts: Sequence[str], right: str, *, context: int = 32) -> np.ndarray:
    """(len(texts), 1) matrix of ``enc_masked`` for candidate expansions between ``left`` and ``right``."""
    import numpy as np

    left = left[-context:] if context else ""
    right = right[:context] if context else ""
    X = np.zeros((len(texts), len(ENCODER_FEATURES)))
    by_len: dict[int, list[int]] = {}
    for i, t in enumerate(texts):
        by_len.setdefault(len(t), []).append(i)
    lengths = sorted(by_len)
    masked = encoder.masked_log_probs(
        [left + _PLACEHOLDER * m + right for m in lengths], [(len(left), len(left) + m) for m in lengths]
    )
    for m, lp in zip(lengths, masked, strict=True):
        if len(lp) != m:  # a candidate with whitespace, or longer than a window: no score
            continue
        for i in by_len[m]:
            X[i, 0] = float(lp[np.arange(m), encoder.vocab.ids(texts[i])].sum())
    return X
