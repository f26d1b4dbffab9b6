"""The "features" pipeline: per-character glyph, pinyin, pinyin ids, IDS and input codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cjkglyph
from cjkglyph.errors import InputError
from cjkglyph.glyph import render
from cjkglyph.pinyin import pinyin_ids


def test_entries_align_with_text_and_reuse_feature_modules() -> None:
    text = "银行行长a😀\x00"
    out = cjkglyph.pipeline("features", numpy=True)(text)
    assert [c["char"] for c in out["chars"]] == list(text)
    assert [c["pinyin"] for c in out["chars"][:4]] == ["yin2", "hang2", "hang2", "zhang3"]
    assert out["chars"][1]["zhuyin"] == "ㄏㄤˊ"
    assert all(c["pinyin"] is None and c["ids"] is None for c in out["chars"][4:])
    np.testing.assert_array_equal(out["pinyin_ids"], pinyin_ids(text))
    assert out["glyph"].shape == (len(text), 3, 24, 24) and out["glyph"].dtype == np.float32
    np.testing.assert_array_equal(out["glyph"], render(list(text)))
    assert out["chars"][0]["glyph_fonts"] == ["song", "hei", "kai"]


def test_structure_codes_and_strokes() -> None:
    c = cjkglyph.pipeline("features", glyph=False)("国")["chars"][0]
    assert c["ids"] == "⿴囗玉" and c["structure"] == "surround"
    assert c["strokes"] == 8
    assert set(c["codes"]) == {"wubi", "cangjie", "stroke"} and all(c["codes"].values())
    assert c["codes"]["stroke"].startswith("sz")  # 丨 then 𠃌


def test_json_ready_and_batch_order() -> None:
    texts = ["你好", "", "𠀁字"]
    out = cjkglyph.pipeline("features", fonts=["kai"], size=12)(texts)
    assert [o["text"] for o in out] == texts
    assert out[1]["chars"] == [] and out[1]["glyph"] == [] and out[1]["pinyin_ids"] == []
    json.dumps(out, ensure_ascii=False)
    assert out[2]["chars"][0]["glyph_fonts"] == ["ids"]  # Ext B: synthesised from its IDS
    assert np.asarray(out[2]["glyph"]).shape == (2, 1, 12, 12)


def test_bad_options() -> None:
    with pytest.raises(InputError):
        cjkglyph.pipeline("features", codes=["klingon"])
    with pytest.raises(InputError):
        cjkglyph.pipeline("features", size=2)("字")
