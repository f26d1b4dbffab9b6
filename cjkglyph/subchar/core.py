"""Sub-character encodings: text rewritten as input codes (glyph) or readings (pronunciation).

Each Han character becomes a short code followed by the separator ``_``, as in
SubChar tokenization (Si et al., "Sub-Character Tokenization for Chinese
Pretrained Language Models"), so a subword vocabulary learned on the encoded
text can share pieces between characters that look or sound alike.

Schemes (:data:`SCHEMES`):

- ``wubi`` (Wubi 86 full codes, letters a-y), ``cangjie`` (Cangjie 5, a-y),
  ``stroke`` (stroke order, letters h s p n z): from :mod:`cjkglyph.input_codes`;
- ``pinyin`` (tone3 syllables such as ``hao3``) and ``zhuyin`` (``ㄏㄠˇ``): the
  reading of each character *in context* from :func:`cjkglyph.pinyin.pinyin`,
  so a polyphone is written with the reading it has in that sentence;
- ``pinyin-noindex``, ``zhuyin-noindex``: the reading alone, without index.
  Homophones get identical codes, which makes homophone typos invisible to a
  model; these two are NOT invertible: :func:`decode` returns the most common
  character of each reading.

Invertibility (every scheme except the ``-noindex`` ones):
``decode(encode(text, s), s) == text`` for every string. The rules:

1. characters that share a code are ranked (most frequent first, from the Wubi
   table's frequencies; a reading other than a character's main one counts
   1/8 of the character's frequency) and the code of the k-th one (k >= 1) gets the decimal index k appended:
   ``vbg_`` is 好, ``vbg1_`` the next character coded ``vbg``. A reading index
   counts among all characters that *can* have that reading, so a polyphone
   read in a rare reading is still decoded from (reading, index) alone;
2. a Han character without a code (or reading) is copied unchanged;
3. the separator ``_`` and the escape ``\\`` are written ``\\_`` and ``\\\\``;
4. a character of the scheme's code alphabet (ASCII letters and digits; for
   zhuyin bopomofo, tone marks and digits) is written ``\\`` + character when a
   Han character follows it, so it can never run into the next code;
5. everything else (Latin words, digits, punctuation, emoji) is copied unchanged.

Indices depend on the shipped tables (and, for readings, on pypinyin's
dictionary), so decode with the same cjkglyph version that encoded.

>>> from cjkglyph.subchar import encode, decode
>>> encode("你好", "wubi"), encode("你好", "cangjie"), encode("你好", "stroke")
('wqiy_vbg_', 'onf_vnd_', 'pspzspn_zphzsh_')
>>> encode("我有3个app_v2", "wubi")
'trnt_def_\\\\3whj_app\\\\_v2'
>>> decode("trnt_def_\\\\3whj_app\\\\_v2", "wubi")
'我有3个app_v2'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from ..chars import BLOCKS, HAN_BLOCKS, HAN_RE
from ..errors import InputError

__all__ = [
    "ESC",
    "INVERTIBLE_SCHEMES",
    "SCHEMES",
    "SEP",
    "code_to_chars",
    "decode",
    "encode",
    "encode_aligned",
    "encode_pieces",
    "homophones",
]

#: Follows the code of every encoded character.
SEP = "_"
#: Makes the next character literal.
ESC = "\\"
#: Every scheme name accepted by :func:`encode` / :func:`decode`.
SCHEMES: tuple[str, ...] = ("wubi", "cangjie", "stroke", "pinyin", "zhuyin", "pinyin-noindex", "zhuyin-noindex")
#: Schemes with ``decode(encode(x)) == x``.
INVERTIBLE_SCHEMES: tuple[str, ...] = SCHEMES[:5]
#: pronunciation scheme -> pinyin style of its codes
_PRONUNCIATION = {"pinyin": "tone3", "zhuyin": "zhuyin"}
_CACHE_VERSION = "1"
_HAN_CLASS = HAN_RE.pattern[1:-1]


@dataclass
class _Table:
    """Resolved code table of one scheme."""

    name: str
    contextual: bool
    indexed: bool
    #: char -> piece (token + SEP) for glyph schemes; (char, code) -> token for pronunciation schemes
    glyph: dict[str, str] = field(default_factory=dict)
    reading: dict[tuple[str, str], str] = field(default_factory=dict)
    #: char -> code of its main reading (fallback when the context reading is not listed)
    main: dict[str, str] = field(default_factory=dict)
    #: token -> char
    inverse: dict[str, str] = field(default_factory=dict)
    alphabet: str = ""
    translate: dict[int, str] = field(default_factory=dict)
    escape_re: re.Pattern[str] = re.compile("(?!)")
    token_re: re.Pattern[str] = re.compile("(?!)")


def _scheme_name(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise InputError(f"unknown sub-character scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    return scheme


def _han_chars() -> Iterable[str]:
    for first, last, _, short in BLOCKS:
        if short in HAN_BLOCKS:
            for cp in range(first, last + 1):
                yield chr(cp)


def _rank_key(freq: dict[str, int]) -> Callable[[str], tuple[int, int, int]]:
    return lambda c: (-freq.get(c, 0), 0 if "\u4e00" <= c <= "\u9fff" else 1, ord(c))


def _rows_glyph(scheme: str) -> list[tuple[str, str, int, int]]:
    """(char, code, index, 1) of every character coded in a glyph scheme."""
    from ..input_codes import char_frequency, code_table

    key = _rank_key(char_frequency())
    groups: dict[str, list[str]] = {}
    for char, code in code_table(scheme).items():
        groups.setdefault(code, []).append(char)
    return [(c, code, k, 1) for code, chars in groups.items() for k, c in enumerate(sorted(chars, key=key))]


@lru_cache(maxsize=1)
def _all_readings() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(char, tone3 readings) of every Han code point with a reading (scanned once per process)."""
    from ..pinyin import heteronyms

    return tuple((c, tuple(h)) for c in _han_chars() if (h := heteronyms(c, "tone3")))


def _rows_reading(style: str) -> list[tuple[str, str, int, int]]:
    """(char, code, index, is_main) of every (character, reading) pair; index among all characters with that reading."""
    from ..input_codes import char_frequency
    from ..pinyin import convert_style

    freq = char_frequency()
    groups: dict[str, list[tuple[float, int, int, int, str]]] = {}
    for char, readings in _all_readings():
        for pos, r in enumerate(readings):
            code = convert_style(r, style)
            # a character's other readings count as 1/8 of its frequency
            weight = -freq.get(char, 0) / (1 if pos == 0 else 8)
            groups.setdefault(code, []).append((weight, 0 if "\u4e00" <= char <= "\u9fff" else 1, ord(char), pos, char))
    return [(m[-1], code, k, int(m[3] == 0)) for code, members in groups.items() for k, m in enumerate(sorted(members))]


def _cache_key(scheme: str) -> str:
    import hashlib

    from ..resources import data_path, file_digest

    parts = [_CACHE_VERSION, file_digest(__file__), file_digest(data_path("codes", "wubi86.tsv"))]
    if scheme in _PRONUNCIATION:
        import pypinyin

        from ..pinyin import readings, styles, syllable

        parts += [pypinyin.__version__, *(file_digest(m.__file__) for m in (readings, styles, syllable))]
    else:
        from ..input_codes import code_file

        parts.append(file_digest(code_file(scheme)))
    return hashlib.blake2b("|".join(parts).encode(), digest_size=10).hexdigest()


def _rows(scheme: str) -> list[tuple[str, str, int, int]]:
    """The (char, code, index, is_main) rows of a base scheme, cached in the cache directory."""
    import numpy as np

    from ..resources import cached_array

    def build() -> np.ndarray:
        rows = _rows_reading(_PRONUNCIATION[scheme]) if scheme in _PRONUNCIATION else _rows_glyph(scheme)
        blob = "".join(f"{c}\t{code}\t{k}\t{m}\n" for c, code, k, m in rows).encode("utf-8")
        return np.frombuffer(blob, dtype=np.uint8)

    blob = cached_array(f"subchar-{scheme}", _cache_key(scheme), build, mmap=False)
    out = []
    for line in blob.tobytes().decode("utf-8").split("\n"):
        if line:
            c, code, k, main = line.split("\t")
            out.append((c, code, int(k), int(main)))
    return out


def _token(code: str, k: int, indexed: bool) -> str:
    return code + str(k) if indexed and k else code


@lru_cache(maxsize=None)
def _table(scheme: str) -> _Table:
    base = scheme.removesuffix("-noindex")
    indexed = base == scheme
    t = _Table(scheme, contextual=base in _PRONUNCIATION, indexed=indexed)
    rows = _rows(base)
    letters: set[str] = set()
    for c, code, k, main in rows:
        letters.update(code)
        tok = _token(code, k, indexed)
        if t.contextual:
            t.reading[(c, code)] = tok
            if main:
                t.main[c] = code
            if (k == 0 or indexed) and tok not in t.inverse:
                t.inverse[tok] = c
        else:
            t.glyph[c] = tok + SEP
            t.inverse[tok] = c
    if indexed:
        letters.update("0123456789")
    t.alphabet = "".join(sorted(letters))
    cls = re.escape(t.alphabet).replace("-", r"\-")
    e, s = re.escape(ESC), re.escape(SEP)
    t.escape_re = re.compile(f"[{cls}](?=[{_HAN_CLASS}])")
    t.token_re = re.compile(f"{e}(.)|([{cls}]+)({s})?|([^{cls}{e}{s}]+)|(.)", re.S)
    t.translate = {ord(c): piece for c, piece in t.glyph.items()}
    t.translate[ord(SEP)] = ESC + SEP
    t.translate[ord(ESC)] = ESC + ESC
    return t


def _pieces(text: str, t: _Table) -> list[str]:
    if t.contextual:
        from ..pinyin import convert_style, pinyin

        readings = pinyin(text, style="tone3")
        style = _PRONUNCIATION[t.name.removesuffix("-noindex")]
        pieces: list[str] = []
        for c, r in zip(text, readings, strict=True):
            if r is not None:
                tok = t.reading.get((c, convert_style(r, style)))
                if tok is None and c in t.main:
                    tok = t.reading.get((c, t.main[c]))
                if tok is not None:
                    pieces.append(tok + SEP)
                    continue
            pieces.append(ESC + c if c in (SEP, ESC) else c)
    else:
        glyph = t.glyph
        pieces = [glyph.get(c) or (ESC + c if c in (SEP, ESC) else c) for c in text]
    for m in t.escape_re.finditer(text):
        pieces[m.start()] = ESC + m.group()
    return pieces


def encode_pieces(text: str, scheme: str) -> list[str]:
    """The encoding of each character of ``text``: ``"".join(encode_pieces(t, s)) == encode(t, s)``.

    >>> encode_pieces("好a", "pinyin")
    ['hao3_', 'a']
    """
    return _pieces(text, _table(_scheme_name(scheme)))


def encode(text: str, scheme: str) -> str:
    """``text`` with every Han character replaced by its code in ``scheme`` (see the module docs).

    >>> encode("银行行长", "pinyin")
    'yin2_hang2_hang2_zhang3_'
    >>> encode("好好", "zhuyin-noindex")
    'ㄏㄠˇ_ㄏㄠˇ_'
    """
    t = _table(_scheme_name(scheme))
    if t.contextual:
        return "".join(_pieces(text, t))
    marks = [m.start() for m in t.escape_re.finditer(text)]
    if not marks:
        return text.translate(t.translate)
    out: list[str] = []
    prev = 0
    for i in marks:
        out.append(text[prev:i].translate(t.translate))
        out.append(ESC + text[i])
        prev = i + 1
    out.append(text[prev:].translate(t.translate))
    return "".join(out)


def encode_aligned(text: str, scheme: str) -> tuple[str, list[int]]:
    """``(encode(text, scheme), starts)``: ``starts[i]`` is where ``text[i]``'s encoding begins.

    ``starts`` has ``len(text) + 1`` entries, the last one ``len(encoded)``.

    >>> encode_aligned("a好", "wubi")
    ('\\\\avbg_', [0, 2, 6])
    """
    pieces = encode_pieces(text, scheme)
    return "".join(pieces), list(accumulate(map(len, pieces), initial=0))


def decode(encoded: str, scheme: str, errors: str = "strict") -> str:
    """Invert :func:`encode`. ``errors="replace"`` turns malformed input into U+FFFD instead of raising.

    For the ``-noindex`` schemes each code decodes to its most common character.

    >>> decode("wqiy_vbg_, world", "wubi")
    '你好, world'
    """
    t = _table(_scheme_name(scheme))
    if errors not in ("strict", "replace"):
        raise InputError(f"errors must be 'strict' or 'replace', not {errors!r}")
    inverse = t.inverse
    out: list[str] = []
    for m in t.token_re.finditer(encoded):
        escaped, run, sep, literal, bad = m.groups()
        if literal is not None:
            out.append(literal)
        elif run is not None:
            if sep is None:
                out.append(run)
                continue
            char = inverse.get(run)
            if char is None:
                if errors == "strict":
                    raise InputError(f"unknown {scheme} code {run!r} at position {m.start()}")
                char = "\ufffd"
            out.append(char)
        elif escaped is not None:
            out.append(escaped)
        else:
            if errors == "strict":
                what = "separator without a code" if bad == SEP else "escape at the end of the text"
                raise InputError(f"malformed {scheme} encoding: {what} at position {m.start()}")
            out.append("\ufffd")
    return "".join(out)


def code_to_chars(code: str, scheme: str) -> list[str]:
    """Every character whose code (without index) in ``scheme`` is ``code``, index order.

    >>> code_to_chars("vbg", "wubi")
    ['好', '㛅']
    """
    base = _scheme_name(scheme).removesuffix("-noindex")
    return [r[0] for r in sorted(_rows(base), key=lambda r: r[2]) if r[1] == code]


def homophones(char: str, style: str = "tone3") -> list[str]:
    """Other characters sharing ``char``'s main reading (tones included), most common first.

    >>> "号" in homophones("好") or "郝" in homophones("好")
    True
    """
    from ..pinyin import heteronyms

    readings = heteronyms(char, "tone3")
    if not readings:
        return []
    groups = _reading_groups()
    return [c for c in groups.get(readings[0], ()) if c != char]


@lru_cache(maxsize=1)
def _reading_groups() -> dict[str, list[str]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for c, code, k, _ in _rows("pinyin"):
        groups.setdefault(code, []).append((k, c))
    return {code: [c for _, c in sorted(members)] for code, members in groups.items()}
