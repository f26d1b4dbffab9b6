"""Pinyin-abbreviation decoding (``bhys`` -> 不好意思) in context: the decoder (:mod:`.decoder`) and
optional re-ranking with a local masked LM (:mod:`.neural`, torch).

>>> from cjkglyph.abbrev import find_runs
>>> [r.letters for r in find_runs("真的bhys，zfb付款")]
['bhys', 'zfb']
"""

from __future__ import annotations

from . import decoder
from .decoder import *  # noqa: F403

__all__ = decoder.__all__
