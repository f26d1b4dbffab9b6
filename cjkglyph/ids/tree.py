"""IDS notation: the description operators, :class:`IDSNode` trees, parsing and input checks.

>>> tree = parse_ids("⿰氵⿱口口")
>>> tree.structure, str(tree.children[1]), tree.leaves()
('left-right', '⿱口口', ['氵', '口', '口'])
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..chars import HAN_RE
from ..errors import InputError, excerpt

__all__ = [
    "IDC",
    "IVI",
    "REGIONS",
    "ROLES",
    "STRUCTURES",
    "UNKNOWN",
    "Box",
    "IDSNode",
    "check_char",
    "check_component",
    "check_region",
    "parse_ids",
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
        for node, path, box, _ in self.visit(weight, None, lambda _n, _i, _s: None):
            yield node, path, box

    def visit(
        self, weight: Callable[[str], float] | None, state: Any, child_state: Callable[[IDSNode, int, Any], Any]
    ) -> Iterator[tuple[IDSNode, tuple[str, ...], Box, Any]]:
        """:meth:`walk` that also threads a value from each node to its children (``child_state(parent, i, value)``)
        and yields it as a fourth item."""
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


def _describe(ch: str) -> str:
    return f"{excerpt(ch)!r} (U+{ord(ch):04X})"


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
        return InputError(f"invalid IDS '{excerpt(s)}': {reason}")

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


# --------------------------------------------------------------------------- input checks


def check_char(char: str) -> str:
    """``char`` if it is one character (code point), else :class:`~cjkglyph.errors.InputError`."""
    if not isinstance(char, str) or len(char) != 1:
        raise InputError(f"expected one character, got {excerpt(str(char))!r}")
    return char


def check_region(region: str | None) -> str | None:
    """``region`` if it is None or a source tag of the file (``G``, ``T``, ...), else :class:`~cjkglyph.errors.InputError`."""
    if region is not None and region not in _TAGS:
        raise InputError(f"unknown IDS region {region!r}; use one of {', '.join(_TAGS)}")
    return region


def check_component(component: str) -> str:
    """``component`` if it is one component character, ``{n}`` or ``？``, else :class:`~cjkglyph.errors.InputError`."""
    if not isinstance(component, str) or not component:
        raise InputError("give a component: one character, {n} or ？")
    if len(component) == 1 and _is_component_char(component):
        return component
    if re.fullmatch(r"\{\d{1,6}\}", component):
        return component
    raise InputError(f"invalid component {excerpt(component)!r}: give one ideograph, stroke or radical, {{n}} or ？")
