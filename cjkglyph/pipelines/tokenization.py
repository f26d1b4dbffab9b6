"""Task ``subchar-tokenization``: SubChar tokens, ids and offsets (:class:`cjkglyph.subchar.tokenization.SubCharTokenizer`)."""

from __future__ import annotations

import os
from typing import Any

from ..subchar.tokenization import SubCharTokenizer
from .base import Pipeline

__all__ = ["SubCharPipeline"]


class SubCharPipeline(Pipeline):
    """``pipeline("subchar-tokenization", scheme="wubi")``: {"text", "tokens", "ids", "offsets"} per input.

    ``tokenizer`` may name a saved tokenizer directory instead of a shipped scheme;
    offsets index the input text.

    >>> from cjkglyph import pipeline
    >>> pipeline("subchar-tokenization", scheme="wubi")("好")["tokens"]
    ['vbg_']
    """

    task = "subchar-tokenization"

    def __init__(self, scheme: str = "wubi", tokenizer: str | os.PathLike[str] | None = None) -> None:
        self.tokenizer = SubCharTokenizer.from_pretrained(tokenizer if tokenizer is not None else scheme)

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        enc = self.tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
        out = []
        for text, ids, offsets in zip(texts, enc["input_ids"], enc["offset_mapping"], strict=True):
            tokens = self.tokenizer.convert_ids_to_tokens(ids)
            out.append({"text": text, "tokens": tokens, "ids": ids, "offsets": [list(o) for o in offsets]})
        return out
