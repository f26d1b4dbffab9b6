"""Chinese spelling correction: the statistical corrector and its parts, the neural corrector, and metrics.

- :mod:`.corrector`: :class:`Corrector`, character LM + noisy channel + learned scorer (offline, the default);
- :mod:`.candidates` (what a character may become), :mod:`.channel` (learner-error counts),
  :mod:`.words` (word evidence), :mod:`.features` (one feature row per candidate), :mod:`.model` (the scorer);
- :mod:`.neural`: :class:`NeuralCorrector` serving SpellGCN/MacBERT-style models, :mod:`.tuning` its settings;
- :mod:`.metrics`: sentence- and character-level detection/correction P/R/F1.

Names are imported on first use: importing this package imports neither numpy nor torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .corrector import Corrector, split_chunks
    from .metrics import csc_metrics
    from .neural import NeuralCorrector

_LAZY = {
    "Corrector": ".corrector:Corrector",
    "split_chunks": ".corrector:split_chunks",
    "NeuralCorrector": ".neural:NeuralCorrector",
    "csc_metrics": ".metrics:csc_metrics",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
