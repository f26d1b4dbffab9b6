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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..chars import HAN_RE
from ..errors import InputError, ResourceError
from ._table import IDSTable, load
from .tree import IDC, IVI, REGIONS, ROLES, STRUCTURES, Box, IDSNode, check_char, check_component, check_region, parse_ids

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "IDC",
    "REGIONS",
    "STRUCTURES",
    "IDSNode",
    "Part",
    "alternatives",
    "characters",
    "data_key",
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

# --------------------------------------------------------------------------- lookup


def has_ids(char: str) -> bool:
    """True when IDS.TXT has an entry for ``char``."""
    return isinstance(char, str) and len(char) == 1 and char in load().index


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
    d = load()
    k = d.select(char, check_region(region))
    return d.seqs[k] if k >= 0 else None


def alternatives(char: str) -> list[tuple[str, str]]:
    """Every sequence listed for ``char`` with its source tags, in file order.

    >>> alternatives("七")
    [('〾⿻一乚', 'GHJKPV'), ('〾⿻一㇄', 'T')]
    """
    check_char(char)
    d = load()
    i = d.index.get(char)
    if i is None:
        return []
    return [(d.seqs[k], d.tags[k]) for k in range(d.start[i], d.start[i + 1])]


def notes(char: str) -> list[str]:
    """The file's notes for ``char`` (cross-references such as ``U+4F75≡U+5002``), without the ``*``."""
    check_char(char)
    return list(load().notes.get(char, ()))


def characters() -> str:
    """Every character with an entry, in file order (URO, compatibility, Ext A, B ... H)."""
    return load().chars


def unencoded_components() -> dict[str, tuple[str, str, str]]:
    """``{n}`` -> (description, BabelStone PUA code point, approximate IDS or ``"？"``/``""``), from the file header."""
    return {k: (v[0], v[1], v[2]) for k, v in load().unencoded.items()}


def data_key() -> str:
    """Digest of the IDS data in use, for the cache keys of artifacts derived from it."""
    return load().key


def ids_data_info() -> dict[str, Any]:
    """Header facts of the loaded file: Unicode version, file date, entry and sequence counts."""
    return dict(load().info)


def _tree_of(char_or_ids: str | IDSNode, region: str | None) -> IDSNode:
    if isinstance(char_or_ids, IDSNode):
        return char_or_ids
    if not isinstance(char_or_ids, str):
        raise InputError(f"expected a character or an IDS, got {type(char_or_ids).__name__}")
    if len(char_or_ids) == 1 and char_or_ids not in IDC and char_or_ids != IVI:
        d = load()
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


def _expand_leaf(d: IDSTable, label: str, region: str | None, visiting: set[str]) -> IDSNode | None:
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


def _expand(d: IDSTable, tree: IDSNode, levels: int | None, region: str | None, visiting: set[str]) -> IDSNode:
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


def _full(d: IDSTable, label: str, region: str | None, visiting: set[str], variant: bool = False) -> IDSNode:
    """Fully expanded tree of a component, memoised unless a cycle cut it short."""
    key = (label, region)
    got = d.expanded.get(key)
    if got is None:
        sub = _expand_leaf(d, label, region, visiting)
        if sub is None:
            got = IDSNode(label)
            if label not in visiting:
                d.expanded[key] = got
        else:
            cycles = d.cycles
            visiting.add(label)
            try:
                inner = _expand(d, sub, None, region, visiting)
            finally:
                visiting.discard(label)
            got = IDSNode(inner.label, inner.children, inner.variant, label)
            if d.cycles == cycles:
                d.expanded[key] = got
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
    d = load()
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
    for node, path, box, level in tree.visit(weight, 1, deeper):
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

    def __init__(self, d: IDSTable) -> None:
        from ..resources import cached_array, cached_json

        rows: list[Any] = []

        def build_rows() -> tuple[list[str], list[str], np.ndarray]:
            if not rows:
                rows.append(self._rows(d))
            return rows[0]  # type: ignore[no-any-return]

        blob = cached_json("ids-index", d.key, lambda: self._build_vocab(*build_rows()))
        self.components: dict[str, int] = {c: i for i, c in enumerate(blob["components"])}
        self.paths: list[str] = blob["paths"]
        self.offsets: list[int] = blob["offsets"]
        self.postings = cached_array("ids-postings", d.key, lambda: self._build_postings(build_rows()[2]))
        if len(self.postings) != self.offsets[-1]:
            raise ResourceError("inconsistent IDS index cache; delete the ids-* files in the cjkglyph cache directory")

    @staticmethod
    def _rows(d: IDSTable) -> tuple[list[str], list[str], np.ndarray]:
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
        d = load()
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


def containing(
    component: str, position: str | None = None, *, region: str | None = "G", deep: bool = False, limit: int | None = None
) -> list[str]:
    """Characters whose IDS contains ``component``, optionally at ``position``.

    ``position`` is a role or dotted path of roles matched as a prefix of the
    component's position (``"left"`` matches ``left`` and ``left.top``).
    ``region`` (default ``G``, as for :func:`ids` and the CLI) searches only the
    sequence :func:`ids` picks for it; ``None`` searches every listed sequence. ``deep=True`` also finds the component
    inside other components (口 in 湖 through 胡 and 古: ``right.left.bottom``).
    Results keep file order (URO first).

    >>> containing("氵", position="left")[:5]
    ['氻', '氾', '氿', '汀', '汁']
    >>> "湖" in containing("口", "right", deep=True)
    True
    """
    component = check_component(component)
    want = _check_position(position)
    region = check_region(region)
    d = load()
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
    d = load()
    out: list[str] = []
    for ch in text:
        k = d.select(ch, region) if HAN_RE.match(ch) else -1
        out.append(d.seqs[k] if k >= 0 else ch)
    return "".join(out)
