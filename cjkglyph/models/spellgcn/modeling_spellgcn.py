"""SpellGCN (Cheng et al., ACL 2020): a graph-convolution head over the character similarity graph.

An encoder (BERT or ChineseBERT) gives each token a vector ``v_i``; the
output layer predicts the correct character at every position with
``softmax(W transform(v_i) + b)``. The rows of ``W`` are the encoder's word
embeddings, except for characters of the similarity graph, whose rows come
from the graph convolution, so that similar characters get related classifiers:

- node features ``H^0``: the word-embedding rows of the graph characters (no separate table);
- each layer ``l`` convolves every relation graph ``k`` (pronunciation, shape), normalised
  ``A_k = D^-1/2 (A + I) D^-1/2``: ``f_k = A_k H^l W^l`` (``W^l`` shared by the graphs, no
  activation, so outputs stay in the embedding space);
- attentive combination: ``C^l_i = sum_k alpha_ik f_k,i`` with
  ``alpha_i = softmax_k(w_a . f_k,i / beta)`` (``w_a`` shared by the layers, ``beta`` =
  ``config.gcn_temperature``);
- accumulated output: ``H^{l+1} = C^l + sum_{j<=l} H^j``; the last ``H^L`` gives the rows of ``W``.

The graph lives in the model as buffers (``gcn.nodes``, ``gcn.adj{k}_indices``,
``gcn.adj{k}_values``), so it is saved and loaded with the weights (safetensors).

>>> import torch
>>> from cjkglyph.models.spellgcn import SpellGcnConfig, SpellGcnForCSC
>>> cfg = SpellGcnConfig(vocab_size=20, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
...                      intermediate_size=32, max_position_embeddings=32)
>>> model = SpellGcnForCSC(cfg)
>>> idx = torch.tensor([[5, 6, 5, 6], [6, 5, 5, 6]])            # edges 5-6 plus self loops
>>> model.set_graph({"pronunciation": (idx, torch.full((4,), 0.5), (20, 20)),
...                  "shape": (torch.tensor([[7], [7]]), torch.ones(1), (20, 20))})
>>> model.config.graph_nodes, model.config.graph_nnz
(2, [4, 0])
>>> model(input_ids=torch.tensor([[2, 5, 6, 3]])).logits.shape
torch.Size([1, 4, 20])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import CrossEntropyLoss
from transformers.modeling_outputs import MaskedLMOutput
from transformers.models.bert.modeling_bert import BertModel, BertPredictionHeadTransform, BertPreTrainedModel

from .configuration_spellgcn import ENCODER_TYPES, SpellGcnConfig

__all__ = ["SpellGcn", "SpellGcnForCSC", "SpellGcnPreTrainedModel", "graph_for_vocab"]


def graph_for_vocab(tokens: Sequence[str], relations: Sequence[str] = ("pronunciation", "shape"), k: int = 8) -> dict[str, Any]:
    """Adjacency (COO numpy triples) over a token list from :func:`cjkglyph.graph.similarity.graph`, for :meth:`SpellGcnForCSC.set_graph`."""
    from cjkglyph.graph.similarity import graph

    return graph(list(tokens), tuple(relations), k=k, format="coo")


class SpellGcn(nn.Module):
    """The graph convolution: word-embedding rows of the graph nodes -> graph-updated rows (N, H)."""

    def __init__(self, config: SpellGcnConfig) -> None:
        super().__init__()
        hidden = config.hidden_size
        self.temperature = float(config.gcn_temperature)
        self.layers = nn.ModuleList(nn.Linear(hidden, hidden, bias=False) for _ in range(config.gcn_layers))
        self.attention = nn.Linear(hidden, 1, bias=False)
        self._shape(config.graph_nodes, config.nnz)

    def _shape(self, nodes: int, nnz: Sequence[int], device: torch.device | None = None) -> None:
        """(Re)create the graph buffers with the given sizes (filled by loading or :meth:`set`)."""
        self.n_graphs = len(nnz)
        self._csr: tuple[Any, torch.Tensor] | None = None
        self.register_buffer("nodes", torch.zeros(nodes, dtype=torch.long, device=device))
        for k, n in enumerate(nnz):
            self.register_buffer(f"adj{k}_indices", torch.zeros(2, n, dtype=torch.long, device=device))
            self.register_buffer(f"adj{k}_values", torch.zeros(n, device=device))

    def set(self, nodes: torch.Tensor, graphs: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> None:
        """Install node token ids and per-graph (indices in node space (2, nnz), values)."""
        for k in range(self.n_graphs):
            delattr(self, f"adj{k}_indices")
            delattr(self, f"adj{k}_values")
        device = self.nodes.device
        delattr(self, "nodes")
        self._shape(len(nodes), [v.numel() for _, v in graphs], device)
        self.nodes.copy_(nodes)
        for k, (idx, val) in enumerate(graphs):
            getattr(self, f"adj{k}_indices").copy_(idx)
            getattr(self, f"adj{k}_values").copy_(val)

    def adjacency(self, k: int) -> torch.Tensor:
        """Relation graph ``k`` as a sparse COO tensor (N, N) over the nodes."""
        n = self.nodes.numel()
        idx, val = getattr(self, f"adj{k}_indices"), getattr(self, f"adj{k}_values")
        return torch.sparse_coo_tensor(idx, val, (n, n), is_coalesced=True, check_invariants=False)

    def stacked(self) -> torch.Tensor:
        """All graphs stacked row-wise, ``[A_1; A_2; ...]`` (graphs * N, N), as CSR (one sparse product per layer).

        Rebuilt when the buffers change (device, loading, :meth:`set`).
        """
        import warnings

        n = self.nodes.numel()
        parts = [(getattr(self, f"adj{k}_indices"), getattr(self, f"adj{k}_values")) for k in range(self.n_graphs)]
        key = tuple((i.data_ptr(), i._version, v.data_ptr(), v._version, v.device) for i, v in parts)
        cached = getattr(self, "_csr", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        rows = torch.cat([i[0] + k * n for k, (i, _) in enumerate(parts)])
        cols = torch.cat([i[1] for i, _ in parts])
        vals = torch.cat([v.float() for _, v in parts])
        coo = torch.sparse_coo_tensor(torch.stack([rows, cols]), vals, (self.n_graphs * n, n), is_coalesced=True, check_invariants=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "sparse CSR support is in beta"
            csr = coo.to_sparse_csr()
        self._csr = (key, csr)
        return csr

    def forward(self, h0: torch.Tensor) -> torch.Tensor:
        if h0.shape[0] == 0 or self.n_graphs == 0:
            return h0
        n = h0.shape[0]
        adj = self.stacked()
        dtype = h0.dtype
        # sparse products in float32 (autocast would hand them bfloat16 inputs)
        with torch.autocast(h0.device.type, enabled=False):
            h = h0.float()
            history = [h]
            total = h
            for layer in self.layers:
                x = nn.functional.linear(history[-1], layer.weight.float())
                convolved = (adj @ x).view(self.n_graphs, n, -1)  # f_k = A_k H W, (graphs, N, H)
                score = nn.functional.linear(convolved, self.attention.weight.float()) / self.temperature
                alpha = torch.softmax(score, dim=0)  # (graphs, N, 1)
                nxt = (alpha * convolved).sum(0) + total  # C^l + sum_{j<=l} H^j
                history.append(nxt)
                total = total + nxt
        return history[-1].to(dtype)


class SpellGcnPreTrainedModel(BertPreTrainedModel):
    """Weight initialisation (BERT's, plus the output bias) and loading for SpellGCN models."""

    config_class = SpellGcnConfig
    config: SpellGcnConfig
    base_model_prefix = "bert"
    _keys_to_ignore_on_load_unexpected = [r"position_ids", r"pooler\."]

    def _init_weights(self, module: nn.Module) -> None:
        super()._init_weights(module)
        if isinstance(module, SpellGcnForCSC):
            try:  # transformers >= 5: leaves loaded weights alone
                from transformers import initialization as init

                init.zeros_(module.bias)
            except ImportError:
                with torch.no_grad():
                    module.bias.zero_()


class SpellGcnForCSC(SpellGcnPreTrainedModel):
    """Encoder + SpellGCN classifier: logits over the vocabulary at every position (MacBERT4CSC-compatible output).

    ``labels`` (B, L): the correct token ids (``-100`` ignored); the loss is the
    mean cross-entropy. With ``encoder_type="chinesebert"`` pass ``pinyin_ids``
    from :class:`~cjkglyph.models.chinesebert.ChineseBertTokenizer`.
    """

    def __init__(self, config: SpellGcnConfig) -> None:
        super().__init__(config)
        if config.encoder_type not in ENCODER_TYPES:
            raise ValueError(f"encoder_type must be one of {ENCODER_TYPES}, got {config.encoder_type!r}")
        if config.encoder_type == "chinesebert":
            from ..chinesebert.modeling_chinesebert import ChineseBertModel

            self.bert: BertModel = ChineseBertModel(config, add_pooling_layer=False)
        else:
            self.bert = BertModel(config, add_pooling_layer=False)
        self.transform = BertPredictionHeadTransform(config)
        self.gcn = SpellGcn(config)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self._cached: tuple[tuple[Any, ...], torch.Tensor] | None = None
        self.post_init()

    # ------------------------------------------------------------------ graph
    def set_graph(self, adjacency: Mapping[str, tuple[Any, Any, Any]], k: int | None = None) -> None:
        """Install relation graphs over token ids: ``{relation: (indices (2, nnz), values, shape)}``.

        As :func:`cjkglyph.graph.similarity.graph` returns them (``format="coo"``, over
        this model's vocabulary, see :func:`graph_for_vocab`). Nodes are the
        tokens with an edge to another token in some graph; the config's
        ``graph_relations``/``graph_nodes``/``graph_nnz`` are updated.
        """
        rels = list(adjacency)
        if not rels:
            raise ValueError("set_graph needs at least one relation graph")
        device = self.bias.device
        coo = []
        for r in rels:
            idx, val, _ = adjacency[r]
            coo.append((torch.as_tensor(idx, dtype=torch.long, device=device), torch.as_tensor(val, dtype=torch.float32, device=device)))
        linked = torch.cat([i[:, i[0] != i[1]].reshape(-1) for i, _ in coo])
        nodes = torch.unique(linked)
        if nodes.numel() and int(nodes.max()) >= self.config.vocab_size:
            raise ValueError(f"graph token id {int(nodes.max())} outside the vocabulary ({self.config.vocab_size})")
        to_node = torch.full((self.config.vocab_size,), -1, dtype=torch.long, device=device)
        to_node[nodes] = torch.arange(nodes.numel(), device=device)
        graphs = []
        for idx, val in coo:
            keep = (to_node[idx[0]] >= 0) & (to_node[idx[1]] >= 0)
            ni = to_node[idx[:, keep]]
            nv = val[keep]
            order = torch.argsort(ni[0] * max(1, nodes.numel()) + ni[1])
            graphs.append((ni[:, order], nv[order]))
        self.gcn.set(nodes, graphs)
        self.config.graph_relations = rels
        self.config.graph_nodes = int(nodes.numel())
        self.config.graph_nnz = [int(v.numel()) for _, v in graphs]
        if k is not None:
            self.config.graph_k = int(k)
        self._cached = None

    def graph_tokens(self) -> torch.Tensor:
        """Token ids of the graph nodes."""
        return self.gcn.nodes

    # ------------------------------------------------------------------ classifier
    def get_output_embeddings(self) -> None:
        return None  # the classifier is built from the input embeddings each call, nothing to tie

    def classifier_weight(self) -> torch.Tensor:
        """``W`` (V, H): word embeddings with the graph nodes' rows replaced by the GCN output.

        Cached between calls in eval mode without gradients (weights unchanged).
        """
        emb = self.bert.embeddings.word_embeddings.weight
        cacheable = not self.training and not torch.is_grad_enabled()
        if cacheable:
            key = tuple((p.data_ptr(), p._version) for p in (emb, *self.gcn.parameters())) + (self.gcn.nodes.data_ptr(),)
            if self._cached is not None and self._cached[0] == key:
                return self._cached[1]
        nodes = self.gcn.nodes
        weight = emb.index_copy(0, nodes, self.gcn(emb[nodes])) if nodes.numel() else emb
        if cacheable:
            self._cached = (key, weight)
        else:
            self._cached = None
        return weight

    def train(self, mode: bool = True) -> SpellGcnForCSC:
        self._cached = None
        return super().train(mode)

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        pinyin_ids: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        extra = {"pinyin_ids": pinyin_ids} if self.config.encoder_type == "chinesebert" else {}
        outputs = self.bert(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=inputs_embeds,
            return_dict=True,
            **extra,
            **kwargs,
        )
        hidden = self.transform(outputs[0])
        logits = nn.functional.linear(hidden, self.classifier_weight(), self.bias)
        loss = None
        if labels is not None:
            loss = CrossEntropyLoss()(logits.view(-1, logits.shape[-1]), labels.view(-1))
        out = MaskedLMOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states, attentions=outputs.attentions)
        if return_dict is None:
            return_dict = getattr(self.config, "return_dict", True)
        return out if return_dict else out.to_tuple()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_encoder(
        cls,
        encoder: Any,
        tokens: Sequence[str] | None = None,
        *,
        relations: Sequence[str] = ("pronunciation", "shape"),
        k: int = 8,
        **config_overrides: Any,
    ) -> SpellGcnForCSC:
        """A SpellGCN over a pretrained encoder (a BERT/ChineseBERT model, MLM model or directory).

        The encoder's weights (and an MLM head's transform and bias, when there
        is one) are copied; the graph is built over ``tokens`` (default: the
        directory's tokenizer vocabulary) with :func:`graph_for_vocab`.
        """
        import os

        if isinstance(encoder, (str, os.PathLike)):
            from transformers import AutoModelForMaskedLM, AutoTokenizer

            path = os.fspath(encoder)
            if tokens is None:
                vocab = AutoTokenizer.from_pretrained(path).get_vocab()
                tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
            encoder = AutoModelForMaskedLM.from_pretrained(path)
        if tokens is None:
            raise ValueError("from_encoder needs the vocabulary tokens when given a model object")
        base = getattr(encoder, "bert", encoder)
        enc_cfg = base.config
        kind = "chinesebert" if getattr(enc_cfg, "model_type", "") == "chinesebert" else "bert"
        cfg = SpellGcnConfig(**{**enc_cfg.to_dict(), "model_type": "spellgcn", "encoder_type": kind, **config_overrides})
        model = cls(cfg)
        missing, unexpected = model.bert.load_state_dict(base.state_dict(), strict=False)
        bad = [m for m in missing if "position_ids" not in m and "token_type_ids" not in m]
        if bad:
            raise ValueError(f"encoder weights missing for {bad[:3]}")
        head = getattr(getattr(encoder, "cls", None), "predictions", None)
        if head is not None:
            model.transform.load_state_dict(head.transform.state_dict())
            with torch.no_grad():
                model.bias.copy_(head.bias.detach() if getattr(head, "bias", None) is not None else head.decoder.bias.detach())
        model.set_graph(graph_for_vocab(tokens, relations, k), k=k)
        return model
