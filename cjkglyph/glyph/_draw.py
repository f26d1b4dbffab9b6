"""Font loading and drawing shared by the modules of :mod:`cjkglyph.glyph` (private to the package).

A :class:`Font` knows its cmap (which code points it maps) and its ideographic em box;
:func:`draw` draws characters it covers into uint8 images.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError, ResourceError
from ..resources import FONTS, cached_array, file_digest, font_path

if TYPE_CHECKING:
    from PIL import ImageFont

FontSpec = str | os.PathLike[str]

_MAX_CP = 0x110000
#: Fonts registered by name (:func:`cjkglyph.glyph.register_font`).
USER_FONTS: dict[str, Path] = {}


@dataclass(frozen=True)
class Font:
    name: str
    path: str
    digest: str
    upm: int
    em_bottom: int  # ideographic em-box bottom in font units (usually -120 of 1000)
    mask: np.ndarray = field(repr=False)  # bool (0x110000,): code point is in the cmap

    def has(self, char: str) -> bool:
        return len(char) == 1 and bool(self.mask[ord(char)])


def resolve(font: FontSpec) -> Font:
    """The loaded font a name (shipped or registered) or a font file path stands for."""
    if isinstance(font, os.PathLike):
        font = os.fspath(font)
    if not isinstance(font, str):
        raise InputError(f"font must be a name or a path, not {type(font).__name__}")
    path = USER_FONTS.get(font)
    if path is None:
        try:
            path = font_path(font)
        except ResourceError as e:
            if font in FONTS:
                raise
            raise InputError(str(e)) from None
    return load_font(str(Path(path).resolve()), font)


def load_font(path: str, name: str) -> Font:
    digest = file_digest(path)
    return _font_cached(path, digest, name)


@lru_cache(maxsize=64)
def _font_cached(path: str, digest: str, name: str) -> Font:
    meta = cached_array("glyph-cmap", f"{digest}-v1", lambda: _read_cmap(path), mmap=False)
    mask = np.zeros(_MAX_CP, dtype=bool)
    cps = meta[2:]
    mask[cps[(cps >= 0) & (cps < _MAX_CP)]] = True
    return Font(name=name, path=path, digest=digest, upm=int(meta[0]), em_bottom=int(meta[1]), mask=mask)


def _read_cmap(path: str) -> np.ndarray:
    """[units per em, em-box bottom, *code points in the cmap] as int64."""
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True, fontNumber=0)
        cmap = font.getBestCmap() or {}
        upm = int(font["head"].unitsPerEm)
        bottom = _em_bottom(font, upm)
    except Exception as e:  # noqa: BLE001 - fontTools raises many types for bad files
        raise ResourceError(f"cannot read font {path}: {type(e).__name__}: {e} (give a .ttf/.otf/.ttc file)") from None
    return np.array([upm, bottom, *sorted(cmap)], dtype=np.int64)


def _em_bottom(font: Any, upm: int) -> int:
    """Bottom of the ideographic em box: BASE 'ideo' baseline, else OS/2 typo metrics, else line-box centred."""
    try:
        axis = font["BASE"].table.HorizAxis
        tags = list(axis.BaseTagList.BaselineTag)
        if "ideo" in tags:
            records = {r.BaseScriptTag: r.BaseScript for r in axis.BaseScriptList.BaseScriptRecord}
            for script in ("hani", "DFLT", *records):
                base = records.get(script)
                if base is not None and base.BaseValues is not None:
                    return int(base.BaseValues.BaseCoord[tags.index("ideo")].Coordinate)
    except (KeyError, AttributeError, IndexError, TypeError):
        pass
    if "OS/2" in font:
        os2 = font["OS/2"]
        if os2.sTypoAscender - os2.sTypoDescender == upm:
            return int(os2.sTypoDescender)
        return int(round((os2.sTypoAscender + os2.sTypoDescender - upm) / 2))
    hhea = font["hhea"]
    return int(round((hhea.ascent + hhea.descent - upm) / 2))


@lru_cache(maxsize=32)
def _pil_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size=size, layout_engine=ImageFont.Layout.BASIC)
    except OSError as e:
        raise ResourceError(f"cannot open font {path}: {e}") from None


def one_char(char: str) -> str:
    if not isinstance(char, str) or len(char) != 1:
        raise InputError(f"expected one character (code point), got {char!r:.40}")
    return char


def codepoints(chars: str | Sequence[str]) -> np.ndarray:
    if isinstance(chars, str):
        return np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    items = list(chars)
    for c in items:
        one_char(c)
    return np.fromiter((ord(c) for c in items), dtype=np.int64, count=len(items))


def as_chars(text_or_chars: str | Iterable[str]) -> list[str]:
    if isinstance(text_or_chars, str):
        return list(text_or_chars)
    return [one_char(c) for c in text_or_chars]


def display(font: FontSpec) -> str:
    return os.fspath(font) if isinstance(font, os.PathLike) else str(font)


def check_size(size: int) -> int:
    """``size`` if it is a glyph size in pixels (4 to 1024), else :class:`~cjkglyph.errors.InputError`."""
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or not 4 <= size <= 1024:
        raise InputError(f"glyph size must be an integer from 4 to 1024, got {size!r}")
    return int(size)


def draw(font: Font, size: int, chars: Sequence[str], out: np.ndarray | None = None) -> np.ndarray:
    """Draw characters the font covers into uint8 (n, size, size) images (ink 255)."""
    from PIL import Image, ImageDraw

    pil = _pil_font(font.path, size)
    baseline = size * (font.em_bottom + font.upm) / font.upm
    if out is None:
        out = np.zeros((len(chars), size, size), dtype=np.uint8)
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    for i, ch in enumerate(chars):
        draw.rectangle((0, 0, size, size), fill=0)
        x = (size - pil.getlength(ch)) / 2
        draw.text((x, baseline), ch, font=pil, fill=255, anchor="ls")
        out[i] = np.asarray(img)
    return out
