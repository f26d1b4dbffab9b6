"""Language models: the character n-gram LM (:mod:`.model`), building one from text (:mod:`.build`)
and word statistics of the corpus (genre frequencies, neighbours, topics: :mod:`.word_context`).

>>> from cjkglyph.lm import LanguageModel
>>> LanguageModel.load().order                        # doctest: +SKIP
5
"""

from __future__ import annotations

from . import model
from .model import *  # noqa: F403

__all__ = model.__all__
