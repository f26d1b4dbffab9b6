"""The character similarity graph, under its former import path: see :mod:`cjkglyph.graph.similarity`."""

from __future__ import annotations

from .graph.similarity import *  # noqa: F403
from .graph.similarity import __all__  # noqa: F401
