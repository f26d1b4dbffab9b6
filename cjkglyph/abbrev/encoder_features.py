"""Encoder features of candidate expansions: how well each candidate's characters fit their sentence.

Two character encoders read the sentence both ways, each in one onnxruntime
call per distinct input (usually one per run), in a window of ``context``
characters on each side of the run:

* ``enc_masked``: the shared encoder (:func:`cjkglyph.encoder.default_encoder`)
  with the run's positions all [MASK]ed; the sum of the natural-log
  probabilities of the candidate's characters there;
* ``enc_letters``: the letter-aware encoder (:func:`letter_encoder`, the shared
  encoder fine-tuned by ``scripts/finetune_abbrev_encoder.py``, CNMBert-style)
  with a letter token at each position instead (``bhys`` -> ``[b][h][y][s]``), so
  it knows which initial was typed; the same sum. A candidate whose characters
  are fewer than the letters (``zh`` or a whole syllable typed for one
  character) is aligned to the letters by its readings, and each character
  gets the letter its syllable starts with.

Scoring with the candidate's characters in place (one call per candidate) was
measured too and left out: the encoder copies a character it can see (log p near
0 for every candidate), and the calls cost several milliseconds per sentence.

>>> from cjkglyph.abbrev.encoder_features import encoder_features, letter_encoder
>>> from cjkglyph.encoder import default_encoder
>>> X = encoder_features(default_encoder(), "真的", ["不好意思", "保护意识"], "，我来晚了",
...                      letters="bhys", letter_encoder=letter_encoder())
>>> X.shape, bool(X[0, 0] > X[1, 0]), bool(X[0, 1] > X[1, 1])
((2, 2), True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from ..encoder import CharEncoder

__all__ = ["ENCODER_FEATURES", "align_letters", "encoder_features", "letter_encoder"]

#: Column names of :func:`encoder_features`.
ENCODER_FEATURES: tuple[str, ...] = ("enc_masked", "enc_letters")
#: Placeholder for replaced positions (any single in-vocabulary character: it is masked or overwritten).
_PLACEHOLDER = "一"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=1)
def letter_encoder() -> CharEncoder:
    """The shipped letter-aware encoder (``data/abbrev/encoder``), loaded on first use."""
    from ..encoder import CharEncoder
    from ..resources import data_path

    return CharEncoder.load(data_path("abbrev", "encoder", "encoder.onnx").parent)


@lru_cache(maxsize=4096)
def _syllables(char: str) -> tuple[str, ...]:
    from ..pinyin import char_readings

    return tuple(dict.fromkeys(r.rstrip("012345").replace("ü", "v") for r in char_readings(char)))


def align_letters(text: str, letters: str) -> str | None:
    """The letter each character of ``text`` starts with when it is read off ``letters`` (one letter, a
    two-letter initial zh/ch/sh or a whole syllable per character), or None if it cannot be.

    >>> align_letters("不好意思", "bhys"), align_letters("这是", "zhs"), align_letters("不好", "buhao")
    ('bhys', 'zs', 'bh')
    >>> align_letters("你好", "xyz") is None
    True
    """
    letters = letters.replace(" ", "")
    if len(text) == len(letters):  # one letter per character: no choice
        return letters
    out: list[str] = []

    def walk(i: int, j: int) -> bool:  # depth first: longest reading first
        if i == len(text):
            return j == len(letters)
        if j >= len(letters) or len(text) - i > len(letters) - j:
            return False
        sylls = _syllables(text[i])
        steps = sorted({len(s) for s in sylls if letters.startswith(s, j)}, reverse=True)
        steps += [2] if any(s[:2] in ("zh", "ch", "sh") and letters.startswith(s[:2], j) for s in sylls) else []
        steps += [1] if ok_first(text[i], letters[j]) else []
        for k in dict.fromkeys(steps):
            out.append(letters[j])
            if walk(i + 1, j + k):
                return True
            out.pop()
        return False

    return "".join(out) if walk(0, 0) else None


def ok_first(char: str, letter: str) -> bool:
    """Whether ``char`` can be typed as ``letter`` (a character without a known reading can be any letter)."""
    sylls = _syllables(char)
    return not sylls or any(s.startswith(letter) for s in sylls)


def encoder_features(
    encoder: Any,
    left: str,
    texts: Sequence[str],
    right: str,
    *,
    context: int = 32,
    letters: str | None = None,
    letter_encoder: Any = None,
) -> np.ndarray:
    """(len(texts), len(ENCODER_FEATURES)) matrix for candidate expansions between ``left`` and ``right``
    (a column stays 0 without its encoder; ``enc_letters`` needs the run's ``letters``)."""
    import numpy as np

    left = left[-context:] if context else ""
    right = right[:context] if context else ""
    X = np.zeros((len(texts), len(ENCODER_FEATURES)))
    if encoder is not None:
        by_len: dict[int, list[int]] = {}
        for i, t in enumerate(texts):
            by_len.setdefault(len(t), []).append(i)
        lengths = sorted(by_len)
        masked = encoder.masked_log_probs(
            [left + _PLACEHOLDER * m + right for m in lengths], [(len(left), len(left) + m) for m in lengths]
        )
        for m, lp in zip(lengths, masked, strict=True):
            if len(lp) != m:  # a candidate with whitespace, or longer than a window: no score
                continue
            for i in by_len[m]:
                X[i, 0] = float(lp[np.arange(m), encoder.vocab.ids(texts[i])].sum())
    if letter_encoder is not None and letters:
        from ..encoder.vocab import MASK

        first = len(letter_encoder.vocab) - len(_LETTERS)  # the letter tokens close the vocabulary
        by_fill: dict[tuple[int, ...], list[int]] = {}
        for i, t in enumerate(texts):
            typed = align_letters(t, letters)
            # a candidate the letters cannot be aligned with is read with [MASK]s, as by the pretrained model
            fill = tuple(first + _LETTERS.find(c) if c in _LETTERS else MASK for c in typed) if typed else (MASK,) * len(t)
            by_fill.setdefault(fill, []).append(i)
        fills = sorted(by_fill)
        rows = letter_encoder.masked_log_probs(
            [left + _PLACEHOLDER * len(f) + right for f in fills], [(len(left), len(left) + len(f)) for f in fills], fills
        )
        for f, lp in zip(fills, rows, strict=True):
            if len(lp) != len(f):
                continue
            for i in by_fill[f]:
                X[i, 1] = float(lp[np.arange(len(f)), letter_encoder.vocab.ids(texts[i])].sum())
    return X
