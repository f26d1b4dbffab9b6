"""SpellGCN spelling correctors (Cheng et al., ACL 2020) over BERT or ChineseBERT encoders.

>>> from cjkglyph.models.spellgcn import SpellGcnForCSC
>>> model = SpellGcnForCSC.from_pretrained("path/to/spellgcn")          # doctest: +SKIP
>>> model = SpellGcnForCSC.from_encoder("path/to/bert-base-chinese")   # doctest: +SKIP

Serving (windowing, length-preserving output): :class:`cjkglyph.neural_check.NeuralCorrector`.
After ``import cjkglyph`` a saved model also loads through ``AutoConfig`` and
``AutoModelForMaskedLM``. Names are imported lazily: importing this package does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
