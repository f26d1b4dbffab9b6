"""Register cjkglyph's models (ChineseBERT, SpellGCN) with transformers' Auto classes, lazily (stdlib only at import).

``import cjkglyph`` must not import torch or transformers, yet
``AutoModel.from_pretrained(native_chinesebert_dir)`` must work after it. So
:func:`install_auto_hooks` (called by ``cjkglyph/__init__.py``) registers at the
latest possible moment, per transformers module:

- modules of transformers' Auto machinery that are already imported are
  served at once;
- otherwise a :class:`sys.meta_path` finder wraps the loaders of
  ``transformers.*`` and ``cjkglyph.models.*`` modules (and nothing else;
  each module gets its real loader back before it runs). After such a module
  has executed, if ``transformers.models.auto.configuration_auto`` /
  ``tokenization_auto`` / ``modeling_auto`` is loaded and none of those
  modules is still half-initialised (registering inside a circular import
  fails), the matching registration runs: AutoConfig, AutoTokenizer, the
  AutoModel* classes. Once all three are done the finder removes itself.

Registering the models imports the modeling code (torch) only once
``modeling_auto`` itself is imported, i.e. when the program asks for an
AutoModel class. A failing registration is logged as a warning, never raised
into the user's import. Set ``CJKGLYPH_NO_AUTO_REGISTER=1`` to switch all of
this off; :func:`register_auto_classes` registers everything explicitly.

>>> import cjkglyph, sys
>>> "torch" in sys.modules and "transformers" in sys.modules   # doctest: +SKIP
False
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["AUTO_MODELS", "install_auto_hooks", "register_auto_classes"]

_CONFIG_AUTO = "transformers.models.auto.configuration_auto"
_TOKENIZER_AUTO = "transformers.models.auto.tokenization_auto"
_MODELING_AUTO = "transformers.models.auto.modeling_auto"

#: Auto class name -> ChineseBERT class name.
AUTO_MODELS: dict[str, str] = {
    "AutoModel": "ChineseBertModel",
    "AutoModelForMaskedLM": "ChineseBertForMaskedLM",
    "AutoModelForSequenceClassification": "ChineseBertForSequenceClassification",
    "AutoModelForTokenClassification": "ChineseBertForTokenClassification",
    "AutoModelForQuestionAnswering": "ChineseBertForQuestionAnswering",
}

_LOCK = threading.RLock()
_DONE: set[str] = set()  # registrations attempted by the hook
_OK: set[str] = set()  # registrations that succeeded


def _register_config() -> None:
    from transformers import AutoConfig

    from .chinesebert.configuration_chinesebert import ChineseBertConfig

    AutoConfig.register(ChineseBertConfig.model_type, ChineseBertConfig, exist_ok=True)
    from .spellgcn.configuration_spellgcn import SpellGcnConfig

    AutoConfig.register(SpellGcnConfig.model_type, SpellGcnConfig, exist_ok=True)


def _register_tokenizer() -> None:
    import inspect

    from transformers import AutoTokenizer

    from .chinesebert.configuration_chinesebert import ChineseBertConfig
    from .chinesebert.tokenization_chinesebert import ChineseBertTokenizer

    _register_config()
    params = inspect.signature(AutoTokenizer.register).parameters
    if "tokenizer_class" in params:  # transformers >= 5
        AutoTokenizer.register(ChineseBertConfig, tokenizer_class=ChineseBertTokenizer, exist_ok=True)
    else:
        AutoTokenizer.register(ChineseBertConfig, fast_tokenizer_class=ChineseBertTokenizer, exist_ok=True)


def _register_models() -> None:
    import transformers

    from .chinesebert import modeling_chinesebert as modeling
    from .chinesebert.configuration_chinesebert import ChineseBertConfig

    _register_config()
    for auto_name, cls_name in AUTO_MODELS.items():
        getattr(transformers, auto_name).register(ChineseBertConfig, getattr(modeling, cls_name), exist_ok=True)
    from .spellgcn.configuration_spellgcn import SpellGcnConfig
    from .spellgcn.modeling_spellgcn import SpellGcnForCSC

    transformers.AutoModelForMaskedLM.register(SpellGcnConfig, SpellGcnForCSC, exist_ok=True)


_REGISTRARS: dict[str, Callable[[], None]] = {
    _CONFIG_AUTO: _register_config,
    _TOKENIZER_AUTO: _register_tokenizer,
    _MODELING_AUTO: _register_models,
}
_registering = False
_IN_PROGRESS: set[str] = set()  # watched modules executing under our loader
_BUSY_AT_INSTALL: set[str] = set()  # watched modules already mid-import when the hook was installed


#: Modules whose loaders are wrapped: registering needs them fully imported.
_WATCHED = ("transformers", "cjkglyph.models.")
_SELF = ("cjkglyph.models", __name__)


def _watched(name: str) -> bool:
    return name.startswith(_WATCHED) and name not in _SELF


def _initializing(name: str) -> bool:
    spec = getattr(sys.modules.get(name), "__spec__", None)
    return bool(getattr(spec, "_initializing", False))


def _flush(just_loaded: str | None = None) -> None:
    """Register for every Auto module that is fully imported, once no transformers module is mid-import.

    Registering while transformers is half-initialised (e.g. configuration_auto done but
    modeling_auto still executing) fails on circular imports, so it waits for the end of
    the outermost transformers import.
    """
    global _registering
    with _LOCK:
        if _registering:
            return
        todo = [n for n in _REGISTRARS if n not in _DONE and n in sys.modules and (n == just_loaded or not _initializing(n))]
        if not todo:
            return
        if _IN_PROGRESS - {just_loaded} or any(_initializing(n) for n in _BUSY_AT_INSTALL):
            return
        _registering = True
    try:
        for name in todo:
            _DONE.add(name)
            try:
                _REGISTRARS[name]()
                _OK.add(name)
            except Exception as e:  # noqa: BLE001 - never break the user's import of transformers
                warnings.warn(
                    f"cjkglyph: could not register ChineseBERT with transformers ({type(e).__name__}: {e}); "
                    "call cjkglyph.models._auto.register_auto_classes() to see why",
                    stacklevel=3,
                )
    finally:
        with _LOCK:
            _registering = False
    if any(n not in _DONE and n in sys.modules and not _initializing(n) for n in _REGISTRARS):
        _flush()  # registering imported another Auto module (e.g. BertConfig pulls in modeling_auto), unhooked
    if len(_DONE) == len(_REGISTRARS):
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AutoFinder)]


def register_auto_classes() -> None:
    """Register ChineseBERT with AutoConfig, AutoTokenizer and the AutoModel* classes now (imports torch)."""
    for name, register in _REGISTRARS.items():
        if name not in _OK:
            register()
            _OK.add(name)
            _DONE.add(name)


class _HookedLoader(importlib.abc.Loader):
    """Runs the real loader, puts it back on the module, then tries to register."""

    def __init__(self, loader: Any, name: str) -> None:
        self._loader = loader
        self._name = name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        _IN_PROGRESS.add(self._name)
        try:
            self._loader.exec_module(module)
        finally:
            _IN_PROGRESS.discard(self._name)
        _flush(self._name)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._loader, attr)


class _AutoFinder(importlib.abc.MetaPathFinder):
    """Wraps the loaders of ``transformers.*`` and ``cjkglyph.models.*`` modules until every registration is done."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not _watched(fullname) or _registering or len(_DONE) == len(_REGISTRARS):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _HookedLoader(spec.loader, fullname)
        return spec


def install_auto_hooks() -> None:
    """Register now for the Auto modules already imported; hook the import of the others. Idempotent."""
    if os.environ.get("CJKGLYPH_NO_AUTO_REGISTER"):
        return
    _BUSY_AT_INSTALL.update(n for n in list(sys.modules) if _watched(n) and _initializing(n))
    _flush()
    if len(_DONE) < len(_REGISTRARS) and not any(isinstance(f, _AutoFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AutoFinder())
