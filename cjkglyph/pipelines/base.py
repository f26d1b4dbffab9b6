"""The :class:`Pipeline` base class and the task registry behind :func:`cjkglyph.pipeline`."""

from __future__ import annotations

import importlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, overload

from ..errors import InputError, InputTypeError

__all__ = ["Pipeline", "available_tasks", "pipeline", "register_task", "to_json"]


class Pipeline(ABC):
    """Base class of every task pipeline: subclasses implement :meth:`batch`."""

    task: str = ""

    @overload
    def __call__(self, inputs: str) -> dict[str, Any]: ...
    @overload
    def __call__(self, inputs: Sequence[str]) -> list[dict[str, Any]]: ...
    def __call__(self, inputs: str | Sequence[str]) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(inputs, str):
            return self.batch([inputs])[0]
        if isinstance(inputs, (bytes, bytearray)) or not isinstance(inputs, Iterable):
            raise InputTypeError(f"{self.task} pipeline: expected a str or a list of str, got {type(inputs).__name__}")
        texts = list(inputs)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise InputTypeError(f"{self.task} pipeline: input {i} is {type(t).__name__}, expected str")
        return self.batch(texts)

    @abstractmethod
    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        """Process several texts; one dict per text, in order."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} task={self.task!r}>"


# task name -> "module:factory"; factories are imported only when the task is requested.
_TASKS: dict[str, str | Callable[..., Pipeline]] = {
    "conversion": "cjkglyph.pipelines.conversion:ConversionPipeline",
    "pinyin": "cjkglyph.pipelines.pinyin:PinyinPipeline",
    "ids": "cjkglyph.pipelines.characters:IDSPipeline",
    "features": "cjkglyph.pipelines.characters:FeaturesPipeline",
    "subchar-tokenization": "cjkglyph.pipelines.tokenization:SubCharPipeline",
    "abbreviation": "cjkglyph.pipelines.abbreviation:AbbreviationPipeline",
    "spell-check": "cjkglyph.pipelines.spelling:SpellCheckPipeline",
}


def register_task(name: str, factory: str | Callable[..., Pipeline]) -> None:
    """Register (or replace) a task: ``factory(**options)`` must return a :class:`Pipeline`."""
    _TASKS[name] = factory


def available_tasks() -> list[str]:
    """Names accepted by :func:`pipeline`."""
    return sorted(_TASKS)


def _resolve(spec: str | Callable[..., Pipeline]) -> Callable[..., Pipeline]:
    if callable(spec):
        return spec
    module, _, attr = spec.partition(":")
    factory: Callable[..., Pipeline] = getattr(importlib.import_module(module), attr)
    return factory


def pipeline(task: str, **options: Any) -> Pipeline:
    """Build the pipeline for ``task`` (see :func:`available_tasks`) with task options."""
    try:
        spec = _TASKS[task]
    except KeyError:
        raise InputError(f"unknown task {task!r}; available: {', '.join(available_tasks())}") from None
    return _resolve(spec)(**options)


def to_json(obj: Any) -> str:
    """One result (or part of one) as one line of JSON with CJK characters kept readable: what ``--format jsonl`` writes.

    >>> to_json({"text": "头发", "pinyin": ["tóu", None]})
    '{"text": "头发", "pinyin": ["tóu", null]}'
    """
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
