"""``--jobs N``: record batches processed by worker processes, results streamed back in input order.

Each worker builds the command's processor once: with the ``fork`` start
method it inherits the one the parent already built (memory-mapped models are
shared, not copied), with ``spawn`` it calls ``factory(**kwargs)``. At most
``2 * jobs`` batches are in flight, so memory stays constant on huge inputs.
Errors keep the single-process behaviour: a worker's :class:`CjkglyphError`
is re-raised in the parent (one line, its exit status), a worker that dies
becomes a one-line error, and an input error met while reading ahead is raised
only after every batch before it has been returned.

>>> from cjkglyph.cli._parallel import ordered_map
>>> def upper() -> Callable[[list[str]], list[dict]]:             # doctest: +SKIP
...     return lambda batch: [{"text": t.upper()} for t in batch]
>>> [r for _, r in ordered_map(upper, {}, iter([["a"], ["b"]]), 2)]  # doctest: +SKIP
[[{'text': 'A'}], [{'text': 'B'}]]
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import CjkglyphError

__all__ = ["auto_jobs", "ordered_map", "ordered_map_if_large"]

Process = Callable[[list[str]], list[dict[str, Any]]]

_PROCESS: Process | None = None


def _init(factory: Callable[..., Process], kwargs: dict[str, Any]) -> None:
    global _PROCESS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    if _PROCESS is None:  # spawn: nothing inherited
        _PROCESS = factory(**kwargs)


def _run(batch: list[str]) -> list[dict[str, Any]]:
    assert _PROCESS is not None
    return _PROCESS(batch)


def start_method() -> str:
    """``fork`` where available (workers inherit the loaded models), else ``spawn``."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def ordered_map(
    factory: Callable[..., Process],
    kwargs: dict[str, Any],
    batches: Iterator[list[str]],
    jobs: int,
    *,
    prebuilt: Process | None = None,
) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """(batch, results) pairs in input order, computed by ``jobs`` worker processes.

    ``factory(**kwargs)`` (a module-level function, so ``spawn`` can pickle it)
    returns the processor; ``prebuilt`` is the parent's own, handed to forked workers.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _PROCESS
    method = start_method()
    _PROCESS = prebuilt if method == "fork" else None
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=_init, initargs=(factory, kwargs))
    pending: deque[tuple[list[str], Any]] = deque()
    failed: BaseException | None = None
    reading = True
    clean = False
    try:
        while True:
            while reading and len(pending) < 2 * jobs:
                try:
                    batch = next(batches)
                except StopIteration:
                    reading = False
                except Exception as e:  # noqa: BLE001 - raised after the batches read before it
                    reading, failed = False, e
                else:
                    pending.append((batch, pool.submit(_run, batch)))
            if not pending:
                break
            batch, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                raise CjkglyphError("a worker process stopped unexpectedly (out of memory?); try fewer --jobs") from None
            yield batch, results
        clean = True
    finally:
        _PROCESS = None
        pool.shutdown(wait=clean, cancel_futures=True)
    if failed is not None:
        raise failed


def auto_jobs(limit: int = 4) -> int:
    """Worker processes for ``--jobs 0`` (automatic): the CPUs this process may use, at most ``limit``."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, limit))


def ordered_map_if_large(
    factory: Callable[..., Process],
    kwargs: dict[str, Any],
    batches: Iterator[list[str]],
    jobs: int,
    *,
    prebuilt: Process,
    min_batches: int = 4,
) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """:func:`ordered_map` when the input has at least ``min_batches`` batches, else ``prebuilt`` in this process
    (starting workers for a few lines costs more than it saves)."""
    from itertools import chain

    head: list[list[str]] = []
    failed: BaseException | None = None
    try:
        for batch in batches:
            head.append(batch)
            if len(head) >= min_batches:
                break
    except Exception as e:  # noqa: BLE001 - raised after the batches read before it, as ordered_map does
        failed = e
    if jobs <= 1 or failed is not None or len(head) < min_batches:
        for batch in head:
            yield batch, prebuilt(batch)
        if failed is not None:
            raise failed
        yield from ((batch, prebuilt(batch)) for batch in batches)
        return
    yield from ordered_map(factory, kwargs, chain(head, batches), jobs, prebuilt=prebuilt)
