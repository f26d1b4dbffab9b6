"""Ideographic Description Sequences: lookup, parsing and decomposition (:mod:`.core`) and
IDS-based similarity of characters (:mod:`.compare`, imported on first use).

>>> from cjkglyph.ids import ids, ids_similarity
>>> ids("好"), ids_similarity("湖", "糊") > ids_similarity("湖", "江")
('⿰女子', True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import core
from .core import *  # noqa: F403

if TYPE_CHECKING:
    from .compare import IDSSimilarityIndex, ids_similarity, most_similar, tree_distance, tree_similarity

_COMPARE = ("IDSSimilarityIndex", "ids_similarity", "most_similar", "tree_distance", "tree_similarity")

__all__ = [*core.__all__, *_COMPARE]

__getattr__, __dir__ = lazy_exports(__name__, {name: f".compare:{name}" for name in _COMPARE})
