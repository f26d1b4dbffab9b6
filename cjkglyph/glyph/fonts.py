"""Fonts: the shipped and registered fonts and which characters each covers.

>>> covered("字", "kai"), covered("\\U00020000", "song")
(True, False)
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..resources import FONTS
from ._draw import USER_FONTS, FontSpec, codepoints, display, load_font, one_char, resolve

__all__ = ["DEFAULT_FONTS", "covered", "coverage_mask", "coverage_report", "font_names", "register_font"]

#: The shipped fonts, in the order ChineseBERT-style models expect them.
DEFAULT_FONTS: tuple[str, ...] = ("song", "hei", "kai")


def register_font(name: str, path: str | os.PathLike[str]) -> None:
    """Make a font file usable by ``name`` everywhere a font is accepted.

    >>> from cjkglyph.resources import font_path
    >>> register_font("mykai", font_path("kai")); "mykai" in font_names()
    True
    """
    if not name or name in FONTS:
        raise InputError(f"cannot register font {name!r}: choose a new, non-empty name (taken: {', '.join(FONTS)})")
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"cannot register font {name!r}: no such file {p}")
    load_font(str(p.resolve()), name)  # validate now
    USER_FONTS[name] = p.resolve()


def font_names() -> list[str]:
    """Shipped and registered font names."""
    return [*FONTS, *USER_FONTS]


def covered(char: str, font: FontSpec = "song") -> bool:
    """True if ``font``'s cmap maps ``char`` (one code point) to a glyph.

    >>> covered("字", "hei"), covered("a", "kai"), covered("\\U00020000", "kai")
    (True, True, False)
    """
    return bool(resolve(font).mask[ord(one_char(char))])


def coverage_mask(chars: str | Sequence[str], font: FontSpec = "song") -> np.ndarray:
    """Vectorised :func:`covered`: bool array, one entry per character."""
    return resolve(font).mask[codepoints(chars)]


def coverage_report(fonts: Sequence[FontSpec] = DEFAULT_FONTS, blocks: Sequence[str] | None = None) -> dict[str, Any]:
    """Characters covered per block and font (assigned = per Python's Unicode database).

    >>> r = coverage_report(["kai"], blocks=["uro"]); r["blocks"][0]["covered"]["kai"]
    20992
    """
    from ..chars import BLOCKS

    loaded = [(display(f), resolve(f)) for f in fonts]
    rows = []
    for first, last, full, short in BLOCKS:
        if blocks is not None and short not in blocks and full not in blocks:
            continue
        cps = np.arange(first, last + 1)
        assigned = sum(unicodedata.category(chr(cp)) != "Cn" for cp in range(first, last + 1))
        per_font = {name: int(f.mask[cps].sum()) for name, f in loaded}
        anyf = np.zeros(len(cps), dtype=bool)
        for _, f in loaded:
            anyf |= f.mask[cps]
        rows.append(
            {
                "block": short,
                "name": full,
                "range": f"U+{first:04X}..U+{last:04X}",
                "code_points": len(cps),
                "assigned": assigned,
                "covered": per_font,
                "covered_any": int(anyf.sum()),
            }
        )
    return {"unicode_version": unicodedata.unidata_version, "fonts": {n: f.path for n, f in loaded}, "blocks": rows}
