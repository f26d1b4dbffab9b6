"""Task ``conversion``: :func:`cjkglyph.conversion.convert` per text."""

from __future__ import annotations

from typing import Any

from ..conversion import converter
from .base import Pipeline

__all__ = ["ConversionPipeline"]


class ConversionPipeline(Pipeline):
    """``pipeline("conversion", to="traditional")``: {"text", "output"} per input."""

    task = "conversion"

    def __init__(self, to: str | None = "simplified", source: str | None = None) -> None:
        self.to = to
        self.source = source
        self._fn = converter(to, source)

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return [{"text": t, "output": self._fn(t)} for t in texts]
