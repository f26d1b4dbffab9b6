"""ChineseBERT configuration: every :class:`~transformers.BertConfig` field plus the fusion-embedding sizes.

The published checkpoints (``ShannonAI/ChineseBERT-base``/``-large``) ship a
plain BERT ``config.json`` (``model_type: "bert"``, no glyph or pinyin fields);
:meth:`ChineseBertConfig.from_pretrained` reads it as a ChineseBERT config with
the published sizes as defaults. The field names ``glyph_embedding_dim`` and
``pinyin_map_len`` are those of the ``chinesebert`` PyPI package, so its
``config.json`` loads unchanged too.

>>> from cjkglyph.models.chinesebert import ChineseBertConfig
>>> cfg = ChineseBertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)
>>> cfg.model_type, cfg.glyph_embedding_dim, cfg.pinyin_map_len, cfg.pinyin_locs
('chinesebert', 1728, 32, 8)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from transformers import BertConfig

__all__ = ["ChineseBertConfig"]

# transformers >= 5 turns config classes into dataclasses: annotated class attributes become fields.
_DATACLASS_CONFIG = dataclasses.is_dataclass(BertConfig)


class ChineseBertConfig(BertConfig):
    r"""Configuration of a ChineseBERT model.

    Extra fields on top of BertConfig:

    - ``glyph_embedding_dim``: width of one glyph-table row (fonts x size x size; 3 x 24 x 24 = 1728 published).
    - ``pinyin_map_len``: size of the pinyin alphabet (32: padding, tones 1-5, a-z).
    - ``pinyin_embedding_size``: width of each pinyin-symbol embedding fed to the Conv1d (128).
    - ``pinyin_locs``: pinyin slots per token (8).
    - ``glyph_fonts``: names of the fonts the glyph table was drawn from (metadata; None when unknown).
    """

    model_type = "chinesebert"

    glyph_embedding_dim: int = 1728
    pinyin_map_len: int = 32
    pinyin_embedding_size: int = 128
    pinyin_locs: int = 8
    glyph_fonts: list[str] | None = None

    if not _DATACLASS_CONFIG:  # transformers 4.x: explicit __init__

        def __init__(
            self,
            glyph_embedding_dim: int = 1728,
            pinyin_map_len: int = 32,
            pinyin_embedding_size: int = 128,
            pinyin_locs: int = 8,
            glyph_fonts: list[str] | None = None,
            **kwargs: Any,
        ) -> None:
            super().__init__(**kwargs)
            self.glyph_embedding_dim = glyph_embedding_dim
            self.pinyin_map_len = pinyin_map_len
            self.pinyin_embedding_size = pinyin_embedding_size
            self.pinyin_locs = pinyin_locs
            self.glyph_fonts = glyph_fonts

    @classmethod
    def get_config_dict(cls, pretrained_model_name_or_path: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Read ``config.json``; a published/PyPI-package ``model_type: "bert"`` is read as ChineseBERT."""
        config_dict, kwargs = super().get_config_dict(pretrained_model_name_or_path, **kwargs)
        if config_dict.get("model_type") in (None, "bert"):
            config_dict = {**config_dict, "model_type": cls.model_type}
        return config_dict, kwargs
