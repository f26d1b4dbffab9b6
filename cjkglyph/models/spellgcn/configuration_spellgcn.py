"""SpellGCN configuration: the encoder's fields (BERT or ChineseBERT) plus the graph-convolution head.

The encoder is a plain BERT (``encoder_type="bert"``) or a ChineseBERT
(``"chinesebert"``, glyph + pinyin fusion); every BERT/ChineseBERT field
applies to it. The similarity graph itself is saved with the weights
(``gcn.*`` buffers); the config records its shape: ``graph_nodes`` (characters
with at least one edge) and ``graph_nnz`` (stored entries per relation group).

>>> from cjkglyph.models.spellgcn import SpellGcnConfig
>>> cfg = SpellGcnConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
>>> cfg.model_type, cfg.encoder_type, cfg.relations, cfg.gcn_layers, cfg.gcn_temperature
('spellgcn', 'bert', ['pronunciation', 'shape'], 2, 3.0)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..chinesebert.configuration_chinesebert import ChineseBertConfig

__all__ = ["ENCODER_TYPES", "SpellGcnConfig"]

#: Encoders the head can sit on.
ENCODER_TYPES = ("bert", "chinesebert")
DEFAULT_RELATIONS = ("pronunciation", "shape")

_DATACLASS_CONFIG = dataclasses.is_dataclass(ChineseBertConfig)


class SpellGcnConfig(ChineseBertConfig):
    r"""Configuration of a SpellGCN corrector (Cheng et al., ACL 2020).

    Extra fields on top of BertConfig/ChineseBertConfig:

    - ``encoder_type``: ``"bert"`` or ``"chinesebert"``.
    - ``graph_relations``: relation groups of :func:`cjkglyph.graph.similarity.graph`, one adjacency each
      (default pronunciation and shape).
    - ``graph_nodes``, ``graph_nnz``: size of the stored graph (set by ``set_graph``).
    - ``graph_k``: neighbours per character the graph was built with (metadata).
    - ``gcn_layers``: graph-convolution layers (2 in the paper).
    - ``gcn_temperature``: the attentive combination's temperature beta (3 in the paper).
    """

    model_type = "spellgcn"

    encoder_type: str = "bert"
    graph_relations: list[str] | None = None
    graph_nodes: int = 0
    graph_nnz: list[int] | None = None
    graph_k: int = 8
    gcn_layers: int = 2
    gcn_temperature: float = 3.0

    if not _DATACLASS_CONFIG:  # transformers 4.x: explicit __init__

        def __init__(
            self,
            encoder_type: str = "bert",
            graph_relations: list[str] | None = None,
            graph_nodes: int = 0,
            graph_nnz: list[int] | None = None,
            graph_k: int = 8,
            gcn_layers: int = 2,
            gcn_temperature: float = 3.0,
            **kwargs: Any,
        ) -> None:
            super().__init__(**kwargs)
            self.encoder_type = encoder_type
            self.graph_relations = graph_relations
            self.graph_nodes = graph_nodes
            self.graph_nnz = graph_nnz
            self.graph_k = graph_k
            self.gcn_layers = gcn_layers
            self.gcn_temperature = gcn_temperature

    @property
    def relations(self) -> list[str]:
        """The relation groups (``graph_relations`` or the default pair)."""
        return list(self.graph_relations or DEFAULT_RELATIONS)

    @property
    def nnz(self) -> list[int]:
        """Stored entries per relation group (zeros before a graph is set)."""
        return list(self.graph_nnz or [0] * len(self.relations))

    @classmethod
    def get_config_dict(cls, pretrained_model_name_or_path: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Read ``config.json`` as is (ChineseBertConfig would relabel a ``bert`` model type)."""
        return super(ChineseBertConfig, cls).get_config_dict(pretrained_model_name_or_path, **kwargs)
