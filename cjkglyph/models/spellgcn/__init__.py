"""SpellGCN spelling correctors (Cheng et al., ACL 2020) over BERT or ChineseBERT encoders.

>>> from cjkglyph.models.spellgcn import SpellGcnForCSC
>>> model = SpellGcnForCSC.from_pretrained("path/to/spellgcn")          # doctest: +SKIP
>>> model = SpellGcnForCSC.from_encoder("path/to/bert-base-chinese")   # doctest: +SKIP

Serving (windowing, length-preserving output): :class:`cjkglyph.spelling.neural.NeuralCorrector`.
After ``import cjkglyph`` a saved model also loads through ``AutoConfig`` and
``AutoModelForMaskedLM``. Names are imported lazily: importing this package does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import lazy_exports

_LAZY: dict[str, str] = {
    "SpellGcnConfig": "configuration_spellgcn",
    "SpellGcn": "modeling_spellgcn",
    "SpellGcnForCSC": "modeling_spellgcn",
    "SpellGcnPreTrainedModel": "modeling_spellgcn",
    "graph_for_vocab": "modeling_spellgcn",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from .configuration_spellgcn import SpellGcnConfig
    from .modeling_spellgcn import SpellGcn, SpellGcnForCSC, SpellGcnPreTrainedModel, graph_for_vocab


__getattr__, __dir__ = lazy_exports(__name__, {name: f".{module}:{name}" for name, module in _LAZY.items()})
