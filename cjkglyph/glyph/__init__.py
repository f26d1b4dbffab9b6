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
from ._draw import check_size
from .fonts import DEFAULT_FONTS, coverage_mask, coverage_report, covered, font_names, register_font
from .rendering import RENDER_VERSION, SYNTHESISED, GlyphTable, glyph_table, render, render_info, table_key

if TYPE_CHECKING:
    from .similarity import embeddings, image_distance, neighbours, similar

_SIMILARITY = ("embeddings", "image_distance", "neighbours", "similar")

__all__ = [
    "DEFAULT_FONTS",
    "RENDER_VERSION",
    "SYNTHESISED",
    "GlyphTable",
    "check_size",
    "covered",
    "coverage_mask",
    "coverage_report",
    "font_names",
    "glyph_table",
    "register_font",
    "render",
    "render_info",
    "table_key",
    *_SIMILARITY,
]

__getattr__, __dir__ = lazy_exports(__name__, {name: f".similarity:{name}" for name in _SIMILARITY})
