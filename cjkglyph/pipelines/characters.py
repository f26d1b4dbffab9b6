"""Per-character tasks: ``ids`` (structure facts, :mod:`cjkglyph.charinfo`) and ``features``
(glyph, pinyin, IDS and input codes in one call, :mod:`cjkglyph.features`).

>>> import cjkglyph
>>> [c["ids"] for c in cjkglyph.pipeline("ids")("你好!")["chars"]]
['⿰亻尔', '⿰女子']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..charinfo import text_info
from ..errors import InputError
from ..features import CODE_SCHEMES, text_features
from ..ids import check_region
from .base import Pipeline

__all__ = ["FeaturesPipeline", "IDSPipeline"]


class IDSPipeline(Pipeline):
    """``pipeline("ids", depth=1, region="G")``: ``{"text", "chars": [char_info per Han character]}``."""

    task = "ids"

    def __init__(self, depth: int | None = 1, region: str | None = "G") -> None:
        check_region(region)
        self.depth = depth
        self.region = region

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return [text_info(t, self.depth, self.region) for t in texts]


class FeaturesPipeline(Pipeline):
    """``pipeline("features", glyph=True, fonts=("song", "hei", "kai"), size=24, codes=("wubi", "cangjie", "stroke"), numpy=False)``.

    One :func:`text_features` dict per input text.

    >>> from cjkglyph import pipeline
    >>> out = pipeline("features", fonts=["kai"], size=16, numpy=True)(["字", "𠀁"])
    >>> out[0]["glyph"].shape, out[1]["chars"][0]["glyph_fonts"]
    ((1, 1, 16, 16), ['ids'])
    """

    task = "features"

    def __init__(
        self,
        *,
        glyph: bool = True,
        fonts: Sequence[str] = ("song", "hei", "kai"),
        size: int = 24,
        codes: Sequence[str] = CODE_SCHEMES,
        region: str | None = "G",
        numpy: bool = False,
    ) -> None:
        if isinstance(fonts, str):
            fonts = (fonts,)
        if isinstance(codes, str):
            codes = (codes,)
        unknown = [s for s in codes if s not in CODE_SCHEMES]
        if unknown:
            raise InputError(f"unknown code scheme(s) {', '.join(unknown)}; use {', '.join(CODE_SCHEMES)}")
        self.options: dict[str, Any] = {
            "glyph": glyph,
            "fonts": tuple(fonts),
            "size": size,
            "codes": tuple(codes),
            "region": region,
            "numpy": numpy,
        }

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return [text_features(t, **self.options) for t in texts]
