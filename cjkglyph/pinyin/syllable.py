"""Pinyin syllable spelling: tone3 <-> tone marks <-> zhuyin, initial/final split.

Every other module that turns one reading into another form calls these
functions; the canonical form is *tone3*: lowercase letters, ``v`` for ü, then
a tone digit (1-4, 5 = neutral), e.g. ``lv4``. Finals are given in their
standard contracted spelling with y/w removed and ü written ``v``
(``you`` -> ``iu``, ``wei`` -> ``ui``, ``ju`` -> ``v``), so syllables that rhyme
share a final.

>>> from cjkglyph.pinyin.syllable import split_syllable, join_syllable, to_tone3, tone3_to_mark, tone3_to_zhuyin
>>> split_syllable("zhuang4"), split_syllable("you3"), split_syllable("yue4")
(('zh', 'uang', 4), ('', 'iu', 3), ('', 've', 4))
>>> join_syllable("j", "v", 3), join_syllable("", "ui", 4)
('ju3', 'wei4')
>>> to_tone3("lǜ"), to_tone3("de"), to_tone3("lu:e4")
('lv4', 'de5', 'lve4')
>>> tone3_to_mark("lv4"), tone3_to_mark("gui4"), tone3_to_mark("de5")
('lǜ', 'guì', 'de')
>>> tone3_to_zhuyin("zhuang4"), tone3_to_zhuyin("de5"), zhuyin_to_tone3("ㄋㄧˇ")
('ㄓㄨㄤˋ', '˙ㄉㄜ', 'ni3')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "FINALS",
    "INITIALS",
    "first_letter",
    "join_syllable",
    "split_syllable",
    "strip_tone",
    "tone3_to_mark",
    "tone3_to_zhuyin",
    "tone_of",
    "to_tone3",
    "zhuyin_to_tone3",
]

#: Initials of the pinyin scheme, in the usual order (y and w are spelling devices, not initials).
INITIALS: tuple[str, ...] = (
    "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
    "j", "q", "x", "zh", "ch", "sh", "r", "z", "c", "s",
)  # fmt: skip
_INITIALS_BY_LENGTH = sorted(INITIALS, key=len, reverse=True)

_ZHUYIN_INITIAL: dict[str, str] = dict(zip(INITIALS, "ㄅㄆㄇㄈㄉㄊㄋㄌㄍㄎㄏㄐㄑㄒㄓㄔㄕㄖㄗㄘㄙ", strict=True))
_ZHUYIN_FINAL: dict[str, str] = {
    "a": "ㄚ", "o": "ㄛ", "e": "ㄜ", "ê": "ㄝ", "ai": "ㄞ", "ei": "ㄟ", "ao": "ㄠ", "ou": "ㄡ",
    "an": "ㄢ", "en": "ㄣ", "ang": "ㄤ", "eng": "ㄥ", "ong": "ㄨㄥ", "er": "ㄦ",
    "i": "ㄧ", "ia": "ㄧㄚ", "io": "ㄧㄛ", "ie": "ㄧㄝ", "iai": "ㄧㄞ", "iao": "ㄧㄠ", "iu": "ㄧㄡ",
    "ian": "ㄧㄢ", "in": "ㄧㄣ", "iang": "ㄧㄤ", "ing": "ㄧㄥ", "iong": "ㄩㄥ",
    "u": "ㄨ", "ua": "ㄨㄚ", "uo": "ㄨㄛ", "uai": "ㄨㄞ", "ui": "ㄨㄟ", "uan": "ㄨㄢ", "un": "ㄨㄣ",
    "uang": "ㄨㄤ", "ueng": "ㄨㄥ",
    "v": "ㄩ", "ve": "ㄩㄝ", "van": "ㄩㄢ", "vn": "ㄩㄣ",
    "m": "ㄇ", "n": "ㄋ", "ng": "ㄫ",
}  # fmt: skip
#: Finals known to the zhuyin table (standard contracted spelling, ü written v).
FINALS: tuple[str, ...] = tuple(_ZHUYIN_FINAL)
_ZHUYIN_TONE = {1: "", 2: "ˊ", 3: "ˇ", 4: "ˋ", 5: ""}
_APICAL = frozenset(("zh", "ch", "sh", "r", "z", "c", "s"))

# combining tone marks (after NFD) -> tone number
_MARK_TONE = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
_TONE_MARK = {v: k for k, v in _MARK_TONE.items()}
_TONE3_RE = re.compile(r"^([a-zêv]+?)([0-5]?)$")


@lru_cache(maxsize=8192)
def to_tone3(syllable: str) -> str:
    """Any common spelling of one syllable -> tone3 (``lǜ``, ``lu:4``, ``lü4``, ``LV4``, ``de`` -> ``de5``).

    A syllable without tone mark or digit is neutral (5); tone 0 is read as 5.
    Raises ValueError when the text is not a pinyin syllable.
    """
    s = unicodedata.normalize("NFD", syllable.strip().lower())
    tone = 0
    out: list[str] = []
    for ch in s:
        if ch in _MARK_TONE:
            tone = _MARK_TONE[ch]
        elif ch == "\u0308":  # diaeresis: u + ¨ = ü
            if out and out[-1] == "u":
                out[-1] = "v"
        elif ch == "\u0302":  # circumflex: e + ^ = ê
            if out and out[-1] == "e":
                out[-1] = "ê"
        else:
            out.append(ch)
    body = "".join(out).replace("u:", "v")
    m = _TONE3_RE.match(body)
    if m is None:
        raise ValueError(f"not a pinyin syllable: {syllable!r}")
    letters, digit = m.groups()
    if digit:
        if tone and int(digit) != tone:
            raise ValueError(f"conflicting tones in {syllable!r}")
        tone = int(digit) or 5
    return f"{letters}{tone or 5}"


def tone_of(tone3: str) -> int:
    """Tone number 1-5 of a tone3 syllable (0 when it has no digit)."""
    return int(tone3[-1]) if tone3[-1:].isdigit() else 0


def strip_tone(tone3: str) -> str:
    """``zhong1`` -> ``zhong`` (also accepts a syllable without digit)."""
    return tone3.rstrip("012345")


def first_letter(tone3: str) -> str:
    """First letter as typed in abbreviations: ``zhong1`` -> ``z``, ``yi1`` -> ``y``, ``lv4`` -> ``l``."""
    return tone3[:1]


@lru_cache(maxsize=4096)
def split_syllable(tone3: str) -> tuple[str, str, int]:
    """Split into (initial, final, tone): ``zhuang4`` -> ``("zh", "uang", 4)``.

    y/w are removed and ü written ``v`` (``yu2`` -> ``("", "v", 2)``,
    ``wei4`` -> ``("", "ui", 4)``, ``qu4`` -> ``("q", "v", 4)``); syllabic
    nasals keep their letter as final (``m2`` -> ``("", "m", 2)``,
    ``hng5`` -> ``("h", "ng", 5)``). Tone is 0 when the syllable has no digit.
    """
    tone = tone_of(tone3)
    s = strip_tone(tone3)
    if not s:
        raise ValueError(f"not a pinyin syllable: {tone3!r}")
    if s[0] == "y":
        rest = s[1:]
        if rest.startswith("u"):
            final = "v" + rest[1:]
        elif rest.startswith("i"):
            final = rest
        else:
            final = "i" + rest
        return "", final.replace("iou", "iu"), tone
    if s[0] == "w":
        rest = s[1:]
        if rest == "u":
            final = "u"
        elif rest == "ong":
            final = "ong"
        else:
            final = {"ei": "ui", "en": "un"}.get(rest, "u" + rest)
        return "", final, tone
    if s in ("m", "n", "ng", "hm", "hng"):
        return ("h", s[1:], tone) if s[0] == "h" else ("", s, tone)
    for ini in _INITIALS_BY_LENGTH:
        if s.startswith(ini) and len(s) > len(ini):
            final = s[len(ini) :]
            if ini in ("j", "q", "x") and final.startswith("u"):
                final = "v" + final[1:]
            return ini, final, tone
    return "", s, tone


def join_syllable(initial: str, final: str, tone: int = 0) -> str:
    """Inverse of :func:`split_syllable`: ``("", "iu", 3)`` -> ``you3``; tone 0 leaves the digit off."""
    if initial:
        if initial in ("j", "q", "x") and final.startswith("v"):
            final = "u" + final[1:]
        body = initial + final
    elif final.startswith("i"):
        body = {"i": "yi", "in": "yin", "ing": "ying", "iu": "you"}.get(final, "y" + final[1:])
    elif final.startswith("u"):
        body = {"u": "wu", "ui": "wei", "un": "wen"}.get(final, "w" + final[1:])
    elif final.startswith("v"):
        body = "yu" + final[1:]
    elif final == "ong":
        body = "wong"
    else:
        body = final
    return f"{body}{tone}" if tone else body


@lru_cache(maxsize=4096)
def tone3_to_mark(tone3: str) -> str:
    """``lv4`` -> ``lǜ``; the mark goes on a/e, else on the o of ``ou``, else on the last vowel."""
    tone = tone_of(tone3)
    s = strip_tone(tone3).replace("v", "ü")
    if tone in (0, 5):
        return s
    for target in ("a", "e", "ê", "ou"):
        i = s.find(target)
        if i >= 0:
            break
    else:
        i = max((s.rfind(v) for v in "iouü"), default=-1)
        if i < 0:  # syllabic m, n, ng: mark the nasal
            i = s.find("n") if "n" in s else s.find("m")
    if i < 0:
        return s
    return unicodedata.normalize("NFC", s[: i + 1] + _TONE_MARK[tone] + s[i + 1 :])


@lru_cache(maxsize=4096)
def tone3_to_zhuyin(tone3: str) -> str:
    """``zhuang4`` -> ``ㄓㄨㄤˋ``; neutral tone is a leading dot (``de5`` -> ``˙ㄉㄜ``).

    Raises ValueError for spellings outside the zhuyin table.
    """
    initial, final, tone = split_syllable(tone3)
    if initial in _APICAL and final == "i":
        body = _ZHUYIN_INITIAL[initial]
    else:
        try:
            body = _ZHUYIN_INITIAL[initial] if initial else ""
            body += _ZHUYIN_FINAL[final]
        except KeyError:
            raise ValueError(f"no zhuyin for {tone3!r}") from None
    return "˙" + body if tone == 5 else body + _ZHUYIN_TONE.get(tone, "")


_ZHUYIN_TONE_REV = {"ˊ": 2, "ˇ": 3, "ˋ": 4, "˙": 5}
_FINAL_REV: dict[str, str] = {}
for _f, _z in _ZHUYIN_FINAL.items():
    _FINAL_REV.setdefault(_z, _f)  # ㄨㄥ -> ong (with an initial); see below for ueng
_INITIAL_REV = {z: i for i, z in _ZHUYIN_INITIAL.items()}


@lru_cache(maxsize=4096)
def zhuyin_to_tone3(zhuyin: str) -> str:
    """``ㄋㄧˇ`` -> ``ni3``, ``˙ㄉㄜ`` -> ``de5``, ``ㄓ`` -> ``zhi1``. Raises ValueError when unreadable."""
    z = zhuyin.strip()
    tone = 1
    if z[:1] == "˙":
        tone, z = 5, z[1:]
    if z[-1:] in _ZHUYIN_TONE_REV:
        tone, z = _ZHUYIN_TONE_REV[z[-1]], z[:-1]
    z = z.replace("ˉ", "")
    initial = ""
    if len(z) > 1 and z[0] in _INITIAL_REV or z in ("ㄓ", "ㄔ", "ㄕ", "ㄖ", "ㄗ", "ㄘ", "ㄙ"):
        initial, z = _INITIAL_REV[z[0]], z[1:]
    if not z:
        if initial not in _APICAL:
            raise ValueError(f"not a zhuyin syllable: {zhuyin!r}")
        final = "i"
    else:
        found = _FINAL_REV.get(z)
        if found is None:
            raise ValueError(f"not a zhuyin syllable: {zhuyin!r}")
        final = "ueng" if found == "ong" and not initial else found
    return join_syllable(initial, final, tone)
