"""Exception types shared by the whole package.

Every error a user can cause or fix carries a one-line message; the CLI prints
it and exits with ``exit_code`` instead of showing a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["CjkglyphError", "InputError", "ResourceError", "check_texts", "excerpt"]


class CjkglyphError(Exception):
    """Base class for errors that are reported to the user as one line."""

    exit_code: int = 1


class InputError(CjkglyphError, ValueError):
    """Bad user input: unreadable file, invalid UTF-8, malformed argument (exit status 2)."""

    exit_code = 2


class ResourceError(CjkglyphError, OSError):
    """A shipped or cached resource is missing or corrupt; the message names the file and the fix."""

    exit_code = 1


def check_texts(texts: Sequence[object]) -> list[str]:
    """``texts`` as a list, or :class:`InputError` naming the first item that is not a str."""
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(f"input {i} is {type(t).__name__}, expected str")
    return list(texts)  # type: ignore[arg-type]


def excerpt(s: str, limit: int = 40) -> str:
    """``s`` for an error message: at most ``limit`` characters, non-printable ones escaped.

    >>> excerpt("a\\x00b" + "c" * 50, 5)
    'a\\\\u0000bcc…'
    """
    shown = s if len(s) <= limit else s[:limit] + "…"
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in shown)
