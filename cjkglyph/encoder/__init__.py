"""The shared character encoder: a small pretrained character BERT run by onnxruntime.

Spelling check, polyphone reading and abbreviation decoding read their
context both ways through it. :func:`default_encoder` loads the shipped model
(``data/encoder``) once per process; :class:`CharEncoder` loads any exported
folder (:mod:`cjkglyph.encoder.export`, which needs torch, writes one).

>>> from cjkglyph.encoder import default_encoder
>>> enc = default_encoder()
>>> s = enc.score(["我们今天去公圆玩"], [0], [6], [ord("园")])
>>> bool(s.cand[0] > s.orig[0]), int(s.rank[0])
(True, 0)
"""

from __future__ import annotations

from functools import lru_cache

from .runtime import CharEncoder, EncoderScores
from .vocab import CharVocab, fold

__all__ = ["CharEncoder", "CharVocab", "EncoderScores", "default_encoder", "fold"]


@lru_cache(maxsize=1)
def default_encoder() -> CharEncoder:
    """The shipped encoder, loaded on first use."""
    return CharEncoder.load()
