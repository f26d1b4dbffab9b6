"""Romanisation styles: one registered function per style, from one tone3 syllable to its spelling.

Every name accepted by ``style=`` (:func:`cjkglyph.pinyin.pinyin`, the ``pinyin``
pipeline, ``cjkglyph pinyin --style``) is a function below, registered with
:func:`register_style`; :data:`STYLES`, :class:`Style` and the CLI choices derive
from the registry. A new style is one decorated function here (and a test).

>>> convert_style("lv4", "tone"), convert_style("zhuang4", Style.ZHUYIN), STYLES[:3]
('lǜ', 'ㄓㄨㄤˋ', ('tone', 'tone3', 'normal'))
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import lru_cache

from ..errors import InputError
from .syllable import first_letter, split_syllable, strip_tone, tone3_to_mark, tone3_to_zhuyin

__all__ = ["STYLES", "Style", "convert_style", "register_style", "style_fn"]

_REGISTRY: dict[str, Callable[[str], str]] = {}


def register_style(name: str) -> Callable[[Callable[[str], str]], Callable[[str], str]]:
    """Decorator: register_style a function of one tone3 syllable as the style ``name``."""

    def add(fn: Callable[[str], str]) -> Callable[[str], str]:
        _REGISTRY[name] = fn
        return fn

    return add


@register_style("tone")
def _tone(tone3: str) -> str:
    """Tone marks: ``nǐ``, ``lǜ``."""
    return tone3_to_mark(tone3)


@register_style("tone3")
def _tone3(tone3: str) -> str:
    """Tone number after the letters: ``ni3`` (neutral tone 5, ü written v)."""
    return tone3


@register_style("normal")
def _normal(tone3: str) -> str:
    """No tone: ``ni``."""
    return strip_tone(tone3)


@register_style("initials")
def _initials(tone3: str) -> str:
    """The initial (``zh``; ``""`` for a syllable without one)."""
    return split_syllable(tone3)[0]


@register_style("finals")
def _finals(tone3: str) -> str:
    """The final in its contracted spelling (``you`` -> ``iu``, ``ju`` -> ``v``)."""
    return split_syllable(tone3)[1]


@register_style("zhuyin")
def _zhuyin(tone3: str) -> str:
    """Zhuyin (bopomofo) with tone marks: ``ㄋㄧˇ``."""
    return tone3_to_zhuyin(tone3)


@register_style("first-letter")
def _first_letter(tone3: str) -> str:
    """The first letter: ``n``."""
    return first_letter(tone3)


#: Names accepted by ``style=``, in registration order: tone (nǐ), tone3 (ni3), normal (ni), initials, finals, zhuyin, first-letter.
STYLES: tuple[str, ...] = tuple(_REGISTRY)
#: The styles as a str enum (``Style.TONE3 == "tone3"``), accepted wherever a style name is.
Style = enum.Enum("Style", {name.upper().replace("-", "_"): name for name in STYLES}, type=str, module=__name__)  # type: ignore[misc]


def style_fn(style: str) -> Callable[[str], str]:
    """The function of one tone3 syllable that ``style`` names (:class:`InputError` for an unknown style)."""
    try:
        return _REGISTRY[style]
    except KeyError:
        raise InputError(f"unknown pinyin style {style!r}; use one of {', '.join(STYLES)}") from None


@lru_cache(maxsize=8192)
def convert_style(tone3: str, style: str) -> str:
    """One tone3 syllable in ``style``: ``convert_style("lv4", "tone")`` -> ``lǜ``."""
    return style_fn(style)(tone3)
