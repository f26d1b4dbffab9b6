"""ChineseBERT models: BERT with the glyph + pinyin fusion embedding.

Fusion embedding (as published; parameter names and shapes identical):

- pinyin: ids (B, L, 8) -> ``pinyin_embeddings.embedding`` Embedding(32, 128) ->
  ``pinyin_embeddings.conv`` Conv1d(128 -> H, kernel 2) over the 8 slots -> max over the 7 positions;
- glyph: ``glyph_embeddings.embedding`` Embedding(V, 1728) (3 fonts x 24 x 24 per token, a trainable
  weight) -> ``glyph_map`` Linear(1728 -> H);
- word: BERT's ``word_embeddings``;
- ``map_fc`` Linear(3H -> H) over [word, pinyin, glyph], then BERT's embeddings (+ position + token type,
  LayerNorm, dropout) and BERT's encoder, pooler and heads, reused from transformers.

As in the published code every head keeps the pooler (``bert.pooler.*``), so
all published weights are used and carried over into fine-tuned classifiers.

``map_fc`` is applied as three blocks over the *distinct* token ids and pinyin
rows of a batch, then gathered, and the kernel-2 convolution is computed from
the alphabet's two projections: the same function as the published code, for
a fraction of the cost (numerically equal up to float rounding).

>>> from cjkglyph.models.chinesebert import ChineseBertConfig, ChineseBertForMaskedLM
>>> import torch
>>> cfg = ChineseBertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
...                         intermediate_size=64, glyph_embedding_dim=3 * 8 * 8)
>>> model = ChineseBertForMaskedLM(cfg).eval()
>>> ids = torch.tensor([[2, 10, 11, 3]]); pinyin = torch.zeros(1, 4, 8, dtype=torch.long)
>>> model(input_ids=ids, pinyin_ids=pinyin).logits.shape
torch.Size([1, 4, 50])
"""

from __future__ import annotations

import os
from typing import Any

import torch
from torch import nn
from torch.nn import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from transformers.modeling_outputs import (
    MaskedLMOutput,
    QuestionAnsweringModelOutput,
    SequenceClassifierOutput,
    TokenClassifierOutput,
)
from transformers.models.bert.modeling_bert import (
    BertEmbeddings,
    BertForMaskedLM,
    BertForPreTraining,
    BertForSequenceClassification,
    BertModel,
    BertOnlyMLMHead,
    BertPreTrainedModel,
)
from transformers.utils import logging

from .configuration_chinesebert import ChineseBertConfig

__all__ = [
    "ChineseBertEmbeddings",
    "ChineseBertForMaskedLM",
    "ChineseBertForQuestionAnswering",
    "ChineseBertForSequenceClassification",
    "ChineseBertForTokenClassification",
    "ChineseBertModel",
    "ChineseBertPreTrainedModel",
]

logger = logging.get_logger(__name__)

GLYPH_KEY = "glyph_embeddings.embedding.weight"


class ChineseBertPinyinEmbedding(nn.Module):
    """Pinyin ids (..., slots) -> Embedding -> Conv1d(kernel 2) over the slots -> max: (..., H)."""

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.pinyin_map_len, config.pinyin_embedding_size)
        self.conv = nn.Conv1d(config.pinyin_embedding_size, config.hidden_size, kernel_size=2)

    def forward(self, pinyin_ids: torch.Tensor) -> torch.Tensor:
        # conv(embed(ids))[t] = W0 e[ids[t]] + W1 e[ids[t+1]] + b: project the 32-row alphabet once,
        # then gather -- the same function as Conv1d over the embedded slots, without the convolution.
        lead, slots = pinyin_ids.shape[:-1], pinyin_ids.shape[-1]
        ids = pinyin_ids.reshape(-1, slots)
        table = self.embedding.weight
        w = self.conv.weight  # (H, E, 2)
        first, second = table @ w[:, :, 0].T, table @ w[:, :, 1].T  # (alphabet, H)
        out = (first[ids[:, :-1]] + second[ids[:, 1:]]).amax(dim=1) + self.conv.bias
        return out.reshape(*lead, -1)

    def forward_conv(self, pinyin_ids: torch.Tensor) -> torch.Tensor:
        """The published computation (Embedding -> Conv1d -> max-pool), for reference."""
        lead, slots = pinyin_ids.shape[:-1], pinyin_ids.shape[-1]
        x = self.embedding(pinyin_ids.reshape(-1, slots)).transpose(1, 2)  # (N, E, slots)
        return self.conv(x).amax(dim=-1).reshape(*lead, -1)


class ChineseBertGlyphEmbedding(nn.Module):
    """Glyph table: one row of font images (fonts x size x size, flattened) per token id."""

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.vocab_size, config.glyph_embedding_dim)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embedding(input_ids)


class ChineseBertEmbeddings(BertEmbeddings):
    """BERT embeddings plus the fusion layers; :meth:`fuse` gives the map_fc output fed to BERT's embeddings."""

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__(config)
        self.pinyin_locs = config.pinyin_locs
        self.pinyin_embeddings = ChineseBertPinyinEmbedding(config)
        self.glyph_embeddings = ChineseBertGlyphEmbedding(config)
        self.glyph_map = nn.Linear(config.glyph_embedding_dim, config.hidden_size)
        self.map_fc = nn.Linear(3 * config.hidden_size, config.hidden_size)

    def _default_pinyin(self, shape: torch.Size, device: torch.device) -> torch.Tensor:
        logger.warning_once(
            "ChineseBERT called without pinyin_ids: using zeros (no pinyin). Use ChineseBertTokenizer to get them."
        )
        return torch.zeros(*shape, self.pinyin_locs, dtype=torch.long, device=device)

    def fuse(
        self,
        input_ids: torch.Tensor | None,
        pinyin_ids: torch.Tensor | None,
        inputs_embeds: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``map_fc([word, pinyin, glyph])``, shape (B, L, H), computed once per distinct id / pinyin row."""
        if input_ids is None and inputs_embeds is None:
            raise ValueError("You have to specify either input_ids or inputs_embeds")
        shape = input_ids.shape if input_ids is not None else inputs_embeds.shape[:-1]
        device = input_ids.device if input_ids is not None else inputs_embeds.device
        hidden = self.map_fc.out_features
        w_word, w_pinyin, w_glyph = self.map_fc.weight.split(hidden, dim=1)
        bias = self.map_fc.bias

        if input_ids is not None:
            ids, inverse = torch.unique(input_ids.reshape(-1), return_inverse=True)
            glyph = nn.functional.linear(self.glyph_map(self.glyph_embeddings(ids)), w_glyph)
            if inputs_embeds is None:
                out = (nn.functional.linear(self.word_embeddings(ids), w_word, bias) + glyph)[inverse]
            else:
                out = nn.functional.linear(inputs_embeds.reshape(-1, hidden), w_word, bias) + glyph[inverse]
        else:  # no ids, no glyphs: the glyph branch contributes glyph_map's bias only
            glyph = nn.functional.linear(self.glyph_map.bias, w_glyph)
            out = nn.functional.linear(inputs_embeds.reshape(-1, hidden), w_word, bias) + glyph

        if pinyin_ids is None:
            pinyin_ids = self._default_pinyin(shape, device)
        rows, pinyin_inverse = self._unique_pinyin(pinyin_ids)
        out = out + nn.functional.linear(self.pinyin_embeddings(rows), w_pinyin)[pinyin_inverse]
        return out.reshape(*shape, hidden)

    def _fuse_concat(self, input_ids: torch.Tensor, pinyin_ids: torch.Tensor) -> torch.Tensor:
        """The published formula, literally (reference for tests)."""
        word = self.word_embeddings(input_ids)
        glyph = self.glyph_map(self.glyph_embeddings(input_ids))
        return self.map_fc(torch.cat((word, self.pinyin_embeddings.forward_conv(pinyin_ids), glyph), dim=-1))

    def _unique_pinyin(self, pinyin_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        slots = pinyin_ids.shape[-1]
        flat = pinyin_ids.reshape(-1, slots).long()
        base = self.pinyin_embeddings.embedding.num_embeddings
        if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= base):
            raise IndexError(f"pinyin_ids must lie in [0, {base}); got values outside it")
        if base**slots < 2**62:  # pack each row into one int64 key
            powers = base ** torch.arange(slots, device=flat.device, dtype=torch.long)
            keys, inverse = torch.unique((flat * powers).sum(-1), return_inverse=True)
            rows = torch.div(keys[:, None], powers, rounding_mode="floor") % base
            return rows, inverse
        rows, inverse = torch.unique(flat, dim=0, return_inverse=True)
        return rows, inverse


class ChineseBertPreTrainedModel(BertPreTrainedModel):
    """Shared loading logic: published checkpoints, glyph tables from ``config/*.npy``, upgrades of BERT."""

    config_class = ChineseBertConfig
    config: ChineseBertConfig
    base_model_prefix = "bert"
    # Checkpoints saved by transformers < 4.31 carry the position_ids buffer.
    _keys_to_ignore_on_load_unexpected = [r"position_ids"]
    #: The plain-BERT class that loads every weight this class can take over (for :meth:`from_bert`).
    _bert_class: type[BertPreTrainedModel] = BertModel

    @property
    def fusion_embeddings(self) -> ChineseBertEmbeddings:
        """The fusion embedding module."""
        base = self.base_model
        return base.embeddings  # type: ignore[return-value]

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path: Any, *args: Any, **kwargs: Any) -> Any:
        """Load a native, published or ``chinesebert``-package checkpoint (see the package docs).

        A glyph table missing from the weights is read from the checkpoint's ``config/*.npy`` images.
        """
        want_info = kwargs.pop("output_loading_info", False)
        model, info = super().from_pretrained(pretrained_model_name_or_path, *args, output_loading_info=True, **kwargs)
        missing = info.get("missing_keys", set())
        glyph_missing = [k for k in missing if k.endswith(GLYPH_KEY)]
        if glyph_missing and pretrained_model_name_or_path is not None and os.path.isdir(str(pretrained_model_name_or_path)):
            from .checkpoint import published_glyph_table

            table = published_glyph_table(pretrained_model_name_or_path)
            if table is not None:
                model.set_glyph_table(table)
                for k in glyph_missing:
                    missing.remove(k)
        return (model, info) if want_info else model

    def set_glyph_table(self, table: Any) -> None:
        """Replace the glyph table with ``table`` (V, glyph_embedding_dim) or (V, fonts, size, size)."""
        weight = self.fusion_embeddings.glyph_embeddings.embedding.weight
        t = torch.as_tensor(table, dtype=weight.dtype).reshape(len(table), -1)
        if tuple(t.shape) != tuple(weight.shape):
            raise ValueError(f"glyph table has shape {tuple(t.shape)}, the model expects {tuple(weight.shape)}")
        with torch.no_grad():
            weight.copy_(t)

    def resize_token_embeddings(self, new_num_tokens: int | None = None, *args: Any, **kwargs: Any) -> nn.Embedding:
        """Resize word embeddings (as BERT) and the glyph table alike (new rows blank)."""
        out = super().resize_token_embeddings(new_num_tokens, *args, **kwargs)
        n = self.get_input_embeddings().num_embeddings
        old = self.fusion_embeddings.glyph_embeddings.embedding
        if old.num_embeddings != n:
            new = nn.Embedding(n, old.embedding_dim, device=old.weight.device, dtype=old.weight.dtype)
            with torch.no_grad():
                new.weight.zero_()
                keep = min(n, old.num_embeddings)
                new.weight[:keep] = old.weight[:keep]
            self.fusion_embeddings.glyph_embeddings.embedding = new
        return out

    @classmethod
    def from_bert(cls, bert: Any, tokenizer: Any = None, **kwargs: Any) -> Any:
        """Upgrade a plain BERT checkpoint (directory or model) with fresh fusion layers.

        See :func:`cjkglyph.models.chinesebert.building.upgrade_bert` for the options.
        """
        from .building import upgrade_bert

        return upgrade_bert(cls, bert, tokenizer, **kwargs)


def _return(output: Any, return_dict: bool | None, config: Any) -> Any:
    if return_dict is None:
        return_dict = getattr(config, "return_dict", True)
    return output if return_dict else output.to_tuple()


class ChineseBertModel(ChineseBertPreTrainedModel, BertModel):
    """The bare ChineseBERT encoder: BertModel fed by the fusion embedding."""

    _bert_class = BertModel

    def __init__(self, config: ChineseBertConfig, add_pooling_layer: bool = True) -> None:
        BertModel.__init__(self, config, add_pooling_layer=add_pooling_layer)
        self.embeddings = ChineseBertEmbeddings(config)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        pinyin_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> Any:
        """Like BertModel.forward, plus ``pinyin_ids`` (B, L, 8); ``inputs_embeds`` replaces the word part only."""
        fused = self.embeddings.fuse(input_ids, pinyin_ids, inputs_embeds)
        return BertModel.forward(
            self,
            input_ids=None,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=fused,
            **kwargs,
        )


class ChineseBertForMaskedLM(ChineseBertPreTrainedModel):
    """ChineseBERT with BERT's masked-language-model head (``cls.predictions``), tied to the word embeddings."""

    _tied_weights_keys = BertForMaskedLM._tied_weights_keys
    _bert_class = BertForPreTraining

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__(config)
        self.bert = ChineseBertModel(config)
        self.cls = BertOnlyMLMHead(config)
        self.post_init()

    def get_output_embeddings(self) -> nn.Module:
        return self.cls.predictions.decoder

    def set_output_embeddings(self, new_embeddings: nn.Module) -> None:
        self.cls.predictions.decoder = new_embeddings
        self.cls.predictions.bias = new_embeddings.bias

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        pinyin_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        outputs = self.bert(
            input_ids,
            pinyin_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=inputs_embeds,
            return_dict=True,
            **kwargs,
        )
        logits = self.cls(outputs[0])
        loss = None
        if labels is not None:
            loss = CrossEntropyLoss()(logits.view(-1, self.config.vocab_size), labels.view(-1))
        out = MaskedLMOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states, attentions=outputs.attentions)
        return _return(out, return_dict, self.config)


class ChineseBertForSequenceClassification(ChineseBertPreTrainedModel):
    """ChineseBERT with BERT's pooled-output classifier (``classifier``); regression when num_labels == 1."""

    _bert_class = BertForSequenceClassification

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = ChineseBertModel(config)
        drop = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(drop)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        pinyin_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        outputs = self.bert(
            input_ids,
            pinyin_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=inputs_embeds,
            return_dict=True,
            **kwargs,
        )
        logits = self.classifier(self.dropout(outputs[1]))
        loss = None
        if labels is not None:
            problem = self.config.problem_type
            if problem is None:
                if self.num_labels == 1:
                    problem = "regression"
                elif labels.dtype in (torch.long, torch.int):
                    problem = "single_label_classification"
                else:
                    problem = "multi_label_classification"
                self.config.problem_type = problem
            if problem == "regression":
                loss = MSELoss()(logits.squeeze(), labels.squeeze()) if self.num_labels == 1 else MSELoss()(logits, labels)
            elif problem == "single_label_classification":
                loss = CrossEntropyLoss()(logits.view(-1, self.num_labels), labels.view(-1))
            else:
                loss = BCEWithLogitsLoss()(logits, labels)
        out = SequenceClassifierOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states, attentions=outputs.attentions)
        return _return(out, return_dict, self.config)


class ChineseBertForTokenClassification(ChineseBertPreTrainedModel):
    """ChineseBERT with a per-token classifier (``classifier``), e.g. for NER or spelling-error detection."""

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = ChineseBertModel(config)
        drop = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(drop)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        pinyin_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        outputs = self.bert(
            input_ids,
            pinyin_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=inputs_embeds,
            return_dict=True,
            **kwargs,
        )
        logits = self.classifier(self.dropout(outputs[0]))
        loss = None
        if labels is not None:
            loss = CrossEntropyLoss()(logits.view(-1, self.num_labels), labels.view(-1))
        out = TokenClassifierOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states, attentions=outputs.attentions)
        return _return(out, return_dict, self.config)


class ChineseBertForQuestionAnswering(ChineseBertPreTrainedModel):
    """ChineseBERT with BERT's span-extraction head (``qa_outputs``: start and end logits)."""

    def __init__(self, config: ChineseBertConfig) -> None:
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = ChineseBertModel(config)
        self.qa_outputs = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        pinyin_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        start_positions: torch.Tensor | None = None,
        end_positions: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        outputs = self.bert(
            input_ids,
            pinyin_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=inputs_embeds,
            return_dict=True,
            **kwargs,
        )
        start_logits, end_logits = self.qa_outputs(outputs[0]).split(1, dim=-1)
        start_logits = start_logits.squeeze(-1).contiguous()
        end_logits = end_logits.squeeze(-1).contiguous()
        loss = None
        if start_positions is not None and end_positions is not None:
            ignored = start_logits.size(1)
            start = start_positions.reshape(-1).clamp(0, ignored)
            end = end_positions.reshape(-1).clamp(0, ignored)
            fn = CrossEntropyLoss(ignore_index=ignored)
            loss = (fn(start_logits, start) + fn(end_logits, end)) / 2
        out = QuestionAnsweringModelOutput(
            loss=loss,
            start_logits=start_logits,
            end_logits=end_logits,
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
        )
        return _return(out, return_dict, self.config)
