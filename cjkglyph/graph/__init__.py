"""The character similarity graph: who gets confused with whom (:mod:`.similarity`), the candidate
features and pools it is built from (:mod:`.features`), the learned ranker that scores them
(:mod:`.ranker`) and confusion files in and out (:mod:`.confusion`).

>>> from cjkglyph.graph import RELATIONS
>>> RELATIONS[:2]
('same-sound-same-tone', 'same-sound-other-tone')
"""

from __future__ import annotations

from . import similarity
from .similarity import *  # noqa: F403

__all__ = similarity.__all__
