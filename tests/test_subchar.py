from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjkglyph.errors import InputError
from cjkglyph.input_codes import SCHEMES as CODE_SCHEMES
from cjkglyph.input_codes import code_table, input_code, parse_stroke_dict
from cjkglyph.subchar import (
    ESC,
    INVERTIBLE_SCHEMES,
    SCHEMES,
    SEP,
    code_to_chars,
    decode,
    encode,
    encode_aligned,
    encode_pieces,
    homophones,
)
from cjkglyph.subchar.tokenization import SubCharTokenizer, encode_for_model, train_tokenizer
from helpers import HOSTILE_TEXTS

HOSTILE = [
    *HOSTILE_TEXTS,
    "_\\_\\\\__ a_好 \\好 3个 x好 ㄏ好 ˇ好 ê好",
    "[CLS] [PAD]好 <0xE5>好 <0x41>",
    "\ufeffbom",
]
# characters that exercise the escape rules and code collisions
SPECIAL = list("abvgzhspnx0139_\\好你行银长乐了妤㛅 \n\t𠀀㐀ㄏㄠˇˊ˙êǖ鿿豈𪚥[]<>CLS") + ["\U000323b0", "\U0002ebf0", "\U00031350"]
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(SPECIAL)),
    st.text(alphabet=st.characters(min_codepoint=0x20000, max_codepoint=0x3347F)),
    st.lists(
        st.one_of(
            st.text(max_size=5),
            st.sampled_from(SPECIAL),
            st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8),
        )
    ).map("".join),
)


# -- code tables -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "scheme", "code"),
    [
        ("好", "wubi", "vbg"),
        ("好", "cangjie", "vnd"),
        ("好", "stroke", "zphzsh"),
        ("一", "wubi", "ggll"),
        ("工", "wubi", "aaaa"),
        ("的", "cangjie", "hapi"),
        ("一", "stroke", "h"),
        ("𠀀", "cangjie", "mls"),
    ],
)
def test_known_codes(char: str, scheme: str, code: str) -> None:
    assert input_code(char, scheme) == code


def test_tables_cover_han_only() -> None:
    for scheme in CODE_SCHEMES:
        table = code_table(scheme)
        assert len(table) > 70000
        assert input_code("a", scheme) is None and input_code("，", scheme) is None
        assert all(code.isascii() and code.isalpha() and code.islower() for code in table.values())
    assert set("".join(code_table("stroke").values())) == set("hspnz")


def test_stroke_parser_prefers_mainland_section(tmp_path: Path) -> None:
    f = tmp_path / "s.dict.yaml"
    f.write_text("---\nname: stroke\n...\n\n好\tzphzzh\n㐀\tshhsh\n坏\tbad6\n#mainland\n好\tzphzsh\n", encoding="utf-8")
    assert parse_stroke_dict(f) == {"好": "zphzsh", "㐀": "shhsh"}


# -- encode / decode ----------------------------------------------------------------------------


def test_encode_examples() -> None:
    assert encode("好", "wubi") == "vbg_"
    assert encode("你好", "cangjie") == "onf_vnd_"
    assert encode("好", "stroke") == "zphzsh_"
    assert encode("好", "pinyin") == "hao3_"
    assert encode("好", "zhuyin") == "ㄏㄠˇ_"
    assert encode("", "wubi") == ""
    assert encode("hello, world", "wubi") == "hello, world"


def test_collisions_get_an_index() -> None:
    chars = code_to_chars("vbg", "wubi")
    assert chars[0] == "好" and len(chars) >= 2
    assert encode(chars[1], "wubi") == "vbg1_"
    assert decode("vbg_vbg1_", "wubi") == "好" + chars[1]
    # polyphones: the reading in context, then the index among every character with that reading
    assert encode("银行", "pinyin").startswith("yin2_hang2")
    assert decode(encode("银行行走", "pinyin"), "pinyin") == "银行行走"


def test_escapes() -> None:
    assert encode("a_b\\c", "wubi") == "a\\_b\\\\c"
    assert encode("x好", "wubi") == "\\xvbg_"  # a code letter before a Han character is escaped
    assert encode("3个", "pinyin") == "\\3ge4_"
    assert encode("好x", "wubi") == "vbg_x"  # after a separator no escape is needed
    assert encode("ㄏ好", "zhuyin") == "\\ㄏㄏㄠˇ_"
    assert encode("ㄏ好", "wubi") == "ㄏvbg_"  # bopomofo is not part of the Wubi alphabet
    for text in ("x好", "3个", "a_b\\c", "ㄏ好", "_好_", "\\好\\"):
        for scheme in INVERTIBLE_SCHEMES:
            assert decode(encode(text, scheme), scheme) == text


def test_uncoded_han_passes_through() -> None:
    rare = "\U000323b0"  # Ext J: no code in any table
    for scheme in SCHEMES:
        assert encode(rare, scheme) == rare
        assert decode(rare, scheme) == rare


def test_decode_errors() -> None:
    for bad in ("zzzzzz_", "_", "vbg_\\", "qqqqqq9_"):
        with pytest.raises(InputError):
            decode(bad, "wubi")
        assert "\ufffd" in decode(bad, "wubi", errors="replace")
    with pytest.raises(InputError):
        encode("x", "klingon")
    with pytest.raises(InputError):
        decode("x", "wubi", errors="ignore")


def test_noindex_homophones_identical() -> None:
    others = homophones("好")
    assert others and "好" not in others
    for scheme in ("pinyin-noindex", "zhuyin-noindex"):
        assert encode("好", scheme) == encode(others[0], scheme)
    assert encode("號", "pinyin-noindex") != encode("好", "pinyin-noindex")  # hao4, another tone
    # not invertible: each reading decodes to its most common character
    assert decode(encode("郝", "pinyin-noindex"), "pinyin-noindex") == "好"
    assert decode(encode("郝", "pinyin"), "pinyin") == "郝"


@pytest.mark.parametrize("scheme", INVERTIBLE_SCHEMES)
@pytest.mark.parametrize("text", HOSTILE)
def test_round_trip_hostile(scheme: str, text: str) -> None:
    assert decode(encode(text, scheme), scheme) == text


def test_round_trip_huge_line() -> None:
    text = ("字" * 1000 + "ab_\\x好 ") * 100
    for scheme in INVERTIBLE_SCHEMES:
        assert decode(encode(text, scheme), scheme) == text


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from(INVERTIBLE_SCHEMES))
def test_round_trip_property(text: str, scheme: str) -> None:
    encoded = encode(text, scheme)
    assert decode(encoded, scheme) == text
    joined, starts = encode_aligned(text, scheme)
    assert joined == encoded == "".join(encode_pieces(text, scheme))
    assert len(starts) == len(text) + 1 and starts[-1] == len(encoded)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.sampled_from(SCHEMES))
def test_decode_never_crashes_in_replace_mode(text: str, scheme: str) -> None:
    assert isinstance(decode(text, scheme, errors="replace"), str)
    assert isinstance(encode(text, scheme), str)


def test_separator_and_escape_are_not_code_letters() -> None:
    assert SEP == "_" and ESC == "\\"
    for scheme in SCHEMES:
        assert SEP not in encode("好", scheme)[:-1]


# -- tokenizer --------------------------------------------------------------------------------

CORPUS = ["我们的银行行长说你好世界", "今天天气很好，我们去公园散步。", "这个app有3个bug，请修复。", "长大了头发长了"] * 30


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> SubCharTokenizer:
    tok = train_tokenizer(CORPUS, "wubi", vocab_size=120)
    path = tmp_path_factory.mktemp("tok")
    tok.save_pretrained(path)
    return SubCharTokenizer.from_pretrained(path)


def test_save_load(tiny: SubCharTokenizer, tmp_path: Path) -> None:
    assert tiny.scheme == "wubi"
    files = tiny.save_pretrained(tmp_path / "again")
    assert {Path(f).name for f in files} == {"tokenizer.json", "subchar_config.json"}
    config = json.loads((tmp_path / "again" / "subchar_config.json").read_text())
    assert config["scheme"] == "wubi" and config["pad_token"] == "[PAD]"
    again = SubCharTokenizer.from_pretrained(tmp_path / "again")
    text = "我们的银行很好"
    assert again(text)["input_ids"] == tiny(text)["input_ids"]
    assert again.get_vocab() == tiny.get_vocab() and len(again) == tiny.vocab_size
    with pytest.raises(InputError):
        SubCharTokenizer.from_pretrained(tmp_path / "missing")


def test_call_single_and_batch(tiny: SubCharTokenizer) -> None:
    one = tiny("你好")
    assert set(one) == {"input_ids", "attention_mask"}
    assert one["input_ids"][0] == tiny.cls_token_id and one["input_ids"][-1] == tiny.sep_token_id
    batch = tiny(["你好", "我们的银行行长说你好世界"], padding=True, return_offsets_mapping=True)
    assert len({len(r) for r in batch["input_ids"]}) == 1
    assert batch["input_ids"][0][-1] == tiny.pad_token_id and batch["attention_mask"][0][-1] == 0
    assert batch.offset_mapping[0][-1] == (0, 0)
    cut = tiny("我们的银行行长说你好世界" * 10, truncation=True, max_length=8)
    assert len(cut["input_ids"]) == 8 and cut["input_ids"][-1] == tiny.sep_token_id
    fixed = tiny(["你好"], padding="max_length", max_length=12)
    assert len(fixed["input_ids"][0]) == 12
    pair = tiny("你好", "世界", return_offsets_mapping=True)
    assert 1 in pair["token_type_ids"] and all(0 <= a <= b <= 2 for a, b in pair["offset_mapping"])
    np_batch = tiny(["你好", "世界银行"], padding=True, return_tensors="np")
    assert np_batch["input_ids"].shape == np_batch["attention_mask"].shape and np_batch["input_ids"].shape[0] == 2
    with pytest.raises(InputError):
        tiny(["你好", "世界银行"], return_tensors="np")
    with pytest.raises(InputError):
        tiny(123)  # type: ignore[arg-type]


def test_return_tensors_pt(tiny: SubCharTokenizer) -> None:
    torch = pytest.importorskip("torch")
    out = tiny("你好", return_tensors="pt")
    assert isinstance(out["input_ids"], torch.Tensor) and out["input_ids"].shape[0] == 1
    assert tiny.decode(out["input_ids"][0], skip_special_tokens=True) == "你好"


def _check_offsets(tok: SubCharTokenizer, text: str) -> None:
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    covered = [False] * len(text)
    for a, b in offsets:
        assert 0 <= a < b <= len(text)
        for i in range(a, b):
            covered[i] = True
    assert all(covered)
    assert [a for a, _ in offsets] == sorted(a for a, _ in offsets)
    pieces = tok.convert_ids_to_tokens(enc["input_ids"])
    # every piece's text is part of the encoding of the characters its offsets name
    encoded, starts = encode_for_model(text, tok.scheme)
    pos = 0
    for piece, (a, b) in zip(pieces, offsets, strict=True):
        if piece.startswith("<0x") and len(piece) == 6:
            continue
        found = encoded.find(piece, pos)
        assert starts[a] <= found and found + len(piece) <= starts[b], (piece, a, b)
        pos = found + len(piece)


def test_offsets_index_original_text(tiny: SubCharTokenizer) -> None:
    for text in ["我们的银行行长说你好世界", "x好 app的3个bug", "😀你好𪚥\n\t世界", "[CLS]<0xE5>好"]:
        _check_offsets(tiny, text)
    enc = tiny("我们的银行", add_special_tokens=False, return_offsets_mapping=True)
    pieces = tiny.convert_ids_to_tokens(enc["input_ids"])
    # with this corpus, whole words become one piece: offsets span several characters
    assert any(b - a > 1 for a, b in enc["offset_mapping"]), pieces


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_tokenizer_round_trip_property(text: str) -> None:
    tok = _tiny_cached()
    ids = tok(text)["input_ids"]
    assert tok.decode(ids, skip_special_tokens=True) == text
    _check_offsets(tok, text)


_TINY: list[SubCharTokenizer] = []


def _tiny_cached() -> SubCharTokenizer:
    if not _TINY:
        _TINY.append(train_tokenizer(CORPUS, "wubi", vocab_size=120))
    return _TINY[0]


def test_decode_tolerates_any_ids(tiny: SubCharTokenizer) -> None:
    ids = list(range(tiny.vocab_size))
    assert isinstance(tiny.decode(ids), str)
    assert tiny.decode([tiny.cls_token_id, *tiny("好")["input_ids"][1:-1], tiny.sep_token_id]) == "[CLS]好[SEP]"
    assert tiny.batch_decode([[tiny.cls_token_id], []], skip_special_tokens=True) == ["", ""]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_shipped_tokenizers(scheme: str) -> None:
    from cjkglyph.resources import data_path

    if not data_path("tokenizers", scheme, "tokenizer.json", required=False).is_file():
        pytest.skip(f"no shipped tokenizer for {scheme}")
    tok = SubCharTokenizer.from_pretrained(scheme)
    assert tok.scheme == scheme and tok.vocab_size > 20000
    text = "我们的银行行长说：你好，世界！app有3个bug。𪚥😀"
    ids = tok(text)["input_ids"]
    if scheme in INVERTIBLE_SCHEMES:
        assert tok.decode(ids, skip_special_tokens=True) == text
    _check_offsets(tok, text)
    common = "今天天气很好，我们去公园散步，然后在银行门口见面。"
    assert len(tok(common, add_special_tokens=False)["input_ids"]) < len(common)  # fewer tokens than characters


# -- CLI ----------------------------------------------------------------------------------------


def test_cli_convert_codes(cli) -> None:  # type: ignore[no-untyped-def]
    for target, expected in [("wubi", "wqiy_vbg_"), ("cangjie", "onf_vnd_"), ("pinyin-code", "ni3_hao3_"), ("zhuyin-code", "ㄋㄧˇ_ㄏㄠˇ_")]:
        code, out, err = cli("convert", "--to", target, "你好")
        assert (code, out) == (0, expected + "\n"), err
        code, out, err = cli("convert", "--from", target, expected)
        assert (code, out) == (0, "你好\n"), err
    code, out, _ = cli("convert", "--to", "stroke", "好")
    assert out == "zphzsh_\n"
    code, _, err = cli("convert", "--from", "wubi", "qqqqqq_")
    assert code == 2 and err.count("\n") == 1 and "unknown wubi code" in err


def test_cli_tokenize_jsonl(cli, tiny: SubCharTokenizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tiny.save_pretrained(tmp_path / "tok")
    code, out, err = cli("tokenize", "--tokenizer", str(tmp_path / "tok"), "--format", "jsonl", "我们的银行", "x好")
    assert code == 0, err
    recs = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in recs] == ["我们的银行", "x好"]
    for r in recs:
        assert set(r) >= {"text", "tokens", "offsets"} and len(r["tokens"]) == len(r["offsets"])
        assert all(0 <= a < b <= len(r["text"]) for a, b in r["offsets"])


def test_cli_tokenizer_train(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    code, out, err = cli("tokenizer", "train", "--scheme", "cangjie", "--vocab-size", "80", str(corpus), "-o", str(tmp_path / "out"))
    assert code == 0, err
    tok = SubCharTokenizer.from_pretrained(tmp_path / "out")
    assert tok.scheme == "cangjie" and tok.decode(tok("你好")["input_ids"], skip_special_tokens=True) == "你好"
    code, _, err = cli("tokenizer", "train", "--scheme", "wubi", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "x"))
    assert code == 2 and "cannot read" in err


def test_import_is_light() -> None:
    code = (
        "import sys, cjkglyph\n"
        "from cjkglyph import subchar\nfrom cjkglyph.subchar import tokenization\n"
        "cjkglyph.subchar.encode('好', 'wubi')\n"
        "heavy = [m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
