"""The ``cjkglyph`` command line.

Each subcommand lives in its own module exposing ``add_parser(subparsers)``
(builds its parser, imports nothing heavy) and ``run(args) -> int``.
:func:`build_parser` assembles them; :func:`main` parses and runs, turning
every error into one line on stderr and an exit status (2 = bad usage or input).

>>> from cjkglyph.cli import build_parser
>>> args = build_parser().parse_args(["convert", "--to", "traditional", "头发"])
>>> args.command, args.to
('convert', 'traditional')
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .._version import __version__
from ..errors import EXTRAS, CjkglyphError, missing_dependency

__all__ = ["COMMANDS", "ArgumentParser", "build_parser", "main"]

#: Subcommand name -> module that implements it (in help order).
COMMANDS: dict[str, str] = {
    "check": "cjkglyph.cli.check",
    "abbrev": "cjkglyph.cli.abbrev",
    "convert": "cjkglyph.cli.convert",
    "pinyin": "cjkglyph.cli.pinyin",
    "ids": "cjkglyph.cli.ids",
    "glyph": "cjkglyph.cli.glyph",
    "similar": "cjkglyph.cli.similar",
    "graph": "cjkglyph.cli.graph",
    "tokenize": "cjkglyph.cli.tokenize",
    "tokenizer": "cjkglyph.cli.tokenizer",
    "lm": "cjkglyph.cli.lm",
    "convert-checkpoint": "cjkglyph.cli.convert_checkpoint",
}


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> ArgumentParser:
    """The full parser with every subcommand; importing it is cheap (no models)."""
    parser = ArgumentParser(
        prog="cjkglyph",
        description="Chinese/CJK text below the character: conversion, pinyin, glyphs, IDS, input codes, spelling check.",
    )
    parser.add_argument("--version", action="version", version=f"cjkglyph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name, module in COMMANDS.items():
        importlib.import_module(module).add_parser(sub, name)
        command = sub.choices[name]
        if "-q" not in command._option_string_actions:
            command.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr (e.g. of a one-time build)")
    return parser


def _one_line(message: object) -> str:
    return " ".join(str(message).split()) or "unknown error"


def _notices(show: bool) -> logging.Handler | None:
    """Send the library's notices to stderr, one line each (and let slow builds announce themselves); returns the handler."""
    from ..resources import set_quiet

    set_quiet(not show)
    if not show:
        return None
    logger = logging.getLogger("cjkglyph")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("cjkglyph: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Any = getattr(args, "run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    debug = bool(os.environ.get("CJKGLYPH_DEBUG"))
    handler = _notices(not getattr(args, "quiet", False))
    try:
        return int(run(args) or 0)
    except CjkglyphError as e:
        if debug:
            raise
        print(f"cjkglyph {args.command}: error: {_one_line(e)}", file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("cjkglyph: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"cjkglyph {args.command}: error: out of memory", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - the CLI never shows a traceback unless asked
        if debug:
            raise
        if isinstance(e, ModuleNotFoundError) and e.name and e.name.split(".")[0] in EXTRAS:
            print(f"cjkglyph {args.command}: error: {missing_dependency(e.name, 'this command')}", file=sys.stderr)
            return 2
        print(
            f"cjkglyph {args.command}: internal error: {type(e).__name__}: {_one_line(e)} "
            "(set CJKGLYPH_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1
    finally:
        if handler is not None:
            logging.getLogger("cjkglyph").removeHandler(handler)
