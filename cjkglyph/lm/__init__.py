"""Language models: the character n-gram LM (:mod:`.model`), building one from text (:mod:`.build`)
and word statistics of the corpus (genre frequencies, neighbours, topics: :mod:`.word_context`).

>>> from cjkglyph.lm import LanguageModel
>>> LanguageModel.load().order                        # doctest: +SKIP
5
"""

from __future__ import annotations

from .model import DEFAULT_MODEL, FORMAT, LanguageModel, canonical_table, content_digest, ngram_hashes, read_model_file

__all__ = ["DEFAULT_MODEL", "FORMAT", "LanguageModel", "canonical_table", "content_digest", "ngram_hashes", "read_model_file"]
