"""Work-done reporting for progress bars: long loops say how much input they have finished.

A caller (the CLI's ``--progress``) installs a callback with :func:`tracking`;
library code calls :func:`advance` with the number of input characters it has
just finished. Without a callback :func:`advance` does nothing.

>>> seen = []
>>> with tracking(seen.append):
...     advance(5)
>>> advance(3)
>>> seen
[5]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

__all__ = ["advance", "tracking"]

_CALLBACK: list[Callable[[int], None]] = []


def advance(n: int) -> None:
    """Report ``n`` more input characters done (to the callback of :func:`tracking`, if any)."""
    if _CALLBACK and n > 0:
        _CALLBACK[-1](n)


@contextlib.contextmanager
def tracking(callback: Callable[[int], None] | None) -> Iterator[None]:
    """Send :func:`advance` reports to ``callback`` inside the block (nothing changes for ``None``)."""
    if callback is None:
        yield
        return
    _CALLBACK.append(callback)
    try:
        yield
    finally:
        _CALLBACK.remove(callback)
