"""Error-channel statistics of the spelling checker: how often a character is written wrongly, and as what.

Counted from parallel ``source<TAB>target`` files (the SIGHAN train sets for
the shipped table): for every character its occurrences in the sources and
how often it was wrong there, and for every (wrong, right) pair its count.
These counts become features of :mod:`cjkglyph.spelling.features` (smoothed
there by relation). Stored as JSON in ``data/spellcheck/channel.json``.

>>> ch = ChannelStats.from_parallel([("我再家", "我在家"), ("再见", "再见")])
>>> ch.pair_count("再", "在"), ch.wrong["再"], ch.occ["再"]
(1, 1, 2)
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..chars import is_han
from ..errors import InputError, ResourceError

__all__ = ["CHANNEL", "ChannelStats", "read_parallel"]

#: Shipped table, relative to ``data/``.
CHANNEL = ("spellcheck", "channel.json")
FORMAT = "cjkglyph-spell-channel"


def read_parallel(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(source, target) pairs of a ``source<TAB>target`` file; lines of unequal length are skipped."""
    out: list[tuple[str, str]] = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\r\n").split("\t")
                if len(parts) >= 2 and len(parts[0]) == len(parts[1]):
                    out.append((parts[0], parts[1]))
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    return out


@dataclass
class ChannelStats:
    """Counts: ``occ[c]`` (c in the sources), ``wrong[c]`` (c wrong there), ``pairs[(wrong, right)]``,
    ``context[(left, wrong, right)]`` and ``context[(wrong, right, next)]`` (the pair with its neighbour;
    the neighbour slot holds ``""`` for the other side, so the two kinds never collide)."""

    occ: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    context: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_parallel(cls, rows: Iterable[tuple[str, str]]) -> ChannelStats:
        """Count the Han-to-Han substitutions of (source, target) pairs of equal length."""
        self = cls()
        for src, tgt in rows:
            if len(src) != len(tgt):
                continue
            self.occ.update(c for c in src if is_han(c))
            for i, (a, b) in enumerate(zip(src, tgt)):
                if a != b and is_han(a) and is_han(b):
                    self.wrong[a] += 1
                    self.pairs[(a, b)] += 1
                    if i > 0:
                        self.context[(tgt[i - 1], a, b, "")] += 1
                    if i + 1 < len(src):
                        self.context[("", a, b, tgt[i + 1])] += 1
        return self

    def pair_count(self, wrong: str, right: str) -> int:
        return self.pairs.get((wrong, right), 0)

    @property
    def total_occ(self) -> int:
        return sum(self.occ.values())

    @property
    def total_wrong(self) -> int:
        return sum(self.wrong.values())

    # ------------------------------------------------------------------ (de)serialisation
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 1,
            "info": self.info,
            "occ": "".join(f"{c}{n}\n" for c, n in sorted(self.occ.items())),
            "pairs": "".join(f"{a}{b}{n}\n" for (a, b), n in sorted(self.pairs.items())),
            "left": "".join(f"{l}{a}{b}{n}\n" for (l, a, b, r), n in sorted(self.context.items()) if l),
            "right": "".join(f"{a}{b}{r}{n}\n" for (l, a, b, r), n in sorted(self.context.items()) if r),
        }

    @classmethod
    def from_json(cls, blob: dict[str, Any], where: str = "<memory>") -> ChannelStats:
        try:
            if blob.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file")
            self = cls(info=dict(blob.get("info", {})))
            for line in blob["occ"].splitlines():
                self.occ[line[0]] = int(line[1:])
            for line in blob["pairs"].splitlines():
                a, b, n = line[0], line[1], int(line[2:])
                self.pairs[(a, b)] = n
                self.wrong[a] += n
            for line in blob.get("left", "").split("\n")[:-1]:
                self.context[(line[0], line[1], line[2], "")] += int(line[3:])
            for line in blob.get("right", "").split("\n")[:-1]:
                self.context[("", line[0], line[1], line[2])] += int(line[3:])
            return self
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise ResourceError(f"corrupt channel table {where}: {e}; rebuild it with scripts/train_spellcheck.py") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> ChannelStats:
        """The table at ``path`` (default: the shipped ``data/spellcheck/channel.json``)."""
        from ..resources import data_path

        p = Path(path) if path is not None else data_path(*CHANNEL)
        try:
            blob = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ResourceError(f"missing channel table {p}; rebuild it with scripts/train_spellcheck.py") from None
        except (OSError, ValueError) as e:
            raise ResourceError(f"cannot read channel table {p}: {e}") from None
        return cls.from_json(blob, str(p))

    def save(self, path: str | os.PathLike[str]) -> None:
        from ..resources import atomic_write

        with atomic_write(path, "wb") as f:
            f.write((json.dumps(self.to_json(), ensure_ascii=False, indent=0) + "\n").encode("utf-8"))
