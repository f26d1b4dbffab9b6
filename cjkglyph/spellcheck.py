"""The statistical spelling corrector, under its former import path: see :mod:`cjkglyph.spelling.corrector`
(user confusion files: :mod:`cjkglyph.graph.confusion`)."""

from __future__ import annotations

from .graph.confusion import UserConfusion, parse_user_confusion, read_user_confusion
from .spelling.corrector import Corrector, split_chunks

__all__ = ["Corrector", "UserConfusion", "parse_user_confusion", "read_user_confusion", "split_chunks"]
