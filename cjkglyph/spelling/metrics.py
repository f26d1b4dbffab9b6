"""Chinese spelling check metrics as used by SpellGCN/ReaLiSe (sentence level) plus character level.

Sentence level: a sentence counts for *detection* when its predicted edit
positions equal the gold positions, for *correction* when the predicted edits
(position and character) equal the gold edits exactly; precision is over
sentences with at least one predicted edit, recall over sentences with at
least one gold edit.

>>> m = csc_metrics(["我门好"], ["我们好"], ["我们好"])
>>> m["sentence"]["correction"]["f1"]
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["edits", "csc_metrics"]

Scores = dict[str, float]


def edits(source: str, target: str) -> list[tuple[int, str]]:
    """Substitutions turning ``source`` into ``target``: (0-based position, new character)."""
    if len(source) != len(target):
        target = (target + source[len(target) :])[: len(source)]
    return [(i, b) for i, (a, b) in enumerate(zip(source, target)) if a != b]


def _prf(tp: int, predicted: int, gold: int) -> Scores:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def csc_metrics(sources: Sequence[str], golds: Sequence[str], predictions: Sequence[str]) -> dict[str, dict[str, Scores]]:
    """Sentence- and character-level detection/correction precision, recall, F1 (fractions, not %).

    Predictions of the wrong length are truncated or padded with source characters.
    """
    if not len(sources) == len(golds) == len(predictions):
        raise ValueError("sources, golds and predictions must have the same length")
    n = len(sources)
    s_det = s_cor = s_pred = s_gold = det_hit = cor_hit = 0
    c_pred = c_gold = c_det = c_cor = 0
    for src, gold, pred in zip(sources, golds, predictions):
        ge, pe = edits(src, gold), edits(src, pred)
        gpos, ppos = [i for i, _ in ge], [i for i, _ in pe]
        s_gold += bool(ge)
        s_pred += bool(pe)
        det_hit += gpos == ppos
        cor_hit += ge == pe
        s_det += bool(pe) and gpos == ppos
        s_cor += bool(pe) and ge == pe
        c_gold += len(ge)
        c_pred += len(pe)
        c_det += len(set(gpos) & set(ppos))
        c_cor += len(set(ge) & set(pe))
    sentence = {
        "detection": {**_prf(s_det, s_pred, s_gold), "acc": det_hit / n if n else 0.0},
        "correction": {**_prf(s_cor, s_pred, s_gold), "acc": cor_hit / n if n else 0.0},
    }
    character = {"detection": _prf(c_det, c_pred, c_gold), "correction": _prf(c_cor, c_pred, c_gold)}
    return {"sentence": sentence, "character": character}
