"""Exception types shared by the whole package.

Every error a user can cause or fix carries a one-line message; the CLI prints
it and exits with ``exit_code`` instead of showing a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

__all__ = [
    "EXTRAS",
    "CjkglyphError",
    "InputError",
    "InputTypeError",
    "MissingDependency",
    "ResourceError",
    "check_texts",
    "excerpt",
    "missing_dependency",
    "require",
]

#: Optional top-level modules -> the extra that installs them.
EXTRAS: dict[str, str] = {"torch": "models", "transformers": "models", "onnx": "models", "accelerate": "train"}


class CjkglyphError(Exception):
    """Base class for errors that are reported to the user as one line."""

    exit_code: int = 1


class InputError(CjkglyphError, ValueError):
    """Bad user input: unreadable file, invalid UTF-8, malformed argument (exit status 2)."""

    exit_code = 2


class ResourceError(CjkglyphError, OSError):
    """A shipped or cached resource is missing or corrupt; the message names the file and the fix."""

    exit_code = 1


class MissingDependency(CjkglyphError, ImportError):
    """An optional dependency (torch, transformers ...) is not installed; the message gives the pip command (exit status 2)."""

    exit_code = 2


def missing_dependency(module: str, what: str = "this") -> MissingDependency:
    """The one-line error for a missing optional ``module`` (``torch``, ``transformers.x`` ...), naming the extra that installs it.

    >>> str(missing_dependency("torch", "--model"))
    "--model needs torch, which is not installed: pip install 'cjkglyph[models]'"
    """
    top = module.split(".")[0]
    extra = EXTRAS.get(top)
    fix = f"pip install 'cjkglyph[{extra}]'" if extra else f"pip install {top}"
    return MissingDependency(f"{what} needs {top}, which is not installed: {fix}")


def require(module: str, what: str = "this") -> ModuleType:
    """``import module``, or :class:`MissingDependency` naming the extra that installs it.

    >>> require("json").__name__
    'json'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] in EXTRAS:
            raise missing_dependency(e.name, what) from None
        raise


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type (e.g. ``None`` where text is expected): one line naming what was expected."""


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
