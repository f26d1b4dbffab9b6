"""Pinyin-abbreviation decoding (``bhys`` -> 不好意思) in context: the decoder (:mod:`.decoder`) and
optional re-ranking with a local masked LM (:mod:`.neural`, torch).

>>> from cjkglyph.abbrev import find_runs
>>> [r.letters for r in find_runs("真的bhys，zfb付款")]
['bhys', 'zfb']
"""

from __future__ import annotations

from .decoder import FEATURES, AbbreviationDecoder, Run, Scorer, decode, default_decoder, english_words, find_runs, load_weights

__all__ = ["FEATURES", "AbbreviationDecoder", "Run", "Scorer", "decode", "default_decoder", "english_words", "find_runs", "load_weights"]
