"""Neural models built on cjkglyph's features, laid out like ``transformers.models``.

- :mod:`cjkglyph.models.chinesebert`: ChineseBERT (glyph + pinyin fusion BERT),
  loading the published checkpoints unchanged.
- :mod:`cjkglyph.models.spellgcn`: SpellGCN spelling correctors (graph convolution over
  the similarity graph) on a BERT or ChineseBERT encoder.

Importing this package is cheap (no torch, no transformers); the model modules
import them when used. :mod:`cjkglyph.models._auto` registers the models with
transformers' Auto classes when transformers loads them.
"""

from __future__ import annotations
