"""The character encoder at inference: onnxruntime, batched, log-probabilities only where asked.

:class:`CharEncoder` reads a model folder (``encoder.onnx`` + ``vocab.txt``,
see :mod:`cjkglyph.encoder.export`). Texts are windowed (at most 126
characters plus [CLS]/[SEP]; whitespace is left out as in pretraining, and
positions still index the original text) and run one window per call, so a
text's scores never depend on what else is in the batch (no padding, and the
int8 model's activation scales are the window's own); the graph returns the
vocabulary log-softmax only at the requested positions.

>>> enc = CharEncoder.load()                                   # doctest: +SKIP
>>> s = enc.score(["我们今天去公圆玩"], [0], [6], [ord("园")])   # doctest: +SKIP
>>> bool(s.cand[0] > s.orig[0])                                # doctest: +SKIP
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ResourceError
from .vocab import CLS, MASK, SEP, UNK, CharVocab

__all__ = ["WINDOW", "CharEncoder", "EncoderScores"]

#: Characters per window ([CLS] + 126 + [SEP] = the 128 positions the model knows).
WINDOW = 126
#: Ranks are counted up to this (a candidate below the top RANK_CAP gets RANK_CAP).
RANK_CAP = 16
#: Log-probability given to characters outside the vocabulary.
FLOOR = -30.0


@dataclass
class EncoderScores:
    """Per query: log p(candidate), log p(original), best log p, rank of the candidate (0 = argmax),
    and the detection logit (0 where the model has no detection head)."""

    cand: np.ndarray
    orig: np.ndarray
    top: np.ndarray
    rank: np.ndarray
    detect: np.ndarray


def _threads() -> int:
    env = os.environ.get("CJKGLYPH_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


class CharEncoder:
    """A character MLM (or corrector) run by onnxruntime."""

    def __init__(self, session: Any, vocab: CharVocab, path: Path) -> None:
        self.session = session
        self.vocab = vocab
        self.path = path
        self.has_detect = any(o.name == "detect" for o in session.get_outputs())
        self._hidden_width: int | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, threads: int | None = None) -> CharEncoder:
        """Load a model folder (default: the shipped encoder, ``data/encoder``)."""
        from ..resources import data_path

        folder = Path(path) if path is not None else data_path("encoder", "encoder.onnx").parent
        onnx = folder / "encoder.onnx"
        if not onnx.exists():
            raise ResourceError(f"no encoder.onnx in {folder} (export one with cjkglyph.encoder.export.export_onnx)")
        try:
            import onnxruntime as ort
        except ImportError:
            raise InputError("the character encoder needs onnxruntime: pip install onnxruntime") from None
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or _threads()
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            session = ort.InferenceSession(os.fspath(onnx), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types
            raise ResourceError(f"cannot load {onnx}: {str(e).splitlines()[0]}") from None
        return cls(session, CharVocab.load(folder / "vocab.txt"), folder)

    # ------------------------------------------------------------------ windows
    @staticmethod
    def _windows(n: int) -> list[int]:
        if n <= WINDOW:
            return [0]
        starts = list(range(0, n - WINDOW, WINDOW // 2))
        return starts + [n - WINDOW]

    def log_probs(self, texts: Sequence[str], row: Sequence[int], pos: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Log-softmax rows (n, vocab) and detection logits (n,; zeros without a detection head) at
        character ``pos`` of ``texts[row]``."""
        res = self._at(texts, row, pos, ["log_probs", "detect"] if self.has_detect else ["log_probs"])
        return res[0], res[1] if self.has_detect else np.zeros(len(res[0]), dtype=np.float32)

    def hidden(self, texts: Sequence[str], row: Sequence[int], pos: Sequence[int]) -> np.ndarray:
        """Contextual vectors (n, width): the last layer's states at character ``pos`` of ``texts[row]``."""
        return self._at(texts, row, pos, ["hidden"])[0]

    def _at(self, texts: Sequence[str], row: Sequence[int], pos: Sequence[int], names: list[str]) -> list[np.ndarray]:
        row = np.asarray(row, dtype=np.int64)
        pos = np.asarray(pos, dtype=np.int64)
        n = len(row)
        outs = [np.zeros((n, self._width(name)), dtype=np.float32) if name != "detect" else np.zeros(n, dtype=np.float32) for name in names]
        # one sequence per (text, window) holding a query; a query goes to the window where it is most central
        seqs: dict[tuple[int, int], list[int]] = {}
        prepared: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for q in range(n):
            r, p = int(row[q]), int(pos[q])
            if r not in prepared:
                text = texts[r]
                keep = np.array([not c.isspace() for c in text], dtype=bool)
                prepared[r] = (self.vocab.ids(text)[keep], np.cumsum(keep) - 1, keep)
            ids, where, keep = prepared[r]
            if not 0 <= p < len(keep) or not keep[p]:
                continue
            at = int(where[p])
            s = min(self._windows(len(ids)), key=lambda st: abs(st + min(WINDOW, len(ids)) / 2 - at))
            seqs.setdefault((r, s), []).append(q)
        for (r, s), queries in seqs.items():
            ids, where, _ = prepared[r]
            piece = ids[s : s + WINDOW]
            x = np.empty((1, len(piece) + 2), dtype=np.int64)
            x[0, 0], x[0, 1:-1], x[0, -1] = CLS, piece, SEP
            at = 1 + where[pos[queries]] - s
            feeds = {"input_ids": x, "attention_mask": np.ones_like(x), "index": at.astype(np.int64)}
            for out, res in zip(outs, self.session.run(names, feeds)):
                out[queries] = res
        return outs

    def masked_log_probs(
        self, texts: Sequence[str], spans: Sequence[tuple[int, int]], fills: Sequence[Sequence[int] | None] | None = None
    ) -> list[np.ndarray]:
        """Per text, characters ``start:end`` of ``texts[i]`` replaced by [MASK]: the log-softmax rows
        (one per non-space character of the span, vocab) there, read together in one window per text.

        ``fills[i]`` (token ids, one per non-space character of the span) replaces them by those
        tokens instead of [MASK] (a model with extra input tokens, such as the abbreviation
        decoder's letter tokens). One onnxruntime call per text, so a text's rows never depend on
        the other texts. A span longer than a window, or empty, gives no rows.

        >>> enc = CharEncoder.load()                                           # doctest: +SKIP
        >>> enc.masked_log_probs(["我们今天去公园玩"], [(5, 7)])[0].shape      # doctest: +SKIP
        (2, 7641)
        """
        out: list[np.ndarray] = []
        for i, (text, (start, end)) in enumerate(zip(texts, spans, strict=True)):
            keep = np.array([not c.isspace() for c in text], dtype=bool)
            ids = self.vocab.ids(text)[keep]
            where = np.cumsum(keep) - 1
            start = min(max(0, int(start)), len(text))
            end = max(start, min(len(text), int(end)))
            at = where[start:end][keep[start:end]]
            if not len(at) or len(at) > WINDOW:
                out.append(np.zeros((0, len(self.vocab)), dtype=np.float32))
                continue
            ids = ids.copy()
            fill = fills[i] if fills is not None else None
            if fill is not None and len(fill) != len(at):
                raise ValueError(f"fills[{i}] has {len(fill)} ids for a span of {len(at)} characters")
            ids[at] = MASK if fill is None else np.asarray(fill, dtype=ids.dtype)
            centre = (int(at[0]) + int(at[-1])) // 2
            s = min(max(0, len(ids) - WINDOW), max(0, centre - WINDOW // 2))
            piece = ids[s : s + WINDOW]
            x = np.empty((1, len(piece) + 2), dtype=np.int64)
            x[0, 0], x[0, 1:-1], x[0, -1] = CLS, piece, SEP
            feeds = {"input_ids": x, "attention_mask": np.ones_like(x), "index": (1 + at - s).astype(np.int64)}
            out.append(self.session.run(["log_probs"], feeds)[0])
        return out

    def _width(self, name: str) -> int:
        if name == "log_probs":
            return len(self.vocab)
        if self._hidden_width is None:
            x = np.array([[CLS, SEP]], dtype=np.int64)
            feeds = {"input_ids": x, "attention_mask": np.ones_like(x), "index": np.zeros(1, dtype=np.int64)}
            self._hidden_width = int(self.session.run(["hidden"], feeds)[0].shape[-1])
        return self._hidden_width

    # ------------------------------------------------------------------ scores
    def score(self, texts: Sequence[str], row: Sequence[int], pos: Sequence[int], cand: Sequence[int]) -> EncoderScores:
        """Scores of replacing character ``pos`` of ``texts[row]`` by code point ``cand`` (one query per candidate;
        each distinct position is run once)."""
        row = np.asarray(row, dtype=np.int64)
        pos = np.asarray(pos, dtype=np.int64)
        cand = np.asarray(cand, dtype=np.int64)
        if not len(row):
            z = np.zeros(0, dtype=np.float32)
            return EncoderScores(z, z, z, z, z)
        width = int(pos.max()) + 1
        uniq, inv = np.unique(row * width + pos, return_inverse=True)
        lp, det = self.log_probs(texts, uniq // width, uniq % width)
        orig_cp = np.array([ord(texts[r][p]) for r, p in zip((uniq // width).tolist(), (uniq % width).tolist())], dtype=np.int64)
        orig_id = self.vocab.ids_of(orig_cp)
        cand_id = self.vocab.ids_of(cand)
        c = np.where(cand_id == UNK, FLOOR, lp[inv, cand_id])
        o = np.where(orig_id == UNK, FLOOR, lp[np.arange(len(uniq)), orig_id])[inv]
        k = min(RANK_CAP, lp.shape[1] - 1)
        best = -np.partition(-lp, k, axis=1)[:, :k]  # the k largest, unordered
        top = best.max(axis=1)
        rank = (best[inv] > c[:, None]).sum(axis=1)
        return EncoderScores(c.astype(np.float32), o.astype(np.float32), top[inv], rank.astype(np.float32), det[inv])
