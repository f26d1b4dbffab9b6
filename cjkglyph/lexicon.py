"""Word lexicon with readings and frequencies, indexed by first letters of syllables.

Built once from four sources and cached as memory-mapped ``.npy`` arrays keyed
by their digests:

* jieba's ``dict.txt`` (word frequencies; the backbone),
* pypinyin's phrase readings (``phrases_dict``),
* ``data/lexicon/rime_pinyin_simp_dict.tsv`` (Rime pinyin_simp, Apache-2.0: readings
  and weights, reading-specific weights for single characters),
* ``data/lexicon/internet_abbrev.tsv`` (a curated list of chat abbreviations).

Words without a reading in the phrase sources are read with
:func:`cjkglyph.pinyin.pinyin`. Every entry is one (word, reading) pair of Han
characters; its key is the first letter of each syllable (``zh`` -> ``z``).
Entries are sorted by key, then by falling frequency, so the best entries for
a key come first.

>>> from cjkglyph.lexicon import default_lexicon
>>> lex = default_lexicon()
>>> "不好意思" in [w for w, _, _ in lex.lookup("bhys")]
True
>>> lex.reading(lex.find("银行")[0])
('yin', 'hang')
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .resources import cached_array, data_path, file_digest

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Lexicon", "SYLLABLE_ALIASES", "default_lexicon", "lexicon_sources", "normalize_syllable"]

#: Bump when the build logic changes so caches are rebuilt.
_BUILD_VERSION = "5"
#: Longest word kept (characters = syllables).
MAX_WORD_LEN = 12
#: Frequency share given to a word's readings other than its main one.
_ALT_READING_SHARE = 0.1
#: Count given to phrases known only from pypinyin (no frequency source).
_PHRASE_FLOOR = 2.0
#: Rime weights are on another scale than jieba counts (median ratio on shared words ~0.55).
_RIME_SCALE = 0.55
#: Default count of a curated internet abbreviation when its row gives none.
_CURATED_COUNT = 2000.0

#: Spellings typed for ü finals -> canonical syllable (``v`` for ü, as in :mod:`cjkglyph.pinyin.syllable`).
SYLLABLE_ALIASES: dict[str, str] = {"lue": "lve", "nue": "nve", "lu:": "lv", "nu:": "nv", "lu:e": "lve", "nu:e": "nve"}


def normalize_syllable(s: str) -> str:
    """Canonical toneless spelling: ``lue`` -> ``lve``; other syllables unchanged."""
    return SYLLABLE_ALIASES.get(s, s)


def _is_han_word(word: str) -> bool:
    from .chars import han_mask

    return bool(word) and all(han_mask(word))


def _package_file(package: str, name: str) -> Path:
    """A data file inside an installed package, found without importing it (imports are slow)."""
    from importlib.util import find_spec

    from .errors import ResourceError

    spec = find_spec(package)
    if spec is None or spec.origin is None:
        raise ResourceError(f"the lexicon needs the {package} package ({name}); install it with pip")
    path = Path(spec.origin).resolve().parent / name
    if not path.is_file():
        raise ResourceError(f"missing {path}; reinstall {package}")
    return path


def lexicon_sources() -> dict[str, Path]:
    """The source files of the default lexicon (name -> path)."""
    return {
        "jieba": _package_file("jieba", "dict.txt"),
        "phrases": _package_file("pypinyin", "phrases_dict.json"),
        "rime": data_path("lexicon", "rime_pinyin_simp_dict.tsv"),
        "curated": data_path("lexicon", "internet_abbrev.tsv"),
    }


# ---------------------------------------------------------------------------
# reading the sources


def _read_jieba(path: Path) -> dict[str, float]:
    counts: dict[str, float] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and len(parts[0]) <= MAX_WORD_LEN and _is_han_word(parts[0]):
                counts[parts[0]] = counts.get(parts[0], 0.0) + float(parts[1])
    return counts


def _read_rime(path: Path) -> dict[str, dict[tuple[str, ...], float]]:
    out: dict[str, dict[tuple[str, ...], float]] = {}
    with open(path, encoding="utf-8") as f:
        next(f, None)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            word, reading = parts[0], tuple(normalize_syllable(s) for s in parts[1].split())
            if len(reading) != len(word) or len(word) > MAX_WORD_LEN or not _is_han_word(word):
                continue
            try:
                weight = float(parts[2])
            except ValueError:
                continue
            readings = out.setdefault(word, {})
            readings[reading] = max(readings.get(reading, 0.0), weight)
    return out


def _read_curated(path: Path) -> list[tuple[str, tuple[str, ...], float]]:
    rows: list[tuple[str, tuple[str, ...], float]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            word, reading = parts[0], tuple(normalize_syllable(s) for s in parts[1].split())
            if len(reading) != len(word) or not _is_han_word(word):
                continue
            count = float(parts[2]) if len(parts) > 2 and parts[2] else _CURATED_COUNT
            rows.append((word, reading, count))
    return rows


def _read_phrases() -> dict[str, tuple[str, ...]]:
    from pypinyin.constants import PHRASES_DICT

    from .pinyin.syllable import strip_tone, to_tone3

    out: dict[str, tuple[str, ...]] = {}
    for word, readings in PHRASES_DICT.items():
        if len(word) != len(readings) or len(word) > MAX_WORD_LEN or not _is_han_word(word):
            continue
        try:
            out[word] = tuple(normalize_syllable(strip_tone(to_tone3(r[0]))) for r in readings)
        except (ValueError, IndexError):
            continue
    return out


def _context_reading(words: list[str]) -> list[tuple[str, ...] | None]:
    """Toneless readings of many words with :func:`cjkglyph.pinyin.pinyin` (one call per chunk)."""
    from .pinyin import pinyin

    out: list[tuple[str, ...] | None] = []
    chunk = 2000
    for start in range(0, len(words), chunk):
        part = words[start : start + chunk]
        joined = "\n".join(part)
        readings = pinyin(joined, style="normal")
        pos = 0
        for w in part:
            r = readings[pos : pos + len(w)]
            pos += len(w) + 1
            out.append(None if any(s is None for s in r) else tuple(normalize_syllable(s) for s in r))  # type: ignore[misc]
    return out


def _char_readings(char: str) -> list[str]:
    from .pinyin import heteronyms

    return [normalize_syllable(s) for s in heteronyms(char, style="normal")]


def _build_entries(sources: dict[str, Path]) -> list[tuple[str, tuple[str, ...], float, bool]]:
    """(word, reading, count, curated) for every entry of the lexicon."""
    jieba = _read_jieba(sources["jieba"])
    rime = _read_rime(sources["rime"])
    phrases = _read_phrases()
    curated = _read_curated(sources["curated"])

    counts: dict[str, float] = dict(jieba)
    for word, readings in rime.items():
        if word not in counts:
            counts[word] = _RIME_SCALE * max(readings.values())
    for word in phrases:
        counts.setdefault(word, _PHRASE_FLOOR)

    # main reading of each word: rime's heaviest, else pypinyin's phrase, else read in context
    main: dict[str, tuple[str, ...]] = {}
    for word, readings in rime.items():
        if len(word) > 1:
            main[word] = max(readings.items(), key=lambda kv: kv[1])[0]
    for word, reading in phrases.items():
        main.setdefault(word, reading)
    missing = [w for w in counts if w not in main and len(w) > 1]
    for word, reading in zip(missing, _context_reading(missing), strict=True):
        if reading is not None:
            main[word] = reading

    entries: dict[tuple[str, tuple[str, ...]], float] = {}

    def add(word: str, reading: tuple[str, ...], count: float) -> None:
        if count <= 0 or not all(x.isascii() and x.isalpha() and x.islower() for x in reading):
            return
        key = (word, reading)
        entries[key] = max(entries.get(key, 0.0), count)

    for word, count in counts.items():
        if len(word) == 1:
            # single characters: rime's reading-specific weights, else every dictionary reading
            rr = rime.get(word)
            floor = _ALT_READING_SHARE / 10
            if rr:
                weights = sum(rr.values()) or 1.0
                for reading, weight in rr.items():
                    add(word, reading, count * max(weight / weights, floor))
            for i, s in enumerate(_char_readings(word)):
                add(word, (s,), count * (1.0 if i == 0 and not rr else floor))
            continue
        reading = main.get(word)
        if reading is None:
            continue
        add(word, reading, count)
        for alt in rime.get(word, {}):
            if alt != reading:
                add(word, alt, count * _ALT_READING_SHARE)
        if word in phrases and phrases[word] != reading:
            add(word, phrases[word], count * _ALT_READING_SHARE)
    for word, reading, count in curated:
        add(word, reading, max(count, counts.get(word, 0.0)))
    # two-letter keys are too ambiguous to favour any one reading: only longer slang is marked
    conventional = {(w, r) for w, r, _ in curated if len(w) >= 3}
    return [(w, r, c, (w, r) in conventional) for (w, r), c in entries.items()]


def _build_arrays(sources: dict[str, Path]) -> dict[str, np.ndarray]:
    import numpy as np

    entries = _build_entries(sources)
    total = sum(e[2] for e in entries)
    syllables = sorted({s for _, r, _, _ in entries for s in r})
    sid = {s: i for i, s in enumerate(syllables)}
    rows = sorted(("".join(s[0] for s in r), -c, w, r, cur) for w, r, c, cur in entries)
    n = len(rows)
    keys = np.array([row[0].encode("ascii") for row in rows], dtype=f"S{MAX_WORD_LEN}")
    logp = np.array([math.log10(-row[1] / total) for row in rows], dtype=np.float32)
    curated = np.array([row[4] for row in rows], dtype=np.bool_)
    lengths = np.array([len(row[2]) for row in rows], dtype=np.int32)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    text = "".join(row[2] for row in rows)
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    syl = np.array([sid[s] for row in rows for s in row[3]], dtype=np.int16)
    table = np.array(syllables, dtype="U8")
    return {"keys": keys, "logp": logp, "curated": curated, "offsets": offsets, "chars": chars, "syl": syl, "syllables": table}


_ARRAYS = ("keys", "logp", "curated", "offsets", "chars", "syl", "syllables")


@dataclass(frozen=True)
class Lexicon:
    """Entries sorted by key (first letters), then by falling frequency.

    ``keys[i]`` is entry i's first letters (bytes), ``logp[i]`` its log10
    relative frequency, ``curated[i]`` whether it is a conventional chat
    abbreviation of three or more syllables from the curated list, ``chars[offsets[i]:offsets[i+1]]`` its code
    points and ``syl`` the same span's syllable ids into ``syllables``.
    """

    keys: np.ndarray
    logp: np.ndarray
    curated: np.ndarray
    offsets: np.ndarray
    chars: np.ndarray
    syl: np.ndarray
    syllables: np.ndarray

    @classmethod
    def build(cls, sources: dict[str, Path] | None = None, *, cache: bool = True) -> Lexicon:
        """Build (or load from the cache) the lexicon of ``sources`` (default: :func:`lexicon_sources`)."""
        import numpy as np

        srcs = lexicon_sources() if sources is None else sources
        key = _short_hash("-".join([_BUILD_VERSION, *(file_digest(srcs[k]) for k in sorted(srcs))]))
        built: dict[str, np.ndarray] = {}
        lock = threading.Lock()

        def part(name: str) -> np.ndarray:
            with lock:
                if not built:
                    built.update(_build_arrays(srcs))
            return built[name]

        if not cache:
            return cls(**{name: part(name) for name in _ARRAYS})
        arrays: dict[str, Any] = {}
        for name in _ARRAYS:
            # a plain ndarray view of the memory map: indexing a np.memmap is several times slower
            arrays[name] = cached_array(
                f"lexicon-{name}", key, lambda name=name: part(name), what="the word lexicon", usually="10-20 s"
            ).view(np.ndarray)
        return cls(**arrays)

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def word(self, i: int) -> str:
        """The characters of entry ``i``."""
        return self.chars[self.offsets[i] : self.offsets[i + 1]].tobytes().decode("utf-32-le")

    def reading(self, i: int) -> tuple[str, ...]:
        """The toneless reading of entry ``i``."""
        return tuple(str(self.syllables[s]) for s in self.syl[self.offsets[i] : self.offsets[i + 1]])

    def key_range(self, key: str | bytes) -> tuple[int, int]:
        """Entries whose key is exactly ``key``: the half-open range ``[lo, hi)``."""
        import numpy as np

        k = np.array(key.encode("ascii") if isinstance(key, str) else key, dtype=self.keys.dtype)
        return int(np.searchsorted(self.keys, k, "left")), int(np.searchsorted(self.keys, k, "right"))

    def has_prefix(self, prefix: str | bytes) -> bool:
        """True when some key starts with ``prefix``."""
        import numpy as np

        p = prefix.encode("ascii") if isinstance(prefix, str) else prefix
        if len(p) > self.keys.dtype.itemsize:
            return False
        lo = int(np.searchsorted(self.keys, np.array(p, dtype=self.keys.dtype), "left"))
        return lo < len(self.keys) and bytes(self.keys[lo]).startswith(p)

    def lookup(self, key: str, limit: int | None = None) -> list[tuple[str, tuple[str, ...], float]]:
        """(word, reading, log10 frequency) of the entries with first letters ``key``, most frequent first."""
        lo, hi = self.key_range(key)
        if limit is not None:
            hi = min(hi, lo + limit)
        return [(self.word(i), self.reading(i), float(self.logp[i])) for i in range(lo, hi)]

    def find(self, word: str) -> list[int]:
        """Entry indices of ``word`` (one per reading)."""
        out: list[int] = []
        # a word's key is unknown without its reading: scan every key its characters allow
        for key in _keys_for(word):
            lo, hi = self.key_range(key)
            out.extend(i for i in range(lo, hi) if self.word(i) == word)
        return out

    def __iter__(self) -> Iterator[tuple[str, tuple[str, ...], float]]:
        for i in range(len(self)):
            yield self.word(i), self.reading(i), float(self.logp[i])


def _keys_for(word: str) -> list[str]:
    import itertools

    options = [sorted({s[0] for s in _char_readings(c)}) or ["?"] for c in word]
    if math.prod(len(o) for o in options) > 256:
        return []
    return ["".join(p) for p in itertools.product(*options)]


def _short_hash(text: str) -> str:
    import hashlib

    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


_DEFAULT: Lexicon | None = None
_DEFAULT_LOCK = threading.Lock()


def default_lexicon() -> Lexicon:
    """The shared default lexicon (built on first use, then loaded from the cache)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Lexicon.build()
        return _DEFAULT
