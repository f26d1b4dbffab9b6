"""``cjkglyph glyph``: draw characters as a PNG grid or an array, or report font coverage.

    cjkglyph glyph 未末己已巳 -o out.png --size 64        # one row per font, one column per character
    cjkglyph glyph 字形 --font kai --format npy -o a.npy  # float32 (N, F, size, size), ink = 1
    cjkglyph glyph 字𠀀 --format json                     # which font drew each character
    cjkglyph glyph --coverage [--format json]              # characters covered per font and block
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import IO, Any

from . import _io

_MAX_GRID = 20_000  # characters in one PNG or text drawing
_TABLE_FROM = 2_000  # from this many characters on, draw through the cached URO glyph table


def add_parser(sub: Any, name: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help="draw characters (PNG grid, .npy array, ASCII) or report font coverage",
        description=(
            "Draw each character in each font, em box scaled to --size pixels. A font never draws tofu: "
            "characters it lacks come from the --fallback fonts, are synthesised from IDS, or stay blank "
            "(PNG cells: yellow = fallback font, blue = synthesised, red = no glyph; each row is labelled with its font). "
            "--format auto picks the format from the -o suffix (.png/.jpg/.webp/.bmp/.gif/.tif images, .npy, .json, .txt; "
            "an image is written in the format its suffix names; text when writing to a terminal)."
        ),
    )
    _io.add_io_arguments(
        p,
        formats=("auto", "png", "npy", "json", "text"),
        default_format="auto",
        text_help="characters to draw; each argument (or input line) starts a new band of the grid",
    )
    p.add_argument("--font", action="append", metavar="FONT", help="font name (song, hei, kai) or font file; repeat for several (default: all three)")
    p.add_argument("--size", type=int, default=24, help="image size in pixels (default: %(default)s)")
    p.add_argument("--fallback", default="song,hei,kai", metavar="FONTS", help="comma-separated fallback fonts, or 'none' (default: %(default)s)")
    p.add_argument("--no-synth", action="store_true", help="leave characters no font has blank instead of synthesising them from IDS")
    p.add_argument("--columns", type=int, default=40, help="characters per band of the PNG/text grid (default: %(default)s)")
    p.add_argument("--coverage", action="store_true", help="print how many characters each font covers per Unicode block")
    p.add_argument("--blocks", metavar="NAMES", help="with --coverage: comma-separated block short names (default: all)")
    p.set_defaults(run=run)
    return p


#: Image file suffixes -> the PIL format written for them (the grid is an image: --format png).
IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".bmp": "BMP", ".gif": "GIF", ".tif": "TIFF", ".tiff": "TIFF"}
_SUFFIXES = {".npy": "npy", ".json": "json", ".txt": "text", **dict.fromkeys(IMAGE_SUFFIXES, "png")}


def _suffix(path: str | None) -> str:
    import os

    return os.path.splitext(path or "")[1].lower()


def _format(args: argparse.Namespace) -> str:
    from ..errors import InputError

    fmt: str = args.format
    if fmt != "auto":
        return fmt
    out = args.output or ""
    if _suffix(out) in _SUFFIXES:
        return _SUFFIXES[_suffix(out)]
    if args.coverage:
        return "text"
    if not out or out == "-":
        return "text" if sys.stdout.isatty() else "json"
    known = ", ".join(_SUFFIXES)
    raise InputError(f"cannot tell the output format from {out!r}: use a file name ending in one of {known}, or --format")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    fonts = tuple(args.font or ("song", "hei", "kai"))
    fallback = () if args.fallback.strip().lower() in ("", "none") else tuple(f.strip() for f in args.fallback.split(",") if f.strip())
    fmt = _format(args)
    if args.coverage:
        return _coverage(args, fonts, fmt)
    if args.columns < 1:
        raise InputError("--columns must be at least 1")
    records = [r for r in _io.read_records(args)]
    chars = [c for r in records for c in r]
    if fmt in ("png", "text") and len(chars) > _MAX_GRID:
        raise InputError(f"{len(chars)} characters are too many for a {fmt} grid (at most {_MAX_GRID}); use --format npy")
    if fmt == "npy":
        return _write_npy(args, chars, fonts, fallback)
    if fmt == "json":
        return _write_json(args, chars, fonts, _info(chars, fonts, args.size, fallback, not args.no_synth))
    images, info = _draw(chars, fonts, args.size, fallback, not args.no_synth)
    if fmt == "png":
        return _write_png(args, records, images, info, fonts)
    if fmt == "text":
        return _write_text(args, records, images)
    raise InputError(f"--format {fmt} is not supported by this command")


def _info(chars: list[str], fonts: tuple[str, ...], size: int, fallback: tuple[str, ...], synth: bool) -> Any:
    """Which font draws each character; only characters no font has are actually drawn (to learn if IDS can)."""
    from ..glyph import check_size, render, render_info

    check_size(size)
    info = render_info(chars, fonts, fallback=fallback)
    missing = list(dict.fromkeys(c for c, row in zip(chars, info) if None in row))
    if missing and synth:
        _, drawn = render(missing, fonts, size, fallback=fallback, return_info=True)
        found = dict(zip(missing, drawn))
        info = [found.get(c, row) for c, row in zip(chars, info)]
    return info


def _draw(chars: list[str], fonts: tuple[str, ...], size: int, fallback: tuple[str, ...], synth: bool) -> tuple[Any, Any]:
    from ..glyph import glyph_table, render

    if len(chars) < _TABLE_FROM:
        return render(chars, fonts, size, fallback=fallback, synthesise=synth, return_info=True)
    table = glyph_table(blocks=("uro",), fonts=fonts, size=size, fallback=fallback, synthesise=synth)
    # info for characters outside the table comes from a cheap coverage pass
    from ..glyph import render_info

    return table.lookup(chars), render_info(chars, fonts, fallback=fallback)


@contextlib.contextmanager
def _binary_out(args: argparse.Namespace, what: str) -> Iterator[IO[bytes]]:
    """The binary output stream (-o FILE or stdout, never a terminal), closed or flushed at the end."""
    from ..errors import InputError

    if not args.output or args.output == "-":
        if sys.stdout.isatty():
            raise InputError(f"refusing to write {what} to a terminal: give -o FILE")
        try:
            yield sys.stdout.buffer
        finally:
            sys.stdout.buffer.flush()
        return
    try:
        f = open(args.output, "wb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise InputError(f"cannot write {args.output}: {e.strerror or e}") from None
    with f:
        yield f


def _write_npy(args: argparse.Namespace, chars: list[str], fonts: tuple[str, ...], fallback: tuple[str, ...]) -> int:
    import numpy as np

    from ..glyph import check_size, glyph_table, render

    size = check_size(args.size)
    shape = (len(chars), len(fonts), size, size)
    with _binary_out(args, "an array") as out:
        np.lib.format.write_array_header_1_0(out, {"descr": "<f4", "fortran_order": False, "shape": shape})
        table = glyph_table(blocks=("uro",), fonts=fonts, size=size, fallback=fallback, synthesise=not args.no_synth) if len(chars) >= _TABLE_FROM else None
        for i in range(0, len(chars), 4096):
            part = chars[i : i + 4096]
            arr = table.lookup(part) if table is not None else render(part, fonts, size, fallback=fallback, synthesise=not args.no_synth)
            out.write(np.ascontiguousarray(arr, dtype="<f4").tobytes())
    return 0


def _write_json(args: argparse.Namespace, chars: list[str], fonts: tuple[str, ...], info: Any) -> int:
    rows = [
        {"char": c, "codepoint": f"U+{ord(c):04X}", "drawn_by": dict(zip(fonts, src))} for c, src in zip(chars, info)
    ]
    with _io.open_output(args) as out:
        out.write(_io.dumps({"fonts": list(fonts), "size": args.size, "chars": rows}, pretty=True) + "\n")
    return 0


def _bands(records: list[str], columns: int) -> list[tuple[int, int]]:
    """(start, length) in the flat character list of every grid band."""
    bands = []
    pos = 0
    for r in records:
        for i in range(0, max(len(r), 1), columns):
            bands.append((pos + i, min(columns, len(r) - i)))
        pos += len(r)
    return bands


def _write_png(args: argparse.Namespace, records: list[str], images: Any, info: Any, fonts: tuple[str, ...]) -> int:
    import numpy as np
    from PIL import Image

    image_format = IMAGE_SUFFIXES.get(_suffix(args.output), "PNG")
    nf, size = images.shape[1], images.shape[-1]
    bands = _bands(records, args.columns)
    cols = max([length for _, length in bands] + [1])
    cell, gap = size + 1, max(2, size // 4)
    band_h = nf * cell + gap
    labels, label_font = _labels(fonts, cell)
    margin = max(label_font.getbbox(t)[2] for t in labels) + 6 if labels else 0
    canvas = np.full((max(1, len(bands)) * band_h + 1, margin + cols * cell + 1, 3), 255, dtype=np.uint8)
    tint = {"fallback": (255, 244, 200), "ids": (214, 232, 255), None: (255, 214, 214)}
    for b, (start, length) in enumerate(bands):
        y0 = b * band_h
        canvas[y0 : y0 + nf * cell + 1, margin : margin + length * cell + 1] = 200  # grid lines
        for j in range(length):
            for f in range(nf):
                y, x = y0 + f * cell + 1, margin + j * cell + 1
                src = info[start + j][f]
                paper = np.array((255, 255, 255) if src == fonts[f] else tint[src if src in tint else "fallback"], dtype=np.float32)
                ink = images[start + j, f][..., None]
                canvas[y : y + size, x : x + size] = (paper * (1 - ink)).round().astype(np.uint8)
    image = Image.fromarray(canvas, "RGB")
    if labels:
        from PIL import ImageDraw

        draw = ImageDraw.Draw(image)
        for b in range(len(bands)):
            for f, text in enumerate(labels):
                draw.text((2, b * band_h + f * cell + cell // 2), text, fill=(90, 90, 90), font=label_font, anchor="lm")
    with _binary_out(args, f"a {image_format} image") as out:
        image.save(out, format=image_format)
    return 0


def _labels(fonts: tuple[str, ...], cell: int) -> tuple[list[str], Any]:
    """Row labels (the font of each row: its short name or file stem) and the font they are written in."""
    from pathlib import Path

    from PIL import ImageFont

    from ..resources import font_path

    labels = [f if "/" not in f and "." not in f else Path(f).stem[:16] for f in fonts]
    return labels, ImageFont.truetype(str(font_path("hei")), max(8, min(cell * 2 // 3, 24)))


def _write_text(args: argparse.Namespace, records: list[str], images: Any) -> int:
    shades = " .:-=+*#%@"
    lines: list[str] = []
    nf = images.shape[1]
    for start, length in _bands(records, args.columns):
        for f in range(nf):
            for y in range(images.shape[-1]):
                row = images[start : start + length, f, y]  # (length, size)
                lines.append("|".join("".join(shades[min(9, int(v * 10))] for v in cell) for cell in row).rstrip())
            lines.append("")
    with _io.open_output(args) as out:
        out.write("\n".join(lines) + "\n")
    return 0


def _coverage(args: argparse.Namespace, fonts: tuple[str, ...], fmt: str) -> int:
    from ..errors import InputError
    from ..glyph import coverage_report

    blocks = [b.strip() for b in args.blocks.split(",")] if args.blocks else None
    report = coverage_report(fonts, blocks)
    if blocks and not report["blocks"]:
        raise InputError(f"no known block among {args.blocks!r}")
    with _io.open_output(args) as out:
        if fmt == "json":
            out.write(_io.dumps(report, pretty=True) + "\n")
            return 0
        if fmt != "text":
            raise InputError("--coverage prints text or json")
        names = list(report["fonts"])
        head = f"{'block':<20} {'range':<20} {'assigned':>8} " + " ".join(f"{n[-8:]:>8}" for n in names) + f" {'any':>8}"
        out.write(head + "\n")
        for row in report["blocks"]:
            cells = " ".join(f"{row['covered'][n]:>8}" for n in names)
            out.write(f"{row['block']:<20} {row['range']:<20} {row['assigned']:>8} {cells} {row['covered_any']:>8}\n")
        out.write(f"(assigned = per Unicode {report['unicode_version']}, Python's unicodedata)\n")
    return 0
