"""Task ``pinyin``: the reading of every character in context (:func:`cjkglyph.pinyin.pinyin`)."""

from __future__ import annotations

from typing import Any

from ..pinyin import pinyin, style_fn
from .base import Pipeline

__all__ = ["PinyinPipeline"]


class PinyinPipeline(Pipeline):
    """``pipeline("pinyin", style="tone", heteronym=False, sandhi=False, context=False)``: {"text", "pinyin"} per input.

    ``context=True`` lets the shared character encoder join in on the polyphones the
    fast model is unsure of (several times slower; see README for what it gains);
    ``sandhi=True`` gives surface tones.

    >>> from cjkglyph import pipeline
    >>> pipeline("pinyin", style="tone3")("重庆a")
    {'text': '重庆a', 'pinyin': ['chong2', 'qing4', None]}
    >>> pipeline("pinyin", style="tone3", sandhi=True)("一起")["pinyin"]
    ['yi4', 'qi3']
    """

    task = "pinyin"

    def __init__(self, style: str = "tone", heteronym: bool = False, sandhi: bool = False, context: bool = False) -> None:
        style_fn(style)
        self.style = style
        self.heteronym = heteronym
        self.sandhi = sandhi
        self.context = context

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        encoder = None
        if self.context:
            from ..encoder import default_encoder

            encoder = default_encoder()
        return [
            {"text": t, "pinyin": pinyin(t, self.style, heteronym=self.heteronym, sandhi=self.sandhi, encoder=encoder)}  # type: ignore[call-overload]
            for t in texts
        ]
