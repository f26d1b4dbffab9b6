"""Where shipped resources (``data/``, ``fonts/``) and the derived-artifact cache live.

Lookup order for shipped files:

1. ``$CJKGLYPH_DATA`` (a directory laid out like the shipped ``data/``; it may
   also hold a ``fonts/`` folder),
2. the copy inside an installed wheel (``cjkglyph/_shipped/``),
3. the source checkout (``<repo>/data`` and ``<repo>/fonts``).

The cache (``$CJKGLYPH_CACHE``, default: the platform cache directory) holds
artifacts derived from shipped data; every cache file is keyed by a hash of
what it was built from, written atomically, and rebuilt when unreadable.
Slow builds need not happen at all: ``data/prebuilt/<group>.npz`` ships the
arrays of the default similarity graph, lexicon and word table
(``scripts/build_prebuilt.py``), used when their key matches
(``CJKGLYPH_PREBUILT=0`` ignores them). A build that still takes more than
2 s says on stderr what it builds (``CJKGLYPH_QUIET=1`` or the CLI's ``-q``
silences it).

>>> from cjkglyph.resources import data_path
>>> data_path("LICENSES.md").name
'LICENSES.md'
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import ResourceError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "FONTS",
    "NOTICE_AFTER",
    "atomic_write",
    "building",
    "cache_dir",
    "cached_array",
    "cached_json",
    "data_path",
    "file_digest",
    "font_path",
    "read_json",
    "read_npz",
    "read_prebuilt",
    "set_quiet",
    "write_json",
    "write_prebuilt",
]

_PKG = Path(__file__).resolve().parent
_SHIPPED = _PKG / "_shipped"
_CHECKOUT = _PKG.parent

#: Short names of the shipped fonts -> file names in ``fonts/``.
FONTS: dict[str, str] = {
    "song": "NotoSerifCJKsc-Regular.subset.otf",
    "hei": "NotoSansCJKsc-Regular.subset.otf",
    "kai": "CJKGlyphKai-Regular.subset.ttf",
}

_FIX = "reinstall cjkglyph or set CJKGLYPH_DATA to a directory that holds it"


def _candidates(kind: str) -> list[Path]:
    roots: list[Path] = []
    env = os.environ.get("CJKGLYPH_DATA")
    if env:
        roots.append(Path(env) if kind == "data" else Path(env) / kind)
    roots.append(_SHIPPED / kind)
    roots.append(_CHECKOUT / kind)
    return roots


def data_path(*parts: str, required: bool = True) -> Path:
    """Path of a shipped data file, e.g. ``data_path("ids", "IDS.TXT")``.

    Raises :class:`ResourceError` naming the file when it is missing and
    ``required`` is true.
    """
    rel = Path(*parts)
    for root in _candidates("data"):
        path = root / rel
        if path.exists():
            return path
    if required:
        raise ResourceError(f"missing data file data/{rel.as_posix()}; {_FIX}")
    return _candidates("data")[-1] / rel


def font_path(name: str) -> Path:
    """Resolve a shipped font name (``song``, ``hei``, ``kai``) or a path to a font file."""
    if name in FONTS:
        for root in _candidates("fonts"):
            path = root / FONTS[name]
            if path.is_file():
                return path
        raise ResourceError(f"missing font file fonts/{FONTS[name]}; {_FIX}")
    path = Path(name).expanduser()
    if path.is_file():
        return path
    known = ", ".join(FONTS)
    raise ResourceError(f"unknown font {name!r}: use one of {known} or a path to a .ttf/.otf/.ttc file")


def _default_cache_root() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "cjkglyph" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "cjkglyph"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cjkglyph"


def cache_dir(*parts: str) -> Path:
    """The cache directory (``$CJKGLYPH_CACHE`` or the platform default), created on demand.

    Falls back to a per-user temporary directory when the preferred one is not
    writable, so read-only homes still work.
    """
    env = os.environ.get("CJKGLYPH_CACHE")
    root = Path(env).expanduser() if env else _default_cache_root()
    path = root.joinpath(*parts)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK):
            raise PermissionError(path)
    except OSError:
        path = Path(tempfile.gettempdir()) / f"cjkglyph-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"
        path = path.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=256)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.blake2b(digest_size=10)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(path: str | os.PathLike[str]) -> str:
    """Short content hash of a file (memoised on path, size and mtime)."""
    st = os.stat(path)
    return _digest(os.fspath(path), st.st_size, st.st_mtime_ns)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and move it into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as f:
            yield f
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: Seconds a build runs before :func:`building` announces it.
NOTICE_AFTER = 2.0
_QUIET: list[bool] = []


def set_quiet(quiet: bool) -> None:
    """Silence (or restore) the one-line notices of slow builds for this process (the CLI's ``-q``)."""
    _QUIET[:] = [quiet]


def _quiet() -> bool:
    return _QUIET[0] if _QUIET else os.environ.get("CJKGLYPH_QUIET", "") not in ("", "0")


@contextlib.contextmanager
def building(what: str, usually: str | None = None) -> Iterator[None]:
    """Run a one-time build; if it is still running after :data:`NOTICE_AFTER` seconds, say so in one line on stderr.

    >>> with building("a tiny table"):
    ...     pass
    """

    def say() -> None:
        if not _quiet():
            took = f"usually {usually}, " if usually else ""
            print(f"cjkglyph: building {what} (once: {took}then cached in {cache_dir()})", file=sys.stderr, flush=True)

    timer = threading.Timer(NOTICE_AFTER, say)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


#: What a cache table is, by name prefix (for the notice of a slow build).
_WHAT = {
    "glyphs": "the glyph images of a Unicode block",
    "glyphsrc": "the glyph sources of a Unicode block",
    "glyphemb": "the glyph embeddings",
    "glyph-cmap": "a font's character map",
    "graph-emb": "the glyph embeddings of the similarity graph",
    "graph-gray": "the glyph features of the similarity graph",
    "ids": "the IDS table",
    "ids-sim": "the IDS similarity tables",
    "ids-index": "the IDS search index",
    "ids-postings": "the IDS search index",
    "unihan": "the Unihan table",
    "lexicon": "the word lexicon",
    "spellwords": "the spelling word table",
    "subchar": "a SubChar code table",
    "stroke-codes": "the stroke-order codes",
}


def _what(name: str) -> str:
    prefixes = [p for p in _WHAT if name == p or name.startswith(p + "-")]
    return _WHAT[max(prefixes, key=len)] if prefixes else name.replace("-", " ") + " table"


def _prebuilt(name: str, key: str) -> np.ndarray | None:
    """Array ``name`` from the shipped ``data/prebuilt/<group>.npz`` (``group-member``) when it was built for ``key``."""
    if os.environ.get("CJKGLYPH_PREBUILT", "") == "0":
        return None
    group, _, member = name.rpartition("-")
    path = data_path("prebuilt", f"{group}.npz", required=False)
    if not group or not path.is_file():
        return None
    try:
        return read_prebuilt(path, key, member)
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def read_prebuilt(path: str | os.PathLike[str], key: str, member: str) -> np.ndarray | None:
    """Array ``member`` of a prebuilt file written by :func:`write_prebuilt`, or None when it was built for another key."""
    import json

    import numpy as np

    with zipfile.ZipFile(path) as z:
        meta = json.loads(z.read("meta.json"))
        if meta["key"] != key or member not in meta["arrays"]:
            return None
        dtype, shape = meta["arrays"][member]
        with z.open(f"{member}.npy") as f:
            planes = np.lib.format.read_array(f, allow_pickle=False)
    items = np.ascontiguousarray(planes.T).reshape(-1).view(meta["stored"][member])
    return items.reshape(shape).astype(dtype, copy=False)


def write_prebuilt(path: str | os.PathLike[str], key: str, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` built for cache ``key`` as a compact zip: integers narrowed to the smallest type that holds
    them, each array's bytes split into planes (byte k of every item together), deflated."""
    import json

    import numpy as np

    meta: dict[str, Any] = {"key": key, "arrays": {}, "stored": {}}
    with atomic_write(path) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for member, a in arrays.items():
            a = np.ascontiguousarray(a)
            meta["arrays"][member] = [a.dtype.str, list(a.shape)]
            flat = a.reshape(-1)
            if a.dtype.kind in "iu" and flat.size:
                flat = flat.astype(np.promote_types(np.min_scalar_type(int(flat.min())), np.min_scalar_type(int(flat.max()))))
            meta["stored"][member] = flat.dtype.str
            planes = flat.view(np.uint8).reshape(-1, flat.dtype.itemsize).T
            with z.open(f"{member}.npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(planes), allow_pickle=False)
        z.writestr("meta.json", json.dumps(meta))


def cached_array(
    name: str, key: str, build: Callable[[], np.ndarray], *, mmap: bool = True, what: str | None = None, usually: str | None = None
) -> np.ndarray:
    """Load ``<cache>/<name>-<key>.npy`` memory-mapped, building and saving it first if needed.

    ``key`` must change whenever the inputs of ``build`` change (e.g. a
    :func:`file_digest` of the source file plus parameters). A corrupt cache
    file is rebuilt rather than reported. A shipped prebuilt array with the same
    name and key is used instead of building; ``what`` and ``usually`` describe
    the build for the notice of :func:`building`.
    """
    import numpy as np

    path = cache_dir() / f"{name}-{key}.npy"
    if path.exists():
        try:
            return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            pass
    array = _prebuilt(name, key)
    if array is None:
        with building(what or _what(name), usually):
            array = build()
    array = np.ascontiguousarray(array)
    try:
        with atomic_write(path) as f:
            np.save(f, array, allow_pickle=False)
    except OSError:
        return array
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False) if mmap else array


def cached_json(name: str, key: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Load ``<cache>/<name>-<key>.json``, building and saving it first if needed (see :func:`cached_array`)."""
    import json

    path = cache_dir() / f"{name}-{key}.json"
    if path.exists():
        try:
            with open(path, encoding="utf-8") as f:
                blob: dict[str, Any] = json.load(f)
            return blob
        except (OSError, ValueError):
            pass
    with building(_what(name)):
        blob = build()
    try:
        with atomic_write(path, "w") as f:
            json.dump(blob, f, ensure_ascii=False, separators=(",", ":"))
    except OSError:
        pass
    return blob


def read_npz(path: str | os.PathLike[str], what: str, fix: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file (no pickles); a one-line :class:`ResourceError` naming ``what`` and ``fix`` otherwise."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError) as e:
        raise ResourceError(f"cannot read {what} {path}: {e}; {fix}") from None


def read_json(path: Path, what: str, fix: str) -> dict[str, Any]:
    """The JSON object in ``path``; a one-line :class:`ResourceError` naming ``what`` and ``fix`` otherwise."""
    import json

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResourceError(f"missing {what} {path}; {fix}") from None
    except OSError as e:
        raise ResourceError(f"cannot read {path}: {e.strerror or e}; {fix}") from None
    try:
        blob: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as e:
        raise ResourceError(f"corrupt {what} {path}: {e}; {fix}") from None
    return blob


def write_json(path: str | os.PathLike[str], blob: dict[str, Any]) -> None:
    """Write ``blob`` compactly (UTF-8) with an atomic replace."""
    import json

    text = json.dumps(blob, ensure_ascii=False, separators=(",", ":")) + "\n"
    with atomic_write(path, "wb") as f:
        f.write(text.encode("utf-8"))
