"""The loaded IDS table (private to :mod:`cjkglyph.ids`): characters, their tagged sequences, notes.

Read from the shipped BabelStone ``data/ids/IDS.TXT`` through a JSON cache keyed by the file digest.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError, ResourceError, excerpt
from .tree import REGIONS, IDSNode, parse_ids


class IDSTable:
    """The loaded IDS table: characters, their tagged sequences and notes."""

    def __init__(self, blob: dict[str, Any], key: str) -> None:
        self.key = key
        self.chars: str = blob["chars"]
        self.start: list[int] = blob["start"]
        self.seqs: list[str] = blob["seqs"]
        self.tags: list[str] = blob["tags"]
        self.notes: dict[str, list[str]] = blob["notes"]
        self.unencoded: dict[str, list[str]] = blob["unencoded"]
        self.info: dict[str, Any] = blob["info"]
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.chars)}
        self._trees: dict[int, IDSNode] = {}
        self._select: dict[str | None, dict[str, int]] = {}
        #: Full decompositions by (component, region), memoised by :func:`cjkglyph.ids.core.decompose`.
        self.expanded: dict[tuple[str, str | None], IDSNode] = {}
        self.cycles = 0
        self.lock = threading.RLock()

    def tree(self, seq: int) -> IDSNode:
        node = self._trees.get(seq)
        if node is None:
            node = self._trees[seq] = parse_ids(self.seqs[seq])
        return node

    def select(self, char: str, region: str | None) -> int:
        """Index of the sequence chosen for ``char`` and ``region``; -1 when there is none."""
        i = self.index.get(char)
        if i is None:
            return -1
        lo, hi = self.start[i], self.start[i + 1]
        if region is None or hi - lo == 1:
            return lo
        cache = self._select.setdefault(region, {})
        got = cache.get(char)
        if got is None:
            got = cache[char] = _choose(self.tags[lo:hi], region) + lo
        return got


_TAG_RE = re.compile(r"UCS2003|\[[A-Z]\]|[A-Z]")


@lru_cache(maxsize=4096)
def _parse_tags(tags: str) -> tuple[frozenset[str], frozenset[str]]:
    real: set[str] = set()
    virtual: set[str] = set()
    for t in _TAG_RE.findall(tags):
        (virtual if t.startswith("[") else real).add(t.strip("[]"))
    return frozenset(real), frozenset(virtual)


def _choose(tags: Sequence[str], region: str) -> int:
    parsed = [_parse_tags(t) for t in tags]
    for k, (real, _) in enumerate(parsed):
        if region in real:
            return k
    for k, (_, virtual) in enumerate(parsed):
        if region in virtual:
            return k
    for k, (real, _) in enumerate(parsed):
        if real & set(REGIONS):
            return k
    return 0


_LINE_RE = re.compile(r"\^(.+)\$\(([^()]*)\)")
_UNENCODED_RE = re.compile(r"#\t\{(\d+)\}\t([^\t]*)(?:\t(.*))?")
_PUA_RE = re.compile(r"\s*\(([0-9A-F]{4,6}) [^)]*\)\s*$")
_CACHE_VERSION = "1"


def _ids_path() -> Path:
    from ..resources import data_path

    return data_path("ids", "IDS.TXT")


def read_ids_file(path: str | Path, trees: list[IDSNode] | None = None) -> dict[str, Any]:
    """Parse an IDS.TXT file into the JSON-ready table the cache stores (every sequence is validated).

    The parsed trees are appended to ``trees`` when given.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ResourceError(f"cannot read {path}: {e}; reinstall cjkglyph or restore data/ids/IDS.TXT") from None
    chars: list[str] = []
    start: list[int] = []
    seqs: list[str] = []
    tags: list[str] = []
    notes: dict[str, list[str]] = {}
    unencoded: dict[str, list[str]] = {}
    info: dict[str, Any] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        if line.startswith("#"):
            m = _UNENCODED_RE.fullmatch(line)
            if m:
                desc = m.group(2).strip()
                pua = _PUA_RE.search(desc)
                unencoded["{" + m.group(1) + "}"] = [
                    _PUA_RE.sub("", desc),
                    pua.group(1) if pua else "",
                    (m.group(3) or "").strip(),
                ]
            for label in ("Unicode Version", "File Date", "Total entries"):
                if line.startswith(f"# {label}:"):
                    info[label.lower().replace(" ", "_")] = line.split(":", 1)[1].strip()
            continue
        fields = line.split("\t")
        bad = len(fields) < 3 or len(fields[1]) != 1 or fields[0] != f"U+{ord(fields[1][0]):04X}"
        if bad:
            raise ResourceError(f"corrupt {path} line {lineno}: expected 'U+XXXX<TAB>char<TAB>^IDS$(tags)'")
        char = fields[1]
        chars.append(char)
        start.append(len(seqs))
        for field in fields[2:]:
            if field.startswith("*"):
                notes.setdefault(char, []).append(field[1:])
                continue
            m = _LINE_RE.fullmatch(field)
            if m is None:
                raise ResourceError(f"corrupt {path} line {lineno}: cannot read {excerpt(field)!r}")
            try:
                tree = parse_ids(m.group(1))
            except InputError as e:
                raise ResourceError(f"corrupt {path} line {lineno}: {e}") from None
            seqs.append(m.group(1))
            tags.append(m.group(2))
            if trees is not None:
                trees.append(tree)
        if start[-1] == len(seqs):
            raise ResourceError(f"corrupt {path} line {lineno}: no IDS for {char}")
    start.append(len(seqs))
    expected = info.get("total_entries", "").replace(",", "")
    if expected.isdigit() and int(expected) != len(chars):
        raise ResourceError(f"corrupt {path}: header says {expected} entries, found {len(chars)}; restore data/ids/IDS.TXT")
    info["entries"] = len(chars)
    info["sequences"] = len(seqs)
    return {"chars": "".join(chars), "start": start, "seqs": seqs, "tags": tags, "notes": notes, "unencoded": unencoded, "info": info}


_DATA: IDSTable | None = None
_LOCK = threading.Lock()


def load() -> IDSTable:
    """The IDS table, loaded once (from the JSON cache, built from the shipped file on first use)."""
    global _DATA
    if _DATA is None:
        with _LOCK:
            if _DATA is None:
                from ..resources import cached_json, file_digest

                path = _ids_path()
                key = f"{file_digest(path)}-v{_CACHE_VERSION}"
                trees: list[IDSNode] = []
                data = IDSTable(cached_json("ids", key, lambda: read_ids_file(path, trees)), key)
                if len(trees) == len(data.seqs):  # just built: keep the trees parsed while validating
                    data._trees = dict(enumerate(trees))
                _DATA = data
    return _DATA
