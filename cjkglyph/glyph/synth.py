"""Glyphs for characters no font has, drawn from their IDS (most of Ext B-J).

The character's ideographic description sequence (:mod:`cjkglyph.ids`) is laid
out recursively: each operand of ⿰ ⿱ ⿲ ⿳ ⿴ ... gets its box (sized by stroke
counts where Unihan knows them), and each component is drawn in that box by
the first font that has it: its ink, cropped to its bounding box, is scaled
into the box (stretching one axis at most twice as much as the other, so 一
stays flat). A component no font has is expanded through its own IDS. ⿾
mirrors, ⿿ rotates by 180 degrees, ㇯ (subtraction) draws the base only. If
any part cannot be drawn (``？``, an unencoded ``{n}`` without an approximate
IDS, cycles) the character is not synthesised at all.

:func:`cjkglyph.glyph.render` calls :func:`synthesise` and marks such images
with the source ``"ids"``.

>>> from cjkglyph.glyph.synth import synthesise
>>> img = synthesise("\\U00020000", 24, ["song"])     # doctest: +SKIP
>>> img.shape, img.dtype.name                          # doctest: +SKIP
((24, 24), 'uint8')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import CjkglyphError

if TYPE_CHECKING:
    from ..ids import IDSNode

__all__ = ["SYNTH_VERSION", "synthesise"]

SYNTH_VERSION = "1"
_MAX_DEPTH = 8
_MAX_ANISOTROPY = 2.0
_MAX_ZOOM = 1.15  # components are never drawn much larger than in the font's em box
_MARGIN = 0.04  # of the box, on each side
_OVERSAMPLE = 4  # components are drawn at this multiple of the target size, then scaled down

Box = tuple[float, float, float, float]


class _Unsynthesisable(Exception):
    pass


def _cache_key() -> str:
    try:
        from ..ids import data_key

        return f"ids{SYNTH_VERSION}-{data_key()}"
    except (ImportError, CjkglyphError, OSError):
        return "none"


def synthesise(char: str, size: int, fonts: Sequence[Any]) -> np.ndarray | None:
    """uint8 (size, size) image of ``char`` built from its IDS with components from ``fonts``; None if impossible."""
    try:
        from ..ids import ids, parse_ids
    except ImportError:
        return None
    try:
        seq = ids(char)
    except (CjkglyphError, OSError):
        return None
    if not seq or (len(seq) == 1 and seq == char):
        return None
    try:
        tree = parse_ids(seq)
        if not tree.children:
            return None  # an alias or an atomic character: nothing to compose
        resolved = tuple(_font_key(f) for f in fonts)
        hi = size * _OVERSAMPLE
        canvas = np.zeros((hi, hi), dtype=np.float32)
        _draw_node(canvas, tree, (0.0, 0.0, 1.0, 1.0), resolved, {char}, 0)
    except (_Unsynthesisable, CjkglyphError, RecursionError):
        return None
    if canvas.max() <= 0:
        return None
    return _downsample(canvas, size)


synthesise.cache_key = _cache_key  # type: ignore[attr-defined]


def _font_key(font: Any) -> str:
    return os.fspath(font) if isinstance(font, os.PathLike) else str(font)


def _weight(component: str) -> float:
    try:
        from ..unihan import strokes

        n = strokes(component) if len(component) == 1 else None
    except (ImportError, CjkglyphError, OSError):
        n = None
    return float(n) if n else 3.0


def _child_boxes(node: IDSNode) -> list[Box]:
    """Boxes of ``node``'s operands in its own unit square (from :meth:`IDSNode.walk`)."""
    return [box for _, path, box in node.walk(_weight) if len(path) == 1]


def _place(outer: Box, inner: Box) -> Box:
    x0, y0, x1, y1 = outer
    w, h = x1 - x0, y1 - y0
    return (x0 + w * inner[0], y0 + h * inner[1], x0 + w * inner[2], y0 + h * inner[3])


def _draw_node(canvas: np.ndarray, node: IDSNode, box: Box, fonts: tuple[str, ...], seen: set[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise _Unsynthesisable
    if not node.children:
        _draw_component(canvas, node.label, box, fonts, seen, depth)
        return
    op = node.label
    if op in ("\u2ffe", "\u2fff"):  # mirror / rotate: draw the operand alone, then transform it into place
        side = canvas.shape[0]
        sub = np.zeros_like(canvas)
        _draw_node(sub, node.children[0], (0.0, 0.0, 1.0, 1.0), fonts, seen, depth + 1)
        sub = sub[:, ::-1] if op == "\u2ffe" else sub[::-1, ::-1]
        _paste(canvas, _crop(sub), box, side)
        return
    children = node.children
    boxes = _child_boxes(node)
    if op == "\u31ef":  # subtraction: the base only
        children, boxes = children[:1], boxes[:1]
    for child, child_box in zip(children, boxes):
        _draw_node(canvas, child, _place(box, child_box), fonts, seen, depth + 1)


def _draw_component(canvas: np.ndarray, label: str, box: Box, fonts: tuple[str, ...], seen: set[str], depth: int) -> None:
    side = canvas.shape[0]
    if len(label) == 1:
        ink = _component_ink(label, fonts, side)
        if ink is not None:
            _paste(canvas, ink, box, side)
            return
        from ..ids import ids, parse_ids

        if label in seen:
            raise _Unsynthesisable
        seq = ids(label)
        if not seq or seq == label:
            raise _Unsynthesisable
        sub = parse_ids(seq)
        if not sub.children:
            raise _Unsynthesisable
        _draw_node(canvas, sub, box, fonts, seen | {label}, depth + 1)
        return
    if label.startswith("{"):
        from ..ids import parse_ids, unencoded_components

        approx = unencoded_components().get(label, ("", "", ""))[2]
        if approx and approx not in ("？", label):
            _draw_node(canvas, parse_ids(approx), box, fonts, seen, depth + 1)
            return
    raise _Unsynthesisable


@lru_cache(maxsize=8192)
def _component_ink(component: str, fonts: tuple[str, ...], side: int) -> np.ndarray | None:
    """The component drawn by the first font that has it, cropped to its ink (float32), or None."""
    from ._draw import draw, resolve

    for spec in fonts:
        font = resolve(spec)
        if font.has(component):
            img = draw(font, side, [component])[0].astype(np.float32) / 255
            cropped = _crop(img)
            return cropped if cropped.size else None
    return None


def _crop(img: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(img > 0.05)
    if not len(ys):
        return img[:0, :0]
    return img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _paste(canvas: np.ndarray, ink: np.ndarray, box: Box, side: int) -> None:
    """Scale ``ink`` into ``box`` (unit coordinates) with a margin, at most 2x anisotropic, centred; union by max."""
    from PIL import Image

    if not ink.size:
        return
    x0, y0, x1, y1 = box
    mx, my = (x1 - x0) * _MARGIN, (y1 - y0) * _MARGIN
    bw, bh = (x1 - x0 - 2 * mx) * side, (y1 - y0 - 2 * my) * side
    ih, iw = ink.shape
    sx, sy = min(bw / iw, _MAX_ZOOM), min(bh / ih, _MAX_ZOOM)  # enlarging would thicken strokes
    # thin shapes (一, 丨) keep their proportions; others may stretch one axis up to 2x the other
    limit = 1.0 if max(iw, ih) > 3 * min(iw, ih) else _MAX_ANISOTROPY
    sx = min(sx, sy * limit)
    sy = min(sy, sx * limit)
    w, h = max(1, round(iw * sx)), max(1, round(ih * sy))
    scaled = np.asarray(Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32)).resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32)
    cx, cy = (x0 + x1) / 2 * side, (y0 + y1) / 2 * side
    left, top = round(cx - w / 2), round(cy - h / 2)
    l0, t0 = max(left, 0), max(top, 0)
    r0, b0 = min(left + w, side), min(top + h, side)
    if r0 <= l0 or b0 <= t0:
        return
    region = canvas[t0:b0, l0:r0]
    np.maximum(region, scaled[t0 - top : b0 - top, l0 - left : r0 - left], out=region)


def _downsample(canvas: np.ndarray, size: int) -> np.ndarray:
    k = canvas.shape[0] // size
    small = canvas[: size * k, : size * k].reshape(size, k, size, k).mean(axis=(1, 3))
    # area averaging thins strokes drawn at 4x; a mild gain keeps them as dark as font-drawn ones
    return np.clip(small * 1.25 * 255 + 0.5, 0, 255).astype(np.uint8)
