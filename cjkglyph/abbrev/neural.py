"""Neural scoring for the abbreviation decoder (torch and transformers are imported lazily).

Two kinds of local checkpoint directories (``config.json``, weights, ``vocab.txt``):

* any masked LM loadable with ``AutoModelForMaskedLM`` (BERT-like, one token per
  Han character): candidates are re-ranked by the pseudo-log-likelihood of
  their characters (each masked in turn, all candidates in one batch);
* a CNMBert checkpoint: a ``BertForMaskedLM`` trained to read an abbreviated
  position as the vocabulary id 1-26 of its letter a-z (``[unused1]``..
  ``[unused26]`` in Chinese BERT vocabularies) instead of ``[MASK]``. Candidates
  are scored the same way with the letter ids as masks, and the model also
  proposes candidates of its own by beam decoding over the positions, left to
  right, one character per letter, each position limited to characters with a
  reading that starts with its letter.

Scores are log10 probabilities, added to the decoder's score with
``reranker_weight``.

>>> from cjkglyph.abbrev.neural import load_reranker
>>> rr = load_reranker("path/to/cnmbert")                   # doctest: +SKIP
>>> rr.rerank([("真的", "不好意思", "，我来晚了", "bhys")])  # doctest: +SKIP
array([-1.3])
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ResourceError

__all__ = ["MaskedLMScorer", "detect_kind", "load_reranker"]

#: Candidate item: (left context, expansion, right context, letters).
Item = tuple[str, str, str, str]

_LN10 = math.log(10.0)


def detect_kind(path: str | Path) -> str:
    """``"cnmbert"`` when the directory's name or config names CNMBert, else ``"mlm"``."""
    p = Path(path)
    text = p.name.lower()
    cfg = p / "config.json"
    if cfg.is_file():
        try:
            text += json.dumps(json.loads(cfg.read_text(encoding="utf-8"))).lower()
        except (OSError, ValueError):
            pass
    return "cnmbert" if "cnmbert" in text else "mlm"


def _read_vocab(path: Path) -> dict[str, int]:
    vocab_file = path / "vocab.txt"
    if not vocab_file.is_file():
        raise ResourceError(f"{path}: no vocab.txt (a BERT-style vocabulary is needed to map characters to ids)")
    vocab: dict[str, int] = {}
    with open(vocab_file, encoding="utf-8") as f:
        for i, line in enumerate(f):
            vocab.setdefault(line.rstrip("\n"), i)
    return vocab


class MaskedLMScorer:
    """Pseudo-log-likelihood scorer (and CNMBert beam decoder) over a local masked LM."""

    def __init__(
        self,
        path: str | Path,
        *,
        kind: str = "auto",
        device: str | None = None,
        max_context: int = 60,
        batch_size: int = 64,
        constrain: bool = True,
    ) -> None:
        path = Path(path).expanduser()
        if not path.is_dir():
            raise InputError(f"model directory not found: {path}")
        if kind == "auto":
            kind = detect_kind(path)
        if kind not in ("mlm", "cnmbert"):
            raise InputError(f"unknown model kind {kind!r}: use auto, mlm or cnmbert")
        from ..errors import require

        torch = require("torch", "neural abbreviation ranking (--model)")
        require("transformers", "neural abbreviation ranking (--model)")
        from transformers import AutoModelForMaskedLM
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.torch = torch
        self.kind = kind
        self.path = path
        self.device = torch.device(device or "cpu")
        try:
            self.model = AutoModelForMaskedLM.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError) as e:
            raise ResourceError(f"cannot load a masked LM from {path}: {' '.join(str(e).split())[:200]}") from None
        self.model.to(self.device).eval()
        self.vocab = _read_vocab(path)
        self.unk = self.vocab.get("[UNK]", 100)
        self.cls = self.vocab.get("[CLS]", 101)
        self.sep = self.vocab.get("[SEP]", 102)
        self.mask = self.vocab.get("[MASK]", 103)
        self.pad = self.vocab.get("[PAD]", 0)
        self.max_context = max_context
        self.batch_size = batch_size
        self.constrain = constrain
        self._id_to_token: list[str] | None = None
        self._letter_ids: dict[str, np.ndarray] = {}

    # -- ids -------------------------------------------------------------

    def _char_id(self, ch: str) -> int:
        return self.vocab.get(ch, self.vocab.get(ch.lower(), self.unk))

    def _ids(self, text: str) -> list[int]:
        return [self._char_id(c) for c in text if not c.isspace()]

    def _mask_for(self, letter: str) -> int:
        """The id fed at an abbreviated position: [MASK], or the letter's id 1-26 for CNMBert."""
        if self.kind == "cnmbert" and "a" <= letter <= "z":
            return ord(letter) - 96
        return self.mask

    def _frame(self, left: str, right: str) -> tuple[list[int], list[int]]:
        lids = self._ids(left)[-self.max_context :]
        rids = self._ids(right)[: self.max_context]
        return [self.cls, *lids], [*rids, self.sep]

    def _forward(self, rows: list[list[int]], positions: list[int]) -> np.ndarray:
        """Log-softmax (natural log) over the vocabulary at one position of each row: (len(rows), V)."""
        torch = self.torch
        out: list[np.ndarray] = []
        for s in range(0, len(rows), self.batch_size):
            chunk = rows[s : s + self.batch_size]
            width = max(len(r) for r in chunk)
            ids = torch.full((len(chunk), width), self.pad, dtype=torch.long)
            att = torch.zeros((len(chunk), width), dtype=torch.long)
            for i, r in enumerate(chunk):
                ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
                att[i, : len(r)] = 1
            pos = torch.tensor(positions[s : s + self.batch_size], dtype=torch.long)
            with torch.no_grad():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=att.to(self.device)).logits
                picked = logits[torch.arange(len(chunk)), pos.to(self.device)]
                out.append(torch.log_softmax(picked.float(), dim=-1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.vocab)))

    # -- re-ranking --------------------------------------------------------

    def rerank(self, items: Sequence[Item]) -> np.ndarray:
        """Pseudo-log-likelihood (log10) of each item's expansion characters in their context."""
        rows: list[list[int]] = []
        positions: list[int] = []
        targets: list[int] = []
        owner: list[int] = []
        for n, (left, exp, right, letters) in enumerate(items):
            head, tail = self._frame(left, right)
            eids = [self._char_id(c) for c in exp]
            # letters align with characters when the run is all initials; otherwise use [MASK]
            marks = letters if len(letters) == len(exp) else ""
            for t, target in enumerate(eids):
                masked = list(eids)
                masked[t] = self._mask_for(marks[t]) if marks else self.mask
                rows.append(head + masked + tail)
                positions.append(len(head) + t)
                targets.append(target)
                owner.append(n)
        scores = np.zeros(len(items))
        if not rows:
            return scores
        logp = self._forward(rows, positions)
        picked = logp[np.arange(len(rows)), np.array(targets)]
        np.add.at(scores, np.array(owner), picked)
        return scores / _LN10

    # -- CNMBert-style beam decoding ---------------------------------------

    def _allowed(self, letter: str) -> np.ndarray:
        """Vocabulary ids of single Han characters with a reading that starts with ``letter``."""
        found = self._letter_ids.get(letter)
        if found is None:
            from ..chars import han_mask
            from ..pinyin import heteronyms

            ids = [
                i
                for tok, i in self.vocab.items()
                if len(tok) == 1 and han_mask(tok)[0] and any(s[:1] == letter for s in heteronyms(tok, "normal"))
            ]
            found = self._letter_ids[letter] = np.array(sorted(set(ids)), dtype=np.int64)
        return found

    def propose(self, left: str, letters: str, right: str, *, beam: int = 16, top_k: int = 8) -> list[tuple[str, float]]:
        """Beam decoding over the positions of ``letters`` (one character each), left to right.

        Returns (expansion, log10 probability) best first.
        """
        if not letters or not letters.isascii() or not letters.isalpha():
            return []
        head, tail = self._frame(left, right)
        start = len(head)
        body = [self._mask_for(c) for c in letters]
        beams: list[tuple[float, list[int]]] = [(0.0, body)]
        for t, letter in enumerate(letters):
            rows = [head + b + tail for _, b in beams]
            logp = self._forward(rows, [start + t] * len(rows))
            allowed = self._allowed(letter) if self.constrain else None
            if allowed is not None and allowed.size:
                masked = np.full_like(logp, -np.inf)
                masked[:, allowed] = logp[:, allowed]
                logp = masked
            k = min(top_k, logp.shape[1])
            nxt: list[tuple[float, list[int]]] = []
            for (score, b), row in zip(beams, logp, strict=True):
                best = np.argpartition(-row, k - 1)[:k]
                for tok in best:
                    if np.isfinite(row[tok]):
                        nb = list(b)
                        nb[t] = int(tok)
                        nxt.append((score + float(row[tok]), nb))
            if not nxt:
                return []
            nxt.sort(key=lambda x: -x[0])
            beams = nxt[:beam]
        return [(self._decode(b), s / _LN10) for s, b in beams]

    def _decode(self, ids: list[int]) -> str:
        if self._id_to_token is None:
            inv = [""] * (max(self.vocab.values()) + 1)
            for tok, i in self.vocab.items():
                inv[i] = tok
            self._id_to_token = inv
        return "".join(self._id_to_token[i] for i in ids)

    def proposes(self) -> bool:
        """CNMBert checkpoints propose candidates of their own; plain masked LMs only re-rank."""
        return self.kind == "cnmbert"


def load_reranker(path: str | Path, *, kind: str = "auto", device: str | None = None, **options: Any) -> MaskedLMScorer:
    """Load a masked LM or CNMBert checkpoint directory for :class:`cjkglyph.abbrev.AbbreviationDecoder`."""
    return MaskedLMScorer(path, kind=kind, device=device, **options)
