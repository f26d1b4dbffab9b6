"""Ray Data adapter: a :class:`~cjkglyph.integrations.columns.TextMap` as an actor class of ``map_batches``."""

from __future__ import annotations

from typing import Any

from .columns import TextMap

__all__ = ["map_ray"]


def map_ray(
    ds: Any,
    op: type[TextMap] | TextMap,
    *,
    concurrency: int = 1,
    batch_size: int = 256,
    num_cpus: float = 1,
    **options: Any,
) -> Any:
    """``ds.map_batches`` with ``op`` run by ``concurrency`` actors, each loading the task's model once.

    ``op`` is a class (``options`` are its constructor's) or a configured instance.
    Equivalent to ``ds.map_batches(SpellCheck, fn_constructor_kwargs={...},
    compute=ActorPoolStrategy(size=N), batch_size=B, num_cpus=1)`` (``concurrency=N``
    in Ray before 2.51); rows keep their other columns.

    >>> import ray                                                        # doctest: +SKIP
    >>> from cjkglyph.integrations import SpellCheck, map_ray             # doctest: +SKIP
    >>> ds = ray.data.from_items([{"text": "我们今天去公圆玩"}])          # doctest: +SKIP
    >>> map_ray(ds, SpellCheck, concurrency=2).take(1)[0]["target"]       # doctest: +SKIP
    '我们今天去公园玩'
    """
    if isinstance(op, TextMap):
        if options:
            raise TypeError("give options to the op's constructor or pass the class, not both")
        cls: type[TextMap] = type(op)
        kwargs = {"column": op.column, "prefix": op.prefix, **op.options}
    else:
        cls, kwargs = op, options
    from ray.data import ActorPoolStrategy

    return ds.map_batches(
        cls,
        fn_constructor_kwargs=kwargs,
        compute=ActorPoolStrategy(size=concurrency),
        batch_size=batch_size,
        num_cpus=num_cpus,
        batch_format="numpy",
    )
