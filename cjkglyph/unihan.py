"""Unihan facts per character: total strokes, radical and residual strokes, four-corner code.

Data: ``data/unihan/unihan.tsv``, extracted from Unihan 15.0 by
``scripts/build_unihan.py`` (kTotalStrokes, kRSUnicode, kFourCornerCode; 98,060
characters). Where a field lists several values the first is used (for
kTotalStrokes that is the value for the mainland China glyph). Nothing is read at
import; the first lookup loads a memory-mapped table from the cache directory.

>>> from cjkglyph.unihan import strokes, radical, four_corner, lookup
>>> strokes("好"), strokes("a")
(6, None)
>>> radical("湖")
Radical(number=85, simplified=False, char='水', residual=9)
>>> radical("语").char, four_corner("端")
('讠', '0212.7')
>>> lookup("好语a")["strokes"].tolist()
[6, 9, -1]
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from .errors import InputError, ResourceError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Radical",
    "four_corner",
    "four_corner_array",
    "lookup",
    "radical",
    "radical_char",
    "strokes",
    "strokes_array",
]

# Simplified-form radicals of kRSUnicode (number followed by an apostrophe) -> their ideograph.
_SIMPLIFIED_RADICALS: dict[int, str] = {
    90: "丬", 120: "纟", 147: "见", 149: "讠", 154: "贝", 159: "车", 162: "辶", 167: "钅", 168: "长",
    169: "门", 178: "韦", 181: "页", 182: "风", 183: "飞", 184: "饣", 187: "马", 195: "鱼", 196: "鸟",
    197: "卤", 199: "麦", 201: "黄", 205: "黾", 210: "齐", 211: "齿", 212: "龙", 213: "龟",
}  # fmt: skip

# Table columns (int32): code point, total strokes, radical number, simplified flag,
# residual strokes, four-corner code (4 digits as an int, -1 = absent), supplementary digit (-1 = absent).
_CP, _STROKES, _RAD, _SIMP, _RESID, _FC, _FCSUP = range(7)


class Radical(NamedTuple):
    """Kangxi radical of a character (kRSUnicode): number 1-214, its ideograph, residual strokes."""

    number: int
    simplified: bool  #: the simplified form of the radical (e.g. 讠 for 149)
    char: str
    residual: int

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "simplified": self.simplified, "char": self.char, "residual": self.residual}


def radical_char(number: int, simplified: bool = False) -> str:
    """The ideograph of Kangxi radical ``number`` (1-214), or of its simplified form.

    >>> radical_char(85), radical_char(149, simplified=True)
    ('水', '讠')
    """
    if not 1 <= number <= 214:
        raise InputError(f"radical number must be 1-214, got {number}")
    if simplified and number in _SIMPLIFIED_RADICALS:
        return _SIMPLIFIED_RADICALS[number]
    return unicodedata.normalize("NFKC", chr(0x2F00 + number - 1))


def _build_table() -> np.ndarray:
    import numpy as np

    from .resources import data_path

    path = data_path("unihan", "unihan.tsv")
    rows: list[tuple[int, ...]] = []
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if line.startswith("#") or line.startswith("char\t"):
                    continue
                fields = line.rstrip("\n").split("\t")
                try:
                    char, total, rs, fc = fields
                    number, residual = rs.split(" ")[0].split(".")
                    simplified = number.count("'")
                    code = fc.split(" ")[0]
                    rows.append(
                        (
                            ord(char),
                            int(total.split(" ")[0]),
                            int(number.rstrip("'")),
                            simplified,
                            int(residual),
                            int(code[:4]) if code else -1,
                            int(code[5]) if len(code) == 6 else -1,
                        )
                    )
                except (ValueError, TypeError) as e:
                    raise ResourceError(f"corrupt {path} line {lineno}: {e}; rebuild it with scripts/build_unihan.py") from None
    except OSError as e:
        raise ResourceError(f"cannot read {path}: {e.strerror or e}; reinstall cjkglyph") from None
    table = np.array(rows, dtype=np.int32).reshape(-1, 7)
    return table[np.argsort(table[:, _CP], kind="stable")]


_TABLE: np.ndarray | None = None
_DICT: dict[str, int] | None = None
_LOCK = threading.Lock()


def _table() -> np.ndarray:
    global _TABLE
    if _TABLE is None:
        with _LOCK:
            if _TABLE is None:
                from .resources import cached_array, data_path, file_digest

                key = f"{file_digest(data_path('unihan', 'unihan.tsv'))}-v1"
                _TABLE = cached_array("unihan", key, _build_table)
    return _TABLE


def _row(char: str) -> int:
    global _DICT
    if not isinstance(char, str) or len(char) != 1:
        raise InputError(f"expected one character, got {char!r}")
    if _DICT is None:
        cps = _table()[:, _CP].tolist()
        _DICT = {chr(cp): i for i, cp in enumerate(cps)}
    return _DICT.get(char, -1)


def strokes(char: str) -> int | None:
    """Total stroke count (kTotalStrokes), or None when Unihan has none."""
    i = _row(char)
    return int(_table()[i, _STROKES]) if i >= 0 else None


def radical(char: str) -> Radical | None:
    """Radical and residual strokes (kRSUnicode), or None when Unihan has none."""
    i = _row(char)
    if i < 0:
        return None
    row = _table()[i]
    number, simplified = int(row[_RAD]), bool(row[_SIMP])
    return Radical(number, simplified, radical_char(number, simplified), int(row[_RESID]))


def four_corner(char: str) -> str | None:
    """Four-corner code such as ``"0212.7"`` (kFourCornerCode; 16,256 characters), or None."""
    i = _row(char)
    if i < 0 or _table()[i, _FC] < 0:
        return None
    row = _table()[i]
    sup = int(row[_FCSUP])
    return f"{int(row[_FC]):04d}" + (f".{sup}" if sup >= 0 else "")


def _rows(chars: Sequence[str] | str) -> np.ndarray:
    import numpy as np

    table = _table()
    if isinstance(chars, str):
        cps = np.array([ord(c) for c in chars], dtype=np.int64)
    else:
        try:
            cps = np.array([ord(c) for c in chars], dtype=np.int64)
        except TypeError:
            raise InputError("expected a string or a sequence of single characters") from None
    col = table[:, _CP]
    pos = np.searchsorted(col, cps)
    pos = np.minimum(pos, len(col) - 1)
    found = col[pos] == cps
    return np.where(found, pos, -1)


def lookup(chars: Sequence[str] | str) -> dict[str, np.ndarray]:
    """Vectorised lookup for many characters (a string or a sequence of one-character strings).

    Returns int arrays of length ``len(chars)``, -1 where a value is missing:
    ``strokes``, ``radical`` (number), ``simplified`` (0/1), ``residual`` and
    ``four_corner`` (shape (n, 5): the four corner digits and the supplementary digit).
    """
    import numpy as np

    rows = _rows(chars)
    table = _table()
    ok = rows >= 0
    safe = np.where(ok, rows, 0)
    out: dict[str, np.ndarray] = {}
    for name, col in (("strokes", _STROKES), ("radical", _RAD), ("simplified", _SIMP), ("residual", _RESID)):
        out[name] = np.where(ok, table[safe, col], -1).astype(np.int32)
    out["four_corner"] = _four_corner_from_rows(rows)
    return out


def _four_corner_from_rows(rows: np.ndarray) -> np.ndarray:
    import numpy as np

    table = _table()
    ok = rows >= 0
    safe = np.where(ok, rows, 0)
    code = np.where(ok, table[safe, _FC], -1)
    sup = np.where(ok, table[safe, _FCSUP], -1)
    digits = np.full((len(rows), 5), -1, dtype=np.int8)
    has = code >= 0
    for k, div in enumerate((1000, 100, 10, 1)):
        digits[has, k] = (code[has] // div) % 10
    digits[:, 4] = sup
    return digits


def strokes_array(chars: Sequence[str] | str) -> np.ndarray:
    """Total strokes for many characters as an int32 array (-1 = unknown)."""
    return lookup(chars)["strokes"]


def four_corner_array(chars: Sequence[str] | str) -> np.ndarray:
    """Four-corner digits for many characters, int8 array (n, 5), -1 = unknown."""
    return _four_corner_from_rows(_rows(chars))
