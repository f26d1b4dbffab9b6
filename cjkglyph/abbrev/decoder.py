"""Pinyin-abbreviation decoder: ``bhys`` -> ``不好意思``, chosen in context.

Every maximal run of lowercase ASCII letters in a line is decoded (see
:func:`find_runs` for what counts as a run). A run is read as a sequence of
syllable tokens: one letter (the first letter of a syllable; ``z`` also stands
for ``zh``), a two-letter initial ``zh``/``ch``/``sh``, or a whole syllable
(``buhaoys``, ``bu hao ys`` inside one run); every reading is kept in a lattice.
Words of the :mod:`cjkglyph.lexicon` whose syllables match consecutive tokens
are its edges; a k-best search over the lattice with word frequencies proposes
expansions, and every proposal is then scored in its sentence by a log-linear
ranker over the features :data:`FEATURES`:

* ``lm``: the character language model's log10 score, in one batched call. For
  an n-gram model only the characters whose history the expansion touches
  differ between candidates, so each candidate is scored on a window of
  ``order - 1`` characters of context on both sides: the same ranking as
  scoring the whole sentence, much cheaper;
* ``lexicon``, ``words``, ``curated``, ``extra_letters``, ``single``: the sum of the
  words' log10 lexicon frequencies, the number of words, of words from the
  curated list of conventional chat abbreviations (``yyds`` is 永远的神 even where
  永远都是 reads more fluently), of letters beyond one per syllable
  (``sh`` read as one syllable), and whether the expansion is one character;
* from :class:`cjkglyph.lm.word_context.WordContext` (the context is segmented
  with jieba): the words' log10 frequencies in three genres of the corpus
  (``freq_*``), the association of the first word with the word before and of
  the last word with the word after (``assoc_left``/``assoc_right``: log10
  P(w | neighbour) / P(w)), and the cosine between the words' topic vectors and
  the context's (``topic``; ``no_topic`` when no word has one);
* ``repeat``: the expansion occurs in the rest of the line (学历，李湘学历，汪涵xl);
* ``enc_masked`` and ``enc_letters`` (second stage only): how well the candidate's
  characters fit the run according to the shared character encoder (run masked)
  and to its letter-aware fine-tuning (the typed letters in place)
  (:mod:`cjkglyph.abbrev.encoder_features`).

The ranker has two stages: the first ranks every proposal on the features above
but the encoder's; where its best two candidates are close (less than the
file's margin apart), the second re-scores its best few with all features (the
shipped file weighs ``enc_letters`` and leaves ``enc_masked`` at 0: the letter-aware
encoder made it redundant, so only that model is loaded).
The weights (``data/lexicon/abbrev_ranker.json``) were fitted by
``scripts/train_abbrev_ranker.py`` on synthetic examples made from corpus 'tune'
lines of 17 genres (the LM and the word statistics were built on 'train' lines),
with the genre frequencies ``freq_*`` held at 0 (they did not transfer across
genres better than without them); the letter-aware encoder was fine-tuned on 'train'
lines (``scripts/finetune_abbrev_encoder.py``); ``curated`` is set by hand (chat slang is
absent from the corpus).

Lines with several runs are decoded one run at a time, left to right, each
with the best expansions of the others in its context, then once more each run
with all others decoded (so a run sees its right-hand neighbours decoded too).
The k candidates of a line are its best reading and the alternatives that
change one run, ranked by total score.

>>> from cjkglyph.abbrev import AbbreviationDecoder
>>> dec = AbbreviationDecoder()                              # doctest: +SKIP
>>> dec("真的bhys，我来晚了")["candidates"][0]["text"]        # doctest: +SKIP
'真的不好意思，我来晚了'
"""

from __future__ import annotations

import heapq
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .encoder_features import ENCODER_FEATURES, encoder_features

if TYPE_CHECKING:
    import numpy as np

    from ..lexicon import Lexicon

__all__ = [
    "FEATURES",
    "AbbreviationDecoder",
    "Run",
    "Scorer",
    "decode",
    "default_decoder",
    "english_words",
    "find_runs",
    "is_latin_word",
    "load_rescore",
    "load_weights",
]

#: Ranking features of a candidate expansion (see the module docstring), in weight-vector order.
FEATURES: tuple[str, ...] = (
    "lm",
    "lexicon",
    "words",
    "curated",
    "extra_letters",
    "single",
    "freq_reviews",
    "freq_news",
    "freq_general",
    "assoc_left",
    "assoc_right",
    "topic",
    "no_topic",
    "repeat",
    *ENCODER_FEATURES,
)
_COL = {f: i for i, f in enumerate(FEATURES)}
#: Features that need a :class:`cjkglyph.lm.word_context.WordContext`.
_CONTEXT_FEATURES = frozenset(f for f in FEATURES if f.startswith(("freq_", "assoc_")) or f.endswith("topic"))

#: Characters on each side of a run searched for a repeat of the expansion.
_REPEAT_CHARS = 60

#: Runs longer than this many letters (not counting spaces) are not abbreviations: they are left as they
#: are and listed in the result's ``skipped`` (:attr:`AbbreviationDecoder.max_run` changes it).
MAX_RUN = 40

#: Two-letter Latin tokens that are kept by default (most two-letter runs are abbreviations: xx, cs, my;
#: QQ and PS are usually written in capitals, which are never decoded, while qq and ps are often 全球, 破损).
_COMMON_SHORT = frozenset({"ok", "hi", "pk", "id", "ip", "tv", "pc", "vs", "ui"})
_VOWELS = frozenset("aeiouy")


class Scorer(Protocol):
    """A sentence scorer: log10 probability of each text (higher is better)."""

    def score(self, texts: Sequence[str]) -> np.ndarray: ...


class Proposal(NamedTuple):
    """A context-free expansion of a letter run (see :meth:`AbbreviationDecoder.expansions`)."""

    text: str
    logp: float  # sum of the words' log10 lexicon frequencies
    n_words: int
    curated: int  # words from the curated list of chat abbreviations
    words: tuple[str, ...]
    word_logp: tuple[float, ...]  # each word's log10 lexicon frequency


@lru_cache(maxsize=4)
def _ranker_file(path: str | None) -> dict[str, Any]:
    import json

    from ..errors import ResourceError
    from ..resources import data_path

    file = data_path("lexicon", "abbrev_ranker.json") if path is None else path
    try:
        with open(file, encoding="utf-8") as f:
            raw = json.load(f)
        out: dict[str, Any] = {"weights": {str(k): float(v) for k, v in raw["weights"].items()}}
        rescore = raw.get("rescore")
        if rescore is not None:
            out["rescore"] = {str(k): float(v) for k, v in rescore["weights"].items()}
            out["top"] = int(rescore["top"])
            margin = rescore.get("margin")
            out["margin"] = float("inf") if margin is None else float(margin)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ResourceError(f"cannot read ranker weights {file}: {e}; rebuild with scripts/train_abbrev_ranker.py") from None
    for part in ("weights", "rescore"):
        unknown = set(out.get(part, ())) - set(FEATURES)
        if unknown:
            raise ResourceError(f"{file}: unknown features {sorted(unknown)}; rebuild with scripts/train_abbrev_ranker.py")
    return out


def load_weights(path: str | None = None) -> dict[str, float]:
    """Ranker weights ``{feature: weight}`` from a JSON file (default: the shipped ``abbrev_ranker.json``)."""
    return dict(_ranker_file(path)["weights"])


def load_rescore(path: str | None = None) -> tuple[int, float, dict[str, float]] | None:
    """The second stage of a ranker file: (how many of the best first-stage candidates it re-scores, the
    first-stage margin below which it runs, ``{feature: weight}`` over all :data:`FEATURES`), or None."""
    raw = _ranker_file(path)
    return (raw["top"], raw["margin"], dict(raw["rescore"])) if "rescore" in raw else None


# ---------------------------------------------------------------------------
# runs


@dataclass(frozen=True)
class Run:
    """A letter run of the source line: ``text[start:end] == letters``."""

    start: int
    end: int
    letters: str


_ASCII_WORD = re.compile(r"[A-Za-z]+")
# characters that glue ASCII words into one token (URLs, e-mail, file names, e-mail, C++)
_GLUE = frozenset("./@:-_'&+#\\%=~")


def find_runs(text: str, keep: Callable[[str], bool] | None = None) -> list[Run]:
    """Letter runs of ``text`` to decode, in order.

    A letter group is a maximal run of ASCII letters that are all lowercase
    (``iPhone`` and ``OK`` are left alone; digits do not join groups: ``2yy``
    holds ``yy``) and that is not glued to more ASCII letters or digits by one
    of ``./@:-_'&+#\\%=~`` (URLs, e-mail addresses, file names).
    ``keep(group)`` returning true leaves a group alone. Groups separated by
    single spaces form one run (``bu hao ys``): the spaces are syllable
    boundaries and vanish from the expansion.

    >>> [(r.start, r.letters) for r in find_runs("yyds! 用zfb付了2yy，iPhone和www.qq.com不算，bu hao ys")]
    [(0, 'yyds'), (7, 'zfb'), (13, 'yy'), (36, 'bu hao ys')]
    """
    groups: list[tuple[int, int]] = []
    n = len(text)
    for m in _ASCII_WORD.finditer(text):
        s, e = m.span()
        letters = m.group()
        if not letters.islower():
            continue
        if s >= 2 and text[s - 1] in _GLUE and text[s - 2].isascii() and text[s - 2].isalnum():
            continue
        if e + 1 < n and text[e] in _GLUE and text[e + 1].isascii() and text[e + 1].isalnum():
            continue
        if keep is not None and keep(letters):
            continue
        if groups and groups[-1][1] + 1 == s and text[s - 1] == " ":
            groups[-1] = (groups[-1][0], e)
        else:
            groups.append((s, e))
    return [Run(s, e, text[s:e]) for s, e in groups]


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The shipped English word list (SCOWL size 35, lowercase words of 2+ letters)."""
    from ..resources import data_path

    with open(data_path("lexicon", "english_words.txt"), encoding="utf-8") as f:
        return frozenset(w.strip() for w in f if w.strip())


def is_latin_word(letters: str) -> bool:
    """Whether a run reads as an English word or a common Latin token, kept by default.

    English words of three letters or more with a vowel (``app``, ``wifi``, ``hello``, ``vip``) and a few
    two-letter tokens (``ok``, ``pk``, ``qq``, ``tv``); other two-letter words and vowel-less ones are far more
    often abbreviations (``my`` 没有, ``cs`` 城市, ``xxx`` 小行星).

    >>> [w for w in ("app", "ok", "wifi", "my", "xxx", "bhys") if is_latin_word(w)]
    ['app', 'ok', 'wifi']
    """
    if len(letters) == 2:
        return letters in _COMMON_SHORT
    return len(letters) > 2 and letters in english_words() and not _VOWELS.isdisjoint(letters)


# ---------------------------------------------------------------------------
# the token lattice of one run

# token kinds
_ANY, _INITIAL, _SYLLABLE = 0, 1, 2


@dataclass(frozen=True)
class _Token:
    end: int
    letter: str  # the key letter
    kind: int
    value: int  # syllable id for _SYLLABLE; initial class (1 = zh/ch/sh) for _INITIAL


@dataclass
class _Tables:
    """Per-lexicon tables derived once: syllable spellings and which start with zh/ch/sh."""

    syllable_id: dict[str, int]
    retroflex: np.ndarray  # bool per syllable id
    longest: int


@lru_cache(maxsize=4)
def _tables_for(syllables: tuple[str, ...]) -> _Tables:
    import numpy as np

    from ..lexicon import SYLLABLE_ALIASES

    sid = {s: i for i, s in enumerate(syllables)}
    for alias, canon in SYLLABLE_ALIASES.items():
        if canon in sid and alias.isalpha():
            sid[alias] = sid[canon]
    retro = np.array([s[:2] in ("zh", "ch", "sh") for s in syllables], dtype=bool)
    return _Tables(sid, retro, max(len(s) for s in sid))


def _token_lattice(letters: str, tables: _Tables, breaks: frozenset[int] = frozenset()) -> list[list[_Token]]:
    """Tokens starting at each position of ``letters``; no token crosses a position in ``breaks``."""
    n = len(letters)
    out: list[list[_Token]] = [[] for _ in range(n)]
    for i, c in enumerate(letters):
        out[i].append(_Token(i + 1, c, _ANY, -1))
        limit = min(n, i + tables.longest)
        for b in breaks:
            if i < b < limit:
                limit = b
        if c in "zcs" and i + 2 <= limit and letters[i + 1] == "h":
            out[i].append(_Token(i + 2, c, _INITIAL, 1))
        for j in range(i + 2, limit + 1):
            s = tables.syllable_id.get(letters[i:j])
            if s is not None:
                out[i].append(_Token(j, c, _SYLLABLE, s))
    return out


# ---------------------------------------------------------------------------
# the decoder


@dataclass
class AbbreviationDecoder:
    """Decode pinyin abbreviations in context (see the module docstring).

    ``lm``: a :class:`Scorer` (or a callable ``texts -> log10 array``), ``"default"``
    for the shipped character LM, or None for dictionary frequencies only.
    ``word_context``: a :class:`cjkglyph.lm.word_context.WordContext`, a path,
    ``"default"`` for the shipped one, or None (its features are then 0).
    ``weights``: ``{feature: weight}`` over :data:`FEATURES` (missing ones are 0),
    a JSON file (see :func:`load_weights`) or ``"default"`` for the shipped ones.
    ``reranker``: an optional object with ``rerank(items)`` (see
    :mod:`cjkglyph.abbrev.neural`) whose scores are added with ``reranker_weight``.
    ``encoder`` and ``letter_encoder`` (each a :class:`cjkglyph.encoder.CharEncoder`,
    ``"default"``: loaded when the second stage weighs its feature, or None) and
    ``rescore`` (second-stage weights over all :data:`FEATURES`; ``"default"``: those of
    the weights file): the ``rescore_top`` best first-stage candidates are re-scored with
    the encoder's features (:mod:`cjkglyph.abbrev.encoder_features`) too, where the best
    two first-stage scores are less than ``rescore_margin`` apart (default: the file's).
    ``keep_english`` (default on): runs that read as English words or common Latin
    tokens (:func:`is_latin_word`: app, ok, wifi, vip) are left alone; ``keep``: more
    runs to leave alone. Every other run is decoded, however many a line holds, except
    runs of more than ``max_run`` letters, which are listed in the result's ``skipped``.
    """

    lm: Any = "default"
    lexicon: Lexicon | None = None
    word_context: Any = "default"
    weights: Any = "default"
    gen_word_penalty: float = -1.5
    per_key: int = 500
    per_char: int = 40
    beam: int = 400
    max_candidates: int = 300
    context: int | None = None
    keep_english: bool = True
    max_run: int = MAX_RUN
    keep: frozenset[str] = frozenset()
    reranker: Any = None
    reranker_weight: float = 1.0
    rerank_top: int = 20
    unknown_word_logp: float = -8.0
    encoder: Any = "default"
    letter_encoder: Any = "default"
    rescore: Any = "default"
    rescore_top: int | None = None
    rescore_margin: float | None = None
    encoder_context: int = 32

    def __post_init__(self) -> None:
        import numpy as np

        if self.lexicon is None:
            from ..lexicon import default_lexicon

            self.lexicon = default_lexicon()
        if isinstance(self.lm, str):
            from ..lm import LanguageModel

            self.lm = LanguageModel.load(None if self.lm == "default" else self.lm)
        second = None
        if isinstance(self.weights, str):
            file = None if self.weights == "default" else self.weights
            self.weights = dict(load_weights(file))
            second = load_rescore(file)
        else:
            self.weights = {str(k): float(v) for k, v in dict(self.weights).items()}
        if isinstance(self.rescore, str):
            # "default": the second stage of the weights file (none when the weights are given as a dict)
            self.rescore = second[2] if second else None
        elif self.rescore is not None:
            self.rescore = {str(k): float(v) for k, v in dict(self.rescore).items()}
        if self.rescore_top is None:
            self.rescore_top = second[0] if second else 5
        if self.rescore_margin is None:
            self.rescore_margin = second[1] if second else float("inf")
        for table in (self.weights, self.rescore or {}):
            unknown = set(table) - set(FEATURES)
            if unknown:
                raise ValueError(f"unknown ranking features {sorted(unknown)}; known: {', '.join(FEATURES)}")
        self._w = np.array([self.weights.get(f, 0.0) for f in FEATURES])
        self._w[[_COL[f] for f in ENCODER_FEATURES]] = 0.0  # computed for the second stage only
        # "default": an encoder is loaded when the second stage weighs its feature
        if self.encoder == "default":
            from ..encoder import default_encoder

            self.encoder = default_encoder() if self.rescore and self.rescore.get("enc_masked") else None
        if self.letter_encoder == "default":
            from .encoder_features import letter_encoder

            self.letter_encoder = letter_encoder() if self.rescore and self.rescore.get("enc_letters") else None
        has_encoder = self.encoder is not None or self.letter_encoder is not None
        self._w2 = np.array([self.rescore.get(f, 0.0) for f in FEATURES]) if self.rescore and has_encoder else None
        uses_context = any(table.get(f, 0.0) for table in (self.weights, self.rescore or {}) for f in _CONTEXT_FEATURES)
        if isinstance(self.word_context, (str, Path)):
            from ..lm.word_context import WordContext

            path = None if self.word_context == "default" else self.word_context
            self.word_context = WordContext.load(path) if uses_context or path is not None else None
        self.keep = frozenset(self.keep)
        lex = self.lexicon
        self._tables = _tables_for(tuple(str(s) for s in lex.syllables))
        self._word_cache: dict[str, list[Proposal]] = {}

    def clear_cache(self) -> None:
        """Forget the memoised context-free proposals (they are kept per letter run)."""
        self._word_cache.clear()

    # -- configuration ---------------------------------------------------

    @property
    def window(self) -> int:
        """Characters of context kept on each side when scoring with the LM."""
        if self.context is not None:
            return self.context
        order = getattr(self.lm, "order", None)
        return int(order) - 1 if order else 10**9

    def _keep(self, letters: str) -> bool:
        return letters in self.keep or (self.keep_english and is_latin_word(letters))

    def _lm_scores(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if self.lm is None or not texts:
            return np.zeros(len(texts))
        fn = getattr(self.lm, "score", self.lm)
        return np.asarray(fn(texts), dtype=np.float64)

    # -- context-free candidates of one run -------------------------------

    def _edges(self, letters: str) -> list[dict[int, tuple[np.ndarray, np.ndarray]]]:
        """Word edges by end position: ``ends[end][start] = (entries, log10 freqs)``, most frequent first."""
        import numpy as np

        lex = self.lexicon
        assert lex is not None
        tables = self._tables
        pieces = letters.split()
        letters = "".join(pieces)
        breaks = frozenset(itertools.accumulate(len(p) for p in pieces[:-1]))
        lattice = _token_lattice(letters, tables, breaks)
        n = len(letters)
        found: list[dict[int, list[np.ndarray]]] = [{} for _ in range(n + 1)]
        maxlen = lex.keys.dtype.itemsize

        def emit(start: int, end: int, key: str, cons: list[tuple[int, int, int]]) -> None:
            lo, hi = lex.key_range(key)
            if lo >= hi:
                return
            limit = self.per_key if len(key) > 1 else self.per_char
            if cons:
                ok = np.ones(hi - lo, dtype=bool)
                base = lex.offsets[lo:hi]
                for t, kind, value in cons:
                    syl = lex.syl[base + t]
                    ok &= tables.retroflex[syl] if kind == _INITIAL else syl == value
                idx = np.flatnonzero(ok)[:limit] + lo
            else:
                idx = np.arange(lo, min(hi, lo + limit))
            if idx.size:
                found[end].setdefault(start, []).append(idx)

        def walk(start: int, pos: int, key: str, cons: list[tuple[int, int, int]]) -> None:
            if key:
                emit(start, pos, key, cons)
            if pos >= n or len(key) >= maxlen:
                return
            for tok in lattice[pos]:
                nk = key + tok.letter
                if not lex.has_prefix(nk):
                    continue
                nc = cons if tok.kind == _ANY else [*cons, (len(key), tok.kind, tok.value)]
                walk(start, tok.end, nk, nc)

        for start in range(n):
            walk(start, start, "", [])
        ends: list[dict[int, tuple[np.ndarray, np.ndarray]]] = [{} for _ in range(n + 1)]
        for end, groups in enumerate(found):
            for start, parts in groups.items():
                idx = np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
                logp = lex.logp[idx]
                order = np.argsort(-logp, kind="stable")
                ends[end][start] = (idx[order], logp[order])
        return ends

    def expansions(self, letters: str) -> list[Proposal]:
        """Context-free proposals for one run, best first.

        Each is a :class:`Proposal`: the characters, the sum of the words' log10
        frequencies, the number of words and of those from the curated
        abbreviation list, the words and their log10 frequencies.

        A k-best search over segmentations: hypotheses at each position are
        merged lazily from (hypothesis at start) x (edge start->end), both sorted.
        """
        cached = self._word_cache.get(letters)
        if cached is not None:
            return cached
        lex = self.lexicon
        assert lex is not None
        n = len(letters.replace(" ", ""))
        ends = self._edges(letters)
        pen = self.gen_word_penalty
        # hyps[pos]: [(gen score, word score, words, start, hyp index at start, entry)], best first
        hyps: list[list[tuple[float, float, int, int, int, int]]] = [[] for _ in range(n + 1)]
        hyps[0] = [(0.0, 0.0, 0, -1, -1, -1)]
        for end in range(1, n + 1):
            heap: list[tuple[float, int, int, int]] = []
            groups = [(start, *ends[end][start]) for start in ends[end] if hyps[start]]
            for g, (start, _, logp) in enumerate(groups):
                heap.append((-(hyps[start][0][0] + float(logp[0]) + pen), g, 0, 0))
            heapq.heapify(heap)
            seen: set[tuple[int, int, int]] = set()
            out = hyps[end]
            while heap and len(out) < self.beam:
                neg, g, a, j = heapq.heappop(heap)
                start, entries, logp = groups[g]
                h = hyps[start][a]
                lp = float(logp[j])
                out.append((-neg, h[1] + lp, h[2] + 1, start, a, int(entries[j])))
                for na, nj in ((a + 1, j), (a, j + 1)):
                    if na < len(hyps[start]) and nj < len(entries) and (g, na, nj) not in seen:
                        seen.add((g, na, nj))
                        heapq.heappush(heap, (-(hyps[start][na][0] + float(logp[nj]) + pen), g, na, nj))
        best: dict[str, Proposal] = {}
        for i, h in enumerate(hyps[n]):
            words: list[str] = []
            logps: list[float] = []
            curated = 0
            pos, idx = n, i
            while pos > 0:
                hh = hyps[pos][idx]
                words.append(lex.word(hh[5]))
                logps.append(float(lex.logp[hh[5]]))
                curated += int(lex.curated[hh[5]])
                pos, idx = hh[3], hh[4]
            text = "".join(reversed(words))
            if text not in best:
                best[text] = Proposal(text, h[1], h[2], curated, tuple(reversed(words)), tuple(reversed(logps)))
            if len(best) >= self.max_candidates:
                break
        result = list(best.values())
        if len(self._word_cache) > 4096:
            self._word_cache.clear()
        self._word_cache[letters] = result
        return result

    # -- scoring in context ----------------------------------------------

    def _proposals(self, text: str, run: Run) -> list[Proposal]:
        props = self.expansions(run.letters)
        if self.reranker is not None and getattr(self.reranker, "proposes", lambda: False)():
            seen = {p.text for p in props}
            extra = self.reranker.propose(text[: run.start], run.letters, text[run.end :])
            u = self.unknown_word_logp
            props = props + [Proposal(t, u, 1, 0, (t,), (u,)) for t, _ in extra if t not in seen]
        return props

    def candidate_features(self, text: str, run: Run) -> tuple[list[str], np.ndarray]:
        """The candidate expansions of ``run`` in ``text`` and their (n, len(FEATURES)) feature matrix.

        >>> dec = AbbreviationDecoder()                                    # doctest: +SKIP
        >>> texts, X = dec.candidate_features("真的bhys", find_runs("真的bhys")[0])  # doctest: +SKIP
        """
        import numpy as np

        props = self._proposals(text, run)
        n = len(props)
        X = np.zeros((n, len(FEATURES)))
        if not n:
            return [], X
        texts = [p.text for p in props]
        w = self.window
        left = text[max(0, run.start - w) : run.start]
        right = text[run.end : run.end + w]
        c = _COL
        X[:, c["lm"]] = self._lm_scores([left + t + right for t in texts])
        X[:, c["lexicon"]] = [p.logp for p in props]
        X[:, c["words"]] = [p.n_words for p in props]
        X[:, c["curated"]] = [p.curated for p in props]
        letters = len(run.letters.replace(" ", ""))
        X[:, c["extra_letters"]] = [letters - len(t) for t in texts]
        X[:, c["single"]] = [len(t) == 1 for t in texts]
        around = text[max(0, run.start - _REPEAT_CHARS) : run.start] + "\n" + text[run.end : run.end + _REPEAT_CHARS]
        X[:, c["repeat"]] = [t in around for t in texts]
        wc = self.word_context
        if wc is not None:
            lw, rw = wc.context_words(text[: run.start], text[run.end :])
            prev, nxt = wc.neighbours(lw, rw)
            counts = np.array([len(p.words) for p in props])
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            ids = wc.ids([x for p in props for x in p.words])
            # words outside the table (rare, or chat slang absent from the corpus) keep their lexicon frequency
            backoff = np.array([x for p in props for x in p.word_logp])
            freq = np.add.reduceat(wc.log_freq(ids, backoff), starts, axis=0)
            for g, name in enumerate(wc.group_names):
                if f"freq_{name}" in c:
                    X[:, c[f"freq_{name}"]] = freq[:, g]
            X[:, c["assoc_left"]] = wc.association_left(prev, ids[starts])
            X[:, c["assoc_right"]] = wc.association_right(ids[starts + counts - 1], nxt)
            has = wc.has_vector(ids).astype(np.float64)
            sims = wc.similarity(ids, wc.context_vector(lw + rw)) * has
            known = np.add.reduceat(has, starts)
            X[:, c["topic"]] = np.add.reduceat(sims, starts) / np.maximum(known, 1)
            X[:, c["no_topic"]] = known == 0
        return texts, X

    def add_encoder_features(self, text: str, run: Run, texts: Sequence[str], X: np.ndarray, rows: Sequence[int]) -> None:
        """Fill the :data:`ENCODER_FEATURES` columns of ``X`` for the candidates ``rows``."""
        import numpy as np

        cols = [_COL[f] for f in ENCODER_FEATURES]
        X[np.ix_(list(rows), cols)] = encoder_features(
            self.encoder,
            text[: run.start],
            [texts[i] for i in rows],
            text[run.end :],
            context=self.encoder_context,
            letters=run.letters,
            letter_encoder=self.letter_encoder,
        )

    def _score_run(self, text: str, run: Run) -> list[tuple[str, float]]:
        """(expansion, score) for one run of ``text`` (other runs as they are in ``text``), best first."""
        import numpy as np

        texts, X = self.candidate_features(text, run)
        if not texts:
            return [(run.letters, 0.0)]
        scores = X @ self._w
        order = np.argsort(-scores, kind="stable")
        close = len(texts) > 1 and scores[order[0]] - scores[order[1]] < float(self.rescore_margin or 0.0)
        if self._w2 is not None and close:
            # second stage: the best candidates re-scored with the encoder; the others follow, gaps kept
            k = min(int(self.rescore_top or 0), len(texts))
            top = order[:k]
            self.add_encoder_features(text, run, texts, X, top)
            second = X[top] @ self._w2
            rest = order[k:]
            scores = scores.copy()
            if len(rest):
                scores[rest] += second.min() - scores[top[-1]]
            scores[top] = second
            order = np.concatenate([top[np.argsort(-second, kind="stable")], rest])
        ranked = [(texts[i], float(scores[i])) for i in order]
        if self.reranker is not None and len(ranked) > 1:
            ranked = self._rerank(text, run, ranked)
        return ranked

    def _rerank(self, text: str, run: Run, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        top = ranked[: self.rerank_top]
        neural = self.reranker.rerank([(text[: run.start], t, text[run.end :], run.letters) for t, _ in top])
        rescored = [(t, s + self.reranker_weight * float(x)) for (t, s), x in zip(top, neural, strict=True)]
        rescored.sort(key=lambda ts: -ts[1])
        return rescored + ranked[self.rerank_top :]

    @staticmethod
    def _substitute(text: str, runs: Sequence[Run], chosen: Sequence[str]) -> str:
        parts: list[str] = []
        pos = 0
        for r, c in zip(runs, chosen, strict=True):
            parts.append(text[pos : r.start])
            parts.append(c)
            pos = r.end
        parts.append(text[pos:])
        return "".join(parts)

    def decode(self, text: str, k: int = 10) -> dict[str, Any]:
        """Decode every run of one line: ``{"source", "runs", "candidates"}`` (best first).

        Each candidate: ``text`` (the whole line with the runs replaced),
        ``expansion`` (the characters that replaced the runs; several runs are
        joined with a space), ``expansions`` (one per run) and ``score``.
        A Traditional line (:func:`cjkglyph.script.detect_script`) is decoded in
        Simplified and its expansions are written in Traditional characters.
        """
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        from ..script import detect_script, simplified_aligned, traditional_aligned

        if not find_runs(text, self._keep) or detect_script(text) != "traditional":
            return self._decode(text, k)
        out = self._decode(simplified_aligned(text), k)
        runs = [Run(r["start"], r["end"], r["letters"]) for r in out["runs"]]
        for c in out["candidates"]:
            c["expansions"] = [traditional_aligned(e) for e in c["expansions"]]
            c["expansion"] = " ".join(c["expansions"])
            c["text"] = self._substitute(text, runs, c["expansions"])
        out["source"] = text
        return out

    def _decode(self, text: str, k: int) -> dict[str, Any]:
        k = max(1, int(k))
        runs, skipped = [], []
        for r in find_runs(text, self._keep):
            (runs if len(r.letters) - r.letters.count(" ") <= self.max_run else skipped).append(r)
        run_info = [{"start": r.start, "end": r.end, "letters": r.letters} for r in runs]
        skip_info = [{"start": r.start, "end": r.end, "letters": r.letters} for r in skipped]
        if not runs:
            empty = {"text": text, "expansion": "", "expansions": [], "score": 0.0}
            return {"source": text, "runs": [], "skipped": skip_info, "candidates": [empty]}
        chosen = [r.letters for r in runs]
        ranked: list[list[tuple[str, float]]] = [[] for _ in runs]
        passes = 1 if len(runs) == 1 else 2
        for _ in range(passes):
            for i, r in enumerate(runs):
                # context: the current choices for every other run
                others = self._substitute(text, runs, [*chosen[:i], r.letters, *chosen[i + 1 :]])
                shift = sum(len(chosen[j]) - len(runs[j].letters) for j in range(i))
                local = Run(r.start + shift, r.end + shift, r.letters)
                ranked[i] = self._score_run(others, local)
                chosen[i] = ranked[i][0][0]
        best_total = sum(rk[0][1] for rk in ranked)
        options: list[tuple[float, int, int]] = [(best_total, -1, 0)]
        for i, rk in enumerate(ranked):
            for j in range(1, min(k, len(rk))):
                options.append((best_total - rk[0][1] + rk[j][1], i, j))
        options.sort(key=lambda o: -o[0])
        cands = []
        for total, i, j in options[:k]:
            pick = list(chosen)
            if i >= 0:
                pick[i] = ranked[i][j][0]
            cands.append(
                {
                    "text": self._substitute(text, runs, pick),
                    "expansion": " ".join(pick),
                    "expansions": pick,
                    "score": round(total, 4),
                }
            )
        return {"source": text, "runs": run_info, "skipped": skip_info, "candidates": cands}

    def __call__(self, text: str, k: int = 10) -> dict[str, Any]:
        return self.decode(text, k)

    def decode_batch(self, texts: Iterable[str], k: int = 10) -> list[dict[str, Any]]:
        """:meth:`decode` for each text."""
        return [self.decode(t, k) for t in texts]


def decode(text: str, k: int = 10, **options: Any) -> dict[str, Any]:
    """Decode the runs of one line with a shared default decoder (``options`` build a new one).

    >>> decode("真的bhys")["candidates"][0]["expansion"]   # doctest: +SKIP
    '不好意思'
    """
    if options:
        return AbbreviationDecoder(**options).decode(text, k)
    return default_decoder().decode(text, k)


_DEFAULT: AbbreviationDecoder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_decoder() -> AbbreviationDecoder:
    """The decoder with the shipped data, built once per process."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = AbbreviationDecoder()
        return _DEFAULT
