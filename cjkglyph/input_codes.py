"""Input-method codes of Han characters: Wubi 86, Cangjie 5 and stroke order.

Tables (in ``data/codes/``): Wubi 86 full codes (``wubi86.tsv``, from the
Jidian ibus table), Cangjie 5 codes (``cangjie5.tsv``, from libcangjie) and
stroke sequences written with the five stroke letters ``h s p n z`` (horizontal,
vertical, left-falling, dot/right-falling, turning), parsed at run time from
Rime's unmodified ``rime-stroke.dict.yaml`` (LGPL-3.0) and cached in the cache
directory. Where Rime lists both a Taiwan (CNS 11643) and a Mainland stroke
order, the Mainland one is used.

>>> from cjkglyph.input_codes import input_code, code_table
>>> input_code("好", "wubi"), input_code("好", "cangjie"), input_code("好", "stroke")
('vbg', 'vnd', 'zphzsh')
>>> input_code("a", "wubi") is None
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import InputError, ResourceError

__all__ = ["SCHEMES", "STROKES", "char_frequency", "code_file", "code_table", "input_code", "parse_stroke_dict"]

#: Input-code schemes with a shipped table.
SCHEMES: tuple[str, ...] = ("wubi", "cangjie", "stroke")
#: Stroke letters of the ``stroke`` scheme -> stroke names.
STROKES: dict[str, str] = {"h": "横", "s": "竖", "p": "撇", "n": "点/捺", "z": "折"}

_FILES = {"wubi": "wubi86.tsv", "cangjie": "cangjie5.tsv", "stroke": "rime-stroke.dict.yaml"}
_STROKE_CACHE_VERSION = "1"


def code_file(scheme: str) -> Path:
    """Path of the shipped code table of ``scheme`` (:data:`SCHEMES`)."""
    from .resources import data_path

    if scheme not in _FILES:
        raise InputError(f"unknown input-code scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    return data_path("codes", _FILES[scheme])


def _read_tsv(path: Path, columns: int) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) != columns or len(fields[0]) != 1:
                    raise ResourceError(f"corrupt data file {path}: bad line {line[:40]!r}; rebuild it with scripts/build_codes.py")
                rows.append(fields)
    except (OSError, UnicodeDecodeError) as e:
        raise ResourceError(f"cannot read data file {path}: {e}; reinstall cjkglyph") from None
    return rows


def parse_stroke_dict(path: str | Path) -> dict[str, str]:
    """Parse Rime's ``stroke.dict.yaml``: char -> stroke letters (later sections win, else first entry)."""
    best: dict[str, tuple[int, str]] = {}
    section = 0
    body = False
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not body:
                    body = line == "..."
                    continue
                if line.startswith("#"):
                    section += 1
                    continue
                fields = line.split("\t")
                if len(fields) < 2 or len(fields[0]) != 1 or not fields[1] or fields[1].strip("hspnz"):
                    continue
                old = best.get(fields[0])
                if old is None or old[0] < section:
                    best[fields[0]] = (section, fields[1])
    except (OSError, UnicodeDecodeError) as e:
        raise ResourceError(f"cannot read data file {path}: {e}; reinstall cjkglyph") from None
    if not best:
        raise ResourceError(f"corrupt data file {path}: no stroke entries; reinstall cjkglyph")
    return {c: code for c, (_, code) in best.items()}


def _stroke_table() -> dict[str, str]:
    import numpy as np

    from .resources import cached_array, file_digest

    path = code_file("stroke")

    def build() -> np.ndarray:
        table = parse_stroke_dict(path)
        blob = "".join(f"{c}{code}\n" for c, code in table.items()).encode("utf-8")
        return np.frombuffer(blob, dtype=np.uint8)

    blob = cached_array("stroke-codes", f"{file_digest(path)}-{_STROKE_CACHE_VERSION}", build, mmap=False)
    lines = blob.tobytes().decode("utf-8").split("\n")
    return {line[0]: line[1:] for line in lines if line}


@lru_cache(maxsize=None)
def code_table(scheme: str) -> dict[str, str]:
    """Every Han character with a code in ``scheme`` (``wubi``, ``cangjie``, ``stroke``) -> its code.

    >>> len(code_table("cangjie")) > 70000
    True
    """
    if scheme == "stroke":
        return _stroke_table()
    rows = _read_tsv(code_file(scheme), 3 if scheme == "wubi" else 2)
    return {r[0]: r[1] for r in rows}


def input_code(char: str, scheme: str) -> str | None:
    """The code of one character in ``scheme``, or None when the table has none."""
    return code_table(scheme).get(char)


@lru_cache(maxsize=1)
def char_frequency() -> dict[str, int]:
    """Relative frequency of Han characters (from the Wubi table; 0 for rare ones), for ranking.

    >>> freq = char_frequency()
    >>> freq["的"] > freq["好"] > freq["郝"]
    True
    """
    return {r[0]: int(r[2]) for r in _read_tsv(code_file("wubi"), 3)}
