#!/usr/bin/env python3
"""A tour of cjkglyph's Python API: every call here runs offline on a CPU in a few seconds.

    python examples/quickstart.py
"""

from __future__ import annotations

import cjkglyph


def main() -> None:
    check = cjkglyph.pipeline("spell-check")
    for r in check(["我们今天去公圆玩", "他说的话很有到理。"]):
        print("check   ", r["source"], "->", r["target"], [(e["pos"], e["wrong"], e["right"], e["relation"]) for e in r["errors"]])

    abbrev = cjkglyph.pipeline("abbreviation")
    for line in ["我真的bhys", "xswl这个太好笑了"]:
        best = abbrev(line)["candidates"][0]
        print("abbrev  ", line, "->", best["text"])

    print("pinyin  ", cjkglyph.pinyin.pinyin("银行行长", style="tone3"), cjkglyph.pinyin.pinyin("头发", style="zhuyin"))
    print("ids     ", cjkglyph.ids.ids("想"), cjkglyph.ids.structure("国"), len(cjkglyph.ids.containing("氵", position="left")), "characters with 氵 on the left")
    print("similar ", [(n.char, n.relation) for n in cjkglyph.similar("圆", k=5)])
    print("glyph   ", cjkglyph.glyph.render("未末").shape, "float32 images, song/hei/kai")
    print("convert ", cjkglyph.convert("头发", to="traditional"), cjkglyph.subchar.encode("你好", "wubi"))

    features = cjkglyph.pipeline("features", glyph=False)("好")["chars"][0]
    print("features", {k: features[k] for k in ("char", "pinyin", "ids", "strokes", "codes")})


if __name__ == "__main__":
    main()
