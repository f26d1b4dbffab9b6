"""Lazy public names for packages: ``__getattr__`` and ``__dir__`` that import on first use (PEP 562).

>>> import types, sys
>>> pkg = types.ModuleType("demo_pkg"); sys.modules["demo_pkg"] = pkg
>>> pkg.__getattr__, pkg.__dir__ = lazy_exports("demo_pkg", {"dumps": "json:dumps", "json": "json"})
>>> pkg.dumps([1]), pkg.json.__name__, "dumps" in dir(pkg)
('[1]', 'json', True)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose public ``names`` map to ``"module"`` (the module
    itself) or ``"module:attribute"``; a module starting with ``.`` is relative to ``package``.
    A name is imported when first used, then kept in the package's namespace."""

    def __getattr__(name: str) -> Any:
        spec = names.get(name)
        if spec is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = spec.partition(":")
        value = importlib.import_module(module, package)
        if attr:
            value = getattr(value, attr)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
