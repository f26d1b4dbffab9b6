"""The character similarity graph: who gets confused with whom (:mod:`.similarity`), the candidate
features and pools it is built from (:mod:`.features`), the learned ranker that scores them
(:mod:`.ranker`) and confusion files in and out (:mod:`.confusion`).

>>> from cjkglyph.graph import RELATIONS
>>> RELATIONS[:2]
('same-sound-same-tone', 'same-sound-other-tone')
"""

from __future__ import annotations

from .similarity import (
    GROUPS,
    KINDS,
    RELATIONS,
    Neighbor,
    SimilarityGraph,
    build_graph,
    confusion_set,
    default_graph,
    graph,
    read_vocab,
    similar,
    with_confusion,
)

__all__ = [
    "GROUPS",
    "KINDS",
    "RELATIONS",
    "Neighbor",
    "SimilarityGraph",
    "build_graph",
    "confusion_set",
    "default_graph",
    "graph",
    "read_vocab",
    "similar",
    "with_confusion",
]
