"""The character similarity graph, under its former import path: see :mod:`cjkglyph.graph.similarity`."""

from __future__ import annotations

from .graph.similarity import (
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
