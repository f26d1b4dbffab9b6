"""Rebuild data/lexicon/english_words.txt (used by ``cjkglyph abbrev --keep-english``).

Source: SCOWL size 35 as packaged by Debian (``wamerican-small``,
/usr/share/dict/american-english-small). Keeps lowercase ASCII words of two
letters or more, one per line, sorted, plus a few words common in Chinese
chats that the list lacks (EXTRA, written for cjkglyph).

    apt-get download wamerican-small && dpkg-deb -x wamerican-small_*.deb /tmp/wam
    python scripts/build_english_words.py /tmp/wam/usr/share/dict/american-english-small
    cp /tmp/wam/usr/share/doc/wamerican-small/copyright data/lexicon/english_words.copyright.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "english_words.txt"
EXTRA = (
    "app apps wifi ok online offline vlog vlogs emoji emojis selfie selfies lol omg btw vip ceo pdf ppt "
    "iphone ipad ios android wechat tiktok youtube google facebook twitter instagram ins bug bugs debug "
    "logo spa pk diy nba kpop ktv gps usb cpu gpu"
).split()


def main(src: str) -> None:
    words = set()
    for line in Path(src).read_text(encoding="utf-8", errors="replace").splitlines():
        w = line.strip()
        if re.fullmatch(r"[a-z]{2,}", w):
            words.add(w)
    words.update(EXTRA)
    OUT.write_text("".join(f"{w}\n" for w in sorted(words)), encoding="utf-8")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/american-english-small")
