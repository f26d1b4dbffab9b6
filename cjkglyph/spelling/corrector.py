"""Chinese spelling correction without a neural model: character LM + noisy channel + learned scorer.

Length-preserving substitution correction. Every Han character may be
replaced by one of its candidates (:mod:`cjkglyph.spelling.candidates`: the
similarity graph's best neighbours, pairs seen in learner errors, user
pairs); every candidate gets features (:mod:`cjkglyph.spelling.features`:
language-model gain, channel statistics, word evidence, 的/地/得 and 他/她/它
cues) and a probability from a small learned model (:mod:`cjkglyph.spelling.model`).
Per round, the best candidate of each position above the threshold is
accepted greedily, best first, never two neighbours at once; the text is
rescored around the accepted edits, for up to ``rounds`` rounds.

Long lines are cut into chunks at sentence ends (positions in the output
always index the original line); numbers, Latin text and anything that is not
a Han character are never changed, and neither are whitelisted words.

User confusion files use pycorrector's format, one entry per line
(``#`` comments): ``wrong right`` (a word pair of equal length: every
occurrence of the wrong word is corrected; a single-character pair becomes a
strong candidate), or a word written twice (``word word``), which protects it.

>>> from cjkglyph.spelling.corrector import Corrector
>>> c = Corrector()                                           # doctest: +SKIP
>>> c.correct("我们今天去公圆玩")                              # doctest: +SKIP
{'source': '我们今天去公圆玩', 'target': '我们今天去公园玩', 'errors': [{'pos': 6, 'wrong': '圆', 'right': '园', 'score': 0.93, 'relation': 'same-sound-same-tone'}]}
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._progress import advance
from ..errors import InputError
from ..graph.confusion import user_confusion
from .base import LineCorrector, check_script

if TYPE_CHECKING:
    from ..encoder import CharEncoder
    from ..lm import LanguageModel
    from ..graph.similarity import SimilarityGraph
    from .candidates import CandidateTable
    from .channel import ChannelStats
    from .features import CandidateBatch
    from .model import SpellModel

__all__ = ["Corrector", "split_chunks"]

#: Longest chunk scored as one sentence (characters).
MAX_CHUNK = 160
#: Chunks processed together: bounds memory on huge inputs, and the LM's working arrays stay in cache
#: (32 ran 15-20% faster than 96 on the development set; the edits do not depend on it).
BATCH_CHUNKS = 32
#: A user pair counts as this many observed learner errors.
USER_COUNT = 10
_SENT_END = re.compile(r"[。！？!?；;…\n\r]+[”’」』）)]*")
_SOFT = re.compile(r"[，,、：:]")


# --------------------------------------------------------------------------- chunks


def split_chunks(text: str, max_len: int = MAX_CHUNK) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` covering ``text``: sentences packed into chunks of at most ``max_len`` characters.

    >>> split_chunks("你好。我很好！", 4)
    [(0, 3), (3, 7)]
    """
    if not text:
        return []
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        pieces.append((start, m.end()))
        start = m.end()
    if start < len(text):
        pieces.append((start, len(text)))
    cut: list[tuple[int, int]] = []
    for s, e in pieces:
        while e - s > max_len:
            soft = [m.end() for m in _SOFT.finditer(text, s + max_len // 2, s + max_len)]
            b = soft[-1] if soft else s + max_len
            cut.append((s, b))
            s = b
        cut.append((s, e))
    out: list[tuple[int, int]] = []
    for s, e in cut:
        if out and e - out[-1][0] <= max_len:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


# --------------------------------------------------------------------------- corrector


@dataclass
class _Edit:
    pos: int
    wrong: str
    right: str
    score: float
    relation: str


class Corrector(LineCorrector):
    """The statistical spelling corrector (see the module docstring).

    ``lm``: a :class:`~cjkglyph.lm.LanguageModel` or a model file (None = shipped).
    ``confusion``: user confusion file(s) or (wrong, right) pairs.
    ``threshold``: probability an edit needs (default: the shipped model's,
    chosen by cross-validation); higher = fewer, surer corrections.
    ``model``/``candidates``/``channel``: other files than the shipped ones;
    ``graph``: build the candidate table from this similarity graph instead (the
    shipped model expects a graph whose ranker has no observed pairs, as
    ``scripts/train_spellcheck.py`` builds it); ``rounds``: rescoring rounds.
    ``fast``: first stage only for a model with an encoder stage (``model_stage2.json``; the shipped
    default has none); ``encoder``: another exported character encoder folder for that stage.
    ``script``: ``"auto"`` (default) corrects a Traditional line in Simplified
    (:mod:`cjkglyph.spelling.base`) and reports its edits in Traditional characters, so
    script differences are never "corrected"; ``"as-is"`` scores every line as it is.
    """

    def __init__(
        self,
        lm: LanguageModel | str | os.PathLike[str] | None = None,
        confusion: Any = None,
        threshold: float | None = None,
        *,
        model: SpellModel | str | os.PathLike[str] | None = None,
        candidates: CandidateTable | str | os.PathLike[str] | None = None,
        channel: ChannelStats | str | os.PathLike[str] | None = None,
        graph: SimilarityGraph | None = None,
        rounds: int | None = None,
        script: str = "auto",
        fast: bool = False,
        encoder: CharEncoder | str | os.PathLike[str] | None = None,
    ) -> None:
        from ..lm import LanguageModel
        from .candidates import CandidateTable, build_candidate_table, graph_candidates
        from .channel import ChannelStats
        from .features import FeatureExtractor
        from .model import SpellModel

        self.script = check_script(script)
        self.lm = lm if isinstance(lm, LanguageModel) else LanguageModel.load(lm)
        self.model = model if isinstance(model, SpellModel) else SpellModel.load(model)
        params = self.model.params
        #: The character encoder of the second stage (None: first stage only, as with ``fast``).
        self.encoder: CharEncoder | None = None
        if self.model.stage2 is not None and not fast:
            from ..encoder import CharEncoder, default_encoder

            self.encoder = encoder if isinstance(encoder, CharEncoder) else default_encoder() if encoder is None else CharEncoder.load(encoder)
        self.gate = float(params.get("gate", 0.0))
        decider = self.model.stage2 if self.encoder is not None and self.model.stage2 is not None else self.model
        if threshold is None:
            threshold = decider.threshold
        if not isinstance(threshold, (int, float)) or not 0.0 < float(threshold) < 1.0:
            raise InputError(f"threshold must be a probability between 0 and 1 (exclusive), got {threshold!r}")
        self.threshold = float(threshold)
        self.rounds = int(rounds if rounds is not None else params.get("rounds", 3))
        self.min_gap = int(params.get("min_gap", 2))
        #: Extra logit margin for the confusable function words 的/地/得 (``de``) and 他/她/它 (``ta``),
        #: chosen by cross-validation on the train sets.
        self.offsets: dict[str, float] = {
            k: float(v) for k, v in decider.params.get("group_offsets", {}).items() if k in ("de", "ta")
        }
        if graph is not None:
            base = graph_candidates(graph, self.lm, int(params.get("k", 40)), int(params.get("k_rare", 10)))
        elif isinstance(candidates, CandidateTable):
            base = candidates
        else:
            base = CandidateTable.load(candidates)
        ch = channel if isinstance(channel, ChannelStats) else ChannelStats.load(channel)
        self.user = user_confusion(confusion)
        self.table = build_candidate_table(base, channel=ch, user_pairs=[(a, b) for a, b, _ in self.user.char_pairs])
        if self.user.char_pairs:
            import copy

            ch = copy.deepcopy(ch)
            for a, b, n in self.user.char_pairs:
                if len(a) == 1 and len(b) == 1 and a != b:
                    ch.pairs[(a, b)] += USER_COUNT * max(1, n)
                    ch.wrong[a] += USER_COUNT * max(1, n)
                    ch.occ[a] += USER_COUNT * max(1, n)
        self.channel = ch
        domain = None
        if params.get("domain_lm"):
            domain = LanguageModel.load(self.model.companion(str(params["domain_lm"])))
        self.features = FeatureExtractor(
            self.lm, self.table, ch, de_table=self.model.de_counts, min_delta=float(params.get("min_delta", -2.0)), domain_lm=domain
        )
        self._word_re = _alternation(self.user.word_pairs)
        self._white_re = _alternation(self.user.whitelist)

    # ------------------------------------------------------------------ correction (correct/correct_batch: LineCorrector)
    def _correct_lines(self, texts: list[str]) -> list[dict[str, Any]]:
        chunk_text: list[str] = []
        chunk_mask: list[np.ndarray] = []
        owner: list[tuple[int, int]] = []  # (line, offset)
        edits: list[dict[int, _Edit]] = [{} for _ in texts]
        for li, text in enumerate(texts):
            protect = self._protected(text)
            forced = self._forced(text, protect)
            if forced:  # the user's word corrections come first; the rest is scored in their context
                chars = list(text)
                for pos, e in forced.items():
                    edits[li][pos] = e
                    protect[pos] = True
                    chars[pos] = e.right
                text = "".join(chars)
            if not text:
                continue
            han = _han_array(text)
            for s, e in split_chunks(text):
                if not han[s:e].any():
                    continue
                chunk_text.append(text[s:e])
                chunk_mask.append(han[s:e] & ~protect[s:e])
                owner.append((li, s))
        for b in range(0, len(chunk_text), BATCH_CHUNKS):
            found = self._correct_chunks(chunk_text[b : b + BATCH_CHUNKS], chunk_mask[b : b + BATCH_CHUNKS])
            advance(sum(map(len, chunk_text[b : b + BATCH_CHUNKS])))
            for k, chunk_edits in enumerate(found):
                li, off = owner[b + k]
                for e in chunk_edits:
                    e.pos += off
                    edits[li][e.pos] = e
        out = []
        for li, text in enumerate(texts):
            es = [edits[li][p] for p in sorted(edits[li])]
            chars = list(text)
            for e in es:
                chars[e.pos] = e.right
            out.append(
                {
                    "source": text,
                    "target": "".join(chars),
                    "errors": [
                        {"pos": e.pos, "wrong": e.wrong, "right": e.right, "score": round(e.score, 4), "relation": e.relation}
                        for e in es
                    ],
                }
            )
        return out

    def score(self, texts: list[str], batch: CandidateBatch) -> np.ndarray:
        """Logits of the candidates in ``batch`` (of ``texts``): the first stage, then, where the encoder is on,
        the second stage for the candidates past the gate (the others keep their first-stage logit, below the gate)."""
        logit = self.model.logits(batch.x)
        stage2 = self.model.stage2
        if self.encoder is None or stage2 is None:
            return logit
        from .features import add_encoder_features

        sel = np.flatnonzero(logit > self.gate)
        add_encoder_features(self.encoder, texts, batch, sel, logit)
        out = np.minimum(logit, self.gate)
        if len(sel):
            out[sel] = stage2.logits(batch.x[sel])
        return out

    # ------------------------------------------------------------------ internals
    def _protected(self, text: str) -> np.ndarray:
        mask = np.zeros(len(text), dtype=bool)
        if self._white_re is not None:
            for m in self._white_re.finditer(text):
                mask[m.start() : m.end()] = True
        return mask

    def _forced(self, text: str, protect: np.ndarray) -> dict[int, _Edit]:
        out: dict[int, _Edit] = {}
        if self._word_re is None:
            return out
        for m in self._word_re.finditer(text):
            if protect[m.start() : m.end()].any():
                continue
            right = self.user.word_pairs[m.group()]
            for k, (a, b) in enumerate(zip(m.group(), right)):
                if a != b:
                    out[m.start() + k] = _Edit(m.start() + k, a, b, 1.0, "user")
        return out

    def _correct_chunks(
        self,
        texts: list[str],
        masks: list[np.ndarray],
        threshold: float | None = None,
        first: tuple[Any, np.ndarray] | None = None,
        offsets: dict[str, float] | None = None,
    ) -> list[list[_Edit]]:
        """Edits of each chunk. ``first`` = (batch, logits) of round one when already computed and
        ``offsets`` other group offsets (training sweeps thresholds with them)."""
        from .features import FEATURES

        offsets = self.offsets if offsets is None else offsets
        group_cols = [(FEATURES.index(f"grp_{g}"), v) for g, v in offsets.items() if v]
        cur = [list(t) for t in texts]
        masks = [m.copy() for m in masks]
        found: list[list[_Edit]] = [[] for _ in texts]
        active = list(range(len(texts)))
        order = self.lm.order
        p = self.threshold if threshold is None else threshold
        thr = math.log(p / (1.0 - p))
        for rnd in range(max(1, self.rounds)):
            if not active:
                break
            if rnd == 0 and first is not None:
                batch, logit = first
            else:
                batch = self.features.extract(["".join(cur[i]) for i in active], [masks[i] for i in active])
                if not len(batch):
                    break
                logit = self.score(["".join(cur[i]) for i in active], batch)
            need = np.full(len(logit), thr)
            for col, v in group_cols:
                need[batch.x[:, col] > 0] += v
            sel = np.flatnonzero(logit > need)
            by_chunk: dict[int, list[int]] = {}
            for k in sel[np.argsort(-logit[sel], kind="stable")].tolist():
                by_chunk.setdefault(int(batch.row[k]), []).append(k)
            nxt: list[int] = []
            for r, ks in by_chunk.items():
                ci = active[r]
                taken: list[int] = []
                for k in ks:
                    at = int(batch.pos[k])
                    if any(abs(at - q) < self.min_gap for q in taken):
                        continue
                    taken.append(at)
                    right = chr(int(batch.cand[k]))
                    found[ci].append(_Edit(at, cur[ci][at], right, _sigmoid(float(logit[k])), self.table.relation(int(batch.entry[k]))))
                    cur[ci][at] = right
                if taken:
                    m = masks[ci]
                    near = np.zeros(len(m), dtype=bool)
                    for at in taken:
                        near[max(0, at - order + 1) : at + order] = True
                    m[taken] = False
                    masks[ci] = m & near  # later rounds only revisit what the new edits changed
                    nxt.append(ci)
            for ci in set(active) - set(nxt):
                masks[ci][:] = False
            active = sorted(nxt)
        return found


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    ws = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ws))) if ws else None


def _han_array(text: str) -> np.ndarray:
    from ..chars import han_mask

    return np.array(han_mask(text), dtype=bool)
