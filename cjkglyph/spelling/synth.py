"""Synthetic spelling errors with the statistics of real ones (Wang271K-style training data).

:func:`error_stats` measures learner pairs (``source``, ``target``, same length):
how many errors an erroneous sentence has, which characters get them, which
(right -> wrong) pairs occur and the mix of similarity-graph relations they fall
in. :class:`ErrorSampler` puts errors with those statistics into correct
sentences: an observed pair (share ``observed_share``) or a graph neighbour of a
relation drawn with the observed mix, weighted by the graph score.

>>> from cjkglyph.graph.similarity import build_graph
>>> g = build_graph("我们今天去公园圆元玩")                            # doctest: +SKIP
>>> stats = error_stats([("我们去公圆玩", "我们去公园玩")], g)        # doctest: +SKIP
>>> ErrorSampler(stats, g, set("我们今天去公园圆元玩"), clean=0.0).corrupt("我们今天去公园玩")  # doctest: +SKIP
'我们今天去公圆玩'
"""

from __future__ import annotations

import bisect
import collections
import random
from typing import Any

import numpy as np

from ..chars import is_han

__all__ = ["GROUPS", "NATIVE_MIX", "ErrorSampler", "error_stats", "native_sampler"]

#: Relation groups of the similarity graph that errors are drawn from.
GROUPS = ("same-sound-same-tone", "same-sound-other-tone", "similar-sound", "similar-shape")
#: Shares of :data:`GROUPS` for native typing errors (pinyin input: mostly the same sound).
NATIVE_MIX = (0.6, 0.3, 0.1, 0.0)


def error_stats(pairs: list[tuple[str, str]], graph: Any) -> dict[str, Any]:
    """Error statistics of ``pairs``: errors per erroneous sentence (per character), char propensity, relation mix."""
    occ: collections.Counter[str] = collections.Counter()
    err: collections.Counter[str] = collections.Counter()
    obs: collections.Counter[tuple[str, str]] = collections.Counter()
    rates, clean = [], 0
    for s, t in pairs:
        n = 0
        for a, b in zip(s, t):
            if is_han(b):
                occ[b] += 1
            if a != b:
                err[b] += 1
                obs[(b, a)] += 1
                n += 1
        if n:
            rates.append(n / max(1, len(s)))
        else:
            clean += 1
    rel: collections.Counter[str] = collections.Counter()
    for (right, wrong), n in obs.items():
        found = {x.char: x.relation for x in graph.similar(right, "any", 100)} if right in graph else {}
        rel[found.get(wrong, "none")] += n
    total_err = sum(obs.values())
    in_graph = sum(rel[g] for g in GROUPS)
    return {
        "sentences": len(pairs),
        "clean_share": clean / max(1, len(pairs)),
        "error_rates": rates,  # errors / characters, per erroneous sentence
        "occ": dict(occ),
        "err": dict(err),
        "observed": {f"{a}{b}": n for (a, b), n in obs.items()},
        "relation_mix": {g: rel[g] / max(1, in_graph) for g in GROUPS},
        "observed_share": 0.3,
        "not_in_graph": rel["none"] / max(1, total_err),
    }


class ErrorSampler:
    """Puts graph-sampled substitution errors into correct sentences with given statistics.

    ``stats``: :func:`error_stats`; ``graph``: a :class:`~cjkglyph.graph.similarity.SimilarityGraph`;
    ``vocab``: characters a replacement may be; ``clean``: share of sentences left unchanged.
    """

    def __init__(self, stats: dict[str, Any], graph: Any, vocab: set[str], clean: float, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.clean = clean
        self.rates = sorted(stats["error_rates"]) or [0.03]
        self.observed: dict[str, tuple[list[str], list[int]]] = {}
        by_right: dict[str, list[tuple[str, int]]] = collections.defaultdict(list)
        for key, n in stats["observed"].items():
            right, wrong = key[0], key[1]
            if wrong in vocab:
                by_right[right].append((wrong, n))
        for right, lst in by_right.items():
            self.observed[right] = ([w for w, _ in lst], list(np.cumsum([n for _, n in lst])))
        self.obs_share = float(stats["observed_share"])
        self.mix = [stats["relation_mix"][g] for g in GROUPS]
        occ, err = stats["occ"], stats["err"]
        mean = sum(err.values()) / max(1, sum(occ.values()))
        # smoothed per-character error rate, relative to the mean (prior weight 20 occurrences)
        self.prop = {c: (err.get(c, 0) + 20 * mean) / (occ[c] + 20) / mean for c in occ}
        self.graph = graph
        self.vocab = vocab
        self._nb: dict[str, list[tuple[list[str], list[float]]]] = {}

    def neighbours(self, c: str) -> list[tuple[list[str], list[float]]]:
        """Per relation group: (chars, cumulative weights) of ``c``'s neighbours inside the vocabulary."""
        got = self._nb.get(c)
        if got is None:
            groups: list[tuple[list[str], list[float]]] = [([], []) for _ in GROUPS]
            if c in self.graph:
                for x in self.graph.similar(c, "any", 40):
                    if x.char in self.vocab and x.relation in GROUPS:
                        chars, cum = groups[GROUPS.index(x.relation)]
                        chars.append(x.char)
                        cum.append((cum[-1] if cum else 0.0) + max(x.score, 1e-4))
            self._nb[c] = got = groups
        return got

    def replacement(self, c: str) -> str | None:
        """A wrong character for ``c`` (None when it has no usable neighbour)."""
        rng = self.rng
        obs = self.observed.get(c)
        if obs is not None and rng.random() < self.obs_share:
            chars, cum = obs
            return chars[bisect.bisect_right(cum, rng.random() * cum[-1])]
        groups = self.neighbours(c)
        weights = [m if groups[k][0] else 0.0 for k, m in enumerate(self.mix)]
        if not any(weights):
            return None
        k = rng.choices(range(len(GROUPS)), weights)[0]
        chars, cum = groups[k]
        return chars[min(len(chars) - 1, bisect.bisect_right(cum, rng.random() * cum[-1]))]

    def corrupt(self, text: str) -> str:
        """``text`` with sampled errors (same length; unchanged with probability ``clean``)."""
        rng = self.rng
        if rng.random() < self.clean:
            return text
        pos = [i for i, c in enumerate(text) if is_han(c)]
        if not pos:
            return text
        rate = self.rates[rng.randrange(len(self.rates))]
        n = max(1, min(len(pos), int(rate * len(text) + rng.random())))
        weights = [self.prop.get(text[i], 1.0) for i in pos]
        chars = list(text)
        done: set[int] = set()
        for _ in range(3 * n):
            if len(done) >= n:
                break
            i = rng.choices(pos, weights)[0]
            if i in done:
                continue
            w = self.replacement(text[i])
            if w is not None and w != text[i]:
                chars[i] = w
                done.add(i)
        return "".join(chars)


def native_sampler(
    pairs: list[tuple[str, str]], texts: list[str], mix: tuple[float, ...] = NATIVE_MIX, seed: int = 0
) -> ErrorSampler:
    """An :class:`ErrorSampler` of native typing errors for ``texts``: errors per sentence and per character
    as in the learner ``pairs``, graph neighbours (over the characters of both) in the relation shares
    ``mix`` (one per :data:`GROUPS`), no learner pairs; every sentence gets errors."""
    from ..graph.similarity import build_graph

    if len(mix) != len(GROUPS):
        raise ValueError(f"mix needs {len(GROUPS)} shares ({', '.join(GROUPS)}), got {len(mix)}")
    chars = "".join(sorted({c for t in texts for c in t} | {c for _, t in pairs for c in t}))
    graph = build_graph(chars)
    stats = {**error_stats(pairs, graph), "observed_share": 0.0, "relation_mix": dict(zip(GROUPS, mix))}
    return ErrorSampler(stats, graph, set(chars), clean=0.0, seed=seed)
