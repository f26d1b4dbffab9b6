"""Confusion sets on disk: pycorrector-style files in and out, error pairs from parallel text.

Formats read by :func:`read_confusion` (``format="auto"`` decides per line;
``#`` starts a comment line):

- ``pairs``: ``wrong right [count]`` separated by spaces or a tab
  (pycorrector's ``custom_confusion.txt``); equal-length words give one pair
  per differing character;
- ``candidates``: ``char<TAB>candidates[<TAB>more candidates ...]`` with every
  character of the later fields a candidate (pycorrector's ``same_pinyin.txt``:
  ``char<TAB>same sound and tone<TAB>same sound, other tone``; the SIGHAN-2013
  confusion set has the same shape);
- ``groups``: Han characters that are all confusable with each other, separated by
  tabs, spaces or commas (pycorrector's ``same_stroke.txt``); never guessed by ``auto``.

One parser reads them all; :func:`parse_user_confusion` keeps what the spelling
corrector needs beyond character pairs (word pairs, protected words).

>>> from cjkglyph.graph.confusion import parse_confusion
>>> parse_confusion(["在 再", "己\\t已巳", "# comment", "因该 应该 5"])
[('在', '再', 1), ('己', '已', 1), ('己', '巳', 1), ('因', '应', 5)]
>>> parse_confusion(["未末"], format="groups")
[('未', '末', 1), ('末', '未', 1)]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from .._splits import fold_of
from ..chars import is_han
from ..errors import InputError

__all__ = [
    "FORMATS",
    "ErrorPair",
    "UserConfusion",
    "confusion_lines",
    "parse_confusion",
    "parse_user_confusion",
    "read_confusion",
    "read_parallel_pairs",
    "read_user_confusion",
    "user_confusion",
    "write_confusion",
]

FORMATS = ("auto", "pairs", "candidates", "groups")
MAX_GROUP = 256  # characters in one line of the groups format (it yields every ordered pair)
_SPLIT = re.compile(r"[\t ,，]+")
_T = TypeVar("_T")


class ErrorPair(NamedTuple):
    """One changed character of a parallel (source, target) sentence pair."""

    wrong: str
    right: str
    line: int  # 1-based line number in the file
    fold: int  # cjkglyph._splits.fold_of(source): 0 = the slice held out from the graph ranker

    @property
    def heldout(self) -> bool:
        return self.fold == 0


def read_parallel_pairs(path: str | os.PathLike[str], *, han_only: bool = True) -> list[ErrorPair]:
    """Character pairs where ``source<TAB>target`` lines differ (lines of unequal length are skipped).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = p.write_text("我再家\\t我在家\\n", encoding="utf-8")
    >>> [(e.wrong, e.right) for e in read_parallel_pairs(p)]
    [('再', '在')]
    """
    out: list[ErrorPair] = []
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) < 2 or len(fields[0]) != len(fields[1]):
                    continue
                src, tgt = fields[0], fields[1]
                fold = fold_of(src)
                for a, b in zip(src, tgt):
                    if a != b and (not han_only or (is_han(a) and is_han(b))):
                        out.append(ErrorPair(a, b, lineno, fold))
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: invalid UTF-8 at byte {e.start + 1}") from None
    return out


def _line_pairs(fields: list[str], fmt: str) -> Iterator[tuple[str, str, int]]:
    if fmt == "groups":
        chars = list(dict.fromkeys(c for f in fields for c in f if is_han(c)))
        if len(chars) > MAX_GROUP:
            raise InputError(f"a confusion group of {len(chars)} characters is too large (at most {MAX_GROUP})")
        for a in chars:
            for b in chars:
                if a != b:
                    yield a, b, 1
        return
    if fmt == "candidates":
        key = fields[0]
        if len(key) != 1:
            return
        for f in fields[1:]:
            for c in f:
                if c != key and not c.isspace():
                    yield key, c, 1
        return
    # pairs
    count = 1
    if len(fields) >= 3 and fields[2].isdigit():
        count = max(1, int(fields[2]))
    a, b = fields[0], fields[1]
    if len(a) == len(b):
        for x, y in zip(a, b):
            if x != y:
                yield x, y, count


def _entries(lines: Iterable[str], format: str) -> Iterator[tuple[str, str, int]]:
    """(wrong, right, count) entries of confusion-file lines, in order: the one parser of every format.

    ``auto``: a line of two whitespace-separated fields of equal length, plus an
    optional count, is one entry (words stay words; a word written twice is an
    entry with ``wrong == right``); other lines give character entries as their
    shape says (see :func:`parse_confusion`).
    """
    if format not in FORMATS:
        raise InputError(f"unknown confusion format {format!r}; use one of {', '.join(FORMATS)}")
    for raw in lines:
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if format == "auto":
            words = line.split()
            if len(words) in (2, 3) and len(words[0]) == len(words[1]) and (len(words) == 2 or words[2].isdigit()):
                yield words[0], words[1], max(1, int(words[2])) if len(words) == 3 else 1
                continue
            tab = [f for f in line.strip().split("\t") if f]
            if len(tab) >= 2 and len(tab[0]) == 1 and not tab[0].isspace():
                fields, fmt = [f.strip() for f in tab], "candidates"
            else:
                fields, fmt = [f for f in _SPLIT.split(line.strip()) if f], "pairs"
                if len(fields) < 2 or len(fields) > 3:
                    continue
        else:
            fmt = format
            fields = [f for f in (line.strip().split("\t") if fmt == "candidates" else _SPLIT.split(line.strip())) if f]
            if len(fields) < (1 if fmt == "groups" else 2):
                continue
        yield from _line_pairs(fields, fmt)


def parse_confusion(lines: Iterable[str], format: str = "auto") -> list[tuple[str, str, int]]:
    """(wrong, candidate, count) character triples of confusion-file lines; duplicates are kept in order.

    ``auto``: a line with a tab whose first field is one character is
    ``candidates``; any other line of two or three fields is ``pairs``.
    """
    return [(x, y, n) for a, b, n in _entries(lines, format) for x, y in zip(a, b) if x != y]


@dataclass
class UserConfusion:
    """What a user confusion file says: character pairs (candidates), word pairs (forced corrections), protected words."""

    char_pairs: list[tuple[str, str, int]] = field(default_factory=list)
    word_pairs: dict[str, str] = field(default_factory=dict)
    whitelist: set[str] = field(default_factory=set)

    def extend(self, other: UserConfusion) -> None:
        self.char_pairs.extend(other.char_pairs)
        self.word_pairs.update(other.word_pairs)
        self.whitelist |= other.whitelist


def parse_user_confusion(lines: Iterable[str]) -> UserConfusion:
    """The entries of pycorrector-style lines (``auto`` format) as a :class:`UserConfusion`: ``wrong right``
    words become word pairs (and their character pairs), a word written twice is protected.

    >>> uc = parse_user_confusion(["变形金钢 变形金刚", "公圆 公圆", "在 再 3"])
    >>> uc.word_pairs, uc.whitelist, uc.char_pairs
    ({'变形金钢': '变形金刚'}, {'公圆'}, [('钢', '刚', 1), ('在', '再', 3)])
    """
    out = UserConfusion()
    for a, b, n in _entries(lines, "auto"):
        if a == b:
            out.whitelist.add(a)
        elif len(a) == 1:
            out.char_pairs.append((a, b, n))
        else:
            out.word_pairs[a] = b
            out.char_pairs.extend((x, y, n) for x, y in zip(a, b) if x != y)
    return out


def _read(path: str | os.PathLike[str], parse: Callable[[Iterable[str]], _T]) -> _T:
    try:
        with open(path, encoding="utf-8") as f:
            return parse(f)
    except OSError as e:
        raise InputError(f"cannot read confusion file {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"confusion file {path}: invalid UTF-8 at byte {e.start + 1}") from None


def read_confusion(path: str | os.PathLike[str], format: str = "auto") -> list[tuple[str, str, int]]:
    """Read a confusion file (see the module docstring) as (wrong, candidate, count) triples."""
    return _read(path, lambda f: parse_confusion(f, format))


def read_user_confusion(path: str | os.PathLike[str]) -> UserConfusion:
    """Read a user confusion file (UTF-8) as a :class:`UserConfusion`."""
    return _read(path, parse_user_confusion)


def user_confusion(spec: Any) -> UserConfusion:
    """The :class:`UserConfusion` of ``spec``: None, a file path, or a list of paths and (wrong, right) pairs."""
    if spec is None:
        return UserConfusion()
    if isinstance(spec, UserConfusion):
        return spec
    if isinstance(spec, (str, os.PathLike)):
        return read_user_confusion(spec)
    out = UserConfusion()
    pairs: list[str] = []
    for item in spec:
        if isinstance(item, (str, os.PathLike)):
            out.extend(read_user_confusion(item))
        elif isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            pairs.append(f"{item[0]} {item[1]}")
        else:
            raise InputError(f"confusion entries are file paths or (wrong, right) pairs, not {item!r:.40}")
    out.extend(parse_user_confusion(pairs))
    return out


def confusion_lines(rows: Iterable[tuple[str, Iterable[str]]], format: str = "candidates") -> Iterator[str]:
    """The lines (with ``\\n``) of a confusion file for ``(char, candidates)`` rows; rows without candidates are skipped.

    ``candidates``: ``char<TAB>candidates`` (joined without separator);
    ``pairs``: one ``char candidate`` line per candidate.

    >>> list(confusion_lines([("在", "再载"), ("x", "")], "pairs"))
    ['在 再\\n', '在 载\\n']
    """
    if format not in ("candidates", "pairs"):
        raise InputError(f"confusion files are written as candidates or pairs, not {format!r}")
    for char, cands in rows:
        cands = [c for c in cands if c != char]
        if not cands:
            continue
        if format == "candidates":
            yield f"{char}\t{''.join(cands)}\n"
        else:
            yield from (f"{char} {c}\n" for c in cands)


def write_confusion(
    path: str | os.PathLike[str],
    rows: Iterable[tuple[str, Iterable[str]]],
    format: str = "candidates",
    *,
    header: str | None = None,
) -> int:
    """Write ``(char, candidates)`` rows as a confusion file (see :func:`confusion_lines`); returns the line count."""
    from ..resources import atomic_write

    lines = list(confusion_lines(rows, format))
    text = (f"# {header}\n" if header else "") + "".join(lines)
    try:
        with atomic_write(path, "wb") as f:
            f.write(text.encode("utf-8", "surrogatepass"))
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror or e}") from None
    return len(lines)
