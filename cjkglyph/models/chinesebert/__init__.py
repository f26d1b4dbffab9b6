"""ChineseBERT as transformers models: configuration, modeling, tokenization, checkpoint conversion.

>>> from cjkglyph.models.chinesebert import ChineseBertForMaskedLM, ChineseBertTokenizerFast
>>> model = ChineseBertForMaskedLM.from_pretrained("ChineseBERT-base")  # doctest: +SKIP
>>> tok = ChineseBertTokenizerFast.from_pretrained("ChineseBERT-base")  # doctest: +SKIP
>>> logits = model(**tok("北京是[MASK]国的首都", return_tensors="pt")).logits  # doctest: +SKIP

``ChineseBERT-base`` is the published directory, unchanged (or a native one
written by ``cjkglyph convert-checkpoint``). After ``import cjkglyph`` the
native layout also loads through ``AutoModel*``/``AutoTokenizer``.

Names are imported lazily: importing this package does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import lazy_exports

_LAZY: dict[str, str] = {
    "ChineseBertConfig": "configuration_chinesebert",
    "ChineseBertEmbeddings": "modeling_chinesebert",
    "ChineseBertModel": "modeling_chinesebert",
    "ChineseBertPreTrainedModel": "modeling_chinesebert",
    "ChineseBertForMaskedLM": "modeling_chinesebert",
    "ChineseBertForSequenceClassification": "modeling_chinesebert",
    "ChineseBertForTokenClassification": "modeling_chinesebert",
    "ChineseBertForQuestionAnswering": "modeling_chinesebert",
    "ChineseBertTokenizer": "tokenization_chinesebert",
    "ChineseBertTokenizerFast": "tokenization_chinesebert",
    "PinyinVocab": "pinyin_features",
    "convert_checkpoint": "convert",
    "detect_layout": "checkpoint",
    "glyph_rows": "building",
    "upgrade_bert": "building",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from .building import glyph_rows, upgrade_bert
    from .checkpoint import detect_layout
    from .convert import convert_checkpoint
    from .configuration_chinesebert import ChineseBertConfig
    from .modeling_chinesebert import (
        ChineseBertEmbeddings,
        ChineseBertForMaskedLM,
        ChineseBertForQuestionAnswering,
        ChineseBertForSequenceClassification,
        ChineseBertForTokenClassification,
        ChineseBertModel,
        ChineseBertPreTrainedModel,
    )
    from .pinyin_features import PinyinVocab
    from .tokenization_chinesebert import ChineseBertTokenizer, ChineseBertTokenizerFast


__getattr__, __dir__ = lazy_exports(__name__, {name: f".{module}:{name}" for name, module in _LAZY.items()})
