"""Glyph images: rendering and cached glyph tables.

Every character is drawn in the ideographic em box of each font, scaled so the
em box fills the ``size`` x ``size`` image (the ideographic baseline, from the
font's BASE table, sits at the bottom edge; the advance width is centred). Stroke
size and position are therefore comparable across characters and fonts, like
ChineseBERT's 24 x 24 images. Ink is 1, paper 0.

A font never draws its .notdef box: a character a font lacks (per its cmap) is
drawn by the first font of ``fallback`` that has it, synthesised from its IDS
when no font has it (:mod:`cjkglyph.glyph.synth`), or left blank; the
``info`` of :func:`render` says which happened for every character and font.

>>> img = render("未末", size=24)
>>> img.shape, img.dtype.name, float(img.min()), float(img.max())
((2, 3, 24, 24), 'float32', 0.0, 1.0)
>>> table = glyph_table(blocks=("uro",))          # doctest: +SKIP
>>> table.lookup("字形").shape                      # doctest: +SKIP
(2, 3, 24, 24)
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..resources import cached_array
from ._draw import Font, FontSpec, as_chars, check_size, codepoints, display, draw, resolve
from .fonts import DEFAULT_FONTS

__all__ = ["RENDER_VERSION", "SYNTHESISED", "GlyphTable", "glyph_table", "render", "render_info", "table_key"]

#: Source marker in render infos for a glyph synthesised from its IDS.
SYNTHESISED = "ids"
#: Bump when the drawing changes, so cached tables are rebuilt.
RENDER_VERSION = "1"

Info = list[tuple[str | None, ...]]

_LOCK = threading.Lock()


Synthesiser = Callable[[str, int, Sequence[FontSpec]], "np.ndarray | None"]


def _default_synthesiser() -> Synthesiser | None:
    """The IDS synthesiser, or None while cjkglyph.glyph.synth / cjkglyph.ids are unavailable."""
    try:
        from .synth import synthesise
    except ImportError:
        return None
    return synthesise


def _plan(chars: Sequence[str], fonts: Sequence[Font], fallback: Sequence[Font]) -> np.ndarray:
    """(n, F) int16 source per character and slot: index into fonts + fallback, or -1 (no font has it)."""
    cps = codepoints(chars) if chars else np.zeros(0, dtype=np.int64)
    pool = [*fonts, *fallback]
    cov = np.stack([f.mask[cps] for f in pool], axis=1) if len(cps) else np.zeros((0, len(pool)), dtype=bool)
    src = np.full((len(cps), len(fonts)), -1, dtype=np.int16)
    fb = cov[:, len(fonts) :]
    if fb.shape[1]:
        first_fb = np.where(fb.any(axis=1), len(fonts) + fb.argmax(axis=1), -1).astype(np.int16)
    else:
        first_fb = np.full(len(cps), -1, dtype=np.int16)
    for j in range(len(fonts)):
        src[:, j] = np.where(cov[:, j], j, first_fb)
    return src


def _render_uint8(
    chars: Sequence[str],
    fonts: Sequence[FontSpec],
    size: int,
    fallback: Sequence[FontSpec],
    synthesise: bool,
) -> tuple[np.ndarray, Info]:
    size = check_size(size)
    if isinstance(fonts, (str, os.PathLike)):
        fonts = (fonts,)
    if not fonts:
        raise InputError("give at least one font")
    if isinstance(fallback, (str, os.PathLike)):
        fallback = (fallback,)
    loaded = [resolve(f) for f in fonts]
    fb = [resolve(f) for f in fallback]
    names = [display(f) for f in [*fonts, *fallback]]
    pool = [*loaded, *fb]
    src = _plan(chars, loaded, fb)
    out = np.zeros((len(chars), len(loaded), size, size), dtype=np.uint8)
    # draw every (source font, character) once, then copy into each slot that uses it
    for s, font in enumerate(pool):
        rows, slots = np.nonzero(src == s)
        if not len(rows):
            continue
        uniq, inverse = np.unique(rows, return_inverse=True)
        drawn = draw(font, size, [chars[r] for r in uniq])
        out[rows, slots] = drawn[inverse]
    labels: list[list[str | None]] = [[names[s] if s >= 0 else None for s in row] for row in src.tolist()]
    missing = np.nonzero((src < 0).any(axis=1))[0]
    synth = _default_synthesiser() if synthesise and len(missing) else None
    if synth is not None:
        for r in missing.tolist():
            for j in np.nonzero(src[r] < 0)[0].tolist():
                img = synth(chars[r], size, [fonts[j], *fallback])
                if img is not None:
                    out[r, j] = img
                    labels[r][j] = SYNTHESISED
    return out, [tuple(row) for row in labels]


def render(
    text_or_chars: str | Iterable[str],
    fonts: Sequence[FontSpec] = DEFAULT_FONTS,
    size: int = 24,
    *,
    fallback: Sequence[FontSpec] = DEFAULT_FONTS,
    synthesise: bool = True,
    return_info: bool = False,
) -> np.ndarray | tuple[np.ndarray, Info]:
    """Glyph images, float32 (N, F, size, size) in [0, 1], ink = 1, one per code point and font.

    ``fonts`` are registered names (``song``, ``hei``, ``kai``, see :func:`register_font`)
    or font file paths. A character a font lacks is drawn by the first font of
    ``fallback`` that has it; with ``return_info=True`` the second value says, per
    character and font slot, which font drew it (``"ids"`` = synthesised, None = blank).

    >>> img, info = render("字\\U00020000", fonts=["kai"], return_info=True)
    >>> info[0], float(img[1].max())
    (('kai',), 0.0)
    """
    chars = as_chars(text_or_chars)
    uniq = list(dict.fromkeys(chars))
    images, info = _render_uint8(uniq, fonts, size, fallback, synthesise)
    if len(uniq) < len(chars):  # each distinct character is drawn once
        pos = {c: i for i, c in enumerate(uniq)}
        idx = [pos[c] for c in chars]
        images, info = images[idx], [info[i] for i in idx]
    result = _to_float(images)
    return (result, info) if return_info else result


def render_info(
    text_or_chars: str | Iterable[str],
    fonts: Sequence[FontSpec] = DEFAULT_FONTS,
    *,
    fallback: Sequence[FontSpec] = DEFAULT_FONTS,
) -> Info:
    """Which font would draw each character in each slot, from the cmaps alone (nothing is drawn).

    None = no font has it; :func:`render` with ``return_info=True`` may then report
    ``"ids"`` where it could synthesise the glyph.

    >>> render_info("字a", fonts=["kai"])
    [('kai',), ('kai',)]
    """
    chars = as_chars(text_or_chars)
    if isinstance(fonts, (str, os.PathLike)):
        fonts = (fonts,)
    if isinstance(fallback, (str, os.PathLike)):
        fallback = (fallback,)
    names = [display(f) for f in [*fonts, *fallback]]
    src = _plan(chars, [resolve(f) for f in fonts], [resolve(f) for f in fallback])
    return [tuple(names[s] if s >= 0 else None for s in row) for row in src.tolist()]


_SCALE = np.float32(1 / 255)


def _to_float(images: np.ndarray) -> np.ndarray:
    out = np.empty(images.shape, dtype=np.float32)
    np.multiply(images, _SCALE, out=out, casting="unsafe")
    return out


# ---------------------------------------------------------------- glyph tables


@dataclass(frozen=True, eq=False)
class GlyphTable:
    """Glyph images of a fixed vocabulary, cached on disk; lookups are array indexing.

    ``images`` is uint8 (N, F, size, size) (memory-mapped), ``sources`` int16 (N, F):
    index into ``source_names`` of the font that drew each slot (-1 = blank).
    """

    chars: str
    fonts: tuple[str, ...]
    size: int
    images: np.ndarray = field(repr=False)
    sources: np.ndarray = field(repr=False)
    source_names: tuple[str, ...]
    key: str
    _lo: int = field(repr=False)
    _row_of: np.ndarray = field(repr=False)
    _options: tuple[Any, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: object) -> bool:
        return isinstance(char, str) and len(char) == 1 and self.rows(char)[0] >= 0

    def rows(self, text_or_chars: str | Sequence[str]) -> np.ndarray:
        """Row of each character (int64), -1 where it is not in the table."""
        cps = codepoints(text_or_chars) - self._lo
        ok = (cps >= 0) & (cps < len(self._row_of))
        rows = np.full(len(cps), -1, dtype=np.int64)
        rows[ok] = self._row_of[cps[ok]]
        return rows

    def lookup_uint8(self, text_or_chars: str | Sequence[str], out: np.ndarray | None = None) -> np.ndarray:
        """uint8 (N, F, size, size) images (ink 255); characters outside the table are drawn now.

        Pass a reused ``out`` buffer (uint8, at least N rows) to avoid allocating per call.
        """
        rows = self.rows(text_or_chars)
        n = len(rows)
        if out is None:
            out = np.empty((n, *self.images.shape[1:]), dtype=np.uint8)
        elif out.dtype != np.uint8 or out.shape[1:] != self.images.shape[1:] or len(out) < n:
            raise InputError(f"out must be uint8 of shape (>={n}, {', '.join(map(str, self.images.shape[1:]))})")
        out = out[:n]
        np.take(self.images, np.maximum(rows, 0), axis=0, out=out)
        miss = np.nonzero(rows < 0)[0]
        if len(miss):
            chars = as_chars(text_or_chars)
            fonts, fallback, synth = self._options
            out[miss] = _render_uint8([chars[i] for i in miss.tolist()], fonts, self.size, fallback, synth)[0]
        return out

    def lookup(self, text_or_chars: str | Sequence[str], out: np.ndarray | None = None) -> np.ndarray:
        """float32 (N, F, size, size) in [0, 1], identical to :func:`render` of the same characters.

        Pass a reused float32 ``out`` buffer for the highest throughput on large batches.
        """
        images = self.lookup_uint8(text_or_chars)
        if out is None:
            return _to_float(images)
        if out.dtype != np.float32 or out.shape[1:] != images.shape[1:] or len(out) < len(images):
            raise InputError(f"out must be float32 of shape (>={len(images)}, {', '.join(map(str, images.shape[1:]))})")
        out = out[: len(images)]
        np.multiply(images, _SCALE, out=out, casting="unsafe")
        return out

    def info(self, text_or_chars: str | Sequence[str]) -> Info:
        """Like :func:`render_info` (``"ids"`` where synthesised), for characters in the table."""
        rows = self.rows(text_or_chars)
        if (rows < 0).any():
            raise InputError("info() only covers characters in the table")
        names = self.source_names
        return [tuple(names[s] if s >= 0 else None for s in row) for row in self.sources[rows].tolist()]


_TABLES: dict[str, GlyphTable] = {}


def _table_spec(
    chars: str | Iterable[str] | None,
    blocks: Sequence[str] | None,
    fonts: Sequence[FontSpec],
    size: int,
    fallback: Sequence[FontSpec],
    synthesise: bool,
) -> tuple[str, tuple[FontSpec, ...], tuple[FontSpec, ...], str]:
    """(vocabulary, fonts, fallback, cache key) of a glyph table, without building it."""
    from ..chars import iter_block

    size = check_size(size)
    if chars is None:
        chars = "".join("".join(iter_block(b)) for b in (blocks or ("uro",)))
    elif blocks:
        raise InputError("give chars or blocks, not both")
    vocab = "".join(dict.fromkeys(as_chars(chars)))  # unique, in first-seen order
    if isinstance(fonts, (str, os.PathLike)):
        fonts = (fonts,)
    if isinstance(fallback, (str, os.PathLike)):
        fallback = (fallback,)
    loaded = [resolve(f) for f in fonts]
    fb = [resolve(f) for f in fallback]
    # the synthesiser (and its IDS data) only matters when some character has no font at all
    synth = _default_synthesiser() if synthesise and (_plan(vocab, loaded, fb) < 0).any() else None
    h = hashlib.blake2b(digest_size=12)
    for part in (
        RENDER_VERSION,
        str(size),
        ",".join(f.digest for f in loaded),
        ",".join(f.digest for f in fb),
        getattr(synth, "cache_key", lambda: "none")() if synth else "none",
        vocab,
    ):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return vocab, tuple(fonts), tuple(fallback), h.hexdigest()


def table_key(
    chars: str | Iterable[str] | None = None,
    *,
    blocks: Sequence[str] | None = None,
    fonts: Sequence[FontSpec] = DEFAULT_FONTS,
    size: int = 24,
    fallback: Sequence[FontSpec] = DEFAULT_FONTS,
    synthesise: bool = True,
) -> str:
    """The cache key :func:`glyph_table` would use (font digests, size, fallback, vocabulary), without building."""
    return _table_spec(chars, blocks, fonts, size, fallback, synthesise)[3]


def glyph_table(
    chars: str | Iterable[str] | None = None,
    *,
    blocks: Sequence[str] | None = None,
    fonts: Sequence[FontSpec] = DEFAULT_FONTS,
    size: int = 24,
    fallback: Sequence[FontSpec] = DEFAULT_FONTS,
    synthesise: bool = True,
) -> GlyphTable:
    """The glyph table of ``chars`` (or of whole Unicode ``blocks``, default URO), built once and cached.

    The cache key is the font file digests, size, fallback chain and a hash of the
    vocabulary, so tables rebuild when any of them changes.

    >>> t = glyph_table("未末", fonts=["kai"], size=16)
    >>> len(t), t.lookup("末未").shape
    (2, (2, 1, 16, 16))
    """
    vocab, fonts, fallback, key = _table_spec(chars, blocks, fonts, size, fallback, synthesise)
    size = int(size)
    with _LOCK:
        table = _TABLES.get(key)
    if table is not None:
        return table

    built: dict[str, np.ndarray] = {}

    def build_images() -> np.ndarray:
        images, info = _render_uint8(list(vocab), fonts, size, fallback, synthesise)
        names = [display(f) for f in [*fonts, *fallback]]
        code = {n: i for i, n in reversed(list(enumerate(names)))} | {SYNTHESISED: len(names), None: -1}
        built["sources"] = np.array([[code[x] for x in row] for row in info], dtype=np.int16).reshape(len(vocab), len(fonts))
        return images

    def build_sources() -> np.ndarray:
        if "sources" not in built:
            build_images()
        return built["sources"]

    images = cached_array("glyphs", key, build_images)
    sources = cached_array("glyphsrc", key, build_sources, mmap=False)
    cps = codepoints(vocab)
    lo = int(cps.min()) if len(cps) else 0
    row_of = np.full(int(cps.max()) - lo + 1 if len(cps) else 0, -1, dtype=np.int64)
    row_of[cps - lo] = np.arange(len(cps))
    table = GlyphTable(
        chars=vocab,
        fonts=tuple(display(f) for f in fonts),
        size=size,
        images=images,
        sources=sources,
        source_names=(*(display(f) for f in [*fonts, *fallback]), SYNTHESISED),
        key=key,
        _lo=lo,
        _row_of=row_of,
        _options=(tuple(fonts), tuple(fallback), synthesise),
    )
    with _LOCK:
        _TABLES[key] = table
    return table
