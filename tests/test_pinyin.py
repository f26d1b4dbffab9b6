from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjkglyph.chars import is_han
from cjkglyph.errors import InputError
from helpers import HOSTILE_TEXTS
from cjkglyph.pinyin import (
    PINYIN_CHAR2IDX,
    PINYIN_IDX2CHAR,
    STYLES,
    heteronyms,
    pinyin,
    pinyin_ids,
    pinyin_text,
    syllable_ids,
    tone3,
    write_pinyin_map,
)
from cjkglyph.pinyin.syllable import (
    join_syllable,
    split_syllable,
    to_tone3,
    tone3_to_mark,
    tone3_to_zhuyin,
    zhuyin_to_tone3,
)

HOSTILE = [
    *HOSTILE_TEXTS,
    "\ufeff〇々〆ヶ豈\uf900\U0002f800",
    "銀行頭髮乾隆藉口徵收",
]

# Every code point class that matters: Han of all blocks, kana, emoji, combining marks, controls, RTL.
_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(
    list("银行长重庆了的地得行着乐还都和头发銀頭髮乾藉徵") + ["\U00020000", "\U0002b740", "\U000323b0", "\u0301", "\u200d", "😀"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_alignment_every_style(text: str) -> None:
    for style in STYLES:
        out = pinyin(text, style)
        assert len(out) == len(text)
        for ch, r in zip(text, out, strict=True):
            if not is_han(ch):
                assert r is None
            elif r is not None:
                assert isinstance(r, str)
    het = pinyin(text, "tone3", heteronym=True)
    assert len(het) == len(text)
    ids = pinyin_ids(text)
    assert ids.shape == (len(text), 8)
    assert (ids[[r is None for r in tone3(text)]] == 0).all()
    pinyin_text(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_inputs(text: str) -> None:
    out = pinyin(text, "tone3")
    assert len(out) == len(text)
    assert pinyin_ids(text).shape == (len(text), 8)


def test_huge_line() -> None:
    text = "银行行长说了一句话。" * 3_000
    out = tone3(text)
    assert len(out) == len(text)
    assert out[:4] == ["yin2", "hang2", "hang2", "zhang3"]


def test_styles() -> None:
    assert pinyin("你好绿") == ["nǐ", "hǎo", "lǜ"]
    assert pinyin("你好绿", "tone3") == ["ni3", "hao3", "lv4"]
    assert pinyin("你好绿", "normal") == ["ni", "hao", "lv"]
    assert pinyin("你好", "zhuyin") == ["ㄋㄧˇ", "ㄏㄠˇ"]
    assert pinyin("中一鱼", "initials") == ["zh", "", ""]
    assert pinyin("中一鱼", "finals") == ["ong", "i", "v"]
    assert pinyin("中一鱼", "first-letter") == ["z", "y", "y"]
    assert pinyin("的", "tone3") == ["de5"]
    assert pinyin("的", "zhuyin") == ["˙ㄉㄜ"]
    with pytest.raises(InputError):
        pinyin("你", "bogus")


def test_traditional_input() -> None:
    assert pinyin("頭髮") == ["tóu", "fà"]
    assert pinyin("銀行") == ["yín", "háng"]
    assert pinyin("頭髮", "tone3") == pinyin("头发", "tone3")
    # 藉 becomes 借 in Simplified; its reading must stay one of 藉's own
    assert pinyin("藉口", "tone3")[0] in heteronyms("藉")


def test_heteronyms() -> None:
    assert heteronyms("行")[:2] == ["xing2", "hang2"]
    assert "zhong4" in heteronyms("重") and "chong2" in heteronyms("重")
    assert heteronyms("行", "tone") [:2] == ["xíng", "háng"]
    assert heteronyms("a") == [] and heteronyms("😀") == []
    with pytest.raises(InputError):
        heteronyms("行长")
    het = pinyin("银行", heteronym=True)
    assert het[1] is not None and het[1][0] == "háng" and "xíng" in het[1]
    assert pinyin("a行", "tone3", heteronym=True)[0] is None


def test_pinyin_ids() -> None:
    ids = pinyin_ids("银行行长a")
    assert ids.dtype == np.int64 and ids.shape == (5, 8)
    assert ids[0].tolist() == syllable_ids("yin2")
    assert ids[1].tolist() == syllable_ids("hang2") == ids[2].tolist()
    assert ids[3].tolist() == syllable_ids("zhang3")
    assert ids[4].tolist() == [0] * 8
    assert pinyin_ids("行走")[0].tolist() == syllable_ids("xing2")
    assert syllable_ids("zhong1") == [31, 13, 20, 19, 12, 1, 0, 0]
    assert syllable_ids("lv4")[:3] == [PINYIN_CHAR2IDX["l"], PINYIN_CHAR2IDX["v"], 4]
    assert pinyin_ids("").shape == (0, 8)


def test_write_pinyin_map(tmp_path: Path) -> None:
    path = tmp_path / "pinyin_map.json"
    write_pinyin_map(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["idx2char"] == PINYIN_IDX2CHAR and len(data["idx2char"]) == 32
    assert data["char2idx"]["a"] == 6 and data["char2idx"]["5"] == 5


def test_render() -> None:
    assert pinyin_text("我有3个苹果。") == "wǒ yǒu 3 gè píng guǒ。"
    assert pinyin_text("  ") == ""
    assert pinyin_text("Hello, 世界!") == "Hello, shì jiè!"
    # punctuation sticks to its neighbour, Han or not; opening brackets to the next token
    assert pinyin_text("你好，hello！😀。中文，") == "nǐ hǎo，hello！😀。 zhōng wén，"
    assert pinyin_text("他说（好）") == "tā shuō （hǎo）"


# --- syllable helpers -----------------------------------------------------------------


def test_split_join() -> None:
    assert split_syllable("zhuang4") == ("zh", "uang", 4)
    cases = {
        "yi1": ("", "i", 1), "ya1": ("", "ia", 1), "you3": ("", "iu", 3), "yu2": ("", "v", 2),
        "yuan2": ("", "van", 2), "wu3": ("", "u", 3), "wei4": ("", "ui", 4), "wen2": ("", "un", 2),
        "weng1": ("", "ueng", 1), "ju1": ("j", "v", 1), "xue2": ("x", "ve", 2), "lve4": ("l", "ve", 4),
        "zhi1": ("zh", "i", 1), "er2": ("", "er", 2), "m2": ("", "m", 2), "hng5": ("h", "ng", 5),
        "an1": ("", "an", 1), "liu2": ("l", "iu", 2), "gui4": ("g", "ui", 4), "zhuang": ("zh", "uang", 0),
    }  # fmt: skip
    for syl, parts in cases.items():
        assert split_syllable(syl) == parts, syl
        assert join_syllable(*parts) == syl


def test_tone_conversions() -> None:
    assert to_tone3("lǜ") == "lv4" and to_tone3("lu:e4") == "lve4" and to_tone3("LÜ3") == "lv3"
    assert to_tone3("ḿ") == "m2" and to_tone3("ê̄") == "ê1" and to_tone3("de") == "de5"
    with pytest.raises(ValueError):
        to_tone3("ni3hao")
    assert tone3_to_mark("liu2") == "liú" and tone3_to_mark("gui4") == "guì" and tone3_to_mark("you3") == "yǒu"
    assert tone3_to_mark("ng2") == "ńg" and tone3_to_mark("m4") == "m̀"
    assert tone3_to_zhuyin("zhi1") == "ㄓ" and tone3_to_zhuyin("xiong2") == "ㄒㄩㄥˊ"
    assert tone3_to_zhuyin("weng1") == "ㄨㄥ" and tone3_to_zhuyin("hong2") == "ㄏㄨㄥˊ"
    assert zhuyin_to_tone3("ㄨㄥ") == "weng1" and zhuyin_to_tone3("ㄏㄨㄥˊ") == "hong2"
    assert zhuyin_to_tone3("˙ㄉㄜ") == "de5" and zhuyin_to_tone3("ㄩㄝˋ") == "yue4"


def test_every_dictionary_syllable_round_trips() -> None:
    from pypinyin.constants import PINYIN_DICT

    syllables = {r for v in PINYIN_DICT.values() for r in v.split(",")}
    for s in syllables:
        t = to_tone3(s)
        assert to_tone3(tone3_to_mark(t)) == t
        assert join_syllable(*split_syllable(t)) == t
        z = tone3_to_zhuyin(t)
        if not t.startswith("wong"):
            assert zhuyin_to_tone3(z) == t


# --- CLI, convert, pipeline --------------------------------------------------------------


def test_cli_text_and_jsonl(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("pinyin", "银行行长", "頭髮 ok") == (0, "yín háng háng zhǎng\ntóu fà ok\n", "")
    code, out, _ = cli("pinyin", "--style", "tone3", "--format", "jsonl", "重庆a😀")
    assert code == 0
    assert json.loads(out) == {"text": "重庆a😀", "pinyin": ["chong2", "qing4", None, None]}
    code, out, _ = cli("pinyin", "--style", "zhuyin", "你好")
    assert out == "ㄋㄧˇ ㄏㄠˇ\n"
    code, out, _ = cli("pinyin", "--heteronym", "--style", "tone3", "银行")
    assert out.split()[1].startswith("hang2/") and "xing2" in out
    code, _, err = cli("pinyin", "--style", "nope", "你")
    assert code == 2 and err


def test_cli_file_alignment(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(HOSTILE) + "\n", encoding="utf-8")
    code, out, _ = cli("pinyin", "-i", str(src), "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.split("\n")[:-1]]
    assert [r["text"] for r in rows] == HOSTILE
    assert all(len(r["pinyin"]) == len(r["text"]) for r in rows)


def test_convert_targets(cli) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.conversion import convert

    assert convert("我们在银行", to="pinyin") == "wǒ men zài yín háng"
    assert convert("你好", to="zhuyin") == "ㄋㄧˇ ㄏㄠˇ"
    assert cli("convert", "--to", "pinyin", "长大") == (0, "zhǎng dà\n", "")


def test_pipeline() -> None:
    from cjkglyph import pipeline

    pipe = pipeline("pinyin", style="tone3")
    assert pipe("重庆a") == {"text": "重庆a", "pinyin": ["chong2", "qing4", None]}
    out = pipe(["银行", ""])
    assert out[1] == {"text": "", "pinyin": []}
    het = pipeline("pinyin", heteronym=True)("行")["pinyin"][0]
    assert isinstance(het, list) and len(het) > 1
    json.dumps(out)
    with pytest.raises(InputError):
        pipeline("pinyin", style="bogus")


# --- polyphone model ---------------------------------------------------------------------


def test_model_in_context() -> None:
    assert pinyin("率领部队，效率很高", "tone3")[:1] == ["shuai4"]
    assert pinyin("效率", "tone3")[1] == "lv4"
    assert pinyin("重庆重要", "tone3") == ["chong2", "qing4", "zhong4", "yao4"]
    assert pinyin("还有", "tone3")[0] == "hai2"


def test_model_can_be_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CJKGLYPH_PINYIN_MODEL", "0")
    assert pinyin("银行行长", "tone3") == ["yin2", "hang2", "hang2", "zhang3"]
    assert len(pinyin("a😀行\u0301", "tone3")) == 4


def test_model_file_errors(tmp_path: Path) -> None:
    from cjkglyph.errors import ResourceError
    from cjkglyph.pinyin.polyphone import FEATURE_VERSION, PolyphoneModel, default_model

    model = default_model()
    assert "行" in model.index and len(model.candidates[model.index["行"]]) > 1
    with pytest.raises(ResourceError, match="missing.npz"):
        PolyphoneModel.load(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ResourceError):
        PolyphoneModel.load(bad)
    old = tmp_path / "old.npz"
    np.savez(old, meta=np.array([FEATURE_VERSION + 1, 4, 2]), chars=np.array(["行"]), syllables=np.array(["xing2"]),
             cands=np.zeros((1, 2), np.int16), weights=np.zeros((4, 2), np.float16))  # fmt: skip
    with pytest.raises(ResourceError, match="does not match"):
        PolyphoneModel.load(old)


def test_heldout_split_is_stable() -> None:
    from cjkglyph._splits import polyphone_heldout as is_heldout

    flags = [is_heldout(f"句子{i}") for i in range(1000)]
    assert 150 < sum(flags) < 250
    assert flags == [is_heldout(f"句子{i}") for i in range(1000)]


def test_styles_come_from_one_registry() -> None:
    from cjkglyph.cli import build_parser
    from cjkglyph.pinyin.styles import STYLES, Style, convert_style

    sub = next(a for a in build_parser()._actions if a.dest == "command").choices["pinyin"]
    choices = next(a for a in sub._actions if a.dest == "style").choices
    assert tuple(choices) == STYLES == tuple(s.value for s in Style)
    assert all(convert_style("lv4", s) == convert_style("lv4", s.value) for s in Style)


# --- everyday words, 一/不, tone sandhi ----------------------------------------------------


def test_everyday_words() -> None:
    from cjkglyph.encoder import default_encoder

    enc = default_encoder()
    for encoder in (None, enc):
        assert pinyin("他长得很高", "tone3", encoder=encoder)[1:3] == ["zhang3", "de5"]
        assert pinyin("和面", "tone3", encoder=encoder) == ["huo2", "mian4"]
        assert pinyin("他跑得很快", "tone3", encoder=encoder)[2] in ("de5", "de2")


DEI = ["你得努力", "我得走了", "他得去医院", "我们得赶紧走", "你得小心", "大家得注意", "总得有人去", "我就得走", "你还得去"]
DE = {"他得了冠军": "de2", "你得到了": "de2", "他得分了": "de2", "我得知": "de2", "他跑得快": "de5", "得了吧": "de2",
      "他长得很高": "de5", "我得一百分": "de2", "你得的是什么病": "de2", "我得病了": "de2"}  # fmt: skip


def test_dei_after_subject() -> None:
    from cjkglyph.encoder import default_encoder

    enc = default_encoder()
    for encoder in (None, enc):
        for text in DEI:
            assert pinyin(text, "tone3", encoder=encoder)[text.index("得")] == "dei3", text
        for text, gold in DE.items():
            assert pinyin(text, "tone3", encoder=encoder)[text.index("得")] == gold, text
    assert pinyin("得了吧", "tone3") == ["de2", "le5", "ba5"]
    assert pinyin("我覺得你得努力", "tone3")[2::2] == ["de5", "dei3", "li4"]  # Traditional input, 覺得 untouched


def test_dei_rule_scope() -> None:
    from cjkglyph.pinyin import analyse
    from cjkglyph.pinyin.dei import apply_dei

    def fired(text: str) -> list[int]:
        a = analyse(text)
        return apply_dei(a.simp, list(a.readings), a.readings)

    assert fired("你得努力") == [1]
    assert fired("他得去医院") == [1]  # 得去 from the lexicon, kept whole by jieba
    assert fired("我就得走") == [2]
    for text in ("他得了冠军", "他跑得快", "这得多少钱", "你得", "我得。", "得走了", "他得过冠军"):
        assert fired(text) == [], text


def test_yi_bu_citation_tones_by_default() -> None:
    for text in ("一起", "一句", "一叫", "一个", "统一", "第一", "一样"):
        assert pinyin(text, "tone3")[text.index("一")] == "yi1", text
    assert pinyin("不是不好", "tone3") == ["bu4", "shi4", "bu4", "hao3"]


def test_sandhi() -> None:
    def s(text: str) -> list[str | None]:
        return pinyin(text, "tone3", sandhi=True)

    assert s("一起")[0] == "yi4" and s("一句")[0] == "yi2" and s("一个")[0] == "yi2"
    assert s("第一")[1] == "yi1" and s("十一")[1] == "yi1" and s("一九九八年")[0] == "yi1"
    assert s("看一看")[1] == "yi5" and s("一")[0] == "yi1"
    assert s("不是")[0] == "bu2" and s("不好")[0] == "bu4" and s("不一定")[:2] == ["bu4", "yi2"]
    assert s("你好") == ["ni2", "hao3"]
    assert s("我很好")[1:] == ["hen2", "hao3"]
    assert s("小老虎") == ["xiao3", "lao2", "hu3"]
    assert s("一起，走")[0] == "yi4" and s("一。")[0] == "yi1"
    assert pinyin("你好", sandhi=True) == ["ní", "hǎo"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET | st.sampled_from(list("一不你我很好小老虎展览馆买米第十看")), max_size=40))
def test_sandhi_changes_only_tones(text: str) -> None:
    plain = tone3(text)
    surface = tone3(text, sandhi=True)
    assert len(surface) == len(plain) == len(text)
    for ch, a, b in zip(text, plain, surface, strict=True):
        assert (a is None) == (b is None)
        if a is not None and b is not None and a != b:
            assert a[:-1] == b[:-1]
            assert (a[-1], b[-1]) in {("3", "2"), ("1", "2"), ("1", "4"), ("1", "5"), ("4", "2")}
            assert ch in "一不" or (a[-1], b[-1]) == ("3", "2")
    assert len(pinyin(text, "zhuyin", sandhi=True)) == len(text)


def test_cli_sandhi(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("pinyin", "--style", "tone3", "一起，你好")[1] == "yi1 qi3， ni3 hao3\n"
    assert cli("pinyin", "--style", "tone3", "--sandhi", "一起，你好")[1] == "yi4 qi3， ni2 hao3\n"
    assert cli("pinyin", "--context", "--style", "tone3", "和面")[1] == "huo2 mian4\n"


def test_frequent_words_match_the_phrase_dictionary() -> None:
    """The most frequent corpus words with a phrase-dictionary reading are read as pypinyin reads them."""
    from pypinyin.constants import PHRASES_DICT

    from cjkglyph.pinyin.readings import SANDHI_CHARS, is_polyphone, phrase_readings
    from cjkglyph.resources import data_path

    arrays = np.load(data_path("lexicon", "word_context.npz"))
    words = bytes(arrays["words"]).decode("utf-8").split("\n")
    order = np.argsort(-arrays["counts"].sum(axis=1), kind="stable")
    checked, wrong = 0, []
    for k in order[:20000]:
        word = words[k]
        entry = PHRASES_DICT.get(word)
        if len(word) < 2 or entry is None or not any(is_polyphone(c) and c not in SANDHI_CHARS for c in word):
            continue
        ref = phrase_readings(word)
        if ref is None:
            continue
        got = tone3(word)
        checked += 1
        wrong += [word for p, c in enumerate(word) if c not in SANDHI_CHARS and len(entry[p]) == 1 and got[p] != ref[p]]
        if checked == 1000:
            break
    assert checked == 1000
    assert not wrong, wrong


def test_context_model() -> None:
    from cjkglyph.encoder import default_encoder
    from cjkglyph.pinyin.polyphone import default_context_model, default_model

    fast, ctx = default_model(), default_context_model()
    assert set(ctx.index) == set(fast.index) and 0 < ctx.gate <= 1
    assert ctx.log_probs(["行"], np.zeros((1, ctx.weights.shape[2]), np.float32)).shape == (1, fast.k)
    enc = default_encoder()
    for text in HOSTILE:
        assert len(pinyin(text, "tone3", encoder=enc)) == len(text)
    assert pinyin("银行行长", "tone3", encoder=enc) == ["yin2", "hang2", "hang2", "zhang3"]


def test_context_model_file_errors(tmp_path: Path) -> None:
    from cjkglyph.errors import ResourceError
    from cjkglyph.pinyin.polyphone import ContextModel

    with pytest.raises(ResourceError, match="missing.npz"):
        ContextModel.load(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    np.savez(bad, chars=np.array(["行"]), cands=np.zeros((1, 2), np.int16), weights=np.zeros((1, 3, 4), np.float16),
             bias=np.zeros((1, 2), np.float16), gate=np.array([0.9, 1.0]))  # fmt: skip
    with pytest.raises(ResourceError, match="shapes"):
        ContextModel.load(bad)
