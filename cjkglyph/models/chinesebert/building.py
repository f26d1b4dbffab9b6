"""New ChineseBERT models: glyph tables from cjkglyph's fonts, upgrades of plain BERT checkpoints.

:func:`glyph_rows` draws one row of font images per vocabulary entry (the
glyph-table weight); :func:`upgrade_bert` (``ChineseBertFor*.from_bert``) copies a
BERT's embeddings, encoder, pooler and head into a ChineseBERT whose fusion
layers are new. With ``identity_init`` (default) ``map_fc`` starts as
[I | 0 | 0], so the upgraded model computes exactly what the BERT did until
fine-tuning teaches it to use pinyin and glyphs.

>>> from cjkglyph.models.chinesebert import ChineseBertForMaskedLM, ChineseBertTokenizer   # doctest: +SKIP
>>> model = ChineseBertForMaskedLM.from_bert("path/to/bert-base-chinese")                  # doctest: +SKIP
>>> tok = ChineseBertTokenizer.from_pretrained("path/to/bert-base-chinese", pinyin_source="cjkglyph")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cjkglyph.errors import InputError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["glyph_chars", "glyph_rows", "upgrade_bert"]


def glyph_chars(tokens: Sequence[str]) -> list[str | None]:
    """The character each vocabulary entry draws: itself, or after ``##``; None for longer or ``[..]`` tokens."""
    out: list[str | None] = []
    for tok in tokens:
        if tok.startswith("[") and tok.endswith("]") and len(tok) > 2:
            out.append(None)
            continue
        ch = tok[2:] if tok.startswith("##") and len(tok) > 2 else tok
        out.append(ch if len(ch) == 1 and ch.isprintable() and not ch.isspace() else None)
    return out


def glyph_rows(
    tokens: Sequence[str],
    fonts: Sequence[str] = ("song", "hei", "kai"),
    size: int = 24,
    *,
    normalize: bool = True,
) -> np.ndarray:
    """Glyph table for a vocabulary: float32 (V, len(fonts) * size * size); all-zero rows for non-characters.

    Images come from :func:`cjkglyph.glyph.glyph_table` (ink 1, paper 0; rendered
    once per vocabulary and cached). With ``normalize`` (default) the drawn rows
    are centred on their mean image and scaled to unit standard deviation: raw
    images share a large common component that swamps the word embeddings of a
    freshly initialised model (a random-init tiny ChineseBERT then stays at
    chance on sentiment; centred, it learns as fast as a plain BERT).
    """
    import numpy as np

    from cjkglyph.glyph import glyph_table

    chars = glyph_chars(tokens)
    distinct = list(dict.fromkeys(c for c in chars if c is not None))
    out = np.zeros((len(tokens), len(fonts) * size * size), dtype=np.float32)
    if not distinct:
        return out
    images = glyph_table(distinct, fonts=fonts, size=size).lookup(distinct).reshape(len(distinct), -1)
    row = {c: i for i, c in enumerate(distinct)}
    if normalize:
        images = images - images.mean(axis=0, keepdims=True)
        images /= max(float(images.std()), 1e-6)
    idx = [i for i, c in enumerate(chars) if c is not None]
    out[idx] = images[[row[c] for c in chars if c is not None]]
    return out


def _vocab_tokens(tokenizer: Any, vocab_size: int) -> list[str]:
    vocab = tokenizer.get_vocab()
    tokens = [""] * vocab_size
    for tok, i in vocab.items():
        if 0 <= i < vocab_size:
            tokens[i] = tok
    return tokens


def upgrade_bert(
    cls: Any,
    bert: Any,
    tokenizer: Any = None,
    *,
    glyph_fonts: Sequence[str] = ("song", "hei", "kai"),
    glyph_size: int = 24,
    identity_init: bool = True,
    **config_overrides: Any,
) -> Any:
    """A ``cls`` (ChineseBertModel or a head class) holding ``bert``'s weights plus fresh fusion layers.

    ``bert``: a directory / model name (loaded with the matching plain-BERT class)
    or a BERT model instance. ``tokenizer``: its tokenizer or directory (default:
    ``bert`` itself) -- its vocabulary decides the glyph rows.
    ``config_overrides`` go to the new config (e.g. ``num_labels=2``).
    """
    import torch
    from transformers import AutoTokenizer

    from .configuration_chinesebert import ChineseBertConfig

    if isinstance(bert, (str, os.PathLike)):
        source = cls._bert_class.from_pretrained(bert, **{k: v for k, v in config_overrides.items() if k == "num_labels"})
        if tokenizer is None:
            tokenizer = bert
    else:
        source = bert
        if tokenizer is None:
            name = getattr(source.config, "name_or_path", "")
            if not name or not os.path.isdir(name):
                raise InputError("give the BERT's tokenizer (its vocabulary decides the glyph table)")
            tokenizer = name
    if isinstance(tokenizer, (str, os.PathLike)):
        tokenizer = AutoTokenizer.from_pretrained(tokenizer)

    base = source.config.to_dict()
    for key in ("model_type", "architectures", "transformers_version", "_name_or_path", "auto_map"):
        base.pop(key, None)
    base.update(
        glyph_embedding_dim=len(glyph_fonts) * glyph_size * glyph_size,
        glyph_fonts=list(glyph_fonts),
        **config_overrides,
    )
    model = cls(ChineseBertConfig(**base))

    state = source.state_dict()
    prefix = model.base_model_prefix + "."
    target = model.state_dict()
    src_prefixed = any(k.startswith(prefix) for k in state)
    tgt_prefixed = any(k.startswith(prefix) for k in target)
    if src_prefixed and not tgt_prefixed:
        state = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
    elif tgt_prefixed and not src_prefixed:
        state = {prefix + k: v for k, v in state.items()}
    state = {k: v for k, v in state.items() if k in target and target[k].shape == v.shape}
    model.load_state_dict(state, strict=False)

    emb = model.fusion_embeddings
    if identity_init:
        hidden = model.config.hidden_size
        with torch.no_grad():
            emb.map_fc.weight.zero_()
            emb.map_fc.weight[:, :hidden].copy_(torch.eye(hidden))
            emb.map_fc.bias.zero_()
    model.set_glyph_table(glyph_rows(_vocab_tokens(tokenizer, model.config.vocab_size), glyph_fonts, glyph_size))
    if hasattr(model, "tie_weights"):
        model.tie_weights()
    return model
