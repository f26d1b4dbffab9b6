"""What every spelling corrector shares: the ``script`` option and the Traditional round trip.

:class:`LineCorrector` checks the input of :meth:`~LineCorrector.correct` /
:meth:`~LineCorrector.correct_batch` and passes Traditional lines through
:func:`correct_in_script` (unless ``script == "as-is"``) to the subclass's
``_correct_lines``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InputError, check_texts
from ..script import detect_script, simplified_aligned, traditional_aligned

__all__ = ["SCRIPTS", "LineCorrector", "check_script", "correct_in_script"]

#: ``script`` options of the correctors: ``auto`` (Traditional lines corrected in Simplified) or ``as-is``.
SCRIPTS = ("auto", "as-is")


def check_script(script: object) -> str:
    """``script`` if it is one of :data:`SCRIPTS`, else :class:`~cjkglyph.errors.InputError`."""
    if script not in SCRIPTS:
        raise InputError(f"script must be 'auto' or 'as-is', got {script!r}")
    return str(script)


def correct_in_script(texts: Sequence[str], correct: Callable[[list[str]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run a Simplified-trained corrector on ``texts``, Traditional lines included.

    ``correct`` maps lines to ``{"source", "target", "errors": [{"pos", "wrong", "right", ...}]}``
    dicts. Traditional lines are passed in Simplified (same length) and their edits come back in
    Traditional characters; an edit that would only undo the conversion is dropped.

    >>> correct_in_script(["他說的話很有道里"], lambda ts: [{"source": t, "target": t.replace("道里", "道理"),
    ...     "errors": [{"pos": 7, "wrong": "里", "right": "理"}]} for t in ts])[0]["target"]
    '他說的話很有道理'
    """
    texts = list(texts)
    traditional = [i for i, t in enumerate(texts) if detect_script(t) == "traditional"]
    if not traditional:
        return correct(texts)
    work = list(texts)
    for i in traditional:
        work[i] = simplified_aligned(texts[i])
    out = correct(work)
    for i in traditional:
        out[i] = _in_source_script(texts[i], out[i])
    return out


class LineCorrector:
    """Base of the spelling correctors: :meth:`correct`/:meth:`correct_batch` check their input and pass
    Traditional lines through :func:`correct_in_script` (unless ``script == "as-is"``) to the
    subclass's ``_correct_lines`` (a list of lines -> one result dict each)."""

    script: str = "auto"

    def correct(self, text: str) -> dict[str, Any]:
        """Correct one line: ``{"source", "target", "errors": [{"pos", "wrong", "right", "score", "relation"}]}``."""
        return self.correct_batch([text])[0]

    def __call__(self, text: str) -> dict[str, Any]:
        return self.correct(text)

    def correct_batch(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """:meth:`correct` for many lines at once (faster than one by one)."""
        texts = check_texts(texts)
        if self.script == "as-is":
            return self._correct_lines(texts)
        return correct_in_script(texts, self._correct_lines)

    def _correct_lines(self, texts: list[str]) -> list[dict[str, Any]]:
        raise NotImplementedError


def _in_source_script(source: str, result: dict[str, Any]) -> dict[str, Any]:
    """A result computed on the Simplified form of ``source``, with edits written in Traditional characters."""
    target = traditional_aligned(result["target"])
    chars = list(source)
    errors = []
    for e in result["errors"]:
        right = target[e["pos"]]
        if right != source[e["pos"]]:
            chars[e["pos"]] = right
            errors.append({**e, "wrong": source[e["pos"]], "right": right})
    return {**result, "source": source, "target": "".join(chars), "errors": errors}
