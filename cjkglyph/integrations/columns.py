"""Batch callables that map a text column to the CLI's outputs, one class per task."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from ..pinyin import render_readings
from ..pipelines.base import Pipeline, pipeline, to_json

__all__ = ["Abbreviation", "Convert", "Pinyin", "SpellCheck", "TextMap", "Tokenize"]

Result = dict[str, Any]


class TextMap:
    """Base class: ``op(batch)`` adds the task's output columns for the text in ``batch[column]``.

    ``batch`` is a dict of columns (lists or numpy arrays: HF datasets, Ray's
    ``numpy`` format), a pandas DataFrame or a pyarrow Table; the same kind comes
    back with every input column kept. ``options`` go to
    ``cjkglyph.pipeline(task, **options)``, built on the first call.

    >>> from cjkglyph.integrations import Pinyin
    >>> Pinyin(style="tone3").columns(["重庆a"])
    {'pinyin': ['chong2 qing4 a'], 'readings': ['["chong2", "qing4", null]']}
    """

    task: ClassVar[str] = ""
    #: The output column holding what the CLI's text format prints, and how to render it.
    text_column: ClassVar[tuple[str, Callable[[Result], str]] | None] = None
    #: (output column, result field) pairs written as JSON text.
    json_columns: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, column: str = "text", *, prefix: str = "", **options: Any) -> None:
        self.column = column
        self.prefix = prefix
        self.options = options
        self._pipe: Pipeline | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"column": self.column, "prefix": self.prefix, "options": self.options}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["column"], prefix=state["prefix"], **state["options"])  # type: ignore[misc]

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}(column={self.column!r}{opts})"

    @property
    def pipeline(self) -> Pipeline:
        """The task pipeline, built on first use (once per worker process or actor)."""
        if self._pipe is None:
            self._pipe = pipeline(self.task, **self.options)
        return self._pipe

    def output_columns(self) -> list[str]:
        """Names of the columns this op adds."""
        names = [self.text_column[0]] if self.text_column else []
        return [self.prefix + n for n in [*names, *(c for c, _ in self.json_columns)]]

    def columns(self, texts: Sequence[str | None]) -> dict[str, list[str | None]]:
        """Output columns for ``texts`` (None stays None)."""
        rows = [i for i, t in enumerate(texts) if t is not None]
        results = self.pipeline.batch([str(texts[i]) for i in rows])
        out: dict[str, list[str | None]] = {}
        fields: list[tuple[str, Callable[[Result], str]]] = [self.text_column] if self.text_column else []
        fields += [(name, lambda r, key=key: to_json(r[key])) for name, key in self.json_columns]
        for name, render in fields:
            values: list[str | None] = [None] * len(texts)
            for i, r in zip(rows, results, strict=True):
                values[i] = render(r)
            out[self.prefix + name] = values
        return out

    def __call__(self, batch: Any) -> Any:
        if hasattr(batch, "append_column") and hasattr(batch, "column_names"):  # pyarrow.Table
            import pyarrow as pa

            texts = batch.column(self.column).to_pylist()
            for name, values in self.columns(texts).items():
                if name in batch.column_names:
                    batch = batch.drop_columns([name])
                batch = batch.append_column(name, pa.array(values, pa.string()))
            return batch
        if hasattr(batch, "iloc"):  # pandas.DataFrame
            col = batch[self.column]
            texts = [None if missing else str(v) for v, missing in zip(col.tolist(), col.isna().tolist(), strict=True)]
            return batch.assign(**self.columns(texts))
        texts = [None if v is None else str(v) for v in batch[self.column]]
        out = dict(batch)
        new = self.columns(texts)
        if hasattr(batch[self.column], "dtype"):  # numpy batch (Ray Data): columns stay arrays
            import numpy as np

            out.update({k: np.array(v, dtype=object) for k, v in new.items()})
        else:
            out.update(new)
        return out


def _best_abbreviation(r: Result) -> str:
    return str(r["candidates"][0]["text"])


class SpellCheck(TextMap):
    """``cjkglyph check``: ``target`` (the corrected text) and ``errors`` (the edits as JSON).

    Options as :class:`cjkglyph.pipelines.spelling.SpellCheckPipeline` (``lm``, ``threshold``,
    ``confusion``, ``script``, ``model``).

    >>> SpellCheck(threshold=0.9).output_columns()
    ['target', 'errors']
    """

    task = "spell-check"
    text_column = ("target", lambda r: r["target"])
    json_columns = (("errors", "errors"),)


class Convert(TextMap):
    """``cjkglyph convert``: ``output``; options ``to`` and ``source`` as the CLI's ``--to``/``--from``.

    >>> Convert(to="traditional").columns(["头发"])
    {'output': ['頭髮']}
    """

    task = "conversion"
    text_column = ("output", lambda r: r["output"])


class Pinyin(TextMap):
    """``cjkglyph pinyin``: ``pinyin`` (the text the CLI prints) and ``readings`` (one entry per character, JSON).

    >>> Pinyin().columns(["银行"])["pinyin"]
    ['yín háng']
    """

    task = "pinyin"
    text_column = ("pinyin", lambda r: render_readings(r["text"], r["pinyin"]))
    json_columns = (("readings", "pinyin"),)


class Abbreviation(TextMap):
    """``cjkglyph abbrev``: ``target`` (the best line) and ``candidates`` (the ``k`` best, JSON; ``k=10`` as the CLI).

    >>> Abbreviation(k=1).output_columns()
    ['target', 'candidates']
    """

    task = "abbreviation"
    text_column = ("target", _best_abbreviation)
    json_columns = (("candidates", "candidates"),)


class Tokenize(TextMap):
    """``cjkglyph tokenize``: ``tokens`` (space-separated pieces), ``ids`` and ``offsets`` (JSON); option ``scheme``.

    >>> Tokenize(scheme="wubi").columns(["好"])["tokens"]
    ['vbg_']
    """

    task = "subchar-tokenization"
    text_column = ("tokens", lambda r: " ".join(r["tokens"]))
    json_columns = (("ids", "ids"), ("offsets", "offsets"))
