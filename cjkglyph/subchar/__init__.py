"""Sub-character encodings (:mod:`.core`: Wubi, Cangjie, stroke, pinyin and zhuyin codes, invertible)
and the SubChar tokenizers learned on encoded text (:mod:`.tokenization`, imported on first use).

>>> from cjkglyph.subchar import decode, encode
>>> encode("你好", "wubi"), decode("wqiy_vbg_", "wubi")
('wqiy_vbg_', '你好')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import core
from .core import *  # noqa: F403

if TYPE_CHECKING:
    from .tokenization import SubCharTokenizer, encode_for_model, train_tokenizer

_TOKENIZATION = ("SubCharTokenizer", "encode_for_model", "train_tokenizer")

__all__ = [*core.__all__, *_TOKENIZATION]

__getattr__, __dir__ = lazy_exports(__name__, {name: f".tokenization:{name}" for name in _TOKENIZATION})
