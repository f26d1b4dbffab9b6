"""Neural spelling correction: SpellGCN, MacBERT4CSC-style and ChineseBERT correctors from a local directory.

A corrector model predicts the correct character at every position (logits
over its vocabulary); :class:`NeuralCorrector` serves any such model with the
output of the statistical corrector (:class:`cjkglyph.spelling.corrector.Corrector`):
``{"source", "target", "errors": [{"pos", "wrong", "right", "score", "relation"}]}``.

- Directories: a SpellGCN model (``model_type: "spellgcn"``,
  :mod:`cjkglyph.models.spellgcn`), a ChineseBERT MLM (``"chinesebert"``), or any
  ``BertForMaskedLM``-style corrector (MacBERT4CSC layout: ``config.json``,
  weights, ``vocab.txt``/``tokenizer.json``). Nothing is downloaded.
- Length is always preserved: a position changes only when it is a Han
  character that is one token by itself (not ``[UNK]``, not part of a longer
  word piece) and the prediction is one other Han character; everything else
  keeps the source character. Positions index the original line.
- Lines longer than the model's maximum length are cut into overlapping
  windows of tokens; each token takes the prediction of the window where it
  is farthest from an edge. Windows of all lines are batched together.
- ``threshold``: probability the predicted character needs (settings file
  ``cjkglyph_corrector.json`` in the directory, else 0 = plain argmax as
  MacBERT4CSC does).
- ``restrict`` (setting, SpellGCN models): the prediction is the best of the
  source character and its neighbours in the model's graph.
- ``combine``: ``"lm"`` keeps a neural edit only where the character LM
  (:mod:`cjkglyph.lm`) does not object (log10 gain >= ``-lm_margin``);
  ``"ngram"`` runs the statistical corrector and keeps its edits that the
  neural model confirms (P(correction) >= ``confirm`` x P(source character)),
  plus neural edits of probability >= ``strong`` that the LM does not object to.

torch/transformers are imported only when a model is loaded.

>>> from cjkglyph.spelling.neural import NeuralCorrector
>>> c = NeuralCorrector.from_pretrained("path/to/spellgcn")            # doctest: +SKIP
>>> c.correct("我们今天去公圆玩")["target"]                              # doctest: +SKIP
'我们今天去公园玩'
>>> both = NeuralCorrector.from_pretrained("path/to/spellgcn", combine="ngram")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ResourceError
from .base import LineCorrector, check_script

__all__ = [
    "COMBINE",
    "DEFAULT_SETTINGS",
    "SETTINGS_FILE",
    "NeuralCorrector",
    "Prediction",
    "load_neural_corrector",
    "read_settings",
    "windows",
]

#: Settings saved next to a model (threshold and combination parameters).
SETTINGS_FILE = "cjkglyph_corrector.json"
COMBINE = (None, "lm", "ngram")
_SETTINGS = ("threshold", "lm_threshold", "lm_margin", "confirm", "strong", "ngram_threshold", "restrict", "detect")
DEFAULT_SETTINGS: dict[str, float] = {
    "threshold": 0.0,
    "lm_threshold": 0.0,
    "lm_margin": 0.0,
    "confirm": 0.1,
    "strong": 1.01,
    "ngram_threshold": -1.0,
    "restrict": 0.0,
    "detect": 0.0,
}


def read_settings(root: Path) -> tuple[dict[str, float], str | None]:
    """The settings file of a model directory: (settings, default combine mode); empty without one."""
    if not (root / SETTINGS_FILE).is_file():
        return {}, None
    try:
        raw = json.loads((root / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ResourceError(f"corrupt {root / SETTINGS_FILE}: {e}; delete it to use the defaults") from None
    if not isinstance(raw, dict):
        raise ResourceError(f"corrupt {root / SETTINGS_FILE}: not a JSON object; delete it to use the defaults")
    settings = {k: float(v) for k, v in raw.items() if k in _SETTINGS and isinstance(v, (int, float))}
    return settings, raw.get("combine") if raw.get("combine") in COMBINE else None


def windows(n: int, size: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """Windows over ``n`` tokens: ``(start, end, core_start, core_end)``; cores tile ``[0, n)``.

    Windows hold at most ``size`` tokens and overlap by about ``overlap``; a
    token belongs to the core of the window where it is farthest from an edge.

    >>> windows(10, 4, 2)
    [(0, 4, 0, 3), (2, 6, 3, 5), (4, 8, 5, 7), (6, 10, 7, 10)]
    """
    if size < 1:
        raise InputError(f"window size must be positive, got {size}")
    if n <= size:
        return [(0, n, 0, n)]
    overlap = max(0, min(overlap, size - 1))
    step = size - overlap
    starts = list(range(0, n - size, step)) + [n - size]
    out = []
    for w, s in enumerate(starts):
        e = s + size
        lo = 0 if w == 0 else (s + starts[w - 1] + size) // 2
        hi = n if w == len(starts) - 1 else (starts[w + 1] + e) // 2
        out.append((s, e, lo, hi))
    return out


@dataclass
class Prediction:
    """Model output for one line: per character position, -1 / NaN where there is no prediction.

    ``top`` predicted character (``""`` = none), ``prob`` its probability,
    ``source_prob`` the probability of the source character, ``editable``
    whether the position may change; ``queries``: probabilities of requested characters.
    """

    top: list[str]
    prob: np.ndarray
    source_prob: np.ndarray
    editable: np.ndarray
    queries: list[float]


class NeuralCorrector(LineCorrector):
    """Serve a token-level corrector model (see the module docstring); use :meth:`from_pretrained`.

    ``model``: logits over the tokenizer's vocabulary at every position; ``tokenizer``: a fast
    (offset-mapping) BERT-style tokenizer. ``lm``: LM file or :class:`~cjkglyph.lm.LanguageModel` and
    ``ngram``: a ready :class:`~cjkglyph.spelling.corrector.Corrector`, for the combine modes;
    ``settings``: threshold and combination parameters (see :data:`SETTINGS_FILE`);
    ``max_length``/``overlap``: window size and overlap in tokens; ``batch_size``/``max_tokens``:
    windows and padded tokens per forward pass. ``script``: ``"auto"`` (default) corrects a
    Traditional line in Simplified and reports its edits in Traditional characters (for models
    trained on Simplified text, as the SIGHAN sets are used); ``"as-is"`` feeds every line unchanged.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        threshold: float | None = None,
        combine: str | None = None,
        lm: Any = None,
        confusion: Any = None,
        ngram: Any = None,
        settings: dict[str, float] | None = None,
        batch_size: int = 32,
        max_length: int | None = None,
        overlap: int = 32,
        max_tokens: int = 4096,
        pinyin: bool = False,
        script: str = "auto",
    ) -> None:
        self.script = check_script(script)
        if combine not in COMBINE:
            raise InputError(f"unknown combine mode {combine!r}; use one of lm, ngram (or none)")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InputError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        if threshold is not None:
            if not isinstance(threshold, (int, float)) or not 0.0 <= float(threshold) < 1.0:
                raise InputError(f"threshold must be a probability in [0, 1), got {threshold!r}")
            self.settings["threshold"] = self.settings["lm_threshold"] = float(threshold)
        self.combine = combine
        self.batch_size = batch_size
        limit = int(getattr(model.config, "max_position_embeddings", 512) or 512)
        tok_max = getattr(tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 2 < tok_max < 10**6:
            limit = min(limit, tok_max)
        self.max_length = max(3, min(limit, max_length or limit))
        self.overlap = overlap
        self.max_tokens = max(1, int(max_tokens))
        self.pinyin = pinyin
        vocab = tokenizer.get_vocab()
        self.id_to_token = [""] * (max(vocab.values()) + 1 if vocab else 0)
        for t, i in vocab.items():
            self.id_to_token[i] = t
        self._single = _single_chars(self.id_to_token)
        self.unk_id = tokenizer.unk_token_id
        self.special_ids = {tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id}
        self._lm_arg = lm
        self._lm: Any = None
        self._ngram: Any = ngram
        self._confusion = confusion
        self._relations: Any = None
        self._candidates: Any = None

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_pretrained(
        cls,
        path: str | os.PathLike[str],
        *,
        threshold: float | None = None,
        combine: str | None = None,
        lm: Any = None,
        confusion: Any = None,
        device: str | None = None,
        **options: Any,
    ) -> NeuralCorrector:
        """Load a corrector directory (SpellGCN, ChineseBERT MLM or BertForMaskedLM-style; see the module docstring).

        ``lm``/``confusion`` are used by the ``combine`` modes (LM file, user
        confusion files for the statistical corrector); ``threshold`` overrides
        the directory's setting; other ``options`` go to the constructor.
        """
        root = Path(os.fspath(path))
        if not root.is_dir():
            raise InputError(f"model directory {root} not found")
        if not (root / "config.json").is_file():
            raise InputError(f"{root} is not a model directory (no config.json)")
        try:
            config = json.loads((root / "config.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ResourceError(f"cannot read {root / 'config.json'}: {e}") from None
        settings, default_combine = read_settings(root)
        if combine is None:
            combine = default_combine
        model_type = config.get("model_type")
        chinesebert = model_type == "chinesebert" or (model_type == "spellgcn" and config.get("encoder_type") == "chinesebert")
        from ..errors import require

        require("torch", "a neural corrector (--model)")
        require("transformers", "a neural corrector (--model)")
        try:
            model = _quietly(_load_model, root, model_type)
            if chinesebert:
                from ..models.chinesebert import ChineseBertTokenizer

                tokenizer = ChineseBertTokenizer.from_pretrained(str(root), pinyin_source=config.get("pinyin_source", "pypinyin"))
            else:
                from transformers import AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(str(root))
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise ResourceError(f"cannot load the corrector in {root}: {msg}") from None
        if not getattr(tokenizer, "is_fast", False):
            raise ResourceError(f"{root}: a fast tokenizer is needed (tokenizer.json or vocab.txt)")
        if device:
            model = model.to(device)
        return cls(model, tokenizer, threshold=threshold, combine=combine, lm=lm, confusion=confusion, settings=settings,
                   pinyin=chinesebert, **options)  # fmt: skip

    def save_settings(self, path: str | os.PathLike[str], **settings: Any) -> None:
        """Write ``cjkglyph_corrector.json`` (threshold, combination parameters, default ``combine``) into ``path``."""
        bad = set(settings) - set(_SETTINGS) - {"combine"}
        if bad:
            raise InputError(f"unknown settings {sorted(bad)}; use {', '.join(_SETTINGS)} or combine")
        self.settings.update({k: float(v) for k, v in settings.items() if k in _SETTINGS})
        data: dict[str, Any] = {k: self.settings[k] for k in _SETTINGS}
        if "combine" in settings:
            data["combine"] = settings["combine"]
        Path(path, SETTINGS_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    # ------------------------------------------------------------------ correction (correct/correct_batch: LineCorrector)
    def _correct_lines(self, texts: list[str]) -> list[dict[str, Any]]:
        if self.combine == "ngram":
            return self._correct_ngram(texts)
        preds = self.predict(texts)
        thr = self.settings["lm_threshold" if self.combine == "lm" else "threshold"]
        edits = [self.neural_edits(t, p, thr) for t, p in zip(texts, preds)]
        if self.combine == "lm":
            edits = self._lm_filter(texts, edits)
        return [self.to_result(t, e) for t, e in zip(texts, edits)]

    def predict(self, texts: Sequence[str], queries: Sequence[Sequence[tuple[int, str]]] | None = None) -> list[Prediction]:
        """Per-position predictions of every line; ``queries[i]`` = (position, char) pairs whose probability to report."""
        import torch

        if queries is not None and len(queries) != len(texts):
            raise InputError("queries must have one entry per text")
        enc = self._encode(texts)
        size = self.max_length - 2
        jobs: list[tuple[int, int, int, int, int]] = []  # (text, start, end, core_start, core_end)
        for i, ids in enumerate(enc["input_ids"]):
            for s, e, lo, hi in windows(len(ids), size, self.overlap):
                if e > s:
                    jobs.append((i, s, e, lo, hi))
        n_tok = [len(ids) for ids in enc["input_ids"]]
        top_id = [np.full(n, -1, dtype=np.int64) for n in n_tok]
        top_p = [np.full(n, np.nan) for n in n_tok]
        src_p = [np.full(n, np.nan) for n in n_tok]
        tok_at = [_token_at(len(t), offs) for t, offs in zip(texts, enc["offset_mapping"])]
        want: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (text, token) -> [(query index, vocab id)]
        q_out: list[list[float]] = [[math.nan] * len(q) for q in (queries or [[] for _ in texts])]
        vocab = self.tokenizer.get_vocab()
        for i, qs in enumerate(queries or []):
            for qi, (pos, ch) in enumerate(qs):
                if 0 <= pos < len(tok_at[i]) and tok_at[i][pos] >= 0 and ch in vocab:
                    want.setdefault((i, int(tok_at[i][pos])), []).append((qi, vocab[ch]))
        order = sorted(range(len(jobs)), key=lambda j: jobs[j][2] - jobs[j][1])
        restrict = self.graph_candidates() if self.settings.get("restrict", 0.0) >= 0.5 else None
        with torch.inference_mode():
            for chunk in self._batches([jobs[j] for j in order]):
                inputs = self._batch(enc, chunk)
                logits = self.model(**inputs).logits.float()
                lse = torch.logsumexp(logits, dim=-1)  # log-probabilities = logits - lse, never materialised
                if restrict is not None:  # best among the source token's graph neighbours (and itself)
                    cand = restrict[inputs["input_ids"].clamp(max=restrict.shape[0] - 1)]
                    best_logit, arg = logits.gather(-1, cand).max(dim=-1)
                    best = cand.gather(-1, arg.unsqueeze(-1)).squeeze(-1)
                else:
                    best_logit, best = logits.max(dim=-1)
                best_lp = (best_logit - lse).cpu().numpy()
                src_lp = (logits.gather(-1, inputs["input_ids"].unsqueeze(-1)).squeeze(-1) - lse).cpu().numpy()
                best = best.cpu().numpy()
                for r, (i, s, _, lo, hi) in enumerate(chunk):
                    a, z = lo - s + 1, hi - s + 1  # +1: [CLS]
                    top_id[i][lo:hi] = best[r, a:z]
                    top_p[i][lo:hi] = np.exp(best_lp[r, a:z])
                    src_p[i][lo:hi] = np.exp(src_lp[r, a:z])
                    for t in range(lo, hi) if want else ():
                        for qi, vid in want.get((i, t), ()):
                            q_out[i][qi] = math.exp(float(logits[r, t - s + 1, vid] - lse[r, t - s + 1]))
        out = []
        for i, text in enumerate(texts):
            ids = enc["input_ids"][i]
            at = tok_at[i]
            n = len(text)
            top = [""] * n
            prob = np.full(n, np.nan)
            sprob = np.full(n, np.nan)
            editable = np.zeros(n, dtype=bool)
            for pos in np.flatnonzero(at >= 0).tolist():
                t = int(at[pos])
                editable[pos] = ids[t] != self.unk_id and self._single.get(ids[t]) == text[pos] and _han(text[pos])
                pred = self._single.get(int(top_id[i][t])) if top_id[i][t] >= 0 else None
                top[pos] = pred if pred is not None and _han(pred) else ""
                prob[pos] = top_p[i][t]
                sprob[pos] = src_p[i][t]
            out.append(Prediction(top, prob, sprob, editable, q_out[i]))
        return out

    def graph_candidates(self) -> Any:
        """(V, K) token ids each token may become under ``restrict``: itself and its graph neighbours
        (a SpellGCN model's own graph); None for models without a graph."""
        if self._candidates is None:
            import torch

            gcn = getattr(self.model, "gcn", None)
            if gcn is None or getattr(gcn, "n_graphs", 0) == 0:
                self._candidates = False
            else:
                nodes = gcn.nodes.cpu()
                pairs = torch.cat([getattr(gcn, f"adj{k}_indices").cpu() for k in range(gcn.n_graphs)], dim=1)
                src, dst = nodes[pairs[0]], nodes[pairs[1]]
                key = torch.unique(src * (int(nodes.max()) + 1) + dst)
                src, dst = key // (int(nodes.max()) + 1), key % (int(nodes.max()) + 1)
                size = max(int(self.model.config.vocab_size), len(self.id_to_token))
                deg = torch.bincount(src, minlength=size)
                width = int(deg.max()) + 1 if len(deg) else 1
                table = torch.arange(size).unsqueeze(1).repeat(1, width)  # padding: the token itself
                start = torch.cumsum(deg, 0) - deg
                col = torch.arange(len(src)) - start[src] + 1
                table[src, col] = dst
                device = next(self.model.parameters()).device
                self._candidates = table.to(device)
        return self._candidates if self._candidates is not False else None

    # ------------------------------------------------------------------ internals
    def _batches(self, jobs: list[tuple[int, int, int, int, int]]) -> Any:
        """Windows (sorted by length) grouped into batches of at most ``batch_size`` windows and
        ``max_tokens`` padded tokens (bounds the (batch, length, vocabulary) logits)."""
        chunk: list[tuple[int, int, int, int, int]] = []
        for job in jobs:
            width = job[2] - job[1] + 2
            if chunk and (len(chunk) >= self.batch_size or width * (len(chunk) + 1) > self.max_tokens):
                yield chunk
                chunk = []
            chunk.append(job)
        if chunk:
            yield chunk

    def _encode(self, texts: list[str]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"add_special_tokens": False, "return_offsets_mapping": True, "verbose": False}
        enc = self.tokenizer(texts, **kwargs) if texts else {"input_ids": [], "offset_mapping": []}
        return {k: enc[k] for k in ("input_ids", "offset_mapping", "pinyin_ids") if k in enc}

    def _batch(self, enc: dict[str, Any], chunk: list[tuple[int, int, int, int, int]]) -> dict[str, Any]:
        import torch

        tok = self.tokenizer
        width = max(e - s for _, s, e, _, _ in chunk) + 2
        device = next(self.model.parameters()).device
        ids = torch.full((len(chunk), width), tok.pad_token_id or 0, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        pinyin = None
        if self.pinyin and "pinyin_ids" in enc:
            slots = len(enc["pinyin_ids"][0][0]) if enc["pinyin_ids"] and enc["pinyin_ids"][0] else 8
            pinyin = torch.zeros((len(chunk), width, slots), dtype=torch.long)
        for r, (i, s, e, _, _) in enumerate(chunk):
            ids[r, : e - s + 2] = torch.tensor([tok.cls_token_id, *enc["input_ids"][i][s:e], tok.sep_token_id])
            mask[r, : e - s + 2] = 1
            if pinyin is not None and e > s:
                pinyin[r, 1 : e - s + 1] = torch.tensor(enc["pinyin_ids"][i][s:e])
        out = {"input_ids": ids.to(device), "attention_mask": mask.to(device), "token_type_ids": torch.zeros_like(ids).to(device)}
        if pinyin is not None:
            out["pinyin_ids"] = pinyin.to(device)
        return out

    def neural_edits(self, text: str, p: Prediction, threshold: float) -> list[tuple[int, str, float]]:
        """(position, predicted character, probability) where ``p`` proposes a change of probability >= ``threshold``."""
        out = []
        for pos in np.flatnonzero(p.editable).tolist():
            right = p.top[pos]
            if right and right != text[pos] and p.prob[pos] >= threshold:
                out.append((pos, right, float(p.prob[pos])))
        return out

    def _relation(self, wrong: str, right: str) -> str:
        if self._relations is None:
            try:
                from ..graph.similarity import RELATIONS
                from .candidates import CandidateTable

                table = CandidateTable.load()
                self._relations = (table, RELATIONS)
            except (ImportError, ResourceError):
                self._relations = (None, ())
        table, names = self._relations
        if table is not None:
            row = int(table.rows_of(np.array([ord(wrong)]))[0])
            if row >= 0:
                lo, hi = int(table.ptr[row]), int(table.ptr[row + 1])
                hit = np.flatnonzero(table.cand[lo:hi] == ord(right))
                if len(hit):
                    bits = int(table.rel[lo + int(hit[0])])
                    for k, name in enumerate(names):
                        if bits >> k & 1:
                            return name
        return "other"

    def to_result(self, text: str, edits: list[tuple[int, str, float]]) -> dict[str, Any]:
        """The corrector's result dict for ``text`` with ``edits`` applied."""
        chars = list(text)
        errors = []
        for pos, right, score in sorted(edits):
            errors.append({"pos": pos, "wrong": text[pos], "right": right, "score": round(score, 4), "relation": self._relation(text[pos], right)})
            chars[pos] = right
        return {"source": text, "target": "".join(chars), "errors": errors}

    @property
    def lm(self) -> Any:
        """The character LM of the combine modes (loaded on first use)."""
        if self._lm is None:
            from ..lm import LanguageModel

            self._lm = self._lm_arg if isinstance(self._lm_arg, LanguageModel) else LanguageModel.load(self._lm_arg)
        return self._lm

    def lm_deltas(self, texts: list[str], edits: list[list[tuple[int, str, float]]]) -> list[np.ndarray]:
        """Per edit: the LM's log10 gain of the substitution, alone in its line."""
        rows = [i for i, es in enumerate(edits) for _ in es]
        if not rows:
            return [np.zeros(0) for _ in edits]
        pos = [p for es in edits for p, _, _ in es]
        new = [c for es in edits for _, c, _ in es]
        delta = self.lm.substitution_deltas_batch(texts, rows, pos, new)
        bounds = np.cumsum([0] + [len(es) for es in edits])
        return [delta[bounds[i] : bounds[i + 1]] for i in range(len(edits))]

    def _lm_filter(self, texts: list[str], edits: list[list[tuple[int, str, float]]]) -> list[list[tuple[int, str, float]]]:
        deltas = self.lm_deltas(texts, edits)
        margin = self.settings["lm_margin"]
        return [[e for e, d in zip(es, ds) if d >= -margin] for es, ds in zip(edits, deltas)]

    @property
    def ngram(self) -> Any:
        """The statistical corrector of ``combine="ngram"`` (loaded on first use)."""
        if self._ngram is None:
            from .corrector import Corrector

            thr = self.settings["ngram_threshold"]
            self._ngram = Corrector(lm=self.lm, confusion=self._confusion, threshold=thr if 0.0 < thr < 1.0 else None)
        return self._ngram

    def _ngram_and_predictions(self, texts: list[str]) -> tuple[list[dict[str, Any]], list[Prediction]]:
        base = self.ngram.correct_batch(texts)
        queries = [[(e["pos"], e["right"]) for e in r["errors"]] for r in base]
        return base, self.predict(texts, queries)

    def _correct_ngram(self, texts: list[str]) -> list[dict[str, Any]]:
        base, preds = self._ngram_and_predictions(texts)
        confirm, strong = self.settings["confirm"], self.settings["strong"]
        extra = self._lm_filter(texts, [self.neural_edits(t, p, strong) for t, p in zip(texts, preds)])
        return [self.merge_edits(t, r, p, confirm, x) for t, r, p, x in zip(texts, base, preds, extra)]

    def merge_edits(self, text: str, base: dict[str, Any], p: Prediction, confirm: float, extra: list[tuple[int, str, float]]) -> dict[str, Any]:
        """The n-gram edits the neural model confirms, plus ``extra`` neural edits away from them."""
        kept = []
        for e, q in zip(base["errors"], p.queries):
            src = p.source_prob[e["pos"]]
            if e["relation"] == "user" or not p.editable[e["pos"]] or math.isnan(q) or math.isnan(src) or q >= confirm * src:
                kept.append(e)
        near = {q for e in kept for q in range(e["pos"] - 1, e["pos"] + 2)}
        errors = list(kept)
        for pos, right, score in extra:
            if pos not in near:
                errors.append({"pos": pos, "wrong": text[pos], "right": right, "score": round(score, 4), "relation": self._relation(text[pos], right)})
        errors.sort(key=lambda e: e["pos"])
        chars = list(text)
        for e in errors:
            chars[e["pos"]] = e["right"]
        return {"source": text, "target": "".join(chars), "errors": errors}


# --------------------------------------------------------------------------- helpers


def _load_model(root: Path, model_type: str | None) -> Any:
    if model_type == "spellgcn":
        from ..models.spellgcn import SpellGcnForCSC

        return SpellGcnForCSC.from_pretrained(str(root))
    if model_type == "chinesebert":
        from ..models.chinesebert import ChineseBertForMaskedLM

        return ChineseBertForMaskedLM.from_pretrained(str(root))
    from transformers import AutoModelForMaskedLM

    return AutoModelForMaskedLM.from_pretrained(str(root))


def _quietly(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` without transformers' loading progress bars (a CLI prints only its results)."""
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return fn(*args)
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def _han(c: str) -> bool:
    from ..chars import is_han

    return len(c) == 1 and is_han(c)


def _single_chars(tokens: list[str]) -> dict[int, str]:
    """Token id -> the one character it stands for (itself or after ``##``); other tokens absent."""
    out = {}
    for i, t in enumerate(tokens):
        c = t[2:] if t.startswith("##") and len(t) == 3 else t
        if len(c) == 1 and not (t.startswith("[") and t.endswith("]")):
            out[i] = c
    return out


def _token_at(n: int, offsets: Sequence[tuple[int, int]]) -> np.ndarray:
    """Per character position: the index of the token that is exactly that one character, else -1."""
    at = np.full(n, -1, dtype=np.int64)
    for t, (s, e) in enumerate(offsets):
        if e - s == 1 and 0 <= s < n:
            at[s] = t
    return at


def load_neural_corrector(model: str | os.PathLike[str], **options: Any) -> NeuralCorrector:
    """``NeuralCorrector.from_pretrained(model, **options)``, for the ``spell-check`` pipeline and ``check --model``.

    Options with the value None are dropped (the pipeline passes ``lm=None``, ``threshold=None``...).
    """
    return NeuralCorrector.from_pretrained(model, **{k: v for k, v in options.items() if v is not None})
