"""Features of candidate corrections: language-model gain, channel statistics, word evidence, context cues.

:class:`FeatureExtractor` turns a batch of sentences into every candidate
substitution (sentence, position, new character) with one feature row each,
in a few vectorised passes:

* **channel** (per table entry, computed once): graph score, rank and
  relations, counts of the pair and of the wrong character in the learner
  errors the channel table was counted from, a relation-smoothed pair
  probability, character frequencies, user-file flags;
* **language model**: the exact change in log10 probability of the sentence
  (:meth:`cjkglyph.lm.LanguageModel.substitution_deltas_batch`) and how the
  candidate compares with the others at the same position; the same change
  under a small in-domain model (``domain_lm``: learner essays) when given;
* **words** (:mod:`cjkglyph.spelling.words`): the longest / most frequent
  dictionary word covering the position before and after the edit (does the
  edit make a non-word into a word, or break one?), names;
* **context cues** for the confusable function words 的/地/得 (part of speech
  of the neighbouring words) and 他/她/它 (gendered words in the sentence).

>>> fx = FeatureExtractor(lm, table, channel)                 # doctest: +SKIP
>>> batch = fx.extract(["我们今天去公圆玩"])                   # doctest: +SKIP
>>> batch.x.shape[1] == len(FEATURES)                         # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .candidates import SRC_GRAPH, SRC_OBSERVED, SRC_USER

if TYPE_CHECKING:
    from ..encoder import CharEncoder
    from ..lm import LanguageModel
    from .candidates import CandidateTable
    from .channel import ChannelStats
    from .words import WordTable

__all__ = ["DE", "ENCODER_FEATURES", "FEATURES", "TA", "CandidateBatch", "FeatureExtractor", "STATIC_FEATURES", "add_encoder_features"]

DE = "的地得"
TA = "他她它"
_FEMALE = "女妈姐妹娘婆奶姑嫂妻媳姨她"
_MALE = "男爸哥弟爷叔伯舅夫兄他"

STATIC_FEATURES: tuple[str, ...] = (
    "g_score", "g_rank", "in_graph",
    "rel_same", "rel_tone", "rel_sound", "rel_shape",
    "obs_pair", "obs_wrong", "obs_occ", "obs_rev", "ch_smooth", "err_rate",
    "logf_w", "logf_c", "user", "src_obs_only",
    "grp_de", "grp_ta",
)  # fmt: skip
DYNAMIC_FEATURES: tuple[str, ...] = (
    "lm_delta", "lm_gap", "lm_rank", "lm_npos",
    "w_len0", "w_lp0", "w_len1", "w_lp1", "w_name0", "w_single1",
    "de_next", "de_prev", "ta_cue", "obs_ctx", "dom_delta",
)  # fmt: skip
#: Second-stage features, filled only for candidates past the first stage's gate (:func:`add_encoder_features`):
#: the first-stage logit and the character encoder's log p(candidate), log p(original), their difference, the
#: candidate's rank and its distance to the encoder's best character.
ENCODER_FEATURES: tuple[str, ...] = ("s1_logit", "enc_cand", "enc_orig", "enc_ratio", "enc_rank", "enc_gap")
FEATURES: tuple[str, ...] = STATIC_FEATURES + DYNAMIC_FEATURES + ENCODER_FEATURES
_F = {name: k for k, name in enumerate(FEATURES)}


@dataclass
class CandidateBatch:
    """Every candidate of a batch: sentence ``row``, position ``pos``, code points ``wrong``/``cand``,
    table ``entry``, and the feature matrix ``x`` (n, len(FEATURES)) float32."""

    row: np.ndarray
    pos: np.ndarray
    wrong: np.ndarray
    cand: np.ndarray
    entry: np.ndarray
    x: np.ndarray

    def __len__(self) -> int:
        return int(self.row.shape[0])

    def take(self, sel: np.ndarray) -> CandidateBatch:
        return CandidateBatch(self.row[sel], self.pos[sel], self.wrong[sel], self.cand[sel], self.entry[sel], self.x[sel])


def _cps(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _counts(table: dict[int, float], keys: np.ndarray) -> np.ndarray:
    """``table[k]`` (0 where absent) for every integer key, vectorised."""
    if not table:
        return np.zeros(len(keys))
    k = np.fromiter(table.keys(), dtype=np.int64, count=len(table))
    v = np.fromiter(table.values(), dtype=np.float64, count=len(table))
    order = np.argsort(k)
    k, v = k[order], v[order]
    at = np.minimum(np.searchsorted(k, keys), len(k) - 1)
    return np.where(k[at] == keys, v[at], 0.0)


def _sorted_table(table: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    k = np.fromiter(table.keys(), dtype=np.int64, count=len(table))
    v = np.fromiter(table.values(), dtype=np.int64, count=len(table))
    order = np.argsort(k)
    return k[order], v[order]


def _counts_int(table: tuple[np.ndarray, np.ndarray], keys: np.ndarray) -> np.ndarray:
    """Count of each key in a :func:`_sorted_table` (0 where absent)."""
    k, v = table
    if not len(k):
        return np.zeros(len(keys), dtype=np.int64)
    at = np.minimum(np.searchsorted(k, keys), len(k) - 1)
    return np.where(k[at] == keys, v[at], 0)


def _group_max(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group index of each item, max of ``values`` per group) for integer ``keys``."""
    uniq, inv = np.unique(keys, return_inverse=True)
    best = np.full(len(uniq), -np.inf)
    np.maximum.at(best, inv, values)
    return inv, best


class FeatureExtractor:
    """Candidate generation and features for one (language model, candidate table, channel) triple.

    ``char_logf`` maps code points to log1p(frequency) (the table's shipped
    frequencies are used when None). ``de_table`` is the optional
    3 x P x P table of log P(的/地/得 | previous, next part of speech) counted from clean text.
    """

    def __init__(
        self,
        lm: LanguageModel,
        table: CandidateTable,
        channel: ChannelStats,
        words: WordTable | None = None,
        char_logf: dict[int, float] | None = None,
        de_table: np.ndarray | None = None,
        min_delta: float = -2.0,
        domain_lm: LanguageModel | None = None,
    ) -> None:
        from .words import default_word_table

        self.lm = lm
        self.table = table
        self.channel = channel
        self.words = words if words is not None else default_word_table()
        self.char_logf = char_logf if char_logf is not None else table.logf
        self._de_logp = de_logp(de_table) if de_table is not None else None
        self.min_delta = float(min_delta)
        self.domain_lm = domain_lm
        self.static = self._static_features()
        self._lm_known = self._known_mask()
        self._ctx_tables: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    # ------------------------------------------------------------------ static (per table entry)
    def _static_features(self) -> np.ndarray:
        t, ch = self.table, self.channel
        n = t.n_entries
        w = np.repeat(t.chars, np.diff(t.ptr))
        c = t.cand
        x = np.zeros((n, len(STATIC_FEATURES)), dtype=np.float32)
        f = {name: k for k, name in enumerate(STATIC_FEATURES)}
        pair = _counts({ord(a) * 0x110000 + ord(b): n for (a, b), n in ch.pairs.items()}, w * 0x110000 + c)
        rev = _counts({ord(a) * 0x110000 + ord(b): n for (a, b), n in ch.pairs.items()}, c * 0x110000 + w)
        wrong = _counts({ord(a): n for a, n in ch.wrong.items()}, w)
        occ = _counts({ord(a): n for a, n in ch.occ.items()}, w)
        in_graph = (t.src & SRC_GRAPH) > 0
        x[:, f["g_score"]] = np.log10(t.score.astype(np.float64) + 1e-4)
        x[:, f["g_rank"]] = np.log1p(np.minimum(t.rank, 100))
        x[:, f["in_graph"]] = in_graph
        for k, name in enumerate(("rel_same", "rel_tone", "rel_sound", "rel_shape")):
            x[:, f[name]] = (t.rel >> k) & 1
        x[:, f["obs_pair"]] = np.log1p(pair)
        x[:, f["obs_wrong"]] = np.log1p(wrong)
        x[:, f["obs_occ"]] = np.log1p(occ)
        x[:, f["obs_rev"]] = np.log1p(rev)
        alpha = 2.0  # pseudo-count of the graph's relation-based distribution
        x[:, f["ch_smooth"]] = np.log10((pair + alpha * t.score) / (wrong + alpha) + 1e-4)
        rate = max(ch.total_wrong / max(ch.total_occ, 1), 1e-4)
        x[:, f["err_rate"]] = np.log10((wrong + 5 * rate) / (occ + 5))
        x[:, f["logf_w"]] = _counts(self.char_logf, w)
        x[:, f["logf_c"]] = _counts(self.char_logf, c)
        x[:, f["user"]] = (t.src & SRC_USER) > 0
        x[:, f["src_obs_only"]] = ((t.src & SRC_OBSERVED) > 0) & ~in_graph
        de = np.isin(w, _cps(DE)) & np.isin(c, _cps(DE))
        ta = np.isin(w, _cps(TA)) & np.isin(c, _cps(TA))
        x[:, f["grp_de"]] = de
        x[:, f["grp_ta"]] = ta
        return x

    def _context_tables(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """The channel's context counts as sorted integer keys: (left, wrong, right) and (wrong, right, next)
        packed 21 bits each, with their counts (built on first use)."""
        if self._ctx_tables is None:
            left: dict[int, int] = {}
            right: dict[int, int] = {}
            for (l, a, b, r), n in self.channel.context.items():
                if len(a) != 1 or len(b) != 1:
                    continue
                if len(l) == 1 and r == "":
                    left[(ord(l) << 42) | (ord(a) << 21) | ord(b)] = n
                elif l == "" and len(r) == 1:
                    right[(ord(a) << 42) | (ord(b) << 21) | ord(r)] = n
            self._ctx_tables = (_sorted_table(left), _sorted_table(right))
        return self._ctx_tables

    def _known_mask(self) -> np.ndarray:
        """Table entries whose candidate the language model knows (others are never proposed)."""
        ids = self.lm.ids_of(self.table.cand) if self.table.n_entries else np.zeros(0, dtype=np.int64)
        return ids > 1

    # ------------------------------------------------------------------ extraction
    def extract(self, texts: Sequence[str], editable: Sequence[np.ndarray] | None = None) -> CandidateBatch:
        """Every candidate of every editable position of ``texts`` with its features.

        ``editable[k]`` is a boolean mask over ``texts[k]`` (None = every
        character with candidates). Candidates whose language-model gain is
        below ``min_delta`` are dropped (they are never accepted).
        """
        nt = len(texts)
        lens = np.array([len(t) for t in texts], dtype=np.int64)
        width = int(lens.max()) if nt else 0
        cps = np.zeros((nt, max(width, 1)), dtype=np.int64)
        for k, t in enumerate(texts):
            if t:
                cps[k, : len(t)] = _cps(t)
        mask = np.zeros(cps.shape, dtype=bool)
        for k in range(nt):
            if editable is None:
                mask[k, : lens[k]] = True
            else:
                mask[k, : lens[k]] = editable[k][: lens[k]]
        r_idx, p_idx = np.nonzero(mask)
        trow = self.table.rows_of(cps[r_idx, p_idx])
        has = trow >= 0
        r_idx, p_idx, trow = r_idx[has], p_idx[has], trow[has]
        owner, entry = self.table.entries(trow)
        keep = self._lm_known[entry]
        owner, entry = owner[keep], entry[keep]
        row = r_idx[owner]
        pos = p_idx[owner]
        cand = self.table.cand[entry]
        wrong = cps[row, pos]
        empty = np.zeros(0, dtype=np.int64)
        if not len(row):
            return CandidateBatch(empty, empty, empty, empty, empty, np.zeros((0, len(FEATURES)), dtype=np.float32))
        delta = self.lm.substitution_deltas_batch(list(texts), row, pos, cand)
        sel = delta >= self.min_delta
        row, pos, cand, wrong, entry, delta = row[sel], pos[sel], cand[sel], wrong[sel], entry[sel], delta[sel]
        x = np.zeros((len(row), len(FEATURES)), dtype=np.float32)
        x[:, : len(STATIC_FEATURES)] = self.static[entry]
        x[:, _F["lm_delta"]] = delta
        if self.domain_lm is not None and len(row):
            x[:, _F["dom_delta"]] = self.domain_lm.substitution_deltas_batch(list(texts), row, pos, cand)
        if len(row):
            self._position_features(x, row, pos, delta, width)
            self._word_features(x, cps, row, pos, cand)
            self._context_features(x, texts, cps, row, pos, wrong, cand)
        return CandidateBatch(row, pos, wrong, cand, entry, x)

    def _position_features(self, x: np.ndarray, row: np.ndarray, pos: np.ndarray, delta: np.ndarray, width: int) -> None:
        key = row * (width + 1) + pos
        inv, best = _group_max(key, delta)
        x[:, _F["lm_gap"]] = delta - best[inv]
        order = np.lexsort((-delta, key))
        ks = key[order]
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        rank = np.arange(len(ks)) - np.repeat(starts, np.diff(np.r_[starts, len(ks)]))
        r = np.empty(len(ks), dtype=np.int64)
        r[order] = rank
        x[:, _F["lm_rank"]] = np.log1p(r)
        npos = np.bincount(inv, weights=(delta > 0).astype(np.float64))
        x[:, _F["lm_npos"]] = np.log1p(npos[inv])

    def _word_features(self, x: np.ndarray, cps: np.ndarray, row: np.ndarray, pos: np.ndarray, cand: np.ndarray) -> None:
        from .words import POS_CLASSES

        width = cps.shape[1]
        key = row * (width + 1) + pos
        _, first, inv = np.unique(key, return_index=True, return_inverse=True)
        sub = cps[row[first]]
        before = self.words.cover(sub, pos[first])
        after = self.words.cover(cps[row], pos, cand)
        x[:, _F["w_len0"]] = before["len"][inv]
        x[:, _F["w_lp0"]] = before["logp"][inv]
        x[:, _F["w_len1"]] = after["len"]
        x[:, _F["w_lp1"]] = after["logp"]
        names = {POS_CLASSES.index("name"), POS_CLASSES.index("proper")}
        x[:, _F["w_name0"]] = np.isin(before["pos_class"][inv], list(names))
        single = self.words.lookup(self._single_hash(cand))[1]
        x[:, _F["w_single1"]] = single

    @staticmethod
    def _single_hash(cps: np.ndarray) -> np.ndarray:
        from .words import word_hashes

        return word_hashes(cps[:, None])

    def _context_features(
        self, x: np.ndarray, texts: Sequence[str], cps: np.ndarray, row: np.ndarray, pos: np.ndarray, wrong: np.ndarray, cand: np.ndarray
    ) -> None:
        seen = np.flatnonzero(x[:, _F["obs_pair"]] > 0)
        if len(seen) and self.channel.context:
            r, p = row[seen], pos[seen]
            n_chars = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))[r]
            left, right = self._context_tables()
            n = np.zeros(len(seen), dtype=np.int64)
            pair = (wrong[seen] << 21) | cand[seen]
            at = np.flatnonzero(p > 0)
            n[at] += _counts_int(left, (cps[r[at], p[at] - 1] << 42) | pair[at])
            at = np.flatnonzero(p + 1 < n_chars)
            n[at] += _counts_int(right, (pair[at] << 21) | cps[r[at], p[at] + 1])
            x[seen, _F["obs_ctx"]] = np.log1p(n.astype(np.float32))
        de = x[:, _F["grp_de"]] > 0
        if de.any() and self._de_logp is not None:
            idx = np.flatnonzero(de)
            prev_c, next_c = word_classes(self.words, cps, row[idx], pos[idx])
            lut = {ord(c): k for k, c in enumerate(DE)}
            ci = np.array([lut[v] for v in cand[idx].tolist()])
            wi = np.array([lut[v] for v in wrong[idx].tolist()])
            both, nxt = self._de_logp
            x[idx, _F["de_next"]] = both[ci, prev_c, next_c] - both[wi, prev_c, next_c]
            x[idx, _F["de_prev"]] = nxt[ci, next_c] - nxt[wi, next_c]
        ta = x[:, _F["grp_ta"]] > 0
        if ta.any():
            idx = np.flatnonzero(ta)
            r, p, c = row[idx], pos[idx], cand[idx]
            lines, inv = np.unique(r, return_inverse=True)
            sub = cps[lines]  # padding (0) is neither
            fem, male = np.isin(sub, _cps(_FEMALE)), np.isin(sub, _cps(_MALE))
            # the counts leave out the edited position itself
            f = (fem.sum(axis=1)[inv] - fem[inv, p]).astype(np.float64)
            m = (male.sum(axis=1)[inv] - male[inv, p]).astype(np.float64)
            sign = np.where(c == ord("她"), 1.0, np.where(c == ord("他"), -1.0, 0.0))
            out = (sign * (np.log1p(f) - np.log1p(m))).astype(np.float32)
            x[idx, _F["ta_cue"]] = out



#: Coarse word classes around 的/地/得: 0 noun, 1 verb, 2 adjective, 3 adverb, 4 boundary/punctuation, 5 other, 6 unknown.
N_CLASSES = 7


def add_encoder_features(
    encoder: CharEncoder, texts: Sequence[str], batch: CandidateBatch, sel: np.ndarray, s1_logit: np.ndarray
) -> None:
    """Fill the :data:`ENCODER_FEATURES` of rows ``sel`` of ``batch`` (candidates of ``texts``) in place.

    One encoder pass per window of each text holding a selected candidate; logits only at those positions.
    """
    if not len(sel):
        return
    s = encoder.score(texts, batch.row[sel], batch.pos[sel], batch.cand[sel])
    x = batch.x
    x[sel, _F["s1_logit"]] = s1_logit[sel]
    x[sel, _F["enc_cand"]] = s.cand
    x[sel, _F["enc_orig"]] = s.orig
    x[sel, _F["enc_ratio"]] = s.cand - s.orig
    x[sel, _F["enc_rank"]] = s.rank
    x[sel, _F["enc_gap"]] = s.top - s.cand


def word_classes(words: WordTable, cps: np.ndarray, row: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class of the longest dictionary word ending just before and starting just after each position."""
    from .words import MAX_SPAN, POS_CLASSES, word_hashes

    pc = {name: k for k, name in enumerate(POS_CLASSES)}
    to_class = np.full(len(POS_CLASSES), 5, dtype=np.int64)
    to_class[[pc["n"], pc["name"], pc["proper"], pc["r"]]] = 0
    to_class[pc["v"]] = 1
    to_class[[pc["a"], pc["idiom"]]] = 2
    to_class[pc["d"]] = 3
    to_class[pc["none"]] = 6
    width = cps.shape[1]
    out = []
    for side in (-1, 1):
        best_len = np.zeros(len(row), dtype=np.int64)
        cls = np.full(len(row), 6, dtype=np.int64)
        for length in range(1, MAX_SPAN + 1):
            start = pos - length if side < 0 else pos + 1
            ok = (start >= 0) & (start + length <= width)
            if not ok.any():
                continue
            idx = np.flatnonzero(ok)
            mat = cps[row[idx][:, None], start[idx][:, None] + np.arange(length)]
            good = (mat > 0).all(axis=1)
            found, _, pclass = words.lookup(word_hashes(mat))
            found &= good
            hit = idx[found]
            best_len[hit] = length
            cls[hit] = to_class[pclass[found]]
        nb = pos + side
        inside = (nb >= 0) & (nb < width)
        ch = np.where(inside, cps[row, np.clip(nb, 0, width - 1)], 0)
        han = ((ch >= 0x3400) & (ch <= 0x9FFF)) | ((ch >= 0x20000) & (ch <= 0x3347F))
        cls = np.where(~han, 4, cls)
        out.append(cls)
    return out[0], out[1]


def de_logp(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log10 P(的/地/得 | previous class, next class) and log10 P(的/地/得 | next class), add-one smoothed."""
    c = np.asarray(counts, dtype=np.float64) + 1.0
    both = np.log10(c / c.sum(axis=0, keepdims=True))
    n = c.sum(axis=1)
    nxt = np.log10(n / n.sum(axis=0, keepdims=True))
    return both, nxt


def count_de_contexts(words: WordTable, lines: Sequence[str], chunk: int = 1 << 20) -> np.ndarray:
    """(3, N_CLASSES, N_CLASSES) counts of 的/地/得 by class of the previous and next word in clean ``lines``."""
    counts = np.zeros((3, N_CLASSES, N_CLASSES), dtype=np.int64)
    buf: list[str] = []
    size = 0

    def flush() -> None:
        text = "\n".join(buf)
        cps = _cps(text)[None, :]
        hits = np.flatnonzero(np.isin(cps[0], _cps(DE)))
        if len(hits):  # particles only: not inside a longer dictionary word
            inside = words.cover(np.broadcast_to(cps, (len(hits), cps.shape[1])), hits)["len"] > 0
            hits = hits[~inside]
        if len(hits):
            p, n = word_classes(words, cps, np.zeros(len(hits), dtype=np.int64), hits)
            lut = {ord(c): k for k, c in enumerate(DE)}
            ci = np.array([lut[v] for v in cps[0, hits].tolist()])
            np.add.at(counts, (ci, p, n), 1)

    for line in lines:
        buf.append(line)
        size += len(line) + 1
        if size >= chunk:
            flush()
            buf, size = [], 0
    if buf:
        flush()
    return counts
