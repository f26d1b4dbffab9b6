"""Per-character features of a text in one call: glyph images, pinyin and its ids, IDS, input codes.

The ``features`` pipeline joins what the feature modules compute (nothing is
computed here): :func:`cjkglyph.glyph.render` (images and the font that drew
each), :func:`cjkglyph.pinyin.pinyin` and :func:`cjkglyph.pinyin.pinyin_ids`
(readings in context, ChineseBERT ids), :func:`cjkglyph.ids.ids` and
:func:`cjkglyph.ids.structure`, :func:`cjkglyph.unihan.strokes`, and
:func:`cjkglyph.input_codes.input_code` (Wubi, Cangjie, stroke order).

Every character of the text gets an entry, Han or not (non-Han characters have
None readings, IDS and codes, and zero pinyin ids), so entry ``i`` belongs to
``text[i]``.

>>> from cjkglyph import pipeline
>>> out = pipeline("features", glyph=False)("好a")
>>> c = out["chars"][0]
>>> c["char"], c["pinyin"], c["ids"], c["structure"], c["codes"]["wubi"], c["strokes"]
('好', 'hao3', '⿰女子', 'left-right', 'vbg', 6)
>>> out["pinyin_ids"][0][:4], out["chars"][1]["pinyin"]
([13, 6, 20, 3], None)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .chars import is_han

__all__ = ["CODE_SCHEMES", "text_features"]

#: Input-code schemes a feature dict can hold.
CODE_SCHEMES = ("wubi", "cangjie", "stroke")


def text_features(
    text: str,
    *,
    glyph: bool = True,
    fonts: Sequence[str] = ("song", "hei", "kai"),
    size: int = 24,
    codes: Sequence[str] = CODE_SCHEMES,
    region: str | None = "G",
    numpy: bool = False,
) -> dict[str, Any]:
    """Features of every character of ``text`` (see the module docs).

    Returns ``{"text", "chars": [{"char", "pinyin", "zhuyin", "ids", "structure",
    "strokes", "codes", "glyph_fonts"}], "pinyin_ids": (N, 8), "glyph": (N, F, size, size)}``.
    With ``numpy=False`` (default) the arrays are nested lists (JSON-ready; glyph
    values rounded to 3 decimals); with ``numpy=True`` they are an int64 and a
    float32 array. ``glyph=False`` leaves out the images and ``glyph_fonts``.
    """
    from . import ids as ids_mod
    from . import input_codes, pinyin, unihan

    readings = pinyin.pinyin(text, "tone3")
    zhuyin = [None if r is None else pinyin.convert_style(r, "zhuyin") for r in readings]
    pinyin_ids = pinyin.pinyin_ids(text)
    chars: list[dict[str, Any]] = []
    for i, ch in enumerate(text):
        han = is_han(ch)
        entry: dict[str, Any] = {
            "char": ch,
            "pinyin": readings[i],
            "zhuyin": zhuyin[i],
            "ids": ids_mod.ids(ch, region) if han else None,
            "structure": ids_mod.structure(ch, region) if han and ids_mod.has_ids(ch) else None,
            "strokes": unihan.strokes(ch) if han else None,
            "codes": {s: input_codes.input_code(ch, s) if han else None for s in codes},
        }
        chars.append(entry)
    out: dict[str, Any] = {"text": text, "chars": chars}
    if glyph:
        from . import glyph as glyph_mod

        if text:
            images, info = glyph_mod.render(list(text), fonts=fonts, size=size, return_info=True)
        else:
            images, info = np.zeros((0, len(fonts), size, size), dtype=np.float32), []
        for entry, drawn in zip(chars, info, strict=True):
            entry["glyph_fonts"] = list(drawn)
        out["glyph"] = images if numpy else np.round(images, 3).tolist()
    out["pinyin_ids"] = pinyin_ids.astype(np.int64) if numpy else pinyin_ids.tolist()
    return out
