"""Pronunciation features: readings in context (:mod:`.core`), dictionary readings (:mod:`.readings`),
polyphone disambiguation (:mod:`.polyphone`), romanisation styles (:mod:`.styles`), syllable spelling
(:mod:`.syllable`) and the pinyin confusion channel (:mod:`.channel`).

>>> from cjkglyph.pinyin import pinyin
>>> pinyin("银行行长", style="tone3")
['yin2', 'hang2', 'hang2', 'zhang3']
"""

from __future__ import annotations

from . import core, readings, sandhi, styles, syllable
from .core import *  # noqa: F403
from .readings import *  # noqa: F403
from .styles import *  # noqa: F403
from .syllable import *  # noqa: F403

__all__ = [*core.__all__, *readings.__all__, *styles.__all__, *syllable.__all__]
