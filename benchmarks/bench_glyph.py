"""Glyph table speed: build time for URO x 3 fonts, cached lookups per second, vs naive PIL drawing.

    python benchmarks/bench_glyph.py [--size 24] [--n 200000]

Builds into a fresh temporary cache directory (CJKGLYPH_CACHE), so the build
time is cold. Lookup speeds are characters per second for random URO text,
with a reused output buffer (the fast path) and with a fresh array per call.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def naive_render(chars: str, fonts: list[str], size: int) -> np.ndarray:
    """The obvious baseline: a new image and a draw call per character and font."""
    from PIL import Image, ImageDraw, ImageFont

    from cjkglyph.resources import font_path

    pil = [ImageFont.truetype(str(font_path(f)), size) for f in fonts]
    out = np.zeros((len(chars), len(fonts), size, size), dtype=np.float32)
    for i, c in enumerate(chars):
        for j, f in enumerate(pil):
            im = Image.new("L", (size, size), 0)
            ImageDraw.Draw(im).text((0, 0), c, font=f, fill=255)
            out[i, j] = np.asarray(im, dtype=np.float32) / 255
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=24)
    ap.add_argument("--n", type=int, default=200_000, help="characters per lookup run")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CJKGLYPH_CACHE"] = tmp
        from cjkglyph import glyph
        from cjkglyph.glyph import rendering

        fonts = list(glyph.DEFAULT_FONTS)
        t = time.perf_counter()
        table = glyph.glyph_table(blocks=("uro",), size=args.size)
        build = time.perf_counter() - t
        n_img = len(table) * len(fonts)
        print(f"build URO x {len(fonts)} fonts at {args.size}px: {build:.2f}s ({n_img} glyphs, {n_img / build:,.0f} glyphs/s, 1 process)")
        rendering._TABLES.clear()
        t = time.perf_counter()
        table = glyph.glyph_table(blocks=("uro",), size=args.size)
        print(f"load from cache (memory-mapped): {time.perf_counter() - t:.3f}s, {table.images.nbytes / 1e6:.1f} MB")

        rng = np.random.default_rng(0)
        text = "".join(map(chr, rng.integers(0x4E00, 0xA000, args.n)))
        table.lookup_uint8(text[:10_000])  # page the table in
        rates: dict[str, float] = {}
        for batch in (512, 4096):
            parts = [text[i : i + batch] for i in range(0, len(text), batch)]
            buf8 = np.empty((batch, len(fonts), args.size, args.size), np.uint8)
            buf32 = np.empty(buf8.shape, np.float32)
            for name, fn in (
                (f"uint8   batch {batch:>5}, reused buffer", lambda p, b=buf8: table.lookup_uint8(p, out=b)),
                (f"float32 batch {batch:>5}, reused buffer", lambda p, b=buf32: table.lookup(p, out=b)),
                (f"float32 batch {batch:>5}, new array    ", lambda p: table.lookup(p)),
            ):
                t = time.perf_counter()
                for p in parts:
                    fn(p)
                rates[name] = len(text) / (time.perf_counter() - t)
        sample = text[:2000]
        t = time.perf_counter()
        glyph.render(sample, size=args.size)
        rates["render() without table           "] = len(sample) / (time.perf_counter() - t)
        t = time.perf_counter()
        naive_render(sample, fonts, args.size)
        naive = len(sample) / (time.perf_counter() - t)
        rates["naive PIL per-call drawing (baseline)"] = naive
        for name, r in rates.items():
            print(f"{name}: {r:>12,.0f} chars/s  ({r / naive:,.0f}x naive)")


if __name__ == "__main__":
    main()
