"""Glyphs: fonts and their coverage (:mod:`.fonts`), images and cached glyph tables (:mod:`.rendering`),
glyphs synthesised from IDS for characters no font has (:mod:`.synth`), learned glyph embeddings
(:mod:`.encoder`) and visual similarity (:mod:`.similarity`, imported on first use).

>>> from cjkglyph.glyph import covered, render
>>> img = render("未末", size=24)
>>> img.shape, img.dtype.name, float(img.min()), float(img.max())
((2, 3, 24, 24), 'float32', 0.0, 1.0)
>>> covered("字", "kai"), covered("\\U00020000", "song")
(True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import fonts, rendering
from ._draw import check_size
from .fonts import *  # noqa: F403
from .rendering import *  # noqa: F403

if TYPE_CHECKING:
    from .similarity import embeddings, image_distance, neighbours, similar

_SIMILARITY = ("embeddings", "image_distance", "neighbours", "similar")

__all__ = [*fonts.__all__, *rendering.__all__, "check_size", *_SIMILARITY]

__getattr__, __dir__ = lazy_exports(__name__, {name: f".similarity:{name}" for name in _SIMILARITY})
