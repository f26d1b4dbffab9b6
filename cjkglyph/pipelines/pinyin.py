"""Task ``pinyin``: the reading of every character in context (:func:`cjkglyph.pinyin.pinyin`)."""

from __future__ import annotations

from typing import Any

from ..pinyin import pinyin, style_fn
from .base import Pipeline

__all__ = ["PinyinPipeline"]


class PinyinPipeline(Pipeline):
    """``pipeline("pinyin", style="tone", heteronym=False)``: {"text", "pinyin"} per input.

    >>> from cjkglyph import pipeline
    >>> pipeline("pinyin", style="tone3")("重庆a")
    {'text': '重庆a', 'pinyin': ['chong2', 'qing4', None]}
    """

    task = "pinyin"

    def __init__(self, style: str = "tone", heteronym: bool = False) -> None:
        style_fn(style)
        self.style = style
        self.heteronym = heteronym

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return [{"text": t, "pinyin": pinyin(t, self.style, heteronym=self.heteronym)} for t in texts]  # type: ignore[call-overload]
