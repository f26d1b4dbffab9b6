"""The usage examples in the docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import cjkglyph

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(cjkglyph.__path__, prefix="cjkglyph.")
    if not m.name.endswith("__main__")
)


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


#: Packages whose examples need the [models] extra (torch, transformers).
NEEDS_MODELS = ("cjkglyph.models",)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    if name.startswith(NEEDS_MODELS) and not (_have("torch") and _have("transformers")):
        pytest.skip("needs the [models] extra")
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name in ("torch", "transformers"):
            pytest.skip(f"needs {e.name} (the [models] extra)")
        raise
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs=vars(module).copy()):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"
