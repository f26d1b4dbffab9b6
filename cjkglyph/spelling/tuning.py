"""Settings of a neural corrector (threshold, LM filter, combination with the statistical corrector),
chosen by sentence-level correction F1 on held-out pairs.

>>> from cjkglyph.spelling.tuning import tune_settings
>>> best, tables = tune_settings(corrector, sources, targets)          # doctest: +SKIP
>>> corrector.save_settings(model_dir, **best)                         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .metrics import csc_metrics
from .neural import NeuralCorrector, Prediction

__all__ = ["tune_settings"]


def tune_settings(
    corrector: NeuralCorrector, sources: Sequence[str], targets: Sequence[str], *, ngram: bool = True
) -> tuple[dict[str, float], dict[str, list[tuple[Any, float]]]]:
    """Settings of best sentence-level correction F1 on (sources, targets), e.g. a held-out part of the train data.

    Chooses ``restrict`` and ``threshold`` (neural alone), ``lm_threshold``/``lm_margin`` (``combine="lm"``) and,
    with ``ngram``, ``confirm``/``strong`` (``combine="ngram"``). Returns the
    settings and, per mode, F1 for each value tried.
    """
    src, gold = list(sources), list(targets)

    def f1(results: list[dict[str, Any]]) -> float:
        return csc_metrics(src, gold, [r["target"] for r in results])["sentence"]["correction"]["f1"]

    c = corrector
    base = c.ngram.correct_batch(src) if ngram else []
    queries = [[(e["pos"], e["right"]) for e in r["errors"]] for r in base] if ngram else None
    tables: dict[str, list[tuple[Any, float]]] = {"threshold": [], "lm": [], "ngram": []}
    best: dict[str, float] = {}
    # restrict (SpellGCN graph candidates) or not: whichever gives the better neural-alone F1
    variants = [0.0, 1.0] if c.graph_candidates() is not None else [0.0]
    chosen: tuple[float, float, float, list[Prediction]] | None = None
    for restrict in variants:
        c.settings["restrict"] = restrict
        preds = c.predict(src, queries)
        for thr in (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99):
            edits = [c.neural_edits(t, p, thr) for t, p in zip(src, preds)]
            score = f1([c.to_result(t, e) for t, e in zip(src, edits)])
            tables["threshold"].append(((restrict, thr), score))
            if chosen is None or score > chosen[2]:
                chosen = (restrict, thr, score, preds)
    assert chosen is not None
    best["restrict"], best["threshold"], _, preds = chosen
    c.settings["restrict"] = best["restrict"]
    every = [c.neural_edits(t, p, 0.0) for t, p in zip(src, preds)]
    deltas = c.lm_deltas(src, every)

    def pick(thr: float, margin: float | None) -> list[list[tuple[int, str, float]]]:
        return [
            [e for e, d in zip(es, ds) if e[2] >= thr and (margin is None or d >= -margin)] for es, ds in zip(every, deltas)
        ]

    for thr in (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98):
        for margin in (-1.0, -0.5, 0.0, 0.5, 1.0, 2.0):
            tables["lm"].append(((thr, margin), f1([c.to_result(t, e) for t, e in zip(src, pick(thr, margin))])))
    (lm_thr, best["lm_margin"]), _ = max(tables["lm"], key=lambda x: (x[1], x[0]))
    best["lm_threshold"] = lm_thr
    if ngram:
        tables["ngram"].append((("n-gram alone", None), f1(base)))
        for confirm in (0.0, 0.01, 0.03, 0.1, 0.3, 1.0):
            for strong in (0.9, 0.95, 0.98, 0.99, 1.01):
                extra = pick(strong, best["lm_margin"])
                out = [c.merge_edits(t, r, p, confirm, x) for t, r, p, x in zip(src, base, preds, extra)]
                tables["ngram"].append(((confirm, strong), f1(out)))
        (best["confirm"], best["strong"]), _ = max(tables["ngram"][1:], key=lambda x: (x[1], x[0]))
    return best, tables
