"""Ideographic Description Sequences: parse, look up, decompose and search by component.

Data: the shipped BabelStone ``data/ids/IDS.TXT`` (Unicode 16, 97,680 characters).
A character may have several sequences, each tagged with the sources (regions)
whose glyphs it describes; :func:`ids` picks one per region. Nothing is read at
import; the first lookup loads a compact JSON cache (built once from the text
file, keyed by its digest) in well under a second.

>>> from cjkglyph.ids import ids, parse_ids, components, containing, structure
>>> ids("好"), ids("想"), ids("国")
('⿰女子', '⿱相心', '⿴囗玉')
>>> tree = parse_ids("⿰氵⿱口口")
>>> tree.structure, str(tree.children[1]), tree.leaves()
('left-right', '⿱口口', ['氵', '口', '口'])
>>> [(p.component, p.position) for p in components("想", depth=2)][:3]
[('木', 'top.left'), ('目', 'top.right'), ('㇒', 'bottom.left')]
>>> "湖" in containing("氵", position="left")
True

Notation (the file header documents it): the 17 ideographic description
characters of Unicode 16 (``⿰⿱⿴⿵⿶⿷⿸⿹⿺⿻⿼⿽`` and ``㇯`` U+31EF subtraction take two
operands, ``⿲⿳`` three, ``⿾`` mirror and ``⿿`` rotation one), ``〾`` before any
sub-sequence marks a component that differs in some minor way, ``{n}`` is an
unencoded component (see :func:`unencoded_components`) and ``？`` an
unrepresentable one. Components are Han ideographs (any block, including
planes 2 and 3), CJK strokes, CJK radicals and private-use characters.

Positions: each operand of an operator has a role (``left``/``right``,
``top``/``bottom``, ``left``/``middle``/``right``, ``outside``/``inside`` for
the surrounds, ``overlaid`` for ⿻, ``base``/``removed`` for ㇯, ``mirrored``,
``rotated``); the position of a component is the dotted path of roles from
the root (``top.left``). Boxes ``(x0, y0, x1, y1)`` lie in the unit square with
y growing downwards; left-right and top-bottom splits are even unless a
``weight`` (e.g. stroke counts) is given, then proportional to its square root.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ..chars import HAN_RE
from ..errors import InputError, ResourceError

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

__all__ = [
    "IDC",
    "REGIONS",
    "STRUCTURES",
    "IDSNode",
    "Part",
    "alternatives",
    "characters",
    "check_char",
    "check_region",
    "components",
    "containing",
    "decompose",
    "has_ids",
    "ids",
    "ids_data_info",
    "notes",
    "parse_ids",
    "structure",
    "to_ids",
    "unencoded_components",
]

#: Operator -> (number of operands, structure name, role of each operand).
IDC: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "⿰": (2, "left-right", ("left", "right")),
    "⿱": (2, "top-bottom", ("top", "bottom")),
    "⿲": (3, "left-middle-right", ("left", "middle", "right")),
    "⿳": (3, "top-middle-bottom", ("top", "middle", "bottom")),
    "⿴": (2, "surround", ("outside", "inside")),
    "⿵": (2, "surround-from-above", ("outside", "inside")),
    "⿶": (2, "surround-from-below", ("outside", "inside")),
    "⿷": (2, "surround-from-left", ("outside", "inside")),
    "⿸": (2, "surround-from-upper-left", ("outside", "inside")),
    "⿹": (2, "surround-from-upper-right", ("outside", "inside")),
    "⿺": (2, "surround-from-lower-left", ("outside", "inside")),
    "⿻": (2, "overlaid", ("overlaid", "overlaid")),
    "\u2ffc": (2, "surround-from-right", ("outside", "inside")),
    "\u2ffd": (2, "surround-from-lower-right", ("outside", "inside")),
    "\u2ffe": (1, "horizontal-reflection", ("mirrored",)),
    "\u2fff": (1, "rotation", ("rotated",)),
    "\u31ef": (2, "subtraction", ("base", "removed")),
}
#: Structure names: one per operator plus ``atomic`` (a single component) and ``unknown`` (``？``).
STRUCTURES: tuple[str, ...] = (*(v[1] for v in IDC.values()), "atomic", "unknown")
ROLES: frozenset[str] = frozenset(r for v in IDC.values() for r in v[2])
#: Source (region) letters in the file's order; ``X`` (alternative), ``Z`` (unifiable variant)
#: and ``UCS2003`` are also accepted as tags.
REGIONS: tuple[str, ...] = ("G", "H", "M", "T", "J", "K", "P", "V", "U", "S", "B")
_TAGS = (*REGIONS, "X", "Z", "UCS2003")

IVI = "〾"  # U+303E ideographic variation indicator
UNKNOWN = "？"  # U+FF1F: an unrepresentable component
MAX_NESTING = 100

# Inner box of the surround operators (the outside part covers the whole square).
_INSIDE: dict[str, tuple[float, float, float, float]] = {
    "⿴": (0.2, 0.2, 0.8, 0.8),
    "⿵": (0.2, 0.3, 0.8, 1.0),
    "⿶": (0.2, 0.0, 0.8, 0.7),
    "⿷": (0.3, 0.2, 1.0, 0.8),
    "⿸": (0.3, 0.3, 1.0, 1.0),
    "⿹": (0.0, 0.3, 0.7, 1.0),
    "⿺": (0.3, 0.0, 1.0, 0.7),
    "\u2ffc": (0.0, 0.2, 0.7, 0.8),
    "\u2ffd": (0.0, 0.0, 0.7, 0.7),
}

Box = tuple[float, float, float, float]
_UNIT: Box = (0.0, 0.0, 1.0, 1.0)


def _is_component_char(ch: str) -> bool:
    cp = ord(ch)
    return (
        HAN_RE.match(ch) is not None
        or 0x31C0 <= cp <= 0x31E5  # CJK strokes (U+31EF is the subtraction IDC)
        or 0x2E80 <= cp <= 0x2FDF  # CJK radicals supplement, Kangxi radicals
        or cp == 0xFF1F  # ？ unrepresentable
        or 0xE000 <= cp <= 0xF8FF
        or cp >= 0xF0000  # private use (planes 15-16)
    )


@dataclass(frozen=True, slots=True)
class IDSNode:
    """One node of an IDS tree.

    A composition has an operator ``label`` (an IDC) and its operands in
    ``children``; a leaf has a component ``label`` (``"女"``, ``"{12}"``,
    ``"？"``) and no children. ``variant`` records a preceding ``〾``; ``of`` names
    the component a subtree stands for when :func:`decompose` expanded it.
    ``str(node)`` gives the sequence back exactly.

    >>> node = parse_ids("⿱〾⿰丶一{22}")
    >>> node.label, node.children[0].variant, str(node)
    ('⿱', True, '⿱〾⿰丶一{22}')
    """

    label: str
    children: tuple[IDSNode, ...] = ()
    variant: bool = False
    of: str | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def structure(self) -> str:
        """Structure name of this node (see :data:`STRUCTURES`)."""
        if self.children:
            return IDC[self.label][1]
        return "unknown" if self.label == UNKNOWN else "atomic"

    def __str__(self) -> str:
        parts: list[str] = []
        stack: list[IDSNode] = [self]
        while stack:
            node = stack.pop()
            if node.variant:
                parts.append(IVI)
            parts.append(node.label)
            stack.extend(reversed(node.children))
        return "".join(parts)

    def leaves(self) -> list[str]:
        """Leaf components from left to right (prefix order)."""
        return [node.label for node in self._prefix() if not node.children]

    def size(self) -> int:
        """Number of nodes."""
        return sum(1 for _ in self._prefix())

    def depth(self) -> int:
        """Number of operator levels (0 for a leaf)."""
        return max((len(path) for _, path, _ in self.walk()), default=0)

    def walk(self, weight: Callable[[str], float] | None = None) -> Iterator[tuple[IDSNode, tuple[str, ...], Box]]:
        """Yield ``(node, path of roles, box)`` for every node in prefix order.

        ``weight(component)`` sets how much room a leaf (or an expanded
        component) takes in left-right and top-bottom splits (default: every
        leaf weighs 1); a part gets a share proportional to the square root of
        its total weight, at least a quarter (a fifth in three-part splits).
        """
        for node, path, box, _ in self._visit(weight, None, lambda _n, _i, _s: None):
            yield node, path, box

    def _visit(
        self, weight: Callable[[str], float] | None, state: Any, child_state: Callable[[IDSNode, int, Any], Any]
    ) -> Iterator[tuple[IDSNode, tuple[str, ...], Box, Any]]:
        """:meth:`walk` that also threads a value from each node to its children (``child_state(parent, i, value)``)."""
        sizes: dict[int, float] = {}  # keyed by id(): equal subtrees have equal sizes, so sharing is harmless
        if any(n.label in "⿰⿱⿲⿳" for n in self._prefix()):
            self._sizes(weight or (lambda _c: 1.0), sizes)
        stack: list[tuple[IDSNode, tuple[str, ...], Box, Any]] = [(self, (), _UNIT, state)]
        while stack:
            node, path, box, value = stack.pop()
            yield node, path, box, value
            if node.children:
                roles = IDC[node.label][2]
                boxes = _split(node, box, sizes)
                stack.extend(
                    (node.children[i], (*path, roles[i]), boxes[i], child_state(node, i, value))
                    for i in reversed(range(len(node.children)))
                )

    def _prefix(self) -> Iterator[IDSNode]:
        stack: list[IDSNode] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def _sizes(self, weight: Callable[[str], float], out: dict[int, float]) -> float:
        if not self.children:
            value = max(weight(self.label), 1.0)
        elif self.label == "\u31ef":
            value = self.children[0]._sizes(weight, out)
            self.children[1]._sizes(weight, out)
        else:
            value = sum(c._sizes(weight, out) for c in self.children)
        if self.of is not None and self.children:
            value = max(weight(self.of), 1.0)  # an expanded component keeps the room it had as a leaf
        out[id(self)] = value
        return value


def _split(node: IDSNode, box: Box, sizes: dict[int, float]) -> list[Box]:
    x0, y0, x1, y1 = box
    op = node.label
    if op in "⿰⿱⿲⿳":
        shares = [math.sqrt(sizes.get(id(c), 1.0)) for c in node.children]
        total = sum(shares)
        floor = 0.25 if len(shares) == 2 else 0.2
        fractions = [max(s / total, floor) for s in shares]
        norm = sum(fractions)
        fractions = [f / norm for f in fractions]
        lo, hi = (x0, x1) if op in "⿰⿲" else (y0, y1)
        edges = [lo]
        for f in fractions[:-1]:
            edges.append(min(edges[-1] + (hi - lo) * f, hi))
        edges.append(hi)
        if op in "⿰⿲":
            return [(a, y0, b, y1) for a, b in zip(edges, edges[1:])]
        return [(x0, a, x1, b) for a, b in zip(edges, edges[1:])]
    inside = _INSIDE.get(op)
    if inside is not None:
        w, h = x1 - x0, y1 - y0
        return [box, (x0 + w * inside[0], y0 + h * inside[1], x0 + w * inside[2], y0 + h * inside[3])]
    return [box] * len(node.children)


# --------------------------------------------------------------------------- parsing


def _show(s: str, limit: int = 40) -> str:
    shown = s if len(s) <= limit else s[:limit] + "…"
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in shown)


def _describe(ch: str) -> str:
    return f"{_show(ch)!r} (U+{ord(ch):04X})"


_LEAVES: dict[str, IDSNode] = {}


def parse_ids(s: str) -> IDSNode:
    """Parse one ideographic description sequence into an :class:`IDSNode` tree.

    ``str(parse_ids(s)) == s`` for every valid sequence. Malformed input raises
    :class:`~cjkglyph.errors.InputError` naming the (1-based) position and the reason.

    >>> parse_ids("⿰女子").leaves()
    ['女', '子']
    >>> parse_ids("⿰女")
    Traceback (most recent call last):
    ...
    cjkglyph.errors.InputError: invalid IDS '⿰女': incomplete: ⿰ at position 1 needs 2 operands, got 1
    """
    if not isinstance(s, str):
        raise InputError(f"invalid IDS: expected a string, got {type(s).__name__}")
    if not s:
        raise InputError("invalid IDS: empty sequence")

    def fail(pos: int, reason: str) -> InputError:
        return InputError(f"invalid IDS '{_show(s)}': {reason}")

    # Stack frames: [operator, variant flag, 1-based position, operands so far].
    stack: list[tuple[str, bool, int, list[IDSNode]]] = []
    root: IDSNode | None = None
    variant_at = 0
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        pos = i + 1
        if root is not None:
            raise fail(pos, f"unexpected {_describe(ch)} at position {pos} after a complete sequence")
        if ch == IVI:
            if variant_at:
                raise fail(pos, f"repeated 〾 at position {pos}")
            variant_at = pos
            i += 1
            continue
        if ch in IDC:
            if len(stack) >= MAX_NESTING:
                raise fail(pos, f"nesting deeper than {MAX_NESTING} operators at position {pos}")
            stack.append((ch, bool(variant_at), pos, []))
            variant_at = 0
            i += 1
            continue
        if ch == "{":
            j = s.find("}", i + 1)
            if j < 0:
                raise fail(pos, f"unclosed '{{' at position {pos}")
            digits = s[i + 1 : j]
            if not (digits.isascii() and digits.isdigit()) or len(digits) > 6:
                raise fail(pos, f"'{{' at position {pos} must enclose the number of an unencoded component, like {{12}}")
            label = s[i : j + 1]
            i = j + 1
        elif ch in "}^$()[]":
            hint = " (give the bare sequence without the ^...$(...) wrapper of IDS.TXT)" if ch in "^$" else ""
            raise fail(pos, f"unexpected {_describe(ch)} at position {pos}{hint}")
        elif _is_component_char(ch):
            label = ch
            i += 1
        else:
            raise fail(pos, f"{_describe(ch)} at position {pos} is not an ideograph, stroke, radical, {{n}} or description character")
        if variant_at:
            node = IDSNode(label, (), True)
        else:
            node = _LEAVES.get(label)  # leaves are immutable: share one instance per component
            if node is None:
                node = IDSNode(label)
                if len(_LEAVES) < 200_000:
                    _LEAVES[label] = node
        variant_at = 0
        while stack:
            op, var, _, operands = stack[-1]
            operands.append(node)
            if len(operands) < IDC[op][0]:
                break
            stack.pop()
            node = IDSNode(op, tuple(operands), var)
        else:
            root = node
    if variant_at:
        raise fail(variant_at, f"〾 at position {variant_at} is not followed by a component")
    if stack:
        op, _, pos, operands = stack[-1]
        need = IDC[op][0]
        raise fail(pos, f"incomplete: {op} at position {pos} needs {need} operand{'s' if need > 1 else ''}, got {len(operands)}")
    assert root is not None
    return root


# --------------------------------------------------------------------------- data


class _Data:
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
        self._full: dict[tuple[str, str | None], IDSNode] = {}
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
    from pathlib import Path as _Path

    path = _Path(path)
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
                raise ResourceError(f"corrupt {path} line {lineno}: cannot read {_show(field)!r}")
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


def _load_json_cache(name: str, key: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    from ..resources import atomic_write, cache_dir

    path = cache_dir() / f"{name}-{key}.json"
    if path.exists():
        try:
            with open(path, encoding="utf-8") as f:
                blob: dict[str, Any] = json.load(f)
            return blob
        except (OSError, ValueError):
            pass
    blob = build()
    try:
        with atomic_write(path, "w") as f:
            json.dump(blob, f, ensure_ascii=False, separators=(",", ":"))
    except OSError:
        pass
    return blob


_DATA: _Data | None = None
_LOCK = threading.Lock()


def _data() -> _Data:
    global _DATA
    if _DATA is None:
        with _LOCK:
            if _DATA is None:
                from ..resources import file_digest

                path = _ids_path()
                key = f"{file_digest(path)}-v{_CACHE_VERSION}"
                trees: list[IDSNode] = []
                data = _Data(_load_json_cache("ids", key, lambda: read_ids_file(path, trees)), key)
                if len(trees) == len(data.seqs):  # just built: keep the trees parsed while validating
                    data._trees = dict(enumerate(trees))
                _DATA = data
    return _DATA


# --------------------------------------------------------------------------- lookup


def check_char(char: str) -> str:
    """``char`` if it is one character (code point), else :class:`~cjkglyph.errors.InputError`."""
    if not isinstance(char, str) or len(char) != 1:
        raise InputError(f"expected one character, got {_show(str(char))!r}")
    return char


def check_region(region: str | None) -> str | None:
    """``region`` if it is None or a source tag of the file (``G``, ``T``, ...), else :class:`~cjkglyph.errors.InputError`."""
    if region is not None and region not in _TAGS:
        raise InputError(f"unknown IDS region {region!r}; use one of {', '.join(_TAGS)}")
    return region


def has_ids(char: str) -> bool:
    """True when IDS.TXT has an entry for ``char``."""
    return isinstance(char, str) and len(char) == 1 and char in _data().index


def ids(char: str, region: str | None = "G") -> str | None:
    """The IDS of ``char`` for ``region``, or None when the file has no entry.

    Region choice: the first sequence tagged with ``region``; else the first
    whose bracketed virtual form ``[region]`` is listed (the form that
    character takes as a component in that region's characters); else the first
    sequence tagged with any real source (the file lists them in
    G H M T J K P V U S B order); else the first listed. ``region=None`` gives
    the first listed sequence.

    >>> ids("丑"), ids("丑", region="T"), ids("a")
    ('⿻{42}丨', '？', None)
    """
    check_char(char)
    d = _data()
    k = d.select(char, check_region(region))
    return d.seqs[k] if k >= 0 else None


def alternatives(char: str) -> list[tuple[str, str]]:
    """Every sequence listed for ``char`` with its source tags, in file order.

    >>> alternatives("七")
    [('〾⿻一乚', 'GHJKPV'), ('〾⿻一㇄', 'T')]
    """
    check_char(char)
    d = _data()
    i = d.index.get(char)
    if i is None:
        return []
    return [(d.seqs[k], d.tags[k]) for k in range(d.start[i], d.start[i + 1])]


def notes(char: str) -> list[str]:
    """The file's notes for ``char`` (cross-references such as ``U+4F75≡U+5002``), without the ``*``."""
    check_char(char)
    return list(_data().notes.get(char, ()))


def characters() -> str:
    """Every character with an entry, in file order (URO, compatibility, Ext A, B ... H)."""
    return _data().chars


def unencoded_components() -> dict[str, tuple[str, str, str]]:
    """``{n}`` -> (description, BabelStone PUA code point, approximate IDS or ``"？"``/``""``), from the file header."""
    return {k: (v[0], v[1], v[2]) for k, v in _data().unencoded.items()}


def ids_data_info() -> dict[str, Any]:
    """Header facts of the loaded file: Unicode version, file date, entry and sequence counts."""
    return dict(_data().info)


def _tree_of(char_or_ids: str | IDSNode, region: str | None) -> IDSNode:
    if isinstance(char_or_ids, IDSNode):
        return char_or_ids
    if not isinstance(char_or_ids, str):
        raise InputError(f"expected a character or an IDS, got {type(char_or_ids).__name__}")
    if len(char_or_ids) == 1 and char_or_ids not in IDC and char_or_ids != IVI:
        d = _data()
        k = d.select(char_or_ids, region)
        return d.tree(k) if k >= 0 else IDSNode(char_or_ids)
    return parse_ids(char_or_ids)


def structure(char_or_ids: str | IDSNode, region: str | None = "G") -> str:
    """Top-level structure name of a character (its IDS) or of an IDS string.

    A character without an entry counts as ``atomic`` (check :func:`has_ids`).

    >>> structure("好"), structure("国"), structure("这"), structure("一")
    ('left-right', 'surround', 'surround-from-lower-left', 'atomic')
    """
    return _tree_of(char_or_ids, check_region(region)).structure


# --------------------------------------------------------------------------- decomposition


def _expand_leaf(d: _Data, label: str, region: str | None, visiting: set[str]) -> IDSNode | None:
    """The (unexpanded) tree of a component, or None when it is atomic for our purposes."""
    if len(label) != 1:
        return None
    if label in visiting:
        d.cycles += 1
        return None
    k = d.select(label, region)
    if k < 0:
        return None
    tree = d.tree(k)
    if not tree.children:
        return None  # atomic (一 = 一), unrepresentable (？) or a bare alias
    return tree


def _expand(d: _Data, tree: IDSNode, levels: int | None, region: str | None, visiting: set[str]) -> IDSNode:
    if levels is not None and levels <= 0:
        return tree
    if not tree.children:
        sub = _expand_leaf(d, tree.label, region, visiting)
        if sub is None:
            return tree
        if levels is None:
            return _full(d, tree.label, region, visiting, variant=tree.variant)
        visiting.add(tree.label)
        try:
            inner = _expand(d, sub, levels - 1, region, visiting)
        finally:
            visiting.discard(tree.label)
        return IDSNode(inner.label, inner.children, tree.variant or inner.variant, tree.label)
    children = tuple(_expand(d, c, levels, region, visiting) for c in tree.children)
    return IDSNode(tree.label, children, tree.variant, tree.of)


def _full(d: _Data, label: str, region: str | None, visiting: set[str], variant: bool = False) -> IDSNode:
    """Fully expanded tree of a component, memoised unless a cycle cut it short."""
    key = (label, region)
    got = d._full.get(key)
    if got is None:
        sub = _expand_leaf(d, label, region, visiting)
        if sub is None:
            got = IDSNode(label)
            if label not in visiting:
                d._full[key] = got
        else:
            cycles = d.cycles
            visiting.add(label)
            try:
                inner = _expand(d, sub, None, region, visiting)
            finally:
                visiting.discard(label)
            got = IDSNode(inner.label, inner.children, inner.variant, label)
            if d.cycles == cycles:
                d._full[key] = got
    if variant and not got.variant:
        return IDSNode(got.label, got.children, True, got.of)
    return got


def decompose(char_or_ids: str | IDSNode, depth: int | None = 1, region: str | None = "G") -> IDSNode:
    """IDS tree of a character expanded to ``depth`` levels of components.

    ``depth=1`` is the character's own sequence; each further level replaces
    every component that has a decomposition by its own tree (marked with
    ``of``); ``depth=None`` (or 0) expands down to atomic components. Cycles in
    the data stop at the repeated component.

    >>> str(decompose("湖", depth=2)), str(decompose("湖", depth=None))
    ('⿰氵⿰古月', '⿰氵⿰⿱⿻一丨口⿵⺆⿱一一')
    """
    region = check_region(region)
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise InputError(f"depth must be a non-negative integer or None, got {depth!r}")
    d = _data()
    tree = _tree_of(char_or_ids, region)
    if depth == 0:
        depth = None
    root_char = char_or_ids if isinstance(char_or_ids, str) and len(char_or_ids) == 1 else None
    if tree.is_leaf and root_char is not None:
        return tree
    visiting = {root_char} if root_char else set()
    return _expand(d, tree, None if depth is None else depth - 1, region, visiting)


class Part(NamedTuple):
    """One component of a decomposition: where it sits and how deep it was found."""

    component: str  #: the component (a character, ``{n}`` or ``？``)
    position: str  #: dotted path of roles from the root, e.g. ``"top.left"`` ("" for an atomic character)
    box: Box  #: approximate (x0, y0, x1, y1) in the unit square, y down
    level: int  #: 1 = in the character's own IDS, 2 = inside one of its components ...

    def as_dict(self) -> dict[str, Any]:
        return {"component": self.component, "position": self.position, "box": [round(v, 3) for v in self.box], "level": self.level}


def _parts(tree: IDSNode, named: bool, weight: Callable[[str], float] | None) -> list[Part]:
    out: list[Part] = []
    deeper = lambda parent, i, level: level + 1 if parent.children[i].of else level  # noqa: E731
    for node, path, box, level in tree._visit(weight, 1, deeper):
        if not node.children:
            out.append(Part(node.label, ".".join(path), box, level))
        elif named and node.of and node is not tree:
            out.append(Part(node.of, ".".join(path), box, level - 1))
    return out


def components(
    char_or_ids: str | IDSNode,
    depth: int | None = 1,
    region: str | None = "G",
    *,
    named: bool = False,
    weight: Callable[[str], float] | None = None,
) -> list[Part]:
    """Leaf components of :func:`decompose` with positions and approximate boxes.

    ``named=True`` also lists the intermediate components that were expanded
    (e.g. 胡 in 湖 at depth 2). ``weight(component)`` sizes the parts of
    left-right and top-bottom splits (see :meth:`IDSNode.walk`); the default
    splits evenly, ``cjkglyph.unihan.strokes`` gives stroke-proportional boxes.

    >>> [(p.component, p.position) for p in components("湖", depth=2)]
    [('氵', 'left'), ('古', 'right.left'), ('月', 'right.right')]
    >>> components("好")[0].box
    (0.0, 0.0, 0.5, 1.0)
    """
    tree = decompose(char_or_ids, depth, region)
    return _parts(tree, named, weight)


# --------------------------------------------------------------------------- reverse index


class _Index:
    """component -> postings (entry index, sequence index, path id), built from every sequence."""

    def __init__(self, d: _Data) -> None:
        from ..resources import cached_array

        rows: list[Any] = []

        def build_rows() -> tuple[list[str], list[str], np.ndarray]:
            if not rows:
                rows.append(self._rows(d))
            return rows[0]  # type: ignore[no-any-return]

        blob = _load_json_cache("ids-index", d.key, lambda: self._build_vocab(*build_rows()))
        self.components: dict[str, int] = {c: i for i, c in enumerate(blob["components"])}
        self.paths: list[str] = blob["paths"]
        self.offsets: list[int] = blob["offsets"]
        self.postings = cached_array("ids-postings", d.key, lambda: self._build_postings(build_rows()[2]))
        if len(self.postings) != self.offsets[-1]:
            raise ResourceError("inconsistent IDS index cache; delete the ids-* files in the cjkglyph cache directory")

    @staticmethod
    def _rows(d: _Data) -> tuple[list[str], list[str], np.ndarray]:
        """Component and path vocabularies and the (component, entry, sequence, path) rows, sorted and unique."""
        import numpy as np

        comp_ids: dict[str, int] = {}
        path_ids: dict[str, int] = {}
        flat: list[int] = []
        for i in range(len(d.chars)):
            for k in range(d.start[i], d.start[i + 1]):
                stack: list[tuple[IDSNode, str]] = [(d.tree(k), "")]
                while stack:
                    node, path = stack.pop()
                    if node.children:
                        roles = IDC[node.label][2]
                        stack.extend((c, f"{path}.{r}" if path else r) for c, r in zip(node.children, roles))
                        continue
                    flat += (comp_ids.setdefault(node.label, len(comp_ids)), i, k, path_ids.setdefault(path, len(path_ids)))
        comps = sorted(comp_ids, key=lambda c: (len(c), c))
        paths = sorted(path_ids, key=lambda p: (p.count("."), p))
        cmap = np.empty(len(comps), dtype=np.int64)
        cmap[[comp_ids[c] for c in comps]] = np.arange(len(comps))
        pmap = np.empty(len(paths), dtype=np.int64)
        pmap[[path_ids[p] for p in paths]] = np.arange(len(paths))
        rows = np.array(flat, dtype=np.int64).reshape(-1, 4)
        rows[:, 0] = cmap[rows[:, 0]]
        rows[:, 3] = pmap[rows[:, 3]]
        rows = rows[np.argsort(rows[:, 0], kind="stable")]  # unique already: one leaf per path
        return comps, paths, rows

    @staticmethod
    def _build_vocab(comps: list[str], paths: list[str], rows: np.ndarray) -> dict[str, Any]:
        import numpy as np

        offsets = np.zeros(len(comps) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[:, 0], minlength=len(comps)), out=offsets[1:])
        return {"components": comps, "paths": paths, "offsets": offsets.tolist()}

    @staticmethod
    def _build_postings(rows: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.ascontiguousarray(rows[:, 1:], dtype=np.int32)

    def direct(self, component: str) -> np.ndarray:
        j = self.components.get(component)
        if j is None:
            import numpy as np

            return np.zeros((0, 3), dtype=np.int32)
        return self.postings[self.offsets[j] : self.offsets[j + 1]]


_INDEX: _Index | None = None


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        d = _data()
        with d.lock:
            if _INDEX is None:
                _INDEX = _Index(d)
    return _INDEX


def _check_position(position: str | None) -> tuple[str, ...] | None:
    if position is None or position == "":
        return None
    parts = tuple(position.split("."))
    bad = [p for p in parts if p not in ROLES]
    if bad:
        raise InputError(f"unknown position {bad[0]!r}; use roles {', '.join(sorted(ROLES))}, dotted for nesting (e.g. top.left)")
    return parts


def _check_component(component: str) -> str:
    if not isinstance(component, str) or not component:
        raise InputError("give a component: one character, {n} or ？")
    if len(component) == 1 and _is_component_char(component):
        return component
    if re.fullmatch(r"\{\d{1,6}\}", component):
        return component
    raise InputError(f"invalid component {_show(component)!r}: give one ideograph, stroke or radical, {{n}} or ？")


def containing(
    component: str, position: str | None = None, *, region: str | None = None, deep: bool = False, limit: int | None = None
) -> list[str]:
    """Characters whose IDS contains ``component``, optionally at ``position``.

    ``position`` is a role or dotted path of roles matched as a prefix of the
    component's position (``"left"`` matches ``left`` and ``left.top``).
    ``region=None`` searches every listed sequence; a region searches only the
    sequence :func:`ids` picks for it. ``deep=True`` also finds the component
    inside other components (口 in 湖 through 胡 and 古: ``right.left.bottom``).
    Results keep file order (URO first).

    >>> containing("氵", position="left")[:5]
    ['氻', '氾', '氿', '汀', '汁']
    >>> "湖" in containing("口", "right", deep=True)
    True
    """
    component = _check_component(component)
    want = _check_position(position)
    region = check_region(region)
    d = _data()
    index = _index()
    found: dict[int, None] = {}
    # frontier: component -> set of suffix paths (position of the searched component inside it)
    keep = len(want) if want is not None else 0
    frontier: dict[str, set[tuple[str, ...]]] = {component: {()}}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while frontier:
        nxt: dict[str, set[tuple[str, ...]]] = {}
        for comp, suffixes in frontier.items():
            for i, k, p in index.direct(comp).tolist():
                if region is not None and d.select(d.chars[i], region) != k:
                    continue
                base = tuple(index.paths[p].split(".")) if index.paths[p] else ()
                for suffix in suffixes:
                    # Only the first len(want) roles are ever compared, so longer paths collapse.
                    full = (base + suffix)[:keep]
                    if want is None or full == want:
                        found[i] = None
                    if deep:
                        key = (d.chars[i], full)
                        if key not in seen:
                            seen.add(key)
                            nxt.setdefault(d.chars[i], set()).add(full)
        frontier = nxt if deep else {}
    out = [d.chars[i] for i in sorted(found)]
    return out[:limit] if limit is not None else out


# --------------------------------------------------------------------------- text conversion


def to_ids(text: str, region: str | None = "G") -> str:
    """Replace every Han character that has an IDS by that sequence; other characters stay.

    >>> to_ids("你好, world")
    '⿰亻尔⿰女子, world'
    """
    d = _data()
    out: list[str] = []
    for ch in text:
        k = d.select(ch, region) if HAN_RE.match(ch) else -1
        out.append(d.seqs[k] if k >= 0 else ch)
    return "".join(out)

