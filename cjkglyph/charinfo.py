"""Per-character structure facts (IDS, structure, components, strokes, radical).

Joins :mod:`cjkglyph.ids` and :mod:`cjkglyph.unihan` into JSON-ready dicts
for the ``cjkglyph ids`` command and ``pipeline("ids")``.

>>> from cjkglyph.charinfo import char_info
>>> info = char_info("好")
>>> info["ids"], info["structure"], [c["component"] for c in info["components"]], info["strokes"]
('⿰女子', 'left-right', ['女', '子'], 6)
>>> info["radical"]
{'number': 38, 'simplified': False, 'char': '女', 'residual': 3}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ids as _ids
from . import unihan
from .chars import han_mask

__all__ = ["char_info", "text_info"]


def _weight() -> Callable[[str], float]:
    def weight(c: str) -> float:
        n = unihan.strokes(c) if len(c) == 1 else None
        return float(n) if n else 1.0 if len(c) == 1 and 0x31C0 <= ord(c) <= 0x31EF else 3.0

    return weight


def char_info(char: str, depth: int | None = 1, region: str | None = "G") -> dict[str, Any]:
    """``{"char", "ids", "structure", "components", "strokes", "radical"}`` for one character.

    ``components`` lists the leaves of the decomposition to ``depth`` (0 or
    None = down to atomic components) with dotted positions, boxes (stroke
    weighted, unit square, y down) and nesting level; ``{n}`` components carry
    the file's description. With ``depth`` other than 1 the expanded sequence
    is given as ``decomposition``. Fields are null (components empty) when the
    data has nothing for the character.
    """
    _ids.check_char(char)
    sequence = _ids.ids(char, region)
    rad = unihan.radical(char)
    info: dict[str, Any] = {"char": char, "ids": sequence, "structure": None, "components": []}
    if sequence is not None:
        info["structure"] = _ids.structure(char, region)
        unencoded = _ids.unencoded_components()
        parts = []
        for p in _ids.components(char, depth, region, weight=_weight()):
            d = p.as_dict()
            if p.component in unencoded:
                d["description"] = unencoded[p.component][0]
            parts.append(d)
        info["components"] = parts
        if depth != 1:
            info["decomposition"] = str(_ids.decompose(char, depth, region))
    info["strokes"] = unihan.strokes(char)
    info["radical"] = rad.as_dict() if rad is not None else None
    return info


def text_info(text: str, depth: int | None = 1, region: str | None = "G") -> dict[str, Any]:
    """``{"text", "chars"}`` with one :func:`char_info` per Han character of ``text``, in order."""
    return {"text": text, "chars": [char_info(c, depth, region) for c, han in zip(text, han_mask(text)) if han]}
