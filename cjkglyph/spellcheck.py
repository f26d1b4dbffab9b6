"""The statistical spelling corrector, under its former import path: see :mod:`cjkglyph.spelling.corrector`."""

from __future__ import annotations

from .spelling.corrector import Corrector, UserConfusion, parse_user_confusion, read_user_confusion, split_chunks

__all__ = ["Corrector", "UserConfusion", "parse_user_confusion", "read_user_confusion", "split_chunks"]
