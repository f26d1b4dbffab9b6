"""Glyph images: rendering, font coverage and cached glyph tables.

Every character is drawn in the ideographic em box of each font, scaled so the
em box fills the ``size`` x ``size`` image (the ideographic baseline, from the
font's BASE table, sits at the bottom edge; the advance width is centred). Stroke
size and position are therefore comparable across characters and fonts, like
ChineseBERT's 24 x 24 images. Ink is 1, paper 0.

A font never draws its .notdef box: a character a font lacks (per its cmap) is
drawn by the first font of ``fallback`` that has it, synthesised from its IDS
when no font has it (when ``cjkglyph.ids`` is available), or left blank; the
``info`` of :func:`render` says which happened for every character and font.

>>> from cjkglyph.glyph import covered, render
>>> img = render("未末", size=24)
>>> img.shape, img.dtype.name, float(img.min()), float(img.max())
((2, 3, 24, 24), 'float32', 0.0, 1.0)
>>> covered("字", "kai"), covered("\\U00020000", "song")
(True, False)
>>> table = glyph_table(blocks=("uro",))          # doctest: +SKIP
>>> table.lookup("字形").shape                      # doctest: +SKIP
(2, 3, 24, 24)
"""

from __future__ import annotations

import hashlib
import os
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, ResourceError
from .resources import FONTS, cached_array, file_digest, font_path

if TYPE_CHECKING:
    from PIL import ImageFont

    from .glyph_similarity import Neighbours

__all__ = [
    "DEFAULT_FONTS",
    "SYNTHESISED",
    "GlyphTable",
    "covered",
    "coverage_mask",
    "coverage_report",
    "embeddings",
    "font_names",
    "glyph_table",
    "image_distance",
    "neighbours",
    "register_font",
    "render",
    "render_info",
    "similar",
    "table_key",
]

#: The shipped fonts, in the order ChineseBERT-style models expect them.
DEFAULT_FONTS: tuple[str, ...] = ("song", "hei", "kai")
#: Source marker in render infos for a glyph synthesised from its IDS.
SYNTHESISED = "ids"
#: Bump when the drawing changes, so cached tables are rebuilt.
RENDER_VERSION = "1"

FontSpec = str | os.PathLike[str]
Info = list[tuple[str | None, ...]]

_MAX_CP = 0x110000
_USER_FONTS: dict[str, Path] = {}
_LOCK = threading.Lock()


# ---------------------------------------------------------------- fonts


@dataclass(frozen=True)
class _Font:
    name: str
    path: str
    digest: str
    upm: int
    em_bottom: int  # ideographic em-box bottom in font units (usually -120 of 1000)
    mask: np.ndarray = field(repr=False)  # bool (0x110000,): code point is in the cmap

    def has(self, char: str) -> bool:
        return len(char) == 1 and bool(self.mask[ord(char)])


def register_font(name: str, path: str | os.PathLike[str]) -> None:
    """Make a font file usable by ``name`` everywhere a font is accepted.

    >>> register_font("mykai", font_path("kai")); "mykai" in font_names()
    True
    """
    if not name or name in FONTS:
        raise InputError(f"cannot register font {name!r}: choose a new, non-empty name (taken: {', '.join(FONTS)})")
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"cannot register font {name!r}: no such file {p}")
    _load_font(str(p.resolve()), name)  # validate now
    _USER_FONTS[name] = p.resolve()


def font_names() -> list[str]:
    """Shipped and registered font names."""
    return [*FONTS, *_USER_FONTS]


def _resolve(font: FontSpec) -> _Font:
    if isinstance(font, os.PathLike):
        font = os.fspath(font)
    if not isinstance(font, str):
        raise InputError(f"font must be a name or a path, not {type(font).__name__}")
    path = _USER_FONTS.get(font)
    if path is None:
        try:
            path = font_path(font)
        except ResourceError as e:
            if font in FONTS:
                raise
            raise InputError(str(e)) from None
    return _load_font(str(Path(path).resolve()), font)


def _load_font(path: str, name: str) -> _Font:
    digest = file_digest(path)
    return _font_cached(path, digest, name)


@lru_cache(maxsize=64)
def _font_cached(path: str, digest: str, name: str) -> _Font:
    meta = cached_array("glyph-cmap", f"{digest}-v1", lambda: _read_cmap(path), mmap=False)
    mask = np.zeros(_MAX_CP, dtype=bool)
    cps = meta[2:]
    mask[cps[(cps >= 0) & (cps < _MAX_CP)]] = True
    return _Font(name=name, path=path, digest=digest, upm=int(meta[0]), em_bottom=int(meta[1]), mask=mask)


def _read_cmap(path: str) -> np.ndarray:
    """[units per em, em-box bottom, *code points in the cmap] as int64."""
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True, fontNumber=0)
        cmap = font.getBestCmap() or {}
        upm = int(font["head"].unitsPerEm)
        bottom = _em_bottom(font, upm)
    except Exception as e:  # noqa: BLE001 - fontTools raises many types for bad files
        raise ResourceError(f"cannot read font {path}: {type(e).__name__}: {e} (give a .ttf/.otf/.ttc file)") from None
    return np.array([upm, bottom, *sorted(cmap)], dtype=np.int64)


def _em_bottom(font: Any, upm: int) -> int:
    """Bottom of the ideographic em box: BASE 'ideo' baseline, else OS/2 typo metrics, else line-box centred."""
    try:
        axis = font["BASE"].table.HorizAxis
        tags = list(axis.BaseTagList.BaselineTag)
        if "ideo" in tags:
            records = {r.BaseScriptTag: r.BaseScript for r in axis.BaseScriptList.BaseScriptRecord}
            for script in ("hani", "DFLT", *records):
                base = records.get(script)
                if base is not None and base.BaseValues is not None:
                    return int(base.BaseValues.BaseCoord[tags.index("ideo")].Coordinate)
    except (KeyError, AttributeError, IndexError, TypeError):
        pass
    if "OS/2" in font:
        os2 = font["OS/2"]
        if os2.sTypoAscender - os2.sTypoDescender == upm:
            return int(os2.sTypoDescender)
        return int(round((os2.sTypoAscender + os2.sTypoDescender - upm) / 2))
    hhea = font["hhea"]
    return int(round((hhea.ascent + hhea.descent - upm) / 2))


@lru_cache(maxsize=32)
def _pil_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size=size, layout_engine=ImageFont.Layout.BASIC)
    except OSError as e:
        raise ResourceError(f"cannot open font {path}: {e}") from None


# ---------------------------------------------------------------- coverage


def _one_char(char: str) -> str:
    if not isinstance(char, str) or len(char) != 1:
        raise InputError(f"expected one character (code point), got {char!r:.40}")
    return char


def covered(char: str, font: FontSpec = "song") -> bool:
    """True if ``font``'s cmap maps ``char`` (one code point) to a glyph.

    >>> covered("字", "hei"), covered("a", "kai"), covered("\\U00020000", "kai")
    (True, True, False)
    """
    return bool(_resolve(font).mask[ord(_one_char(char))])


def coverage_mask(chars: str | Sequence[str], font: FontSpec = "song") -> np.ndarray:
    """Vectorised :func:`covered`: bool array, one entry per character."""
    return _resolve(font).mask[_codepoints(chars)]


def _codepoints(chars: str | Sequence[str]) -> np.ndarray:
    if isinstance(chars, str):
        return np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    items = list(chars)
    for c in items:
        _one_char(c)
    return np.fromiter((ord(c) for c in items), dtype=np.int64, count=len(items))


def _as_chars(text_or_chars: str | Iterable[str]) -> list[str]:
    if isinstance(text_or_chars, str):
        return list(text_or_chars)
    return [_one_char(c) for c in text_or_chars]


def coverage_report(fonts: Sequence[FontSpec] = DEFAULT_FONTS, blocks: Sequence[str] | None = None) -> dict[str, Any]:
    """Characters covered per block and font (assigned = per Python's Unicode database).

    >>> r = coverage_report(["kai"], blocks=["uro"]); r["blocks"][0]["covered"]["kai"]
    20992
    """
    from .chars import BLOCKS

    loaded = [(_display(f), _resolve(f)) for f in fonts]
    rows = []
    for first, last, full, short in BLOCKS:
        if blocks is not None and short not in blocks and full not in blocks:
            continue
        cps = np.arange(first, last + 1)
        assigned = sum(unicodedata.category(chr(cp)) != "Cn" for cp in range(first, last + 1))
        per_font = {name: int(f.mask[cps].sum()) for name, f in loaded}
        anyf = np.zeros(len(cps), dtype=bool)
        for _, f in loaded:
            anyf |= f.mask[cps]
        rows.append(
            {
                "block": short,
                "name": full,
                "range": f"U+{first:04X}..U+{last:04X}",
                "code_points": len(cps),
                "assigned": assigned,
                "covered": per_font,
                "covered_any": int(anyf.sum()),
            }
        )
    return {"unicode_version": unicodedata.unidata_version, "fonts": {n: f.path for n, f in loaded}, "blocks": rows}


def _display(font: FontSpec) -> str:
    return os.fspath(font) if isinstance(font, os.PathLike) else str(font)


# ---------------------------------------------------------------- drawing


def _check_size(size: int) -> int:
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or not 4 <= size <= 1024:
        raise InputError(f"glyph size must be an integer from 4 to 1024, got {size!r}")
    return int(size)


def _draw(font: _Font, size: int, chars: Sequence[str], out: np.ndarray | None = None) -> np.ndarray:
    """Draw characters the font covers into uint8 (n, size, size) images (ink 255)."""
    from PIL import Image, ImageDraw

    pil = _pil_font(font.path, size)
    baseline = size * (font.em_bottom + font.upm) / font.upm
    if out is None:
        out = np.zeros((len(chars), size, size), dtype=np.uint8)
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    for i, ch in enumerate(chars):
        draw.rectangle((0, 0, size, size), fill=0)
        x = (size - pil.getlength(ch)) / 2
        draw.text((x, baseline), ch, font=pil, fill=255, anchor="ls")
        out[i] = np.asarray(img)
    return out


Synthesiser = Callable[[str, int, Sequence[FontSpec]], "np.ndarray | None"]


def _default_synthesiser() -> Synthesiser | None:
    """The IDS synthesiser, or None while cjkglyph.glyph_synth / cjkglyph.ids are unavailable."""
    try:
        from .glyph_synth import synthesise
    except ImportError:
        return None
    return synthesise


def _plan(chars: Sequence[str], fonts: Sequence[_Font], fallback: Sequence[_Font]) -> np.ndarray:
    """(n, F) int16 source per character and slot: index into fonts + fallback, or -1 (no font has it)."""
    cps = _codepoints(chars) if chars else np.zeros(0, dtype=np.int64)
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
    size = _check_size(size)
    if isinstance(fonts, (str, os.PathLike)):
        fonts = (fonts,)
    if not fonts:
        raise InputError("give at least one font")
    if isinstance(fallback, (str, os.PathLike)):
        fallback = (fallback,)
    loaded = [_resolve(f) for f in fonts]
    fb = [_resolve(f) for f in fallback]
    names = [_display(f) for f in [*fonts, *fallback]]
    pool = [*loaded, *fb]
    src = _plan(chars, loaded, fb)
    out = np.zeros((len(chars), len(loaded), size, size), dtype=np.uint8)
    # draw every (source font, character) once, then copy into each slot that uses it
    for s, font in enumerate(pool):
        rows, slots = np.nonzero(src == s)
        if not len(rows):
            continue
        uniq, inverse = np.unique(rows, return_inverse=True)
        drawn = _draw(font, size, [chars[r] for r in uniq])
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
    chars = _as_chars(text_or_chars)
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
    chars = _as_chars(text_or_chars)
    if isinstance(fonts, (str, os.PathLike)):
        fonts = (fonts,)
    if isinstance(fallback, (str, os.PathLike)):
        fallback = (fallback,)
    names = [_display(f) for f in [*fonts, *fallback]]
    src = _plan(chars, [_resolve(f) for f in fonts], [_resolve(f) for f in fallback])
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
        cps = _codepoints(text_or_chars) - self._lo
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
            chars = _as_chars(text_or_chars)
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
    from .chars import iter_block

    size = _check_size(size)
    if chars is None:
        chars = "".join("".join(iter_block(b)) for b in (blocks or ("uro",)))
    elif blocks:
        raise InputError("give chars or blocks, not both")
    vocab = "".join(dict.fromkeys(_as_chars(chars)))  # unique, in first-seen order
    if isinstance(fonts, (str, os.PathLike)):
        fonts = (fonts,)
    if isinstance(fallback, (str, os.PathLike)):
        fallback = (fallback,)
    loaded = [_resolve(f) for f in fonts]
    fb = [_resolve(f) for f in fallback]
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
        names = [_display(f) for f in [*fonts, *fallback]]
        code = {n: i for i, n in reversed(list(enumerate(names)))} | {SYNTHESISED: len(names), None: -1}
        built["sources"] = np.array([[code[x] for x in row] for row in info], dtype=np.int16).reshape(len(vocab), len(fonts))
        return images

    def build_sources() -> np.ndarray:
        if "sources" not in built:
            build_images()
        return built["sources"]

    images = cached_array("glyphs", key, build_images)
    sources = cached_array("glyphsrc", key, build_sources, mmap=False)
    cps = _codepoints(vocab)
    lo = int(cps.min()) if len(cps) else 0
    row_of = np.full(int(cps.max()) - lo + 1 if len(cps) else 0, -1, dtype=np.int64)
    row_of[cps - lo] = np.arange(len(cps))
    table = GlyphTable(
        chars=vocab,
        fonts=tuple(_display(f) for f in fonts),
        size=size,
        images=images,
        sources=sources,
        source_names=(*(_display(f) for f in [*fonts, *fallback]), SYNTHESISED),
        key=key,
        _lo=lo,
        _row_of=row_of,
        _options=(tuple(fonts), tuple(fallback), synthesise),
    )
    with _LOCK:
        _TABLES[key] = table
    return table


# ---------------------------------------------------------------- similarity (see cjkglyph.glyph_similarity)


def embeddings(chars: str | Sequence[str]) -> np.ndarray:
    """Learned glyph embeddings, float32 (N, D), L2-normalised; zero rows for characters with no glyph.

    See :mod:`cjkglyph.glyph_similarity` (``neighbours``, ``topk``) for vocabulary-wide search.
    """
    from .glyph_similarity import embeddings as _embeddings

    return _embeddings(chars)


def image_distance(a: str, b: str, mode: str = "gray", **kwargs: Any) -> float:
    """Image distance in [0, 1] between two characters across the fonts (``gray`` or ``binary``)."""
    from .glyph_similarity import image_distance as _image_distance

    return _image_distance(a, b, mode=mode, **kwargs)


def neighbours(vocab: str | Sequence[str] | None = None, k: int = 20, **kwargs: Any) -> Neighbours:
    """Top-k visual neighbours of every character of ``vocab`` (see :func:`cjkglyph.glyph_similarity.neighbours`)."""
    from .glyph_similarity import neighbours as _neighbours

    return _neighbours(vocab, k, **kwargs)


def similar(char: str, k: int = 10, **kwargs: Any) -> list[tuple[str, float]]:
    """The ``k`` characters that look most like ``char``, as (char, score), higher = more similar."""
    from .glyph_similarity import similar as _similar

    return _similar(char, k, **kwargs)
