"""Task ``spell-check``: the statistical corrector (another scorer with ``model=FILE.json``), or a neural one
with ``model=DIR``."""

from __future__ import annotations

import os
from typing import Any

from ..errors import InputError
from ..spelling.corrector import Corrector
from .base import Pipeline

__all__ = ["SpellCheckPipeline", "load_neural_corrector"]


def load_neural_corrector(model: str | os.PathLike[str], **options: Any) -> Any:
    """``model=DIR``: an exported corrector (``encoder.onnx`` + ``vocab.txt``, :mod:`cjkglyph.spelling.onnx_corrector`)
    or a neural corrector from :mod:`cjkglyph.spelling.neural` (clean error where it is not available)."""
    from ..spelling.onnx_corrector import OnnxCorrector, is_onnx_dir

    if is_onnx_dir(model):  # an exported corrector: onnxruntime only
        return OnnxCorrector.load(model, **{k: v for k, v in options.items() if v is not None})
    try:
        from ..spelling.neural import load_neural_corrector as load
    except ImportError:
        raise InputError(
            f"model={os.fspath(model)!r}: neural spelling correctors are not available in this installation; "
            "leave model unset to use the built-in statistical corrector"
        ) from None
    return load(model, **options)


class SpellCheckPipeline(Pipeline):
    """Task ``spell-check``: one dict per line as :meth:`Corrector.correct` returns.

    >>> import cjkglyph
    >>> check = cjkglyph.pipeline("spell-check")               # doctest: +SKIP
    >>> check("我们今天去公圆玩")["target"]                     # doctest: +SKIP
    '我们今天去公园玩'
    """

    task = "spell-check"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        lm: str | os.PathLike[str] | None = None,
        threshold: float | None = None,
        confusion: Any = None,
        **options: Any,
    ) -> None:
        if model is not None and os.fspath(model).endswith(".json"):
            # a statistical scorer file, such as data/spellcheck/model_stage2.json (the opt-in encoder stage)
            if not os.path.isfile(model):
                raise InputError(f"model file {os.fspath(model)} not found")
            self.corrector = Corrector(model=model, lm=lm, confusion=confusion, threshold=threshold, **options)
            return
        if model is not None:
            options.pop("fast", None)  # a neural corrector has no encoder stage to skip
            self.corrector = load_neural_corrector(model, lm=lm, threshold=threshold, confusion=confusion, **options)
            return
        self.corrector = Corrector(lm=lm, confusion=confusion, threshold=threshold, **options)

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return self.corrector.correct_batch(texts)
