"""Hugging Face datasets adapter: a :class:`~cjkglyph.integrations.columns.TextMap` as a batched ``map``."""

from __future__ import annotations

from typing import Any

from .columns import TextMap

__all__ = ["map_datasets"]


def map_datasets(ds: Any, op: TextMap, *, num_proc: int | None = None, batch_size: int = 256, **map_kwargs: Any) -> Any:
    """``ds.map(op, batched=True, ...)``: ``num_proc`` worker processes, each building the pipeline once.

    ``map_kwargs`` go to ``Dataset.map`` (``desc``, ``load_from_cache_file`` ...); rows keep their other columns.

    >>> from datasets import Dataset                                       # doctest: +SKIP
    >>> from cjkglyph.integrations import Convert, map_datasets             # doctest: +SKIP
    >>> ds = Dataset.from_dict({"text": ["头发"]})                           # doctest: +SKIP
    >>> map_datasets(ds, Convert(to="traditional"))[0]                      # doctest: +SKIP
    {'text': '头发', 'output': '頭髮'}
    """
    return ds.map(op, batched=True, batch_size=batch_size, num_proc=num_proc, **map_kwargs)
