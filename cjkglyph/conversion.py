"""Text conversion: Simplified/Traditional variants through OpenCC, plus targets
registered by feature modules (pinyin, IDS, input codes ...).

>>> from cjkglyph.conversion import convert
>>> convert("头发", to="traditional")
'頭髮'
>>> convert("著作權", to="simplified")
'著作权'
>>> convert("软件", to="taiwan")
'軟體'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .errors import InputError

__all__ = ["convert", "converter", "decoders", "opencc", "targets"]

# (to, from) -> OpenCC configuration; from=None is the usual source script.
_OPENCC: dict[tuple[str, str | None], str] = {
    ("simplified", None): "t2s",
    ("simplified", "traditional"): "t2s",
    ("simplified", "taiwan"): "tw2sp",
    ("simplified", "hongkong"): "hk2s",
    ("traditional", None): "s2t",
    ("traditional", "simplified"): "s2t",
    ("traditional", "taiwan"): "tw2t",
    ("traditional", "hongkong"): "hk2t",
    ("taiwan", None): "s2twp",
    ("taiwan", "simplified"): "s2twp",
    ("taiwan", "traditional"): "t2tw",
    ("hongkong", None): "s2hk",
    ("hongkong", "simplified"): "s2hk",
    ("hongkong", "traditional"): "t2hk",
}
_SCRIPTS = ("simplified", "traditional", "taiwan", "hongkong")

# Further targets: name -> "module:function" taking (text), or "module:function:arg" taking (text, arg); returns str.
_TARGETS: dict[str, str] = {
    "pinyin": "cjkglyph.pinyin:to_pinyin",
    "zhuyin": "cjkglyph.pinyin:to_zhuyin",
    "ids": "cjkglyph.ids:to_ids",
    "wubi": "cjkglyph.subchar:encode:wubi",
    "cangjie": "cjkglyph.subchar:encode:cangjie",
    "stroke": "cjkglyph.subchar:encode:stroke",
    "pinyin-code": "cjkglyph.subchar:encode:pinyin",
    "zhuyin-code": "cjkglyph.subchar:encode:zhuyin",
}
# Decoders for --from: name -> "module:function:arg" taking (encoded text, arg) and returning str.
_DECODERS: dict[str, str] = {
    "wubi": "cjkglyph.subchar:decode:wubi",
    "cangjie": "cjkglyph.subchar:decode:cangjie",
    "stroke": "cjkglyph.subchar:decode:stroke",
    "pinyin-code": "cjkglyph.subchar:decode:pinyin",
    "zhuyin-code": "cjkglyph.subchar:decode:zhuyin",
}


def targets() -> list[str]:
    """Names accepted by ``convert(to=...)``."""
    return list(_SCRIPTS) + sorted(_TARGETS)


def decoders() -> list[str]:
    """Encodings accepted by ``convert(source=...)`` without ``to`` (decoding)."""
    return sorted(_DECODERS)


@lru_cache(maxsize=None)
def opencc(config: str) -> Callable[[str], str]:
    """The ``convert`` function of an OpenCC configuration (``t2s``, ``s2t`` ...), built once."""
    import opencc

    converter: Any = opencc.OpenCC(config)
    return converter.convert  # type: ignore[no-any-return]


@lru_cache(maxsize=None)
def _function(spec: str) -> Callable[[str], str]:
    module, attr, *arg = spec.split(":")
    function: Callable[..., str] = getattr(importlib.import_module(module), attr)
    if arg:
        return lambda text: function(text, arg[0])
    return function


def converter(to: str | None, source: str | None = None) -> Callable[[str], str]:
    """The function :func:`convert` applies for ``to`` and ``source`` (checked now)."""
    if to is None:
        if source in _DECODERS:
            return _function(_DECODERS[source])
        raise InputError(f"cannot decode from {source!r}; decodable: {', '.join(decoders()) or 'none'}")
    if to in _SCRIPTS:
        if source is not None and source not in _SCRIPTS:
            raise InputError(f"--from {source} cannot be combined with --to {to}")
        config = _OPENCC.get((to, source))
        if config is None:
            return lambda text: text  # same script on both sides
        return opencc(config)
    if to in _TARGETS:
        if source is not None:
            raise InputError(f"--from cannot be combined with --to {to}")
        return _function(_TARGETS[to])
    raise InputError(f"unknown conversion target {to!r}; available: {', '.join(targets())}")


def convert(text: str, to: str | None = None, *, source: str | None = None) -> str:
    """Convert ``text`` to ``to`` (see :func:`targets`), or decode it from ``source``.

    For the Chinese scripts ``source`` names the input variant
    (``convert(t, to="simplified", source="taiwan")`` uses Taiwan phrasing).
    """
    return converter(to, source)(text)
